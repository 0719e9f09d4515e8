#!/usr/bin/env python3
"""Check assets/apps/ against the recordings in fixtures/user-email/*.jsonl.

  python3 assets/apps/check.py            # check; exit 1 on any mismatch
  python3 assets/apps/check.py --table    # also print, per 9.10.0 step, the page and its headers

What is checked (see README.md beside this file for the rules themselves):
- 3.7.2 - 8.6.94: every 200 HTML answer to GET /parse/apps/<name>.html equals legacy/<name>
  (8.6.94: legacy/8/<name> where that exists), byte for byte, with the content-type of the version.
- 3.7.2 - 8.6.94: every 200 answer to GET /parse/apps/choose_password equals
  legacy/choose_password.html with {{PARSE_SERVER_URL}} replaced by  '<publicServerURL>'
  (single quotes added, nothing escaped; JavaScript String.prototype.replace semantics).
- 9.10.0: every 200 text/html answer equals exactly one pages/*.html template rendered with the
  x-parse-page-param-* headers of that answer (missing parameter = empty string), values escaped
  the mustache.js way.
Python 3 standard library only.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
FIXTURES = os.path.join(ROOT, 'fixtures', 'user-email')
LEGACY_VERSIONS = ['3.7.2', '4.4.0', '5.6.0', '6.5.11', '7.5.4', '8.6.94']
PAGES_VERSION = '9.10.0'
LEGACY_PAGES = ['verify_email_success.html', 'invalid_link.html', 'invalid_verification_link.html',
                'link_send_success.html', 'link_send_fail.html', 'password_reset_success.html']
PAGES = ['email_verification_success.html', 'email_verification_send_success.html',
         'email_verification_send_fail.html', 'email_verification_link_invalid.html',
         'email_verification_link_expired.html', 'password_reset.html',
         'password_reset_success.html', 'password_reset_link_invalid.html']
# x-parse-page-param-<lowercased name>  ->  template variable name
PARAM_NAMES = ['appId', 'appName', 'publicServerUrl', 'token', 'error', 'username', 'locale']
HEADER_PREFIX = 'x-parse-page-param-'
MARKER = '{{PARSE_SERVER_URL}}'

# mustache.js 4.x escapeHtml
ESCAPES = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
           '/': '&#x2F;', '`': '&#x60;', '=': '&#x3D;'}
ESCAPE_RE = re.compile(r'[&<>"\'`=/]')
VAR_RE = re.compile(r'\{\{\s*([A-Za-z]+)\s*\}\}')
# placeholders the recorder put into recordings after the server rendered the page
RECORDING_PLACEHOLDER_RE = re.compile(r'<[a-z]+(?:#\d+)?>')

failures = []


def fail(msg):
    failures.append(msg)
    print('FAIL ' + msg)


def read(rel):
    with open(os.path.join(HERE, rel), 'rb') as f:
        return f.read().decode('utf-8')


def records(version):
    with open(os.path.join(FIXTURES, version + '.jsonl'), encoding='utf-8') as f:
        for line in f:
            r = json.loads(line)
            if 'request' in r and r.get('response', {}).get('status') is not None:
                yield r


def mustache_escape(s):
    return ESCAPE_RE.sub(lambda m: ESCAPES[m.group(0)], s)


def render(template, params):
    """Render a template that holds only plain {{name}} tags (checked by check_template)."""
    return VAR_RE.sub(lambda m: mustache_escape(params.get(m.group(1), '')), template)


def check_template(name, text):
    tags = re.findall(r'\{\{.*?\}\}', text)
    for t in tags:
        if not VAR_RE.fullmatch(t) or VAR_RE.fullmatch(t).group(1) not in PARAM_NAMES:
            fail('%s: unexpected mustache tag %r' % (name, t))
    if '{{{' in text or '}}}' in text:
        fail('%s: triple mustache' % name)


def js_replace_first(s, needle, replacement):
    """JavaScript  s.replace(needle, replacement)  for a string needle: first occurrence only,
    with the $-patterns of the replacement string ($$, $&, $`, $') expanded."""
    i = s.find(needle)
    if i < 0:
        return s
    before, after = s[:i], s[i + len(needle):]
    out, k = [], 0
    while k < len(replacement):
        c = replacement[k]
        if c == '$' and k + 1 < len(replacement) and replacement[k + 1] in "$&`'":
            out.append({'$': '$', '&': needle, '`': before, "'": after}[replacement[k + 1]])
            k += 2
        else:
            out.append(c)
            k += 1
    return before + ''.join(out) + after


def protect(params):
    """Swap recording placeholders (<port>, <emailtoken#3>) for inert words before escaping,
    since the recorder wrote them into the body after the server had rendered it."""
    table = {}

    def sub(m):
        key = 'ZqPLACEHOLDER%dqZ' % len(table)
        table[key] = m.group(0)
        return key
    return {k: RECORDING_PLACEHOLDER_RE.sub(sub, v) for k, v in params.items()}, table


def unprotect(text, table):
    for key, val in table.items():
        text = text.replace(key, val)
    return text


def check_legacy():
    static = {n: read('legacy/' + n) for n in LEGACY_PAGES}
    static8 = dict(static)
    static8['invalid_verification_link.html'] = read('legacy/8/invalid_verification_link.html')
    choose = read('legacy/choose_password.html')
    if choose.count(MARKER) != 1:
        fail('legacy/choose_password.html: marker count %d' % choose.count(MARKER))
    for v in LEGACY_VERSIONS:
        expected_ct = 'text/html; charset=utf-8' if v == '8.6.94' else 'text/html; charset=UTF-8'
        pages = static8 if v == '8.6.94' else static
        seen_static, seen_choose = set(), 0
        for r in records(v):
            req, res = r['request'], r['response']
            path = req['path'].split('?')[0]
            if req['method'] != 'GET' or res['status'] != 200 or not path.startswith('/parse/apps/'):
                continue
            name = path[len('/parse/apps/'):]
            where = '%s %s' % (v, r['step'])
            if name in pages:
                seen_static.add(name)
                if res['body'] != pages[name]:
                    fail('%s: body differs from legacy/%s' % (where, name))
                if res['headers'].get('content-type') != expected_ct:
                    fail('%s: content-type %r' % (where, res['headers'].get('content-type')))
            elif name == 'choose_password':
                seen_choose += 1
                url = r['options']['publicServerURL']
                want = js_replace_first(choose, MARKER, "'" + url + "'")
                if res['body'] != want:
                    fail('%s: choose_password body differs' % where)
                if res['headers'].get('content-type') != 'text/html; charset=utf-8':
                    fail('%s: choose_password content-type %r' % (where, res['headers'].get('content-type')))
            else:
                fail('%s: unexpected 200 page %s' % (where, name))
        missing = set(LEGACY_PAGES) - seen_static
        if missing:
            fail('%s: no recording of %s' % (v, sorted(missing)))
        if not seen_choose:
            fail('%s: no choose_password recording' % v)
        print('ok %s: %d static page names, %d choose_password bodies' % (v, len(seen_static), seen_choose))


def check_pages(table):
    templates = {n: read('pages/' + n) for n in PAGES}
    for n, t in templates.items():
        check_template('pages/' + n, t)
    seen, count = set(), 0
    for r in records(PAGES_VERSION):
        res = r['response']
        if res['status'] != 200 or 'text/html' not in res['headers'].get('content-type', ''):
            continue
        where = '%s %s' % (PAGES_VERSION, r['step'])
        if res['headers']['content-type'] != 'text/html; charset=utf-8':
            fail('%s: content-type %r' % (where, res['headers']['content-type']))
        params = {}
        for h, val in res['headers'].items():
            if h.startswith(HEADER_PREFIX):
                key = {p.lower(): p for p in PARAM_NAMES}.get(h[len(HEADER_PREFIX):])
                if key is None:
                    fail('%s: unknown page header %s' % (where, h))
                else:
                    params[key] = val
        safe, ph = protect(params)
        matches = [n for n, t in templates.items() if unprotect(render(t, safe), ph) == res['body']]
        if len(matches) != 1:
            fail('%s: %d templates match (%s)' % (where, len(matches), matches))
            continue
        count += 1
        seen.add(matches[0])
        path = r['request']['path'].split('?')[0]
        if path.endswith('.html') and path.rsplit('/', 1)[1] != matches[0]:
            fail('%s: %s served %s' % (where, path, matches[0]))
        if table:
            hdrs = [h[len(HEADER_PREFIX):] for h in res['headers'] if h.startswith(HEADER_PREFIX)]
            print('| %s | %s %s | %s | %s |' % (r['step'], r['request']['method'], path,
                                                matches[0], ', '.join(hdrs) or '(none)'))
    missing = set(PAGES) - seen
    if missing:
        fail('%s: no recording of %s' % (PAGES_VERSION, sorted(missing)))
    print('ok %s: %d HTML bodies reproduced from %d templates' % (PAGES_VERSION, count, len(seen)))


def main():
    table = '--table' in sys.argv[1:]
    check_legacy()
    check_pages(table)
    if failures:
        print('%d mismatches' % len(failures))
        sys.exit(1)
    print('all recorded /apps/ pages reproduced byte for byte')


if __name__ == '__main__':
    main()
