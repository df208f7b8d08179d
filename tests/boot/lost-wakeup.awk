# Reads what QEMU's human monitor printed for `info registers` and `info
# lapic` (one outer vCPU) and prints one verdict line:
#   waiting VECTOR COUNT STATE  an interrupt the CPU should take is waiting;
#                               COUNT is the APIC timer's initial count,
#                               STATE halted or running
#   ok                          nothing the CPU should take is waiting
#   unknown                     the sample lacks a line this needs
#
# "Should take": the highest vector in the local APIC's IRR is above the
# processor priority (its class, vector >> 4, above PPR's), the APIC is
# enabled, and interrupts are enabled (RFLAGS.IF), whether the CPU is
# halted or running. One such sample means little: QEMU hands an interrupt to a
# running vCPU only when it next looks, and a sample catches one waiting
# in about one in four samples of a busy host. Two samples a few seconds
# apart with the same vector waiting and the same timer count mean the
# interrupt was never taken: a kernel that takes its timer interrupt sets a
# new count at once. QEMU 7.2's TCG was seen to do that for minutes, the
# CPU running the nested guests and then halting, asleep for good
# (docs/testing.md, "The outer VM's lost wake-up"); wake-watch.sh compares
# consecutive verdicts and wakes the CPU.
#
# The monitor may put its prompt "(qemu) " or terminal escapes in front of
# a line, so fields are matched anywhere in the line.

function hex(s,    i, c, v) {
	sub(/^0[xX]/, "", s)
	v = 0
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", tolower(substr(s, i, 1)))
		if (c == 0)
			break
		v = v * 16 + c - 1
	}
	return v
}

BEGIN { rfl = -1; hlt = -1; ppr = -1; irr = ""; enabled = -1; rip = ""; count = "" }

/RIP=[0-9a-fA-F]+/ { match($0, /RIP=[0-9a-fA-F]+/); rip = substr($0, RSTART + 4, RLENGTH - 4) }
/initial_count = [0-9]+/ { match($0, /initial_count = [0-9]+/); count = substr($0, RSTART + 16, RLENGTH - 16) }

/RFL=[0-9a-fA-F]+/ {
	match($0, /RFL=[0-9a-fA-F]+/)
	rfl = hex(substr($0, RSTART + 4, RLENGTH - 4))
}
/ HLT=[01]/ { match($0, / HLT=[01]/); hlt = substr($0, RSTART + 5, 1) + 0 }
/SPIV/ { enabled = ($0 ~ /APIC enabled/) ? 1 : 0 }
/IRR[ \t]/ {
	line = $0
	sub(/.*IRR[ \t]+/, "", line)
	irr = line
}
/PPR 0[xX][0-9a-fA-F]+/ {
	match($0, /PPR 0[xX][0-9a-fA-F]+/)
	ppr = hex(substr($0, RSTART + 4, RLENGTH - 4))
}

END {
	if (rfl < 0 || hlt < 0 || ppr < 0 || irr == "" || enabled < 0 || rip == "" || count == "") {
		print "unknown"
		exit
	}
	top = -1
	n = split(irr, v, /[ \t]+/)
	for (i = 1; i <= n; i++)
		if (v[i] ~ /^[0-9]+$/ && v[i] + 0 > top)
			top = v[i] + 0
	if (!enabled || top < 16 || int(top / 16) <= int(ppr / 16) || int(rfl / 512) % 2 == 0) {
		print "ok"
		exit
	}
	print "waiting " top " " count " " (hlt ? "halted at " rip : "running")
}
