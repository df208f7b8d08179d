# shellcheck shell=bash
# Sourced by run-bench.sh and run-breakdown.sh: what both need before they
# pack minivmm and QEMU into the nested host.
#
#   bench_prereqs FAIL MINIVMM FILE...
# FAIL is the caller's function that prints its message and exits. Checks
# that every FILE is readable, that MINIVMM is statically linked (the nested
# host has no libc) and that QEMU is installed, then builds bootrun.

bench_prereqs() {
	local fail=$1 minivmm=$2 f
	shift 2
	for f in "$minivmm" "$@"; do
		[ -r "$f" ] || "$fail" "$f is missing (make build/minivmm-static guest-images;" \
			"apt-get install qemu-system-x86)"
	done
	if readelf -l "$minivmm" 2>/dev/null | grep -q 'program interpreter'; then
		"$fail" "$minivmm is dynamically linked; the nested host has no libc"
	fi
	command -v qemu-system-x86_64 >/dev/null || "$fail" "qemu-system-x86_64 is not installed"
	make -s -C "$NESTED_ROOT/tests/boot" OUT="$NESTED_ROOT/build/boot" >&2 ||
		"$fail" "building bootrun failed"
}
