#!/usr/bin/env bash
# Benchmark of `sessionize protect --staged` against gitleaks' pre-commit
# scan (SPEC §10): whole-process wall time for a 10-file change in a
# repository with 20,000+ commits, both tools run alternately.
#
#   bench/protect/run.sh [RUNS]        (default 30 runs after 5 warm-up rounds)
#
# Environment: GITLEAKS (default: gitleaks on PATH, else ~/go/bin/gitleaks;
# install with `go install github.com/zricethezav/gitleaks/v8@v8.30.1`),
# COMMITS (default 20000), WORK (default $TMPDIR/sessionize-bench-protect,
# outside the module so that go and linters never see the generated files).
# The repository is built once with git fast-import (deterministic: fixed
# authors and dates), then repacked with fresh deltas (`git repack -adf`, as
# gc --aggressive or a clone gives: recent objects whole, older ones as
# deltas), and reused; delete WORK to rebuild it. Needs git and python3;
# uses hyperfine too when it is installed. Both CPU and wall times are
# printed: on a busy machine, compare CPU times.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
runs=${1:-30}
commits=${COMMITS:-20000}
work=${WORK:-${TMPDIR:-/tmp}/sessionize-bench-protect}
repo=$work/repo-$commits
gitleaks=${GITLEAKS:-$(command -v gitleaks || echo "$HOME/go/bin/gitleaks")}
here=$root/bench/protect
mkdir -p "$work"

echo "# building sessionize" >&2
go build -o "$work/sessionize" ./cmd/sessionize

if [ ! -d "$repo/.git" ]; then
	echo "# building a repository with $commits commits (git fast-import)" >&2
	rm -rf "$repo.tmp"
	git init -q -b main "$repo.tmp"
	python3 "$here/mkrepo.py" "$commits" | git -C "$repo.tmp" fast-import --quiet
	git -C "$repo.tmp" repack -a -d -f -q
	git -C "$repo.tmp" checkout -q -f main
	mv "$repo.tmp" "$repo"
fi

# A 10-file change: a few added lines in each of 10 files in 10 directories,
# nothing secret (the usual commit), staged on a pristine work tree.
git -C "$repo" reset -q --hard main
git -C "$repo" clean -q -fdx
for i in 0 1 2 3 4 5 6 7 8 9; do
	f="src/dir0${i}7/file1${i}.go"
	printf '\n// added by the benchmark, line %d\nfunc Added%d() string { return "value-%d" }\n' "$i" "$i" "$i" >>"$repo/$f"
done
git -C "$repo" add -A
git -C "$repo" config user.name bench
git -C "$repo" config user.email bench@example.com

echo "# repository: $(git -C "$repo" rev-list --count HEAD) commits, $(git -C "$repo" ls-files | wc -l) files," \
	"$(git -C "$repo" diff --cached --name-only | wc -l) staged" >&2
echo "# gitleaks: $("$gitleaks" version 2>/dev/null || echo unknown) ($gitleaks)" >&2
echo "# machine: $(nproc) cores, $(uname -sr)" >&2

cd "$repo"
sz="$work/sessionize protect --staged"
gl_git="$gitleaks git --pre-commit --staged --no-banner --log-level error"
gl_protect="$gitleaks protect --staged --no-banner --log-level error"
python3 "$here/timeit.py" "$runs" 5 \
	"sessionize protect --staged=$sz" \
	"gitleaks git --pre-commit=$gl_git" \
	"gitleaks protect --staged=$gl_protect"

# The same change with an AWS key pair in one file: both tools block (exit 1).
printf 'aws_access_key_id = AKIA%s\naws_secret_access_key = %s\n' QYLPMN5HHHFPZAM2 "hJtq1ubG+vtxXk""Ql0C3zvFwQDs1ZQ7wz9nuKR7Kb" >"$repo/src/dir005/creds.ini"
git -C "$repo" add src/dir005/creds.ini
echo "# with a staged AWS key pair" >&2
python3 "$here/timeit.py" "$runs" 3 \
	"sessionize (finding)=$sz" \
	"gitleaks git (finding)=$gl_git"
git -C "$repo" rm -q --cached src/dir005/creds.ini
rm -f "$repo/src/dir005/creds.ini"

if command -v hyperfine >/dev/null 2>&1; then
	echo "# hyperfine, clean change" >&2
	hyperfine -N --warmup 5 --runs "$runs" --style basic "$sz" "$gl_git" 2>&1 | grep -v '^ *$'
fi
