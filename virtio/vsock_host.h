/* Why /dev/vhost-vsock could not be opened, from facts about the host, as
 * a message naming the cause and the fix and the exit status it calls for
 * (lib/exit_status.h). Pure: vhost_vsock.c gathers the facts. */
#ifndef MINIVMM_VIRTIO_VSOCK_HOST_H
#define MINIVMM_VIRTIO_VSOCK_HOST_H

#include <stdbool.h>
#include <stddef.h>

struct vsock_host_facts {
	int open_errno;             /* errno of open("/dev/vhost-vsock") */
	bool vhost_vsock_loaded;    /* /sys/module/vhost_vsock */
	/* A host-to-guest transport is registered with AF_VSOCK: a socket may
	 * bind to CID 2 (VMADDR_CID_HOST). */
	bool h2g_registered;
	bool vmci_transport_loaded; /* /sys/module/vmw_vsock_vmci_transport */
};

/* Writes the message into buf; returns the exit status. EACCES and EPERM
 * are not handled here (lib/device_node.h names the group): they return
 * EXIT_VHOST_VSOCK_DENIED with an empty message. */
int vsock_host_diagnose(const struct vsock_host_facts *f, char *buf, size_t size);

#endif
