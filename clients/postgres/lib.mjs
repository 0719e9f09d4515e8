// Helpers shared by the PostgreSQL interop tests: REST calls with timing, psql, checks that
// record failures and go on (one run reports every difference), and value shapes.
import { execFileSync } from 'node:child_process';
import { isDeepStrictEqual, inspect } from 'node:util';

export const APP = 'compatApp';
export const MASTER = 'compatMaster';
export const REST_KEY = 'compatRest';

export const failures = [];
export const notes = [];
let section = '';

export function begin(name) {
  section = name;
  console.log(`# ${name}`);
}

/** Records a failed expectation with the request/answer that showed it, and goes on. */
export function check(ok, what, detail) {
  if (ok) {
    console.log(`ok - ${what}`);
    return true;
  }
  const text = detail === undefined ? '' : `\n    ${typeof detail === 'string' ? detail : inspect(detail, { depth: 6, breakLength: 160 })}`;
  console.log(`not ok - ${what}${text}`);
  failures.push(`[${section}] ${what}${text}`);
  return false;
}

export function checkEqual(actual, expected, what, context) {
  return check(isDeepStrictEqual(actual, expected), what, { expected, actual, ...(context ? { context } : {}) });
}

export function note(text) {
  console.log(`note - ${text}`);
  notes.push(`[${section}] ${text}`);
}

/** Runs a section; an exception (a request that could not be made, a missing value) is a failure. */
export async function run(name, fn) {
  begin(name);
  try {
    await fn();
  } catch (err) {
    check(false, `${name}: stopped by an exception`, err && err.stack ? err.stack : String(err));
  }
}

export function finish() {
  console.log('');
  if (notes.length) {
    console.log('NOTES:');
    for (const n of notes) console.log(`  ${n}`);
  }
  if (failures.length) {
    console.log(`FAILED: ${failures.length} check(s)`);
    for (const f of failures) console.log(`  - ${f}`);
    process.exit(1);
  }
  console.log('all checks passed');
}

/**
 * One REST call. Answers {status, body, text, sentAt, answeredAt} (performance.now() ms);
 * a transport error or timeout answers status 0 with the error in `error`.
 */
export async function call(base, method, path, { token, master, body, inst, timeout = 10000 } = {}) {
  const headers = { 'X-Parse-Application-Id': APP };
  if (master) headers['X-Parse-Master-Key'] = MASTER;
  else headers['X-Parse-REST-API-Key'] = REST_KEY;
  if (token) headers['X-Parse-Session-Token'] = token;
  if (inst) headers['X-Parse-Installation-Id'] = inst;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const sentAt = performance.now();
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeout),
    });
    const text = await res.text();
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text, sentAt, answeredAt: performance.now() };
  } catch (err) {
    return { status: 0, body: undefined, text: '', error: String(err && err.cause ? `${err} (${err.cause})` : err), sentAt, answeredAt: performance.now() };
  }
}

export const show = (r) => (r.status === 0 ? `no answer: ${r.error}` : `${r.status} ${r.text}`);

/** psql against the test database: one JSON value per row (`row_to_json`, `json_agg`...). */
export function psql(db, sql, port = 5432) {
  const out = execFileSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'parse', '-d', db, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.length).map((l) => JSON.parse(l));
}

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const PG_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?\+00:00$/;
export const TOKEN = /^r:[0-9a-f]{32}$/;
export const OBJECT_ID = /^[A-Za-z0-9]{10}$/;
export const BCRYPT10 = /^\$2[aby]\$10\$[./A-Za-z0-9]{53}$/;

/**
 * The shape of a value: which keys, in which order, of which kind, with the random parts
 * (ids, tokens, dates) named instead of compared. `self` (an objectId) becomes `<self>`.
 */
export function shape(value, self) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.map((v) => shape(v, self));
  if (typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k === self ? '<self>' : k] = shape(v, self);
    return out;
  }
  if (typeof value === 'string') {
    if (value === self) return '<self>';
    if (ISO_MS.test(value)) return '<iso-ms>';
    if (PG_TS.test(value)) return '<pg-ts-ms>'; // at most millisecond precision
    if (TOKEN.test(value)) return '<r:32hex>';
    if (BCRYPT10.test(value)) return '<bcrypt10>';
    if (OBJECT_ID.test(value)) return '<objectId>';
    return `<string>`;
  }
  return `<${typeof value}>`;
}

/** Which keys of a row are NULL and which are set, as {key: 'NULL'|'set'}. */
export function nullness(row) {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? 'NULL' : 'set']));
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const uid = () => Math.random().toString(36).slice(2, 8);
