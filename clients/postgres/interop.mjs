// One PostgreSQL database shared by a real parse-server 9.10.0 and three parse-compat instances
// (A, B, C): users and sessions made by either side work on the other, the rows parse-compat
// writes look like the ones Parse writes, and a revoke on any server is final on every other at
// once, also under load. Run by clients/run-postgres.sh.
// env: REAL_URL, COMPAT_URLS (A,B,C, comma-separated), PG_DB
import { readFileSync } from 'node:fs';
import Parse from '../parse-sdk/node_modules/parse/node.js';
import {
  BCRYPT10, OBJECT_ID, TOKEN, call, check, checkEqual, finish, note, nullness, psql, run, shape, show, sleep, uid,
} from './lib.mjs';

const real = process.env.REAL_URL;
const [A, B, C] = (process.env.COMPAT_URLS || '').split(',');
const db = process.env.PG_DB;
if (!real || !C || !db) {
  console.error('REAL_URL, COMPAT_URLS (3) and PG_DB are required');
  process.exit(2);
}
const compat = { A, B, C };
const everyone = { real, A, B, C };
const tag = uid();
const YEAR_MS = 365 * 24 * 3600 * 1000;

const userRow = (id) => psql(db, `SELECT row_to_json(u) FROM "_User" u WHERE "objectId" = '${id}'`)[0];
const sessionRow = (token) => psql(db, `SELECT row_to_json(s) FROM "_Session" s WHERE "sessionToken" = '${token}'`)[0];
const sessionCount = (id) => psql(db, `SELECT count(*) FROM "_Session" WHERE "user" = '${id}'`)[0];

// What real Parse answers for a token it never issued (users/me, logout): the refusal every
// server must give for a revoked one.
let refusal;
let logoutRefusal;

/** Every compat instance refuses the token exactly as real Parse refuses an unknown one; real Parse's users/me refuses it too (code 209). */
async function refusedEverywhere(token, what, { skipReal = false } = {}) {
  for (const [name, base] of Object.entries(compat)) {
    const r = await call(base, 'GET', '/users/me', { token });
    check(r.status === refusal.status && r.text === refusal.text, `${what}: users/me on ${name} refuses (${refusal.status} ${refusal.text})`, show(r));
  }
  if (!skipReal) {
    const r = await call(real, 'GET', '/users/me', { token });
    check(r.body?.code === 209, `${what}: users/me on real Parse refuses (code 209)`, show(r));
  }
}

async function worksEverywhere(token, id, what) {
  for (const [name, base] of Object.entries(everyone)) {
    const r = await call(base, 'GET', '/users/me', { token });
    check(r.status === 200 && r.body?.objectId === id && r.body?.sessionToken === token, `${what}: users/me on ${name} answers the user`, show(r));
  }
}

function compareSessionRows(compatRow, realRow, what, { userId, realUserId, inst }) {
  checkEqual(nullness(compatRow), nullness(realRow), `${what}: _Session row written by parse-compat has the same columns set/NULL as real Parse's`, { compatRow, realRow });
  checkEqual(shape(compatRow, userId), shape(realRow, realUserId), `${what}: _Session row value formats match real Parse's`, { compatRow, realRow });
  checkEqual(compatRow.createdWith, realRow.createdWith, `${what}: createdWith ${JSON.stringify(realRow.createdWith)}`);
  check(TOKEN.test(compatRow.sessionToken), `${what}: sessionToken is r:+32 hex`, compatRow.sessionToken);
  checkEqual(compatRow.installationId, inst, `${what}: installationId is the request's header`);
  checkEqual([compatRow._rperm, compatRow._wperm], [null, null], `${what}: _rperm/_wperm NULL as Parse writes them`);
  const life = Date.parse(compatRow.expiresAt) - Date.parse(compatRow.createdAt);
  check(life <= YEAR_MS && life >= YEAR_MS - 1000, `${what}: expiresAt = createdAt + 1 year`, { createdAt: compatRow.createdAt, expiresAt: compatRow.expiresAt });
  checkEqual(compatRow.createdAt, compatRow.updatedAt, `${what}: createdAt = updatedAt on insert`);
}

