/* The vhost frontend: the sequence that hands a device's rings to a vhost
 * backend and takes them back, written once for every device (vsock, net,
 * and the vhost-user devices to come):
 *
 *   open:  SET_OWNER, GET_FEATURES
 *   start: SET_FEATURES, SET_MEM_TABLE, then per ring
 *          SET_VRING_NUM, SET_VRING_BASE, SET_VRING_ADDR, SET_VRING_KICK,
 *          SET_VRING_CALL, then the device's own start (vsock: SET_RUNNING)
 *   stop:  the device's own stop, then per ring GET_VRING_BASE and the kick
 *          and call eventfds detached
 *
 * How a message reaches the backend is a carrier (struct vhost_carrier_ops):
 * the host kernel's ioctls on /dev/vhost-* (virtio/vhost_kernel.c), or
 * messages on a Unix socket for vhost-user. This is the frontend/backend
 * split of the vhost-user specification (QEMU docs/interop/vhost-user.rst),
 * whose message names the carriers share.
 *
 * The kick and call eventfds belong to the transport (virtio/mmio_slot.c),
 * which registered them with KVM before the guest ran: the frontend only
 * passes them on, and never calls back into the VM. */
#ifndef MINIVMM_VIRTIO_VHOST_H
#define MINIVMM_VIRTIO_VHOST_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/guest_memory.h"
#include "virtio/backend.h"

/* Ring addresses as the backend takes them: addresses in minivmm's own
 * address space, which the memory table maps to guest-physical ones. */
struct vhost_ring_addr {
	uint64_t desc, avail, used;
};

/* One carrier: every function returns 0, or -1 with error_set() naming the
 * message. An fd of -1 in set_vring_kick/call detaches the ring's eventfd. */
struct vhost_carrier_ops {
	int (*set_owner)(void *c);
	int (*get_features)(void *c, uint64_t *features);
	int (*set_features)(void *c, uint64_t features);
	int (*set_mem_table)(void *c, const struct guest_memory *mem);
	int (*set_vring_num)(void *c, uint32_t index, uint32_t num);
	int (*set_vring_base)(void *c, uint32_t index, uint32_t base);
	int (*get_vring_base)(void *c, uint32_t index, uint32_t *base);
	int (*set_vring_addr)(void *c, uint32_t index, const struct vhost_ring_addr *addr);
	int (*set_vring_kick)(void *c, uint32_t index, int fd);
	int (*set_vring_call)(void *c, uint32_t index, int fd);
	/* vhost-user only (NULL for the kernel, whose rings run once set):
	 * let the backend process the ring. */
	int (*set_vring_enable)(void *c, uint32_t index, int enable);
};

/* What differs per device once the rings are set: vsock starts with
 * VHOST_VSOCK_SET_RUNNING, net attaches its tap with VHOST_NET_SET_BACKEND. */
struct vhost_device_hooks {
	int (*start)(void *ctx);  /* 0, or -1 with error_set(); may be NULL */
	void (*stop)(void *ctx);  /* may be NULL */
	void *ctx;
};

struct vhost_stats {
	unsigned long starts;
	unsigned long stops;
	unsigned long forwarded_kicks; /* kicks that came through minivmm */
};

struct vhost_frontend {
	char name[32]; /* for messages: "vsock" */
	const struct vhost_carrier_ops *carrier;
	void *carrier_ctx;
	const struct guest_memory *mem;
	struct vhost_device_hooks hooks;
	uint64_t features; /* GET_FEATURES */
	uint32_t nqueues;  /* rings handed over at the last start */
	int kick_fd[VIRTIO_MMIO_MAX_QUEUES];
	bool running;
	struct vhost_stats stats;
};

/* Claim the backend (SET_OWNER) and read its features. */
int vhost_frontend_open(struct vhost_frontend *fe, const char *name,
			const struct vhost_carrier_ops *carrier, void *carrier_ctx,
			const struct guest_memory *mem, const struct vhost_device_hooks *hooks);
/* The frontend as a device's backend (start, stop, kick). */
struct virtio_backend vhost_frontend_backend(struct vhost_frontend *fe);
/* Stop it if it runs; the carrier is closed by its owner. */
void vhost_frontend_close(struct vhost_frontend *fe);

#endif
