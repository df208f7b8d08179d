#include "virtio/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/error.h"

#define TAP_FLAGS (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR)
#define ALL_OFFLOADS (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)

static int open_tun(void)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
		return error_set("/dev/net/tun does not exist: load the tun module (modprobe tun)");
	if (errno == EACCES || errno == EPERM)
		return error_set("/dev/net/tun: permission denied (it is normally mode 0666; "
				 "check its permissions)");
	return error_errno("cannot open /dev/net/tun");
}

static int set_iff(int fd, const char *name, short flags)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = flags;
	return ioctl(fd, TUNSETIFF, &ifr);
}

/* TUNSETIFF on an existing interface failed. */
static int attach_error(const char *name)
{
	switch (errno) {
	case EBUSY:
		return error_set("tap %s is busy: another process has it open (a tap serves "
				 "one VM; stop the other user or pick another name)", name);
	case EINVAL:
		return error_set("%s exists but is not a single-queue tap interface (TUNSETIFF: "
				 "%s); give the name of a tap, or a free name for minivmm to "
				 "create one", name, strerror(EINVAL));
	case EPERM:
		return error_set("tap %s: permission denied (TUNSETIFF: %s): run with "
				 "CAP_NET_ADMIN, or create the tap for your user (ip tuntap add dev "
				 "%s mode tap user USER)", name, strerror(EPERM), name);
	}
	return error_errno("tap %s: TUNSETIFF", name);
}

int tap_open(struct tap *t, const char *name)
{
	*t = (struct tap){ .fd = -1 };
	snprintf(t->name, sizeof(t->name), "%s", name);
	int fd = open_tun();
	if (fd < 0)
		return -1;
	/* First try to create it (IFF_TUN_EXCL fails with EBUSY if the name
	 * exists), so that we know whether it is ours to remove. */
	if (set_iff(fd, name, TAP_FLAGS | IFF_TUN_EXCL) == 0) {
		t->created = true;
	} else if (errno == EBUSY) {
		if (set_iff(fd, name, TAP_FLAGS) < 0) {
			attach_error(name);
			close(fd);
			return -1;
		}
	} else {
		if (errno == EPERM)
			error_set("cannot create tap %s: permission denied (TUNSETIFF: %s): creating "
				  "a tap needs CAP_NET_ADMIN; run as root, or let root create it "
				  "for your user first (ip tuntap add dev %s mode tap user USER)",
				  name, strerror(EPERM), name);
		else
			error_errno("cannot create tap %s: TUNSETIFF", name);
		close(fd);
		return -1;
	}
	t->fd = fd;
	/* Which offloads it can hand us; then none until the driver asks. */
	if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)ALL_OFFLOADS) == 0)
		t->offloads = ALL_OFFLOADS;
	else if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)TUN_F_CSUM) == 0)
		t->offloads = TUN_F_CSUM;
	if (ioctl(fd, TUNSETOFFLOAD, 0UL) < 0) {
		error_errno("tap %s: TUNSETOFFLOAD 0", name);
		tap_close(t);
		return -1;
	}
	return 0;
}

int tap_configure(struct tap *t, int vnet_hdr_size, unsigned offloads)
{
	if (ioctl(t->fd, TUNSETVNETHDRSZ, &vnet_hdr_size) < 0)
		return error_errno("tap %s: TUNSETVNETHDRSZ %d", t->name, vnet_hdr_size);
	if (ioctl(t->fd, TUNSETOFFLOAD, (unsigned long)offloads) < 0)
		return error_errno("tap %s: TUNSETOFFLOAD %#x", t->name, offloads);
	return 0;
}

void tap_close(struct tap *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}
