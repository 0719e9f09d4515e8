// The GraphQL side of the generator: a schema model on top of sdl.mjs, a small document AST
// with a printer, and builders of valid documents (selections, arguments, literals, variables,
// fragments, directives, aliases) driven by a seeded PRNG.  generate.mjs builds the case
// families from these.
import { readSchema, named, isNonNull, nullable, printType } from './sdl.mjs';


// ------------------------------------------------------------------ PRNG
function fnv1a(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h >>> 0;
}
class Rng {
  constructor(seedText) { this.a = fnv1a(seedText) | 0; }
  next() { // mulberry32
    this.a = (this.a + 0x6D2B79F5) | 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n) { return Math.floor(this.next() * n); }
  range(a, b) { return a + this.int(b - a + 1); }
  chance(p) { return this.next() < p; }
  pick(arr) { return arr[this.int(arr.length)]; }
  shuffle(arr) { const a = arr.slice(); for (let i = a.length - 1; i > 0; i--) { const j = this.int(i + 1); [a[i], a[j]] = [a[j], a[i]]; } return a; }
  sample(arr, k) { return this.shuffle(arr).slice(0, Math.min(k, arr.length)); }
}

// ------------------------------------------------------------------ constants
export const APP_ID = 'compatApp';
export const CLIENT_KEY = 'compatClient';
export const MASTER_KEY = 'compatMaster';
export const REST_KEY = 'compatRest';
export const JS_KEY = 'compatJs';
export const USERNAME = 'gqld_user';
export const PASSWORD = 'gqld-pass-1';
export const EMAIL = 'gqld_user@example.com';
export const UNKNOWN_ID = 'zzzzzzzzzz';
export const LITERAL_DATES = ['2020-01-01T00:00:00.000Z', '2030-06-15T12:00:00.000Z'];

// ------------------------------------------------------------------ schema access
class Schema {
  constructor(sdl) {
    const s = readSchema(sdl);
    this.types = s.types;
    this.query = s.query;
    this.mutation = s.mutation;
    this.subscription = s.subscription;
    this.directives = s.directives;
  }
  t(name) { return this.types.get(name); }
  kind(name) { const t = this.types.get(name); return t ? t.kind : null; }
  isLeaf(name) { const k = this.kind(name); return k === 'scalar' || k === 'enum'; }
  isComposite(name) { const k = this.kind(name); return k === 'object' || k === 'interface' || k === 'union'; }
  fields(name) { const t = this.types.get(name); return (t && t.fields) || []; }
  field(typeName, fieldName) { return this.fields(typeName).find(f => f.name === fieldName) || null; }
  possible(name) {
    const t = this.types.get(name);
    if (!t) return [];
    if (t.kind === 'object') return [name];
    if (t.kind === 'interface') return t.implementations || [];
    if (t.kind === 'union') return t.members;
    return [];
  }
  objectTypes() { return [...this.types.values()].filter(t => t.kind === 'object').map(t => t.name); }
  inputTypes() { return [...this.types.values()].filter(t => t.kind === 'input').map(t => t.name); }
  enumTypes() { return [...this.types.values()].filter(t => t.kind === 'enum').map(t => t.name); }
  scalarTypes() { return [...this.types.values()].filter(t => t.kind === 'scalar').map(t => t.name); }
  allTypeNames() { return [...this.types.keys()]; }
}

// ------------------------------------------------------------------ AST
// Doc: {defs: [op|frag|raw], variables?, operationName?}
// op: {kind:'op', op, name, vars: [{name, type (text), tref, def, dirs}], dirs, sel, short}
// frag: {kind:'frag', name, on, dirs, sel}
// field: {kind:'field', alias, name, args: [{name, value, _t}], dirs, sel|null, _p (parent type), _d (def)}
// spread: {kind:'spread', name, dirs}   inline: {kind:'inline', on|null, dirs, sel}   raw: {kind:'raw', text}
// value: {kind:'int'|'float'|'string'|'block'|'bool'|'null'|'enum'|'list'|'object'|'var'|'raw', v, items, fields, _t}
const clone = (x) => {
  if (Array.isArray(x)) return x.map(clone);
  if (x && typeof x === 'object') {
    const o = {};
    for (const [k, v] of Object.entries(x)) o[k] = (k === '_d' || k === '_t') ? v : clone(v);
    return o;
  }
  return x;
};
const F = (name, opts = {}) => ({ kind: 'field', alias: null, name, args: [], dirs: [], sel: null, ...opts });
const V = {
  int: (v) => ({ kind: 'int', v: String(v) }),
  float: (v) => ({ kind: 'float', v: String(v) }),
  str: (v) => ({ kind: 'string', v }),
  bool: (v) => ({ kind: 'bool', v: !!v }),
  nul: () => ({ kind: 'null' }),
  enm: (v) => ({ kind: 'enum', v }),
  list: (items) => ({ kind: 'list', items }),
  obj: (fields) => ({ kind: 'object', fields }),
  vr: (v) => ({ kind: 'var', v }),
  raw: (v) => ({ kind: 'raw', v }),
};
const dir = (name, args = []) => ({ name, args });
const ifArg = (value) => [{ name: 'if', value }];

