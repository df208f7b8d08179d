#!/bin/sh
# Host side of the network tests, in the nested test host. The guest runs
# Debian's socat as servers (tests/boot/boot-tests.spec, "net-*"):
#   port 5001: EXEC:sha256sum     reads until EOF, answers the SHA-256
#   port 5002: EXEC:net-source    sends N random bytes, then their SHA-256
#   port 5003: UDP, EXEC:cat      echoes each datagram
#
#   net-peer.sh to-guest IP MIB       send MIB MiB, compare both ends' SHA-256
#   net-peer.sh from-guest IP MIB     receive MIB MiB, compare both ends' SHA-256
#   net-peer.sh conns IP N KIB        N connections at once, KIB KiB each way
#                                     to the guest, every checksum compared
#   net-peer.sh udp IP                one 1200-byte datagram echoed by the guest
# Exit status 0 only when every checksum matched.
set -u
cmd=$1
ip=$2
tmp=/tmp/net-peer.$$
mkdir -p "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT

# send_sum BYTES TAG: BYTES random bytes to the guest's sha256sum server;
# prints "ok" when its answer matches the SHA-256 computed here.
send_sum() {
	mkfifo "$tmp/f$2" || return 1
	sha256sum < "$tmp/f$2" > "$tmp/local$2" &
	head -c "$1" /dev/urandom | tee "$tmp/f$2" |
		socat -t 600 -T 600 - "TCP:$ip:5001" > "$tmp/remote$2"
	wait $!
	local_sum=$(cut -d' ' -f1 "$tmp/local$2")
	remote_sum=$(cut -d' ' -f1 "$tmp/remote$2")
	if [ -n "$local_sum" ] && [ "$local_sum" = "$remote_sum" ]; then
		echo "sha256 $local_sum on both ends"
		return 0
	fi
	echo "MISMATCH: host sent sha256 '$local_sum', guest received '$remote_sum'"
	return 1
}

case "$cmd" in
to-guest)
	bytes=$(($3 * 1048576))
	out=$(send_sum "$bytes" 0) || { echo "to-guest $3 MiB: $out"; exit 1; }
	echo "to-guest $3 MiB: $out" ;;
from-guest)
	bytes=$(($3 * 1048576))
	echo "$bytes" | socat -t 600 -T 600 - "TCP:$ip:5002" > "$tmp/data" || exit 1
	size=$(wc -c < "$tmp/data")
	# 64 hex digits and a newline follow the data.
	if [ "$size" != $((bytes + 65)) ]; then
		echo "from-guest $3 MiB: received $size bytes, expected $((bytes + 65))"
		exit 1
	fi
	local_sum=$(head -c "$bytes" "$tmp/data" | sha256sum | cut -d' ' -f1)
	remote_sum=$(tail -c 65 "$tmp/data" | head -c 64)
	if [ "$local_sum" != "$remote_sum" ]; then
		echo "from-guest $3 MiB: MISMATCH: guest sent sha256 '$remote_sum', host received '$local_sum'"
		exit 1
	fi
	echo "from-guest $3 MiB: sha256 $local_sum on both ends" ;;
conns)
	n=$3
	i=0
	while [ "$i" -lt "$n" ]; do
		(send_sum $(($4 * 1024)) "$i" > "$tmp/result$i" 2>&1; echo "$?" >> "$tmp/result$i") &
		i=$((i + 1))
	done
	wait
	good=$(grep -l '^sha256 .* on both ends$' "$tmp"/result* | wc -l)
	if [ "$good" != "$n" ]; then
		echo "conns: $good of $n connections matched:"
		cat "$tmp"/result*
		exit 1
	fi
	echo "conns: $n connections of $4 KiB, every sha256 matched" ;;
udp)
	head -c 900 /dev/urandom | base64 | tr -d '\n' | head -c 1200 > "$tmp/dgram"
	# UDP has no end of stream: socat waits up to -t seconds for the echo.
	socat -t 20 - "UDP:$ip:5003" < "$tmp/dgram" > "$tmp/echo"
	if cmp -s "$tmp/dgram" "$tmp/echo"; then
		echo "udp: 1200-byte datagram echoed intact"
		exit 0
	fi
	echo "udp: echo differs ($(wc -c < "$tmp/echo") bytes back)"
	exit 1 ;;
*)
	echo "usage: net-peer.sh to-guest|from-guest|conns|udp IP ..." >&2
	exit 2 ;;
esac
