#!/usr/bin/env bash
# Builds the benchmark history: the last 70 released versions of
# golang.org/x/tools from the module proxy, committed file by file (10,886
# commits), with 20 fake secrets injected and deleted later, then packed as a
# clone would be. Deterministic: the same commits every time.
#
#   bench/build-history.sh DIR
set -euo pipefail
dir=${1:?usage: build-history.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
(cd "$here/.." && go run ./bench/mkhistory -out "$dir" -module golang.org/x/tools -versions 70)
git -C "$dir" gc -q --aggressive
git -C "$dir" count-objects -vH
