/* The vsock device model over the virtio-mmio transport, with a recording
 * fake in place of vhost: feature negotiation, what the backend is given at
 * DRIVER_OK, reset, and kicks. */
#include <criterion/criterion.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <string.h>

#include "lib/error.h"
#include "lib/platform.h"
#include "virtio/vsock.h"

#define F(bit) (1ULL << (bit))

struct fake_backend {
	int starts, stops, kicks[3];
	int fail_start;
	struct virtio_backend_config last;
};

static struct fake_backend fb;
static struct vsock_device dev;
static struct guest_memory ram;
static int irqs;

static int fb_start(void *ctx, const struct virtio_backend_config *cfg)
{
	struct fake_backend *b = ctx;
	if (b->fail_start)
		return error_set("fake backend refuses");
	b->starts++;
	b->last = *cfg;
	return 0;
}

static void fb_stop(void *ctx)
{
	((struct fake_backend *)ctx)->stops++;
}

static void fb_kick(void *ctx, uint32_t q)
{
	((struct fake_backend *)ctx)->kicks[q]++;
}

static const struct virtio_backend_ops fb_ops = { .start = fb_start, .stop = fb_stop, .kick = fb_kick };

static void raise_irq(void *ctx)
{
	(void)ctx;
	irqs++;
}

/* What vhost_vsock reported on the nested test host (0x33d000002): SEQPACKET,
 * NOTIFY_ON_EMPTY, LOG_ALL, ANY_LAYOUT, INDIRECT_DESC, EVENT_IDX, VERSION_1,
 * ACCESS_PLATFORM. */
#define VHOST_FEATURES 0x33d000002ULL

static void setup_with(uint64_t backend_features)
{
	memset(&fb, 0, sizeof(fb));
	irqs = 0;
	guest_memory_layout(&ram, 256 * MiB);
	struct virtio_backend b = { .ops = &fb_ops, .ctx = &fb, .features = backend_features };
	struct virtio_mmio_platform p = { .mem = &ram, .raise_irq = raise_irq, .ctx = NULL };
	vsock_device_init(&dev, 3, &b, &p);
}

static void setup(void)
{
	setup_with(VHOST_FEATURES);
}

static void teardown(void)
{
	vsock_device_destroy(&dev);
}

static void w32(uint64_t off, uint32_t v)
{
	uint8_t b[4] = { v, v >> 8, v >> 16, v >> 24 };
	virtio_mmio_io(&dev.transport, off, b, 4, true);
}

static uint32_t r32(uint64_t off)
{
	uint8_t b[4];
	virtio_mmio_io(&dev.transport, off, b, 4, false);
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t device_features(void)
{
	w32(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint64_t lo = r32(VIRTIO_MMIO_DEVICE_FEATURES);
	w32(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	return lo | (uint64_t)r32(VIRTIO_MMIO_DEVICE_FEATURES) << 32;
}

static void add_status(uint32_t bit)
{
	w32(VIRTIO_MMIO_STATUS, r32(VIRTIO_MMIO_STATUS) | bit);
}

static void setup_queue(uint32_t q, uint16_t num, uint64_t base)
{
	w32(VIRTIO_MMIO_QUEUE_SEL, q);
	w32(VIRTIO_MMIO_QUEUE_NUM, num);
	w32(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)base);
	w32(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	w32(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)(base + 0x1000));
	w32(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	w32(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)(base + 0x2000));
	w32(VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
	w32(VIRTIO_MMIO_QUEUE_READY, 1);
}

/* Linux's probe order: ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queues,
 * DRIVER_OK. */
static void handshake(uint64_t driver_features)
{
	w32(VIRTIO_MMIO_STATUS, 0);
	add_status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
	add_status(VIRTIO_CONFIG_S_DRIVER);
	w32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	w32(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(driver_features >> 32));
	w32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	w32(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)driver_features);
	add_status(VIRTIO_CONFIG_S_FEATURES_OK);
	setup_queue(0, 128, 0x100000);
	setup_queue(1, 128, 0x200000);
	setup_queue(2, 128, 0x300000);
	add_status(VIRTIO_CONFIG_S_DRIVER_OK);
}

TestSuite(vsock, .init = setup, .fini = teardown);

Test(vsock, identity_and_config)
{
	cr_assert_eq(r32(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	cr_assert_eq(r32(VIRTIO_MMIO_VERSION), 2);
	cr_assert_eq(r32(VIRTIO_MMIO_DEVICE_ID), 19);
	w32(VIRTIO_MMIO_QUEUE_SEL, 2);
	cr_assert_eq(r32(VIRTIO_MMIO_QUEUE_NUM_MAX), VSOCK_QUEUE_SIZE_MAX);
	w32(VIRTIO_MMIO_QUEUE_SEL, 3);
	cr_assert_eq(r32(VIRTIO_MMIO_QUEUE_NUM_MAX), 0, "vsock has exactly 3 queues");
	/* le64 guest_cid at 0x100 */
	cr_assert_eq(r32(0x100), 3);
	cr_assert_eq(r32(0x104), 0);
}

Test(vsock, offers_only_what_vhost_and_the_guest_can_use)
{
	uint64_t f = device_features();
	cr_assert(f & F(VIRTIO_F_VERSION_1));
	cr_assert(f & F(VIRTIO_RING_F_EVENT_IDX));
	cr_assert(f & F(VIRTIO_RING_F_INDIRECT_DESC));
	cr_assert(f & F(VIRTIO_VSOCK_F_SEQPACKET));
	cr_assert_not(f & F(VIRTIO_F_ACCESS_PLATFORM), "vhost would expect an IOTLB");
	cr_assert_not(f & F(VIRTIO_F_RING_PACKED));
	cr_assert_not(f & F(VIRTIO_F_NOTIFICATION_DATA));
	cr_assert_not(f & (1ULL << 24), "NOTIFY_ON_EMPTY is a vhost-internal bit");
	cr_assert_not(f & (1ULL << 26), "LOG_ALL is a vhost-internal bit");
}

Test(vsock, backend_without_seqpacket)
{
	vsock_device_destroy(&dev);
	setup_with(F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX));
	uint64_t f = device_features();
	cr_assert_eq(f, F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX));
}

Test(vsock, driver_ok_starts_backend_with_rings_and_acked_features)
{
	uint64_t acked = F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX);
	handshake(acked);
	cr_assert_eq(fb.starts, 1);
	cr_assert_eq(fb.last.features, acked);
	cr_assert_eq(fb.last.queues[0].num, 128);
	cr_assert_eq(fb.last.queues[0].desc, 0x100000);
	cr_assert_eq(fb.last.queues[0].avail, 0x101000);
	cr_assert_eq(fb.last.queues[0].used, 0x102000);
	cr_assert_eq(fb.last.queues[1].desc, 0x200000);
	cr_assert(r32(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_DRIVER_OK);
	/* vhost raises the interrupts: InterruptStatus must say VRING. */
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS) & 1, 1);
}

