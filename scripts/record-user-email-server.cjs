// Starts one REAL, unmodified parse-server (installed from npm under <installDir>/node_modules)
// with extra Parse Server options and an e-mail adapter that CAPTURES every e-mail Parse asks to
// send.  Its REST API is mounted at /parse and its GraphQL API at /graphql.  Used by
// scripts/record-user-email.mjs to record Parse's e-mail flows (verification, password reset).
//
// usage: NODE_ENV=production node record-user-email-server.cjs <installDir> <port> <db> <optionsJSON> <capturePort>
//
// <optionsJSON> is a JSON object merged (top-level keys, last wins) over the fixed options:
// appId compatApp, masterKey compatMaster, restAPIKey compatRest, javascriptKey compatJs,
// clientKey compatClient, serverURL http://127.0.0.1:<port>/parse, mountPath /parse and
// databaseURI postgres://parse@127.0.0.1:5432/<db>.  Two values in it are markers:
//   - any string option containing the text "<port>" (publicServerURL) gets the real port;
//   - "emailAdapter": "capture:full" becomes an object adapter with sendMail,
//     sendVerificationEmail and sendPasswordResetEmail; "capture:sendMail" one with sendMail
//     only (so Parse formats the default subject / text itself).
// Each call of the adapter is stored, in call order, as
//   {"seq": n, "method": "sendVerificationEmail" | "sendPasswordResetEmail" | "sendMail",
//    "options": <the argument, JSON; a Parse.Object in it is written
//                {"$parseObject": <className>, "attributes": <object.toJSON()>}>}
// and served as a JSON array by a tiny HTTP server on 127.0.0.1:<capturePort> (GET /emails); each
// call is also printed on stdout as one line "[email-capture] <json>".
//
// When Parse refuses the options, the value it threw is printed on stderr as one line
//   [email-server] startup failed: <typeof value>: <text>
// (text = the string itself, or message of an Error) and the process exits with 1.
// On success it prints "[email-server] listening ..." on stdout.
'use strict';
const path = require('path');
const http = require('http');

const [installDir, portArg, dbName, optionsArg, capturePortArg] = process.argv.slice(2);
if (!installDir || !portArg || !dbName || optionsArg === undefined || !capturePortArg) {
  console.error('usage: node record-user-email-server.cjs <installDir> <port> <db> <optionsJSON> <capturePort>');
  process.exit(2);
}
let extra;
try {
  extra = JSON.parse(optionsArg);
} catch (e) {
  console.error(`[email-server] <optionsJSON> is not JSON: ${e.message}`);
  process.exit(2);
}
if (!extra || typeof extra !== 'object' || Array.isArray(extra)) {
  console.error('[email-server] <optionsJSON> must be a JSON object');
  process.exit(2);
}

const port = Number(portArg);
const capturePort = Number(capturePortArg);
const modules = path.resolve(installDir, 'node_modules');
const load = name => require(path.join(modules, name));
const version = load('parse-server/package.json').version;
const major = Number(version.split('.')[0]);
const parseServerModule = load('parse-server');
const ParseServer = parseServerModule.default;
const { ParseGraphQLServer } = parseServerModule;
const express = load('express');

function describe(value) {
  if (value instanceof Error) return `${value.constructor.name}: ${value.message}`;
  if (typeof value === 'string') return `string: ${value}`;
  try { return `${typeof value}: ${JSON.stringify(value)}`; } catch { return `${typeof value}: ${String(value)}`; }
}
process.on('unhandledRejection', e => console.error('[email-server] unhandledRejection', describe(e)));

// ---------------------------------------------------------------- the capturing adapter
const captured = [];
function plain(v, depth = 0) {
  if (depth > 8) return '<too deep>';
  if (v === null || v === undefined) return v === undefined ? null : v;
  if (Array.isArray(v)) return v.map(x => plain(x, depth + 1));
  if (typeof v === 'object') {
    if (typeof v.toJSON === 'function' && typeof v.className === 'string') {
      return { $parseObject: v.className, attributes: v.toJSON() };
    }
    if (v instanceof Date) return v.toISOString();
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = plain(x, depth + 1);
    return o;
  }
  if (typeof v === 'function') return '<function>';
  return v;
}
function capture(method) {
  return function (options) {
    const rec = { seq: captured.length + 1, method, options: plain(options) };
    captured.push(rec);
    console.log(`[email-capture] ${JSON.stringify(rec)}`);
    return Promise.resolve();
  };
}
function makeAdapter(kind) {
  if (kind === 'capture:full') {
    return {
      sendMail: capture('sendMail'),
      sendVerificationEmail: capture('sendVerificationEmail'),
      sendPasswordResetEmail: capture('sendPasswordResetEmail'),
    };
  }
  if (kind === 'capture:sendMail') return { sendMail: capture('sendMail') };
  throw new Error(`unknown emailAdapter marker ${kind}`);
}

function startCaptureServer() {
  return new Promise((resolve, reject) => {
    const srv = http.createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/emails') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(captured));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    srv.once('error', reject);
    srv.listen(capturePort, '127.0.0.1', () => resolve(srv));
  });
}

async function start() {
  const resolved = {};
  for (const [k, v] of Object.entries(extra)) {
    resolved[k] = typeof v === 'string' ? v.split('<port>').join(String(port)) : v;
  }
  if (typeof resolved.emailAdapter === 'string' && resolved.emailAdapter.startsWith('capture:')) {
    resolved.emailAdapter = makeAdapter(resolved.emailAdapter);
  }
  const options = Object.assign({
    appId: 'compatApp',
    masterKey: 'compatMaster',
    restAPIKey: 'compatRest',
    javascriptKey: 'compatJs',
    clientKey: 'compatClient',
    databaseURI: `postgres://parse@127.0.0.1:5432/${dbName}`,
    serverURL: `http://127.0.0.1:${port}/parse`,
    mountPath: '/parse',
  }, resolved);

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

  const captureServer = await startCaptureServer();
  const app = express();
  app.use('/parse', parse.app);
  new ParseGraphQLServer(parse, { graphQLPath: '/graphql' }).applyGraphQL(app);
  const server = app.listen(port, '127.0.0.1', () => {
    console.log(`[email-server] parse-server ${version} listening on http://127.0.0.1:${port}/parse ` +
      `(graphql /graphql, captured e-mails on http://127.0.0.1:${capturePort}/emails, db ${dbName}, ` +
      `pid ${process.pid}, options ${JSON.stringify(extra)})`);
  });
  const stop = () => { server.close(); captureServer.close(); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

start().catch(e => {
  console.error(`[email-server] startup failed: ${describe(e)}`);
  process.exit(1);
});
