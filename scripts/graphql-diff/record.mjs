#!/usr/bin/env node
// Records how a Parse-compatible server answers the GraphQL requests of generate.mjs (seeded,
// derived from fixtures/schema/<v>.graphql), one exchange per line.
//
//   # real parse-server, one fresh server (and database) per version, started and stopped here:
//   node scripts/graphql-diff/record.mjs --versions "3.7.2 4.4.0 9.10.0" [--port 9320] \
//        [--outdir fixtures/graphql-diff] [--only REGEX] [--seed N] [--log-dir /tmp]
//   # an already running server (e.g. parse-compat answering as 4.4.0), on an EMPTY database;
//   # --version picks the schema (and so the requests):
//   node scripts/graphql-diff/record.mjs --url http://127.0.0.1:PORT --version 4.4.0 --out /tmp/rust.jsonl
//
// --cases objects records the hand-written object-query family of objects.mjs instead, into
// fixtures/graphql-objects/ by default; --cases schema-cache the schema-cache sequence of
// schema-cache.mjs, into fixtures/graphql-schema-cache/.
//
// --start CMD overrides the server command; "{version}" and "{port}" are substituted.  The default
// is /work/shared/parse-oracle/tools/real-parse-as-bin.sh serve --parse-version {version} --port {port}.
//
// Only node: built-ins.  Every request goes over its own TCP connection (node:http, agent: false),
// bounded by 10 s; the requests run one after the other, in the generator's order.  A record with
// "waitBefore": ms was sent that long after the previous answer (the replayer waits as well).
//
// Output: one JSON object per exchange, as scripts/record-user-routes.mjs writes them:
//   {"step", "request": {method, path, headers, body}, "response": {status, headers, body}}
// request.headers are the headers the script set (node adds Host, Connection: close and
// Content-Length).  request.body is null for no body; the parsed JSON when the text sent is
// exactly JSON.stringify of an object or array (that serde_json prints back identically); and
// otherwise the exact text sent, as a JSON string: bad JSON, GraphQL text, form and multipart
// bodies, JSON scalars such as "null" or "42", JSON with other spacing.  This is how
// `parse-compat replay` (src/traffic/replay.rs `send`) and fixtures/hostile represent raw
// bodies: a string is sent as it is, anything else as its JSON text.
// response.headers keeps content-type, allow, location, set-cookie, access-control-* and
// x-parse-*.  response.body is the parsed JSON when the text is JSON, else the text.  A
// transport failure gives response {status: null, headers: {}, body: null, error}.
// Generated values are replaced, in requests and responses alike, by placeholders numbered by
// first appearance in the file (request before response, JSON in key order):
//   <oid#N>   objectIds (values of objectId / userId / id, ACL keys, and any known id in a string)
//   <relay:Class:oid#N>  relay global ids, base64("Class:" + objectId)
//   <token#N> session tokens r:<32 hex>
//   <uuid#N>  UUIDs
//   <date>    ISO dates (except the fixed dates the generator sends, kept as they are)
//   127.0.0.1:<port>  the server's own address (yoga's error messages on 5.x/6.x embed it)
//   <nonce>   the CSP nonce (64 hex) of Apollo Server's landing page, new on every page
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateFor, DEFAULT_SEED } from './generate.mjs';
import { objectCasesFor } from './objects.mjs';
import { schemaCacheCasesFor } from './schema-cache.mjs';
import { UNKNOWN_ID, LITERAL_DATES as GEN_DATES } from './gql.mjs';

