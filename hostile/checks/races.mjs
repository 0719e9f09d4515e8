// Check 2 (races): 10,000 seeded sessions on a 9.10.0 server; every token is logged out twice
// at once (two connections, ~112 requests in flight). For each pair exactly one logout must
// answer 200 {} and the other be refused (400 code 209, or 404 code 101); afterwards every
// token must get 209 on GET /parse/users/me and on the GraphQL viewer.
import path from 'node:path';
import { TMP, REST, GQL, REFUSED_209, seededDb, startServer, request, agent, pool, main, info, fail, check, countInto, fmtCounts } from '../lib.mjs';

const SESSIONS = Number(process.env.HOSTILE_RACE_SESSIONS || 10000);
const PAIRS_IN_FLIGHT = 56; // 112 requests in flight

await main(async () => {
  const db = path.join(TMP, 'races.db');
  const tokens = await seededDb(db, SESSIONS);
  check(tokens.length === SESSIONS, `seeded ${tokens.length} tokens, expected ${SESSIONS}`);
  const s = await startServer({ version: '9.10.0', db });
  const ag = agent(128);
  const logout = (t) => request(s.url, { method: 'POST', path: '/parse/logout', headers: { ...REST, 'X-Parse-Session-Token': t }, agent: ag })
    .then((r) => `${r.status} ${r.text}`, (e) => `error ${e.code || e.message}`);

  // 1. two concurrent logouts per token
  let t0 = Date.now();
  const pairs = await pool(tokens, PAIRS_IN_FLIGHT, (t) => Promise.all([logout(t), logout(t)]));
  const logoutSecs = (Date.now() - t0) / 1000;
  const answers = new Map(); const outcomes = new Map(); let bad = 0;
  pairs.forEach(([a, b], i) => {
    countInto(answers, a); countInto(answers, b);
    const won = [a, b].filter((x) => x === '200 {}').length;
    const refused = [a, b].filter((x) => x === `400 ${REFUSED_209}` || /^404 \{"code":101,/.test(x)).length;
    const ok = won === 1 && refused === 1;
    countInto(outcomes, ok ? 'one 200 {} + one refusal' : `BAD: ${a} | ${b}`);
    if (!ok && bad++ < 5) fail(`token #${i}: logout pair answered ${a} | ${b}`);
  });
  info(`${pairs.length} pairs, ${pairs.length * 2} logouts in ${logoutSecs.toFixed(1)} s (${Math.round(pairs.length * 2 / logoutSecs)}/s)`);
  info(`pair outcomes: ${fmtCounts(outcomes)}`);
  info(`logout answers: ${fmtCounts(answers)}`);
  check(bad === 0, `${bad} pairs did not get exactly one 200 {} and one refusal`);

  // 2. every token refused on REST users/me and GraphQL viewer
  t0 = Date.now();
  const me = await pool(tokens, 112, (t) => request(s.url, { path: '/parse/users/me', headers: { ...REST, 'X-Parse-Session-Token': t }, agent: ag })
    .then((r) => `${r.status} ${r.text}`, (e) => `error ${e.code || e.message}`));
  const viewer = await pool(tokens, 112, (t) => request(s.url, { method: 'POST', path: '/graphql', headers: { ...GQL, 'X-Parse-Session-Token': t }, body: { query: '{ viewer { sessionToken } }' }, agent: ag })
    .then((r) => `${r.status} ${r.text}`, (e) => `error ${e.code || e.message}`));
  const meCounts = new Map(); me.forEach((x) => countInto(meCounts, x));
  const gqlCounts = new Map(); viewer.forEach((x) => countInto(gqlCounts, x));
  info(`users/me after logout (${((Date.now() - t0) / 1000).toFixed(1)} s for both): ${fmtCounts(meCounts)}`);
  info(`GraphQL viewer after logout: ${fmtCounts(gqlCounts)}`);
  const meBad = me.filter((x) => x !== `400 ${REFUSED_209}`).length;
  const gqlBad = viewer.filter((x) => x !== `400 ${REFUSED_209}`).length;
  check(meBad === 0, `${meBad} of ${tokens.length} revoked tokens not refused with 209 on users/me`);
  check(gqlBad === 0, `${gqlBad} of ${tokens.length} revoked tokens not refused with 209 on GraphQL viewer`);
  ag.destroy();
  check(!s.exited, `server died (code ${s.exitCode}, signal ${s.signal})`);
  const clean = await s.stop();
  check(clean, 'server did not stop within 8 s of SIGTERM');
});