const signUpBody = (username, nickname, age) => ({ username, password: 'pass-one', email: `${username}@example.com`, nickname, age });

await run('setup', async () => {
  refusal = await call(real, 'GET', '/users/me', { token: `r:${'0'.repeat(32)}` });
  logoutRefusal = await call(real, 'POST', '/logout', { token: `r:${'0'.repeat(32)}` });
  check(refusal.status === 400 && refusal.body?.code === 209, 'real Parse refuses an unknown token with 400 code 209', show(refusal));
  for (const [name, base] of Object.entries(compat)) {
    const r = await call(base, 'GET', '/users/me', { token: `r:${'0'.repeat(32)}` });
    check(r.status === refusal.status && r.text === refusal.text, `unknown token on ${name} answers as real Parse does`, show(r));
  }
});

// ---------------------------------------------------------------- 2. the cross matrix (REST)
const R = { name: `real-${tag}`, nickname: 'Ally', age: 31, inst: `inst-su-r-${tag}` };
const P = { name: `compat-${tag}`, nickname: 'Bea', age: 32, inst: `inst-su-c-${tag}` };
await run('cross matrix: REST sign-up, login, users/me on all four servers', async () => {
  const rs = await call(real, 'POST', '/users', { body: signUpBody(R.name, R.nickname, R.age), inst: R.inst });
  const cs = await call(A, 'POST', '/users', { body: signUpBody(P.name, P.nickname, P.age), inst: P.inst });
  check(rs.status === 201, 'sign-up on real Parse: 201', show(rs));
  check(cs.status === 201, 'sign-up on compat A: 201', show(cs));
  checkEqual(shape(cs.body, cs.body?.objectId), shape(rs.body, rs.body?.objectId), 'sign-up answers have the same shape', { compat: cs.text, real: rs.text });
  R.id = rs.body.objectId; R.signup = rs.body.sessionToken;
  P.id = cs.body.objectId; P.signup = cs.body.sessionToken;
  check(OBJECT_ID.test(P.id) && TOKEN.test(P.signup), 'compat sign-up: 10-char objectId, r:+32-hex token', cs.text);

  // The user real Parse made logs in on compat B; the user compat made logs in on real Parse.
  R.loginInst = `inst-li-r-${tag}`; P.loginInst = `inst-li-c-${tag}`;
  const rl = await call(B, 'POST', '/login', { body: { username: R.name, password: 'pass-one' }, inst: R.loginInst });
  const cl = await call(real, 'POST', '/login', { body: { username: P.name, password: 'pass-one' }, inst: P.loginInst });
  check(rl.status === 200 && rl.body.objectId === R.id, 'real Parse\'s user logs in on compat B', show(rl));
  check(cl.status === 200 && cl.body.objectId === P.id, 'compat\'s user logs in on real Parse', show(cl));
  checkEqual(shape(rl.body, R.id), shape(cl.body, P.id), 'login answers (compat B for a real user, real for a compat user) have the same shape', { compat: rl.text, real: cl.text });
  for (const [u, l] of [[R, rl], [P, cl]]) {
    checkEqual([l.body.nickname, l.body.age, l.body.email], [u.nickname, u.age, `${u.name}@example.com`], `${u.name}: custom string/number and email come back at login on the other side`);
  }
  R.login = rl.body.sessionToken; P.login = cl.body.sessionToken;

  // Every token, every server: users/me, byte for byte the same answer everywhere.
  for (const [who, u, token] of [['real sign-up', R, R.signup], ['compat sign-up', P, P.signup], ['compat-B login', R, R.login], ['real login', P, P.login]]) {
    const answers = {};
    for (const [name, base] of Object.entries(everyone)) {
      const r = await call(base, 'GET', '/users/me', { token });
      answers[name] = r;
      check(r.status === 200 && r.body?.objectId === u.id && r.body?.sessionToken === token && r.body?.nickname === u.nickname && r.body?.age === u.age,
        `token of ${who} works for users/me on ${name} (with nickname and age)`, show(r));
    }
    for (const name of Object.keys(compat)) {
      checkEqual(answers[name].text, answers.real.text, `token of ${who}: users/me body on ${name} is byte-identical to real Parse's`);
    }
  }
});

