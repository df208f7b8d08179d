# shellcheck shell=bash
# Sourced by run-tests.sh (uses its run/expect/pass/fail/skip/wait_for and
# $minivmm, $img, $tmp): minivmm stops when asked, whatever the guest and
# the host's terminal do (docs/robustness.md).

# A guest that prints for ever into a pipe nobody reads: once the pipe is
# full, minivmm's output thread blocks in write() (its wchan says so); a
# SIGTERM must still end minivmm at once with 143, and minivmm says how
# much output it dropped. Before the output thread existed, the vCPU
# blocked in write() and the stop never completed.
stalled_stdout_stop() {
	local sig=$1 want=$2 guest=${3:-chatter} pid reader blocked=
	rm -f "$tmp/pipe"
	mkfifo "$tmp/pipe"
	# Reads the first line (the guest did start), then never reads again.
	{ head -n 1 >"$tmp/first"; sleep 600; } <"$tmp/pipe" &
	reader=$!
	"$minivmm" --kernel "$img/$guest.bzImage" >"$tmp/pipe" 2>"$tmp/err" </dev/null &
	pid=$!
	for _ in $(seq 300); do
		if grep -qs pipe_write /proc/"$pid"/task/*/wchan; then
			blocked=1
			break
		fi
		sleep 0.1
	done
	kill -s "$sig" "$pid"
	# Generous: a stop that works takes milliseconds; one that hangs never ends.
	for _ in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		wait "$pid"
		status=hung
	else
		wait "$pid"
		status=$?
	fi
	kill "$reader" 2>/dev/null
	wait "$reader" 2>/dev/null
	pkill -P "$reader" sleep 2>/dev/null
	: >"$tmp/out"
	if [ -z "$blocked" ]; then
		fail "stalled-stdout-$guest-sig$sig-stops" "stdout never filled up (no thread in pipe_write)"
	elif [ "$status" = hung ]; then
		fail "stalled-stdout-$guest-sig$sig-stops" "minivmm did not stop within 30 s of SIG$sig"
	else
		expect "stalled-stdout-$guest-sig$sig-stops" "$want" '' \
			"bytes of guest console output were dropped while stdout did not drain"
	fi
}
if [ -r /proc/self/wchan ]; then
	stalled_stdout_stop TERM 143
	stalled_stdout_stop HUP 129
	# The guest halted for good; its last bytes reach the UART only
	# through the main thread's drain of the coalesced ring.
	stalled_stdout_stop TERM 143 chatter_halt
else
	skip stalled-stdout-stops "no /proc/PID/wchan on this host"
fi

# --kernel or --initrd naming a FIFO: refused at once (opening it used to
# wait for a writer, with the stop signals already blocked).
rm -f "$tmp/fifo"
mkfifo "$tmp/fifo"
run "" --kernel "$tmp/fifo"
expect kernel-fifo-refused 4 '' "kernel: '.*fifo' is not a regular file"
run "" --kernel "$img/hello.bzImage" --initrd "$tmp/fifo"
expect initrd-fifo-refused 4 '' "initrd: '.*fifo' is not a regular file"

# stdout a file at its RLIMIT_FSIZE: SIGXFSZ used to kill minivmm; now the
# write fails with EFBIG, the rest of the output is dropped and counted,
# and the guest runs to its end (exit 0).
(ulimit -f 1; exec "$minivmm" --kernel "$img/coalesced_output.bzImage" </dev/null \
	>"$tmp/small.out" 2>"$tmp/err")
status=$?
: >"$tmp/out"
expect stdout-file-size-limit 0 '' 'dropped: stdout failed \(File too large\)'
if [ "$(wc -c <"$tmp/small.out")" -ne 1024 ]; then
	fail stdout-file-size-limit-fills-the-file "$(wc -c <"$tmp/small.out") bytes written, expected 1024"
else
	pass stdout-file-size-limit-fills-the-file
fi

# A fatal signal minivmm does not otherwise handle still leaves the
# terminal as it found it (and minivmm dies of that signal, status
# 128+N). On a pseudo-terminal (script(1)), with the guest waiting for
# input: the terminal must be raw while minivmm runs, and restored after.
fatal_signal_restores_terminal() {
	local sig=$1 want=$2
	: >"$tmp/out"
	: >"$tmp/err"
	MINIVMM="$minivmm" IMG="$img" SIG="$sig" timeout -k 5 60 script -qec '
		ulimit -c 0
		before=$(stty -g)
		exec 3<&0
		"$MINIVMM" --kernel "$IMG/echo_input.bzImage" <&3 >"$TMP/guest.out" 2>"$TMP/guest.err" &
		p=$!
		for i in $(seq 300); do grep -q "type a line" "$TMP/guest.out" && break; sleep 0.1; done
		[ "$(stty -g)" != "$before" ] && echo RAW-WHILE-RUNNING
		kill -s "$SIG" $p
		wait $p
		rc=$?
		[ "$(stty -g)" = "$before" ] && echo "TERMINAL-RESTORED-$rc"
	' /dev/null >"$tmp/out" 2>&1 </dev/null
	status=$?
	if ! grep -q RAW-WHILE-RUNNING "$tmp/out"; then
		fail "fatal-sig$sig-restores-terminal" "the terminal was never raw (status $status)"
	elif ! grep -q "TERMINAL-RESTORED-$want" "$tmp/out"; then
		fail "fatal-sig$sig-restores-terminal" "no TERMINAL-RESTORED-$want (status $status)"
	else
		pass "fatal-sig$sig-restores-terminal"
	fi
}
if command -v script >/dev/null; then
	export TMP=$tmp
	fatal_signal_restores_terminal QUIT 131
	fatal_signal_restores_terminal ABRT 134
	fatal_signal_restores_terminal SEGV 139
else
	skip fatal-signals-restore-terminal "script(1) (util-linux) is not installed"
fi

# --user: after set-up minivmm runs as the given user; the guest still runs.
if [ "$(id -u)" = 0 ]; then
	: >"$tmp/out"
	"$minivmm" --kernel "$img/echo_input.bzImage" --user 65534:65534 </dev/null \
		>"$tmp/out" 2>"$tmp/err" &
	pid=$!
	wait_for "$tmp/out" 'type a line'
	ids=$(awk '/^Uid:|^Gid:/ { printf "%s %s ", $2, $3 }' "/proc/$pid/status" 2>/dev/null)
	groups=$(awk '/^Groups:/ { $1 = ""; print }' "/proc/$pid/status" 2>/dev/null)
	kill -TERM "$pid"
	wait "$pid"
	status=$?
	expect user-option-guest-runs 143 'type a line' 'stopped by signal'
	if [ "$ids" != "65534 65534 65534 65534 " ] || [ "$(echo $groups)" != 65534 ]; then
		fail user-option-drops-root "Uid/Gid (real, effective): '$ids', groups: '$groups'"
	else
		pass user-option-drops-root
	fi
	run "" --kernel "$img/hello.bzImage" --user no-such-user-here
	expect user-option-unknown-user 4 '' "no user 'no-such-user-here' in /etc/passwd"
else
	skip user-option-drops-root "not root: --user needs root to drop from"
fi

# SIGUSR2 is not a stop: every vCPU prints its registers (where a stuck
# guest is stuck) and the guest runs on.
: >"$tmp/out"
: >"$tmp/err"
"$minivmm" --kernel "$img/echo_input.bzImage" </dev/null >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for "$tmp/out" 'type a line'
kill -USR2 "$pid"
wait_for "$tmp/err" 'rip '
alive=no
kill -0 "$pid" 2>/dev/null && alive=yes
kill -TERM "$pid"
wait "$pid"
status=$?
expect sigusr2-prints-registers 143 'type a line' 'vCPU 0 registers \(asked for with SIGUSR2\)'
if [ "$alive" != yes ] || ! grep -q 'rip [0-9a-f]\{16\}' "$tmp/err"; then
	fail sigusr2-guest-runs-on "alive after SIGUSR2: $alive"
else
	pass sigusr2-guest-runs-on
fi
