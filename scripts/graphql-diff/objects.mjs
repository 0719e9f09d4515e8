// The object queries of Parse's class API (`user(id:)`, `session(id:)`, `role(id:)`,
// `node(id:)`) asked by callers with different rights about objects they may or may not read:
// a hand-written family beside the generated corpus, recorded with
//   node scripts/graphql-diff/record.mjs --cases objects --versions "5.6.0 9.10.0"
// into fixtures/graphql-objects/<v>.jsonl. Two users sign up (<oid#1>/<token#1> alice,
// <oid#2>/<token#2> bob); alice's session is <oid#3>.
const GQL = '/graphql';
const APP = { 'X-Parse-Application-Id': 'compatApp' };
const JSONT = { 'Content-Type': 'application/json' };
const CLIENT = { ...APP, 'X-Parse-Client-Key': 'compatClient' };
const ALICE = { ...CLIENT, 'X-Parse-Session-Token': '<token#1>' };
const BOB = { ...CLIENT, 'X-Parse-Session-Token': '<token#2>' };
const MASTER = { ...APP, 'X-Parse-Master-Key': 'compatMaster' };

const SESSION_FIELDS = 'id objectId createdAt updatedAt sessionToken expiresAt installationId createdWith ' +
  'ACL { public { read write } users { userId read write } roles { roleName read write } } ' +
  'user { id objectId username email emailVerified authData ACL { users { userId read write } public { read write } } }';

