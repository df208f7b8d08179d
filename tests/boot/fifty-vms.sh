#!/bin/sh
# Runs on the nested host (tests/boot/stress-tests.spec, boot-tests.spec):
# start and stop COUNT VMs with a vsock device one after the other (the tiny
# hello guest, which resets at once; every VM gets CID 3), then check that
# neither the open file descriptors of the host's processes nor its memory
# (MemAvailable after dropping caches, kernel slab) grew, and that no VMM
# process is left behind.
#
# MemAvailable is allowed to fall by 32 MiB: the outer kernel's allocator
# keeps a bounded number of freed pages on its per-CPU lists, where they
# count as neither free nor used, and that bound grows with the outer VM's
# RAM. In a run of 200 VMs (2 GiB outer VM) it fell by 9.3 MiB in steps
# over the first 140 and not at all over the last 60, where a leak of a
# fixed size per VM would have fallen in a straight line; in the boot
# suite's 4.5 GiB outer VM it has fallen by up to 12.4 MiB over 50 VMs
# (docs/robustness.md). A leak of 650 KiB or more per VM fails this test.
# Usage: fifty-vms.sh MINIVMM KERNEL [COUNT]
minivmm=$1 kernel=$2 count=${3:-50}

# One VM; a VM still running after 60 s (600 polls 0.1 s apart; longer on
# a loaded machine) is stuck: show where, then fail. The tiny guest resets
# at once, so the bound is generous on purpose.
run() {
	"$minivmm" --kernel "$kernel" --vsock-cid 3 </dev/null >/tmp/vm.out 2>&1 &
	pid=$!
	n=0
	while kill -0 "$pid" 2>/dev/null; do
		n=$((n + 1))
		if [ "$n" -gt 600 ]; then
			echo "VM $1 still running after 60 s; its threads' kernel stacks:"
			for t in /proc/"$pid"/task/*; do
				echo "$t: $(cat "$t"/wchan 2>/dev/null)"
				cat "$t"/stack 2>/dev/null
			done
			echo w > /proc/sysrq-trigger
			echo l > /proc/sysrq-trigger
			dmesg | tail -n 120
			kill -KILL "$pid"
			exit 1
		fi
		sleep 0.1
	done
	if ! wait "$pid"; then
		echo "VM $1 failed:"
		cat /tmp/vm.out
		dmesg | tail -n 40
		exit 1
	fi
}

# Open file descriptors of every process on the host but this shell, counted
# without starting a process: `ls /proc/[0-9]*/fd | wc -l` counted lines
# (with a header per process), and its own two processes showed up or not
# depending on timing, so two counts of an idle host differed by a few.
count_fds() {
	fds=0
	for d in /proc/[0-9]*/fd; do
		[ "$d" = "/proc/$$/fd" ] && continue
		set -- "$d"/*
		[ "$1" = "$d/*" ] && continue	# gone, or no descriptors
		fds=$((fds + $#))
	done
}

snapshot() {
	name=$1
	sync
	sleep 1
	echo 3 > /proc/sys/vm/drop_caches
	count_fds
	avail=$(awk '/^MemAvailable/ {print $2}' /proc/meminfo)
	slab=$(awk '/^Slab/ {print $2}' /proc/meminfo)
	cp /proc/meminfo "/tmp/meminfo.$name"
}

# Warm-up: the first VMs allocate caches the kernel keeps.
for i in $(seq 10); do run "warm-up $i"; done
snapshot before
fds0=$fds avail0=$avail slab0=$slab
for i in $(seq "$count"); do
	run "$i"
	[ $((i % 10)) = 0 ] && echo "after $i VMs: MemAvailable $(awk '/^MemAvailable/ {print $2}' /proc/meminfo) kB"
done
snapshot after
# Where memory went, for a failure's diagnosis: /proc/meminfo lines that
# moved by 256 kB or more.
awk 'NR == FNR { was[$1] = $2; next } ($1 in was) && ($2 - was[$1] >= 256 || was[$1] - $2 >= 256) {
	print "  " $1 " " was[$1] " -> " $2 " kB" }' /tmp/meminfo.before /tmp/meminfo.after
left=$(pidof "$(basename "$minivmm")")
[ -n "$left" ] && echo "VMM processes left behind: $left"
echo "$count VMs: open fds on the host $fds0 then $fds, MemAvailable $avail0 then $avail kB," \
	"Slab $slab0 then $slab kB"
[ -z "$left" ] && [ "$fds" -le "$fds0" ] && [ "$avail" -ge $((avail0 - 32768)) ] &&
	[ "$slab" -le $((slab0 + 2048)) ]
