/* The virtio-net device (virtio 1.2 section 5.1): device ID 1, queues rx
 * (0) and tx (1), config space { u8 mac[6]; le16 status; }. Both queues go
 * to a backend at DRIVER_OK (vhost_net with a tap: virtio/vhost_net.c);
 * there is no control queue. The whole device is this file: ID, features,
 * config space, and a backend chosen by the VM.
 *
 * Features: VERSION_1 and MAC always; from the backend's set, the ring
 * features vhost handles (EVENT_IDX, INDIRECT_DESC), MRG_RXBUF, and the
 * checksum and segmentation offloads the tap accepts in each direction. */
#ifndef MINIVMM_VIRTIO_NET_H
#define MINIVMM_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio/backend.h"
#include "virtio/mmio.h"

#define NET_NUM_QUEUES 2
#define NET_QUEUE_SIZE_MAX 256
#define NET_MAC_LEN 6
/* With VERSION_1 every frame starts with a struct virtio_net_hdr_mrg_rxbuf
 * (virtio 1.2 section 5.1.6), MRG_RXBUF or not. */
#define NET_VNET_HDR_SIZE 12

struct net_device {
	unsigned index; /* for messages and --stats: net0, net1 */
	uint8_t mac[NET_MAC_LEN];
	uint64_t offered;
	struct virtio_backend_queues queues; /* rx and tx go to the backend */
	struct virtio_mmio transport;
};

/* Feature bits a tap backend adds to vhost's: the guest may always hand
 * the tap partially checksummed and TSO frames (CSUM, HOST_TSO4/6,
 * HOST_ECN); it may receive them (GUEST_*) where the tap accepted the
 * matching TUN_F_* offload (tap_offloads). */
uint64_t net_tap_features(unsigned tap_offloads);
/* The TUN_F_* offloads to set on the tap for the features the driver
 * acked: what the guest said it can receive. */
unsigned net_tap_offloads(uint64_t acked);
/* What the device offers for a backend's feature set. */
uint64_t net_offered_features(uint64_t backend_features);
/* A MAC address from random bytes: locally administered, unicast. */
void net_mac_from_random(const uint8_t random[NET_MAC_LEN], uint8_t mac[NET_MAC_LEN]);

void net_device_init(struct net_device *d, unsigned index, const uint8_t mac[NET_MAC_LEN],
		     const struct virtio_backend *backend,
		     const struct virtio_mmio_platform *platform);
/* One line of --stats: QueueNotify writes that reached minivmm, by queue. */
void net_device_print_stats(struct net_device *d);
void net_device_destroy(struct net_device *d);

#endif
