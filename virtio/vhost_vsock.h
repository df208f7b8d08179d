/* vsock's backend on the host kernel's vhost_vsock (/dev/vhost-vsock):
 * the vhost frontend over the kernel carrier, plus what only vsock has:
 * the guest's CID (VHOST_VSOCK_SET_GUEST_CID) and the running switch
 * (VHOST_VSOCK_SET_RUNNING). */
#ifndef MINIVMM_VIRTIO_VHOST_VSOCK_H
#define MINIVMM_VIRTIO_VHOST_VSOCK_H

#include <stdbool.h>
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

/* --vsock-cid auto takes the lowest free CID from VSOCK_AUTO_CID_FIRST up,
 * as a port allocator would: away from the small numbers people give by
 * hand, below 2^31 for tools that read a CID as a signed int. VMs started
 * together race for the same CIDs; the kernel settles it (EADDRINUSE: try
 * the next), so parallel jobs never clash. */
#define VSOCK_AUTO_CID_FIRST 65536u
#define VSOCK_AUTO_CID_TRIES 65536

/* The i-th CID tried. */
static inline uint32_t vsock_auto_cid(uint32_t i)
{
	return VSOCK_AUTO_CID_FIRST + i;
}

/* Open /dev/vhost-vsock, claim it, read its features and set the guest
 * CID, so a bad or clashing CID fails before the guest boots. auto_cid:
 * pick a free CID (retrying on EADDRINUSE); v->cid then holds it. Errors
 * carry an exit status (lib/exit_status.h) naming the cause. */
int vhost_vsock_open(struct vhost_vsock *v, uint64_t cid, bool auto_cid,
		     const struct guest_memory *mem);
/* Stop and close: the CID is free again once this returns. */
void vhost_vsock_close(struct vhost_vsock *v);
struct virtio_backend vhost_vsock_backend(struct vhost_vsock *v);

#endif
