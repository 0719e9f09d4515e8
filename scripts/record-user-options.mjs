#!/usr/bin/env node
// Records how the REAL, unmodified parse-server answers the user and session routes when it runs
// with Parse's account options: accountLockout, passwordPolicy (validatorPattern /
// validationError / doNotAllowUsername / maxPasswordHistory / maxPasswordAge),
// revokeSessionOnPasswordReset and enforcePrivateUsers.  Also checks which invalid option sets
// make Parse refuse to start (case G, printed, not written to the fixtures).
//
//   node scripts/record-user-options.mjs --versions "3.7.2 4.4.0 6.5.11 9.10.0" \
//        [--port 9471] [--outdir fixtures/user-options] [--only REGEX] [--log-dir /tmp]
//
// For every version and every case (A..F, in that fixed order) it makes a fresh PostgreSQL
// database (scripts/postgres.sh fresh uo_<version>_<case>), starts
//   NODE_ENV=production node scripts/record-user-options-server.cjs <install> <port> <db> <options>
// with the case's option set (install = ~/.cache/parse-oracle/<version>, or --installs DIR),
// runs the case, stops the server and drops the database.  All cases of a version go into one
// file, <outdir>/<version>.jsonl.  A case whose option does not exist in a version is skipped
// there (case F, enforcePrivateUsers, before 5.x; the list is CASE_MIN_MAJOR below).
// --only REGEX keeps the cases whose letter matches (e.g. --only '^[AB]$'); "G" runs case G.
//
// Record format: as scripts/record-user-routes.mjs, plus the option set of the server:
//   {"step", "options", "request": {method, path, headers, body}, "response": {status, headers, body}}
// "options" is the exact JSON given to Parse on top of the fixed app keys / URLs (see the server
// script).  request.headers are the headers the script set (node adds Host, Connection: close
// and Content-Length); request.body is the JSON sent (null for none).  response.headers keeps
// content-type, location, set-cookie and x-parse-* only.  response.body is the parsed JSON, or
// the text when it is not JSON.  A transport failure gives response {status: null, error}.
// Generated values are replaced, in requests and responses alike, by placeholders numbered by
// first appearance in the file (request before response, JSON in key order), shared by all the
// cases of the file:
//   <oid#N>   objectIds (values of objectId / userId, ACL keys, and any known id inside a string)
//   <token#N> session tokens r:<32 hex>
//   <uuid#N>  UUIDs
//   <date>    ISO dates
//   127.0.0.1:<port>  the server's own address (Location headers)
// Only node: built-ins.  Every request goes over its own TCP connection (agent: false), bounded
// by 10 s.  Steps are named <case>.<what>.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------- arguments
const args = {};
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a.startsWith('--')) args[a.slice(2)] = process.argv[++i];
}
if (!args.versions) {
  console.error('usage: node record-user-options.mjs --versions "V1 V2 ..." [--port P] [--outdir DIR] [--only REGEX] [--installs DIR] [--log-dir DIR]');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const OUTDIR = args.outdir || path.join(here, '..', 'fixtures', 'user-options');
const ONLY = args.only ? new RegExp(args.only) : null;
const PORT = Number(args.port || 9471);
const INSTALLS = args.installs || path.join(os.homedir(), '.cache', 'parse-oracle');
const LOG_DIR = args['log-dir'] || os.tmpdir();
const SERVER = path.join(here, 'record-user-options-server.cjs');
const POSTGRES = path.join(here, 'postgres.sh');
const REQ_TIMEOUT = 10000;

const APP = { 'X-Parse-Application-Id': 'compatApp' };
const REST = { ...APP, 'X-Parse-REST-API-Key': 'compatRest' };
const JSONCT = { 'Content-Type': 'application/json' };
const UNKNOWN_ID = 'zzzzzzzzzz';
const sleep = ms => new Promise(r => setTimeout(r, ms));
// A wait that is part of a case (a password ageing): written into the next record as
// `waitBefore` (milliseconds).
let waited = 0;
const pause = async ms => { await sleep(ms); waited += ms; };

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
    s = s.replace(DATE_RE, '<date>');
    s = s.split(`127.0.0.1:${this.port}`).join('127.0.0.1:<port>').split(`localhost:${this.port}`).join('localhost:<port>');
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

// ---------------------------------------------------------------- databases and servers
const dbName = (version, c) => `uo_${version.replace(/\./g, '_')}_${c.toLowerCase()}`;
function freshDb(db) { execFileSync('bash', [POSTGRES, 'fresh', db], { stdio: ['ignore', 'ignore', 'inherit'] }); }
function dropDb(db) {
  spawnSync('su', ['postgres', '-c', `psql -q -c 'DROP DATABASE IF EXISTS ${db} WITH (FORCE)'`], { stdio: 'ignore' });
}

async function health(base) {
  const r = await request(base, { method: 'GET', path: '/parse/health', headers: REST });
  return r.ok && r.res.statusCode === 200;
}
async function startServer({ version, db, options, base, logFile }) {
  const log = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, [SERVER, path.join(INSTALLS, version), String(base.port), db, JSON.stringify(options)],
    { detached: true, stdio: ['ignore', log, log], env: { ...process.env, NODE_ENV: 'production' } });
  fs.closeSync(log);
  let exited = false;
  child.once('exit', () => { exited = true; });
  for (let i = 0; i < 240; i++) {
    await sleep(500);
    if (await health(base)) return child;
    if (exited) break;
  }
  await stopServer(child);
  throw new Error(`server ${version} (${JSON.stringify(options)}) did not come up, see ${logFile}`);
}
async function stopServer(child) {
  if (!child) return;
  const exited = new Promise(r => { if (child.exitCode !== null || child.signalCode !== null) r(); else child.once('exit', r); });
  try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
  await Promise.race([exited, sleep(10000)]);
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
}

