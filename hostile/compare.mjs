#!/usr/bin/env node
// Compare a recording of parse-compat (scripts/record-hostile.mjs --out OURS) with the recording
// of real Parse (fixtures/hostile/V.jsonl), exchange by exchange.
//
//   node hostile/compare.mjs [--deviations hostile/deviations.tsv] [--verbose] \
//        VERSION FIXTURE.jsonl OURS.jsonl [VERSION FIXTURE OURS ...]
//
// Compared per exchange (matched by step name): whether it ran or was skipped, and of the
// response its kind (HTTP answer / timeout / closed / not HTTP), status, content-type, body
// (JSON compared key order included, with the recorder's <oid>/<token>/<date> placeholders),
// bodyText when the fixture keeps the raw text, and bodyLength for truncated bodies.
//
// deviations.tsv: `step regex <TAB> versions regex <TAB> reason`; '#' lines, blank lines and the
// header row (step_regex ...) are ignored. A differing exchange covered by a row is "listed" (no failure). A row that covers no
// differing exchange in any compared version is reported as a NOTE (not a failure).
// Exit status 1 when an exchange differs without a row, or when the server stopped answering
// (serverAlive false on any exchange of OURS, or a restart).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function loadDeviations(file) {
  const rows = [];
  fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const cols = line.split('\t');
    if (cols.length < 3) throw new Error(`${file}:${i + 1}: expected 3 tab-separated columns`);
    const [step, versions, ...reason] = cols;
    if (step === 'step_regex') return; // header row
    rows.push({ line: i + 1, stepRe: new RegExp(step), versionRe: new RegExp(versions), step, versions,
      reason: reason.join('\t'), matched: 0, differing: 0 });
  });
  return rows;
}

export function readJsonl(file) {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

function keyed(lines) {
  const m = new Map(); const seen = new Map();
  for (const l of lines) {
    const n = (seen.get(l.step) || 0) + 1; seen.set(l.step, n);
    m.set(n === 1 ? l.step : `${l.step}#${n}`, l);
  }
  return m;
}

/** What is compared of one recorded exchange. */
export function view(line, keepText) {
  if (!line) return { missing: true };
  if (line.skipped) return { skipped: true };
  if (line.harnessError) return { harnessError: line.harnessError };
  const r = line.response || {};
  if (r.status === undefined) {
    return { noAnswer: r.timeout ? 'timeout' : r.closed ? 'closed' : r.notHttp !== undefined ? `notHttp ${r.notHttp.slice(0, 40)}` : 'other' };
  }
  const v = { status: r.status, contentType: r.headers?.['content-type'] ?? null, body: r.body };
  if (r.bodyTruncated) v.bodyLength = r.bodyLength;
  if (keepText) v.bodyText = r.bodyText ?? null;
  return v;
}

export function short(v, n = 160) {
  if (v.missing) return '(missing)';
  if (v.skipped) return '(skipped: no token)';
  if (v.harnessError) return `(harness error ${v.harnessError})`;
  if (v.noAnswer) return `(no answer: ${v.noAnswer})`;
  const b = typeof v.body === 'string' ? JSON.stringify(v.body) : JSON.stringify(v.body);
  const len = v.bodyLength ? ` [${v.bodyLength} bytes]` : '';
  const s = `${v.status} ${v.contentType ?? '(no content-type)'} ${b}${len}`;
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/**
 * Compare one version. Returns {exchanges, listed: [...], unlisted: [...], dead: [...]}.
 * Updates rows' matched/differing counters.
 */
export function compareVersion(version, fixtureLines, oursLines, rows) {
  const fx = keyed(fixtureLines); const ours = keyed(oursLines);
  const out = { version, exchanges: 0, same: 0, listed: [], unlisted: [], dead: [] };
  const steps = [...fx.keys(), ...[...ours.keys()].filter((k) => !fx.has(k))];
  for (const step of steps) {
    const f = fx.get(step); const o = ours.get(step);
    const keepText = !!(f && f.response && f.response.bodyText !== undefined);
    const a = view(f, keepText); const b = view(o, keepText);
    out.exchanges++;
    const bare = step.replace(/#\d+$/, '');
    const cover = rows.filter((r) => r.stepRe.test(bare) && r.versionRe.test(version));
    cover.forEach((r) => r.matched++);
    if (JSON.stringify(a) === JSON.stringify(b)) { out.same++; continue; }
    cover.forEach((r) => r.differing++);
    const d = { step, real: a, ours: b, rows: cover.map((r) => r.line) };
    (cover.length ? out.listed : out.unlisted).push(d);
  }
  for (const o of oursLines) {
    if (o.serverAlive === false || o.serverRestarted) out.dead.push(o.step);
  }
  return out;
}

/** Print a report for several versions; returns true when nothing fails. */
export function report(results, rows, { verbose = false, log = console.log } = {}) {
  let ok = true;
  for (const r of results) {
    log(`${r.version}: ${r.exchanges} exchanges, ${r.same} identical, ${r.listed.length} listed deviations, ${r.unlisted.length} unlisted differences`);
    for (const s of r.dead) { ok = false; log(`  FAIL ${r.version} server not answering /parse/health after step ${s}`); }
    for (const d of r.unlisted) {
      ok = false;
      log(`  FAIL ${r.version} ${d.step}: not in deviations.tsv\n      real: ${short(d.real)}\n      ours: ${short(d.ours)}`);
    }
    if (verbose) for (const d of r.listed) log(`  listed (row ${d.rows.join(',')}) ${r.version} ${d.step}\n      real: ${short(d.real)}\n      ours: ${short(d.ours)}`);
  }
  for (const row of rows) {
    if (row.differing === 0) {
      log(`  NOTE deviations.tsv line ${row.line} (${row.step} / ${row.versions}) no longer differs` +
        ` (${row.matched} exchanges covered, all identical to real Parse): ${row.reason}`);
    }
  }
  return ok;
}

// ---------------------------------------------------------------- command line
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  let devFile = path.join(here, 'deviations.tsv'); let verbose = false;
  const rest = [];
  for (let i = 2; i < process.argv.length; i++) {
    const a = process.argv[i];
    if (a === '--deviations') devFile = process.argv[++i];
    else if (a === '--verbose') verbose = true;
    else rest.push(a);
  }
  if (rest.length === 0 || rest.length % 3 !== 0) {
    console.error('usage: node hostile/compare.mjs [--deviations FILE] [--verbose] VERSION FIXTURE OURS [...]');
    process.exit(2);
  }
  const rows = loadDeviations(devFile);
  const results = [];
  for (let i = 0; i < rest.length; i += 3) {
    results.push(compareVersion(rest[i], readJsonl(rest[i + 1]), readJsonl(rest[i + 2]), rows));
  }
  process.exit(report(results, rows, { verbose }) ? 0 : 1);
}
