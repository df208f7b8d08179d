#!/usr/bin/env bash
# Run the boot tests (boot-tests.spec) inside the nested test host.
#
#   usage: run-nested-tests.sh MINIVMM_STATIC [TEST...]
#
# Builds bootrun, packs it with minivmm, the demo guest (guest-images/out)
# and the spec into the outer initramfs, boots the outer VM and streams its
# console here. Exit status:
#   0  every test passed
#   1  a test failed, or bootrun could not run the spec
#   2  usage, or setting up on this machine failed (a missing file, the
#      build, the outer kernel's package): nothing was booted
#   3  environment fault, retry allowed (NESTED_EXIT_ENV): the outer VM did
#      not come up (a kernel module did not load, /dev/kvm or
#      /dev/vhost-vsock did not appear, its init could not set up, or QEMU
#      failed before the outer VM was ready). No test ran.
#   4  the outer host timed out, panicked, rebooted or died after it was
#      ready (NESTED_EXIT_HOST): minivmm can cause that, so it is a failure
#      and must not be retried.
# make test-boot runs the suite once more after status 3 only (Makefile).
# The outer console goes to build/boot-tests/console.log and every test's own
# console to build/boot-tests/tests.log ($BOOT_TESTS_OUT instead of
# build/boot-tests if set; BOOT_TESTS_SPEC replaces the spec; BOOT_TESTS_CARRY
# adds files, PATH=NAME words, to /carry; BOOT_TESTS_QEMU=1 carries Debian's
# QEMU too, with its libraries and the firmware its microvm loads, for tests
# that run a reference under it). More settings: see nested-host.sh.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=nested-host.sh
. "$here/nested-host.sh"

