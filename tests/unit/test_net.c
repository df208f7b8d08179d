/* The virtio-net device model over the virtio-mmio transport, with a
 * recording fake in place of vhost_net: features offered for what vhost
 * and the tap support, the tap offloads derived from what the driver
 * acked, the MAC in config space, DRIVER_OK, reset and restart. */
#include <criterion/criterion.h>
#include <linux/if_tun.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <string.h>

#include "lib/error.h"
#include "lib/platform.h"
#include "tests/unit/mmio_driver.h"
#include "virtio/net.h"

#define F(bit) (1ULL << (bit))

static struct recording_backend rb;
static struct net_device dev;
static struct guest_memory ram;

/* What vhost_net reports on Debian 6.1 (drivers/vhost/net.c
 * VHOST_NET_FEATURES): VERSION_1, ACCESS_PLATFORM, RING_RESET (40),
 * MRG_RXBUF, EVENT_IDX, INDIRECT_DESC, NOTIFY_ON_EMPTY, ANY_LAYOUT/
 * VHOST_NET_F_VIRTIO_NET_HDR (27), LOG_ALL (26). */
#define VHOST_NET_FEATURES                                                                 \
	(F(VIRTIO_F_VERSION_1) | F(VIRTIO_F_ACCESS_PLATFORM) | F(40) |                     \
	 F(VIRTIO_NET_F_MRG_RXBUF) | F(VIRTIO_RING_F_EVENT_IDX) |                          \
	 F(VIRTIO_RING_F_INDIRECT_DESC) | F(24) | F(27) | F(26))
#define ALL_TAP (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)

static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

static void setup_with(uint64_t backend_features)
{
	struct mmio_fixture f = mmio_fixture(&rb, backend_features, &ram, NULL);
	net_device_init(&dev, 0, mac, &f.backend, &f.platform);
}

static void setup(void)
{
	setup_with(VHOST_NET_FEATURES | net_tap_features(ALL_TAP));
}

static void teardown(void)
{
	net_device_destroy(&dev);
}

TestSuite(net, .init = setup, .fini = teardown);

Test(net, identity_and_mac_in_config_space)
{
	cr_assert_eq(mmio_r32(&dev.transport, VIRTIO_MMIO_DEVICE_ID), 1);
	mmio_w32(&dev.transport, VIRTIO_MMIO_QUEUE_SEL, 1);
	cr_assert_eq(mmio_r32(&dev.transport, VIRTIO_MMIO_QUEUE_NUM_MAX), NET_QUEUE_SIZE_MAX);
	mmio_w32(&dev.transport, VIRTIO_MMIO_QUEUE_SEL, 2);
	cr_assert_eq(mmio_r32(&dev.transport, VIRTIO_MMIO_QUEUE_NUM_MAX), 0, "no control queue");
	/* Linux reads the MAC a byte at a time (virtio_cread_bytes). */
	for (int i = 0; i < 6; i++)
		cr_assert_eq(mmio_r8(&dev.transport, 0x100 + i), mac[i], "mac[%d]", i);
}

Test(net, offers_vhost_ring_features_mac_mrg_rxbuf_and_tap_offloads)
{
	uint64_t f = mmio_device_features(&dev.transport);
	uint64_t want = F(VIRTIO_F_VERSION_1) | F(VIRTIO_NET_F_MAC) | F(VIRTIO_NET_F_MRG_RXBUF) |
			F(VIRTIO_RING_F_EVENT_IDX) | F(VIRTIO_RING_F_INDIRECT_DESC) |
			F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_HOST_TSO4) |
			F(VIRTIO_NET_F_HOST_TSO6) | F(VIRTIO_NET_F_HOST_ECN) |
			F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_GUEST_TSO4) |
			F(VIRTIO_NET_F_GUEST_TSO6) | F(VIRTIO_NET_F_GUEST_ECN);
	cr_assert_eq(f, want, "offered %#llx", (unsigned long long)f);
	cr_assert_not(f & F(VIRTIO_F_ACCESS_PLATFORM), "vhost would expect an IOTLB");
	cr_assert_not(f & F(VIRTIO_NET_F_CTRL_VQ), "there is no control queue");
}

