/* other-hypervisor: plays, on the nested test host, the part of another
 * hypervisor that shares the machine with KVM, for the boot tests of exit
 * statuses 12 and 15 (tests/boot/ci-runner.sh, docs/ci.md). Each command
 * puts the kernel in exactly the state the real one leaves; what follows
 * from it (KVM's or vsock's refusal, and minivmm's status) is the kernel's
 * own code path.
 *
 *   other-hypervisor svm show     print "on" or "off": EFER.SVME on CPU 0
 *   other-hypervisor svm hold     set EFER.SVME on every CPU, as VirtualBox's
 *                                 vboxdrv does while it runs a VM on AMD
 *   other-hypervisor svm release  clear it again
 *   other-hypervisor vmci-vm      create a VMCI host context, as VMware's vmx
 *                                 does when a VM starts
 *
 * svm needs the msr module (/dev/cpu/N/msr); vmci-vm needs vmw_vmci
 * (/dev/vmci). Exit status 0, or 1 with a message. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MSR_EFER 0xc0000080u
#define EFER_SVME (1ull << 12)

/* include/linux/vmw_vmci_defs.h (not part of the UAPI headers). */
#define IOCTL_VMCI_INIT_CONTEXT _IO(7, 0xa0)
#define IOCTL_VMCI_VERSION2 _IO(7, 0xa7)
#define VMCI_VERSION (11u << 16) /* VMCI_VERSION_NOVMVM */
struct vmci_init_blk {
	uint32_t cid;
	uint32_t flags;
};

static int fail(const char *what)
{
	fprintf(stderr, "other-hypervisor: %s: %s\n", what, strerror(errno));
	return 1;
}

static int efer(int cpu, uint64_t *value, int write)
{
	char path[64];
	snprintf(path, sizeof(path), "/dev/cpu/%d/msr", cpu);
	int fd = open(path, write ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = write ? pwrite(fd, value, 8, MSR_EFER) : pread(fd, value, 8, MSR_EFER);
	int e = errno;
	close(fd);
	errno = e;
	return n == 8 ? 0 : -1;
}

static int svm(const char *how)
{
	uint64_t v;
	if (strcmp(how, "show") == 0) {
		if (efer(0, &v, 0) < 0)
			return fail("reading EFER through /dev/cpu/0/msr");
		printf("%s\n", v & EFER_SVME ? "on" : "off");
		return 0;
	}
	int hold = strcmp(how, "hold") == 0;
	if (!hold && strcmp(how, "release") != 0)
		return 2;
	int cpu;
	for (cpu = 0; efer(cpu, &v, 0) == 0; cpu++) {
		v = hold ? v | EFER_SVME : v & ~EFER_SVME;
		if (efer(cpu, &v, 1) < 0)
			return fail("writing EFER through /dev/cpu/N/msr");
	}
	if (cpu == 0)
		return fail("reading EFER through /dev/cpu/0/msr");
	printf("EFER.SVME %s on %d CPU(s)\n", hold ? "set" : "cleared", cpu);
	return 0;
}

static int vmci_vm(void)
{
	int fd = open("/dev/vmci", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail("/dev/vmci");
	int version = (int)VMCI_VERSION;
	if (ioctl(fd, IOCTL_VMCI_VERSION2, &version) < 0)
		return fail("IOCTL_VMCI_VERSION2");
	struct vmci_init_blk blk = { .cid = 100, .flags = 0 };
	if (ioctl(fd, IOCTL_VMCI_INIT_CONTEXT, &blk) < 0)
		return fail("IOCTL_VMCI_INIT_CONTEXT");
	printf("VMCI host context %u created\n", blk.cid);
	/* The VM stops: the context goes, the vsock transport's role stays. */
	close(fd);
	return 0;
}

int main(int argc, char *argv[])
{
	int r = 2;
	if (argc == 3 && strcmp(argv[1], "svm") == 0)
		r = svm(argv[2]);
	else if (argc == 2 && strcmp(argv[1], "vmci-vm") == 0)
		r = vmci_vm();
	if (r == 2)
		fprintf(stderr, "usage: other-hypervisor svm show|hold|release | vmci-vm\n");
	return r;
}
