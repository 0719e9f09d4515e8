#!/usr/bin/env node
// Summarises fixtures/graphql-diff/<v>.jsonl as Markdown for the README: exchanges per family
// and version, answers per status, and every 5xx and transport failure by step.
//
//   node scripts/graphql-diff/summarize.mjs [--dir fixtures/graphql-diff] [--versions "3.7.2 ..."]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = {};
for (let i = 2; i < process.argv.length; i++) { const a = process.argv[i]; if (a.startsWith('--')) args[a.slice(2)] = process.argv[++i]; }
const here = path.dirname(fileURLToPath(import.meta.url));
const dir = args.dir || path.join(here, '..', '..', 'fixtures', 'graphql-diff');
const ALL = '3.7.2 3.8.0 3.9.0 3.10.0 4.2.0 4.4.0 4.5.2 5.6.0 6.5.11 7.5.4 8.6.94 9.10.0';
const versions = (args.versions || ALL).split(/\s+/).filter(v => fs.existsSync(path.join(dir, `${v}.jsonl`)));
const data = {};
for (const v of versions) data[v] = fs.readFileSync(path.join(dir, `${v}.jsonl`), 'utf8').trim().split('\n').map(l => JSON.parse(l));

const fam = (s) => s.split('.')[0];
const op = (s) => s.split('.').slice(0, 2).join('.');
const out = [];
const table = (head, rows) => { out.push('| ' + head.join(' | ') + ' |', '|' + head.map(() => '---').join('|') + '|'); for (const r of rows) out.push('| ' + r.join(' | ') + ' |'); out.push(''); };

// exchanges per family
const fams = [...new Set(versions.flatMap(v => data[v].filter(r => r.request).map(r => fam(r.step))))];
table(['family', ...versions], [
  ...fams.map(f => [f, ...versions.map(v => String(data[v].filter(r => r.request && fam(r.step) === f).length))]),
  ['**total**', ...versions.map(v => `**${data[v].filter(r => r.request).length}**`)],
]);
// statuses
const statuses = [...new Set(versions.flatMap(v => data[v].filter(r => r.response).map(r => String(r.response.status))))].sort();
table(['status', ...versions], statuses.map(s => [s === 'null' ? 'no answer' : s, ...versions.map(v => String(data[v].filter(r => r.response && String(r.response.status) === s).length))]));

// 5xx and transport failures, grouped by operator with the first steps and a sample body
const compress = (steps) => {
  const byOp = new Map();
  for (const s of steps) { const o = op(s); if (!byOp.has(o)) byOp.set(o, []); byOp.get(o).push(s.split('.').slice(2).join('.')); }
  return [...byOp].map(([o, idx]) => `\`${o}\`${idx[0] !== '' ? ` (${idx.length}: ${idx.slice(0, 6).join(', ')}${idx.length > 6 ? ', …' : ''})` : ''}`).join('; ');
};
out.push('### 5xx answers and transport failures', '');
for (const v of versions) {
  const bad = data[v].filter(r => r.response && (r.response.status === null || r.response.status >= 500));
  if (!bad.length) { out.push(`- **${v}**: none`); continue; }
  const groups = new Map();
  for (const r of bad) {
    const b = r.response.status === null ? r.response.error : typeof r.response.body === 'string' ? r.response.body : JSON.stringify(r.response.body);
    const key = `${r.response.status === null ? 'no answer' : r.response.status} ${String(b).replace(/\s+/g, ' ').slice(0, 120)}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r.step);
  }
  out.push(`- **${v}** (${bad.length}):`);
  for (const [k, steps] of groups) out.push(`  - ${k.replace(/\|/g, '\\|')} — ${compress(steps)}`);
}
out.push('');
const harness = versions.flatMap(v => data[v].filter(r => r.harnessError).map(r => `${v} ${r.step}: ${r.harnessError}`));
if (harness.length) out.push('Harness errors:', '', ...harness.map(h => `- ${h}`), '');
process.stdout.write(out.join('\n') + '\n');
