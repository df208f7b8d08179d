#!/usr/bin/env bash
# Boot tests from docs/tour.md: each shell block preceded by
#   <!-- tour-check: TEXT -->
# becomes a test that runs the block's one command line in the nested test
# host, as written, and waits for TEXT in its output. The tour's paths are
# mapped to the nested host's: `minivmm` (a command word) to $MINIVMM,
# guest-images/out/bzImage and initramfs.cpio.gz to $GUEST_KERNEL and
# $GUEST_INITRD, guest-images/out/programs/vsock-tool to /carry/vsock-tool.
# The tests run in the tour's order (later ones read files earlier ones
# wrote, as a reader's commands would). Each runs under sh -c, as it would
# in the reader's shell.
#
#   usage: tour-spec.sh docs/tour.md > build/tour.spec
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 docs/tour.md" >&2; exit 2; }
awk '
	/^<!-- tour-check: .* -->$/ {
		want = $0
		sub(/^<!-- tour-check: /, "", want)
		sub(/ -->$/, "", want)
		if (want ~ /"/) { print "tour-spec: a tour-check text has a double quote: " want > "/dev/stderr"; exit 2 }
		pending = 1
		next
	}
	pending && /^```sh$/ { inblock = 1; lines = 0; next }
	inblock && /^```$/ {
		if (lines != 1) { print "tour-spec: a checked block must be one command line (line " NR ")" > "/dev/stderr"; exit 2 }
		n++
		cmd = block
		gsub(/guest-images\/out\/programs\/vsock-tool/, "/carry/vsock-tool", cmd)
		gsub(/guest-images\/out\/bzImage/, "$GUEST_KERNEL", cmd)
		gsub(/guest-images\/out\/initramfs\.cpio\.gz/, "$GUEST_INITRD", cmd)
		if (cmd ~ /^minivmm /) cmd = "$MINIVMM " substr(cmd, 9)
		gsub(/; minivmm /, "; $MINIVMM ", cmd)
		gsub(/& minivmm /, "\\& $MINIVMM ", cmd)
		# bootrun execs its command line (tests/boot/pty_child.c), which
		# would end a list at its first command: hand it to sh -c whole.
		gsub(/\047/, "\047\\\047\047", cmd)
		cmd = "sh -c \047" cmd "\047"
		printf "test tour-%d\n\trun %s\n\texpect 600 \"%s\"\n\texit 0 600\n\tnotexpect \"Oops\"\n\n", n, cmd, want
		inblock = 0; pending = 0
		next
	}
	inblock { block = $0; lines++ }
	END { if (n == 0) { print "tour-spec: no tour-check in the tour" > "/dev/stderr"; exit 2 } }
' "$1"
