# shellcheck shell=bash
# The nested test host, as a bash library (source it, then call nested_*).
#
# The build machines' /dev/kvm cannot boot a real Linux guest and has no
# vhost, so tests that boot Linux run inside an outer VM: Debian's own
# kernel under QEMU TCG with `-cpu max` (which offers SVM and NPT), where
# kvm_amd and vhost_vsock load as modules. See /work/shared/notes/machines.md.
#
#   nested_init                         trap EXIT/INT/TERM/HUP for clean-up
#   nested_kernel_dir                   print the cached kernel directory
#   nested_build_initramfs JOB FILE...  build the outer initramfs: each FILE
#                                       (PATH or PATH=NAME) goes to /carry,
#                                       JOB runs as /job in /carry
#   nested_run MODE                     boot it; MODE is batch or interactive
#   nested_explain                      print what nested_run's result means;
#                                       returns 0 when the job reported a
#                                       status, NESTED_EXIT_ENV or
#                                       NESTED_EXIT_HOST when it did not
#
# Settings (environment):
#   MINIVMM_CACHE       cache directory (default ~/.cache/minivmm)
#   NESTED_MEMORY_MIB   outer VM RAM (default 2048)
#   NESTED_CPUS         outer vCPUs (default 1; 2 or more hang guests now
#                       and then: docs/testing.md, "One outer vCPU")
#   NESTED_TCG_THREAD   TCG's threading, multi (default) or single; single
#                       with NESTED_CPUS=2 reproduces that hang at once
#   NESTED_TIMEOUT_S    wall-clock limit for the whole outer VM (default 900)
#   NESTED_CONSOLE_LOG  also write the outer console to this file
#   NESTED_TEST_LOGS    batch mode: write the per-test logs to this file
#   NESTED_APPEND       extra words for the outer kernel's command line
#                       (debugging: "nokaslr loglevel=7")
#   NESTED_MONITOR      a path: QEMU's human monitor on that Unix socket
#                       (debugging a stuck outer VM: info registers -a)
#   NESTED_WAKE_WATCH   1 (default): wake-watch.sh repairs QEMU's lost
#                       wake-ups of the outer CPU, and says so; 0: it does
#                       not run (to see the bug: docs/testing.md)
#   NESTED_REPAIR_LOG   a file: wake-watch.sh appends each repair's line
#   NESTED_KERNEL_DEB   use this linux-image .deb instead of downloading one
#   NESTED_HOST_TOOLS   programs from this machine to carry in, with their
#                       libraries: a name goes to /usr/bin, an absolute path
#                       keeps its path (default: socat, the vsock peer for
#                       tests, and the two vhost-user backends of Debian's
#                       qemu-system-common, NESTED_VHOST_USER_BACKENDS)

NESTED_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NESTED_ROOT=$(cd "$NESTED_HERE/../.." && pwd)
NESTED_CACHE=${MINIVMM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minivmm}
# Same order as outer-init.sh loads them.
NESTED_MODULES="irqbypass kvm ccp kvm-amd vhost_iotlb vhost vsock"
NESTED_MODULES+=" vmw_vsock_virtio_transport_common vhost_vsock"
# virtio-net's host side: tun (taps), tap (macvtap's core, which vhost_net
# links against) and vhost_net.
NESTED_MODULES+=" tun tap vhost_net"
# Copied to /modules but not loaded: the boot tests of exit statuses 12 and
# 15 (tests/boot/ci-runner.sh) load them. msr: /dev/cpu/N/msr; vmw_vmci and
# vmw_vsock_vmci_transport: VMware's VMCI and its vsock transport.
NESTED_EXTRA_MODULES="msr vmw_vmci vmw_vsock_vmci_transport"

# Must match outer-init.sh.
NESTED_STATUS_BASE=16
NESTED_FAIL_MODULE=100
NESTED_FAIL_DEVICE=101
NESTED_FAIL_SETUP=102

