// Shared helpers for the hostile suite: spawning parse-compat, HTTP requests, pools, checks.
// Node built-ins only.
//
// Environment (set by run.sh; defaults make a check runnable on its own):
//   HOSTILE_BIN   the parse-compat binary under test
//   HOSTILE_SEED  the seed example (target/release/examples/seed)
//   HOSTILE_TMP   a scratch directory for this check (databases, logs)
//   HOSTILE_PIDS  a file to which every spawned server pid is appended, so that run.sh can kill
//                 leftovers (by pid) even when a check is killed by its time bound
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..');
export const BIN = path.resolve(process.env.HOSTILE_BIN || path.join(ROOT, 'target/release/parse-compat'));
export const SEED = path.resolve(process.env.HOSTILE_SEED || path.join(ROOT, 'target/release/examples/seed'));
export const TMP = process.env.HOSTILE_TMP || fs.mkdtempSync('/tmp/hostile-');
fs.mkdirSync(TMP, { recursive: true });
const PIDS = process.env.HOSTILE_PIDS || path.join(TMP, 'pids');

export const KEYS = { app: 'compatApp', master: 'compatMaster', rest: 'compatRest', client: 'compatClient' };
export const PROJECT = 'P2hostileProject';
export const REST = { 'X-Parse-Application-Id': KEYS.app, 'X-Parse-REST-API-Key': KEYS.rest };
export const RESTJ = { ...REST, 'Content-Type': 'application/json' };
export const GQL = { 'X-Parse-Application-Id': KEYS.app, 'X-Parse-Client-Key': KEYS.client, 'Content-Type': 'application/json' };
export const REFUSED_209 = '{"code":209,"error":"Invalid session token"}';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- reporting
let failures = 0;
const name = process.env.HOSTILE_CHECK || path.basename(process.argv[1] || 'check', '.mjs');
export function info(msg) { console.log(`  ${name}: ${msg}`); }
export function fail(msg) { failures++; console.log(`  ${name}: FAIL ${msg}`); }
export function check(cond, msg) { if (!cond) fail(msg); return !!cond; }
export function failed() { return failures; }
/** Run a check body; exit 0 when nothing failed, 1 otherwise (also on a thrown error). */
export async function main(fn) {
  try {
    await fn();
  } catch (e) {
    fail(`error: ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`);
  }
  await stopAll();
  process.exit(failures ? 1 : 0);
}

