// The npm Parse JS SDK, untouched, against parse-compat running with --upstream pointing at a
// real parse-server: users and sessions are answered by parse-compat, objects, Cloud Code and
// GraphQL class queries by the real server behind it, all through one URL.
// Usage: PARSE_SERVER_URL=http://127.0.0.1:PORT/parse GRAPHQL_URL=http://127.0.0.1:PORT/graphql node upstream.mjs
import assert from 'node:assert/strict';
import Parse from 'parse/node';

const serverURL = process.env.PARSE_SERVER_URL;
const graphqlURL = process.env.GRAPHQL_URL;
assert.ok(serverURL && graphqlURL, 'PARSE_SERVER_URL and GRAPHQL_URL are required');
Parse.initialize('compatApp', 'compatJs');
Parse.serverURL = serverURL;
Parse.User.enableUnsafeCurrentUser();
const step = (name) => console.log(`ok - ${name}`);

const username = `up-${Date.now()}`;
const user = await Parse.User.signUp(username, 'up-pass-1', { nickname: 'up' });
assert.match(user.getSessionToken(), /^r:[0-9a-f]{32}$/);
assert.equal((await Parse.User.become(user.getSessionToken())).get('nickname'), 'up');
step('users: signUp and become, answered by parse-compat');
// The real server keeps its own users and sessions until both share one database (the
// PostgreSQL store): the objects below are saved without a session.
await Parse.User.logOut();

// LiveQuery: the SDK's WebSocket goes to parse-compat, which tunnels it to the real server.
Parse.liveQueryServerURL = serverURL.replace(/^http/, 'ws');
const subscription = await new Parse.Query('Post').equalTo('title', 'live').subscribe();
const heard = new Promise((resolve, reject) => {
  subscription.on('create', resolve);
  setTimeout(() => reject(new Error('no LiveQuery create event within 10 s')), 10000);
});
const live = new Parse.Object('Post', { title: 'live' });
live.setACL(new Parse.ACL());
live.getACL().setPublicReadAccess(true);
live.getACL().setPublicWriteAccess(true);
await live.save();
assert.equal((await heard).id, live.id);
subscription.unsubscribe();
await Parse.LiveQuery.close();
await live.destroy();
step('LiveQuery: a subscription through parse-compat hears a create');

const post = new Parse.Object('Post');
post.set({ title: 'through parse-compat', n: 1, tags: ['a'] });
post.setACL(new Parse.ACL()); // public read/write: the real server does not know parse-compat's sessions
post.getACL().setPublicReadAccess(true);
post.getACL().setPublicWriteAccess(true);
await post.save();
assert.match(post.id, /^[A-Za-z0-9]{10}$/);
step('objects: save() reaches the real server');

const found = await new Parse.Query('Post').equalTo('title', 'through parse-compat').find();
assert.deepEqual(found.map((p) => p.id), [post.id]);
post.increment('n', 2);
post.addUnique('tags', 'b');
await post.save();
const fetched = await new Parse.Object('Post', { objectId: post.id }).fetch();
assert.equal(fetched.get('n'), 3);
assert.deepEqual(fetched.get('tags'), ['a', 'b']);
step('objects: query, update and fetch');

const created = await fetch(`${serverURL}/classes/Post`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'X-Parse-Application-Id': 'compatApp', 'X-Parse-Javascript-Key': 'compatJs' },
  body: JSON.stringify({ title: 'located', ACL: { '*': { read: true, write: true } } }),
});
assert.equal(created.status, 201);
const { objectId } = await created.json();
assert.equal(created.headers.get('location'), `${serverURL}/classes/Post/${objectId}`);
await new Parse.Object('Post', { objectId }).destroy();
step('the real server\'s Location headers name parse-compat');

assert.equal(await Parse.Cloud.run('hello', { name: 'compat' }), 'hello compat');
step('Cloud Code functions');

const gql = async (query) => {
  const res = await fetch(graphqlURL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-Parse-Application-Id': 'compatApp', 'X-Parse-Javascript-Key': 'compatJs' },
    body: JSON.stringify({ query }),
  });
  return res.json();
};
assert.equal((await gql('{ health }')).data.health, true);
const posts = await gql('{ posts { count } }');
assert.equal(posts.data?.posts?.count, 1, JSON.stringify(posts));
step('GraphQL: auth operations here, class queries upstream');

await post.destroy();
assert.equal((await new Parse.Query('Post').find()).length, 0);
step('objects: destroy');
console.log('upstream: all steps passed');
