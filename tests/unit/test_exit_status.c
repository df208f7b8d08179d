#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "devices/exit_port.h"
#include "lib/device_node.h"
#include "lib/error.h"
#include "lib/exit_status.h"
#include "virtio/vhost_vsock.h"
#include "virtio/vsock_host.h"

/* The bands never overlap: a script can tell each outcome apart. */
Test(exit_status, verdict_band)
{
	cr_assert_eq(exit_status_for_verdict(0), 0);
	cr_assert_eq(exit_status_for_verdict(1), 65);
	cr_assert_eq(exit_status_for_verdict(62), 126);
	cr_assert_eq(exit_status_for_verdict(63), 127);
	cr_assert_eq(exit_status_for_verdict(255), 127);
	cr_assert_eq(exit_status_for_verdict(0xffffffffu), 127);
	for (unsigned v = 1; v < 300; v++) {
		int s = exit_status_for_verdict(v);
		cr_assert(s > EXIT_GUEST_FAILED_BASE && s <= EXIT_GUEST_FAILED_MAX, "verdict %u", v);
		cr_assert(s < EXIT_SIGNAL_BASE);
	}
	int others[] = { EXIT_GUEST_CRASHED, EXIT_USAGE, EXIT_GUEST_HALTED, EXIT_VMM_FAILED,
			 EXIT_NO_KVM, EXIT_KVM_DENIED, EXIT_KVM_UNUSABLE, EXIT_NO_VHOST_VSOCK,
			 EXIT_VHOST_VSOCK_DENIED, EXIT_VSOCK_BUSY, EXIT_CID_TAKEN };
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		cr_assert(others[i] < EXIT_GUEST_FAILED_BASE);
		for (size_t j = 0; j < i; j++)
			cr_assert_neq(others[i], others[j]);
		if (others[i] >= EXIT_RUNNER_FIRST)
			cr_assert(others[i] <= EXIT_RUNNER_LAST);
	}
}

Test(exit_status, error_carries_status)
{
	error_set("plain");
	cr_assert_eq(error_exit_status(), EXIT_VMM_FAILED);
	error_set("no kvm");
	error_status(EXIT_NO_KVM);
	error_wrap("context");
	cr_assert_eq(error_exit_status(), EXIT_NO_KVM, "error_wrap keeps the status");
	cr_assert_str_eq(error_message(), "context: no kvm");
	error_set("another");
	cr_assert_eq(error_exit_status(), EXIT_VMM_FAILED, "a new error starts unclassified");
	errno = ENOENT;
	error_status(EXIT_CID_TAKEN);
	error_errno("x");
	cr_assert_eq(error_exit_status(), EXIT_VMM_FAILED);
}

static uint32_t seen[8];
static int nseen;
static void record(void *ctx, uint32_t v)
{
	cr_assert_eq(ctx, seen);
	seen[nseen++] = v;
}

Test(exit_port, writes_are_verdicts_reads_are_empty)
{
	struct exit_port p;
	nseen = 0;
	exit_port_init(&p, &(struct exit_port_ops){ .verdict = record, .ctx = seen });
	uint8_t b = 42;
	exit_port_io(&p, 0, &b, 1, true);
	uint8_t w[4] = { 0x34, 0x12, 0, 0 };
	exit_port_io(&p, 0, w, 2, true);
	exit_port_io(&p, 0, w, 4, true);
	uint8_t r[4] = { 0 };
	exit_port_io(&p, 0, r, 4, false);
	cr_assert_eq(nseen, 3);
	cr_assert_eq(seen[0], 42);
	cr_assert_eq(seen[1], 0x1234);
	cr_assert_eq(seen[2], 0x1234);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(r[i], 0xff);
}

