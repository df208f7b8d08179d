#!/usr/bin/env bash
# Layer 2 tests: tiny guest programs (tests/kvm/guests/*.S, built as minimal
# bzImages) and bad inputs, run through minivmm on the local /dev/kvm.
# Usage: run-tests.sh MINIVMM   (prints "N passed, N failed"; exit 1 on failure)
set -u
minivmm=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
img=$here/out
tmp=$(mktemp -d "${TMPDIR:-/tmp}/minivmm-kvm-tests.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
skipped=0

if [ ! -c /dev/kvm ] || ! [ -r /dev/kvm -a -w /dev/kvm ]; then
	echo "test-kvm: /dev/kvm is not usable on this machine; these tests need it" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

# run NAME STDIN_TEXT ARGS...: runs minivmm with a time limit, leaving
# $status, $tmp/out and $tmp/err.
run() {
	local input=$1
	shift
	printf '%b' "$input" | timeout -k 5 30 "$minivmm" "$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
}

pass() { echo "PASS $1"; passed=$((passed + 1)); }
# A capability this host lacks: not a pass, not a failure; counted.
skip() { echo "SKIP $1: $2"; skipped=$((skipped + 1)); }

# wait_for FILE PATTERN [SECONDS]: until grep finds PATTERN in FILE (an
# event, not a guess at how long the guest takes), at most SECONDS (30).
wait_for() {
	local i
	for ((i = 0; i < ${3:-30} * 10; i++)); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
fail() {
	echo "FAIL $1: $2"
	echo "  --- stdout:"; sed 's/^/  | /' "$tmp/out" | head -30
	echo "  --- stderr:"; sed 's/^/  | /' "$tmp/err" | head -30
	failed=$((failed + 1))
}

# expect NAME STATUS [grep -E pattern on stdout] [pattern on stderr] [pattern that must NOT be on stderr]
expect() {
	local name=$1 want=$2 out_pat=${3:-} err_pat=${4:-} err_absent=${5:-}
	if grep -q 'AddressSanitizer\|runtime error:\|LeakSanitizer' "$tmp/err"; then
		fail "$name" "sanitizer report"
	elif [ "$status" -ne "$want" ]; then
		fail "$name" "exit status $status, expected $want"
	elif [ -n "$out_pat" ] && ! grep -Eq -- "$out_pat" "$tmp/out"; then
		fail "$name" "stdout lacks /$out_pat/"
	elif [ -n "$err_pat" ] && ! grep -Eq -- "$err_pat" "$tmp/err"; then
		fail "$name" "stderr lacks /$err_pat/"
	elif [ -n "$err_absent" ] && grep -Eq -- "$err_absent" "$tmp/err"; then
		fail "$name" "stderr has /$err_absent/"
	else
		pass "$name"
	fi
}

# plan_problem: why the guest output in $tmp/out breaks its plan, or nothing
# when it kept it. A guest that makes checks says first how many ("plan N",
# N > 0, its first line, like a TAP plan), then prints "ok ..." or "FAIL ..."
# for each: kept means no FAIL line and exactly N ok lines, so a check that
# never ran is as visible as one that failed.
plan_problem() {
	local plan oks fails
	plan=$(head -n 1 "$tmp/out" | tr -d '\r' | sed -n 's/^plan \([1-9][0-9]*\)$/\1/p')
	oks=$(grep -c '^ok ' "$tmp/out")
	fails=$(grep -c '^FAIL' "$tmp/out")
	if [ -z "$plan" ]; then
		echo "the guest's first line is not 'plan N' (N > 0): $(head -n 1 "$tmp/out" | tr -d '\r' | head -c 60)"
	elif [ "$fails" -ne 0 ]; then
		echo "$fails of the guest's $plan checks failed"
	elif [ "$oks" -ne "$plan" ]; then
		echo "$oks ok lines, but the guest's plan is $plan"
	fi
}

# --- guest programs ---------------------------------------------------------
run "" --kernel "$img/hello.bzImage"
expect uart-output-reaches-stdout 0 '^hello from a tiny guest' '' '.'

run "" --kernel "$img/unhandled_io.bzImage"
expect unhandled-io-does-not-stop-guest 0 'still running after unhandled I/O' '' '.'

run "" --kernel "$img/unhandled_io.bzImage" --debug
expect unhandled-io-logged-with-debug 0 'still running' \
	'unhandled port write: port 0x1234'

run "" --kernel "$img/unhandled_io.bzImage" --debug
expect unhandled-mmio-logged-with-debug 0 'still running' \
	'unhandled MMIO read: address 0xc0001000'

run "" --kernel "$img/poweroff.bzImage"
expect acpi-poweroff-exits-0 0 'powering off' '' '.'
if grep -q 'still running after power off' "$tmp/out"; then
	fail acpi-poweroff-stops-immediately "guest ran on after the S5 write"
else
	pass acpi-poweroff-stops-immediately
fi

# --- the exit status contract: the guest's verdict, a halted guest ---------------
# The exit port (0x501): the verdict N written by the guest (the last word
# of its command line) becomes the exit status: 0 for 0, 64 + N for 1 to
# 62, 127 from 63 up (lib/exit_status.h, docs/ci.md).
for v in 0 1 5 62 63 255; do
	case $v in
	0) want=0 ;;
	63 | 255) want=127 ;;
	*) want=$((64 + v)) ;;
	esac
	run "" --kernel "$img/exit_port.bzImage" --cmdline "$v"
	if [ "$v" = 0 ]; then
		expect "exit-port-verdict-$v-status-$want" "$want" '^writing my verdict' '' '.'
	else
		expect "exit-port-verdict-$v-status-$want" "$want" '^writing my verdict' \
			"the guest reported failure $v on the exit port \\(exit status $want\\)"
	fi
	if grep -q 'still running after' "$tmp/out"; then
		fail "exit-port-verdict-$v-stops-at-once" "the guest ran on after its verdict"
	fi
done

# A guest halted with interrupts disabled can never run again: minivmm
# notices by itself (vmm/halt_watch.h) and exits with 3; with --cpus 2
# the second vCPU, never started, cannot wake it either. run's time limit
# (30 s) is the bound; the time taken is printed (docs/ci.md).
for cpus in 1 2; do
	t0=$(date +%s%N)
	run "" --kernel "$img/halt_dead.bzImage" --cpus "$cpus" --stats
	ms=$((($(date +%s%N) - t0) / 1000000))
	expect "halted-guest-$cpus-cpus-exits-3" 3 '^halting with interrupts disabled' \
		'the guest halted for good: every vCPU is halted with interrupts disabled'
	echo "  halted guest, $cpus vCPU(s): minivmm exited after $ms ms;" \
		"$(grep -o 'seen [0-9.]* s after its last exit' "$tmp/err")"
