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

run "" --kernel "$img/triple_fault.bzImage"
expect triple-fault-exits-1-with-registers 1 'about to triple fault' \
	'triple fault.*' 
expect triple-fault-register-dump 1 '' 'rip [0-9a-f]{16}'

run "" --kernel "$img/panic_reset.bzImage"
expect panic-reset-exits-1 1 'Kernel panic' 'guest kernel panicked'

run "abc-xyz\n" --kernel "$img/echo_input.bzImage"
expect stdin-reaches-guest 0 'ABC-XYZ' '' '.'

# Input arrives after the prompt, as a person would type it.
(sleep 1; printf 'ab\001xcd\n') | timeout -k 5 30 "$minivmm" --kernel "$img/echo_input.bzImage" \
	>"$tmp/out" 2>"$tmp/err"
status=$?
expect ctrl-a-x-quits 0 'type a line' '' '.'
if grep -q 'CD\|end of line' "$tmp/out"; then
	fail ctrl-a-x-drops-later-input "input after Ctrl-A x reached the guest"
else
	pass ctrl-a-x-drops-later-input
fi

# A guest waiting for input forever; SIGTERM must end minivmm cleanly.
for sig in TERM INT; do
	(sleep 1; printf '') | "$minivmm" --kernel "$img/echo_input.bzImage" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	sleep 0.5
	kill -s "$sig" "$pid"
	wait "$pid"
	status=$?
	want=$((128 + $(kill -l "$sig")))
	expect "sig$sig-stops-cleanly" "$want" 'type a line' "stopped by signal"
done

run "" --kernel "$img/entry_state.bzImage"
if [ "$status" -ne 0 ] || grep -q '^FAIL' "$tmp/out" || [ "$(grep -c '^ok ' "$tmp/out")" -ne 15 ]; then
	fail entry-state-matches-boot-protocol "status $status, $(grep -c '^ok ' "$tmp/out") of 15 checks ok"
else
	pass entry-state-matches-boot-protocol
fi

run "" --kernel "$img/entry_state.bzImage" --memory 3584
expect entry-state-with-ram-above-4g 0 'entry state checked' '' 'FAIL'

run "" --kernel "$img/boot_timer.bzImage" --boot-timer
expect boot-timer-first-userspace 0 'marks written' 'boot-timer: first userspace instruction at [0-9.]+ ms'
expect boot-timer-boot-complete 0 '' 'boot-timer: boot complete at [0-9.]+ ms'
run "" --kernel "$img/boot_timer.bzImage"
expect boot-timer-silent-without-option 0 'marks written' '' 'boot-timer'

# --- bad input: one clear line, the right exit status, no crash --------------
head -c 100000 /dev/urandom >"$tmp/random.bin"
head -c 700 "$img/hello.bzImage" >"$tmp/truncated.bzImage"
: >"$tmp/empty"
head -c $((40 * 1024 * 1024)) /dev/zero >"$tmp/big-initrd"

run "" --kernel "$tmp/does-not-exist"
expect missing-kernel-file 1 '' "kernel: cannot open '.*does-not-exist': No such file"
run "" --kernel "$tmp/random.bin"
expect not-a-bzimage 1 '' 'not a bzImage'
run "" --kernel "$tmp/empty"
expect empty-kernel-file 1 '' 'too small'
run "" --kernel "$tmp/truncated.bzImage"
expect truncated-kernel 1 '' 'truncated'
run "" --kernel "$tmp"
expect kernel-is-a-directory 1 '' 'not a regular file'
run "" --kernel "$img/hello.bzImage" --initrd "$tmp/big-initrd" --memory 32
expect initrd-too-big-for-memory 1 '' 'initrd.*does not fit'
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

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
