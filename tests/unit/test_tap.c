/* virtio/tap.c against the real tun driver, where this machine has one
 * and lets us create interfaces (CAP_NET_ADMIN); otherwise each test is
 * skipped. Every interface is named after this process, so runs side by
 * side do not meet, and is gone when the test ends. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/error.h"
#include "virtio/tap.h"

static char name[IFNAMSIZ];

static void name_for(const char *tag)
{
	snprintf(name, sizeof(name), "mvu%s%d", tag, (int)(getpid() % 100000));
}

/* Skip unless a tap can be created here. */
static void require_tun(void)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		cr_skip_test("no usable /dev/net/tun: %s", strerror(errno));
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "mvuprobe%d", (int)(getpid() % 100000));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	int r = ioctl(fd, TUNSETIFF, &ifr);
	int e = errno;
	close(fd);
	if (r < 0)
		cr_skip_test("cannot create a tap here (TUNSETIFF: %s)", strerror(e));
}

/* A persistent tap, as `ip tuntap add` makes it (on = 1), or removed. */
static void persist(const char *ifname, int on)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	cr_assert_eq(ioctl(fd, TUNSETIFF, &ifr), 0, "%s", strerror(errno));
	cr_assert_eq(ioctl(fd, TUNSETPERSIST, (unsigned long)on), 0);
	close(fd);
}

Test(tap, a_new_name_is_created_and_removed_at_close)
{
	require_tun();
	name_for("n");
	cr_assert_eq(if_nametoindex(name), 0u, "%s exists already", name);
	struct tap t;
	cr_assert_eq(tap_open(&t, name), 0, "%s", error_message());
	cr_assert(t.created);
	cr_assert_neq(if_nametoindex(name), 0u);
	cr_assert(t.offloads & TUN_F_CSUM, "a tap takes checksum offload");
	tap_close(&t);
	cr_assert_eq(if_nametoindex(name), 0u, "the tap minivmm created must go with its fd");
}

Test(tap, an_existing_tap_is_used_and_left_in_place)
{
	require_tun();
	name_for("e");
	persist(name, 1);
	struct tap t;
	int r = tap_open(&t, name);
	bool created = t.created;
	tap_close(&t);
	unsigned index = if_nametoindex(name);
	persist(name, 0);
	cr_assert_eq(r, 0, "%s", error_message());
	cr_assert_not(created);
	cr_assert_neq(index, 0u, "a tap minivmm was given must stay");
}

Test(tap, a_tap_another_process_holds_is_busy)
{
	require_tun();
	name_for("b");
	struct tap a, b;
	cr_assert_eq(tap_open(&a, name), 0, "%s", error_message());
	int r = tap_open(&b, name);
	char msg[ERROR_MAX];
	snprintf(msg, sizeof(msg), "%s", error_message());
	tap_close(&a);
	cr_assert_eq(r, -1);
	cr_assert(strstr(msg, "is busy: another process has it open"), "%s", msg);
	cr_assert_eq(b.fd, -1);
}

Test(tap, an_interface_that_is_not_a_tap_is_refused)
{
	require_tun();
	struct tap t;
	cr_assert_eq(tap_open(&t, "lo"), -1);
	cr_assert(strstr(error_message(), "lo exists but is not a single-queue tap interface"),
		  "%s", error_message());
}

Test(tap, configure_sets_the_vnet_header_size)
{
	require_tun();
	name_for("c");
	struct tap t;
	cr_assert_eq(tap_open(&t, name), 0, "%s", error_message());
	int r = tap_configure(&t, 12, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6);
	int size = 0;
	ioctl(t.fd, TUNGETVNETHDRSZ, &size);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ioctl(t.fd, TUNGETIFF, &ifr);
	unsigned flags = (unsigned short)ifr.ifr_flags;
	tap_close(&t);
	cr_assert_eq(r, 0, "%s", error_message());
	cr_assert_eq(size, 12);
	cr_assert(flags & IFF_VNET_HDR);
	cr_assert(flags & IFF_NO_PI);
	cr_assert(flags & IFF_TAP);
}
