#!/usr/bin/env bash
# `make bench-boot`: where the time of one boot goes, minivmm against QEMU's
# microvm, inside the nested test host (docs/benchmarks.md, "Boot breakdown").
#
#   usage: run-breakdown.sh MINIVMM_STATIC
#
# Packs the same programs as run-bench.sh, boots the nested host once and runs
# breakdown-job.sh there: one traced boot of the demo guest (or of Debian's
# stock kernel: BREAKDOWN_KERNEL=stock) under each VMM.
# Prints the table (breakdown-table.awk), also written to BREAKDOWN_OUT/table.md.
#
# Settings (environment):
#   BREAKDOWN_OUT         output directory (default build/breakdown): table.md,
#                         console.log (every figure as measured), runs.log
#   BREAKDOWN_ORDER       which VMM boots first (default "minivmm qemu")
#   BREAKDOWN_KERNEL      demo (default: the demo bzImage and initramfs) or
#                         stock (Debian's vmlinuz and the stock initramfs of
#                         guest-images/stock-initramfs.sh, built into
#                         BENCH_STOCK_DIR, default build/stock; QEMU's microvm
#                         then runs with acpi=on,auto-kernel-cmdline=off, as in
#                         make bench's set stock, and both guests get
#                         log_buf_len=1M so that initcall_debug's lines fit)
#   BREAKDOWN_SYSTEM_MAP  the demo kernel's System.map, to name the slow
#                         initcalls (the kernel has no kallsyms; without it
#                         they are shown as addresses)
#   QEMU_DATA_DIR         where qboot.rom and linuxboot_dma.bin are
# and those of nested-host.sh.
# Exit status: 0 when both boots passed and were analysed, 1 otherwise, 2 when
# the nested host or the set-up failed.
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
out=${BREAKDOWN_OUT:-$NESTED_ROOT/build/breakdown}
qemu_data=${QEMU_DATA_DIR:-/usr/share/qemu}
images=$NESTED_ROOT/guest-images/out
sysmap=${BREAKDOWN_SYSTEM_MAP:-/dev/null}
guest_kernel=$images/bzImage
guest_initrd=$images/initramfs.cpio.gz
qemu_machine=microvm,acpi=off
extra_cmdline=
fw_files=()

fail() {
	echo "run-breakdown: $*" >&2
	exit 2
}

case "${BREAKDOWN_KERNEL:-demo}" in
demo) ;;
stock)
	stock_dir=${BENCH_STOCK_DIR:-$NESTED_ROOT/build/stock}
	"$NESTED_ROOT/guest-images/stock-initramfs.sh" "$stock_dir" ||
		fail "guest-images/stock-initramfs.sh could not build Debian's kernel and its initramfs"
	guest_kernel=$stock_dir/vmlinuz
	guest_initrd=$stock_dir/initramfs.cpio.gz
	qemu_machine=microvm,acpi=on,auto-kernel-cmdline=off
	extra_cmdline=log_buf_len=1M
	# With acpi=on, microvm loads bios-microvm.bin (Debian's: a link to qboot.rom).
	fw_files=("$qemu_data/bios-microvm.bin=bios-microvm.bin") ;;
*) fail "BREAKDOWN_KERNEL takes demo or stock ('$BREAKDOWN_KERNEL')" ;;
esac

bench_prereqs fail "$minivmm" "$guest_kernel" "$guest_initrd" \
	"$qemu_data/qboot.rom" "$qemu_data/linuxboot_dma.bin" "$sysmap"
mkdir -p "$out" || exit 2

export NESTED_HOST_TOOLS=qemu-system-x86_64
export NESTED_TIMEOUT_S=${NESTED_TIMEOUT_S:-900}
export NESTED_CONSOLE_LOG=$out/console.log
export NESTED_TEST_LOGS=$out/runs.log
rm -f "$NESTED_CONSOLE_LOG" "$NESTED_TEST_LOGS" "$out/table.md"

nested_init
job=$(mktemp "$NESTED_ROOT/build/breakdown-job.XXXXXX") || exit 2
# shellcheck disable=SC2064
trap "rm -f '$job'; nested_cleanup" EXIT
# The order travels in the job itself (the nested host has no other way in).
{
	echo "#!/bin/sh"
	echo "export BREAKDOWN_ORDER='${BREAKDOWN_ORDER:-minivmm qemu}'"
	echo "export BREAKDOWN_QEMU_MACHINE='$qemu_machine' BREAKDOWN_CMDLINE='$extra_cmdline'"
	echo "echo 'BD-INFO guest: ${BREAKDOWN_KERNEL:-demo} kernel ($(basename "$guest_kernel")," \
		"$(stat -c %s "$guest_kernel") bytes), QEMU -M $qemu_machine'"
	echo "exec /carry/breakdown-job.sh"
} > "$job"

nested_build_initramfs "$job" "$minivmm=minivmm" \
	"$NESTED_ROOT/build/boot/bootrun=bootrun" "$guest_kernel=bzImage" \
	"$guest_initrd=initramfs.cpio.gz" "$here/breakdown.spec=breakdown.spec" \
	"$here/breakdown-job.sh=breakdown-job.sh" "$here/breakdown-trace.awk=breakdown-trace.awk" \
	"$qemu_data/qboot.rom=qboot.rom" "$qemu_data/linuxboot_dma.bin=linuxboot_dma.bin" "${fw_files[@]}" ||
	fail "building the nested host's initramfs failed"
echo "run-breakdown: one traced boot under each VMM; booting the nested host" \
	"(QEMU TCG, ${NESTED_CPUS:-1} vCPUs)" >&2
nested_run batch
nested_explain || exit 2
{
	echo "- nested host: QEMU TCG (software-emulated CPU), ${NESTED_CPUS:-1} vCPUs;" \
		"build machine: $(nproc) CPUs"
	awk -f "$here/breakdown-table.awk" "$sysmap" "$NESTED_CONSOLE_LOG"
} > "$out/table.md"
table_status=$?
cat "$out/table.md"
if [ "$table_status" -ne 0 ] || [ "$NESTED_STATUS" -ne 0 ]; then
	echo "run-breakdown: a boot failed or could not be analysed (status $NESTED_STATUS);" \
		"see ${NESTED_CONSOLE_LOG#"$NESTED_ROOT"/}" >&2
	exit 1
fi
echo "run-breakdown: table in ${out#"$NESTED_ROOT"/}/table.md" >&2
