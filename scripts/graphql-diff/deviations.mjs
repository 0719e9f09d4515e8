#!/usr/bin/env node
// Brings fixtures/graphql-diff/deviations.tsv up to date with a build: replays every recorded
// version against `parse-compat replay --parse-version V` with no deviation applied, then
// removes from the list each (step, version) that now matches real Parse (a row's version
// range is split where it must be; its reason is kept). Differences the list does not have
// are printed and make the exit status 1: they are regressions to fix, not to list. So does a
// row whose reason says parse-compat answers that it needs --upstream when it now answers
// the operation itself, unlike real Parse.
//
//   node scripts/graphql-diff/deviations.mjs [--bin target/release/parse-compat] [--versions "3.7.2 ..."]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = {};
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a.startsWith('--')) args[a.slice(2)] = process.argv[++i];
}
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..', '..');
const dir = path.join(root, 'fixtures', 'graphql-diff');
const bin = args.bin || path.join(root, 'target', 'release', 'parse-compat');
const ALL = '3.7.2 3.8.0 3.9.0 3.10.0 4.2.0 4.4.0 4.5.2 5.6.0 6.5.11 7.5.4 8.6.94 9.10.0'.split(' ');
const versions = args.versions ? args.versions.split(/\s+/).filter(Boolean) : ALL;

// The recordings, replayed from a folder without the deviations file.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'graphql-diff-'));
const differing = new Map(); // version -> Set of steps
const declinedBy = new Map(); // version -> Set of steps answered as needing --upstream
for (const v of versions) {
  fs.copyFileSync(path.join(dir, `${v}.jsonl`), path.join(scratch, `${v}.jsonl`));
  // `replay` exits 1 when anything differs; its report is on stdout either way.
  const run = spawnSync(
    bin,
    ['replay', path.join(scratch, `${v}.jsonl`), '--parse-version', v, '--format', 'json'],
    { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (run.status !== 0 && run.status !== 1) throw new Error(`replay of ${v} failed (${run.status})`);
  const differences = JSON.parse(run.stdout.toString()).differences;
  differing.set(v, new Set(differences.map((d) => d.step)));
  // Steps parse-compat declines (its answer names --upstream), to check the reasons below.
  const declined = new Set();
  for (const d of differences) if (JSON.stringify(d.actual ?? '').includes('--upstream')) declined.add(d.step);
  declinedBy.set(v, declined);
  console.error(`[deviations] ${v}: ${differing.get(v).size} step(s) differ`);
}
fs.rmSync(scratch, { recursive: true, force: true });

const file = path.join(dir, 'deviations.tsv');
const lines = fs.readFileSync(file, 'utf8').split('\n');
const listed = new Map(versions.map((v) => [v, new Set()]));
const out = [];
let removed = 0;
for (const line of lines) {
  const cols = line.split('\t');
  if (line.startsWith('#') || cols.length !== 5) {
    out.push(line);
    continue;
  }
  const [step, range, pointer, value, reason] = cols;
  const [from, to] = range === '*' ? [ALL[0], ALL[ALL.length - 1]] : range.split('-');
  const span = ALL.slice(ALL.indexOf(from), ALL.indexOf(to) + 1);
  // Versions not replayed keep the row as it is; replayed ones stay only while they differ.
  const keep = span.map((v) => !differing.has(v) || differing.get(v).has(step));
  for (const v of span) listed.get(v)?.add(step);
  let start = -1;
  for (let i = 0; i <= span.length; i++) {
    if (i < span.length && keep[i]) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0) {
      const sub = start === 0 && i === span.length && range === '*' ? '*' : `${span[start]}-${span[i - 1]}`;
      out.push([step, sub, pointer, value, reason].join('\t'));
      start = -1;
    }
  }
  removed += keep.filter((k) => !k).length;
}
fs.writeFileSync(file, out.join('\n'));
console.error(`[deviations] ${removed} (step, version) pair(s) now match real Parse and left the list`);

// A row whose reason says parse-compat answers that it needs --upstream must be answered so:
// an executor that answers such an operation unlike Parse is a regression, not a deviation.
let misreasoned = 0;
for (const line of out) {
  const cols = line.split('\t');
  if (line.startsWith('#') || cols.length !== 5 || !cols[4].includes('needs --upstream')) continue;
  const [step, range] = cols;
  const [from, to] = range === '*' ? [ALL[0], ALL[ALL.length - 1]] : range.split('-');
  for (const v of ALL.slice(ALL.indexOf(from), ALL.indexOf(to) + 1)) {
    if (differing.get(v)?.has(step) && !declinedBy.get(v).has(step)) {
      misreasoned++;
      console.log(`${v}\t${step}\tis listed as needing --upstream but is answered here, unlike real Parse`);
    }
  }
}

let unlisted = misreasoned;
for (const [v, steps] of differing) {
  for (const step of steps) {
    if (!listed.get(v).has(step)) {
      unlisted++;
      console.log(`${v}\t${step}\tdiffers from real Parse and is not listed`);
    }
  }
}
process.exit(unlisted ? 1 : 0);
