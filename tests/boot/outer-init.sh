#!/bin/sh
# /init of the nested test host: a busybox initramfs under Debian's own
# kernel in QEMU (TCG). It turns the outer VM into a KVM + vhost_vsock host,
# runs /job and reports the job's exit status to the machine running QEMU
# through the isa-debug-exit device (see nested-host.sh for the encoding).
export PATH=/bin:/usr/bin

# Status values written to the debug-exit port are STATUS_BASE + status, so
# that a report of 0 cannot be confused with QEMU's own exit status 1.
STATUS_BASE=16
JOB_STATUS_MAX=99
FAIL_MODULE=100
FAIL_DEVICE=101
FAIL_SETUP=102

# Modules in dependency order (kvm-amd needs kvm and ccp; vhost_vsock needs
# vhost and the vsock core); the builder copies exactly these.
MODULES="irqbypass kvm ccp kvm-amd vhost_iotlb vhost vsock"
MODULES="$MODULES vmw_vsock_virtio_transport_common vhost_vsock"
# virtio-net: taps (tun), tap (vhost_net links against it), vhost_net.
MODULES="$MODULES tun tap vhost_net"
# /modules also holds msr, vmw_vmci and vmw_vsock_vmci_transport, which
# only the tests of exit statuses 12 and 15 load (ci-runner.sh).

report() {
	sync
	# isa-debug-exit (iobase 0xf4): an outb of V makes QEMU exit with
	# (V << 1) | 1. /dev/port maps file offsets to I/O ports.
	printf "$(printf '\\%03o' $((STATUS_BASE + $1)))" |
		dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	echo "nested-host: cannot report status $1 (no debug-exit port?); powering off" >&2
	poweroff -f
}

die() {
	code=$1
	shift
	echo "nested-host: $*" >&2
	report "$code"
}

# Give the host a root that is a mount of its own, as a host booted from a
# disk has. The kernel unpacked us into rootfs, the first mount, which has no
# parent; pivot_root(2) refuses (EINVAL) a caller whose root is such a mount,
# and virtiofsd's default sandbox (-o sandbox=namespace) pivots into the
# shared directory. So, before anything else is mounted, bind the initramfs
# onto a directory of its own, move that mount over / and chroot into it:
# what switch_root does, without copying the files into a new tmpfs or
# deleting them from rootfs. Run a second time from there with the
# variable set; nothing else changes (same files, same tmpfs underneath).
if [ "${NESTED_ROOT_MOUNTED:-}" != 1 ]; then
	if mkdir -p /root-mount && mount -o bind / /root-mount && cd /root-mount &&
		mount -o move . /; then
		export NESTED_ROOT_MOUNTED=1
		exec chroot . /init
	fi
	root_failed=1
fi

mount -t proc proc /proc || die $FAIL_SETUP "mounting /proc failed"
mount -t sysfs sysfs /sys || die $FAIL_SETUP "mounting /sys failed"
mount -t devtmpfs devtmpfs /dev || die $FAIL_SETUP "mounting devtmpfs on /dev failed"
mkdir -p /dev/pts
mount -t devpts -o ptmxmode=0666 devpts /dev/pts || die $FAIL_SETUP "mounting /dev/pts failed"
mount -t tmpfs tmpfs /tmp || die $FAIL_SETUP "mounting /tmp failed"
[ -c /dev/port ] || die $FAIL_SETUP "/dev/port is missing (kernel without CONFIG_DEVPORT)"
[ -z "${root_failed:-}" ] || die $FAIL_SETUP "could not make the initramfs a mounted root"

for m in $MODULES; do
	insmod "/modules/$m.ko" || die $FAIL_MODULE "loading kernel module $m failed"
done

# devtmpfs normally creates both nodes; fall back to the numbers in sysfs.
for d in kvm vhost-vsock vhost-net; do
	if [ ! -c "/dev/$d" ] && [ -r "/sys/class/misc/$d/dev" ]; then
		IFS=: read -r major minor < "/sys/class/misc/$d/dev"
		mknod "/dev/$d" c "$major" "$minor"
	fi
	[ -c "/dev/$d" ] || die $FAIL_DEVICE "/dev/$d is missing after loading the modules"
done
[ -x /job ] || die $FAIL_SETUP "no /job in the initramfs"
# One idle VM held open for good: VMs coming and going would otherwise
# flip KVM's static keys, and the kernel text patching that does has
# frozen this emulated host (tests/boot/kvm-keeper.c).
/bin/kvm-keeper || echo "nested-host: kvm-keeper failed; VMs may freeze this host" >&2
# From here on only critical outer-kernel messages on the console: kvm's
# rate-limited notes (e.g. "Unhandled WRMSR") would land in the middle of
# the job's output. The rest is in dmesg, copied out with the logs below.
echo 3 > /proc/sys/kernel/printk
read -r uptime _ < /proc/uptime
# nested-host.sh looks for this line (NESTED_READY_LINE): QEMU failing
# before it is an environment fault, after it a failure.
echo "nested-host: /dev/kvm and /dev/vhost-vsock ready after $uptime s (outer clock)"

cd /carry 2>/dev/null || cd /
/job
status=$?
cd /

# Copy the per-test logs and the outer kernel's log to the second serial
# port, when QEMU gave us one (it does in batch mode).
if [ -c /dev/ttyS1 ] && stty -F /dev/ttyS1 >/dev/null 2>&1; then
	{
		for f in /tmp/boot-logs/*.log; do
			[ -f "$f" ] || continue
			echo "===== ${f##*/}"
			cat "$f"
		done
		echo "===== outer kernel (dmesg)"
		dmesg
	} 2>/dev/null > /dev/ttyS1
fi

if [ "$status" -gt $JOB_STATUS_MAX ]; then
	echo "nested-host: the job exited with status $status; reporting $JOB_STATUS_MAX" >&2
	status=$JOB_STATUS_MAX
fi
report "$status"