# Exit statuses of the scripts that run tests in the nested host
# (run-nested-tests.sh, tests/kvm/run-nested.sh), besides 0 (every test
# passed), 1 (a test failed) and 2 (usage, or set-up on this machine failed):
#   NESTED_EXIT_ENV   an environment fault, proven before any test ran: the
#                     outer init reported that a kernel module did not load,
#                     that /dev/kvm or /dev/vhost-vsock did not appear, or
#                     that it could not set up; or QEMU itself failed before
#                     the outer VM said it was ready. Nothing of minivmm has
#                     run, so running the suite again is allowed.
#   NESTED_EXIT_HOST  the outer host timed out, panicked, rebooted or died
#                     after it was ready. minivmm ran in it and can cause
#                     that, so it is a failure like any other: never retried.
NESTED_EXIT_ENV=3
NESTED_EXIT_HOST=4
# The outer init's line once the modules are in and the devices are there.
NESTED_READY_LINE="nested-host: /dev/kvm and /dev/vhost-vsock ready after"

# virtio-fs and virtio-blk backends that minivmm and QEMU talk vhost-user
# to (docs/vhost-user.md), at the paths minivmm looks for them.
NESTED_VHOST_USER_BACKENDS="/usr/lib/qemu/virtiofsd /usr/bin/qemu-storage-daemon"
NESTED_HOST_TOOLS=${NESTED_HOST_TOOLS-socat $NESTED_VHOST_USER_BACKENDS}

NESTED_WORK=
NESTED_QEMU_PID=
NESTED_WATCHDOG_PID=
NESTED_WAKE_PID=
NESTED_WAKE_DIR=
NESTED_STTY=

nested_log() {
	echo "nested-host: $*" >&2
}

# nested_stop_background VAR: stop the background job whose pid the
# variable VAR holds (nothing when empty), wait for it and empty VAR.
nested_stop_background() {
	local pid=${!1}
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	printf -v "$1" '%s' ''
}

nested_cleanup() {
	if [ -n "$NESTED_QEMU_PID" ]; then
		# QEMU runs in its own session and process group (setsid).
		kill -TERM -- "-$NESTED_QEMU_PID" 2>/dev/null || kill -TERM "$NESTED_QEMU_PID" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$NESTED_QEMU_PID" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL -- "-$NESTED_QEMU_PID" 2>/dev/null
		wait "$NESTED_QEMU_PID" 2>/dev/null
		NESTED_QEMU_PID=
	fi
	nested_stop_background NESTED_WATCHDOG_PID
	nested_stop_background NESTED_WAKE_PID
	if [ -n "$NESTED_WAKE_DIR" ]; then
		rm -rf "$NESTED_WAKE_DIR"
		NESTED_WAKE_DIR=
	fi
	if [ -n "$NESTED_STTY" ]; then
		stty "$NESTED_STTY" 2>/dev/null
		NESTED_STTY=
	fi
	if [ -n "$NESTED_WORK" ]; then
		rm -rf "$NESTED_WORK"
		NESTED_WORK=
	fi
}

nested_init() {
	trap 'nested_cleanup' EXIT
	trap 'nested_cleanup; exit 130' INT
	trap 'nested_cleanup; exit 143' TERM
	trap 'nested_cleanup; exit 129' HUP
}

# The linux-image package that linux-image-amd64 points at today.
nested_kernel_package() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}

# Unpack a linux-image .deb into DIR: vmlinuz plus the modules we load.
nested_unpack_kernel() {
	local deb=$1 dir=$2 tmp=$3 m f
	dpkg -x "$deb" "$tmp/root" || return 1
	f=$(find "$tmp/root/boot" -name 'vmlinuz-*' | head -n 1)
	if [ -z "$f" ]; then
		nested_log "$deb has no /boot/vmlinuz-*"
		return 1
	fi
	mkdir -p "$dir/modules"
	cp "$f" "$dir/vmlinuz"
	for m in $NESTED_MODULES $NESTED_EXTRA_MODULES; do
		f=$(find "$tmp/root/lib/modules" -name "$m.ko" -o -name "$m.ko.xz" | head -n 1)
		case "$f" in
		"")
			nested_log "$deb has no module $m"
			return 1 ;;
		*.xz)
			# busybox insmod wants plain ELF.
			xz -dc "$f" > "$dir/modules/$m.ko" || return 1 ;;
		*)
			cp "$f" "$dir/modules/$m.ko" ;;
		esac
	done
	dpkg-deb -f "$deb" Package Version > "$dir/package"
}

