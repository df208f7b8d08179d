#!/usr/bin/env bash
# Runs each libFuzzer target for a fixed number of executions, starting from
# its seed corpus (tests/fuzz/corpus/<target>), one after the other (the
# build machines have 2 cores). One test per target: it passes if it ran
# all its executions without a crash, sanitizer report, FUZZ_CHECK failure,
# leak or timeout. Prints one line per target and, last, "N passed, N failed".
#
#   run-fuzzers.sh RUNS BUILD_DIR TARGET...
#
# The committed seeds are never written to: new inputs go to
# BUILD_DIR/work/<target>, crashing inputs to BUILD_DIR/artifacts/<target>/
# (both emptied at the start of each run), libFuzzer's output to
# BUILD_DIR/logs/<target>.log. FUZZ_SEED=N fixes libFuzzer's random seed
# (by default it picks one and prints it in the log).
set -u

if [ $# -lt 3 ]; then
	echo "usage: $0 RUNS BUILD_DIR TARGET..." >&2
	exit 2
fi
runs=$1
mkdir -p "$2"
build=$(cd "$2" && pwd)
shift 2
corpus=$(cd "$(dirname "$0")" && pwd)/corpus
# Stack traces with file:line need llvm-symbolizer; Debian's llvm-14 has it
# only under a versioned name unless the unversioned llvm package is there.
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && ! command -v llvm-symbolizer >/dev/null &&
	[ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]; then
	export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
fi
pass=0
fail=0

for t in "$@"; do
	bin=$build/fuzz_$t
	work=$build/work/$t
	art=$build/artifacts/$t
	log=$build/logs/$t.log
	rm -rf "$work" "$art"
	mkdir -p "$work" "$art" "$build/logs"
	seeds=$(find "$corpus/$t" -type f | wc -l)

	start=$EPOCHREALTIME
	# -timeout: a single input running 10 s is a hang, reported as a crash.
	# -use_value_profile: lets the fuzzer climb comparisons against
	# constants (magic numbers, register offsets) one bit at a time.
	"$bin" -runs="$runs" -timeout=10 -rss_limit_mb=2048 -use_value_profile=1 \
		-print_final_stats=1 -artifact_prefix="$art/" ${FUZZ_SEED:+-seed="$FUZZ_SEED"} \
		"$work" "$corpus/$t" >"$log" 2>&1
	rc=$?
	end=$EPOCHREALTIME

	secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
	execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
	execs=${execs:-0}
	rate=$(awk -v n="$execs" -v s="$secs" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
	cov=$(sed -n 's/^#[0-9]*[[:space:]]*DONE[[:space:]]*\(cov: [0-9]* ft: [0-9]*\).*/\1/p' "$log" |
		tail -1)
	found=$(find "$work" -type f | wc -l)
	seed=$(sed -n 's/^INFO: Seed: \([0-9]*\).*/\1/p' "$log" | head -1)

	if [ "$rc" -eq 0 ] && [ "$execs" -ge "$runs" ]; then
		pass=$((pass + 1))
		echo "fuzz_$t: PASS: $execs runs in $secs s ($rate/s), ${cov:-cov: ?}," \
			"$seeds seeds + $found new inputs, seed ${seed:-?}"
	else
		fail=$((fail + 1))
		echo "fuzz_$t: FAIL (exit $rc) after $execs of $runs runs in $secs s, seed ${seed:-?}"
		# The report: from the first line that says what went wrong.
		report=$(awk '/FUZZ_CHECK failed|==[0-9]+==ERROR|runtime error:|ERROR: libFuzzer/ \
			{ p = 1 } p' "$log" | head -n 50)
		echo "--- from $log:"
		if [ -n "$report" ]; then
			echo "$report"
		else
			tail -n 40 "$log"
		fi
		for a in "$art"/*; do
			[ -e "$a" ] || continue
			echo "--- input saved as $a; replay it with:"
			echo "    MINIVMM_FUZZ_LOG=1 $bin $a"
		done
	fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
