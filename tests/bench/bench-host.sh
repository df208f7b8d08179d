#!/bin/sh
# bench-host.sh: the benchmark's measurements on the nested test host
# (busybox sh). bench.spec calls it from `host` steps while a guest runs under
# minivmm or QEMU; each command ends with one line
#   BENCH vmm=PROCESS test=NAME key=value ...
# which bootrun repeats on the console (a labelled host step shows the last
# line) and bench-table.awk reads. Everything before that line is detail for
# the logs.
#
#   bench-host.sh setup                      mount tracefs, prepare the trace buffer
#   bench-host.sh mem PROCESS RAM_MIB        resident memory of the VMM minus guest RAM
#   bench-host.sh idle PROCESS SECS          counters over an idle interval
#   bench-host.sh h2g PROCESS PEER PORT BYTES [TEST [SEED]]
#                                            send to a receiver in the guest
#   bench-host.sh g2h-server PORT [TEST [ADDRESS]]
#                                            receive one stream from the guest
#   bench-host.sh g2h PROCESS LIMIT_S [TEST] wait for that stream, counting
#   bench-host.sh ping PROCESS PEER PORT N [TEST]
#                                            N 1-byte round trips to the guest
#   bench-host.sh io-begin PROCESS TAG       start counting for a measurement
#                                            the guest makes (io-bench)
#   bench-host.sh io-end PROCESS TAG FILE LIMIT_S
#                                            wait for FILE, io-bench's output
#                                            that the guest writes into the
#                                            shared directory, stop counting
#   bench-host.sh trace-file PROCESS FILE    lines of minivmm's --trace-file, by category
#   bench-host.sh exit-counts TRACE          the exit counters of a saved trace
#                                            (for tests/bench/selftest-table.sh)
#
# PEER is the guest's vsock CID, or its IPv4 address for TCP over the
# virtio-net device (vsock-tool takes either); a g2h-server given ADDRESS
# listens there on TCP. TEST names the measurement in the BENCH line
# (default h2g, g2h, ping; the network's are net_h2g, net_g2h, net_ping);
# SEED is the host's stream (default 1).
#
# PROCESS is the VMM's process name (minivmm, qemu-system-x86_64); exactly one
# must be running. The counters taken around each transfer are the same for
# both VMMs:
#   uexits    returns from KVM_RUN to the VMM (tracepoint kvm:kvm_userspace_exit,
#             every vCPU ioctl that comes back to userspace, whatever the reason);
#             uexits_console, uexits_signal and uexits_data split them (snap_end)
#   wakeups   voluntary context switches of all the VMM's threads
#             (/proc/PID/task/*/status): each is a thread going to sleep and
#             later being woken; wakeups_main, those of the main thread alone
#   nvcsw     involuntary context switches (preempted threads)
set -u
PATH=/bin:/usr/bin
TRACE=/sys/kernel/tracing
TOOL=${BENCH_VSOCK_TOOL:-/carry/vsock-tool}
STATE=${BENCH_HOST_STATE:-/tmp/bench-host}

die() {
	echo "bench-host: $*" >&2
	exit 1
}

