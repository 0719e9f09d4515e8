// A small reader for the SDL files in fixtures/schema/<v>.graphql (printed by graphql-js's
// printSchema): object types, interfaces, unions, enums, input objects, scalars and directive
// definitions, with field arguments, default values (kept as source text) and type references.
// Descriptions and @deprecated are skipped.  Only what generate.mjs needs; no validation.
//
//   import { readSchema } from './sdl.mjs';
//   const schema = readSchema(text);   // { types: Map(name -> type), query, mutation, subscription, directives }
//
// A type reference is {kind: 'Named', name} | {kind: 'List', of} | {kind: 'NonNull', of}.

const PUNCT = new Set(['{', '}', '(', ')', '[', ']', '!', ':', '=', '@', '|', '&', '$']);

function lex(src) {
  const toks = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ',' || c === '\ufeff') { i++; continue; }
    if (c === '#') { while (i < n && src[i] !== '\n') i++; continue; }
    if (src.startsWith('"""', i)) {
      const end = src.indexOf('"""', i + 3);
      if (end < 0) throw new Error('unterminated block string in SDL');
      toks.push({ k: 'str', v: src.slice(i + 3, end), s: i });
      i = end + 3;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < n && src[j] !== '"') { if (src[j] === '\\') j++; j++; }
      toks.push({ k: 'str', v: src.slice(i + 1, j), s: i });
      i = j + 1;
      continue;
    }
    if (src.startsWith('...', i)) { toks.push({ k: 'p', v: '...', s: i }); i += 3; continue; }
    if (PUNCT.has(c)) { toks.push({ k: 'p', v: c, s: i }); i++; continue; }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(src[j])) j++;
      toks.push({ k: 'name', v: src.slice(i, j), s: i });
      i = j;
      continue;
    }
    if (/[-0-9]/.test(c)) {
      let j = i + 1;
      while (j < n && /[0-9.eE+-]/.test(src[j])) j++;
      toks.push({ k: 'num', v: src.slice(i, j), s: i });
      i = j;
      continue;
    }
    throw new Error(`unexpected character ${JSON.stringify(c)} at ${i} in SDL`);
  }
  toks.push({ k: 'eof', v: '', s: n });
  return toks;
}

