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
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_vsock.h>

#include "virtio/mmio.h"

#define VSOCK_NUM_QUEUES 3
#define VSOCK_QUEUE_SIZE_MAX 256
#define VSOCK_QUEUE_EVENT 2
/* rx and tx: the queues the backend takes. */
#define VSOCK_BACKEND_QUEUES 2

/* Feature bits come from the uapi headers (virtio 1.2 section 6, 5.10.3);
 * linux-libc-dev 6.1 lacks this one (virtio 1.2 section 6). */
#ifndef VIRTIO_F_NOTIFICATION_DATA
#define VIRTIO_F_NOTIFICATION_DATA 38
#endif

struct vsock_device {
	uint64_t guest_cid;
	uint64_t offered;
	/* rx and tx go to the backend; the event queue's kicks are only counted */
	struct virtio_backend_queues queues;
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
