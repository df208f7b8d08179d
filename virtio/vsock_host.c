#include "virtio/vsock_host.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/exit_status.h"

/* The host side of AF_VSOCK has room for one "host-to-guest" (H2G)
 * transport (net/vmw_vsock/af_vsock.c, vsock_core_register: -EBUSY when one
 * is registered). vhost_vsock is one (drivers/vhost/vsock.c, registered in
 * its module init, so the module cannot load: modprobe says "Device or
 * resource busy"). VMware's vmw_vsock_vmci_transport is the other in Linux
 * 6.1: it takes the H2G role when the first VMCI host context is created
 * (a VMware VM starts: drivers/misc/vmw_vmci/vmci_host.c,
 * vmci_host_do_init_context -> vmci_call_vsock_callback) and keeps it until
 * the module is unloaded, even after the VM stops. What minivmm then sees
 * is no /dev/vhost-vsock: ENOENT with devtmpfs, ENODEV from a static node
 * (misc_open finds no driver after request_module fails). The open itself
 * never fails with EBUSY. Whether an H2G transport is registered is a
 * fact (a bind to CID 2 works), so a VMCI module that is loaded without
 * holding the role does not count. */
int vsock_host_diagnose(const struct vsock_host_facts *f, char *buf, size_t size)
{
	int e = f->open_errno;
	buf[0] = '\0';
	if (e == EACCES || e == EPERM)
		return EXIT_VHOST_VSOCK_DENIED;
	bool missing = e == ENOENT || e == ENODEV || e == ENXIO;
	if (missing && !f->vhost_vsock_loaded && f->h2g_registered) {
		if (f->vmci_transport_loaded)
			snprintf(buf, size,
				 "/dev/vhost-vsock: %s: VMware's vsock transport "
				 "(vmw_vsock_vmci_transport) holds the host side of AF_VSOCK, taken "
				 "when a VMware VM started and kept until the module is unloaded, so "
				 "vhost_vsock cannot load (modprobe: Device or resource busy); stop "
				 "VMware, then as root: rmmod vmw_vsock_vmci_transport; modprobe "
				 "vhost_vsock (or run without --vsock-cid)",
				 strerror(e));
		else
			snprintf(buf, size,
				 "/dev/vhost-vsock: %s: another host-side vsock transport holds "
				 "AF_VSOCK (a bind to CID 2 works, but vhost_vsock is not loaded), so "
				 "vhost_vsock cannot load (modprobe: Device or resource busy); unload "
				 "that transport's module, then modprobe vhost_vsock (or run without "
				 "--vsock-cid)",
				 strerror(e));
		return EXIT_VSOCK_BUSY;
	}
	if (missing) {
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
