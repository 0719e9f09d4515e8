// Check 6 (flood): a server started under `ulimit -n 256` (soft and hard) gets 400 idle TCP
// connections (half send nothing, half half a request line); then 5 sequential real
// GET /parse/health requests, each on a new connection, must each be answered 200 within 1 s.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { TMP, REST, startServer, request, main, info, check, sleep, tail } from '../lib.mjs';

const IDLE = 400;

await main(async () => {
  const s = await startServer({ db: path.join(TMP, 'flood.db'), ulimitN: 256 });
  const limits = fs.readFileSync(`/proc/${s.pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files')) || '';
  const [soft, hard] = limits.replace('Max open files', '').trim().split(/\s+/);
  info(`server descriptor limit: soft ${soft}, hard ${hard}`);
  check(hard === '256', `the server's hard descriptor limit is ${hard}, not 256`);
  const socks = []; const state = { connected: 0, closedByServer: 0, errors: 0 };
  await Promise.all(Array.from({ length: IDLE }, (_, i) => new Promise((resolve) => {
    const sock = net.connect(s.port, '127.0.0.1');
    socks.push(sock);
    sock.on('connect', () => { state.connected++; if (i % 2) sock.write('GET /parse/hea'); resolve(); });
    sock.on('error', () => { state.errors++; resolve(); });
    sock.on('close', () => { state.closedByServer++; resolve(); });
    sock.resume();
  })));
  await sleep(300);
  info(`${IDLE} idle connections opened: ${state.connected} connected, ${state.errors} errors, ${state.closedByServer} already closed by the server`);
  const times = [];
  for (let i = 0; i < 5; i++) {
    let r;
    try { r = await request(s.url, { path: '/parse/health', headers: REST, timeout: 1000 }); } catch (e) { r = { status: `error ${e.message}`, ms: NaN, text: '' }; }
    times.push(r.ms);
    check(r.status === 200 && r.ms <= 1000, `health #${i + 1}: ${r.status} ${r.text} after ${Number.isNaN(r.ms) ? '>1000' : r.ms.toFixed(1)} ms`);
  }
  info(`5 health requests: ${times.map((t) => (Number.isNaN(t) ? 'timeout' : `${t.toFixed(1)} ms`)).join(', ')}; idle connections closed by the server meanwhile: ${state.closedByServer}`);
  for (const sock of socks) sock.destroy();
  await sleep(200);
  const after = await request(s.url, { path: '/parse/health', headers: REST, timeout: 2000 }).catch((e) => ({ status: e.message }));
  check(after.status === 200, `health after closing the idle sockets: ${after.status}`);
  check(!s.exited, `server died (code ${s.exitCode}, signal ${s.signal}): ${tail(s.log, 5)}`);
});