done

# An idle guest (HLT with interrupts enabled) is not halted for good: it
# runs through every probe of the halt watch (the fifth is due 31 s after
# its last exit; --debug logs each answer) and still runs after them.
: >"$tmp/out"
: >"$tmp/err"
"$minivmm" --kernel "$img/halt_idle.bzImage" --debug --stats </dev/null >"$tmp/out" 2>"$tmp/err" &
pid=$!
probed=
wait_for "$tmp/err" 'halt watch: probe 5 round [0-9]*: vCPU 0' 90 && probed=1
alive=no
kill -0 "$pid" 2>/dev/null && alive=yes
kill -s TERM "$pid"
wait "$pid"
status=$?
expect idle-guest-runs-on 143 '^idle: halted with interrupts enabled' 'stopped by signal' \
	'halted for good'
if [ -z "$probed" ]; then
	fail idle-guest-probed-and-left-running "no fifth probe within 90 s"
elif [ "$alive" != yes ] || [ "$(grep -c 'halt watch: probe [0-9] round [0-9]*: vCPU 0 halted, interrupts enabled (idle)' "$tmp/err")" -ne 5 ]; then
	fail idle-guest-probed-and-left-running "alive: $alive; answers: $(grep -c 'halt watch: probe' "$tmp/err"), expected 5 'idle'"
else
	pass idle-guest-probed-and-left-running
fi

run "" --kernel "$img/triple_fault.bzImage"
expect triple-fault-exits-1-with-registers 1 'about to triple fault' \
	'triple fault.*' 
expect triple-fault-register-dump 1 '' 'rip [0-9a-f]{16}'

run "" --kernel "$img/panic_reset.bzImage"
expect panic-reset-exits-1 1 'Kernel panic' 'guest kernel panicked'

run "abc-xyz\n" --kernel "$img/echo_input.bzImage"
expect stdin-reaches-guest 0 'ABC-XYZ' '' '.'

# Input arrives after the prompt, as a person would type it.
: >"$tmp/out"
(wait_for "$tmp/out" 'type a line'; printf 'ab\001xcd\n') | timeout -k 5 30 "$minivmm" \
	--kernel "$img/echo_input.bzImage" >"$tmp/out" 2>"$tmp/err"
status=$?
expect ctrl-a-x-quits 0 'type a line' '' '.'
if grep -q 'CD\|end of line' "$tmp/out"; then
	fail ctrl-a-x-drops-later-input "input after Ctrl-A x reached the guest"
else
	pass ctrl-a-x-drops-later-input
fi

# A guest waiting for input forever; SIGTERM must end minivmm cleanly.
for sig in TERM INT; do
	: >"$tmp/out"
	(wait_for "$tmp/out" 'type a line'; sleep 1) | "$minivmm" --kernel "$img/echo_input.bzImage" \
		>"$tmp/out" 2>"$tmp/err" &
	pid=$!
	# Once the guest waits for input (its prompt is out), not a guess.
	wait_for "$tmp/out" 'type a line'
	kill -s "$sig" "$pid"
	wait "$pid"
	status=$?
	want=$((128 + $(kill -l "$sig")))
	expect "sig$sig-stops-cleanly" "$want" 'type a line' "stopped by signal"
done

run "" --kernel "$img/entry_state.bzImage"
why=$(plan_problem)
if [ -n "$why" ]; then
	fail entry-state-matches-boot-protocol "$why"
else
	expect entry-state-matches-boot-protocol 0 'entry state checked'
fi

run "" --kernel "$img/entry_state.bzImage" --memory 3584
why=$(plan_problem)
if [ -n "$why" ]; then
	fail entry-state-with-ram-above-4g "$why"
else
	expect entry-state-with-ram-above-4g 0 'entry state checked' '' 'FAIL'
fi

# --- a vmlinux through its PVH entry (boot/vmlinux.c, boot/loader_pvh.c) ------
# pvh_start_info is a handmade ELF (guests/pvh.h) whose 32-bit code checks
# the machine state and hvm_start_info against what it was told: 64 MiB,
# the command-line word pvh-check, a 4096-byte initrd starting "PVHINITR".
# It writes the number of failed checks to the exit port (0: status 0).
{ printf 'PVHINITR'; head -c 4088 /dev/zero; } >"$tmp/pvh-initrd"
run "" --kernel "$img/pvh_start_info.vmlinux" --memory 64 --cmdline pvh-check \
	--initrd "$tmp/pvh-initrd"
why=$(plan_problem)
if [ -n "$why" ]; then
	fail pvh-entry-state-and-start-info "$why"
else
	expect pvh-entry-state-and-start-info 0 'start info checked' '' '.'
fi
# The guest's checks can fail: told something else than it expects, it
# names the check and reports one failure (exit status 64 + 1).
pvh_expect_one_failure() {
	local name=$1 check=$2
	if [ "$(grep -c '^FAIL' "$tmp/out")" -ne 1 ]; then
		fail "$name" "expected exactly one FAIL line (the $check check)"
	else
		expect "$name" 65 "^FAIL $check" 'the guest reported failure 1 on the exit port'
	fi
}
run "" --kernel "$img/pvh_start_info.vmlinux" --memory 128 --cmdline pvh-check \
	--initrd "$tmp/pvh-initrd"
pvh_expect_one_failure pvh-guest-notices-other-memory-size 'memory map has RAM from 1 MiB to 64 MiB'
run "" --kernel "$img/pvh_start_info.vmlinux" --memory 64 --cmdline pvh-other \
	--initrd "$tmp/pvh-initrd"
pvh_expect_one_failure pvh-guest-notices-other-cmdline 'cmdline_paddr'
{ printf 'PVHINITX'; head -c 4088 /dev/zero; } >"$tmp/pvh-initrd-other"
run "" --kernel "$img/pvh_start_info.vmlinux" --memory 64 --cmdline pvh-check \
	--initrd "$tmp/pvh-initrd-other"
