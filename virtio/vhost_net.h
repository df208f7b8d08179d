/* virtio-net's backend on the host kernel's vhost_net (/dev/vhost-net)
 * and a tap: the vhost frontend over the kernel carrier, plus what only
 * net has. At start the tap gets the vnet header size and the offloads the
 * driver acked, vhost gets the ring features only, and once the rings are
 * set VHOST_NET_SET_BACKEND attaches the tap to rx and tx; at stop the tap
 * is detached (fd -1) first. vhost_net's worker then moves frames between
 * the guest's rings and the tap without minivmm. */
#ifndef MINIVMM_VIRTIO_VHOST_NET_H
#define MINIVMM_VIRTIO_VHOST_NET_H

#include "lib/guest_memory.h"
#include "virtio/backend.h"
#include "virtio/tap.h"
#include "virtio/vhost.h"
#include "virtio/vhost_kernel.h"

struct vhost_net {
	struct vhost_kernel kernel;
	struct vhost_frontend frontend;
	struct tap tap;
};

/* Open tap `ifname` (creating it if absent), then /dev/vhost-net, claim
 * it and read its features: every failure before the guest boots. */
int vhost_net_open(struct vhost_net *v, const char *ifname, const struct guest_memory *mem);
/* Stop, close vhost and the tap (a tap minivmm created goes with it). */
void vhost_net_close(struct vhost_net *v);
struct virtio_backend vhost_net_backend(struct vhost_net *v);

#endif
