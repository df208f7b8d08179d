# bench-table.awk: turn the console of a `make bench` run (bench-job.sh,
# bootrun and bench-host.sh lines, carriage returns removed) into one
# Markdown table: each metric's median and range (min-max) over the runs that
# passed, for minivmm and QEMU, their ratio, and the target; then, when the
# run has boot-only runs by kernel image (BENCH-KRUN), a second table: the
# demo kernel as bzImage and as vmlinux under each VMM, and their ratios.
#
#   awk -f bench-table.awk console.log
#
# Only runs whose BENCH-END (BENCH-KEND) says status=0 count. Exit status 1 when no run of
# either VMM passed. POSIX awk (Debian's mawk).

function reset_run(    k) {
	for (k in run)
		delete run[k]
}

# "key=value key=value ..." from field `from` on, into run[prefix key].
function take_pairs(prefix, from,    i, eq) {
	for (i = from; i <= NF; i++) {
		eq = index($i, "=")
		if (eq > 1)
			run[prefix substr($i, 1, eq - 1)] = substr($i, eq + 1)
	}
}

function commit(vmm,    k, n) {
	# The guest's printk clock starts early in the kernel (kvm-clock), so
	# wall time minus it is what came before: the VMM's start, firmware,
	# loading and decompressing the kernel. The rest is the guest's own.
	if ("boot.init_wall_s" in run && "boot.init_guest_s" in run)
		run["boot.before_kernel_clock_s"] = run["boot.init_wall_s"] - run["boot.init_guest_s"]
	if (run["ping.trips"] > 0) {
		run["ping.uexits_per_trip"] = run["ping.uexits"] / run["ping.trips"]
		run["ping.wakeups_per_trip"] = run["ping.wakeups"] / run["ping.trips"]
	}
	for (k in run) {
		n = ++count[vmm, k]
		value[vmm, k, n] = run[k] + 0
	}
	passed[vmm]++
}

# Sets med, lo, hi for vmm/key; returns the number of values (0: none).
function stats(vmm, key,    n, i, j, v, tmp) {
	n = count[vmm, key] + 0
	if (n == 0)
		return 0
	for (i = 1; i <= n; i++)
		v[i] = value[vmm, key, i]
	for (i = 2; i <= n; i++) {
		tmp = v[i]
		for (j = i - 1; j >= 1 && v[j] > tmp; j--)
			v[j + 1] = v[j]
		v[j + 1] = tmp
	}
	lo = v[1]
	hi = v[n]
	med = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	return n
}

function cell(vmm, key, fmt, scale) {
	if (!stats(vmm, key))
		return "n/a"
	if (lo == hi)
		return sprintf(fmt, med / scale)
	return sprintf(fmt " (" fmt "-" fmt ")", med / scale, lo / scale, hi / scale)
}

# One table row. target: "" (none), "ratio<=X", "ratio>=X" or "minivmm<=X"
# (X in the row's unit, after scaling).
function row(label, key, fmt, scale, target,    a, b, ma, mb, r, ratio, verdict, t, x) {
	a = cell("minivmm", key, fmt, scale)
	ma = stats("minivmm", key) ? med : ""
	b = cell("qemu", key, fmt, scale)
	mb = stats("qemu", key) ? med : ""
	# Rows without data are left out, except the targets': those say so.
	if (a == "n/a" && b == "n/a" && target == "")
		return
	ratio = ""
	if (ma != "" && mb != "" && mb != 0) {
		r = ma / mb
		ratio = sprintf("%.2f", r)
	}
	verdict = ""
	if (target != "") {
		t = substr(target, 1, index(target, "=") - 1)
		x = substr(target, index(target, "=") + 1) + 0
		if (t == "ratio<" && ratio != "")
			verdict = (r <= x ? "met" : sprintf("**missed** by %.2fx", r - x))
		else if (t == "ratio>" && ratio != "")
			verdict = (r >= x ? "met" : sprintf("**missed** by %.2fx", x - r))
		else if (t == "minivmm<" && ma != "")
			verdict = (ma / scale <= x ? "met" : "**missed**")
		else
			verdict = "not measured"
		if (t == "ratio<")
			verdict = "<= " x "x: " verdict
		else if (t == "ratio>")
			verdict = ">= " x "x: " verdict
		else
			verdict = "minivmm <= " x ": " verdict
	}
	printf "| %s | %s | %s | %s | %s |\n", label, a, b, ratio, verdict
}