// ---------------------------------------------------------------- cases
// Each case: letter, option set, lowest major version that has the option (null: all), body.
const CASES = [];
const CASE_MIN_MAJOR = {};
function def(name, options, minMajor, fn) { CASES.push({ name, options, fn }); CASE_MIN_MAJOR[name] = minMajor; }

// A. accountLockout: 3 wrong logins lock the account for 1 minute
def('A', { accountLockout: { duration: 1, threshold: 3 } }, null, async ({ ex, signUp, login, me, vp }) => {
  const u = await signUp('A.signUp', 'a_user', 'p1');
  await login('A.login.wrong1', 'a_user', 'wrong');
  await login('A.login.wrong2', 'a_user', 'wrong');
  await login('A.login.wrong3', 'a_user', 'wrong');
  await login('A.login.right.afterThreeWrong', 'a_user', 'p1');
  await login('A.login.wrong4.whileLocked', 'a_user', 'wrong');
  await ex('A.verifyPassword.right.whileLocked', 'GET', vp('a_user', 'p1'));
  await ex('A.verifyPassword.wrong.whileLocked', 'GET', vp('a_user', 'wrong'));
  await me('A.me.signUpToken.whileLocked', u.token);
  for (let i = 1; i <= 4; i++) await login(`A.login.unknownUser${i}`, 'a_nobody', 'wrong');
  await signUp('A.signUp.second', 'a_user2', 'p1');
  await login('A.second.login.wrong1', 'a_user2', 'wrong');
  await login('A.second.login.wrong2', 'a_user2', 'wrong');
  await login('A.second.login.right', 'a_user2', 'p1');
  await login('A.second.login.wrong3.afterSuccess', 'a_user2', 'wrong');
  await login('A.second.login.wrong4.afterSuccess', 'a_user2', 'wrong');
  await login('A.second.login.right.again', 'a_user2', 'p1');
});

// B. passwordPolicy: pattern, no username in the password, history of 2
def('B', { passwordPolicy: { validatorPattern: '^(?=.*[0-9]).{6,}$', doNotAllowUsername: true, maxPasswordHistory: 2 } }, null,
  async ({ ex, signUp, login }) => {
    await signUp('B.signUp.failsPattern', 'pp_user', 'abcdefg');
    await signUp('B.signUp.containsUsername', 'pp_user', 'xpp_user9');
    const u = await signUp('B.signUp.good', 'pp_user', 'good123');
    // go on with the newest session token and remember which password is the current one
    let token = u.token;
    let current = 'good123';
    const put = async (step, password) => {
      const r = await ex(step, 'PUT', `/parse/users/${u.id}`, { token, body: { password } });
      if (r.body && typeof r.body.sessionToken === 'string') token = r.body.sessionToken;
      if (r.status === 200) current = password;
      return r;
    };
    await put('B.put.failsPattern', 'abcdefg');
    await put('B.put.containsUsername', 'pp_user99');
    await put('B.put.sameAsCurrent', 'good123');
    await put('B.put.good456', 'good456');
    await put('B.put.backToGood123', 'good123');
    await put('B.put.good789', 'good789');
    await put('B.put.good123.again', 'good123');
    await login('B.login.latest', 'pp_user', current);
    await login(current === 'good789' ? 'B.login.good123' : 'B.login.good789', 'pp_user', current === 'good789' ? 'good123' : 'good789');
  });

