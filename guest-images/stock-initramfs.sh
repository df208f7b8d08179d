#!/usr/bin/env bash
# A distribution kernel for minivmm: Debian's stock kernel (the package
# linux-image-amd64 depends on, the one the nested test host runs) and an
# initramfs that loads the vsock modules from the same package, the way a
# distribution's initramfs does: the demo guest's initramfs (busybox, its
# /etc/rcS, vsock-tool) plus /lib/modules/*.ko and /etc/modules, the list
# rcS loads in order, dependencies first (taken from each module's
# "depends=" field, as depmod does).
#
#   usage: stock-initramfs.sh OUTDIR
#
# Writes OUTDIR/vmlinuz and OUTDIR/initramfs.cpio.gz. Both are cached
# outside the repository ($MINIVMM_CACHE, default ~/.cache/minivmm) under a
# key made of the kernel package's version, the demo initramfs and this
# script. Needs guest-images/out/initramfs.cpio.gz (make guest-images),
# apt-get (the package is fetched with apt-get download), dpkg and cpio.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: stock-initramfs.sh OUTDIR}
cache_root=${MINIVMM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minivmm}
demo=$here/out/initramfs.cpio.gz
# What minivmm's vsock device needs, in load order: the virtio-mmio
# transport (found through ACPI: Debian has no virtio_mmio.device=), then
# vsock and its virtio transport. Their dependencies are added before them.
MODULES="virtio_mmio vmw_vsock_virtio_transport"

die() {
	echo "stock-initramfs: $*" >&2
	exit 1
}

[ -r "$demo" ] || die "$demo is missing (make guest-images)"
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
[ -n "$pkg" ] || die "apt-cache names no package behind linux-image-amd64 (apt-get update)"
ver=$(apt-cache show "$pkg" 2>/dev/null | awk '/^Version:/ { print $2; exit }')
key=$( { echo "$pkg $ver"; sha256sum "$demo" "$here/stock-initramfs.sh"; } |
	sha256sum | cut -c1-16)
cached=$cache_root/stock-$pkg-$key

if [ ! -s "$cached/initramfs.cpio.gz" ] || [ ! -s "$cached/vmlinuz" ]; then
	echo "stock-initramfs: building for $pkg $ver (cache key $key)" >&2
	mkdir -p "$cache_root"
	work=$(mktemp -d "$cache_root/.stock.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	deb=$(ls /var/cache/apt/archives/"${pkg}_${ver//:/%3a}"_amd64.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		sandbox=()
		[ "$(id -u)" = 0 ] && sandbox=(-o APT::Sandbox::User=root)
		(cd "$work" && apt-get download -qq "${sandbox[@]}" "$pkg=$ver" >&2) ||
			die "apt-get download $pkg=$ver failed"
		deb=$(ls "$work"/*.deb | head -n 1)
	fi
	dpkg -x "$deb" "$work/pkg"
	kver=${pkg#linux-image-}
	mods=$work/pkg/lib/modules/$kver
	[ -d "$mods" ] || die "$deb has no lib/modules/$kver"

	root=$work/root
	mkdir -p "$root"
	(cd "$root" && gzip -dc "$demo" | cpio -id --quiet)
	mkdir -p "$root/lib/modules"

	# Depth-first over depends=, so every module comes after what it needs.
	declare -A done_mod=()
	order=()
	add_module() {
		local m=$1 f dep
		[ -n "${done_mod[$m]:-}" ] && return 0
		done_mod[$m]=1
		f=$(find "$mods" -name "$m.ko" -o -name "$m.ko.xz" | head -n 1)
		[ -n "$f" ] || die "$pkg has no module $m"
		case "$f" in
		*.xz) xz -dc "$f" > "$root/lib/modules/$m.ko" ;;
		*) cp "$f" "$root/lib/modules/$m.ko" ;;
		esac
		for dep in $(tr '\0' '\n' < "$root/lib/modules/$m.ko" |
			sed -n 's/^depends=//p' | tr ',' ' '); do
			add_module "${dep//-/_}"
		done
		order+=("$m")
	}
	for m in $MODULES; do
		add_module "$m"
	done
	printf '%s\n' "${order[@]}" > "$root/etc/modules"
	echo "stock-initramfs: modules, in load order: ${order[*]}" >&2

	find "$root" -exec touch -h -d @0 {} +
	mkdir -p "$work/out"
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc --quiet --reproducible) | gzip -9n > "$work/out/initramfs.cpio.gz"
	cp "$(find "$work/pkg/boot" -name 'vmlinuz-*' | head -n 1)" "$work/out/vmlinuz"
	dpkg-deb -f "$deb" Package Version > "$work/out/package"
	rm -rf "$cached"
	mv -T "$work/out" "$cached"
fi
mkdir -p "$out"
cp "$cached/vmlinuz" "$cached/initramfs.cpio.gz" "$cached/package" "$out/"
echo "stock-initramfs: $out/vmlinuz and $out/initramfs.cpio.gz ($(tr '\n' ' ' < "$cached/package"))" >&2