export function objectCasesFor() {
  const cases = [];
  const rest = (step, method, path, headers, body) =>
    cases.push({ step, method, path, headers: { ...headers, ...JSONT }, body: body === null ? null : JSON.stringify(body) });
  const gql = (step, headers, query, extra = {}) =>
    cases.push({ step, method: 'POST', path: GQL, headers: { ...headers, ...JSONT }, body: JSON.stringify({ query }), ...extra });

  rest('prelude.signUpAlice', 'POST', '/parse/users', CLIENT, { username: 'alice', password: 'pw-alice-1', email: 'alice@example.com' });
  rest('prelude.signUpBob', 'POST', '/parse/users', CLIENT, { username: 'bob', password: 'pw-bob-1', email: 'bob@example.com' });
  rest('prelude.aliceSession', 'GET', '/parse/sessions/me', ALICE, null);
  rest('prelude.aliceLogIn', 'POST', '/parse/login', CLIENT, { username: 'alice', password: 'pw-alice-1' });

  // sessions: the owner, by objectId, global id and node; someone else; nobody; the master key
  gql('session.owner', ALICE, `{ session(id: "<oid#3>") { ${SESSION_FIELDS} } }`, { waitBefore: 6000 });
  gql('session.ownerByGlobalId', ALICE, '{ session(id: "<relay:_Session:oid#3>") { objectId user { username } } }');
  gql('session.ownerNode', ALICE, '{ node(id: "<relay:_Session:oid#3>") { __typename id ... on Session { sessionToken user { username objectId } } } }');
  gql('session.userIdOnly', ALICE, '{ session(id: "<oid#3>") { objectId user { objectId id } } }');
  gql('session.other', BOB, '{ session(id: "<oid#3>") { objectId } }');
  gql('session.otherNode', BOB, '{ node(id: "<relay:_Session:oid#3>") { id } }');
  gql('session.nobody', CLIENT, '{ session(id: "<oid#3>") { objectId } }');
  gql('session.master', MASTER, '{ session(id: "<oid#3>") { objectId sessionToken createdWith user { username email authData } } }');
  gql('session.unknown', ALICE, '{ session(id: "zzzzzzzzzz") { objectId } }');

  // users: self, another user, nobody, the master key
  gql('user.self', ALICE, '{ user(id: "<oid#1>") { id objectId username email emailVerified authData createdAt updatedAt ACL { public { read write } users { userId read write } roles { roleName } } } }');
  gql('user.selfByGlobalId', ALICE, '{ user(id: "<relay:_User:oid#1>") { username email } }');
  gql('user.other', ALICE, '{ user(id: "<oid#2>") { id username email ACL { public { read write } } } }');
  gql('user.otherNode', ALICE, '{ node(id: "<relay:_User:oid#2>") { id ... on User { username email } } }');
  gql('user.nobody', CLIENT, '{ user(id: "<oid#1>") { username email } }');
  gql('user.master', MASTER, '{ user(id: "<relay:_User:oid#1>") { username email emailVerified authData ACL { users { userId } } } }');
  gql('user.masterNode', MASTER, '{ node(id: "<relay:_User:oid#2>") { __typename ... on User { objectId username email } } }');
  gql('user.unknown', ALICE, '{ user(id: "zzzzzzzzzz") { id } }');
  gql('user.unknownNode', MASTER, '{ node(id: "<relay:_User:oid#3>") { id } }');

  // roles: none exist
  gql('role.byId', ALICE, '{ role(id: "zzzzzzzzzz") { id name } }');
  gql('role.node', MASTER, '{ node(id: "X1JvbGU6enp6enp6enp6eg==") { id } }');

  // several roots, one failing: data keeps the nullable node, loses the non-null get
  gql('mixed.nodeFails', ALICE, '{ health a: node(id: "X1JvbGU6enp6enp6enp6eg==") { id } b: user(id: "<oid#1>") { username } }');
  gql('mixed.getFails', ALICE, '{ b: user(id: "<oid#1>") { username } c: session(id: "zzzzzzzzzz") { id } __typename }');

  // finds: rights, pages, cursors, orders, where
  const PAGE = 'pageInfo { hasPreviousPage hasNextPage startCursor endCursor }';
  gql('find.users', ALICE, `{ users { count edges { cursor node { id username email } } ${PAGE} } }`);
  gql('find.usersOrdered', ALICE, `{ users(order: [username_DESC], first: 1) { count edges { cursor node { username } } ${PAGE} } }`);
  gql('find.usersLast', ALICE, `{ users(last: 1) { count edges { cursor node { username } } ${PAGE} } }`);
  gql('find.usersAfter', ALICE, `{ users(after: "YXJyYXljb25uZWN0aW9uOjA=", first: 1) { count edges { cursor } ${PAGE} } }`);
  gql('find.usersBefore', ALICE, `{ users(before: "YXJyYXljb25uZWN0aW9uOjE=") { count edges { cursor node { username } } ${PAGE} } }`);
  gql('find.usersSkip', ALICE, '{ users(skip: 1) { count edges { node { username } } pageInfo { hasPreviousPage hasNextPage } } }');
  gql('find.usersIn', ALICE, '{ users(where: {username: {in: ["alice", "bob"]}}) { count } }');
  gql('find.usersOr', ALICE, '{ users(where: {OR: [{username: {equalTo: "bob"}}, {id: {equalTo: "<relay:_User:oid#1>"}}]}, order: [createdAt_ASC]) { edges { node { id username } } } }');
  gql('find.usersRegex', ALICE, '{ users(where: {username: {matchesRegex: "^AL", options: "i"}}) { edges { node { username } } } }');
  gql('find.usersNotIn', ALICE, '{ users(where: {username: {notIn: ["alice"]}, objectId: {exists: true}}) { count edges { node { username } } } }');
  gql('find.usersCreatedBetween', ALICE, '{ users(where: {createdAt: {greaterThan: "2020-01-01T00:00:00.000Z", lessThanOrEqualTo: "2030-06-15T12:00:00.000Z"}}) { count } }');
  gql('find.usersCreatedLater', ALICE, '{ users(where: {updatedAt: {greaterThanOrEqualTo: "2030-06-15T12:00:00.000Z"}}) { count } }');
  gql('find.sessionsExpiring', ALICE, '{ sessions(where: {expiresAt: {greaterThan: "2020-01-01T00:00:00.000Z"}}) { count } }');
  gql('find.usersByEmail', ALICE, '{ users(where: {email: {equalTo: "bob@example.com"}}) { count } }');
  gql('find.usersNobody', CLIENT, '{ users { count edges { node { username email } } } }');
  gql('find.usersMaster', MASTER, '{ users(where: {username: {exists: true}}, order: [createdAt_ASC]) { count edges { node { username email } } } }');
  gql('find.usersCountOnly', ALICE, '{ users(first: 0) { count } }');
  gql('find.usersBadFirst', ALICE, '{ users(first: -1) { count } }');
  gql('find.usersBadAfter', ALICE, '{ users(after: "bm90IGEgY3Vyc29y") { count } }');
  gql('find.sessions', ALICE, '{ sessions(order: [createdAt_ASC]) { count edges { cursor node { objectId sessionToken createdWith user { username email } } } } }');
  gql('find.sessionsLast', ALICE, `{ sessions(order: [createdAt_ASC], last: 1) { count edges { node { objectId } } ${PAGE} } }`);
  gql('find.sessionsOther', BOB, '{ sessions(where: {objectId: {equalTo: "<oid#3>"}}) { count edges { node { id } } } }');
  gql('find.sessionsNobody', CLIENT, '{ sessions { count } }');
  gql('find.sessionsMaster', MASTER, '{ sessions(where: {sessionToken: {exists: true}}, order: [createdAt_ASC]) { count edges { node { user { username } } } } }');
  gql('find.roles', ALICE, `{ roles { count edges { cursor } ${PAGE} } }`);
  gql('find.rolesLast', ALICE, '{ roles(last: 2) { count } }');
  gql('find.mixed', ALICE, '{ health users(first: 1) { edges { node { username } } } classes { name } }');

  // keys: before 5.0 the selection reaches PostgreSQL as columns (a relation, another type's
  // fragment), unless the version's needToGetAllKeys reads every column instead
  gql('keys.roleRelation', ALICE, '{ role(id: "zzzzzzzzzz") { name users { count } } }');
  gql('keys.nodeOtherTypes', ALICE, '{ node(id: "<relay:_User:oid#1>") { id ... on Role { name } ... on Session { sessionToken } } }');
  gql('keys.nodeRelationFragment', ALICE, '{ node(id: "<relay:_User:oid#1>") { id ... on Role { users { count } } } }');
  gql('keys.rolesRelation', ALICE, '{ roles { count edges { node { name roles { count } } } } }');
  gql('keys.rolesRelationCountOnly', ALICE, '{ roles(first: 0) { count edges { node { users { count } } } } }');
  gql('keys.sessionPointer', ALICE, '{ sessions { edges { node { user { username id } createdWith installationId } } } }');
  gql('keys.nodeAuthData', ALICE, '{ node(id: "<relay:_User:oid#1>") { id ... on User { authData } ... on Role { users { count } } } }');

  // ids and cursors: graphql-relay before 0.8 decodes them with Node's Buffer, which skips
  // characters outside the alphabet; later releases refuse the whole text
  gql('ids.starGlobalId', ALICE, '{ user(id: "*<relay:_User:oid#1>") { username } }');
  gql('ids.starNode', ALICE, '{ node(id: "*<relay:_User:oid#1>") { id } }');
  gql('ids.whereStarGlobalId', ALICE, '{ users(where: {id: {equalTo: "*<relay:_User:oid#1>"}}) { count edges { node { username } } } }');
  gql('ids.starCursor', ALICE, '{ users(after: "YXJyYXljb25uZWN0aW9uOjA*") { edges { cursor } } }');
  gql('ids.shortCursor', ALICE, '{ users(before: "YXJyYXljb25uZWN0aW9uOjE") { edges { cursor } } }');
  gql('ids.paddedMidCursor', ALICE, '{ users(after: "YXJy=YXljb25uZWN0aW9uOjA=") { edges { cursor } } }');

  // delete mutations (3.10+): the object is read first when the payload selects more than
  // its id; the `final.*` ones end alice's first session and bob, so they come last
  gql('delete.unknownSessionIdOnly', ALICE, 'mutation { deleteSession(input: {id: "zzzzzzzzzz", clientMutationId: "c1"}) { clientMutationId session { id } } }');
  gql('delete.unknownSessionRead', ALICE, 'mutation { deleteSession(input: {id: "zzzzzzzzzz"}) { clientMutationId session { sessionToken } } }');
  gql('delete.unknownRole', ALICE, 'mutation { deleteRole(input: {id: "zzzzzzzzzz", clientMutationId: "c2"}) { clientMutationId } }');
  gql('delete.unknownUser', MASTER, 'mutation { deleteUser(input: {id: "zzzzzzzzzz"}) { clientMutationId } }');
  gql('delete.userNobody', CLIENT, 'mutation { deleteUser(input: {id: "<oid#1>"}) { clientMutationId user { id } } }');
  gql('delete.otherUser', ALICE, 'mutation { deleteUser(input: {id: "<relay:_User:oid#2>"}) { user { objectId } } }');
  gql('delete.otherSession', BOB, 'mutation { deleteSession(input: {id: "<oid#3>", clientMutationId: "c3"}) { clientMutationId } }');
  gql('delete.twoRoots', ALICE, 'mutation { a: deleteRole(input: {id: "zzzzzzzzzz"}) { clientMutationId } __typename b: deleteSession(input: {id: "zzzzzzzzzz"}) { clientMutationId } }');
  gql('final.deleteOwnSession', ALICE, 'mutation { deleteSession(input: {id: "<relay:_Session:oid#3>", clientMutationId: "c4"}) { clientMutationId session { id objectId installationId user { username } } } }');
  gql('final.ownSessionGone', ALICE, '{ health }');
  gql('final.deleteSelf', BOB, 'mutation { deleteUser(input: {id: "<oid#2>"}) { clientMutationId user { id username email } } }');
  gql('final.selfGone', MASTER, '{ users(where: {username: {exists: true}}) { count edges { node { username } } } }');
  return cases;
}
