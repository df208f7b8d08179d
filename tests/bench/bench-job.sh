#!/bin/sh
# /job of the nested test host for `make bench` (run-bench.sh packs it, with
# bench.conf and the expanded bench.spec, into the outer initramfs). For each
# repetition it boots the guest once under each VMM of BENCH_VARIANTS (the
# list run-bench.sh made from BENCH_VMMS, BENCH_SETS, BENCH_MINIVMM_BASELINE
# and BENCH_TRACE): minivmm and QEMU (the vsock and network rows), both
# again with vhost-user devices (minivmm-vu, qemu-vu), and when asked for,
# the baseline minivmm (minivmm-baseline) and minivmm with --trace
# (minivmm-trace); in that order in odd repetitions and the reverse in even
# ones, so that none always runs on a freshly booted host. Each run is a
# separate bootrun of bench.spec. Then (set "kernels") BENCH_KERNEL_REPS
# rounds of boots only, of the demo kernel as bzImage and as vmlinux under
# each VMM (BENCH_KERNEL_VARIANTS, the order rotating each round), and (set
# "stock") BENCH_STOCK_REPS rounds of boots only of Debian's stock kernel
# under each VMM (BENCH_STOCK_VARIANTS: minivmm-stock, qemu-stock,
# alternating). Console lines for bench-table.awk:
#   BENCH-INFO key=value...            the machine and the programs
#   BENCH-WARMUP vmm=NAME              an unmeasured boot before the first
#                                      repetition; its output is not counted
#   BENCH-RUN rep=N vmm=NAME           a run starts; bootrun's output follows
#                                      (NAME: one of BENCH_VARIANTS)
#   BENCH-LOG rep=N vmm=NAME: LINE     minivmm's boot-timer and stats lines, the
#                                      guest kernel's "APIC timer disabled", and
#                                      the nested host's huge-page and compaction
#                                      counters over the run
#   BENCH-CHECK rep=N vmm=NAME data=ok every transfer arrived intact
#   BENCH-RETRY rep=N vmm=NAME status=S  that attempt failed; it is run again
#                                      (once: BENCH_RETRIES), and only the last
#                                      attempt's figures count
#   BENCH-END rep=N vmm=NAME status=S  0: every step passed and the data checked
#   BENCH-KRUN rep=N variant=V         a boot-only run of variant V (VMM-KERNEL,
#                                      e.g. minivmm-vmlinux, qemu-stock) starts; with its
#                                      BENCH-LOG lines, and BENCH-KEND rep=N
#                                      variant=V status=S at its end
# Exit status: 0 when every run passed, 1 when one failed, 3 when the host
# could not be set up.
set -u
PATH=/bin:/usr/bin
# shellcheck source=/dev/null # written by run-bench.sh
. /carry/bench.conf || exit 3
export MINIVMM=/carry/minivmm GUEST_KERNEL=/carry/bzImage GUEST_VMLINUX=/carry/vmlinux
export GUEST_INITRD=/carry/initramfs.cpio.gz
# Debian's stock kernel and its initramfs (set "stock", when carried in).
export STOCK_KERNEL=/carry/stock-vmlinuz STOCK_INITRD=/carry/stock-initramfs.cpio.gz
# The host steps find the VMM by its process name: the baseline runs as
# "minivmm" too, from a directory of its own.
if [ -r /carry/minivmm-baseline ]; then
	mkdir -p /tmp/baseline && cp /carry/minivmm-baseline /tmp/baseline/minivmm || exit 3
	export MINIVMM_BASELINE=/tmp/baseline/minivmm
fi

/carry/bench-host.sh setup || exit 3
# The network: one persistent tap for every run (each VMM is given it and
# leaves it as it was), the nested host's end on a link-local address.
if ! { tunctl -t mvbench0 > /dev/null && ip addr add 169.254.3.1/24 dev mvbench0 &&
	ip link set mvbench0 up; }; then
	echo "bench-job: cannot set up the tap mvbench0"
	exit 3
fi

