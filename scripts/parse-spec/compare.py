#!/usr/bin/env python3
"""Compare two run.sh result files (real Parse, then parse-compat) spec by spec.

  scripts/parse-spec/compare.py PARSE.jsonl COMPAT.jsonl [--tsv OUT]

Prints the counts and every spec that passes on real Parse but not on parse-compat, with its
first failure; --tsv writes the same as tab-separated lines (name, parse, compat, failure).
Exit 1 when there is any such spec.
"""
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return {r["name"]: r for r in map(json.loads, f) if r}


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    parse, compat = load(argv[0]), load(argv[1])
    tsv = argv[argv.index("--tsv") + 1] if "--tsv" in argv else None
    differ = []
    for name, real in parse.items():
        ours = compat.get(name, {"status": "missing", "failures": []})
        if real["status"] == "passed" and ours["status"] != "passed":
            first = (ours["failures"] or [""])[0].replace("\n", " ").replace("\t", " ")
            differ.append((name, real["status"], ours["status"], first[:300]))
    count = lambda rs, s: sum(1 for r in rs.values() if r["status"] == s)
    print(f"real Parse: {count(parse, 'passed')} passed, {count(parse, 'failed')} failed, "
          f"{count(parse, 'pending')} pending")
    print(f"parse-compat: {count(compat, 'passed')} passed, {count(compat, 'failed')} failed, "
          f"{count(compat, 'pending')} pending")
    print(f"{len(differ)} pass on real Parse and not on parse-compat")
    for name, _, status, first in differ:
        print(f"  {status}: {name}\n      {first[:160]}")
    if tsv:
        with open(tsv, "w", encoding="utf-8") as f:
            f.write("spec\tparse\tcompat\tfirst failure\n")
            for row in sorted(differ):
                f.write("\t".join(row) + "\n")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
