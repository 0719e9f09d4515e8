// Check 4 (logs): secrets never reach the log. Two servers with RUST_LOG=trace and the Descope
// API: one with --masterKey and plain-text logs, one WITHOUT --masterKey (its generated key is
// read from <database>.master-key) with --logFormat json. The same scenario runs on both: REST
// sign-up, login, users/me, logout; GraphQL signUp, logIn, viewer, logOut (and a master-key
// request); Descope signup, signin, me, refresh, validate, logout. Then neither log may contain
// a session token (with or without "r:"), a password, a master key, the REST or client key, or
// any JWT (or its signature). The text log must have no ANSI escape codes; every line of the
// JSON log must be one JSON object.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { TMP, KEYS, PROJECT, REST, RESTJ, GQL, startServer, request, main, info, check, sleep } from '../lib.mjs';

const rnd = (n = 12) => crypto.randomBytes(n).toString('hex');

async function scenario(s, tag, secrets, masterKey) {
  const expect = (r, status, what) => check(r.status === status, `${tag}: ${what}: expected ${status}, got ${r.status} ${r.text.slice(0, 200)}`);
  const keep = (v, what) => { if (typeof v === 'string' && v.length >= 8) secrets.set(v, what); return v; };
  const gql = (query, token, extra = {}) => request(s.url, { method: 'POST', path: '/graphql',
    headers: { ...GQL, ...(token ? { 'X-Parse-Session-Token': token } : {}), ...extra }, body: { query } });

  // REST
  const user = `logs_${tag}_${rnd(4)}`; const pw = keep(`Pw-${rnd()}`, 'REST password');
  let r = await request(s.url, { method: 'POST', path: '/parse/users', headers: RESTJ, body: { username: user, password: pw, email: `${user}@example.com` } });
  expect(r, 201, 'REST sign-up'); keep(r.json?.sessionToken, 'REST sign-up token');
  const objectId = r.json?.objectId;
  r = await request(s.url, { method: 'PUT', path: `/parse/users/${objectId}`, headers: { ...RESTJ, 'X-Parse-Master-Key': masterKey }, body: { password: pw } });
  expect(r, 200, 'REST password change with the master key');
  r = await request(s.url, { method: 'POST', path: '/parse/login', headers: RESTJ, body: { username: user, password: pw } });
  expect(r, 200, 'REST login'); const tok = keep(r.json?.sessionToken, 'REST login token');
  r = await request(s.url, { method: 'POST', path: '/parse/login', headers: RESTJ, body: { username: user, password: keep(`Wrong-${rnd()}`, 'wrong password') } });
  expect(r, 404, 'REST login, wrong password');
  r = await request(s.url, { path: '/parse/users/me', headers: { ...REST, 'X-Parse-Session-Token': tok } });
  expect(r, 200, 'REST users/me');
  r = await request(s.url, { method: 'POST', path: '/parse/logout', headers: { ...REST, 'X-Parse-Session-Token': tok } });
  expect(r, 200, 'REST logout');
  r = await request(s.url, { path: '/parse/users/me', headers: { ...REST, 'X-Parse-Session-Token': tok } });
  expect(r, 400, 'REST users/me after logout');
  r = await request(s.url, { path: '/parse/sessions/me', headers: { ...REST, 'X-Parse-Master-Key': masterKey, 'X-Parse-Session-Token': keep(`r:${rnd(16)}`, 'unknown token') } });
  // a request cut off in its body, and one whose head is too large: connection errors
  await rawThenClose(s.port, `POST /parse/login HTTP/1.1\r\nHost: x\r\nX-Parse-Application-Id: ${KEYS.app}\r\nX-Parse-REST-API-Key: ${KEYS.rest}\r\n` +
    `X-Parse-Session-Token: ${tok}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"username":"${user}","password":"${pw}"`);
  await rawThenClose(s.port, `GET /parse/users/me HTTP/1.1\r\nHost: x\r\nX-Parse-Session-Token: ${tok}\r\nX-Pad: ${'a'.repeat(2 << 20)}\r\n\r\n`);

  // GraphQL
  const guser = `${user}_gql`; const gpw = keep(`Gq-${rnd()}`, 'GraphQL password');
  r = await gql(`mutation { signUp(input: { clientMutationId: "s", fields: { username: "${guser}", password: "${gpw}" } }) { viewer { sessionToken } } }`);
  expect(r, 200, 'GraphQL signUp'); keep(r.json?.data?.signUp?.viewer?.sessionToken, 'GraphQL signUp token');
  r = await gql(`mutation { logIn(input: { clientMutationId: "l", username: "${guser}", password: "${gpw}" }) { viewer { sessionToken } } }`);
  expect(r, 200, 'GraphQL logIn'); const gtok = keep(r.json?.data?.logIn?.viewer?.sessionToken, 'GraphQL logIn token');
  r = await request(s.url, { method: 'POST', path: '/graphql', headers: GQL, body: { query: 'mutation L($input: LogInInput!) { logIn(input: $input) { viewer { sessionToken } } }', variables: { input: { username: guser, password: gpw } } } });
  expect(r, 200, 'GraphQL logIn with variables'); keep(r.json?.data?.logIn?.viewer?.sessionToken, 'GraphQL logIn (variables) token');
  r = await gql('{ viewer { sessionToken } }', gtok);
  expect(r, 200, 'GraphQL viewer');
  r = await gql('mutation { logOut(input: {clientMutationId: "x"}) { clientMutationId } }', gtok);
  expect(r, 200, 'GraphQL logOut');
  r = await gql('{ viewer { sessionToken } }', gtok);
  expect(r, 400, 'GraphQL viewer after logOut');
  r = await gql('{ health }', null, { 'X-Parse-Master-Key': masterKey });
  expect(r, 200, 'GraphQL with the master key');

  // Descope
  const did = `${user}_ds`; const dpw = keep(`Ds-${rnd()}`, 'Descope password');
  const ds = (p, body, auth) => request(s.url, { method: p.startsWith('GET ') ? 'GET' : 'POST', path: p.replace(/^GET /, ''),
    headers: { 'Content-Type': 'application/json', ...(auth ? { Authorization: `Bearer ${PROJECT}:${auth}` } : {}) }, body });
  r = await ds('/v1/auth/password/signup', { loginId: did, password: dpw });
  expect(r, 200, 'Descope signup'); keep(r.json?.sessionJwt, 'Descope signup session JWT'); keep(r.json?.refreshJwt, 'Descope signup refresh JWT');
  r = await ds('/v1/auth/password/signin', { loginId: did, password: dpw });
  expect(r, 200, 'Descope signin');
  const rt = keep(r.json?.refreshJwt, 'Descope signin refresh JWT'); const st = keep(r.json?.sessionJwt, 'Descope signin session JWT');
  r = await ds('/v1/auth/password/signin', { loginId: did, password: keep(`DsWrong-${rnd()}`, 'Descope wrong password') });
  expect(r, 401, 'Descope signin, wrong password');
  r = await ds('GET /v1/auth/me', undefined, rt);
  expect(r, 200, 'Descope me');
  r = await ds('/v1/auth/refresh', {}, rt);
  expect(r, 200, 'Descope refresh'); keep(r.json?.sessionJwt, 'Descope refreshed session JWT');
  r = await ds('/v1/auth/validate', {}, st);
  r = await ds('/v1/auth/logout', {}, rt);
  expect(r, 200, 'Descope logout');
  r = await ds('/v1/auth/refresh', {}, rt);
  expect(r, 401, 'Descope refresh after logout');
}

