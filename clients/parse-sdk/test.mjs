// The npm Parse JS SDK, untouched, against parse-compat: sign up, log in, become, log out,
// and a revoked token refused afterwards. Usage: PARSE_SERVER_URL=http://127.0.0.1:PORT/parse node test.mjs
import assert from 'node:assert/strict';
import Parse from 'parse/node';

const serverURL = process.env.PARSE_SERVER_URL;
assert.ok(serverURL, 'PARSE_SERVER_URL is required');
Parse.initialize('compatApp', 'compatJs');
Parse.serverURL = serverURL;
Parse.User.enableUnsafeCurrentUser();

const username = `sdk-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const step = (name) => console.log(`ok - ${name}`);

const user = new Parse.User();
user.set('username', username);
user.set('password', 'sdk-pass-1');
user.set('email', `${username}@example.com`);
await user.signUp();
assert.match(user.id, /^[A-Za-z0-9]{10}$/);
assert.match(user.getSessionToken(), /^r:[0-9a-f]{32}$/);
step('signUp');

await assert.rejects(
  () => new Parse.User({ username, password: 'other' }).signUp(),
  (err) => err.code === Parse.Error.USERNAME_TAKEN,
);
step('signUp of a taken username fails with 202');

await assert.rejects(
  () => Parse.User.logIn(username, 'wrong-pass'),
  (err) => err.code === Parse.Error.OBJECT_NOT_FOUND && err.message === 'Invalid username/password.',
);
step('logIn with a wrong password fails with 101');

const loggedIn = await Parse.User.logIn(username, 'sdk-pass-1');
const token = loggedIn.getSessionToken();
assert.equal(loggedIn.id, user.id);
assert.match(token, /^r:[0-9a-f]{32}$/);
assert.notEqual(token, user.getSessionToken());
step('logIn');

const became = await Parse.User.become(token);
assert.equal(became.id, user.id);
assert.equal(became.getUsername(), username);
assert.equal(became.getSessionToken(), token);
step('become');

const session = await Parse.Session.current();
assert.equal(session.getSessionToken(), token);
step('Session.current');

await Parse.User.logOut();
assert.equal(Parse.User.current(), null);
step('logOut');

await assert.rejects(
  () => Parse.User.become(token),
  (err) => err.code === Parse.Error.INVALID_SESSION_TOKEN,
);
step('the revoked token is refused (209)');

// The SDK sends its installation id with every request, so (as in Parse) logging in from the
// same installation ended the sign-up session.
await assert.rejects(
  () => Parse.User.become(user.getSessionToken()),
  (err) => err.code === Parse.Error.INVALID_SESSION_TOKEN,
);
step('the sign-up session of the same installation was replaced by the login');
console.log('parse sdk: all steps passed');
