#include "virtio/vhost_vsock.h"

#include <errno.h>
#include <linux/vhost.h>
#include <string.h>
#include <sys/ioctl.h>

#include "lib/error.h"
#include "lib/log.h"
#include "lib/trace.h"

static int set_running(struct vhost_vsock *v, int running)
{
	if (running)
		trace(TRACE_VHOST, "vsock: VHOST_VSOCK_SET_RUNNING 1: the kernel checks both rings "
		      "and starts moving packets; from now on the guest's kicks go ioeventfd -> "
		      "vhost worker and its interrupts vhost worker -> irqfd, and never wake "
		      "minivmm [drivers/vhost/vsock.c vhost_vsock_start]");
	else
		trace(TRACE_VHOST, "vsock: VHOST_VSOCK_SET_RUNNING 0: the kernel stops the rings "
		      "(sockets stay) [drivers/vhost/vsock.c vhost_vsock_stop]");
	if (ioctl(v->kernel.fd, VHOST_VSOCK_SET_RUNNING, &running) < 0)
		return error_errno("VHOST_VSOCK_SET_RUNNING %d", running);
	return 0;
}

static int vsock_start(void *ctx)
{
	return set_running(ctx, 1);
}

static void vsock_stop(void *ctx)
{
	if (set_running(ctx, 0) < 0)
		log_warn("vsock: %s", error_message());
}

static int set_guest_cid(struct vhost_vsock *v)
{
	uint64_t cid = v->cid;
	if (ioctl(v->kernel.fd, VHOST_VSOCK_SET_GUEST_CID, &cid) == 0) {
		trace(TRACE_VHOST, "vsock: VHOST_VSOCK_SET_GUEST_CID %llu: the host kernel routes "
		      "vsock packets for CID %llu to this VM; a CID in use would fail here, before "
		      "the guest boots [drivers/vhost/vsock.c vhost_vsock_set_cid]",
		      (unsigned long long)cid, (unsigned long long)cid);
		return 0;
	}
	if (errno == EADDRINUSE)
		return error_set("vsock: CID %llu is already in use by another VM or by this "
				 "host's own vsock (VHOST_VSOCK_SET_GUEST_CID: %s)",
				 (unsigned long long)cid, strerror(errno));
	if (errno == EINVAL)
		return error_set("vsock: CID %llu is reserved (VHOST_VSOCK_SET_GUEST_CID: %s)",
				 (unsigned long long)cid, strerror(errno));
	return error_errno("vsock: VHOST_VSOCK_SET_GUEST_CID %llu", (unsigned long long)cid);
}

int vhost_vsock_open(struct vhost_vsock *v, uint64_t cid, const struct guest_memory *mem)
{
	*v = (struct vhost_vsock){ .kernel = { .fd = -1 }, .cid = cid };
	if (vhost_kernel_open(&v->kernel, "/dev/vhost-vsock", "vhost_vsock") < 0)
		return error_wrap("vsock");
	const struct vhost_device_hooks hooks = {
		.start = vsock_start, .stop = vsock_stop, .ctx = v,
	};
	if (vhost_frontend_open(&v->frontend, "vsock", &vhost_kernel_ops, &v->kernel, mem,
				&hooks) < 0 ||
	    set_guest_cid(v) < 0) {
		vhost_kernel_close(&v->kernel);
		return -1;
	}
	return 0;
}

void vhost_vsock_close(struct vhost_vsock *v)
{
	if (v->kernel.fd < 0)
		return;
	vhost_frontend_close(&v->frontend);
	vhost_kernel_close(&v->kernel);
}

struct virtio_backend vhost_vsock_backend(struct vhost_vsock *v)
{
	return vhost_frontend_backend(&v->frontend);
}
