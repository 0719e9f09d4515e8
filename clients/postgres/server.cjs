// A real parse-server 9.10.0 (npm, unmodified: the copy installed in clients/real-parse) on any
// PostgreSQL database, so that it can share that database with parse-compat instances.
// usage: node server.cjs PORT DATABASE_URI
'use strict';
const { ParseServer } = require('../real-parse/node_modules/parse-server');

const [port, databaseURI] = process.argv.slice(2);
if (!port || !databaseURI) {
  console.error('usage: node server.cjs PORT DATABASE_URI');
  process.exit(2);
}
// A database outage must show up as answers, not end the process: log what would have.
process.on('unhandledRejection', (err) => console.error('unhandledRejection:', err));

ParseServer.startApp({
  appId: 'compatApp',
  masterKey: 'compatMaster',
  javascriptKey: 'compatJs',
  restAPIKey: 'compatRest',
  databaseURI,
  port: Number(port),
  host: '127.0.0.1',
  mountPath: '/parse',
  serverURL: `http://127.0.0.1:${port}/parse`,
}).then(
  () => console.log(`real parse-server listening on 127.0.0.1:${port}`),
  (err) => {
    console.error('real parse-server failed to start:', err);
    process.exit(1);
  },
);
