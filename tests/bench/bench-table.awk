# bench-table.awk: turn the console of a `make bench` run (bench-job.sh,
# bootrun and bench-host.sh lines, carriage returns removed) into a
# Markdown table: each metric's median and range (min-max) over the runs that
# passed, for minivmm and QEMU, their ratio, and the target. The vhost-user
# runs (minivmm-vu, qemu-vu: their own boots) fill the table's last rows.
# When the run had them, a second table compares minivmm with the baseline
# minivmm (minivmm-baseline, BENCH_MINIVMM_BASELINE) and with minivmm with
# --trace on (minivmm-trace, BENCH_TRACE=1). When the run has boot-only runs
# by kernel image (BENCH-KRUN, set kernels), a last table: the demo kernel as
# bzImage and as vmlinux under each VMM, and their ratios. When it has
# boot-only runs of Debian's stock kernel (BENCH-KRUN variant=minivmm-stock,
# qemu-stock; set stock), a table of those: minivmm against QEMU, the boot
# target's verdict and where the time goes.
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

# run[k], or 0 when the run has no such figure; unlike run[k] itself, it
# does not create the key (commit() would then record a 0 for it).
function get(k) {
	return (k in run) ? run[k] : 0
}

# Exits and wake-ups per round trip of a ping test, and per MiB moved by a
# transfer test (bytes= of its BENCH line): each counter the run has
# (uexits, uexits_data, wakeups, wakeups_main) gives a _per_trip or
# _per_mib figure.
function per_unit(t, unit_key, suffix, scale,    i, n, c, counter) {
	if (get(t "." unit_key) <= 0)
		return
	n = split("uexits uexits_data wakeups wakeups_main", counter, " ")
	for (i = 1; i <= n; i++) {
		c = t "." counter[i]
		if (c in run)
			run[c suffix] = run[c] * scale / run[t "." unit_key]
	}
}

function per_trip(t) {
	per_unit(t, "trips", "_per_trip", 1)
}

function per_mib(t) {
	per_unit(t, "bytes", "_per_mib", 1048576)
}

