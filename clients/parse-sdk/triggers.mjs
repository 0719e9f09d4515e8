// Cloud Code triggers on users and sessions, behind parse-compat: the real parse-server's
// clients/real-parse/cloud.cjs registers beforeSave(Parse.User), beforeLogin and afterLogout
// (for users named `trigger-...`); parse-compat runs with --userTriggers naming them, so the
// operations they run around reach the real server, while the rest (users/me, sessions) is
// answered by parse-compat from the database both share. The npm Parse SDK, untouched, talks
// to parse-compat only. A second parse-compat without --userTriggers shows what the option is
// for: there the triggers do not run.
// Usage: COMPAT_URL=... PLAIN_URL=... GRAPHQL_URL=... node triggers.mjs
import assert from 'node:assert/strict';
import Parse from 'parse/node';

const compatURL = process.env.COMPAT_URL;
const plainURL = process.env.PLAIN_URL;
const graphqlURL = process.env.GRAPHQL_URL;
assert.ok(compatURL && plainURL && graphqlURL, 'COMPAT_URL, PLAIN_URL and GRAPHQL_URL are required');
Parse.initialize('compatApp', 'compatJs', 'compatMaster');
Parse.serverURL = compatURL;
Parse.User.enableUnsafeCurrentUser();
const step = (name) => console.log(`ok - ${name}`);
const tag = Date.now().toString(36);

const user = await Parse.User.signUp(`trigger-${tag}`, 'pw-1', { nickname: 'fine' });
assert.equal(user.get('greeting'), 'set by beforeSave');
const me = await fetch(`${compatURL}/users/me`, {
  headers: { 'X-Parse-Application-Id': 'compatApp', 'X-Parse-Javascript-Key': 'compatJs', 'X-Parse-Session-Token': user.getSessionToken() },
});
const meBody = await me.json();
assert.equal(meBody.greeting, 'set by beforeSave', `users/me, answered here, reads what the upstream saved: ${JSON.stringify(meBody)}`);
step('sign-up: beforeSave ran, and parse-compat serves the session it made');

await assert.rejects(
  Parse.User.signUp(`trigger-${tag}-2`, 'pw-1', { nickname: 'forbidden' }),
  (err) => err.code === Parse.Error.VALIDATION_ERROR && err.message === 'nickname refused by beforeSave',
);
user.set('nickname', 'forbidden');
await assert.rejects(user.save(), (err) => err.message === 'nickname refused by beforeSave');
user.set('nickname', 'banned');
await user.save(null, { useMasterKey: true });
step('a beforeSave refusal reaches the client, on sign-up and on update');

await assert.rejects(
  Parse.User.logIn(`trigger-${tag}`, 'pw-1'),
  (err) => err.code === Parse.Error.SCRIPT_FAILED && err.message === 'banned by beforeLogin',
);
step('beforeLogin refuses a login');

const allowed = await Parse.User.signUp(`trigger-${tag}-ok`, 'pw-1');
const loggedIn = await Parse.User.logIn(`trigger-${tag}-ok`, 'pw-1');
assert.notEqual(loggedIn.getSessionToken(), allowed.getSessionToken());
await Parse.User.logOut();
const logs = await new Parse.Query('LogoutLog').equalTo('username', `trigger-${tag}-ok`).find({ useMasterKey: true });
assert.equal(logs.length, 1, 'afterLogout ran once');
const revoked = await fetch(`${compatURL}/users/me`, {
  headers: { 'X-Parse-Application-Id': 'compatApp', 'X-Parse-Javascript-Key': 'compatJs', 'X-Parse-Session-Token': loggedIn.getSessionToken() },
});
assert.equal(revoked.status, 400, 'the session the upstream ended is ended here too');
step('login and logout by the upstream: afterLogout ran, and the session is gone here too');

const gql = await fetch(graphqlURL, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'X-Parse-Application-Id': 'compatApp', 'X-Parse-Javascript-Key': 'compatJs' },
  body: JSON.stringify({
    query: `mutation { signUp(input: {fields: {username: "trigger-${tag}-gql", password: "pw-1"}}) { viewer { user { username } } } }`,
  }),
});
const signedUp = await gql.json();
assert.equal(signedUp.data?.signUp?.viewer?.user?.username, `trigger-${tag}-gql`, JSON.stringify(signedUp));
const saved = await new Parse.Query(Parse.User).equalTo('username', `trigger-${tag}-gql`).first({ useMasterKey: true });
assert.equal(saved.get('greeting'), 'set by beforeSave');
step('GraphQL signUp goes to the upstream whole, and beforeSave ran');

const policy = (err) => err.code === Parse.Error.VALIDATION_ERROR
  && err.message === 'Password does not meet the Password Policy requirements.';
await assert.rejects(Parse.User.signUp(`weak-${tag}`, 'weak-password'), policy);
const strong = await Parse.User.signUp(`strong-${tag}`, 'pw-1');
strong.setPassword('weak-again');
await assert.rejects(strong.save(), policy);
strong.setPassword('pw-2');
await strong.save();
step('the upstream\'s validatorCallback judges every new password');

Parse.serverURL = plainURL;
const untriggered = await Parse.User.signUp(`trigger-${tag}-plain`, 'weak-but-unchecked');
assert.equal(untriggered.get('greeting'), undefined);
step('without --userTriggers and validatorCallback, parse-compat signs up itself: no trigger or validator runs');
console.log('triggers: all steps passed');
