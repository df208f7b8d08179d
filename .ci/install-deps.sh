#!/bin/sh
# Install the Debian 12 packages minivmm needs to build, test and run its demo.
# Idempotent: when every package is already installed it only says so, without
# touching apt, so `make run` stays fast the second time.
# Usage: .ci/install-deps.sh   (as root when something is missing)
set -eu

# What each group is for:
#   compiler and headers:      build-essential linux-libc-dev pkg-config
#   seccomp sandbox:           libseccomp-dev (libseccomp.so and .a, for the static build)
#   unit tests:                libcriterion-dev libfdt-dev
#   demo guest kernel:         linux-source-6.1 bc flex bison libelf-dev libssl-dev xz-utils
#                              lz4 (the kernel image's compression)
#   demo guest initramfs:      busybox-static cpio gzip
#   nested test host:          qemu-system-x86 (outer TCG machine), dpkg-dev (apt-get download
#                              and dpkg -x of Debian's kernel image, never installed)
#   vsock peer in tests:       socat
#   fuzzing (libFuzzer, ASan): clang-14 libclang-rt-14-dev llvm-14 (llvm-symbolizer)
# qemu-system-x86 depends on seabios, ipxe-qemu and qemu-system-data (the
# firmware it loads), so --no-install-recommends still gives a QEMU that boots
# -kernel images headless; its recommends are the GUI, qemu-utils, OVMF and
# extra block backends.
packages="build-essential linux-libc-dev pkg-config libseccomp-dev libcriterion-dev libfdt-dev
	linux-source-6.1 bc flex bison libelf-dev libssl-dev xz-utils lz4
	busybox-static cpio gzip qemu-system-x86 dpkg-dev socat
	clang-14 libclang-rt-14-dev llvm-14"

missing=
count=0
for pkg in $packages; do
	count=$((count + 1))
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = installed ] || missing="$missing $pkg"
done
missing=${missing# }

if [ -z "$missing" ]; then
	echo "install-deps: all $count packages already installed"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages: $missing" >&2
	echo "install-deps: install them as root with:" >&2
	echo "  apt-get update && apt-get install -y --no-install-recommends $missing" >&2
	exit 1
fi

echo "install-deps: installing: $missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086 # $missing is a list of package names
apt-get install -y --no-install-recommends $missing
echo "install-deps: done"