function commit(vmm,    k, n) {
	# The guest's printk clock starts early in the kernel (kvm-clock), so
	# wall time minus it is what came before: the VMM's start, firmware,
	# loading and decompressing the kernel. The rest is the guest's own.
	if ("boot.init_wall_s" in run && "boot.init_guest_s" in run)
		run["boot.before_kernel_clock_s"] = run["boot.init_wall_s"] - run["boot.init_guest_s"]
	# From /init to the READY line: the initramfs's userspace (for the stock
	# kernel, loading its modules), by bootrun's clock. (Not by the guest's:
	# READY's uptime is CLOCK_BOOTTIME, which starts later than the printk
	# clock, so the two cannot be subtracted.)
	if ("boot.init_wall_s" in run && "boot.ready_wall_s" in run)
		run["boot.init_to_ready_wall_s"] = run["boot.ready_wall_s"] - run["boot.init_wall_s"]
	per_trip("ping")
	per_trip("net_ping")
	per_mib("h2g")
	per_mib("g2h")
	per_mib("net_h2g")
	per_mib("net_g2h")
	# The vhost-user runs: per MiB read (fs-read, blk-read) and per file
	# operation (fs-meta: a create, a stat and an unlink of each file).
	per_mib("fs-read")
	per_mib("blk-read")
	per_unit("fs-meta", "files", "_per_op", 1 / 3)
	# Every exit during the three vsock and the three network measurements,
	# whatever the cause.
	if (("h2g.uexits" in run) || ("g2h.uexits" in run) || ("ping.uexits" in run))
		run["vsock.uexits"] = get("h2g.uexits") + get("g2h.uexits") + get("ping.uexits")
	if (("net_h2g.uexits" in run) || ("net_g2h.uexits" in run) || ("net_ping.uexits" in run))
		run["net.uexits"] = get("net_h2g.uexits") + get("net_g2h.uexits") + get("net_ping.uexits")
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

# The columns' names: "minivmm" and "qemu", with pfx ("k:") before and sfx
# ("-vu", "-stock") after them for the vhost-user and stock kernel runs.
function cell(vmm, key, fmt, scale) {
	if (!stats(vmm, key))
		return "n/a"
	if (lo == hi)
		return sprintf(fmt, med / scale)
	return sprintf(fmt " (" fmt "-" fmt ")", med / scale, lo / scale, hi / scale)
}

# How far a ratio misses its target: "0.04x", or with three decimals where
# two would say 0.00x.
function by(d) {
	return sprintf(d < 0.005 ? "%.3fx" : "%.2fx", d)
}

# One table row. target: "" (none), "ratio<=X", "ratio>=X", "minivmm<=X"
# or "minivmm==0" (X in the row's unit, after scaling; ==0 holds only when
# every run of minivmm gave 0). The columns are the runs "minivmm" and
# "qemu", with sfx ("-vu") appended for the vhost-user runs.
function row(label, key, fmt, scale, target,    a, b, ma, mb, r, ratio, verdict, t, op, x) {
	a = cell(pfx "minivmm" sfx, key, fmt, scale)
	ma = stats(pfx "minivmm" sfx, key) ? med : ""
	b = cell(pfx "qemu" sfx, key, fmt, scale)
	mb = stats(pfx "qemu" sfx, key) ? med : ""
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
		match(target, /(<=|>=|==)/)
		t = substr(target, 1, RSTART - 1)
		op = substr(target, RSTART, 2)
		x = substr(target, RSTART + 2) + 0
		if (t == "ratio" && op == "<=" && ratio != "")
			verdict = (r <= x ? "met" : "**missed** by " by(r - x))
		else if (t == "ratio" && op == ">=" && ratio != "")
			verdict = (r >= x ? "met" : "**missed** by " by(x - r))
		else if (t == "minivmm" && op == "<=" && ma != "")
			verdict = (ma / scale <= x ? "met" : "**missed**")
		else if (t == "minivmm" && op == "==" && ma != "")
			verdict = (stats(pfx "minivmm" sfx, key) && lo == 0 && hi == 0 ? "met" : "**missed**")
		else if (t == "minivmm" && sfx != "" && runs[pfx "minivmm" sfx] == 0)
			verdict = "not run"
		else
			verdict = "not measured"
		if (t == "ratio")
			verdict = op " " x "x: " verdict
		else if (op == "==")
			verdict = "minivmm 0: " verdict
		else
			verdict = "minivmm " op " " x ": " verdict
	}
	printf "| %s | %s | %s | %s | %s |\n", label, a, b, ratio, verdict
}

# The boot target's line for one pair of variants (what, e.g. "stock
# kernel, ", starts the line): sets target_ma, target_mb and target_r, the
# medians of boot to /init and their ratio; 0 when either has none.
function boot_target_line(what, va, vb) {
	if (!stats(va, "boot.init_wall_s"))
		return 0
	target_ma = med
	if (!stats(vb, "boot.init_wall_s") || med <= 0)
		return 0
	target_mb = med
	target_r = target_ma / target_mb
	printf "- %sboot to /init: minivmm %.1f s, QEMU %.1f s: %.2fx, target <= 0.5x: %s\n", what,
		target_ma, target_mb, target_r,
		(target_r <= 0.5 ? "met" : sprintf("**missed** by %s (minivmm would need %.2f s, %.2f s less)",
		by(target_r - 0.5), 0.5 * target_mb, target_ma - 0.5 * target_mb))
	return 1
}