function rawThenClose(port, text) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(text, () => setTimeout(() => sock.destroy(), 100)));
    sock.on('error', () => {}); sock.on('close', resolve); sock.resume();
  });
}

function findSecrets(text, secrets) {
  const hits = [];
  for (const [v, what] of secrets) {
    const forms = [v];
    if (/^r:[0-9a-f]{32}$/.test(v)) forms.push(v.slice(2));
    const parts = v.split('.');
    if (parts.length === 3 && parts[2].length >= 16) forms.push(parts[2]); // a JWT's signature
    for (const f of forms) if (text.includes(f)) { hits.push(`${what} (${f === v ? 'whole' : 'part'})`); break; }
  }
  return hits;
}

await main(async () => {
  const secrets = new Map([[KEYS.master, 'master key'], [KEYS.rest, 'REST API key'], [KEYS.client, 'client key']]);
  const env = { RUST_LOG: 'trace' };
  const dirA = path.join(TMP, 'logs-a'); const dirB = path.join(TMP, 'logs-b');
  fs.mkdirSync(dirA, { recursive: true }); fs.mkdirSync(dirB, { recursive: true });
  const a = await startServer({ db: path.join(dirA, 'x.db'), descope: true, env, log: path.join(dirA, 'server.log') });
  const b = await startServer({ db: path.join(dirB, 'x.db'), descope: true, env, masterKey: false, args: ['--logFormat', 'json'], log: path.join(dirB, 'server.log') });
  const keyFile = path.join(dirB, 'x.db.master-key');
  let generated = null;
  if (check(fs.existsSync(keyFile), `no generated master key file ${keyFile}`)) {
    generated = fs.readFileSync(keyFile, 'utf8').trim();
    check(generated.length >= 16, `generated master key looks empty: "${generated}"`);
    secrets.set(generated, 'generated master key');
  }
  await scenario(a, 'text', secrets, KEYS.master);
  await scenario(b, 'json', secrets, generated || 'none');
  await sleep(300); // let the last lines reach the files
  check(!a.exited && !b.exited, 'a server died during the scenario');
  await a.stop(); await b.stop();
  const logA = fs.readFileSync(a.log, 'utf8'); const logB = fs.readFileSync(b.log, 'utf8');
  info(`text log ${logA.split('\n').length - 1} lines, JSON log ${logB.split('\n').length - 1} lines, ${secrets.size} secrets searched`);
  for (const [label, text] of [['text log', logA], ['JSON log', logB]]) {
    const hits = findSecrets(text, secrets);
    check(hits.length === 0, `${label} contains: ${hits.join(', ')}`);
  }
  const ansi = (logA.match(/\x1b\[/g) || []).length + (logB.match(/\x1b\[/g) || []).length;
  check(ansi === 0, `${ansi} ANSI escape sequences in the logs (stdout/stderr are files)`);
  const lines = logB.split('\n').filter((l) => l.length);
  const bad = lines.filter((l) => { try { const o = JSON.parse(l); return !o || typeof o !== 'object' || Array.isArray(o); } catch { return true; } });
  check(lines.length > 0 && bad.length === 0, `--logFormat json: ${bad.length} of ${lines.length} lines are not one JSON object, e.g. ${JSON.stringify((bad[0] || '').slice(0, 160))}`);
  info(`no secret in either log; no ANSI codes; ${lines.length} JSON lines all objects`);
});
