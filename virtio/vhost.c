#include "virtio/vhost.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/log.h"
#include "lib/trace.h"

int vhost_frontend_open(struct vhost_frontend *fe, const char *name,
			const struct vhost_carrier_ops *carrier, void *carrier_ctx,
			const struct guest_memory *mem, const struct vhost_device_hooks *hooks)
{
	*fe = (struct vhost_frontend){
		.carrier = carrier, .carrier_ctx = carrier_ctx, .mem = mem,
	};
	snprintf(fe->name, sizeof(fe->name), "%s", name);
	if (hooks)
		fe->hooks = *hooks;
	for (int i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		fe->kick_fd[i] = -1;
	trace(TRACE_VHOST, "%s: SET_OWNER: minivmm claims the backend, which will move this "
	      "device's data (the host kernel starts a worker thread for it; a vhost-user "
	      "process takes this connection as its one frontend) [drivers/vhost/vhost.c "
	      "vhost_dev_set_owner, docs/interop/vhost-user.rst]", fe->name);
	if (carrier->set_owner(carrier_ctx) < 0 ||
	    carrier->get_features(carrier_ctx, &fe->features) < 0)
		return error_wrap("%s", fe->name);
	trace(TRACE_VHOST, "%s: GET_FEATURES -> 0x%llx: what the backend can do; the device "
	      "offers the guest no more than this [include/uapi/linux/vhost.h]", fe->name,
	      (unsigned long long)fe->features);
	log_debug("%s: vhost backend features %#llx", fe->name, (unsigned long long)fe->features);
	return 0;
}

/* Ring addresses handed to the backend are minivmm's addresses of guest
 * RAM. The transport checked that each ring lies inside guest RAM. */
static int ring_addr(struct vhost_frontend *fe, const struct virtio_queue_config *q,
		     struct vhost_ring_addr *out)
{
	uint64_t n = q->num;
	void *desc = guest_memory_ptr(fe->mem, q->desc, 16 * n);
	void *avail = guest_memory_ptr(fe->mem, q->avail, 6 + 2 * n);
	void *used = guest_memory_ptr(fe->mem, q->used, 6 + 8 * n);
	if (!desc || !avail || !used)
		return -1;
	*out = (struct vhost_ring_addr){
		.desc = (uintptr_t)desc, .avail = (uintptr_t)avail, .used = (uintptr_t)used,
	};
	return 0;
}

static int setup_ring(struct vhost_frontend *fe, uint32_t i, const struct virtio_queue_config *q,
		      int call_fd)
{
	const struct vhost_carrier_ops *c = fe->carrier;
	struct vhost_ring_addr addr;
	if (ring_addr(fe, q, &addr) < 0)
		return error_set("queue %u lies outside guest RAM", i);
	/* A fresh ring after DRIVER_OK: the device starts at index 0
	 * (virtio 1.2 section 2.7.6). */
	trace(TRACE_VHOST, "%s: ring %u: SET_VRING_NUM %u, SET_VRING_BASE 0 (a fresh ring starts "
	      "at index 0) [virtio 1.2 section 2.7.6]", fe->name, i, q->num);
	trace(TRACE_VHOST, "%s: ring %u: SET_VRING_ADDR: descriptor table 0x%llx, avail ring "
	      "0x%llx, used ring 0x%llx, as minivmm's addresses of guest-physical 0x%llx, 0x%llx, "
	      "0x%llx [drivers/vhost/vhost.c vhost_vring_set_addr]", fe->name, i,
	      (unsigned long long)addr.desc, (unsigned long long)addr.avail,
	      (unsigned long long)addr.used, (unsigned long long)q->desc,
	      (unsigned long long)q->avail, (unsigned long long)q->used);
	if (q->kick_fd >= 0)
		trace(TRACE_VHOST, "%s: ring %u: SET_VRING_KICK eventfd %d: the worker waits on the "
		      "eventfd that KVM signals when the guest writes QueueNotify = %u, so the "
		      "next kick will not reach minivmm [drivers/vhost/vhost.c vhost_poll]",
		      fe->name, i, q->kick_fd, i);
	else
		trace(TRACE_VHOST, "%s: ring %u: SET_VRING_KICK none: kicks exit to minivmm, which "
		      "forwards them", fe->name, i);
	trace(TRACE_VHOST, "%s: ring %u: SET_VRING_CALL eventfd %d: the worker signals it when it "
	      "has used buffers, and KVM's irqfd turns that into the guest's interrupt "
	      "[drivers/vhost/vhost.c vhost_signal]", fe->name, i, call_fd);
	if (c->set_vring_num(fe->carrier_ctx, i, q->num) < 0 ||
	    c->set_vring_base(fe->carrier_ctx, i, 0) < 0 ||
	    c->set_vring_addr(fe->carrier_ctx, i, &addr) < 0 ||
	    c->set_vring_kick(fe->carrier_ctx, i, q->kick_fd) < 0 ||
	    c->set_vring_call(fe->carrier_ctx, i, call_fd) < 0 ||
	    (c->set_vring_enable && c->set_vring_enable(fe->carrier_ctx, i, 1) < 0))
		return -1;
	fe->kick_fd[i] = q->kick_fd;
	return 0;
}

static void release_rings(struct vhost_frontend *fe)
{
	const struct vhost_carrier_ops *c = fe->carrier;
	for (uint32_t i = 0; i < fe->nqueues; i++) {
		uint32_t base;
		/* Where the backend got to; a stopped ring keeps it until the
		 * next start sets it again. */
		if (c->get_vring_base(fe->carrier_ctx, i, &base) == 0) {
			log_debug("%s: ring %u stopped at index %u", fe->name, i, base);
			trace(TRACE_VHOST, "%s: ring %u: GET_VRING_BASE -> %u (where the backend got "
			      "to); SET_VRING_KICK/CALL detached", fe->name, i, base);
		}
		/* The eventfds stay open (the transport owns them); the backend
		 * must stop watching them. */
		c->set_vring_kick(fe->carrier_ctx, i, -1);
		c->set_vring_call(fe->carrier_ctx, i, -1);
		fe->kick_fd[i] = -1;
	}
	fe->nqueues = 0;
}

static void frontend_stop(void *ctx)
{
	struct vhost_frontend *fe = ctx;
	if (fe->running) {
		if (fe->hooks.stop)
			fe->hooks.stop(fe->hooks.ctx);
		fe->running = false;
		fe->stats.stops++;
	}
	release_rings(fe);
}

static int frontend_start(void *ctx, const struct virtio_backend_config *cfg)
{
	struct vhost_frontend *fe = ctx;
	const struct vhost_carrier_ops *c = fe->carrier;

	if (cfg->features & ~fe->features)
		return error_set("%s: features %#llx not supported by the vhost backend", fe->name,
				 (unsigned long long)(cfg->features & ~fe->features));
	trace(TRACE_VHOST, "%s: SET_FEATURES 0x%llx: the features the driver accepted "
	      "[drivers/vhost/vsock.c vhost_vsock_set_features]", fe->name,
	      (unsigned long long)cfg->features);
	if (trace_enabled(TRACE_VHOST)) {
		struct guest_memory_region r;
		guest_memory_for_each_region(fe->mem, n, r)
			trace(TRACE_VHOST, "%s: SET_MEM_TABLE region %u: guest-physical 0x%llx-0x%llx "
			      "is minivmm's 0x%llx: how the kernel finds the rings and buffers "
			      "[drivers/vhost/vhost.c vhost_set_memory]", fe->name, n,
			      (unsigned long long)r.gpa, (unsigned long long)(r.gpa + r.size - 1),
			      (unsigned long long)(uintptr_t)r.host);
	}
	if (c->set_features(fe->carrier_ctx, cfg->features) < 0 ||
	    c->set_mem_table(fe->carrier_ctx, fe->mem) < 0)
		return error_wrap("%s", fe->name);
	fe->nqueues = cfg->nqueues;
	for (uint32_t i = 0; i < cfg->nqueues; i++)
		if (setup_ring(fe, i, &cfg->queues[i], cfg->call_fd) < 0) {
			error_wrap("%s", fe->name);
			goto fail;
		}
	if (fe->hooks.start && fe->hooks.start(fe->hooks.ctx) < 0) {
		error_wrap("%s", fe->name);
		goto fail;
	}
	fe->running = true;
	fe->stats.starts++;
	return 0;
fail:
	release_rings(fe);
	return -1;
}

static void frontend_kick(void *ctx, uint32_t queue)
{
	struct vhost_frontend *fe = ctx;
	uint64_t one = 1;
	if (queue < fe->nqueues && fe->kick_fd[queue] >= 0) {
		fe->stats.forwarded_kicks++;
		trace_keyed(TRACE_VHOST, "forwarded kick", "%s: kick of ring %u forwarded to its "
			    "eventfd by minivmm", fe->name, queue);
		if (write(fe->kick_fd[queue], &one, sizeof(one)) < 0)
			log_warn("%s: kick: %s", fe->name, strerror(errno));
	}
}

static const struct virtio_backend_ops frontend_ops = {
	.start = frontend_start,
	.stop = frontend_stop,
	.kick = frontend_kick,
};

struct virtio_backend vhost_frontend_backend(struct vhost_frontend *fe)
{
	return (struct virtio_backend){
		.ops = &frontend_ops, .ctx = fe, .features = fe->features, .kick_eventfds = true,
	};
}

void vhost_frontend_close(struct vhost_frontend *fe)
{
	if (fe->carrier)
		frontend_stop(fe);
}