pvh_expect_one_failure pvh-guest-notices-other-initrd-bytes 'module 0 holds the initrd'
run "" --kernel "$img/pvh_start_info.vmlinux" --memory 64 --cmdline pvh-check
if grep -q '^FAIL one module' "$tmp/out" && grep -q '^FAIL module 0' "$tmp/out"; then
	expect pvh-guest-notices-missing-initrd 66 '' 'the guest reported failure 2 on the exit port'
else
	fail pvh-guest-notices-missing-initrd "no FAIL lines for the module checks"
fi
# --trace=boot tells the PVH path's story too, in the order it is written.
run "" --kernel "$img/pvh_start_info.vmlinux" --memory 64 --cmdline pvh-check \
	--initrd "$tmp/pvh-initrd" --trace=boot --trace-file "$tmp/pvh-trace"
sed -n 's/^\[ *[0-9]*\.[0-9]*\] //p' "$tmp/pvh-trace" >"$tmp/pvh-trace.got"
missing=
at=0
for want in 'boot: memory: kernel segment 1 of 1 (2512 bytes from the ELF file, 4096 more zeroed) written at 0x200000-0x2019cf' \
	'boot: memory: command line at 0x20000 (hvm_start_info.cmdline_paddr): "console=ttyS0' \
	'boot: memory: initrd (4096 bytes) written at' 'boot: memory: MP table' \
	'boot: memory: ACPI tables' 'boot: memory: GDT at 0x500 for the PVH entry' \
	'boot: memory: hvm_start_info at 0x7000 (magic 0x336ec578, version 1)' \
	'boot: memory: module 0 at 0x7038: the initrd' \
	'boot: memory: memory map entry 2: 0x100000-0x3ffffff usable RAM' \
	'boot: entry: vCPU 0 will start at 0x2000c8 (the ELF note XEN_ELFNOTE_PHYS32_ENTRY) in 32-bit protected mode with paging off, EBX = 0x7000'; do
	line=$(grep -nF -- "$want" "$tmp/pvh-trace.got" | head -n 1 | cut -d: -f1)
	if [ -z "$line" ] || [ "$line" -le "$at" ]; then
		missing="$missing [$want]"
	else
		at=$line
	fi
done
if [ "$status" -ne 0 ]; then
	fail pvh-trace-boot-timeline "exit status $status, expected 0"
elif [ -n "$missing" ]; then
	fail pvh-trace-boot-timeline "the boot trace lacks, in order:$missing"
else
	pass pvh-trace-boot-timeline
fi

run "" --kernel "$img/boot_timer.bzImage" --boot-timer
expect boot-timer-first-userspace 0 'marks written' 'boot-timer: first userspace instruction at [0-9.]+ ms'
expect boot-timer-boot-complete 0 '' 'boot-timer: boot complete at [0-9.]+ ms'
# minivmm's own set-up comes first, then the guest's milestones, in order.
marks=$(sed -n -e 's/.*boot-timer: vCPUs started at \([0-9.]*\) ms.*/\1/p' \
	-e 's/.*boot-timer: first userspace instruction at \([0-9.]*\) ms.*/\1/p' \
	-e 's/.*boot-timer: boot complete at \([0-9.]*\) ms.*/\1/p' "$tmp/err" | tr '\n' ' ')
if echo "$marks" | awk 'NF == 3 && $1 > 0 && $1 <= $2 && $2 <= $3 { ok = 1 } END { exit !ok }'; then
	pass boot-timer-vcpus-started-first
else
	fail boot-timer-vcpus-started-first "marks (vCPUs started, userspace, complete): '$marks'"
fi
run "" --kernel "$img/boot_timer.bzImage"
expect boot-timer-silent-without-option 0 'marks written' '' 'boot-timer'

# --- coalesced UART output ----------------------------------------------------
# While the UART's THR-empty interrupt is disabled, KVM appends THR writes to
# its coalesced PIO ring instead of exiting, and minivmm replays them before
# handling any exit (docs/architecture.md, "Coalesced UART output"). That
# needs KVM_CAP_COALESCED_MMIO and KVM_CAP_COALESCED_PIO; without them
# minivmm says so under --debug ("KVM lacks KVM_CAP_COALESCED_PIO: every
# UART write exits to minivmm"), and the tests of the deferral itself are
# skipped (the output must still be right).
run "" --kernel "$img/hello.bzImage" --debug
no_coalescing=$(sed -n 's/.*\(KVM lacks KVM_CAP_COALESCED_[A-Z]*\): every UART write exits to minivmm.*/\1/p' \
	"$tmp/err" | head -n 1)
[ -n "$no_coalescing" ] && echo "  $no_coalescing: the coalesced-output counts are not checked"
# stat_value NAME: the figure NAME= on the --stats line of the last run.
stat_value() { sed -n "s/.*stats: .* $1=\([0-9]*\) .*/\1/p" "$tmp/err"; }
coalesced_expected() {
	awk 'BEGIN {
		for (i = 0; i < 64; i++) {
			for (j = 0; j < 62; j++)
				printf "%c", 33 + (i + j) % 94
			printf "\r\n"
		}
		printf "divisor ok\r\nTHR-empty interrupt enabled: these bytes exit\r\nend\r\n"
	}'
}
# 4 KiB written the way Linux's console writes (IER = 0, poll LSR, write THR),
# then the divisor latch, a line with ETBEI set and one more without.
run "" --kernel "$img/coalesced_output.bzImage" --stats
expect coalesced-dll-writes-read-back 0 '^divisor ok' 'coalesced_writes=' 'warning'
coalesced_expected >"$tmp/expected"
if ! cmp -s "$tmp/out" "$tmp/expected"; then
	fail coalesced-output-every-byte-in-order "stdout is not the expected \
$(wc -c <"$tmp/expected") bytes: $(cmp "$tmp/out" "$tmp/expected" 2>&1)"
else
	pass coalesced-output-every-byte-in-order
fi
pio=$(stat_value pio_exits)
coalesced=$(stat_value coalesced_writes)
echo "  coalesced output: pio_exits=$pio coalesced_writes=$coalesced for 4160 bytes"
# Deferred: 4096 + 12 ("divisor ok\r\n") + 5 ("end\r\n") THR writes and the
# three DLL writes. Not deferred: the 47 bytes written with ETBEI set.
if [ -n "$no_coalescing" ]; then
	skip coalesced-only-while-etbei-clear "$no_coalescing"
elif [ "$coalesced" != 4116 ]; then
	fail coalesced-only-while-etbei-clear "coalesced_writes=$coalesced, expected 4116"
