/* The virtio devices of this VM, from the configuration: each device model
 * with the backend chosen for it, attached in order to the virtio-mmio
 * slots. A new device is a model file in virtio/ plus its entry here. */
#ifndef MINIVMM_VMM_VIRTIO_DEVICES_H
#define MINIVMM_VMM_VIRTIO_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/guest_memory.h"
#include "lib/io_bus.h"
#include "virtio/blk.h"
#include "virtio/fs.h"
#include "virtio/mmio_slot.h"
#include "virtio/net.h"
#include "virtio/vhost_net.h"
#include "virtio/vhost_user.h"
#include "virtio/vhost_vsock.h"
#include "virtio/vsock.h"
#include "vmm/backend_daemon.h"
#include "vmm/cli.h"
#ifdef MINIVMM_TESTING
#include "virtio/test_backend.h"
#include "virtio/test_device.h"
#endif

struct virtio_devices {
	struct virtio_mmio_bus bus;
	bool vsock_ready;
	uint32_t vsock_cid; /* the guest's CID (--vsock-cid auto: the one chosen) */
	struct vsock_device vsock;
	struct vhost_vsock vhost_vsock;
	int nnets; /* net[0, nnets) are initialised */
	struct net_device net[CLI_NETS_MAX];
	struct vhost_net vhost_net[CLI_NETS_MAX];
	/* vhost-user devices, in command-line order: vhost_user[i] is the
	 * connection, daemon[i] the backend minivmm started (--share) or
	 * pid 0; the model is fs[] or blk[]. */
	int nvhost_user;
	struct vhost_user vhost_user[CLI_VHOST_USER_MAX];
	struct backend_daemon daemon[CLI_VHOST_USER_MAX];
	int nfs, nblk;
	struct fs_device fs[CLI_VHOST_USER_MAX];
	struct blk_device blk[CLI_VHOST_USER_MAX];
#ifdef MINIVMM_TESTING
	struct test_backend vsock_test_backend;
	int ntest;
	struct test_device test[CLI_TEST_DEVICES_MAX];
	struct test_backend test_backend[CLI_TEST_DEVICES_MAX];
#endif
};

/* Open each device's backend and attach the device. Backends are opened
 * here, before the guest boots, so a clashing vsock CID, a busy tap or a
 * missing /dev/vhost-* is reported at once. On failure, virtio_devices_destroy
 * undoes what was done. */
int virtio_devices_create(struct virtio_devices *d, const struct vmm_config *cfg, int vm_fd,
			  struct io_bus *mmio, const struct guest_memory *mem);
/* The devices as the guest must be told of them (window, IRQ), in slot
 * order; returns how many. */
size_t virtio_devices_describe(const struct virtio_devices *d,
			       struct platform_mmio_device out[VIRTIO_MMIO_SLOTS]);
void virtio_devices_print_stats(struct virtio_devices *d);

/* A backend connection whose hang-up means the backend is gone. */
struct virtio_backend_watch {
	int fd;
	char what[160]; /* "vhost-user backend of fs0 (socket PATH)" */
};
/* The connections to watch while the guest runs; returns how many. */
size_t virtio_devices_watches(const struct virtio_devices *d,
			      struct virtio_backend_watch out[CLI_VHOST_USER_MAX]);
/* Stop every device (its backend lets go of the rings and eventfds),
 * close the backends, then detach the slots. vCPUs must be stopped. */
void virtio_devices_destroy(struct virtio_devices *d);

#endif
