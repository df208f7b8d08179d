/* The vsock device model over the virtio-mmio transport, with a recording
 * fake in place of vhost: feature negotiation, what the backend is given at
 * DRIVER_OK, reset, and kicks. */
#include <criterion/criterion.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <string.h>

#include "lib/error.h"
#include "lib/platform.h"
#include "tests/unit/mmio_driver.h"
#include "virtio/vsock.h"

#define F(bit) (1ULL << (bit))

static struct recording_backend rb;
static struct vsock_device dev;
static struct guest_memory ram;
static int irqs;

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
	irqs = 0;
	struct mmio_fixture f = mmio_fixture(&rb, backend_features, &ram, raise_irq);
	vsock_device_init(&dev, 3, &f.backend, &f.platform);
}

static void setup(void)
{
	setup_with(VHOST_FEATURES);
}

static void teardown(void)
{
	vsock_device_destroy(&dev);
}

TestSuite(vsock, .init = setup, .fini = teardown);

Test(vsock, identity_and_config)
{
	cr_assert_eq(mmio_r32(&dev.transport, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	cr_assert_eq(mmio_r32(&dev.transport, VIRTIO_MMIO_VERSION), 2);
	cr_assert_eq(mmio_r32(&dev.transport, VIRTIO_MMIO_DEVICE_ID), 19);
	mmio_w32(&dev.transport, VIRTIO_MMIO_QUEUE_SEL, 2);
	cr_assert_eq(mmio_r32(&dev.transport, VIRTIO_MMIO_QUEUE_NUM_MAX), VSOCK_QUEUE_SIZE_MAX);
	mmio_w32(&dev.transport, VIRTIO_MMIO_QUEUE_SEL, 3);
	cr_assert_eq(mmio_r32(&dev.transport, VIRTIO_MMIO_QUEUE_NUM_MAX), 0,
		     "vsock has exactly 3 queues");
	/* le64 guest_cid at 0x100 */
	cr_assert_eq(mmio_r32(&dev.transport, 0x100), 3);
	cr_assert_eq(mmio_r32(&dev.transport, 0x104), 0);
}

Test(vsock, offers_only_what_vhost_and_the_guest_can_use)
{
	uint64_t f = mmio_device_features(&dev.transport);
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
	uint64_t f = mmio_device_features(&dev.transport);
	cr_assert_eq(f, F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX));
}

Test(vsock, driver_ok_starts_backend_with_rings_and_acked_features)
{
	uint64_t acked = F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX);
	mmio_bring_up(&dev.transport, acked, 3, 128);
	cr_assert_eq(rb.starts, 1);
	cr_assert_eq(rb.last.features, acked);
	cr_assert_eq(rb.last.queues[0].num, 128);
	cr_assert_eq(rb.last.queues[0].desc, 0x100000);
	cr_assert_eq(rb.last.queues[0].avail, 0x101000);
	cr_assert_eq(rb.last.queues[0].used, 0x102000);
	cr_assert_eq(rb.last.queues[1].desc, 0x110000);
	cr_assert(mmio_r32(&dev.transport, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_DRIVER_OK);
	/* vhost raises the interrupts: InterruptStatus must say VRING. */
	cr_assert_eq(mmio_r32(&dev.transport, VIRTIO_MMIO_INTERRUPT_STATUS) & 1, 1);
}

Test(vsock, unoffered_feature_never_reaches_backend)
{
	mmio_bring_up(&dev.transport, F(VIRTIO_F_VERSION_1) | F(VIRTIO_F_ACCESS_PLATFORM), 3, 128);
	cr_assert_eq(rb.starts, 0);
	cr_assert_not(mmio_r32(&dev.transport, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
	cr_assert_not(mmio_r32(&dev.transport, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_DRIVER_OK);
}

Test(vsock, backend_failure_sets_needs_reset)
{
	rb.fail_start = 1;
	mmio_bring_up(&dev.transport, F(VIRTIO_F_VERSION_1), 3, 128);
	cr_assert(mmio_r32(&dev.transport, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	cr_assert_geq(irqs, 1);
	cr_assert_eq(mmio_r32(&dev.transport, VIRTIO_MMIO_INTERRUPT_STATUS) & 2, 2);
}

Test(vsock, reset_stops_backend_and_driver_ok_restarts_it_20_times)
{
	for (int i = 0; i < 20; i++) {
		mmio_bring_up(&dev.transport, F(VIRTIO_F_VERSION_1), 3, 128);
		cr_assert_eq(rb.starts, i + 1);
		mmio_w32(&dev.transport, VIRTIO_MMIO_STATUS, 0);
		cr_assert_eq(rb.stops, i + 1);
		cr_assert_eq(mmio_r32(&dev.transport, VIRTIO_MMIO_STATUS), 0);
		mmio_w32(&dev.transport, VIRTIO_MMIO_QUEUE_SEL, 0);
		cr_assert_eq(mmio_r32(&dev.transport, VIRTIO_MMIO_QUEUE_READY), 0);
		cr_assert_eq(mmio_r32(&dev.transport, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	}
}

Test(vsock, kicks_reaching_userspace_are_forwarded_and_counted)
{
	mmio_bring_up(&dev.transport, F(VIRTIO_F_VERSION_1), 3, 128);
	mmio_w32(&dev.transport, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	mmio_w32(&dev.transport, VIRTIO_MMIO_QUEUE_NOTIFY, 2);
	mmio_w32(&dev.transport, VIRTIO_MMIO_QUEUE_NOTIFY, 7); /* no such queue */
	cr_assert_eq(rb.kicks[1], 1);
	cr_assert_eq(rb.kicks[2], 0, "the event queue stays with minivmm");
	cr_assert_eq(dev.queues.notifies[1], 1);
	cr_assert_eq(dev.queues.notifies[2], 1);
}

/* A backend that does not hold the queues (it refused to start, or the
 * driver reset the device) never gets a kick: it has no rings to look at. */
Test(vsock, kicks_never_reach_a_backend_without_the_queues)
{
	rb.fail_start = 1;
	mmio_bring_up(&dev.transport, F(VIRTIO_F_VERSION_1), 3, 128);
	mmio_w32(&dev.transport, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	cr_assert_eq(rb.kicks[1], 0, "a kick reached a backend that refused to start");

	rb.fail_start = 0;
	mmio_w32(&dev.transport, VIRTIO_MMIO_STATUS, 0);
	mmio_bring_up(&dev.transport, F(VIRTIO_F_VERSION_1), 3, 128);
	mmio_w32(&dev.transport, VIRTIO_MMIO_STATUS, 0);
	mmio_w32(&dev.transport, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	cr_assert_eq(rb.starts, 1);
	cr_assert_eq(rb.kicks[1], 0, "a kick reached a backend after the driver's reset");
}

Test(vsock, destroy_stops_a_running_backend)
{
	mmio_bring_up(&dev.transport, F(VIRTIO_F_VERSION_1), 3, 128);
	vsock_device_destroy(&dev);
	cr_assert_eq(rb.stops, 1);
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
