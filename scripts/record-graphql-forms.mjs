#!/usr/bin/env node
// Sends the GraphQL requests that only a browser or an upload client sends (multipart forms of
// the graphql-multipart-request spec, right and wrong, and GETs that prefer HTML) to a server,
// one after the other, each on its own connection. Put `parse-compat record` in front of a real
// parse-server and point this at the recorder: the recording is the fixture.
//
//   scripts/record-graphql-forms.sh records all four readers (see there).
//   node scripts/record-graphql-forms.mjs --url http://127.0.0.1:9100
//
// Only node: built-ins. The first exchange signs a user up (REST), so the replay binds its
// session token to <token#1>.
import http from 'node:http';

const args = {};
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i].startsWith('--')) args[process.argv[i].slice(2)] = process.argv[++i];
}
const base = new URL(args.url || 'http://127.0.0.1:9100');
const APP = { 'X-Parse-Application-Id': 'compatApp', 'X-Parse-Client-Key': 'compatClient' };

function send(method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (body !== null && body !== undefined) h['Content-Length'] = Buffer.byteLength(body);
    const req = http.request(
      { host: base.hostname, port: base.port, method, path, headers: h, agent: false, timeout: 10000 },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    if (body !== null && body !== undefined) req.write(body);
    req.end();
  });
}

const B = '----formboundary';
const CT = `multipart/form-data; boundary=${B}`;
// A form from [name, value] or [name, value, filename] parts; `tail` replaces the closing line.
function form(parts, tail = `--${B}--\r\n`) {
  let out = '';
  for (const [name, value, filename] of parts) {
    out += `--${B}\r\nContent-Disposition: form-data; name="${name}"`;
    if (filename) out += `; filename="${filename}"\r\nContent-Type: text/plain`;
    out += `\r\n\r\n${value}\r\n`;
  }
  return out + tail;
}

const health = JSON.stringify({ query: '{ health }' });
const viewerQuery = (v) => (v.startsWith('3.') ? '{ users { me { username } } }' : '{ viewer { user { username } } }');

async function main() {
  const signUp = await send('POST', '/parse/users', { ...APP, 'Content-Type': 'application/json' },
    JSON.stringify({ username: 'formuser', password: 'formpass' }));
  const token = JSON.parse(signUp.text).sessionToken;
  const version = args.version || '9.10.0';
  const S = { ...APP, 'X-Parse-Session-Token': token };
  const post = (body, contentType = CT, headers = S) =>
    send('POST', '/graphql', { ...headers, 'Content-Type': contentType }, body);
  const requests = [
    // A whole form: the file goes where the map says, the operation runs.
    () => post(form([['operations', JSON.stringify({ query: '{ health }', variables: { file: null } })], ['map', '{"0":["variables.file"]}'], ['0', 'hello', 'a.txt']])),
    // The session token and the operation's own fields through a form.
    () => post(form([['operations', JSON.stringify({ query: viewerQuery(version) })], ['map', '{}']])),
    () => post(form([['operations', JSON.stringify({ query: 'query A { health } query B { __typename }', operationName: 'B' })], ['map', '{}']])),
    // Misordered parts.
    () => post(form([['map', '{}'], ['operations', health]])),
    () => post(form([['operations', health], ['0', 'hello', 'a.txt'], ['map', '{"0":["variables.file"]}']])),
    // The map, refused at each check.
    () => post(form([['operations', health], ['map', 'not json']])),
    () => post(form([['operations', health], ['map', '[]']])),
    () => post(form([['operations', health], ['map', '{"0":"variables.file"}']])),
    () => post(form([['operations', health], ['map', '{"0":[1]}']])),
    () => post(form([['operations', JSON.stringify({ query: '{ health }', variables: { a: 's' } })], ['map', '{"0":["variables.a.b"]}'], ['0', 'x', 'a.txt']])),
    () => post(form([['operations', health], ['map', '{"0":["variables.file"]}']])),
    // Operations of every JSON type, and empty.
    () => post(form([['operations', '5'], ['map', '{}']])),
    () => post(form([['operations', 'null'], ['map', '{}']])),
    () => post(form([['operations', ''], ['map', '{}']])),
    () => post(form([['operations', `[${health}]`], ['map', '{}']])),
    // Only two fields are read.
    () => post(form([['a', '1'], ['b', '2'], ['operations', health], ['map', '{}']])),
    // A body cut inside the map, after whole operations; a malformed part header.
    () => post(form([['operations', health]], `--${B}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{`)),
    () => post(`--${B}\r\nContent-Disposition form-data\r\nno colon here\r\n\r\nx\r\n--${B}--\r\n`),
    // The content type, in capitals and without a boundary value.
    () => post(form([['operations', health], ['map', '{}']]), `Multipart/Form-Data; boundary=${B}`),
    // GETs that prefer HTML as browsers send it, and one that prefers JSON.
    () => send('GET', '/graphql?query=%7B%20health%20%7D', { ...S, Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }, null),
    () => send('GET', '/graphql?query=%7B%20health%20%7D', { ...S, Accept: 'application/json, text/html' }, null),
    () => send('GET', '/graphql', { ...S, Accept: 'text/html' }, null),
  ];
  // Real Parse 3.7.2 (graphql-upload 8) on Node 20 answered every request after the first
  // form that carried a file with a 500, so Parse 3.x gets no file here.
  const withFile = new Set([0, 4, 9]);
  for (const [i, r] of requests.entries()) {
    if (version.startsWith('3.') && withFile.has(i)) continue;
    const res = await r();
    console.error(`${res.status} ${res.text.slice(0, 100).replace(/\s+/g, ' ')}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
