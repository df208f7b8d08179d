#include "virtio/vhost_vsock.h"

#include <errno.h>
#include <linux/vhost.h>
#include <linux/vm_sockets.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/device_node.h"
#include "lib/error.h"
#include "lib/exit_status.h"
#include "lib/log.h"
#include "lib/trace.h"
#include "virtio/vsock_host.h"

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
	if (errno == EADDRINUSE) {
		error_set("vsock: CID %llu is already in use by another VM or by this "
			  "host's own vsock (VHOST_VSOCK_SET_GUEST_CID: %s); pick another, or "
			  "--vsock-cid auto",
			  (unsigned long long)cid, strerror(errno));
		return error_status(EXIT_CID_TAKEN);
	}
	if (errno == EINVAL)
		return error_set("vsock: CID %llu is reserved (VHOST_VSOCK_SET_GUEST_CID: %s)",
				 (unsigned long long)cid, strerror(errno));
	return error_errno("vsock: VHOST_VSOCK_SET_GUEST_CID %llu", (unsigned long long)cid);
}

/* --vsock-cid auto: the lowest CID the kernel lets us have. */
static int set_auto_cid(struct vhost_vsock *v)
{
	for (uint32_t i = 0; i < VSOCK_AUTO_CID_TRIES; i++) {
		v->cid = vsock_auto_cid(i);
		uint64_t cid = v->cid;
		if (ioctl(v->kernel.fd, VHOST_VSOCK_SET_GUEST_CID, &cid) == 0)
			return 0;
		if (errno != EADDRINUSE)
			return set_guest_cid(v); /* the same call again, for its message */
		log_debug("vsock: CID %llu is taken; trying the next", (unsigned long long)v->cid);
	}
	error_set("vsock: --vsock-cid auto: all %d CIDs from %u were taken",
		  VSOCK_AUTO_CID_TRIES, vsock_auto_cid(0));
	return error_status(EXIT_CID_TAKEN);
}

/* Whether a host-to-guest transport is registered with AF_VSOCK: only then
 * may a socket bind to CID 2, VMADDR_CID_HOST (net/vmw_vsock/af_vsock.c,
 * __vsock_bind -> vsock_find_cid). Without the vsock core loaded there is
 * none, and no socket is made (it would load the module). */
static bool h2g_registered(void)
{
	if (access("/sys/module/vsock", F_OK) != 0)
		return false;
	int s = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return false;
	struct sockaddr_vm a = {
		.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_HOST, .svm_port = VMADDR_PORT_ANY,
	};
	bool bound = bind(s, (struct sockaddr *)&a, sizeof(a)) == 0;
	log_debug("vsock: a bind to CID 2 %s: %s", bound ? "works" : "fails",
		  bound ? "a host-side transport is registered" : strerror(errno));
	close(s);
	return bound;
}

/* Why /dev/vhost-vsock did not open, with the fix (virtio/vsock_host.c). */
static int open_failed(int open_errno)
{
	struct vsock_host_facts f = {
		.open_errno = open_errno,
		.vhost_vsock_loaded = access("/sys/module/vhost_vsock", F_OK) == 0,
		.h2g_registered = h2g_registered(),
		.vmci_transport_loaded = access("/sys/module/vmw_vsock_vmci_transport", F_OK) == 0,
	};
	char msg[ERROR_MAX];
	int status = vsock_host_diagnose(&f, msg, sizeof(msg));
	if (status == EXIT_VHOST_VSOCK_DENIED) {
		struct device_node_facts node;
		device_node_facts("/dev/vhost-vsock", &node);
		device_node_denied_message(msg, sizeof(msg), "/dev/vhost-vsock", "vhost-vsock",
					   &node);
	}
	error_set("vsock: %s", msg);
	return error_status(status);
}

int vhost_vsock_open(struct vhost_vsock *v, uint64_t cid, bool auto_cid,
		     const struct guest_memory *mem)
{
	*v = (struct vhost_vsock){ .kernel = { .fd = -1 }, .cid = cid };
	if (vhost_kernel_open(&v->kernel, "/dev/vhost-vsock", "vhost_vsock") < 0)
		return open_failed(v->kernel.open_errno);
	const struct vhost_device_hooks hooks = {
		.start = vsock_start, .stop = vsock_stop, .ctx = v,
	};
	if (vhost_frontend_open(&v->frontend, "vsock", &vhost_kernel_ops, &v->kernel, mem,
				&hooks) < 0 ||
	    (auto_cid ? set_auto_cid(v) : set_guest_cid(v)) < 0) {
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
