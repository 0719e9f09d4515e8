#!/usr/bin/env node
// A from-scratch model of the rules fixtures/schema-diff/README.md documents: it
// reads only the parsed SDL (graphql's `parse`, no buildSchema, no inspector) and
// produces each change's type, message, path and criticality {level, reason} in
// the order graphql-inspector emits them. It then compares that with every
// recorded fixtures/schema-diff/<from>__<to>.json, and (after the model of
// DiffRule.simplifyChanges) every fixtures/schema-diff/simplified/<from>__<to>.json.
// meta is not modelled.
//
// Usage: node model.mjs            -> checks all recorded fixtures, exit 1 on a mismatch
//        node model.mjs [--simplify] FROM TO -> prints the model's changes for two SDL files
//
// It is the reference the Rust `parse-compat diff` can be read against. Changes
// that never occur between the recorded Parse versions (directives, deprecations,
// default-value changes, argument type changes, schema root changes) are not
// modelled: the model throws if it meets one.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { parse, Kind } from 'graphql';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

const PRIMITIVES = ['String', 'Int', 'Float', 'Boolean', 'ID'];
const fmt = (s) => s.replace(/'/g, "\\'");
const B = 'BREAKING', N = 'NON_BREAKING', D = 'DANGEROUS';

function unsupported(what) {
  throw new Error(`not modelled (never seen between recorded versions): ${what}`);
}

// ---- type references -------------------------------------------------------
function typeStr(t) {
  if (t.kind === Kind.NON_NULL_TYPE) return typeStr(t.type) + '!';
  if (t.kind === Kind.LIST_TYPE) return '[' + typeStr(t.type) + ']';
  return t.name.value;
}
const isWrap = (t) => t.kind !== Kind.NAMED_TYPE;
const isNN = (t) => t.kind === Kind.NON_NULL_TYPE;
const isList = (t) => t.kind === Kind.LIST_TYPE;
// utils/graphql.js safeChangeForField
function safeForField(o, n) {
  if (!isWrap(o) && !isWrap(n)) return typeStr(o) === typeStr(n);
  if (isNN(n)) return safeForField(isNN(o) ? o.type : o, n.type);
  if (isList(o)) return (isList(n) && safeForField(o.type, n.type)) || (isNN(n) && safeForField(o, n.type));
  return false;
}
// utils/graphql.js safeChangeForInputValue
function safeForInput(o, n) {
  if (!isWrap(o) && !isWrap(n)) return typeStr(o) === typeStr(n);
  if (isList(o) && isList(n)) return safeForInput(o.type, n.type);
  if (isNN(o)) return safeForInput(o.type, isNN(n) ? n.type : n);
  return false;
}

// ---- helpers ---------------------------------------------------------------
const desc = (node) => node?.description?.value; // undefined when none
// compare.js isEqual for scalars: a === b || (!a && !b)
const descDiffers = (a, b) => !(a === b || (!a && !b));
const isVoid = (x) => x === undefined || x === null;

// compare.js compareLists: removed (old order), then added (new order), then mutual (old order)
function compareLists(oldList, newList, { onRemoved, onAdded, onMutual }) {
  const name = (x) => x.name.value;
  const newMap = new Map(newList.map((x) => [name(x), x]));
  const oldMap = new Map(oldList.map((x) => [name(x), x]));
  const removed = [], mutual = [], added = [];
  for (const o of oldList) (newMap.has(name(o)) ? mutual.push([o, newMap.get(name(o))]) : removed.push(o));
  for (const n of newList) if (!oldMap.has(name(n))) added.push(n);
  if (onRemoved) removed.forEach(onRemoved);
  if (onAdded) added.forEach(onAdded);
  if (onMutual) mutual.forEach(([o, n]) => onMutual(o, n));
}

function noDirectives(node, where) {
  if (node?.directives?.length) unsupported(`directive usage on ${where}`);
}

// A default value as the library prints it: safeString(valueFromAST(...)).
function defaultStr(v) {
  switch (v.kind) {
    case Kind.BOOLEAN: return String(v.value); // AST holds a boolean; the string "false" is truthy in the message test
    case Kind.INT: case Kind.FLOAT: return String(Number(v.value));
    case Kind.STRING: case Kind.ENUM: return JSON.stringify(v.value);
    default: unsupported(`default value of kind ${v.kind}`);
  }
}

const kindPrefix = {
  [Kind.OBJECT_TYPE_DEFINITION]: 'object type',
  [Kind.INTERFACE_TYPE_DEFINITION]: 'interface',
};

// ---- the diff --------------------------------------------------------------
function modelDiff(oldDoc, newDoc) {
  const out = [];
  const add = (type, message, path, level, reason) =>
    out.push({ type, message, path, criticality: reason === undefined ? { level } : { level, reason } });

  for (const doc of [oldDoc, newDoc]) {
    for (const d of doc.definitions) {
      if (d.kind === Kind.DIRECTIVE_DEFINITION) unsupported('directive definition');
      if (d.kind === Kind.SCHEMA_DEFINITION || d.kind.endsWith('Extension')) unsupported(d.kind);
    }
  }
  const types = (doc) => doc.definitions.filter((d) => !PRIMITIVES.includes(d.name.value));
  const oldTypes = types(oldDoc), newTypes = types(newDoc);
  // Schema roots: no schema definition, so Query/Mutation/Subscription by name.
  for (const r of ['Query', 'Mutation', 'Subscription']) {
    const has = (l) => l.some((t) => t.name.value === r);
    if (has(oldTypes) !== has(newTypes)) unsupported(`schema ${r} root change`);
  }

  compareLists(oldTypes, newTypes, {
    onRemoved: (t) => add('TYPE_REMOVED', `Type '${t.name.value}' was removed`, t.name.value, B),
    onAdded: (t) => {
      add('TYPE_ADDED', `Type '${t.name.value}' was added`, t.name.value, N);
      changesInType(null, t);
    },
    onMutual: (o, n) => changesInType(o, n),
  });
  return out;

  function changesInType(o, n) {
    const tn = n.name.value;
    noDirectives(o, tn); noDirectives(n, tn);
    if (o === null || o.kind === n.kind) {
      switch (n.kind) {
        case Kind.ENUM_TYPE_DEFINITION: changesInEnum(o, n); break;
        case Kind.UNION_TYPE_DEFINITION: changesInUnion(o, n); break;
        case Kind.INPUT_OBJECT_TYPE_DEFINITION: changesInInput(o, n); break;
        case Kind.OBJECT_TYPE_DEFINITION: case Kind.INTERFACE_TYPE_DEFINITION: changesInObject(o, n); break;
        case Kind.SCALAR_TYPE_DEFINITION: break; // only directive usages
        default: unsupported(n.kind);
      }
    } else {
      add('TYPE_KIND_CHANGED', `'${tn}' kind changed from '${o.kind}' to '${n.kind}'`, tn, B,
        'Changing the kind of a type is a breaking change because it can cause existing queries to error. For example, turning an object type to a scalar type would break queries that define a selection set for this type.');
    }
    const od = desc(o), nd = desc(n);
    if (descDiffers(od, nd)) {
      if (isVoid(od)) add('TYPE_DESCRIPTION_ADDED', `Object type '${tn}' has description '${fmt(nd)}'`, tn, N);
      else if (od && isVoid(nd)) add('TYPE_DESCRIPTION_REMOVED', `Description '${fmt(od)}' was removed from object type '${tn}'`, tn, N);
      else add('TYPE_DESCRIPTION_CHANGED', `Description '${fmt(od ?? '')}' on type '${tn}' has changed to '${fmt(nd ?? '')}'`, tn, N);
    }
  }

  function changesInObject(o, n) {
    const tn = n.name.value;
    const typeType = kindPrefix[n.kind];
    compareLists(o?.interfaces ?? [], n.interfaces ?? [], {
      onAdded: (i) => add('OBJECT_TYPE_INTERFACE_ADDED', `'${tn}' object implements '${i.name.value}' interface`, tn,
        o === null ? N : D,
        'Adding an interface to an object type may break existing clients that are consuming a field returning the interface type that are not programming defensively against this new possible type.'),
      onRemoved: (i) => add('OBJECT_TYPE_INTERFACE_REMOVED', `'${tn}' object type no longer implements '${i.name.value}' interface`, tn, B,
        'Removing an interface from an object type can cause existing queries that use this in a fragment spread to error.'),
    });
    compareLists(o?.fields ?? [], n.fields ?? [], {
      onRemoved: (f) => {
        // the library names the kind after the OLD type here
        if (f.directives?.some((d) => d.name.value === 'deprecated')) unsupported('removed deprecated field');
        add('FIELD_REMOVED', `Field '${f.name.value}' was removed from ${kindPrefix[o.kind]} '${tn}'`, `${tn}.${f.name.value}`, B,
          'Removing a field is a breaking change. It is preferable to deprecate the field before removing it. This applies to removed union fields as well, since removal breaks client operations that contain fragments that reference the removed type through direct (... on RemovedType) or indirect means such as __typename in the consumers.');
      },
      onAdded: (f) => {
        add('FIELD_ADDED', `Field '${f.name.value}' was added to ${typeType} '${tn}'`, `${tn}.${f.name.value}`, N);
        changesInField(tn, null, f);
      },
      onMutual: (of, nf) => changesInField(tn, of, nf),
    });
  }

  function changesInField(tn, o, n) {
    const fn = n.name.value, path = `${tn}.${fn}`;
    noDirectives(o, path); noDirectives(n, path); // covers @deprecated too
    const od = desc(o), nd = desc(n);
    if (descDiffers(od, nd)) {
      if (isVoid(od)) add('FIELD_DESCRIPTION_ADDED', `Field '${path}' has description '${fmt(nd)}'`, path, N);
      else if (isVoid(nd)) add('FIELD_DESCRIPTION_REMOVED', `Description was removed from field '${path}'`, path, N);
      else add('FIELD_DESCRIPTION_CHANGED', `Field '${path}' description changed from '${fmt(od)}' to '${fmt(nd)}'`, path, N);
    }
    if (o !== null && typeStr(o.type) !== typeStr(n.type)) {
      add('FIELD_TYPE_CHANGED', `Field '${path}' changed type from '${typeStr(o.type)}' to '${typeStr(n.type)}'`, path,
        safeForField(o.type, n.type) ? N : B);
    }
    compareLists(o?.arguments ?? [], n.arguments ?? [], {
      onAdded: (a) => {
        const hasDefault = a.defaultValue !== undefined;
        const breaking = isNN(a.type) && !hasDefault;
        add('FIELD_ARGUMENT_ADDED',
          `Argument '${a.name.value}: ${typeStr(a.type)}'${hasDefault ? ' (with default value) ' : ' '}added to field '${path}'`,
          `${path}.${a.name.value}`, o === null ? N : breaking ? B : D);
      },
      onRemoved: (a) => add('FIELD_ARGUMENT_REMOVED', `Argument '${a.name.value}: ${typeStr(a.type)}' was removed from field '${path}'`,
        `${path}.${a.name.value}`, B),
      onMutual: (oa, na) => {
        const an = na.name.value, ap = `${path}.${an}`;
        noDirectives(oa, ap); noDirectives(na, ap);
        const oad = desc(oa) ?? null, nad = desc(na) ?? null;
        if (descDiffers(oad, nad)) {
          let msg;
          if (oad === null && nad !== null) msg = `Description '${fmt(nad)}' was added to argument '${an}' on field '${path}'`;
          else if (nad === null && oad !== null) msg = `Description '${fmt(oad)}' was removed from argument '${an}' on field '${path}'`;
          else msg = `Description for argument '${an}' on field '${path}' changed from '${fmt(oad ?? '')}' to '${fmt(nad ?? '')}'`;
          add('FIELD_ARGUMENT_DESCRIPTION_CHANGED', msg, ap, N);
        }
        const dv = (x) => (x.defaultValue === undefined ? undefined : defaultStr(x.defaultValue));
        if (dv(oa) !== dv(na)) unsupported('argument default change');
        if (typeStr(oa.type) !== typeStr(na.type)) unsupported('argument type change');
      },
    });
  }

  function changesInInput(o, n) {
    const tn = n.name.value;
    compareLists(o?.fields ?? [], n.fields ?? [], {
      onRemoved: (f) => add('INPUT_FIELD_REMOVED', `Input field '${f.name.value}' was removed from input object type '${tn}'`,
        `${tn}.${f.name.value}`, B, 'Removing an input field will cause existing queries that use this input field to error.'),
      onAdded: (f) => {
        const fn = f.name.value;
        const nullable = !isNN(f.type);
        const def = f.defaultValue === undefined ? undefined : defaultStr(f.defaultValue);
        let level, reason;
        if (o === null) [level, reason] = [N, 'The field is being added to a new type.'];
        else if (nullable && def === undefined) [level, reason] = [N, 'The field is nullable and no default is set.'];
        else if (def === undefined) [level, reason] = [B, 'Adding a required input field to an existing input object type is a breaking change because it will cause existing uses of this input object type to error.'];
        else [level, reason] = [D, 'Adding a field with a default value can change runtime behavior for clients that previously omitted it, and during rolling deploys consumers may receive the new default before producers are ready to handle it.'];
        add('INPUT_FIELD_ADDED',
          `Input field '${fn}' of type '${typeStr(f.type)}'${def ? ` with default value '${def}'` : ''} was added to input object type '${tn}'`,
          `${tn}.${fn}`, level, reason);
        changesInInputField(tn, null, f);
      },
      onMutual: (of, nf) => changesInInputField(tn, of, nf),
    });
  }

  function changesInInputField(tn, o, n) {
    const path = `${tn}.${n.name.value}`;
    noDirectives(o, path); noDirectives(n, path);
    const od = desc(o), nd = desc(n);
    if (descDiffers(od, nd)) {
      if (isVoid(od)) add('INPUT_FIELD_DESCRIPTION_ADDED', `Input field '${path}' has description '${fmt(nd)}'`, path, N);
      else if (isVoid(nd)) add('INPUT_FIELD_DESCRIPTION_REMOVED', `Description '${fmt(od)}' was removed from input field '${path}'`, path, N);
      else add('INPUT_FIELD_DESCRIPTION_CHANGED', `Input field '${path}' description changed from '${fmt(od)}' to '${fmt(nd)}'`, path, N);
    }
    if (o !== null) {
      const dv = (x) => (x.defaultValue === undefined ? undefined : defaultStr(x.defaultValue));
      if (dv(o) !== dv(n)) unsupported('input field default change');
      if (typeStr(o.type) !== typeStr(n.type)) {
        const safe = safeForInput(o.type, n.type);
        add('INPUT_FIELD_TYPE_CHANGED', `Input field '${path}' changed type from '${typeStr(o.type)}' to '${typeStr(n.type)}'`, path,
          safe ? N : B,
          safe ? 'Changing an input field from non-null to null is considered non-breaking.'
            : 'Changing the type of an input field can cause existing queries that use this field to error.');
      }
    }
  }

  function changesInEnum(o, n) {
    const tn = n.name.value;
    compareLists(o?.values ?? [], n.values ?? [], {
      onAdded: (v) => {
        add('ENUM_VALUE_ADDED', `Enum value '${v.name.value}' was added to enum '${tn}'`, `${tn}.${v.name.value}`,
          o === null ? N : D,
          o === null ? undefined : 'Adding an enum value may break existing clients that were not programming defensively against an added case when querying an enum.');
        changesInEnumValue(tn, null, v);
      },
      onRemoved: (v) => {
        if (v.directives?.length) unsupported('removed deprecated enum value');
        add('ENUM_VALUE_REMOVED', `Enum value '${v.name.value}' was removed from enum '${tn}'`, `${tn}.${v.name.value}`, B,
          'Removing an enum value will cause existing queries that use this enum value to error.');
      },
      onMutual: (ov, nv) => changesInEnumValue(tn, ov, nv),
    });
  }

  function changesInEnumValue(tn, o, n) {
    const path = `${tn}.${n.name.value}`;
    noDirectives(o, path); noDirectives(n, path);
    if (descDiffers(desc(o), desc(n))) unsupported('enum value description change');
  }

  function changesInUnion(o, n) {
    const tn = n.name.value;
    compareLists(o?.types ?? [], n.types ?? [], {
      onAdded: (m) => add('UNION_MEMBER_ADDED', `Member '${m.name.value}' was added to Union type '${tn}'`, tn,
        o === null ? N : D,
        'Adding a possible type to Unions may break existing clients that were not programming defensively against a new possible type.'),
      onRemoved: (m) => add('UNION_MEMBER_REMOVED', `Member '${m.name.value}' was removed from Union type '${tn}'`, tn, B,
        'Removing a union member from a union can cause existing queries that use this union member in a fragment spread to error.'),
    });
  }
}

// ---- DiffRule.simplifyChanges (rules/simplify-changes.js), the CLI's default -----
// A change is dropped when an EARLIER kept-or-dropped change of a "simple" type
// (an addition, or a deprecation change) has its own path or its parent path.
const SIMPLE = new Set([
  'DIRECTIVE_ADDED', 'DIRECTIVE_ARGUMENT_ADDED', 'DIRECTIVE_LOCATION_ADDED',
  'DIRECTIVE_USAGE_ARGUMENT_ADDED', 'DIRECTIVE_USAGE_ARGUMENT_DEFINITION_ADDED', 'DIRECTIVE_USAGE_ENUM_ADDED',
  'DIRECTIVE_USAGE_ENUM_VALUE_ADDED', 'DIRECTIVE_USAGE_FIELD_ADDED', 'DIRECTIVE_USAGE_FIELD_DEFINITION_ADDED',
  'DIRECTIVE_USAGE_INPUT_FIELD_DEFINITION_ADDED', 'DIRECTIVE_USAGE_INPUT_OBJECT_ADDED', 'DIRECTIVE_USAGE_INTERFACE_ADDED',
  'DIRECTIVE_USAGE_OBJECT_ADDED', 'DIRECTIVE_USAGE_SCALAR_ADDED', 'DIRECTIVE_USAGE_SCHEMA_ADDED',
  'DIRECTIVE_USAGE_UNION_MEMBER_ADDED', 'ENUM_VALUE_ADDED', 'ENUM_VALUE_DEPRECATION_REASON_ADDED', 'FIELD_ADDED',
  'FIELD_ARGUMENT_ADDED', 'FIELD_DEPRECATION_ADDED', 'FIELD_DEPRECATION_REMOVED', 'FIELD_DEPRECATION_REASON_CHANGED',
  'ENUM_VALUE_DEPRECATION_REASON_CHANGED', 'FIELD_DEPRECATION_REASON_ADDED', 'FIELD_DESCRIPTION_ADDED',
  'INPUT_FIELD_ADDED', 'INPUT_FIELD_DESCRIPTION_ADDED', 'OBJECT_TYPE_INTERFACE_ADDED', 'TYPE_ADDED',
  'TYPE_DESCRIPTION_ADDED', 'UNION_MEMBER_ADDED',
]);
function simplify(changes) {
  const seen = new Set();
  return changes.filter(({ path, type }) => {
    const i = path.lastIndexOf('.');
    const parent = i === -1 ? path : path.slice(0, i);
    const hidden = seen.has(parent) || seen.has(path);
    if (SIMPLE.has(type)) seen.add(path);
    return !hidden;
  });
}

// ---- main ------------------------------------------------------------------
const load = (p) => parse(readFileSync(p, 'utf8'));
const schemaFile = (v) => join(root, 'fixtures', 'schema', `${v}.graphql`);
const args = process.argv.slice(2);
const wantSimplify = args[0] === '--simplify';
if (wantSimplify) args.shift();
if (args.length === 2) {
  const out = modelDiff(load(args[0]), load(args[1]));
  process.stdout.write(JSON.stringify(wantSimplify ? simplify(out) : out, null, 2) + '\n');
} else {
  let bad = 0, files = 0, changes = 0;
  const sets = [['', (x) => x], ['simplified', simplify]];
  for (const [sub, post] of sets) {
    const dir = join(root, 'fixtures', 'schema-diff', sub);
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
      const [from, to] = f.slice(0, -5).split('__');
      const recorded = JSON.parse(readFileSync(join(dir, f), 'utf8'))
        .map(({ type, message, path, criticality }) => ({ type, message, path, criticality }));
      const model = post(modelDiff(load(schemaFile(from)), load(schemaFile(to))));
      files++; changes += recorded.length;
      if (!isDeepStrictEqual(model, recorded)) {
        bad++;
        const i = model.findIndex((c, k) => !isDeepStrictEqual(c, recorded[k]));
        console.log(`MISMATCH ${join(sub, f)} (model ${model.length}, recorded ${recorded.length}) first at #${i}:`);
        console.log('  model:   ', JSON.stringify(model[i]));
        console.log('  recorded:', JSON.stringify(recorded[i]));
      }
    }
  }
  console.log(`${files - bad} passed, ${bad} failed (${changes} changes in ${files} files)`);
  process.exit(bad ? 1 : 0);
}
