#!/usr/bin/env bash
# Run eligex over the dev gold inputs and score them (../shared must sit beside the repo).
# usage: benchmarks/dev_eval.sh [--verbose]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared="$here/../shared"
out=$(mktemp -d)
inputs=$(python3 - "$shared" <<'PY'
import json, sys, pathlib
shared = pathlib.Path(sys.argv[1])
for g in sorted((shared / "gold" / "dev").glob("*.json")):
    name = json.loads(g.read_text())["file"]
    hits = [p for d in ("seeds", "corpus/raw") for p in (shared / d).rglob(name)]
    if hits:
        print(hits[0])
PY
)
# shellcheck disable=SC2086
eligex extract $inputs --format jsonl --quiet > "$out/all.jsonl" || true
python3 "$shared/eval/score.py" --gold "$shared/gold/dev" --pred "$out" "$@"
rm -rf "$out"
