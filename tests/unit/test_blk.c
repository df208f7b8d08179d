/* The virtio-blk device model (virtio/blk.c) over the virtio-mmio
 * transport, with a recording backend in place of vhost-user: the
 * features offered for what the backend supports, capacity from config
 * space, the backend's config bytes as the guest reads them, and the
 * identity and queue the guest sees. */
#include <criterion/criterion.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>
#include <stddef.h>
#include <string.h>

#include "lib/guest_memory.h"
#include "lib/platform.h"
#include "tests/unit/mmio_driver.h"
#include "virtio/blk.h"

#define F(bit) (1ULL << (bit))
#define CONFIG VIRTIO_MMIO_CONFIG_OFFSET

static struct recording_backend rb;
static struct blk_device dev;
static struct guest_memory ram;
static uint8_t config[BLK_CONFIG_SIZE];

/* The blk features that only point the driver at a config field or a
 * request type the backend takes. */
#define PASSED_BLK                                                                         \
	(F(VIRTIO_BLK_F_SIZE_MAX) | F(VIRTIO_BLK_F_SEG_MAX) | F(VIRTIO_BLK_F_GEOMETRY) |   \
	 F(VIRTIO_BLK_F_RO) | F(VIRTIO_BLK_F_BLK_SIZE) | F(VIRTIO_BLK_F_FLUSH) |           \
	 F(VIRTIO_BLK_F_TOPOLOGY) | F(VIRTIO_BLK_F_DISCARD) | F(VIRTIO_BLK_F_WRITE_ZEROES))
#define PASSED_RING (F(VIRTIO_RING_F_EVENT_IDX) | F(VIRTIO_RING_F_INDIRECT_DESC))

/* What qemu-storage-daemon's vhost-user-blk export offers (QEMU 7.2
 * block/export/vhost-user-blk-server.c): MQ and CONFIG_WCE among them. */
#define QSD_FEATURES                                                                       \
	(F(VIRTIO_F_VERSION_1) | PASSED_RING | PASSED_BLK | F(VIRTIO_BLK_F_MQ) |           \
	 F(VIRTIO_BLK_F_CONFIG_WCE) | F(30))

static void setup_with(uint64_t backend_features)
{
	struct mmio_fixture f = mmio_fixture(&rb, backend_features, &ram, NULL);
	blk_device_init(&dev, 0, config, &f.backend, &f.platform);
}

/* Config bytes that differ at every offset, capacity 2048 sectors. */
static void setup(void)
{
	for (size_t i = 0; i < sizeof(config); i++)
		config[i] = (uint8_t)(0x40 + 3 * i);
	memset(config, 0, 8);
	config[1] = 0x08; /* le64 capacity = 0x800 */
	setup_with(QSD_FEATURES);
}

static void teardown(void)
{
	blk_device_destroy(&dev);
}

TestSuite(blk, .init = setup, .fini = teardown);

Test(blk, offers_version_1_and_the_allowed_bits_only)
{
	cr_assert_eq(blk_offered_features(0), F(VIRTIO_F_VERSION_1));
	cr_assert_eq(blk_offered_features(QSD_FEATURES),
		     F(VIRTIO_F_VERSION_1) | PASSED_RING | PASSED_BLK);
	cr_assert_eq(blk_offered_features(~0ULL), F(VIRTIO_F_VERSION_1) | PASSED_RING | PASSED_BLK);
	/* Each allowed bit passes on its own. */
	for (unsigned bit = 0; bit < 64; bit++) {
		uint64_t want = F(VIRTIO_F_VERSION_1) | (F(bit) & (PASSED_RING | PASSED_BLK));
		cr_assert_eq(blk_offered_features(F(bit)), want, "bit %u", bit);
	}
	/* One queue, and a config space the guest cannot write. */
	cr_assert_not(blk_offered_features(~0ULL) & F(VIRTIO_BLK_F_MQ));
	cr_assert_not(blk_offered_features(~0ULL) & F(VIRTIO_BLK_F_CONFIG_WCE));
	cr_assert_not(blk_offered_features(~0ULL) & F(VIRTIO_BLK_F_SECURE_ERASE),
		      "its config fields are past BLK_CONFIG_SIZE");
	cr_assert_not(blk_offered_features(~0ULL) & F(VIRTIO_F_ACCESS_PLATFORM));
	cr_assert_eq(mmio_device_features(&dev.transport),
		     F(VIRTIO_F_VERSION_1) | PASSED_RING | PASSED_BLK);
}

