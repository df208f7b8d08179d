#!/usr/bin/env bash
# Self-test of bootrun against stand-in commands (no KVM, no nested host):
# every kind of step must pass when it should and fail with the right reason
# when it should not, and no child may be left running.
#
#   usage: selftest-bootrun.sh [BOOTRUN]   (default: builds build/boot/bootrun)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bootrun=${1:-}
if [ -z "$bootrun" ]; then
	make -s -C "$here" OUT="$root/build/boot" || exit 1
	bootrun=$root/build/boot/bootrun
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/bootrun-selftest.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

failures=0
passes=0
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then
		echo "ok   $what"
		passes=$((passes + 1))
	else
		echo "FAIL $what"
		failures=$((failures + 1))
	fi
}
has_line() { grep -qxF -- "$1" "$work/out"; }
has_match() { grep -qE -- "$1" "$work/out"; }
not_has_match() { ! grep -qE -- "$1" "$work/out"; }

# A unique word in every stand-in's environment, so that leftovers can be found.
tag=bootrun-selftest-$$
cat > "$work/standins.spec" <<EOF
# Each test's name says whether it must pass.
test pass-dialogue
	run sh -c 'sleep 0.3; echo hi; read x; echo "got \$x"; exit 3'
	expect 5 "hi" greeting
	send "abc\\n"
	expect 5 "got abc"
	exit 3 5
	notexpect "panic"

test pass-tty-raw
	run sh -c 'test -t 0 && echo IS-A-TTY; stty raw -echo; \\
		x=\$(dd bs=1 count=3 2>/dev/null); echo "raw:\$x"'
	expect 5 "IS-A-TTY"
	send "\\x01xy"
	expect 5 "raw:\\x01xy"
	exit 0 5

test pass-number
	run sh -c 'printf "MEM: 314"; sleep 0.5; printf "5729 kB\\n"; echo READY uptime=1.25'
	expectnum 5 "MEM:" > 3145728 memory
	expectnum 5 "uptime=" < 5
	exit 0 5

test pass-after-last-match
	run sh -c 'echo one; sleep 0.3; echo one two'
	expect 5 "one"
	expect 5 "one two"
	exit 0 5

test fail-timeout
	run sh -c 'echo start; sleep 30'
	expect 1 "never"

test fail-timeout-stuck
	run sh -c 'stty raw -echo; echo start; sleep 30'
	expect 1 "never"

test fail-status
	run sh -c 'echo done; exit 4'
	expect 5 "done"
	exit 0 5

test fail-exits-first
	run sh -c 'echo bye; exit 1'
	expect 5 "hello"

test fail-signal
	run sh -c 'kill -SEGV \$\$'
	exit 0 5

test fail-notexpect
	run sh -c 'echo Kernel panic - not syncing'
	exit 0 5
	notexpect "Kernel panic"

test fail-number
	run sh -c 'echo MEM: 3000 kB'
	expectnum 5 "MEM:" > 3145728

test fail-still-running
	run sh -c 'sleep 20'
	exit 0 1

test fail-not-found
	run /nonexistent/command
	exit 0 5

test fail-matched-once
	run sh -c 'echo once; sleep 30'
	expect 5 "once"
	expect 1 "once"

# require: checked before the command starts, wherever the line is.
test skip-missing-capability
	require 5 "echo checking; echo no frobnicator here; exit 1"
	run sh -c 'echo ran > $work/skipped-test-ran'
	expect 5 "ran"

test skip-silent-requirement
	run echo never
	require 5 "exit 3"

test pass-requirement-met
	run echo met
	require 5 "test -d /"
	expect 5 "met"
	exit 0 5

test fail-requirement-stuck
	require 1 "sleep 30"
	run echo never

test fail-requirement-killed
	require 5 "kill -KILL \$\$"
	run echo never
EOF

