# breakdown-table.awk: the console of a boot breakdown run (breakdown-job.sh,
# carriage returns removed or not) as Markdown: the phases of one boot under
# each VMM with their exits, a Mermaid gantt chart of the same, and the slow
# initcalls.
#
#   awk -f breakdown-table.awk SYSTEM_MAP CONSOLE_LOG
#
# SYSTEM_MAP (the demo kernel's, or /dev/null) names the initcalls, which the
# kernel prints as addresses (it has no kallsyms). Exit status 1 when neither
# VMM's boot was analysed. POSIX awk.

function val(key,    i, eq) {
	for (i = 1; i <= NF; i++) {
		eq = index($i, "=")
		if (eq > 1 && substr($i, 1, eq - 1) == key)
			return substr($i, eq + 1)
	}
	return ""
}

function name_of(addr,    a) {
	a = tolower(addr)
	sub(/^0x/, "", a)
	return (a in sym) ? sym[a] : addr
}

BEGIN {
	split("VMM start to the guest's first instruction (first exit)|" \
		"firmware (QEMU: qboot and linuxboot_dma, to the last fw_cfg access)|" \
		"real-mode setup (QEMU) and decompression, to the first exit in the kernel proper|" \
		"early kernel, to the serial console's registration|" \
		"console: the log so far replayed on ttyS0|" \
		"kernel: console enabled to the first initcall after it|" \
		"initcalls, initramfs unpacking, to \"Run /init\"|" \
		"userspace: /init to boot complete (bootmark)", pname, "|")
	short["1"] = "VMM set-up"; short["2"] = "firmware"; short["3"] = "decompress"
	short["4"] = "early kernel"; short["5"] = "console replay"; short["6"] = "kernel"
	short["7"] = "initcalls"; short["8"] = "userspace"
}

FILENAME == ARGV[1] {
	if (NF >= 3)
		sym[tolower($1)] = $3
	next
}

{ sub(/\r$/, "") }

/^BD-INFO / { sub(/^BD-INFO /, ""); info[++ninfo] = $0; next }
/^BD-(WARN|ERROR) / { warn[++nwarn] = $0; next }
/^BD-RUN / { status[val("vmm")] = val("status"); next }

/^BD-PHASE / {
	v = val("vmm"); n = val("n") + 0
	ms[v, n] = val("ms"); ex[v, n] = val("exits"); ux[v, n] = val("uexits")
	rs[v, n] = val("reasons"); po[v, n] = val("ports"); mm[v, n] = val("mmio")
	if (n > nphase + 0) nphase = n
	have[v] = 1
	next
}
/^BD-TOTAL / { tot[val("vmm")] = val("ms"); totex[val("vmm")] = val("exits"); next }
/^BD-ANCHOR / { anchor[val("vmm")] = $0; next }
/^BD-INITCALLS / { ninit[val("vmm")] = val("n"); suminit[val("vmm")] = val("usecs"); next }
/^BD-SLOW / {
	v = val("vmm")
	for (i = 1; i < NF; i++)
		if ($i == "initcall")
			fn = $(i + 1)
	us = $(NF - 1)
	slow[v, ++nslow[v]] = name_of(fn) " " us
	next
}
/^BD-LOG / { logs[++nlogs] = $0; next }

function cell(v, n) {
	if (!((v, n) in ms))
		return "n/a | n/a"
	return sprintf("%.0f | %d (%d)", ms[v, n], ex[v, n], ux[v, n])
}

function ratio(n) {
	if (!(("minivmm", n) in ms) || !(("qemu", n) in ms) || ms["qemu", n] <= 0)
		return ""
	return sprintf("%.2f", ms["minivmm", n] / ms["qemu", n])
}

END {
	if (!have["minivmm"] && !have["qemu"]) {
		print "no boot was analysed"
		exit 1
	}
	for (i = 1; i <= ninfo; i++)
		print "- " info[i]
	print "- bootrun status: minivmm " status["minivmm"] ", QEMU " status["qemu"]
	for (i = 1; i <= nwarn; i++)
		print "- " warn[i]
	print ""
	print "Each cell: milliseconds, then exits from the guest (kvm:kvm_exit) and in brackets those that returned to the VMM (kvm:kvm_userspace_exit)."
	print ""
	print "| phase | minivmm ms | minivmm exits (to VMM) | QEMU ms | QEMU exits (to VMM) | ratio of ms |"
	print "|---|---|---|---|---|---|"
	for (n = 1; n <= nphase; n++)
		printf "| %d. %s | %s | %s | %s |\n", n, pname[n], cell("minivmm", n), cell("qemu", n), ratio(n)
	printf "| total: VMM start to boot complete | %.0f | %s | %.0f | %s | %s |\n",
		tot["minivmm"], totex["minivmm"], tot["qemu"], totex["qemu"],
		(tot["qemu"] > 0) ? sprintf("%.2f", tot["minivmm"] / tot["qemu"]) : ""
	print ""
	print "Exits by cause (kvm_exit reasons; port and MMIO accesses, in-kernel devices included), most frequent first:"
	print ""
	print "| phase | minivmm | QEMU |"
	print "|---|---|---|"
	for (n = 1; n <= nphase; n++)
		printf "| %d. %s | %s; ports %s; mmio %s | %s; ports %s; mmio %s |\n", n, short[n],
			rs["minivmm", n], po["minivmm", n], mm["minivmm", n],
			rs["qemu", n], po["qemu", n], mm["qemu", n]
	print ""
	print "```mermaid"
	print "gantt"
	print "    title One boot of the demo guest in the nested host (seconds from VMM start)"
	print "    dateFormat x"
	print "    axisFormat %S.%L"
	split("minivmm qemu", vmms, " ")
	for (k = 1; k <= 2; k++) {
		v = vmms[k]
		if (!have[v])
			continue
		print "    section " (v == "qemu" ? "QEMU" : v)
		t = 0
		for (n = 1; n <= nphase; n++) {
			d = ms[v, n] + 0
			if (d < 0) d = 0
			printf "    %s %d : %s%d, %d, %d\n", short[n], n, substr(v, 1, 1), n, t, t + d
			t += d
		}
	}
	print "```"
	print ""
	for (k = 1; k <= 2; k++) {
		v = vmms[k]
		printf "Initcalls (%s): %d, %.0f ms in all; those of 2 ms or more:", v == "qemu" ? "QEMU" : v,
			ninit[v], suminit[v] / 1000
		for (i = 1; i <= nslow[v]; i++) {
			split(slow[v, i], parts, " ")
			printf "%s %s %.1f ms", (i > 1 ? "," : ""), parts[1], parts[2] / 1000
		}
		print ""
		print ""
	}
	for (k = 1; k <= 2; k++)
		if (anchor[vmms[k]] != "")
			print "- " anchor[vmms[k]]
	for (i = 1; i <= nlogs; i++)
		print "- " logs[i]
}