# Below the table: the boot target, met or missed by how much, and where the
# difference lies: before the guest's clock (the VMM, firmware, decompression)
# or in the guest kernel's own time. Medians of the parts need not add up to
# the median of the whole.
function boot_note(    ma, mb, pa, pb, ga, gb, r, floor) {
	if (!stats("minivmm", "boot.init_wall_s"))
		return
	ma = med
	if (!stats("qemu", "boot.init_wall_s") || med <= 0)
		return
	mb = med
	r = ma / mb
	printf "- boot to /init: minivmm %.1f s, QEMU %.1f s: %.2fx, target <= 0.5x: %s\n", ma, mb, r,
		(r <= 0.5 ? "met" : sprintf("**missed** by %.2fx (minivmm would need %.1f s, %.1f s less)",
		r - 0.5, 0.5 * mb, ma - 0.5 * mb))
	if (!stats("minivmm", "boot.before_kernel_clock_s")) return
	pa = med
	if (!stats("qemu", "boot.before_kernel_clock_s")) return
	pb = med
	if (!stats("minivmm", "boot.init_guest_s")) return
	ga = med
	if (!stats("qemu", "boot.init_guest_s")) return
	gb = med
	printf "- before the guest's clock starts (VMM, firmware, decompression): minivmm %.2f s, QEMU %.2f s (%.2fx);" \
		" the guest kernel's own time to /init: minivmm %.2f s, QEMU %.2f s (%.2fx)" \
		" (the guest's clock falls behind while its console prints: the split is rough;" \
		" make bench-boot cuts a boot by the host's clock)\n",
		pa, pb, (pb > 0 ? pa / pb : 0), ga, gb, (gb > 0 ? ga / gb : 0)
	if (r <= 0.5)
		return
	floor = ga / mb
	if (floor > 0.5)
		printf "- why: minivmm's guest kernel alone takes %.2fx QEMU's whole boot, so no cut before" \
			" the guest's clock can reach 0.5x; the kernel's own time under minivmm must fall" \
			" (docs/benchmarks.md, \"Boot breakdown\")\n", floor
	else
		printf "- why: with its kernel's own time as it is, minivmm reaches 0.5x only if what comes" \
			" before the guest's clock falls from %.2f s to %.2f s\n", pa, 0.5 * mb - ga
}

{ sub(/\r$/, "") }

/^BENCH-INFO / {
	info[++ninfo] = substr($0, 12)
	next
}

# current: the key its figures go under; label: the bootrun test's name.
/^BENCH-RUN / {
	reset_run()
	split($3, f, "=")
	current = f[2]
	label = current
	next
}

/^BENCH-KRUN / {
	reset_run()
	split($3, f, "=")
	current = "k:" f[2]
	label = f[2]
	seen_kernels = 1
	next
}

/^BENCH-KEND / {
	split($3, f, "=")
	split($4, s, "=")
	runs["k:" f[2]]++
	if (s[2] == "0" && "k:" f[2] == current)
		commit(current)
	current = ""
	next
}

/^BENCH-RETRY / {
	split($3, f, "=")
	retried[f[2]]++
	current = ""
	next
}

/^BENCH-END / {
	split($3, f, "=")
	split($4, s, "=")
	runs[f[2]]++
	if (s[2] == "0" && f[2] == current)
		commit(current)
	current = ""
	next
}

current == "" { next }

# bootrun's labelled expects: "  NAME: boot-init after 9.3 s: [    6.104357] Run /init ..."
$1 == label ":" && $2 == "boot-init" && $3 == "after" {
	run["boot.init_wall_s"] = $4
	if (match($0, /\[ *[0-9]+\.[0-9]+\]/)) {
		t = substr($0, RSTART + 1, RLENGTH - 2)
		sub(/^ */, "", t)
		run["boot.init_guest_s"] = t
	}
	next
}

$1 == label ":" && $2 == "boot-ready" && $3 == "after" {
	run["boot.ready_wall_s"] = $4
	if (match($0, /uptime=[0-9.]+/))
		run["boot.ready_uptime_s"] = substr($0, RSTART + 7, RLENGTH - 7)
	next
}

