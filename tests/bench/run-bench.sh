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
# vmlinux under each (set "kernels"), and BENCH_STOCK_REPS rounds of boots
# only of Debian's stock kernel with the stock initramfs under each (set
# "stock", opt-in: guest-images/stock-initramfs.sh builds them). Prints the
# tables (bench-table.awk), also written to build/bench/table.md.
#
# Settings (environment; `make bench REPS=5` sets BENCH_REPS):
#   BENCH_REPS        repetitions (default 3)
#   BENCH_KERNEL_REPS rounds of the boot-only runs (default BENCH_REPS)
#   BENCH_STOCK_REPS  rounds of the stock kernel's boot-only runs (default
#                     BENCH_KERNEL_REPS)
#   BENCH_STOCK_DIR   where stock-initramfs.sh puts Debian's vmlinuz and the
#                     stock initramfs (default build/stock)
#   BENCH_BYTES       bytes per vsock transfer, each direction (default 256M; K/M/G)
#   BENCH_NET_BYTES   bytes per TCP transfer over virtio-net (default BENCH_BYTES)
#   BENCH_ROUNDS      1-byte round trips for each latency (default 10000)
#   BENCH_MEMORY_MIB  guest RAM for both VMMs (default 256)
#   BENCH_VMMS        which VMMs (default "minivmm qemu")
#   BENCH_SETS        which runs: vsock (the vsock and network rows), vu
#                     (virtio-fs and virtio-blk through vhost-user backends),
#                     kernels (the boot-only rounds by kernel image),
#                     stock (the boot-only rounds of Debian's stock kernel;
#                     not in the default); default "vsock vu kernels"
#   BENCH_ONLY        "kernels": the same as BENCH_SETS=kernels (older name)
#   BENCH_VU_MIB      size of the shared file and of the disk (default 256)
#   BENCH_VU_FILES    files created, stat-ed and removed (default 2000)
#   BENCH_MINIVMM_BASELINE  another static minivmm (an older commit's) to run
#                     as well, as "minivmm-baseline": boot and vsock steps only
#                     (docs/benchmarks.md, "Tracing off")
#   BENCH_BASELINE_NAME     what the table calls it (default: its file name)
#   BENCH_TRACE       1: also run minivmm with --trace on (every category, to
#                     a file), as "minivmm-trace"
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
net_bytes=${BENCH_NET_BYTES:-$bytes}
baseline=${BENCH_MINIVMM_BASELINE:-}
trace=${BENCH_TRACE:-0}
rounds=${BENCH_ROUNDS:-10000}
memory=${BENCH_MEMORY_MIB:-256}
vmms=${BENCH_VMMS:-minivmm qemu}
sets=${BENCH_SETS:-vsock vu kernels}
# BENCH_ONLY=kernels: the name the boot-only rounds had before BENCH_SETS.
only=${BENCH_ONLY:-}
case "$only" in
'') ;;
kernels) sets=kernels ;;
*) bench_fail_early="BENCH_ONLY takes 'kernels' or nothing ('$only')" ;;
esac
vu_mib=${BENCH_VU_MIB:-256}
vu_files=${BENCH_VU_FILES:-2000}
kernel_reps=${BENCH_KERNEL_REPS:-$reps}
stock_reps=${BENCH_STOCK_REPS:-$kernel_reps}
stock_dir=${BENCH_STOCK_DIR:-$NESTED_ROOT/build/stock}
out=${BENCH_OUT:-$NESTED_ROOT/build/bench}
qemu_data=${QEMU_DATA_DIR:-/usr/share/qemu}
images=$NESTED_ROOT/guest-images/out

bench_fail() {
	echo "run-bench: $*" >&2
	exit 2
}

for v in "$reps" "$rounds" "$memory" "$vu_mib" "$vu_files" "$kernel_reps" "$stock_reps"; do
	case "$v" in
	'' | *[!0-9]*) bench_fail "BENCH_REPS, BENCH_KERNEL_REPS, BENCH_STOCK_REPS, BENCH_ROUNDS," \
		"BENCH_MEMORY_MIB, BENCH_VU_MIB and BENCH_VU_FILES take a number ('$v')" ;;
	esac
done
[ -z "${bench_fail_early:-}" ] || bench_fail "$bench_fail_early"
for v in $vmms; do
	case "$v" in minivmm | qemu) ;; *) bench_fail "BENCH_VMMS takes minivmm and qemu ('$v')" ;; esac
done
for v in $sets; do
	case "$v" in
	vsock | vu | kernels | stock) ;;
	*) bench_fail "BENCH_SETS takes vsock, vu, kernels and stock ('$v')" ;;
	esac