Test(net, tap_without_offloads_gets_no_guest_offloads)
{
	net_device_destroy(&dev);
	setup_with(F(VIRTIO_F_VERSION_1) | net_tap_features(0));
	uint64_t f = mmio_device_features(&dev.transport);
	cr_assert(f & F(VIRTIO_NET_F_HOST_TSO4), "the tap always takes GSO frames");
	cr_assert_not(f & F(VIRTIO_NET_F_GUEST_CSUM));
	cr_assert_not(f & F(VIRTIO_NET_F_GUEST_TSO4));
	cr_assert_not(f & F(VIRTIO_NET_F_MRG_RXBUF), "vhost did not offer it");
	cr_assert_not(f & F(VIRTIO_RING_F_EVENT_IDX), "vhost did not offer it");
}

Test(net, tso_is_never_offered_without_checksum_offload)
{
	uint64_t f = net_offered_features(F(VIRTIO_NET_F_HOST_TSO4) | F(VIRTIO_NET_F_GUEST_TSO4));
	cr_assert_eq(f, F(VIRTIO_F_VERSION_1) | F(VIRTIO_NET_F_MAC));
}

Test(net, tap_offloads_follow_what_the_guest_can_receive)
{
	cr_assert_eq(net_tap_offloads(F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_GUEST_TSO4) |
				      F(VIRTIO_NET_F_GUEST_TSO6) | F(VIRTIO_NET_F_GUEST_ECN)),
		     (unsigned)ALL_TAP);
	cr_assert_eq(net_tap_offloads(F(VIRTIO_NET_F_GUEST_CSUM)), (unsigned)TUN_F_CSUM);
	/* HOST_* bits are the other direction: no tap offload. */
	cr_assert_eq(net_tap_offloads(F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_HOST_TSO4)), 0u);
	cr_assert_eq(net_tap_offloads(F(VIRTIO_NET_F_GUEST_TSO4)), 0u, "TSO needs CSUM");
	cr_assert_eq(net_tap_features(TUN_F_CSUM) & F(VIRTIO_NET_F_GUEST_TSO4), 0);
}

Test(net, driver_ok_hands_both_queues_and_acked_features_to_the_backend)
{
	uint64_t acked = F(VIRTIO_F_VERSION_1) | F(VIRTIO_NET_F_MAC) | F(VIRTIO_NET_F_MRG_RXBUF) |
			 F(VIRTIO_RING_F_EVENT_IDX) | F(VIRTIO_NET_F_GUEST_CSUM) |
			 F(VIRTIO_NET_F_GUEST_TSO4) | F(VIRTIO_NET_F_CSUM);
	mmio_bring_up(&dev.transport, acked, 2, 256);
	cr_assert(mmio_r32(&dev.transport, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_DRIVER_OK);
	cr_assert_eq(rb.starts, 1);
	cr_assert_eq(rb.last.nqueues, 2);
	/* MAC is the device's own (config space): not the backend's. */
	cr_assert_eq(rb.last.features, acked & ~F(VIRTIO_NET_F_MAC));
	cr_assert_eq(rb.last.queues[0].num, 256);
	cr_assert_eq(rb.last.queues[1].desc, 0x110000);
	cr_assert_eq(net_tap_offloads(rb.last.features), (unsigned)(TUN_F_CSUM | TUN_F_TSO4));
}

Test(net, reset_stops_and_driver_ok_restarts_twenty_times)
{
	for (int i = 1; i <= 20; i++) {
		mmio_bring_up(&dev.transport, F(VIRTIO_F_VERSION_1) | F(VIRTIO_NET_F_MAC), 2, 256);
		cr_assert_eq(rb.starts, i);
		mmio_w32(&dev.transport, VIRTIO_MMIO_STATUS, 0);
		cr_assert_eq(rb.stops, i);
		cr_assert_eq(mmio_r32(&dev.transport, VIRTIO_MMIO_STATUS), 0);
	}
}

Test(net, kick_that_reaches_userspace_is_passed_on_and_counted)
{
	mmio_bring_up(&dev.transport, F(VIRTIO_F_VERSION_1), 2, 256);
	mmio_w32(&dev.transport, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	mmio_w32(&dev.transport, VIRTIO_MMIO_QUEUE_NOTIFY, 5); /* no such queue */
	cr_assert_eq(rb.kicks[1], 1);
	cr_assert_eq(dev.queues.notifies[1], 1);
	cr_assert_eq(dev.queues.notifies[0], 0);
}

Test(net, mac_from_random_is_unicast_and_locally_administered)
{
	const uint8_t all_ones[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t zeros[6] = { 0 };
	uint8_t m[6];
	net_mac_from_random(all_ones, m);
	cr_assert_eq(m[0], 0xfe);
	cr_assert_eq(m[5], 0xff);
	net_mac_from_random(zeros, m);
	cr_assert_eq(m[0], 0x02);
}
