#!/usr/bin/env bash
# Debian's stock kernel booted by two minivmm builds in one nested host, in
# alternating order, boot only: for a lever whose effect on a boot must be
# shown in the same run (docs/benchmarks.md, "Levers").
#
#   usage: ab-stock.sh MINIVMM_STATIC BASELINE_COMMIT [ROUNDS]
#
# The baseline is minivmm-static as it was at BASELINE_COMMIT
# (build-baseline.sh). Each round boots the stock kernel with the stock
# initramfs (guest-images/stock-initramfs.sh) once under each build, with
# --boot-timer --stats, to the guest's READY line, then powers off; odd
# rounds start with the baseline, even rounds with MINIVMM_STATIC. Prints
# each boot's figures and the medians: wall time to READY (bootrun, from
# minivmm's start), the guest's clock at READY, and exits to minivmm.
# No retries: a boot that fails fails the run (exit status 1).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ $# -lt 2 ]; then
	echo "usage: $0 MINIVMM_STATIC BASELINE_COMMIT [ROUNDS]" >&2
	exit 2
fi
minivmm=$1 commit=$2 rounds=${3:-5}
case "$rounds" in '' | *[!0-9]*) echo "ab-stock: ROUNDS must be a number" >&2; exit 2 ;; esac
out=$root/build/ab-stock
mkdir -p "$out" || exit 2
baseline=$root/build/minivmm-ab-$commit
"$here/build-baseline.sh" "$commit" "$baseline" || exit 2
"$root/guest-images/stock-initramfs.sh" "$root/build/stock" || exit 2

spec=$out/ab.spec
for ((i = 1; i <= rounds; i++)); do
	if ((i % 2)); then order="base new"; else order="new base"; fi
	for v in $order; do
		# shellcheck disable=SC2016 # expanded in the nested host
		bin='$MINIVMM'
		[ "$v" = base ] && bin=/carry/minivmm-base
		printf 'test %s-%d\n' "$v" "$i"
		# shellcheck disable=SC2016 # expanded in the nested host
		printf '\trun %s --kernel $STOCK_KERNEL --initrd $STOCK_INITRD --vsock-cid 3 --cpus 1 --boot-timer --stats\n' "$bin"
		printf '\texpect 300 "MINIVMM-GUEST-READY" ready\n'
		printf '\texpect 30 "minivmm-guest:"\n'
		printf '\tsend "poweroff\\n"\n'
		printf '\texpect 60 "pio_exits=" stats\n'
		printf '\texit 0 120\n\n'
	done
done > "$spec"

BOOT_TESTS_SPEC=$spec BOOT_TESTS_OUT=$out BOOT_TESTS_CARRY="$baseline=minivmm-base" \
	"$root/tests/boot/run-nested-tests.sh" "$minivmm" | tee "$out/run.log"
rc=${PIPESTATUS[0]}
echo "ab-stock: new = $minivmm, base = minivmm-static at $commit, $rounds rounds"
awk '
	/^  (base|new)-[0-9]+: ready after/ {
		split($1, n, "-"); v = n[1]
		t[v] = t[v] " " $4
		if (match($0, /uptime=[0-9.]+/)) u[v] = u[v] " " substr($0, RSTART + 7, RLENGTH - 7)
	}
	/^  (base|new)-[0-9]+: stats after/ {
		split($1, n, "-"); v = n[1]
		if (match($0, /vcpu_exits=[0-9]+/)) x[v] = x[v] " " substr($0, RSTART + 11, RLENGTH - 11)
	}
	function median(list,    a, k, i, j, tmp) {
		k = split(list, a, " ")
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++)
			if (a[j] + 0 < a[i] + 0) { tmp = a[i]; a[i] = a[j]; a[j] = tmp }
		if (k == 0) return "n/a"
		return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	END {
		for (v in t)
			printf "ab-stock: %-4s wall to READY (s):%s, median %s; guest clock at READY (s):%s, median %s; exits to minivmm:%s, median %s\n",
				v, t[v], median(t[v]), u[v], median(u[v]), x[v], median(x[v])
	}' "$out/run.log"
exit "$rc"
