// Roles, answered alike: parse-compat and a real parse-server share one PostgreSQL database,
// parse-compat passes `_Role` writes to that server (its --upstream), and every read and write
// of a user whose ACL or protectedFields name a role is asked of both: the statuses and bodies
// must be the same. The roles are made with the npm Parse SDK, untouched, through parse-compat.
// Both servers run with protectedFields {"_User": {"*": ["ssn", "zip"], "role:Administrator": []}}.
// Usage: COMPAT_URL=http://127.0.0.1:PORT/parse PARSE_URL=http://127.0.0.1:PORT/parse node roles.mjs
import assert from 'node:assert/strict';
import Parse from 'parse/node';

const compatURL = process.env.COMPAT_URL;
const parseURL = process.env.PARSE_URL;
assert.ok(compatURL && parseURL, 'COMPAT_URL and PARSE_URL are required');
Parse.initialize('compatApp', 'compatJs', 'compatMaster');
Parse.serverURL = compatURL;
const step = (name) => console.log(`ok - ${name}`);
let compared = 0;

/** One request to one server: its status and its JSON body. */
async function call(base, method, path, { token, master, body } = {}) {
  const headers = { 'X-Parse-Application-Id': 'compatApp', 'X-Parse-REST-API-Key': 'compatRest' };
  if (token) headers['X-Parse-Session-Token'] = token;
  if (master) headers['X-Parse-Master-Key'] = 'compatMaster';
  if (body) headers['Content-Type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: body && JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

/** The same request to real Parse, then to parse-compat: both must answer alike (a write's
 *  `updatedAt` aside, which each server sets when it writes). */
async function same(what, method, path, options) {
  const real = await call(parseURL, method, path, options);
  const compat = await call(compatURL, method, path, options);
  for (const answer of [real, compat]) delete answer.body.updatedAt;
  assert.deepEqual(compat, real, `${what}: parse-compat answered otherwise than Parse`);
  compared += 1;
  return real;
}

const tag = Date.now().toString(36);
const signUp = (name, fields = {}) => Parse.User.signUp(`${name}-${tag}`, 'pw-1', fields);
const target = await signUp('target', { email: `target-${tag}@example.com`, ssn: '123', zip: '75001' });
const open = await signUp('open', { email: `open-${tag}@example.com`, ssn: '456', zip: '10001' });
const admin = await signUp('admin');
const support = await signUp('support');
const outsider = await signUp('outsider');
const friend = await signUp('friend');
await Parse.User.logOut();
step('users: signed up through parse-compat');

const administrators = new Parse.Role('Administrator', new Parse.ACL());
administrators.getUsers().add(admin);
await administrators.save(null, { useMasterKey: true });
const management = new Parse.Role(`managementOf_${target.id}`, new Parse.ACL());
management.getRoles().add(administrators);
await management.save(null, { useMasterKey: true });
const supportRole = new Parse.Role('Support', new Parse.ACL());
supportRole.getUsers().add(support);
await supportRole.save(null, { useMasterKey: true });
step('roles: saved with the SDK through parse-compat, by the real server');

const acl = new Parse.ACL(target);
acl.setRoleReadAccess(management, true);
acl.setRoleWriteAccess(supportRole, true);
acl.setReadAccess(friend, true); // by objectId, no role
target.setACL(acl);
await target.save(null, { useMasterKey: true });
const openACL = new Parse.ACL(open);
openACL.setPublicReadAccess(true);
open.setACL(openACL);
await open.save(null, { useMasterKey: true });
step('users: ACLs naming roles, set with the master key through parse-compat');

const callers = {
  admin: admin.getSessionToken(),
  support: support.getSessionToken(),
  outsider: outsider.getSessionToken(),
  friend: friend.getSessionToken(),
  target: target.getSessionToken(),
  anonymous: undefined,
};
async function reads(when) {
  for (const [who, token] of Object.entries(callers)) {
    for (const id of [target.id, open.id]) {
      await same(`${when}: ${who} gets /users/${id}`, 'GET', `/users/${id}`, { token });
      await same(`${when}: ${who} gets /classes/_User/${id}`, 'GET', `/classes/_User/${id}`, { token });
      const where = encodeURIComponent(JSON.stringify({ objectId: id }));
      await same(`${when}: ${who} queries ${id}`, 'GET', `/users?where=${where}`, { token });
    }
    const all = encodeURIComponent(JSON.stringify({ username: { $in: [target, open, admin].map((u) => u.get('username')) } }));
    await same(`${when}: ${who} queries users`, 'GET', `/classes/_User?where=${all}&order=username&count=1`, { token });
  }
}
await reads('inherited read');
const adminView = await call(compatURL, 'GET', `/users/${target.id}`, { token: callers.admin });
assert.equal(adminView.status, 200);
assert.equal(adminView.body.ssn, '123', 'role:Administrator sees what * hides');
const outsiderView = await call(compatURL, 'GET', `/users/${open.id}`, { token: callers.outsider });
assert.equal(outsiderView.body.ssn, undefined);
assert.equal(outsiderView.body.email, undefined);
step('reads: a role inherited through another, and protectedFields by role, as Parse answers');

for (const who of ['admin', 'outsider', 'friend', 'anonymous', 'support']) {
  await same(`${who} writes the target`, 'PUT', `/users/${target.id}`, { token: callers[who], body: { nickname: who } });
}
const written = await call(compatURL, 'GET', `/users/${target.id}`, { master: true });
assert.equal(written.body.nickname, 'support');
step('writes: only the role granted write may, as Parse answers');

// A cycle: Administrator inherits from the management role that inherits from it.
administrators.getRoles().add(management);
await administrators.save(null, { useMasterKey: true });
await reads('role cycle');
step('a cycle of roles ends, with the same answers');

// Support is deleted, and the management role no longer holds Administrator.
await supportRole.destroy({ useMasterKey: true });
management.getRoles().remove(administrators);
await management.save(null, { useMasterKey: true });
administrators.getRoles().remove(management);
await administrators.save(null, { useMasterKey: true });
await reads('roles taken away');
await same('support writes after its role is gone', 'PUT', `/users/${target.id}`, { token: callers.support, body: { nickname: 'late' } });
await same('support deletes after its role is gone', 'DELETE', `/users/${target.id}`, { token: callers.support });
const gone = await call(compatURL, 'GET', `/users/${target.id}`, { token: callers.admin });
assert.equal(gone.status, 404);
step('a role taken away counts from the next request');

console.log(`roles: all steps passed (${compared} requests answered alike)`);
