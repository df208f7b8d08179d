/* The interface between the virtio-vsock device model and whatever moves
 * its bytes. In minivmm that is the host kernel's vhost_vsock
 * (virtio/vhost_vsock.c); unit tests plug in a recording fake. */
#ifndef MINIVMM_VIRTIO_VSOCK_BACKEND_H
#define MINIVMM_VIRTIO_VSOCK_BACKEND_H

#include <stdint.h>

/* One split virtqueue, by guest-physical address (validated by the
 * transport: power-of-two size, aligned, inside guest RAM). */
struct vsock_queue_config {
	uint16_t num;
	uint64_t desc;
	uint64_t avail;
	uint64_t used;
};

struct vsock_backend_config {
	uint64_t features; /* acked by the driver, all offered by the backend */
	struct vsock_queue_config rx; /* queue 0: host to guest */
	struct vsock_queue_config tx; /* queue 1: guest to host */
};

struct vsock_backend_ops {
	/* Take over the rx and tx queues (at DRIVER_OK). 0, or -1 with error_set. */
	int (*start)(void *ctx, const struct vsock_backend_config *cfg);
	/* Release them (device reset, shutdown). Safe when not started. */
	void (*stop)(void *ctx);
	/* A QueueNotify for rx/tx that reached userspace instead of the
	 * backend's own notification path: pass it on. */
	void (*kick)(void *ctx, uint32_t queue);
};

struct vsock_backend {
	const struct vsock_backend_ops *ops;
	void *ctx;
	uint64_t features; /* feature bits the backend supports */
};

#endif