model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "BENCH-INFO nested_nproc=$(nproc) nested_cpu=$model"
echo "BENCH-INFO nested_kernel=$(uname -r)"
echo "BENCH-INFO minivmm=$($MINIVMM --version 2>&1 | head -n 1)"
echo "BENCH-INFO qemu=$(qemu-system-x86_64 --version 2>&1 | head -n 1)"
if [ -n "${MINIVMM_BASELINE:-}" ]; then
	echo "BENCH-INFO minivmm-baseline=$BENCH_BASELINE_NAME ($($MINIVMM_BASELINE --version 2>&1 | head -n 1))"
fi
echo "BENCH-INFO nested_thp=enabled:$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)" \
	"defrag:$(cat /sys/kernel/mm/transparent_hugepage/defrag 2>/dev/null)"
echo "BENCH-INFO reps=$BENCH_REPS memory_mib=$BENCH_MEMORY_MIB bytes=$BENCH_BYTES net_bytes=$BENCH_NET_BYTES rounds=$BENCH_ROUNDS" \
	"kernel_reps=$BENCH_KERNEL_REPS"
echo "BENCH-INFO variants=$BENCH_VARIANTS"
echo "BENCH-INFO kernel_variants=$BENCH_KERNEL_VARIANTS"
if [ -n "$BENCH_STOCK_VARIANTS" ]; then
	echo "BENCH-INFO stock_reps=$BENCH_STOCK_REPS stock_variants=$BENCH_STOCK_VARIANTS" \
		"stock_kernel=$BENCH_STOCK_PACKAGE"
fi
case " $BENCH_VARIANTS " in
*-vu\ *)
	echo "BENCH-INFO vu_mib=$BENCH_VU_MIB vu_files=$BENCH_VU_FILES" \
		"virtiofsd=$(/usr/lib/qemu/virtiofsd --version 2>&1 | head -n 1 | tr ' ' _)" \
		"qemu_storage_daemon=$(qemu-storage-daemon --version 2>&1 | head -n 1 | tr ' ' _)" ;;
esac

# Every transfer arrived whole: the checksums the senders printed are the
# ones the receivers printed (host side from bench-host.sh, guest side from
# the files the guest showed at the end). $2 transfers: 2 over vsock, and 2
# more over the network (other seeds, so other checksums).
check_data() {
	tr -d '\r' < "$1" | grep -o 'send: [0-9]* bytes checksum 0x[0-9a-f]*' |
		sort -u > /tmp/bench-sent
	tr -d '\r' < "$1" | grep -o 'recv: [0-9]* bytes checksum 0x[0-9a-f]*' |
		sed 's/^recv/send/' | sort -u > /tmp/bench-received
	[ "$(wc -l < /tmp/bench-sent)" -eq "$2" ] && cmp -s /tmp/bench-sent /tmp/bench-received
}

# The nested host's memory-management counters that can stall a boot: huge
# page faults served and refused, and direct compaction (a fault that had to
# move pages to find 2 MiB). Printed per run as their change over the run.
mm_counters() {
	grep -E '^(thp_fault_alloc|thp_fault_fallback|compact_stall|compact_fail|pgmajfault) ' \
		/proc/vmstat | tr '\n' ' '
}

mm_delta() {
	echo "$1 $2" | awk '{ n = NF / 4
		for (i = 1; i <= n * 2; i += 2) { before[$i] = $(i + 1) }
		for (; i <= NF; i += 2) { printf "%s=%d ", $i, $(i + 1) - before[$i] } }'
}

# The boot-timer and stats lines of minivmm's run, from its log.
log_lines() {
	tr -d '\r' < "$2" |
		grep -a "boot-timer:\|minivmm: stats:\|APIC timer disabled" |
		sed "s/^/BENCH-LOG rep=$rep $1: /"
}

# One bootrun of bench.spec for VMM; sets status and log.
run_once() {
	log=/tmp/bench-logs/$1.log
	rm -f "$log"
	mm_before=$(mm_counters)
	/carry/bootrun -l /tmp/bench-logs /carry/bench.spec "$1"
	status=$?
	echo "BENCH-LOG rep=$rep vmm=$1: nested host mm during the run:" \
		"$(mm_delta "$mm_before" "$(mm_counters)")" \
		"free 2 MiB blocks now: $(awk '{ t += $14 + 2 * $15 } END { print t }' /proc/buddyinfo)"
	log_lines "vmm=$1" "$log"
	# The vhost-user runs carry no checksummed data: theirs is checked by
	# the boot tests (tests/boot/vhost-user-tests.spec).
	transfers=4
	[ "$1" = minivmm-baseline ] && transfers=2
	if [ "$status" -eq 0 ] && [ "${1%-vu}" = "$1" ]; then
		if check_data "$log" "$transfers"; then
			echo "BENCH-CHECK rep=$rep vmm=$1 data=ok"
		else
			echo "BENCH-CHECK rep=$rep vmm=$1 data=MISMATCH:" \
				"$(cat /tmp/bench-sent) / $(cat /tmp/bench-received)"
			status=1
		fi
	fi
}

