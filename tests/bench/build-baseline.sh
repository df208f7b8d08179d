#!/usr/bin/env bash
# Build build/minivmm-static as it was at another commit, for
# `make bench`'s baseline column (BENCH_MINIVMM_BASELINE):
#
#   usage: build-baseline.sh COMMIT OUTPUT
#
# The commit's tree is exported with `git archive` into a temporary
# directory (no worktree is registered, nothing in this checkout changes),
# built there with its own Makefile, and its static binary copied to
# OUTPUT. Rebuilt only when OUTPUT is missing.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 COMMIT OUTPUT" >&2
	exit 2
fi
commit=$1
output=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ -s "$output" ]; then
	echo "build-baseline: $output is there (remove it to rebuild)" >&2
	exit 0
fi
full=$(git -C "$root" rev-parse --verify "$commit^{commit}") || {
	echo "build-baseline: no commit $commit in $root" >&2
	exit 2
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/minivmm-baseline.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
git -C "$root" archive "$full" | tar -x -C "$tmp"
make -s -C "$tmp" -j"$(nproc)" build/minivmm-static >&2
mkdir -p "$(dirname "$output")"
cp "$tmp/build/minivmm-static" "$output.tmp"
mv "$output.tmp" "$output"
echo "build-baseline: $output is minivmm-static at ${full:0:12}" >&2
