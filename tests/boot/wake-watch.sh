#!/usr/bin/env bash
# wake-watch.sh SOCKET REPORT: repairs QEMU's lost wake-ups of the nested
# test host's CPU while that QEMU runs; nested_run starts it.
#
# QEMU 7.2's TCG (nested SVM, one vCPU) was seen to leave a timer interrupt
# in the local APIC, never taken, for seconds while its vCPU ran the nested
# guests and for minutes once it halted (docs/testing.md, "The outer VM's
# lost wake-up"). The whole outer VM, minivmm and its guests with it, then
# stalls until some other interrupt comes. This script asks
# QEMU's monitor (SOCKET, a Unix socket of its own) every WAKE_WATCH_S
# seconds (default 3) for the CPU's registers and local APIC, and lets
# lost-wakeup.awk judge them. When two samples in a row find the same
# interrupt waiting that the CPU should have taken, with its timer not
# re-armed in between (the interrupt was never taken), it sends the outer VM a
# key press (Shift: an interrupt from the keyboard controller, which wakes
# the CPU and types nothing) and reports it:
#   - one line on stderr: "nested-host: *** ENVIRONMENT REPAIR: ...";
#   - the same line appended to REPORT, and to NESTED_REPAIR_LOG when set
#     (tests/run-all.sh counts those in its total line).
# It changes no test's verdict: a test that fails still fails. Ends when
# SOCKET goes away or its parent (the nested_run shell) ends.
# WAKE_WATCH_SAMPLES=FILE appends every sample and its verdict to FILE.
# It judges the monitor's current CPU, CPU 0: all of the nested host with
# NESTED_CPUS=1 (the default), only its first CPU with more.
set -u
sock=$1 report=$2
here=$(cd "$(dirname "$0")" && pwd)
period=${WAKE_WATCH_S:-3}
parent=$PPID

monitor() {
	printf '%s\n' "$@" | timeout 10 socat -t 2 - "UNIX-CONNECT:$sock" 2>/dev/null
}

# Wait for QEMU to create the socket.
for _ in $(seq 1 300); do
	[ -S "$sock" ] && break
	kill -0 "$parent" 2>/dev/null || exit 0
	sleep 0.2
done
previous=
while [ -S "$sock" ] && kill -0 "$parent" 2>/dev/null; do
	sleep "$period"
	sample=$(monitor 'info registers' 'info lapic' | tr -d '\r')
	verdict=$(awk -f "$here/lost-wakeup.awk" <<< "$sample")
	[ -n "${WAKE_WATCH_SAMPLES:-}" ] &&
		printf '=== %s %s\n%s\n' "$(date +%T)" "$verdict" "$sample" >> "$WAKE_WATCH_SAMPLES"
	# "waiting VECTOR COUNT STATE...": the same vector and timer count twice.
	key=$(cut -d' ' -f1-3 <<< "$verdict")
	case "$verdict" in
	waiting\ *)
		if [ "$key" = "$previous" ]; then
			state=$(cut -d' ' -f4- <<< "$verdict")
			line="nested-host: *** ENVIRONMENT REPAIR: $(date +%T): QEMU did not deliver"
			line+=" interrupt vector $(cut -d' ' -f2 <<< "$verdict") to the outer CPU ($state)"
			line+=" for ${period}+ s (its lost wake-up, docs/testing.md); woke it with a key press"
			monitor 'sendkey shift' > /dev/null
			echo "$line" >&2
			echo "$line" >> "$report"
			[ -n "${NESTED_REPAIR_LOG:-}" ] && echo "$line" >> "$NESTED_REPAIR_LOG"
			previous=
			continue
		fi ;;
	esac
	previous=$key
done
exit 0
