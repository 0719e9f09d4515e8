#!/usr/bin/env node
// Records what graphql-js's `validate` says about GraphQL documents, run by the REAL
// parse-server of each version on its own executable schema: the graphql package that version
// installs, the schema `ParseGraphQLSchema.load()` builds on a fresh PostgreSQL database (with
// Parse's own scalars), and graphql-js's `specifiedRules`. The stacks' extra rules and envelopes
// are not part of this: fixtures/graphql-diff records those over HTTP.
//
//   node scripts/graphql-validate/record.cjs [--versions "3.7.2 9.10.0"] [--outdir fixtures/graphql-validate]
//
// Needs the installs of ../shared/parse-oracle/run.sh (INSTALL_ONLY=1) under
// $RUNS_DIR (default ~/.cache/parse-oracle) and PostgreSQL with the `parse` role.
// The documents are every GraphQL document scripts/graphql-diff/generate.mjs builds for that
// version (seeded: the same list every run), deduplicated, in generation order.
// Also <v>.types: the names of the schema's type map, in its order.
// Output, one line per document: {"doc", "syntax"} when graphql-js's parser refuses it,
// else {"doc", "errors": [{"message", "locations": [[line, column], ...]}]} (empty = valid).
// Also <v>.introspection.json: {"query", "result"}, graphql-js's fullest introspection query of
// that release (every option on) executed on the schema, to check whole-schema introspection.
// `--only introspection` records just that file (and the type order).
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const args = {};
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a.startsWith('--')) args[a.slice(2)] = process.argv[++i];
}
const ALL = '3.7.2 3.8.0 3.9.0 3.10.0 4.2.0 4.4.0 4.5.2 5.6.0 6.5.11 7.5.4 8.6.94 9.10.0';
const versions = (args.versions || ALL).split(/\s+/).filter(Boolean);
const here = __dirname;
const outdir = args.outdir || path.join(here, '..', '..', 'fixtures', 'graphql-validate');
const runs = process.env.RUNS_DIR || path.join(process.env.HOME, '.cache', 'parse-oracle');

function psql(sql) {
  execFileSync('su', ['postgres', '-c', `psql -q -c "${sql}"`], { stdio: 'ignore' });
}

/** The GraphQL documents of the generated requests (POST bodies, batches, GET query strings). */
function documentsOf(cases) {
  const docs = [];
  const seen = new Set();
  const add = (q) => {
    // Lone surrogates cannot reach a Rust string (serde_json refuses them): the envelope
    // answers those requests, not validation.
    if (typeof q !== 'string' || q === '' || seen.has(q) || !q.isWellFormed()) return;
    seen.add(q);
    docs.push(q);
  };
  for (const c of cases) {
    if (c.body) {
      try {
        const parsed = JSON.parse(c.body);
        for (const item of Array.isArray(parsed) ? parsed : [parsed]) if (item) add(item.query);
      } catch {
        if ((c.headers['Content-Type'] || '').startsWith('application/graphql')) add(c.body);
      }
    }
    const qs = c.path.split('?')[1];
    if (qs) add(new URLSearchParams(qs).get('query'));
  }
  return docs;
}

async function schemaOf(version, db, port) {
  const nm = path.join(runs, version, 'node_modules');
  const req = (m) => require(path.join(nm, m));
  const pkg = req('parse-server/package.json');
  const major = Number(pkg.version.split('.')[0]);
  const ParseServer = req('parse-server').default;
  const { ParseGraphQLServer } = req('parse-server');
  const options = {
    appId: 'compatApp',
    masterKey: 'compatMaster',
    databaseURI: `postgres://parse@127.0.0.1:5432/${db}`,
    serverURL: `http://127.0.0.1:${port}/parse`,
    mountPath: '/parse',
    graphQLPath: '/graphql',
  };
  let api;
  if (major >= 6) {
    api = new ParseServer(options);
    await api.start();
  } else {
    await new Promise((resolve, reject) => {
      options.serverStartComplete = (err) => (err ? reject(err) : resolve());
      api = new ParseServer(options);
    });
  }
  // One signed-up user, as in every app (and in fixtures/graphql-diff's prelude): its session
  // creates the _Session class, whose types then join the schema.
  const express = req('express');
  const app = express();
  app.use('/parse', api.app);
  const server = await new Promise((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  const res = await fetch(`http://127.0.0.1:${port}/parse/users`, {
    method: 'POST',
    headers: { 'X-Parse-Application-Id': 'compatApp', 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'gqlv_user', password: 'gqlv-pass-1' }),
  });
  if (res.status !== 201) throw new Error(`signUp: HTTP ${res.status} ${await res.text()}`);
  // 3.x/4.x cache the database schema for 5 s.
  await new Promise((r) => setTimeout(r, 6000));
  const gql = new ParseGraphQLServer(api, { graphQLPath: '/graphql' });
  const schema = await gql.parseGraphQLSchema.load();
  server.close();
  return { schema, graphql: req('graphql'), api };
}

async function record(version) {
  const { generateFor } = await import(path.join(here, '..', 'graphql-diff', 'generate.mjs'));
  const docs = documentsOf(generateFor(version));
  const db = `gql_validate_${version.replace(/\./g, '_')}_${process.pid}`;
  psql(`CREATE DATABASE ${db} OWNER parse`);
  try {
    const port = 19000 + (process.pid % 1000);
    const { schema, graphql } = await schemaOf(version, db, port);
    fs.mkdirSync(outdir, { recursive: true });
    const query = graphql.getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    });
    const result = graphql.graphqlSync({ schema, source: query });
    fs.writeFileSync(
      path.join(outdir, `${version}.introspection.json`),
      JSON.stringify({ query, result }) + '\n',
    );
    const lines = [];
    for (const doc of args.only === 'introspection' ? [] : docs) {
      let ast;
      try {
        ast = graphql.parse(doc);
      } catch (e) {
        lines.push(JSON.stringify({ doc, syntax: e.message }));
        continue;
      }
      let errors;
      try {
        errors = graphql.validate(schema, ast).map((e) => ({
          message: e.message,
          locations: (e.locations || []).map((l) => [l.line, l.column]),
        }));
      } catch (e) {
        lines.push(JSON.stringify({ doc, crash: String(e && e.message) }));
        continue;
      }
      lines.push(JSON.stringify({ doc, errors }));
    }
    if (args.only !== 'introspection') {
      fs.writeFileSync(path.join(outdir, `${version}.jsonl`), lines.join('\n') + '\n');
    }
    // The schema's type map order (what graphql-js 14 keeps "Did you mean" ties in; the SDL of
    // 3.x is printed sorted).
    fs.writeFileSync(path.join(outdir, `${version}.types`), Object.keys(schema.getTypeMap()).join('\n') + '\n');
    console.error(`[graphql-validate] ${version}: graphql ${graphql.version}, ${docs.length} documents`);
  } finally {
    try {
      psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    } catch {
      /* the database goes with the next cluster reset */
    }
  }
}

(async () => {
  for (const v of versions) {
    // One child per version: each parse-server install is its own module graph.
    if (versions.length > 1) {
      const only = args.only ? ['--only', args.only] : [];
      execFileSync(process.execPath, [__filename, '--versions', v, '--outdir', outdir, ...only], {
        stdio: 'inherit',
      });
      continue;
    }
    await record(v);
  }
  process.exit(0);
})().catch((e) => {
  console.error('[graphql-validate] failed:', e && e.stack ? e.stack : e);
  process.exit(1);
});
