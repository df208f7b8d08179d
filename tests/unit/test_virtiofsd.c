/* --share's virtiofsd (vmm/virtiofsd.c): which sandbox it is started
 * with, from the type of the root mount. */
#include <criterion/criterion.h>

#include "vmm/virtiofsd.h"

/* The initramfs root ("rootfs") cannot be pivot_root'ed away from:
 * virtiofsd's namespace sandbox fails there with EINVAL. */
Test(virtiofsd, chroot_sandbox_only_on_an_initramfs_root)
{
	cr_assert_str_eq(virtiofsd_sandbox("rootfs"), "chroot");
	const char *others[] = { "ext4", "tmpfs", "overlay", "btrfs", "ramfs", "rootfs2", "Rootfs",
				 "root", "" };
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		cr_assert_str_eq(virtiofsd_sandbox(others[i]), "namespace", "root is '%s'",
				 others[i]);
	/* /proc/self/mounts unreadable: the default sandbox. */
	cr_assert_str_eq(virtiofsd_sandbox(NULL), "namespace");
}
