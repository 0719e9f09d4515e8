// A real parse-server 9.10.0 (from npm, unmodified) on PostgreSQL, for the pass-through test.
// usage: node server.cjs PORT DATABASE
'use strict';
const { ParseServer } = require('parse-server');

const [port, database] = process.argv.slice(2);
if (!port || !database) {
  console.error('usage: node server.cjs PORT DATABASE');
  process.exit(2);
}

ParseServer.startApp({
  appId: 'compatApp',
  masterKey: 'compatMaster',
  javascriptKey: 'compatJs',
  restAPIKey: 'compatRest',
  databaseURI: `postgres://parse@127.0.0.1:5432/${database}`,
  port: Number(port),
  host: '127.0.0.1',
  mountPath: '/parse',
  serverURL: `http://127.0.0.1:${port}/parse`,
  mountGraphQL: true,
  graphQLPath: '/graphql',
  cloud: `${__dirname}/cloud.cjs`,
  // The test's app makes its classes from the client, as apps of older Parse versions do.
  allowClientClassCreation: true,
  // LiveQuery on the same port, for the WebSocket pass-through.
  liveQuery: { classNames: ['Post'] },
  startLiveQueryServer: true,
  // A JavaScript password validator, for clients/parse-sdk/triggers.mjs: no password that
  // starts with "weak".
  ...(process.env.PARSE_VALIDATOR
    ? { passwordPolicy: { validatorCallback: (password) => !password.startsWith('weak') } }
    : {}),
  // More Parse options for one test, as JSON (e.g. the protectedFields parse-compat is given too).
  ...JSON.parse(process.env.PARSE_EXTRA_OPTIONS || '{}'),
}).then(
  () => console.log(`real parse-server listening on 127.0.0.1:${port}`),
  (err) => {
    console.error('real parse-server failed to start:', err);
    process.exit(1);
  },
);
