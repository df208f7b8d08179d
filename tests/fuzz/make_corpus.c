/* Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/),
 * in the input formats of fuzz_input.h. The seeds are committed; run this
 * again (make -C tests/fuzz corpus) when a format changes.
 *
 *   make_corpus OUTDIR LINUX_BZIMAGE LINUX_VMLINUX TINY_KERNEL...
 *
 * bzimage: each tiny test kernel (tests/kvm/out) as it is, and hello.bzImage
 * also with a spread of RAM sizes, vCPU counts, initrds and command lines; the first 64 KiB of
 * the demo kernel (header and start of payload), once as it is (the header
 * then claims more than the file holds) and once with syssize cut to fit;
 * truncated variants at the boundaries the parser checks.
 * vmlinux: the same 8-byte prefix as bzimage, then each tiny ELF test kernel
 * (TINY_KERNEL ending in .vmlinux) with a spread of RAM sizes, initrds
 * and command lines, cut at each header's end; the demo vmlinux's first
 * 64 KiB (its segments then run past the file), and the demo vmlinux
 * shrunk to its headers, notes and the first 4 KiB of each segment (file
 * offsets rewritten, addresses and sizes in memory kept), so that it
 * parses and loads as the real kernel would, in 17 KiB instead of 17 MB.
 * mmio: the register sequence of Linux's probe (drivers/virtio/
 * virtio_mmio.c vm_probe, drivers/virtio/virtio.c virtio_dev_probe,
 * net/vmw_vsock/virtio_transport.c), its removal, rebinds, and the
 * mistakes a broken driver makes.
 * vsock_config: every offset and width around the 8-byte config space.
 * cli: valid and invalid command lines (--share and --vhost-user among
 * them).
 * vhost_user: the right reply to every request of vu_sent (libvhost-user's
 * answers), and each of the ways a reply can be wrong, once. */
#include <elf.h>
#include <errno.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_input.h"
#include "virtio/mmio.h"
#include "virtio/vhost_user_msg.h"
#include "virtio/vsock.h"

#define F(bit) (1ULL << (bit))

struct buf {
	uint8_t *data;
	size_t len, cap;
};

static const char *outdir;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "make_corpus: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->data = realloc(b->data, b->cap);
		if (!b->data)
			die("out of memory");
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_le(struct buf *b, uint64_t v, size_t n)
{
	uint8_t tmp[8];

	fuzz_put_le(tmp, v, n);
	put(b, tmp, n);
}

