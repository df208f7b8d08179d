#include "vmm/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/device_node.h"
#include "lib/error.h"
#include "lib/exit_status.h"
#include "lib/log.h"
#include "lib/platform.h"

/* Capabilities minivmm cannot work without, and why. */
static const struct {
	int cap;
	const char *name;
	const char *why;
} required_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY", "guest RAM" },
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP", "in-kernel interrupt controllers" },
	{ KVM_CAP_PIT2, "KVM_CAP_PIT2", "in-kernel timer (PIT)" },
	{ KVM_CAP_IRQFD, "KVM_CAP_IRQFD", "interrupts raised by vhost" },
	{ KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD", "guest kicks delivered to vhost" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID", "CPUID setup" },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR", "x86 VM setup" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT", "stopping vCPUs cleanly" },
};

/* Addresses KVM needs for its own use on Intel (real-mode emulation); just
 * below the 4 GiB boundary, away from the IOAPIC and LAPIC. */
#define KVM_TSS_ADDR 0xfffbd000ULL
#define KVM_IDENTITY_MAP_ADDR 0xfffbc000ULL

static int open_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno == ENOENT || errno == ENODEV || errno == ENXIO) {
		error_set("/dev/kvm does not exist: this runner cannot run VMs; load the kvm "
			  "module (modprobe kvm_intel or kvm_amd) on a machine whose CPU has "
			  "virtualization enabled (in a cloud VM: one with nested virtualization)");
		return error_status(EXIT_NO_KVM);
	}
	if (errno == EACCES || errno == EPERM) {
		struct device_node_facts f;
		char msg[ERROR_MAX];
		device_node_facts("/dev/kvm", &f);
		device_node_denied_message(msg, sizeof(msg), "/dev/kvm", "kvm", &f);
		error_set("%s", msg);
		return error_status(EXIT_KVM_DENIED);
	}
	return error_errno("/dev/kvm");
}