Test(vsock, unoffered_feature_never_reaches_backend)
{
	handshake(F(VIRTIO_F_VERSION_1) | F(VIRTIO_F_ACCESS_PLATFORM));
	cr_assert_eq(fb.starts, 0);
	cr_assert_not(r32(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
	cr_assert_not(r32(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_DRIVER_OK);
}

Test(vsock, backend_failure_sets_needs_reset)
{
	fb.fail_start = 1;
	handshake(F(VIRTIO_F_VERSION_1));
	cr_assert(r32(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	cr_assert_geq(irqs, 1);
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS) & 2, 2);
}

Test(vsock, reset_stops_backend_and_driver_ok_restarts_it_20_times)
{
	for (int i = 0; i < 20; i++) {
		handshake(F(VIRTIO_F_VERSION_1));
		cr_assert_eq(fb.starts, i + 1);
		w32(VIRTIO_MMIO_STATUS, 0);
		cr_assert_eq(fb.stops, i + 1);
		cr_assert_eq(r32(VIRTIO_MMIO_STATUS), 0);
		w32(VIRTIO_MMIO_QUEUE_SEL, 0);
		cr_assert_eq(r32(VIRTIO_MMIO_QUEUE_READY), 0);
		cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	}
}

Test(vsock, kicks_reaching_userspace_are_forwarded_and_counted)
{
	handshake(F(VIRTIO_F_VERSION_1));
	w32(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	w32(VIRTIO_MMIO_QUEUE_NOTIFY, 2);
	w32(VIRTIO_MMIO_QUEUE_NOTIFY, 7); /* no such queue */
	cr_assert_eq(fb.kicks[1], 1);
	cr_assert_eq(fb.kicks[2], 0, "the event queue stays with minivmm");
	cr_assert_eq(dev.queues.notifies[1], 1);
	cr_assert_eq(dev.queues.notifies[2], 1);
}

Test(vsock, destroy_stops_a_running_backend)
{
	handshake(F(VIRTIO_F_VERSION_1));
	vsock_device_destroy(&dev);
	cr_assert_eq(fb.stops, 1);
	/* teardown destroys again: must be harmless */
	setup();
}

/* The test backend's own check, used by the hostile-guest tests. */
#include "virtio/backend.h"

Test(virtio_backend, config_problem_detects_bad_rings_and_features)
{
	struct guest_memory m = { 0 };
	guest_memory_layout(&m, 3584 * MiB);
	uint64_t feats = F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX);
	struct virtio_backend_config ok = {
		.features = F(VIRTIO_F_VERSION_1),
		.nqueues = 2,
		.queues[0] = { .num = 128, .desc = 0x100000, .avail = 0x101000, .used = 0x102000 },
		.queues[1] = { .num = 128, .desc = 0x200000, .avail = 0x201000, .used = 0x202000 },
	};
	cr_assert_null(virtio_backend_config_problem(&ok, &m, feats, 256));
	struct virtio_backend_config c = ok;
	c.features |= F(VIRTIO_F_ACCESS_PLATFORM);
	cr_assert_not_null(virtio_backend_config_problem(&c, &m, feats, 256));
	c = ok;
	c.features = 0;
	cr_assert_not_null(virtio_backend_config_problem(&c, &m, feats, 256));
	c = ok;
	c.queues[1].num = 96;
	cr_assert_not_null(virtio_backend_config_problem(&c, &m, feats, 256));
	c = ok;
	c.queues[0].num = 512;
	cr_assert_not_null(virtio_backend_config_problem(&c, &m, feats, 256));
	c = ok;
	c.queues[0].desc = MMIO_HOLE_START - 0x400; /* straddles the hole */
	cr_assert_not_null(virtio_backend_config_problem(&c, &m, feats, 256));
	c = ok;
	c.queues[1].used = UINT64_MAX - 7;
	cr_assert_not_null(virtio_backend_config_problem(&c, &m, feats, 256));
	c = ok;
	c.queues[0].desc = 0x100008; /* not 16-byte aligned */
	cr_assert_not_null(virtio_backend_config_problem(&c, &m, feats, 256));
	c = ok;
	c.queues[0].desc = MMIO_HOLE_END + 0x1000; /* RAM above 4 GiB is fine */
	cr_assert_null(virtio_backend_config_problem(&c, &m, feats, 256));
}