await run('stored rows: parse-compat\'s rows against real Parse\'s', async () => {
  const ru = userRow(R.id);
  const cu = userRow(P.id);
  checkEqual(nullness(cu), nullness(ru), '_User: same columns set/NULL', { compat: cu, real: ru });
  checkEqual(shape(cu, P.id), shape(ru, R.id), '_User: same value formats (timestamps, _rperm/_wperm, hash, custom fields)', { compat: cu, real: ru });
  checkEqual([cu._rperm, cu._wperm], [[P.id], [P.id]], '_User: _rperm/_wperm {<id>}/{<id>} as 9.10.0 writes');
  check(BCRYPT10.test(cu._hashed_password), '_User: bcrypt cost-10 hash', cu._hashed_password);
  const prefix = (h) => h.slice(0, 4);
  if (prefix(cu._hashed_password) !== prefix(ru._hashed_password)) {
    note(`_hashed_password prefix: parse-compat writes ${prefix(cu._hashed_password)}, real Parse 9.10.0 writes ${prefix(ru._hashed_password)} (both cost 10; both verify on either side)`);
  }
  checkEqual([cu.nickname, cu.age, cu.email], [P.nickname, P.age, `${P.name}@example.com`], '_User: custom fields stored as plain columns (text, double precision)');
  checkEqual(cu.createdAt, cu.updatedAt, '_User: createdAt = updatedAt on insert');

  compareSessionRows(sessionRow(P.signup), sessionRow(R.signup), 'sign-up session', { userId: P.id, realUserId: R.id, inst: P.inst });
  compareSessionRows(sessionRow(R.login), sessionRow(P.login), 'login session', { userId: R.id, realUserId: P.id, inst: R.loginInst });
});

await run('real Parse reads the user parse-compat made as one of its own', async () => {
  const viaRealP = await call(real, 'GET', `/users/${P.id}`, { master: true });
  const viaRealR = await call(real, 'GET', `/users/${R.id}`, { master: true });
  check(viaRealP.status === 200, 'GET /users/<compat user> with the master key on real Parse: 200', show(viaRealP));
  checkEqual(shape(viaRealP.body, P.id), shape(viaRealR.body, R.id), 'GET /users/<id> on real Parse: same keys and shapes for the compat-made and the real-made user', { compatMade: viaRealP.text, realMade: viaRealR.text });
  const meP = await call(real, 'GET', '/users/me', { token: P.signup });
  const meR = await call(real, 'GET', '/users/me', { token: R.signup });
  checkEqual(shape(meP.body, P.id), shape(meR.body, R.id), 'users/me on real Parse: same keys and shapes for the compat-made and the real-made user', { compatMade: meP.text, realMade: meR.text });
  for (const [name, base] of Object.entries(compat)) {
    for (const [u, viaReal] of [[P, viaRealP], [R, viaRealR]]) {
      const r = await call(base, 'GET', `/users/${u.id}`, { master: true });
      checkEqual(r.text, viaReal.text, `GET /users/${u.name} with the master key on ${name} is byte-identical to real Parse's`);
    }
  }
});

