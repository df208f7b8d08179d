/* How the fuzz targets turn libFuzzer's flat byte string into structured
 * input, shared with the seed corpus generator (make_corpus.c) so that both
 * sides agree on every byte. Multi-byte fields are little-endian. Every
 * decoder accepts any byte string: a field that runs past the end of the
 * input reads as zeros, and every value is mapped into its range with a
 * modulo rather than rejected, so no mutation is wasted. */
#ifndef MINIVMM_TESTS_FUZZ_INPUT_H
#define MINIVMM_TESTS_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "boot/mptable.h"
#include "lib/platform.h"
#include "virtio/vhost_user_msg.h"

static inline uint64_t fuzz_get_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static inline void fuzz_put_le(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* Copy the next n bytes of [*data, *data + *size) into out, zero-padded
 * when fewer are left; advance past what was taken. */
static inline void fuzz_take(const uint8_t **data, size_t *size, uint8_t *out, size_t n)
{
	size_t k = n < *size ? n : *size;

	memcpy(out, *data, k);
	memset(out + k, 0, n - k);
	*data += k;
	*size -= k;
}

/* ---- fuzz_bzimage: an 8-byte prefix, then the bzImage file ------------
 *   0  le16  guest RAM: 32 MiB + (v % 8193) * 4 KiB, i.e. 32..64 MiB
 *   2  u8    vCPUs: v % 34, i.e. 0..33 (1..32 are valid, 0 and 33 are not)
 *   3  u8    initrd size class k = v % 25: none for 0, else 2^(k-1) bytes ...
 *   4  u8    ... plus 16 * v bytes (so at most 8 MiB + 4080)
 *   5  le16  extra command line: none for 0, else (v - 1) % 4160 bytes
 *   7  u8    reserved
 * The file that follows is passed to bzimage_parse as it is. */
#define BZ_PREFIX_SIZE 8
#define BZ_MEM_MIN (32 * MiB)
#define BZ_MEM_MAX (64 * MiB)
#define BZ_MEM_STEP 4096u
#define BZ_CPUS_MOD (MPTABLE_MAX_CPUS + 2)
#define BZ_INITRD_CLASSES 25
#define BZ_INITRD_MAX ((1u << (BZ_INITRD_CLASSES - 2)) + 16u * 255)
/* A little past BOOT_CMDLINE_MAX, so the "too long" error is reachable. */
#define BZ_CMDLINE_MOD (BOOT_CMDLINE_MAX + 64)

struct bz_params {
	uint64_t mem_size;
	int ncpus;
	size_t initrd_size;
	bool has_cmdline;    /* false: cmdline argument NULL */
	size_t cmdline_len;
};

static inline void bz_decode_prefix(const uint8_t p[BZ_PREFIX_SIZE], struct bz_params *out)
{
	unsigned k = p[3] % BZ_INITRD_CLASSES;
	uint64_t cl = fuzz_get_le(p + 5, 2);

	out->mem_size = BZ_MEM_MIN + fuzz_get_le(p, 2) %
				     ((BZ_MEM_MAX - BZ_MEM_MIN) / BZ_MEM_STEP + 1) * BZ_MEM_STEP;
	out->ncpus = p[2] % BZ_CPUS_MOD;
	out->initrd_size = k ? (1u << (k - 1)) + 16u * p[4] : 0;
	out->has_cmdline = cl != 0;
	out->cmdline_len = cl ? (cl - 1) % BZ_CMDLINE_MOD : 0;
}

/* The inverse, for the generator: mem_size a multiple of BZ_MEM_STEP in
 * range, initrd_size 0 or 2^(k-1) + 16 * x, cmdline_len < BZ_CMDLINE_MOD. */
static inline void bz_encode_prefix(uint8_t p[BZ_PREFIX_SIZE], uint64_t mem_size, int ncpus,
				    unsigned initrd_class, uint8_t initrd_extra, bool has_cmdline,
				    size_t cmdline_len)
{
	fuzz_put_le(p, (mem_size - BZ_MEM_MIN) / BZ_MEM_STEP, 2);
	p[2] = (uint8_t)ncpus;
	p[3] = (uint8_t)initrd_class;
	p[4] = initrd_extra;
	fuzz_put_le(p + 5, has_cmdline ? cmdline_len + 1 : 0, 2);
	p[7] = 0;
}

/* ---- fuzz_mmio: a 12-byte header, then 11-byte records ----------------
 * Header:
 *   0  le64  the vsock device's guest CID (any value)
 *   8  u8    backend features: each bit adds one (mmio_backend_features)
 *   9  le16  guest RAM: (v + 1) MiB, so 1 MiB .. 64 GiB, across the hole
 *  11  u8    flags: MMIO_FLAG_START_FAILS makes the backend refuse start
 * Record:
 *   0  u8    op: bits 0-1 kind (MMIO_OP_*), bits 2-3 width 1 << v
 *   1  le16  offset from the device's base, & 0xfff (so some accesses
 *            run past the 4 KiB window and the bus must refuse them)
 *   3  le64  value written (low `width` bytes) */
#define MMIO_HEADER_SIZE 12
#define MMIO_RECORD_SIZE 11
#define MMIO_FLAG_START_FAILS 0x01
#define MMIO_OFFSET_MASK 0xfff
enum mmio_op_kind {
	MMIO_OP_READ = 0,
	MMIO_OP_WRITE = 1,
	MMIO_OP_NEEDS_RESET = 2,    /* device thread: virtio_mmio_set_needs_reset */
	MMIO_OP_CONFIG_CHANGED = 3, /* device thread: virtio_mmio_config_changed */
};

/* Bits a backend may claim, one per selector bit: what vhost_vsock
 * reports (VERSION_1 32, EVENT_IDX 29, INDIRECT_DESC 28, SEQPACKET 1,
 * ACCESS_PLATFORM 33, vhost's own NOTIFY_ON_EMPTY 24) plus two it never
 * does (RING_PACKED 34, NOTIFICATION_DATA 38). The device must offer only
 * VERSION_1 and what it can pass on: never bits 33, 24, 34, 38. */
static inline uint64_t mmio_backend_features(uint8_t sel)
{
	static const unsigned bits[8] = { 32, 29, 28, 1, 33, 24, 34, 38 };
	uint64_t f = 0;

	for (int i = 0; i < 8; i++)
		if (sel & (1u << i))
			f |= 1ULL << bits[i];
	return f;
}

static inline uint8_t mmio_op(enum mmio_op_kind kind, unsigned width)
{
	unsigned log2 = width == 8 ? 3 : width == 4 ? 2 : width == 2 ? 1 : 0;

	return (uint8_t)(kind | log2 << 2);
}

/* ---- fuzz_vsock_config: an 8-byte CID, then 3-byte records --------------
 *   0  u8    bit 7: write (else read); bits 0-2: width - 1 (1..8 bytes)
 *   1  le16  offset into config space: v % (0x1000 - 0x100), i.e. every
 *            offset of the device window above the control registers */
#define CONFIG_HEADER_SIZE 8
#define CONFIG_RECORD_SIZE 3
#define CONFIG_OP_WRITE 0x80
#define CONFIG_WINDOW (VIRTIO_MMIO_SIZE - 0x100)

/* ---- fuzz_vhost_user: a 2-byte prefix, then the backend's reply ---------
 *   0  u8    the request sent: vu_sent[v % VU_NSENT]
 *   1  u8    file descriptors that came with the reply: v % VU_NFDS_MOD
 *            (only 0 is acceptable)
 * The rest, of any length, is the reply as the frontend received it: the
 * header (request, flags, size; le32 each), then the payload. */
#define VU_PREFIX_SIZE 2
#define VU_NFDS_MOD 4

/* The requests a frontend sends, built by fuzz_vhost_user.c's sent_msg():
 * `a` and `b` are the ring and num (GET_VRING_BASE, SET_VRING_ENABLE), the
 * offset and size (GET_CONFIG), the number of regions (SET_MEM_TABLE), the
 * ring and whether an fd comes with it (SET_VRING_KICK/CALL), the ring
 * (SET_VRING_ADDR), the value a | b << 32 (SET_*FEATURES). */
struct vu_sent {
	uint32_t request;
	bool need_reply;
	uint32_t a, b;
};

static const struct vu_sent vu_sent[] = {
	{ VHOST_USER_GET_FEATURES, false, 0, 0 },
	{ VHOST_USER_GET_PROTOCOL_FEATURES, false, 0, 0 },
	{ VHOST_USER_GET_QUEUE_NUM, false, 0, 0 },
	{ VHOST_USER_GET_VRING_BASE, false, 0, 0 },
	/* A request with an answer of its own gets only that, NEED_REPLY or not. */
	{ VHOST_USER_GET_VRING_BASE, true, 1, 0 },
	{ VHOST_USER_GET_CONFIG, false, 0, 8 },   /* virtio-blk's capacity */
	{ VHOST_USER_GET_CONFIG, false, 0, VHOST_USER_MAX_CONFIG },
	{ VHOST_USER_GET_CONFIG, false, 36, 4 },  /* virtio-fs's num_request_queues */
	{ VHOST_USER_SET_FEATURES, true, 1u << 30 | 1u << 29, 1 },
	{ VHOST_USER_SET_PROTOCOL_FEATURES, true, 0x209, 0 },
	{ VHOST_USER_SET_MEM_TABLE, true, 2, 0 },
	{ VHOST_USER_SET_VRING_ADDR, true, 1, 0 },
	{ VHOST_USER_SET_VRING_KICK, true, 1, 1 },
	{ VHOST_USER_SET_VRING_CALL, false, 0, 0 },
	{ VHOST_USER_SET_VRING_ENABLE, false, 0, 1 },
	{ VHOST_USER_SET_OWNER, false, 0, 0 },
};
#define VU_NSENT (sizeof(vu_sent) / sizeof(vu_sent[0]))

#endif
