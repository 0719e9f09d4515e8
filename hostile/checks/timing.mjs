// Check 5 (timing): a login for an unknown user must take about as long as one for a known user
// with a wrong password (otherwise user names can be found by timing). On a 9.10.0 server with
// the Descope API, sign up `alice`, then time (sequentially, 9 tries each, interleaved, median)
// REST POST /parse/login and Descope POST /v1/auth/password/signin for an unknown user vs alice
// with a wrong password (and, as an extra, the GraphQL logIn mutation). Each pair's medians must
// be within a factor of 2.
import path from 'node:path';
import { TMP, RESTJ, GQL, startServer, request, main, info, check, median } from '../lib.mjs';

const TRIES = 9;

await main(async () => {
  const s = await startServer({ db: path.join(TMP, 'timing.db'), descope: true });
  let r = await request(s.url, { method: 'POST', path: '/parse/users', headers: RESTJ, body: { username: 'alice', password: 'alice-pass-1' } });
  check(r.status === 201, `sign-up alice: ${r.status} ${r.text}`);
  const rest = (username) => request(s.url, { method: 'POST', path: '/parse/login', headers: RESTJ, body: { username, password: 'wrong-pass-9' } });
  const descope = (loginId) => request(s.url, { method: 'POST', path: '/v1/auth/password/signin', headers: { 'Content-Type': 'application/json' }, body: { loginId, password: 'wrong-pass-9' } });
  const gql = (username) => request(s.url, { method: 'POST', path: '/graphql', headers: GQL,
    body: { query: 'mutation L($input: LogInInput!) { logIn(input: $input) { viewer { sessionToken } } }', variables: { input: { username, password: 'wrong-pass-9' } } } });
  for (const [label, fn, status] of [['REST /parse/login', rest, 404], ['Descope /v1/auth/password/signin', descope, 401], ['GraphQL logIn (extra)', gql, 200]]) {
    const unknown = []; const wrong = []; const answers = new Set();
    await fn('nobody-here'); await fn('alice'); // warm up (caches, first bcrypt)
    for (let i = 0; i < TRIES; i++) {
      const a = await fn(`nobody-${i}`); unknown.push(a.ms); answers.add(`unknown: ${a.status} ${a.text.trim()}`);
      const b = await fn('alice'); wrong.push(b.ms); answers.add(`wrong password: ${b.status} ${b.text.trim()}`);
      check(a.status === status && b.status === status, `${label}: expected ${status} for both, got ${a.status} / ${b.status}`);
    }
    const mu = median(unknown); const mw = median(wrong);
    const ratio = Math.max(mu, mw) / Math.max(Math.min(mu, mw), 0.001);
    info(`${label}: median unknown user ${mu.toFixed(1)} ms, wrong password ${mw.toFixed(1)} ms (ratio ${ratio.toFixed(2)}); answers: ${[...answers].join(' | ')}`);
    check(ratio <= 2, `${label}: medians differ by ×${ratio.toFixed(2)} (unknown ${mu.toFixed(1)} ms vs wrong password ${mw.toFixed(1)} ms)`);
  }
  check(!s.exited, 'server died');
});