await run('updates and uniqueness cross both ways', async () => {
  const cput = await call(C, 'PUT', `/users/${R.id}`, { token: R.signup, body: { nickname: 'Ally2', age: 41 } });
  check(cput.status === 200, 'PUT /users/<real-made user> {nickname, age} on compat C: 200', show(cput));
  const rme = await call(real, 'GET', '/users/me', { token: R.signup });
  check(rme.body?.nickname === 'Ally2' && rme.body?.age === 41 && rme.body?.updatedAt === cput.body?.updatedAt, 'real Parse sees the update compat C made, with its updatedAt', show(rme));
  const rput = await call(real, 'PUT', `/users/${P.id}`, { token: P.signup, body: { nickname: 'Bea2', age: 42 } });
  check(rput.status === 200, 'PUT /users/<compat-made user> {nickname, age} on real Parse: 200', show(rput));
  for (const [name, base] of Object.entries(compat)) {
    const me = await call(base, 'GET', '/users/me', { token: P.signup });
    check(me.body?.nickname === 'Bea2' && me.body?.age === 42 && me.body?.updatedAt === rput.body?.updatedAt, `compat ${name} sees the update real Parse made`, show(me));
  }
  checkEqual(shape(cput.body), shape(rput.body), 'the update answers have the same shape', { compat: cput.text, real: rput.text });
  // A username or email the other side holds is taken, answered as real Parse answers it.
  for (const [what, body] of [
    ['username of the real-made user', { username: R.name, password: 'x' }],
    ['username of the compat-made user', { username: P.name, password: 'x' }],
    ['email of the real-made user', { username: `other-${tag}`, password: 'x', email: `${R.name}@example.com` }],
    ['email of the compat-made user, upper case', { username: `other2-${tag}`, password: 'x', email: `${P.name}@EXAMPLE.com` }],
  ]) {
    const r = await call(real, 'POST', '/users', { body });
    const c = await call(A, 'POST', '/users', { body });
    check(r.status !== 201 && c.status === r.status && c.text === r.text, `sign-up with the ${what}: compat A answers as real Parse does`, { compat: show(c), real: show(r) });
  }
  // Put the fields back: the later sections expect the sign-up values.
  await call(real, 'PUT', `/users/${R.id}`, { token: R.signup, body: { nickname: R.nickname, age: R.age } });
  await call(A, 'PUT', `/users/${P.id}`, { token: P.signup, body: { nickname: P.nickname, age: P.age } });
});

// ---------------------------------------------------------------- 2b. the Parse JS SDK on both sides
Parse.initialize('compatApp', 'compatJs');
Parse.User.enableUnsafeCurrentUser();
const sdkOn = (url) => { Parse.serverURL = url; };

async function sdkDirection(label, signUpUrl, logInUrl, becomeUrl, logOutUrl) {
  const name = `sdk-${label}-${tag}`;
  sdkOn(signUpUrl);
  const u = await Parse.User.signUp(name, 'sdk-pass', { nickname: 'Sdk', age: 7 });
  check(TOKEN.test(u.getSessionToken()) && OBJECT_ID.test(u.id), `SDK signUp on ${label.split('-')[0]}: id and token`, { id: u.id, token: u.getSessionToken() });
  check(Parse.User.current()?.id === u.id, 'SDK current() after signUp');
  const first = u.getSessionToken();
  await Parse.User.logOut();
  check(Parse.User.current() === null, 'SDK current() is null after logOut');
  await refusedEverywhere(first, `SDK logOut on the sign-up side (${label})`);

  sdkOn(logInUrl);
  const l = await Parse.User.logIn(name, 'sdk-pass');
  checkEqual([l.id, l.get('nickname'), l.get('age'), l.get('username')], [u.id, 'Sdk', 7, name], `SDK logIn on the other side (${label}): same user, custom fields`);
  checkEqual((await Parse.User.currentAsync())?.id, u.id, 'SDK currentAsync() after logIn');
  const token = l.getSessionToken();
  sdkOn(becomeUrl);
  const b = await Parse.User.become(token);
  checkEqual([b.id, b.get('nickname'), b.get('age')], [u.id, 'Sdk', 7], `SDK become() with that token on a third server (${label})`);
  sdkOn(logOutUrl);
  await Parse.User.logOut();
  check(Parse.User.current() === null, 'SDK current() is null after the second logOut');
  await refusedEverywhere(token, `SDK logOut (${label})`);
}

