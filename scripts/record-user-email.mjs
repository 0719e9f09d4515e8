#!/usr/bin/env node
// Records how the REAL, unmodified parse-server answers its e-mail flows: e-mail verification
// (verifyUserEmails, preventLoginWithUnverifiedEmail, /verificationEmailRequest, the verify link),
// password reset (/requestPasswordReset, the reset link, the choose-password page and its form
// POST), token validity and reuse, accountLockout.unlockOnPasswordReset, the answers without any
// e-mail configuration, and the static pages Parse serves under /apps/.  Every e-mail Parse asks
// its adapter to send is captured and written as its own record.
//
//   node scripts/record-user-email.mjs --versions "3.7.2 4.4.0 5.6.0 6.5.11 7.5.4 8.6.94 9.10.0" \
//        [--port 9600] [--outdir fixtures/user-email] [--only REGEX] [--log-dir /tmp]
//
// For every version and every case (A B C D E F G P R, in that fixed order) it makes a fresh
// PostgreSQL database (scripts/postgres.sh fresh ue_<version>_<case>), starts
//   NODE_ENV=production node scripts/record-user-email-server.cjs <install> <port> <db> <options> <port+50>
// with the case's option set (install = ~/.cache/parse-oracle/<version>, or --installs DIR),
// runs the case, stops the server and drops the database.  All cases of a version go into one
// file, <outdir>/<version>.jsonl.  A case whose options do not exist in a version is skipped there
// (CASE_MIN_MAJOR below).  --only REGEX keeps the cases whose letter matches (e.g. --only '^[AB]$');
// "S" runs case S: option sets Parse refuses at start-up, printed, not written to the fixtures.
// Several versions can be recorded at once by running one process per version with different
// --port values (the capture server uses port+50).
//
// Record format: as scripts/record-user-options.mjs:
//   {"step", "options", "request": {method, path, headers, body}, "response": {status, headers, body}}
// plus, when the case waited before the step, "waitBefore" (milliseconds).  "options" is the exact
// JSON given to the server script: "<port>" inside publicServerURL stands for the server's port,
// and "emailAdapter": "capture:full" / "capture:sendMail" for the capturing adapter (see the
// server script).  request.headers are the headers the script set (node adds Host, Connection:
// close and Content-Length); request.body is the JSON sent (null for none) or, for a form post
// (Content-Type application/x-www-form-urlencoded), the exact string sent.  response.headers keeps
// content-type, location, set-cookie and x-parse-* only.  response.body is the parsed JSON, or
// the text when it is not JSON (HTML pages verbatim).  A transport failure gives response
// {status: null, error}.
// Every e-mail the adapter received during a step is written right after the step as
//   {"step": "<case>.email.<n>", "options", "email": {"method", "options"}}
// (n counts the e-mails of the case from 1; "method" is the adapter method Parse called, "options"
// its argument as the server script serialises it; a Parse.Object is written
// {"$parseObject": className, "attributes": toJSON()}).  The recorder waits 300 ms after each
// step for e-mails (Parse does not await the adapter).
// Generated values are replaced, in requests, responses and e-mails alike, by placeholders
// numbered by first appearance in the file (request before response, JSON in key order), shared
// by all the cases of the file:
//   <oid#N>        objectIds (values of objectId / userId, ACL keys, and any known id inside a string)
//   <token#N>      session tokens r:<32 hex>
//   <emailtoken#N> e-mail verification and password reset tokens (25 letters / digits): the
//                  token= value of a link or Location, and the values of _email_verify_token /
//                  _perishable_token; replaced wherever they appear afterwards (HTML included)
//   <hash#N>       bcrypt password hashes ($2a$/$2b$/$2y$)
//   <uuid#N>       UUIDs
//   <date>         ISO dates
//   127.0.0.1:<port>  the server's own address (links, Location headers, pages); percent-encoded
//                  inside a query (9.x pages) it becomes 127.0.0.1%3A<port>
// Only node: built-ins.  Every request goes over its own TCP connection (agent: false), bounded
// by 10 s.  Steps are named <case>.<what>; a step that follows a redirect is <step>.follow.
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
  console.error('usage: node record-user-email.mjs --versions "V1 V2 ..." [--port P] [--outdir DIR] [--only REGEX] [--installs DIR] [--log-dir DIR]');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const OUTDIR = args.outdir || path.join(here, '..', 'fixtures', 'user-email');
const ONLY = args.only ? new RegExp(args.only) : null;
const PORT = Number(args.port || 9600);
const CAPTURE_PORT = PORT + 50;
const INSTALLS = args.installs || path.join(os.homedir(), '.cache', 'parse-oracle');
const LOG_DIR = args['log-dir'] || os.tmpdir();
const SERVER = path.join(here, 'record-user-email-server.cjs');
const POSTGRES = path.join(here, 'postgres.sh');
const REQ_TIMEOUT = 10000;
const EMAIL_WAIT = 300;

