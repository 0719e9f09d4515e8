#!/usr/bin/env bash
# Parse Server's own spec suite (its users and sessions specs), run against the real
# parse-server of one version and against parse-compat standing in front of it.
#
#   scripts/parse-spec/run.sh --version 6.5.11 --mirror GIT_DIR [--compat BIN] [--out FILE] [SPEC...]
#
# GIT_DIR is a git mirror of parse-community/parse-server that has the version's tag; the spec
# files are read from it at that tag and never copied into this repository. The server under
# test is the npm release of that version, installed by ../shared/parse-oracle/run.sh (its
# published lib/, unmodified). Only the spec's own test tooling (jasmine and its reporter) is
# installed here, from the npm registry, at the versions the tag's package.json names.
#
# Without --compat the suite runs as Parse runs it (PostgreSQL). With --compat, every request the
# suite makes (the JS SDK and its raw HTTP calls to http://localhost:8378/1) reaches parse-compat,
# which answers the user and session API itself and passes the rest to the in-process
# parse-server, moved to port 8379, on the same PostgreSQL database (harness-helper.js). Each
# `reconfigureServer(options)` restarts parse-compat with the same Parse options. In both
# modes idle keep-alive connections are closed before the suite's open-connection check.
#
# Results go to FILE as JSON lines, one per spec: {"name","status","failures"}.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
version= mirror= compat= out=
specs=()
while (($#)); do
  case $1 in
    --version) version=$2; shift 2 ;;
    --mirror) mirror=$2; shift 2 ;;
    --compat) compat=$(realpath "$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) specs+=("$1"); shift ;;
  esac
done
[[ -n $version && -n $mirror ]] || { sed -n 2,19p "$0" >&2; exit 2; }
((${#specs[@]})) || specs=(ParseUser ParseSession RevocableSessionsUpgrade VerifyUserPassword
  AccountLockoutPolicy PasswordPolicy ValidationAndPasswordsReset EmailVerificationToken UserPII)
out=${out:-$PWD/parse-spec-$version-$([[ -n $compat ]] && echo compat || echo parse).jsonl}
out=$(realpath -m "$out")

oracle=$HOME/.cache/parse-oracle/$version
if [[ ! -d $oracle/node_modules/parse-server/lib ]]; then
  INSTALL_ONLY=1 VERSIONS=$version "$root/../shared/parse-oracle/run.sh"
fi
work=${PARSE_SPEC_WORK:-$HOME/.cache/parse-spec}/$version
mkdir -p "$work"
rm -rf "$work/spec"
git --git-dir="$mirror" archive "$version" spec | tar -x -C "$work"
git --git-dir="$mirror" show "$version:package.json" >"$work/parse-server-package.json"
ln -sfn "$oracle/node_modules/parse-server/lib" "$work/lib"
ln -sfn "$oracle/node_modules" "$work/node_modules"
cp "$here/harness-helper.js" "$here/results-reporter.js" "$work/spec/"

# The spec's test tooling, at the tag's versions, outside the server's node_modules.
if [[ ! -d $work/tools/node_modules/jasmine ]]; then
  mkdir -p "$work/tools"
  pins=$(node -e '
    const d = require(process.argv[1]).devDependencies;
    console.log(["jasmine", "jasmine-spec-reporter", "deep-diff", "form-data"]
      .filter(n => d[n]).map(n => n + "@" + d[n]).join(" "));' "$work/parse-server-package.json")
  (cd "$work/tools" && echo '{"private":true}' >package.json &&
    npm install --no-audit --no-fund --ignore-scripts $pins >install.log 2>&1) ||
    { cat "$work/tools/install.log"; exit 1; }
fi
# The spec's own local packages (mock adapters) resolve from its dependencies folder.
mkdir -p "$work/tools/local"
for dep in "$work"/spec/dependencies/*/; do
  [[ -d $dep ]] && ln -sfn "$dep" "$work/tools/local/$(basename "$dep")"
done

helpers='"helper.js", "harness-helper.js", "results-reporter.js"'
files=$(printf '"%s.spec.js",' "${specs[@]}")
cat >"$work/jasmine.json" <<JSON
{ "spec_dir": "spec", "spec_files": [${files%,}], "helpers": [$helpers], "random": false }
JSON

"$root/scripts/postgres.sh" fresh parse_spec >/dev/null
db=postgres://parse@127.0.0.1:5432/parse_spec
: >"$out"
cd "$work"
set +e
NODE_PATH="$work/tools/node_modules:$work/tools/local" TESTING=1 PARSE_SERVER_TEST_DB=postgres \
  PARSE_SERVER_TEST_DATABASE_URI=$db PARSE_SPEC_RESULTS=$out PARSE_SPEC_COMPAT=$compat \
  PARSE_SPEC_VERSION=$version PARSE_SPEC_LOG=$work/compat.log \
  node "$work/tools/node_modules/jasmine/bin/jasmine.js" --config="$work/jasmine.json" \
  >"$work/jasmine.log" 2>&1
rc=$?
set -e
tail -5 "$work/jasmine.log"
echo "run.sh: $(wc -l <"$out") specs recorded in $out (jasmine exit $rc; log $work/jasmine.log)"
