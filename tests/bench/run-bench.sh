#!/usr/bin/env bash
# `make bench`: minivmm against QEMU's microvm, inside the nested test host.
#
#   usage: run-bench.sh MINIVMM_STATIC
#
# Packs minivmm, Debian's qemu-system-x86_64 (with its shared libraries and
# the firmware files microvm loads: qboot.rom, and linuxboot_dma.bin for a
# bzImage or pvh.bin for a vmlinux), the demo guest (bzImage, vmlinux,
# initramfs), bootrun, vsock-tool and this directory's scripts into the
# outer initramfs, boots the nested host once, and runs bench-job.sh there:
# BENCH_REPS repetitions, each booting the guest fresh under each VMM, then
# BENCH_KERNEL_REPS rounds of boots only with the kernel as bzImage and as
# vmlinux under each. Prints the tables (bench-table.awk), also written to
# build/bench/table.md.
#
# Settings (environment; `make bench REPS=5` sets BENCH_REPS):
#   BENCH_REPS        repetitions (default 3)
#   BENCH_KERNEL_REPS rounds of the four boot-only runs (default BENCH_REPS)
#   BENCH_ONLY        "kernels": only those rounds, no repetitions
#   BENCH_BYTES       bytes per transfer, each direction (default 256M; K/M/G)
#   BENCH_ROUNDS      1-byte round trips for the latency (default 10000)
#   BENCH_MEMORY_MIB  guest RAM for both VMMs (default 256)
#   BENCH_OUT         output directory (default build/bench)
#   QEMU_DATA_DIR     where QEMU's firmware files are (default /usr/share/qemu)
# and those of nested-host.sh (NESTED_TIMEOUT_S, ...).
# Exit status: 0 when every run passed, 1 when a run failed (the table then
# covers the runs that passed), 2 when the nested host or the set-up failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../boot/nested-host.sh
. "$here/../boot/nested-host.sh"
# shellcheck source=bench-prereqs.sh
. "$here/bench-prereqs.sh"

if [ $# -ne 1 ]; then
	echo "usage: $0 MINIVMM_STATIC" >&2
	exit 2
fi
minivmm=$1
reps=${BENCH_REPS:-3}
bytes=${BENCH_BYTES:-256M}
rounds=${BENCH_ROUNDS:-10000}
memory=${BENCH_MEMORY_MIB:-256}
kernel_reps=${BENCH_KERNEL_REPS:-$reps}
only=${BENCH_ONLY:-}
out=${BENCH_OUT:-$NESTED_ROOT/build/bench}
qemu_data=${QEMU_DATA_DIR:-/usr/share/qemu}
images=$NESTED_ROOT/guest-images/out

bench_fail() {
	echo "run-bench: $*" >&2
	exit 2
}

for v in "$reps" "$rounds" "$memory" "$kernel_reps"; do
	case "$v" in
	'' | *[!0-9]*) bench_fail "BENCH_REPS, BENCH_KERNEL_REPS, BENCH_ROUNDS and BENCH_MEMORY_MIB take a number ('$v')" ;;
	esac
done
case "$only" in
'' | kernels) ;;
*) bench_fail "BENCH_ONLY takes 'kernels' or nothing ('$only')" ;;
esac
case "$bytes" in
[0-9]*[KMG] | [0-9]*) ;;
*) bench_fail "BENCH_BYTES takes a size such as 256M ('$bytes')" ;;
esac
[ "$reps" -ge 1 ] || bench_fail "BENCH_REPS must be at least 1"

bench_prereqs bench_fail "$minivmm" "$images/bzImage" "$images/vmlinux" \
	"$images/initramfs.cpio.gz" "$images/programs/vsock-tool" "$qemu_data/qboot.rom" \
	"$qemu_data/linuxboot_dma.bin" "$qemu_data/pvh.bin"
mkdir -p "$out" || exit 2

