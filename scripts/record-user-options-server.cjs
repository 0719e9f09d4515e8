// Starts one REAL, unmodified parse-server (installed from npm under <installDir>/node_modules)
// with extra Parse Server options, its REST API mounted at /parse.  Used by
// scripts/record-user-options.mjs to record how Parse answers with accountLockout,
// passwordPolicy and session options.
//
// usage: NODE_ENV=production node record-user-options-server.cjs <installDir> <port> <db> <optionsJSON>
//
// <optionsJSON> is a JSON object merged (top-level keys, last wins) over the fixed options:
// appId compatApp, masterKey compatMaster, restAPIKey compatRest, javascriptKey compatJs,
// clientKey compatClient, serverURL http://127.0.0.1:<port>/parse, mountPath /parse and
// databaseURI postgres://parse@127.0.0.1:5432/<db>.
//
// When Parse refuses the options, the value it threw is printed on stderr as one line
//   [options-server] startup failed: <typeof value>: <text>
// (text = the string itself, or message / stack of an Error) and the process exits with 1.
// On success it prints "[options-server] listening ..." on stdout.
'use strict';
const path = require('path');

const [installDir, portArg, dbName, optionsArg] = process.argv.slice(2);
if (!installDir || !portArg || !dbName || optionsArg === undefined) {
  console.error('usage: node record-user-options-server.cjs <installDir> <port> <db> <optionsJSON>');
  process.exit(2);
}
let extra;
try {
  extra = JSON.parse(optionsArg);
} catch (e) {
  console.error(`[options-server] <optionsJSON> is not JSON: ${e.message}`);
  process.exit(2);
}
if (!extra || typeof extra !== 'object' || Array.isArray(extra)) {
  console.error('[options-server] <optionsJSON> must be a JSON object');
  process.exit(2);
}

const port = Number(portArg);
const modules = path.resolve(installDir, 'node_modules');
const load = name => require(path.join(modules, name));
const version = load('parse-server/package.json').version;
const major = Number(version.split('.')[0]);
// The ParseServer class is the `default` export in every version (up to 5.x the named
// `ParseServer` export only wraps it and hands back an express app).
const ParseServer = load('parse-server').default;
const express = load('express');

function describe(value) {
  if (value instanceof Error) return `${value.constructor.name}: ${value.message}`;
  if (typeof value === 'string') return `string: ${value}`;
  try { return `${typeof value}: ${JSON.stringify(value)}`; } catch { return `${typeof value}: ${String(value)}`; }
}
process.on('unhandledRejection', e => console.error('[options-server] unhandledRejection', describe(e)));

async function start() {
  const options = Object.assign({
    appId: 'compatApp',
    masterKey: 'compatMaster',
    restAPIKey: 'compatRest',
    javascriptKey: 'compatJs',
    clientKey: 'compatClient',
    databaseURI: `postgres://parse@127.0.0.1:5432/${dbName}`,
    serverURL: `http://127.0.0.1:${port}/parse`,
    mountPath: '/parse',
  }, extra);

  let parse;
  if (major >= 6) {
    // 6.x+: the constructor validates the options, start() connects to the database.
    parse = new ParseServer(options);
    await parse.start();
  } else {
    // up to 5.x: the constructor validates (Config.put) and reports readiness through
    // serverStartComplete; a throw in the constructor rejects this promise.
    await new Promise((resolve, reject) => {
      options.serverStartComplete = err => (err ? reject(err) : resolve());
      parse = new ParseServer(options);
    });
  }

  const app = express();
  app.use('/parse', parse.app);
  const server = app.listen(port, '127.0.0.1', () => {
    console.log(`[options-server] parse-server ${version} listening on http://127.0.0.1:${port}/parse ` +
      `(db ${dbName}, pid ${process.pid}, options ${JSON.stringify(extra)})`);
  });
  const stop = () => { server.close(); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

start().catch(e => {
  console.error(`[options-server] startup failed: ${describe(e)}`);
  process.exit(1);
});
