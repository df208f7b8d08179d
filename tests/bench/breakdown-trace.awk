# The phases of one traced boot (breakdown-job.sh). Usage:
#   awk -v vmm=NAME -f breakdown-trace.awk GUEST_LOG TRACE TRACE
# GUEST_LOG is the guest's console (carriage returns removed); TRACE is the
# nested host's ftrace buffer with kvm:kvm_exit, kvm_userspace_exit, kvm_pio
# and kvm_mmio, and the marker written just before the VMM started. TRACE is
# read twice: the first pass finds the phase boundaries, the second counts.
#
# Boundaries, all on the nested host's trace clock:
#   start     the "vmm-start" marker (the VMM's exec)
#   first     the first exit: the guest's first instruction fetch exits (the
#             nested page tables start empty), so this is when it ran
#   low1m     the end of the firmware: the later of the first exit at a RIP
#             of 1 MiB or more and QEMU's last fw_cfg port access (0x510-0x51b,
#             the firmware loading the kernel); minivmm has no firmware
#   kernel    the first exit at a RIP in the kernel's virtual mapping
#             (0xffffffff8... to 0xffffffffb...: a KASLR kernel such as
#             Debian's lands anywhere in that GiB): decompression is over
#   replay    the console's first line ("Linux version"): the serial console
#             has registered and replays the log so far. Console lines are
#             rebuilt from the traced writes to port 0x3f8 (every byte is
#             traced under both VMMs, coalesced or not)
#   enabled   the console line "printk: console [ttyS0] enabled": replay over
#   firstcall the first initcall after the console is enabled (initcall_debug,
#             from dmesg; console initcalls come before it): the last live
#             console line before it plus the printk-time difference
#   runinit   the console line "Run /init as init process"
#   ready     the write of 2 to port 0x440 (bootmark: userspace is up)
# The guest's printk clock is not used across the replay: while the console
# replays with interrupts off, ticks are lost and the early clock (jiffies)
# stands still, so printk times fall behind (BD-ANCHOR shows by how much).
# Prints one line per phase:
#   BD-PHASE vmm=NAME n=N from=BOUNDARY ms=MS exits=E uexits=U reasons=R ports=P mmio=M
# where E counts every exit (kvm_exit), U those that returned to the VMM, R
# the exit reasons (most frequent first), P the port accesses traced (in-kernel
# devices included) and M the MMIO accesses by 4 KiB page.
# Exit status 1 when a boundary is missing.

function ptime(line) {
	if (!match(line, /\[ *[0-9]+\.[0-9]+\]/))
		return -1
	line = substr(line, RSTART + 1, RLENGTH - 2)
	sub(/^ +/, "", line)
	return line + 0
}

function hex(s,    i, n, c) {
	n = 0
	s = tolower(s)
	sub(/^0x/, "", s)
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", substr(s, i, 1))
		if (c == 0)
			return -1
		n = n * 16 + c - 1
	}
	return n
}

# The timestamp (the field "SECONDS.MICROS:") and the event name.
function parse(    i) {
	ts = -1
	ev = ""
	for (i = 1; i <= NF && i < 8; i++) {
		if ($i ~ /^[0-9]+\.[0-9]+:$/) {
			ts = substr($i, 1, length($i) - 1) + 0
			ev = $(i + 1)
			sub(/:$/, "", ev)
			return
		}
	}
}

function field_after(name,    i) {
	for (i = 1; i < NF; i++)
		if ($i == name)
			return $(i + 1)
	return ""
}

# "key:count,..." for the keys of table[p, key], most frequent first.
function top(table, p, limit,    k, parts, best, bestn, out, used, i) {
	out = ""
	for (i = 0; i < limit; i++) {
		best = ""
		bestn = 0
		for (k in table) {
			split(k, parts, SUBSEP)
			if (parts[1] != p || (k in used))
				continue
			if (table[k] > bestn) {
				bestn = table[k]
				best = k
			}
		}
		if (best == "")
			break
		used[best] = 1
		split(best, parts, SUBSEP)
		out = out (out == "" ? "" : ",") parts[2] ":" table[best]
	}
	return out == "" ? "-" : out
}

FNR == 1 { file++ }

file == 1 {
	if (p_firstcall == "" && /^BD-FIRST-CALL \[ *[0-9.]+\] calling/)
		p_firstcall = ptime($0)
	if (p_init == "" && /\] Run \/init as init process/)
		p_init = ptime($0)
	next
}

# A console line, rebuilt from the port writes, is complete.
function console_line(    p) {
	if (line ~ /Linux version/ && t_replay == "")
		t_replay = line_ts
	if (line ~ /printk: console \[ttyS0\] enabled/ && t_enabled == "")
		t_enabled = line_ts
	if (line ~ /Run \/init as init process/ && t_runinit == "")
		t_runinit = line_ts
	# Live lines after the replay: their printk time and host time, for
	# placing the first initcall.
	if (t_enabled != "" && t_runinit == "") {
		p = ptime(line)
		if (p >= 0 && p_firstcall != "" && p <= p_firstcall) {
			before_p = p
			before_t = line_ts
		}
	}
}

