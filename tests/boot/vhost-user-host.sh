#!/bin/sh
# vhost-user-host.sh: the nested host's half of the vhost-user tests and
# benchmark (busybox sh): the files a guest is shown, and Debian's two
# backends started on them (tests/boot/vhost-user-tests.spec,
# tests/bench/bench.spec). Everything lives under DIR:
#   share/                the directory shared with the guest (virtio-fs)
#   disk.img              the disk (virtio-blk)
#   fs.sock, blk.sock     the backends' sockets
#   virtiofsd.log, qsd.log  their output
#
#   vhost-user-host.sh files DIR [BIG_MIB [FILES [DISK_MIB]]]
#       share/big (BIG_MIB of random bytes, default 64) and big.sha256,
#       share/note ("ORIGINAL"), share/many/ with FILES empty files (default
#       1000); disk.img of DISK_MIB (default 64) zeros but for 8 MiB of
#       random bytes at 32 MiB (when it is at least 40 MiB), whose SHA-256 is
#       in share/host-part.sha256
#   vhost-user-host.sh virtiofsd DIR [OPTION...]
#       start virtiofsd on DIR/fs.sock serving DIR/share, with its default
#       sandbox unless an OPTION (passed on: -o cache=none) says otherwise;
#       return once the socket is there
#   vhost-user-host.sh qsd DIR
#       start qemu-storage-daemon exporting DIR/disk.img as a writable
#       vhost-user-blk disk on DIR/blk.sock; return once the socket is there
#   vhost-user-host.sh qsd-later DIR SECS
#       the same, SECS seconds from now, returning at once
#   vhost-user-host.sh check-disk DIR
#       the disk image's first 8 MiB against share/guest-part.sha256 (the
#       SHA-256 the guest wrote there of what it wrote at offset 0)
# The backends run in the background, in the caller's process group, so
# whoever ends the test ends them (bootrun kills the group). Exit status 0,
# 1 on failure (with the backend's log).
set -u
PATH=/bin:/usr/bin
VIRTIOFSD=${MINIVMM_VIRTIOFSD:-/usr/lib/qemu/virtiofsd}
QSD=${QEMU_STORAGE_DAEMON:-qemu-storage-daemon}
# Generous: under the emulator a backend takes about a second to listen.
SOCKET_WAIT_TENTHS=600

die() {
	echo "vhost-user-host: $*" >&2
	exit 1
}

# wait_socket PATH PID LOG: until PATH is a socket; fail if PID exits first.
wait_socket() {
	i=0
	until [ -S "$1" ]; do
		kill -0 "$2" 2>/dev/null || { cat "$3" >&2; die "$(basename "$3" .log) exited before $1 appeared"; }
		[ $i -lt $SOCKET_WAIT_TENTHS ] || { cat "$3" >&2; die "no socket $1 after $((SOCKET_WAIT_TENTHS / 10)) s"; }
		sleep 0.1
		i=$((i + 1))
	done
}

cmd_files() {
	dir=$1 big=${2:-64} files=${3:-1000} disk=${4:-64}
	rm -rf "$dir"
	mkdir -p "$dir/share/many" || die "cannot make $dir"
	dd if=/dev/urandom of="$dir/share/big" bs=1M count="$big" 2>/dev/null || die "writing share/big failed"
	(cd "$dir/share" && sha256sum big > big.sha256) || die "sha256sum failed"
	echo ORIGINAL > "$dir/share/note"
	i=0
	while [ $i -lt "$files" ]; do
		: > "$dir/share/many/file-$i" || die "creating share/many/file-$i failed"
		i=$((i + 1))
	done
	dd if=/dev/zero of="$dir/disk.img" bs=1M count="$disk" 2>/dev/null || die "writing disk.img failed"
	if [ "$disk" -ge 40 ]; then
		# shellcheck disable=SC2015 # any step failing is fatal
		dd if=/dev/urandom of="$dir/host-part" bs=1M count=8 2>/dev/null &&
			dd if="$dir/host-part" of="$dir/disk.img" bs=1M seek=32 conv=notrunc 2>/dev/null &&
			sha256sum < "$dir/host-part" | cut -d' ' -f1 > "$dir/share/host-part.sha256" ||
			die "writing the host's part of disk.img failed"
		rm -f "$dir/host-part"
	fi
	echo "vhost-user-host: $dir: share/big $big MiB, share/many $files files, disk.img $disk MiB"
}

cmd_virtiofsd() {
	dir=$1
	shift
	[ -d "$dir/share" ] || die "no $dir/share (run: files $dir)"
	rm -f "$dir/fs.sock"
	"$VIRTIOFSD" --socket-path="$dir/fs.sock" -o source="$dir/share" "$@" > "$dir/virtiofsd.log" 2>&1 &
	wait_socket "$dir/fs.sock" $! "$dir/virtiofsd.log"
	echo "vhost-user-host: virtiofsd serves $dir/share on $dir/fs.sock"
}

start_qsd() {
	rm -f "$1/blk.sock"
	exec "$QSD" --blockdev "driver=file,node-name=disk0,filename=$1/disk.img" \
		--export "type=vhost-user-blk,id=exp0,node-name=disk0,addr.type=unix,addr.path=$1/blk.sock,writable=on" \
		> "$1/qsd.log" 2>&1
}

cmd_qsd() {
	[ -f "$1/disk.img" ] || die "no $1/disk.img (run: files $1)"
	start_qsd "$1" &
	wait_socket "$1/blk.sock" $! "$1/qsd.log"
	echo "vhost-user-host: qemu-storage-daemon exports $1/disk.img on $1/blk.sock"
}

cmd_qsd_later() {
	[ -f "$1/disk.img" ] || die "no $1/disk.img (run: files $1)"
	rm -f "$1/blk.sock"
	(sleep "$2" && start_qsd "$1") &
	echo "vhost-user-host: qemu-storage-daemon will start in $2 s"
}

cmd_check_disk() {
	want=$(cat "$1/share/guest-part.sha256" 2>/dev/null) || die "no $1/share/guest-part.sha256"
	got=$(head -c 8388608 "$1/disk.img" | sha256sum | cut -d' ' -f1)
	[ "$got" = "$want" ] || die "disk.img's first 8 MiB: sha256 $got, the guest wrote $want"
	echo "vhost-user-host: the disk image holds what the guest wrote ($got)"
}

cmd=${1:-}
[ $# -ge 2 ] || die "usage: $0 files|virtiofsd|qsd|qsd-later|check-disk DIR ..."
shift
case "$cmd" in
files) cmd_files "$@" ;;
virtiofsd) cmd_virtiofsd "$@" ;;
qsd) cmd_qsd "$1" ;;
qsd-later) [ $# -eq 2 ] || die "usage: qsd-later DIR SECS"; cmd_qsd_later "$1" "$2" ;;
check-disk) cmd_check_disk "$1" ;;
*) die "unknown command '$cmd'" ;;
esac
