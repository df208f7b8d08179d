#!/usr/bin/env bash
# Build the demo guest's bzImage from Debian's linux-source-6.1 and the config
# fragment beside this script. The result is cached outside the repository,
# keyed by a hash of everything that goes into it, because the build takes
# minutes: usage: build-kernel.sh OUTPUT_BZIMAGE
set -euo pipefail

out=$1
here=$(cd "$(dirname "$0")" && pwd)
src_tar=/usr/src/linux-source-6.1.tar.xz
cache_root=${MINIVMM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minivmm}

if [ ! -r "$src_tar" ]; then
    echo "build-kernel: $src_tar is missing (apt-get install linux-source-6.1)" >&2
    exit 1
fi

src_version=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || stat -c %s "$src_tar")
gcc_version=$(gcc -dumpfullversion)
key=$( { echo "$src_version $gcc_version"; cat "$here/minivmm.config" "$here/build-kernel.sh"; } | sha256sum | cut -c1-16)
cached=$cache_root/kernel-$key/bzImage

if [ ! -s "$cached" ]; then
    echo "build-kernel: no cached kernel for key $key; building (a few minutes)" >&2
    work=$(mktemp -d "${TMPDIR:-/tmp}/minivmm-kernel.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    tar -C "$work" -xf "$src_tar"
    ksrc=$work/linux-source-6.1
    make -C "$ksrc" -s tinyconfig
    "$ksrc/scripts/kconfig/merge_config.sh" -m -O "$ksrc" "$ksrc/.config" "$here/minivmm.config" >/dev/null
    make -C "$ksrc" -s olddefconfig
    # Every line of the fragment must have survived olddefconfig; a silently
    # dropped option would give a kernel that cannot see our devices.
    missing=0
    while IFS= read -r line; do
        case "$line" in CONFIG_*=*) ;; *) continue ;; esac
        if ! grep -qx "$line" "$ksrc/.config"; then
            echo "build-kernel: option not applied: $line" >&2
            missing=1
        fi
    done < "$here/minivmm.config"
    [ "$missing" = 0 ] || exit 1
    make -C "$ksrc" -s -j"$(nproc)" bzImage
    mkdir -p "$(dirname "$cached")"
    cp "$ksrc/arch/x86/boot/bzImage" "$cached.tmp"
    cp "$ksrc/.config" "$(dirname "$cached")/config"
    # The uncompressed ELF kernel too, for booting through its PVH entry.
    cp "$ksrc/vmlinux" "$(dirname "$cached")/vmlinux"
    mv "$cached.tmp" "$cached"
fi
mkdir -p "$(dirname "$out")"
cp "$cached" "$out"
echo "build-kernel: $out (cache key $key)" >&2
