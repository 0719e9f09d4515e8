#!/usr/bin/env node
// Usage: node diff.mjs [--simplify] FROM.graphql TO.graphql
// Prints, as pretty JSON (2-space indent, trailing newline), the array of changes
// that @graphql-inspector/core's diff() reports between the two SDL files, in the
// library's own order, with every enumerable property the library gives
// (type, message, path, criticality {level, reason?}, meta, ...), keys in a fixed order.
// Without --simplify no rules are passed to diff(): the raw diffSchema() output,
// as `diff` returns it with its default `rules = []` (what the CLI prints with
// `--rule verboseChanges`). With --simplify the one rule DiffRule.simplifyChanges
// is applied, which is what the `graphql-inspector diff` CLI (diff-command 7.x)
// does by default: it drops the changes nested under an added type/field/etc.
import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { diff, DiffRule } from '@graphql-inspector/core';

const args = process.argv.slice(2);
const simplify = args[0] === '--simplify';
if (simplify) args.shift();
const [fromPath, toPath] = args;
if (!fromPath || !toPath || args.length !== 2) {
  process.stderr.write('usage: node diff.mjs [--simplify] FROM.graphql TO.graphql\n');
  process.exit(2);
}

// The SDL is used as is, with buildSchema's default options (no assumeValidSDL).
const load = (p) => buildSchema(readFileSync(p, 'utf8'));

const changes = await diff(load(fromPath), load(toPath), simplify ? [DiffRule.simplifyChanges] : []);

// Every change must carry the properties the oracle relies on.
for (const c of changes) {
  for (const k of ['type', 'message', 'path']) {
    if (typeof c[k] !== 'string') throw new Error(`change without string ${k}: ${JSON.stringify(c)}`);
  }
  if (typeof c.criticality?.level !== 'string') throw new Error(`change without criticality.level: ${JSON.stringify(c)}`);
}

// The library builds its change objects with varying key order; print them in a
// fixed one (type, message, path, criticality {level, reason}, meta, then any
// other property the library gives, in its order). Values are untouched; a
// `reason` the library does not give stays absent.
const ordered = changes.map((c) => {
  const { level, reason, ...critRest } = c.criticality;
  const criticality = { level, ...(reason !== undefined ? { reason } : {}), ...critRest };
  const { type, message, path, criticality: _c, meta, ...rest } = c;
  return { type, message, path, criticality, ...(meta !== undefined ? { meta } : {}), ...rest };
});
process.stdout.write(JSON.stringify(ordered, null, 2) + '\n');