# Print the directory holding Debian's kernel (vmlinuz, modules/*.ko),
# fetching and unpacking the package on first use.
nested_kernel_dir() {
	local pkg ver dir tmp deb m
	pkg=$(nested_kernel_package)
	if [ -z "$pkg" ]; then
		# apt's lists may be missing offline: fall back to any cached one.
		dir=$(ls -d "$NESTED_CACHE"/debian-kernel-* 2>/dev/null | sort -V | tail -n 1)
		if [ -n "$dir" ] && [ -s "$dir/vmlinuz" ]; then
			nested_log "apt-cache knows no linux-image-amd64; using cached $dir"
			echo "$dir"
			return 0
		fi
		nested_log "cannot find Debian's kernel package: 'apt-cache depends" \
			"linux-image-amd64' names none (run apt-get update)"
		return 1
	fi
	ver=${pkg#linux-image-}
	dir=$NESTED_CACHE/debian-kernel-$ver
	local complete=1
	[ -s "$dir/vmlinuz" ] || complete=0
	for m in $NESTED_MODULES $NESTED_EXTRA_MODULES; do
		[ -s "$dir/modules/$m.ko" ] || complete=0
	done
	if [ "$complete" = 1 ]; then
		echo "$dir"
		return 0
	fi
	nested_log "fetching $pkg into $dir"
	mkdir -p "$NESTED_CACHE" || return 1
	tmp=$(mktemp -d "$NESTED_CACHE/.fetch.XXXXXX") || return 1
	deb=${NESTED_KERNEL_DEB:-}
	if [ -z "$deb" ]; then
		deb=$(ls /var/cache/apt/archives/"${pkg}"_*_amd64.deb 2>/dev/null | tail -n 1)
	fi
	if [ -z "$deb" ]; then
		# apt's sandbox user (_apt) cannot write under a private home
		# directory; as root, download as root instead of warning.
		local sandbox=()
		[ "$(id -u)" = 0 ] && sandbox=(-o APT::Sandbox::User=root)
		if ! (cd "$tmp" && apt-get download -qq "${sandbox[@]}" "$pkg" >&2); then
			nested_log "apt-get download $pkg failed"
			rm -rf "$tmp"
			return 1
		fi
		deb=$(ls "$tmp"/*.deb | head -n 1)
	fi
	if ! nested_unpack_kernel "$deb" "$tmp/kernel" "$tmp"; then
		rm -rf "$tmp"
		return 1
	fi
	if [ -s "$dir/vmlinuz" ]; then
		# A copy that lacks only some modules (the module lists grew):
		# add them one by one (a rename each), so that another run
		# copying from it meanwhile sees each file whole.
		for m in "$tmp"/kernel/modules/*.ko; do
			[ -s "$dir/modules/${m##*/}" ] || mv -f "$m" "$dir/modules/"
		done
	else
		# Replace an incomplete copy; if another run got there first,
		# theirs is as good as ours.
		rm -rf "$dir"
		mv -T "$tmp/kernel" "$dir" 2>/dev/null
	fi
	rm -rf "$tmp"
	if [ ! -s "$dir/vmlinuz" ]; then
		nested_log "could not put the kernel into $dir"
		return 1
	fi
	echo "$dir"
}

nested_check_tools() {
	local t
	for t in qemu-system-x86_64 cpio dpkg apt-get setsid; do
		if ! command -v "$t" >/dev/null; then
			nested_log "$t is missing (apt-get install qemu-system-x86 cpio busybox-static)"
			return 1
		fi
	done
	if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
		nested_log "/bin/busybox is missing or not static (apt-get install busybox-static)"
		return 1
	fi
}

# nested_build_initramfs JOB FILE...: write $NESTED_WORK/outer.cpio with a
# static busybox, our /init, the modules, JOB as /job and each FILE (PATH or
# PATH=NAME) as /carry/NAME.
nested_build_initramfs() {
	local job=$1 kdir root f applet
	shift
	nested_check_tools || return 1
	kdir=$(nested_kernel_dir) || return 1
	NESTED_KERNEL=$kdir/vmlinuz
	mkdir -p "$NESTED_ROOT/build" || return 1
	NESTED_WORK=$(mktemp -d "$NESTED_ROOT/build/nested-host.XXXXXX") || return 1
	root=$NESTED_WORK/root
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,modules,carry} || return 1
	cp /bin/busybox "$root/bin/busybox" || return 1
	for applet in $(/bin/busybox --list); do
		[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
	done
	cp "$NESTED_HERE/outer-init.sh" "$root/init" || return 1
	make -s -C "$NESTED_HERE" OUT="$NESTED_ROOT/build/boot" \
		"$NESTED_ROOT/build/boot/kvm-keeper" "$NESTED_ROOT/build/boot/die-with-parent" >&2 ||
		return 1
	cp "$NESTED_ROOT/build/boot/kvm-keeper" "$root/bin/kvm-keeper" || return 1
	cp "$job" "$root/job" || return 1
	chmod 755 "$root/init" "$root/job"
	cp "$kdir"/modules/*.ko "$root/modules/" || return 1
	for f in "$@"; do
		local src=${f%%=*} name=${f##*=}
		[ "$src" = "$f" ] && name=${f##*/}
		if [ ! -r "$src" ]; then
			nested_log "$src is missing"
			return 1
		fi
		cp "$src" "$root/carry/$name" || return 1
	done
	for f in $NESTED_HOST_TOOLS; do
		nested_add_dynamic_tool "$root" "$f" || return 1
	done
	# Uncompressed: unpacking gzip under TCG would cost outer boot time.
	(cd "$root" && find . | cpio -o -H newc --quiet) > "$NESTED_WORK/outer.cpio" || return 1
	nested_log "outer initramfs: $(($(stat -c %s "$NESTED_WORK/outer.cpio") / 1024)) KiB"
}

