#include "vhost_vsock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/vhost.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../boot/layout.h"
#include "../vmm/error.h"
#include "../vmm/log.h"

#define VSOCK_QUEUE_RX 0
#define VSOCK_QUEUE_TX 1

int vhost_vsock_open(struct vhost_vsock *v, uint64_t cid, const struct guest_memory *mem,
		     const struct vhost_vsock_wiring *wiring)
{
	*v = (struct vhost_vsock){
		.fd = -1, .cid = cid, .mem = mem, .wiring = *wiring,
		.kick = { -1, -1 }, .call = -1,
	};
	v->fd = open("/dev/vhost-vsock", O_RDWR | O_CLOEXEC);
	if (v->fd < 0) {
		if (errno == ENOENT)
			return error_set("vsock: /dev/vhost-vsock does not exist: load the "
					 "vhost_vsock module (modprobe vhost_vsock)");
		if (errno == EACCES)
			return error_set("vsock: /dev/vhost-vsock: permission denied");
		return error_errno("vsock: cannot open /dev/vhost-vsock");
	}
	if (ioctl(v->fd, VHOST_SET_OWNER) < 0) {
		error_errno("vsock: VHOST_SET_OWNER");
		goto fail;
	}
	if (ioctl(v->fd, VHOST_GET_FEATURES, &v->features) < 0) {
		error_errno("vsock: VHOST_GET_FEATURES");
		goto fail;
	}
	if (ioctl(v->fd, VHOST_VSOCK_SET_GUEST_CID, &cid) < 0) {
		if (errno == EADDRINUSE)
			error_set("vsock: CID %llu is already in use by another VM or by this "
				  "host's own vsock (VHOST_VSOCK_SET_GUEST_CID: %s)",
				  (unsigned long long)cid, strerror(errno));
		else if (errno == EINVAL)
			error_set("vsock: CID %llu is reserved (VHOST_VSOCK_SET_GUEST_CID: %s)",
				  (unsigned long long)cid, strerror(errno));
		else
			error_errno("vsock: VHOST_VSOCK_SET_GUEST_CID %llu", (unsigned long long)cid);
		goto fail;
	}
	log_debug("vsock: vhost features %#llx, guest CID %llu", (unsigned long long)v->features,
		  (unsigned long long)cid);
	return 0;
fail:
	close(v->fd);
	v->fd = -1;
	return -1;
}

static int set_mem_table(struct vhost_vsock *v)
{
	const struct guest_memory *mem = v->mem;
	struct vhost_memory *table = calloc(1, sizeof(*table) + 2 * sizeof(table->regions[0]));
	if (!table)
		return error_set("out of memory");
	table->regions[0] = (struct vhost_memory_region){
		.guest_phys_addr = 0,
		.memory_size = mem->low_size,
		.userspace_addr = (uintptr_t)mem->host,
	};
	table->nregions = 1;
	if (mem->high_size) {
		table->regions[1] = (struct vhost_memory_region){
			.guest_phys_addr = MMIO_HOLE_END,
			.memory_size = mem->high_size,
			.userspace_addr = (uintptr_t)(mem->host + mem->low_size),
		};
		table->nregions = 2;
	}
	int r = ioctl(v->fd, VHOST_SET_MEM_TABLE, table);
	free(table);
	return r < 0 ? error_errno("vsock: VHOST_SET_MEM_TABLE") : 0;
}

/* Vring addresses handed to vhost are host virtual addresses. The transport
 * checked that each ring lies inside guest RAM. */
static uint64_t host_addr(struct vhost_vsock *v, uint64_t gpa, uint64_t len)
{
	return (uintptr_t)guest_memory_ptr(v->mem, gpa, len);
}

static int setup_queue(struct vhost_vsock *v, uint32_t index, const struct vsock_queue_config *q)
{
	struct vhost_vring_state num = { .index = index, .num = q->num };
	struct vhost_vring_state base = { .index = index, .num = 0 };
	struct vhost_vring_addr addr = {
		.index = index,
		.desc_user_addr = host_addr(v, q->desc, 16ULL * q->num),
		.avail_user_addr = host_addr(v, q->avail, 6 + 2ULL * q->num),
		.used_user_addr = host_addr(v, q->used, 6 + 8ULL * q->num),
	};
	if (!addr.desc_user_addr || !addr.avail_user_addr || !addr.used_user_addr)
		return error_set("vsock: queue %u lies outside guest RAM", index);
	if (ioctl(v->fd, VHOST_SET_VRING_NUM, &num) < 0)
		return error_errno("vsock: VHOST_SET_VRING_NUM %u", index);
	if (ioctl(v->fd, VHOST_SET_VRING_BASE, &base) < 0)
		return error_errno("vsock: VHOST_SET_VRING_BASE %u", index);
	if (ioctl(v->fd, VHOST_SET_VRING_ADDR, &addr) < 0)
		return error_errno("vsock: VHOST_SET_VRING_ADDR %u", index);

	v->kick[index] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (v->kick[index] < 0)
		return error_errno("vsock: eventfd");
	if (v->wiring.kick_fd(v->wiring.ctx, index, v->kick[index], true) < 0)
		return error_wrap("vsock: queue %u notifications", index);
	v->kick_wired[index] = true;
	struct vhost_vring_file kick = { .index = index, .fd = v->kick[index] };
	struct vhost_vring_file call = { .index = index, .fd = v->call };
	if (ioctl(v->fd, VHOST_SET_VRING_KICK, &kick) < 0)
		return error_errno("vsock: VHOST_SET_VRING_KICK %u", index);
	if (ioctl(v->fd, VHOST_SET_VRING_CALL, &call) < 0)
		return error_errno("vsock: VHOST_SET_VRING_CALL %u", index);
	return 0;
}

