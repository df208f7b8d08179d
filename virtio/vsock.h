/* The virtio-vsock device (virtio 1.2 section 5.10): device ID 19, queues
 * rx (0), tx (1) and event (2), config space { le64 guest_cid }. The rx and
 * tx queues are handed to a backend at DRIVER_OK; the event queue stays
 * with minivmm. The whole device is this file: ID, features, config space,
 * queue count, and a backend chosen by the VM (vhost_vsock, or the
 * recording test backend). */
#ifndef MINIVMM_VIRTIO_VSOCK_H
#define MINIVMM_VIRTIO_VSOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio/backend.h"
#include "virtio/mmio.h"

#define VIRTIO_ID_VSOCK 19
#define VSOCK_NUM_QUEUES 3
#define VSOCK_QUEUE_SIZE_MAX 256
#define VSOCK_QUEUE_EVENT 2
/* rx and tx: the queues the backend takes. */
#define VSOCK_BACKEND_QUEUES 2

/* Feature bits (virtio 1.2 6, 5.10.3). */
#define VIRTIO_VSOCK_F_SEQPACKET 1
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED 34
#define VIRTIO_F_NOTIFICATION_DATA 38

struct vsock_device {
	uint64_t guest_cid;
	struct virtio_backend backend;
	uint64_t offered;
	bool backend_started;
	unsigned long notifies[VSOCK_NUM_QUEUES]; /* QueueNotify writes seen in userspace */
	struct virtio_mmio transport;
};

/* Offered features: VERSION_1 plus those of EVENT_IDX, INDIRECT_DESC and
 * SEQPACKET the backend supports. Never ACCESS_PLATFORM (vhost would then
 * expect an IOTLB), RING_PACKED or NOTIFICATION_DATA (vhost does neither). */
uint64_t vsock_offered_features(uint64_t backend_features);

void vsock_device_init(struct vsock_device *d, uint64_t guest_cid,
		       const struct virtio_backend *backend,
		       const struct virtio_mmio_platform *platform);
/* One line of --stats: QueueNotify writes that reached minivmm, by queue. */
void vsock_device_print_stats(struct vsock_device *d);
void vsock_device_destroy(struct vsock_device *d);

#endif