done
[ "$vu_mib" -ge 40 ] || bench_fail "BENCH_VU_MIB must be at least 40"
for v in "$bytes" "$net_bytes"; do
	case "$v" in
	[0-9]*[KMG] | [0-9]*) ;;
	*) bench_fail "BENCH_BYTES and BENCH_NET_BYTES take a size such as 256M ('$v')" ;;
	esac
done
[ "$reps" -ge 1 ] || bench_fail "BENCH_REPS must be at least 1"
case "$trace" in
0 | 1) ;;
*) bench_fail "BENCH_TRACE takes 0 or 1 ('$trace')" ;;
esac
# The runs of each repetition (bench-job.sh): for each set, each VMM
# (vsock: minivmm, qemu; vu: minivmm-vu, qemu-vu), then the optional ones.
variants=
for set in $sets; do
	for v in $vmms; do
		case "$set" in vsock) variants="$variants $v" ;; vu) variants="$variants $v-vu" ;; esac
	done
done
baseline_files=()
if [ -n "$baseline" ]; then
	[ -r "$baseline" ] || bench_fail "BENCH_MINIVMM_BASELINE: $baseline is missing"
	if readelf -l "$baseline" 2>/dev/null | grep -q 'program interpreter'; then
		bench_fail "BENCH_MINIVMM_BASELINE: $baseline is dynamically linked; the nested host has no libc"
	fi
	variants="$variants minivmm-baseline"
	baseline_files=("$baseline=minivmm-baseline")
fi
[ "$trace" = 1 ] && variants="$variants minivmm-trace"
variants=${variants# }
nvariants=$(echo "$variants" | wc -w)
# The boot-only rounds (set kernels): each VMM with each kernel image.
kernel_variants=
case " $sets " in
*" kernels "*)
	for v in $vmms; do kernel_variants="$kernel_variants $v-bzimage $v-vmlinux"; done ;;
esac
kernel_variants=${kernel_variants# }
nkernel_variants=$(echo "$kernel_variants" | wc -w)
# The vmlinux and QEMU's PVH option ROM only go in for those rounds.
kernel_files=()
kernel_prereqs=()
if [ "$nkernel_variants" -ge 1 ]; then
	kernel_files=("$images/vmlinux=vmlinux" "$qemu_data/pvh.bin=pvh.bin")
	kernel_prereqs=("$images/vmlinux" "$qemu_data/pvh.bin")
fi
# Debian's stock kernel (set stock): each VMM, boot only; the kernel and
# its initramfs are built (or taken from the cache) by stock-initramfs.sh.
stock_variants=
case " $sets " in
*" stock "*)
	for v in $vmms; do stock_variants="$stock_variants $v-stock"; done ;;
