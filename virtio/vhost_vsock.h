/* vsock's backend on the host kernel's vhost_vsock (/dev/vhost-vsock):
 * the vhost frontend over the kernel carrier, plus what only vsock has:
 * the guest's CID (VHOST_VSOCK_SET_GUEST_CID) and the running switch
 * (VHOST_VSOCK_SET_RUNNING). */
#ifndef MINIVMM_VIRTIO_VHOST_VSOCK_H
#define MINIVMM_VIRTIO_VHOST_VSOCK_H

#include <stdint.h>

#include "lib/guest_memory.h"
#include "virtio/backend.h"
#include "virtio/vhost.h"
#include "virtio/vhost_kernel.h"

struct vhost_vsock {
	struct vhost_kernel kernel;
	struct vhost_frontend frontend;
	uint64_t cid;
};

/* Open /dev/vhost-vsock, claim it, read its features and set the guest
 * CID, so a bad or clashing CID fails before the guest boots. */
int vhost_vsock_open(struct vhost_vsock *v, uint64_t cid, const struct guest_memory *mem);
/* Stop and close: the CID is free again once this returns. */
void vhost_vsock_close(struct vhost_vsock *v);
struct virtio_backend vhost_vsock_backend(struct vhost_vsock *v);

#endif