export function readSchema(src) {
  const toks = lex(src);
  let p = 0;
  const peek = () => toks[p];
  const next = () => toks[p++];
  const is = (v) => toks[p].v === v && toks[p].k !== 'str';
  const expect = (v) => {
    const t = next();
    if (t.v !== v) throw new Error(`SDL: expected ${v}, got ${t.v} at ${t.s}`);
    return t;
  };
  const name = () => {
    const t = next();
    if (t.k !== 'name') throw new Error(`SDL: expected a name, got ${t.v} at ${t.s}`);
    return t.v;
  };
  const skipDescription = () => { while (peek().k === 'str') next(); };

  function typeRef() {
    let t;
    if (is('[')) { next(); t = { kind: 'List', of: typeRef() }; expect(']'); } else t = { kind: 'Named', name: name() };
    if (is('!')) { next(); t = { kind: 'NonNull', of: t }; }
    return t;
  }
  // A value's source text (default values, directive arguments).
  function valueText() {
    const start = peek().s;
    let depth = 0;
    do {
      const t = next();
      if (t.v === '[' || t.v === '{') depth++;
      else if (t.v === ']' || t.v === '}') depth--;
      else if (t.v === '$') next();
    } while (depth > 0);
    const endTok = toks[p];
    return src.slice(start, endTok.s).trim().replace(/,\s*$/, '');
  }
  function directives() {
    const out = [];
    while (is('@')) {
      next();
      const d = { name: name(), args: {} };
      if (is('(')) {
        next();
        while (!is(')')) { const a = name(); expect(':'); d.args[a] = valueText(); }
        next();
      }
      out.push(d);
    }
    return out;
  }
  function argDefs() {
    const args = [];
    if (!is('(')) return args;
    next();
    while (!is(')')) {
      skipDescription();
      const a = { name: name() };
      expect(':');
      a.type = typeRef();
      if (is('=')) { next(); a.defaultText = valueText(); }
      a.directives = directives();
      args.push(a);
    }
    next();
    return args;
  }
  function fieldDefs(withArgs) {
    const fields = [];
    if (!is('{')) return fields;
    next();
    while (!is('}')) {
      skipDescription();
      const f = { name: name() };
      if (withArgs) f.args = argDefs();
      expect(':');
      f.type = typeRef();
      if (!withArgs && is('=')) { next(); f.defaultText = valueText(); }
      f.directives = directives();
      f.deprecated = f.directives.some(d => d.name === 'deprecated');
      fields.push(f);
    }
    next();
    return fields;
  }

  const types = new Map();
  for (const s of ['String', 'Int', 'Float', 'Boolean', 'ID']) types.set(s, { kind: 'scalar', name: s, builtin: true });
  const directiveDefs = new Map();
  let roots = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' };
  let explicitRoots = null;

  while (peek().k !== 'eof') {
    skipDescription();
    const kw = name();
    if (kw === 'extend') throw new Error('SDL: extend is not supported');
    if (kw === 'schema') {
      directives();
      explicitRoots = {};
      expect('{');
      while (!is('}')) { const op = name(); expect(':'); explicitRoots[op] = name(); }
      next();
      continue;
    }
    if (kw === 'directive') {
      expect('@');
      const d = { name: name() };
      d.args = argDefs();
      if (is('repeatable')) { next(); d.repeatable = true; }
      expect('on');
      d.locations = [];
      if (is('|')) next();
      d.locations.push(name());
      while (is('|')) { next(); d.locations.push(name()); }
      directiveDefs.set(d.name, d);
      continue;
    }
    const tname = name();
    if (kw === 'scalar') { directives(); types.set(tname, { kind: 'scalar', name: tname }); continue; }
    if (kw === 'type' || kw === 'interface') {
      const interfaces = [];
      if (is('implements')) {
        next();
        if (is('&')) next();
        interfaces.push(name());
        while (is('&') || peek().k === 'name' && !is('{') && !is('@')) { if (is('&')) next(); interfaces.push(name()); }
      }
      directives();
      types.set(tname, { kind: kw === 'type' ? 'object' : 'interface', name: tname, interfaces, fields: fieldDefs(true) });
      continue;
    }
    if (kw === 'union') {
      directives();
      const members = [];
      if (is('=')) {
        next();
        if (is('|')) next();
        members.push(name());
        while (is('|')) { next(); members.push(name()); }
      }
      types.set(tname, { kind: 'union', name: tname, members });
      continue;
    }
    if (kw === 'enum') {
      directives();
      const values = [];
      expect('{');
      while (!is('}')) { skipDescription(); const v = name(); const ds = directives(); values.push({ name: v, deprecated: ds.some(d => d.name === 'deprecated') }); }
      next();
      types.set(tname, { kind: 'enum', name: tname, values });
      continue;
    }
    if (kw === 'input') {
      directives();
      types.set(tname, { kind: 'input', name: tname, fields: fieldDefs(false) });
      continue;
    }
    throw new Error(`SDL: unknown definition ${kw}`);
  }
  if (explicitRoots) roots = { query: explicitRoots.query, mutation: explicitRoots.mutation, subscription: explicitRoots.subscription };
  // implementations of each interface
  for (const t of types.values()) {
    if (t.kind !== 'object') continue;
    for (const i of t.interfaces) {
      const it = types.get(i);
      if (it) (it.implementations ||= []).push(t.name);
    }
  }
  return {
    types,
    directives: directiveDefs,
    query: types.has(roots.query) ? roots.query : null,
    mutation: roots.mutation && types.has(roots.mutation) ? roots.mutation : null,
    subscription: roots.subscription && types.has(roots.subscription) ? roots.subscription : null,
  };
}

export const named = (t) => (t.kind === 'Named' ? t.name : named(t.of));
export const isNonNull = (t) => t.kind === 'NonNull';
export const nullable = (t) => (t.kind === 'NonNull' ? t.of : t);
export function printType(t) {
  if (t.kind === 'NonNull') return printType(t.of) + '!';
  if (t.kind === 'List') return '[' + printType(t.of) + ']';
  return t.name;
}
