#!/bin/sh
# Runs on the nested host (boot-tests.spec, vsock-cid-auto-parallel): COUNT
# demo guests started at once with --vsock-cid auto must all get distinct
# CIDs (each written to its --vsock-cid-file before the guest runs) and
# all move data: each guest serves one echo connection (vsock-tool
# echo-server --count 1), the host echoes 256 KiB through every one, and
# each guest then reports its verdict through the exit port (minivmm.exit=1),
# so every minivmm exits 0. VMs racing for the same CID are refused by the
# kernel (EADDRINUSE) and take the next: --debug logs each retry.
# Usage: auto-cid-vms.sh MINIVMM KERNEL INITRD VSOCK_TOOL [COUNT]
minivmm=$1 kernel=$2 initrd=$3 tool=$4 count=${5:-20}
dir=/tmp/auto-cid
rm -rf "$dir"
mkdir -p "$dir"

fail() {
	echo "auto-cid-vms: FAIL: $*"
	for f in "$dir"/*.out; do
		echo "--- $f (last lines, without --debug's)"
		grep -v 'minivmm: debug:' "$f" | tail -n 30
	done
	for f in "$dir"/*.pid; do
		kill -KILL "$(cat "$f")" 2>/dev/null
	done
	exit 1
}

i=0
while [ "$i" -lt "$count" ]; do
	i=$((i + 1))
	"$minivmm" --kernel "$kernel" --initrd "$initrd" --memory 128 --debug \
		--vsock-cid auto --vsock-cid-file "$dir/$i.cid" \
		--cmdline 'minivmm.run="vsock-tool echo-server 1234 --count 1 --timeout 600" minivmm.exit=1' \
		</dev/null >"$dir/$i.out" 2>&1 &
	echo $! >"$dir/$i.pid"
done
echo "auto-cid-vms: $count VMs started"

# Every CID file, written before each guest's first instruction.
cid_files() { find "$dir" -name '*.cid' | wc -l; }
n=0
while [ "$(cid_files)" -lt "$count" ]; do
	n=$((n + 1))
	[ "$n" -le 1200 ] || fail "only $(cid_files) CID files after 120 s"
	sleep 0.1
done
distinct=$(cat "$dir"/*.cid | sort -u | wc -l)
echo "auto-cid-vms: CIDs $(cat "$dir"/*.cid | sort -n | tr '\n' ' ')"
[ "$distinct" -eq "$count" ] || fail "$distinct distinct CIDs for $count VMs"
retries=$(cat "$dir"/*.out | grep -c 'is taken; trying the next')
echo "auto-cid-vms: $retries refusals (EADDRINUSE) retried"
[ "$retries" -gt 0 ] || fail "no VM was refused a CID: the retry path did not run"

# Data through every VM, once its guest listens.
i=0
while [ "$i" -lt "$count" ]; do
	i=$((i + 1))
	n=0
	until grep -q 'listening on port 1234' "$dir/$i.out"; do
		n=$((n + 1))
		[ "$n" -le 6000 ] || fail "VM $i: its guest did not listen within 600 s"
		if ! kill -0 "$(cat "$dir/$i.pid")" 2>/dev/null; then
			wait "$(cat "$dir/$i.pid")"
			fail "VM $i exited early, with status $?"
		fi
		sleep 0.1
	done
	cid=$(cat "$dir/$i.cid")
	# 20 guests on the nested host's one emulated CPU can take longer
	# than vsock-tool's default 30 s to answer a connect (it happened in
	# CI, ETIMEDOUT): a generous bound, not a speed test.
	out=$("$tool" echo-client "$cid" 1234 256K --timeout 600 2>&1) || fail "VM $i (CID $cid): $out"
done
echo "auto-cid-vms: 256 KiB echoed through each of the $count VMs"

# Each guest's verdict (its echo server's exit status) is minivmm's.
i=0
while [ "$i" -lt "$count" ]; do
	i=$((i + 1))
	wait "$(cat "$dir/$i.pid")"
	s=$?
	[ "$s" -eq 0 ] || fail "VM $i exited with $s, expected 0 (the guest's verdict)"
done
echo "auto-cid-vms: all $count VMs exited 0"
