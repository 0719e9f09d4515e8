#!/usr/bin/env node
// Scenario B: a second fixed sequence of REST and GraphQL requests, covering what the shared
// scenario A (oracle scenario.mjs) leaves out: signUp/logIn error paths, logInWith, the email
// flows without an email adapter, GraphQL document features (aliases, fragments, variables,
// operationName), session management over REST, the JS SDK's text/plain form, and unknown
// routes. Written for parse-compat; runs against real Parse Server or our binary alike.
//
// usage: node oracle/scenario-b.mjs <baseUrl> <parseServerVersion> <out.jsonl>
//
// Output: one JSON object per exchange,
//   {"step", "request": {method, path, headers, body}, "response": {status, headers, body}}
// the same format as scenario A, so the shared normalize.mjs / compare.py work on it.
// The database must be fresh. Only values the server generates (ids, tokens, dates) differ
// between runs; every request is sent after the previous answer arrived (no races).

import fs from 'node:fs';
import http from 'node:http';

const [baseUrl, version, outFile] = process.argv.slice(2);
if (!baseUrl || !version || !outFile) {
  console.error('usage: node oracle/scenario-b.mjs <baseUrl> <parseServerVersion> <out.jsonl>');
  process.exit(2);
}

const APP = 'compatApp';
const MASTER = 'compatMaster';
const CLIENT = 'compatClient';
const JS = 'compatJs';
const REST_KEY = 'compatRest';
const TIMEOUT_MS = 30000;

// ---------------------------------------------------------------------------------------------
// Which API the version has.
const [MAJOR, MINOR] = version.split('.').map(Number);
const atLeast = (maj, min) => MAJOR > maj || (MAJOR === maj && MINOR >= min);
const GEN = (() => {
  if (MAJOR === 3 && MINOR === 7) return '3.7';
  if (MAJOR === 3 && MINOR === 8) return '3.8';
  if (MAJOR === 3 && MINOR === 9) return '3.9';
  if (MAJOR === 3) return '3.10';
  return 'relay';
})();
const RELAY = GEN === '3.10' || GEN === 'relay';
const HAS_LOGIN_WITH = atLeast(4, 0);
const HAS_EMAIL_MUTATIONS = RELAY;
const HAS_CONFIRM_RESET = atLeast(5, 0);
const HAS_CHALLENGE = atLeast(6, 0);
const FLAT_ID = GEN === '3.9' ? 'id' : 'objectId';

