/* libFuzzer target: the vsock device's config space (virtio 1.2 section
 * 5.10.4, struct virtio_vsock_config { le64 guest_cid; }) as the driver
 * sees it through the virtio-mmio transport. The input is a guest CID (any
 * 64-bit value) and a sequence of reads and writes of any width from 1 to
 * 8 bytes at any offset of the window above the control registers
 * (fuzz_input.h). The rules checked, from virtio/mmio.h:
 *   - an access of 1, 2 or 4 bytes, naturally aligned and inside the
 *     8-byte space, reads the CID's little-endian bytes at that offset;
 *   - every other access reads all zeros;
 *   - a read writes exactly `width` bytes, no more;
 *   - the space is read-only: no write changes what is read afterwards;
 *   - virtio_mmio_read_reg, the side-effect-free accessor, agrees. */
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "fuzz_input.h"
#include "virtio/vsock.h"

#define GUARD 0xcc

static struct vsock_device dev;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int no_start(void *ctx, const struct virtio_backend_config *cfg)
{
	(void)ctx;
	(void)cfg;
	FUZZ_CHECK(0, "config accesses alone started the backend");
	return -1;
}

static void no_stop(void *ctx)
{
	(void)ctx;
}

static void no_kick(void *ctx, uint32_t queue)
{
	(void)ctx;
	FUZZ_CHECK(0, "config accesses alone kicked queue %u", queue);
}

static const struct virtio_backend_ops ops = { .start = no_start, .stop = no_stop, .kick = no_kick };

static uint8_t cid_byte(uint64_t cid, uint32_t i)
{
	return i < 8 ? (uint8_t)(cid >> 8 * i) : 0;
}

static void check_read(uint64_t cid, uint32_t off, uint32_t width)
{
	bool ok = (width == 1 || width == 2 || width == 4) && off % width == 0 && off + width <= 8;
	uint8_t buf[16];

	memset(buf, GUARD, sizeof(buf));
	virtio_mmio_io(&dev.transport, VIRTIO_MMIO_CONFIG_OFFSET + off, buf, width, false);
	for (uint32_t i = 0; i < width; i++)
		FUZZ_CHECK(buf[i] == (ok ? cid_byte(cid, off + i) : 0),
			   "%u-byte read at config offset %u: byte %u is 0x%02x (CID 0x%llx)", width,
			   off, i, buf[i], (unsigned long long)cid);
	for (uint32_t i = width; i < sizeof(buf); i++)
		FUZZ_CHECK(buf[i] == GUARD, "%u-byte read at config offset %u wrote byte %u", width,
			   off, i);
}

/* The accessor reads 4 bytes; only offsets 0 and 4 hold a valid word. */
static void check_read_reg(uint64_t cid, uint32_t off)
{
	uint32_t got = virtio_mmio_read_reg(&dev.transport, VIRTIO_MMIO_CONFIG_OFFSET + off);
	uint32_t want = 0;

	if (off % 4 == 0 && off + 4 <= 8)
		want = (uint32_t)(cid >> 8 * off);
	FUZZ_CHECK(got == want, "read_reg at config offset %u: 0x%x, expected 0x%x", off, got,
		   want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t hdr[CONFIG_HEADER_SIZE], rec[CONFIG_RECORD_SIZE];
	struct virtio_backend backend = { .ops = &ops, .features = 1ULL << VIRTIO_F_VERSION_1 };
	uint64_t cid;

	fuzz_take(&data, &size, hdr, sizeof(hdr));
	cid = fuzz_get_le(hdr, 8);
	/* No guest RAM and no interrupt line: config space needs neither. */
	vsock_device_init(&dev, cid, &backend, NULL);

	while (size > 0) {
		fuzz_take(&data, &size, rec, sizeof(rec));
		uint32_t width = (rec[0] & 7) + 1;
		uint32_t off = (uint32_t)(fuzz_get_le(rec + 1, 2) % CONFIG_WINDOW);

		if (rec[0] & CONFIG_OP_WRITE) {
			uint8_t buf[8];

			for (uint32_t i = 0; i < sizeof(buf); i++)
				buf[i] = (uint8_t)(rec[1] + 0x5b * i + 1);
			virtio_mmio_io(&dev.transport, VIRTIO_MMIO_CONFIG_OFFSET + off, buf, width,
				       true);
			/* Read-only: the whole space still holds the CID. */
			for (uint32_t c = 0; c < 8; c++)
				check_read(cid, c, 1);
		} else {
			check_read(cid, off, width);
		}
		check_read_reg(cid, off);
	}
	FUZZ_CHECK(dev.guest_cid == cid, "guest_cid changed");
	vsock_device_destroy(&dev);
	return 0;
}