# No retries unless BOOTRUN_RETRIES asks for them.
BOOTRUN_SELFTEST_TAG=$tag env -u BOOTRUN_RETRIES "$bootrun" -l "$work/logs" "$work/standins.spec" \
	> "$work/out" 2>&1
rc=$?
cat "$work/out"
echo "---"
check "exit status 1 when a test fails" test "$rc" = 1
check "no retry by default" not_has_match '^RETRY '
check "summary line" has_line "5 passed, 12 failed, 2 skipped"
for t in pass-dialogue pass-tty-raw pass-number pass-after-last-match pass-requirement-met; do
	check "$t passes" has_match "^PASS $t \\([0-9]+\\.[0-9] s\\)$"
done
check "label timing" has_match "^  pass-dialogue: greeting after [0-9.]+ s: hi$"
check "expectnum timing shows the line" \
	has_match "^  pass-number: memory after [0-9.]+ s: MEM: 3145729 kB$"
check "timeout" has_match '^FAIL fail-timeout: line [0-9]+: timeout after 1 s waiting for "never" \(the VM still answers a newline\)$'
check "timeout, stuck" has_match '^FAIL fail-timeout-stuck: line [0-9]+: timeout after 1 s waiting for "never" \(no answer to a newline within 10 s either: the guest looks stuck\)$'
check "output tail after a failure" has_line "  | start"
check "wrong status" has_match '^FAIL fail-status: .*exit status 4, expected exit status 0$'
check "exit before the text" \
	has_match '^FAIL fail-exits-first: .*exit status 1 before "hello" appeared$'
check "signal death" has_match '^FAIL fail-signal: .*killed by signal 11'
check "notexpect" has_match '^FAIL fail-notexpect: .*unexpected "Kernel panic" in the output$'
check "expectnum comparison" has_match '^FAIL fail-number: .*"MEM:" 3000 is not > 3145728$'
check "still running" has_match '^FAIL fail-still-running: .*still running 1 s later'
check "command not found" has_match '^FAIL fail-not-found: .*exit status 127'
check "a match is consumed" has_match '^FAIL fail-matched-once: .*timeout after 1 s'
check "per-test log" grep -q "got abc" "$work/logs/pass-dialogue.log"
check "require not met: SKIP with the reason" \
	has_match '^SKIP skip-missing-capability: no frobnicator here \(line [0-9]+: requirement echo checking; '
check "require not met: the command never ran" test ! -e "$work/skipped-test-ran"
check "require not met, no output: SKIP with the status" \
	has_match '^SKIP skip-silent-requirement: line [0-9]+: requirement exit status 3: exit 3$'
check "require still running: FAIL, not SKIP" \
	has_match '^FAIL fail-requirement-stuck: line [0-9]+: requirement still running after 1 s: sleep 30$'
check "require killed: FAIL, not SKIP" \
	has_match '^FAIL fail-requirement-killed: line [0-9]+: requirement killed by signal 9'
check "require output in the log" grep -q "no frobnicator here" "$work/logs/skip-missing-capability.log"
# Shells exec their last command, so look for the tag in the environment,
# which bootrun and only bootrun was started with.
none_left() { ! grep -qszxF "BOOTRUN_SELFTEST_TAG=$tag" /proc/[0-9]*/environ; }
check "no stand-in left running" none_left