// ------------------------------------------------------------------ printer
// style: {sep: separator between selections, pad: space inside braces, nl: pretty multi-line}
function gqlString(s) {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\u' + c.toString(16).padStart(4, '0').toUpperCase();
    else out += ch;
  }
  return out + '"';
}
function printValue(v) {
  switch (v.kind) {
    case 'int': case 'float': return v.v;
    case 'string': return gqlString(v.v);
    case 'block': return '"""' + v.v + '"""';
    case 'bool': return v.v ? 'true' : 'false';
    case 'null': return 'null';
    case 'enum': return v.v;
    case 'var': return '$' + v.v;
    case 'raw': return v.v;
    case 'list': return '[' + v.items.map(printValue).join(', ') + ']';
    case 'object': return '{' + v.fields.map(f => `${f.name}: ${printValue(f.value)}`).join(', ') + '}';
    default: throw new Error('bad value ' + v.kind);
  }
}
function printArgs(args) { return args.length ? '(' + args.map(a => a.raw !== undefined ? a.raw : `${a.name}: ${printValue(a.value)}`).join(', ') + ')' : ''; }
function printDirs(dirs) { return dirs.map(d => (d.raw !== undefined ? ' ' + d.raw : ` @${d.name}${printArgs(d.args)}`)).join(''); }
function printSel(sel, style, depth) {
  if (sel === null) return '';
  const ind = style.nl ? '\n' + '  '.repeat(depth + 1) : '';
  const end = style.nl ? '\n' + '  '.repeat(depth) : style.pad;
  const items = sel.map(s => ind + printSelection(s, style, depth + 1));
  return '{' + (style.nl ? '' : style.pad) + items.join(style.nl ? '' : style.sep) + end + '}';
}
function printSelection(s, style, depth) {
  const sp = style.nl || style.pad ? ' ' : '';
  switch (s.kind) {
    case 'field': {
      const head = (s.alias ? `${s.alias}: ` : '') + s.name + printArgs(s.args) + printDirs(s.dirs);
      return s.sel ? head + sp + printSel(s.sel, style, depth) : head;
    }
    case 'spread': return '...' + s.name + printDirs(s.dirs);
    case 'inline': return '...' + (s.on ? ` on ${s.on}` : '') + printDirs(s.dirs) + sp + printSel(s.sel, style, depth);
    case 'raw': return s.text;
    default: throw new Error('bad selection ' + s.kind);
  }
}
function printDef(d, style) {
  const sp = style.nl || style.pad ? ' ' : '';
  if (d.kind === 'raw') return d.text;
  if (d.kind === 'frag') return `fragment ${d.name} on ${d.on}${printDirs(d.dirs)}${sp}${printSel(d.sel, style, 0)}`;
  if (d.short && !d.name && !d.vars.length && !d.dirs.length && d.op === 'query') return printSel(d.sel, style, 0);
  const vars = d.vars.length
    ? '(' + d.vars.map(v => v.raw !== undefined ? v.raw : `$${v.name}: ${v.type}${v.def ? ' = ' + printValue(v.def) : ''}${printDirs(v.dirs || [])}`).join(', ') + ')'
    : '';
  return `${d.op}${d.name ? ' ' + d.name : ''}${vars}${printDirs(d.dirs)}${sp}${printSel(d.sel, style, 0)}`;
}
export function printDoc(doc, style = STYLES.spaced) {
  return doc.defs.map(d => printDef(d, style)).join(style.nl ? '\n\n' : style.defSep);
}
const STYLES = {
  spaced: { sep: ' ', pad: ' ', nl: false, defSep: ' ' },
  compact: { sep: ',', pad: '', nl: false, defSep: '' },
  commas: { sep: ', ', pad: ' ', nl: false, defSep: '\n' },
  pretty: { sep: '', pad: '', nl: true, defSep: '\n\n' },
};
const STYLE_NAMES = Object.keys(STYLES);

// ------------------------------------------------------------------ values for schema types
const SAFE_WHERE_FIELDS = new Set(['objectId', 'id', 'createdAt', 'updatedAt', 'username', 'email', 'emailVerified', 'name', 'sessionToken', 'installationId', 'expiresAt']);
const SAFE_OPS = new Set(['_eq', '_ne', '_lt', '_lte', '_gt', '_gte', '_in', '_nin', '_exists',
  'equalTo', 'notEqualTo', 'lessThan', 'lessThanOrEqualTo', 'greaterThan', 'greaterThanOrEqualTo', 'in', 'notIn', 'exists']);
