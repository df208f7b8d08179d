#include "vmm/virtio_devices.h"

#include <linux/virtio_config.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "lib/error.h"
#include "lib/log.h"
#include "vmm/storage_daemon.h"
#include "vmm/virtiofsd.h"

#ifdef MINIVMM_TESTING
/* What vhost_vsock reports on Debian 6.1 (see docs/vsock.md), minus the
 * vhost-internal bits. */
#define TEST_VSOCK_FEATURES                                                                \
	((1ULL << VIRTIO_RING_F_EVENT_IDX) | (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |       \
	 (1ULL << VIRTIO_VSOCK_F_SEQPACKET))

static int vsock_test_backend_open(struct virtio_devices *d, const char *path,
				   const struct guest_memory *mem, struct virtio_backend *out)
{
	if (test_backend_open(&d->vsock_test_backend, path, mem, TEST_VSOCK_FEATURES,
			      VSOCK_QUEUE_SIZE_MAX, false) < 0)
		return error_wrap("--vsock-test-backend");
	*out = test_backend(&d->vsock_test_backend);
	return 0;
}

/* --test-device FILE: the test device model on the recording backend,
 * which takes its kicks through eventfds as vhost would. */
static int create_test_devices(struct virtio_devices *d, const struct vmm_config *cfg,
			       const struct guest_memory *mem)
{
	for (int i = 0; i < cfg->ntest_devices; i++) {
		struct test_backend *b = &d->test_backend[i];
		if (test_backend_open(b, cfg->test_devices[i], mem, 0, TEST_DEVICE_QUEUE_SIZE_MAX,
				      true) < 0)
			return error_wrap("--test-device");
		struct virtio_backend backend = test_backend(b);
		test_device_init(&d->test[i], (uint32_t)i, &backend, NULL);
		d->ntest = i + 1;
		if (virtio_mmio_attach(&d->bus, &d->test[i].transport, TEST_DEVICE_QUEUES) < 0)
			return -1;
	}
	return 0;
}
#endif

static int create_vsock(struct virtio_devices *d, const struct vmm_config *cfg,
			const struct guest_memory *mem)
{
	struct virtio_backend backend;
#ifdef MINIVMM_TESTING
	if (cfg->vsock_test_backend) {
		if (vsock_test_backend_open(d, cfg->vsock_test_backend, mem, &backend) < 0)
			return -1;
		/* No kernel to ask whether it is taken: the first candidate. */
		d->vsock_cid = cfg->vsock_cid_auto ? vsock_auto_cid(0) : cfg->vsock_cid;
	} else
#endif
	{
		if (vhost_vsock_open(&d->vhost_vsock, cfg->vsock_cid, cfg->vsock_cid_auto, mem) < 0)
			return -1;
		backend = vhost_vsock_backend(&d->vhost_vsock);
		d->vsock_cid = (uint32_t)d->vhost_vsock.cid;
	}
	if (cfg->vsock_cid_auto)
		log_debug("vsock: --vsock-cid auto chose CID %u", d->vsock_cid);
	vsock_device_init(&d->vsock, d->vsock_cid, &backend, NULL);
	d->vsock_ready = true;
	return virtio_mmio_attach(&d->bus, &d->vsock.transport,
				  backend.kick_eventfds ? VSOCK_BACKEND_QUEUES : 0);
}

/* --net tap=NAME[,mac=MAC]: virtio-net on vhost_net and a tap. Without a
 * MAC, a random locally administered one, so two VMs never share one. */
static int create_net(struct virtio_devices *d, const struct cli_net *n,
		      const struct guest_memory *mem)
{
	unsigned i = (unsigned)d->nnets;
	uint8_t mac[NET_MAC_LEN];
	if (n->has_mac) {
		memcpy(mac, n->mac, sizeof(mac));
	} else {
		uint8_t rnd[NET_MAC_LEN];
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return error_errno("net%u: getrandom for a MAC address", i);
		net_mac_from_random(rnd, mac);
	}
	if (vhost_net_open(&d->vhost_net[i], n->tap, mem) < 0)
		return -1;
	struct virtio_backend backend = vhost_net_backend(&d->vhost_net[i]);
	net_device_init(&d->net[i], i, mac, &backend, NULL);
	d->nnets++;
	log_debug("net%u: tap %s, MAC %02x:%02x:%02x:%02x:%02x:%02x", i, n->tap, mac[0], mac[1],
		  mac[2], mac[3], mac[4], mac[5]);
	return virtio_mmio_attach(&d->bus, &d->net[i].transport, NET_NUM_QUEUES);
}

/* One vhost-user device: start its backend when minivmm owns it
 * (--share), connect, and attach the device model. */
static int create_vhost_user(struct virtio_devices *d, const struct cli_vhost_user *c,
			     const struct guest_memory *mem)
{
	int i = d->nvhost_user;
	bool fs = c->type == CLI_VHOST_USER_FS;
	unsigned index = (unsigned)(fs ? d->nfs : d->nblk);
	char name[16];
	snprintf(name, sizeof(name), "%s%u", fs ? "fs" : "blk", index);
	const char *socket = c->socket;
	d->vhost_user[i].fd = -1;
	d->daemon[i].pidfd = -1;
	d->daemon[i].log_fd = -1;
	d->nvhost_user++;
	if (c->share_dir) {
		if (virtiofsd_start(&d->daemon[i], index, c->share_dir, c->wait_ms) < 0)
			return -1;
		socket = d->daemon[i].socket;
	} else if (c->image) {
		if (storage_daemon_start(&d->daemon[i], index, c->image, c->readonly, c->wait_ms) < 0)
			return -1;
		socket = d->daemon[i].socket;
	}
	struct vhost_user *u = &d->vhost_user[i];
	if (vhost_user_open(u, name, socket, c->wait_ms, mem) < 0)
		return -1;
	/* minivmm's transport is virtio 1.x only (Version 2 registers). */
	if (!(u->frontend.features & (1ULL << VIRTIO_F_VERSION_1)))
		return error_set("%s: the vhost-user backend on %s does not offer VIRTIO_F_VERSION_1 "
				 "(minivmm's virtio-mmio is virtio 1.x only)", name, socket);
	struct virtio_backend backend = vhost_user_backend(u);
	struct virtio_mmio *transport;
	uint32_t nqueues;
	if (fs) {
		fs_device_init(&d->fs[index], index, c->tag, &backend, NULL);
		d->nfs++;
		transport = &d->fs[index].transport;
		nqueues = FS_NUM_QUEUES;
		log_debug("%s: tag %s, backend %s", name, c->tag, socket);
	} else {
		uint8_t config[BLK_CONFIG_SIZE];
		if (vhost_user_get_config(u, config, sizeof(config)) < 0)
			return error_wrap("%s: reading the disk's size", name);
		blk_device_init(&d->blk[index], index, config, &backend, NULL);
		d->nblk++;
		transport = &d->blk[index].transport;
		nqueues = BLK_NUM_QUEUES;
		log_debug("%s: %llu bytes, backend %s", name,
			  (unsigned long long)blk_capacity_bytes(config), socket);
	}
	return virtio_mmio_attach(&d->bus, transport, nqueues);
}

int virtio_devices_create(struct virtio_devices *d, const struct vmm_config *cfg, int vm_fd,
			  struct io_bus *mmio, const struct guest_memory *mem)
{
	*d = (struct virtio_devices){ .vhost_vsock = { .kernel = { .fd = -1 } } };
	virtio_mmio_bus_init(&d->bus, vm_fd, mmio, mem);
	if (cfg->vsock && create_vsock(d, cfg, mem) < 0)
		return -1;
	for (int i = 0; i < cfg->nnets; i++)
		if (create_net(d, &cfg->nets[i], mem) < 0)
			return -1;
	for (int i = 0; i < cfg->nvhost_user; i++)
		if (create_vhost_user(d, &cfg->vhost_user[i], mem) < 0)
			return -1;
#ifdef MINIVMM_TESTING
	if (create_test_devices(d, cfg, mem) < 0)
		return -1;
#endif
	return 0;
}

size_t virtio_devices_describe(const struct virtio_devices *d,
			       struct platform_mmio_device out[VIRTIO_MMIO_SLOTS])
{
	return virtio_mmio_bus_describe(&d->bus, out);
}

void virtio_devices_print_stats(struct virtio_devices *d)
{
	if (d->vsock_ready)
		vsock_device_print_stats(&d->vsock);
	virtio_mmio_bus_print_stats(&d->bus);
	if (d->vhost_vsock.kernel.fd >= 0) {
		const struct vhost_stats *s = &d->vhost_vsock.frontend.stats;
		log_msg("stats", "vhost_starts=%lu vhost_stops=%lu vhost_forwarded_kicks=%lu",
			s->starts, s->stops, s->forwarded_kicks);
	}
	for (int i = 0; i < d->nnets; i++) {
		net_device_print_stats(&d->net[i]);
		const struct vhost_stats *s = &d->vhost_net[i].frontend.stats;
		log_msg("stats", "net%d_vhost_starts=%lu net%d_vhost_stops=%lu "
			"net%d_vhost_forwarded_kicks=%lu", i, s->starts, i, s->stops, i,
			s->forwarded_kicks);
	}
	for (int i = 0; i < d->nfs; i++)
		fs_device_print_stats(&d->fs[i]);
	for (int i = 0; i < d->nblk; i++)
		blk_device_print_stats(&d->blk[i]);
	for (int i = 0; i < d->nvhost_user; i++) {
		const struct vhost_frontend *fe = &d->vhost_user[i].frontend;
		log_msg("stats", "%s_vhost_starts=%lu %s_vhost_stops=%lu %s_vhost_forwarded_kicks=%lu",
			fe->name, fe->stats.starts, fe->name, fe->stats.stops, fe->name,
			fe->stats.forwarded_kicks);
	}
}

size_t virtio_devices_watches(const struct virtio_devices *d,
			      struct virtio_backend_watch out[CLI_VHOST_USER_MAX])
{
	size_t n = 0;
	for (int i = 0; i < d->nvhost_user; i++) {
		const struct vhost_user *u = &d->vhost_user[i];
		if (u->fd < 0)
			continue;
		out[n].fd = u->fd;
		snprintf(out[n].what, sizeof(out[n].what), "the vhost-user backend of %s (%s%s)",
			 u->frontend.name, d->daemon[i].pid ? "started by minivmm, socket " : "socket ",
			 u->path);
		n++;
	}
	return n;
}

void virtio_devices_destroy(struct virtio_devices *d)
{
#ifdef MINIVMM_TESTING
	for (int i = d->ntest; i-- > 0;) {
		test_device_destroy(&d->test[i]);
		test_backend_close(&d->test_backend[i]);
	}
	d->ntest = 0;
#endif
	/* Stop vhost and close it before the VM goes: the CID is free again
	 * as soon as minivmm exits, whatever the reason. */
	if (d->vsock_ready)
		vsock_device_destroy(&d->vsock);
	d->vsock_ready = false;
	vhost_vsock_close(&d->vhost_vsock);
	/* Net devices: vhost stops and lets go of the tap, then the tap is
	 * closed (one minivmm created disappears). */
	for (int i = d->nnets; i-- > 0;) {
		net_device_destroy(&d->net[i]);
		vhost_net_close(&d->vhost_net[i]);
	}
	d->nnets = 0;
	/* vhost-user: the rings back from each backend, the connection
	 * closed, then a backend minivmm started is stopped and its files
	 * removed. */
	for (int i = 0; i < d->nvhost_user; i++)
		backend_daemon_check(&d->daemon[i]);
	for (int i = d->nfs; i-- > 0;)
		fs_device_destroy(&d->fs[i]);
	for (int i = d->nblk; i-- > 0;)
		blk_device_destroy(&d->blk[i]);
	d->nfs = d->nblk = 0;
	for (int i = d->nvhost_user; i-- > 0;) {
		vhost_user_close(&d->vhost_user[i]);
		backend_daemon_stop(&d->daemon[i]);
	}
	d->nvhost_user = 0;
#ifdef MINIVMM_TESTING
	test_backend_close(&d->vsock_test_backend);
#endif
	virtio_mmio_bus_detach_all(&d->bus);
}
