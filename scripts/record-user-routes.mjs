#!/usr/bin/env node
// Records how a Parse-compatible server answers the user and session routes beyond sign-up /
// login / logout / users/me: fetching, querying, updating and deleting users (under /users and
// /classes/_User), the /sessions and /classes/_Session routes, upgradeToRevocableSession,
// verifyPassword, requestPasswordReset, verificationEmailRequest, loginAs, challenge and batch.
//
//   # real parse-server, one fresh server (and database) per version, started and stopped here:
//   node scripts/record-user-routes.mjs --versions "3.7.2 3.9.0 4.4.0 5.6.0 6.5.11 7.5.4 8.6.94 9.10.0" \
//        [--port 9310] [--outdir fixtures/user-routes] [--only REGEX] [--log-dir /tmp]
//   # an already running server (e.g. parse-compat), on an EMPTY database:
//   node scripts/record-user-routes.mjs --url http://127.0.0.1:PORT --version rust --out /tmp/rust.jsonl
//
// --start CMD overrides the server command; "{version}" and "{port}" are substituted.  The default
// is /work/shared/parse-oracle/tools/real-parse-as-bin.sh serve --parse-version {version} --port {port}.
//
// Only node: built-ins.  Every request goes over its own TCP connection (node:http, agent: false),
// bounded by 10 s.  The case list and its order are fixed: 1, 5, 0 (set-up), 2, 3, 4, 6, 7.  The
// cases that list every user or every session (1 and 5) run first, before anything is updated or
// deleted, so that the (unordered) PostgreSQL results come back in insertion order; case 0 then
// creates the custom _User columns one by one so that their order (= the key order of custom
// fields in answers) does not depend on a race inside Parse.
//
// Output: one JSON object per exchange, as in /work/shared/parse-oracle/transcripts:
//   {"step", "request": {method, path, headers, body}, "response": {status, headers, body}}
// request.headers are the headers the script set (node adds Host, Connection: close and
// Content-Length); request.body is the JSON sent (null for none).  response.headers keeps
// content-type, location, set-cookie and x-parse-* only.  response.body is the parsed JSON, or
// the text when it is not JSON.  A transport failure gives response {status: null, error}.
// Generated values are replaced, in requests and responses alike, by placeholders numbered by
// first appearance in the file (request before response, JSON in key order):
//   <oid#N>   objectIds (values of objectId / userId, ACL keys, and any known id inside a string)
//   <token#N> session tokens r:<32 hex>
//   <uuid#N>  UUIDs
//   <date>    ISO dates (except the fixed dates the script sends, kept as they are)
//   127.0.0.1:<port>  the server's own address (Location headers)
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------- arguments
const args = {};
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a.startsWith('--')) args[a.slice(2)] = process.argv[++i];
}
if (!args.versions && !(args.url && args.version)) {
  console.error('usage: node record-user-routes.mjs --versions "V1 V2 ..." [--port P] [--outdir DIR] [--only REGEX] [--start CMD]\n' +
    '       node record-user-routes.mjs --url URL --version V [--out FILE] [--only REGEX]');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const OUTDIR = args.outdir || path.join(here, '..', 'fixtures', 'user-routes');
const ONLY = args.only ? new RegExp(args.only) : null;
const REQ_TIMEOUT = 10000;
const START = args.start || '/work/shared/parse-oracle/tools/real-parse-as-bin.sh serve --parse-version {version} --port {port}';

const APP = { 'X-Parse-Application-Id': 'compatApp' };
const REST = { ...APP, 'X-Parse-REST-API-Key': 'compatRest' };
const MASTER = { ...APP, 'X-Parse-Master-Key': 'compatMaster' };
const JSONCT = { 'Content-Type': 'application/json' };
const UNKNOWN_ID = 'zzzzzzzzzz';

// ---------------------------------------------------------------- HTTP
function request(base, { method, path: p, headers, body }) {
  return new Promise((resolve) => {
    const payload = body === undefined || body === null ? undefined : JSON.stringify(body);
    const h = { ...headers };
    if (payload !== undefined) h['Content-Length'] = Buffer.byteLength(payload);
    const req = http.request({ host: base.hostname, port: base.port, method, path: p, headers: h, agent: false, timeout: REQ_TIMEOUT },
      (res) => {
        const chunks = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => resolve({ ok: true, res, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', e => resolve({ ok: false, error: String(e) }));
      });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${REQ_TIMEOUT}ms`)));
    req.on('error', e => resolve({ ok: false, error: String(e) }));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
function parseBody(r) {
  const ct = r.res.headers['content-type'] || '';
  if (/json/i.test(ct) || /^\s*[[{]/.test(r.text)) {
    try { return JSON.parse(r.text); } catch { /* not JSON */ }
  }
  return r.text;
}
const KEEP_HEADER = /^(content-type|location|set-cookie|x-parse-.*)$/i;

// ---------------------------------------------------------------- placeholders
const TOKEN_RE = /r:[0-9a-f]{32}/g;
const OID_RE = /^[A-Za-z0-9]{10}$/;
const DATE_RE = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z/g;
const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
// the dates this script sends itself stay as they are (in requests and when echoed back)
const LITERAL_DATES = new Set(['2000-01-02T03:04:05.678Z', '2020-01-01T00:00:00.000Z']);

class Placeholders {
  constructor(port) { this.port = port; this.tokens = new Map(); this.oids = new Map(); this.uuids = new Map(); }
  number(map, v, fmt) { if (!map.has(v)) map.set(v, fmt(map.size + 1)); return map.get(v); }
  discover(v, key) {
    if (Array.isArray(v)) { v.forEach(x => this.discover(x, key)); return; }
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'ACL' && x && typeof x === 'object' && !Array.isArray(x)) {
          for (const aclKey of Object.keys(x)) if (OID_RE.test(aclKey)) this.number(this.oids, aclKey, n => `<oid#${n}>`);
        }
        this.discover(x, k);
      }
      return;
    }
    if (typeof v !== 'string') return;
    for (const t of v.match(TOKEN_RE) || []) this.number(this.tokens, t, n => `<token#${n}>`);
    if ((key === 'objectId' || key === 'userId') && OID_RE.test(v) && v !== UNKNOWN_ID) this.number(this.oids, v, n => `<oid#${n}>`);
  }
  str(s) {
    s = s.replace(TOKEN_RE, t => this.tokens.get(t) || t);
    s = s.replace(UUID_RE, u => this.number(this.uuids, u.toLowerCase(), n => `<uuid#${n}>`));
    s = s.replace(DATE_RE, d => (LITERAL_DATES.has(d) ? d : '<date>'));
    s = s.split(`127.0.0.1:${this.port}`).join('127.0.0.1:<port>').split(`localhost:${this.port}`).join('localhost:<port>');
    // known ids anywhere, also inside URL-encoded JSON in a query string (…%22<id>%22…)
    for (const [id, p] of this.oids) if (s.includes(id)) s = s.split(id).join(p);
    return s;
  }
  rewrite(v) {
    if (Array.isArray(v)) return v.map(x => this.rewrite(x));
    if (v && typeof v === 'object') {
      const o = {};
      for (const [k, x] of Object.entries(v)) o[this.str(k)] = this.rewrite(x);
      return o;
    }
    return typeof v === 'string' ? this.str(v) : v;
  }
}

// ---------------------------------------------------------------- one version
async function recordVersion({ version, base, out, startCmd, logFile }) {
  const ph = new Placeholders(base.port);
  const lines = [];
  let child = null;

  async function health() {
    const r = await request(base, { method: 'GET', path: '/parse/health', headers: REST });
    return r.ok && r.res.statusCode === 200;
  }
  async function startServer() {
    const log = fs.openSync(logFile, 'w');
    child = spawn('bash', ['-c', startCmd], { detached: true, stdio: ['ignore', log, log] });
    for (let i = 0; i < 240; i++) {
      await new Promise(r => setTimeout(r, 500));
      if (await health()) return;
      if (child.exitCode !== null) break;
    }
    throw new Error(`server ${version} did not come up, see ${logFile}`);
  }
  async function stopServer() {
    if (!child) return;
    const pid = child.pid;
    const exited = new Promise(r => { if (child.exitCode !== null) r(); else child.once('exit', r); });
    try { process.kill(-pid, 'SIGTERM'); } catch { /* gone */ }
    // the wrapper drops its database on SIGTERM; give it time before forcing
    await Promise.race([exited, new Promise(r => setTimeout(r, 15000))]);
    try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
    child = null;
  }

  // -------------------------------------------------------------- exchange
  async function ex(step, method, p, { headers = REST, token, body } = {}) {
    const h = { ...headers };
    if (body !== undefined && body !== null) Object.assign(h, JSONCT);
    if (token) h['X-Parse-Session-Token'] = token;
    const r = await request(base, { method, path: p, headers: h, body });
    const rec = { step, request: { method, path: p, headers: h, body: body === undefined ? null : body } };
    let parsed = null;
    if (!r.ok) rec.response = { status: null, headers: {}, body: null, error: r.error };
    else {
      const rh = {};
      for (const [k, v] of Object.entries(r.res.headers)) if (KEEP_HEADER.test(k)) rh[k] = v;
      parsed = parseBody(r);
      rec.response = { status: r.res.statusCode, headers: rh, body: parsed };
    }
    ph.discover(rec.request); ph.discover(rec.response);
    const line = ph.rewrite(rec);
    lines.push(line);
    const b = line.response.body;
    const brief = (typeof b === 'string' ? JSON.stringify(b.slice(0, 100)) : JSON.stringify(b) ?? '').slice(0, 150);
    console.log(`[${version}] ${step.padEnd(46)} ${String(line.response.status).padEnd(4)} ${brief}`);
    return { status: r.ok ? r.res.statusCode : null, body: parsed };
  }
  const tokenOf = r => (r && r.body && typeof r.body.sessionToken === 'string') ? r.body.sessionToken : null;
  const idOf = r => (r && r.body && typeof r.body.objectId === 'string') ? r.body.objectId : UNKNOWN_ID;
  const signUp = async (step, username, extra = {}, password = 'p') => {
    const r = await ex(step, 'POST', '/parse/users', { body: { username, password, ...extra } });
    return { id: idOf(r), token: tokenOf(r), username, password, email: extra.email };
  };
  const me = (step, token) => ex(step, 'GET', '/parse/users/me', { token });
  const q = params => (params.length ? '?' + params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&') : '');

  // -------------------------------------------------------------- cases
  const cases = [];
  const def = (name, fn) => cases.push({ name, fn });
  const USER_PATHS = [['users', '/parse/users'], ['classes_User', '/parse/classes/_User']];

  // 1. fetching and querying users
  def('1', async () => {
    const a = await signUp('1.signUp.A', 'c1_alice', { email: 'c1_alice@example.com' });
    const b = await signUp('1.signUp.B', 'c1_bob');
    for (const [label, base] of USER_PATHS) {
      await ex(`1.${label}.get.own`, 'GET', `${base}/${a.id}`, { token: a.token });
      await ex(`1.${label}.get.otherToken`, 'GET', `${base}/${a.id}`, { token: b.token });
      await ex(`1.${label}.get.noToken`, 'GET', `${base}/${a.id}`);
      await ex(`1.${label}.get.master`, 'GET', `${base}/${a.id}`, { headers: MASTER });
      await ex(`1.${label}.get.unknownId`, 'GET', `${base}/${UNKNOWN_ID}`, { token: a.token });
      await ex(`1.${label}.get.unknownId.master`, 'GET', `${base}/${UNKNOWN_ID}`, { headers: MASTER });
    }
    const PARAMS = [
      ['all', []],
      ['whereUsername', [['where', JSON.stringify({ username: 'c1_alice' })]]],
      ['whereEmail', [['where', JSON.stringify({ email: 'c1_alice@example.com' })]]],
      ['keysUsername', [['keys', 'username']]],
      ['orderCreatedAtDesc', [['order', '-createdAt']]],
      ['limit1', [['limit', '1']]],
      ['skip1', [['skip', '1']]],
      ['count1', [['count', '1']]],
      ['count1limit0', [['count', '1'], ['limit', '0']]],
    ];
    for (const [label, base] of USER_PATHS) {
      for (const [authLabel, opts] of [['noToken', {}], ['ownToken', { token: a.token }], ['master', { headers: MASTER }]]) {
        for (const [pl, params] of PARAMS) await ex(`1.${label}.find.${authLabel}.${pl}`, 'GET', base + q(params), opts);
      }
    }
  });

  // 5. sessions (runs second: it lists every session, so nothing may be deleted before it)
  def('5', async () => {
    const a = await signUp('5.signUp.A', 'c5_alice');
    const b = await signUp('5.signUp.B', 'c5_bob');
    const sa = idOf(await ex('5.sessions.me.A', 'GET', '/parse/sessions/me', { token: a.token }));
    const sb = idOf(await ex('5.sessions.me.B', 'GET', '/parse/sessions/me', { token: b.token }));
    for (const [label, base] of [['sessions', '/parse/sessions'], ['classes_Session', '/parse/classes/_Session']]) {
      await ex(`5.${label}.find.ownToken`, 'GET', base, { token: a.token });
      await ex(`5.${label}.find.noToken`, 'GET', base);
      await ex(`5.${label}.find.master`, 'GET', base, { headers: MASTER });
      await ex(`5.${label}.get.own`, 'GET', `${base}/${sa}`, { token: a.token });
      await ex(`5.${label}.get.otherToken`, 'GET', `${base}/${sa}`, { token: b.token });
      await ex(`5.${label}.get.noToken`, 'GET', `${base}/${sa}`);
      await ex(`5.${label}.get.master`, 'GET', `${base}/${sa}`, { headers: MASTER });
      await ex(`5.${label}.get.unknownId`, 'GET', `${base}/${UNKNOWN_ID}`, { token: a.token });
    }
    await ex('5.sessions.put.own', 'PUT', `/parse/sessions/${sa}`, { token: a.token, body: { foo: 1 } });
    await ex('5.sessions.get.own.afterPut', 'GET', `/parse/sessions/${sa}`, { token: a.token });
    await ex('5.sessions.put.otherToken', 'PUT', `/parse/sessions/${sa}`, { token: b.token, body: { foo: 2 } });
    await ex('5.sessions.get.master.afterOtherPut', 'GET', `/parse/sessions/${sa}`, { headers: MASTER });
    await ex('5.sessions.put.noToken', 'PUT', `/parse/sessions/${sa}`, { body: { foo: 3 } });
    await ex('5.sessions.put.master', 'PUT', `/parse/sessions/${sa}`, { headers: MASTER, body: { foo: 4 } });
    await ex('5.classes_Session.put.own', 'PUT', `/parse/classes/_Session/${sa}`, { token: a.token, body: { foo: 5 } });
    await ex('5.sessions.get.master.afterPuts', 'GET', `/parse/sessions/${sa}`, { headers: MASTER });
    await ex('5.sessions.post.ownToken', 'POST', '/parse/sessions', { token: a.token, body: {} });
    await ex('5.sessions.post.noToken', 'POST', '/parse/sessions', { body: {} });
    await ex('5.sessions.delete.otherToken', 'DELETE', `/parse/sessions/${sa}`, { token: b.token });
    await ex('5.classes_Session.delete.otherToken', 'DELETE', `/parse/classes/_Session/${sa}`, { token: b.token });
    await ex('5.classes_Session.delete.noToken', 'DELETE', `/parse/classes/_Session/${sa}`);
    await ex('5.classes_Session.delete.own', 'DELETE', `/parse/classes/_Session/${sa}`, { token: a.token });
    await me('5.me.afterSessionDelete.A', a.token);
    await ex('5.sessions.get.master.afterDelete', 'GET', `/parse/sessions/${sa}`, { headers: MASTER });
    const up = await ex('5.upgradeToRevocableSession.withToken', 'POST', '/parse/upgradeToRevocableSession', { token: b.token, body: {} });
    await ex('5.upgradeToRevocableSession.noToken', 'POST', '/parse/upgradeToRevocableSession', { body: {} });
    await me('5.me.oldTokenAfterUpgrade.B', b.token);
    if (tokenOf(up)) await me('5.me.upgradedToken.B', tokenOf(up));
    await ex('5.sessions.delete.own', 'DELETE', `/parse/sessions/${sb}`, { token: b.token });
    await me('5.me.afterSessionsDelete.B', b.token);
  });

  // 0. set-up: create the custom _User columns one at a time, in a fixed order.  Parse answers
  // custom fields in PostgreSQL column order, and when one request brings several new fields
  // it adds their columns concurrently, so without this the key order in cases 2 and 3 would
  // change from run to run.  Runs after 1 and 5 so that their user / session lists stay small.
  def('0', async () => {
    const s = await signUp('0.setup.signUp', 'c0_schema');
    const FIELDS = [['nickname', 'n'], ['age', 1], ['active', false], ['born', { __type: 'Date', iso: '2000-01-02T03:04:05.678Z' }],
      ['meta', { a: [] }], ['tags', ['x']], ['loc', { __type: 'GeoPoint', latitude: 1.5, longitude: 2.5 }]];
    for (const [k, v] of FIELDS) await ex(`0.setup.addField.${k}`, 'PUT', `/parse/classes/_User/${s.id}`, { headers: MASTER, body: { [k]: v } });
  });

  // 2. updating users
  def('2', async () => {
    const a = await signUp('2.signUp.A', 'c2_alice', { email: 'c2_alice@example.com' });
    const b = await signUp('2.signUp.B', 'c2_bob');
    const P = `/parse/classes/_User/${a.id}`;
    await ex('2.put.own', 'PUT', P, { token: a.token, body: { nickname: 'x', age: 3 } });
    await ex('2.put.otherToken', 'PUT', P, { token: b.token, body: { nickname: 'x', age: 3 } });
    await ex('2.put.noToken', 'PUT', P, { body: { nickname: 'x', age: 3 } });
    await ex('2.put.master', 'PUT', P, { headers: MASTER, body: { nickname: 'x', age: 3 } });
    await me('2.me.afterPut', a.token);
    await ex('2.users.put.own', 'PUT', `/parse/users/${a.id}`, { token: a.token, body: { nickname: 'y' } });
    await ex('2.users.put.otherToken', 'PUT', `/parse/users/${a.id}`, { token: b.token, body: { nickname: 'y' } });
    await ex('2.put.unknownId', 'PUT', `/parse/classes/_User/${UNKNOWN_ID}`, { token: a.token, body: { nickname: 'y' } });
    await ex('2.put.emailVerified.own', 'PUT', P, { token: a.token, body: { emailVerified: true } });
    await ex('2.put.emailVerified.master', 'PUT', P, { headers: MASTER, body: { emailVerified: true } });
    await ex('2.put.increment', 'PUT', P, { token: a.token, body: { age: { __op: 'Increment', amount: 2 } } });
    await ex('2.put.addUnique', 'PUT', P, { token: a.token, body: { tags: { __op: 'AddUnique', objects: ['a', 'b'] } } });
    await ex('2.put.addUnique.again', 'PUT', P, { token: a.token, body: { tags: { __op: 'AddUnique', objects: ['b', 'c'] } } });
    await ex('2.put.deleteOp', 'PUT', P, { token: a.token, body: { nickname: { __op: 'Delete' } } });
    await me('2.me.afterOps', a.token);
    await ex('2.put.typeMismatch', 'PUT', P, { token: a.token, body: { age: 'not a number' } });
    await ex('2.put.invalidField.underscore', 'PUT', P, { token: a.token, body: { _bad: 1 } });
    await ex('2.put.invalidField.dollar', 'PUT', P, { token: a.token, body: { $x: 1 } });
    await ex('2.put.reserved.createdAt', 'PUT', P, { token: a.token, body: { createdAt: '2020-01-01T00:00:00.000Z' } });
    await ex('2.put.reserved.createdAtDate', 'PUT', P, { token: a.token, body: { createdAt: { __type: 'Date', iso: '2020-01-01T00:00:00.000Z' } } });
    await ex('2.put.reserved.updatedAt', 'PUT', P, { token: a.token, body: { updatedAt: '2020-01-01T00:00:00.000Z' } });
    await ex('2.put.username', 'PUT', P, { token: a.token, body: { username: 'c2_alice_renamed' } });
    await ex('2.put.username.taken', 'PUT', P, { token: a.token, body: { username: 'c2_bob' } });
    // a password change may answer with a new session token (and end the old one): go on with it
    const pw = await ex('2.put.password', 'PUT', P, { token: a.token, body: { password: 'p2' } });
    await me('2.me.afterPasswordChange.oldToken', a.token);
    const t2 = tokenOf(pw) || a.token;
    if (tokenOf(pw)) await me('2.me.afterPasswordChange.newToken', t2);
    await ex('2.login.newPassword', 'POST', '/parse/login', { body: { username: 'c2_alice_renamed', password: 'p2' } });
    await ex('2.put.ACL', 'PUT', P, { token: t2, body: { ACL: { '*': { read: true } } } });
    await me('2.me.afterACL', t2);
    await ex('2.put.own.afterACL', 'PUT', P, { token: t2, body: { nickname: 'z' } });
    await ex('2.get.otherToken.afterACL', 'GET', P, { token: b.token });
    await ex('2.get.master.final', 'GET', P, { headers: MASTER });
    // {"objectId": ...} in an update: on its own user, as it may move the row to a new objectId
    const c = await signUp('2.signUp.C', 'c2_carol');
    await ex('2.put.reserved.objectId', 'PUT', `/parse/classes/_User/${c.id}`, { token: c.token, body: { objectId: 'x' } });
    await ex('2.get.master.oldId.afterObjectIdPut', 'GET', `/parse/classes/_User/${c.id}`, { headers: MASTER });
    await ex('2.get.master.newId.afterObjectIdPut', 'GET', '/parse/classes/_User/x', { headers: MASTER });
    await me('2.me.afterObjectIdPut', c.token);
  });

  // 3. sign-up with a field of every Parse type
  def('3', async () => {
    const fields = {
      nickname: 'n', age: 30, active: true, born: { __type: 'Date', iso: '2000-01-02T03:04:05.678Z' },
      meta: { a: [1, 2] }, tags: ['x'], loc: { __type: 'GeoPoint', latitude: 1.5, longitude: 2.5 }, nothing: null,
    };
    const a = await signUp('3.signUp.typed', 'c3_alice', fields);
    const l = await ex('3.login', 'POST', '/parse/login', { body: { username: 'c3_alice', password: 'p' } });
    await me('3.me.signUpToken', a.token);
    if (tokenOf(l)) await me('3.me.loginToken', tokenOf(l));
    await ex('3.classes_User.get.own', 'GET', `/parse/classes/_User/${a.id}`, { token: a.token });
    await ex('3.users.get.own', 'GET', `/parse/users/${a.id}`, { token: a.token });
    await ex('3.classes_User.get.master', 'GET', `/parse/classes/_User/${a.id}`, { headers: MASTER });
  });

  // 4. deleting users
  def('4', async () => {
    const a = await signUp('4.signUp.A', 'c4_alice');
    const b = await signUp('4.signUp.B', 'c4_bob');
    const c = await signUp('4.signUp.C', 'c4_carol');
    const d = await signUp('4.signUp.D', 'c4_dave');
    const e = await signUp('4.signUp.E', 'c4_erin');
    await ex('4.users.delete.otherToken', 'DELETE', `/parse/users/${a.id}`, { token: b.token });
    await ex('4.classes_User.delete.otherToken', 'DELETE', `/parse/classes/_User/${a.id}`, { token: b.token });
    await ex('4.users.delete.noToken', 'DELETE', `/parse/users/${a.id}`);
    await ex('4.classes_User.delete.noToken', 'DELETE', `/parse/classes/_User/${a.id}`);
    await ex('4.users.delete.own', 'DELETE', `/parse/users/${a.id}`, { token: a.token });
    await me('4.me.afterDelete.A', a.token);
    const sessionsOf = u => `/parse/sessions${q([['where', JSON.stringify({ user: { __type: 'Pointer', className: '_User', objectId: u.id } })]])}`;
    await ex('4.sessions.find.master.ofA', 'GET', sessionsOf(a), { headers: MASTER });
    await ex('4.users.delete.again.master', 'DELETE', `/parse/users/${a.id}`, { headers: MASTER });
    await ex('4.login.afterDelete.A', 'POST', '/parse/login', { body: { username: a.username, password: 'p' } });
    await ex('4.classes_User.delete.own', 'DELETE', `/parse/classes/_User/${c.id}`, { token: c.token });
    await me('4.me.afterDelete.C', c.token);
    await ex('4.users.delete.master', 'DELETE', `/parse/users/${d.id}`, { headers: MASTER });
    await me('4.me.afterMasterDelete.D', d.token);
    await ex('4.sessions.find.master.ofD', 'GET', sessionsOf(d), { headers: MASTER });
    await ex('4.sessions.find.master.ofB', 'GET', sessionsOf(b), { headers: MASTER });
    await ex('4.classes_User.delete.master', 'DELETE', `/parse/classes/_User/${e.id}`, { headers: MASTER });
    await me('4.me.afterMasterDelete.E', e.token);
    await ex('4.users.delete.unknownId.master', 'DELETE', `/parse/users/${UNKNOWN_ID}`, { headers: MASTER });
    await ex('4.users.delete.unknownId.ownToken', 'DELETE', `/parse/users/${UNKNOWN_ID}`, { token: b.token });
  });

  // 6. verifyPassword, password reset, verification e-mail, loginAs, challenge
  def('6', async () => {
    const a = await signUp('6.signUp.A', 'c6_alice', { email: 'c6_alice@example.com' }, 'p6');
    const vp = params => `/parse/verifyPassword${q(params)}`;
    await ex('6.verifyPassword.get.right', 'GET', vp([['username', 'c6_alice'], ['password', 'p6']]));
    await ex('6.verifyPassword.get.wrongPassword', 'GET', vp([['username', 'c6_alice'], ['password', 'nope']]));
    await ex('6.verifyPassword.get.unknownUser', 'GET', vp([['username', 'c6_nobody'], ['password', 'p6']]));
    await ex('6.verifyPassword.get.missingPassword', 'GET', vp([['username', 'c6_alice']]));
    await ex('6.verifyPassword.get.missingUsername', 'GET', vp([['password', 'p6']]));
    await ex('6.verifyPassword.get.email', 'GET', vp([['email', 'c6_alice@example.com'], ['password', 'p6']]));
    await ex('6.verifyPassword.get.right.master', 'GET', vp([['username', 'c6_alice'], ['password', 'p6']]), { headers: MASTER });
    await ex('6.verifyPassword.post.username', 'POST', '/parse/verifyPassword', { body: { username: 'c6_alice', password: 'p6' } });
    await ex('6.verifyPassword.post.email', 'POST', '/parse/verifyPassword', { body: { email: 'c6_alice@example.com', password: 'p6' } });
    await ex('6.verifyPassword.post.wrongPassword', 'POST', '/parse/verifyPassword', { body: { username: 'c6_alice', password: 'nope' } });
    await ex('6.requestPasswordReset.knownEmail', 'POST', '/parse/requestPasswordReset', { body: { email: 'c6_alice@example.com' } });
    await ex('6.requestPasswordReset.unknownEmail', 'POST', '/parse/requestPasswordReset', { body: { email: 'c6_nobody@example.com' } });
    await ex('6.requestPasswordReset.missingEmail', 'POST', '/parse/requestPasswordReset', { body: {} });
    await ex('6.requestPasswordReset.emailNotString', 'POST', '/parse/requestPasswordReset', { body: { email: 1 } });
    await ex('6.verificationEmailRequest.knownEmail', 'POST', '/parse/verificationEmailRequest', { body: { email: 'c6_alice@example.com' } });
    await ex('6.verificationEmailRequest.unknownEmail', 'POST', '/parse/verificationEmailRequest', { body: { email: 'c6_nobody@example.com' } });
    await ex('6.verificationEmailRequest.missingEmail', 'POST', '/parse/verificationEmailRequest', { body: {} });
    const la = await ex('6.loginAs.master', 'POST', '/parse/loginAs', { headers: MASTER, body: { userId: a.id } });
    if (tokenOf(la)) await me('6.me.loginAsToken', tokenOf(la));
    await ex('6.loginAs.restKey', 'POST', '/parse/loginAs', { body: { userId: a.id } });
    await ex('6.loginAs.restKey.ownToken', 'POST', '/parse/loginAs', { token: a.token, body: { userId: a.id } });
    await ex('6.loginAs.master.unknownUser', 'POST', '/parse/loginAs', { headers: MASTER, body: { userId: UNKNOWN_ID } });
    await ex('6.loginAs.master.missingUserId', 'POST', '/parse/loginAs', { headers: MASTER, body: {} });
    await ex('6.challenge.get', 'GET', '/parse/challenge');
    await ex('6.challenge.post.empty', 'POST', '/parse/challenge', { body: {} });
    await ex('6.challenge.post.credentials', 'POST', '/parse/challenge', { body: { username: 'c6_alice', password: 'p6', challengeData: { x: {} } } });
    await ex('6.challenge.post.ownToken', 'POST', '/parse/challenge', { token: a.token, body: { challengeData: { x: {} } } });
  });

  // 7. batch
  def('7', async () => {
    const a = await signUp('7.signUp.A', 'c7_alice');
    await ex('7.batch.loginThenMe', 'POST', '/parse/batch', { token: a.token, body: { requests: [
      { method: 'POST', path: '/parse/login', body: { username: 'c7_alice', password: 'p' } },
      { method: 'GET', path: '/parse/users/me' },
    ] } });
    await ex('7.batch.putUser.ownToken', 'POST', '/parse/batch', { token: a.token, body: { requests: [
      { method: 'PUT', path: `/parse/classes/_User/${a.id}`, body: { nickname: 'b1' } },
    ] } });
    await ex('7.batch.putUser.noToken', 'POST', '/parse/batch', { body: { requests: [
      { method: 'PUT', path: `/parse/classes/_User/${a.id}`, body: { nickname: 'b2' } },
    ] } });
    await ex('7.batch.putUser.noMountPrefix', 'POST', '/parse/batch', { token: a.token, body: { requests: [
      { method: 'PUT', path: `/classes/_User/${a.id}`, body: { nickname: 'b3' } },
      { method: 'GET', path: `/users/${a.id}` },
    ] } });
    await me('7.me.afterBatch', a.token);
  });

  // -------------------------------------------------------------- run
  try {
    if (startCmd) await startServer();
    else if (!(await health())) throw new Error(`no server at ${base.href}`);
    for (const c of cases) {
      if (ONLY && !ONLY.test(c.name)) continue;
      try { await c.fn(); } catch (e) {
        lines.push({ step: c.name, harnessError: String(e && e.stack || e).split('\n')[0] });
        console.log(`[${version}] case ${c.name}: harness error ${e}`);
      }
    }
  } finally {
    await stopServer();
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, lines.map(l => JSON.stringify(l)).join('\n') + '\n');
  console.log(`[${version}] wrote ${lines.length} exchanges to ${out}`);
}

// ---------------------------------------------------------------- main
async function main() {
  if (args.versions) {
    const port = Number(args.port || 9310);
    for (const version of args.versions.split(/[\s,]+/).filter(Boolean)) {
      const startCmd = START.split('{version}').join(version).split('{port}').join(String(port));
      await recordVersion({ version, base: new URL(`http://127.0.0.1:${port}`), out: path.join(OUTDIR, `${version}.jsonl`),
        startCmd, logFile: path.join(args['log-dir'] || '/tmp', `user-routes-${version}.log`) });
    }
  } else {
    await recordVersion({ version: args.version, base: new URL(args.url), out: args.out || path.join(OUTDIR, `${args.version}.jsonl`),
      startCmd: null, logFile: null });
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
