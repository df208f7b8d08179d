#!/bin/sh
# Runs on the nested host (boot-tests.spec, ci-*): the statuses that tell a
# CI job "this runner cannot run VMs", each reached for real, and minivmm
# run by a user without root. Each case changes the host (device modes, a
# module) and puts it back before it returns.
# Usage: ci-runner.sh CASE MINIVMM KERNEL INITRD VSOCK_TOOL
case_=$1 minivmm=$2 kernel=$3 initrd=$4 tool=$5
user=1000:1000

# expect_status WANT PATTERN COMMAND...: COMMAND's status must be WANT and
# its stderr must match PATTERN (grep -E).
expect_status() {
	want=$1 pat=$2
	shift 2
	"$@" </dev/null >/tmp/ci.out 2>/tmp/ci.err
	s=$?
	echo "status $s: $(tail -n 1 /tmp/ci.err)"
	if [ "$s" -ne "$want" ]; then
		echo "FAIL: exit status $s, expected $want"
		cat /tmp/ci.err
		return 1
	fi
	if ! grep -Eq -- "$pat" /tmp/ci.err; then
		echo "FAIL: stderr lacks /$pat/"
		cat /tmp/ci.err
		return 1
	fi
	echo "ok: status $want, message names the cause and the fix"
}

# The nodes as this host made them, put back after each case.
kvm_mode=$(stat -c %a /dev/kvm) kvm_owner=$(stat -c %u:%g /dev/kvm)
vv_mode=$(stat -c %a /dev/vhost-vsock) vv_owner=$(stat -c %u:%g /dev/vhost-vsock)
restore_nodes() {
	chown "$kvm_owner" /dev/kvm
	chmod "$kvm_mode" /dev/kvm
	chown "$vv_owner" /dev/vhost-vsock
	chmod "$vv_mode" /dev/vhost-vsock
}

case $case_ in
no-kvm)
	mv /dev/kvm /dev/kvm.away || exit 1
	expect_status 10 '/dev/kvm does not exist: this runner cannot run VMs; load the kvm module' \
		"$minivmm" --kernel "$kernel"
	r=$?
	mv /dev/kvm.away /dev/kvm
	exit $r ;;
kvm-denied)
	# A group the user is not in may use it: joining that group is the fix.
	chown 0:100 /dev/kvm
	chmod 0660 /dev/kvm
	expect_status 11 '/dev/kvm: permission denied for uid 1000 .*mode 0660\): add the user to group' \
		/carry/run-as "$user" "$minivmm" --kernel "$kernel"
	r=$?
	# Nobody but root may: a udev rule is the fix.
	chown 0:0 /dev/kvm
	chmod 0600 /dev/kvm
	expect_status 11 '/dev/kvm: permission denied .*a udev rule, e.g. KERNEL=="kvm", GROUP="kvm", MODE="0660"' \
		/carry/run-as "$user" "$minivmm" --kernel "$kernel" || r=1
	restore_nodes
	exit $r ;;
vhost-denied)
	chgrp 1000 /dev/kvm
	chmod 0660 /dev/kvm
	chown 0:0 /dev/vhost-vsock
	chmod 0600 /dev/vhost-vsock
	expect_status 14 '/dev/vhost-vsock: permission denied for uid 1000 .*KERNEL=="vhost-vsock", GROUP="kvm", MODE="0660"' \
		/carry/run-as "$user" "$minivmm" --kernel "$kernel" --vsock-cid auto
	r=$?
	restore_nodes
	exit $r ;;
no-vhost-vsock)
	# The module really unloaded: nothing else uses it between tests.
	rmmod vhost_vsock || { echo "FAIL: rmmod vhost_vsock"; exit 1; }
	expect_status 13 'the vhost_vsock module is not loaded; load it as root \(modprobe vhost_vsock' \
		"$minivmm" --kernel "$kernel" --vsock-cid 3
	r=$?
	insmod /modules/vhost_vsock.ko || { echo "FAIL: insmod vhost_vsock"; exit 1; }
	exit $r ;;
cid-taken)
	"$minivmm" --kernel "$kernel" --initrd "$initrd" --vsock-cid 3 \
		--cmdline 'minivmm.run="sleep 600"' </dev/null >/tmp/holder.out 2>&1 &
	holder=$!
	n=0
	until grep -q 'MINIVMM-GUEST-READY' /tmp/holder.out; do
		n=$((n + 1))
		[ "$n" -le 3000 ] || { echo "FAIL: the first VM did not boot"; kill $holder; exit 1; }
		sleep 0.1
	done
	expect_status 16 'CID 3 is already in use by another VM .*--vsock-cid auto' \
		"$minivmm" --kernel "$kernel" --vsock-cid 3
	r=$?
	kill -TERM $holder
	wait $holder
	exit $r ;;
non-root)
	# A user with access to both devices (their group), nothing more: the
	# demo guest boots, moves data over vsock both ways, and its verdict
	# comes back as minivmm's status.
	chgrp 1000 /dev/kvm /dev/vhost-vsock
	chmod 0660 /dev/kvm /dev/vhost-vsock
	rm -rf /tmp/nr
	mkdir -p /tmp/nr
	chown 1000:1000 /tmp/nr
	/carry/run-as "$user" "$minivmm" --kernel "$kernel" --initrd "$initrd" \
		--vsock-cid auto --vsock-cid-file /tmp/nr/cid \
		--cmdline 'minivmm.run="vsock-tool echo-server 1234 --count 1 && vsock-tool echo-client 2 1235 64K" minivmm.exit=1' \
		</dev/null >/tmp/nr.out 2>&1 &
	pid=$!
	r=0
	n=0
	until grep -q 'listening on port 1234' /tmp/nr.out; do
		n=$((n + 1))
		if [ "$n" -gt 3000 ] || ! kill -0 $pid 2>/dev/null; then
			echo "FAIL: the guest did not listen"; tail -n 20 /tmp/nr.out; r=1; break
		fi
		sleep 0.1
	done
	if [ $r = 0 ]; then
		echo "minivmm runs as: $(awk '/^Uid:|^Gid:|^Groups:/ { printf "%s ", $0 }' /proc/$pid/status)"
		grep -q '^Uid:[[:space:]]*1000[[:space:]]' /proc/$pid/status || { echo "FAIL: not uid 1000"; r=1; }
		"$tool" echo-server 1235 --count 1 >/tmp/nr.srv 2>&1 &
		srv=$!
		cid=$(cat /tmp/nr/cid)
		"$tool" echo-client "$cid" 1234 1M || { echo "FAIL: host to guest"; r=1; }
		wait $srv || { echo "FAIL: guest to host"; cat /tmp/nr.srv; r=1; }
	fi
	wait $pid
	s=$?
	echo "minivmm (uid 1000) exited with $s"
	[ "$s" -eq 0 ] || { echo "FAIL: status $s, expected 0"; tail -n 20 /tmp/nr.out; r=1; }
	restore_nodes
	exit $r ;;
*)
	echo "ci-runner.sh: unknown case '$case_'"
	exit 2 ;;
esac
