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
EOF

BOOTRUN_SELFTEST_TAG=$tag "$bootrun" -l "$work/logs" "$work/standins.spec" > "$work/out" 2>&1
rc=$?
cat "$work/out"
echo "---"
check "exit status 1 when a test fails" test "$rc" = 1
check "summary line" has_line "4 passed, 10 failed"
for t in pass-dialogue pass-tty-raw pass-number pass-after-last-match; do
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
check "one test by name" has_line "1 passed, 0 failed"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