const SAFE_ORDER = /^(objectId|id|createdAt|updatedAt|username|email|name|expiresAt)_(ASC|DESC)$/;
const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'gqld', 'nobody', 'x', 'hello world', 'é', 'Ω', '日本', 'a"b', 'tab\tbed', 'line\nbreak', ''];

class Gen {
  constructor(schema, rng) {
    this.S = schema;
    this.rng = rng;
    this.aliasN = 0;
    this.fragN = 0;
    this.varN = 0;
  }
  fresh() { this.aliasN = 0; this.fragN = 0; this.varN = 0; }

  // A valid literal for a type reference (used in valid documents).
  literal(tref, hint = '', depth = 0) {
    const r = this.rng;
    if (tref.kind === 'NonNull') return this.literal(tref.of, hint, depth);
    if (tref.kind === 'List') {
      const n = r.range(depth > 1 ? 0 : 1, 2);
      const items = [];
      for (let i = 0; i < n; i++) items.push(this.literal(nonNullIfNeeded(tref.of), hint, depth + 1));
      return { ...V.list(items), _t: tref };
    }
    const name = tref.name;
    const t = this.S.t(name);
    let v;
    if (!t) v = V.str('x');
    else if (t.kind === 'enum') {
      const vals = t.values.filter(x => !x.deprecated).map(x => x.name);
      const safe = vals.filter(x => SAFE_ORDER.test(x));
      v = V.enm(r.pick(safe.length ? safe : vals));
    } else if (t.kind === 'input') v = this.inputObject(name, hint, depth);
    else v = this.scalarLiteral(name, hint);
    v._t = tref;
    return v;
  }
  scalarLiteral(name, hint) {
    const r = this.rng;
    switch (name) {
      case 'Int': return V.int(r.pick([0, 1, 2, 3, 10]));
      case 'Float': return r.chance(0.5) ? V.float(r.pick(['1.5', '0.25', '2.0', '3e1'])) : V.int(r.pick([1, 2]));
      case 'Boolean': return V.bool(r.chance(0.5));
      case 'ID':
        if (hint === 'idRange') return V.str(r.pick(['', '0', UNKNOWN_ID]));
        if (/^(id|objectId|userId)$/.test(hint)) return V.str(r.pick(['<oid#1>', UNKNOWN_ID]));
        return V.str(UNKNOWN_ID);
      case 'Date': return V.str(r.pick(LITERAL_DATES));
      case 'String':
        if (hint === 'idRange') return V.str(r.pick(['', '0', UNKNOWN_ID]));
        // any other word compared with a random objectId: order unknown, so equality only
        if (/^(id|objectId|userId)$/.test(hint)) return V.str(r.pick(['<oid#1>', UNKNOWN_ID, 'alpha']));
        if (/username/i.test(hint)) return V.str(r.pick([USERNAME, 'nobody']));
        if (/email/i.test(hint)) return V.str(r.pick([EMAIL, 'nobody@example.com']));
        if (/className|^name$/.test(hint)) return V.str(r.pick(['_User', '_Role', '_Session']));
        if (/^(keys|include)$/.test(hint)) return V.str(r.pick(['username', 'createdAt', 'user']));
        if (/^(order)$/.test(hint)) return V.str(r.pick(['-createdAt', 'username']));
        // relay cursors: arrayconnection:0, arrayconnection:1, and one that is not a cursor
        if (/^(after|before)$/.test(hint)) return V.str(r.pick(['YXJyYXljb25uZWN0aW9uOjA=', 'YXJyYXljb25uZWN0aW9uOjE=', 'YXJyYXljb25uZWN0aW9uOjA=', 'bm90IGEgY3Vyc29y']));
        return r.chance(0.2) ? { kind: 'block', v: r.pick(['block', 'multi\nline']) } : V.str(r.pick(WORDS.slice(0, 10)));
      case 'Object': case 'Any': return r.chance(0.5) ? V.obj([]) : V.obj([{ name: 'a', value: V.int(1) }]);
      default: return V.str('x');
    }
  }
  // An input object: required fields always, optional ones from allow-lists.
  inputObject(name, hint, depth) {
    const r = this.rng;
    const t = this.S.t(name);
    const fields = [];
    const isWhere = /WhereInput$|Constraints$/.test(name);
    const isConstraint = t.fields.some(f => SAFE_OPS.has(f.name));
    for (const f of t.fields) {
      if (isNonNull(f.type) && f.defaultText === undefined) fields.push({ name: f.name, value: this.literal(f.type, f.name, depth + 1), _d: f });
    }
    if (isConstraint) {
      const ops = t.fields.filter(f => SAFE_OPS.has(f.name));
      for (const f of r.sample(ops, r.range(1, 2))) {
        if (fields.some(x => x.name === f.name)) continue;
        // objectIds are random: an order comparison of two of them (the session's and the
        // user's, or a word) would give a different answer on each run
        const range = /^(_lt|_lte|_gt|_gte|lessThan|lessThanOrEqualTo|greaterThan|greaterThanOrEqualTo)$/.test(f.name);
        const h = range && /^(id|objectId|userId)$/.test(hint) ? 'idRange' : hint;
        fields.push({ name: f.name, value: this.literal(f.type, h, depth + 1), _d: f });
      }
    } else if (isWhere) {
      if (depth < 3) {
        const cand = t.fields.filter(f => SAFE_WHERE_FIELDS.has(f.name) && this.S.kind(named(f.type)) === 'input');
        for (const f of r.sample(cand, r.range(1, 2))) fields.push({ name: f.name, value: this.literal(f.type, f.name, depth + 1), _d: f });
        const combos = t.fields.filter(f => /^(_or|_and|_nor|OR|AND|NOR)$/.test(f.name));
        if (combos.length && depth < 1 && r.chance(0.15)) {
          const f = r.pick(combos);
          fields.push({ name: f.name, value: { ...V.list([this.inputObject(name, hint, depth + 2)]), _t: f.type }, _d: f });
        }
      }
    } else if (depth < 3) {
      const opt = t.fields.filter(f => !isNonNull(f.type) && /^(clientMutationId|readPreference|includeReadPreference|username|password|email)$/.test(f.name));
      for (const f of r.sample(opt, r.range(0, 2))) {
        if (fields.some(x => x.name === f.name)) continue;
        fields.push({ name: f.name, value: this.literal(f.type, f.name, depth + 1), _d: f });
      }
    }
    return V.obj(fields);
  }

