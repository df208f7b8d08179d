#!/usr/bin/env bash
# Copy the uncompressed ELF kernel (vmlinux) built together with a bzImage
# from build-kernel.sh's cache: the cache entry whose bzImage has the same
# bytes. minivmm boots it through its PVH entry (CONFIG_PVH, boot/vmlinux.c).
# build-kernel.sh keeps vmlinux beside bzImage since commit cdd7094; the
# lookup is by content so that the cache key (a hash of build-kernel.sh
# itself, among others) stays where it is.
#   usage: vmlinux-of.sh BZIMAGE OUTPUT_VMLINUX
set -euo pipefail

bz=$1
out=$2
cache_root=${MINIVMM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minivmm}

for dir in "$cache_root"/kernel-*/; do
    [ -s "$dir/bzImage" ] && [ -s "$dir/vmlinux" ] || continue
    if cmp -s "$dir/bzImage" "$bz"; then
        # Replace only when it differs, so that its mtime says when the
        # kernel really changed (as for out/bzImage).
        if ! cmp -s "$dir/vmlinux" "$out"; then
            cp "$dir/vmlinux" "$out.tmp"
            mv "$out.tmp" "$out"
        fi
        exit 0
    fi
done
echo "vmlinux-of: no vmlinux in $cache_root for $bz: its kernel was built before the" \
    "cache kept vmlinux; remove that kernel-* directory and run make guest-images" \
    "to rebuild it" >&2
exit 1
