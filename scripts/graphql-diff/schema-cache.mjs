// What Parse 5.0+'s GraphQL schema shows of the columns its PostgreSQL adapter adds to the class
// schemas it reads through its schema cache (`_rperm`, `_wperm`, `_hashed_password`,
// `_password_history`; see src/store/class_reads.rs): one sequence of reads, reloads of the cache
// and GraphQL requests, each followed by a look at the schema. Recorded with
//   node scripts/graphql-diff/record.mjs --cases schema-cache --versions "5.6.0 6.5.11 7.5.4 8.6.94 9.10.0"
// into fixtures/graphql-schema-cache/<v>.jsonl. The whole sequence runs in well under the 5 s a
// session token stays in Parse's user cache: <token#1> is read from the database once.
const GQL = '/graphql';
const APP = { 'X-Parse-Application-Id': 'compatApp' };
const JSONT = { 'Content-Type': 'application/json' };
const CLIENT = { ...APP, 'X-Parse-Client-Key': 'compatClient' };
const REST = { ...APP, 'X-Parse-REST-API-Key': 'compatRest' };
const ALICE = { ...CLIENT, 'X-Parse-Session-Token': '<token#1>' };
const MASTER = { ...APP, 'X-Parse-Master-Key': 'compatMaster' };

// The schema as introspection shows it (where the stack allows it), and as validation shows it:
// a field one letter short of a read column is suggested that column.
const LOOK = '{ u: __type(name: "User") { fields { name } } s: __type(name: "SessionWhereInput") { inputFields { name } } ' +
  'r: __type(name: "RoleOrder") { enumValues { name } } }';
const PROBE = '{ users { edges { node { _rper } } } sessions { edges { node { _wper } } } roles { edges { node { _rper } } } }';

export function schemaCacheCasesFor() {
  const cases = [];
  const rest = (step, method, path, headers, body) =>
    cases.push({ step, method, path, headers: { ...headers, ...JSONT }, body: body === null ? null : JSON.stringify(body) });
  const gql = (step, headers, query) =>
    cases.push({ step, method: 'POST', path: GQL, headers: { ...headers, ...JSONT }, body: JSON.stringify({ query }) });
  const look = (step) => {
    gql(`${step}.look`, MASTER, LOOK);
    gql(`${step}.probe`, MASTER, PROBE);
  };

  rest('prelude.signUp', 'POST', '/parse/users', REST, { username: 'alice', password: 'pw-alice-1' });
  // a fresh database creates `_Session` here (a reload); parse-compat always has it: reload both
  rest('prelude.reload', 'GET', '/parse/schemas/_User', MASTER, null);
  // the first load: nothing read since the reload
  look('first');
  // the token read from the database (and its user); the schema stays as built
  rest('me', 'GET', '/parse/users/me', { ...REST, 'X-Parse-Session-Token': '<token#1>' }, null);
  look('afterMe');
  // GraphQL `classes` reloads the cache: the next load rebuilds from the fresh objects
  gql('reload.classes', MASTER, '{ classes { name } }');
  look('afterClasses');
  // a login reads `_User`, a reload follows, then a new token is read: rebuilt polluted
  rest('login', 'POST', '/parse/login', REST, { username: 'alice', password: 'pw-alice-1' });
  rest('reload.schemas', 'GET', '/parse/schemas/_Session', MASTER, null);
  rest('meNewToken', 'GET', '/parse/users/me', { ...REST, 'X-Parse-Session-Token': '<token#2>' }, null);
  look('afterNewToken');
  // an unknown token reads `_Session` only
  gql('reload.class', MASTER, '{ class(name: "_User") { name } }');
  rest('badToken', 'GET', '/parse/users/me', { ...REST, 'X-Parse-Session-Token': 'r:unknown-token' }, null);
  look('afterBadToken');
  // a query of a class the cache lacks reloads it
  gql('reload.unknownClass', MASTER, '{ node(id: "zzzzzzzzzz") { id } }');
  look('afterUnknownClass');
  // the viewer and a user's finds read `_Session`, `_User` and (roles) `_Role`: no reload since
  gql('viewer', ALICE, '{ viewer { user { username } } }');
  gql('finds', ALICE, '{ users { count } sessions { count } roles { count } }');
  look('afterFinds');
  // then a reload: the objects read differ from the fresh ones, rebuilt clean
  rest('reload.last', 'GET', '/parse/schemas/_User', MASTER, null);
  gql('finds2', ALICE, '{ users { count } sessions { count } roles { count } }');
  look('afterLastReload');
  return cases;
}