# One boot-only bootrun of bench.spec's test VARIANT (minivmm-vmlinux...).
run_kernel_once() {
	log=/tmp/bench-logs/$1.log
	rm -f "$log"
	echo "BENCH-KRUN rep=$rep variant=$1"
	/carry/bootrun -l /tmp/bench-logs /carry/bench.spec "$1"
	status=$?
	log_lines "variant=$1" "$log"
	echo "BENCH-KEND rep=$rep variant=$1 status=$status"
	cp "$log" "/tmp/boot-logs/kernel-rep$rep-$1.log" 2>/dev/null
}

mkdir -p /tmp/bench-logs /tmp/boot-logs
# One unmeasured boot of each VMM first. The nested host's first guest boot
# has been its fastest in every run (docs/benchmarks.md), and repetition 1
# would always give it to minivmm.
for vmm in $BENCH_VMMS; do
	echo "BENCH-WARMUP vmm=$vmm"
	/carry/bootrun -l /tmp/bench-logs /carry/bench.spec "warmup-$vmm" ||
		echo "BENCH-WARMUP vmm=$vmm failed (status $?, not counted)"
done
failed=0
rep=1
[ -n "$BENCH_VARIANTS" ] || rep=$((BENCH_REPS + 1))
while [ "$rep" -le "$BENCH_REPS" ]; do
	order=$BENCH_VARIANTS
	if [ $((rep % 2)) -eq 0 ]; then
		# shellcheck disable=SC2086 # the list, reversed
		order=$(for v in $BENCH_VARIANTS; do echo "$v"; done | tac | tr '\n' ' ')
	fi
	for vmm in $order; do
		attempt=0
		while :; do
			echo "BENCH-RUN rep=$rep vmm=$vmm"
			run_once "$vmm"
			attempt=$((attempt + 1))
			[ "$status" -eq 0 ] || [ "$attempt" -gt "${BENCH_RETRIES:-1}" ] && break
			# A stalled guest (both VMMs have had a ping go unanswered
			# for 30 s under the emulator, docs/benchmarks.md) should not
			# cost the whole repetition; the retry is counted in the table.
			echo "BENCH-RETRY rep=$rep vmm=$vmm status=$status"
			cp "$log" "/tmp/boot-logs/rep$rep-$vmm-failed.log" 2>/dev/null
		done
		echo "BENCH-END rep=$rep vmm=$vmm status=$status"
		[ "$status" -eq 0 ] || failed=1
		cp "$log" "/tmp/boot-logs/rep$rep-$vmm.log" 2>/dev/null
	done
	rep=$((rep + 1))
done
# Boot-only rounds: ROUNDS rounds of the VARIANTS; each round starts one
# variant later, so that each takes each place in the order once every N
# rounds (N variants; with two, they alternate). No retries: a boot has no
# transfer to stall, and a failed boot shows as failed in the table.
boot_rounds() {
	rep=1
	[ -n "$2" ] || return 0
	while [ "$rep" -le "$1" ]; do
		# shellcheck disable=SC2086 # the list, rotated
		order=$(echo $2 | awk -v r="$rep" '{ s = (r - 1) % NF
			for (i = 0; i < NF; i++) printf "%s ", $((s + i) % NF + 1) }')
		for variant in $order; do
			run_kernel_once "$variant"
			[ "$status" -eq 0 ] || failed=1
		done
		rep=$((rep + 1))
	done
}
# Boot by kernel image (set "kernels"), then Debian's stock kernel (set
# "stock": minivmm-stock, qemu-stock).
boot_rounds "$BENCH_KERNEL_REPS" "$BENCH_KERNEL_VARIANTS"
boot_rounds "$BENCH_STOCK_REPS" "$BENCH_STOCK_VARIANTS"
exit $failed
