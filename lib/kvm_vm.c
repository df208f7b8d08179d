#include "lib/kvm_vm.h"

#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "lib/error.h"

int kvm_vm_ioeventfd(int vm_fd, uint64_t addr, uint32_t len, int64_t datamatch, int fd,
		     bool assign)
{
	struct kvm_ioeventfd io = {
		.datamatch = datamatch < 0 ? 0 : (uint64_t)datamatch,
		.addr = addr,
		.len = len,
		.fd = fd,
		.flags = (datamatch < 0 ? 0 : KVM_IOEVENTFD_FLAG_DATAMATCH) |
			 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
	};
	if (ioctl(vm_fd, KVM_IOEVENTFD, &io) < 0)
		return error_errno("KVM_IOEVENTFD (%s %#llx, data %lld)", assign ? "add" : "remove",
				   (unsigned long long)addr, (long long)datamatch);
	return 0;
}

int kvm_vm_irqfd(int vm_fd, uint32_t gsi, int fd, bool assign)
{
	struct kvm_irqfd irqfd = {
		.fd = (uint32_t)fd,
		.gsi = gsi,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};
	if (ioctl(vm_fd, KVM_IRQFD, &irqfd) < 0)
		return error_errno("KVM_IRQFD (%s GSI %u)", assign ? "add" : "remove", gsi);
	return 0;
}

int kvm_vm_irq_line(int vm_fd, uint32_t gsi, int level)
{
	struct kvm_irq_level irq = { .irq = gsi, .level = level };
	if (ioctl(vm_fd, KVM_IRQ_LINE, &irq) < 0)
		return error_errno("KVM_IRQ_LINE %u", gsi);
	return 0;
}

int kvm_vm_memslot(int vm_fd, uint32_t slot, uint32_t flags, uint64_t gpa, uint64_t size,
		   void *host)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return error_errno("KVM_SET_USER_MEMORY_REGION (slot %u at %#llx, %llu KiB%s)", slot,
				   (unsigned long long)gpa, (unsigned long long)(size / 1024),
				   flags & KVM_MEM_READONLY ? ", read-only" : "");
	return 0;
}

int kvm_vm_has(int vm_fd, long cap)
{
	return ioctl(vm_fd, KVM_CHECK_EXTENSION, cap);
}