if [ $# -lt 1 ]; then
	echo "usage: $0 MINIVMM_STATIC [TEST...]" >&2
	exit 2
fi
minivmm=$1
shift
spec=${BOOT_TESTS_SPEC:-$here/boot-tests.spec}
images=$NESTED_ROOT/guest-images/out
out=${BOOT_TESTS_OUT:-$NESTED_ROOT/build/boot-tests}

for f in "$minivmm" "$images/bzImage" "$images/vmlinux" "$images/initramfs.cpio.gz" "$spec"; do
	if [ ! -r "$f" ]; then
		echo "run-nested-tests: $f is missing (make build/minivmm-static guest-images)" >&2
		exit 2
	fi
done
# A static-pie binary has no program interpreter (ldd would call it
# "statically linked" and still succeed).
if readelf -l "$minivmm" 2>/dev/null | grep -q 'program interpreter'; then
	echo "run-nested-tests: $minivmm is dynamically linked; the nested host has no libc" >&2
	exit 2
fi

make -s -C "$here" OUT="$NESTED_ROOT/build/boot" >&2 || exit 2
mkdir -p "$out" || exit 2

# minivmm maps guest RAM with MAP_NORESERVE and a guest touches little of
# it, so a 3.5 GiB guest does boot in a 2 GiB outer VM; still, give the outer
# VM the largest --memory in the spec plus 1 GiB, so that a guest that does
# touch all of its RAM cannot run the outer VM out of memory.
if [ -z "${NESTED_MEMORY_MIB:-}" ]; then
	largest=$(grep -o -- '--memory[ =][0-9]*' "$spec" | grep -o '[0-9]*$' | sort -n | tail -n 1)
	NESTED_MEMORY_MIB=2048
	if [ -n "$largest" ] && [ $((largest + 1024)) -gt $NESTED_MEMORY_MIB ]; then
		NESTED_MEMORY_MIB=$((largest + 1024))
	fi
	export NESTED_MEMORY_MIB
fi
export NESTED_CONSOLE_LOG=$out/console.log
export NESTED_TEST_LOGS=$out/tests.log
rm -f "$NESTED_CONSOLE_LOG" "$NESTED_TEST_LOGS"

nested_init
job=$(mktemp "$NESTED_ROOT/build/boot-job.XXXXXX") || exit 2
# shellcheck disable=SC2064
trap "rm -f '$job'; nested_cleanup" EXIT
{
	echo '#!/bin/sh'
	echo '# /job of the nested host: run the boot tests (from run-nested-tests.sh).'
	echo 'export MINIVMM=/carry/minivmm GUEST_KERNEL=/carry/bzImage GUEST_VMLINUX=/carry/vmlinux'
	echo 'export GUEST_INITRD=/carry/initramfs.cpio.gz'
	echo 'export STOCK_KERNEL=/carry/stock-vmlinuz STOCK_INITRD=/carry/stock-initramfs.cpio.gz'
	# No retries unless asked for by hand (a test that passes only on a
	# retry still fails the run: bootrun.c).
	if [ -n "${BOOTRUN_RETRIES:-}" ]; then
		echo "export BOOTRUN_RETRIES=$BOOTRUN_RETRIES"
	fi
	printf 'exec /carry/bootrun -l /tmp/boot-logs /carry/boot-tests.spec'
	for name in "$@"; do
		printf " '%s'" "$name"
	done
	echo
} > "$job"

# Debian's stock kernel and its initramfs (guest-images/stock-initramfs.sh,
# run by make test-boot), when built: the stock-* tests need them and are
# skipped without.
stock=()
if [ -r "$NESTED_ROOT/build/stock/vmlinuz" ] && [ -r "$NESTED_ROOT/build/stock/initramfs.cpio.gz" ]; then
	stock=("$NESTED_ROOT/build/stock/vmlinuz=stock-vmlinuz"
		"$NESTED_ROOT/build/stock/initramfs.cpio.gz=stock-initramfs.cpio.gz")
fi
# The network tests' guest half: socat and tests/boot/net/net-source, appended
# by those tests to the demo guest's initramfs; the host half is net-peer.sh.
guest_tools=$NESTED_ROOT/build/boot/guest-net-tools.cpio.gz
nested_guest_tools "$guest_tools" "$here/net/net-source" || exit 2

# QEMU for reference tests: 18 MB and its libraries, so only when asked.
qemu=()
if [ "${BOOT_TESTS_QEMU:-}" = 1 ]; then
	NESTED_HOST_TOOLS="$NESTED_HOST_TOOLS qemu-system-x86_64"
	qemu=("${QEMU_DATA_DIR:-/usr/share/qemu}/qboot.rom=qboot.rom"
		"${QEMU_DATA_DIR:-/usr/share/qemu}/linuxboot_dma.bin=linuxboot_dma.bin")
fi

start=$(date +%s%N)
nested_build_initramfs "$job" "$minivmm=minivmm" "$NESTED_ROOT/build/boot/bootrun=bootrun" \
	"$images/bzImage=bzImage" "$images/vmlinux=vmlinux" "$images/initramfs.cpio.gz=initramfs.cpio.gz" \
	"$images/programs/vsock-tool=vsock-tool" "$NESTED_ROOT/tests/kvm/out/hello.bzImage=hello.bzImage" \
	"$here/fifty-vms.sh=fifty-vms.sh" "$here/auto-cid-vms.sh=auto-cid-vms.sh" \
	"$here/ci-runner.sh=ci-runner.sh" "$NESTED_ROOT/build/boot/run-as=run-as" \
	"$NESTED_ROOT/build/boot/other-hypervisor=other-hypervisor" \
	"$here/ci-doc-example.sh=ci-doc-example.sh" "$NESTED_ROOT/docs/ci.md=ci.md" \
	"$guest_tools=guest-net-tools.cpio.gz" "$here/net/net-peer.sh=net-peer.sh" \
	"$here/vhost-user-host.sh=vhost-user-host.sh" \
	"$spec=boot-tests.spec" "${stock[@]}" "${qemu[@]}" ${BOOT_TESTS_CARRY:-} || exit 2
echo "run-nested-tests: booting the nested host (QEMU TCG, ${NESTED_MEMORY_MIB} MiB," \
	"${NESTED_CPUS:-1} vCPUs)" >&2
nested_run batch
took_ms=$((($(date +%s%N) - start) / 1000000))
printf 'run-nested-tests: outer VM ran for %d.%d s; console: %s, test logs: %s\n' \
	$((took_ms / 1000)) $((took_ms % 1000 / 100)) \
	"${NESTED_CONSOLE_LOG#"$NESTED_ROOT"/}" "${NESTED_TEST_LOGS#"$NESTED_ROOT"/}" >&2

nested_explain || nested_exit_after_explain $? run-nested-tests
# The runner's last line, e.g. "5 passed, 0 failed, 0 skipped", tells us it
# ran to the end.
summary=$(tr -d '\r' < "$NESTED_CONSOLE_LOG" |
	grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' | tail -n 1)
case "$NESTED_STATUS" in
0)
	if [ -z "$summary" ]; then
		echo "run-nested-tests: bootrun exited 0 but its summary line is not on the console" >&2
		exit 1
	fi
	echo "run-nested-tests: all boot tests passed ($summary)" >&2
	exit 0 ;;
1)
	echo "run-nested-tests: boot tests failed (${summary:-no summary line})" >&2
	exit 1 ;;
*)
	echo "run-nested-tests: bootrun stopped with status $NESTED_STATUS" \
		"(2: bad spec or usage; 127: bootrun missing)" >&2
	exit 1 ;;
esac
