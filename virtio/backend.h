/* The interface between a virtio device model and whatever moves its
 * bytes: the vhost frontend (virtio/vhost.c) over the host kernel's vhost
 * or, later, a vhost-user process; in tests a recording fake
 * (virtio/test_backend.c). A device model hands its first `nqueues` queues
 * to the backend at DRIVER_OK and takes them back at reset. */
#ifndef MINIVMM_VIRTIO_BACKEND_H
#define MINIVMM_VIRTIO_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio/mmio.h"

/* One split virtqueue, by guest-physical address (validated by the
 * transport: power-of-two size, aligned, inside guest RAM), and the eventfd
 * the guest's kicks of it signal (-1 when kicks exit to minivmm). */
struct virtio_queue_config {
	uint16_t num;
	uint64_t desc;
	uint64_t avail;
	uint64_t used;
	int kick_fd;
};

struct virtio_backend_config {
	uint64_t features; /* acked by the driver, all offered by the backend */
	uint32_t nqueues;
	struct virtio_queue_config queues[VIRTIO_MMIO_MAX_QUEUES];
	int call_fd; /* writing it interrupts the guest (KVM_IRQFD), or -1 */
};

struct virtio_backend_ops {
	/* Take over the queues (at DRIVER_OK). 0, or -1 with error_set. */
	int (*start)(void *ctx, const struct virtio_backend_config *cfg);
	/* Release them (device reset, shutdown). Safe when not started. */
	void (*stop)(void *ctx);
	/* A QueueNotify that reached userspace instead of the backend's own
	 * kick eventfd: pass it on. */
	void (*kick)(void *ctx, uint32_t queue);
};

struct virtio_backend {
	const struct virtio_backend_ops *ops;
	void *ctx;
	uint64_t features; /* feature bits the backend supports */
	/* The backend reads the queues' kick eventfds itself (vhost): the
	 * transport routes QueueNotify writes to them inside KVM. */
	bool kick_eventfds;
};

/* The configuration of queues [0, nqueues) of an activated transport:
 * rings, kick eventfds and the call eventfd. `features` is filled with the
 * acked features restricted to backend_features. Call from ops->activate. */
void virtio_backend_config_from(struct virtio_backend_config *cfg, const struct virtio_mmio *t,
				uint32_t nqueues, uint64_t backend_features);

/* A device's activation when its first nqueues queues go to its backend:
 * every one of them must be ready; the backend gets the acked features it
 * supports, the rings and the eventfds. Sets *started on success. 0, or -1
 * with error_set(). */
int virtio_backend_take_queues(const struct virtio_backend *b, struct virtio_mmio *t,
			       uint32_t nqueues, bool *started);
/* Its reset: the backend lets go, if it had the queues. */
void virtio_backend_release_queues(const struct virtio_backend *b, bool *started);

/* What a device model keeps of the backend its first `nqueues` queues go
 * to (net, vsock, fs, blk): the backend, whether it holds the queues now,
 * and the QueueNotify writes that reached minivmm instead of a kick
 * eventfd, by queue. The device's activate, reset and notify ops call the
 * three functions below, which are the same for every such device. */
struct virtio_backend_queues {
	struct virtio_backend backend;
	uint32_t nqueues;
	bool started;
	unsigned long notifies[VIRTIO_MMIO_MAX_QUEUES];
};

void virtio_backend_queues_init(struct virtio_backend_queues *q,
				const struct virtio_backend *backend, uint32_t nqueues);
/* At DRIVER_OK: virtio_backend_take_queues, logged under t's name. 0, or
 * -1 with error_set() for the device to wrap with its own name. */
int virtio_backend_queues_activate(struct virtio_backend_queues *q, struct virtio_mmio *t);
/* At reset and at destroy: the backend lets go, if it had the queues. */
void virtio_backend_queues_reset(struct virtio_backend_queues *q, struct virtio_mmio *t);
/* A kick that reached userspace: counted, and passed on to the backend if
 * the queue is one of its own and it holds the queues. */
void virtio_backend_queues_notify(struct virtio_backend_queues *q, uint32_t queue);

/* Pure check of a configuration against guest RAM, the features the
 * backend offered and the queue size limit; NULL if valid, else what is
 * wrong. The recording test backend and the fuzzers use it. */
const char *virtio_backend_config_problem(const struct virtio_backend_config *cfg,
					  const struct guest_memory *mem, uint64_t features,
					  uint16_t queue_num_max);

#endif
