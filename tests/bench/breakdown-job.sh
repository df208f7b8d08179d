#!/bin/sh
# /job of the nested test host for the boot breakdown (run-breakdown.sh packs
# it). Boots the demo guest once under minivmm and once under QEMU's microvm
# (breakdown.spec), with the host kernel's kvm tracepoints recording every
# exit, then prints for each VMM the phases of its boot with their exits
# (breakdown-trace.awk). Console lines for breakdown-table.awk:
#   BD-INFO key=value...                 the machine and the programs
#   BD-RUN vmm=NAME status=S             bootrun's status for that boot
#   BD-PHASE vmm=NAME ...                one phase (see breakdown-trace.awk)
#   BD-SLOW/BD-INITCALLS/BD-FIRST-CALL vmm=NAME ...   the guest's initcalls
#   BD-LOG vmm=NAME: LINE                minivmm's boot-timer and stats lines
# Exit status: 0 when both boots passed and were analysed, 1 otherwise, 3 when
# the host could not be set up.
set -u
PATH=/bin:/usr/bin
TRACE=/sys/kernel/tracing
export MINIVMM=/carry/minivmm GUEST_KERNEL=/carry/bzImage
export GUEST_INITRD=/carry/initramfs.cpio.gz
# QEMU's machine and the extra command-line words: the demo kernel's unless
# run-breakdown.sh says otherwise (BREAKDOWN_KERNEL=stock).
export BREAKDOWN_QEMU_MACHINE="${BREAKDOWN_QEMU_MACHINE:-microvm,acpi=off}"
export BREAKDOWN_CMDLINE="${BREAKDOWN_CMDLINE:-}"

if [ ! -d "$TRACE/events" ]; then
	mount -t tracefs tracefs "$TRACE" || exit 3
fi
echo 0 > "$TRACE/tracing_on" || exit 3
# A boot is about 10^5 events; 64 MiB per CPU holds several times that, and
# losses are reported (overrun=) in any case.
echo 65536 > "$TRACE/buffer_size_kb" || exit 3
# kvm_exit: every exit from the guest (reason, guest RIP), handled in the
# kernel or not; kvm_userspace_exit: those that return to the VMM; kvm_pio,
# kvm_mmio: the port or address.
for event in kvm_exit kvm_userspace_exit kvm_pio kvm_mmio; do
	echo 1 > "$TRACE/events/kvm/$event/enable" || exit 3
done

echo "BD-INFO nested_nproc=$(nproc) nested_kernel=$(uname -r)"
echo "BD-INFO minivmm=$($MINIVMM --version 2>&1 | head -n 1)"
echo "BD-INFO qemu=$(qemu-system-x86_64 --version 2>&1 | head -n 1)"
# The nested host's TSC frequency, which KVM gives its guests through kvm-clock.
dmesg | grep -i 'tsc' | sed 's/^/BD-INFO nested host: /'
grep -m1 'cpu MHz' /proc/cpuinfo | sed 's/^/BD-INFO nested host: /'

mkdir -p /tmp/bench-logs /tmp/boot-logs
failed=0
for vmm in ${BREAKDOWN_ORDER:-minivmm qemu}; do
	: > "$TRACE/trace"
	echo 1 > "$TRACE/tracing_on"
	/carry/bootrun -l /tmp/bench-logs /carry/breakdown.spec "$vmm"
	status=$?
	echo 0 > "$TRACE/tracing_on"
	echo "BD-RUN vmm=$vmm status=$status"
	log=/tmp/bench-logs/$vmm.log
	cp "$log" "/tmp/boot-logs/$vmm.log" 2>/dev/null
	overrun=$(awk '$1 == "overrun:" { n += $2 } END { print n + 0 }' "$TRACE"/per_cpu/cpu*/stats)
	cat "$TRACE/trace" > /tmp/trace.txt
	echo "BD-INFO vmm=$vmm trace_lines=$(wc -l < /tmp/trace.txt) overrun=$overrun"
	tr -d '\r' < "$log" > /tmp/guest.log
	grep -a -m1 "tsc: Detected" /tmp/guest.log | sed "s/^/BD-INFO vmm=$vmm guest: /"
	grep -a "boot-timer:\|minivmm: stats:" /tmp/guest.log | sed "s/^/BD-LOG vmm=$vmm: /"
	grep -a -E '^BD-(FIRST-CALL|SLOW|INITCALLS) ' /tmp/guest.log | sed "s/^\(BD-[A-Z-]*\) /\1 vmm=$vmm /"
	if ! awk -v vmm="$vmm" -f /carry/breakdown-trace.awk /tmp/guest.log /tmp/trace.txt /tmp/trace.txt; then
		echo "BD-ERROR vmm=$vmm: the trace could not be analysed"
		failed=1
	fi
	[ "$status" -eq 0 ] || failed=1
	[ "$overrun" -eq 0 ] || failed=1
done
exit $failed