# The spec's own errors: exit status 2 and the line number.
printf 'test a\n\texpect 5 "x"\n' > "$work/bad.spec"
"$bootrun" "$work/bad.spec" > "$work/out" 2>&1
check "bad spec: status 2" test $? = 2
check "bad spec: message" has_match "bad.spec:2: 'expect' before the run line of test 'a'"
printf 'test a\n\trun true\n\tsend "\\q"\n' > "$work/bad.spec"
"$bootrun" "$work/bad.spec" > "$work/out" 2>&1
check "bad escape" has_match 'bad.spec:3: unknown escape \\q'
printf 'test a\n\trun true\n\texpectnum 5 "x" ~ 3\n' > "$work/bad.spec"
"$bootrun" "$work/bad.spec" > "$work/out" 2>&1
check "bad operator" has_match "bad.spec:3: unknown operator '~'"
"$bootrun" "$work/standins.spec" no-such-test > "$work/out" 2>&1
check "unknown test name: status 2" test $? = 2
"$bootrun" -l "$work/logs" "$work/standins.spec" pass-number > "$work/out" 2>&1
check "one test by name" has_line "1 passed, 0 failed, 0 skipped"
"$bootrun" -l "$work/logs" "$work/standins.spec" pass-number skip-missing-capability > "$work/out" 2>&1
check "a skip does not fail the run: status 0" test $? = 0
check "a skip is counted" has_line "1 passed, 0 failed, 1 skipped"
printf 'test a\n\trequire "true"\n\trun true\n' > "$work/bad.spec"
"$bootrun" "$work/bad.spec" > "$work/out" 2>&1
check "require without a time limit" has_match "bad.spec:2: timeout in seconds '\"true\"' is not a number"

# BOOTRUN_RETRIES (by hand only): a test that fails and then passes on its
# retry is FLAKY and counts as failed, so the run still fails; one that
# fails every time fails; one that passes at once is not retried.
cat > "$work/retry.spec" <<EOF
test pass-first-time
	run echo fine
	expect 5 "fine"
	exit 0 5

test flaky
	run sh -c 'if [ -e $work/flaky-ran ]; then echo second; else touch $work/flaky-ran; echo first; fi'
	expect 5 "second"
	exit 0 5

test fail-every-time
	run echo always-wrong
	expect 5 "right"
EOF
BOOTRUN_RETRIES=1 "$bootrun" -l "$work/retry-logs" "$work/retry.spec" > "$work/out" 2>&1
rc=$?
sed 's/^/  retry run: /' "$work/out"
check "retry: a flaky test fails the run (status 1)" test "$rc" = 1
check "retry: flaky test retried" has_line "RETRY flaky (attempt 2 of 2)"
check "retry: flaky test reported" \
	has_line "FLAKY flaky: failed, then passed on attempt 2; counted as failed"
check "retry: flaky test listed before the summary" \
	has_line "FLAKY: passed only on a retry, counted as failed (1): flaky"
check "retry: a flaky test counts as failed" has_line "1 passed, 2 failed, 0 skipped"
check "retry: a repeated failure fails" has_match '^FAIL fail-every-time: '
check "retry: a repeated failure is not flaky" not_has_match '^FLAKY fail-every-time'
check "retry: a passing test is not retried" not_has_match '^RETRY pass-first-time'
check "retry: the first attempt's log is kept" grep -q first "$work/retry-logs/flaky.log"
check "retry: the retry has its own log" grep -q second "$work/retry-logs/flaky.attempt2.log"

# The nested host's verdicts (nested-host.sh's nested_explain): only a
# fault proven before the outer VM was ready allows make test its one
# retry (status 3); a timeout, a panic or a QEMU death after it was ready
# is a failure (status 4); a status the job reported is the job's.
verdict() { # verdict NESTED_RC NESTED_STATUS CONSOLE_TEXT: nested_explain's status
	(
		# shellcheck source=nested-host.sh
		. "$here/nested-host.sh"
		# shellcheck disable=SC2034 # read by nested_explain
		NESTED_RC=$1 NESTED_STATUS=$2 NESTED_CONSOLE_LOG=$work/console.log
		printf '%s\n' "$3" > "$NESTED_CONSOLE_LOG"
		nested_explain 2>/dev/null
	)
}
ready='nested-host: /dev/kvm and /dev/vhost-vsock ready after 1.5 s (outer clock)'
check "verdict: job reported 0" test "$(verdict 33 0 "$ready"; echo $?)" = 0
check "verdict: job reported 1" test "$(verdict 35 1 "$ready"; echo $?)" = 0
check "verdict: a module did not load: retry" test "$(verdict 233 100 booting; echo $?)" = 3
check "verdict: /dev/kvm missing: retry" test "$(verdict 235 101 booting; echo $?)" = 3
check "verdict: init could not set up: retry" test "$(verdict 237 102 booting; echo $?)" = 3
check "verdict: QEMU failed before ready: retry" test "$(verdict 1 -1 booting; echo $?)" = 3
check "verdict: QEMU failed after ready: no retry" test "$(verdict 1 -1 "$ready"; echo $?)" = 4
check "verdict: timeout: no retry" test "$(verdict 124 -1 "$ready"; echo $?)" = 4
check "verdict: timeout before ready: no retry" test "$(verdict 124 -1 booting; echo $?)" = 4
check "verdict: panic: no retry" test "$(verdict 0 -1 "$ready"; echo $?)" = 4
check "verdict: panic before ready: no retry" test "$(verdict 0 -1 booting; echo $?)" = 4

