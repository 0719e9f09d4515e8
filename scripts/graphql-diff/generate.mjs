#!/usr/bin/env node
// A seeded, reproducible generator of GraphQL requests for one Parse Server version, derived
// from that version's real SDL (fixtures/schema/<v>.graphql).  record.mjs sends them to a server
// and records the answers; this file only builds the requests, so that one seed and one version
// always give byte for byte the same list, however often it runs.
//
//   node scripts/graphql-diff/generate.mjs --version 4.4.0 [--seed N] [--only REGEX] > cases.jsonl
//   node scripts/graphql-diff/generate.mjs --version 4.4.0 --summary       # counts per family
//
// A case is {step, method, path, headers, body, waitBefore?}: body is null (no body) or the
// exact text sent.  Requests may hold the placeholders <token#1> (the prelude user's session
// token), <oid#1> (its objectId) and <relay:_User:oid#1> (its relay id); the recorder and the
// Rust replayer put the live values in.
//
// Families (the first part of each step name; then the operator, then the index):
//   prelude.*  REST signUp of the one user whose session the other requests send, and a first
//              GraphQL request 6 s later (3.x/4.x cache the database schema for 5 s, and the
//              signUp created the _Session class)
//   valid.*    valid operations built from the schema: health, viewer, class queries, getters,
//              aliases, named and inline fragments, variables with defaults, @include/@skip,
//              __typename, introspection, harmless (failing) mutations, master key, no session
//   mut.*      one systematic defect in a valid document (validation and coercion errors)
//   syn.*      syntax errors (truncations, stray or missing punctuation, bad strings, numbers,
//              escapes and characters, unterminated block strings, deep and long tokens)
//   env.*      the HTTP envelope (GET/POST/HEAD/PUT/DELETE/PATCH/OPTIONS, content types, bad JSON,
//              batches, variables/operationName shapes, Accept, persisted queries, keys, tokens)
//   final.*    logOut of the prelude session, then viewer and /users/me with it: late, so that
//              nothing before loses the session
//   hang.*     one where-input nested 40 deep, the very last request: real Parse's time is
//              exponential in that depth, and the server may never answer again
// Every family and operator draws from its own mulberry32 stream, seeded with
// fnv1a("<seed>|<version>|<family>"), so that changing one leaves the others as they were.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { named, isNonNull, nullable, printType } from './sdl.mjs';
import {
  Rng, Schema, DocBuilder, STYLES, STYLE_NAMES, clone, F, V, dir, ifArg, selSets, fieldsOf, valueSlots, opsOf,
  printDoc, printValue, toJson, APP_ID, CLIENT_KEY, MASTER_KEY, REST_KEY, JS_KEY, USERNAME, PASSWORD, EMAIL, UNKNOWN_ID,
} from './gql.mjs';

export const DEFAULT_SEED = 7411;
const here = path.dirname(fileURLToPath(import.meta.url));
export const SCHEMA_DIR = path.join(here, '..', '..', 'fixtures', 'schema');
const GQL = '/graphql';
const MAX_DOC = 4000;

const H_APP = { 'X-Parse-Application-Id': APP_ID };
const H_CLIENT = { ...H_APP, 'X-Parse-Client-Key': CLIENT_KEY };
const H_MASTER = { ...H_APP, 'X-Parse-Master-Key': MASTER_KEY };
const H_REST = { ...H_APP, 'X-Parse-REST-API-Key': REST_KEY };
const H_JSON = { 'Content-Type': 'application/json' };
const H_TOKEN = { 'X-Parse-Session-Token': '<token#1>' };

// how many cases each operator gets (per version)
const N_VALID = 32;
const N_MUT = 22;
const N_MUT_BIG = { wrongLiteral: 66, varBadValue: 44, nearMissField: 33, nullNonNull: 30 };

// ------------------------------------------------------------------ helpers
const body = (o) => JSON.stringify(o);
function docBody(doc, style) {
  const o = { query: printDoc(doc, style) };
  if (doc.variables !== undefined) o.variables = doc.variables;
  if (doc.operationName !== undefined) o.operationName = doc.operationName;
  return o;
}
function post(payload, headers = { ...H_CLIENT, ...H_TOKEN }) {
  return { method: 'POST', path: GQL, headers: { ...headers, ...H_JSON }, body: typeof payload === 'string' ? payload : body(payload) };
}
function authHeaders(rng, weights = [0.7, 0.15, 0.1, 0.05]) {
  const x = rng.next();
  if (x < weights[0]) return { ...H_CLIENT, ...H_TOKEN };
  if (x < weights[0] + weights[1]) return { ...H_CLIENT };
  if (x < weights[0] + weights[1] + weights[2]) return { ...H_MASTER };
  return { ...H_MASTER, ...H_TOKEN };
}
function typo(rng, name) {
  for (let tries = 0; tries < 10; tries++) {
    const i = rng.int(name.length);
    let out;
    switch (rng.int(6)) {
      case 0: out = name.slice(0, i) + name.slice(i + 1); break; // drop
      case 1: out = name.slice(0, i) + name[i] + name.slice(i); break; // double
      case 2: out = i < name.length - 1 ? name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2) : name + 's'; break; // swap
      case 3: out = name[0] === name[0].toUpperCase() ? name[0].toLowerCase() + name.slice(1) : name[0].toUpperCase() + name.slice(1); break; // case
      case 4: out = name + rng.pick(['s', 'x', 'Id', '_']); break;
      default: out = name.slice(0, i) + rng.pick(['a', 'e', 'i', 'o', 'r', 'n']) + name.slice(i + 1); break;
    }
    if (out && out !== name && /^[_A-Za-z][_0-9A-Za-z]*$/.test(out)) return out;
  }
  return name + 'x';
}
const RANDOM_NAMES = ['foo', 'bar', 'nope', 'thisFieldDoesNotExist', 'userName', 'health2', 'viewers', 'objectID', 'me', 'logOut', 'signup',
  'password', 'sessionToken2', 'ID', '_id', 'node2', '__typenam', '__schema2', 'x', 'query', 'edges2', 'totalCount', 'results2', 'data', 'errors'];