# bootrun's labelled host steps: "  memory: 2.1 s: BENCH vmm=minivmm test=mem k=v ..."
$4 == "BENCH" && $3 == "s:" {
	split($6, f, "=")
	take_pairs(f[2] ".", 7)
	next
}

/^BENCH-LOG .*boot-timer: vCPUs started at [0-9.]+ ms/ {
	match($0, /started at [0-9.]+/)
	run["timer.vcpus_started_ms"] = substr($0, RSTART + 11, RLENGTH - 11)
	next
}

/^BENCH-LOG .*boot-timer: first userspace instruction at [0-9.]+ ms/ {
	match($0, /instruction at [0-9.]+/)
	run["timer.first_userspace_ms"] = substr($0, RSTART + 15, RLENGTH - 15)
	next
}

/^BENCH-LOG .*boot-timer: boot complete at [0-9.]+ ms/ {
	match($0, /complete at [0-9.]+/)
	run["timer.boot_complete_ms"] = substr($0, RSTART + 12, RLENGTH - 12)
	next
}

/^BENCH-LOG .*minivmm: stats: / {
	take_pairs("stats.", 6)
	next
}

# The ratio of variant a's median to variant b's, or "".
function kratio(a, b, key,    x) {
	if (!stats("k:" a, key))
		return ""
	x = med
	if (!stats("k:" b, key) || med <= 0)
		return ""
	return sprintf("%.2f", x / med)
}

function krow(label, key, fmt,    mb, mv, qb, qv) {
	mb = cell("k:minivmm-bzimage", key, fmt, 1)
	mv = cell("k:minivmm-vmlinux", key, fmt, 1)
	qb = cell("k:qemu-bzimage", key, fmt, 1)
	qv = cell("k:qemu-vmlinux", key, fmt, 1)
	if (mb == "n/a" && mv == "n/a" && qb == "n/a" && qv == "n/a")
		return
	printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", label, mb, mv, qb, qv,
		kratio("minivmm-vmlinux", "minivmm-bzimage", key),
		kratio("qemu-vmlinux", "qemu-bzimage", key),
		kratio("minivmm-bzimage", "qemu-bzimage", key),
		kratio("minivmm-vmlinux", "qemu-vmlinux", key)
}

function kernel_table(    v, n, i) {
	split("minivmm-bzimage minivmm-vmlinux qemu-bzimage qemu-vmlinux", v, " ")
	print ""
	print "Boot by kernel image: the demo kernel as bzImage and as vmlinux (PVH entry under both" \
		" VMMs), boot only. Each cell: median (min-max) over the runs that passed."
	print ""
	printf "- runs passed:"
	for (i = 1; i <= 4; i++)
		printf " %s %d of %d%s", v[i], passed["k:" v[i]], runs["k:" v[i]], (i < 4 ? "," : "\n")
	print ""
	print "| metric | minivmm bzImage | minivmm vmlinux | QEMU bzImage | QEMU vmlinux |" \
		" minivmm vmlinux / bzImage | QEMU vmlinux / bzImage | bzImage minivmm / QEMU |" \
		" vmlinux minivmm / QEMU |"
	print "|---|---|---|---|---|---|---|---|---|"
	krow("boot: VMM start to kernel running /init, wall (s)", "boot.init_wall_s", "%.1f")
	krow("boot: VMM start to userspace ready (READY line), wall (s)", "boot.ready_wall_s", "%.1f")
	krow("boot: guest clock at \"Run /init\" (printk, s)", "boot.init_guest_s", "%.2f")
	krow("boot: wall minus guest clock at \"Run /init\" (s)", "boot.before_kernel_clock_s", "%.2f")
	krow("boot-timer: vCPUs started, minivmm's own set-up (ms)", "timer.vcpus_started_ms", "%.0f")
	krow("boot-timer: first userspace instruction (ms, minivmm's clock)", "timer.first_userspace_ms", "%.0f")
}

