// Cloud code of the pass-through test's real Parse Server.
Parse.Cloud.define('hello', (request) => `hello ${request.params.name}`);

// Triggers on users and sessions, for clients/parse-sdk/triggers.mjs. They act on users whose
// name starts with `trigger-` only, so that the other tests' users are saved as Parse saves them.
const triggered = (user) => String(user && user.get('username')).startsWith('trigger-');
Parse.Cloud.beforeSave(Parse.User, (request) => {
  if (!triggered(request.object)) return;
  if (request.object.get('nickname') === 'forbidden') {
    throw new Parse.Error(Parse.Error.VALIDATION_ERROR, 'nickname refused by beforeSave');
  }
  request.object.set('greeting', 'set by beforeSave');
});
Parse.Cloud.beforeLogin((request) => {
  if (triggered(request.object) && request.object.get('nickname') === 'banned') {
    throw new Parse.Error(Parse.Error.SCRIPT_FAILED, 'banned by beforeLogin');
  }
});
Parse.Cloud.afterLogout(async (request) => {
  const user = await request.object.get('user').fetch({ useMasterKey: true });
  if (!triggered(user)) return;
  await new Parse.Object('LogoutLog').save({ username: user.get('username') }, { useMasterKey: true });
});