// ------------------------------------------------------------------ families
export function generate({ version, sdl, seed = DEFAULT_SEED }) {
  const S = new Schema(sdl);
  const cases = [];
  const rngFor = (fam) => new Rng(`${seed}|${version}|${fam}`);
  const builderFor = (fam) => new DocBuilder(S, rngFor(fam), version);
  // The one rule that keeps the prelude session alive: no request that may run a mutation names
  // the prelude user (a mutated deleteUser(input: {id: "<oid#1>"}) deleted it on 6.x/7.x).
  const add = (step, req) => {
    if (typeof req.body === 'string' && /mutation/i.test(req.body + req.path)) req = { ...req, body: req.body.replace(/<oid#1>|<relay:_User:oid#1>/g, UNKNOWN_ID) };
    if (/mutation/i.test(req.path)) req = { ...req, path: req.path.replace(/%3Coid%231%3E|<oid#1>/g, UNKNOWN_ID) };
    cases.push({ step, ...req });
  };

  // ---------------------------------------------------------------- 1. prelude
  add('prelude.signUp', { method: 'POST', path: '/parse/users', headers: { ...H_REST, ...H_JSON }, body: body({ username: USERNAME, password: PASSWORD, email: EMAIL }) });
  add('prelude.health', { ...post({ query: '{ health }' }), waitBefore: 6000 });
  const vb = builderFor('prelude');
  if (vb.viewerPath) add('prelude.viewer', post({ query: printDoc({ defs: [{ kind: 'op', op: 'query', name: null, vars: [], dirs: [], sel: vb.viewer(2), short: true }] }) }));

  // ---------------------------------------------------------------- 2. valid operations
  for (const [kind, make] of Object.entries(validKinds(S))) {
    const b = builderFor(`valid.${kind}`);
    for (let i = 0; i < N_VALID; i++) {
      const style = STYLES[b.rng.pick(STYLE_NAMES)];
      let c = null;
      for (let tries = 0; tries < 12 && !c; tries++) {
        const got = make(b, i, tries);
        if (!got) break;
        const text = printDoc(got.doc, style);
        if (text.length <= MAX_DOC) c = { ...got, text };
      }
      if (!c) continue;
      const payload = { query: c.text };
      if (c.doc.variables !== undefined) payload.variables = c.doc.variables;
      if (c.doc.operationName !== undefined) payload.operationName = c.doc.operationName;
      add(`valid.${kind}.${i}`, post(payload, c.headers || { ...H_CLIENT, ...H_TOKEN }));
    }
  }

  // ---------------------------------------------------------------- 3. mutations of valid documents
  for (const [op, fn] of Object.entries(mutationOps(S))) {
    const b = builderFor(`mut.${op}`);
    const n = N_MUT_BIG[op] || N_MUT;
    for (let i = 0; i < n; i++) {
      let c = null;
      for (let tries = 0; tries < 20 && !c; tries++) {
        const got = fn(b, i);
        if (!got) continue;
        const style = STYLES[got.style || b.rng.pick(STYLE_NAMES)];
        const text = got.text !== undefined ? got.text : printDoc(got.doc, style);
        if (text.length <= MAX_DOC) c = { ...got, text };
      }
      if (!c) continue;
      const payload = { query: c.text };
      const vars = c.variables !== undefined ? c.variables : c.doc && c.doc.variables;
      if (vars !== undefined) payload.variables = vars;
      const opName = c.operationName !== undefined ? c.operationName : c.doc && c.doc.operationName;
      if (opName !== undefined) payload.operationName = opName;
      add(`mut.${op}.${i}`, post(payload, c.headers || authHeaders(b.rng)));
    }
  }

  // ---------------------------------------------------------------- 3b. syntax errors
  for (const [op, fn] of Object.entries(syntaxOps(S))) {
    const b = builderFor(`syn.${op}`);
    const texts = fn(b);
    texts.forEach((t, i) => {
      if (t.length > MAX_DOC + 200) return;
      add(`syn.${op}.${i}`, post({ query: t }, authHeaders(b.rng, [0.8, 0.1, 0.1, 0])));
    });
  }

  // ---------------------------------------------------------------- 4. envelope
  for (const [op, fn] of Object.entries(envelopeOps(S))) {
    const b = builderFor(`env.${op}`);
    fn(b).forEach((req, i) => add(`env.${op}.${i}`, req));
  }

  // ---------------------------------------------------------------- final
  if (vb.logOutDoc) add('final.logOut', post({ query: vb.logOutDoc }));
  else add('final.logOut', { method: 'POST', path: '/parse/logout', headers: { ...H_REST, ...H_TOKEN, ...H_JSON }, body: '{}' });
  if (vb.viewerPath) add('final.viewerAfterLogOut', post({ query: `{ ${vb.viewerPath.join(' { ')} { __typename }${' }'.repeat(vb.viewerPath.length - 1)} }` }));
  add('final.restMeAfterLogOut', { method: 'GET', path: '/parse/users/me', headers: { ...H_REST, ...H_TOKEN }, body: null });
  // Last of all: a where-input nested 40 deep.  Real Parse spends time exponential in the depth
  // on it (on 4.4.0 the event loop stays blocked for good), so it runs when nothing is left.
  const deep = deepOrWhere(S, vb, 40);
  if (deep) add('hang.deepOrWhere.0', post({ query: deep }, { ...H_CLIENT }));
  return cases;
}

// ------------------------------------------------------------------ valid kinds
function opDoc(op, sel, extra = {}) { return { defs: [{ kind: 'op', op, name: null, vars: [], dirs: [], sel, short: op === 'query', ...extra }] }; }
function validKinds(S) {
  const kinds = {};
  const classPath = (b, re) => b.classQueries.find(p => re.test(p[p.length - 1]));
  kinds.health = (b) => ({ doc: b.doc({ sel: b.rng.chance(0.7) ? b.health() : [...b.health(), F('__typename', { _p: S.query })] }) });
  kinds.viewer = (b) => ({ doc: b.doc({ sel: b.viewer(b.rng.range(1, 3)) }) });
  kinds.users = (b) => { const p = classPath(b, /^users$|find_User/) || classPath(b, /^find$/); return p && { doc: b.doc({ sel: b.classQuery(p, 3) }) }; };
  kinds.sessions = (b) => { const p = classPath(b, /^sessions$|find_Session/) || classPath(b, /^find$/); return p && { doc: b.doc({ sel: b.classQuery(p, 3) }) }; };
  kinds.roles = (b) => { const p = classPath(b, /^roles$|find_Role/) || classPath(b, /^find$/); return p && { doc: b.doc({ sel: b.classQuery(p, 3) }) }; };
  kinds.getById = (b) => b.getters.length && { doc: b.doc({ sel: b.getter() }) };
  kinds.schemaQueries = (b) => b.schemaQueries.length ? { doc: b.doc({ sel: b.schemaQuery() }), headers: b.rng.chance(0.7) ? { ...H_MASTER } : { ...H_CLIENT, ...H_TOKEN } } : { doc: b.doc({ sel: b.health() }) };
  kinds.multiRoot = (b) => ({ doc: b.doc({ sel: b.rootFields(b.rng.range(2, 4), 2) }) });
  kinds.aliases = (b) => ({ doc: b.doc({ sel: b.rootFields(b.rng.range(1, 3), 2), decorate: { alias: 1 } }) });
  kinds.namedFragments = (b) => ({ doc: b.doc({ sel: b.rootFields(b.rng.range(1, 2), 3), decorate: { fragment: 1 } }) });
  kinds.inlineFragments = (b) => ({ doc: b.doc({ sel: b.rootFields(b.rng.range(1, 2), 3), decorate: { inline: 1 } }) });
  kinds.variables = (b) => {
    const sel = b.getters.length && b.rng.chance(0.4) ? b.getter() : b.classQuery(undefined, 2);
    if (b.rng.chance(0.4)) sel.push(b.rng.chance(0.5) ? F('health', { _p: S.query, _d: S.field(S.query, 'health') }) : F('__typename', { _p: S.query }));
    return { doc: b.doc({ sel, decorate: { variable: 1 }, name: b.opName() }) };
  };
  kinds.directives = (b) => ({ doc: b.doc({ sel: b.rootFields(b.rng.range(1, 3), 2), decorate: { directive: 1 } }) });
  kinds.typename = (b) => {
    const r = b.rng;
    const k = r.int(4);
    if (k === 0) return { doc: opDoc('query', [F('__typename', { _p: S.query })]) };
    if (k === 1 && S.mutation) return { doc: opDoc('mutation', [F('__typename', { _p: S.mutation })], { name: r.chance(0.5) ? 'M' : null }) };
    return { doc: b.doc({ sel: b.rootFields(r.range(1, 2), 2), decorate: { typename: 1 } }) };
  };
  kinds.everything = (b) => ({ doc: b.doc({ sel: b.rootFields(b.rng.range(1, 3), 3), decorate: { alias: 0.5, fragment: 0.6, inline: 0.5, directive: 0.5, variable: 0.6, typename: 0.4 } }) });
  kinds.introspectionType = (b, i) => {
    const r = b.rng;
    const names = S.allTypeNames();
    const pool = ['Query', 'Mutation', 'User', 'Viewer', 'Role', 'Session', '_UserClass', 'Me', 'String', 'Boolean', '__Type', '__Schema', '__Directive', 'NoSuchType', ...names];
    const name = pool[i % 4 === 0 ? i % 14 : 14 + r.int(names.length)] || r.pick(names);
    const sub = [F('name'), F('kind')];
    const opts = r.sample(['description', 'fields', 'fieldsDep', 'inputFields', 'enumValues', 'interfaces', 'possibleTypes', 'ofType'], r.range(1, 3));
    for (const o of opts) {
      if (o === 'description') sub.push(F('description'));
      if (o === 'fields') sub.push(F('fields', { sel: [F('name'), F('type', { sel: [F('name'), F('kind'), F('ofType', { sel: [F('name'), F('kind')] })] }), F('args', { sel: [F('name')] })] }));
      if (o === 'fieldsDep') sub.push(F('fields', { alias: 'all', args: [{ name: 'includeDeprecated', value: V.bool(true) }], sel: [F('name'), F('isDeprecated'), F('deprecationReason')] }));
      if (o === 'inputFields') sub.push(F('inputFields', { sel: [F('name'), F('defaultValue'), F('type', { sel: [F('name'), F('kind')] })] }));
      if (o === 'enumValues') sub.push(F('enumValues', { args: r.chance(0.5) ? [{ name: 'includeDeprecated', value: V.bool(true) }] : [], sel: [F('name'), F('isDeprecated')] }));
      if (o === 'interfaces') sub.push(F('interfaces', { sel: [F('name')] }));
      if (o === 'possibleTypes') sub.push(F('possibleTypes', { sel: [F('name')] }));
      if (o === 'ofType') sub.push(F('ofType', { sel: [F('name')] }));
    }
    const doc = opDoc('query', [F('__type', { args: [{ name: 'name', value: V.str(name) }], sel: sub })]);
    if (r.chance(0.3)) { doc.defs[0].vars.push({ name: 't', type: 'String!', def: null, dirs: [] }); doc.defs[0].sel[0].args[0].value = V.vr('t'); doc.variables = { t: name }; doc.defs[0].name = 'T'; }
    return { doc, headers: r.chance(0.4) ? { ...H_MASTER } : { ...H_CLIENT, ...H_TOKEN } };
  };
  kinds.introspectionSchema = (b, i) => {
    const r = b.rng;
    const variants = [
      () => [F('queryType', { sel: [F('name')] })],
      () => [F('queryType', { sel: [F('name')] }), F('mutationType', { sel: [F('name')] }), F('subscriptionType', { sel: [F('name')] })],
      () => [F('types', { sel: [F('name')] })],
      () => [F('types', { sel: [F('name'), F('kind')] })],
      () => [F('directives', { sel: [F('name'), F('locations'), F('args', { sel: [F('name'), F('defaultValue')] })] })],
      () => [F('mutationType', { sel: [F('fields', { sel: [F('name')] })] })],
      () => [F('queryType', { sel: [F('fields', { sel: [F('name'), F('args', { sel: [F('name')] })] })] })],
      () => [F('__typename'), F('queryType', { sel: [F('kind'), F('name')] })],
    ];
    const sel = [F('__schema', { sel: variants[i % variants.length]() })];
    if (r.chance(0.3)) sel.push(F('__typename'));
    if (r.chance(0.3)) sel.push(F('health', { _p: S.query, _d: S.field(S.query, 'health') }));
    return { doc: opDoc('query', sel, { name: r.chance(0.5) ? 'IntrospectionQuery' : null, short: r.chance(0.5) }), headers: r.chance(0.4) ? { ...H_MASTER } : { ...H_CLIENT, ...H_TOKEN } };
  };
  kinds.harmlessMutations = (b) => b.harmless.length && { doc: b.doc({ op: 'mutation', sel: b.harmlessMutation(), decorate: { fragment: 0.2, inline: 0.1, directive: 0.15, variable: 0.4, alias: 0.2, typename: 0.2 } }) };
  kinds.master = (b) => ({ doc: b.doc({ sel: b.rootFields(b.rng.range(1, 2), 2) }), headers: b.rng.chance(0.7) ? { ...H_MASTER } : { ...H_MASTER, ...H_TOKEN } });
  kinds.noSession = (b) => ({ doc: b.doc({ sel: b.rootFields(b.rng.range(1, 2), 2) }), headers: { ...H_CLIENT } });
  return kinds;
}

// ------------------------------------------------------------------ mutation operators
function mutationOps(S) {
  const ops = {};
  // a small valid document to break
  const base = (b, { mutation = 0.15, depth = 2, roots = [1, 2], decorate = {} } = {}) => {
    if (S.mutation && b.harmless.length && b.rng.chance(mutation)) {
      return b.doc({ op: 'mutation', sel: b.harmlessMutation(), decorate: { alias: 0.1, fragment: 0.15, inline: 0.1, directive: 0.1, variable: 0.3, typename: 0.1, ...decorate } });
    }
    return b.doc({ sel: b.rootFields(b.rng.range(roots[0], roots[1]), depth), decorate: { alias: 0.15, fragment: 0.2, inline: 0.15, directive: 0.15, variable: 0.25, typename: 0.1, ...decorate } });
  };
  const typedFields = (doc) => fieldsOf(S, doc, (f) => f._d && f.name !== '__typename');
  const withArgs = (doc) => fieldsOf(S, doc, (f) => f._d && f.args.length);
  const mainOp = (doc) => opsOf(doc)[0];
  const putVar = (doc, name, value) => { doc.variables = { ...(doc.variables || {}), [name]: value }; };

  ops.unknownField = (b) => {
    const doc = base(b);
    const sets = selSets(S, doc);
    const s = b.rng.pick(sets);
    const existing = new Set(S.fields(s.type).map(f => f.name));
    const name = b.rng.shuffle(RANDOM_NAMES).find(n => !existing.has(n));
    const node = F(name);
    if (b.rng.chance(0.3)) node.sel = [F('__typename')];
    if (b.rng.chance(0.2)) node.args = [{ name: 'id', value: V.str(UNKNOWN_ID) }];
    s.sel.splice(b.rng.int(s.sel.length + 1), 0, node);
    return { doc };
  };
  ops.nearMissField = (b) => {
    const doc = base(b, { decorate: { fragment: 0.1, inline: 0.1 } });
    const fs_ = fieldsOf(S, doc, (f) => f.name !== '__typename');
    if (!fs_.length) return null;
    const f = b.rng.pick(fs_);
    const existing = new Set(S.fields(f.type).map(x => x.name));
    let name = typo(b.rng, f.node.name);
    if (existing.has(name)) name += 'x';
    f.node.name = name;
    return { doc };
  };
  ops.unknownArg = (b) => {
    const doc = base(b);
    const fs_ = typedFields(doc);
    if (!fs_.length) return null;
    const f = b.rng.pick(fs_);
    const existing = new Set((f.node._d.args || []).map(a => a.name));
    const name = b.rng.shuffle(['foo', 'limit2', 'filter', 'id', 'input', 'first', 'where', 'orderBy', 'x', 'objectId', 'options']).find(n => !existing.has(n));
    f.node.args.push({ name, value: b.rng.pick([V.int(1), V.str('x'), V.bool(true), V.obj([]), V.list([]), V.nul()]) });
    return { doc };
  };
  ops.nearMissArg = (b) => {
    const doc = base(b, { mutation: 0.3 });
    const fs_ = withArgs(doc);
    if (!fs_.length) return null;
    const f = b.rng.pick(fs_);
    const a = b.rng.pick(f.node.args);
    const existing = new Set((f.node._d.args || []).map(x => x.name));
    let name = typo(b.rng, a.name);
    if (existing.has(name)) name += 'x';
    a.name = name;
    return { doc };
  };
  ops.missingArg = (b) => {
    const r = b.rng;
    let doc;
    if (r.chance(0.4) && b.getters.length) doc = b.doc({ sel: b.getter(), decorate: { variable: 0, fragment: 0.2 } });
    else if (r.chance(0.5) && b.harmless.length) doc = b.doc({ op: 'mutation', sel: b.harmlessMutation(), decorate: { variable: 0 } });
    else doc = base(b);
    const fs_ = fieldsOf(S, doc, (f) => f._d && f.args.some(a => a._t && isNonNull(a._t)));
    if (!fs_.length) {
      // __type without its name
      return { doc: opDoc('query', [F('__type', { sel: [F('name')] })]) };
    }
    const f = r.pick(fs_);
    const req = f.node.args.filter(a => a._t && isNonNull(a._t));
    const a = r.pick(req);
    f.node.args = f.node.args.filter(x => x !== a);
    return { doc };
  };
  ops.duplicateArg = (b) => {
    const doc = base(b, { mutation: 0.3 });
    const fs_ = withArgs(doc);
    if (!fs_.length) return null;
    const f = b.rng.pick(fs_);
    const a = b.rng.pick(f.node.args);
    const copy = clone(a);
    if (b.rng.chance(0.5) && a.value.kind === 'int') copy.value = V.int(Number(a.value.v) + 1);
    f.node.args.splice(b.rng.int(f.node.args.length + 1), 0, copy);
    return { doc };
  };
  const objectSlots = (doc) => valueSlots(S, doc).filter(s => s.value.kind === 'object' && s.tref && S.kind(named(s.tref)) === 'input');
  const inputBase = (b) => {
    for (let t = 0; t < 6; t++) {
      const doc = b.rng.chance(0.5) && b.harmless.length
        ? b.doc({ op: 'mutation', sel: b.harmlessMutation(), decorate: { variable: 0 } })
        : b.doc({ sel: b.classQuery(undefined, 2), decorate: { variable: 0 } });
      if (objectSlots(doc).length) return doc;
    }
    return null;
  };
  ops.unknownInputField = (b) => {
    const doc = inputBase(b);
    if (!doc) return null;
    const s = b.rng.pick(objectSlots(doc));
    const existing = new Set(S.fields(named(s.tref)).map(f => f.name));
    const name = b.rng.shuffle(['foo', 'userName', 'pass', 'eq', '_eq', 'equalTo', 'OR', 'id', 'clientMutationID', 'x', 'where']).find(n => !existing.has(n));
    s.value.fields.splice(b.rng.int(s.value.fields.length + 1), 0, { name, value: b.rng.pick([V.int(1), V.str('x'), V.bool(true), V.obj([]), V.nul()]) });
    return { doc };
  };
  ops.nearMissInputField = (b) => {
    const doc = inputBase(b);
    if (!doc) return null;
    const slots = objectSlots(doc).filter(s => s.value.fields.length);
    if (!slots.length) return null;
    const s = b.rng.pick(slots);
    const f = b.rng.pick(s.value.fields);
    const existing = new Set(S.fields(named(s.tref)).map(x => x.name));
    let name = typo(b.rng, f.name);
    if (existing.has(name)) name += 'x';
    f.name = name;
    return { doc };
  };
  ops.missingInputField = (b) => {
    const doc = inputBase(b);
    if (!doc) return null;
    const slots = objectSlots(doc).filter(s => s.value.fields.length);
    if (!slots.length) return null;
    const withReq = slots.filter(s => s.value.fields.some(f => f._d && isNonNull(f._d.type)));
    const s = b.rng.pick(withReq.length && b.rng.chance(0.8) ? withReq : slots);
    const req = s.value.fields.filter(f => f._d && isNonNull(f._d.type));
    const f = b.rng.pick(req.length ? req : s.value.fields);
    s.value.fields = s.value.fields.filter(x => x !== f);
    return { doc };
  };
  ops.duplicateInputField = (b) => {
    const doc = inputBase(b);
    if (!doc) return null;
    const slots = objectSlots(doc).filter(s => s.value.fields.length);
    if (!slots.length) return null;
    const s = b.rng.pick(slots);
    const f = b.rng.pick(s.value.fields);
    s.value.fields.push(clone(f));
    return { doc };
  };
  // a literal of every kind, for every argument and input field type
  const LITERALS = [
    ['int', () => V.int(7)], ['negInt', () => V.int(-1)], ['bigInt', () => V.int('2147483648')], ['hugeInt', () => V.int('99999999999999999999')],
    ['float', () => V.float('1.5')], ['floatExp', () => V.float('1e3')], ['string', () => V.str('7')], ['emptyString', () => V.str('')],
    ['block', () => ({ kind: 'block', v: 'blk' })], ['true', () => V.bool(true)], ['false', () => V.bool(false)], ['null', () => V.nul()],
    ['enum', () => V.enm('SOME_ENUM')], ['enumTrue', () => V.enm('TRUE')], ['list', () => V.list([V.int(1)])], ['emptyList', () => V.list([])],
    ['nestedList', () => V.list([V.list([V.str('x')])])], ['object', () => V.obj([{ name: 'a', value: V.int(1) }])], ['emptyObject', () => V.obj([])],
    ['stringNumber', () => V.str('1.5')], ['stringDate', () => V.str('2020-01-01T00:00:00.000Z')], ['parseDate', () => V.obj([{ name: '__type', value: V.str('Date') }, { name: 'iso', value: V.str('2020-01-01T00:00:00.000Z') }])],
  ];
  ops.wrongLiteral = (b, i) => {
    const r = b.rng;
    const doc = r.chance(0.5) ? inputBase(b) || base(b) : base(b, { mutation: 0.3, decorate: { variable: 0 } });
    const slots = valueSlots(S, doc).filter(s => s.tref && s.value.kind !== 'var');
    if (!slots.length) return null;
    // cycle through the type names first, so every type gets its turn
    const byType = new Map();
    for (const s of slots) { const k = named(s.tref); if (!byType.has(k)) byType.set(k, []); byType.get(k).push(s); }
    const typeNames = [...byType.keys()].sort();
    const s = r.pick(byType.get(typeNames[i % typeNames.length]));
    const [, make] = LITERALS[i % LITERALS.length];
    s.set(make());
    return { doc };
  };
  ops.nullNonNull = (b) => {
    const r = b.rng;
    for (let t = 0; t < 6; t++) {
      const doc = r.chance(0.5) && b.harmless.length ? b.doc({ op: 'mutation', sel: b.harmlessMutation(), decorate: { variable: 0 } })
        : r.chance(0.5) && b.getters.length ? b.doc({ sel: b.getter(), decorate: { variable: 0 } }) : b.doc({ sel: b.classQuery(undefined, 2), decorate: { variable: 0 } });
      const slots = valueSlots(S, doc).filter(s => s.tref && isNonNull(s.tref) && s.value.kind !== 'var');
      const listItems = valueSlots(S, doc).filter(s => s.value.kind === 'list' && s.tref && nullable(s.tref).kind === 'List' && isNonNull(nullable(s.tref).of));
      if (listItems.length && r.chance(0.3)) { const l = r.pick(listItems); l.value.items.push(V.nul()); return { doc }; }
      if (slots.length) { r.pick(slots).set(V.nul()); return { doc }; }
    }
    return null;
  };
  ops.badEnumValue = (b, i) => {
    const r = b.rng;
    for (let t = 0; t < 8; t++) {
      const doc = b.doc({ sel: b.classQuery(undefined, 2), decorate: { variable: 0 } });
      const slots = valueSlots(S, doc).filter(s => s.value.kind === 'enum');
      if (!slots.length) continue;
      const s = r.pick(slots);
      const v = s.value.v;
      const variants = [() => V.enm(typo(r, v)), () => V.str(v), () => V.enm(v.toLowerCase()), () => V.enm('NOT_A_VALUE'), () => V.int(0), () => V.enm('true'), () => V.enm('null'), () => V.list([V.enm(typo(r, v))])];
      s.set(variants[i % variants.length]());
      return { doc };
    }
    // no enum slot: order on a getter-less schema
    return null;
  };
  ops.unknownTypeInFragment = (b, i) => {
    const doc = base(b);
    const sets = selSets(S, doc);
    const s = b.rng.pick(sets);
    const names = ['NoSuchType', typo(b.rng, s.type), s.type.toLowerCase(), 'user', 'Users', '_User', 'UserClass', 'Viewr'].filter(n => !S.t(n));
    const on = names[i % names.length] || 'NoSuchType';
    if (i % 2) s.sel.push({ kind: 'inline', on, dirs: [], sel: [F('__typename')] });
    else { doc.defs.push({ kind: 'frag', name: 'Unknown' + i, on, dirs: [], sel: [F('__typename')] }); s.sel.push({ kind: 'spread', name: 'Unknown' + i, dirs: [] }); }
    return { doc };
  };
  ops.unknownTypeInVariable = (b, i) => {
    const doc = base(b, { decorate: { variable: 1 } });
    const op = mainOp(doc);
    const slots = valueSlots(S, doc).filter(s => s.value.kind === 'var');
    const bad = ['NoSuchType', 'Strin', 'int', 'string', 'UserWhereInpt', 'Bool', 'Integer', 'JSON'];
    const tn = bad[i % bad.length];
    if (slots.length && b.rng.chance(0.7)) {
      const s = b.rng.pick(slots);
      const v = op.vars.find(x => x.name === s.value.v);
      if (v) { v.type = v.type.replace(/[_A-Za-z][_A-Za-z0-9]*/, tn); return { doc }; }
    }
    op.vars.push({ name: 'u', type: b.rng.pick([tn, `${tn}!`, `[${tn}]`]), def: null, dirs: [] });
    if (b.rng.chance(0.5)) putVar(doc, 'u', 1);
    return { doc };
  };
  ops.varWrongType = (b, i) => {
    const r = b.rng;
    const doc = base(b, { decorate: { variable: 1, directive: 0.4 } });
    const op = mainOp(doc);
    const used = op.vars.filter(v => valueSlots(S, doc).some(s => s.value.kind === 'var' && s.value.v === v.name) || JSON.stringify(doc).includes(`"v":"${v.name}"`));
    if (!used.length) return null;
    const v = r.pick(used);
    const base_ = v.type.replace(/[!\[\]]/g, '');
    const alternatives = [
      'Int', 'Float', 'String', 'Boolean', 'ID', 'Int!', 'String!', '[String]', '[Int!]!', 'Boolean!',
      base_ === v.type ? `[${v.type}]` : base_, v.type.endsWith('!') ? v.type.slice(0, -1) : v.type + '!',
      r.pick(S.inputTypes()), r.pick(S.enumTypes()), r.pick(S.scalarTypes()),
    ].filter(t => t !== v.type);
    v.type = alternatives[i % alternatives.length];
    // a nullable variable with a default in a non-null position is allowed; drop the default half the time
    if (r.chance(0.5)) v.def = null;
    return { doc };
  };
  ops.varBadValue = (b, i) => {
    const r = b.rng;
    const doc = base(b, { decorate: { variable: 1 } });
    const op = mainOp(doc);
    const uses = valueSlots(S, doc).filter(s => s.value.kind === 'var');
    const v = uses.length ? op.vars.find(x => x.name === r.pick(uses).value.v) : r.pick(op.vars);
    if (!v) return null;
    const t = v.tref ? named(v.tref) : 'Boolean';
    const values = [
      'str', 7, 1.5, 2147483648, -2147483649, 1e100, true, false, null, [], [1], ['a', 'b'], {}, { a: 1 }, '', 'true', '1',
      { __type: 'Date', iso: '2020-01-01T00:00:00.000Z' }, [[1]], [null], 'SOME_ENUM', -0, 0.000001, 'r:abc',
    ];
    let value = values[i % values.length];
    if (S.kind(t) === 'input' && i % 3 === 0) {
      // an input object missing its required fields / with an unknown field / a wrong-typed field
      const fields = S.fields(t);
      const o = {};
      for (const f of fields.slice(0, 2)) o[f.name] = i % 2 ? 12345 : { nested: true };
      if (i % 6 === 0) o.noSuchField = 1;
      value = o;
    }
    putVar(doc, v.name, value);
    return { doc };
  };
  ops.varMissing = (b, i) => {
    const doc = base(b, { decorate: { variable: 1 } });
    const op = mainOp(doc);
    const used = op.vars.filter(v => JSON.stringify(doc.defs).includes(`"v":"${v.name}"`));
    if (!used.length) return null;
    const v = b.rng.pick(used);
    if (!v.type.endsWith('!')) v.type += '!';
    v.def = i % 4 === 0 ? v.def : null;
    if (doc.variables) delete doc.variables[v.name];
    if (i % 3 === 0) delete doc.variables;
    if (i % 5 === 1) doc.variables = null;
    return { doc };
  };
  // `$x: T! = default` with no value: allowed by the spec, rejected by graphql-js 14.5.x
  ops.varNonNullDefault = (b) => {
    const doc = base(b, { decorate: { variable: 1 } });
    const op = mainOp(doc);
    const used = op.vars.filter(v => JSON.stringify(doc.defs).includes(`"v":"${v.name}"`));
    if (!used.length) return null;
    const v = b.rng.pick(used);
    if (!v.def) v.def = v.tref ? b.g.literal(v.tref, v.name) : V.bool(true);
    if (!v.type.endsWith('!')) v.type += '!';
    if (doc.variables) delete doc.variables[v.name];
    return { doc };
  };
  ops.varExtra = (b) => {
    const doc = base(b, { decorate: { variable: 0.5 } });
    putVar(doc, b.rng.pick(['extra', 'unused', 'id', 'input']), b.rng.pick([1, 'x', null, { a: 1 }]));
    return { doc };
  };
  ops.varUnused = (b) => {
    const doc = base(b, { decorate: { variable: 0.5 } });
    const op = mainOp(doc);
    op.vars.push({ name: 'unused' + op.vars.length, type: b.rng.pick(['Int', 'String!', 'Boolean = true', '[ID]']).replace(' = true', ''), def: null, dirs: [] });
    if (b.rng.chance(0.5)) putVar(doc, op.vars[op.vars.length - 1].name, 1);
    return { doc };
  };
  ops.varUndefined = (b) => {
    const r = b.rng;
    const doc = base(b, { decorate: { variable: 0 } });
    const slots = valueSlots(S, doc).filter(s => s.tref);
    if (slots.length && r.chance(0.6)) r.pick(slots).set(V.vr('undefinedVar'));
    else r.pick(fieldsOf(S, doc)).node.dirs.push(dir(r.pick(['include', 'skip']), ifArg(V.vr('undefinedFlag'))));
    if (r.chance(0.5)) putVar(doc, 'undefinedVar', 1);
    if (r.chance(0.3)) mainOp(doc).name = 'Named';
    return { doc };
  };
  ops.varDuplicate = (b) => {
    const doc = base(b, { decorate: { variable: 1 } });
    const op = mainOp(doc);
    if (!op.vars.length) return null;
    const v = b.rng.pick(op.vars);
    op.vars.push({ ...clone(v), type: b.rng.chance(0.5) ? v.type : 'String' });
    return { doc };
  };
  ops.varBadDefault = (b, i) => {
    const doc = base(b, { decorate: { variable: 1 } });
    const op = mainOp(doc);
    if (!op.vars.length) return null;
    const v = b.rng.pick(op.vars);
    const defs = [V.str('x'), V.int(1), V.float('2.5'), V.bool(true), V.nul(), V.list([V.int(1)]), V.obj([{ name: 'zz', value: V.int(1) }]), V.enm('NOPE'), V.vr('other')];
    v.def = defs[i % defs.length];
    return { doc };
  };
  ops.varNonInputType = (b, i) => {
    const doc = base(b, { decorate: { variable: 1 } });
    const op = mainOp(doc);
    const outs = S.objectTypes();
    const t = [outs[i % outs.length], 'Query', 'User', 'Viewer', 'Node', 'Class'].filter(x => S.t(x))[i % 3] || outs[0];
    if (op.vars.length && b.rng.chance(0.5)) b.rng.pick(op.vars).type = t;
    else { op.vars.push({ name: 'obj', type: t, def: null, dirs: [] }); }
    return { doc };
  };
  ops.duplicateOperationName = (b) => {
    const d1 = base(b, { decorate: { fragment: 0 } });
    const d2 = base(b, { decorate: { fragment: 0 } });
    const name = b.rng.pick(['Q', 'Same', 'A']);
    const o1 = mainOp(d1); const o2 = mainOp(d2);
    o1.name = name; o2.name = name; o1.short = false; o2.short = false;
    const doc = { defs: [...d1.defs, ...d2.defs], variables: { ...(d1.variables || {}), ...(d2.variables || {}) } };
    if (!Object.keys(doc.variables).length) delete doc.variables;
    if (b.rng.chance(0.5)) doc.operationName = name;
    // fragment names may clash too: rename the second document's
    renameFragments(d2, 'B');
    return { doc };
  };
  ops.duplicateFragmentName = (b) => {
    const doc = base(b, { decorate: { fragment: 1 } });
    const frags = doc.defs.filter(d => d.kind === 'frag');
    if (!frags.length) return null;
    const f = b.rng.pick(frags);
    const copy = clone(f);
    if (b.rng.chance(0.5)) copy.sel = [F('__typename')];
    doc.defs.push(copy);
    return { doc };
  };
  ops.anonymousNotAlone = (b, i) => {
    const d1 = base(b, { decorate: { fragment: 0, variable: 0 } });
    const d2 = base(b, { decorate: { fragment: 0, variable: 0 } });
    const o1 = mainOp(d1); const o2 = mainOp(d2);
    o1.name = null; o1.short = i % 2 === 0;
    o2.name = i % 3 === 0 ? null : 'Named'; o2.short = false;
    const doc = { defs: [o1, o2] };
    if (i % 4 === 1) doc.operationName = 'Named';
    return { doc };
  };
  ops.fieldConflict = (b, i) => {
    const r = b.rng;
    const doc = base(b, { decorate: { alias: 0, fragment: 0 } });
    const sets = selSets(S, doc);
    const s = r.pick(sets);
    const fs_ = s.sel.filter(x => x.kind === 'field');
    const kind = i % 4;
    if (kind === 0 && fs_.length) {
      // same response name, different field
      const f = r.pick(fs_);
      const other = S.fields(s.type).find(x => x.name !== f.name && S.isLeaf(named(x.type)) && !(x.args || []).length);
      s.sel.push(other ? F(other.name, { alias: f.alias || f.name, _p: s.type, _d: other }) : F('__typename', { alias: f.alias || f.name }));
    } else if (kind === 1) {
      // same field, different arguments
      const f = fs_.find(x => x._d && (x._d.args || []).length);
      if (!f) { s.sel.push(F('__typename', { alias: 'conflict' }), F(S.fields(s.type)[0] ? S.fields(s.type)[0].name : '__typename', { alias: 'conflict' })); return { doc }; }
      const copy = clone(f);
      const arg = (f._d.args || []).find(a => /^(first|limit|skip)$/.test(a.name));
      copy.args = copy.args.filter(a => !arg || a.name !== arg.name);
      if (arg) copy.args.push({ name: arg.name, value: V.int(9), _t: arg.type });
      else copy.args = [];
      s.sel.push(copy);
    } else if (kind === 2 && fs_.some(x => x.sel)) {
      // same field, subselections that conflict (alias a leaf over another)
      const f = fs_.find(x => x.sel);
      const copy = clone(f);
      copy.sel = [F('__typename', { alias: (copy.sel.find(x => x.kind === 'field' && x.name !== '__typename') || { name: 'x' }).name })];
      copy.sel.push(...clone(f.sel));
      s.sel.push(copy);
    } else {
      // via a fragment
      const f = fs_[0] || F('__typename');
      doc.defs.push({ kind: 'frag', name: 'Conflict', on: s.type, dirs: [], sel: [F('__typename', { alias: f.alias || f.name })] });
      s.sel.push({ kind: 'spread', name: 'Conflict', dirs: [] });
      if (!fs_[0]) s.sel.push(F(S.fields(s.type).find(x => !(x.args || []).length)?.name || 'health', { alias: '__typename' }));
    }
    return { doc };
  };
  ops.fragmentOnScalar = (b, i) => {
    const doc = base(b);
    const s = b.rng.pick(selSets(S, doc));
    const scalars = ['String', 'Boolean', 'Int', 'ID', 'Date', 'Object', ...S.enumTypes(), ...S.inputTypes().slice(0, 3)];
    const on = scalars[i % scalars.length];
    if (i % 2) s.sel.push({ kind: 'inline', on, dirs: [], sel: [F('__typename')] });
    else { doc.defs.push({ kind: 'frag', name: 'OnLeaf', on, dirs: [], sel: [F('__typename')] }); s.sel.push({ kind: 'spread', name: 'OnLeaf', dirs: [] }); }
    return { doc };
  };
  ops.fragmentImpossible = (b, i) => {
    const doc = base(b, { roots: [1, 1], depth: 2 });
    const sets = selSets(S, doc).filter(s => S.kind(s.type) === 'object');
    if (!sets.length) return null;
    const s = b.rng.pick(sets);
    const others = S.objectTypes().filter(t => t !== s.type && !/^__/.test(t));
    const on = others[(i * 7) % others.length];
    if (i % 2) s.sel.push({ kind: 'inline', on, dirs: [], sel: [F('__typename')] });
    else { doc.defs.push({ kind: 'frag', name: 'Impossible', on, dirs: [], sel: [F('__typename')] }); s.sel.push({ kind: 'spread', name: 'Impossible', dirs: [] }); }
    return { doc };
  };
  ops.fragmentCycle = (b, i) => {
    const doc = base(b, { roots: [1, 1] });
    const s = b.rng.pick(selSets(S, doc));
    const t = s.type;
    if (i % 3 === 0) doc.defs.push({ kind: 'frag', name: 'Self', on: t, dirs: [], sel: [F('__typename'), { kind: 'spread', name: 'Self', dirs: [] }] });
    else if (i % 3 === 1) {
      doc.defs.push({ kind: 'frag', name: 'A', on: t, dirs: [], sel: [F('__typename'), { kind: 'spread', name: 'B', dirs: [] }] });
      doc.defs.push({ kind: 'frag', name: 'B', on: t, dirs: [], sel: [{ kind: 'spread', name: 'A', dirs: [] }] });
    } else {
      doc.defs.push({ kind: 'frag', name: 'A', on: t, dirs: [], sel: [{ kind: 'inline', on: null, dirs: [], sel: [{ kind: 'spread', name: 'B', dirs: [] }] }] });
      doc.defs.push({ kind: 'frag', name: 'B', on: t, dirs: [], sel: [{ kind: 'spread', name: 'C', dirs: [] }] });
      doc.defs.push({ kind: 'frag', name: 'C', on: t, dirs: [], sel: [F('__typename'), { kind: 'spread', name: 'A', dirs: [] }] });
    }
    s.sel.push({ kind: 'spread', name: i % 3 === 0 ? 'Self' : 'A', dirs: [] });
    return { doc };
  };
  ops.fragmentUnused = (b) => {
    const doc = base(b);
    const t = b.rng.pick([S.query, ...S.objectTypes().filter(x => !/^__/.test(x))]);
    doc.defs.push({ kind: 'frag', name: 'Unused', on: t, dirs: [], sel: [F('__typename')] });
    return { doc };
  };
  ops.fragmentUnknownSpread = (b) => {
    const doc = base(b, { decorate: { fragment: 0.5 } });
    const s = b.rng.pick(selSets(S, doc));
    const frags = doc.defs.filter(d => d.kind === 'frag').map(d => d.name);
    const name = frags.length && b.rng.chance(0.5) ? typo(b.rng, frags[0]) : b.rng.pick(['Missing', 'UserFields', 'F', 'on_']);
    s.sel.push({ kind: 'spread', name, dirs: [] });
    return { doc };
  };
  ops.directiveUnknown = (b, i) => {
    const doc = base(b);
    const names = ['nope', 'Include', 'skipp', 'defer', 'stream', 'live', 'cached', 'client', 'export', 'connection', 'specifiedBy', 'oneOf'];
    const n = names[i % names.length];
    const f = b.rng.pick(fieldsOf(S, doc));
    f.node.dirs.push(dir(n, b.rng.chance(0.5) ? ifArg(V.bool(true)) : []));
    return { doc };
  };
  ops.directiveMisplaced = (b, i) => {
    const doc = base(b, { decorate: { fragment: 1, variable: 1 } });
    const op = mainOp(doc);
    op.short = false;
    const where = i % 6;
    const d = where === 5 ? dir('deprecated', [{ name: 'reason', value: V.str('x') }]) : dir(b.rng.pick(['include', 'skip']), ifArg(V.bool(true)));
    if (where === 0 || where === 5) op.dirs.push(where === 5 ? d : dir('skip', ifArg(V.bool(false))));
    else if (where === 1) { const fr = doc.defs.find(x => x.kind === 'frag'); if (fr) fr.dirs.push(d); else op.dirs.push(d); }
    else if (where === 2 && op.vars.length) op.vars[0].dirs = [d];
    else if (where === 3) { const f = b.rng.pick(fieldsOf(S, doc)); f.node.dirs.push(dir('deprecated')); }
    else { const f = b.rng.pick(fieldsOf(S, doc)); f.node.dirs.push(dir('specifiedBy', [{ name: 'url', value: V.str('x') }])); }
    return { doc };
  };
  ops.directiveRepeated = (b, i) => {
    const doc = base(b);
    const f = b.rng.pick(fieldsOf(S, doc));
    const n = i % 2 ? 'include' : 'skip';
    f.node.dirs.push(dir(n, ifArg(V.bool(n === 'include'))), dir(n, ifArg(V.bool(n === 'include'))));
    if (i % 3 === 0) f.node.dirs.push(dir(n === 'skip' ? 'include' : 'skip', ifArg(V.bool(n === 'skip'))));
    return { doc };
  };
  ops.directiveBadIf = (b, i) => {
    const doc = base(b, { decorate: { directive: 0 } });
    const op = mainOp(doc);
    const f = b.rng.pick(fieldsOf(S, doc));
    const n = b.rng.pick(['include', 'skip']);
    const variants = [
      () => [], () => ifArg(V.str('true')), () => ifArg(V.int(1)), () => ifArg(V.nul()), () => ifArg(V.enm('TRUE')),
      () => ifArg(V.vr('noSuchVar')), () => { op.vars.push({ name: 'i', type: 'Int', def: V.int(1), dirs: [] }); return ifArg(V.vr('i')); },
      () => { op.vars.push({ name: 'bn', type: 'Boolean', def: null, dirs: [] }); return ifArg(V.vr('bn')); },
      () => [{ name: 'if', value: V.bool(true) }, { name: 'unless', value: V.bool(false) }], () => [{ name: 'iff', value: V.bool(true) }],
      () => [{ name: 'if', value: V.bool(true) }, { name: 'if', value: V.bool(false) }], () => ifArg(V.list([V.bool(true)])),
      () => { op.vars.push({ name: 'b', type: 'Boolean!', def: null, dirs: [] }); doc.variables = { ...(doc.variables || {}), b: 'yes' }; return ifArg(V.vr('b')); },
      () => { op.vars.push({ name: 'b', type: 'Boolean!', def: null, dirs: [] }); doc.variables = { ...(doc.variables || {}), b: null }; return ifArg(V.vr('b')); },
    ];
    f.node.dirs.push(dir(n, variants[i % variants.length]()));
    return { doc };
  };
  ops.leafSelection = (b, i) => {
    const doc = base(b);
    const leaves = fieldsOf(S, doc, (f) => !f.sel);
    if (!leaves.length) return null;
    const f = b.rng.pick(leaves);
    f.node.sel = i % 3 === 0 ? [F('__typename')] : i % 3 === 1 ? [F('x')] : [F('name'), F('kind')];
    return { doc };
  };
  ops.missingSelection = (b) => {
    const doc = base(b, { decorate: { fragment: 0 } });
    const comps = fieldsOf(S, doc, (f) => f.sel);
    if (!comps.length) { return { doc: opDoc('query', [F('__schema')]) }; }
    b.rng.pick(comps).node.sel = null;
    return { doc };
  };
  ops.emptySelection = (b) => {
    const doc = base(b, { decorate: { fragment: 0 } });
    const comps = fieldsOf(S, doc, (f) => f.sel);
    if (!comps.length) return null;
    b.rng.pick(comps).node.sel = [];
    return { doc };
  };
  ops.subscription = (b, i) => {
    const r = b.rng;
    const doc = base(b, { mutation: 0 });
    const op = mainOp(doc);
    op.op = 'subscription';
    op.short = false;
    if (i % 4 === 0) op.sel = [F('__typename')];
    if (i % 4 === 1) op.sel = [F('health')];
    if (r.chance(0.3)) op.name = 'Sub';
    return { doc };
  };
  ops.wrongOperationType = (b, i) => {
    if (i % 2 === 0 || !b.harmless.length) {
      const doc = base(b, { mutation: 0 });
      const op = mainOp(doc);
      op.op = 'mutation'; op.short = false;
      return { doc };
    }
    const doc = b.doc({ op: 'mutation', sel: b.harmlessMutation(), decorate: { variable: 0 } });
    mainOp(doc).op = 'query';
    return { doc };
  };
  ops.metaFieldMisuse = (b, i) => {
    const variants = [
      '{ __type { name } }', '{ __type(name: 1) { name } }', '{ __type(name: "User") }', '{ __schema }', '{ __schema { nope } }',
      '{ __typename(x: 1) }', '{ __typename { name } }', '{ __type(name: "User") { specifiedByURL } }', '{ __type(name: "String") { specifiedByUrl } }',
      '{ __schema { description } }', '{ __schema { directives { name isRepeatable } } }', '{ __type(name: "User") { fields(includeDeprecated: "yes") { name } } }',
      '{ __type(name: "Query") { fields { name args(includeDeprecated: true) { name } } } }', '{ __type(name: "User") { inputFields(includeDeprecated: true) { name } } }',
      'mutation { __type(name: "User") { name } }', 'mutation { __schema { queryType { name } } }', '{ a: __typename a: __schema { queryType { name } } }',
      '{ __type(name: "User") { name } __type(name: "Role") { name } }', '{ __Type { name } }', '{ __typename @skip }', '{ __type(name: null) { name } }',
      'query Q($n: String) { __type(name: $n) { name } }',
    ];
    return { text: variants[i % variants.length], headers: i % 2 ? { ...H_MASTER } : { ...H_CLIENT, ...H_TOKEN } };
  };
  ops.deepNesting = (b, i) => {
    const kind = i % 5;
    const depth = [5, 20, 60, 150, 400][Math.floor(i / 5) % 5];
    if (kind === 0) return { text: '{ ' + '... on Query { '.repeat(depth) + 'health' + ' }'.repeat(depth) + ' }', style: 'compact' };
    if (kind === 1) return { text: '{ ' + '...{ '.repeat(depth) + '__typename' + ' }'.repeat(depth) + ' }' };
    if (kind === 2) {
      const d = Math.min(depth, 60);
      return { text: '{ __type(name: "User") { ' + 'ofType { '.repeat(d) + 'name' + ' }'.repeat(d) + ' } }' };
    }
    if (kind === 3) {
      const d = Math.min(depth, 300);
      return { text: `query Q($v: String = ${'['.repeat(d)}1${']'.repeat(d)}) { health }` };
    }
    // nested OR / _or where-inputs: real Parse's time doubles with each level (4.4.0: 2 s at
    // depth 20, 8 s at 22), so the levels here stay small; hang.deepOrWhere sends a deep one last
    const w = deepOrWhere(S, b, [4, 8, 12, 16, 16][Math.floor(i / 5) % 5]);
    return { text: w || '{ ' + 'a: __typename '.repeat(Math.min(depth, 200)) + '}' };
  };
  ops.wide = (b, i) => {
    const kind = i % 5;
    const n = [10, 50, 100, 200, 300][Math.floor(i / 5) % 5];
    if (kind === 0) return { text: '{ ' + Array.from({ length: n }, (_, k) => `a${k}: health`).join(' ') + ' }' };
    if (kind === 1) return { text: '{ ' + 'health '.repeat(n) + '}' };
    if (kind === 2) {
      const m = Math.min(n, 60);
      return { text: 'query Q(' + Array.from({ length: m }, (_, k) => `$v${k}: Int`).join(', ') + ') { health }' };
    }
    if (kind === 3) {
      const m = Math.min(n, 80);
      return { text: '{ ...F0 }\n' + Array.from({ length: m }, (_, k) => `fragment F${k} on Query { ${k + 1 < m ? `...F${k + 1}` : 'health'} }`).join('\n') };
    }
    const m = Math.min(n, 150);
    return { text: '{ health' + ' @include(if: true)'.repeat(m) + ' }' };
  };
  return ops;
}
// `{ users(where: {OR: [{OR: [ ... {} ... ]}]}) { __typename } }` (or the 3.x spelling)
function deepOrWhere(S, b, depth) {
  for (const p of b.classQueries) {
    let parent = S.query;
    let def = null;
    for (const n of p) { def = S.field(parent, n); parent = named(def.type); }
    const whereArg = (def.args || []).find(a => a.name === 'where');
    if (!whereArg) continue;
    const or = S.fields(named(whereArg.type)).find(f => /^(OR|_or)$/.test(f.name));
    if (!or) continue;
    const args = p[0] === 'find' ? 'className: "_User", ' : '';
    const value = `{ ${or.name}: [`.repeat(depth) + '{}' + '] }'.repeat(depth);
    const inner = `${p[p.length - 1]}(${args}where: ${value}) { __typename }`;
    return '{ ' + p.slice(0, -1).map(n => `${n} { `).join('') + inner + ' }'.repeat(p.length - 1) + ' }';
  }
  return null;
}
function renameFragments(doc, suffix) {
  const names = new Map(doc.defs.filter(d => d.kind === 'frag').map(d => [d.name, d.name + suffix]));
  if (!names.size) return;
  const walk = (sel) => { for (const s of sel || []) { if (s.kind === 'spread' && names.has(s.name)) s.name = names.get(s.name); walk(s.sel); } };
  for (const d of doc.defs) { if (d.kind === 'frag') d.name = names.get(d.name); walk(d.sel); }
}

// ------------------------------------------------------------------ syntax errors
function syntaxOps(S) {
  const ops = {};
  const baseTexts = (b, n) => {
    const out = [];
    for (let k = 0; k < n; k++) {
      const doc = b.doc({ sel: b.rootFields(b.rng.range(1, 2), 2), decorate: { alias: 0.3, fragment: 0.3, inline: 0.2, directive: 0.3, variable: 0.4 } });
      const text = printDoc(doc, STYLES[b.rng.pick(STYLE_NAMES)]);
      if (text.length < 1500) out.push(text); else k--;
    }
    return out;
  };
  ops.truncate = (b) => {
    const out = [];
    for (const t of baseTexts(b, 8)) {
      const step = Math.max(1, Math.ceil(t.length / 8));
      for (let k = step; k < t.length; k += step) out.push(t.slice(0, k));
    }
    return out;
  };
  ops.strayPunctuation = (b) => {
    const chars = ['{', '}', '(', ')', '[', ']', ':', '=', '@', '$', '!', '|', '&', '...', ',', '"', '\\', ';', '?', '#', '.', '..', '-', '+', '*', '/', '<', '>', '`', "'"];
    return baseTexts(b, 40).map((t, k) => { const p = b.rng.int(t.length + 1); return t.slice(0, p) + chars[k % chars.length] + t.slice(p); });
  };
  ops.missingPunctuation = (b) => baseTexts(b, 30).map((t) => {
    const idx = [...t].map((c, k) => ('{}():[]$=@!'.includes(c) ? k : -1)).filter(k => k >= 0);
    const p = b.rng.pick(idx);
    return t.slice(0, p) + t.slice(p + 1);
  });
  ops.tokenSwap = (b) => baseTexts(b, 30).map((t) => {
    const toks = t.match(/\.\.\.|"(?:[^"\\]|\\.)*"|[_A-Za-z][_0-9A-Za-z]*|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[{}()[\]:=@$!|&,]|\s+/g) || [t];
    const idx = toks.map((x, k) => (/^\s+$/.test(x) ? -1 : k)).filter(k => k >= 0);
    for (let tries = 0; tries < 10; tries++) {
      const a = b.rng.pick(idx); const c = idx[idx.indexOf(a) + 1];
      if (c === undefined || toks[a] === toks[c]) continue;
      const out = toks.slice(); [out[a], out[c]] = [out[c], out[a]];
      return out.join('');
    }
    return t + ' }';
  });
  const STRINGS = ['"abc', '"ab\ncd"', '"\\x41"', '"\\u12"', '"\\uZZZZ"', '"\\u{1F600}"', '"\\uD800"', '"\\uDC00"', '"\\uD83D\\uDE00"', '"\\uD83Dx"', '"""abc',
    '"""a\\"""b"""', '"a\u0001b"', '"a\tb"', '"a\u2028b"', '""', '"""ok"""', '"""\n  indented\n    block\n"""', '"\\"', '"\\\\"', '"\\/"', '"\\b\\f\\n\\r\\t"', '"\\a"', '"\\0"',
    '"unterminated\\"', '"caf\u00e9"', '"\ud83d\ude00"', "'single'", '"a" "b"', '"""', '""""', '"""\\u0041"""', '"\u007f"', '"\\u00e9"', '"\\U0041"'];
  ops.badString = (b) => STRINGS.map((s, k) => {
    const tmpl = [`{ __type(name: ${s}) { name } }`, `query Q($s: String = ${s}) { __type(name: $s) { name } }`, `{ health @include(if: ${s}) }`][k % 3];
    return tmpl;
  });
  const NUMBERS = ['1.', '.5', '00', '01', '-0', '1e', '1e+', '1.5e', '0x1F', '1_000', '-', '1.2.3', '123abc', '1e99999', '99999999999999999999', '-2147483649', '2147483648',
    '2147483647', '1.0', '+1', 'Infinity', 'NaN', '1.e5', '0.', '1E5', '-.5', '00.5', '1f', '0b11', '1e-5', '-1', '0', '٣'];
  ops.badNumber = (b) => {
    const p = b.classQueries[0];
    const qf = S.field(S.query, p[0]);
    const intArg = p.length === 1 && (qf.args || []).find(a => /^(first|limit|skip)$/.test(a.name));
    return NUMBERS.map((n, k) => (k % 2 === 0 && intArg
      ? `{ ${p[0]}(${intArg.name}: ${n}) { __typename } }`
      : `query Q($n: Int = ${n}) { health }`));
  };
  const CHARS = ['\u0000', '\u0007', '\u00a0', '?', '%', '~', '^', '*', ';', '\\', '`', "'", '\ud83d\ude00', '\ufeff', '\u2028', '\r', '\t', '\u000b', '\u000c', '\u0085', '\u200b', 'é', '\u0001', '\u007f', '#'];
  ops.badCharacter = (b) => baseTexts(b, CHARS.length).map((t, k) => { const p = b.rng.int(t.length + 1); return t.slice(0, p) + CHARS[k] + t.slice(p); });
  ops.structure = () => [
    '', ' ', '\n\t ', '# only a comment', '{}', '{ }', 'query', 'query {', 'query { }', '{ health } }', '}', '{{ health }}', 'query Q() { health }', 'query ($) { health }',
    'query ($a) { health }', 'query ($a:) { health }', 'query ($a: Int =) { health }', '{ health(a:) }', '{ health() }', '{ a: }', '{ : health }', '{ ... }', '{ ...on }',
    '{ ... on { health } }', 'fragment { health }', 'fragment F on { health }', 'fragment on on Query { health }', '{ health } fragment F on Query', 'mutation', 'subscription',
    'schema { query: Query }', 'type Foo { a: Int }', 'extend type Query { a: Int }', 'scalar Foo', 'directive @x on FIELD', '{ health @ }', '{ health @include( }',
    'query Q @ { health }', '{ $var }', '{ 123 }', '{ "str" }', '{ health. }', '{ health: }', '{ __typename } query', 'query Q { health } query', '{ health }}{', '{ health ,,, }',
    '[health]', '(health)', 'query Q($a: [Int!]!!) { health }', 'query Q($a: [[Int]) { health }', '{ health(a: {b: }) }', '{ health(a: [1,) }', '{ health(a: {b 1}) }',
    '{ health(a: $) }', 'query Q($a: Int = $b) { health }', '{ health(a: {"b": 1}) }', 'query 1 { health }', 'query Q(a: Int) { health }', 'Query { health }', 'QUERY { health }',
    'query Q { health } { health }', '{ health } { __typename }', 'query Q($a: Int @x) { health }', '{ health(a: true false) }', '{ __typename } #', '{ health } \u0000',
    '{ health }\n\n\n\n\n\n\n\n\n\n}', 'query Q {\n  health\n  viewer {\n    sessionToken\n  \n', '{ health(a: [[[ }', '{ health(a: {{ }) }', 'query Q($a: Int = 1 2) { health }',
    'fragment F on Query @ { health } { ...F }', '{ ...F @include }', '{ ... on Query @include(if: true) }', 'query Q($$a: Int) { health }', 'query Q($ a: Int) { health }',
    '{ health @include(if: true) @ }', 'extend schema @x', 'input I { a: Int }', 'union U = A | B', 'enum E { A }', 'interface I { a: Int }', '"""desc""" query Q { health }',
    '"desc" { health }',
  ];
  ops.unbalanced = (b) => baseTexts(b, 24).map((t, k) => {
    if (k % 4 === 0) return t + ' {';
    if (k % 4 === 1) return '{ ' + t;
    if (k % 4 === 2) { const p = t.lastIndexOf('}'); return t.slice(0, p) + t.slice(p + 1); }
    return t.replace(/\(/, '((');
  });
  ops.deepBraces = () => [10, 50, 100, 500, 1000, 2000, 3900].flatMap(n => [
    '{'.repeat(n), '{ health(a: ' + '['.repeat(Math.min(n, 3900)) + ' }', '{ health' + '('.repeat(Math.min(n, 3900)), '{ a'.repeat(Math.min(n, 1300)),
  ]);
  ops.longTokens = () => [
    `{ ${'a'.repeat(3900)} }`, `{ __type(name: "${'x'.repeat(3900)}") { name } }`, '#'.repeat(3900) + '\n{ health }', `{ health ${'#c\n'.repeat(1200)}}`,
    `{ ${'_'.repeat(2000)}: health }`, `query ${'Q'.repeat(3800)} { health }`, `{ health(a: ${'9'.repeat(3800)}) }`, `{ health(a: 1.${'5'.repeat(3800)}) }`,
    '{ health' + ' '.repeat(3900) + '}', '{ health' + ',' .repeat(3900) + '}', `{ __type(name: """${'y'.repeat(3800)}""") { name } }`, '\ufeff{ health }',
  ];
  return ops;
}

// ------------------------------------------------------------------ envelope variations
function envelopeOps(S) {
  const ops = {};
  const b0 = new DocBuilder(S, new Rng('envelope-docs'), '');
  const viewerDoc = b0.viewerPath ? printDoc({ defs: [{ kind: 'op', op: 'query', name: null, vars: [], dirs: [], sel: b0.viewer(1), short: true }] }) : '{ health }';
  const harmless = b0.harmless.length ? printDoc({ defs: [{ kind: 'op', op: 'mutation', name: 'M', vars: [], dirs: [], sel: b0.harmlessMutation(b0.harmless[0]) }] }) : 'mutation M { __typename }';
  const D = {
    health: '{ health }',
    viewer: viewerDoc,
    invalid: '{ thisFieldDoesNotExist }',
    syntax: '{ health ',
    mutation: harmless,
    twoOps: 'query A { health } query B { __typename }',
    intro: '{ __schema { queryType { name } } }',
    vars: 'query V($n: Boolean! = true) { health @include(if: $n) }',
    varsReq: 'query R($n: Boolean!) { health @skip(if: $n) }',
    typename: '{ __typename }',
  };
  const C = { ...H_CLIENT, ...H_TOKEN };
  const qs = (o) => '?' + Object.entries(o).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))}`).join('&');
  const get = (o, headers = C) => ({ method: 'GET', path: GQL + (o === null ? '' : typeof o === 'string' ? o : qs(o)), headers: { ...headers }, body: null });
  const raw = (method, text, ct, headers = C, p = GQL) => ({ method, path: p, headers: { ...headers, ...(ct ? { 'Content-Type': ct } : {}) }, body: text });
  const json = (o, headers = C) => raw('POST', typeof o === 'string' ? o : body(o), 'application/json', headers);

  ops.getQuery = () => {
    const out = [];
    for (const k of Object.keys(D)) out.push(get({ query: D[k] }));
    for (const k of ['health', 'viewer', 'invalid', 'syntax']) out.push(get({ query: D[k] }, { ...H_CLIENT }));
    out.push(get({ query: D.twoOps, operationName: 'A' }), get({ query: D.twoOps, operationName: 'B' }), get({ query: D.twoOps, operationName: 'C' }), get({ query: D.twoOps, operationName: '' }));
    out.push(get({ query: D.vars, variables: { n: false } }), get({ query: D.vars, variables: '{"n":false}' }), get({ query: D.varsReq }), get({ query: D.varsReq, variables: '{"n":true}' }));
    out.push(get('?query=' + encodeURIComponent(D.vars) + '&variables=' + encodeURIComponent('{bad json')), get('?query=' + encodeURIComponent(D.vars) + '&variables=' + encodeURIComponent('[1]')));
    out.push(get('?query=' + encodeURIComponent(D.vars) + '&variables=null'), get('?query=' + encodeURIComponent(D.vars) + '&variables=' + encodeURIComponent('"str"')));
    out.push(get('?query=' + encodeURIComponent(D.vars) + '&variables=' + encodeURIComponent('{"n":"yes"}')));
    out.push(get({ query: D.health, extensions: {} }), get('?query=' + encodeURIComponent(D.health) + '&extensions=' + encodeURIComponent('{bad')));
    out.push(get('?query=' + encodeURIComponent(D.health) + '&query=' + encodeURIComponent(D.typename)), get('?query[]=' + encodeURIComponent(D.health)));
    out.push(get('?query=' + encodeURIComponent(D.health) + '&operationName=Nope'), get('?QUERY=' + encodeURIComponent(D.health)), get('?query=%7B%20health%20%7D&foo=bar'));
    out.push(get('?query=' + D.health.replace(/ /g, '+')), get('?query=%7B%20health'), get('?query=%ZZ'), get('?query=' + encodeURIComponent(D.health) + '&'));
    return out;
  };
  ops.getNoQuery = () => [
    get(null), get('?'), get('?query='), get('?query'), get('?foo=bar'), get('?variables=%7B%7D'), get('?operationName=A'), get(null, { ...H_CLIENT }), get(null, {}),
    get(null, { ...H_MASTER }), { ...get(null), path: GQL + '/' }, { ...get({ query: D.health }), path: GQL + '/' + qs({ query: D.health }) },
  ];
  ops.postJson = () => {
    const out = [];
    const P = (o) => out.push(json(o));
    P({ query: D.health }); P({ query: D.viewer }); P({ query: D.health, variables: null }); P({ query: D.health, variables: {} }); P({ query: D.health, operationName: null });
    P({ query: D.health, operationName: '' }); P({ query: D.twoOps, operationName: 'A' }); P({ query: D.twoOps, operationName: 'B' }); P({ query: D.twoOps });
    P({ query: D.twoOps, operationName: 'C' }); P({ query: D.twoOps, operationName: 1 }); P({ query: D.twoOps, operationName: ['A'] }); P({ query: D.twoOps, operationName: { a: 1 } });
    P({ query: D.twoOps, operationName: true }); P({ query: D.health, operationName: 'Health' }); P({ query: 'query H { health }', operationName: 'h' });
    P({ query: 42 }); P({ query: null }); P({ query: ['{ health }'] }); P({ query: { kind: 'Document' } }); P({ query: true }); P({ query: '' }); P({ query: '   ' });
    P({}); P({ variables: {} }); P({ operationName: 'A' }); P({ Query: D.health }); P({ query: D.health, extra: 1 }); P({ query: D.health, id: 'abc' });
    for (const v of ['{}', '{"n":false}', 'not json', '[]', '1', 'null', '']) P({ query: D.vars, variables: v });
    for (const v of [[], [1], 1, true, 'x', { n: 'yes' }, { n: null }, { n: 1 }, { n: [true] }]) P({ query: D.vars, variables: v });
    P({ query: D.varsReq }); P({ query: D.varsReq, variables: {} }); P({ query: D.varsReq, variables: { n: true } }); P({ query: D.varsReq, variables: { n: true, extra: 1 } });
    P({ query: D.health, extensions: null }); P({ query: D.health, extensions: 'x' }); P({ query: D.health, extensions: {} }); P({ query: D.health, extensions: { foo: 1 } });
    P({ query: D.mutation }); P({ query: D.mutation, operationName: 'M' }); P({ query: D.mutation, operationName: 'Other' });
    P({ query: D.intro }); P({ query: D.invalid }); P({ query: D.syntax }); P({ query: D.typename });
    P({ query: D.health, variables: { a: 1 }, operationName: null, extensions: {} });
    return out;
  };
  ops.contentType = () => {
    const j = body({ query: D.health });
    const out = [];
    out.push(raw('POST', D.health, 'application/graphql'), raw('POST', D.syntax, 'application/graphql'), raw('POST', D.invalid, 'application/graphql'), raw('POST', j, 'application/graphql'));
    out.push(raw('POST', j, 'text/plain'), raw('POST', D.health, 'text/plain'), raw('POST', j, 'text/plain; charset=utf-8'), raw('POST', j, null), raw('POST', D.health, null));
    out.push(raw('POST', 'query=' + encodeURIComponent(D.health), 'application/x-www-form-urlencoded'));
    out.push(raw('POST', 'query=' + encodeURIComponent(D.vars) + '&variables=' + encodeURIComponent('{"n":false}'), 'application/x-www-form-urlencoded'));
    out.push(raw('POST', 'query=' + encodeURIComponent(D.invalid), 'application/x-www-form-urlencoded'), raw('POST', 'foo=bar', 'application/x-www-form-urlencoded'));
    out.push(raw('POST', j, 'application/x-www-form-urlencoded'));
    const boundary = '----gqldiffboundary';
    const mp = (parts) => parts.map(([n, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`).join('') + `--${boundary}--\r\n`;
    out.push(raw('POST', mp([['query', D.health]]), `multipart/form-data; boundary=${boundary}`));
    out.push(raw('POST', mp([['operations', j], ['map', '{}']]), `multipart/form-data; boundary=${boundary}`));
    out.push(raw('POST', mp([['operations', j]]), `multipart/form-data; boundary=${boundary}`));
    out.push(raw('POST', mp([['operations', 'not json'], ['map', '{}']]), `multipart/form-data; boundary=${boundary}`));
    out.push(raw('POST', 'garbage', `multipart/form-data; boundary=${boundary}`), raw('POST', j, 'multipart/form-data'));
    for (const ct of ['application/json; charset=utf-8', 'application/json;charset=UTF-8', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'APPLICATION/JSON',
      'application/graphql-response+json', 'application/vnd.api+json', 'application/ld+json', 'text/html', 'application/xml', 'text/json', 'application/json, text/plain',
      'application/javascript', 'application/octet-stream', '*/*', 'application/*', 'json', '', 'application/json; boundary=x', 'application/graphql+json']) out.push(raw('POST', j, ct));
    return out;
  };
  ops.badJson = () => {
    const out = [];
    for (const t of ['', ' ', '{', '}', '{"query": "{ health }"', "{'query': '{ health }'}", '{"query": "{ health }",}', '{query: "{ health }"}', 'null', '"{ health }"', '42', 'true', '[]', '[1,2]',
      '\ufeff{"query":"{ health }"}', '{"query":"{ health }"}garbage', '{"query":"{ health }"}\n', '  {"query":"{ health }"}  ', '{"query":"{ health }", "query": "{ __typename }"}',
      '{"\\u0071uery":"{ health }"}', '{"query":"{ h\\u0065alth }"}', '{"query":"{ health }\\u0000"}', '{"query":"\\ud800"}', '{"query":"{ health }" /* c */}', 'NaN', '{"query": NaN}',
      '[' + '['.repeat(1000) + ']'.repeat(1000) + ']', '{"a":'.repeat(500) + '1' + '}'.repeat(500), '{"query":"{ health }","variables":{"a":1e999}}', '{"query":"{ health }","variables":{"a":-0}}',
      '{"query":"\t{ health }"}', '{"query":"{ health }\u0007"}', 'undefined', '{"query":undefined}', '\u0000']) out.push(json(t));
    out.push(raw('POST', null, 'application/json'), raw('POST', '', 'application/json', { ...H_CLIENT }));
    return out;
  };
  ops.batch = () => {
    const out = [];
    const B = (arr, h) => out.push(json(body(arr), h));
    B([]); B([{ query: D.health }]); B([{ query: D.health }, { query: D.typename }]); B([{ query: D.health }, { query: D.invalid }]); B([{ query: D.health }, { query: D.syntax }]);
    B([{ query: D.viewer }, { query: D.health }]); B([{ query: D.mutation }]); B([{ query: D.health }, { query: D.mutation }]); B([1]); B([null]); B([{}]); B(['{ health }']);
    B([[{ query: D.health }]]); B(Array.from({ length: 10 }, () => ({ query: D.health }))); B([{ query: D.vars, variables: { n: false } }, { query: D.twoOps, operationName: 'B' }]);
    B([{ query: D.twoOps }]); B([{ query: D.health }, 2]); B([{ query: D.intro }]); B([{ query: D.health }], { ...H_CLIENT }); B([{ query: D.health }], { ...H_MASTER });
    B([{ query: D.varsReq }]); B([{ query: D.health, extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }]);
    out.push(get('?query=' + encodeURIComponent(body([{ query: D.health }]))));
    out.push(raw('POST', body([{ query: D.health }]), 'text/plain'), raw('POST', body([{ query: D.health }]), 'application/graphql'));
    return out;
  };
  ops.accept = () => {
    const out = [];
    const accepts = ['application/json', 'application/graphql-response+json', 'text/html', 'multipart/mixed', 'multipart/mixed; deferSpec=20220824', 'application/xml', '*/*', 'text/event-stream',
      'application/graphql-response+json;q=0.9, application/json;q=0.8', 'application/json;q=0', '', 'garbage', 'text/plain', 'application/graphql-response+json; charset=utf-8'];
    accepts.forEach((a, k) => {
      const doc = [D.health, D.invalid, D.syntax][k % 3];
      out.push({ ...json({ query: doc }), headers: { ...C, ...H_JSON, Accept: a } });
      if (k % 2 === 0) out.push({ ...get({ query: D.health }), headers: { ...C, Accept: a } });
    });
    for (const a of ['application/json', 'application/graphql-response+json', 'text/html']) out.push({ ...json({ query: D.mutation }), headers: { ...C, ...H_JSON, Accept: a } });
    for (const a of ['application/json', 'application/graphql-response+json', 'multipart/mixed', 'text/event-stream']) out.push({ ...json({ query: D.viewer }), headers: { ...C, ...H_JSON, Accept: a } });
    return out;
  };
  ops.persisted = () => {
    const sha = (t) => crypto.createHash('sha256').update(t).digest('hex');
    const pq = (h, v = 1) => ({ persistedQuery: { version: v, sha256Hash: h } });
    const Q1 = '{ health }';
    const Q2 = 'query Persisted { health __typename }';
    const out = [];
    out.push(json({ extensions: pq(sha(Q2)) }));
    out.push(json({ query: Q2, extensions: pq(sha(Q2)) }));
    out.push(json({ extensions: pq(sha(Q2)) }));
    out.push(json({ query: Q2, extensions: pq(sha(Q2)), operationName: 'Persisted' }));
    out.push(json({ query: Q1, extensions: pq(sha(Q2)) }));
    out.push(json({ query: Q1, extensions: pq('0'.repeat(64)) }));
    out.push(json({ extensions: pq('0'.repeat(64)) }));
    out.push(json({ query: Q1, extensions: pq(sha(Q1), 2) }));
    out.push(json({ extensions: pq(sha(Q1), 2) }));
    out.push(json({ query: Q1, extensions: { persistedQuery: { sha256Hash: sha(Q1) } } }));
    out.push(json({ query: Q1, extensions: { persistedQuery: { version: 1 } } }));
    out.push(json({ query: Q1, extensions: { persistedQuery: { version: 1, sha256Hash: 123 } } }));
    out.push(json({ query: Q1, extensions: { persistedQuery: null } }));
    out.push(json({ query: Q1, extensions: { persistedQuery: 'x' } }));
    out.push(json({ extensions: pq(sha(Q1)) }));
    out.push(json({ query: Q1, extensions: pq(sha(Q1)) }));
    out.push(get({ extensions: pq(sha(Q1)) }));
    out.push(get({ extensions: pq(sha(Q2)) }));
    out.push(get({ query: Q1, extensions: pq(sha(Q1)) }));
    out.push(get({ extensions: pq('1'.repeat(64)) }));
    out.push(json({ query: D.invalid, extensions: pq(sha(D.invalid)) }));
    out.push(json({ extensions: pq(sha(D.invalid)) }));
    out.push(json({ query: D.syntax, extensions: pq(sha(D.syntax)) }));
    out.push(json({ extensions: pq(sha(Q1).toUpperCase()) }));
    return out;
  };
  ops.methods = () => {
    const j = body({ query: D.health });
    const out = [];
    out.push({ method: 'HEAD', path: GQL + qs({ query: D.health }), headers: { ...C }, body: null }, { method: 'HEAD', path: GQL, headers: { ...C }, body: null });
    for (const m of ['PUT', 'DELETE', 'PATCH']) out.push(raw(m, j, 'application/json'), raw(m, j, 'application/json', { ...H_CLIENT }));
    out.push({ method: 'DELETE', path: GQL + qs({ query: D.health }), headers: { ...C }, body: null });
    out.push({ method: 'OPTIONS', path: GQL, headers: {}, body: null });
    out.push({ method: 'OPTIONS', path: GQL, headers: { Origin: 'http://example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-parse-application-id' }, body: null });
    out.push({ method: 'OPTIONS', path: GQL, headers: { Origin: 'http://example.com', 'Access-Control-Request-Method': 'GET' }, body: null });
    out.push({ method: 'OPTIONS', path: GQL, headers: { Origin: 'http://example.com', 'Access-Control-Request-Method': 'DELETE', 'Access-Control-Request-Headers': 'x-custom' }, body: null });
    out.push({ method: 'OPTIONS', path: GQL, headers: { ...C }, body: null });
    out.push(raw('POST', j, 'application/json', { ...C, 'X-HTTP-Method-Override': 'GET' }));
    out.push(raw('POST', body({ query: D.health, _method: 'GET' }), 'text/plain', { ...H_APP }));
    out.push(raw('POST', body({ query: D.health, _method: 'GET' }), 'application/json'));
    out.push(raw('POST', j, 'application/json', C, GQL + '?query=' + encodeURIComponent(D.typename)));
    out.push({ method: 'GET', path: GQL + qs({ query: D.health }), headers: { ...C, 'Content-Type': 'application/json' }, body: null });
    out.push({ method: 'GET', path: GQL + qs({ query: D.health }), headers: { ...C, 'Content-Type': 'application/json' }, body: j });
    return out;
  };
  ops.auth = () => {
    const out = [];
    const docs = [D.health, D.viewer, D.invalid];
    const headerSets = [
      {}, { ...H_APP }, { 'X-Parse-Application-Id': 'wrongApp' }, { ...H_CLIENT }, { ...H_APP, 'X-Parse-Client-Key': 'wrong' }, { ...H_APP, 'X-Parse-Javascript-Key': JS_KEY },
      { ...H_APP, 'X-Parse-REST-API-Key': REST_KEY }, { ...H_MASTER }, { ...H_APP, 'X-Parse-Master-Key': 'wrong' }, { ...H_MASTER, ...H_TOKEN }, { ...H_TOKEN },
      { ...H_CLIENT, 'X-Parse-Session-Token': 'r:doesnotexist' }, { ...H_CLIENT, 'X-Parse-Session-Token': '' }, { ...H_CLIENT, 'X-Parse-Session-Token': 'r:0123456789abcdef0123456789abcde' },
      { ...H_CLIENT, 'X-Parse-Session-Token': ' <token#1>' }, { ...H_CLIENT, 'X-Parse-Installation-Id': 'gqld-install' }, { ...C, 'X-Parse-Client-Version': 'js1.0.0' },
      { 'x-parse-application-id': APP_ID, 'x-parse-client-key': CLIENT_KEY, 'x-parse-session-token': '<token#1>' }, { ...H_APP, 'X-Parse-Client-Key': '' },
      { ...H_CLIENT, 'X-Parse-Revocable-Session': '1' }, { ...H_APP, 'X-Parse-Master-Key': MASTER_KEY, 'X-Parse-Client-Key': 'wrong' }, { ...C, 'X-Parse-Maintenance-Key': 'x' },
    ];
    headerSets.forEach((h, k) => { out.push(json({ query: docs[k % docs.length] }, h)); if (k % 3 === 0) out.push(json({ query: docs[(k + 1) % docs.length] }, h)); });
    // keys in the body, as the JS SDK sends them with text/plain
    const inBody = [
      { query: D.viewer, _ApplicationId: APP_ID, _ClientKey: CLIENT_KEY, _SessionToken: '<token#1>' }, { query: D.health, _ApplicationId: APP_ID },
      { query: D.health, _ApplicationId: APP_ID, _JavaScriptKey: JS_KEY }, { query: D.viewer, _ApplicationId: APP_ID, _MasterKey: MASTER_KEY }, { query: D.health, _ApplicationId: 'wrongApp', _ClientKey: CLIENT_KEY },
    ];
    for (const o of inBody) out.push(raw('POST', body(o), 'text/plain', {}), raw('POST', body(o), 'application/json', {}));
    out.push(get({ query: D.health }, {}), get({ query: D.viewer }, { ...H_CLIENT }), get({ query: D.health }, { ...H_MASTER }), get({ query: D.viewer }, { ...H_MASTER, ...H_TOKEN }));
    out.push(json({ query: D.intro }, { ...H_MASTER }), json({ query: D.intro }, { ...H_CLIENT }), json({ query: D.intro }, {}), json({ query: D.intro }, { ...H_APP, 'X-Parse-REST-API-Key': REST_KEY }));
    return out;
  };
  ops.origin = () => {
    const out = [];
    for (const o of ['http://example.com', 'null', 'https://evil.example', 'http://127.0.0.1', '*']) {
      out.push({ ...json({ query: D.health }), headers: { ...C, ...H_JSON, Origin: o } });
      out.push({ ...json({ query: D.invalid }), headers: { ...C, ...H_JSON, Origin: o, 'Access-Control-Request-Method': 'POST' } });
    }
    out.push({ ...get({ query: D.health }), headers: { ...C, Origin: 'http://example.com' } });
    out.push({ ...json({ query: D.health }), headers: { ...C, ...H_JSON, Origin: 'http://example.com', 'apollo-require-preflight': 'true' } });
    out.push({ ...raw('POST', body({ query: D.health }), 'text/plain'), headers: { ...C, 'Content-Type': 'text/plain', 'x-apollo-operation-name': 'H' } });
    out.push({ ...get({ query: D.health }), headers: { ...C, 'apollo-require-preflight': 'true' } });
    return out;
  };
  ops.paths = () => {
    const j = body({ query: D.health });
    return ['/graphql/', '/graphql?', '/GRAPHQL', '/Graphql', '/graphql/extra', '/graphql//', '/graphql%20', '/graphql.json', '/graphql;x', '/parse/graphql', '/graphiql', '/playground', '/', '/graphql?query']
      .map(p => raw('POST', j, 'application/json', C, p));
  };
  // random combinations of the axes above: method, content type, body shape, Accept, keys
  ops.matrix = (b) => {
    const r = b.rng;
    const pool = [D.health, D.viewer, D.invalid, D.syntax, D.typename, D.vars, D.intro, D.twoOps];
    for (let k = 0; k < 12; k++) pool.push(printDoc(b.doc({ sel: b.rootFields(r.range(1, 2), 1), decorate: { variable: 0.5, fragment: 0.3, directive: 0.3 } }), STYLES[r.pick(['spaced', 'compact'])]));
    const auths = [C, { ...H_CLIENT }, { ...H_MASTER }, { ...H_MASTER, ...H_TOKEN }, {}, { ...H_APP }, { ...H_APP, 'X-Parse-Javascript-Key': JS_KEY, ...H_TOKEN }, { ...H_REST, ...H_TOKEN }];
    const accepts = ['application/json', 'application/graphql-response+json', 'text/html', 'multipart/mixed', '*/*', 'text/event-stream'];
    const cts = ['application/json', 'text/plain', 'application/graphql', null, 'application/x-www-form-urlencoded', 'application/json; charset=utf-8'];
    const out = [];
    for (let k = 0; k < 150; k++) {
      const doc = r.pick(pool);
      const auth = r.pick(auths);
      const accept = r.chance(0.35) ? { Accept: r.pick(accepts) } : {};
      const payload = { query: doc };
      if (doc === D.vars && r.chance(0.6)) payload.variables = r.pick([{ n: false }, { n: true }, '{"n":false}', { n: 'no' }]);
      if (doc === D.twoOps && r.chance(0.8)) payload.operationName = r.pick(['A', 'B', 'C', null]);
      const m = r.next();
      if (m < 0.2) { out.push({ ...get(payload, { ...auth, ...accept }) }); continue; }
      const method = m < 0.92 ? 'POST' : r.pick(['PUT', 'PATCH', 'DELETE']);
      const shape = r.pick(['json', 'json', 'json', 'graphql', 'batch', 'form', 'scalarVars']);
      let text;
      if (shape === 'graphql') text = doc;
      else if (shape === 'batch') text = body(Array.from({ length: r.range(1, 3) }, () => ({ query: r.pick(pool) })));
      else if (shape === 'form') text = Object.entries(payload).map(([x, v]) => `${x}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))}`).join('&');
      else if (shape === 'scalarVars') text = body({ ...payload, variables: r.pick(['', '{}', 'null', 7, [], 'x']) });
      else text = body(payload);
      out.push(raw(method, text, r.pick(cts), { ...auth, ...accept }));
    }
    return out;
  };
  ops.sizes = () => {
    const out = [];
    for (const n of [1, 100, 1000, 4000]) out.push(json({ query: `{ health ${'#'.repeat(n)}\n}` }));
    for (const n of [10, 100, 1000]) out.push(json({ query: D.health, variables: Object.fromEntries(Array.from({ length: n }, (_, k) => [`v${k}`, k])) }));
    out.push(json({ query: D.health, variables: { s: 'x'.repeat(4000) } }));
    out.push(json({ query: D.health, operationName: 'x'.repeat(4000) }));
    return out;
  };
  return ops;
}