END {
	for (i = 1; i <= ninfo; i++)
		print "- " info[i]
	# BENCH_ONLY=kernels: no main runs, only the table by kernel image.
	if (runs["minivmm"] + runs["qemu"] == 0 && seen_kernels) {
		kernel_table()
		for (k in passed)
			total += passed[k]
		exit (total > 0 ? 0 : 1)
	}
	printf "- runs passed: minivmm %d of %d, QEMU %d of %d\n", passed["minivmm"],
		runs["minivmm"], passed["qemu"], runs["qemu"]
	printf "- attempts that failed and were run again (their reasons are in runs.log): minivmm %d, QEMU %d\n\n",
		retried["minivmm"], retried["qemu"]
	print "Each cell: median (min-max) over the runs that passed. Ratio: minivmm / QEMU, of the medians."
	print ""
	print "| metric | minivmm | QEMU | ratio | target |"
	print "|---|---|---|---|---|"
	row("boot: VMM start to kernel running /init, wall (s)", "boot.init_wall_s", "%.1f", 1, "ratio<=0.5")
	row("boot: VMM start to userspace ready (READY line), wall (s)", "boot.ready_wall_s", "%.1f", 1, "")
	row("boot: guest clock at \"Run /init\" (printk, s)", "boot.init_guest_s", "%.2f", 1, "")
	row("boot: wall minus guest clock at \"Run /init\" (VMM, firmware, decompression; s)", "boot.before_kernel_clock_s", "%.2f", 1, "")
	row("boot: guest uptime at READY (s)", "boot.ready_uptime_s", "%.2f", 1, "")
	row("boot-timer: vCPUs started, minivmm's own set-up (ms, minivmm's clock)", "timer.vcpus_started_ms", "%.0f", 1, "")
	row("boot-timer: first userspace instruction (ms, minivmm's clock)", "timer.first_userspace_ms", "%.0f", 1, "")
	row("boot-timer: boot complete (ms, minivmm's clock)", "timer.boot_complete_ms", "%.0f", 1, "")
	row("memory: VMM resident set, all mappings (MiB)", "mem.rss_kib", "%.2f", 1024, "")
	row("memory: VMM overhead = resident set - guest RAM (MiB)", "mem.overhead_kib", "%.2f", 1024, "minivmm<=2")
	row("memory: private part of that overhead (MiB)", "mem.private_overhead_kib", "%.2f", 1024, "")
	row("memory: guest RAM touched (MiB)", "mem.ram_rss_kib", "%.1f", 1024, "")
	row("vsock host->guest throughput (MiB/s)", "h2g.mib_s", "%.1f", 1, "ratio>=0.95")
	row("vsock guest->host throughput (MiB/s)", "g2h.mib_s", "%.1f", 1, "ratio>=0.95")
	row("vsock round trip, median (us)", "ping.median_us", "%.1f", 1, "ratio<=1.05")
	row("vsock round trip, p99 (us)", "ping.p99_us", "%.1f", 1, "")
	row("host->guest transfer: exits to the VMM (KVM_RUN returns)", "h2g.uexits", "%.0f", 1, "")
	row("host->guest transfer: VMM thread wake-ups (voluntary switches)", "h2g.wakeups", "%.0f", 1, "")
	row("guest->host transfer: exits to the VMM", "g2h.uexits", "%.0f", 1, "")
	row("guest->host transfer: VMM thread wake-ups", "g2h.wakeups", "%.0f", 1, "")
	row("round trips: exits to the VMM per round trip", "ping.uexits_per_trip", "%.2f", 1, "")
	row("round trips: VMM thread wake-ups per round trip", "ping.wakeups_per_trip", "%.2f", 1, "")
	row("idle 5 s at the shell: exits to the VMM", "idle.uexits", "%.0f", 1, "")
	row("idle 5 s at the shell: VMM thread wake-ups", "idle.wakeups", "%.0f", 1, "")
	row("minivmm --stats, whole run: vcpu_exits", "stats.vcpu_exits", "%.0f", 1, "")
	row("minivmm --stats, whole run: pio_exits", "stats.pio_exits", "%.0f", 1, "")
	row("minivmm --stats, whole run: coalesced_writes (UART output that did not exit)", "stats.coalesced_writes", "%.0f", 1, "")
	row("minivmm --stats, whole run: mmio_exits", "stats.mmio_exits", "%.0f", 1, "")
	row("minivmm --stats, whole run: main_loop_wakeups", "stats.main_loop_wakeups", "%.0f", 1, "")
	print ""
	boot_note()
	if (seen_kernels)
		kernel_table()
	exit (passed["minivmm"] + passed["qemu"] > 0 ? 0 : 1)
}