# die-with-parent (how nested-host.sh starts QEMU): the command stops when
# the script that started it dies, even of a SIGKILL that no trap sees, so
# a test runner killing a nested-host script leaves no QEMU behind.
gone_within() { # gone_within SECONDS PID: the process ended (a zombie counts)
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		[ -e "/proc/$2" ] || return 0
		[ "$(awk '{ print $3 }' "/proc/$2/stat" 2>/dev/null)" = Z ] && return 0
		sleep 0.1
	done
	return 1
}
make -s -C "$here" OUT="$root/build/boot" "$root/build/boot/die-with-parent" || exit 1
bash -c '"$1" sleep 300 & echo $! > "$2"; wait' starter "$root/build/boot/die-with-parent" \
	"$work/dwp.pid" &
starter=$!
for _ in $(seq 100); do [ -s "$work/dwp.pid" ] && break; sleep 0.1; done
dwp_child=$(cat "$work/dwp.pid" 2>/dev/null)
# The pid is written right after the fork: wait until die-with-parent has
# set its parent-death signal and become the command (a starter killed
# before that point has no death for the child to be told of).
for _ in $(seq 100); do
	[ "$(cat "/proc/${dwp_child:-0}/comm" 2>/dev/null)" = sleep ] && break
	sleep 0.1
done
check "die-with-parent: the command runs" \
	test "$(cat "/proc/${dwp_child:-0}/comm" 2>/dev/null)" = sleep
kill -KILL "$starter"
wait "$starter" 2>/dev/null
check "die-with-parent: the command ends when its starter is killed with SIGKILL" \
	gone_within 30 "${dwp_child:-0}"
[ -n "$dwp_child" ] && kill -KILL "$dwp_child" 2>/dev/null

# wake-watch.sh (nested_run starts it): lost-wakeup.awk's verdicts on real
# samples of QEMU's monitor (tests/boot/testdata/README.md), then the
# watcher against a stand-in monitor that answers with given samples in
# turn and records what it was sent.
data=$here/testdata
verdict_of() { awk -f "$here/lost-wakeup.awk" "$@"; }
check "lost-wakeup: a running CPU, nothing waiting: ok" \
	test "$(verdict_of "$data/monitor-running.txt")" = ok
check "lost-wakeup: a running CPU with the timer's vector waiting: waiting, with the timer count" \
	test "$(verdict_of "$data/monitor-running-pending.txt")" = "waiting 236 125512 running"
check "lost-wakeup: a CPU halted in its idle loop, nothing waiting: ok" \
	test "$(verdict_of "$data/monitor-halted.txt")" = ok
check "lost-wakeup: halted with the timer's vector waiting (the QEMU bug): waiting, and where" \
	test "$(verdict_of "$data/monitor-halted-lost.txt")" = "waiting 236 68382 halted at ffffffff982592eb"
sed 's/RFL=00000246/RFL=00000046/' "$data/monitor-halted-lost.txt" > "$work/if-off.txt"
check "lost-wakeup: halted with interrupts disabled: ok (a guest that halted for good)" \
	test "$(verdict_of "$work/if-off.txt")" = ok
