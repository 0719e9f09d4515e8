// The npm Parse JS SDK, untouched, against parse-compat: sign up, log in, become, log out,
// a revoked token refused afterwards, then the everyday user calls of an app (custom fields,
// fetch, the user's sessions, queries, verifyPassword, password reset, destroy). Usage: PARSE_SERVER_URL=http://127.0.0.1:PORT/parse node test.mjs
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
// A real app's everyday user calls: profile fields, fetch, increments, the user's devices,
// verifyPassword, password reset (no email adapter: Parse's error), queries, destroy.
const me = await Parse.User.logIn(username, 'sdk-pass-1');
const born = new Date('2000-01-02T03:04:05.678Z');
me.set('nickname', 'sdk');
me.set('age', 30);
me.set('born', born);
me.set('tags', ['a']);
me.set('prefs', { theme: 'dark' });
await me.save();
step('user.save() with custom fields');

me.increment('age', 2);
me.addUnique('tags', 'b');
await me.save();
assert.equal(me.get('age'), 32);
assert.deepEqual(me.get('tags'), ['a', 'b']);
step('increment and addUnique answer the new values');

const fetched = await new Parse.User({ objectId: me.id }).fetch({ sessionToken: me.getSessionToken() });
assert.equal(fetched.get('nickname'), 'sdk');
assert.equal(fetched.get('age'), 32);
assert.ok(fetched.get('born') instanceof Date);
assert.equal(fetched.get('born').toISOString(), born.toISOString());
assert.deepEqual(fetched.get('tags'), ['a', 'b']);
assert.deepEqual(fetched.get('prefs'), { theme: 'dark' });
assert.equal(fetched.get('email'), `${username}@example.com`);
step('fetch() returns every field');

const again = await Parse.User.become(me.getSessionToken());
assert.equal(again.get('nickname'), 'sdk');
step('become() (users/me) returns the custom fields');

await assert.rejects(
  async () => {
    me.set('age', 'not a number');
    await me.save();
  },
  (err) => err.code === Parse.Error.INCORRECT_TYPE &&
    err.message === 'schema mismatch for _User.age; expected Number but got String',
);
me.revert();
step('a type mismatch is refused with 111');

const sessions = await new Parse.Query(Parse.Session).find({ sessionToken: me.getSessionToken() });
assert.ok(sessions.length >= 1);
assert.ok(sessions.every((s) => s.get('user').id === me.id));
assert.ok(sessions.some((s) => s.getSessionToken() === me.getSessionToken()));
step('Parse.Query(Parse.Session).find() lists the user\'s devices');

const users = await new Parse.Query(Parse.User).equalTo('nickname', 'sdk').find({ sessionToken: me.getSessionToken() });
assert.deepEqual(users.map((u) => u.id), [me.id]);
step('Parse.Query(Parse.User) with a constraint on a custom field');

const verified = await Parse.User.verifyPassword(username, 'sdk-pass-1');
assert.equal(verified.objectId, me.id); // the SDK hands back the JSON as it came
await assert.rejects(
  () => Parse.User.verifyPassword(username, 'wrong'),
  (err) => err.code === Parse.Error.OBJECT_NOT_FOUND,
);
step('verifyPassword');

await assert.rejects(
  () => Parse.User.requestPasswordReset(`${username}@example.com`),
  (err) => err.code === Parse.Error.INTERNAL_SERVER_ERROR &&
    err.message.startsWith('An appName, publicServerURL, and emailAdapter are required'),
);
step('requestPasswordReset without an email adapter fails as Parse does');

await me.destroy({ sessionToken: me.getSessionToken() });
await assert.rejects(
  () => Parse.User.logIn(username, 'sdk-pass-1'),
  (err) => err.code === Parse.Error.OBJECT_NOT_FOUND,
);
step('destroy() removes the user');
console.log('parse sdk: all steps passed');