  // Arguments for a field: required ones always, optional ones by allow-list.
  args(fieldDef, { optional = 0.5 } = {}) {
    const r = this.rng;
    const out = [];
    for (const a of fieldDef.args || []) {
      const req = isNonNull(a.type) && a.defaultText === undefined;
      const useful = /^(where|order|skip|limit|first|last|options|readPreference|keys|include|includeAll|includeDeprecated)$/.test(a.name);
      const cursor = /^(after|before)$/.test(a.name);
      if (req || (useful && r.chance(optional / 2)) || (cursor && r.chance(optional / 12))) {
        let value;
        if (/^(first|last|limit)$/.test(a.name)) value = { ...V.int(r.pick([0, 1, 2, 5])), _t: a.type };
        else if (a.name === 'skip') value = { ...V.int(r.pick([0, 1])), _t: a.type };
        else if (/^(id|objectId)$/.test(a.name)) value = { ...this.idFor(named(fieldDef.type)), _t: a.type };
        else value = this.literal(a.type, a.name);
        out.push({ name: a.name, value, _t: a.type });
      }
    }
    return out;
  }
  idFor(returnType) {
    const r = this.rng;
    if (/User/.test(returnType)) return V.str(r.pick(['<oid#1>', '<oid#1>', '<relay:_User:oid#1>', UNKNOWN_ID]));
    if (/Node/.test(returnType)) return V.str(r.pick(['<relay:_User:oid#1>', 'X1JvbGU6enp6enp6enp6eg==', 'X1Nlc3Npb246enp6enp6enp6eg==']));
    return V.str(UNKNOWN_ID);
  }

  // A selection set for a composite type.
  selection(typeName, depth, maxDepth, opts = {}) {
    const r = this.rng;
    const S = this.S;
    const t = S.t(typeName);
    const sel = [];
    if (!t) return [F('__typename')];
    if (t.kind === 'union' || t.kind === 'interface') {
      if (t.kind === 'interface') {
        const leaves = t.fields.filter(f => S.isLeaf(named(f.type)) && !(f.args || []).some(a => isNonNull(a.type)));
        for (const f of r.sample(leaves, r.range(0, 2))) sel.push(this.fieldNode(typeName, f, depth, maxDepth));
      }
      if (r.chance(0.6) || !sel.length) sel.push(F('__typename', { _p: typeName }));
      const poss = S.possible(typeName);
      for (const p of r.sample(poss, r.range(0, Math.min(2, poss.length)))) {
        if (depth < maxDepth) sel.push({ kind: 'inline', on: p, dirs: [], sel: this.selection(p, depth + 1, maxDepth) });
      }
      return sel;
    }
    const fields = t.fields.filter(f => !(f.args || []).some(a => isNonNull(a.type) && !/^(id|objectId|name|className|paramName)$/.test(a.name)));
    const leaves = fields.filter(f => S.isLeaf(named(f.type)));
    const comps = fields.filter(f => S.isComposite(named(f.type)));
    const wantLeaves = opts.leaves ?? r.range(1, 4);
    for (const f of r.sample(leaves, wantLeaves)) sel.push(this.fieldNode(typeName, f, depth, maxDepth));
    if (depth < maxDepth) {
      // connections: edges { node { ... } } is what clients select
      const edges = comps.find(f => f.name === 'edges');
      const results = comps.find(f => f.name === 'results');
      const pick = [];
      if (edges && r.chance(0.85)) pick.push(edges);
      if (results && r.chance(0.85)) pick.push(results);
      const others = comps.filter(f => f !== edges && f !== results);
      for (const f of r.sample(others, r.range(0, depth === 0 ? 2 : 1))) pick.push(f);
      for (const f of pick) sel.push(this.fieldNode(typeName, f, depth, maxDepth));
    }
    if (!sel.length || r.chance(0.15)) sel.push(F('__typename', { _p: typeName }));
    return sel;
  }
  fieldNode(parent, f, depth, maxDepth, opts = {}) {
    const node = F(f.name, { _p: parent, _d: f, args: this.args(f, opts) });
    const nt = named(f.type);
    if (this.S.isComposite(nt)) node.sel = this.selection(nt, depth + 1, maxDepth, opts.childOpts || {});
    return node;
  }
}
function nonNullIfNeeded(t) { return t; }

