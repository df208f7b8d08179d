/* --share DIR: Debian's virtiofsd (package qemu-system-common) started by
 * minivmm as the vhost-user-fs backend for DIR, on a socket in a private
 * directory (vmm/backend_daemon.c). */
#ifndef MINIVMM_VMM_VIRTIOFSD_H
#define MINIVMM_VMM_VIRTIOFSD_H

#include <stdbool.h>

#include "vmm/backend_daemon.h"

#define VIRTIOFSD_DEFAULT_PATH "/usr/lib/qemu/virtiofsd"

/* virtiofsd's default sandbox moves into a new mount namespace with
 * pivot_root(2), which fails (EINVAL) while "/" is still the initramfs
 * ("rootfs"): there, the chroot sandbox. Pure: from the type of the root
 * mount as /proc/self/mounts names it. */
const char *virtiofsd_sandbox(const char *root_fstype);

/* Start virtiofsd serving `dir` for device fs<index>: $MINIVMM_VIRTIOFSD
 * or VIRTIOFSD_DEFAULT_PATH. Errors name the cause and the fix (not
 * root, directory missing, virtiofsd not installed, its log). */
int virtiofsd_start(struct backend_daemon *d, unsigned index, const char *dir, unsigned wait_ms);

#endif
