#!/usr/bin/env bash
# The tiny-guest tests (run-tests.sh) inside the nested test host, for build
# machines whose own /dev/kvm is missing (a machine that is itself a
# paravirtualised guest has none): the outer VM's kvm_amd is a real KVM.
#
#   usage: run-nested.sh MINIVMM_SAN
#
# minivmm-san and bash are carried in with their shared libraries (the
# sanitizer runtimes among them), coreutils' date for nanosecond clocks.
# Exit status, as run-nested-tests.sh's (nested-host.sh has the details):
#   0  every test passed     1  a test failed (run-tests.sh did not exit 0)
#   2  usage, or setting up on this machine failed
#   3  environment fault before any test ran (NESTED_EXIT_ENV): retry allowed
#   4  the outer host timed out, panicked or died (NESTED_EXIT_HOST): a
#      failure, never retried
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../boot/nested-host.sh
. "$here/../boot/nested-host.sh"

if [ $# -ne 1 ]; then
	echo "usage: $0 MINIVMM_SAN" >&2
	exit 2
fi
minivmm=$(realpath "$1")
out=$NESTED_ROOT/build/kvm-tests
mkdir -p "$out" || exit 2
export NESTED_CONSOLE_LOG=$out/console.log
rm -f "$NESTED_CONSOLE_LOG"
export NESTED_HOST_TOOLS="bash date script $minivmm"

nested_init
job=$(mktemp "$NESTED_ROOT/build/kvm-job.XXXXXX") || exit 2
# shellcheck disable=SC2064
trap "rm -f '$job'; nested_cleanup" EXIT
cat > "$job" <<'JOB'
#!/bin/sh
# /job of the nested host: the tiny-guest tests (from tests/kvm/run-nested.sh).
export PATH=/usr/bin:/bin
mkdir -p /tmp/kvm/out
for f in /carry/*.bzImage /carry/*.vmlinux; do
	mv "$f" /tmp/kvm/out/
done
mv /carry/run-tests.sh /carry/stop-tests.sh /carry/trace-tests.sh /tmp/kvm/
export KVM_TESTS_NESTED=1
exec /usr/bin/bash /tmp/kvm/run-tests.sh /usr/bin/minivmm-san
JOB

files=("$here/run-tests.sh=run-tests.sh" "$here/stop-tests.sh=stop-tests.sh"
	"$here/trace-tests.sh=trace-tests.sh")
for f in "$here"/out/*.bzImage "$here"/out/*.vmlinux; do
	files+=("$f")
done
nested_build_initramfs "$job" "${files[@]}" || exit 2
echo "run-nested: booting the nested host for the tiny-guest tests (QEMU TCG)" >&2
nested_run batch
nested_explain || nested_exit_after_explain $? run-nested
# run-tests.sh exits 0 or 1; any other status of the job (bash killed,
# missing) is a failure too, never one of the statuses above.
if [ "$NESTED_STATUS" -ne 0 ]; then
	echo "run-nested: the tiny-guest tests failed (status $NESTED_STATUS)" >&2
	exit 1
fi
if ! tr -d '\r' < "$NESTED_CONSOLE_LOG" | grep -qE '^[0-9]+ passed, 0 failed(, [0-9]+ skipped)?$'; then
	echo "run-nested: the tests exited 0 but their summary line is not on the console" >&2
	exit 1
fi
exit 0