// ------------------------------------------------------------------ document walkers
function walkSel(sel, typeName, fn, ctx = {}) {
  if (!sel) return;
  for (let i = 0; i < sel.length; i++) {
    const s = sel[i];
    fn(s, sel, i, typeName, ctx);
    if (s.kind === 'field' && s.sel) walkSel(s.sel, s._d ? named(s._d.type) : null, fn, ctx);
    else if (s.kind === 'inline') walkSel(s.sel, s.on || typeName, fn, ctx);
  }
}
function rootType(S, op) { return op === 'mutation' ? S.mutation : op === 'subscription' ? S.subscription : S.query; }
function walkDoc(S, doc, fn) {
  for (const d of doc.defs) {
    if (d.kind === 'op') walkSel(d.sel, rootType(S, d.op), fn, { def: d });
    else if (d.kind === 'frag') walkSel(d.sel, d.on, fn, { def: d });
  }
}
function selSets(S, doc) {
  const out = [];
  for (const d of doc.defs) {
    if (d.kind === 'op') out.push({ sel: d.sel, type: rootType(S, d.op), def: d });
    if (d.kind === 'frag') out.push({ sel: d.sel, type: d.on, def: d });
  }
  walkDoc(S, doc, (s, _sel, _i, t) => {
    if (s.kind === 'field' && s.sel) out.push({ sel: s.sel, type: s._d ? named(s._d.type) : null, field: s });
    if (s.kind === 'inline') out.push({ sel: s.sel, type: s.on || t, inline: s });
  });
  return out.filter(x => x.type);
}
function fieldsOf(S, doc, pred = () => true) {
  const out = [];
  walkDoc(S, doc, (s, sel, i, t) => { if (s.kind === 'field' && pred(s)) out.push({ node: s, sel, i, type: t }); });
  return out;
}
// every value slot: {value, tref, set(newValue), owner}
function valueSlots(S, doc) {
  const out = [];
  const visit = (value, tref, set, owner) => {
    out.push({ value, tref, set, owner });
    if (value.kind === 'list') value.items.forEach((it, i) => visit(it, tref && nullable(tref).kind === 'List' ? nullable(tref).of : null, (nv) => { value.items[i] = nv; }, value));
    if (value.kind === 'object') {
      value.fields.forEach((f) => visit(f.value, f._d ? f._d.type : null, (nv) => { f.value = nv; }, value));
    }
  };
  walkDoc(S, doc, (s) => {
    if (s.kind === 'field') for (const a of s.args) if (a.value) visit(a.value, a._t || null, (nv) => { a.value = nv; }, s);
  });
  return out;
}
function opsOf(doc) { return doc.defs.filter(d => d.kind === 'op'); }

