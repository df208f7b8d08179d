/* The few KVM VM ioctls that several layers make: routing a guest write to
 * an eventfd (KVM_IOEVENTFD), an eventfd to a guest interrupt (KVM_IRQFD),
 * setting an interrupt line, and mapping memory slots. Each takes the VM's
 * file descriptor and carries its failure to error_set(), naming the ioctl
 * and its arguments. The VM itself is created in vmm/kvm.c. */
#ifndef MINIVMM_LIB_KVM_VM_H
#define MINIVMM_LIB_KVM_VM_H

#include <stdbool.h>
#include <stdint.h>

/* KVM memory slots: RAM regions first (one per guest_memory region), then
 * one read-only register page per virtio-mmio slot. */
#define KVM_SLOT_RAM_FIRST 0
#define KVM_SLOT_REGISTER_PAGE_FIRST 2

/* KVM_IOEVENTFD: a guest write of `len` bytes equal to `datamatch` (any
 * value when datamatch < 0) at MMIO address `addr` signals `fd` inside the
 * kernel, without an exit to minivmm. assign = false removes it again. */
int kvm_vm_ioeventfd(int vm_fd, uint64_t addr, uint32_t len, int64_t datamatch, int fd,
		     bool assign);
/* KVM_IRQFD: a write to `fd` pulses guest interrupt line `gsi` inside the
 * kernel. assign = false removes it again. */
int kvm_vm_irqfd(int vm_fd, uint32_t gsi, int fd, bool assign);
/* Set a guest interrupt line (GSI) level through KVM_IRQ_LINE. */
int kvm_vm_irq_line(int vm_fd, uint32_t gsi, int level);
/* KVM_SET_USER_MEMORY_REGION; size 0 deletes the slot. */
int kvm_vm_memslot(int vm_fd, uint32_t slot, uint32_t flags, uint64_t gpa, uint64_t size,
		   void *host);
/* KVM_CHECK_EXTENSION on the VM fd: > 0 when present. */
int kvm_vm_has(int vm_fd, long cap);

#endif