static int get_supported_cpuid(struct kvm *kvm)
{
	for (int nent = 64; nent <= 4096; nent *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
		if (!c)
			return error_set("out of memory");
		c->nent = nent;
		if (ioctl(kvm->sys_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			kvm->cpuid = c;
			return 0;
		}
		free(c);
		if (errno != E2BIG)
			return error_errno("KVM_GET_SUPPORTED_CPUID");
	}
	return error_set("KVM_GET_SUPPORTED_CPUID: too many entries");
}

/* Huge-page size on x86-64, for the alignment of guest RAM. */
#define GUEST_RAM_ALIGN (2 * MiB)

/* Reserve `bytes` of address space on a huge-page boundary (6.1 does not
 * align large mappings): one huge page more, trimmed on both sides. */
static uint8_t *reserve_aligned(uint64_t bytes)
{
	uint8_t *raw = mmap(NULL, bytes + GUEST_RAM_ALIGN, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	uint8_t *p = (uint8_t *)(((uintptr_t)raw + GUEST_RAM_ALIGN - 1) & ~(GUEST_RAM_ALIGN - 1));
	if (p > raw)
		munmap(raw, (size_t)(p - raw));
	munmap(p + bytes, (size_t)(raw + GUEST_RAM_ALIGN - p));
	return p;
}

/* Guest RAM another process can map (vhost-user backends): a memfd,
 * mapped MAP_SHARED over the reserved range; its fd goes to the backend
 * with SET_MEM_TABLE. Anonymous private memory otherwise, which costs
 * nothing until the guest touches it. */
static int map_ram(struct guest_memory *mem, uint64_t bytes, bool shared)
{
	uint8_t *p = reserve_aligned(bytes);
	if (!p)
		return error_errno("cannot allocate %llu MiB of guest memory",
				   (unsigned long long)(bytes / MiB));
	int flags = MAP_FIXED | MAP_NORESERVE;
	int fd = -1;
	if (shared) {
		fd = memfd_create("minivmm-guest-ram", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, (off_t)bytes) < 0) {
			error_errno("guest RAM for vhost-user: memfd of %llu MiB",
				    (unsigned long long)(bytes / MiB));
			if (fd >= 0)
				close(fd);
			munmap(p, bytes);
			return -1;
		}
		flags |= MAP_SHARED;
	} else {
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
	}
	if (mmap(p, bytes, PROT_READ | PROT_WRITE, flags, fd, 0) == MAP_FAILED) {
		error_errno("cannot map %llu MiB of guest memory", (unsigned long long)(bytes / MiB));
		if (fd >= 0)
			close(fd);
		munmap(p, bytes);
		return -1;
	}
	mem->host = p;
	mem->fd = fd;
	return 0;
}

static int map_memory(struct kvm *kvm, uint64_t bytes, bool shared)
{
	struct guest_memory *mem = &kvm->mem;
	guest_memory_layout(mem, bytes);
	if (map_ram(mem, bytes, shared) < 0)
		return -1;
	uint8_t *p = mem->host;
	/* Transparent huge pages for guest RAM: KVM then maps the guest's
	 * memory with 2 MiB nested-paging entries, so a booting guest takes
	 * one fault per 2 MiB it touches instead of one per 4 KiB. Debian's
	 * kernels enable THP only for ranges that ask (the "madvise" mode).
	 * Without THP this fails or does nothing, which is fine. */
	if (madvise(p, bytes, MADV_HUGEPAGE) < 0)
		log_debug("guest RAM: no transparent huge pages (madvise: %s)", strerror(errno));
	/* A core dump of minivmm must not carry the guest's memory (its
	 * secrets, and gigabytes): VM_DONTDUMP, which core dumps skip. */
	if (madvise(p, bytes, MADV_DONTDUMP) < 0)
		return error_errno("guest RAM: madvise(MADV_DONTDUMP)");

	struct guest_memory_region r;
	guest_memory_for_each_region(mem, i, r) {
		if (kvm_vm_memslot(kvm->vm_fd, KVM_SLOT_RAM_FIRST + i, 0, r.gpa, r.size, r.host) < 0)
			return error_wrap("guest RAM");
	}
	return 0;
}

static int create_vm(struct kvm *kvm, uint64_t memory_bytes, bool shared_memory)
{
	int version = ioctl(kvm->sys_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		error_set("KVM API version %d, minivmm needs %d", version, KVM_API_VERSION);
		return error_status(EXIT_KVM_UNUSABLE);
	}
	for (size_t i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++)
		if (ioctl(kvm->sys_fd, KVM_CHECK_EXTENSION, required_caps[i].cap) <= 0) {
			error_set("this KVM lacks %s (needed for %s): use a newer host kernel",
				  required_caps[i].name, required_caps[i].why);
			return error_status(EXIT_KVM_UNUSABLE);
		}

	kvm->vcpu_mmap_size = ioctl(kvm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (kvm->vcpu_mmap_size <= 0)
		return error_errno("KVM_GET_VCPU_MMAP_SIZE");
	if (get_supported_cpuid(kvm) < 0)
		return -1;
	kvm->tsc_deadline = ioctl(kvm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0;

	kvm->vm_fd = ioctl(kvm->sys_fd, KVM_CREATE_VM, 0);
	if (kvm->vm_fd < 0 && errno == EBUSY) {
		/* KVM turns the CPU's virtualization on when the first VM is
		 * created and off when the last one goes (virt/kvm/kvm_main.c,
		 * hardware_enable_all: EBUSY when any CPU refuses). A CPU
		 * refuses when someone else has it on already: EFER.SVME set
		 * (arch/x86/kvm/svm/svm.c, svm_hardware_enable) or CR4.VMXE set
		 * (vmx.c, vmx_hardware_enable), as VirtualBox or VMware leave
		 * it while they run a VM. */
		error_set("KVM_CREATE_VM: %s: KVM could not turn on the CPU's virtualization "
			  "(AMD SVM / Intel VT-x) because another hypervisor holds it (VirtualBox, "
			  "VMware; the kernel log says 'kvm: enabling virtualization on CPU<n> "
			  "failed'): stop that hypervisor's VMs, or unload its driver (e.g. rmmod "
			  "vboxdrv), and run again",
			  strerror(errno));
		return error_status(EXIT_KVM_UNUSABLE);
	}
	if (kvm->vm_fd < 0)
		return error_errno("KVM_CREATE_VM");
	if (ioctl(kvm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_ADDR) < 0)
		return error_errno("KVM_SET_TSS_ADDR");
	uint64_t identity = KVM_IDENTITY_MAP_ADDR;
	if (ioctl(kvm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity) < 0)
		return error_errno("KVM_SET_IDENTITY_MAP_ADDR");
	/* The irqchip (PIC, IOAPIC, local APICs) must exist before any vCPU. */
	if (ioctl(kvm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return error_errno("KVM_CREATE_IRQCHIP");
	/* Dummy speaker port 0x61 handled in the kernel too. */
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	if (ioctl(kvm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return error_errno("KVM_CREATE_PIT2");
	return map_memory(kvm, memory_bytes, shared_memory);
}

int kvm_init(struct kvm *kvm, uint64_t memory_bytes, bool shared_memory)
{
	*kvm = (struct kvm){ .sys_fd = -1, .vm_fd = -1, .mem = { .fd = -1 } };
	kvm->sys_fd = open_kvm();
	if (kvm->sys_fd < 0)
		return -1;
	if (create_vm(kvm, memory_bytes, shared_memory) < 0) {
		kvm_destroy(kvm);
		return -1;
	}
	return 0;
}

void kvm_destroy(struct kvm *kvm)
{
	if (kvm->mem.host)
		munmap(kvm->mem.host, kvm->mem.size);
	if (kvm->mem.fd >= 0)
		close(kvm->mem.fd);
	if (kvm->vm_fd >= 0)
		close(kvm->vm_fd);
	if (kvm->sys_fd >= 0)
		close(kvm->sys_fd);
	free(kvm->cpuid);
	*kvm = (struct kvm){ .sys_fd = -1, .vm_fd = -1, .mem = { .fd = -1 } };
}
