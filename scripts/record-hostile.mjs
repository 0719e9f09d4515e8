#!/usr/bin/env node
// Records how a Parse-compatible server answers hostile / unusual HTTP input.
//
//   node scripts/record-hostile.mjs --url http://127.0.0.1:9000 --version 9.10.0 \
//        [--out fixtures/hostile/9.10.0.jsonl] [--only REGEX] \
//        [--start "/work/shared/parse-oracle/tools/real-parse-as-bin.sh serve --parse-version 9.10.0 --port 9000"] \
//        [--log /tmp/hostile-9.10.0.log]
//
// Only node: built-ins.  Every request goes over its own raw TCP connection (node:net), so the
// exact bytes, header names, duplicate headers and Content-Length are under our control.
// With --start, the script starts the server itself (in its own process group), and restarts
// it if a case killed it (a restart means a fresh, empty database).
//
// Output: one JSON object per exchange:
//   {"step", "request": {method, path, headers, body | bodyBase64 | bodyRepeat | bodyGenerated,
//                        chunked?}, "response": {status, headers, body, bodyLength?, closed?,
//                        timeout?, error?}, "serverAlive"}
// Request encodings that are not given verbatim:
//   bodyRepeat    = prefix + unit × count + close × count + suffix   (close defaults to "")
//   bodyGenerated = prefix + first `length` chars of sha256hex("0") + sha256hex("1") + ... + suffix
//   a header value {"repeat": "a", "count": N} is the character repeated N times.
//   "chunked": {"chunkSize": N} means the body was sent with Transfer-Encoding: chunked in
//   chunks of N bytes (the body fields describe the decoded body).
// Response bodies: parsed JSON when JSON, else text; generated values are replaced with
// <oid>, <token>, <date>.  A raw body over 4 KiB is cut to its first 2 KiB (of the normalized
// text) and "bodyLength" gives the raw byte length.
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------- arguments
const args = {};
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a.startsWith('--')) args[a.slice(2)] = process.argv[++i];
}
if (!args.url || !args.version) {
  console.error('usage: node record-hostile.mjs --url URL --version V [--out FILE] [--only REGEX] [--start CMD] [--log FILE]');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const OUT = args.out || path.join(here, '..', 'fixtures', 'hostile', `${args.version}.jsonl`);
const BASE = new URL(args.url);
const HOST = BASE.hostname;
const PORT = Number(BASE.port || 80);
const ONLY = args.only ? new RegExp(args.only) : null;
const REQ_TIMEOUT = 10000;

const APP = { 'X-Parse-Application-Id': 'compatApp' };
const REST = { ...APP, 'X-Parse-REST-API-Key': 'compatRest' };
const JSONCT = { 'Content-Type': 'application/json' };
const RESTJ = { ...REST, ...JSONCT };
const GQL = { ...APP, 'X-Parse-Client-Key': 'compatClient', ...JSONCT };
const GQLM = { ...APP, 'X-Parse-Master-Key': 'compatMaster', ...JSONCT };
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const KiB = 1024, MiB = 1024 * 1024;

// ---------------------------------------------------------------- bodies
// A body spec is one of {text}, {base64}, {repeat: {prefix, unit, count, close, suffix}},
// {generated: {prefix, length, suffix}}; build() turns it into bytes, describe() into the record.
const text = s => ({ text: s });
const json = o => ({ text: JSON.stringify(o) });
const bytes = b => ({ base64: Buffer.from(b).toString('base64') });
const repeat = (prefix, unit, count, suffix = '', close = '') => ({ repeat: { prefix, unit, count, close, suffix } });
const generated = (prefix, length, suffix) => ({ generated: { prefix, length, suffix } });

function sha256chain(length) {
  const parts = []; let n = 0;
  for (let i = 0; n < length; i++) { const h = crypto.createHash('sha256').update(String(i)).digest('hex'); parts.push(h); n += h.length; }
  return parts.join('').slice(0, length);
}
function build(spec) {
  if (!spec) return null;
  if (spec.text !== undefined) return Buffer.from(spec.text, 'utf8');
  if (spec.base64 !== undefined) return Buffer.from(spec.base64, 'base64');
  if (spec.repeat) {
    const { prefix, unit, count, close, suffix } = spec.repeat;
    return Buffer.from(prefix + unit.repeat(count) + (close || '').repeat(count) + suffix, 'utf8');
  }
  if (spec.generated) {
    const { prefix, length, suffix } = spec.generated;
    return Buffer.from(prefix + sha256chain(length) + suffix, 'utf8');
  }
  throw new Error('bad body spec');
}
function describe(spec) {
  if (!spec) return {};
  if (spec.text !== undefined) return { body: spec.text };
  if (spec.base64 !== undefined) return { bodyBase64: spec.base64 };
  if (spec.repeat) {
    const r = { ...spec.repeat }; if (!r.close) delete r.close;
    return { bodyRepeat: r };
  }
  if (spec.generated) return { bodyGenerated: { ...spec.generated, generator: 'sha256hex("0")+sha256hex("1")+...' } };
  return {};
}
function describeHeaderValue(v) {
  v = String(v);
  if (v.length <= 512) return v;
  if (v === v[0].repeat(v.length)) return { repeat: v[0], count: v.length };
  return { prefix: v.slice(0, 64), length: v.length };
}

// ---------------------------------------------------------------- raw HTTP
// headers: array of [name, value] pairs, sent in order (duplicates allowed).
// opts: {contentLength: 'auto' | value | null, chunked: chunkSize, noBody: bool, timeoutMs}
function rawExchange({ method, path: p, headers, body, chunked, contentLength = 'auto', timeoutMs = REQ_TIMEOUT }) {
  return new Promise((resolve) => {
    const hdrs = [['Host', `${HOST}:${PORT}`], ...headers];
    const buf = body ?? null;
    if (contentLength === 'auto' && buf && !chunked) hdrs.push(['Content-Length', String(buf.length)]);
    else if (contentLength !== 'auto' && contentLength !== null) hdrs.push(['Content-Length', String(contentLength)]);
    if (chunked) hdrs.push(['Transfer-Encoding', 'chunked']);
    const head = `${method} ${p} HTTP/1.1\r\n` + hdrs.map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';

    let data = Buffer.alloc(0);
    let parsed = null; // {status, headers, bodyStart, ...}
    let done = false;
    const sock = net.connect({ host: HOST, port: PORT });
    const timer = setTimeout(() => finish({ timeout: true }), timeoutMs);

    function tryParse() {
      if (!parsed) {
        const idx = data.indexOf('\r\n\r\n');
        if (idx < 0) return false;
        const lines = data.slice(0, idx).toString('latin1').split('\r\n');
        const m = /^HTTP\/\d\.\d (\d{3})/.exec(lines[0]);
        const h = {};
        for (const l of lines.slice(1)) {
          const c = l.indexOf(':'); if (c < 0) continue;
          const k = l.slice(0, c).trim().toLowerCase(); const v = l.slice(c + 1).trim();
          h[k] = h[k] === undefined ? v : [].concat(h[k], v);
        }
        parsed = { status: m ? Number(m[1]) : null, statusLine: lines[0], headers: h, bodyStart: idx + 4 };
        if (parsed.status >= 100 && parsed.status < 200) { data = data.slice(idx + 4); parsed = null; return tryParse(); }
      }
      const rest = data.slice(parsed.bodyStart);
      if (method === 'HEAD' || parsed.status === 204 || parsed.status === 304) { parsed.body = Buffer.alloc(0); return true; }
      if (/chunked/i.test(parsed.headers['transfer-encoding'] || '')) {
        const out = []; let off = 0;
        for (;;) {
          const e = rest.indexOf('\r\n', off); if (e < 0) return false;
          const size = parseInt(rest.slice(off, e).toString('latin1'), 16);
          if (Number.isNaN(size)) { parsed.body = Buffer.concat(out); parsed.badChunk = true; return true; }
          if (size === 0) { parsed.body = Buffer.concat(out); return true; }
          if (rest.length < e + 2 + size + 2) return false;
          out.push(rest.slice(e + 2, e + 2 + size)); off = e + 2 + size + 2;
        }
      }
      if (parsed.headers['content-length'] !== undefined) {
        const n = Number([].concat(parsed.headers['content-length'])[0]);
        if (rest.length >= n) { parsed.body = rest.slice(0, n); return true; }
        return false;
      }
      return false; // read until close
    }
    function finish(extra = {}) {
      if (done) return; done = true;
      clearTimeout(timer);
      sock.destroy();
      if (!parsed) tryParse();
      if (parsed) {
        if (!parsed.body) {
          parsed.body = data.slice(parsed.bodyStart);
          const framed = parsed.headers['content-length'] !== undefined || parsed.headers['transfer-encoding'] !== undefined;
          // no framing: the body ends when the server closes; a reset right after is the end too
          if (!framed && extra.error && /ECONNRESET|EPIPE/.test(extra.error)) { delete extra.error; extra.closedByServer = true; }
          else if (extra.timeout || extra.error) parsed.incomplete = true;
        }
        return resolve({ ...parsed, ...extra });
      }
      if (data.length) return resolve({ garbage: data.slice(0, 2048).toString('latin1'), ...extra });
      return resolve({ none: true, ...extra });
    }
    sock.on('data', (c) => { data = Buffer.concat([data, c]); if (tryParse()) finish(); });
    sock.on('end', () => finish({ closedByServer: true }));
    sock.on('close', () => finish({ closedByServer: true }));
    sock.on('error', (e) => finish({ error: e.code || String(e) }));
    sock.on('connect', async () => {
      sock.setNoDelay(true);
      const write = (b) => new Promise((res) => { if (done || sock.destroyed) return res(false); if (sock.write(b)) res(true); else sock.once('drain', () => res(true)); });
      // Between pieces, yield to the event loop so that an early answer (413, 431, 400) is read
      // before the next write; once the server has started answering, stop sending.  Otherwise a
      // write into a socket the server already reset can destroy it before its answer is read.
      const answered = () => done || data.length > 0;
      const yieldLoop = () => new Promise(r => setImmediate(r));
      // A head larger than 16 KiB goes out in 16 KiB pieces 5 ms apart, so that the server has
      // read everything sent so far when it rejects the head (431) and closes with a FIN rather
      // than a RST (a RST can discard its 431 answer before we read it).
      const headBuf = Buffer.from(head, 'latin1');
      const bigHead = headBuf.length > 16 * KiB;
      for (let off = 0; off < headBuf.length && !answered(); off += 16 * KiB) {
        await write(headBuf.slice(off, off + 16 * KiB));
        if (bigHead) await new Promise(r => setTimeout(r, 5)); else await yieldLoop();
      }
      if (!buf) return;
      const step = chunked || 64 * KiB;
      for (let off = 0; off < buf.length && !answered(); off += step) {
        const piece = buf.slice(off, off + step);
        if (chunked) await write(Buffer.concat([Buffer.from(piece.length.toString(16) + '\r\n'), piece, Buffer.from('\r\n')]));
        else await write(piece);
        await yieldLoop();
      }
      if (chunked && !answered()) await write(Buffer.from('0\r\n\r\n'));
    });
  });
}

// ---------------------------------------------------------------- normalization
const DATE_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
function normalize(v, generatedValues, parentKey) {
  if (Array.isArray(v)) return v.map(x => normalize(x, generatedValues));
  if (v && typeof v === 'object') {
    const o = {};
    for (const [k, x] of Object.entries(v)) {
      let key = k;
      if (parentKey === 'ACL' && k !== '*' && !k.startsWith('role:')) { generatedValues.set(k, '<oid>'); key = '<oid>'; }
      if (k === 'objectId' && typeof x === 'string') { generatedValues.set(x, '<oid>'); o[key] = '<oid>'; continue; }
      if (k === 'sessionToken' && typeof x === 'string') { generatedValues.set(x, '<token>'); o[key] = '<token>'; continue; }
      if ((k === 'createdAt' || k === 'updatedAt') && typeof x === 'string' && DATE_RE.test(x)) { generatedValues.set(x, '<date>'); o[key] = '<date>'; continue; }
      if (k === 'iso' && typeof x === 'string' && DATE_RE.test(x)) { o[key] = '<date>'; continue; }
      o[key] = normalize(x, generatedValues, k);
    }
    return o;
  }
  return v;
}
function replaceAll(s, generatedValues) {
  for (const [k, v] of generatedValues) if (k.length >= 8) s = s.split(k).join(v);
  return s;
}
const KEEP = ['content-type', 'content-length', 'connection', 'transfer-encoding', 'x-powered-by', 'access-control-allow-origin'];

function recordResponse(r, { keepText = false } = {}) {
  const out = {};
  if (r.none) {
    out.closed = true;
    if (r.timeout) { delete out.closed; out.timeout = true; out.noResponse = true; }
    if (r.error) out.error = r.error;
    return { rec: out };
  }
  if (r.garbage !== undefined) { out.notHttp = r.garbage; if (r.timeout) out.timeout = true; if (r.error) out.error = r.error; return { rec: out }; }
  out.status = r.status;
  out.statusLine = r.statusLine;
  out.headers = {};
  for (const k of KEEP) if (r.headers[k] !== undefined) out.headers[k] = r.headers[k];
  const raw = r.body;
  const t = raw.toString('utf8').split(`${HOST}:${PORT}`).join('127.0.0.1:<port>').split(`localhost:${PORT}`).join('localhost:<port>');
  const gv = new Map();
  let body = t;
  let isJson = false;
  if (/json/i.test(r.headers['content-type'] || '') || /^\s*[[{]/.test(t)) {
    try { body = normalize(JSON.parse(t), gv); isJson = true; } catch { /* keep text */ }
  }
  if (raw.length > 4 * KiB) {
    const s = isJson ? JSON.stringify(body) : replaceAll(t, gv);
    out.body = s.slice(0, 2 * KiB);
    out.bodyTruncated = true;
    out.bodyLength = raw.length;
  } else {
    out.body = isJson ? body : replaceAll(t, gv);
    if (keepText && isJson) out.bodyText = replaceAll(t, gv);
  }
  if (r.incomplete) out.incomplete = true;
  if (r.timeout) out.timeout = true;
  if (r.error) out.error = r.error;
  if (r.closedByServer && !r.headers['content-length'] && !r.headers['transfer-encoding']) out.closedAfterResponse = true;
  let parsedBody = null;
  try { parsedBody = JSON.parse(t); } catch { /* */ }
  return { rec: out, parsed: parsedBody };
}

// ---------------------------------------------------------------- server management
let child = null;
async function health() {
  const r = await rawExchange({ method: 'GET', path: '/parse/health', headers: Object.entries(REST), timeoutMs: 5000 });
  return r.status === 200;
}
async function startServer() {
  if (!args.start) return;
  const log = fs.openSync(args.log || `/tmp/hostile-${args.version}.log`, 'a');
  child = spawn('bash', ['-c', args.start], { detached: true, stdio: ['ignore', log, log] });
  for (let i = 0; i < 120; i++) {
    await new Promise(r => setTimeout(r, 500));
    if (await health()) return;
  }
  throw new Error('server did not come up');
}
async function stopServer() {
  if (!child) return;
  try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
  await new Promise(r => setTimeout(r, 1500));
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  child = null;
}

// ---------------------------------------------------------------- recording
const outLines = [];
let restarts = 0;
async function ex(step, req, opts = {}) {
  const hdrPairs = Array.isArray(req.headers) ? req.headers : Object.entries(req.headers || {});
  const buf = build(req.body);
  const r = await rawExchange({ method: req.method, path: req.path, headers: hdrPairs, body: buf, chunked: req.chunked,
    contentLength: req.contentLength === undefined ? 'auto' : req.contentLength, timeoutMs: req.timeoutMs || REQ_TIMEOUT });
  // record the request
  const sent = [['Host', '127.0.0.1:<port>'], ...hdrPairs];
  if ((req.contentLength === undefined) && buf && !req.chunked) sent.push(['Content-Length', String(buf.length)]);
  else if (req.contentLength !== undefined && req.contentLength !== null) sent.push(['Content-Length', String(req.contentLength)]);
  if (req.chunked) sent.push(['Transfer-Encoding', 'chunked']);
  const headers = {};
  let summaryDone = false;
  for (const [k, v] of sent) {
    if (req.headersSummary && /^X-(H-)?\d+$/.test(k)) { if (!summaryDone) Object.assign(headers, req.headersSummary); summaryDone = true; continue; }
    let d = describeHeaderValue(v);
    if (/^x-parse-session-token$/i.test(k) && /^r:[0-9a-f]{32}$/.test(v)) d = '<token>';
    headers[k] = headers[k] === undefined ? d : [].concat(headers[k], d);
  }
  const request = { method: req.method, path: req.path, headers, ...describe(req.body) };
  if (req.chunked) request.chunked = { chunkSize: req.chunked };
  if (req.note) request.note = req.note;
  if (req.timeoutMs) request.waitMs = req.timeoutMs;
  const { rec, parsed } = recordResponse(r, opts);
  const alive = await health();
  const line = { step, request, response: rec, serverAlive: alive };
  outLines.push(line);
  const short = rec.status ?? (rec.timeout ? 'timeout' : rec.closed ? 'closed' : JSON.stringify(rec).slice(0, 60));
  const bshort = rec.body === undefined ? '' : (typeof rec.body === 'string' ? rec.body : JSON.stringify(rec.body)).slice(0, 140);
  console.log(`[${args.version}] ${step}: ${short} ${bshort}${alive ? '' : '  *** SERVER DEAD ***'}`);
  if (!alive && args.start) {
    restarts++;
    await stopServer();
    await startServer();
    line.serverRestarted = true;
  }
  return { rec, parsed };
}
function skip(step, why) {
  outLines.push({ step, skipped: why });
  console.log(`[${args.version}] ${step}: skipped (${why})`);
}

// ---------------------------------------------------------------- cases
const nest = (n, open = '[', close = ']') => open.repeat(n) + close.repeat(n);
// JSON text of a sign-up/login object with "x" nested n deep, built as bodyRepeat.
const deepBody = (fields, n) => repeat(JSON.stringify(fields).slice(0, -1) + ',"x":', '[', n, '}', ']');
const signUp = (step, username, extra = {}, password = 'p') =>
  ex(step, { method: 'POST', path: '/parse/users', headers: RESTJ, body: json({ username, password, ...extra }) });
const me = (step, token, opts) => token
  ? ex(step, { method: 'GET', path: '/parse/users/me', headers: { ...REST, 'X-Parse-Session-Token': token } }, opts)
  : skip(step, 'no session token');
const tokenOf = r => (r && r.parsed && typeof r.parsed.sessionToken === 'string') ? r.parsed.sessionToken : null;

const cases = [];
const def = (name, fn) => cases.push({ name, fn });

// 1. unterminated bodies
for (const [label, unit] of [['openBrackets100k', '['], ['openObjects100k', '{"a":']]) {
  def(`1.users.${label}.appId`, s => ex(s, { method: 'POST', path: '/parse/users', headers: RESTJ, body: repeat('', unit, 100000) }));
  def(`1.users.${label}.noAppId`, s => ex(s, { method: 'POST', path: '/parse/users', headers: JSONCT, body: repeat('', unit, 100000) }));
}

// 2. deep but valid JSON
for (const n of [200, 1000, 10000, 100000]) {
  def(`2.login.deep${n}`, async (s) => {
    const u = `h2_login_deep${n}`;
    await signUp(`${s}/signUp`, u);
    const r = await ex(s, { method: 'POST', path: '/parse/login', headers: RESTJ, body: deepBody({ username: u, password: 'p' }, n) });
    await me(`${s}/me`, tokenOf(r));
  });
}
for (const n of [200, 1000, 10000, 100000]) {
  def(`2.signUp.deep${n}`, async (s) => {
    const u = `h2_signup_deep${n}`;
    const r = await ex(s, { method: 'POST', path: '/parse/users', headers: RESTJ, body: deepBody({ username: u, password: 'p' }, n) });
    await me(`${s}/me`, tokenOf(r));
  });
}

// 3. numbers (raw JSON text, so the literal reaches the server unchanged)
for (const [label, lit] of [['posInf1e999', '1e999'], ['negInf-1e999', '-1e999'], ['max1e308', '1e308'],
  ['bigInt30digits', '123456789012345678901234567890'], ['underflow0.1e-400', '0.1e-400']]) {
  def(`3.number.${label}`, async (s) => {
    const u = `h3_${label}`;
    const r = await ex(s, { method: 'POST', path: '/parse/users', headers: RESTJ, body: text(`{"username":"${u}","password":"p","n":${lit}}`) });
    await me(`${s}/me`, tokenOf(r), { keepText: true });
  });
}

// 4. strings
for (const [label, esc] of [['loneSurrogate', '\\ud800'], ['surrogatePair', '\\ud83d\\ude00'], ['nul', '\\u0000'],
  ['rawUtf8Emoji', '\u{1F600}']]) {
  def(`4.string.${label}`, async (s) => {
    const bodyText = `{"username":"h4_${label}_${esc}","password":"p"}`;
    const r = await ex(s, { method: 'POST', path: '/parse/users', headers: RESTJ, body: text(bodyText) }, { keepText: true });
    await me(`${s}/me.afterSignUp`, tokenOf(r), { keepText: true });
    const l = await ex(`${s}/login`, { method: 'POST', path: '/parse/login', headers: RESTJ, body: text(bodyText) }, { keepText: true });
    await me(`${s}/me.afterLogin`, tokenOf(l), { keepText: true });
  });
}
def('4.string.loneSurrogate.thenU+FFFD', async (s) => {
  // is "\ud800" stored as U+FFFD, i.e. the same username as a literal U+FFFD?
  await ex(s, { method: 'POST', path: '/parse/users', headers: RESTJ, body: text('{"username":"h4_lone2_\\ud800","password":"p"}') });
  await ex(`${s}/signUpAgainAsU+FFFD`, { method: 'POST', path: '/parse/users', headers: RESTJ, body: text('{"username":"h4_lone2_\ufffd","password":"p"}') }, { keepText: true });
  await ex(`${s}/loginAsU+FFFD`, { method: 'POST', path: '/parse/login', headers: RESTJ, body: text('{"username":"h4_lone2_\ufffd","password":"p"}') }, { keepText: true });
});
def('4.string.rawInvalidUtf8', async (s) => {
  const b = Buffer.concat([Buffer.from('{"username":"h4_rawInvalid_'), Buffer.from([0xff, 0xfe]), Buffer.from('","password":"p"}')]);
  const r = await ex(s, { method: 'POST', path: '/parse/users', headers: RESTJ, body: bytes(b) }, { keepText: true });
  await me(`${s}/me.afterSignUp`, tokenOf(r), { keepText: true });
  const l = await ex(`${s}/login`, { method: 'POST', path: '/parse/login', headers: RESTJ, body: bytes(b) }, { keepText: true });
  await me(`${s}/me.afterLogin`, tokenOf(l), { keepText: true });
  // the same name as the replacement characters a lenient UTF-8 decoder would produce
  await ex(`${s}/login.asU+FFFD`, { method: 'POST', path: '/parse/login', headers: RESTJ, body: text('{"username":"h4_rawInvalid_\ufffd\ufffd","password":"p"}') });
});

// 5. UTF-8 BOM
const withBom = o => bytes(Buffer.concat([BOM, Buffer.from(JSON.stringify(o))]));
def('5.bom.login', async (s) => {
  await signUp(`${s}/signUp`, 'h5_login');
  const r = await ex(s, { method: 'POST', path: '/parse/login', headers: RESTJ, body: withBom({ username: 'h5_login', password: 'p' }) });
  await me(`${s}/me`, tokenOf(r));
});
def('5.bom.signUp', async (s) => {
  const r = await ex(s, { method: 'POST', path: '/parse/users', headers: RESTJ, body: withBom({ username: 'h5_signup', password: 'p' }) });
  await me(`${s}/me`, tokenOf(r));
});
def('5.bom.signUp.charsetUtf8', async (s) => {
  const r = await ex(s, { method: 'POST', path: '/parse/users', headers: { ...REST, 'Content-Type': 'application/json; charset=utf-8' }, body: withBom({ username: 'h5_charset', password: 'p' }) });
  await me(`${s}/me`, tokenOf(r));
});
def('5.bom.login.charsetUtf8', async (s) => {
  await signUp(`${s}/signUp`, 'h5_login_charset');
  await ex(s, { method: 'POST', path: '/parse/login', headers: { ...REST, 'Content-Type': 'application/json; charset=utf-8' }, body: withBom({ username: 'h5_login_charset', password: 'p' }) });
});

// 6. Content-Length / body size
const LIMIT = 20 * MiB; // parse-server default maxUploadSize '20mb'
const padBody = (prefixObj, total) => { // JSON object of exactly `total` bytes with a "pad" string field
  const prefix = JSON.stringify(prefixObj).slice(0, -1) + ',"pad":"';
  const suffix = '"}';
  return repeat(prefix, 'a', total - prefix.length - suffix.length, suffix);
};
def('6.contentLength25M.noBody.users', s => ex(s, { method: 'POST', path: '/parse/users', headers: RESTJ, contentLength: 25000000, timeoutMs: 3000, note: 'headers only, no body bytes sent; waited 3 s' }));
def('6.contentLength25M.noBody.graphql', s => ex(s, { method: 'POST', path: '/graphql', headers: GQL, contentLength: 25000000, timeoutMs: 3000, note: 'headers only, no body bytes sent; waited 3 s' }));
def('6.body21MiB.users', s => ex(s, { method: 'POST', path: '/parse/users', headers: RESTJ, body: padBody({ username: 'h6_21mib', password: 'p' }, 21 * MiB) }));
def('6.body21MiB.graphql', s => ex(s, { method: 'POST', path: '/graphql', headers: GQL, body: padBody({ query: '{ health }' }, 21 * MiB) }));
def('6.bodyExactly20MiB.users', async (s) => {
  const r = await ex(s, { method: 'POST', path: '/parse/users', headers: RESTJ, body: padBody({ username: 'h6_exact20mib', password: 'p' }, LIMIT) });
  await me(`${s}/me`, tokenOf(r));
});
def('6.body20MiBplus1.users', s => ex(s, { method: 'POST', path: '/parse/users', headers: RESTJ, body: padBody({ username: 'h6_20mibplus1', password: 'p' }, LIMIT + 1) }));
def('6.body200KB.graphql', s => ex(s, { method: 'POST', path: '/graphql', headers: GQL, body: padBody({ query: '{ health }' }, 200000) }));
def('6.contentLengthNotNumber', s => ex(s, { method: 'POST', path: '/parse/login', headers: RESTJ, contentLength: 'abc', body: json({ username: 'h6_cl_abc', password: 'p' }) }));
def('6.contentLengthTwiceDisagree', (s) => {
  const body = json({ username: 'h6_cl_twice', password: 'p' }); const n = String(Buffer.byteLength(body.text));
  return ex(s, { method: 'POST', path: '/parse/login', headers: [...Object.entries(RESTJ), ['Content-Length', '2'], ['Content-Length', n]], contentLength: null, body });
});
def('6.contentLengthTwiceSame', (s) => {
  const body = json({ username: 'h6_cl_same', password: 'p' }); const n = String(Buffer.byteLength(body.text));
  return ex(s, { method: 'POST', path: '/parse/login', headers: [...Object.entries(RESTJ), ['Content-Length', n], ['Content-Length', n]], contentLength: null, body });
});
def('6.chunked21MiB.users', s => ex(s, { method: 'POST', path: '/parse/users', headers: RESTJ, chunked: 64 * KiB, body: padBody({ username: 'h6_chunked', password: 'p' }, 21 * MiB) }));
def('6.chunkedSmall.signUp', async (s) => {
  const r = await ex(s, { method: 'POST', path: '/parse/users', headers: RESTJ, chunked: 7, body: json({ username: 'h6_chunked_small', password: 'p' }) });
  await me(`${s}/me`, tokenOf(r));
});
def('6.chunkedPlusContentLength', s => ex(s, { method: 'POST', path: '/parse/login', headers: [...Object.entries(RESTJ), ['Content-Length', '5']], contentLength: null, chunked: 1024, body: json({ username: 'h6_te_cl', password: 'p' }) }));

// 7. headers (on a login for a user that does not exist: deterministic 404/101 when accepted)
const loginNobody = (extraHeaders) => ({ method: 'POST', path: '/parse/login', headers: [...Object.entries(RESTJ), ...extraHeaders], body: json({ username: 'h7_nobody', password: 'p' }) });
for (const [label, n] of [['8KiB', 8 * KiB], ['16KiB', 16 * KiB], ['17KiB', 17 * KiB], ['64KiB', 64 * KiB], ['1MiB', MiB]]) {
  def(`7.header.xFoo${label}`, s => ex(s, loginNobody([['X-Foo', 'a'.repeat(n)]])));
}
def('7.header.xFoo15000', s => ex(s, loginNobody([['X-Foo', 'a'.repeat(15000)]])));
def('7.headers200', s => ex(s, { ...loginNobody(Array.from({ length: 200 }, (_, i) => [`X-H-${String(i).padStart(3, '0')}`, 'v'])), headersSummary: { 'X-H-000 … X-H-199': 'v (200 extra headers)' } }));
def('7.headers2100', s => ex(s, { ...loginNobody(Array.from({ length: 2100 }, (_, i) => [`X-${String(i).padStart(4, '0')}`, 'v'])), headersSummary: { 'X-0000 … X-2099': 'v (2100 extra headers)' } }));
def('7.sessionToken8KiB.me', s => ex(s, { method: 'GET', path: '/parse/users/me', headers: { ...REST, 'X-Parse-Session-Token': 'a'.repeat(8 * KiB) } }));
def('7.sessionToken100KiB.me', s => ex(s, { method: 'GET', path: '/parse/users/me', headers: { ...REST, 'X-Parse-Session-Token': 'a'.repeat(100 * KiB) } }));

// 8. huge field values
def('8.username2MiB', async (s) => {
  const body = repeat('{"username":"h8_', 'a', 2 * MiB, '","password":"p"}');
  const r = await ex(s, { method: 'POST', path: '/parse/users', headers: RESTJ, body });
  await me(`${s}/me.afterSignUp`, tokenOf(r));
  const l = await ex(`${s}/login`, { method: 'POST', path: '/parse/login', headers: RESTJ, body });
  await me(`${s}/me.afterLogin`, tokenOf(l));
});
def('8.username2MiB.incompressible', async (s) => {
  const body = generated('{"username":"h8n_', 2 * MiB, '","password":"p"}');
  const r = await ex(s, { method: 'POST', path: '/parse/users', headers: RESTJ, body });
  await me(`${s}/me.afterSignUp`, tokenOf(r));
  const l = await ex(`${s}/login`, { method: 'POST', path: '/parse/login', headers: RESTJ, body });
  await me(`${s}/me.afterLogin`, tokenOf(l));
});
for (const n of [2600, 2800]) {
  def(`8.username${n}.incompressible`, async (s) => {
    const body = generated(`{"username":"h8_${n}_`, n, '","password":"p"}');
    const r = await ex(s, { method: 'POST', path: '/parse/users', headers: RESTJ, body });
    await me(`${s}/me`, tokenOf(r));
  });
}
def('8.email1MiB', async (s) => {
  const r = await ex(s, { method: 'POST', path: '/parse/users', headers: RESTJ, body: repeat('{"username":"h8_email","password":"p","email":"', 'a', MiB, '@x.com"}') });
  await me(`${s}/me`, tokenOf(r));
});

// 9. form-encoded
def('9.form.login', async (s) => {
  await signUp(`${s}/signUp`, 'h9_form');
  const r = await ex(s, { method: 'POST', path: '/parse/login', headers: { ...REST, 'Content-Type': 'application/x-www-form-urlencoded' }, body: text('username=h9_form&password=p') });
  await me(`${s}/me`, tokenOf(r));
});
def('9.form.signUp', async (s) => {
  const r = await ex(s, { method: 'POST', path: '/parse/users', headers: { ...REST, 'Content-Type': 'application/x-www-form-urlencoded' }, body: text('username=h9_form_signup&password=p') });
  await me(`${s}/me`, tokenOf(r));
});
def('9.form.login.jsonTextInForm', async (s) => {
  await signUp(`${s}/signUp`, 'h9_form_json');
  await ex(s, { method: 'POST', path: '/parse/login', headers: { ...REST, 'Content-Type': 'application/x-www-form-urlencoded' }, body: json({ username: 'h9_form_json', password: 'p' }) });
});

// 10. GraphQL
def('10.graphql.openBrackets100k', s => ex(s, { method: 'POST', path: '/graphql', headers: GQL, body: repeat('', '[', 100000) }));
def('10.graphql.openObjects100k', s => ex(s, { method: 'POST', path: '/graphql', headers: GQL, body: repeat('', '{"a":', 100000) }));
def('10.graphql.openBrackets100k.masterKey', s => ex(s, { method: 'POST', path: '/graphql', headers: GQLM, body: repeat('', '[', 100000) }));
for (const n of [200, 10000, 100000]) {
  def(`10.graphql.variablesDeep${n}`, s => ex(s, { method: 'POST', path: '/graphql', headers: GQL, body: repeat('{"query":"{ health }","variables":{"x":', '[', n, '}}', ']') }));
}
def('10.graphql.variablesDeep200.masterKey', s => ex(s, { method: 'POST', path: '/graphql', headers: GQLM, body: repeat('{"query":"{ health }","variables":{"x":', '[', 200, '}}', ']') }));
for (const n of [1000, 10000, 100000]) {
  def(`10.graphql.queryNested${n}`, s => ex(s, { method: 'POST', path: '/graphql', headers: GQL, body: repeat('{"query":"', '{a', n, '"}', '}'), note: 'query text = "{a"×N + "}"×N, i.e. { a { a { ... a } } }' }));
}
def('10.graphql.bom', s => ex(s, { method: 'POST', path: '/graphql', headers: GQL, body: withBom({ query: '{ health }' }) }));
def('10.graphql.bom.charsetUtf8', s => ex(s, { method: 'POST', path: '/graphql', headers: { ...APP, 'X-Parse-Client-Key': 'compatClient', 'Content-Type': 'application/json; charset=utf-8' }, body: withBom({ query: '{ health }' }) }));

// ---------------------------------------------------------------- main
async function main() {
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  if (args.start) await startServer();
  else if (!(await health())) { console.error(`no server at ${args.url}`); process.exit(1); }
  for (const c of cases) {
    if (ONLY && !ONLY.test(c.name)) continue;
    try { await c.fn(c.name); } catch (e) {
      outLines.push({ step: c.name, harnessError: String(e && e.stack || e).split('\n')[0] });
      console.log(`[${args.version}] ${c.name}: harness error ${e}`);
    }
  }
  fs.writeFileSync(OUT, outLines.map(l => JSON.stringify(l)).join('\n') + '\n');
  console.log(`wrote ${outLines.length} exchanges to ${OUT} (${restarts} server restarts)`);
  await stopServer();
}
main().catch(async (e) => { console.error(e); await stopServer(); process.exit(1); });
