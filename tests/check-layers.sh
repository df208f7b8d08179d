#!/usr/bin/env bash
# The folders are layers (docs/architecture.md): lib/ at the bottom, then
# boot/, devices/ and virtio/, then vmm/ on top. A file may include only
# from its own folder and the layers below, always by path from the root.
# One check per folder; prints "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
passed=0
failed=0

# check FOLDER ALLOWED...: every #include "..." of FOLDER's files names a
# file in one of the ALLOWED folders.
check() {
	local folder=$1 bad
	shift
	local allowed
	allowed=$(printf '%s/|' "$@")
	bad=$(grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$folder"/*.[ch] |
		grep -Ev "#[[:space:]]*include[[:space:]]*\"(${allowed%|})[^/\"]*\"")
	if [ -n "$bad" ]; then
		echo "FAIL layers-$folder: includes outside $*:"
		echo "$bad" | sed 's/^/  | /'
		failed=$((failed + 1))
	else
		echo "PASS layers-$folder (includes only from: $*)"
		passed=$((passed + 1))
	fi
}

check lib lib
check boot boot lib
check devices devices lib
check virtio virtio lib
check vmm vmm virtio devices boot lib
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
