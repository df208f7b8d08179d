/* vsock backend on the host kernel's vhost_vsock (/dev/vhost-vsock): the
 * kernel reads and writes the rx/tx rings itself. Guest kicks reach it
 * through KVM ioeventfds, its interrupts reach the guest through a KVM
 * irqfd, so moving bytes never wakes minivmm. */
#ifndef MINIVMM_VIRTIO_VHOST_VSOCK_H
#define MINIVMM_VIRTIO_VHOST_VSOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "../vmm/guest_memory.h"
#include "vsock_backend.h"

/* How eventfds are tied to the guest (KVM ioctls, supplied by the VMM). */
struct vhost_vsock_wiring {
	/* Guest writes of `queue` to QueueNotify signal fd (KVM_IOEVENTFD). */
	int (*kick_fd)(void *ctx, uint32_t queue, int fd, bool assign);
	/* Writes to fd raise the device's interrupt (KVM_IRQFD). */
	int (*call_fd)(void *ctx, int fd, bool assign);
	void *ctx;
};

struct vhost_vsock_stats {
	unsigned long starts;
	unsigned long stops;
	unsigned long forwarded_kicks; /* kicks that came through userspace */
};

struct vhost_vsock {
	int fd;
	uint64_t cid;
	uint64_t features; /* VHOST_GET_FEATURES */
	const struct guest_memory *mem;
	struct vhost_vsock_wiring wiring;
	int kick[2];
	int call;
	bool kick_wired[2];
	bool call_wired;
	bool running;
	struct vhost_vsock_stats stats;
};

/* Open /dev/vhost-vsock, claim it (VHOST_SET_OWNER), read its features
 * and set the guest CID, so a bad or clashing CID fails before the guest
 * boots. */
int vhost_vsock_open(struct vhost_vsock *v, uint64_t cid, const struct guest_memory *mem,
		     const struct vhost_vsock_wiring *wiring);
/* Stop and close: the CID is free again once this returns. */
void vhost_vsock_close(struct vhost_vsock *v);
/* The backend interface for virtio/vsock.c. */
struct vsock_backend vhost_vsock_backend(struct vhost_vsock *v);

#endif
