// Check 7 (twoservers): a second server on a database file already served must exit non-zero
// within 10 s saying the file is "in use by another parse-compat process"; the first server
// keeps answering /parse/health.
import fs from 'node:fs';
import path from 'node:path';
import { TMP, REST, startServer, request, main, info, check, sleep, tail } from '../lib.mjs';

await main(async () => {
  const db = path.join(TMP, 'two.db');
  const first = await startServer({ db, log: path.join(TMP, 'first.log') });
  const second = await startServer({ db, wait: false, log: path.join(TMP, 'second.log') });
  const t0 = Date.now();
  const exited = await Promise.race([second.exitPromise.then(() => true), sleep(10000).then(() => false)]);
  const out = fs.readFileSync(second.log, 'utf8');
  if (check(exited, `second server still running after 10 s; log: ${tail(second.log, 5)}`)) {
    info(`second server exited after ${Date.now() - t0} ms with code ${second.exitCode}${second.signal ? ` signal ${second.signal}` : ''}: ${out.trim().split('\n').pop().slice(0, 200)}`);
    check(second.exitCode !== 0 && second.exitCode !== null, `second server exit code ${second.exitCode} (signal ${second.signal})`);
    check(out.includes('in use by another parse-compat process'), `second server's output lacks "in use by another parse-compat process": ${out.slice(0, 300)}`);
  }
  for (let i = 0; i < 3; i++) {
    const r = await request(first.url, { path: '/parse/health', headers: REST, timeout: 2000 }).catch((e) => ({ status: e.message }));
    check(r.status === 200, `first server /parse/health #${i + 1}: ${r.status}`);
  }
  check(!first.exited, `first server died (code ${first.exitCode})`);
  info('first server still answers /parse/health 200');
});