static void vhost_stop(void *ctx)
{
	struct vhost_vsock *v = ctx;
	int running = 0;
	if (v->running) {
		if (ioctl(v->fd, VHOST_VSOCK_SET_RUNNING, &running) < 0)
			log_warn("vsock: VHOST_VSOCK_SET_RUNNING 0: %s", strerror(errno));
		v->running = false;
		v->stats.stops++;
	}
	for (uint32_t i = 0; i < 2; i++) {
		if (v->fd >= 0) {
			/* Detach the eventfds from vhost before they are closed. */
			struct vhost_vring_file unbind = { .index = i, .fd = VHOST_FILE_UNBIND };
			ioctl(v->fd, VHOST_SET_VRING_KICK, &unbind);
			ioctl(v->fd, VHOST_SET_VRING_CALL, &unbind);
		}
		if (v->kick_wired[i] && v->wiring.kick_fd(v->wiring.ctx, i, v->kick[i], false) < 0)
			log_warn("%s", error_message());
		v->kick_wired[i] = false;
		if (v->kick[i] >= 0)
			close(v->kick[i]);
		v->kick[i] = -1;
	}
	if (v->call_wired && v->wiring.call_fd(v->wiring.ctx, v->call, false) < 0)
		log_warn("%s", error_message());
	v->call_wired = false;
	if (v->call >= 0)
		close(v->call);
	v->call = -1;
}

static int vhost_start(void *ctx, const struct vsock_backend_config *cfg)
{
	struct vhost_vsock *v = ctx;
	uint64_t features = cfg->features;
	int running = 1;

	if (features & ~v->features)
		return error_set("vsock: features %#llx not supported by vhost",
				 (unsigned long long)(features & ~v->features));
	if (ioctl(v->fd, VHOST_SET_FEATURES, &features) < 0)
		return error_errno("vsock: VHOST_SET_FEATURES %#llx", (unsigned long long)features);
	if (set_mem_table(v) < 0)
		return -1;
	v->call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (v->call < 0)
		return error_errno("vsock: eventfd");
	if (v->wiring.call_fd(v->wiring.ctx, v->call, true) < 0) {
		error_wrap("vsock: interrupt");
		goto fail;
	}
	v->call_wired = true;
	if (setup_queue(v, VSOCK_QUEUE_RX, &cfg->rx) < 0 ||
	    setup_queue(v, VSOCK_QUEUE_TX, &cfg->tx) < 0)
		goto fail;
	if (ioctl(v->fd, VHOST_VSOCK_SET_RUNNING, &running) < 0) {
		error_errno("vsock: VHOST_VSOCK_SET_RUNNING 1");
		goto fail;
	}
	v->running = true;
	v->stats.starts++;
	/* Look at both rings once: anything queued before the ioeventfds
	 * existed is picked up now. */
	uint64_t one = 1;
	for (int i = 0; i < 2; i++)
		if (write(v->kick[i], &one, sizeof(one)) < 0)
			log_warn("vsock: initial kick: %s", strerror(errno));
	return 0;
fail:
	vhost_stop(v);
	return -1;
}

static void vhost_kick(void *ctx, uint32_t queue)
{
	struct vhost_vsock *v = ctx;
	uint64_t one = 1;
	if (queue < 2 && v->kick[queue] >= 0) {
		v->stats.forwarded_kicks++;
		if (write(v->kick[queue], &one, sizeof(one)) < 0)
			log_warn("vsock: kick: %s", strerror(errno));
	}
}

static const struct vsock_backend_ops vhost_ops = {
	.start = vhost_start,
	.stop = vhost_stop,
	.kick = vhost_kick,
};

struct vsock_backend vhost_vsock_backend(struct vhost_vsock *v)
{
	return (struct vsock_backend){ .ops = &vhost_ops, .ctx = v, .features = v->features };
}

void vhost_vsock_close(struct vhost_vsock *v)
{
	vhost_stop(v);
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}