await run('Parse JS SDK: real sign-up, compat logIn/become/logOut', () => sdkDirection('real-to-compat', real, A, C, B));
await run('Parse JS SDK: compat sign-up, real logIn, compat become, real logOut', () => sdkDirection('compat-to-real', B, real, A, real));

// ---------------------------------------------------------------- 3. revocation
await run('revocation: logout on compat A, next request on B, C and real Parse', async () => {
  const l = await call(A, 'POST', '/login', { body: { username: P.name, password: 'pass-one' } });
  const token = l.body.sessionToken;
  for (const base of [B, C, real]) await call(base, 'GET', '/users/me', { token }); // warm every cache there may be
  const out = await call(A, 'POST', '/logout', { token });
  check(out.status === 200 && out.text === '{}', 'POST /logout on A: 200 {}', show(out));
  checkEqual(sessionRow(token), undefined, 'the _Session row is gone once the logout answered');
  for (const [name, base] of [['B', B], ['C', C]]) {
    const r = await call(base, 'GET', '/users/me', { token });
    check(r.status === 400 && r.text === '{"code":209,"error":"Invalid session token"}', `the very next users/me on ${name}: 400 {"code":209,"error":"Invalid session token"}`, show(r));
  }
  const r = await call(real, 'GET', '/users/me', { token });
  check(r.body?.code === 209, 'the very next users/me on real Parse refuses (code 209)', show(r));
  note(`real Parse's users/me after a parse-compat logout (token cached there): ${show(r)}`);
  // Real Parse answers a logout with a revoked token 200 {} while the token is still in its
  // auth cache (≈5 s) and 209 once it is not: parse-compat has no cache, so the latter.
  const again = await call(A, 'POST', '/logout', { token });
  check(again.status === logoutRefusal.status && again.text === logoutRefusal.text, 'a second logout with the revoked token answers as real Parse does for a token it does not know', { compat: show(again), real: show(logoutRefusal) });
});

const latencies = [];
await run('revocation: logout on real Parse, every compat instance refuses within 1 s', async () => {
  const l = await call(real, 'POST', '/login', { body: { username: P.name, password: 'pass-one' } });
  const token = l.body.sessionToken;
  for (const base of Object.values(compat)) await call(base, 'GET', '/users/me', { token });
  const out = await call(real, 'POST', '/logout', { token });
  check(out.status === 200, 'POST /logout on real Parse: 200', show(out));
  const t0 = out.answeredAt;
  await Promise.all(Object.entries(compat).map(async ([name, base]) => {
    let first;
    for (;;) {
      const r = await call(base, 'GET', '/users/me', { token });
      first ??= r;
      if (r.status !== 200 || r.answeredAt - t0 > 3000) {
        const ms = r.answeredAt - t0;
        latencies.push(`${name}: ${ms.toFixed(1)} ms (first request after the logout answered ${first.status})`);
        check(r.status !== 200 && ms <= 1000, `${name} refuses the token within 1 s of real Parse's logout (${ms.toFixed(1)} ms)`, show(r));
        check(first.status !== 200, `${name}: the first request after the logout is already refused`, show(first));
        check(r.status === refusal.status && r.text === refusal.text, `${name}: the refusal is ${refusal.text}`, show(r));
        return;
      }
    }
  }));
  note(`latency of real Parse's logout on compat: ${latencies.join('; ')}`);
});