// C. passwordPolicy with a custom validationError
def('C', { passwordPolicy: { validatorPattern: '^.{8,}$', validationError: 'at least 8' } }, null,
  async ({ ex, signUp }) => {
    await signUp('C.signUp.short', 'c_user', 'short1');
    const u = await signUp('C.signUp.good', 'c_user', 'longenough');
    await ex('C.put.short', 'PUT', `/parse/users/${u.id}`, { token: u.token, body: { password: 'short2' } });
  });

// D. passwordPolicy.maxPasswordAge (in days): 0.00002 d = 1.728 s
def('D', { passwordPolicy: { maxPasswordAge: 0.00002 } }, null, async ({ ex, signUp, login, me, vp }) => {
  const u = await signUp('D.signUp', 'd_user', 'p1');
  const l = await login('D.login.atOnce', 'd_user', 'p1');
  await pause(3000);
  await login('D.login.afterExpiry', 'd_user', 'p1');
  await ex('D.verifyPassword.afterExpiry', 'GET', vp('d_user', 'p1'));
  await me('D.me.signUpToken.afterExpiry', u.token);
  const r = await ex('D.put.password.signUpToken', 'PUT', `/parse/users/${u.id}`, { token: u.token, body: { password: 'p2' } });
  // the default revokeSessionOnPasswordReset (true) ends the other sessions: compare with case E
  await me('D.me.signUpToken.afterPasswordChange', u.token);
  await me('D.me.loginToken.afterPasswordChange', l.body && l.body.sessionToken);
  if (r.body && typeof r.body.sessionToken === 'string') await me('D.me.newToken', r.body.sessionToken);
  await login('D.login.newPassword', 'd_user', 'p2');
});

// E. revokeSessionOnPasswordReset false: a password change keeps the other sessions
def('E', { revokeSessionOnPasswordReset: false }, null, async ({ ex, signUp, login, me }) => {
  const u = await signUp('E.signUp', 'e_user', 'p1');
  const l = await login('E.login', 'e_user', 'p1');
  const token2 = l.body && l.body.sessionToken;
  const r = await ex('E.put.password.token1', 'PUT', `/parse/users/${u.id}`, { token: u.token, body: { password: 'p2' } });
  const newToken = r.body && typeof r.body.sessionToken === 'string' ? r.body.sessionToken : null;
  await me('E.me.token1', u.token);
  await me('E.me.token2', token2);
  if (newToken) await me('E.me.newToken', newToken);
  await ex(newToken ? 'E.sessions.find.newToken' : 'E.sessions.find.token1', 'GET', '/parse/sessions', { token: newToken || u.token });
});

// F. enforcePrivateUsers false (the option exists from 5.x; default true)
def('F', { enforcePrivateUsers: false }, 5, async ({ ex, signUp, me }) => {
  const u = await signUp('F.signUp', 'f_user', 'p1');
  await me('F.me', u.token);
  await ex('F.users.get.noToken', 'GET', `/parse/users/${u.id}`);
  await ex('F.users.find.noToken', 'GET', `/parse/users?where=${encodeURIComponent(JSON.stringify({ username: 'f_user' }))}`);
});

// G. option sets Parse must refuse at start-up (not recorded over HTTP)
const INVALID = [
  { accountLockout: { duration: 0, threshold: 3 } },
  { accountLockout: { duration: 100000, threshold: 3 } },
  { accountLockout: { duration: 1, threshold: 0 } },
  { accountLockout: { duration: 1, threshold: 1.5 } },
  { accountLockout: { duration: 1, threshold: 3, unlockOnPasswordReset: 'yes' } },
  { passwordPolicy: { maxPasswordHistory: 25 } },
  { passwordPolicy: { maxPasswordHistory: 1.5 } },
  { passwordPolicy: { maxPasswordAge: -1 } },
  { passwordPolicy: { validatorPattern: 5 } },
  { passwordPolicy: { doNotAllowUsername: 'yes' } },
  { passwordPolicy: { resetTokenValidityDuration: 0 } },
  { revokeSessionOnPasswordReset: 'no' },
  { enforcePrivateUsers: 'no' },
];

