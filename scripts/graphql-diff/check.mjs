#!/usr/bin/env node
// Checks the generator offline against the graphql-js that a real parse-server version ships
// (installed by /work/shared/parse-oracle/run.sh under $RUNS_DIR/<v>/node_modules/graphql):
// every valid.* document must parse, validate and have coercible variables; for mut.* and
// syn.* it prints how many documents graphql-js rejects (a mutation that stays valid is allowed,
// but should be rare).  A development aid: the generator itself needs nothing but node.
//
//   node scripts/graphql-diff/check.mjs --version 4.4.0 [--verbose]
import path from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';
import { generateFor } from './generate.mjs';

const args = {};
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--verbose') args.verbose = true; else if (a.startsWith('--')) args[a.slice(2)] = process.argv[++i];
}
const version = args.version;
const runs = process.env.RUNS_DIR || path.join(os.homedir(), '.cache', 'parse-oracle');
const require = createRequire(path.join(runs, version, 'node_modules', 'parse-server', 'package.json'));
const graphql = require('graphql');
const fs = await import('node:fs');
const sdl = fs.readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'fixtures', 'schema', `${version}.graphql`), 'utf8');
const schema = graphql.buildSchema(sdl);
const cases = generateFor(version);
const live = { '<oid#1>': 'AbCdEfGhIj', '<token#1>': 'r:' + '0'.repeat(32), '<relay:_User:oid#1>': Buffer.from('_User:AbCdEfGhIj').toString('base64') };
const subst = (s) => s.replace(/<oid#1>|<token#1>|<relay:_User:oid#1>/g, m => live[m]);

const stats = {};
let bad = 0;
// no request that may run a mutation may name the prelude user
for (const c of cases) {
  const t = (c.body || '') + c.path;
  if (/mutation/i.test(t) && /<oid#1>|<relay:_User:oid#1>/.test(t)) { bad++; console.log(`MUTATION NAMES THE USER ${c.step}`); }
}
for (const c of cases) {
  if (c.method !== 'POST' || c.path !== '/graphql' || !c.body) continue;
  let payload;
  try { payload = JSON.parse(subst(c.body)); } catch { continue; }
  if (!payload || typeof payload.query !== 'string') continue;
  const fam = c.step.split('.').slice(0, 2).join('.');
  const st = (stats[fam] ||= { n: 0, parseErr: 0, validateErr: 0, varErr: 0, ok: 0 });
  st.n++;
  let doc;
  try { doc = graphql.parse(payload.query); } catch (e) {
    st.parseErr++;
    if (c.step.startsWith('valid.')) { bad++; console.log(`PARSE ${c.step}: ${e.message}\n  ${payload.query}`); }
    continue;
  }
  let errs;
  try { errs = graphql.validate(schema, doc); } catch (e) { errs = [e]; console.log(`VALIDATE THREW ${c.step}: ${String(e).slice(0, 100)}`); }
  if (errs.length) {
    st.validateErr++;
    if (c.step.startsWith('valid.')) { bad++; console.log(`INVALID ${c.step}: ${errs.map(e => e.message).join(' | ')}\n  ${payload.query}`); }
    continue;
  }
  // variables
  const ops = doc.definitions.filter(d => d.kind === 'OperationDefinition');
  const op = payload.operationName ? ops.find(o => o.name && o.name.value === payload.operationName) : ops.length === 1 ? ops[0] : null;
  if (op) {
    let varErrs = [];
    try {
      const { getVariableValues } = require('graphql/execution/values');
      const res = getVariableValues(schema, op.variableDefinitions || [], payload.variables || {});
      varErrs = res.errors || [];
    } catch (e) { varErrs = [e]; }
    if (varErrs.length) {
      st.varErr++;
      if (c.step.startsWith('valid.')) { bad++; console.log(`VARS ${c.step}: ${varErrs.map(e => e.message).join(' | ')}\n  ${payload.query} ${JSON.stringify(payload.variables)}`); }
      continue;
    }
  }
  st.ok++;
  if (args.verbose && !c.step.startsWith('valid.')) console.log(`STILL VALID ${c.step}: ${payload.query} ${JSON.stringify(payload.variables || {})}`);
}
for (const [k, v] of Object.entries(stats)) console.log(`${k.padEnd(34)} n=${v.n} parseErr=${v.parseErr} validateErr=${v.validateErr} varErr=${v.varErr} ok=${v.ok}`);
console.log(`${version}: ${bad} valid.* documents rejected by graphql ${graphql.version || ''}`);
process.exit(bad ? 1 : 0);