sed 's/PPR 0x10/PPR 0xe0/' "$data/monitor-halted-lost.txt" > "$work/masked.txt"
check "lost-wakeup: halted with the vector below the processor priority: ok" \
	test "$(verdict_of "$work/masked.txt")" = ok
check "lost-wakeup: no sample at all: unknown" test "$(verdict_of < /dev/null)" = unknown

# The stand-in monitor: each "info lapic" prints the next of the samples
# $work/answer.0, .1, ... (round robin) and counts it in $work/turn
# (replaced whole, so a reader never sees it empty); other lines go to
# $work/sent.
cat > "$work/fake-monitor.sh" <<FAKE
#!/usr/bin/env bash
while read -r line; do
	case "\$line" in
	"info lapic")
		n=\$(cat "$work/turn")
		count=\$(ls "$work"/answer.* | wc -l)
		cat "$work/answer.\$((n % count))"
		echo \$((n + 1)) > "$work/turn.new" && mv "$work/turn.new" "$work/turn" ;;
	"info registers") ;;
	*) echo "\$line" >> "$work/sent" ;;
	esac
done
FAKE
chmod +x "$work/fake-monitor.sh"
served() { cat "$work/turn"; }
watch_with() { # watch_with COUNT SAMPLE...: run wake-watch.sh until it has
	# read COUNT samples (bounded by 60 s: an event, not a speed check)
	local want=$1 i=0
	shift
	rm -f "$work"/answer.* "$work/mon.sock"
	for sample; do cp "$sample" "$work/answer.$i"; i=$((i + 1)); done
	echo 0 > "$work/turn"
	: > "$work/sent"
	: > "$work/report"
	socat "UNIX-LISTEN:$work/mon.sock,fork" "EXEC:$work/fake-monitor.sh" 2>/dev/null &
	local server=$!
	WAKE_WATCH_S=0.3 NESTED_REPAIR_LOG=$work/repair-log "$here/wake-watch.sh" \
		"$work/mon.sock" "$work/report" 2> "$work/watch.err" &
	local watcher=$!
	for ((i = 0; i < 600 && $(served) < want; i++)); do sleep 0.1; done
	# A key press for sample K is in $work/sent before sample K + 1 is
	# asked for (the watcher waits for each exchange to end).
	kill "$watcher" "$server" 2>/dev/null
	wait "$watcher" "$server" 2>/dev/null
}
: > "$work/repair-log"
watch_with 6 "$data/monitor-halted-lost.txt"
check "wake-watch: a CPU left halted with an interrupt waiting gets a key press" \
	grep -qx "sendkey shift" "$work/sent"
check "wake-watch: the repair is reported on stderr, in its report and in NESTED_REPAIR_LOG" \
	bash -c 'grep -q "\*\*\* ENVIRONMENT REPAIR: .* vector 236 to the outer CPU (halted at ffffffff982592eb)" "$1" &&
		test -s "$2" && cmp -s "$2" "$3"' _ "$work/watch.err" "$work/report" "$work/repair-log"
# The stand-in still answers the same after the key press: the watcher must
# see two fresh samples agree before it sends another.
check "wake-watch: no more than one key press per two samples" \
	test "$(grep -c sendkey "$work/sent")" -le $(($(served) / 2))
watch_with 6 "$data/monitor-running-lost.txt"
check "wake-watch: a running CPU whose timer interrupt is never taken gets a key press" \
	grep -qx "sendkey shift" "$work/sent"
watch_with 6 "$data/monitor-running-pending.txt" "$data/monitor-running-pending-next.txt"
check "wake-watch: a timer interrupt caught waiting, but re-armed between samples: no key press" \
	test ! -s "$work/sent"
watch_with 6 "$data/monitor-halted.txt"
check "wake-watch: an idle CPU gets no key press and no report" \
	bash -c 'test ! -s "$1" && test ! -s "$2"' _ "$work/sent" "$work/report"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
