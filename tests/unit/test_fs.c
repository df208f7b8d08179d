/* The virtio-fs device model (virtio/fs.c) over the virtio-mmio
 * transport, with a recording backend in place of vhost-user: the
 * features offered for what the backend supports, the config space (tag,
 * num_request_queues), the identity and queues the guest sees, and the
 * hand-over of both queues at DRIVER_OK. */
#include <criterion/criterion.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>
#include <string.h>

#include "lib/guest_memory.h"
#include "lib/platform.h"
#include "tests/unit/mmio_driver.h"
#include "virtio/fs.h"

#define F(bit) (1ULL << (bit))
#define CONFIG VIRTIO_MMIO_CONFIG_OFFSET

/* 36 bytes: the longest tag, with no NUL after it in config space. */
#define TAG36 "abcdefghijklmnopqrstuvwxyz0123456789"

static struct recording_backend rb;
static struct fs_device dev;
static struct guest_memory ram;

/* What virtiofsd offers (Debian's 1:7.2 and the Rust one alike): the ring
 * features, VERSION_1, and vhost-user's PROTOCOL_FEATURES (bit 30), which
 * is the carrier's and never the guest's. */
#define VIRTIOFSD_FEATURES                                                                 \
	(F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX) | F(VIRTIO_RING_F_INDIRECT_DESC) | \
	 F(VIRTIO_F_NOTIFY_ON_EMPTY) | F(30))

static void setup_with(const char *tag, uint64_t backend_features)
{
	struct mmio_fixture f = mmio_fixture(&rb, backend_features, &ram, NULL);
	fs_device_init(&dev, 0, tag, &f.backend, &f.platform);
}

static void setup(void)
{
	setup_with("myfs", VIRTIOFSD_FEATURES);
}

static void teardown(void)
{
	fs_device_destroy(&dev);
}

TestSuite(fs, .init = setup, .fini = teardown);

Test(fs, offers_version_1_and_only_the_ring_features)
{
	cr_assert_eq(fs_offered_features(0), F(VIRTIO_F_VERSION_1),
		     "VERSION_1 even when the backend names none");
	cr_assert_eq(fs_offered_features(VIRTIOFSD_FEATURES),
		     F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX) |
			     F(VIRTIO_RING_F_INDIRECT_DESC));
	cr_assert_eq(fs_offered_features(~0ULL),
		     F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX) |
			     F(VIRTIO_RING_F_INDIRECT_DESC));
	/* Each bit minivmm cannot honour stays back, one at a time. */
	const unsigned never[] = {
		0,  /* VIRTIO_FS_F_NOTIFICATION: a notification queue there is not */
		VIRTIO_F_NOTIFY_ON_EMPTY, VIRTIO_F_ANY_LAYOUT,
		30, /* VHOST_USER_F_PROTOCOL_FEATURES */
		VIRTIO_F_ACCESS_PLATFORM, VIRTIO_F_RING_PACKED, VIRTIO_F_IN_ORDER,
		VIRTIO_F_ORDER_PLATFORM, VIRTIO_F_SR_IOV, 38 /* NOTIFICATION_DATA */,
		VIRTIO_F_RING_RESET, 63,
	};
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		cr_assert_eq(fs_offered_features(F(never[i])), F(VIRTIO_F_VERSION_1), "bit %u",
			     never[i]);
	cr_assert_eq(fs_offered_features(F(VIRTIO_RING_F_EVENT_IDX)),
		     F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX));
	cr_assert_eq(fs_offered_features(F(VIRTIO_RING_F_INDIRECT_DESC)),
		     F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_INDIRECT_DESC));
}

/* struct virtio_fs_config { u8 tag[36]; le32 num_request_queues; } */
Test(fs, config_bytes_for_a_short_tag)
{
	uint8_t c[FS_TAG_MAX + 4];
	memset(c, 0xee, sizeof(c));
	fs_config("docs", c);
	cr_assert_eq(memcmp(c, "docs", 4), 0);
	for (size_t i = 4; i < FS_TAG_MAX; i++)
		cr_assert_eq(c[i], 0, "tag[%zu] is padding", i);
	const uint8_t one_le32[4] = { 1, 0, 0, 0 };
	cr_assert_arr_eq(c + FS_TAG_MAX, one_le32, 4, "num_request_queues = 1, little-endian");
}