await run('revocation under load: 16 loops of users/me on each of B and C, logout on A', async () => {
  for (let round = 1; round <= 3; round++) {
    const l = await call(A, 'POST', '/login', { body: { username: P.name, password: 'pass-one' } });
    const token = l.body.sessionToken;
    const results = [];
    let stop = false;
    const loop = async (name, base) => {
      while (!stop) {
        const r = await call(base, 'GET', '/users/me', { token });
        results.push({ name, ...r });
      }
    };
    const loops = [];
    for (let i = 0; i < 16; i++) loops.push(loop('B', B), loop('C', C));
    await sleep(300);
    const out = await call(A, 'POST', '/logout', { token });
    await sleep(600);
    stop = true;
    await Promise.all(loops);
    check(out.status === 200, `round ${round}: logout on A under load: 200`, show(out));
    const cut = out.answeredAt;
    const before = results.filter((r) => r.sentAt <= cut);
    const after = results.filter((r) => r.sentAt > cut);
    const lateOk = after.filter((r) => r.status === 200);
    const odd = after.filter((r) => !(r.status === refusal.status && r.text === refusal.text));
    const beforeBad = before.filter((r) => r.status !== 200 && !(r.status === refusal.status && r.text === refusal.text));
    const last200 = Math.max(...results.filter((r) => r.status === 200).map((r) => r.answeredAt)) - cut;
    note(`load round ${round}: ${results.length} requests (${before.length} sent before the logout answer, ${after.length} after; logout took ${(out.answeredAt - out.sentAt).toFixed(1)} ms); last 200 answered ${last200.toFixed(1)} ms relative to the logout answer; 200s among requests sent after: ${lateOk.length}`);
    check(after.length >= 20, `round ${round}: enough requests sent after the logout (${after.length})`);
    check(lateOk.length === 0, `round ${round}: no request sent after the logout answer got a 200`, lateOk.slice(0, 5).map((r) => ({ on: r.name, sentAfterMs: r.sentAt - cut, answer: show(r) })));
    check(odd.length === 0, `round ${round}: every request sent after the logout got ${refusal.text}`, odd.slice(0, 5).map((r) => ({ on: r.name, answer: show(r) })));
    check(beforeBad.length === 0, `round ${round}: requests sent before the logout got 200 or the refusal, nothing else`, beforeBad.slice(0, 5).map((r) => ({ on: r.name, answer: show(r) })));
  }
});

await run('password change on compat A ends every session of the user everywhere', async () => {
  const name = `pw-${tag}`;
  const s = await call(A, 'POST', '/users', { body: signUpBody(name, 'Pw', 5), inst: `inst-pw-${tag}` });
  const id = s.body.objectId;
  const old = [s.body.sessionToken];
  for (const base of [B, C, real]) old.push((await call(base, 'POST', '/login', { body: { username: name, password: 'pass-one' } })).body.sessionToken);
  for (const t of old) await worksEverywhere(t, id, 'before the password change');
  const put = await call(A, 'PUT', `/users/${id}`, { token: old[0], body: { password: 'pass-two' } });
  check(put.status === 200 && TOKEN.test(put.body?.sessionToken ?? ''), 'PUT /users/<id> {password} on A: 200 with a new sessionToken', show(put));
  const fresh = put.body.sessionToken;
  for (const [i, t] of old.entries()) await refusedEverywhere(t, `old session #${i} (made on ${['A', 'B', 'C', 'real'][i]}) after the password change on A`);
  await worksEverywhere(fresh, id, 'the token the password change answered');
  checkEqual(sessionCount(id), 1, 'the user has exactly one session left (the new one)');

  // The same on real Parse, for the answer's shape and the new session's row.
  const qname = `pwr-${tag}`;
  const q = await call(real, 'POST', '/users', { body: signUpBody(qname, 'Pw', 5), inst: `inst-pwr-${tag}` });
  const qOnB = (await call(B, 'POST', '/login', { body: { username: qname, password: 'pass-one' } })).body.sessionToken;
  const qput = await call(real, 'PUT', `/users/${q.body.objectId}`, { token: q.body.sessionToken, body: { password: 'pass-two' } });
  checkEqual(shape(put.body), shape(qput.body), 'the password change answer has the shape real Parse gives', { compat: put.text, real: qput.text });
  compareSessionRows(sessionRow(fresh), sessionRow(qput.body.sessionToken), 'password-change session', { userId: id, realUserId: q.body.objectId, inst: null });
  await refusedEverywhere(qOnB, 'a compat-B session after a password change on real Parse');
  await worksEverywhere(qput.body.sessionToken, q.body.objectId, 'the token real Parse\'s password change answered');

  const oldPw = await call(B, 'POST', '/login', { body: { username: name, password: 'pass-one' } });
  const oldPwReal = await call(real, 'POST', '/login', { body: { username: name, password: 'pass-one' } });
  check(oldPw.status === oldPwReal.status && oldPw.text === oldPwReal.text && oldPw.body?.code === 101, 'the old password: B answers as real Parse (404 code 101)', { compat: show(oldPw), real: show(oldPwReal) });
  for (const [n, base] of Object.entries(everyone)) {
    const r = await call(base, 'POST', '/login', { body: { username: name, password: 'pass-two' } });
    check(r.status === 200 && r.body.objectId === id, `the new password logs in on ${n}`, show(r));
  }
});

