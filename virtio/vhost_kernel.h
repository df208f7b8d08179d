/* The vhost frontend's first carrier: the host kernel's vhost ioctls on a
 * /dev/vhost-* character device (drivers/vhost/vhost.c). The kernel reads
 * and writes the rings itself, in a worker thread woken by the kick
 * eventfds; minivmm only sets it up. */
#ifndef MINIVMM_VIRTIO_VHOST_KERNEL_H
#define MINIVMM_VIRTIO_VHOST_KERNEL_H

#include "virtio/vhost.h"

struct vhost_kernel {
	int fd; /* -1 when closed */
	int open_errno; /* why the last vhost_kernel_open failed */
};

extern const struct vhost_carrier_ops vhost_kernel_ops;

/* Open `path` (e.g. /dev/vhost-vsock). On failure the message names the
 * cause and the fix: the module to load, the permission to get. */
int vhost_kernel_open(struct vhost_kernel *k, const char *path, const char *module);
void vhost_kernel_close(struct vhost_kernel *k);

#endif