Test(fs, config_bytes_for_a_36_byte_tag)
{
	uint8_t c[FS_TAG_MAX + 4];
	cr_assert_eq(sizeof(TAG36) - 1, FS_TAG_MAX);
	memset(c, 0xee, sizeof(c));
	fs_config(TAG36, c);
	cr_assert_arr_eq(c, TAG36, FS_TAG_MAX, "all 36 bytes, no NUL");
	const uint8_t one_le32[4] = { 1, 0, 0, 0 };
	cr_assert_arr_eq(c + FS_TAG_MAX, one_le32, 4, "num_request_queues right after the tag");
}

/* What Linux's virtio_fs probe reads (fs/fuse/virtio_fs.c): the device ID,
 * then the tag a byte at a time and num_request_queues. */
Test(fs, the_guest_sees_device_26_two_queues_and_its_tag)
{
	cr_assert_eq(mmio_r32(&dev.transport, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	cr_assert_eq(mmio_r32(&dev.transport, VIRTIO_MMIO_DEVICE_ID), 26);
	cr_assert_eq(mmio_r32(&dev.transport, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_FS);
	cr_assert_eq(mmio_queue_num_max(&dev.transport, 0), FS_QUEUE_SIZE_MAX, "hiprio queue");
	cr_assert_eq(mmio_queue_num_max(&dev.transport, 1), FS_QUEUE_SIZE_MAX, "request queue");
	cr_assert_eq(mmio_queue_num_max(&dev.transport, 2), 0, "no third queue");
	cr_assert_eq(mmio_queue_num_max(&dev.transport, 3), 0);
	const char *tag = "myfs";
	for (int i = 0; i < FS_TAG_MAX; i++)
		cr_assert_eq(mmio_r8(&dev.transport, CONFIG + i), i < 4 ? tag[i] : 0, "tag[%d]", i);
	cr_assert_eq(mmio_r32(&dev.transport, CONFIG + FS_TAG_MAX), 1, "num_request_queues");
	cr_assert_eq(mmio_device_features(&dev.transport),
		     F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX) |
			     F(VIRTIO_RING_F_INDIRECT_DESC));
}

Test(fs, a_36_byte_tag_through_the_registers)
{
	fs_device_destroy(&dev);
	setup_with(TAG36, F(VIRTIO_F_VERSION_1));
	for (int i = 0; i < FS_TAG_MAX; i++)
		cr_assert_eq(mmio_r8(&dev.transport, CONFIG + i), (uint8_t)TAG36[i], "tag[%d]", i);
	cr_assert_eq(mmio_r32(&dev.transport, CONFIG + FS_TAG_MAX), 1);
	cr_assert_eq(mmio_device_features(&dev.transport), F(VIRTIO_F_VERSION_1));
}

Test(fs, driver_ok_hands_both_queues_to_the_backend)
{
	uint64_t acked = F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX);
	mmio_bring_up(&dev.transport, acked, FS_NUM_QUEUES, 128);
	cr_assert(mmio_r32(&dev.transport, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_DRIVER_OK);
	cr_assert_eq(rb.starts, 1);
	cr_assert_eq(rb.last.nqueues, 2);
	cr_assert_eq(rb.last.features, acked);
	cr_assert_eq(rb.last.queues[0].num, 128);
	cr_assert_eq(rb.last.queues[1].desc, 0x110000);
	/* A kick that reached minivmm is passed on; an unknown queue is not. */
	mmio_w32(&dev.transport, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	mmio_w32(&dev.transport, VIRTIO_MMIO_QUEUE_NOTIFY, 2);
	cr_assert_eq(rb.kicks[1], 1);
	cr_assert_eq(rb.kicks[2], 0);
	cr_assert_eq(dev.queues.notifies[1], 1);
	/* The guest's reset takes the queues back. */
	mmio_w32(&dev.transport, VIRTIO_MMIO_STATUS, 0);
	cr_assert_eq(rb.stops, 1);
}

/* Without the request queue there is nothing to hand over: the backend
 * is not started half-way, and the device asks for a reset. */
Test(fs, driver_ok_without_the_request_queue_starts_nothing)
{
	mmio_bring_up(&dev.transport, F(VIRTIO_F_VERSION_1), 1, 128);
	cr_assert_eq(rb.starts, 0);
	cr_assert(mmio_r32(&dev.transport, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
}
