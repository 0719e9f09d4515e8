'use strict';
// Loaded after Parse's spec/helper.js in both modes.
//
// Both: Node 19+ keeps HTTP connections alive by default, and the suite's own check for
// connections left open after a spec (a failure up to 4.x) would count idle ones the clients
// (or parse-compat's pool) keep for reuse. They are closed before that check runs (a later
// afterEach runs first); clients reconnect.
//
// With PARSE_SPEC_COMPAT: Parse's helper starts the in-process parse-server on port 8378 with
// serverURL http://localhost:8378/1, and the suite's SDK and raw requests go there. Here that
// server is moved to port 8379 and parse-compat takes 8378, with the in-process server as its
// upstream and the same PostgreSQL database: parse-compat answers what it serves, the rest
// passes through. Every start of the in-process server (reconfigureServer) restarts
// parse-compat with the same options, so an option a spec sets reaches both.
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { ParseServer } = require('../lib/index');

const bin = process.env.PARSE_SPEC_COMPAT || '';
const version = process.env.PARSE_SPEC_VERSION;
const databaseURI = process.env.PARSE_SERVER_TEST_DATABASE_URI;
const logFile = process.env.PARSE_SPEC_LOG || path.join(os.tmpdir(), 'parse-spec-compat.log');
const frontPort = 8378;
const upstreamPort = 8379;
const configFile = path.join(os.tmpdir(), `parse-spec-compat-${process.pid}.json`);
let child;

// Parse options as JSON: functions and adapter objects (a JS email adapter, a database adapter)
// cannot cross a process boundary and are left out; a RegExp becomes its source text, as a
// config file would give it.
function portable(value) {
  if (value instanceof RegExp) return value.source;
  if (typeof value === 'function' || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(portable).filter(v => v !== undefined);
  if (value && typeof value === 'object') {
    if (Object.getPrototypeOf(value) !== Object.prototype) return undefined;
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      const p = portable(v);
      if (p !== undefined) out[k] = p;
    }
    return out;
  }
  return value;
}

function health() {
  return new Promise(resolve => {
    const req = http.get(`http://127.0.0.1:${frontPort}/1/health`, res => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(500, () => req.destroy());
  });
}

async function stopCompat() {
  const running = child;
  if (!running || running.exitCode !== null) return;
  const exited = new Promise(resolve => running.once('exit', resolve));
  running.kill('SIGTERM');
  await exited;
}

// The suite drops and recreates Parse's tables between specs, and the in-process server may
// still be doing so when parse-compat opens the database: a start that fails on that is tried
// again.
async function startCompat(options) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCompatOnce(options);
    } catch (error) {
      if (attempt === 5) throw error;
      await new Promise(r => setTimeout(r, 100 * attempt));
    }
  }
}

async function startCompatOnce(options) {
  await stopCompat();
  const config = portable(options);
  delete config.port;
  // A JavaScript email adapter runs in the in-process server: parse-compat asks it to send,
  // as a deployment with its adapter in the upstream Parse Server would be configured.
  if (options.emailAdapter && typeof options.emailAdapter === 'object') {
    config.emailAdapter = 'upstream';
  }
  Object.assign(config, {
    parseVersion: version,
    databaseURI,
    host: '127.0.0.1',
    port: frontPort,
    mountPath: '/1',
    serverURL: `http://localhost:${frontPort}/1`,
    upstream: `http://127.0.0.1:${upstreamPort}/1`,
  });
  fs.writeFileSync(configFile, JSON.stringify(config), { mode: 0o600 });
  const log = fs.openSync(logFile, 'a');
  fs.writeSync(log, `--- start ${JSON.stringify(config)}\n`);
  child = spawn(bin, ['serve', configFile], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  let code = null;
  child.once('exit', c => {
    code = c;
    child = undefined;
  });
  for (let i = 0; i < 200; i++) {
    if (code !== null) throw new Error(`parse-compat exited with ${code}; see ${logFile}`);
    if (await health()) return;
    await new Promise(r => setTimeout(r, 25));
  }
  throw new Error(`parse-compat never answered /health; see ${logFile}`);
}

const upstreamSockets = new Set();
function track(httpServer) {
  httpServer.on('connection', socket => {
    upstreamSockets.add(socket);
    socket.on('close', () => upstreamSockets.delete(socket));
  });
}
afterEach(async () => {
  const closed = [...upstreamSockets].map(
    socket => new Promise(resolve => socket.once('close', resolve))
  );
  upstreamSockets.forEach(socket => socket.destroy());
  await Promise.all(closed);
});

if (ParseServer.startApp) {
  // 5.x and later: `await ParseServer.startApp(options)`.
  const startApp = ParseServer.startApp.bind(ParseServer);
  ParseServer.startApp = async options => {
    // The in-process server only warns when its serverURL does not answer yet at start.
    if (!bin) {
      const server = await startApp(options);
      track(server.server);
      return server;
    }
    const server = await startApp({ ...options, port: upstreamPort });
    track(server.server);
    await startCompat(options);
    return server;
  };
} else {
  // Up to 4.x: `ParseServer.start(options)` calls `serverStartComplete` when listening.
  const start = ParseServer.start.bind(ParseServer);
  ParseServer.start = options => {
    if (!bin) {
      const server = start(options);
      track(server.server);
      return server;
    }
    const complete = options.serverStartComplete || (() => {});
    const server = start({
      ...options,
      port: upstreamPort,
      serverStartComplete: error =>
        error ? complete(error) : startCompat(options).then(() => complete(), complete),
    });
    track(server.server);
    return server;
  };
}

// The suite wipes the database after every spec; parse-compat starts afresh with it, as it
// would after a restore, so that nothing it cached outlives the data.
beforeEach(async () => {
  if (bin && fs.existsSync(configFile)) {
    await startCompat(JSON.parse(fs.readFileSync(configFile, 'utf8')));
  }
});

process.on('exit', () => {
  if (child) child.kill('SIGKILL');
  try {
    fs.unlinkSync(configFile);
  } catch (e) {
    /* gone already */
  }
});
