# bench-spec.awk: expand bench.spec's step blocks into the file bootrun reads.
#
#   awk -f bench-spec.awk bench.spec > expanded.spec
#
# "@define NAME [PARAM]" ... "@end" records a block (not printed); a line
# "@NAME [VALUE]" (leading blanks allowed) prints the block with every PARAM
# replaced by VALUE. Everything else is copied. A use of an unknown block, a
# block defined twice or left open, a PARAM without a VALUE (or the other
# way round) and a block used inside a block are errors: a message on
# stderr and exit status 1. Placeholders such as @BENCH_BYTES@ (upper case
# after the @) are left alone. POSIX awk (Debian's mawk).

function fail(msg) {
	printf "bench-spec.awk: line %d: %s\n", FNR, msg > "/dev/stderr"
	failed = 1
	exit 1
}

# Replace every literal occurrence of `from` in `text` by `to` (no regex).
function replace_all(text, from, to,    out, i) {
	if (from == "")
		return text
	out = ""
	while ((i = index(text, from)) > 0) {
		out = out substr(text, 1, i - 1) to
		text = substr(text, i + length(from))
	}
	return out text
}

/^@define[ \t]/ {
	if (open_block != "")
		fail("@define inside the block '" open_block "'")
	if (NF < 2 || NF > 3)
		fail("usage: @define NAME [PARAM]")
	if ($2 in lines)
		fail("the block '" $2 "' is defined twice")
	open_block = $2
	param[open_block] = (NF == 3 ? $3 : "")
	lines[open_block] = 0
	next
}

/^@end[ \t]*$/ {
	if (open_block == "")
		fail("@end without @define")
	open_block = ""
	next
}

/^[ \t]*@[a-z]/ {
	line = $0
	sub(/^[ \t]*@/, "", line)
	n = split(line, word, /[ \t]+/)
	if (open_block != "")
		fail("@" word[1] " used inside the block '" open_block "'")
	if (!(word[1] in lines))
		fail("no block '" word[1] "' is defined before this line")
	if (n > 2)
		fail("@" word[1] " takes one value")
	if ((n == 2) != (param[word[1]] != ""))
		fail("@" word[1] (n == 2 ? " takes no value" : " needs a value for " param[word[1]]))
	for (i = 1; i <= lines[word[1]]; i++)
		print replace_all(body[word[1], i], param[word[1]], word[2])
	next
}

open_block != "" {
	body[open_block, ++lines[open_block]] = $0
	next
}

{ print }

END {
	if (!failed && open_block != "") {
		printf "bench-spec.awk: the block '%s' has no @end\n", open_block > "/dev/stderr"
		exit 1
	}
}