Test(vsock_host, each_cause_its_status_and_fix)
{
	char m[512];
	struct vsock_host_facts f = { .open_errno = ENOENT };
	cr_assert_eq(vsock_host_diagnose(&f, m, sizeof(m)), EXIT_NO_VHOST_VSOCK);
	cr_assert(strstr(m, "modprobe vhost_vsock"), "%s", m);
	f = (struct vsock_host_facts){ .open_errno = ENODEV };
	cr_assert_eq(vsock_host_diagnose(&f, m, sizeof(m)), EXIT_NO_VHOST_VSOCK);
	/* VMware's transport holds the host side: ENOENT (devtmpfs) or ENODEV
	 * (a static node without a driver). */
	f = (struct vsock_host_facts){ .open_errno = ENOENT, .h2g_registered = true,
				       .vmci_transport_loaded = true };
	cr_assert_eq(vsock_host_diagnose(&f, m, sizeof(m)), EXIT_VSOCK_BUSY);
	cr_assert(strstr(m, "rmmod vmw_vsock_vmci_transport"), "%s", m);
	f.open_errno = ENODEV;
	cr_assert_eq(vsock_host_diagnose(&f, m, sizeof(m)), EXIT_VSOCK_BUSY);
	cr_assert(strstr(m, "No such device"), "%s", m);
	/* Some other host-side transport. */
	f = (struct vsock_host_facts){ .open_errno = ENOENT, .h2g_registered = true };
	cr_assert_eq(vsock_host_diagnose(&f, m, sizeof(m)), EXIT_VSOCK_BUSY);
	cr_assert(strstr(m, "another host-side vsock transport"), "%s", m);
	/* The VMCI transport loaded without holding the host side (no VMware VM
	 * started): modprobe vhost_vsock works, so that is the fix. */
	f = (struct vsock_host_facts){ .open_errno = ENOENT, .vmci_transport_loaded = true };
	cr_assert_eq(vsock_host_diagnose(&f, m, sizeof(m)), EXIT_NO_VHOST_VSOCK);
	/* vhost_vsock loaded: it is the registered transport; the node is gone. */
	f = (struct vsock_host_facts){ .open_errno = ENOENT, .vhost_vsock_loaded = true,
				       .h2g_registered = true, .vmci_transport_loaded = true };
	cr_assert_eq(vsock_host_diagnose(&f, m, sizeof(m)), EXIT_NO_VHOST_VSOCK);
	/* The open itself never fails with EBUSY; were it to, it is unexpected. */
	f = (struct vsock_host_facts){ .open_errno = EBUSY };
	cr_assert_eq(vsock_host_diagnose(&f, m, sizeof(m)), EXIT_VMM_FAILED);
	f = (struct vsock_host_facts){ .open_errno = EACCES };
	cr_assert_eq(vsock_host_diagnose(&f, m, sizeof(m)), EXIT_VHOST_VSOCK_DENIED);
	f = (struct vsock_host_facts){ .open_errno = EMFILE };
	cr_assert_eq(vsock_host_diagnose(&f, m, sizeof(m)), EXIT_VMM_FAILED);
}

Test(device_node, denied_names_the_group_or_the_udev_rule)
{
	char m[512];
	struct device_node_facts f = { .exists = true, .mode = 0660, .uid = 0, .gid = 108,
				       .my_uid = 1000 };
	strcpy(f.group, "kvm");
	device_node_denied_message(m, sizeof(m), "/dev/kvm", "kvm", &f);
	cr_assert(strstr(m, "add the user to group 'kvm'"), "%s", m);
	cr_assert(strstr(m, "uid 1000"), "%s", m);
	f = (struct device_node_facts){ .exists = true, .mode = 0600, .my_uid = 1000 };
	device_node_denied_message(m, sizeof(m), "/dev/vhost-vsock", "vhost-vsock", &f);
	cr_assert(strstr(m, "KERNEL==\"vhost-vsock\", GROUP=\"kvm\", MODE=\"0660\""), "%s", m);
	cr_assert(strstr(m, "mode 0600"), "%s", m);
}

Test(vsock_auto, lowest_first_below_2_31)
{
	cr_assert_eq(vsock_auto_cid(0), 65536);
	cr_assert_eq(vsock_auto_cid(1), 65537);
	cr_assert(vsock_auto_cid(VSOCK_AUTO_CID_TRIES - 1) < 0x80000000u);
}
