#include "virtio/vhost_net.h"

#include <linux/vhost.h>
#include <sys/ioctl.h>

#include "lib/error.h"
#include "lib/log.h"
#include "virtio/net.h"

/* rx (0) and tx (1): the queues vhost_net serves. */
static int set_backend(struct vhost_net *v, int fd)
{
	for (unsigned i = 0; i < NET_NUM_QUEUES; i++) {
		struct vhost_vring_file f = { .index = i, .fd = fd };
		if (ioctl(v->kernel.fd, VHOST_NET_SET_BACKEND, &f) < 0)
			return error_errno("VHOST_NET_SET_BACKEND %u %s", i,
					   fd < 0 ? "detach" : v->tap.name);
	}
	return 0;
}

static int hook_start(void *ctx)
{
	struct vhost_net *v = ctx;
	return set_backend(v, v->tap.fd);
}

static void hook_stop(void *ctx)
{
	struct vhost_net *v = ctx;
	if (set_backend(v, -1) < 0)
		log_warn("net: %s", error_message());
}

/* The device's backend: the tap's part, then the frontend with vhost's. */
static int backend_start(void *ctx, const struct virtio_backend_config *cfg)
{
	struct vhost_net *v = ctx;
	if (tap_configure(&v->tap, NET_VNET_HDR_SIZE, net_tap_offloads(cfg->features)) < 0)
		return -1;
	struct virtio_backend_config ring_cfg = *cfg;
	/* Without VHOST_NET_F_VIRTIO_NET_HDR vhost passes the header through
	 * and the tap (TUNSETVNETHDRSZ) reads and writes it. */
	ring_cfg.features = cfg->features & v->frontend.features;
	struct virtio_backend fe = vhost_frontend_backend(&v->frontend);
	return fe.ops->start(fe.ctx, &ring_cfg);
}

static void backend_stop(void *ctx)
{
	struct vhost_net *v = ctx;
	struct virtio_backend fe = vhost_frontend_backend(&v->frontend);
	fe.ops->stop(fe.ctx);
}

static void backend_kick(void *ctx, uint32_t queue)
{
	struct vhost_net *v = ctx;
	struct virtio_backend fe = vhost_frontend_backend(&v->frontend);
	fe.ops->kick(fe.ctx, queue);
}

static const struct virtio_backend_ops vhost_net_ops = {
	.start = backend_start,
	.stop = backend_stop,
	.kick = backend_kick,
};

int vhost_net_open(struct vhost_net *v, const char *ifname, const struct guest_memory *mem)
{
	*v = (struct vhost_net){ .kernel = { .fd = -1 }, .tap = { .fd = -1 } };
	if (vhost_kernel_open(&v->kernel, "/dev/vhost-net", "vhost_net") < 0)
		return error_wrap("net %s", ifname);
	if (tap_open(&v->tap, ifname) < 0) {
		vhost_kernel_close(&v->kernel);
		return error_wrap("net");
	}
	const struct vhost_device_hooks hooks = {
		.start = hook_start, .stop = hook_stop, .ctx = v,
	};
	if (vhost_frontend_open(&v->frontend, "net", &vhost_kernel_ops, &v->kernel, mem,
				&hooks) < 0) {
		tap_close(&v->tap);
		vhost_kernel_close(&v->kernel);
		return -1;
	}
	log_debug("net: tap %s (%s), offloads %#x", v->tap.name,
		  v->tap.created ? "created" : "existing", v->tap.offloads);
	return 0;
}

void vhost_net_close(struct vhost_net *v)
{
	if (v->kernel.fd >= 0) {
		vhost_frontend_close(&v->frontend);
		vhost_kernel_close(&v->kernel);
	}
	tap_close(&v->tap);
}

struct virtio_backend vhost_net_backend(struct vhost_net *v)
{
	struct virtio_backend fe = vhost_frontend_backend(&v->frontend);
	return (struct virtio_backend){
		.ops = &vhost_net_ops,
		.ctx = v,
		.features = fe.features | net_tap_features(v->tap.offloads),
		.kick_eventfds = fe.kick_eventfds,
	};
}
