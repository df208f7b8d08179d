/* The host side of a virtio-net device: a tap interface (drivers/net/tun.c)
 * opened with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, whose fd vhost_net reads
 * and writes (VHOST_NET_SET_BACKEND). Every frame on it carries a
 * struct virtio_net_hdr_mrg_rxbuf (12 bytes, TUNSETVNETHDRSZ), so checksum
 * and segmentation offloads pass between the guest and the host's stack.
 *
 * An interface that does not exist is created and, because minivmm never
 * makes it persistent (TUNSETPERSIST), the kernel removes it when the fd is
 * closed. An existing one (a persistent tap made with `ip tuntap add`) is
 * used as it is and left as it was. */
#ifndef MINIVMM_VIRTIO_TAP_H
#define MINIVMM_VIRTIO_TAP_H

#include <stdbool.h>
#include <stdint.h>

struct tap {
	int fd; /* -1 when closed */
	char name[16];
	bool created; /* minivmm created it: it goes when fd is closed */
	/* TUN_F_* offloads the tap accepted at open (probed with
	 * TUNSETOFFLOAD), i.e. which it may hand to the guest. */
	unsigned offloads;
};

/* Open (or create) tap NAME. On failure the message names the cause and
 * the fix: no /dev/net/tun (modprobe tun), a tap another process holds,
 * a name that is not a tap, missing CAP_NET_ADMIN or ownership. */
int tap_open(struct tap *t, const char *name);
/* The vnet header size (TUNSETVNETHDRSZ) and the offloads the driver
 * acked (TUNSETOFFLOAD, TUN_F_* bits). 0, or -1 with error_set(). */
int tap_configure(struct tap *t, int vnet_hdr_size, unsigned offloads);
/* Close; a tap minivmm created disappears with it. */
void tap_close(struct tap *t);

#endif
