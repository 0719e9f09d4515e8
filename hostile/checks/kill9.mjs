// Check 3 (kill9): five rounds on one seeded database. Each round starts the server, sends
// logouts at full speed (128 in flight), kills the server with SIGKILL ~2 s into the load,
// checks the crash image with PRAGMA integrity_check, restarts the server on the same file and
// asserts that every logout answered 200 (this round and all before) is refused with 209 on
// users/me, while untouched sessions still work. Then it stops the server cleanly and checks
// the file again.
import fs from 'node:fs';
import path from 'node:path';
import { TMP, REST, REFUSED_209, seededDb, startServer, request, agent, pool, main, info, fail, check, sleep, integrityCheck, countInto, fmtCounts } from '../lib.mjs';

const ROUNDS = 5;
const SEEDED = 150000;    // shared by the rounds; a round gets the rest divided by rounds left
const UNTOUCHED = 200;    // never logged out: must keep working after every crash
const IN_FLIGHT = 128;

await main(async () => {
  const db = path.join(TMP, 'kill9.db');
  const tokens = await seededDb(db, SEEDED + UNTOUCHED);
  const untouched = tokens.slice(SEEDED);
  let cursor = 0;
  const revoked = []; // every token whose logout was answered 200 {}, all rounds
  for (let round = 1; round <= ROUNDS; round++) {
    const s = await startServer({ version: '9.10.0', db, log: path.join(TMP, `kill9-round${round}.log`) });
    const budget = Math.floor((SEEDED - cursor) / (ROUNDS - round + 1));
    const slice = tokens.slice(cursor, cursor + budget); cursor += budget;
    const ag = agent(IN_FLIGHT);
    let stop = false; let next = 0; const answered = []; const other = new Map();
    // kill 1.7 – 2.3 s into the load, or earlier if 90% of this round's tokens are spent
    const killAt = 1700 + Math.floor(Math.random() * 600);
    let trigger; const killNow = new Promise((r) => { trigger = r; });
    const timer = setTimeout(trigger, killAt);
    const t0 = Date.now();
    const workers = Array.from({ length: IN_FLIGHT }, async () => {
      while (!stop && next < slice.length) {
        if (next >= slice.length * 0.9) trigger();
        const t = slice[next++];
        try {
          const r = await request(s.url, { method: 'POST', path: '/parse/logout', headers: { ...REST, 'X-Parse-Session-Token': t }, agent: ag, timeout: 5000 });
          if (r.status === 200 && r.text === '{}') answered.push(t); else countInto(other, `${r.status} ${r.text}`);
        } catch (e) { countInto(other, `error ${e.code || e.message.split(':')[0]}`); }
      }
    });
    await killNow; clearTimeout(timer);
    const killedAfter = Date.now() - t0;
    check(!s.exited, `round ${round}: server died before the kill (code ${s.exitCode}, signal ${s.signal})`);
    stop = true;
    const atKill = answered.length;
    await s.kill9();
    await Promise.all(workers);
    ag.destroy();
    revoked.push(...answered);
    info(`round ${round}: SIGKILL ${killedAfter} ms into the load; ${answered.length} logouts answered 200 {} (${answered.length - atKill} of them read after the signal), ${next} sent; other: ${fmtCounts(other) || 'none'}`);

    // the crash image, as left on disk (copied, so the server recovers the original itself)
    const crash = path.join(TMP, `crash-${round}`); fs.mkdirSync(crash, { recursive: true });
    const sizes = [];
    for (const suffix of ['', '-wal', '-shm']) {
      if (!fs.existsSync(db + suffix)) continue;
      fs.copyFileSync(db + suffix, path.join(crash, 'x.db' + suffix));
      sizes.push(`x.db${suffix} ${fs.statSync(db + suffix).size} B`);
    }
    const ic1 = integrityCheck(path.join(crash, 'x.db'));
    fs.rmSync(crash, { recursive: true, force: true });
    check(ic1 === 'ok', `round ${round}: integrity_check of the crash image (${sizes.join(', ')}): ${ic1}`);
    info(`round ${round}: crash image ${sizes.join(', ')}: integrity_check ${ic1}`);

    const s2 = await startServer({ version: '9.10.0', db, log: path.join(TMP, `kill9-round${round}-restart.log`) });
    const ag2 = agent(IN_FLIGHT);
    const me = (t) => request(s2.url, { path: '/parse/users/me', headers: { ...REST, 'X-Parse-Session-Token': t }, agent: ag2 })
      .then((r) => `${r.status} ${r.text}`, (e) => `error ${e.code || e.message}`);
    const checked = round === ROUNDS ? revoked : answered; // every round its own, the last round all
    const after = await pool(checked, IN_FLIGHT, me);
    const accepted = after.map((x, i) => [x, checked[i]]).filter(([x]) => x !== `400 ${REFUSED_209}`);
    check(accepted.length === 0, `round ${round}: ${accepted.length} of ${checked.length} tokens whose logout was answered 200 are not refused after the restart, e.g. ${accepted.slice(0, 3).map(([x, t]) => `${t.slice(0, 6)}…: ${x.slice(0, 80)}`).join('; ')}`);
    const live = await pool(untouched, 32, me);
    const dead = live.filter((x) => !x.startsWith('200 ')).length;
    check(dead === 0, `round ${round}: ${dead} of ${untouched.length} never-revoked sessions no longer work after the restart: ${live.find((x) => !x.startsWith('200 '))}`);
    info(`round ${round}: after restart, ${checked.length} answered-logout tokens checked${round === ROUNDS ? ' (all rounds)' : ''}: ${after.filter((x) => x === `400 ${REFUSED_209}`).length} refused with 209; ${untouched.length - dead}/${untouched.length} untouched sessions still valid`);
    ag2.destroy();
    const clean = await s2.stop();
    check(clean, `round ${round}: restarted server did not stop within 8 s of SIGTERM`);
    const ic2 = integrityCheck(db);
    check(ic2 === 'ok', `round ${round}: integrity_check after a clean stop: ${ic2}`);
    // A clean stop folds the WAL back and truncates it; every file holding secrets is 0600.
    const wal = fs.existsSync(db + '-wal') ? fs.statSync(db + '-wal').size : 0;
    check(wal === 0, `round ${round}: the WAL holds ${wal} bytes after a clean stop`);
    for (const suffix of ['', '-wal', '-shm', '.lock']) {
      if (!fs.existsSync(db + suffix)) continue;
      const mode = fs.statSync(db + suffix).mode & 0o777;
      check(mode === 0o600, `round ${round}: x.db${suffix} has mode ${mode.toString(8)}, not 600`);
    }
  }
  info(`total: ${revoked.length} answered logouts over ${ROUNDS} kill -9 rounds, all refused after restart`);
});