await run('sessions changed by SQL: every request reads the row', async () => {
  // fixtures/pg-tables experiments a) and b): real Parse accepts a row INSERTed by SQL at once
  // and refuses an expired one with 209 "Session token is expired.".
  const token = `r:${'5'.repeat(24)}${Date.now().toString(16).slice(-8)}`;
  psql(db, `INSERT INTO "_Session" ("objectId", "createdAt", "updatedAt", "user", "sessionToken", "expiresAt") VALUES ('sq${tag}xx', date_trunc('milliseconds', now()), date_trunc('milliseconds', now()), '${P.id}', '${token}', now() + interval '1 day') RETURNING to_json(1)`);
  const fresh = {};
  for (const [name, base] of Object.entries(everyone)) fresh[name] = await call(base, 'GET', '/users/me', { token });
  for (const name of Object.keys(compat)) {
    check(fresh[name].status === 200 && fresh[name].text === fresh.real.text, `a session INSERTed by SQL (NULL installationId and createdWith) works on ${name} as on real Parse`, { compat: show(fresh[name]), real: show(fresh.real) });
  }
  psql(db, `UPDATE "_Session" SET "expiresAt" = now() - interval '1 hour' WHERE "sessionToken" = '${token}' RETURNING to_json(1)`);
  for (const [name, base] of Object.entries(compat)) {
    const r = await call(base, 'GET', '/users/me', { token });
    check(r.status === 400 && r.text === '{"code":209,"error":"Session token is expired."}', `the same row, expired by SQL: ${name} answers 400 {"code":209,"error":"Session token is expired."} at once`, show(r));
  }
  const expired = await call(real, 'POST', '/login', { body: { username: P.name, password: 'pass-one' } });
  const t2 = expired.body.sessionToken;
  psql(db, `UPDATE "_Session" SET "expiresAt" = now() - interval '1 hour' WHERE "sessionToken" = '${t2}' RETURNING to_json(1)`);
  const r = await call(real, 'GET', '/users/me', { token: t2 }); // not in real Parse's cache: it reads the row
  const c = await call(B, 'GET', '/users/me', { token: t2 });
  check(c.status === r.status && c.text === r.text, 'an expired session (never cached by real Parse): compat B answers as real Parse', { compat: show(c), real: show(r) });
  psql(db, `DELETE FROM "_Session" WHERE "sessionToken" IN ('${token}', '${t2}') RETURNING to_json(1)`);
  for (const [name, base] of Object.entries(compat)) {
    const d = await call(base, 'GET', '/users/me', { token });
    check(d.status === refusal.status && d.text === refusal.text, `the row DELETEd by SQL: ${name} refuses at once`, show(d));
  }
});

