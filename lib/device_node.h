/* Why a device node (/dev/kvm, /dev/vhost-vsock) cannot be opened, in
 * words that name the fix: its owner, group and mode, the user's ids, and
 * the group or udev rule that would give access. */
#ifndef MINIVMM_LIB_DEVICE_NODE_H
#define MINIVMM_LIB_DEVICE_NODE_H

#include <stdbool.h>
#include <stddef.h>

/* Facts about a node, gathered by device_node_facts; pure formatting below. */
struct device_node_facts {
	bool exists;
	unsigned mode;      /* permission bits */
	unsigned long uid, gid;
	char group[64];     /* the node's group's name, or "" if unknown */
	unsigned long my_uid;
};

/* Fill facts for path (stat, /etc/group, getuid). */
void device_node_facts(const char *path, struct device_node_facts *f);

/* "PATH: permission denied for uid U (the node is root:kvm, mode 0660):
 * add the user to group 'kvm' ... or a udev rule KERNEL=="NAME", ..."
 * into buf. kernel_name: the node's name for udev ("kvm", "vhost-vsock"). */
void device_node_denied_message(char *buf, size_t size, const char *path,
				const char *kernel_name, const struct device_node_facts *f);

#endif