file == 2 {
	parse()
	if (ts < 0)
		next
	if (ev == "tracing_mark_write" && $NF == "vmm-start" && t_start == "")
		t_start = ts
	if (t_start == "")
		next
	if (ev == "kvm_exit") {
		rip = field_after("rip")
		if (t_first == "")
			t_first = ts
		if (rip ~ /^0xffffffff[89ab]/ && length(rip) == 18) {
			if (t_kernel == "")
				t_kernel = ts
		} else if (t_low1m == "" && hex(rip) >= 1048576) {
			t_low1m = ts
		}
	}
	# QEMU's firmware loads the kernel through fw_cfg (ports 0x510-0x51b).
	if (ev == "kvm_pio" && t_kernel == "" && field_after("at") ~ /^0x51[0-9a-b]$/)
		t_fw = ts
	if (ev == "kvm_pio" && $0 ~ /pio_write at 0x3f8 size 1 count 1 /) {
		c = hex(field_after("val"))
		if (line == "")
			line_ts = ts
		if (c == 10) {
			console_line()
			line = ""
		} else if (c >= 32 && c < 127) {
			line = line sprintf("%c", c)
		}
	}
	if (ev == "kvm_pio" && $0 ~ /pio_write at 0x440 /) {
		if (field_after("val") == "0x2" && t_ready == "")
			t_ready = ts
	}
	next
}

file == 3 && !bounds_done {
	bounds_done = 1
	if (before_t != "")
		t_firstcall = before_t + (p_firstcall - before_p)
	missing = ""
	if (t_start == "") missing = missing " vmm-start-marker"
	if (t_first == "") missing = missing " first-exit"
	if (t_kernel == "") missing = missing " kernel-exit"
	if (t_replay == "") missing = missing " console-Linux-version"
	if (t_enabled == "") missing = missing " console-enabled-line"
	if (t_firstcall == "") missing = missing " first-initcall"
	if (t_runinit == "") missing = missing " console-Run-/init"
	if (t_ready == "") missing = missing " port-0x440-write-2"
	if (missing != "") {
		print "BD-ERROR vmm=" vmm ": missing:" missing
		exit 1
	}
	# The firmware is over at its last fw_cfg access, or where the first exit
	# at 1 MiB or above came, whichever is later (minivmm: no firmware).
	if (t_low1m == "" || t_low1m > t_kernel)
		t_low1m = t_kernel
	if (t_fw != "" && t_fw > t_low1m)
		t_low1m = t_fw
	nb = split("start first low1m kernel replay enabled firstcall runinit ready", bname, " ")
	b[1] = t_start; b[2] = t_first; b[3] = t_low1m; b[4] = t_kernel; b[5] = t_replay
	b[6] = t_enabled; b[7] = t_firstcall; b[8] = t_runinit; b[9] = t_ready
	for (i = 1; i < nb; i++)
		if (b[i + 1] < b[i])
			printf "BD-WARN vmm=%s: boundary %s (%.6f) comes before %s (%.6f)\n",
				vmm, bname[i + 1], b[i + 1], bname[i], b[i]
	# The printk clock against the host's, from the kernel's start to /init.
	printf "BD-ANCHOR vmm=%s printk_at_run_init=%s host_kernel_to_run_init=%.3f\n",
		vmm, p_init, t_runinit - t_kernel
}

file == 3 {
	parse()
	if (ts < b[1] || ts >= b[nb])
		next
	p = 0
	for (i = 1; i < nb; i++)
		if (ts >= b[i])
			p = i
	if (ev == "kvm_exit") {
		exits[p]++
		reasons[p, field_after("reason")]++
	} else if (ev == "kvm_userspace_exit") {
		uexits[p]++
	} else if (ev == "kvm_pio") {
		ports[p, field_after("at")]++
	} else if (ev == "kvm_mmio") {
		g = field_after("gpa")
		sub(/[0-9a-f][0-9a-f][0-9a-f]$/, "000", g)
		mmio[p, g]++
	}
}

END {
	if (!bounds_done)
		exit 1
	for (i = 1; i < nb; i++)
		printf "BD-PHASE vmm=%s n=%d from=%s ms=%.1f exits=%d uexits=%d reasons=%s ports=%s mmio=%s\n",
			vmm, i, bname[i], (b[i + 1] - b[i]) * 1000, exits[i], uexits[i],
			top(reasons, i, 5), top(ports, i, 5), top(mmio, i, 3)
	printf "BD-TOTAL vmm=%s ms=%.1f exits=%d\n", vmm, (b[nb] - b[1]) * 1000, total_exits()
}

function total_exits(    i, n) {
	for (i = 1; i < nb; i++)
		n += exits[i]
	return n
}