// ---------------------------------------------------------------- 4. real Parse still works
await run('real Parse keeps working on the shared database', async () => {
  const name = `after-${tag}`;
  const s = await call(real, 'POST', '/users', { body: signUpBody(name, 'Late', 9) });
  check(s.status === 201, 'sign-up on real Parse at the end: 201', show(s));
  const l = await call(real, 'POST', '/login', { body: { username: name, password: 'pass-one' } });
  check(l.status === 200 && l.body.nickname === 'Late' && l.body.age === 9, 'login on real Parse at the end', show(l));
  await worksEverywhere(l.body.sessionToken, s.body.objectId, 'a late real Parse login');
  const out = await call(real, 'POST', '/logout', { token: l.body.sessionToken });
  check(out.status === 200 && out.text === '{}', 'logout on real Parse at the end: 200 {}', show(out));
  await refusedEverywhere(l.body.sessionToken, 'after the late real Parse logout');
  const pl = await call(real, 'POST', '/login', { body: { username: P.name, password: 'pass-one' } });
  check(pl.status === 200, 'real Parse still logs in the user compat made', show(pl));
});

await run('_SCHEMA: the rows are exactly the ones real Parse 9.10.0 writes alone', async () => {
  const expected = readFileSync(new URL('../../fixtures/pg-tables/9.10.0/schema-rows.txt', import.meta.url), 'utf8')
    .split('\n').filter((l) => l.startsWith('_User|') || l.startsWith('_Session|'));
  const actual = psql(db, `SELECT to_json("className" || '|' || schema::text || '|' || CASE WHEN "isParseClass" THEN 't' ELSE 'f' END) FROM "_SCHEMA" WHERE "className" IN ('_User', '_Session') ORDER BY "className"`);
  checkEqual(actual, expected, '_SCHEMA rows of _Session and _User (fixtures/pg-tables/9.10.0/schema-rows.txt)');
});

await run('custom fields parse-compat adds first are read by real Parse', async () => {
  // Real Parse has cached _User's schema without these fields; the columns and _SCHEMA keys
  // come from parse-compat.
  const name = `new-fields-${tag}`;
  const s = await call(B, 'POST', '/users', { body: { username: name, password: 'pass-one', motto: 'carpe', level: 4.5 } });
  check(s.status === 201, 'sign-up on compat B with fields no one used before: 201', show(s));
  const id = s.body.objectId;
  const viaReal = await call(real, 'GET', `/users/${id}`, { master: true });
  check(viaReal.status === 200 && viaReal.body.motto === 'carpe' && viaReal.body.level === 4.5, 'real Parse reads the new fields (GET /users/<id>, master key)', show(viaReal));
  const me = await call(real, 'GET', '/users/me', { token: s.body.sessionToken });
  check(me.status === 200 && me.body.motto === 'carpe' && me.body.level === 4.5, 'real Parse reads the new fields (users/me)', show(me));
  const l = await call(real, 'POST', '/login', { body: { username: name, password: 'pass-one' } });
  check(l.status === 200 && l.body.motto === 'carpe' && l.body.level === 4.5, 'real Parse logs the user in with the new fields', show(l));
  const mine = await call(C, 'GET', `/users/${id}`, { master: true });
  checkEqual(mine.text, viaReal.text, 'compat C answers GET /users/<id> byte-identically to real Parse');
  const r2 = await call(real, 'POST', '/users', { body: { username: `${name}-r`, password: 'pass-one', motto: 'x', level: 1 } });
  check(r2.status === 201, 'real Parse signs up a user with those fields afterwards', show(r2));
  const cols = psql(db, `SELECT json_agg(json_build_array(column_name, data_type) ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = '_User' AND column_name IN ('motto', 'level')`)[0];
  checkEqual(cols, [['motto', 'text'], ['level', 'double precision']], 'the new columns are typed as Parse types them (text, double precision)');
});

finish();