const APP = { 'X-Parse-Application-Id': 'compatApp' };
const REST = { ...APP, 'X-Parse-REST-API-Key': 'compatRest' };
const JSONCT = { 'Content-Type': 'application/json' };
const FORMCT = { 'Content-Type': 'application/x-www-form-urlencoded' };
const XHR = { 'X-Requested-With': 'XMLHttpRequest' };
const UNKNOWN_ID = 'zzzzzzzzzz';
const BAD_TOKEN = 'bad-token-1';
const PUBLIC_URL = 'http://127.0.0.1:<port>/parse';
const APP_NAME = 'Email App';
const sleep = ms => new Promise(r => setTimeout(r, ms));
// A wait that is part of a case (a token expiring): written into the next record as
// `waitBefore` (milliseconds).
let waited = 0;
const pause = async ms => { await sleep(ms); waited += ms; };

// ---------------------------------------------------------------- HTTP
// body: a JSON value (sent as JSON), or {raw: string} (sent as it is).
function request(base, { method, path: p, headers, body }) {
  return new Promise((resolve) => {
    let payload;
    if (body && typeof body === 'object' && typeof body.raw === 'string') payload = body.raw;
    else if (body !== undefined && body !== null) payload = JSON.stringify(body);
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
const EMAIL_TOKEN_IN_URL_RE = /[?&]token=([A-Za-z0-9]{25})(?![A-Za-z0-9])/g;
const EMAIL_TOKEN_RE = /^[A-Za-z0-9]{25}$/;
const EMAIL_TOKEN_KEYS = new Set(['_email_verify_token', '_perishable_token']);
const HASH_RE = /\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}/g;

class Placeholders {
  constructor(port) {
    this.port = port; this.tokens = new Map(); this.oids = new Map(); this.uuids = new Map();
    this.emailTokens = new Map(); this.hashes = new Map();
  }
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
    for (const m of v.matchAll(EMAIL_TOKEN_IN_URL_RE)) this.number(this.emailTokens, m[1], n => `<emailtoken#${n}>`);
    if (EMAIL_TOKEN_KEYS.has(key) && EMAIL_TOKEN_RE.test(v)) this.number(this.emailTokens, v, n => `<emailtoken#${n}>`);
    for (const h of v.match(HASH_RE) || []) this.number(this.hashes, h, n => `<hash#${n}>`);
    if ((key === 'objectId' || key === 'userId') && OID_RE.test(v) && v !== UNKNOWN_ID) this.number(this.oids, v, n => `<oid#${n}>`);
  }
  str(s) {
    s = s.replace(TOKEN_RE, t => this.tokens.get(t) || t);
    s = s.replace(HASH_RE, h => this.hashes.get(h) || h);
    for (const [t, p] of this.emailTokens) if (s.includes(t)) s = s.split(t).join(p);
    s = s.replace(UUID_RE, u => this.number(this.uuids, u.toLowerCase(), n => `<uuid#${n}>`));
    s = s.replace(DATE_RE, '<date>');
    s = s.split(`127.0.0.1:${this.port}`).join('127.0.0.1:<port>').split(`localhost:${this.port}`).join('localhost:<port>');
    s = s.split(`127.0.0.1%3A${this.port}`).join('127.0.0.1%3A<port>');
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
const dbName = (version, c) => `ue_${version.replace(/\./g, '_')}_${c.toLowerCase()}`;
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
  const child = spawn(process.execPath, [SERVER, path.join(INSTALLS, version), String(base.port), db, JSON.stringify(options), String(CAPTURE_PORT)],
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
async function capturedEmails() {
  const r = await request(new URL(`http://127.0.0.1:${CAPTURE_PORT}`), { method: 'GET', path: '/emails', headers: {} });
  if (!r.ok) throw new Error(`capture server: ${r.error}`);
  return JSON.parse(r.text);
}

// ---------------------------------------------------------------- cases
// Each case: letter, option set, lowest major version that has the options (null: all), body.
const CASES = [];
const CASE_MIN_MAJOR = {};
function def(name, options, minMajor, fn) { CASES.push({ name, options, fn }); CASE_MIN_MAJOR[name] = minMajor; }
const MAIL = { appName: APP_NAME, publicServerURL: PUBLIC_URL, emailAdapter: 'capture:full' };

// the path (with query) of an absolute URL, or null
function pathOf(u) {
  if (typeof u !== 'string') return null;
  try { const x = new URL(u); return x.pathname + x.search; } catch { return null; }
}
// a link with one query parameter set (or removed with value null)
function withParam(link, key, value) {
  const x = new URL(link);
  // rebuild by hand to keep Parse's own encoding of the other parameters
  const q = x.search.slice(1).split('&').filter(kv => kv && kv.split('=')[0] !== key);
  if (value !== null) q.push(`${key}=${encodeURIComponent(value)}`);
  return `${x.origin}${x.pathname}?${q.join('&')}`;
}
// the fields of the choose-password form: username and token from the query of the link and of
// the page's URL (as the page's script reads them up to 8.x), overridden by the values of the
// page's own hidden inputs (9.x: username, token, locale, sent even when empty, as a browser does)
function formFields(urls, html) {
  const f = {};
  for (const u of urls) {
    if (typeof u !== 'string') continue;
    try {
      const q = new URL(u, 'http://x').searchParams;
      for (const k of ['username', 'token']) if (q.get(k) !== null) f[k] = q.get(k);
    } catch { /* no URL */ }
  }
  if (typeof html === 'string') {
    for (const m of html.matchAll(/<input\s+name="(username|token|locale)"[^>]*value="([^"]*)"/g)) {
      f[m[1]] = m[2].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
    }
  }
  return f;
}
const formBody = fields => ({ raw: new URLSearchParams(Object.entries(fields).filter(([, v]) => v !== undefined)).toString() });

// A. verifyUserEmails: sign-up, the verification e-mail and link, /verificationEmailRequest,
//    resend form, e-mail changes
def('A', { ...MAIL, verifyUserEmails: true }, null, async (t) => {
  const { ex, signUp, login, me, mail, page, follow } = t;
  const u = await signUp('A.signUp', { username: 'a_user', password: 'p1', email: 'a_user@example.com' });
  await me('A.me.beforeVerify', u.token);
  await ex('A.users.get.beforeVerify', 'GET', `/parse/users/${u.id}`, { token: u.token });
  await ex('A.users.get.master.beforeVerify', 'GET', `/parse/users/${u.id}`, { headers: { ...APP, 'X-Parse-Master-Key': 'compatMaster' } });
  await login('A.login.beforeVerify', 'a_user', 'p1');
  const link = mail.lastLink('sendVerificationEmail');
  if (!link) throw new Error('no verification e-mail');
  await follow(await page('A.verify.badToken.beforeVerify', pathOf(withParam(link, 'token', BAD_TOKEN))));
  await follow(await page('A.verify.link', pathOf(link)));
  await me('A.me.afterVerify', u.token);
  await login('A.login.afterVerify', 'a_user', 'p1');
  await follow(await page('A.verify.link.again', pathOf(link)));
  await follow(await page('A.verify.badToken', pathOf(withParam(link, 'token', BAD_TOKEN))));
  await follow(await page('A.verify.badUsername', pathOf(withParam(link, 'username', 'a_nobody'))));
  await follow(await page('A.verify.noToken', pathOf(withParam(link, 'token', null))));
  await follow(await page('A.verify.noParams', '/parse/apps/compatApp/verify_email'));
  await page('A.verify.unknownApp', `/parse/apps/unknownApp/verify_email?token=${BAD_TOKEN}&username=a_user`);

  const u2 = await signUp('A.signUp.second', { username: 'a_user2', password: 'p1', email: 'a_user2@example.com' });
  const vr = (step, body) => ex(step, 'POST', '/parse/verificationEmailRequest', { body });
  await vr('A.verificationEmailRequest.unknownEmail', { email: 'a_nobody@example.com' });
  await vr('A.verificationEmailRequest.verifiedEmail', { email: 'a_user@example.com' });
  await vr('A.verificationEmailRequest.unverifiedEmail', { email: 'a_user2@example.com' });
  await vr('A.verificationEmailRequest.missingEmail', {});
  await vr('A.verificationEmailRequest.nonStringEmail', { email: 5 });
  await vr('A.verificationEmailRequest.emptyEmail', { email: '' });
  await ex('A.verificationEmailRequest.masterKey.unverifiedEmail', 'POST', '/parse/verificationEmailRequest',
    { headers: { ...APP, 'X-Parse-Master-Key': 'compatMaster' }, body: { email: 'a_user2@example.com' } });
  // the resend form of invalid_verification_link.html
  const resend = (step, fields) => page(step, '/parse/apps/compatApp/resend_verification_email', { method: 'POST', headers: FORMCT, body: formBody(fields) });
  await follow(await resend('A.resendForm.unverifiedUser', { username: 'a_user2' }));
  await follow(await resend('A.resendForm.verifiedUser', { username: 'a_user' }));
  await follow(await resend('A.resendForm.unknownUser', { username: 'a_nobody' }));
  await follow(await resend('A.resendForm.noUsername', {}));
  await me('A.me.second', u2.token);

  // changing the e-mail of a verified user
  await ex('A.put.newEmail', 'PUT', `/parse/users/${u.id}`, { token: u.token, body: { email: 'a_user_new@example.com' } });
  await me('A.me.afterEmailChange', u.token);
  await ex('A.put.sameEmail', 'PUT', `/parse/users/${u.id}`, { token: u.token, body: { email: 'a_user_new@example.com' } });
  await ex('A.put.otherField', 'PUT', `/parse/users/${u.id}`, { token: u.token, body: { nick: 'x' } });
  await ex('A.put.emailVerifiedTrue', 'PUT', `/parse/users/${u.id}`, { token: u.token, body: { emailVerified: true } });
  await ex('A.put.emailVerifiedTrue.master', 'PUT', `/parse/users/${u.id}`,
    { headers: { ...APP, 'X-Parse-Master-Key': 'compatMaster' }, body: { emailVerified: true } });
  await me('A.me.afterMasterVerify', u.token);
  // a user without e-mail, then given one
  const u3 = await signUp('A.signUp.noEmail', { username: 'a_user3', password: 'p1' });
  await me('A.me.noEmail', u3.token);
  await ex('A.put.addEmail', 'PUT', `/parse/users/${u3.id}`, { token: u3.token, body: { email: 'a_user3@example.com' } });
  await me('A.me.afterAddEmail', u3.token);
  await ex('A.put.removeEmail', 'PUT', `/parse/users/${u3.id}`, { token: u3.token, body: { email: { __op: 'Delete' } } });
  await me('A.me.afterRemoveEmail', u3.token);
});

// B. verifyUserEmails + preventLoginWithUnverifiedEmail: REST and GraphQL
def('B', { ...MAIL, verifyUserEmails: true, preventLoginWithUnverifiedEmail: true }, null, async (t) => {
  const { ex, signUp, login, me, mail, page, follow, gql, major } = t;
  const u = await signUp('B.signUp', { username: 'b_user', password: 'p1', email: 'b_user@example.com' });
  if (u.token) await me('B.me.signUpToken', u.token);
  await login('B.login.unverified', 'b_user', 'p1');
  await login('B.login.unverified.wrongPassword', 'b_user', 'wrong');
  await ex('B.verifyPassword.unverified', 'GET', '/parse/verifyPassword?username=b_user&password=p1');
  const u0 = await signUp('B.signUp.noEmail', { username: 'b_noemail', password: 'p1' });
  void u0;
  await login('B.login.noEmail', 'b_noemail', 'p1');
  // GraphQL
  const userFields = 'objectId username email emailVerified';
  if (major < 4) {
    await gql('B.graphql.signUp', `mutation { users { signUp(fields: { username: "b_gql", password: "p1", email: "b_gql@example.com" }) { objectId createdAt sessionToken } } }`);
    await gql('B.graphql.logIn.unverified', `mutation { users { logIn(username: "b_user", password: "p1") { ${userFields} sessionToken } } }`);
  } else {
    await gql('B.graphql.signUp', `mutation { signUp(input: { clientMutationId: "s1", fields: { username: "b_gql", password: "p1", email: "b_gql@example.com" } }) { clientMutationId viewer { sessionToken user { ${userFields} } } } }`);
    await gql('B.graphql.logIn.unverified', `mutation { logIn(input: { clientMutationId: "l1", username: "b_user", password: "p1" }) { clientMutationId viewer { sessionToken user { ${userFields} } } } }`);
  }
  const link = mail.links('sendVerificationEmail').find(l => !/b_gql/.test(l)) || mail.links('sendVerificationEmail')[0];
  if (!link) throw new Error('no verification e-mail');
  await follow(await page('B.verify.link', pathOf(link)));
  await login('B.login.afterVerify', 'b_user', 'p1');
  if (major < 4) {
    await gql('B.graphql.logIn.afterVerify', `mutation { users { logIn(username: "b_user", password: "p1") { ${userFields} sessionToken } } }`);
  } else {
    await gql('B.graphql.logIn.afterVerify', `mutation { logIn(input: { clientMutationId: "l2", username: "b_user", password: "p1" }) { clientMutationId viewer { sessionToken user { ${userFields} } } } }`);
  }
});

// C. password reset with a passwordPolicy
def('C', { ...MAIL, passwordPolicy: { validatorPattern: '^(?=.*[0-9]).{6,}$' } }, null, async (t) => {
  const { ex, signUp, login, me, mail, page, follow, openReset } = t;
  const u = await signUp('C.signUp', { username: 'c_user', password: 'pass1x', email: 'c_user@example.com' });
  const l = await login('C.login', 'c_user', 'pass1x');
  const loginToken = l.body && l.body.sessionToken;
  const n = await signUp('C.signUp.noEmail', { username: 'c_noemail', password: 'pass1x' });
  void n;
  const rr = (step, body, headers) => ex(step, 'POST', '/parse/requestPasswordReset', { body, headers });
  await rr('C.requestPasswordReset.unknownEmail', { email: 'c_nobody@example.com' });
  await rr('C.requestPasswordReset.missingEmail', {});
  await rr('C.requestPasswordReset.nonStringEmail', { email: 5 });
  await rr('C.requestPasswordReset.emptyEmail', { email: '' });
  await rr('C.requestPasswordReset.usernameOfUserWithoutEmail', { email: 'c_noemail' });
  await rr('C.requestPasswordReset.usernameOfUserWithEmail', { email: 'c_user' });
  await rr('C.requestPasswordReset.knownEmail', { email: 'c_user@example.com' });
  const link = mail.lastLink('sendPasswordResetEmail');
  if (!link) throw new Error('no reset e-mail');
  const { fields } = await openReset('C.reset.link', link);
  await follow(await page('C.reset.link.badToken', pathOf(withParam(link, 'token', BAD_TOKEN))));
  await follow(await page('C.reset.link.noToken', pathOf(withParam(link, 'token', null))));
  await page('C.choosePassword.noId', '/parse/apps/choose_password');
  await page('C.choosePassword.unknownId', '/parse/apps/choose_password?id=unknownApp');
  const post = (step, f, headers = FORMCT) =>
    page(step, '/parse/apps/compatApp/request_password_reset', { method: 'POST', headers, body: headers === FORMCT || headers['Content-Type'] === FORMCT['Content-Type'] ? formBody(f) : f });
  const XHRFORM = { ...FORMCT, ...XHR };
  const pw = (p, rest = fields) => ({ new_password: p, confirm_new_password: p, 'utf-8': '✓', ...rest });
  await follow(await post('C.resetForm.badToken', pw('newpass1', { ...fields, token: BAD_TOKEN })));
  await follow(await post('C.resetForm.missingPassword', { 'utf-8': '✓', ...fields }));
  await post('C.resetForm.missingPassword.xhr', { ...fields }, XHRFORM);
  await post('C.resetForm.badToken.xhr', pw('newpass1', { ...fields, token: BAD_TOKEN }), XHRFORM);
  await follow(await post('C.resetForm.policyViolation', pw('abc')));
  await post('C.resetForm.policyViolation.xhr', pw('abc'), XHRFORM);
  await post('C.resetJson.xhr', pw('newpass1'), { ...JSONCT, ...XHR });
  await follow(await post('C.resetJson', pw('newpass1'), JSONCT));
  // 9.x resets by token alone: there this step already succeeds and uses the token up
  await follow(await post('C.resetForm.missingUsername', pw('newpass1', { ...fields, username: undefined })));
  await follow(await post('C.resetForm.good', pw('newpass1')));
  await follow(await post('C.resetForm.good.tokenAgain', pw('newpass2')));
  await me('C.me.signUpToken.afterReset', u.token);
  await me('C.me.loginToken.afterReset', loginToken);
  await login('C.login.oldPassword', 'c_user', 'pass1x');
  await login('C.login.newPassword', 'c_user', 'newpass1');
  // the page's xhr branch: form-encoded with X-Requested-With
  await rr('C.requestPasswordReset.knownEmail.2', { email: 'c_user@example.com' });
  const o2 = await openReset('C.reset.link.2', mail.lastLink('sendPasswordResetEmail'));
  await post('C.resetForm.good.xhr', pw('newpass3', o2.fields), XHRFORM);
  await post('C.resetForm.good.xhr.tokenAgain', pw('newpass4', o2.fields), XHRFORM);
  await login('C.login.afterXhrReset', 'c_user', 'newpass3');
  // the user without e-mail, reset by username
  const linkN = mail.links('sendPasswordResetEmail')[0];
  if (linkN) {
    const on = await openReset('C.reset.noEmailUser.link', linkN);
    await follow(await post('C.resetForm.noEmailUser', pw('newpass5', on.fields)));
    await login('C.login.noEmailUser.newPassword', 'c_noemail', 'newpass5');
  }
  await ex('C.requestPasswordReset.masterKey', 'POST', '/parse/requestPasswordReset',
    { headers: { ...APP, 'X-Parse-Master-Key': 'compatMaster' }, body: { email: 'c_user@example.com' } });
});

// D. token validity: 2 s for the verification and the reset tokens
def('D', { ...MAIL, verifyUserEmails: true, emailVerifyTokenValidityDuration: 2, passwordPolicy: { resetTokenValidityDuration: 2 } }, null, async (t) => {
  const { ex, signUp, me, mail, page, follow, login, openReset } = t;
  const u = await signUp('D.signUp', { username: 'd_user', password: 'p1', email: 'd_user@example.com' });
  const link = mail.lastLink('sendVerificationEmail');
  if (!link) throw new Error('no verification e-mail');
  await pause(3000);
  await follow(await page('D.verify.link.expired', pathOf(link)));
  await me('D.me.afterExpiredLink', u.token);
  await ex('D.verificationEmailRequest', 'POST', '/parse/verificationEmailRequest', { body: { email: 'd_user@example.com' } });
  const link2 = mail.lastLink('sendVerificationEmail');
  await follow(await page('D.verify.link.fresh', pathOf(link2)));
  await follow(await page('D.verify.link.fresh.again', pathOf(link2)));
  await me('D.me.afterFreshLink', u.token);
  await ex('D.requestPasswordReset', 'POST', '/parse/requestPasswordReset', { body: { email: 'd_user@example.com' } });
  const rlink = mail.lastLink('sendPasswordResetEmail');
  await pause(3000);
  const { fields: f } = await openReset('D.reset.link.expired', rlink);
  const post = (step, fields) => page(step, '/parse/apps/compatApp/request_password_reset', { method: 'POST', headers: FORMCT, body: formBody(fields) });
  await follow(await post('D.resetForm.expired', { new_password: 'p2', confirm_new_password: 'p2', 'utf-8': '✓', ...f }));
  await ex('D.requestPasswordReset.again', 'POST', '/parse/requestPasswordReset', { body: { email: 'd_user@example.com' } });
  const rlink2 = mail.lastLink('sendPasswordResetEmail');
  const o2 = await openReset('D.reset.link.fresh', rlink2);
  await follow(await post('D.resetForm.fresh', { new_password: 'p3', confirm_new_password: 'p3', 'utf-8': '✓', ...o2.fields }));
  await login('D.login.newPassword', 'd_user', 'p3');
});

// E. accountLockout with unlockOnPasswordReset (the key exists from 5.x; 3.x / 4.x ignore it)
def('E', { ...MAIL, accountLockout: { duration: 5, threshold: 2, unlockOnPasswordReset: true } }, null, async (t) => {
  const { ex, signUp, login, page, follow, openReset, mail } = t;
  await signUp('E.signUp', { username: 'e_user', password: 'p1', email: 'e_user@example.com' });
  await login('E.login.wrong1', 'e_user', 'wrong');
  await login('E.login.wrong2', 'e_user', 'wrong');
  await login('E.login.right.locked', 'e_user', 'p1');
  await ex('E.requestPasswordReset', 'POST', '/parse/requestPasswordReset', { body: { email: 'e_user@example.com' } });
  const link = mail.lastLink('sendPasswordResetEmail');
  if (!link) throw new Error('no reset e-mail');
  const { fields } = await openReset('E.reset.link', link);
  await follow(await page('E.resetForm', '/parse/apps/compatApp/request_password_reset',
    { method: 'POST', headers: FORMCT, body: formBody({ new_password: 'p2', confirm_new_password: 'p2', 'utf-8': '✓', ...fields }) }));
  await login('E.login.newPassword', 'e_user', 'p2');
  await login('E.login.oldPassword', 'e_user', 'p1');
});

// F. the default options: no appName, publicServerURL or emailAdapter
def('F', {}, null, async (t) => {
  const { ex, signUp, me, page } = t;
  const u = await signUp('F.signUp', { username: 'f_user', password: 'p1', email: 'f_user@example.com' });
  await me('F.me', u.token);
  await ex('F.requestPasswordReset.knownEmail', 'POST', '/parse/requestPasswordReset', { body: { email: 'f_user@example.com' } });
  await ex('F.requestPasswordReset.missingEmail', 'POST', '/parse/requestPasswordReset', { body: {} });
  await ex('F.verificationEmailRequest.knownEmail', 'POST', '/parse/verificationEmailRequest', { body: { email: 'f_user@example.com' } });
  await page('F.verify.link', `/parse/apps/compatApp/verify_email?token=${BAD_TOKEN}&username=f_user`);
  await page('F.reset.link', `/parse/apps/compatApp/request_password_reset?token=${BAD_TOKEN}&username=f_user`);
  await page('F.choosePassword', '/parse/apps/choose_password?id=compatApp');
  await page('F.resetForm', '/parse/apps/compatApp/request_password_reset',
    { method: 'POST', headers: FORMCT, body: formBody({ new_password: 'p2', username: 'f_user', token: BAD_TOKEN }) });
  await page('F.page.invalid_link', '/parse/apps/invalid_link.html');
});

// G. an adapter with sendMail only: Parse formats subject and text itself
def('G', { appName: APP_NAME, publicServerURL: PUBLIC_URL, emailAdapter: 'capture:sendMail', verifyUserEmails: true }, null, async (t) => {
  const { ex, signUp } = t;
  await signUp('G.signUp', { username: 'g user+1', password: 'p1', email: 'g_user@example.com' });
  await ex('G.verificationEmailRequest', 'POST', '/parse/verificationEmailRequest', { body: { email: 'g_user@example.com' } });
  await ex('G.requestPasswordReset', 'POST', '/parse/requestPasswordReset', { body: { email: 'g_user@example.com' } });
  await signUp('G.signUp.noEmail', { username: 'g_noemail', password: 'p1' });
  await ex('G.requestPasswordReset.usernameOfUserWithoutEmail', 'POST', '/parse/requestPasswordReset', { body: { email: 'g_noemail' } });
});

// P. the static pages under /apps/ (names of 3.x-8.x public_html and of 9.x public)
const PAGES = [
  'verify_email_success.html', 'invalid_link.html', 'invalid_verification_link.html', 'link_send_success.html',
  'link_send_fail.html', 'password_reset_success.html', 'choose_password',
  'email_verification_success.html', 'email_verification_send_success.html', 'email_verification_send_fail.html',
  'email_verification_link_invalid.html', 'email_verification_link_expired.html', 'password_reset.html',
  'password_reset_link_invalid.html', 'no_such_page.html',
];
def('P', MAIL, null, async (t) => {
  const { page } = t;
  for (const p of PAGES) await page(`P.page.${p}`, `/parse/apps/${p}`);
  await page('P.page.choose_password.withId', '/parse/apps/choose_password?id=compatApp');
  await page('P.page.verify_email_success.withUsername', '/parse/apps/verify_email_success.html?username=x');
});

// R. token reuse: emailVerifyTokenReuseIfValid and passwordPolicy.resetTokenReuseIfValid (5.x+)
def('R', { ...MAIL, verifyUserEmails: true, emailVerifyTokenValidityDuration: 60, emailVerifyTokenReuseIfValid: true,
  passwordPolicy: { resetTokenValidityDuration: 60, resetTokenReuseIfValid: true } }, 5, async (t) => {
  const { ex, signUp, mail, page } = t;
  await signUp('R.signUp', { username: 'r_user', password: 'p1', email: 'r_user@example.com' });
  await ex('R.verificationEmailRequest.1', 'POST', '/parse/verificationEmailRequest', { body: { email: 'r_user@example.com' } });
  await ex('R.verificationEmailRequest.2', 'POST', '/parse/verificationEmailRequest', { body: { email: 'r_user@example.com' } });
  await ex('R.requestPasswordReset.1', 'POST', '/parse/requestPasswordReset', { body: { email: 'r_user@example.com' } });
  await ex('R.requestPasswordReset.2', 'POST', '/parse/requestPasswordReset', { body: { email: 'r_user@example.com' } });
  const links = mail.links('sendPasswordResetEmail');
  if (links.length) await page('R.reset.link.first', pathOf(links[0]));
});

// M. what the master key reads of a user's internal fields: the verification token and its
// expiry, failed logins and the lockout, the reset token and its expiry, the password history and
// its change date (up to 5.x Parse shows the master key every internal column a row has).
def('M', { ...MAIL, verifyUserEmails: true, emailVerifyTokenValidityDuration: 3600,
  accountLockout: { duration: 5, threshold: 3 },
  passwordPolicy: { maxPasswordHistory: 2, maxPasswordAge: 30, resetTokenValidityDuration: 3600 } }, null, async (t) => {
  const { ex, signUp, login, me } = t;
  const MASTER = { headers: { ...REST, 'X-Parse-Master-Key': 'compatMaster' } };
  const u = await signUp('M.signUp', { username: 'm_user', password: 'p1', email: 'm_user@example.com', nickname: 'm' });
  const where = encodeURIComponent(JSON.stringify({ objectId: u.id }));
  const read = async (name) => {
    await ex(`M.${name}.get`, 'GET', `/parse/users/${u.id}`, MASTER);
    await ex(`M.${name}.classes`, 'GET', `/parse/classes/_User/${u.id}`, MASTER);
    await ex(`M.${name}.find`, 'GET', `/parse/users?where=${where}`, MASTER);
  };
  await read('afterSignUp');
  await login('M.login.wrong1', 'm_user', 'wrong');
  await read('afterWrongLogin');
  await login('M.login.wrong2', 'm_user', 'wrong');
  await login('M.login.wrong3', 'm_user', 'wrong');
  await read('locked');
  await ex('M.put.password', 'PUT', `/parse/users/${u.id}`, { ...MASTER, body: { password: 'p2' } });
  await ex('M.requestPasswordReset', 'POST', '/parse/requestPasswordReset', { body: { email: 'm_user@example.com' } });
  await read('afterPasswordChangeAndReset');
  await me('M.me.own', u.token);
});

// S. option sets Parse must refuse at start-up (not recorded over HTTP)
const INVALID = [
  { verifyUserEmails: true },
  { verifyUserEmails: true, appName: APP_NAME, publicServerURL: PUBLIC_URL },
  { verifyUserEmails: true, emailAdapter: 'capture:full', publicServerURL: PUBLIC_URL },
  { verifyUserEmails: true, emailAdapter: 'capture:full', appName: APP_NAME },
  { verifyUserEmails: true, emailAdapter: 'capture:full', appName: APP_NAME, publicServerURL: 'not a url' },
  { verifyUserEmails: true, ...MAIL, emailVerifyTokenValidityDuration: -1 },
  { verifyUserEmails: true, ...MAIL, emailVerifyTokenReuseIfValid: true },
  { preventLoginWithUnverifiedEmail: true },
  { passwordPolicy: { resetTokenValidityDuration: 5 } },
  { emailAdapter: 'capture:full' },
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
    let seen = 0;        // captured e-mails already written
    let emailNo = 0;     // e-mail records of this case
    const sent = [];     // raw captured e-mails of this case
    const push = (line) => {
      if (waited) { line.waitBefore = waited; waited = 0; }
      lines.push(line);
    };
    async function collectEmails() {
      await sleep(EMAIL_WAIT);
      const all = await capturedEmails();
      for (const e of all.slice(seen)) {
        sent.push(e);
        emailNo++;
        const rec = { email: { method: e.method, options: e.options } };
        ph.discover(rec);
        const rw = ph.rewrite(rec);
        push({ step: `${c.name}.email.${emailNo}`, options: JSON.parse(optionsJson), email: rw.email });
        const o = e.options || {};
        console.log(`[${version}] ${`${c.name}.email.${emailNo}`.padEnd(44)} ${e.method} ${ph.str(String(o.link || o.to || ''))}`);
      }
      seen = all.length;
    }
    async function ex(step, method, p, { headers = REST, token, body } = {}) {
      const h = { ...headers };
      if (body !== undefined && body !== null && !(typeof body === 'object' && typeof body.raw === 'string') && !h['Content-Type']) Object.assign(h, JSONCT);
      if (token) h['X-Parse-Session-Token'] = token;
      const r = await request(base, { method, path: p, headers: h, body });
      const sentBody = body === undefined ? null : (body && typeof body === 'object' && typeof body.raw === 'string' ? body.raw : body);
      const rec = { step, request: { method, path: p, headers: h, body: sentBody } };
      let parsed = null;
      const rawHeaders = r.ok ? r.res.headers : {};
      if (!r.ok) rec.response = { status: null, headers: {}, body: null, error: r.error };
      else {
        const rh = {};
        for (const [k, v] of Object.entries(r.res.headers)) if (KEEP_HEADER.test(k)) rh[k] = v;
        parsed = parseBody(r);
        rec.response = { status: r.res.statusCode, headers: rh, body: parsed };
      }
      ph.discover(rec.request); ph.discover(rec.response);
      const rw = ph.rewrite(rec);
      push({ step: rw.step, options: JSON.parse(optionsJson), request: rw.request, response: rw.response });
      const b = rw.response.body;
      const brief = (typeof b === 'string' ? JSON.stringify(b.slice(0, 90)) : JSON.stringify(b) ?? '').slice(0, 140);
      const loc = rw.response.headers && rw.response.headers.location ? ` -> ${rw.response.headers.location}` : '';
      console.log(`[${version}] ${step.padEnd(44)} ${String(rw.response.status).padEnd(4)} ${brief}${loc}`);
      await collectEmails();
      return { step, status: r.ok ? r.res.statusCode : null, body: parsed, headers: rawHeaders };
    }
    // a browser-like request (no Parse headers) for the pages and links under /apps/
    const page = (step, p, { method = 'GET', headers = {}, body } = {}) => {
      if (p === null) throw new Error(`${step}: no URL`);
      return ex(step, method, p, { headers, body });
    };
    const follow = async (r) => {
      const loc = r && r.headers && r.headers.location;
      if (!loc || !(r.status >= 300 && r.status < 400)) return null;
      const p = pathOf(loc);
      if (!p || new URL(loc).port !== String(PORT)) return null;
      return page(`${r.step}.follow`, p);
    };
    // opens a reset link: the link, the redirect (3.x-8.x) and the page, and the form's fields
    const openReset = async (step, link) => {
      if (!link) throw new Error(`${step}: no reset link`);
      const r = await page(step, pathOf(link));
      const f = await follow(r);
      return { r, fields: formFields([link, r.headers.location], (f || r).body) };
    };
    const idOf = r => (r && r.body && typeof r.body.objectId === 'string') ? r.body.objectId : UNKNOWN_ID;
    const tokenOf = r => (r && r.body && typeof r.body.sessionToken === 'string') ? r.body.sessionToken : null;
    const signUp = async (step, body) => {
      const r = await ex(step, 'POST', '/parse/users', { body });
      return { id: idOf(r), token: tokenOf(r) };
    };
    const login = (step, username, password) => ex(step, 'POST', '/parse/login', { body: { username, password } });
    const me = (step, token) => ex(step, 'GET', '/parse/users/me', { token });
    const gql = (step, query) => ex(step, 'POST', '/graphql', { body: { query } });
    const mail = {
      links: method => sent.filter(e => !method || e.method === method).map(e => e.options && e.options.link).filter(Boolean),
      lastLink: method => { const l = mail.links(method); return l.length ? l[l.length - 1] : null; },
    };

    const db = dbName(version, c.name);
    freshDb(db);
    let child = null;
    try {
      child = await startServer({ version, db, options: c.options, base, logFile: path.join(LOG_DIR, `user-email-${version}-${c.name}.log`) });
      await c.fn({ ex, signUp, login, me, page, follow, gql, mail, major, openReset });
      await collectEmails();
    } catch (e) {
      lines.push({ step: c.name, options: c.options, harnessError: String(e && e.stack || e).split('\n')[0] });
      console.log(`[${version}] case ${c.name}: harness error ${e}`);
    } finally {
      waited = 0;
      await stopServer(child);
      dropDb(db);
    }
  }
  if (!lines.length) return;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, lines.map(l => JSON.stringify(l)).join('\n') + '\n');
  console.log(`[${version}] wrote ${lines.length} records to ${out}`);
}

// ---------------------------------------------------------------- case S: start-up errors
// Starts the server script with each option set Parse should refuse (no database is reached when
// Parse checks the options first; a set Parse accepts then fails on the missing database or is
// stopped after 20 s) and prints what it prints on stderr (deprecation warnings left out).
function startupErrors(version) {
  const install = path.join(INSTALLS, version);
  const noise = /DeprecationWarning|circular dependency|--trace-warnings|--trace-uncaught|^Node\.js v|^\s*$/;
  const clean = s => s.split('\n').filter(l => !noise.test(l)).map(l => l.split(`127.0.0.1:${PORT}`).join('127.0.0.1:<port>')).join(' | ');
  for (const options of INVALID) {
    const s = spawnSync(process.execPath, [SERVER, install, String(PORT), 'ue_no_such_db', JSON.stringify(options), String(CAPTURE_PORT)],
      { encoding: 'utf8', timeout: 20000, env: { ...process.env, NODE_ENV: 'production' } });
    console.log(`[${version}] S ${JSON.stringify(options)}`);
    const lines = clean(s.stderr).split(' | ');
    const said = lines.filter(l => /\[email-server\]|^\w*Error\b|^error:/.test(l));
    console.log(`    exit ${s.status ?? s.signal}: ${(said.length ? said : lines.slice(-1)).join(' | ').slice(0, 400)}`);
  }
}

// ---------------------------------------------------------------- main
async function main() {
  for (const version of args.versions.split(/[\s,]+/).filter(Boolean)) {
    if (!ONLY || CASES.some(c => ONLY.test(c.name))) await recordVersion(version);
    if (ONLY && ONLY.test('S')) startupErrors(version);
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