// ---------------------------------------------------------------- one version
async function recordVersion(version) {
  const major = Number(version.split('.')[0]);
  const base = new URL(`http://127.0.0.1:${PORT}`);
  const ph = new Placeholders(PORT);
  const lines = [];
  const out = path.join(OUTDIR, `${version}.jsonl`);

  for (const c of CASES) {
    if (ONLY && !ONLY.test(c.name)) continue;
    if (CASE_MIN_MAJOR[c.name] && major < CASE_MIN_MAJOR[c.name]) {
      console.log(`[${version}] case ${c.name}: skipped (option not in ${version})`);
      continue;
    }
    const optionsJson = JSON.stringify(c.options);
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
      const rw = ph.rewrite(rec);
      const line = { step: rw.step, options: JSON.parse(optionsJson), request: rw.request, response: rw.response };
      // A replay waits as long as the recording did before this step.
      if (waited) { line.waitBefore = waited; waited = 0; }
      lines.push(line);
      const b = line.response.body;
      const brief = (typeof b === 'string' ? JSON.stringify(b.slice(0, 100)) : JSON.stringify(b) ?? '').slice(0, 150);
      console.log(`[${version}] ${step.padEnd(40)} ${String(line.response.status).padEnd(4)} ${brief}`);
      return { status: r.ok ? r.res.statusCode : null, body: parsed };
    }
    const idOf = r => (r && r.body && typeof r.body.objectId === 'string') ? r.body.objectId : UNKNOWN_ID;
    const tokenOf = r => (r && r.body && typeof r.body.sessionToken === 'string') ? r.body.sessionToken : null;
    const signUp = async (step, username, password) => {
      const r = await ex(step, 'POST', '/parse/users', { body: { username, password } });
      return { id: idOf(r), token: tokenOf(r), username, password };
    };
    const login = (step, username, password) => ex(step, 'POST', '/parse/login', { body: { username, password } });
    const me = (step, token) => ex(step, 'GET', '/parse/users/me', { token });
    const vp = (username, password) => `/parse/verifyPassword?username=${encodeURIComponent(username)}&password=${encodeURIComponent(password)}`;

    const db = dbName(version, c.name);
    freshDb(db);
    let child = null;
    try {
      child = await startServer({ version, db, options: c.options, base, logFile: path.join(LOG_DIR, `user-options-${version}-${c.name}.log`) });
      await c.fn({ ex, signUp, login, me, vp });
    } catch (e) {
      lines.push({ step: c.name, options: c.options, harnessError: String(e && e.stack || e).split('\n')[0] });
      console.log(`[${version}] case ${c.name}: harness error ${e}`);
    } finally {
      await stopServer(child);
      dropDb(db);
    }
  }
  if (!lines.length) return;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, lines.map(l => JSON.stringify(l)).join('\n') + '\n');
  console.log(`[${version}] wrote ${lines.length} exchanges to ${out}`);
}

// ---------------------------------------------------------------- case G: start-up errors
// Starts the server script with each invalid option set (no database is reached: Parse checks
// the options first) and, the same way, Parse's own CLI (bin/parse-server <config.json>).
// Prints what each prints on stderr (deprecation warnings left out) and its exit code.
function startupErrors(version) {
  const install = path.join(INSTALLS, version);
  const cli = path.join(install, 'node_modules', 'parse-server', 'bin', 'parse-server');
  const noise = /DeprecationWarning|circular dependency|--trace-warnings|--trace-uncaught|^Node\.js v|^\s*$/;
  const clean = s => s.split('\n').filter(l => !noise.test(l)).join(' | ');
  for (const options of INVALID) {
    const db = 'uo_no_such_db';
    const run = (cmd, argv) => spawnSync(cmd, argv, { encoding: 'utf8', timeout: 30000, env: { ...process.env, NODE_ENV: 'production' } });
    const s = run(process.execPath, [SERVER, install, String(PORT), db, JSON.stringify(options)]);
    const cfg = path.join(os.tmpdir(), `user-options-cli-${process.pid}.json`);
    fs.writeFileSync(cfg, JSON.stringify({ appId: 'compatApp', masterKey: 'compatMaster', databaseURI: `postgres://parse@127.0.0.1:5432/${db}`,
      serverURL: `http://127.0.0.1:${PORT}/parse`, port: PORT, ...options }));
    const k = run(process.execPath, [cli, cfg]);
    fs.rmSync(cfg, { force: true });
    console.log(`[${version}] G ${JSON.stringify(options)}`);
    console.log(`    server script: exit ${s.status ?? s.signal}: ${clean(s.stderr)}`);
    console.log(`    parse-server CLI: exit ${k.status ?? k.signal}: ${clean(k.stdout + '\n' + k.stderr)}`);
  }
}

// ---------------------------------------------------------------- main
async function main() {
  for (const version of args.versions.split(/[\s,]+/).filter(Boolean)) {
    if (!ONLY || CASES.some(c => ONLY.test(c.name))) await recordVersion(version);
    if (ONLY && ONLY.test('G')) startupErrors(version);
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
