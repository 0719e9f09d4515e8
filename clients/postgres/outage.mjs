// Connection loss: the PostgreSQL cluster under one parse-compat instance (and a real
// parse-server 9.10.0 on the same database, as the oracle) is stopped and started again.
// While it is down, parse-compat must answer what real Parse answers (status and body), stay
// alive, and never report a logout it could not make; once it is back, the same process must
// serve again by itself, with revocations made before the outage still in force.
// Run by clients/run-postgres.sh.
// env: REAL_URL, COMPAT_URL, COMPAT_PID, PG_DB, PG_PORT, LOSS_CLUSTER (path of loss-cluster.sh)
import { execFileSync } from 'node:child_process';
import { call, check, checkEqual, finish, note, psql, run, show, sleep, uid } from './lib.mjs';

const real = process.env.REAL_URL;
const compat = process.env.COMPAT_URL;
const pid = Number(process.env.COMPAT_PID);
const db = process.env.PG_DB;
const port = Number(process.env.PG_PORT);
const cluster = (action) => execFileSync(process.env.LOSS_CLUSTER, [action], { stdio: 'inherit' });
if (!real || !compat || !pid || !db || !port || !process.env.LOSS_CLUSTER) {
  console.error('REAL_URL, COMPAT_URL, COMPAT_PID, PG_DB, PG_PORT and LOSS_CLUSTER are required');
  process.exit(2);
}
const alive = () => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const tag = uid();
const user = { username: `loss-${tag}`, password: 'pass-one' };
let refusal; // real Parse's users/me answer for a token it does not know, database up
let live; // the sign-up token: valid before, during and after the outage
let revoked; // logged out before the outage
let logoutDuring; // the token of the logout attempted during the outage
let id;
let down = false;

await run('before the outage', async () => {
  refusal = await call(real, 'GET', '/users/me', { token: `r:${'0'.repeat(32)}` });
  const s = await call(compat, 'POST', '/users', { body: { ...user, nickname: 'Lost', age: 1 } });
  check(s.status === 201, 'sign-up on parse-compat: 201', show(s));
  id = s.body.objectId;
  live = s.body.sessionToken;
  revoked = (await call(compat, 'POST', '/login', { body: user })).body.sessionToken;
  logoutDuring = (await call(compat, 'POST', '/login', { body: user })).body.sessionToken;
  const out = await call(compat, 'POST', '/logout', { token: revoked });
  check(out.status === 200, 'logout of a second session before the outage: 200', show(out));
  for (const [name, base] of [['parse-compat', compat], ['real Parse', real]]) {
    const me = await call(base, 'GET', '/users/me', { token: live });
    check(me.status === 200 && me.body.objectId === id, `users/me on ${name} before the outage: 200`, show(me));
  }
});

const probes = () => [
  ['GET users/me (valid token)', 'GET', '/users/me', { token: live }],
  ['GET users/me (token revoked before)', 'GET', '/users/me', { token: revoked }],
  ['POST login', 'POST', '/login', { body: user }],
  ['POST users (sign-up)', 'POST', '/users', { body: { username: `loss-new-${uid()}`, password: 'x' } }],
  ['POST logout', 'POST', '/logout', { token: logoutDuring }],
];

await run('during the outage', async () => {
  cluster('stop');
  down = true;
  const stoppedAt = performance.now();
  const seen = {};
  const differ = {};
  // Three passes over ~3 s: right after the stop (the pool's connections are dead), and later
  // (new connections are refused). One check per request over the passes, with every answer.
  for (let pass = 1; pass <= 3; pass++) {
    for (const [what, method, path, opts] of probes()) {
      const r = await call(real, method, path, { ...opts, timeout: 15000 });
      const c = await call(compat, method, path, { ...opts, timeout: 15000 });
      const at = `pass ${pass}, ${((c.sentAt - stoppedAt) / 1000).toFixed(1)} s after the stop`;
      (seen[what] ??= new Set()).add(`real Parse: ${show(r)} | parse-compat: ${show(c)}`);
      if (!(c.status === r.status && c.text === r.text)) (differ[what] ??= []).push({ at, realParse: show(r), parseCompat: show(c) });
      check(c.status !== 0 && c.answeredAt - c.sentAt < 5000, `${what}: parse-compat answers within 5 s (${at}, ${(c.answeredAt - c.sentAt).toFixed(1)} ms)`, show(c));
      if (what === 'POST logout') check(c.status !== 200, `${what}: parse-compat does not report a logout it could not make (${at})`, show(c));
      if (what.startsWith('GET users/me')) check(c.status !== 200, `${what}: parse-compat does not answer users/me from memory (${at})`, show(c));
    }
    check(alive(), `pass ${pass}: the parse-compat process is alive`);
    const health = await call(compat, 'GET', '/health', {});
    const realHealth = await call(real, 'GET', '/health', {});
    (seen['GET health'] ??= new Set()).add(`real Parse: ${show(realHealth)} | parse-compat: ${show(health)}`);
    if (pass < 3) await sleep(1000);
  }
  for (const [what] of probes()) {
    check(!differ[what], `${what}: parse-compat answers what real Parse 9.10.0 answers with its database down (status and body, 3 passes)`, differ[what]);
  }
  for (const [what, answers] of Object.entries(seen)) note(`database down, ${what}: ${[...answers].join(' ;; ')}`);
});

await run('after the outage', async () => {
  cluster('start');
  down = false;
  const startedAt = performance.now();
  let first;
  let back;
  while (performance.now() - startedAt < 15000) {
    const r = await call(compat, 'GET', '/users/me', { token: live });
    first ??= r;
    if (r.status === 200) {
      back = r;
      break;
    }
    await sleep(100);
  }
  const ms = back ? back.answeredAt - startedAt : NaN;
  note(`parse-compat served users/me again ${ms.toFixed(0)} ms after pg_ctlcluster start returned (first request: ${show(first).slice(0, 60)})`);
  check(back && ms <= 5000, `the same parse-compat process serves users/me with the old token again within 5 s (${ms.toFixed(0)} ms)`, back ? show(back) : show(first));
  let realBack;
  while (performance.now() - startedAt < 15000) {
    const r = await call(real, 'GET', '/users/me', { token: live });
    if (r.status === 200) {
      realBack = r.answeredAt - startedAt;
      break;
    }
    await sleep(100);
  }
  note(`real Parse served users/me again ${realBack?.toFixed(0)} ms after the start`);
  check(alive(), 'the parse-compat process is the one started before the outage, alive');
  const r = await call(compat, 'GET', '/users/me', { token: revoked });
  check(r.status === refusal.status && r.text === refusal.text, 'a token revoked before the outage stays refused', { expected: show(refusal), actual: show(r) });
  const row = psql(db, `SELECT count(*) FROM "_Session" WHERE "sessionToken" = '${logoutDuring}'`, port)[0];
  const me = await call(compat, 'GET', '/users/me', { token: logoutDuring });
  checkEqual([row, me.status], [1, 200], 'the logout refused during the outage did not happen: its session is still there and works');
  const l = await call(compat, 'POST', '/login', { body: user });
  check(l.status === 200 && l.body.objectId === id, 'login on parse-compat after the outage: 200', show(l));
  const out = await call(compat, 'POST', '/logout', { token: logoutDuring });
  check(out.status === 200 && out.text === '{}', 'the logout that failed during the outage succeeds now', show(out));
  const gone = await call(real, 'GET', '/users/me', { token: logoutDuring });
  check(gone.body?.code === 209, 'real Parse sees that logout', show(gone));
});

if (down) cluster('start');
finish();
