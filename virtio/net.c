#include "virtio/net.h"

#include <linux/if_tun.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <stdio.h>

#include "lib/error.h"
#include "lib/log.h"

#define BIT(n) (1ULL << (n))

/* Guest feature bit <-> tap offload, for the receive direction. */
static const struct {
	unsigned feature;
	unsigned offload;
} guest_offloads[] = {
	{ VIRTIO_NET_F_GUEST_CSUM, TUN_F_CSUM },
	{ VIRTIO_NET_F_GUEST_TSO4, TUN_F_TSO4 },
	{ VIRTIO_NET_F_GUEST_TSO6, TUN_F_TSO6 },
	{ VIRTIO_NET_F_GUEST_ECN, TUN_F_TSO_ECN },
};
#define N_GUEST_OFFLOADS (sizeof(guest_offloads) / sizeof(guest_offloads[0]))

uint64_t net_tap_features(unsigned tap_offloads)
{
	/* A tap with IFF_VNET_HDR takes any GSO frame the header describes
	 * (virtio_net_hdr_to_skb), so the transmit side needs no probing. */
	uint64_t f = BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_HOST_TSO4) |
		     BIT(VIRTIO_NET_F_HOST_TSO6) | BIT(VIRTIO_NET_F_HOST_ECN);
	for (unsigned i = 0; i < N_GUEST_OFFLOADS; i++)
		if (tap_offloads & guest_offloads[i].offload)
			f |= BIT(guest_offloads[i].feature);
	return f;
}

unsigned net_tap_offloads(uint64_t acked)
{
	unsigned o = 0;
	for (unsigned i = 0; i < N_GUEST_OFFLOADS; i++)
		if (acked & BIT(guest_offloads[i].feature))
			o |= guest_offloads[i].offload;
	/* tun ignores TSO without CSUM (drivers/net/tun.c set_offload). */
	if (!(o & TUN_F_CSUM))
		o = 0;
	return o;
}

uint64_t net_offered_features(uint64_t backend_features)
{
	const uint64_t optional =
		BIT(VIRTIO_RING_F_EVENT_IDX) | BIT(VIRTIO_RING_F_INDIRECT_DESC) |
		BIT(VIRTIO_NET_F_MRG_RXBUF) | BIT(VIRTIO_NET_F_CSUM) |
		BIT(VIRTIO_NET_F_HOST_TSO4) | BIT(VIRTIO_NET_F_HOST_TSO6) |
		BIT(VIRTIO_NET_F_HOST_ECN) | BIT(VIRTIO_NET_F_GUEST_CSUM) |
		BIT(VIRTIO_NET_F_GUEST_TSO4) | BIT(VIRTIO_NET_F_GUEST_TSO6) |
		BIT(VIRTIO_NET_F_GUEST_ECN);
	uint64_t f = BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_NET_F_MAC) |
		     (backend_features & optional);
	/* The offloads build on checksum offload in their direction
	 * (virtio 1.2 section 5.1.3.1). */
	if (!(f & BIT(VIRTIO_NET_F_CSUM)))
		f &= ~(BIT(VIRTIO_NET_F_HOST_TSO4) | BIT(VIRTIO_NET_F_HOST_TSO6) |
		       BIT(VIRTIO_NET_F_HOST_ECN));
	if (!(f & BIT(VIRTIO_NET_F_GUEST_CSUM)))
		f &= ~(BIT(VIRTIO_NET_F_GUEST_TSO4) | BIT(VIRTIO_NET_F_GUEST_TSO6) |
		       BIT(VIRTIO_NET_F_GUEST_ECN));
	return f;
}

void net_mac_from_random(const uint8_t random[NET_MAC_LEN], uint8_t mac[NET_MAC_LEN])
{
	for (int i = 0; i < NET_MAC_LEN; i++)
		mac[i] = random[i];
	/* IEEE 802: bit 0 of the first octet is group (multicast), bit 1
	 * locally administered. */
	mac[0] = (uint8_t)((mac[0] & ~1u) | 2u);
}

static uint64_t features(void *dev)
{
	struct net_device *d = dev;
	return d->offered;
}

/* struct virtio_net_config { u8 mac[6]; le16 status; ... }: status reads
 * LINK_UP (it is meaningful only with VIRTIO_NET_F_STATUS, not offered). */
static void config_read(void *dev, uint32_t offset, uint8_t *data, uint32_t len)
{
	struct net_device *d = dev;
	uint8_t config[8];
	for (int i = 0; i < NET_MAC_LEN; i++)
		config[i] = d->mac[i];
	config[6] = VIRTIO_NET_S_LINK_UP;
	config[7] = 0;
	for (uint32_t i = 0; i < len; i++)
		data[i] = offset + i < sizeof(config) ? config[offset + i] : 0;
}

static int activate(void *dev, struct virtio_mmio *t)
{
	struct net_device *d = dev;
	if (virtio_backend_queues_activate(&d->queues, t) < 0)
		return error_wrap("net%u", d->index);
	return 0;
}

static void reset(void *dev, struct virtio_mmio *t)
{
	virtio_backend_queues_reset(&((struct net_device *)dev)->queues, t);
}

static void notify(void *dev, struct virtio_mmio *t, uint32_t queue)
{
	(void)t;
	virtio_backend_queues_notify(&((struct net_device *)dev)->queues, queue);
}

static const struct virtio_device_ops net_ops = {
	.device_id = VIRTIO_ID_NET,
	.num_queues = NET_NUM_QUEUES,
	.queue_num_max = NET_QUEUE_SIZE_MAX,
	.config_size = 8,
	.features = features,
	.config_read = config_read,
	.config_write = NULL,
	.activate = activate,
	.reset = reset,
	.notify = notify,
};

void net_device_init(struct net_device *d, unsigned index, const uint8_t mac[NET_MAC_LEN],
		     const struct virtio_backend *backend,
		     const struct virtio_mmio_platform *platform)
{
	*d = (struct net_device){
		.index = index,
		.offered = net_offered_features(backend->features),
	};
	virtio_backend_queues_init(&d->queues, backend, NET_NUM_QUEUES);
	for (int i = 0; i < NET_MAC_LEN; i++)
		d->mac[i] = mac[i];
	char name[32];
	snprintf(name, sizeof(name), "virtio-net%u", index);
	virtio_mmio_init(&d->transport, &net_ops, d, platform, name);
}

void net_device_print_stats(struct net_device *d)
{
	log_msg("stats", "net%u_notify_rx=%lu net%u_notify_tx=%lu", d->index, d->queues.notifies[0],
		d->index, d->queues.notifies[1]);
}

void net_device_destroy(struct net_device *d)
{
	reset(d, &d->transport);
	virtio_mmio_destroy(&d->transport);
}