static void write_seed(const char *target, const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		die("mkdir %s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		die("writing %s failed", path);
}

static struct buf read_file(const char *path)
{
	struct buf b = { 0 };
	uint8_t chunk[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		die("%s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		put(&b, chunk, n);
	fclose(f);
	return b;
}

/* ---- bzimage ------------------------------------------------------- */

/* A seed of a kernel-file target (bzimage, vmlinux): the 8-byte prefix of
 * fuzz_input.h, then len bytes of the file. */
static void kernel_seed(const char *target, const char *name, const uint8_t *img, size_t len,
			uint64_t mem, int ncpus, unsigned initrd_class, uint8_t initrd_extra,
			bool has_cmdline, size_t cmdline_len)
{
	struct buf b = { 0 };
	uint8_t prefix[BZ_PREFIX_SIZE];

	bz_encode_prefix(prefix, mem, ncpus, initrd_class, initrd_extra, has_cmdline, cmdline_len);
	put(&b, prefix, sizeof(prefix));
	put(&b, img, len);
	write_seed(target, name, b.data, b.len);
	free(b.data);
}

#define bz_seed(...) kernel_seed("bzimage", __VA_ARGS__)

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void bzimage_seeds(const char *linux_path, int ntiny, char **tiny)
{
	struct buf k = read_file(linux_path);
	char name[256];
	size_t head = 64 * 1024, setup;

	if (k.len < head)
		die("%s: shorter than 64 KiB", linux_path);
	bz_seed("linux-head-64k", k.data, head, 64 * MiB, 1, 0, 0, false, 0);
	bz_seed("linux-head-4k", k.data, 4096, 64 * MiB, 1, 0, 0, false, 0);
	/* syssize (0x1f4) cut so that the payload ends with the file: then it
	 * parses and the loader runs with a real kernel's header. */
	setup = (size_t)(k.data[0x1f1] ? k.data[0x1f1] : 4) * 512 + 512;
	fuzz_put_le(k.data + 0x1f4, (head - setup) / 16, 4);
	bz_seed("linux-head-64k-fits-64m-2cpu-cmdline", k.data, head, 64 * MiB, 2, 0, 0, true,
		40);
	bz_seed("linux-head-64k-fits-33m", k.data, head, 33 * MiB, 1, 0, 0, false, 0);
	free(k.data);

	for (int i = 0; i < ntiny; i++) {
		const char *base = base_name(tiny[i]);
		size_t blen = strlen(base);

		if (blen < 8 || strcmp(base + blen - 8, ".bzImage") != 0)
			continue; /* a .vmlinux: vmlinux_seeds */
		struct buf t = read_file(tiny[i]);

		snprintf(name, sizeof(name), "%s-32m-1cpu", base);
		bz_seed(name, t.data, t.len, 32 * MiB, 1, 0, 0, false, 0);
		if (strcmp(base, "hello.bzImage") == 0) {
			/* Boundaries: before the header ends, the 2.12 fields only,
			 * setup without payload, one byte short. */
			static const size_t cuts[] = { 0x1f0, 0x268, 0x400 };

			for (size_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
				snprintf(name, sizeof(name), "%s-cut-0x%zx", base, cuts[c]);
				bz_seed(name, t.data, cuts[c], 32 * MiB, 1, 0, 0, false, 0);
			}
			snprintf(name, sizeof(name), "%s-cut-1-short", base);
			bz_seed(name, t.data, t.len - 1, 32 * MiB, 1, 0, 0, false, 0);
			snprintf(name, sizeof(name), "%s-64m-32cpu-initrd-cmdline", base);
			bz_seed(name, t.data, t.len, 64 * MiB, 32, 13, 3, true, 200);
			snprintf(name, sizeof(name), "%s-48m-4cpu-initrd-8m", base);
			bz_seed(name, t.data, t.len, 48 * MiB, 4, 24, 255, true, 0);
			/* init_size 24 MiB from 16 MiB: the kernel needs up to
			 * 40 MiB, and an 8 MiB initrd just fits above it in 48. */
			fuzz_put_le(t.data + 0x260, 24 * MiB, 4);
			snprintf(name, sizeof(name), "%s-initrd-fits-exactly", base);
			bz_seed(name, t.data, t.len, 48 * MiB, 1, 24, 0, false, 0);
			/* ... and the kernel alone just fits in 40. */
			snprintf(name, sizeof(name), "%s-kernel-fits-exactly", base);
			bz_seed(name, t.data, t.len, 40 * MiB, 1, 0, 0, false, 0);
			fuzz_put_le(t.data + 0x260, 0x100000, 4);
			snprintf(name, sizeof(name), "%s-0cpu", base);
			bz_seed(name, t.data, t.len, 40 * MiB, 0, 0, 0, false, 0);
			snprintf(name, sizeof(name), "%s-cmdline-too-long", base);
			bz_seed(name, t.data, t.len, 32 * MiB, 1, 0, 0, true, 4095);
		}
		free(t.data);
	}
}

/* ---- vmlinux ------------------------------------------------------- */

#define vm_seed(...) kernel_seed("vmlinux", __VA_ARGS__)

#define SHRUNK_SEGMENT_BYTES 4096

/* The demo vmlinux reduced to its ELF header, program headers, notes and
 * the first SHRUNK_SEGMENT_BYTES of each PT_LOAD (enough for the PVH entry,
 * near the start of the text), laid out one after the other. */
static struct buf shrink_vmlinux(const struct buf *k)
{
	struct buf out = { 0 };
	Elf64_Ehdr eh;
	Elf64_Phdr orig[16], ph[16];
	size_t off;

	if (k->len < sizeof(eh))
		die("vmlinux: too short");
	memcpy(&eh, k->data, sizeof(eh));
	if (eh.e_phnum > 16 || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    eh.e_phoff + eh.e_phnum * sizeof(Elf64_Phdr) > k->len)
		die("vmlinux: unexpected program headers");
	memcpy(orig, k->data + eh.e_phoff, eh.e_phnum * sizeof(Elf64_Phdr));
	memcpy(ph, orig, sizeof(ph));
	off = sizeof(eh) + eh.e_phnum * sizeof(Elf64_Phdr);
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD && ph[i].p_type != PT_NOTE)
			continue;
		if (ph[i].p_type == PT_LOAD && ph[i].p_filesz > SHRUNK_SEGMENT_BYTES)
			ph[i].p_filesz = SHRUNK_SEGMENT_BYTES;
		if (orig[i].p_offset + ph[i].p_filesz > k->len)
			die("vmlinux: segment %u outside the file", i);
		ph[i].p_offset = off;
		off += ph[i].p_filesz;
	}
	eh.e_phoff = sizeof(eh);
	eh.e_shoff = 0;
	eh.e_shnum = 0;
	eh.e_shstrndx = 0;
	put(&out, &eh, sizeof(eh));
	put(&out, ph, eh.e_phnum * sizeof(Elf64_Phdr));
	for (unsigned i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD || ph[i].p_type == PT_NOTE)
			put(&out, k->data + orig[i].p_offset, ph[i].p_filesz);
	return out;
}

static void vmlinux_seeds(const char *linux_path, int ntiny, char **tiny)
{
	struct buf k = read_file(linux_path), small;
	char name[256];

	if (k.len < 64 * 1024)
		die("%s: shorter than 64 KiB", linux_path);
	vm_seed("linux-head-64k", k.data, 64 * 1024, 64 * MiB, 1, 0, 0, false, 0);
	small = shrink_vmlinux(&k);
	vm_seed("linux-shrunk-64m-2cpu-initrd-cmdline", small.data, small.len, 64 * MiB, 2, 13, 3,
		true, 60);
	vm_seed("linux-shrunk-32m", small.data, small.len, 32 * MiB, 1, 0, 0, false, 0);
	free(small.data);
	free(k.data);

	for (int i = 0; i < ntiny; i++) {
		const char *base = base_name(tiny[i]);
		size_t blen = strlen(base);
		struct buf t;

		if (blen < 8 || strcmp(base + blen - 8, ".vmlinux") != 0)
			continue;
		t = read_file(tiny[i]);
		snprintf(name, sizeof(name), "%s-64m-initrd-cmdline", base);
		vm_seed(name, t.data, t.len, 64 * MiB, 1, 13, 0, true, 9);
		snprintf(name, sizeof(name), "%s-32m-4cpu", base);
		vm_seed(name, t.data, t.len, 32 * MiB, 4, 0, 0, false, 0);
		snprintf(name, sizeof(name), "%s-initrd-8m-0cpu", base);
		vm_seed(name, t.data, t.len, 40 * MiB, 0, 24, 255, false, 0);
		snprintf(name, sizeof(name), "%s-cmdline-too-long", base);
		vm_seed(name, t.data, t.len, 32 * MiB, 1, 0, 0, true, 2100);
		/* Ends of the ELF header, the program headers, the note. */
		static const size_t cuts[] = { 0x40, 0xb0, 0xc8 };
		for (size_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
			snprintf(name, sizeof(name), "%s-cut-0x%zx", base, cuts[c]);
			vm_seed(name, t.data, cuts[c], 32 * MiB, 1, 0, 0, false, 0);
		}
		free(t.data);
	}
}

/* ---- mmio ---------------------------------------------------------- */

/* vhost_vsock's features on the nested test host, as selector bits of
 * mmio_backend_features: VERSION_1, EVENT_IDX, INDIRECT_DESC, SEQPACKET,
 * ACCESS_PLATFORM, NOTIFY_ON_EMPTY. */
#define VHOST_SEL 0x3f

static void mmio_header(struct buf *b, uint64_t cid, uint8_t sel, uint64_t mem_mib, uint8_t flags)
{
	put_le(b, cid, 8);
	put_le(b, sel, 1);
	put_le(b, mem_mib - 1, 2);
	put_le(b, flags, 1);
}

static void rec(struct buf *b, enum mmio_op_kind kind, unsigned width, uint32_t off, uint64_t v)
{
	put_le(b, mmio_op(kind, width), 1);
	put_le(b, off, 2);
	put_le(b, v, 8);
}

static void rd(struct buf *b, uint32_t off)
{
	rec(b, MMIO_OP_READ, 4, off, 0);
}

static void wr(struct buf *b, uint32_t off, uint32_t v)
{
	rec(b, MMIO_OP_WRITE, 4, off, v);
}

/* Linux's virtio_add_status: read Status, write it back with the bit. */
static uint32_t add_status(struct buf *b, uint32_t status, uint32_t bit)
{
	rd(b, VIRTIO_MMIO_STATUS);
	wr(b, VIRTIO_MMIO_STATUS, status | bit);
	return status | bit;
}

/* vm_setup_vq: select, check not ready, read max, size, rings, ready. */
static void setup_rings(struct buf *b, uint32_t q, uint32_t num, uint64_t desc, uint64_t avail,
			uint64_t used)
{
	wr(b, VIRTIO_MMIO_QUEUE_SEL, q);
	rd(b, VIRTIO_MMIO_QUEUE_READY);
	rd(b, VIRTIO_MMIO_QUEUE_NUM_MAX);
	wr(b, VIRTIO_MMIO_QUEUE_NUM, num);
	wr(b, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(b, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	wr(b, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)avail);
	wr(b, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(avail >> 32));
	wr(b, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)used);
	wr(b, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(used >> 32));
	wr(b, VIRTIO_MMIO_QUEUE_READY, 1);
}

/* Linux's layout: descriptors, then the avail ring, the used ring on the
 * next page. */
static void setup_queue(struct buf *b, uint32_t q, uint32_t num, uint64_t desc)
{
	uint64_t avail = desc + 16ULL * num;

	setup_rings(b, q, num, desc, avail, (avail + 6 + 2ULL * num + 2 + 4095) & ~4095ULL);
}

/* Rings packed downwards from top - q * 4 KiB so that the last of them
 * ends exactly there: the used ring, the avail ring or the descriptor table
 * for last = 0, 1, 2 (sizes with EVENT_IDX's extra 2 bytes). For queue 0
 * that is the end of a RAM region: one byte further and the ring would
 * leave RAM, so off-by-one errors in the range checks show at once. */
static void setup_queue_below(struct buf *b, uint32_t q, uint32_t num, uint64_t top, int last)
{
	uint64_t desc_size = 16ULL * num, avail_size = 2ULL * num + 8, used_size = 8ULL * num + 8;
	uint64_t end = top - q * 4096ULL, desc, avail, used;

	if (last == 0) {
		used = end - used_size;
		avail = used - avail_size;
		desc = (avail - desc_size) & ~15ULL;
	} else if (last == 1) {
		avail = end - avail_size;
		used = (avail - used_size) & ~3ULL;
		desc = (used - desc_size) & ~15ULL;
	} else {
		desc = end - desc_size;
		avail = desc - avail_size;
		used = (avail - used_size) & ~3ULL;
	}
	setup_rings(b, q, num, desc, avail, used);
}

/* vm_get of the 8-byte guest_cid: two 32-bit reads inside a
 * ConfigGeneration loop. */
static void read_cid(struct buf *b)
{
	rd(b, VIRTIO_MMIO_CONFIG_GENERATION);
	rd(b, VIRTIO_MMIO_CONFIG_OFFSET);
	rd(b, VIRTIO_MMIO_CONFIG_OFFSET + 4);
	rd(b, VIRTIO_MMIO_CONFIG_GENERATION);
}

/* From vm_probe to the first notifications. Ends with status DRIVER_OK
 * (if every step was accepted). Rings from ring_base up, or, if ring_top is
 * not 0, packed below it with queue 0's ring `last` (setup_queue_below)
 * ending exactly there. */
static void probe_rings(struct buf *b, uint64_t features, uint64_t ring_base, uint64_t ring_top,
			int last)
{
	uint32_t s = 0;

	rd(b, VIRTIO_MMIO_MAGIC_VALUE);
	rd(b, VIRTIO_MMIO_VERSION);
	rd(b, VIRTIO_MMIO_DEVICE_ID);
	rd(b, VIRTIO_MMIO_VENDOR_ID);
	wr(b, VIRTIO_MMIO_STATUS, 0);
	s = add_status(b, s, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	s = add_status(b, s, VIRTIO_CONFIG_S_DRIVER);
	wr(b, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	rd(b, VIRTIO_MMIO_DEVICE_FEATURES);
	wr(b, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	rd(b, VIRTIO_MMIO_DEVICE_FEATURES);
	wr(b, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(b, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	wr(b, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(b, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	s = add_status(b, s, VIRTIO_CONFIG_S_FEATURES_OK);
	rd(b, VIRTIO_MMIO_STATUS);
	for (uint32_t q = 0; q < VSOCK_NUM_QUEUES; q++) {
		if (ring_top)
			setup_queue_below(b, q, 128, ring_top, (last + (int)q) % 3);
		else
			setup_queue(b, q, 128, ring_base + q * 0x10000ULL);
	}
	read_cid(b);
	add_status(b, s, VIRTIO_CONFIG_S_DRIVER_OK);
	/* virtio_vsock_rx_fill and the event queue fill kick their queues. */
	wr(b, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	wr(b, VIRTIO_MMIO_QUEUE_NOTIFY, 2);
	wr(b, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	/* vm_interrupt */
	rd(b, VIRTIO_MMIO_INTERRUPT_STATUS);
	wr(b, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
}

static void probe(struct buf *b, uint64_t features, uint64_t ring_base)
{
	probe_rings(b, features, ring_base, 0, 0);
}

/* Driver unbind: virtio_reset_device, then vm_del_vq for each queue. */
static void remove_driver(struct buf *b)
{
	wr(b, VIRTIO_MMIO_STATUS, 0);
	rd(b, VIRTIO_MMIO_STATUS);
	for (uint32_t q = 0; q < VSOCK_NUM_QUEUES; q++) {
		wr(b, VIRTIO_MMIO_QUEUE_SEL, q);
		wr(b, VIRTIO_MMIO_QUEUE_READY, 0);
		rd(b, VIRTIO_MMIO_QUEUE_READY);
	}
}

#define LINUX_FEATURES                                                                    \
	(F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX) | F(VIRTIO_RING_F_INDIRECT_DESC) | \
	 F(VIRTIO_VSOCK_F_SEQPACKET))

static void mmio_seeds(void)
{
	struct buf b = { 0 };

	mmio_header(&b, 3, VHOST_SEL, 256, 0);
	probe(&b, LINUX_FEATURES, 0x100000);
	remove_driver(&b);
	write_seed("mmio", "linux-probe-remove", b.data, b.len);

	b.len = 0;
	mmio_header(&b, 3, VHOST_SEL, 256, 0);
	for (int i = 0; i < 3; i++) {
		probe(&b, F(VIRTIO_F_VERSION_1), 0x200000);
		remove_driver(&b);
	}
	write_seed("mmio", "linux-rebind-x3", b.data, b.len);

	/* 8 GiB of RAM, rings above 4 GiB: the high halves matter. */
	b.len = 0;
	mmio_header(&b, 0x123456789ULL, VHOST_SEL, 8192, 0);
	probe(&b, LINUX_FEATURES, 0x100000000ULL + 0x40000000ULL);
	remove_driver(&b);
	write_seed("mmio", "linux-probe-rings-above-4g", b.data, b.len);

	/* Rings ending on the last byte of RAM: the used ring at the end of
	 * 64 MiB; the avail ring below the MMIO hole with 4 GiB; the
	 * descriptors at the end of the RAM above 4 GiB with 5 GiB. */
	b.len = 0;
	mmio_header(&b, 3, VHOST_SEL, 64, 0);
	probe_rings(&b, LINUX_FEATURES, 0, 64 * MiB, 0);
	write_seed("mmio", "rings-end-at-end-of-ram", b.data, b.len);
	b.len = 0;
	mmio_header(&b, 3, VHOST_SEL, 4096, 0);
	probe_rings(&b, LINUX_FEATURES, 0, MMIO_HOLE_START, 1);
	write_seed("mmio", "rings-end-at-mmio-hole", b.data, b.len);
	b.len = 0;
	mmio_header(&b, 3, VHOST_SEL, 5120, 0);
	probe_rings(&b, LINUX_FEATURES, 0, MMIO_HOLE_END + 2048 * MiB, 2);
	write_seed("mmio", "rings-end-at-end-of-high-ram", b.data, b.len);

	/* vhost refuses: DEVICE_NEEDS_RESET and a config interrupt. */
	b.len = 0;
	mmio_header(&b, 3, VHOST_SEL, 256, MMIO_FLAG_START_FAILS);
	probe(&b, LINUX_FEATURES, 0x100000);
	rd(&b, VIRTIO_MMIO_STATUS);
	rd(&b, VIRTIO_MMIO_INTERRUPT_STATUS);
	wr(&b, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	remove_driver(&b);
	write_seed("mmio", "backend-start-fails", b.data, b.len);

	/* A driver acking a feature never offered: FEATURES_OK must not
	 * stick; Linux then sets FAILED. */
	b.len = 0;
	mmio_header(&b, 3, VHOST_SEL, 256, 0);
	probe(&b, LINUX_FEATURES | F(VIRTIO_F_ACCESS_PLATFORM), 0x100000);
	wr(&b, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
					   VIRTIO_CONFIG_S_FAILED);
	write_seed("mmio", "unoffered-feature", b.data, b.len);

	/* Bad queues first (size not a power of two, misaligned, in the MMIO
	 * hole, past the end of RAM), then a valid setup. */
	b.len = 0;
	mmio_header(&b, 3, VHOST_SEL, 64, 0);
	wr(&b, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(&b, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	wr(&b, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(&b, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(&b, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
					   VIRTIO_CONFIG_S_FEATURES_OK);
	setup_queue(&b, 0, 100, 0x100000);
	setup_queue(&b, 0, 512, 0x100000);
	setup_queue(&b, 0, 128, 0x100008);
	setup_queue(&b, 0, 128, 0xc0000000);
	setup_queue(&b, 0, 128, 64 * MiB - 0x800);
	setup_queue(&b, 0, 128, 0x100000);
	setup_queue(&b, 1, 256, 0x200000);
	wr(&b, VIRTIO_MMIO_QUEUE_NUM, 64); /* while ready: refused */
	wr(&b, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
					   VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	wr(&b, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	wr(&b, VIRTIO_MMIO_QUEUE_NOTIFY, 7);
	write_seed("mmio", "bad-queues-then-good", b.data, b.len);

	/* Every width at every control offset and around config space. */
	b.len = 0;
	mmio_header(&b, 0xfedcba9876543210ULL, 0xff, 1, 0);
	for (uint32_t off = 0; off < 0x100; off += 4)
		rd(&b, off);
	for (unsigned w = 1; w <= 8; w <<= 1) {
		for (uint32_t off = 0x100; off < 0x10c; off++)
			rec(&b, MMIO_OP_READ, w, off, 0);
		rec(&b, MMIO_OP_READ, w, 0x70, 0);
		rec(&b, MMIO_OP_WRITE, w, 0x70, 0x0f);
		rec(&b, MMIO_OP_WRITE, w, 0x100, 0x1122334455667788ULL);
		rec(&b, MMIO_OP_READ, w, 0xffc, 0);
	}
	write_seed("mmio", "every-width", b.data, b.len);

	/* What a device thread does while the driver runs. */
	b.len = 0;
	mmio_header(&b, 3, VHOST_SEL, 256, 0);
	rec(&b, MMIO_OP_CONFIG_CHANGED, 1, 0, 0);
	probe(&b, LINUX_FEATURES, 0x100000);
	rec(&b, MMIO_OP_CONFIG_CHANGED, 1, 0, 0);
	read_cid(&b);
	rec(&b, MMIO_OP_NEEDS_RESET, 1, 0, 0);
	rd(&b, VIRTIO_MMIO_INTERRUPT_STATUS);
	wr(&b, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG | VIRTIO_MMIO_INT_VRING);
	remove_driver(&b);
	write_seed("mmio", "device-events", b.data, b.len);
	free(b.data);
}

/* ---- vsock_config -------------------------------------------------- */

static void cfg_rec(struct buf *b, bool write, unsigned width, uint32_t off)
{
	put_le(b, (write ? CONFIG_OP_WRITE : 0) | (width - 1), 1);
	put_le(b, off, 2);
}

static void vsock_config_seeds(void)
{
	struct buf b = { 0 };

	put_le(&b, 3, 8);
	for (uint32_t off = 0; off < 16; off++)
		for (unsigned w = 1; w <= 8; w++)
			cfg_rec(&b, false, w, off);
	write_seed("vsock_config", "every-offset-width", b.data, b.len);

	b.len = 0;
	put_le(&b, 0x0123456789abcdefULL, 8);
	for (unsigned w = 1; w <= 4; w <<= 1)
		for (uint32_t off = 0; off < 8; off += w) {
			cfg_rec(&b, true, w, off);
			cfg_rec(&b, false, w, off);
		}
	cfg_rec(&b, false, 8, 0);
	cfg_rec(&b, false, 4, CONFIG_WINDOW - 4);
	cfg_rec(&b, false, 8, CONFIG_WINDOW - 1);
	write_seed("vsock_config", "big-cid-writes", b.data, b.len);
	free(b.data);
}

/* ---- cli ----------------------------------------------------------- */

static void cli_seed(const char *name, const char *const *args)
{
	struct buf b = { 0 };

	for (int i = 0; args[i]; i++)
		put(&b, args[i], strlen(args[i]) + (args[i + 1] != NULL));
	write_seed("cli", name, b.data ? b.data : (uint8_t *)"", b.len);
	free(b.data);
}

static void cli_seeds(void)
{
	static const struct {
		const char *name;
		const char *args[20];
	} seeds[] = {
		{ "kernel", { "--kernel", "bzImage" } },
		{ "all-options", { "--kernel=guest-images/out/bzImage", "--initrd",
				   "initramfs.cpio.gz", "--memory", "2G", "--cpus", "4",
				   "--vsock-cid", "3", "--cmdline", "quiet loglevel=0", "--debug",
				   "--stats", "--boot-timer" } },
		{ "help", { "--help" } },
		{ "version", { "--version" } },
		{ "memory-suffixes", { "--memory=512M", "--memory=0x20", "--memory", "1g",
				       "--kernel=k" } },
		{ "cpus-33", { "--kernel=k", "--cpus=33" } },
		{ "cid-any", { "--kernel=k", "--vsock-cid=4294967295" } },
		{ "cid-host", { "--vsock-cid", "2", "--kernel=k" } },
		{ "memory-overflow", { "--memory=18446744073709551615G", "--kernel=k" } },
		{ "memory-negative", { "--memory=-1", "--kernel=k" } },
		{ "missing-value", { "--kernel" } },
		{ "flag-with-value", { "--kernel=k", "--debug=1" } },
		{ "empty-kernel", { "--kernel=" } },
		{ "single-dash", { "-k", "bzImage" } },
		{ "double-dash", { "--" } },
		{ "unknown", { "--frobnicate=yes", "--kernel=k" } },
		{ "no-kernel", { "--memory=64", "--cpus", "2" } },
		{ "test-backend", { "--kernel=k", "--vsock-cid=3", "--vsock-test-backend",
				    "/tmp/rec" } },
		{ "test-backend-no-cid", { "--kernel=k", "--vsock-test-backend=/tmp/rec" } },
		/* --share and --vhost-user (vmm/cli_vhost_user.c): the forms,
		 * ",," in a path, the limits across options, the refusals. */
		{ "share", { "--kernel=k", "--share", "/srv", "--share=/home/u,,v,tag=home,wait=0",
			     "--share", "/tmp,wait=3600" } },
		{ "vhost-user-fs", { "--kernel=k", "--vhost-user",
				     "fs,socket=/run/vfs.sock,tag=myfs,wait=30" } },
		{ "vhost-user-blk", { "--vhost-user=blk,socket=/run/disk,,1.sock", "--kernel=k" } },
		{ "vhost-user-four", { "--kernel=k", "--share=/a", "--vhost-user",
				       "fs,tag=abcdefghijklmnopqrstuvwxyz0123456789,socket=/s",
				       "--vhost-user", "blk,socket=/d", "--share", "/b,tag=b" } },
		{ "vhost-user-five", { "--kernel=k", "--share=/a", "--share=/b", "--share=/c",
				       "--share=/d", "--vhost-user", "blk,socket=/e" } },
		{ "vhost-user-tag-twice", { "--kernel=k", "--vhost-user", "fs,socket=/s,tag=share0",
					    "--share", "/a" } },
		{ "vhost-user-socket-twice", { "--kernel=k", "--vhost-user", "blk,socket=/s",
					       "--vhost-user", "fs,socket=/s,tag=t" } },
		{ "vhost-user-bad-values", { "--kernel=k", "--vhost-user", "fs,socket=/s",
					     "--vhost-user=blk,socket=/s,tag=t",
					     "--vhost-user", "fs,socket=/s,tag=a b,wait=3601",
					     "--share", ",tag=,wait=-1", "--vhost-user", "net" } },
	};

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		cli_seed(seeds[i].name, seeds[i].args);
	write_seed("cli", "empty", "", 0);
}

/* ---- vhost_user --------------------------------------------------- */

/* One seed: the request (index into vu_sent), the fds, the reply header
 * and `n` payload bytes. */
static void vu_seed(const char *name, unsigned sel, unsigned nfds, uint32_t request,
		    uint32_t flags, uint32_t size, const uint8_t *payload, size_t n)
{
	struct buf b = { 0 };

	put_le(&b, sel, 1);
	put_le(&b, nfds, 1);
	put_le(&b, request, 4);
	put_le(&b, flags, 4);
	put_le(&b, size, 4);
	if (n)
		put(&b, payload, n);
	write_seed("vhost_user", name, b.data, b.len);
	free(b.data);
}

/* The reply a well-behaved backend sends to vu_sent[sel], in p (size
 * returned): a u64, the ring's state, the asked config bytes, or ack 0. */
static uint32_t vu_good_payload(const struct vu_sent *s, uint8_t *p)
{
	memset(p, 0, 12 + VHOST_USER_MAX_CONFIG);
	switch (s->request) {
	case VHOST_USER_GET_FEATURES:
		fuzz_put_le(p, 1ULL << 32 | 1ULL << 30 | 1ULL << 29 | 1ULL << 28, 8);
		return 8;
	case VHOST_USER_GET_PROTOCOL_FEATURES:
		fuzz_put_le(p, 0x209, 8); /* MQ, REPLY_ACK, CONFIG */
		return 8;
	case VHOST_USER_GET_QUEUE_NUM:
		fuzz_put_le(p, 2, 8);
		return 8;
	case VHOST_USER_GET_VRING_BASE:
		fuzz_put_le(p, s->a, 4);
		fuzz_put_le(p + 4, 517, 4);
		return 8;
	case VHOST_USER_GET_CONFIG:
		fuzz_put_le(p, s->a, 4);
		fuzz_put_le(p + 4, s->b, 4);
		for (uint32_t i = 0; i < s->b; i++)
			p[12 + i] = (uint8_t)(i * 7 + 1);
		return 12 + s->b;
	}
	return 8; /* REPLY_ACK 0 */
}

static void vhost_user_seeds(void)
{
	uint8_t p[12 + VHOST_USER_MAX_CONFIG];
	char name[64];
	uint32_t n;

	for (unsigned sel = 0; sel < VU_NSENT; sel++) {
		const struct vu_sent *s = &vu_sent[sel];

		struct vhost_user_msg m = { .hdr = { .request = s->request,
						     .flags = s->need_reply ? 0x9 : 0x1 } };

		n = vu_good_payload(s, p);
		snprintf(name, sizeof(name), "%02u-%s%s-%s", sel, s->need_reply ? "need-reply-" : "",
			 vhost_user_request_name(s->request),
			 vhost_user_expects_reply(&m) ? "ok" : "unasked-reply");
		vu_seed(name, sel, 0, s->request, 0x5, n, p, n);
	}
	/* GET_FEATURES (0) answered wrongly, one way each. */
	n = vu_good_payload(&vu_sent[0], p);
	vu_seed("bad-request", 0, 0, VHOST_USER_GET_PROTOCOL_FEATURES, 0x5, n, p, n);
	vu_seed("bad-flags-need-reply-echoed", 0, 0, VHOST_USER_GET_FEATURES, 0xd, n, p, n);
	vu_seed("bad-flags-version-2", 0, 0, VHOST_USER_GET_FEATURES, 0x6, n, p, n);
	vu_seed("bad-flags-no-reply-bit", 0, 0, VHOST_USER_GET_FEATURES, 0x1, n, p, n);
	vu_seed("bad-size-4", 0, 0, VHOST_USER_GET_FEATURES, 0x5, 4, p, 4);
	vu_seed("bad-size-huge", 0, 0, VHOST_USER_GET_FEATURES, 0x5, 0xffffffff, p, n);
	vu_seed("bad-fds", 0, 1, VHOST_USER_GET_FEATURES, 0x5, n, p, n);
	vu_seed("bad-length-short", 0, 0, VHOST_USER_GET_FEATURES, 0x5, n, p, n - 1);
	vu_seed("bad-length-long", 0, 0, VHOST_USER_GET_FEATURES, 0x5, n, p, n + 1);
	write_seed("vhost_user", "bad-header-cut", (const uint8_t[]){ 0, 0, 1, 0, 0, 0, 5 }, 7);
	/* GET_VRING_BASE for ring 0 (3) answered for ring 1. */
	n = vu_good_payload(&vu_sent[4], p);
	vu_seed("bad-vring-base-ring", 3, 0, VHOST_USER_GET_VRING_BASE, 0x5, n, p, n);
	vu_seed("bad-vring-base-size-12", 3, 0, VHOST_USER_GET_VRING_BASE, 0x5, 12, p, 12);
	/* GET_CONFIG for 8 bytes at 0 (5): the wrong offset, the wrong size,
	 * libvhost-user's empty reply for a failed read. */
	n = vu_good_payload(&vu_sent[5], p);
	fuzz_put_le(p, 4, 4);
	vu_seed("bad-config-offset", 5, 0, VHOST_USER_GET_CONFIG, 0x5, n, p, n);
	n = vu_good_payload(&vu_sent[5], p);
	fuzz_put_le(p + 4, 4, 4);
	vu_seed("bad-config-size", 5, 0, VHOST_USER_GET_CONFIG, 0x5, n, p, n);
	vu_seed("bad-config-empty", 5, 0, VHOST_USER_GET_CONFIG, 0x5, 0, p, 0);
	/* SET_MEM_TABLE with NEED_REPLY (10) refused. */
	fuzz_put_le(p, 1, 8);
	vu_seed("bad-ack-refused", 10, 0, VHOST_USER_SET_MEM_TABLE, 0x5, 8, p, 8);
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: %s OUTDIR LINUX_BZIMAGE LINUX_VMLINUX TINY_KERNEL...\n",
			argv[0]);
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) < 0 && errno != EEXIST)
		die("mkdir %s: %s", outdir, strerror(errno));
	bzimage_seeds(argv[2], argc - 4, argv + 4);
	vmlinux_seeds(argv[3], argc - 4, argv + 4);
	mmio_seeds();
	vsock_config_seeds();
	cli_seeds();
	vhost_user_seeds();
	return 0;
}