vmm_pid() {
	pids=$(pidof "$1") || die "no $1 process is running"
	# shellcheck disable=SC2086 # split the list of PIDs
	set -- $pids
	[ $# -eq 1 ] || die "$# processes are called $1 ($pids); expected one"
	echo "$1"
}

cmd_setup() {
	mkdir -p "$STATE"
	if [ ! -d "$TRACE/events" ]; then
		mount -t tracefs tracefs "$TRACE" || die "cannot mount tracefs on $TRACE"
	fi
	[ -d "$TRACE/events/kvm/kvm_userspace_exit" ] ||
		die "no kvm:kvm_userspace_exit tracepoint (is kvm loaded?)"
	echo 0 > "$TRACE/tracing_on"
	# kvm_userspace_exit records are small; 16 MiB per CPU holds far more
	# than a transfer produces. Losses are reported (lost=) in any case.
	echo 16384 > "$TRACE/buffer_size_kb" || die "cannot size the trace buffer"
	# kvm_pio and kvm_mmio only say what caused each exit (see causes()).
	for event in kvm_userspace_exit kvm_pio kvm_mmio; do
		echo 1 > "$TRACE/events/kvm/$event/enable" || die "cannot enable kvm:$event"
	done
	: > "$TRACE/trace"
	echo "bench-host: tracing kvm:kvm_userspace_exit (with kvm_pio, kvm_mmio)"
}

# Per-thread context switches of PID: "TID NAME VOLUNTARY NONVOLUNTARY".
# (busybox sh has no local variables: names here must not clash with callers'.)
thread_switches() {
	for task_status in /proc/"$1"/task/*/status; do
		awk -v tid="${task_status%/status}" '
			$1 == "Name:" { name = $2 }
			$1 == "voluntary_ctxt_switches:" { vol = $2 }
			$1 == "nonvoluntary_ctxt_switches:" { nonvol = $2 }
			END { sub(/.*\//, "", tid); printf "%s %s %d %d\n", tid, name, vol, nonvol }
		' "$task_status" 2>/dev/null
	done
}

overruns() {
	awk '$1 == "overrun:" { n += $2 } END { print n + 0 }' "$TRACE"/per_cpu/cpu*/stats
}

# Read the trace; print the cause of each exit to userspace, one a line:
# the reason and, for I/O, the access. KVM traces a port write or an MMIO
# access before the exit it causes (kvm_pio pio_write, kvm_mmio write or
# unsatisfied-read), but a port read only when userspace has answered it,
# after the exit (arch/x86/kvm/x86.c, emulator_pio_in/out, write_mmio,
# read_exit_mmio). In-kernel accesses are traced too, and followed by no exit.
causes() {
	awk '
		match($0, /-[0-9]+ +\[[0-9]+\]/) {
			tid = substr($0, RSTART + 1, RLENGTH)
			sub(/ .*/, "", tid)
		}
		/ kvm_pio: / {
			match($0, /pio_[a-z]+ at 0x[0-9a-f]+/)
			what = substr($0, RSTART, RLENGTH)
			if (pending[tid]) {
				print "KVM_EXIT_IO " what
				pending[tid] = 0
			} else {
				last[tid] = what
			}
			next
		}
		/ kvm_mmio: / {
			match($0, /mmio [a-z-]+ len [0-9]+ gpa 0x[0-9a-f]+/)
			last[tid] = substr($0, RSTART, RLENGTH)
			next
		}
		/ kvm_userspace_exit: / {
			match($0, /reason [^ ]+/)
			reason = substr($0, RSTART + 7, RLENGTH - 7)
			if (reason == "KVM_EXIT_IO" && last[tid] ~ /^pio_write/)
				print reason " " last[tid]
			else if (reason == "KVM_EXIT_IO")
				pending[tid] = 1
			else if (reason == "KVM_EXIT_MMIO" && last[tid] ~ /^mmio (write|unsatisfied)/)
				print reason " " last[tid]
			else
				print reason
			last[tid] = ""
		}'
}

# Start counting: clear the trace buffer and note every thread's switches.
snap_begin() {
	pid=$1 tag=$2
	echo 0 > "$TRACE/tracing_on"
	: > "$TRACE/trace"
	overruns > "$STATE/$tag.overrun"
	thread_switches "$pid" > "$STATE/$tag.before"
	echo 1 > "$TRACE/tracing_on"
}

# The exits to userspace in a trace file, as key=value pairs: uexits (all),
# by exit reason (uexits_io, uexits_mmio, uexits_other) and by cause:
# uexits_console, the serial console's ports (0x3f8-0x3ff: a kernel message
# printed during the interval); uexits_signal, KVM_RUN cut short by a
# signal ("restart", -EINTR: minivmm's halt watch probing a halted vCPU);
# uexits_data, every other exit, those the measured traffic could have
# caused. Leaves the causes, one a line, in $STATE/exit.causes.
exit_counts() {
	causes < "$1" > "$STATE/exit.causes"
	awk -v causes="$STATE/exit.causes" '
		/ kvm_userspace_exit: / {
			u++
			if ($0 ~ /reason KVM_EXIT_IO /) io++
			else if ($0 ~ /reason KVM_EXIT_MMIO /) mmio++
			else other++
		}
		END {
			while ((getline line < causes) > 0) {
				if (line ~ /^KVM_EXIT_IO pio_[a-z]+ at 0x3f[89a-f]$/) console++
				else if (line == "restart") signal++
			}
			printf "uexits=%d uexits_io=%d uexits_mmio=%d uexits_other=%d " \
				"uexits_console=%d uexits_signal=%d uexits_data=%d\n",
				u, io, mmio, other, console, signal, u - console - signal
		}' "$1"
}

# Stop counting; print the per-thread detail and set $COUNTERS to the
# key=value summary. A thread that started in between counts from zero; one
# that ended in between is missed (QEMU's short-lived workers).
snap_end() {
	pid=$1 tag=$2
	echo 0 > "$TRACE/tracing_on"
	thread_switches "$pid" > "$STATE/$tag.after"
	lost=$(($(overruns) - $(cat "$STATE/$tag.overrun")))
	# Only one VM runs at a time, so every record is this VMM's.
	exits=$(exit_counts "$TRACE/trace")
	echo "exits to userspace by cause:"
	sort "$STATE/exit.causes" | uniq -c | sort -rn | head -n 20
	echo "context switches by thread (tid name voluntary nonvoluntary):"
	awk 'NR == FNR { vol[$1] = $3; nonvol[$1] = $4; next }
		{ printf "  %s %s %d %d\n", $1, $2, $3 - vol[$1], $4 - nonvol[$1] }' \
		"$STATE/$tag.before" "$STATE/$tag.after"
	# wakeups_main: the main thread's alone (TID = PID), the main loop of
	# both VMMs, where QEMU injects virtio-mmio interrupts; the others are
	# mostly vCPU threads sleeping in KVM_RUN while the guest halts.
	COUNTERS="$exits $(awk -v lost="$lost" -v pid="$pid" '
		NR == FNR { vol[$1] = $3; nonvol[$1] = $4; next }
		{ w += $3 - vol[$1]; n += $4 - nonvol[$1]; threads++ }
		$1 == pid { main = $3 - vol[$1] }
		END { printf "wakeups=%d wakeups_main=%d nvcsw=%d threads=%d lost=%d",
			w, main, n, threads, lost }' \
		"$STATE/$tag.before" "$STATE/$tag.after")"
}

# "send: 268435456 bytes checksum 0x1234abcd in 2.000 s = 128.0 MiB/s"
# -> "bytes=268435456 crc=0x1234abcd seconds=2.000 mib_s=128.0"
transfer_fields() {
	sed -n 's/^[a-z]*: \([0-9]*\) bytes checksum \(0x[0-9a-f]*\) in \([0-9.]*\) s = \([0-9.]*\) MiB\/s$/bytes=\1 crc=\2 seconds=\3 mib_s=\4/p' "$1" | tail -n 1
}

cmd_mem() {
	[ $# -eq 2 ] || die "usage: mem PROCESS RAM_MIB"
	pid=$(vmm_pid "$1") || exit 1
	ram_kib=$(($2 * 1024))
	# Guest RAM: the anonymous mapping(s) exactly as large as the guest's
	# memory (minivmm mmaps it in one piece below 3 GiB; QEMU's RAM block
	# is one anonymous mapping too). Everything else resident is the VMM's.
	awk -v ram_kib="$ram_kib" -v detail="$STATE/mem.detail" '
		/^[0-9a-f]+-[0-9a-f]+ / {
			anon = NF < 6
			name = anon ? "[anonymous]" : $6
			next
		}
		$1 == "Size:" { size = $2; next }
		$1 == "Rss:" {
			rss += $2
			if (anon && size == ram_kib) { ram += $2; nram++; isram = 1 }
			else { isram = 0; by[name] += $2 }
			next
		}
		($1 == "Private_Clean:" || $1 == "Private_Dirty:") && !isram { priv += $2 }
		END {
			for (n in by) if (by[n] > 0) printf "%8d kB %s\n", by[n], n > detail
			if (nram == 0) { print "no anonymous mapping of " ram_kib " kB" > "/dev/stderr"; exit 1 }
			printf "rss_kib=%d ram_rss_kib=%d ram_mappings=%d overhead_kib=%d private_overhead_kib=%d\n",
				rss, ram, nram, rss - ram, priv
		}' "/proc/$pid/smaps" > "$STATE/mem.out" || die "measuring /proc/$pid/smaps failed"
	echo "resident memory outside guest RAM, by mapping (kB):"
	sort -rn "$STATE/mem.detail" | head -n 12
	echo "BENCH vmm=$1 test=mem $(cat "$STATE/mem.out")"
}

cmd_idle() {
	[ $# -eq 2 ] || die "usage: idle PROCESS SECS"
	pid=$(vmm_pid "$1") || exit 1
	snap_begin "$pid" idle
	sleep "$2"
	snap_end "$pid" idle
	echo "BENCH vmm=$1 test=idle seconds=$2 $COUNTERS"
}

cmd_h2g() {
	case $# in 4 | 5 | 6) ;; *) die "usage: h2g PROCESS PEER PORT BYTES [TEST [SEED]]" ;; esac
	pid=$(vmm_pid "$1") || exit 1
	test_name=${5:-h2g}
	snap_begin "$pid" "$test_name"
	"$TOOL" send "$2" "$3" "$4" --seed "${6:-1}" --chunk 64K > "$STATE/$test_name.out" 2>&1
	status=$?
	snap_end "$pid" "$test_name"
	cat "$STATE/$test_name.out"
	[ $status -eq 0 ] || die "vsock-tool send failed (status $status)"
	echo "BENCH vmm=$1 test=$test_name $(transfer_fields "$STATE/$test_name.out") $COUNTERS"
}

# The receiver for g2h, started by the spec (spawn) before the guest boots.
cmd_g2h_server() {
	case $# in 1 | 2 | 3) ;; *) die "usage: g2h-server PORT [TEST [ADDRESS]]" ;; esac
	out=$STATE/${2:-g2h}-recv.out
	rm -f "$out"
	if [ $# -eq 3 ]; then
		exec "$TOOL" recv "$1" --count 1 --tcp "$3" > "$out" 2>&1
	fi
	exec "$TOOL" recv "$1" --count 1 > "$out" 2>&1
}

# Wait for g2h-server's outcome (the guest was told to send), counting. Its
# last line says how the stream went: "recv: ..." (bytes and rate, or what
# failed). The server's exit cannot be awaited: it is bootrun's child, and a
# zombie until the test ends.
cmd_g2h() {
	[ $# -eq 2 ] || [ $# -eq 3 ] || die "usage: g2h PROCESS LIMIT_S [TEST]"
	pid=$(vmm_pid "$1") || exit 1
	test_name=${3:-g2h}
	out=$STATE/$test_name-recv.out
	snap_begin "$pid" "$test_name"
	waited=0
	while ! grep -q "^recv: " "$out" 2>/dev/null; do
		# Twice a second: the polling itself takes CPU from the transfer.
		[ "$waited" -lt $(($2 * 2)) ] || break
		sleep 0.5
		waited=$((waited + 1))
	done
	snap_end "$pid" "$test_name"
	cat "$out"
	grep -q "bytes checksum" "$out" ||
		die "no stream from the guest arrived within $2 s"
	echo "BENCH vmm=$1 test=$test_name $(transfer_fields "$out") $COUNTERS"
}

cmd_ping() {
	[ $# -eq 4 ] || [ $# -eq 5 ] || die "usage: ping PROCESS PEER PORT N [TEST]"
	pid=$(vmm_pid "$1") || exit 1
	test_name=${5:-ping}
	snap_begin "$pid" "$test_name"
	"$TOOL" ping "$2" "$3" "$4" > "$STATE/$test_name.out" 2>&1
	status=$?
	snap_end "$pid" "$test_name"
	cat "$STATE/$test_name.out"
	[ $status -eq 0 ] || die "vsock-tool ping failed (status $status)"
	# "ping: 10000 round trips, median 50.1 us, p99 80.2 us, min 40.0 us, max 900.0 us"
	fields=$(sed -n 's/^ping: \([0-9]*\) round trips, median \([0-9.]*\) us, p99 \([0-9.]*\) us, min \([0-9.]*\) us, max \([0-9.]*\) us$/trips=\1 median_us=\2 p99_us=\3 min_us=\4 max_us=\5/p' "$STATE/$test_name.out")
	echo "BENCH vmm=$1 test=$test_name $fields $COUNTERS"
}

# minivmm's --trace-file after the VM has stopped: its size and its lines by
# category ("[    1.234567] virtio: ..." counts as virtio), which show that
# tracing was on while the data planes were measured.
cmd_trace_file() {
	[ $# -eq 2 ] || die "usage: trace-file PROCESS FILE"
	[ -s "$2" ] || die "$2 is missing or empty: was --trace-file given?"
	echo "trace lines by category:"
	fields=$(awk '{ sub(/^\[[^]]*\] */, ""); c = $1; sub(/:$/, "", c); n[c]++; all++ }
		END { printf "lines=%d", all
			for (c in n) if (c ~ /^[a-z]+$/) printf " lines_%s=%d", c, n[c] }' "$2")
	echo "$fields"
	echo "BENCH vmm=$1 test=tracefile bytes=$(wc -c < "$2") $fields"
}

# The vhost-user rows: the guest runs io-bench (guest-images/programs) on
# the virtio-fs share or the virtio-blk disk and writes its one line of
# output into the share; the counting runs from io-begin (just before the
# command is typed) to the moment that file appears (polled twice a second).
cmd_io_begin() {
	[ $# -eq 2 ] || die "usage: io-begin PROCESS TAG"
	pid=$(vmm_pid "$1") || exit 1
	snap_begin "$pid" "$2"
	echo "bench-host: counting $1 (pid $pid) for $2"
}

cmd_io_end() {
	[ $# -eq 4 ] || die "usage: io-end PROCESS TAG FILE LIMIT_S"
	pid=$(vmm_pid "$1") || exit 1
	waited=0
	while [ ! -s "$3" ]; do
		[ "$waited" -lt $(($4 * 2)) ] || break
		sleep 0.5
		waited=$((waited + 1))
	done
	snap_end "$pid" "$2"
	[ -s "$3" ] || die "no output from io-bench in $3 within $4 s"
	cat "$3"
	# "read: 268435456 bytes in 2.000 s = 128.0 MiB/s"
	# "meta: 2000 files: create 1.0 s = 2000.0 ops/s, stat ..., unlink ..."
	fields=$(sed -n \
		-e 's/^read: \([0-9]*\) bytes in \([0-9.]*\) s = \([0-9.]*\) MiB\/s$/bytes=\1 seconds=\2 mib_s=\3/p' \
		-e 's/^meta: \([0-9]*\) files: create \([0-9.]*\) s = \([0-9.]*\) ops\/s, stat \([0-9.]*\) s = \([0-9.]*\) ops\/s, unlink \([0-9.]*\) s = \([0-9.]*\) ops\/s$/files=\1 create_s=\2 create_ops_s=\3 stat_s=\4 stat_ops_s=\5 unlink_s=\6 unlink_ops_s=\7/p' \
		"$3")
	[ -n "$fields" ] || die "io-bench's output in $3 is not a result line"
	echo "BENCH vmm=$1 test=$2 $fields $COUNTERS"
}

mkdir -p "$STATE"
cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
setup) cmd_setup ;;
mem) cmd_mem "$@" ;;
idle) cmd_idle "$@" ;;
h2g) cmd_h2g "$@" ;;
g2h-server) cmd_g2h_server "$@" ;;
g2h) cmd_g2h "$@" ;;
ping) cmd_ping "$@" ;;
io-begin) cmd_io_begin "$@" ;;
io-end) cmd_io_end "$@" ;;
trace-file) cmd_trace_file "$@" ;;
exit-counts) exit_counts "$1" ;;
*) die "unknown command '$cmd' (setup, mem, idle, h2g, g2h-server, g2h, ping, io-begin, io-end, trace-file)" ;;
esac