# Below the table: the boot target, met or missed by how much, and where the
# difference lies: before the guest's clock (the VMM, firmware, decompression)
# or in the guest kernel's own time. Medians of the parts need not add up to
# the median of the whole.
function boot_note(    ma, mb, pa, pb, ga, gb, r, floor) {
	if (!boot_target_line("", "minivmm", "qemu"))
		return
	ma = target_ma; mb = target_mb; r = target_r
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

# The second table: minivmm (tracing off) against the baseline minivmm and
# against minivmm with --trace on. dir: "higher" or "lower" is better, for
# the baseline verdict; "zero": the data plane's exits, which must be 0 in
# every run with tracing off and on.
function trow(label, key, fmt, scale, dir,    a, b, c, ma, mb, mc, lb, hb, r1, r2, v) {
	a = cell("minivmm", key, fmt, scale)
	ma = stats("minivmm", key) ? med : ""
	b = cell("minivmm-baseline", key, fmt, scale)
	mb = stats("minivmm-baseline", key) ? med : ""
	lb = lo
	hb = hi
	c = cell("minivmm-trace", key, fmt, scale)
	mc = stats("minivmm-trace", key) ? med : ""
	if (b == "n/a" && c == "n/a")
		return
	r1 = (ma != "" && mb != "" && mb != 0) ? sprintf("%.2f", ma / mb) : ""
	r2 = (ma != "" && mc != "" && ma != 0) ? sprintf("%.2f", mc / ma) : ""
	v = ""
	if (dir == "zero") {
		v = "0 exits, tracing off and on: "
		if (mc == "" || ma == "")
			v = v "not measured"
		else if (stats("minivmm", key) && hi == 0 && stats("minivmm-trace", key) && hi == 0)
			v = v "met"
		else
			v = v "**missed**"
	} else if (dir != "" && ma != "" && mb != "") {
		# Few runs and noisy figures: "as fast" when the median with
		# tracing off lies within the baseline's range or beyond it on the
		# better side.
		if ((dir == "higher" && ma >= lb) || (dir == "lower" && ma <= hb))
			v = "as before: within the baseline's range or better"
		else
			v = "**worse** than every baseline run"
	}
	printf "| %s | %s | %s | %s | %s | %s | %s |\n", label, a, b, r1, c, r2, v
}

function trace_table() {
	if (!passed["minivmm-baseline"] && !passed["minivmm-trace"])
		return
	print ""
	print "Tracing (docs/benchmarks.md, \"Tracing off\"): minivmm as built, with tracing off; the baseline" \
		" minivmm (minivmm-baseline); minivmm with --trace on, every category, to a file (minivmm-trace)." \
		" Each cell: median (min-max) over the runs that passed."
	print ""
	print "| metric | minivmm, tracing off | baseline | off / baseline | minivmm --trace | on / off | verdict |"
	print "|---|---|---|---|---|---|---|"
	trow("boot: VMM start to kernel running /init, wall (s)", "boot.init_wall_s", "%.1f", 1, "lower")
	trow("boot-timer: vCPUs started, minivmm's own set-up (ms)", "timer.vcpus_started_ms", "%.0f", 1, "lower")
	trow("memory: VMM overhead = resident set - guest RAM (MiB)", "mem.overhead_kib", "%.2f", 1024, "lower")
	trow("vsock host->guest throughput (MiB/s)", "h2g.mib_s", "%.1f", 1, "higher")
	trow("vsock guest->host throughput (MiB/s)", "g2h.mib_s", "%.1f", 1, "higher")
	trow("vsock round trip, median (us)", "ping.median_us", "%.1f", 1, "lower")
	trow("vsock host->guest: exits to the VMM per MiB, less serial console and signals", "h2g.uexits_data_per_mib", "%.2f", 1, "zero")
	trow("vsock guest->host: exits to the VMM per MiB, less serial console and signals", "g2h.uexits_data_per_mib", "%.2f", 1, "zero")
	trow("vsock round trips: exits to the VMM per round trip, less serial console and signals", "ping.uexits_data_per_trip", "%.2f", 1, "zero")
	trow("net TCP host->guest throughput (MiB/s)", "net_h2g.mib_s", "%.1f", 1, "")
	trow("net TCP guest->host throughput (MiB/s)", "net_g2h.mib_s", "%.1f", 1, "")
	trow("net TCP round trip, median (us)", "net_ping.median_us", "%.1f", 1, "")
	trow("net host->guest: exits to the VMM per MiB, less serial console and signals", "net_h2g.uexits_data_per_mib", "%.2f", 1, "zero")
	trow("net guest->host: exits to the VMM per MiB, less serial console and signals", "net_g2h.uexits_data_per_mib", "%.2f", 1, "zero")
	trow("net round trips: exits to the VMM per round trip, less serial console and signals", "net_ping.uexits_data_per_trip", "%.2f", 1, "zero")
	trow("all exits to the VMM during the three vsock measurements, serial console and signals included", "vsock.uexits", "%.0f", 1, "")
	trow("all exits to the VMM during the three network measurements, serial console and signals included", "net.uexits", "%.0f", 1, "")
	trow("idle 5 s at the shell: VMM thread wake-ups", "idle.wakeups", "%.0f", 1, "")
	trow("minivmm --stats, whole run: vcpu_exits", "stats.vcpu_exits", "%.0f", 1, "")
	trow("--trace-file: lines written over the whole run", "tracefile.lines", "%.0f", 1, "")
	trow("--trace-file: exits lines (every exit, by reason)", "tracefile.lines_exits", "%.0f", 1, "")
}

BEGIN {
	extra[++nextra] = "minivmm-baseline"
	extra[++nextra] = "minivmm-trace"
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
	if (f[2] ~ /-stock$/)
		seen_stock = 1
	else
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

# A virtio-mmio slot's counters: "... stats: virtio-net0 (slot 1) queue_notify_writes=0 ..."
# and, over all slots, the QueueNotify writes that reached minivmm.
/^BENCH-LOG .*minivmm: stats: [a-z0-9-]+ \(slot [0-9]+\) / {
	take_pairs("stats." $6 ".", 9)
	if (match($0, /queue_notify_writes=[0-9]+/))
		run["stats.queue_notify_writes_all"] += substr($0, RSTART + 20, RLENGTH - 20)
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

# Below the stock kernel's table: the boot target, met or missed by how
# much, and where each VMM's time goes (medians; they need not add up).
function stock_note(    ma, mb, r, w, i, k, pa, ga, ua) {
	if (!boot_target_line("stock kernel, ", "k:minivmm-stock", "k:qemu-stock"))
		return
	ma = target_ma; mb = target_mb; r = target_r
	if (stats("k:minivmm-stock", "boot.ready_wall_s") && (ma = med) > 0 &&
		stats("k:qemu-stock", "boot.ready_wall_s") && (mb = med) > 0)
		printf "- stock kernel, boot to READY (modules loaded): minivmm %.1f s, QEMU %.1f s: %.2fx\n",
			ma, mb, ma / mb
	split("minivmm qemu", w, " ")
	for (i = 1; i <= 2; i++) {
		k = "k:" w[i] "-stock"
		if (!stats(k, "boot.before_kernel_clock_s")) continue
		pa = med
		if (!stats(k, "boot.init_guest_s")) continue
		ga = med
		if (!stats(k, "boot.init_to_ready_wall_s")) continue
		ua = med
		printf "- %s, stock kernel: before the guest's clock (VMM%s, decompression) %.2f s;" \
			" the kernel's own time to /init (printk clock) %.2f s; /init to READY (insmod of" \
			" the modules, bootmark) %.2f s\n", (i == 1 ? "minivmm" : "QEMU"),
			(i == 1 ? "" : ", firmware"), pa, ga, ua
	}
}

function stock_table(    v, i) {
	split("minivmm-stock qemu-stock", v, " ")
	print ""
	print "Debian's stock kernel (set stock): its vmlinuz and the stock initramfs (virtio_mmio and" \
		" the vsock modules, loaded before READY), boot only, the device found through ACPI under" \
		" both VMMs. Each cell: median (min-max) over the runs that passed. Ratio: minivmm / QEMU," \
		" of the medians."
	print ""
	printf "- runs passed:"
	for (i = 1; i <= 2; i++)
		printf " %s %d of %d%s", v[i], passed["k:" v[i]], runs["k:" v[i]], (i < 2 ? "," : "\n")
	print ""
	print "| metric | minivmm | QEMU | ratio | target |"
	print "|---|---|---|---|---|"
	pfx = "k:"
	sfx = "-stock"
	row("stock kernel, boot: VMM start to kernel running /init, wall (s)", "boot.init_wall_s", "%.1f", 1, "ratio<=0.5")
	row("stock kernel, boot: VMM start to userspace ready (READY line), wall (s)", "boot.ready_wall_s", "%.1f", 1, "")
	row("stock kernel, boot: guest clock at \"Run /init\" (printk, s)", "boot.init_guest_s", "%.2f", 1, "")
	row("stock kernel, boot: wall minus guest clock at \"Run /init\" (VMM, firmware, decompression; s)", "boot.before_kernel_clock_s", "%.2f", 1, "")
	row("stock kernel, boot: guest uptime at READY (/proc/uptime, s)", "boot.ready_uptime_s", "%.2f", 1, "")
	row("stock kernel, boot: /init to READY, wall (modules loaded; s)", "boot.init_to_ready_wall_s", "%.2f", 1, "")
	row("stock kernel, boot-timer: vCPUs started, minivmm's own set-up (ms, minivmm's clock)", "timer.vcpus_started_ms", "%.0f", 1, "")
	row("stock kernel, boot-timer: first userspace instruction (ms, minivmm's clock)", "timer.first_userspace_ms", "%.0f", 1, "")
	row("stock kernel, boot-timer: boot complete (ms, minivmm's clock)", "timer.boot_complete_ms", "%.0f", 1, "")
	pfx = ""
	sfx = ""
	print ""
	stock_note()
}

END {
	for (i = 1; i <= ninfo; i++)
		print "- " info[i]
	# BENCH_SETS=kernels or stock: no repetitions, only the boot-only tables.
	for (v in runs)
		if (v !~ /^k:/)
			nmain += runs[v]
	if (nmain == 0 && (seen_kernels || seen_stock)) {
		if (seen_kernels)
			kernel_table()
		if (seen_stock)
			stock_table()
		for (v in passed)
			npassed += passed[v]
		exit (npassed > 0 ? 0 : 1)
	}
	printf "- runs passed: minivmm %d of %d, QEMU %d of %d", passed["minivmm"],
		runs["minivmm"], passed["qemu"], runs["qemu"]
	for (i = 1; i <= nextra; i++)
		if (runs[extra[i]])
			printf ", %s %d of %d", extra[i], passed[extra[i]], runs[extra[i]]
	printf "\n"
	if (runs["minivmm-vu"] + runs["qemu-vu"] > 0)
		printf "- vhost-user runs passed (virtio-fs through virtiofsd, virtio-blk through" \
			" qemu-storage-daemon): minivmm %d of %d, QEMU %d of %d\n", passed["minivmm-vu"],
			runs["minivmm-vu"], passed["qemu-vu"], runs["qemu-vu"]
	printf "- attempts that failed and were run again (their reasons are in runs.log): minivmm %d, QEMU %d",
		retried["minivmm"] + retried["minivmm-vu"], retried["qemu"] + retried["qemu-vu"]
	for (i = 1; i <= nextra; i++)
		if (runs[extra[i]])
			printf ", %s %d", extra[i], retried[extra[i]]
	printf "\n\n"
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
	row("net TCP host->guest throughput (MiB/s)", "net_h2g.mib_s", "%.1f", 1, "ratio>=1.0")
	row("net TCP guest->host throughput (MiB/s)", "net_g2h.mib_s", "%.1f", 1, "ratio>=1.0")
	row("net TCP round trip, median (us)", "net_ping.median_us", "%.1f", 1, "ratio<=0.8")
	row("net TCP round trip, p99 (us)", "net_ping.p99_us", "%.1f", 1, "")
	row("net host->guest: exits to the VMM per MiB, all", "net_h2g.uexits_per_mib", "%.2f", 1, "")
	row("net host->guest: exits to the VMM per MiB, less serial console and signals", "net_h2g.uexits_data_per_mib", "%.2f", 1, "minivmm==0")
	row("net guest->host: exits to the VMM per MiB, all", "net_g2h.uexits_per_mib", "%.2f", 1, "")
	row("net guest->host: exits to the VMM per MiB, less serial console and signals", "net_g2h.uexits_data_per_mib", "%.2f", 1, "minivmm==0")
	row("net round trips: exits to the VMM per round trip, all", "net_ping.uexits_per_trip", "%.2f", 1, "")
	row("net host->guest: VMM thread wake-ups per MiB", "net_h2g.wakeups_per_mib", "%.2f", 1, "")
	row("net guest->host: VMM thread wake-ups per MiB", "net_g2h.wakeups_per_mib", "%.2f", 1, "")
	row("net round trips: VMM thread wake-ups per round trip", "net_ping.wakeups_per_trip", "%.2f", 1, "")
	row("net host->guest: main-thread (main loop) wake-ups per MiB", "net_h2g.wakeups_main_per_mib", "%.2f", 1, "")
	row("net guest->host: main-thread (main loop) wake-ups per MiB", "net_g2h.wakeups_main_per_mib", "%.2f", 1, "")
	row("net round trips: main-thread (main loop) wake-ups per round trip", "net_ping.wakeups_main_per_trip", "%.2f", 1, "")
	row("idle 5 s at the shell: exits to the VMM", "idle.uexits", "%.0f", 1, "")
	row("idle 5 s at the shell: VMM thread wake-ups", "idle.wakeups", "%.0f", 1, "")
	row("minivmm --stats, whole run: vcpu_exits", "stats.vcpu_exits", "%.0f", 1, "")
	row("minivmm --stats, whole run: pio_exits", "stats.pio_exits", "%.0f", 1, "")
	row("minivmm --stats, whole run: coalesced_writes (UART output that did not exit)", "stats.coalesced_writes", "%.0f", 1, "")
	row("minivmm --stats, whole run: mmio_exits", "stats.mmio_exits", "%.0f", 1, "")
	row("minivmm --stats, whole run: main_loop_wakeups", "stats.main_loop_wakeups", "%.0f", 1, "")
	row("minivmm --stats, whole run: virtio-net0 QueueNotify writes", "stats.virtio-net0.queue_notify_writes", "%.0f", 1, "")
	row("minivmm --stats, whole run: virtio-net0 InterruptStatus reads", "stats.virtio-net0.interrupt_status_reads", "%.0f", 1, "")
	if (runs["minivmm-vu"] + runs["qemu-vu"] > 0) {
		sfx = "-vu"
		row("virtio-fs: sequential read of a large file, cold guest cache (MiB/s)", "fs-read.mib_s", "%.1f", 1, "ratio>=1.0")
		row("virtio-fs: creates per second", "fs-meta.create_ops_s", "%.0f", 1, "")
		row("virtio-fs: stats per second (guest caches dropped)", "fs-meta.stat_ops_s", "%.0f", 1, "")
		row("virtio-fs: unlinks per second", "fs-meta.unlink_ops_s", "%.0f", 1, "")
		row("virtio-blk: sequential read, O_DIRECT, 1 MiB reads (MiB/s)", "blk-read.mib_s", "%.1f", 1, "")
		row("virtio-fs read: exits to the VMM per MiB", "fs-read.uexits_per_mib", "%.2f", 1, "")
		row("virtio-fs read: exits to the VMM per MiB, less serial console and signals", "fs-read.uexits_data_per_mib", "%.2f", 1, "minivmm==0")
		row("virtio-fs create/stat/unlink: exits to the VMM per operation", "fs-meta.uexits_per_op", "%.3f", 1, "")
		row("virtio-fs create/stat/unlink: exits to the VMM per operation, less serial console and signals", "fs-meta.uexits_data_per_op", "%.3f", 1, "")
		row("virtio-blk read: exits to the VMM per MiB", "blk-read.uexits_per_mib", "%.2f", 1, "")
		row("virtio-blk read: exits to the VMM per MiB, less serial console and signals", "blk-read.uexits_data_per_mib", "%.2f", 1, "minivmm==0")
		row("virtio-fs read: VMM thread wake-ups", "fs-read.wakeups", "%.0f", 1, "")
		row("virtio-fs read: main-thread (main loop) wake-ups per MiB", "fs-read.wakeups_main_per_mib", "%.2f", 1, "")
		row("virtio-blk read: VMM thread wake-ups", "blk-read.wakeups", "%.0f", 1, "")
		row("virtio-blk read: main-thread (main loop) wake-ups per MiB", "blk-read.wakeups_main_per_mib", "%.2f", 1, "")
		row("minivmm --stats, vhost-user runs: QueueNotify writes reaching minivmm (all devices)", "stats.queue_notify_writes_all", "%.0f", 1, "minivmm<=0")
		sfx = ""
	}
	print ""
	boot_note()
	trace_table()
	if (seen_kernels)
		kernel_table()
	if (seen_stock)
		stock_table()
	for (v in passed)
		npassed += passed[v]
	exit (npassed > 0 ? 0 : 1)
}