// ---------------------------------------------------------------- processes
const children = new Set();
function killChildren() {
  for (const c of children) { try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ } }
}
process.on('exit', killChildren);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => { killChildren(); process.exit(128 + 15); });
}
async function stopAll() {
  for (const s of [...servers]) await s.stop();
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function tail(file, n = 15) {
  try { return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n'); } catch { return '(no log)'; }
}

const servers = new Set();

/**
 * Spawn `parse-compat serve` and (unless wait: false) wait until /parse/health answers 200.
 * opts: version, db (file path), descope (bool), masterKey (bool, default true), env (extra
 * environment; RUST_LOG and NO_COLOR are removed from the inherited one unless given here),
 * args (extra flags), ulimitN (run under `ulimit -n N`), log (file for stdout+stderr), port.
 */
export async function startServer(opts = {}) {
  const { version = '9.10.0', db, descope = false, masterKey = true, env = {}, args = [], ulimitN, wait = true } = opts;
  const port = opts.port ?? await freePort();
  const argv = ['serve', '--parse-version', version, '--host', '127.0.0.1', '--port', String(port),
    '--appId', KEYS.app, ...(masterKey ? ['--masterKey', KEYS.master] : []), '--restAPIKey', KEYS.rest,
    '--clientKey', KEYS.client, '--databaseURI', `sqlite:${db}`,
    ...(descope ? ['--descopeProjectId', PROJECT] : []), ...args];
  const logPath = opts.log || path.join(TMP, `server-${port}.log`);
  const fd = fs.openSync(logPath, 'a');
  const baseEnv = { ...process.env };
  delete baseEnv.RUST_LOG; delete baseEnv.NO_COLOR;
  for (const k of Object.keys(baseEnv)) if (k.startsWith('PARSE_SERVER_') || k.startsWith('PARSE_COMPAT_') || k === 'PORT' || k === 'PARSE_VERSION') delete baseEnv[k];
  let cmd = BIN; let cargs = argv;
  if (ulimitN) { cmd = 'bash'; cargs = ['-c', `ulimit -n ${ulimitN} && exec "$0" "$@"`, BIN, ...argv]; }
  const proc = spawn(cmd, cargs, { stdio: ['ignore', fd, fd], env: { ...baseEnv, ...env }, cwd: path.dirname(db) });
  fs.closeSync(fd);
  children.add(proc);
  try { fs.appendFileSync(PIDS, `${proc.pid}\n`); } catch { /* best effort */ }
  const s = {
    proc, pid: proc.pid, port, url: `http://127.0.0.1:${port}`, log: logPath, db,
    exited: false, exitCode: null, signal: null,
  };
  s.exitPromise = new Promise((resolve) => proc.on('exit', (code, signal) => {
    s.exited = true; s.exitCode = code; s.signal = signal; children.delete(proc); servers.delete(s); resolve();
  }));
  s.stop = async (ms = 8000) => {
    if (s.exited) return true;
    try { proc.kill('SIGTERM'); } catch { /* gone */ }
    const clean = await Promise.race([s.exitPromise.then(() => true), sleep(ms).then(() => false)]);
    if (!s.exited) { try { proc.kill('SIGKILL'); } catch { /* gone */ } await s.exitPromise; }
    return clean;
  };
  s.kill9 = async () => { try { proc.kill('SIGKILL'); } catch { /* gone */ } await s.exitPromise; };
  s.alive = () => !s.exited;
  servers.add(s);
  if (wait) await waitHealthy(s);
  return s;
}

export async function waitHealthy(s, ms = 15000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (s.exited) throw new Error(`server exited (code ${s.exitCode}, signal ${s.signal}) before answering; log:\n${tail(s.log)}`);
    try {
      const r = await request(s.url, { path: '/parse/health', headers: REST, timeout: 1000 });
      if (r.status === 200) return;
    } catch { /* not yet */ }
    await sleep(20);
  }
  throw new Error(`server on port ${s.port} not healthy within ${ms} ms; log:\n${tail(s.log)}`);
}

/** Seed DB with the seed example (the server must NOT be running on it). Returns the tokens. */
export function seed(db, sessions, version = '9.10.0') {
  const out = path.join(path.dirname(db), `tokens-${path.basename(db)}-${Date.now()}.txt`);
  const r = spawnSync(SEED, [db, String(sessions), out, version], { encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) throw new Error(`seed failed (${r.status}): ${r.stderr || r.error}`);
  return fs.readFileSync(out, 'utf8').split('\n').filter(Boolean);
}

/** Create the schema by starting and stopping a server on DB, then seed it. */
export async function seededDb(db, sessions, version = '9.10.0') {
  const s = await startServer({ version, db });
  await s.stop();
  return seed(db, sessions, version);
}

export function integrityCheck(db) {
  const r = spawnSync('python3', ['-c',
    'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(";".join(r[0] for r in c.execute("PRAGMA integrity_check")))', db],
  { encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) return `python3 failed: ${r.stderr.trim()}`;
  return r.stdout.trim();
}

// ---------------------------------------------------------------- HTTP
export function agent(maxSockets = 128) {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

/** One HTTP request; resolves {status, headers, text, json, ms}; rejects on a transport error. */
export function request(base, { method = 'GET', path: p, headers = {}, body, agent: ag = false, timeout = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(p, base);
    const buf = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const h = { ...headers };
    if (buf) h['Content-Length'] = String(buf.length);
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: h, agent: ag }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json; try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
      });
      res.on('error', reject);
    });
    req.setTimeout(timeout, () => req.destroy(new Error(`timeout after ${timeout} ms: ${method} ${p}`)));
    req.on('error', reject);
    if (buf) req.write(buf);
    req.end();
  });
}

/** Run fn over items with at most `width` in flight; returns results in order. */
export async function pool(items, width, fn) {
  const results = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

export const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

export function countInto(map, key) { map.set(key, (map.get(key) || 0) + 1); }
export const fmtCounts = (map) => [...map].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v} × ${k}`).join('; ');