// ------------------------------------------------------------------ mulberry-driven doc builders
class DocBuilder {
  constructor(schema, rng, version) {
    this.S = schema;
    this.rng = rng;
    this.g = new Gen(schema, rng);
    this.version = version;
    const Q = schema.query;
    this.qf = (n) => schema.field(Q, n);
    // the viewer: query { viewer } or (3.7) query { users { me } }
    this.viewerPath = this.qf('viewer') ? ['viewer'] : (this.qf('users') && schema.field(named(this.qf('users').type), 'me') ? ['users', 'me'] : null);
    // class queries: relay connections (users/roles/sessions) or find results
    this.classQueries = [];
    for (const n of ['users', 'roles', 'sessions', 'find']) {
      const f = this.qf(n);
      if (f && (f.args || []).length) this.classQueries.push([n]);
    }
    const objects = this.qf('objects');
    if (objects) for (const f of schema.fields(named(objects.type))) if (/^find/.test(f.name)) this.classQueries.push(['objects', f.name]);
    this.getters = [];
    for (const n of ['user', 'role', 'session', 'node', 'get']) if (this.qf(n)) this.getters.push([n]);
    if (objects) for (const f of schema.fields(named(objects.type))) if (/^get/.test(f.name)) this.getters.push(['objects', f.name]);
    this.schemaQueries = ['class', 'classes', 'cloudConfig'].filter(n => this.qf(n)).map(n => [n]);
    // harmless mutations (they fail): wrong-password logIn, duplicate signUp, deletes of an
    // unknown id, password reset / verification mails (no mail adapter), unknown cloud function
    this.harmless = [];
    const M = schema.mutation;
    if (M) {
      const ns = schema.field(M, 'users');
      const usersNs = ns && schema.t(named(ns.type));
      const mf = (n) => schema.field(M, n);
      const add = (p, kind) => this.harmless.push({ path: p, kind });
      if (usersNs && usersNs.kind === 'object') {
        if (schema.field(usersNs.name, 'logIn')) add(['users', 'logIn'], 'logIn');
        if (schema.field(usersNs.name, 'signUp')) add(['users', 'signUp'], 'signUp');
      }
      if (mf('logIn')) add(['logIn'], 'logIn');
      if (mf('signUp')) add(['signUp'], 'signUp');
      for (const n of ['deleteUser', 'deleteRole', 'deleteSession', 'resetPassword', 'sendVerificationEmail', 'callCloudCode']) if (mf(n)) add([n], n);
      const objNs = mf('objects');
      if (objNs) for (const n of ['delete_User', 'delete_Role', 'delete_Session']) if (schema.field(named(objNs.type), n)) add(['objects', n], n);
      const fnNs = mf('functions');
      if (fnNs) for (const f of schema.fields(named(fnNs.type))) add(['functions', f.name], 'callCloudCode');
    }
    this.logOutDoc = this.buildLogOut();
  }

