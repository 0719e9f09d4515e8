// The npm Parse JS SDK, untouched, against parse-compat with e-mail verification on: a
// sign-up's verification link opened as a browser would, `emailVerified` read back through
// `fetch()`, `Parse.User.requestPasswordReset`, the reset link and its form posted as the
// reset page posts it, then the new password logs in and the old sessions are gone.
// Usage: PARSE_SERVER_URL=http://127.0.0.1:PORT/parse OUTBOX=/path/outbox.jsonl node email.mjs
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Parse from 'parse/node';

const serverURL = process.env.PARSE_SERVER_URL;
const outbox = process.env.OUTBOX;
assert.ok(serverURL && outbox, 'PARSE_SERVER_URL and OUTBOX are required');
Parse.initialize('compatApp', 'compatJs');
Parse.serverURL = serverURL;
Parse.User.enableUnsafeCurrentUser();

const step = (name) => console.log(`ok - ${name}`);
const sent = () =>
  readFileSync(outbox, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const tokenOf = (link) => new URL(link).searchParams.get('token');

const username = `mail-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const email = `${username}@example.com`;
const user = new Parse.User({ username, password: 'mail-pass-1', email });
await user.signUp();
const signUpToken = user.getSessionToken();
assert.equal(user.get('emailVerified'), undefined);
await user.fetch({ sessionToken: signUpToken });
assert.equal(user.get('emailVerified'), false);
step('signUp with an email starts unverified');

const verification = sent().at(-1);
assert.equal(verification.method, 'sendVerificationEmail');
assert.equal(verification.to, email);
assert.match(verification.text, new RegExp(`confirm the e-mail address ${email}`));
const opened = await fetch(verification.link, { redirect: 'manual' });
assert.ok([200, 302].includes(opened.status), `link answered ${opened.status}`);
if (opened.status === 302) {
  assert.match(opened.headers.get('location'), /\/apps\/verify_email_success\.html/);
} else {
  assert.match(await opened.text(), /Email verified!/);
}
await user.fetch({ sessionToken: signUpToken });
assert.equal(user.get('emailVerified'), true);
step('the verification link verifies the email');

await Parse.User.requestPasswordReset(email);
const reset = sent().at(-1);
assert.equal(reset.method, 'sendPasswordResetEmail');
assert.equal(reset.to, email);
const link = await fetch(reset.link, { redirect: 'manual' });
assert.ok([200, 302].includes(link.status), `reset link answered ${link.status}`);
step('Parse.User.requestPasswordReset sends a reset link that opens');

const form = new URLSearchParams({
  new_password: 'mail-pass-2',
  confirm_new_password: 'mail-pass-2',
  token: tokenOf(reset.link),
  username: new URL(reset.link).searchParams.get('username') ?? '',
});
const posted = await fetch(`${serverURL}/apps/compatApp/request_password_reset`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: form,
  redirect: 'manual',
});
if (posted.status === 302) {
  assert.match(posted.headers.get('location'), /password_reset_success\.html/);
} else {
  assert.equal(posted.status, 200);
  assert.match(await posted.text(), /Your password has been updated/);
}
step('the reset form sets the new password');

await assert.rejects(
  () => Parse.User.logIn(username, 'mail-pass-1'),
  (err) => err.code === Parse.Error.OBJECT_NOT_FOUND,
);
const again = await Parse.User.logIn(username, 'mail-pass-2');
assert.equal(again.id, user.id);
await assert.rejects(
  () => Parse.User.become(signUpToken),
  (err) => err.code === Parse.Error.INVALID_SESSION_TOKEN,
);
step('the new password logs in; the sessions from before the reset are gone');

const used = await fetch(`${serverURL}/apps/compatApp/request_password_reset`, {
  method: 'POST',
  headers: {
    'Content-Type': 'application/x-www-form-urlencoded',
    'X-Requested-With': 'XMLHttpRequest',
  },
  body: form,
});
assert.equal(used.status, 400);
assert.equal((await used.json()).code, Parse.Error.OTHER_CAUSE);
step('a reset link works once');
console.log('parse sdk (e-mail): all steps passed');
