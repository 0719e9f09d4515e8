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
// parse-compat with the same options, so an option a spec sets reaches both. JavaScript that
// only the in-process server can run is declared to parse-compat as a deployment would
// declare it: a JS e-mail adapter as `emailAdapter: upstream`, a `validatorCallback` and
// `verifyUserEmails`/`preventLoginWithUnverifiedEmail` functions as "upstream", and each Cloud
// Code trigger a spec registers on users or sessions in
// `userTriggers` (parse-compat restarts with it before the SDK's next request).
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
// again. Starts run one at a time, in the order asked (a spec may register a trigger and
// reconfigure the server at once); `options` may be a function that gives them when the start
// begins.
let starts = Promise.resolve();
function startCompat(options) {
  const run = starts.then(async () => {
    const given = typeof options === 'function' ? options() : options;
    for (let attempt = 1; ; attempt++) {
      try {
        return await startCompatOnce(given);
      } catch (error) {
        if (attempt === 5) throw error;
        await new Promise(r => setTimeout(r, 100 * attempt));
      }
    }
  });
  starts = run.catch(() => {});
  return run;
}

async function startCompatOnce(options) {
  await stopCompat();
  // Another process on the port would answer in this one's place, with its own options.
  if (await health()) throw new Error(`port ${frontPort} is served by another process`);
  const config = portable(options);
  delete config.port;
  // A JavaScript email adapter runs in the in-process server: parse-compat asks it to send,
  // as a deployment with its adapter in the upstream Parse Server would be configured.
  if (options.emailAdapter && typeof options.emailAdapter === 'object') {
    config.emailAdapter = 'upstream';
  }
  if (options.passwordPolicy && typeof options.passwordPolicy.validatorCallback === 'function') {
    config.passwordPolicy.validatorCallback = 'upstream';
  }
  for (const key of ['verifyUserEmails', 'preventLoginWithUnverifiedEmail']) {
    if (typeof options[key] === 'function') config[key] = 'upstream';
  }
  if (triggers.size) config.userTriggers = [...triggers];
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

// Cloud Code triggers on users and sessions registered by the running spec, and the restart of
// parse-compat that declares them, which the SDK's requests wait for.
const triggers = new Set();
let restarting = Promise.resolve();
const USER_TRIGGERS = ['beforeSave', 'afterSave', 'beforeDelete', 'afterDelete', 'beforeFind', 'afterFind'];
const LOGIN_TRIGGERS = ['beforeLogin', 'afterLogin', 'afterLogout', 'beforePasswordResetRequest'];
const wrapped = Symbol('parse-spec wrapped');
function className(target) {
  if (typeof target === 'string') return target;
  if (global.Parse && target === Parse.User) return '_User';
  return target && (target.className || (target.prototype && target.prototype.className));
}
function declare(name) {
  if (triggers.has(name) || !fs.existsSync(configFile)) return;
  triggers.add(name);
  restarting = startCompat(() => JSON.parse(fs.readFileSync(configFile, 'utf8'))).catch(() => {});
}
// Parse.Cloud is replaced at every server start: wrap its trigger functions again each time.
function watchCloud() {
  if (!bin || !global.Parse || !Parse.Cloud) return;
  for (const name of [...USER_TRIGGERS, ...LOGIN_TRIGGERS]) {
    const original = Parse.Cloud[name];
    if (typeof original !== 'function' || original[wrapped]) continue;
    const watching = function (...args) {
      const result = original.apply(this, args);
      const cls = USER_TRIGGERS.includes(name) ? className(args[0]) : null;
      if (!USER_TRIGGERS.includes(name) || cls === '_User') declare(name);
      return result;
    };
    watching[wrapped] = true;
    Parse.Cloud[name] = watching;
  }
  const controller = Parse.CoreManager.getRESTController();
  if (!controller[wrapped]) {
    const waiting = { ...controller, [wrapped]: true };
    for (const method of ['request', 'ajax']) {
      if (typeof controller[method] !== 'function') continue;
      waiting[method] = async function (...args) {
        await restarting;
        return controller[method].apply(this, args);
      };
    }
    Parse.CoreManager.setRESTController(waiting);
  }
}

// The specs' raw requests (`require('../lib/request')`, taken when a spec file loads, after
// this helper) wait for that restart too.
if (bin) {
  const requestPath = require.resolve('../lib/request');
  const original = require(requestPath);
  const waiting = function (...args) {
    return restarting.then(() => original.apply(this, args));
  };
  Object.assign(waiting, original);
  require.cache[requestPath].exports = waiting;
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
    watchCloud();
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
        error
          ? complete(error)
          : startCompat(options).then(() => {
              watchCloud();
              complete();
            }, complete),
    });
    track(server.server);
    return server;
  };
}

// The suite wipes the database after every spec; parse-compat starts afresh with it, as it
// would after a restore, so that nothing it cached outlives the data.
// Triggers registered by the spec before are gone (the suite removes every hook).
beforeEach(async () => {
  triggers.clear();
  if (bin && fs.existsSync(configFile)) {
    const options = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    delete options.userTriggers;
    await startCompat(options);
  }
  watchCloud();
});

process.on('exit', () => {
  if (child) child.kill('SIGKILL');
  try {
    fs.unlinkSync(configFile);
  } catch (e) {
    /* gone already */
  }
});