// ---------------------------------------------------------------- arguments
const args = {};
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--quiet') args.quiet = true;
  else if (a.startsWith('--')) args[a.slice(2)] = process.argv[++i];
}
if (!args.versions && !(args.url && args.version)) {
  console.error('usage: node record.mjs --versions "V1 V2 ..." [--port P] [--outdir DIR] [--only REGEX] [--seed N] [--start CMD] [--log-dir DIR] [--quiet]\n' +
    '       node record.mjs --url URL --version V [--out FILE] [--only REGEX] [--seed N] [--quiet]');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const FAMILY_DIR = { objects: 'graphql-objects', 'schema-cache': 'graphql-schema-cache' };
const OUTDIR = args.outdir || path.join(here, '..', '..', 'fixtures', FAMILY_DIR[args.cases] || 'graphql-diff');
const ONLY = args.only ? new RegExp(args.only) : null;
const SEED = args.seed !== undefined ? Number(args.seed) : DEFAULT_SEED;
const REQ_TIMEOUT = 10000;
const START = args.start || '/work/shared/parse-oracle/tools/real-parse-as-bin.sh serve --parse-version {version} --port {port}';
const HEALTH = { 'X-Parse-Application-Id': 'compatApp', 'X-Parse-REST-API-Key': 'compatRest' };

// ---------------------------------------------------------------- HTTP
function request(base, { method, path: p, headers, body }) {
  return new Promise((resolve) => {
    const h = { ...headers };
    if (body !== null && body !== undefined) h['Content-Length'] = Buffer.byteLength(body);
    let req;
    try {
      req = http.request({ host: base.hostname, port: base.port, method, path: p, headers: h, agent: false, timeout: REQ_TIMEOUT },
        (res) => {
          const chunks = [];
          res.on('data', c => chunks.push(c));
          res.on('end', () => resolve({ ok: true, res, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', e => resolve({ ok: false, error: String(e) }));
        });
    } catch (e) { resolve({ ok: false, error: String(e) }); return; }
    req.on('timeout', () => req.destroy(new Error(`timeout after ${REQ_TIMEOUT}ms`)));
    req.on('error', e => resolve({ ok: false, error: String(e) }));
    if (body !== null && body !== undefined) req.write(body);
    req.end();
  });
}
// The answer body as the Rust replayer reads it: JSON whenever the text is JSON, else the text.
function parseBody(text) {
  if (text.trim() !== '') {
    try { return JSON.parse(text); } catch { /* not JSON */ }
  }
  return text;
}
const KEEP_HEADER = /^(content-type|allow|location|set-cookie|access-control-.*|x-parse-.*)$/i;

// Numbers and strings that JSON.stringify and serde_json print the same way.
function serdeSafe(v) {
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return Number.isSafeInteger(v);
    const a = Math.abs(v);
    return Number.isFinite(v) && a >= 1e-5 && a < 1e15 && !/e/i.test(String(v));
  }
  if (typeof v === 'string') return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(v);
  if (Array.isArray(v)) return v.every(serdeSafe);
  if (v && typeof v === 'object') return Object.entries(v).every(([k, x]) => serdeSafe(k) && serdeSafe(x));
  return true;
}
function recordBody(text) {
  if (text === null || text === undefined) return null;
  let v;
  try { v = JSON.parse(text); } catch { return text; }
  if (v === null || typeof v !== 'object') return text;
  if (JSON.stringify(v) !== text || !serdeSafe(v)) return text;
  return v;
}
// Lone surrogates cannot be read back by serde_json: keep every string of a record well formed.
function wellFormed(v) {
  if (typeof v === 'string') return v.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  if (Array.isArray(v)) return v.map(wellFormed);
  if (v && typeof v === 'object') { const o = {}; for (const [k, x] of Object.entries(v)) o[wellFormed(k)] = wellFormed(x); return o; }
  return v;
}

// ---------------------------------------------------------------- placeholders
const TOKEN_RE = /r:[0-9a-f]{32}/g;
const OID_RE = /^[A-Za-z0-9]{10}$/;
const DATE_RE = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z/g;
const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const LITERAL_DATES = new Set(GEN_DATES);
const ID_KEYS = new Set(['objectId', 'userId', 'id']);

function decodeRelay(s) {
  if (typeof s !== 'string' || s.length < 8 || !/^[A-Za-z0-9+/]+=*$/.test(s)) return null;
  const d = Buffer.from(s, 'base64').toString('utf8');
  if (Buffer.from(d, 'utf8').toString('base64') !== s) return null;
  const m = /^([A-Za-z_][A-Za-z0-9_]*):([A-Za-z0-9]{10})$/.exec(d);
  return m && m[2] !== UNKNOWN_ID ? { className: m[1], objectId: m[2] } : null;
}

class Placeholders {
  constructor(port) { this.port = port; this.tokens = new Map(); this.oids = new Map(); this.uuids = new Map(); this.relays = new Map(); }
  number(map, v, fmt) { if (!map.has(v)) map.set(v, fmt(map.size + 1)); return map.get(v); }
  oid(v) { return this.number(this.oids, v, n => `<oid#${n}>`); }
  // ids and tokens in an answer
  discover(v, key) {
    if (Array.isArray(v)) { v.forEach(x => this.discover(x, key)); return; }
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'ACL' && x && typeof x === 'object' && !Array.isArray(x)) {
          for (const aclKey of Object.keys(x)) if (OID_RE.test(aclKey)) this.oid(aclKey);
        }
        this.discover(x, k);
      }
      return;
    }
    if (typeof v !== 'string') return;
    this.discoverTokens(v);
    if (ID_KEYS.has(key) && OID_RE.test(v) && v !== UNKNOWN_ID) this.oid(v);
    if (ID_KEYS.has(key)) {
      const r = decodeRelay(v);
      if (r) { const p = this.oid(r.objectId); this.relays.set(v, `<relay:${r.className}:${p.slice(1, -1)}>`); }
    }
  }
  discoverTokens(v) {
    if (Array.isArray(v)) { v.forEach(x => this.discoverTokens(x)); return; }
    if (v && typeof v === 'object') { for (const [k, x] of Object.entries(v)) { this.discoverTokens(k); this.discoverTokens(x); } return; }
    if (typeof v === 'string') for (const t of v.match(TOKEN_RE) || []) this.number(this.tokens, t, n => `<token#${n}>`);
  }
  str(s) {
    for (const [live, p] of this.relays) if (s.includes(live)) s = s.split(live).join(p);
    s = s.replace(TOKEN_RE, t => this.tokens.get(t) || t);
    s = s.replace(UUID_RE, u => this.number(this.uuids, u.toLowerCase(), n => `<uuid#${n}>`));
    s = s.replace(DATE_RE, d => (LITERAL_DATES.has(d) ? d : '<date>'));
    s = s.split(`127.0.0.1:${this.port}`).join('127.0.0.1:<port>').split(`localhost:${this.port}`).join('localhost:<port>');
    // Apollo Server 5's landing page (9.x, GET with Accept: text/html) draws a new CSP nonce per page
    s = s.replace(/(nonce[-=]"?)[0-9a-f]{64}/g, '$1<nonce>');
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
  // the generator's placeholders -> live values, before sending
  live(s) {
    if (typeof s !== 'string') return s;
    return s.replace(/<token#\d+>|<oid#\d+>|<relay:[A-Za-z_]+:oid#\d+>/g, (p) => {
      if (p.startsWith('<token#')) { for (const [live, q] of this.tokens) if (q === p) return live; return p; }
      if (p.startsWith('<oid#')) { for (const [live, q] of this.oids) if (q === p) return live; return p; }
      const m = /^<relay:([A-Za-z_]+):(oid#\d+)>$/.exec(p);
      for (const [live, q] of this.oids) {
        if (q !== `<${m[2]}>`) continue;
        const relay = Buffer.from(`${m[1]}:${live}`).toString('base64');
        this.relays.set(relay, p);
        return relay;
      }
      return p;
    });
  }
}

// ---------------------------------------------------------------- one version
async function recordVersion({ version, base, out, startCmd, logFile }) {
  const ph = new Placeholders(base.port);
  const lines = [];
  let child = null;
  const all = args.cases === 'objects' ? objectCasesFor(version)
    : args.cases === 'schema-cache' ? schemaCacheCasesFor(version)
    : generateFor(version, SEED);
  const cases = all.filter(c => !ONLY || ONLY.test(c.step) || c.step.startsWith('prelude.'));

  async function health() {
    const r = await request(base, { method: 'GET', path: '/parse/health', headers: HEALTH, body: null });
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
    const stopped = await Promise.race([exited.then(() => true), new Promise(r => setTimeout(() => r(false), 15000))]);
    try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
    child = null;
    if (!stopped && logFile) {
      // a server whose event loop is blocked never runs the wrapper's SIGTERM clean-up: drop the
      // database that wrapper created (its name is in the server's first log line)
      const m = /\(db (oracle_conf_[a-z0-9_]+), pid/.exec(fs.readFileSync(logFile, 'utf8'));
      if (m) {
        await new Promise(r => spawn('su', ['postgres', '-c', `psql -q -c 'DROP DATABASE IF EXISTS ${m[1]} WITH (FORCE)'`], { stdio: 'ignore' }).on('exit', r));
        console.log(`[${version}] the server ignored SIGTERM; dropped its database ${m[1]}`);
      }
    }
  }

  const counts = { exchanges: 0, transport: 0, status: {} };
  async function ex(c) {
    if (c.waitBefore) await new Promise(r => setTimeout(r, c.waitBefore));
    const headers = {};
    for (const [k, v] of Object.entries(c.headers)) headers[k] = ph.live(v);
    const liveBody = c.body === null ? null : ph.live(c.body);
    const livePath = ph.live(c.path);
    const r = await request(base, { method: c.method, path: livePath, headers, body: liveBody });
    const rec = { step: c.step, request: { method: c.method, path: livePath, headers, body: recordBody(liveBody) } };
    if (c.waitBefore) rec.waitBefore = c.waitBefore;
    if (!r.ok) rec.response = { status: null, headers: {}, body: null, error: r.error };
    else {
      const rh = {};
      for (const [k, v] of Object.entries(r.res.headers)) if (KEEP_HEADER.test(k)) rh[k] = v;
      rec.response = { status: r.res.statusCode, headers: rh, body: parseBody(r.text) };
    }
    ph.discoverTokens(rec.request);
    ph.discover(rec.response);
    const line = wellFormed(ph.rewrite(rec));
    // the recording must show exactly what the generator asked for
    const want = { method: c.method, path: c.path, headers: c.headers, body: recordBody(c.body) };
    if (JSON.stringify(wellFormed(want)) !== JSON.stringify(line.request)) {
      throw new Error(`${c.step}: the recorded request differs from the generated one:\n${JSON.stringify(want)}\n${JSON.stringify(line.request)}`);
    }
    lines.push(line);
    counts.exchanges++;
    if (!r.ok) counts.transport++;
    counts.status[line.response.status] = (counts.status[line.response.status] || 0) + 1;
    // the prelude session must stay valid until final.*: Parse's middleware refusing it means a
    // request changed the database under the recording
    if (!c.step.startsWith('final.') && !c.step.startsWith('hang.') && c.headers['X-Parse-Session-Token'] === '<token#1>' &&
        JSON.stringify(line.response.body) === '{"code":209,"error":"Invalid session token"}') counts.lostSession = (counts.lostSession || 0) + 1;
    if (!args.quiet) {
      const b = line.response.body;
      const brief = (typeof b === 'string' ? JSON.stringify(b.slice(0, 100)) : JSON.stringify(b) ?? '').slice(0, 150);
      console.log(`[${version}] ${c.step.padEnd(34)} ${String(line.response.status).padEnd(4)} ${line.response.error || brief}`);
    }
    return r.ok;
  }

  try {
    if (startCmd) await startServer();
    else if (!(await health())) throw new Error(`no server at ${base.href}`);
    for (const [k, c] of cases.entries()) {
      const ok = await ex(c);
      if (!ok && k < cases.length - 1 && !(await health())) {
        await new Promise(r => setTimeout(r, 3000));
        if (!(await health())) {
          lines.push({ step: c.step, harnessError: 'the server stopped answering; the remaining cases were not sent' });
          console.log(`[${version}] ${c.step}: the server stopped answering, giving up`);
          break;
        }
      }
    }
  } finally {
    await stopServer();
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, lines.map(l => JSON.stringify(l)).join('\n') + '\n');
  console.log(`[${version}] wrote ${lines.length} exchanges to ${out}; statuses ${JSON.stringify(counts.status)}; transport failures ${counts.transport}`);
  if (counts.lostSession) console.log(`[${version}] WARNING: ${counts.lostSession} requests before final.* were refused the prelude session`);
}

// ---------------------------------------------------------------- main
async function main() {
  if (args.versions) {
    const port = Number(args.port || 9320);
    for (const version of args.versions.split(/[\s,]+/).filter(Boolean)) {
      const startCmd = START.split('{version}').join(version).split('{port}').join(String(port));
      await recordVersion({ version, base: new URL(`http://127.0.0.1:${port}`), out: path.join(OUTDIR, `${version}.jsonl`),
        startCmd, logFile: path.join(args['log-dir'] || '/tmp', `graphql-diff-${version}.log`) });
    }
  } else {
    await recordVersion({ version: args.version, base: new URL(args.url), out: args.out || path.join(OUTDIR, `${args.version}.jsonl`),
      startCmd: null, logFile: null });
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