  // A field chain (e.g. ['objects', 'find_User']) as nested field nodes ending in a selection.
  chain(rootTypeName, names, { maxDepth = 3, leafArgs = null, optional = 0.6, sel = null } = {}) {
    const S = this.S;
    let parent = rootTypeName;
    const top = [];
    let cur = top;
    for (let i = 0; i < names.length; i++) {
      const def = S.field(parent, names[i]);
      if (!def) throw new Error(`no field ${parent}.${names[i]}`);
      const last = i === names.length - 1;
      const node = F(names[i], { _p: parent, _d: def, args: last && leafArgs ? leafArgs(def) : this.g.args(def, { optional }) });
      const nt = named(def.type);
      if (S.isComposite(nt)) node.sel = last ? (sel ? sel(nt) : this.g.selection(nt, 0, maxDepth)) : [];
      cur.push(node);
      cur = node.sel;
      parent = nt;
    }
    return top;
  }
  health() { return [F('health', { _p: this.S.query, _d: this.qf('health') })]; }
  viewer(maxDepth = 3) { return this.viewerPath ? this.chain(this.S.query, this.viewerPath, { maxDepth }) : this.health(); }
  classQuery(p = this.rng.pick(this.classQueries), maxDepth = 3) {
    return this.chain(this.S.query, p, {
      maxDepth,
      leafArgs: (def) => {
        const args = this.g.args(def, { optional: 1.2 });
        // generic find(className:) on 3.7-3.9: a known class
        for (const a of args) if (a.name === 'className') a.value = { ...V.str(this.rng.pick(['_User', '_Role', '_Session', 'NoSuchClass'])), _t: a._t };
        return args;
      },
    });
  }
  getter(p = this.rng.pick(this.getters)) {
    return this.chain(this.S.query, p, { maxDepth: 2, optional: 0.3 });
  }
  schemaQuery(p = this.rng.pick(this.schemaQueries)) {
    return this.chain(this.S.query, p, {
      maxDepth: 2,
      leafArgs: (def) => (def.args || []).filter(a => isNonNull(a.type)).map(a => ({ name: a.name, _t: a.type, value: { ...V.str(a.name === 'paramName' ? 'gqldParam' : this.rng.pick(['_User', '_Session', 'NoSuchClass'])), _t: a.type } })),
    });
  }
  // A root selection for a query: weighted towards the auth API.  At most one root field that
  // reaches the database (viewer, class queries, getters, class/cloudConfig): graphql-js
  // resolves query root fields concurrently, so with two that fail, which error comes first in
  // `errors` (and, under a non-null root, which one is reported at all) depends on timing.
  rootFields(n = 1, maxDepth = 3) {
    const r = this.rng;
    const kinds = ['health', 'viewer', 'viewer', 'class', 'class', 'getter', 'typename'];
    if (this.schemaQueries.length) kinds.push('schema');
    const out = [];
    const used = new Set();
    let fallible = false;
    for (let i = 0; i < n; i++) {
      let k = r.pick(kinds);
      if (fallible && k !== 'health' && k !== 'typename') k = r.pick(['health', 'typename']);
      if (k !== 'health' && k !== 'typename') fallible = true;
      let sel;
      if (k === 'health') sel = this.health();
      else if (k === 'viewer') sel = this.viewer(maxDepth);
      else if (k === 'class') sel = this.classQuery(undefined, maxDepth);
      else if (k === 'getter' && this.getters.length) sel = this.getter();
      else if (k === 'schema') sel = this.schemaQuery();
      else sel = [F('__typename', { _p: this.S.query })];
      const key = sel[0].name;
      if (used.has(key)) { for (const s of sel) s.alias = this.alias(); } else used.add(key);
      out.push(...sel);
    }
    return out;
  }
  alias() { return r2alias(this.g.aliasN++); }
  harmlessMutation(h = this.rng.pick(this.harmless)) {
    const S = this.S;
    const r = this.rng;
    const fill = (tref, hint, depth) => {
      const t = nullable(tref);
      if (t.kind === 'List') return { ...V.list([fill(t.of, hint, depth + 1)]), _t: tref };
      const nm = t.name;
      const kind = S.kind(nm);
      if (kind === 'input') {
        const fields = [];
        for (const f of S.t(nm).fields) {
          const req = isNonNull(f.type) && f.defaultText === undefined;
          const known = /^(username|password|email|clientMutationId|fields|userFields|id|objectId|functionName|params)$/.test(f.name);
          if (req || (known && (f.name !== 'clientMutationId' || r.chance(0.6)))) fields.push({ name: f.name, value: fill(f.type, f.name, depth + 1), _d: f });
        }
        return { ...V.obj(fields), _t: tref };
      }
      let v;
      if (hint === 'username') v = V.str(h.kind === 'logIn' ? r.pick([USERNAME, 'nobody']) : USERNAME);
      else if (hint === 'password') v = V.str(r.pick(['wrong-password', 'x']));
      else if (hint === 'email') v = V.str(h.kind === 'signUp' ? EMAIL : 'nobody@example.com');
      else if (hint === 'clientMutationId') v = V.str('cm' + r.int(100));
      else if (hint === 'id' || hint === 'objectId') v = V.str(UNKNOWN_ID);
      else if (hint === 'functionName') v = kind === 'enum' ? V.enm(S.t(nm).values[0].name) : V.str('gqldNoSuchFunction');
      else if (hint === 'className') v = V.str('_User');
      else if (kind === 'enum') v = V.enm(S.t(nm).values[0].name);
      else v = this.g.scalarLiteral(nm, hint);
      return { ...v, _t: tref };
    };
    return this.chain(S.mutation, h.path, {
      maxDepth: 3,
      leafArgs: (def) => {
        const out = [];
        for (const a of def.args || []) {
          const req = isNonNull(a.type) && a.defaultText === undefined;
          if (req || /^(input|fields|username|password|objectId|functionName|params|className)$/.test(a.name)) out.push({ name: a.name, value: fill(a.type, a.name, 0), _t: a.type });
        }
        return out;
      },
      sel: (nt) => this.g.selection(nt, 0, 2),
    });
  }
  buildLogOut() {
    const S = this.S;
    const M = S.mutation;
    if (!M) return null;
    const ns = S.field(M, 'users');
    if (ns && S.field(named(ns.type), 'logOut')) return 'mutation FinalLogOut { users { logOut } }';
    const lo = S.field(M, 'logOut');
    if (!lo) return null;
    if (!(lo.args || []).length) {
      const t = named(lo.type);
      const idf = S.field(t, 'objectId') ? 'objectId' : 'id';
      return `mutation FinalLogOut { logOut { ${idf} } }`;
    }
    return 'mutation FinalLogOut { logOut(input: { clientMutationId: "final" }) { clientMutationId } }';
  }