# QEMU and its libraries are copied in (nested_add_dynamic_tool); socat,
# the default extra tool, is not needed here.
export NESTED_HOST_TOOLS=qemu-system-x86_64
if [ -z "${NESTED_MEMORY_MIB:-}" ]; then
	NESTED_MEMORY_MIB=$((memory + 1024 > 2048 ? memory + 1024 : 2048))
	export NESTED_MEMORY_MIB
fi
# A safety net only: about 2 minutes a run is usual.
export NESTED_TIMEOUT_S=${NESTED_TIMEOUT_S:-$((300 + reps * 2 * 400 + kernel_reps * 4 * 120))}
export NESTED_CONSOLE_LOG=$out/console.log
export NESTED_TEST_LOGS=$out/runs.log
rm -f "$NESTED_CONSOLE_LOG" "$NESTED_TEST_LOGS" "$out/table.md"

nested_init
conf=$(mktemp "$NESTED_ROOT/build/bench-conf.XXXXXX") || exit 2
# shellcheck disable=SC2064
trap "rm -f '$conf'; nested_cleanup" EXIT
{
	echo "# written by run-bench.sh"
	echo "BENCH_REPS=$reps"
	echo "BENCH_BYTES=$bytes"
	echo "BENCH_ROUNDS=$rounds"
	echo "BENCH_MEMORY_MIB=$memory"
	echo "BENCH_KERNEL_REPS=$kernel_reps"
	echo "BENCH_ONLY=$only"
} > "$conf"

start=$(date +%s%N)
nested_build_initramfs "$here/bench-job.sh" "$minivmm=minivmm" \
	"$NESTED_ROOT/build/boot/bootrun=bootrun" "$images/bzImage=bzImage" \
	"$images/vmlinux=vmlinux" \
	"$images/initramfs.cpio.gz=initramfs.cpio.gz" "$images/programs/vsock-tool=vsock-tool" \
	"$here/bench.spec=bench.spec" "$here/bench-host.sh=bench-host.sh" "$conf=bench.conf" \
	"$qemu_data/qboot.rom=qboot.rom" "$qemu_data/linuxboot_dma.bin=linuxboot_dma.bin" \
	"$qemu_data/pvh.bin=pvh.bin" ||
	bench_fail "building the nested host's initramfs failed"
echo "run-bench: ${only:+only the boot-only rounds; }$reps repetitions of minivmm and QEMU," \
	"$bytes per transfer, $rounds round trips, $kernel_reps rounds by kernel image," \
	"guest RAM $memory MiB; booting the nested host" \
	"(QEMU TCG, ${NESTED_MEMORY_MIB} MiB, ${NESTED_CPUS:-1} vCPUs)" >&2
nested_run batch
took_ms=$((($(date +%s%N) - start) / 1000000))
printf 'run-bench: outer VM ran for %d.%d s; console: %s, per-run logs: %s\n' \
	$((took_ms / 1000)) $((took_ms % 1000 / 100)) \
	"${NESTED_CONSOLE_LOG#"$NESTED_ROOT"/}" "${NESTED_TEST_LOGS#"$NESTED_ROOT"/}" >&2

nested_explain || exit 2
{
	echo "- build machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo |
		head -n 1); the nested host is QEMU TCG (software-emulated CPU), ${NESTED_CPUS:-1} vCPUs"
	awk -f "$here/bench-table.awk" "$NESTED_CONSOLE_LOG"
} > "$out/table.md"
table_status=$?
echo
cat "$out/table.md"
echo
if [ "$table_status" -ne 0 ]; then
	echo "run-bench: no run passed; see $NESTED_CONSOLE_LOG" >&2
	exit 1
fi
case "$NESTED_STATUS" in
0)
	echo "run-bench: all runs passed; table in ${out#"$NESTED_ROOT"/}/table.md" >&2
	exit 0 ;;
3)
	echo "run-bench: the nested host could not be set up for the benchmark (see the console)" >&2
	exit 2 ;;
*)
	echo "run-bench: some runs failed (status $NESTED_STATUS); the table covers the others" >&2
	exit 1 ;;
esac
