#!/usr/bin/env bash
# make test: runs the three test layers, each even if an earlier one failed,
# then prints one total line. Each layer prints its own "N passed, N failed"
# (Criterion: its "Synthesis" line).
#   1. unit     Criterion tests of the pure logic, under ASan/UBSan;
#      layers   each folder includes only from its own layer and those below
#      build    hardened release, static PIE, install, VERSION/CPPFLAGS/LDFLAGS
#      runner   the boot-test runner against stand-in commands
#      bench-table  make bench's table script on a made-up console
#      fuzz     each libFuzzer target for a short run (make fuzz: 1,000,000 each)
#   2. kvm      tiny guest programs under the local /dev/kvm
#   3. boot     real Linux guests in the nested test host (QEMU TCG + kvm_amd)
#      vhost-user  virtio-fs and virtio-blk through Debian's backends, QEMU's
#               reference and minivmm, in a nested host of their own
#   4. demo     `make run` itself, on a pseudo-terminal and without one
set -u
cd "$(dirname "$0")/.."
total_pass=0
total_fail=0
total_skip=0
total_retries=0
failed_layers=()
log=$(mktemp "${TMPDIR:-/tmp}/minivmm-test.XXXXXX")
# tests/boot/wake-watch.sh appends a line here for each lost wake-up of the
# nested host's CPU (QEMU) that it repaired: counted, never hidden.
NESTED_REPAIR_LOG=$(mktemp "${TMPDIR:-/tmp}/minivmm-repairs.XXXXXX")
export NESTED_REPAIR_LOG
trap 'rm -f "$log" "$NESTED_REPAIR_LOG"' EXIT

layer() {
	local name=$1
	shift
	echo "=== test layer: $name ($*)"
	local start=$SECONDS repairs_before
	repairs_before=$(wc -l < "$NESTED_REPAIR_LOG")
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local p f
	p=$(sed -n 's/.*Passing: \([0-9]*\).*/\1/p; s/^\([0-9]*\) passed, [0-9]* failed.*/\1/p' "$log" | tail -1)
	f=$(sed -n 's/.*Failing: \([0-9]*\) | Crashing: \([0-9]*\).*/\1+\2/p; s/^[0-9]* passed, \([0-9]*\) failed.*/\1/p' "$log" | tail -1)
	s=$(sed -n 's/^[0-9]* passed, [0-9]* failed, \([0-9]*\) skipped.*/\1/p' "$log" | tail -1)
	p=${p:-0}
	s=${s:-0}
	f=$(( ${f:-0} ))
	# A layer that failed without reporting a failed test still counts as one.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	local repaired=$(($(wc -l < "$NESTED_REPAIR_LOG") - repairs_before)) note=
	[ "$repaired" -gt 0 ] && note="; $repaired lost wake-ups of the nested host repaired"
	echo "=== $name: $p passed, $f failed, $s skipped ($((SECONDS - start)) s$note)"
	total_pass=$((total_pass + p))
	total_skip=$((total_skip + s))
	# The only retry make test allows: after a proven environment fault
	# (Makefile nested_retry); counted in the total line so it is seen.
	total_retries=$((total_retries + $(grep -c '^[a-z-]*: \*\*\* ENVIRONMENT FAULT' "$log")))
	total_fail=$((total_fail + f))
	[ "$rc" -eq 0 ] || failed_layers+=("$name")
}

layer unit make --no-print-directory test-unit
layer layers tests/check-layers.sh
layer build tests/check-build.sh
layer runner tests/boot/selftest-bootrun.sh
layer bench-table tests/bench/selftest-table.sh
layer fuzz make --no-print-directory fuzz-smoke
layer kvm make --no-print-directory test-kvm
layer boot make --no-print-directory test-boot
layer vhost-user make --no-print-directory test-vhost-user
layer demo make --no-print-directory test-demo

if [ ${#failed_layers[@]} -gt 0 ]; then
	echo "failed layers: ${failed_layers[*]}"
fi
# What the environment needed, after the counts: retries and repairs.
environment=
[ "$total_retries" -gt 0 ] && environment=", $total_retries nested-host start-up faults retried (see above)"
repairs=$(wc -l < "$NESTED_REPAIR_LOG")
if [ "$repairs" -gt 0 ]; then
	environment+=", $repairs lost wake-ups of the nested host repaired (QEMU; see docs/testing.md)"
	echo "environment repairs (each woke the nested host's CPU; no verdict was changed):"
	sed 's/^/  /' "$NESTED_REPAIR_LOG"
fi
echo "total: $total_pass passed, $total_fail failed, $total_skip skipped$environment"
[ "$total_fail" -eq 0 ] && [ ${#failed_layers[@]} -eq 0 ]