  // A valid operation document with decorations.
  doc({ op = 'query', sel, name, decorate = {} } = {}) {
    const r = this.rng;
    const d = { kind: 'op', op, name: name === undefined ? (r.chance(0.6) ? this.opName() : null) : name, vars: [], dirs: [], sel, short: op === 'query' && r.chance(0.5) };
    const doc = { defs: [d] };
    const p = { alias: 0.3, fragment: 0.3, inline: 0.25, directive: 0.25, variable: 0.35, typename: 0.2, ...decorate };
    if (r.chance(p.alias)) this.addAliases(doc);
    if (r.chance(p.typename)) this.addTypenames(doc);
    if (r.chance(p.variable)) this.addVariables(doc, d);
    if (r.chance(p.directive)) this.addDirectives(doc, d);
    if (r.chance(p.inline)) this.addInline(doc);
    if (r.chance(p.fragment)) this.addFragments(doc);
    return doc;
  }
  opName() { return this.rng.pick(['Q', 'Viewer', 'GetUsers', 'op1', 'Op_2', 'fetchStuff', 'A', 'query', 'mutation', 'subscription', 'fragment', 'on', 'true', 'null']); }
  addAliases(doc) {
    const fs_ = fieldsOf(this.S, doc);
    for (const f of this.rng.sample(fs_, this.rng.range(1, 3))) if (!f.node.alias) f.node.alias = this.alias();
  }
  addTypenames(doc) {
    for (const s of this.rng.sample(selSets(this.S, doc), 2)) if (!s.sel.some(x => x.kind === 'field' && x.name === '__typename' && !x.alias)) s.sel.push(F('__typename', { _p: s.type }));
  }
  addVariables(doc, op) {
    const r = this.rng;
    const slots = valueSlots(this.S, doc).filter(s => s.tref && s.value.kind !== 'var' && s.owner.kind === 'field');
    for (const s of r.sample(slots, r.range(1, 3))) {
      const name = this.varName();
      const useDefault = r.chance(0.4);
      const tref = s.tref;
      op.vars.push({ name, type: printType(tref), tref, def: useDefault ? s.value : null, dirs: [] });
      // graphql-js 14.5 rejects a missing non-null variable even when it has a default, so
      // valid documents always send those (mut.varNonNullDefault covers the other case)
      if (!useDefault || isNonNull(tref) || r.chance(0.3)) {
        doc.variables ||= {};
        doc.variables[name] = toJson(s.value);
      }
      s.set({ ...V.vr(name), _t: tref });
    }
    // undefined values are fine only where nullable or defaulted
    for (const v of op.vars) if (isNonNull(v.tref) && !v.def && !(doc.variables && v.name in doc.variables)) { doc.variables ||= {}; doc.variables[v.name] = null; }
  }
  varName() { return this.rng.pick(['v', 'input', 'id', 'first', 'where', 'x', 'flag', 'n']) + (this.g.varN++); }
  addDirectives(doc, op) {
    const r = this.rng;
    const fs_ = fieldsOf(this.S, doc);
    for (const f of r.sample(fs_, r.range(1, 2))) {
      const name = r.pick(['include', 'skip']);
      let value;
      if (r.chance(0.5)) value = V.bool(r.chance(0.5));
      else {
        const vn = this.varName();
        const nonNull = r.chance(0.6);
        const hasDefault = !nonNull;
        op.vars.push({ name: vn, type: nonNull ? 'Boolean!' : 'Boolean', tref: null, def: hasDefault ? V.bool(r.chance(0.5)) : null, dirs: [] });
        if (!hasDefault || r.chance(0.5)) { doc.variables ||= {}; doc.variables[vn] = r.chance(0.5); }
        value = V.vr(vn);
      }
      f.node.dirs.push(dir(name, ifArg(value)));
    }
  }
  addInline(doc) {
    const r = this.rng;
    const sets = selSets(this.S, doc).filter(s => s.sel.length);
    for (const s of r.sample(sets, r.range(1, 2))) {
      const k = r.range(1, s.sel.length);
      const moved = s.sel.splice(0, k);
      const on = r.chance(0.6) ? s.type : null;
      s.sel.push({ kind: 'inline', on, dirs: r.chance(0.3) ? [dir(r.pick(['include', 'skip']), ifArg(V.bool(r.chance(0.5))))] : [], sel: moved });
    }
  }
  addFragments(doc) {
    const r = this.rng;
    const sets = selSets(this.S, doc).filter(s => s.sel.length && !s.def);
    for (const s of r.sample(sets, r.range(1, 2))) {
      const k = r.range(1, s.sel.length);
      const start = r.int(s.sel.length - k + 1);
      const moved = s.sel.splice(start, k);
      const name = this.fragName();
      doc.defs.push({ kind: 'frag', name, on: s.type, dirs: [], sel: moved });
      s.sel.splice(start, 0, { kind: 'spread', name, dirs: [] });
    }
  }
  fragName() { return this.rng.pick(['F', 'UserFields', 'Frag', 'parts', 'V']) + (this.g.fragN++); }
}
function r2alias(n) { return ['a', 'b', 'c', 'me', 'u', 'al', 'x_'][n % 7] + n; }
export function toJson(v) {
  switch (v.kind) {
    case 'int': return Number(v.v);
    case 'float': return Number(v.v);
    case 'string': case 'block': return v.v;
    case 'bool': return v.v;
    case 'null': return null;
    case 'enum': return v.v;
    case 'list': return v.items.map(toJson);
    case 'object': { const o = {}; for (const f of v.fields) o[f.name] = toJson(f.value); return o; }
    default: return null;
  }
}

export { Rng, Schema, DocBuilder, Gen, fnv1a, STYLES, STYLE_NAMES, clone, F, V, dir, ifArg, walkDoc, selSets, fieldsOf, valueSlots, opsOf, rootType, printValue, gqlString };
