#!/usr/bin/env bash
# Boot the demo guest (guest-images/out) on this terminal: `make run`.
#
#   usage: run-demo.sh MINIVMM MINIVMM_STATIC [MINIVMM OPTIONS...]
#
# With a /dev/kvm that can boot Linux and a /dev/vhost-vsock, MINIVMM runs
# right here. Otherwise MINIVMM_STATIC runs inside the nested test host (see
# nested-host.sh) with this terminal as its console. Without a terminal
# (e.g. `make run </dev/null`) the guest is told to power off by itself once
# it has printed its boot lines. Exit status: minivmm's.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=nested-host.sh
. "$here/nested-host.sh"

if [ $# -lt 2 ]; then
	echo "usage: $0 MINIVMM MINIVMM_STATIC [MINIVMM OPTIONS...]" >&2
	exit 2
fi
minivmm=$1
minivmm_static=$2
shift 2
images=$NESTED_ROOT/guest-images/out
for f in "$images/bzImage" "$images/initramfs.cpio.gz"; do
	if [ ! -r "$f" ]; then
		echo "run-demo: $f is missing (make guest-images)" >&2
		exit 2
	fi
done

# The demo: the guest (CID 3) connects to an echo server on the host (CID 2,
# port 9999) over vsock as soon as it is up, sends 1 MiB and checks the echo;
# then it mounts a directory the host shares with it (--share, virtio-fs
# through virtiofsd) on /mnt and lists it; then its shell is yours.
demo_port=9999
demo_share_note="hello from the host: this file is in a directory on the host, shared over virtio-fs"
demo_guest_run="vsock-tool echo-client 2 $demo_port 1M"
# (the kernel command line only minds double quotes and spaces)
demo_guest_share="mkdir -p /mnt && mount -t virtiofs share0 /mnt && echo shared directory on /mnt: && ls -l /mnt && cat /mnt/hello.txt"
# --share needs root (virtiofsd must run as root) and Debian's virtiofsd;
# the demo skips the shared directory without them and says why.
share_skip=
if [ "$(id -u)" != 0 ]; then
	share_skip="not root (virtiofsd must run as root)"
elif [ ! -x "${MINIVMM_VIRTIOFSD:-/usr/lib/qemu/virtiofsd}" ]; then
	share_skip="no virtiofsd (apt-get install qemu-system-common)"
fi
if [ -z "$share_skip" ]; then
	demo_guest_run="$demo_guest_run && $demo_guest_share"
fi
demo_cmdline="minivmm.run=\"$demo_guest_run\""
if [ -t 0 ] && [ -t 1 ]; then
	interactive=1
else
	interactive=0
	demo_cmdline+=" minivmm.poweroff=1"
fi
options=(--vsock-cid 3 --cmdline "$demo_cmdline" "$@")
vsock_tool=$images/programs/vsock-tool

# Why this machine cannot run the demo directly, or nothing if it can.
why_nested() {
	if [ ! -c /dev/kvm ]; then
		echo "no /dev/kvm on this machine"
	elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo "/dev/kvm is not readable and writable for $(id -un)"
	elif [ -d /sys/module/kvm_pvm ]; then
		# The paravirtualised KVM of these build machines stops a full
		# Linux guest with emulation failures (see machines.md).
		echo "this /dev/kvm is kvm_pvm, which cannot boot a full Linux guest"
	elif [ ! -c /dev/vhost-vsock ]; then
		echo "no /dev/vhost-vsock on this machine"
	elif [ ! -r /dev/vhost-vsock ] || [ ! -w /dev/vhost-vsock ]; then
		echo "/dev/vhost-vsock is not readable and writable for $(id -un)"
	fi
}

echo "minivmm demo: the guest will echo 1 MiB over vsock with a server on the host" \
	"(CID 2, port $demo_port)" >&2
if [ -z "$share_skip" ]; then
	echo "minivmm demo: and mount a directory shared by the host (--share, virtio-fs) on /mnt" >&2
else
	echo "minivmm demo: no shared directory: $share_skip" >&2
fi
why=$(why_nested)
if [ -z "$why" ]; then
	if [ -z "$share_skip" ]; then
		share_dir=$(mktemp -d "${TMPDIR:-/tmp}/minivmm-demo-share.XXXXXX") || exit 1
		echo "$demo_share_note" > "$share_dir/hello.txt"
		options+=(--share "$share_dir")
	fi
	[ "$interactive" = 1 ] && echo "minivmm: Ctrl-A x quits" >&2
	"$vsock_tool" echo-server "$demo_port" >/dev/null &
	server=$!
	# shellcheck disable=SC2064
	trap "kill $server 2>/dev/null; rm -rf '${share_dir:-}'" EXIT
	"$minivmm" --kernel "$images/bzImage" --initrd "$images/initramfs.cpio.gz" \
		"${options[@]}"
	exit $?
fi

echo "minivmm: $why; booting the demo guest inside the nested test host" \
	"(QEMU TCG, kvm_amd, vhost_vsock)" >&2

# Quote for the busybox shell inside: 'it'\''s'.
sh_quote() {
	printf "'%s'" "${1//\'/\'\\\'\'}"
}

[ -z "$share_skip" ] && export NESTED_HOST_TOOLS="${NESTED_HOST_TOOLS-socat} /usr/lib/qemu/virtiofsd"
nested_init
job=$(mktemp "$NESTED_ROOT/build/demo-job.XXXXXX") || exit 1
# shellcheck disable=SC2064
trap "rm -f '$job'; nested_cleanup" EXIT
{
	echo '#!/bin/sh'
	echo '# /job of the nested host: the demo guest on the console (run-demo.sh).'
	# Only emergencies from the outer kernel, so it does not write into the demo.
	echo 'echo "1 4 1 7" > /proc/sys/kernel/printk'
	# The outer kernel's own critical messages from now on (levels 0-2: a
	# soft lockup of the nested host itself, say), again with their origin,
	# so that they are not taken for the demo guest's. /dev/kmsg gives one
	# record "level,seq,usec,flags;text" per read(), so cat reads it.
	echo 'since=$(cut -d. -f1 /proc/uptime)'
	echo '( cat /dev/kmsg | while IFS= read -r rec; do case $rec in [0-2],*) us=${rec#*,*,}; us=${us%%,*}; [ $((us / 1000000)) -ge "$since" ] && echo "nested host kernel (not the guest): ${rec#*;}";; esac; done > /dev/ttyS0 2>&1 ) &'
	echo "./vsock-tool echo-server $demo_port >/dev/null 2>&1 &"
	if [ -z "$share_skip" ]; then
		# The nested host carries Debian's virtiofsd (NESTED_HOST_TOOLS).
		echo 'mkdir -p /tmp/demo-share'
		echo "echo $(sh_quote "$demo_share_note") > /tmp/demo-share/hello.txt"
		echo 'for v in /usr/lib/qemu/virtiofsd /usr/bin/virtiofsd; do [ -x $v ] && export MINIVMM_VIRTIOFSD=$v && break; done'
		options+=(--share /tmp/demo-share)
	fi
	# ttyS0 rather than /dev/console: a real tty that setsid -c can make
	# the controlling terminal, and that minivmm can put into raw mode.
	printf 'exec setsid -c ./minivmm --kernel bzImage --initrd initramfs.cpio.gz'
	for o in "${options[@]}"; do
		printf ' %s' "$(sh_quote "$o")"
	done
	echo ' </dev/ttyS0 >/dev/ttyS0 2>&1'
} > "$job"

nested_build_initramfs "$job" "$minivmm_static=minivmm" "$vsock_tool=vsock-tool" \
	"$images/bzImage=bzImage" "$images/initramfs.cpio.gz=initramfs.cpio.gz" || exit 1
if [ "$interactive" = 1 ]; then
	echo "minivmm: the outer VM takes a few seconds to start; Ctrl-A x quits" >&2
	nested_run interactive
else
	nested_run batch
fi
nested_explain || exit 1
exit "$NESTED_STATUS"
