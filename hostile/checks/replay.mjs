// Check 1 (replay): for every version recorded in fixtures/hostile/, start parse-compat as that
// version on a fresh database, run scripts/record-hostile.mjs against it, and compare its
// answers with real Parse's (hostile/compare.mjs, hostile/deviations.tsv). Fails on an
// unlisted difference or when the server died or stopped answering.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, HERE, TMP, startServer, main, info, fail, check, sleep, tail } from '../lib.mjs';
import { loadDeviations, readJsonl, compareVersion, report } from '../compare.mjs';

const FIXTURES = path.join(ROOT, 'fixtures', 'hostile');
const RECORDER = path.join(ROOT, 'scripts', 'record-hostile.mjs');
const RECORD_BOUND_MS = 120000;

function record(url, version, out, logFile) {
  return new Promise((resolve) => {
    const log = fs.openSync(logFile, 'w');
    const p = spawn(process.execPath, [RECORDER, '--url', url, '--version', version, '--out', out], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const t = setTimeout(() => { p.kill('SIGKILL'); }, RECORD_BOUND_MS);
    p.on('exit', (code, signal) => { clearTimeout(t); resolve({ code, signal }); });
  });
}

await main(async () => {
  const versions = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.jsonl')).map((f) => f.slice(0, -6))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const rows = loadDeviations(process.env.HOSTILE_DEVIATIONS || path.join(HERE, 'deviations.tsv'));
  const results = [];
  for (const v of versions) {
    const dir = path.join(TMP, `replay-${v}`); fs.mkdirSync(dir, { recursive: true });
    const s = await startServer({ version: v, db: path.join(dir, 'x.db'), log: path.join(dir, 'server.log') });
    const out = path.join(dir, 'ours.jsonl');
    const t0 = Date.now();
    const r = await record(s.url, v, out, path.join(dir, 'recorder.log'));
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    if (!check(!s.exited, `${v}: server process died during the replay (code ${s.exitCode}, signal ${s.signal}); log:\n${tail(s.log)}`)) continue;
    await s.stop();
    if (!check(r.code === 0 && fs.existsSync(out), `${v}: recorder failed (exit ${r.code} ${r.signal || ''}): ${tail(path.join(dir, 'recorder.log'), 5)}`)) continue;
    info(`${v}: recorded in ${secs} s`);
    results.push(compareVersion(v, readJsonl(path.join(FIXTURES, `${v}.jsonl`)), readJsonl(out), rows));
  }
  const lines = [];
  const ok = report(results, rows, { verbose: !!process.env.HOSTILE_VERBOSE, log: (l) => lines.push(l) });
  for (const l of lines) for (const x of l.split('\n')) info(x);
  check(results.length === versions.length, `only ${results.length} of ${versions.length} versions could be compared`);
  const listed = results.reduce((n, r) => n + r.listed.length, 0);
  if (!ok) fail('unlisted differences or a dead server (see above)');
  else info(`${results.length} versions compared; all ${listed} differing exchanges are listed in deviations.tsv`);
});