static uint64_t capacity_of(uint64_t sectors)
{
	uint8_t c[BLK_CONFIG_SIZE] = { 0 };
	for (int i = 0; i < 8; i++)
		c[i] = (uint8_t)(sectors >> (8 * i));
	memset(c + 8, 0xff, sizeof(c) - 8); /* only the first 8 bytes count */
	return blk_capacity_bytes(c);
}

Test(blk, capacity_in_bytes_from_le64_sectors)
{
	cr_assert_eq(capacity_of(0), 0);
	cr_assert_eq(capacity_of(1), 512);
	cr_assert_eq(capacity_of(2048), 1 * MiB);
	cr_assert_eq(capacity_of(0x0001020304050607ULL), 0x0001020304050607ULL * 512,
		     "little-endian, all eight bytes");
	cr_assert_eq(blk_capacity_bytes(config), 1 * MiB);
	/* The largest that fits, then clamped rather than wrapped. */
	cr_assert_eq(capacity_of(UINT64_MAX / 512), (UINT64_MAX / 512) * 512);
	cr_assert_eq(capacity_of(UINT64_MAX / 512 + 1), UINT64_MAX);
	cr_assert_eq(capacity_of(1ULL << 63), UINT64_MAX);
	cr_assert_eq(capacity_of(UINT64_MAX), UINT64_MAX);
}

/* The config space is the backend's (GET_CONFIG before boot), byte for
 * byte, at every offset and width Linux reads it with; nothing past it. */
Test(blk, config_reads_return_the_backend_bytes)
{
	cr_assert_eq(BLK_CONFIG_SIZE, offsetof(struct virtio_blk_config, max_secure_erase_sectors));
	for (uint32_t i = 0; i < BLK_CONFIG_SIZE; i++)
		cr_assert_eq(mmio_r8(&dev.transport, CONFIG + i), config[i], "byte %u", i);
	for (uint32_t i = 0; i + 4 <= BLK_CONFIG_SIZE; i += 4) {
		uint32_t want = config[i] | config[i + 1] << 8 | config[i + 2] << 16 |
				(uint32_t)config[i + 3] << 24;
		cr_assert_eq(mmio_r32(&dev.transport, CONFIG + i), want, "le32 at %u", i);
	}
	cr_assert_eq(mmio_r32(&dev.transport, CONFIG), 0x800, "capacity, low half");
	cr_assert_eq(mmio_r8(&dev.transport, CONFIG + BLK_CONFIG_SIZE), 0);
	/* Read-only: a guest write changes nothing (no CONFIG_WCE). */
	uint8_t b = 0x99;
	virtio_mmio_io(&dev.transport, CONFIG + 32, &b, 1, true);
	cr_assert_eq(mmio_r8(&dev.transport, CONFIG + 32), config[32]);
	/* The device keeps its own copy. */
	uint8_t was = config[20];
	config[20] = (uint8_t)~was;
	cr_assert_eq(mmio_r8(&dev.transport, CONFIG + 20), was);
}

Test(blk, the_guest_sees_device_2_with_one_queue)
{
	cr_assert_eq(mmio_r32(&dev.transport, VIRTIO_MMIO_DEVICE_ID), 2);
	cr_assert_eq(mmio_r32(&dev.transport, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	cr_assert_eq(mmio_queue_num_max(&dev.transport, 0), BLK_QUEUE_SIZE_MAX);
	cr_assert_eq(mmio_queue_num_max(&dev.transport, 1), 0, "one queue: no MQ");
}

Test(blk, driver_ok_hands_the_queue_to_the_backend)
{
	uint64_t acked = F(VIRTIO_F_VERSION_1) | F(VIRTIO_BLK_F_FLUSH) | F(VIRTIO_BLK_F_BLK_SIZE);
	mmio_bring_up(&dev.transport, acked, BLK_NUM_QUEUES, 256);
	cr_assert(mmio_r32(&dev.transport, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_DRIVER_OK);
	cr_assert_eq(rb.starts, 1);
	cr_assert_eq(rb.last.nqueues, 1);
	cr_assert_eq(rb.last.features, acked);
	cr_assert_eq(rb.last.queues[0].num, 256);
	cr_assert_eq(rb.last.queues[0].desc, 0x100000);
	mmio_w32(&dev.transport, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	mmio_w32(&dev.transport, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	cr_assert_eq(rb.kicks[0], 1);
	cr_assert_eq(rb.kicks[1], 0);
	cr_assert_eq(dev.queues.notifies[0], 1);
	mmio_w32(&dev.transport, VIRTIO_MMIO_STATUS, 0);
	cr_assert_eq(rb.stops, 1);
}
