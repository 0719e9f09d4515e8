// Check 8 (nesting): 100,000 unclosed `[` (and `{"a":`) once aborted the whole process. On
// 3.9.0 and 9.10.0: POST /parse/users with and without an application id answers
// 400 {"error":"Unexpected end of JSON input"}; POST /graphql answers what real Parse answered
// (fixtures/hostile 10.graphql.openBrackets100k / openObjects100k) with the client key, and
// some 4xx without an app id; the process stays alive throughout.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, TMP, REST, GQL, startServer, request, main, info, check, tail } from '../lib.mjs';

function fixtureAnswer(version, step) {
  const line = fs.readFileSync(path.join(ROOT, 'fixtures', 'hostile', `${version}.jsonl`), 'utf8').split('\n')
    .filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.step === step);
  const r = line.response;
  return { status: r.status, contentType: r.headers['content-type'], body: typeof r.body === 'string' ? r.body : JSON.stringify(r.body) };
}

await main(async () => {
  for (const version of ['3.9.0', '9.10.0']) {
    const s = await startServer({ version, db: path.join(TMP, `nesting-${version}.db`) });
    const seen = [];
    for (const [label, unit] of [['[', '['], ['{"a":', '{"a":']]) {
      const body = unit.repeat(100000);
      for (const [who, headers] of [['app id', REST], ['no app id', {}]]) {
        const r = await request(s.url, { method: 'POST', path: '/parse/users', headers: { ...headers, 'Content-Type': 'application/json' }, body }).catch((e) => ({ status: e.message, text: '' }));
        check(r.status === 400 && r.text === '{"error":"Unexpected end of JSON input"}', `${version} /parse/users ${label}×100000 (${who}): ${r.status} ${String(r.text).slice(0, 120)}`);
        seen.push(`users ${label} ${who}: ${r.status}`);
      }
      const step = label === '[' ? '10.graphql.openBrackets100k' : '10.graphql.openObjects100k';
      const want = fixtureAnswer(version, step);
      const g = await request(s.url, { method: 'POST', path: '/graphql', headers: GQL, body }).catch((e) => ({ status: e.message, text: '', headers: {} }));
      const gotBody = (() => { try { return JSON.stringify(JSON.parse(g.text)); } catch { return g.text; } })();
      check(g.status === want.status && g.headers['content-type'] === want.contentType && gotBody === want.body,
        `${version} /graphql ${label}×100000 (client key): ${g.status} ${g.headers?.['content-type']} ${String(g.text).slice(0, 100)}; real Parse: ${want.status} ${want.contentType} ${want.body.slice(0, 100)}`);
      const n = await request(s.url, { method: 'POST', path: '/graphql', headers: { 'Content-Type': 'application/json' }, body }).catch((e) => ({ status: e.message, text: '' }));
      check(typeof n.status === 'number' && n.status >= 400 && n.status < 500, `${version} /graphql ${label}×100000 (no app id): ${n.status} ${String(n.text).slice(0, 100)}`);
      seen.push(`graphql ${label} client key: ${g.status}`, `graphql ${label} no app id: ${n.status} ${String(n.text).slice(0, 40)}`);
      check(!s.exited, `${version}: server died after ${label}×100000 (code ${s.exitCode}, signal ${s.signal}): ${tail(s.log, 5)}`);
    }
    const h = await request(s.url, { path: '/parse/health', headers: REST }).catch((e) => ({ status: e.message }));
    check(h.status === 200 && !s.exited, `${version}: /parse/health afterwards: ${h.status}`);
    info(`${version}: ${seen.join('; ')}; still alive`);
    await s.stop();
  }
});