// ------------------------------------------------------------------ CLI
export function generateFor(version, seed = DEFAULT_SEED) {
  const sdl = fs.readFileSync(path.join(SCHEMA_DIR, `${version}.graphql`), 'utf8');
  return generate({ version, sdl, seed });
}
export function familyCounts(cases) {
  const counts = {};
  for (const c of cases) {
    const parts = c.step.split('.');
    const fam = parts[0];
    counts[fam] = (counts[fam] || 0) + 1;
    if (parts.length > 2) { const op = parts.slice(0, 2).join('.'); counts[op] = (counts[op] || 0) + 1; }
  }
  return counts;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = {};
  for (let i = 2; i < process.argv.length; i++) {
    const a = process.argv[i];
    if (a === '--summary') args.summary = true;
    else if (a.startsWith('--')) args[a.slice(2)] = process.argv[++i];
  }
  if (!args.version) { console.error('usage: node generate.mjs --version V [--seed N] [--only REGEX] [--summary]'); process.exit(2); }
  const cases = generateFor(args.version, args.seed !== undefined ? Number(args.seed) : DEFAULT_SEED);
  const only = args.only ? new RegExp(args.only) : null;
  const sel = only ? cases.filter(c => only.test(c.step)) : cases;
  if (args.summary) {
    const counts = familyCounts(sel);
    for (const [k, v] of Object.entries(counts)) console.log(`${k}\t${v}`);
    console.log(`total\t${sel.length}`);
  } else {
    process.stdout.write(sel.map(c => JSON.stringify(c)).join('\n') + '\n');
  }
}