esac
stock_variants=${stock_variants# }
nstock_variants=$(echo "$stock_variants" | wc -w)
stock_package=
if [ "$nstock_variants" -ge 1 ] && [ "$stock_reps" -ge 1 ]; then
	"$NESTED_ROOT/guest-images/stock-initramfs.sh" "$stock_dir" ||
		bench_fail "set stock: guest-images/stock-initramfs.sh could not build Debian's kernel" \
			"and its initramfs (needs make guest-images and apt)"
	# With acpi=on, microvm loads bios-microvm.bin instead of qboot.rom
	# (Debian's is a link to qboot.rom: the same firmware; cp follows it).
	kernel_files+=("$stock_dir/vmlinuz=stock-vmlinuz" "$stock_dir/initramfs.cpio.gz=stock-initramfs.cpio.gz"
		"$qemu_data/bios-microvm.bin=bios-microvm.bin")
	stock_package=$(awk '{ printf "%s%s", (NR > 1 ? "_" : ""), $2 }' "$stock_dir/package")
else
	stock_variants=
	nstock_variants=0
fi
[ "$nvariants" -ge 1 ] || [ "$nkernel_variants" -ge 1 ] || [ "$nstock_variants" -ge 1 ] ||
	bench_fail "BENCH_VMMS and BENCH_SETS leave nothing to run"

bench_prereqs bench_fail "$minivmm" "$images/bzImage" "${kernel_prereqs[@]}" \
	"$images/initramfs.cpio.gz" "$images/programs/vsock-tool" "$qemu_data/qboot.rom" \
	"$qemu_data/linuxboot_dma.bin"
mkdir -p "$out" || exit 2

# QEMU and the vhost-user backends, with their libraries, are copied in
# (nested_add_dynamic_tool); socat, the default extra tool, is not needed.
export NESTED_HOST_TOOLS="qemu-system-x86_64 $NESTED_VHOST_USER_BACKENDS"
if [ -z "${NESTED_MEMORY_MIB:-}" ]; then
	# The vhost-user runs keep the file and the disk image in the nested
	# host's /tmp (a tmpfs: RAM), which holds at most half of it.
	NESTED_MEMORY_MIB=$((memory + 1024 > 2048 ? memory + 1024 : 2048))
	[ $((NESTED_MEMORY_MIB / 2)) -ge $((vu_mib * 2 + 256)) ] ||
		NESTED_MEMORY_MIB=$(((vu_mib * 2 + 256) * 2))
	export NESTED_MEMORY_MIB
fi
# A safety net only: about 2 minutes a run is usual.
export NESTED_TIMEOUT_S=${NESTED_TIMEOUT_S:-$((300 + reps * nvariants * 600 + kernel_reps * nkernel_variants * 120 +
	stock_reps * nstock_variants * 300))}
export NESTED_CONSOLE_LOG=$out/console.log
export NESTED_TEST_LOGS=$out/runs.log
rm -f "$NESTED_CONSOLE_LOG" "$NESTED_TEST_LOGS" "$out/table.md" "$out/bench.spec"

# The spec bootrun reads: bench.spec's blocks expanded, the settings put in.
if ! awk -f "$here/bench-spec.awk" "$here/bench.spec" |
	sed -e "s/@BENCH_MEMORY_MIB@/$memory/g" -e "s/@BENCH_BYTES@/$bytes/g" \
		-e "s/@BENCH_NET_BYTES@/$net_bytes/g" -e "s/@BENCH_ROUNDS@/$rounds/g" \
		-e "s/@BENCH_VU_MIB@/$vu_mib/g" -e "s/@BENCH_VU_FILES@/$vu_files/g" \
		> "$out/bench.spec"; then
	bench_fail "expanding tests/bench/bench.spec failed"
fi
if grep -n '@[A-Za-z_]*@\|^[[:space:]]*@[a-z]' "$out/bench.spec" >&2; then
	bench_fail "placeholders left in the expanded spec (above)"
fi

nested_init
conf=$(mktemp "$NESTED_ROOT/build/bench-conf.XXXXXX") || exit 2
# shellcheck disable=SC2064
trap "rm -f '$conf'; nested_cleanup" EXIT
{
	echo "# written by run-bench.sh"
	echo "BENCH_REPS=$reps"
	echo "BENCH_BYTES=$bytes"
	echo "BENCH_NET_BYTES=$net_bytes"
	echo "BENCH_VARIANTS='$variants'"
	echo "BENCH_BASELINE_NAME='${BENCH_BASELINE_NAME:-$(basename "${baseline:-none}")}'"
	echo "BENCH_ROUNDS=$rounds"
	echo "BENCH_MEMORY_MIB=$memory"
	echo "BENCH_VMMS='$vmms'"
	echo "BENCH_SETS='$sets'"
	echo "BENCH_VU_MIB=$vu_mib"
	echo "BENCH_VU_FILES=$vu_files"
	echo "BENCH_KERNEL_REPS=$kernel_reps"
	echo "BENCH_KERNEL_VARIANTS='$kernel_variants'"
	echo "BENCH_STOCK_REPS=$stock_reps"
	echo "BENCH_STOCK_VARIANTS='$stock_variants'"
	echo "BENCH_STOCK_PACKAGE='$stock_package'"
} > "$conf"

start=$(date +%s%N)
nested_build_initramfs "$here/bench-job.sh" "$minivmm=minivmm" \
	"$NESTED_ROOT/build/boot/bootrun=bootrun" "$images/bzImage=bzImage" \
	"$images/initramfs.cpio.gz=initramfs.cpio.gz" "$images/programs/vsock-tool=vsock-tool" \
	"$out/bench.spec=bench.spec" "$here/bench-host.sh=bench-host.sh" "$conf=bench.conf" \
	"$NESTED_HERE/vhost-user-host.sh=vhost-user-host.sh" \
	"$qemu_data/qboot.rom=qboot.rom" "$qemu_data/linuxboot_dma.bin=linuxboot_dma.bin" \
	"${kernel_files[@]}" "${baseline_files[@]}" ||
	bench_fail "building the nested host's initramfs failed"
echo "run-bench: $reps repetitions of ${variants:-nothing}; $bytes per vsock transfer," \
	"$net_bytes per TCP transfer, $rounds round trips, guest RAM $memory MiB," \
	"vhost-user $vu_mib MiB and $vu_files files; $kernel_reps boot-only rounds of" \
	"${kernel_variants:-nothing}; $stock_reps rounds of ${stock_variants:-nothing};" \
	"booting the nested host" \
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
