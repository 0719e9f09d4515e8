// Runs the unmodified @descope/node-sdk against a parse-compat server.
//
// Env: DESCOPE_BASE_URL (e.g. http://127.0.0.1:9000), DESCOPE_PROJECT_ID, PARSE_URL
// (e.g. http://127.0.0.1:9000/parse), PARSE_APP_ID. Exits non-zero on the first failure.
'use strict';

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const DescopeClient = require('@descope/node-sdk');

const baseUrl = required('DESCOPE_BASE_URL');
const projectId = required('DESCOPE_PROJECT_ID');
const parseUrl = required('PARSE_URL');
const appId = required('PARSE_APP_ID');

function required(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`descope-node: ${name} is not set`);
    process.exit(2);
  }
  return v;
}

async function step(name, fn) {
  try {
    const out = await fn();
    console.log(`ok   ${name}`);
    return out;
  } catch (err) {
    console.error(`FAIL ${name}\n${err && err.stack ? err.stack : err}`);
    process.exit(1);
  }
}

async function parseRest(method, path, { body, sessionToken } = {}) {
  const headers = { 'X-Parse-Application-Id': appId, 'Content-Type': 'application/json' };
  if (sessionToken) headers['X-Parse-Session-Token'] = sessionToken;
  const res = await fetch(parseUrl + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function refreshFails(sdk, rt) {
  await assert.rejects(sdk.refreshSession(rt), /refresh token validation failed/);
}

async function main() {
  const sdk = DescopeClient({ projectId, baseUrl });
  const loginId = `node-${crypto.randomUUID()}`;
  const email = `${loginId}@example.com`;
  const password = 'Secr3t!pass';

  const signUp = await step('password.signUp creates the user and a session', async () => {
    const res = await sdk.password.signUp(loginId, password, { email });
    assert.equal(res.ok, true, JSON.stringify(res.error));
    assert.ok(res.data.sessionJwt && res.data.refreshJwt);
    assert.deepEqual(res.data.user.loginIds, [loginId]);
    assert.equal(res.data.user.email, email);
    assert.equal(res.data.firstSeen, true);
    return res.data;
  });
  const userId = signUp.user.userId;

  await step('password.signUp refuses a taken login id', async () => {
    const res = await sdk.password.signUp(loginId, password, { email: `x${email}` });
    assert.equal(res.ok, false);
    assert.ok(res.error.errorCode);
  });

  const signIn = await step('password.signIn returns a different refresh token', async () => {
    const res = await sdk.password.signIn(loginId, password);
    assert.equal(res.ok, true, JSON.stringify(res.error));
    assert.notEqual(res.data.refreshJwt, signUp.refreshJwt);
    assert.equal(res.data.user.userId, userId);
    return res.data;
  });

  await step('password.signIn with a wrong password fails', async () => {
    const res = await sdk.password.signIn(loginId, 'wrong');
    assert.equal(res.ok, false);
    assert.equal(res.code, 401);
  });

  await step('validateSession checks the session JWT against the JWKS', async () => {
    const info = await sdk.validateSession(signIn.sessionJwt);
    assert.equal(info.token.sub, userId);
    assert.equal(info.token.iss, projectId);
    assert.equal(info.token.drn, 'DS');
  });

  await step('refreshSession mints a new valid session JWT', async () => {
    const info = await sdk.refreshSession(signIn.refreshJwt);
    assert.equal(info.token.sub, userId);
    assert.equal(info.token.drn, 'DS');
    const again = await sdk.validateSession(info.jwt);
    assert.equal(again.token.sub, userId);
  });

  await step('me returns the user', async () => {
    const res = await sdk.me(signIn.refreshJwt);
    assert.equal(res.ok, true, JSON.stringify(res.error));
    assert.equal(res.data.userId, userId);
    assert.deepEqual(res.data.loginIds, [loginId]);
    assert.equal(res.data.email, email);
  });

  await step('logout ends that session only', async () => {
    const res = await sdk.logout(signIn.refreshJwt);
    assert.equal(res.ok, true, JSON.stringify(res.error));
    assert.equal(res.data.sessionJwt, '');
    assert.equal(res.data.refreshJwt, '');
    const cookies = res.response.headers.get('set-cookie') || '';
    assert.match(cookies, /DSR=;[^,]*Max-Age=0/);
    assert.match(cookies, /DS=;[^,]*Max-Age=0/);
    await refreshFails(sdk, signIn.refreshJwt);
    const me = await sdk.me(signIn.refreshJwt);
    assert.equal(me.ok, false);
    assert.equal(me.code, 401);
    assert.equal(me.error.errorCode, 'E064001');
    const second = await sdk.logout(signIn.refreshJwt);
    assert.equal(second.ok, false);
    assert.equal(second.error.errorCode, 'E064001');
    // The sign-up session is untouched.
    const still = await sdk.refreshSession(signUp.refreshJwt);
    assert.equal(still.token.sub, userId);
  });

  const parseToken = await step('Parse REST login of the same user works', async () => {
    const login = await parseRest('POST', '/login', { body: { username: loginId, password } });
    assert.equal(login.status, 200, JSON.stringify(login.json));
    assert.equal(login.json.objectId, userId);
    const me = await parseRest('GET', '/users/me', { sessionToken: login.json.sessionToken });
    assert.equal(me.status, 200, JSON.stringify(me.json));
    return login.json.sessionToken;
  });

  await step('logoutAll ends every session of the user, Parse sessions included', async () => {
    const other = await sdk.password.signIn(loginId, password);
    assert.equal(other.ok, true);
    const res = await sdk.logoutAll(other.data.refreshJwt);
    assert.equal(res.ok, true, JSON.stringify(res.error));
    assert.equal(res.data.refreshJwt, '');
    await refreshFails(sdk, other.data.refreshJwt);
    await refreshFails(sdk, signUp.refreshJwt);
    const me = await parseRest('GET', '/users/me', { sessionToken: parseToken });
    assert.equal(me.status, 400, JSON.stringify(me.json));
    assert.equal(me.json.code, 209);
  });

  await step('a Parse logout ends the Descope refresh token of that session', async () => {
    // Sign in through Descope, find the session Parse sees, revoke it through Parse.
    const d = await sdk.password.signIn(loginId, password);
    assert.equal(d.ok, true);
    const login = await parseRest('POST', '/login', { body: { username: loginId, password } });
    assert.equal(login.status, 200);
    const sessionId = JSON.parse(
      Buffer.from(d.data.refreshJwt.split('.')[1], 'base64url').toString(),
    ).jti;
    const res = await fetch(`${parseUrl}/sessions/${sessionId}`, {
      method: 'DELETE',
      headers: { 'X-Parse-Application-Id': appId, 'X-Parse-Session-Token': login.json.sessionToken },
    });
    assert.equal(res.status, 200, await res.text());
    await refreshFails(sdk, d.data.refreshJwt);
  });

  await step('a refresh token is refused under another project id', async () => {
    const d = await sdk.password.signIn(loginId, password);
    const res = await fetch(`${baseUrl}/v1/auth/refresh`, {
      method: 'POST',
      headers: { Authorization: `Bearer P2another:${d.data.refreshJwt}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).errorCode, 'E011003');
  });
}

main().then(
  () => console.log('descope-node: all passed'),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
