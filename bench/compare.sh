#!/usr/bin/env bash
# Runs `sessionize scan` and the gitleaks CLI side by side on one repository,
# alternating, and prints the median wall time, CPU time and peak RSS of each
# and the unique secrets each found (and whether sessionize found every
# secret gitleaks found).
#
#   bench/compare.sh REPO [RUNS]
#
# Needs: go, GNU time (/usr/bin/time), python3, gitleaks v8.30.1 on PATH or in
# $(go env GOPATH)/bin (installed with
# `go install github.com/zricethezav/gitleaks/v8@v8.30.1` when missing).
set -euo pipefail
repo=${1:?usage: compare.sh REPO [RUNS]}
runs=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
out=${BENCH_OUT:-$here/out}
mkdir -p "$out"

gitleaks=$(command -v gitleaks || true)
if [ -z "$gitleaks" ]; then
  gitleaks=$(go env GOPATH)/bin/gitleaks
  [ -x "$gitleaks" ] || go install github.com/zricethezav/gitleaks/v8@v8.30.1
fi
# SESSIONIZE_BIN picks a prebuilt binary; otherwise this checkout is built.
sz=${SESSIONIZE_BIN:-}
if [ -z "$sz" ]; then
  (cd "$here/.." && go build -o "$out/sessionize" ./cmd/sessionize)
  sz="$out/sessionize"
fi

# Extra sessionize flags, e.g. SESSIONIZE_FLAGS=--history-only.
sz_flags=${SESSIONIZE_FLAGS:-}

: > "$out/times.tsv"
for i in $(seq 1 "$runs"); do
  for tool in gitleaks sessionize; do
    if [ "$tool" = gitleaks ]; then
      cmd=("$gitleaks" git "$repo" --no-banner --log-level error --report-format json --report-path "$out/gitleaks.json" --exit-code 0)
    else
      cmd=("$sz" scan "$repo" $sz_flags --format json --show-secrets --fail-on none -q -o "$out/sessionize.json")
    fi
    /usr/bin/time -f "$tool\t%e\t%U\t%S\t%M" -o "$out/time.txt" "${cmd[@]}" >/dev/null 2>"$out/$tool.stderr" || {
      echo "$tool failed:"; cat "$out/$tool.stderr"; exit 1; }
    cat "$out/time.txt" >> "$out/times.tsv"
  done
done

python3 - "$out" <<'PY'
import json, statistics, sys, collections
out = sys.argv[1]
rows = collections.defaultdict(list)
for line in open(f"{out}/times.tsv"):
    tool, wall, user, sys_, rss = line.split("\t")
    rows[tool].append((float(wall), float(user) + float(sys_), int(rss)))
gl = json.load(open(f"{out}/gitleaks.json"))
sz = json.load(open(f"{out}/sessionize.json"))
gl_secrets = {f["Secret"] for f in gl}
sz_secrets = {c.get("secret") for c in sz["credentials"] if c.get("secret")}
missing = sorted(gl_secrets - sz_secrets)
print(f"{'tool':<11} {'median wall s':>13} {'median CPU s':>13} {'peak RSS MB':>12} {'unique secrets':>15}")
for tool, secrets in (("gitleaks", gl_secrets), ("sessionize", sz_secrets)):
    r = rows[tool]
    print(f"{tool:<11} {statistics.median(x[0] for x in r):>13.2f} {statistics.median(x[1] for x in r):>13.2f} "
          f"{max(x[2] for x in r)/1024:>12.0f} {len(secrets):>15}")
gw = statistics.median(x[0] for x in rows["gitleaks"])
sw = statistics.median(x[0] for x in rows["sessionize"])
print(f"speed-up (gitleaks wall / sessionize wall): {gw/sw:.2f}x over {len(rows['gitleaks'])} alternating runs")
print(f"secrets gitleaks found that sessionize missed: {len(missing)}")
for s in missing[:20]:
    f = next(f for f in gl if f["Secret"] == s)
    print(f"  {f['RuleID']} {f['File']}:{f['StartLine']} {f['Commit'][:12]}")
PY
