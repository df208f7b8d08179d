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
vsock-busy)
	# Another host-side vsock transport holds AF_VSOCK. In Linux 6.1 the
	# only one besides vhost_vsock is VMware's: vmw_vsock_vmci_transport
	# takes the host-to-guest role when a VMCI host context is created (a
	# VMware VM starts) and vhost_vsock does not hold it already; it keeps
	# the role until it is unloaded. Then vhost_vsock cannot load (EBUSY,
	# net/vmw_vsock/af_vsock.c vsock_core_register). other-hypervisor
	# vmci-vm makes the context the way VMware's vmx does (/dev/vmci).
	vv_dev=$(cat /sys/class/misc/vhost-vsock/dev)
	rmmod vhost_vsock || { echo "FAIL: rmmod vhost_vsock"; exit 1; }
	r=0
	if ! { insmod /modules/vmw_vmci.ko && insmod /modules/vmw_vsock_vmci_transport.ko &&
		/carry/other-hypervisor vmci-vm; }; then
		echo "FAIL: setting up VMCI"
		r=1
	fi
	if [ $r = 0 ]; then
		if insmod /modules/vhost_vsock.ko 2>/tmp/insmod.err; then
			echo "FAIL: vhost_vsock loaded beside VMware's transport"
			r=1
		else
			echo "insmod vhost_vsock: $(cat /tmp/insmod.err)"
			grep -q 'Device or resource busy' /tmp/insmod.err ||
				{ echo "FAIL: insmod vhost_vsock did not fail with EBUSY"; r=1; }
		fi
	fi
	fix='rmmod vmw_vsock_vmci_transport; modprobe vhost_vsock'
	if [ $r = 0 ]; then
		# With devtmpfs there is no node: ENOENT.
		expect_status 15 "/dev/vhost-vsock: No such file or directory: VMware's vsock transport \(vmw_vsock_vmci_transport\) holds the host side of AF_VSOCK.*$fix" \
			"$minivmm" --kernel "$kernel" --vsock-cid 3 || r=1
		# A static node (what udev makes from the module's devname alias,
		# so that opening it loads the module): misc_open finds no driver
		# once loading fails, ENODEV.
		mknod /dev/vhost-vsock c "${vv_dev%%:*}" "${vv_dev##*:}"
		expect_status 15 "/dev/vhost-vsock: No such device: VMware's vsock transport .*$fix" \
			"$minivmm" --kernel "$kernel" --vsock-cid auto || r=1
		rm -f /dev/vhost-vsock
	fi
	# Put the host back: the fix the message gives.
	rmmod vmw_vsock_vmci_transport 2>/dev/null
	rmmod vmw_vmci 2>/dev/null
	if [ ! -d /sys/module/vhost_vsock ]; then
		insmod /modules/vhost_vsock.ko || { echo "FAIL: insmod vhost_vsock afterwards"; exit 1; }
	fi
	[ -c /dev/vhost-vsock ] || { echo "FAIL: no /dev/vhost-vsock afterwards"; exit 1; }
	exit $r ;;
kvm-busy)
	# Another hypervisor holds the CPU's virtualization. KVM turns AMD SVM
	# on (EFER.SVME) when the first VM is created and off when the last
	# goes; if it is on already, someone else has it and KVM_CREATE_VM
	# fails with EBUSY (virt/kvm/kvm_main.c hardware_enable_all,
	# arch/x86/kvm/svm/svm.c svm_hardware_enable). other-hypervisor sets
	# EFER.SVME as VirtualBox's vboxdrv does while it runs a VM. The host's
	# idle VM (kvm-keeper, outer-init.sh) keeps SVM on, so it goes away for
	# the test and comes back: two flips of KVM's static keys, which one
	# outer CPU takes without harm (kvm-keeper.c).
	[ -d /sys/module/msr ] || insmod /modules/msr.ko || { echo "FAIL: insmod msr"; exit 1; }
	for p in $(pidof kvm-keeper); do
		kill "$p"
	done
	r=0
	n=0
	until [ "$(/carry/other-hypervisor svm show)" = off ]; do
		n=$((n + 1))
		if [ "$n" -gt 100 ]; then
			echo "FAIL: KVM still has SVM on 10 s after kvm-keeper went (another VM alive?)"
			r=1
			break
		fi
		sleep 0.1
	done
	msg='kvm: enabling virtualization on CPU0 failed'
	before=$(dmesg | grep -c "$msg")
	if [ $r = 0 ] && /carry/other-hypervisor svm hold; then
		expect_status 12 "KVM_CREATE_VM: Device or resource busy: KVM could not turn on the CPU's virtualization .*another hypervisor holds it.*stop that hypervisor's VMs" \
			"$minivmm" --kernel "$kernel" || r=1
		after=$(dmesg | grep -c "$msg")
		echo "kernel log: '$msg' $((after - before)) time(s)"
		[ "$after" -gt "$before" ] || { echo "FAIL: the kernel did not log it"; r=1; }
	else
		r=1
	fi
	/carry/other-hypervisor svm release || r=1
	# The idle VM back, in its own session so that it outlives this test.
	setsid /bin/kvm-keeper </dev/null >/tmp/kvm-keeper.log 2>&1 ||
		{ echo "FAIL: kvm-keeper did not come back: $(cat /tmp/kvm-keeper.log)"; r=1; }
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