else
	pass coalesced-only-while-etbei-clear
fi
# Without coalescing every byte cost two exits (LSR read, THR write): about
# 8,330 here. Now the THR writes with ETBEI clear exit no more.
if [ -n "$no_coalescing" ]; then
	skip coalesced-thr-writes-do-not-exit "$no_coalescing"
elif [ -z "$pio" ] || [ "$pio" -gt 4300 ]; then
	fail coalesced-thr-writes-do-not-exit "pio_exits=$pio, expected at most 4300"
else
	pass coalesced-thr-writes-do-not-exit
fi

# A PCI scan as an early kernel makes one (guests/pci_scan.S): 8192
# addresses written to port 0xcf8 and read back at 0xcfc, all-ones each
# (no PCI bus), then 50 writes to the io-delay port 0x80 (fewer than the
# 85 in a row that KVM defers at most: docs/architecture.md). Those ports
# ignore writes, so minivmm defers them to the coalesced ring: deferred are
# 8192 + 50 writes and the 46 THR writes of the guest's line; the reads
# of 0xcfc still exit (8192, plus the line's LSR polls and the reset), where
# every write exited too before (16,384 and more).
run "" --kernel "$img/pci_scan.bzImage" --stats
expect pci-scan-reads-all-ones 0 '^pci scan: 8192 addresses, all-ones from each' \
	'coalesced_writes=' 'warning'
pio=$(stat_value pio_exits)
coalesced=$(stat_value coalesced_writes)
echo "  pci scan: pio_exits=$pio coalesced_writes=$coalesced for 8192 addresses"
if [ -n "$no_coalescing" ]; then
	skip pci-config-writes-do-not-exit "$no_coalescing"
elif [ "$coalesced" != 8288 ]; then
	fail pci-config-writes-do-not-exit "coalesced_writes=$coalesced, expected 8288"
elif [ -z "$pio" ] || [ "$pio" -gt 8400 ]; then
	fail pci-config-writes-do-not-exit "pio_exits=$pio, expected at most 8400"
else
	pass pci-config-writes-do-not-exit
fi

# A guest whose last bytes are deferred and that then halts, idle (sti;
# hlt: it never exits again). The main loop must print them while the guest
# still runs, and afterwards stop waking up: it drains every 100 ms for a
# second after the last exit (COALESCED_IO_LINGER_MS), the halt watch
# probes the vCPUs up to 31 s after it (vmm/halt_watch.h), then it sleeps
# in poll() with no time limit until something happens. Rather than count wake-ups in
# a guessed number of seconds, wait for that state: minivmm's main thread
# (the event loop) blocked in poll (syscall 7) with timeout -1, or in ppoll
# (271) with no timeout, as /proc/PID/syscall shows; at most 90 s.
main_loop_sleeps_for_good() {
	awk '($1 == 7 && ($4 == "0xffffffff" || $4 == "0xffffffffffffffff")) ||
		($1 == 271 && $4 == "0x0") { found = 1 } END { exit !found }' \
		"/proc/$1/syscall" 2>/dev/null
}
printf 'written before sti; hlt: END\r\n' >"$tmp/expected"
t0=$(date +%s%N)
"$minivmm" --kernel "$img/coalesced_halt.bzImage" --stats </dev/null >"$tmp/out" 2>"$tmp/err" &
pid=$!
shown_ms=
for _ in $(seq 300); do
	sleep 0.1
	if cmp -s "$tmp/out" "$tmp/expected"; then
		shown_ms=$((($(date +%s%N) - t0) / 1000000))
		break
	fi
