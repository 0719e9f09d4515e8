// graphql-request, untouched, runs the pinned Parse version's own auth cookbook against
// parse-compat: signUp -> logIn -> viewer -> that version's logOut -> viewer refused.
// Usage: GRAPHQL_URL=http://127.0.0.1:PORT/graphql PARSE_VERSION=4.4.0 node test.mjs
import assert from 'node:assert/strict';
import { GraphQLClient, ClientError } from 'graphql-request';

const url = process.env.GRAPHQL_URL;
const version = process.env.PARSE_VERSION;
assert.ok(url && version, 'GRAPHQL_URL and PARSE_VERSION are required');
const [major, minor] = version.split('.').map(Number);
const at = (a, b) => major > a || (major === a && minor >= b);

const keys = { 'X-Parse-Application-Id': 'compatApp', 'X-Parse-Javascript-Key': 'compatJs' };
const anonymous = new GraphQLClient(url, { headers: keys });
const withSession = (token) => new GraphQLClient(url, { headers: { ...keys, 'X-Parse-Session-Token': token } });
const username = `gql-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const password = 'gql-pass-1';
const step = (name) => console.log(`ok - ${version} ${name}`);

// Each API generation's own documents, as that version's docs and clients write them.
let ops;
if (major === 3 && minor === 7) {
  ops = {
    signUp: ['mutation SignUp($fields: _UserSignUpFields) { users { signUp(fields: $fields) { objectId sessionToken } } }',
      { fields: { username, password } }, (d) => d.users.signUp.sessionToken],
    logIn: ['mutation LogIn($username: String!, $password: String!) { users { logIn(username: $username, password: $password) { sessionToken } } }',
      { username, password }, (d) => d.users.logIn.sessionToken],
    viewer: ['query Me { users { me { username } } }', (d) => d.users.me.username],
    logOut: ['mutation LogOut { users { logOut } }', (d) => assert.equal(d.users.logOut, true)],
  };
} else if (major === 3 && (minor === 8 || minor === 9)) {
  const idField = minor === 8 ? 'objectId' : 'id';
  ops = {
    signUp: ['mutation SignUp($fields: SignUpFieldsInput) { signUp(fields: $fields) { sessionToken } }',
      { fields: { username, password } }, (d) => d.signUp.sessionToken],
    logIn: ['mutation LogIn($fields: LogInFieldsInput) { logIn(fields: $fields) { sessionToken } }',
      { fields: { username, password } }, (d) => d.logIn.sessionToken],
    viewer: ['query Viewer { viewer { username } }', (d) => d.viewer.username],
    logOut: [`mutation LogOut { logOut { ${idField} } }`, (d) => assert.match(d.logOut[idField], /^[A-Za-z0-9]{10}$/)],
  };
} else {
  const fieldsArg = major === 3 ? 'userFields' : 'fields';
  ops = {
    signUp: [`mutation SignUp($fields: CreateUserFieldsInput) { signUp(input: { ${fieldsArg}: $fields }) { viewer { sessionToken } } }`,
      { fields: { username, password } }, (d) => d.signUp.viewer.sessionToken],
    logIn: ['mutation LogIn($input: LogInInput!) { logIn(input: $input) { viewer { sessionToken } } }',
      { input: { username, password } }, (d) => d.logIn.viewer.sessionToken],
    viewer: ['query Viewer { viewer { user { username } } }', (d) => d.viewer.user.username],
    logOut: at(4, 4)
      ? ['mutation logOutButton { logOut(input: { clientMutationId: "9vc3nljyhp" }) { clientMutationId } }',
        (d) => assert.equal(d.logOut.clientMutationId, '9vc3nljyhp')]
      : ['mutation { logOut(input: { clientMutationId: "sampleId" }) { viewer { user { id } } } }',
        (d) => assert.ok(d.logOut.viewer.user.id)],
  };
}

const [signUpDoc, signUpVars, signUpToken] = ops.signUp;
const signUpSession = signUpToken(await anonymous.request(signUpDoc, signUpVars));
assert.match(signUpSession, /^r:[0-9a-f]{32}$/);
step('signUp');

const [logInDoc, logInVars, logInToken] = ops.logIn;
const token = logInToken(await anonymous.request(logInDoc, logInVars));
assert.match(token, /^r:[0-9a-f]{32}$/);
assert.notEqual(token, signUpSession);
step('logIn');

const [viewerDoc, viewerName] = ops.viewer;
assert.equal(viewerName(await withSession(token).request(viewerDoc)), username);
step('viewer');

const [logOutDoc, logOutCheck] = ops.logOut;
logOutCheck(await withSession(token).request(logOutDoc));
step('cookbook logOut');

await assert.rejects(
  () => withSession(token).request(viewerDoc),
  (err) => err instanceof ClientError && err.response.status === 400
    && JSON.parse(err.response.body).code === 209
    && JSON.parse(err.response.body).error === 'Invalid session token',
);
step('viewer with the revoked token is refused (400, code 209)');

assert.equal(viewerName(await withSession(signUpSession).request(viewerDoc)), username);
step('the other session still works');
console.log(`graphql client ${version}: all steps passed`);
