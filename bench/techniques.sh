#!/usr/bin/env bash
# Measures what each technique of the history engine buys, on one
# repository, in one run: each variant turns one technique off (or, for RE2,
# on), and variants run alternately so that machine load affects all alike.
#
#   bench/techniques.sh REPO [RUNS]
#
# Variants (all history only, JSON to a file):
#   default        sessionize as shipped
#   gitleaks-eng   gitleaks' own matching engine (no keyword windows, no
#                  decoding prefilter): --engine gitleaks
#   no-line-dedup  every line of each new blob matched, not only lines new to
#                  the history: --no-line-dedup
#   one-worker     one detection worker instead of one per core: --workers 1
#   go-git         blobs and tree diffs read by go-git instead of the git
#                  binary's cat-file/diff-tree: --git-backend go-git
#   go-regexp      Go's regexp package instead of RE2 (go-re2, the engine
#                  gitleaks' release builds use through -tags gore2regex):
#                  --regexp go
set -euo pipefail
repo=${1:?usage: techniques.sh REPO [RUNS]}
runs=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
out=${BENCH_OUT:-$here/out}
mkdir -p "$out"
(cd "$here/.." && go build -o "$out/sessionize" ./cmd/sessionize)

declare -A flags=(
  [go-regexp]="--regexp go"
  [gitleaks-eng]="--engine gitleaks"
  [no-line-dedup]="--no-line-dedup"
  [one-worker]="--workers 1"
  [go-git]="--git-backend go-git"
)
order=(default gitleaks-eng go-regexp no-line-dedup one-worker go-git)
: > "$out/techniques.tsv"
for i in $(seq 1 "$runs"); do
  for v in "${order[@]}"; do
    # shellcheck disable=SC2086
    /usr/bin/time -f "$v\t%e\t%U\t%S\t%M" -o "$out/time.txt" "$out/sessionize" scan "$repo" ${flags[$v]:-} --history-only \
      --format json --show-secrets --fail-on none -q -o "$out/$v.json"
    cat "$out/time.txt" >> "$out/techniques.tsv"
  done
done
python3 - "$out" "${order[@]}" <<'PY'
import json, statistics, sys, collections
out, order = sys.argv[1], sys.argv[2:]
rows = collections.defaultdict(list)
for line in open(f"{out}/techniques.tsv"):
    v, wall, user, sys_, rss = line.split("\t")
    rows[v].append((float(wall), float(user) + float(sys_), int(rss)))
base = statistics.median(x[1] for x in rows["default"])
print(f"{'variant':<14} {'median wall s':>13} {'median CPU s':>13} {'CPU vs default':>15} {'peak RSS MB':>12} {'secrets':>8}")
for v in order:
    r = rows[v]
    cpu = statistics.median(x[1] for x in r)
    secrets = {c.get("secret") for c in json.load(open(f"{out}/{v}.json"))["credentials"]}
    print(f"{v:<14} {statistics.median(x[0] for x in r):>13.2f} {cpu:>13.2f} {cpu/base:>14.2f}x {max(x[2] for x in r)/1024:>12.0f} {len(secrets):>8}")
PY