done
# Guest RAM is asked to be backed by transparent huge pages (so KVM maps it
# with 2 MiB nested-paging entries): a mapping of --memory's size (256 MiB
# by default; the sanitizer runtime may have others of that size) starts
# on a 2 MiB boundary and the kernel reports it THP-eligible, unless this
# host has THP turned off altogether.
ram_kib=$((256 * 1024))
thp=$(awk -v want="$ram_kib" '
	/^[0-9a-f]+-[0-9a-f]+ / { split($1, r, "-"); start = r[1] }
	/^Size:/ { size = $2 }
	/^THPeligible:/ && size == want { print start ":" $2 }' "/proc/$pid/smaps")
thp_ok=
for m in $thp; do
	[ "${m#*:}" = 1 ] && [ $((0x${m%:*} % 0x200000)) = 0 ] && thp_ok=$m
done
thp_sys=/sys/kernel/mm/transparent_hugepage/enabled
if [ ! -r "$thp_sys" ]; then
	skip guest-ram-huge-pages "this kernel has no transparent huge pages ($thp_sys)"
elif grep -q '\[never\]' "$thp_sys"; then
	skip guest-ram-huge-pages "transparent huge pages are off on this host ($thp_sys: never)"
elif [ -n "$thp_ok" ]; then
	pass guest-ram-huge-pages
else
	fail guest-ram-huge-pages "no ${ram_kib} kB mapping that is 2 MiB-aligned and THP-eligible (start:THPeligible: ${thp:-none})"
fi
# Guest RAM is left out of core dumps (MADV_DONTDUMP): the kernel shows
# "dd" in the VmFlags of that 2 MiB-aligned mapping.
dd=$(awk -v want="$ram_kib" '
	/^[0-9a-f]+-[0-9a-f]+ / { split($1, r, "-"); start = r[1] }
	/^Size:/ { size = $2 }
	/^VmFlags:/ && size == want { print start ":" ($0 ~ / dd( |$)/ ? "dd" : "-") }' "/proc/$pid/smaps")
dd_ok=
for m in $dd; do
	[ "${m#*:}" = dd ] && [ $((0x${m%:*} % 0x200000)) = 0 ] && dd_ok=$m
done
if [ -n "$dd_ok" ]; then
	pass guest-ram-not-in-core-dumps
else
	fail guest-ram-not-in-core-dumps "no ${ram_kib} kB mapping that is 2 MiB-aligned with VmFlags dd (start:flag: ${dd:-none})"
fi
# Only once the deferred bytes are out: before them the main loop may
# sleep for good legitimately (no vCPU exit yet).
quiet=
can_see_poll=
[ -r "/proc/$pid/syscall" ] && can_see_poll=1
if [ -n "$shown_ms" ] && [ -n "$can_see_poll" ]; then
	for ((i = 0; i < 900; i++)); do
		if main_loop_sleeps_for_good "$pid"; then
			quiet=$((($(date +%s%N) - t0) / 1000000))
			break
		fi
		sleep 0.1
	done
fi
kill -s TERM "$pid"
wait "$pid"
status=$?
expect coalesced-halted-guest-sigterm 143 'END' 'stopped by signal'
if [ -n "$no_coalescing" ]; then
	skip coalesced-output-shown-while-guest-halts "$no_coalescing"
elif [ -z "$shown_ms" ]; then
	fail coalesced-output-shown-while-guest-halts \
		"the deferred bytes were not on stdout within 30 s"
else
	echo "  halted guest: deferred bytes on stdout after $shown_ms ms"
	pass coalesced-output-shown-while-guest-halts
fi
# Wake-ups over the whole run, up to the signal: one linger is at most 10
# (1 s / 100 ms; a loaded machine only makes fewer), the halt watch's five
# probes two each (the time-out, the answers), plus the first exit's and
# the signal's. 40 leaves room for a vCPU stalled long enough to start
# a second or third linger, and still catches a loop that spins.
wakeups=$(sed -n 's/.*stats: main_loop_wakeups=\([0-9]*\).*/\1/p' "$tmp/err")
if [ -n "$no_coalescing" ]; then
	skip coalesced-main-loop-goes-quiet "$no_coalescing"
elif [ -z "$shown_ms" ]; then
	fail coalesced-main-loop-goes-quiet "the deferred bytes never came out"
elif [ -z "$can_see_poll" ]; then
	skip coalesced-main-loop-goes-quiet "no /proc/PID/syscall on this kernel to see the main loop's poll"
elif [ -z "$quiet" ]; then
	fail coalesced-main-loop-goes-quiet \
		"the main loop still polled with a time limit 90 s after the deferred bytes came out"
elif [ -z "$wakeups" ] || [ "$wakeups" -gt 40 ]; then
	fail coalesced-main-loop-goes-quiet "main_loop_wakeups=$wakeups, expected at most 40"
else
	echo "  halted guest: main loop asleep for good after $quiet ms, $wakeups wake-ups"
	pass coalesced-main-loop-goes-quiet
fi

# --- hostile guests: a misbehaving virtio-mmio driver --------------------------
# Tiny guests (guests/hostile_*.S) drive the vsock device's registers against
# the rules of virtio 1.2 section 4.2, then make a correct handshake after
# each hostile sequence. The device runs on the test backend, which moves no
# data, writes one line per call to a log and re-checks every configuration
# it is handed. For each guest: exit status 0 (the guest reset the VM itself,
# so minivmm kept running), its plan kept (first line "plan N", then N ok
# lines and no FAIL line: plan_problem), no sanitizer report; in the backend log no INVALID line, "close invalid=0"
# and one start and one stop per valid handshake, every start with VERSION_1
# alone (the only feature the guests ack); no register read ever reached
# minivmm (--stats: the register page served them all); and on stderr each
# expected kind of refusal warned exactly once, and no other warning.

# These guests read the registers through the register page, a read-only
# memory slot: without KVM_CAP_READONLY_MEM minivmm warns "KVM lacks
# KVM_CAP_READONLY_MEM; register reads will exit to minivmm" and the tests
# that check register reads are skipped. Any other reason for no register
# page is a failure.
no_readonly_mem='KVM lacks KVM_CAP_READONLY_MEM; register reads will exit to minivmm'

# hostile NAME GUEST STARTS [minivmm options...]: the refusal warnings
# expected on stderr are the patterns in the array `warned`; the time limit
# is $hostile_limit seconds. Leaves the backend log in $tmp/backend.log.
hostile_limit=30
hostile() {
	local name=$1 guest=$2 starts=$3 log=$tmp/backend.log why= pat n
	shift 3
	rm -f "$log"
	timeout -k 5 "$hostile_limit" "$minivmm" --kernel "$img/$guest.bzImage" \
		--vsock-test-backend "$log" --stats "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
	if grep -q 'AddressSanitizer\|runtime error:\|LeakSanitizer' "$tmp/err"; then
		why="sanitizer report"
	elif grep -qF "$no_readonly_mem" "$tmp/err"; then
		skip "$name" "KVM lacks KVM_CAP_READONLY_MEM: no register page, and these guests check register reads through it"
		return
	elif grep -q 'register reads will exit to minivmm' "$tmp/err"; then
		why="no register page: $(grep -m 1 'register reads will exit' "$tmp/err")"
	elif [ "$status" -ne 0 ]; then
		why="exit status $status, expected 0"
	elif why=$(plan_problem); [ -n "$why" ]; then
		:
	elif [ "$(head -n 1 "$log" 2>/dev/null)" != open ] ||
	     [ "$(tail -n 1 "$log")" != "close invalid=0" ]; then
		why="backend log does not run from 'open' to 'close invalid=0'"
	elif grep -q INVALID "$log"; then
		why="the backend was handed an invalid configuration"
	elif [ "$(grep -c '^start ' "$log")" -ne "$starts" ] ||
	     [ "$(grep -c '^stop$' "$log")" -ne "$starts" ]; then
		why="$(grep -c '^start ' "$log") starts, $(grep -c '^stop$' "$log") stops, expected $starts"
	elif [ "$(grep -c '^start features=0x100000000 ' "$log")" -ne "$starts" ]; then
		why="a start with features other than VERSION_1 alone"
	elif ! grep -q 'interrupt_status_reads=0 .*config_reads=0 other_reads=0 ' "$tmp/err"; then
		why="register reads reached minivmm (the register page should serve them)"
	else
		for pat in "${warned[@]}"; do
			n=$(grep -Ec -- "warning: virtio-vsock: .*$pat" "$tmp/err")
			if [ "$n" -ne 1 ]; then
				why="warning /$pat/ logged $n times, expected once"
				break
			fi
		done
		n=$(grep -c 'warning:' "$tmp/err")
		if [ -z "$why" ] && [ "$n" -ne "${#warned[@]}" ]; then
			why="$n warnings, expected ${#warned[@]} (one per kind of refusal)"
		fi
	fi
	if [ -n "$why" ]; then
		fail "$name" "$why"
		echo "  --- backend log:"; sed 's/^/  | /' "$log" 2>/dev/null | head -40
	else
		pass "$name"
	fi
}

warned=('descriptor table \[0xbff00000, \+0x1000\) is not inside guest RAM; QueueReady refused'
	'descriptor table at 0x200008 is not 16-byte aligned; QueueReady refused'
	'activation failed: driver set DRIVER_OK without rx and tx queues ready')
hostile hostile-rings-outside-ram hostile_rings 16 --vsock-cid 3 --memory 256

warned=('descriptor table \[0xbffff800, \+0x1000\) is not inside guest RAM; QueueReady refused'
	'activation failed: driver set DRIVER_OK without rx and tx queues ready')
hostile hostile-rings-around-mmio-hole hostile_hole 14 --vsock-cid 3 --memory 3584

warned=('QueueNum write for queue 3, which does not exist; ignored'
	'QueueNum write with status 0x3 \(allowed after FEATURES_OK, before DRIVER_OK\); ignored'
	'queue 0: size 0 \(must be a power of two from 1 to 256\); QueueReady refused'
	'QueueNum write for queue 0 while it is ready; ignored'
	'QueueReady = 2 \(only 0 and 1 are defined\); ignored'
	'activation failed: driver set DRIVER_OK without rx and tx queues ready')
hostile hostile-queue-registers hostile_queues 16 --vsock-cid 3

warned=('driver set DRIVER_OK without FEATURES_OK \(status 0x0\); refused'
	'driver set Status bit 0x2 before 0x1 \(status 0x0\); refused'
	'driver cleared Status bits 0x2 .* other than by a reset; refused'
	'driver wrote Status 0x103 with undefined bits; refused'
	'driver set Status bit 0x8 after FAILED without a reset; refused'
	'FEATURES_OK with features never offered \(0x200000000\); refused'
	'FEATURES_OK without VIRTIO_F_VERSION_1 \(features 0x20000000\); refused'
	'DriverFeatures word 2 = 0x1: no such features offered'
	'DriverFeatures write with status 0x1 \(allowed after DRIVER, before FEATURES_OK\)'
	'QueueNotify for queue 3, which does not exist; ignored'
	'QueueNotify for queue 0 while the device is not active \(status 0xb\); ignored'
	'activation failed: driver set DRIVER_OK without rx and tx queues ready')
hostile hostile-status-and-features hostile_status 10 --vsock-cid 3
# QueueNotify 0 and 1 of the active device reach the backend; the event
# queue, missing queues and notifications of an inactive device do not.
kicks=$(grep '^kick' "$tmp/backend.log" | tr '\n' ' ')
if [ "$kicks" != "kick 0 kick 1 " ]; then
	fail hostile-notify-only-valid-queues "backend kicks: '$kicks', expected 'kick 0 kick 1 '"
else
	pass hostile-notify-only-valid-queues
fi

warned=('1-byte write at control register offset 0x070 \(only aligned 32-bit accesses\); refused'
	'FEATURES_OK without VIRTIO_F_VERSION_1 \(features 0x0\); refused'
	'write to read-only config space at offset 0x0; ignored'
	'8-byte config access at offset 0x0 \(widths 1, 2, 4, naturally aligned\); refused'
	'config access at offset 0xefc \(\+4\) beyond the 8-byte config space; refused')
hostile hostile-access-widths hostile_widths 2 --vsock-cid 305419896
# Of the 1, 2, 8 and 4-byte QueueNotify writes, only the 4-byte one counts.
kicks=$(grep '^kick' "$tmp/backend.log" | tr '\n' ' ')
if [ "$kicks" != "kick 1 " ]; then
	fail hostile-narrow-notify-ignored "backend kicks: '$kicks', expected 'kick 1 '"
else
	pass hostile-narrow-notify-ignored
fi

warned=('write of 0xffffffff to read-only register 0x000; ignored'
	'write to read-only config space at offset 0x0; ignored'
	'write of 0xffffffff to unknown register 0x028; ignored'
	'config access at offset 0x8 \(\+4\) beyond the 8-byte config space; refused'
	'queue 0: size 512 \(must be a power of two from 1 to 256\); QueueReady refused')
hostile hostile-read-only-registers hostile_readonly 2 --vsock-cid 3

# Read-modify-write and string instructions: no refusal, so no warning.
warned=()
hostile hostile-unusual-instructions hostile_instructions 1 --vsock-cid 3

# 1,000,000 MMIO writes, each an exit to minivmm: about 15 us each on the
# nested kvm_pvm machines, so allow two minutes.
warned=('write of 0x0 to read-only register 0x000; ignored')
if [ -n "${KVM_TESTS_NESTED:-}" ]; then
	# Each exit of a guest nested under QEMU's emulator costs a hundred
	# times more: a million would outlast the whole suite.
	skip hostile-mmio-write-storm "1,000,000 exits take too long in the emulated nested host"
	skip hostile-mmio-write-storm-timed "as above"
else
hostile_limit=120
hostile hostile-mmio-write-storm hostile_storm 2 --vsock-cid 3 --boot-timer
hostile_limit=30
# The guest marks the storm's start and end as the boot timer's two events.
storm_start=$(sed -n 's/.*boot-timer: first userspace .* at \([0-9.]*\) ms/\1/p' "$tmp/err")
storm_end=$(sed -n 's/.*boot-timer: boot complete at \([0-9.]*\) ms/\1/p' "$tmp/err")
if [ -z "$storm_start" ] || [ -z "$storm_end" ]; then
	fail hostile-mmio-write-storm-timed "no boot-timer marks around the storm"
elif ! grep -q 'other_writes=[0-9]\{7,\} refused=500000 ' "$tmp/err"; then
	fail hostile-mmio-write-storm-timed "the stats do not show 1,000,000 writes, 500,000 refused"
else
	awk -v a="$storm_start" -v b="$storm_end" 'BEGIN {
		printf "  storm: 1000000 MMIO writes in %.0f ms (%.1f us each)\n", b - a, (b - a) / 1000 }'
	pass hostile-mmio-write-storm-timed
fi
fi

# During an endless storm minivmm must still answer a signal and the
# console's Ctrl-A x at once.
timeout -k 5 30 "$minivmm" --kernel "$img/hostile_storm_forever.bzImage" --vsock-cid 3 \
	--vsock-test-backend "$tmp/backend.log" --stats </dev/null >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for "$tmp/out" 'storming forever'
t0=$(date +%s%N)
kill -s TERM "$pid"
wait "$pid"
status=$?
ms=$((($(date +%s%N) - t0) / 1000000))
expect hostile-storm-sigterm 143 'storming forever' 'stopped by signal'
# "Prompt" with a bound a loaded machine cannot break: the storm never
# ends by itself, so only the signal can have stopped it.
if [ "$ms" -gt 20000 ] || ! grep -q 'mmio_exits=[0-9]\{3,\}' "$tmp/err" ||
   [ "$(tail -n 1 "$tmp/backend.log")" != "close invalid=0" ]; then
	fail hostile-storm-sigterm-prompt "stopped after $ms ms (want < 20000), or no storm seen"
else
	echo "  storm: SIGTERM answered in $ms ms"
	pass hostile-storm-sigterm-prompt
fi
: >"$tmp/out"
(wait_for "$tmp/out" 'storming forever'; date +%s%N >"$tmp/sent"; printf '\001x') |
	timeout -k 5 60 "$minivmm" --kernel "$img/hostile_storm_forever.bzImage" --vsock-cid 3 \
	--vsock-test-backend "$tmp/backend.log" >"$tmp/out" 2>"$tmp/err"
status=$?
ms=$((($(date +%s%N) - $(cat "$tmp/sent" 2>/dev/null || echo 0)) / 1000000))
expect hostile-storm-ctrl-a-x 0 'storming forever'
if [ "$ms" -gt 20000 ]; then
	fail hostile-storm-ctrl-a-x-prompt "quit $ms ms after Ctrl-A x was sent"
else
	pass hostile-storm-ctrl-a-x-prompt
fi

# --- several devices side by side ------------------------------------------------
# vsock on the recording backend (kicks exit to minivmm) and two instances of
# the test device model (kicks go to their KVM_IOEVENTFDs); the guest tells
# them apart and kicks each in its own pattern (guests/multi_device.S).
run "" --kernel "$img/multi_device.bzImage" --vsock-cid 3 --vsock-test-backend "$tmp/b0.log" \
	--test-device "$tmp/b1.log" --test-device "$tmp/b2.log" --stats
why=$(plan_problem)
if [ "$status" -ne 0 ] || [ -n "$why" ]; then
	fail multi-device-guest-checks "status $status${why:+, $why}"
else
	pass multi-device-guest-checks
fi
backend_lines() { grep -v '^start ' "$1" | tr '\n' ' '; }
if [ "$(backend_lines "$tmp/b0.log")" != "open kick 0 stop close invalid=0 " ]; then
	fail multi-device-vsock-alone "vsock backend: '$(backend_lines "$tmp/b0.log")'"
else
	pass multi-device-vsock-alone
fi
want1="open eventfd-kicks q0=3 q1=1 stop close invalid=0 "
want2="open eventfd-kicks q0=0 q1=2 stop close invalid=0 "
if [ "$(backend_lines "$tmp/b1.log")" != "$want1" ] ||
   [ "$(backend_lines "$tmp/b2.log")" != "$want2" ]; then
	fail multi-device-kicks-reach-their-own-eventfds \
		"slot 1: '$(backend_lines "$tmp/b1.log")', slot 2: '$(backend_lines "$tmp/b2.log")'"
else
	pass multi-device-kicks-reach-their-own-eventfds
fi
# Rings of their own: each start names its device's ring addresses.
if ! grep -q '^start features=0x100000000 q0=64@0x400000,0x401000,0x402000 q1=64@0x410000,' "$tmp/b1.log" ||
   ! grep -q '^start features=0x100000000 q0=64@0x600000,0x601000,0x602000 q1=64@0x610000,' "$tmp/b2.log"; then
	fail multi-device-own-rings "starts: $(grep -h '^start' "$tmp/b1.log" "$tmp/b2.log" | tr '\n' ' ')"
else
	pass multi-device-own-rings
fi
# Kicks absorbed by eventfds never reached minivmm; register reads of all
# three came from their register pages.
if grep -qF "$no_readonly_mem" "$tmp/err"; then
	skip multi-device-stats-per-slot "KVM lacks KVM_CAP_READONLY_MEM: no register pages"
elif ! grep -q 'stats: virtio-vsock (slot 0) queue_notify_writes=1 interrupt_status_reads=0' "$tmp/err" ||
   ! grep -q 'stats: virtio-test (slot 1) queue_notify_writes=0 interrupt_status_reads=0 .*config_reads=0 other_reads=0 ' "$tmp/err" ||
   ! grep -q 'stats: virtio-test (slot 2) queue_notify_writes=0 interrupt_status_reads=0 .*config_reads=0 other_reads=0 ' "$tmp/err"; then
	fail multi-device-stats-per-slot "$(grep 'slot [0-9])' "$tmp/err" | tr '\n' ' ')"
else
	pass multi-device-stats-per-slot
fi
# All eight slots in use.
run "" --kernel "$img/hello.bzImage" --vsock-cid 3 --vsock-test-backend "$tmp/b0.log" \
	--test-device "$tmp/t1" --test-device "$tmp/t2" --test-device "$tmp/t3" --test-device "$tmp/t4" \
	--test-device "$tmp/t5" --test-device "$tmp/t6" --test-device "$tmp/t7"
expect eight-devices-boot 0 '^hello from a tiny guest'

# --vsock-cid auto with --vsock-cid-file: the file holds the CID chosen (a
# decimal line; the first candidate, 65536: the recording backend has no
# kernel to refuse a CID, so the retries are a boot test's).
rm -f "$tmp/cid"
run "" --kernel "$img/hello.bzImage" --vsock-cid auto --vsock-test-backend "$tmp/b0.log" \
	--vsock-cid-file "$tmp/cid"
expect vsock-cid-auto-boots 0 '^hello from a tiny guest' '' '.'
cid=$(cat "$tmp/cid" 2>/dev/null)
if [ "$cid" != 65536 ]; then
	fail vsock-cid-file-holds-the-cid "'$cid'"
else
	pass vsock-cid-file-holds-the-cid
fi
run "" --kernel "$img/hello.bzImage" --vsock-cid 305419896 --vsock-test-backend "$tmp/b0.log" \
	--vsock-cid-file "$tmp/cid"
if [ "$(cat "$tmp/cid")" != 305419896 ]; then
	fail vsock-cid-file-given-cid "'$(cat "$tmp/cid")'"
else
	pass vsock-cid-file-given-cid
fi
run "" --kernel "$img/hello.bzImage" --vsock-cid auto --vsock-test-backend "$tmp/b0.log" \
	--vsock-cid-file "$tmp/no-such-dir/cid"
expect vsock-cid-file-unwritable 4 '' "--vsock-cid-file: cannot create '.*no-such-dir/cid"

# --- minivmm always stops when asked (tests/kvm/stop-tests.sh) ---------------
. "$here/stop-tests.sh"

# --- --trace (tests/kvm/trace-tests.sh) ---------------------------------------
. "$here/trace-tests.sh"

# --- seccomp sandbox -------------------------------------------------------------
# Every thread confines itself to its allowlist once set-up is done
# (vmm/sandbox_policy.c; on by default, so every test above ran under it).
# While a guest runs: each thread (main, the console output writer and two
# vCPUs) is in seccomp filter mode with no_new_privs; with --no-seccomp
# none is. The main thread's filter comes just after the vCPUs start, so
# the state is read until it settles (at most 30 s).
for mode in on off; do
	opt=()
	[ "$mode" = off ] && opt=(--no-seccomp)
	: >"$tmp/out"
	(wait_for "$tmp/out" 'type a line'; sleep 1) | "$minivmm" --kernel "$img/echo_input.bzImage" \
		--cpus 2 "${opt[@]}" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	wait_for "$tmp/out" 'type a line'
	if [ "$mode" = on ]; then want="2/1/1 2/1/1 2/1/1 2/1/1 "; else want="0/0/0 0/0/0 0/0/0 0/0/0 "; fi
	for ((i = 0; i < 300; i++)); do
		threads=$(cat /proc/"$pid"/task/*/status 2>/dev/null |
			awk '/^Seccomp:/ { s = $2 } /^NoNewPrivs:/ { n = $2 }
			     /^Seccomp_filters:/ { printf "%s/%s/%s ", s, n, $2 }')
		[ "$threads" = "$want" ] && break
		sleep 0.1
	done
	kill -s TERM "$pid"
	wait "$pid"
	status=$?
	expect "seccomp-$mode-guest-runs-and-stops" 143 'type a line' 'stopped by signal'
	if [ "$threads" = "$want" ]; then
		pass "seccomp-$mode-every-thread"
	else
		fail "seccomp-$mode-every-thread" "Seccomp/NoNewPrivs/Seccomp_filters per thread: '$threads', expected '$want'"
	fi
done
# A system call outside the main thread's list right after its filter
# (--test-forbidden-syscall: socket) ends minivmm with status 159 and a
# message naming the call, also under ASan (test build: the sanitizer
# runtime's own calls are allowed, so its exit path does not trip).
run "" --kernel "$img/hello.bzImage" --test-forbidden-syscall
expect seccomp-forbidden-call-exits-159 159 '' \
	'minivmm: seccomp: the main thread made system call 41 \(socket\), which its filter forbids'
expect seccomp-forbidden-call-says-what-next 159 '' 'stopping \(exit status 159\); --no-seccomp'
run "" --kernel "$img/hello.bzImage" --no-seccomp --test-forbidden-syscall
expect seccomp-off-forbidden-call-allowed 0 '^hello from a tiny guest' '' 'seccomp'

# --- bad input: one clear line, the right exit status, no crash --------------
head -c 100000 /dev/urandom >"$tmp/random.bin"
head -c 700 "$img/hello.bzImage" >"$tmp/truncated.bzImage"
: >"$tmp/empty"
head -c $((40 * 1024 * 1024)) /dev/zero >"$tmp/big-initrd"

run "" --kernel "$tmp/does-not-exist"
expect missing-kernel-file 4 '' "kernel: cannot open '.*does-not-exist': No such file"
run "" --kernel "$tmp/random.bin"
expect not-a-bzimage 4 '' 'not a bzImage'
run "" --kernel "$tmp/empty"
expect empty-kernel-file 4 '' 'too small'
run "" --kernel "$tmp/truncated.bzImage"
expect truncated-kernel 4 '' 'truncated'
# A vmlinux without the PVH note, cut short, or 32-bit: the cause and
# the fix. Offsets from guests/pvh.h: the note's type at 0xb8, EI_CLASS at 4.
cp "$img/pvh_start_info.vmlinux" "$tmp/no-note.vmlinux"
printf '\021' | dd of="$tmp/no-note.vmlinux" bs=1 seek=$((0xb8)) conv=notrunc 2>/dev/null
run "" --kernel "$tmp/no-note.vmlinux"
expect vmlinux-without-pvh-note 4 '' \
	"no-note.vmlinux': kernel: vmlinux has no PVH entry note .*build the kernel with CONFIG_PVH=y, or boot its bzImage"
head -c 300 "$img/pvh_start_info.vmlinux" >"$tmp/truncated.vmlinux"
run "" --kernel "$tmp/truncated.vmlinux"
expect vmlinux-truncated 4 '' 'kernel: truncated: ELF segment 0 is [0-9]+ bytes at file offset 0x0, past the end of the 300-byte file'
cp "$img/pvh_start_info.vmlinux" "$tmp/elf32.vmlinux"
printf '\001' | dd of="$tmp/elf32.vmlinux" bs=1 seek=4 conv=notrunc 2>/dev/null
run "" --kernel "$tmp/elf32.vmlinux"
expect vmlinux-32-bit 4 '' 'a 32-bit ELF \(ELFCLASS32\): minivmm boots only x86-64 kernels'
run "" --kernel "$img/pvh_start_info.vmlinux" --memory 64 --cmdline "$(head -c 2100 /dev/zero | tr '\0' x)"
expect vmlinux-cmdline-too-long 4 '' 'kernel command line is [0-9]+ bytes .*but the kernel accepts at most 2047'
run "" --kernel "$tmp"
expect kernel-is-a-directory 4 '' 'not a regular file'
run "" --kernel "$img/hello.bzImage" --initrd "$tmp/big-initrd" --memory 32
expect initrd-too-big-for-memory 4 '' 'initrd.*does not fit'
run "" --kernel "$img/hello.bzImage" --memory 5
expect bad-memory-value 2 '' '--memory: 5 is out of range'
run "" --kernel "$img/hello.bzImage" --vsock-cid 2
expect reserved-vsock-cid 2 '' '--vsock-cid: 2 is out of range'
run "" --kernel
expect missing-option-value 2 '' "needs a value"
run "" --bogus
expect unknown-option 2 '' "unknown option '--bogus'"
run "" --help
expect help 0 'Usage: minivmm --kernel' '' '.'
run "" --version
expect version 0 '^minivmm [0-9]+\.[0-9]+\.[0-9]+' '' '.'

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
