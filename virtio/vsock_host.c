#include "virtio/vsock_host.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/exit_status.h"

/* The host side of AF_VSOCK has room for one "host-to-guest" transport
 * (net/vmw_vsock/af_vsock.c, vsock_core_register: -EBUSY when one is
 * registered). vhost_vsock is one; VMware's VMCI transport, once a VMCI host
 * context exists, is the other. Then vhost_vsock cannot load (modprobe:
 * "Device or resource busy"), and /dev/vhost-vsock is missing (ENOENT) or a
 * static node without a driver (ENODEV). */
int vsock_host_diagnose(const struct vsock_host_facts *f, char *buf, size_t size)
{
	int e = f->open_errno;
	buf[0] = '\0';
	if (e == EACCES || e == EPERM)
		return EXIT_VHOST_VSOCK_DENIED;
	if (e == EBUSY || ((e == ENOENT || e == ENODEV || e == ENXIO) && !f->vhost_vsock_loaded &&
			   f->vmci_transport_loaded)) {
		snprintf(buf, size,
			 "/dev/vhost-vsock: %s: another host-side vsock transport holds AF_VSOCK "
			 "(vmw_vsock_vmci_transport is loaded, VMware's), so vhost_vsock cannot "
			 "register (modprobe vhost_vsock fails with 'Device or resource busy'); "
			 "unload it (rmmod vmw_vsock_vmci_transport vmw_vmci) or run without "
			 "--vsock-cid",
			 strerror(e));
		return EXIT_VSOCK_BUSY;
	}
	if (e == ENOENT || e == ENODEV || e == ENXIO) {
		snprintf(buf, size,
			 "/dev/vhost-vsock: %s: the vhost_vsock module is not loaded; load it as "
			 "root (modprobe vhost_vsock; at every boot: echo vhost_vsock > "
			 "/etc/modules-load.d/vhost_vsock.conf), or run without --vsock-cid",
			 strerror(e));
		return EXIT_NO_VHOST_VSOCK;
	}
	snprintf(buf, size, "cannot open /dev/vhost-vsock: %s", strerror(e));
	return EXIT_VMM_FAILED;
}