// ---------------------------------------------------------------------------------------------
// HTTP: one connection per request, exact headers, bounded.
function send({ method, path, headers = {}, body }) {
  const base = new URL(baseUrl);
  const payload = body === undefined || body === null ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const h = { ...headers };
  if (payload !== undefined) h['Content-Length'] = Buffer.byteLength(payload);
  return new Promise((resolve) => {
    const req = http.request(
      { host: base.hostname, port: base.port, method, path, headers: h, agent: false, timeout: TIMEOUT_MS },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ res, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => resolve({ error: String(e) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${TIMEOUT_MS}ms`)));
    req.on('error', (e) => resolve({ error: String(e) }));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

const KEPT_HEADER = /^(content-type|set-cookie|x-parse-.*|access-control-.*|x-powered-by)$/i;

function decode(r) {
  const ct = r.res.headers['content-type'] || '';
  if (/json/i.test(ct) || /^\s*[[{]/.test(r.text)) {
    try {
      return JSON.parse(r.text);
    } catch {
      // not JSON after all: keep the text
    }
  }
  return r.text;
}

const records = [];
async function step(name, spec) {
  const r = await send(spec);
  const rec = {
    step: name,
    request: { method: spec.method, path: spec.path, headers: spec.headers || {}, body: spec.body === undefined ? null : spec.body },
  };
  if (r.error) {
    rec.response = { status: null, headers: {}, body: null, transportError: r.error };
  } else {
    const headers = {};
    for (const [k, v] of Object.entries(r.res.headers)) if (KEPT_HEADER.test(k)) headers[k] = v;
    rec.response = { status: r.res.statusCode, headers, body: decode(r) };
  }
  records.push(rec);
  const b = rec.response.body;
  const brief = typeof b === 'string' ? JSON.stringify(b.slice(0, 90)) : JSON.stringify(b)?.slice(0, 150);
  console.log(`${name.padEnd(46)} ${String(rec.response.status).padEnd(4)} ${brief}`);
  return rec.response.body;
}

const GQL = { 'Content-Type': 'application/json', 'X-Parse-Application-Id': APP, 'X-Parse-Client-Key': CLIENT };
const REST = { 'Content-Type': 'application/json', 'X-Parse-Application-Id': APP, 'X-Parse-REST-API-Key': REST_KEY };
const REST_GET = { 'X-Parse-Application-Id': APP, 'X-Parse-REST-API-Key': REST_KEY };
const MASTER_H = { 'X-Parse-Application-Id': APP, 'X-Parse-Master-Key': MASTER };
const tok = (h, t) => (t === undefined ? h : { ...h, 'X-Parse-Session-Token': t });

const gql = (name, query, { token, variables, operationName, headers = GQL } = {}) => {
  const body = { query };
  if (variables !== undefined) body.variables = variables;
  if (operationName !== undefined) body.operationName = operationName;
  return step(name, { method: 'POST', path: '/graphql', headers: tok(headers, token), body });
};
const rest = (name, method, path, { token, body, headers } = {}) => {
  const h = headers || (body === undefined ? REST_GET : REST);
  return step(name, { method, path, headers: tok(h, token), body });
};

// The first `sessionToken` / `objectId` anywhere in an answer.
function find(v, key) {
  if (Array.isArray(v)) {
    for (const x of v) {
      const f = find(x, key);
      if (f !== undefined) return f;
    }
  } else if (v && typeof v === 'object') {
    if (typeof v[key] === 'string') return v[key];
    for (const x of Object.values(v)) {
      const f = find(x, key);
      if (f !== undefined) return f;
    }
  }
  return undefined;
}
const tokenOf = (b) => find(b, 'sessionToken');

// ---------------------------------------------------------------------------------------------
// GraphQL documents for this version's API generation.
const lit = (obj) => '{ ' + Object.entries(obj).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ') + ' }';
const USER_SEL = 'objectId username email';
const doc = {
  signUp(fields) {
    switch (GEN) {
      case '3.7': return `mutation { users { signUp(fields: ${lit(fields)}) { objectId sessionToken } } }`;
      case '3.8': case '3.9': return `mutation { signUp(fields: ${lit(fields)}) { ${FLAT_ID} username email sessionToken } }`;
      case '3.10': return `mutation { signUp(input: { clientMutationId: "su", userFields: ${lit(fields)} }) { clientMutationId viewer { sessionToken user { ${USER_SEL} } } } }`;
      default: return `mutation { signUp(input: { clientMutationId: "su", fields: ${lit(fields)} }) { clientMutationId viewer { sessionToken user { ${USER_SEL} } } } }`;
    }
  },
  logIn(username, password) {
    switch (GEN) {
      case '3.7': return `mutation { users { logIn(username: ${JSON.stringify(username)}, password: ${JSON.stringify(password)}) { objectId username email sessionToken } } }`;
      case '3.8': case '3.9': return `mutation { logIn(fields: ${lit({ username, password })}) { ${FLAT_ID} username email sessionToken } }`;
      default: return `mutation { logIn(input: ${lit({ username, password })}) { viewer { sessionToken user { ${USER_SEL} } } } }`;
    }
  },
  viewer() {
    switch (GEN) {
      case '3.7': return `query { users { me { objectId username email sessionToken } } }`;
      case '3.8': case '3.9': return `query { viewer { ${FLAT_ID} username email sessionToken } }`;
      default: return `query { viewer { sessionToken user { ${USER_SEL} } } }`;
    }
  },
  logOut() {
    switch (GEN) {
      case '3.7': return 'mutation { users { logOut } }';
      case '3.8': return 'mutation { logOut { objectId } }';
      case '3.9': return 'mutation { logOut { id } }';
      default: return 'mutation { logOut(input: { clientMutationId: "lo" }) { clientMutationId } }';
    }
  },
  viewerFragments() {
    switch (GEN) {
      case '3.7': return 'query { users { me { ...Who } } } fragment Who on Me { objectId username }';
      case '3.8': case '3.9': return `query { viewer { ...Who ... on Viewer { email } } } fragment Who on Viewer { ${FLAT_ID} username }`;
      default: return 'query { viewer { ...Who } } fragment Who on Viewer { sessionToken user { ... on User { objectId username } ...Mail } } fragment Mail on User { email }';
    }
  },
  viewerTypenames() {
    switch (GEN) {
      case '3.7': return 'query { __typename users { __typename me { __typename username } } }';
      case '3.8': case '3.9': return 'query { __typename viewer { __typename username } }';
      default: return 'query { __typename viewer { __typename user { __typename username } } }';
    }
  },
  viewerAliases() {
    switch (GEN) {
      case '3.7': return 'query { up: health users { who: me { name: username mail: email } } }';
      case '3.8': case '3.9': return 'query { up: health who: viewer { name: username mail: email } }';
      default: return 'query { up: health who: viewer { token: sessionToken person: user { name: username mail: email } } }';
    }
  },
  // A logIn taking its arguments from variables, and variables that fit it / do not fit it.
  logInVars() {
    switch (GEN) {
      case '3.7': return {
        query: 'mutation LogInVars($u: String!, $p: String!) { users { logIn(username: $u, password: $p) { username sessionToken } } }',
        ok: (u, p) => ({ u, p }), wrongType: { u: 42, p: 'x' }, nullValue: { u: null, p: 'x' }, extra: null,
      };
      case '3.8': case '3.9': return {
        query: 'mutation LogInVars($f: LogInFieldsInput) { logIn(fields: $f) { username sessionToken } }',
        ok: (u, p) => ({ f: { username: u, password: p } }), wrongType: { f: { username: 42, password: 'x' } },
        nullValue: { f: { username: null, password: 'x' } }, extra: { f: { username: 'x', password: 'y', bogus: 1 } },
      };
      default: return {
        query: 'mutation LogInVars($input: LogInInput!) { logIn(input: $input) { viewer { user { username } sessionToken } } }',
        ok: (u, p) => ({ input: { username: u, password: p } }), wrongType: { input: { username: 42, password: 'x' } },
        nullValue: { input: null }, extra: { input: { username: 'x', password: 'y', bogus: 1 } },
      };
    }
  },
};

// ---------------------------------------------------------------------------------------------
async function main() {
  console.log(`# scenario B against parse-server ${version} at ${baseUrl} (GraphQL generation ${GEN})`);

  // k. GraphQL signUp and its errors
  const carol = await gql('k.signUp.carol', doc.signUp({ username: 'carol', password: 'c4rolpw', email: 'carol@example.com' }));
  const carolToken = tokenOf(carol);
  await gql('k.signUp.duplicateEmail', doc.signUp({ username: 'carol2', password: 'pw2', email: 'carol@example.com' }));
  await gql('k.signUp.usernameOtherCase', doc.signUp({ username: 'CAROL', password: 'pw3', email: 'carol.upper@example.com' }));
  await gql('k.signUp.emailOtherCase', doc.signUp({ username: 'carol4', password: 'pw4', email: 'Carol@Example.com' }));
  await gql('k.signUp.missingUsername', doc.signUp({ password: 'pw5', email: 'nouser@example.com' }));
  await gql('k.signUp.missingPassword', doc.signUp({ username: 'nopass', email: 'nopass@example.com' }));
  await gql('k.signUp.emptyUsername', doc.signUp({ username: '', password: 'pw6' }));
  await gql('k.signUp.emptyPassword', doc.signUp({ username: 'emptypass', password: '' }));
  await gql('k.signUp.badEmail', doc.signUp({ username: 'bademail', password: 'pw7', email: 'not-an-email' }));
  if (RELAY) await gql('k.signUp.noFields', 'mutation { signUp(input: { clientMutationId: "nf" }) { clientMutationId viewer { sessionToken } } }');

  // l. GraphQL logIn variants
  await gql('l.logIn.byEmail', doc.logIn('carol@example.com', 'c4rolpw'));
  await gql('l.logIn.usernameOtherCase', doc.logIn('Carol', 'c4rolpw'));
  await gql('l.logIn.emptyUsername', doc.logIn('', 'c4rolpw'));
  const lv = doc.logInVars();
  const viaVars = await gql('l.vars.ok', lv.query, { variables: lv.ok('carol', 'c4rolpw'), operationName: 'LogInVars' });
  const carolVarsToken = tokenOf(viaVars);
  await gql('l.vars.missing', lv.query);
  await gql('l.vars.wrongType', lv.query, { variables: lv.wrongType });
  await gql('l.vars.null', lv.query, { variables: lv.nullValue });
  if (lv.extra) await gql('l.vars.unknownField', lv.query, { variables: lv.extra });
  await gql('l.vars.asString', lv.query, { variables: JSON.stringify(lv.ok('carol', 'wrong-pw')) });
  await gql('l.vars.notObject', lv.query, { variables: [1, 2] });

  // m. logInWith (4.0+)
  if (HAS_LOGIN_WITH) {
    const lw = (authData, extra = '') =>
      `mutation { logInWith(input: { clientMutationId: "lw", authData: ${authData}${extra} }) { clientMutationId viewer { sessionToken user { objectId authData } } } }`;
    const anon = await gql('m.logInWith.anonymous', lw('{ anonymous: { id: "anon-0001" } }'));
    await gql('m.logInWith.anonymous.again', lw('{ anonymous: { id: "anon-0001" } }'));
    // (not the username: Parse makes up a random one for anonymous users)
    await gql('m.logInWith.anonymous.viewer', 'query { viewer { sessionToken user { objectId authData } } }', { token: tokenOf(anon) });
    await gql('m.logInWith.anonymous.withEmail', lw('{ anonymous: { id: "anon-0002" } }', ', fields: { email: "anon2@example.com" }'));
    await gql('m.logInWith.unknownProvider', lw('{ myProvider: { id: "x1" } }'));
    await gql('m.logInWith.emptyAuthData', lw('{}'));
    await gql('m.logInWith.anonymousNoId', lw('{ anonymous: { foo: "bar" } }'));
    await gql('m.logInWith.variables', 'mutation W($a: Object!) { logInWith(input: { authData: $a }) { viewer { user { objectId } } } }', { variables: { a: { anonymous: { id: 'anon-0001' } } } });
  }

  // n. email flows, no email adapter configured
  if (HAS_EMAIL_MUTATIONS) {
    await gql('n.resetPassword.known', 'mutation { resetPassword(input: { clientMutationId: "rp", email: "carol@example.com" }) { ok clientMutationId } }');
    await gql('n.resetPassword.unknown', 'mutation { resetPassword(input: { email: "nobody@example.com" }) { ok } }');
    await gql('n.resetPassword.empty', 'mutation { resetPassword(input: { email: "" }) { ok } }');
    await gql('n.sendVerificationEmail.known', 'mutation { sendVerificationEmail(input: { clientMutationId: "sv", email: "carol@example.com" }) { ok clientMutationId } }');
    await gql('n.sendVerificationEmail.unknown', 'mutation { sendVerificationEmail(input: { email: "nobody@example.com" }) { ok } }');
  }
  if (HAS_CONFIRM_RESET) {
    await gql('n.confirmResetPassword', 'mutation { confirmResetPassword(input: { clientMutationId: "cr", username: "carol", password: "newpw", token: "not-a-token" }) { ok clientMutationId } }');
  }
  if (HAS_CHALLENGE) {
    await gql('n.challenge.password', 'mutation { challenge(input: { clientMutationId: "ch", username: "carol", password: "c4rolpw", challengeData: { anonymous: { x: 1 } } }) { challengeData clientMutationId } }');
    await gql('n.challenge.noChallengeData', 'mutation { challenge(input: { username: "carol", password: "c4rolpw" }) { challengeData } }');
    await gql('n.challenge.wrongPassword', 'mutation { challenge(input: { username: "carol", password: "nope", challengeData: { anonymous: {} } }) { challengeData } }');
    await gql('n.challenge.nobody', 'mutation { challenge(input: { challengeData: { anonymous: {} } }) { challengeData } }');
  }

  // o. document features
  await gql('o.aliases', doc.viewerAliases(), { token: carolToken });
  await gql('o.fragments', doc.viewerFragments(), { token: carolToken });
  await gql('o.typename.nested', doc.viewerTypenames(), { token: carolToken });
  await gql('o.fragment.unknownType', 'query { ...F } fragment F on NoSuchType { health }');
  await gql('o.fragment.unused', 'query { health } fragment F on Query { health }');
  await gql('o.directive.include', 'query Q($inc: Boolean!) { health @include(if: $inc) }', { variables: { inc: false } });
  await gql('o.directive.skipLiteral', '{ health @skip(if: true) __typename }');
  await gql('o.variable.missing', 'query Q($inc: Boolean!) { health @include(if: $inc) }');
  await gql('o.variable.wrongType', 'query Q($inc: Boolean!) { health @include(if: $inc) }', { variables: { inc: 'yes' } });
  await gql('o.variable.undeclared', 'query { health @include(if: $inc) }', { variables: { inc: true } });
  await gql('o.variable.unused', 'query Q($inc: Boolean) { health }', { variables: { inc: true } });
  await gql('o.operationName.pickMutation', `query Ping { health } ${doc.logIn('carol', 'c4rolpw').replace(/^mutation/, 'mutation Enter')}`, { operationName: 'Enter' });
  await gql('o.operationName.pickQuery', 'query Ping { health } query Other { __typename }', { operationName: 'Other' });
  await gql('o.operationName.null', 'query Ping { health }', { operationName: null });
  await gql('o.operationName.anonymousWithName', '{ health }', { operationName: 'Ping' });
  await gql('o.duplicateOperationNames', 'query A { health } query A { __typename }', { operationName: 'A' });
  await gql('o.unknownArgument', '{ health(verbose: true) }');
  await gql('o.fieldSuggestion', '{ healt }');
  await gql('o.subscription', 'subscription { health }');
  await gql('o.emptyQuery', '');
  await gql('o.queryNotString', 42);
  const getQ = encodeURIComponent('query Q($inc: Boolean!) { health @include(if: $inc) }');
  await step('o.get.variables', { method: 'GET', path: `/graphql?query=${getQ}&variables=${encodeURIComponent('{"inc":true}')}`, headers: { 'X-Parse-Application-Id': APP, 'X-Parse-Client-Key': CLIENT } });
  await step('o.get.operationName', { method: 'GET', path: `/graphql?query=${encodeURIComponent('query A { health } query B { __typename }')}&operationName=B`, headers: { 'X-Parse-Application-Id': APP, 'X-Parse-Client-Key': CLIENT } });
  await step('o.get.badVariables', { method: 'GET', path: `/graphql?query=${getQ}&variables=${encodeURIComponent('{inc')}`, headers: { 'X-Parse-Application-Id': APP, 'X-Parse-Client-Key': CLIENT } });
  await step('o.get.viewer', { method: 'GET', path: `/graphql?query=${encodeURIComponent(doc.viewer())}`, headers: { 'X-Parse-Application-Id': APP, 'X-Parse-Client-Key': CLIENT, 'X-Parse-Session-Token': carolToken } });

  // p. sessions crossing GraphQL and REST
  const restLogin = await rest('p.rest.login', 'POST', '/parse/login', { body: { username: 'carol', password: 'c4rolpw' } });
  const restToken = tokenOf(restLogin);
  await gql('p.graphql.logOut.restSession', doc.logOut(), { token: restToken });
  await rest('p.rest.usersMe.afterGraphqlLogOut', 'GET', '/parse/users/me', { token: restToken });
  await rest('p.rest.logout.graphqlSession', 'POST', '/parse/logout', { token: carolVarsToken, body: {} });
  await gql('p.graphql.viewer.afterRestLogout', doc.viewer(), { token: carolVarsToken });
  await gql('p.graphql.logOut.afterRestLogout', doc.logOut(), { token: carolVarsToken });
  await gql('p.graphql.viewer.signUpSession', doc.viewer(), { token: carolToken });

  // r. REST signup
  const dave = await rest('r.signup.dave', 'POST', '/parse/users', { body: { username: 'dave', password: 'd4vepw', email: 'dave@example.com' } });
  const daveToken = tokenOf(dave);
  const daveId = find(dave, 'objectId');
  await rest('r.signup.missingUsername', 'POST', '/parse/users', { body: { password: 'x1' } });
  await rest('r.signup.missingPassword', 'POST', '/parse/users', { body: { username: 'nopw' } });
  await rest('r.signup.emptyBody', 'POST', '/parse/users', { body: {} });
  await rest('r.signup.duplicateEmail', 'POST', '/parse/users', { body: { username: 'dave2', password: 'x2', email: 'dave@example.com' } });
  await rest('r.signup.badEmail', 'POST', '/parse/users', { body: { username: 'dave3', password: 'x3', email: 'dave-at-example' } });
  await rest('r.signup.usernameOtherCase', 'POST', '/parse/users', { body: { username: 'DAVE', password: 'x4', email: 'dave.upper@example.com' } });
  await rest('r.signup.emailOtherCase', 'POST', '/parse/users', { body: { username: 'dave5', password: 'x5', email: 'DAVE@EXAMPLE.COM' } });
  await rest('r.signup.usernameNotString', 'POST', '/parse/users', { body: { username: 12345, password: 'x6' } });
  await rest('r.signup.sessionTokenField', 'POST', '/parse/users', { body: { username: 'dave7', password: 'x7', sessionToken: 'r:mine' } });
  await rest('r.signup.noKeys', 'POST', '/parse/users', { headers: { 'Content-Type': 'application/json', 'X-Parse-Application-Id': APP }, body: { username: 'dave8', password: 'x8' } });

  // s. REST login variants
  await rest('s.login.get.query', 'GET', '/parse/login?username=dave&password=d4vepw');
  await rest('s.login.get.missingPassword', 'GET', '/parse/login?username=dave');
  await rest('s.login.get.missingUsername', 'GET', '/parse/login?password=d4vepw');
  await rest('s.login.get.nothing', 'GET', '/parse/login');
  await rest('s.login.get.emailParam', 'GET', '/parse/login?email=dave%40example.com&password=d4vepw');
  await rest('s.login.post.email', 'POST', '/parse/login', { body: { email: 'dave@example.com', password: 'd4vepw' } });
  await rest('s.login.post.usernameIsEmail', 'POST', '/parse/login', { body: { username: 'dave@example.com', password: 'd4vepw' } });
  await rest('s.login.post.usernameAndWrongEmail', 'POST', '/parse/login', { body: { username: 'dave', email: 'carol@example.com', password: 'd4vepw' } });
  await rest('s.login.post.usernameOtherCase', 'POST', '/parse/login', { body: { username: 'Dave', password: 'd4vepw' } });
  await rest('s.login.post.passwordNotString', 'POST', '/parse/login', { body: { username: 'dave', password: 1234 } });
  await rest('s.login.post.usernameNotString', 'POST', '/parse/login', { body: { username: ['dave'], password: 'd4vepw' } });
  await rest('s.login.post.queryAndBody', 'POST', '/parse/login?username=carol&password=c4rolpw', { body: { username: 'dave', password: 'd4vepw' } });

  // t. one installation id, two logins: the first session goes away. (Checked with
  //    /users/me, whose answer does not depend on Parse's 5-second session cache; the first
  //    token is not used before the second login so that no cache entry exists for it.)
  const inst = { ...REST, 'X-Parse-Installation-Id': 'b5b2a1c4-0000-4000-8000-00000000000b' };
  const first = await rest('t.login.installation.first', 'POST', '/parse/login', { headers: inst, body: { username: 'dave', password: 'd4vepw' } });
  const firstToken = tokenOf(first);
  const second = await rest('t.login.installation.second', 'POST', '/parse/login', { headers: inst, body: { username: 'dave', password: 'd4vepw' } });
  const secondToken = tokenOf(second);
  const secondSession = await rest('t.sessions.me.second', 'GET', '/parse/sessions/me', { token: secondToken });
  await rest('t.users.me.second', 'GET', '/parse/users/me', { token: secondToken });
  await rest('t.users.me.firstAfterSecond', 'GET', '/parse/users/me', { token: firstToken });
  const otherInst = { ...REST, 'X-Parse-Installation-Id': 'b5b2a1c4-0000-4000-8000-00000000000c' };
  await rest('t.login.otherInstallation', 'POST', '/parse/login', { headers: otherInst, body: { username: 'dave', password: 'd4vepw' } });
  await rest('t.users.me.secondAfterOther', 'GET', '/parse/users/me', { token: secondToken });

  // u. deleting sessions by id
  const carolRest = await rest('u.login.carol', 'POST', '/parse/login', { body: { username: 'carol', password: 'c4rolpw' } });
  const carolRestToken = tokenOf(carolRest);
  const carolSession = await rest('u.sessions.me.carol', 'GET', '/parse/sessions/me', { token: carolRestToken });
  const carolSessionId = find(carolSession, 'objectId');
  const secondSessionId = find(secondSession, 'objectId');
  await rest('u.sessions.delete.someoneElses', 'DELETE', `/parse/sessions/${carolSessionId}`, { token: secondToken });
  await rest('u.sessions.me.carolStillThere', 'GET', '/parse/sessions/me', { token: carolRestToken });
  await rest('u.sessions.delete.unknownId', 'DELETE', '/parse/sessions/AbCdEfGhIj', { token: secondToken });
  await rest('u.sessions.delete.noToken', 'DELETE', `/parse/sessions/${carolSessionId}`);
  await rest('u.sessions.delete.own', 'DELETE', `/parse/sessions/${carolSessionId}`, { token: carolRestToken });
  await rest('u.sessions.me.afterOwnDelete', 'GET', '/parse/sessions/me', { token: carolRestToken });
  await rest('u.sessions.delete.master', 'DELETE', `/parse/sessions/${secondSessionId}`, { headers: MASTER_H });
  await rest('u.sessions.me.afterMasterDelete', 'GET', '/parse/sessions/me', { token: secondToken });
  await rest('u.sessions.delete.masterUnknown', 'DELETE', '/parse/sessions/AbCdEfGhIj', { headers: MASTER_H });
  await rest('u.sessions.me.noToken', 'GET', '/parse/sessions/me');
  await rest('u.sessions.me.garbage', 'GET', '/parse/sessions/me', { token: 'r:0123456789abcdef0123456789abcdef' });

  // v. updating users
  const d1 = tokenOf(await rest('v.login.dave.a', 'POST', '/parse/login', { body: { username: 'dave', password: 'd4vepw' } }));
  const d2 = tokenOf(await rest('v.login.dave.b', 'POST', '/parse/login', { body: { username: 'dave', password: 'd4vepw' } }));
  const carolId = find(carol, 'objectId') || find(carol, 'id');
  await rest('v.put.someoneElse', 'PUT', `/parse/users/${carolId && carolId.length === 10 ? carolId : 'AbCdEfGhIj'}`, { token: d1, body: { email: 'hijack@example.com' } });
  await rest('v.put.noToken', 'PUT', `/parse/users/${daveId}`, { body: { email: 'anon@example.com' } });
  await rest('v.put.email', 'PUT', `/parse/users/${daveId}`, { token: d1, body: { email: 'dave.new@example.com' } });
  await rest('v.users.me.afterEmail', 'GET', '/parse/users/me', { token: d2 });
  await rest('v.put.emailTaken', 'PUT', `/parse/users/${daveId}`, { token: d1, body: { email: 'carol@example.com' } });
  await rest('v.put.usernameTaken', 'PUT', `/parse/users/${daveId}`, { token: d1, body: { username: 'carol' } });
  await rest('v.put.badEmail', 'PUT', `/parse/users/${daveId}`, { token: d1, body: { email: 'broken' } });
  const pw = await rest('v.put.password', 'PUT', `/parse/users/${daveId}`, { token: d1, body: { password: 'd4vepw-2' } });
  await rest('v.users.me.tokenFromPut', 'GET', '/parse/users/me', { token: tokenOf(pw) });
  await rest('v.users.me.sameSession', 'GET', '/parse/users/me', { token: d1 });
  await rest('v.users.me.otherSession', 'GET', '/parse/users/me', { token: d2 });
  await rest('v.users.me.signupSession', 'GET', '/parse/users/me', { token: daveToken });
  await rest('v.login.oldPassword', 'POST', '/parse/login', { body: { username: 'dave', password: 'd4vepw' } });
  const d3 = tokenOf(await rest('v.login.newPassword', 'POST', '/parse/login', { body: { username: 'dave', password: 'd4vepw-2' } }));
  await rest('v.users.me.newPassword', 'GET', '/parse/users/me', { token: d3 });
  await rest('v.put.master', 'PUT', `/parse/users/${daveId}`, { headers: { ...MASTER_H, 'Content-Type': 'application/json' }, body: { email: 'dave.master@example.com' } });
  await rest('v.put.unknownUser', 'PUT', '/parse/users/AbCdEfGhIj', { token: d3, body: { email: 'x@example.com' } });

  // w. users/me and logout edge cases
  await rest('w.users.me.master', 'GET', '/parse/users/me', { headers: MASTER_H });
  await rest('w.users.me.masterWithToken', 'GET', '/parse/users/me', { headers: MASTER_H, token: d3 });
  await rest('w.users.me.noToken', 'GET', '/parse/users/me');
  await rest('w.users.me.emptyToken', 'GET', '/parse/users/me', { token: '' });
  await rest('w.logout.first', 'POST', '/parse/logout', { token: d3, body: {} });
  await rest('w.logout.second', 'POST', '/parse/logout', { token: d3, body: {} });
  await rest('w.logout.get', 'GET', '/parse/logout', { token: d3 });
  await rest('w.logout.master', 'POST', '/parse/logout', { headers: { ...MASTER_H, 'Content-Type': 'application/json' }, body: {} });

  // x. JS SDK style (text/plain JSON body with keys inside), header casing
  const js = (name, path, fields) =>
    step(name, {
      method: 'POST', path, headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ _ApplicationId: APP, _JavaScriptKey: JS, _ClientVersion: 'js5.3.0', ...fields }),
    });
  const jsLogin = await js('x.js.login', '/parse/login', { _method: 'GET', username: 'carol', password: 'c4rolpw', _InstallationId: 'b5b2a1c4-0000-4000-8000-0000000000a1' });
  const jsToken = tokenOf(jsLogin);
  await js('x.js.usersMe', '/parse/users/me', { _method: 'GET', _SessionToken: jsToken });
  await js('x.js.sessionsMe', '/parse/sessions/me', { _method: 'GET', _SessionToken: jsToken });
  await js('x.js.usersMe.badToken', '/parse/users/me', { _method: 'GET', _SessionToken: 'r:ffffffffffffffffffffffffffffffff' });
  await step('x.js.wrongAppId', { method: 'POST', path: '/parse/users/me', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ _method: 'GET', _ApplicationId: 'wrongApp', _JavaScriptKey: JS, _SessionToken: jsToken }) });
  await step('x.js.wrongJsKey', { method: 'POST', path: '/parse/users/me', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ _method: 'GET', _ApplicationId: APP, _JavaScriptKey: 'nope', _SessionToken: jsToken }) });
  await step('x.js.masterKeyInBody', { method: 'POST', path: '/parse/users/me', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ _method: 'GET', _ApplicationId: APP, _MasterKey: MASTER }) });
  await js('x.js.signup', '/parse/users', { username: 'erin', password: 'er1npw' });
  await js('x.js.logout', '/parse/logout', { _SessionToken: jsToken });
  await js('x.js.usersMe.afterLogout', '/parse/users/me', { _method: 'GET', _SessionToken: jsToken });
  await step('x.headers.upperCase', { method: 'GET', path: '/parse/users/me', headers: { 'X-PARSE-APPLICATION-ID': APP, 'X-PARSE-REST-API-KEY': REST_KEY, 'X-PARSE-SESSION-TOKEN': carolToken } });
  await step('x.headers.lowerCase.graphql', { method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json', 'x-parse-application-id': APP, 'x-parse-javascript-key': JS }, body: { query: '{ health }' } });
  await step('x.headers.contentTypeCharset', { method: 'POST', path: '/parse/login', headers: { ...REST, 'Content-Type': 'application/json; charset=utf-8' }, body: { username: 'carol', password: 'c4rolpw' } });

  // y. unknown routes and methods, bad bodies
  await rest('y.unknownRoute', 'GET', '/parse/nothing-here');
  await rest('y.unknownRoute.noKeys', 'GET', '/parse/nothing-here', { headers: {} });
  await rest('y.unknownMethod.login', 'PATCH', '/parse/login', { body: {} });
  await rest('y.unknownMethod.logoutGet', 'GET', '/parse/logout');
  await rest('y.putUsersMe', 'PUT', '/parse/users/me', { token: carolToken, body: { email: 'me@example.com' } });
  await rest('y.invalidJson.login', 'POST', '/parse/login', { body: '{"username": "carol", ' });
  await rest('y.invalidJson.users', 'POST', '/parse/users', { body: 'not json at all' });
  await rest('y.jsonArray.login', 'POST', '/parse/login', { body: '[1,2]' });
  await rest('y.jsonString.login', 'POST', '/parse/login', { body: '"carol"' });
  await step('y.outsideMount', { method: 'GET', path: '/elsewhere', headers: REST_GET });
  await step('y.graphql.put', { method: 'PUT', path: '/graphql', headers: GQL, body: { query: '{ health }' } });
  await step('y.graphql.delete', { method: 'DELETE', path: '/graphql', headers: GQL });

  fs.writeFileSync(outFile, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  console.log(`# ${records.length} exchanges written to ${outFile}`);
}

main().catch((e) => {
  console.error('scenario B failed:', (e && e.stack) || e);
  if (records.length) fs.writeFileSync(outFile, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  process.exit(1);
});