# nested_add_dynamic_tool ROOT PROGRAM: copy a program from this machine,
# with the shared libraries ldd names (at the same paths), into ROOT: a peer
# or backend that nobody in this project wrote, such as socat or virtiofsd.
# PROGRAM as a name is looked up in PATH and goes to ROOT/usr/bin (ROOT/bin
# is busybox's); as an absolute path under /usr (a system program such as
# /usr/lib/qemu/virtiofsd) it keeps that path; any other absolute path (a
# program of this project's build, such as minivmm-san) goes to /usr/bin.
nested_add_dynamic_tool() {
	local root=$1 prog lib dest
	case "$2" in
	/usr/*)
		prog=$2
		dest=$root$(dirname "$2")
		[ -x "$prog" ] || { nested_log "$2 is not installed"; return 1; } ;;
	/*)
		# A program of this project's build (minivmm-san): in /usr/bin.
		prog=$2
		dest=$root/usr/bin
		[ -x "$prog" ] || { nested_log "$2 is missing"; return 1; } ;;
	*)
		prog=$(command -v "$2") || { nested_log "$2 is not installed"; return 1; }
		dest=$root/usr/bin ;;
	esac
	mkdir -p "$dest" && cp "$prog" "$dest/" || return 1
	for lib in $(ldd "$prog" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib" || return 1
	done
}

# nested_guest_tools ARCHIVE FILE...: a gzipped newc archive with Debian's
# socat and its libraries (at the same paths) plus each FILE in /usr/bin,
# for the guests of the network tests: a test appends it to the demo
# guest's initramfs (the kernel unpacks concatenated archives).
nested_guest_tools() {
	local out=$1 root f
	shift
	root=$(mktemp -d "$NESTED_ROOT/build/guest-tools.XXXXXX") || return 1
	nested_add_dynamic_tool "$root" socat || { rm -rf "$root"; return 1; }
	for f in "$@"; do
		cp "$f" "$root/usr/bin/" || { rm -rf "$root"; return 1; }
	done
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc --owner=0:0 --reproducible) | gzip -n > "$out.tmp" &&
		mv "$out.tmp" "$out"
	local rc=$?
	rm -rf "$root"
	return $rc
}

# nested_run batch|interactive: boot the outer VM on the initramfs built
# above. Sets NESTED_RC (QEMU's exit status, 124 for our timeout) and
# NESTED_STATUS (the job's status, or -1 when the job did not report).
nested_run() {
	local mode=$1 console
	local mem=${NESTED_MEMORY_MIB:-2048} cpus=${NESTED_CPUS:-1}
	local limit=${NESTED_TIMEOUT_S:-900}
	console="stdio,id=con,signal=off"
	[ -n "${NESTED_CONSOLE_LOG:-}" ] && console+=",logfile=$NESTED_CONSOLE_LOG"
	# shellcheck disable=SC2054 # commas inside QEMU option values
	local args=(
		-accel "tcg,thread=${NESTED_TCG_THREAD:-multi}" -cpu max -M q35 -smp "$cpus" -m "$mem"
		-nodefaults -no-user-config -display none -no-reboot
		-kernel "$NESTED_KERNEL" -initrd "$NESTED_WORK/outer.cpio"
		-append "console=ttyS0 panic=-1 quiet ${NESTED_APPEND:-}"
		-device isa-debug-exit,iobase=0xf4,iosize=4
		# No -nographic: its Ctrl-A mux would eat the Ctrl-A x that
		# minivmm inside uses; Ctrl-C reaches the guest (signal=off).
		-chardev "$console" -serial chardev:con
	)
	[ -n "${NESTED_MONITOR:-}" ] && args+=(-monitor "unix:$NESTED_MONITOR,server=on,wait=off")
	# A monitor of its own for wake-watch.sh, so it never waits for a
	# person's session on NESTED_MONITOR; in a short directory of its own,
	# as a Unix socket's path has at most 107 bytes.
	NESTED_WAKE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/nested-wake.XXXXXX") || return 1
	local wake_sock=$NESTED_WAKE_DIR/monitor.sock wake_report=$NESTED_WAKE_DIR/repairs
	: > "$wake_report"
	[ "${NESTED_WAKE_WATCH:-1}" = 1 ] && args+=(-monitor "unix:$wake_sock,server=on,wait=off")
	if [ "$mode" = batch ] && [ -n "${NESTED_TEST_LOGS:-}" ]; then
		args+=(-serial "file:$NESTED_TEST_LOGS")
	fi
	NESTED_STATUS=-1
	local flag=$NESTED_WORK/timed-out
	# QEMU has a session of its own, out of reach of a signal to this
	# script's process group; die-with-parent stops it (SIGTERM) when this
	# script dies, even of a SIGKILL that no trap sees.
	local qemu=("$NESTED_ROOT/build/boot/die-with-parent" qemu-system-x86_64)
	if [ "$mode" = interactive ]; then
		[ -t 0 ] && NESTED_STTY=$(stty -g)
		setsid -w "${qemu[@]}" "${args[@]}" <&0 &
	else
		setsid -w "${qemu[@]}" "${args[@]}" </dev/null &
	fi
	NESTED_QEMU_PID=$!
	if [ "${NESTED_WAKE_WATCH:-1}" = 1 ]; then
		"$NESTED_HERE/wake-watch.sh" "$wake_sock" "$wake_report" </dev/null &
		# shellcheck disable=SC2034 # read by nested_stop_background
		NESTED_WAKE_PID=$!
	fi
	# The watchdog stops QEMU politely (it exits with status 0 on SIGTERM)
	# and leaves a flag, so a timeout is not taken for a job's status.
	(
		trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
		sleep "$limit" &
		sleeper=$!
		wait "$sleeper"
		touch "$flag"
		kill -TERM -- "-$NESTED_QEMU_PID" 2>/dev/null
		sleep 5
		kill -KILL -- "-$NESTED_QEMU_PID" 2>/dev/null
	) &
	# shellcheck disable=SC2034 # read by nested_stop_background
	NESTED_WATCHDOG_PID=$!
	NESTED_RC=0
	wait "$NESTED_QEMU_PID" || NESTED_RC=$?
	NESTED_QEMU_PID=
	nested_stop_background NESTED_WATCHDOG_PID
	nested_stop_background NESTED_WAKE_PID
	local repairs
	repairs=$(wc -l < "$wake_report")
	[ "$repairs" -gt 0 ] && nested_log "$repairs lost wake-up(s) of the outer CPU" \
		"repaired during this run (QEMU; lines marked ENVIRONMENT REPAIR above)"
	rm -rf "$NESTED_WAKE_DIR"
	NESTED_WAKE_DIR=
	if [ -n "$NESTED_STTY" ]; then
		stty "$NESTED_STTY" 2>/dev/null
		NESTED_STTY=
	fi
	if [ -e "$flag" ]; then
		NESTED_RC=124
	elif [ $((NESTED_RC & 1)) = 1 ] && [ "$NESTED_RC" -ge $((2 * NESTED_STATUS_BASE + 1)) ]; then
		NESTED_STATUS=$(((NESTED_RC >> 1) - NESTED_STATUS_BASE))
	fi
	return 0
}

# nested_exit_after_explain PREFIX: for a script that runs tests in the
# nested host, after nested_explain returned non-zero: say what the exit
# status means, then exit with it.
nested_exit_after_explain() {
	local rc=$1 prefix=$2
	if [ "$rc" = "$NESTED_EXIT_ENV" ]; then
		echo "$prefix: exit status $rc: environment fault before any test ran" \
			"(the nested host did not come up); a retry is allowed" >&2
	else
		echo "$prefix: exit status $rc: the outer host failed while the tests ran;" \
			"counted as a failure, never retried" >&2
	fi
	exit "$rc"
}

# Whether the outer init printed its ready line (NESTED_READY_LINE) on the
# console log. Without a console log there is no proof either way: "yes".
nested_was_ready() {
	[ -n "${NESTED_CONSOLE_LOG:-}" ] || return 0
	[ -r "$NESTED_CONSOLE_LOG" ] || return 1
	grep -qF -- "$NESTED_READY_LINE" "$NESTED_CONSOLE_LOG"
}

# One line on what went wrong when the job did not report a status of its
# own, or the job's status when it did. Returns 0 when the job reported,
# NESTED_EXIT_ENV for an environment fault that a second run may get past,
# NESTED_EXIT_HOST for a timeout, panic or death of the outer host (which
# minivmm running inside it can cause: not to be retried).
nested_explain() {
	local limit=${NESTED_TIMEOUT_S:-900}
	if [ "$NESTED_RC" = 124 ]; then
		nested_log "the outer VM did not finish within $limit s (NESTED_TIMEOUT_S) and was" \
			"stopped; this is a failure, not an environment fault (no retry)"
		return "$NESTED_EXIT_HOST"
	fi
	case "$NESTED_STATUS" in
	-1)
		if [ "$NESTED_RC" = 0 ]; then
			nested_log "the outer VM stopped without reporting a status (outer kernel" \
				"panic or reboot; see the console above); this is a failure, not an" \
				"environment fault (no retry)"
			return "$NESTED_EXIT_HOST"
		fi
		if nested_was_ready; then
			nested_log "QEMU failed (exit status $NESTED_RC) after the outer VM was ready;" \
				"this is a failure, not an environment fault (no retry)"
			return "$NESTED_EXIT_HOST"
		fi
		nested_log "ENVIRONMENT FAULT: QEMU failed (exit status $NESTED_RC) before the" \
			"outer VM was ready"
		return "$NESTED_EXIT_ENV" ;;
	"$NESTED_FAIL_MODULE")
		nested_log "ENVIRONMENT FAULT: the nested host failed to start: a kernel module did not load"
		return "$NESTED_EXIT_ENV" ;;
	"$NESTED_FAIL_DEVICE")
		nested_log "ENVIRONMENT FAULT: the nested host failed to start: /dev/kvm or" \
			"/dev/vhost-vsock is missing"
		return "$NESTED_EXIT_ENV" ;;
	"$NESTED_FAIL_SETUP")
		nested_log "ENVIRONMENT FAULT: the nested host failed to start: its init could not" \
			"set up (see above)"
		return "$NESTED_EXIT_ENV" ;;
	esac
	return 0
}
