/* --disk FILE: Debian's qemu-storage-daemon (package qemu-system-common)
 * started by minivmm to export FILE as a vhost-user-blk backend on a socket
 * in a private directory (vmm/backend_daemon.c); the guest sees it as a
 * virtio-blk disk. The user's own daemon works too: --vhost-user blk. */
#ifndef MINIVMM_VMM_STORAGE_DAEMON_H
#define MINIVMM_VMM_STORAGE_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/backend_daemon.h"

#define STORAGE_DAEMON_DEFAULT_PATH "/usr/bin/qemu-storage-daemon"

/* QEMU's option syntax: a comma inside a value is written twice. Pure;
 * false when out (of size bytes) is too small. */
bool storage_daemon_escape(const char *value, char *out, size_t size);

/* Start qemu-storage-daemon ($MINIVMM_QEMU_STORAGE_DAEMON or the default
 * path) exporting `image` for device blk<index>. Errors name the cause
 * and the fix (file missing, daemon not installed, its log). */
int storage_daemon_start(struct backend_daemon *d, unsigned index, const char *image,
			 bool readonly, unsigned wait_ms);

#endif
