/* The KVM system and VM objects: opening /dev/kvm, checking the API and the
 * capabilities minivmm relies on, creating the VM with its in-kernel
 * irqchip and PIT, and registering guest RAM. */
#ifndef MINIVMM_KVM_H
#define MINIVMM_KVM_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_memory.h"

struct kvm_cpuid2;

/* KVM memory slots. */
#define KVM_SLOT_RAM_LOW 0
#define KVM_SLOT_RAM_HIGH 1
#define KVM_SLOT_VSOCK_REGS 2

struct kvm {
	int sys_fd;
	int vm_fd;
	int vcpu_mmap_size;
	struct kvm_cpuid2 *cpuid; /* KVM_GET_SUPPORTED_CPUID */
	bool tsc_deadline;	  /* KVM_CAP_TSC_DEADLINE_TIMER */
	struct guest_memory mem;
};

/* Open /dev/kvm, check the API version and capabilities, create the VM,
 * irqchip and PIT, and map `memory_bytes` of guest RAM. On failure
 * everything done so far is undone. */
int kvm_init(struct kvm *kvm, uint64_t memory_bytes);
void kvm_destroy(struct kvm *kvm);

/* Set a guest interrupt line (GSI) level through KVM_IRQ_LINE. */
int kvm_set_irq_line(struct kvm *kvm, uint32_t gsi, int level);

/* KVM_IOEVENTFD: a guest write of `len` bytes equal to `datamatch` (any
 * value when datamatch < 0) at MMIO address `addr` signals `fd` inside the
 * kernel, without an exit to minivmm. assign = false removes it again. */
int kvm_ioeventfd(struct kvm *kvm, uint64_t addr, uint32_t len, int64_t datamatch, int fd,
		  bool assign);
/* KVM_IRQFD: a write to `fd` pulses guest interrupt line `gsi` inside the
 * kernel. assign = false removes it again. */
int kvm_irqfd(struct kvm *kvm, uint32_t gsi, int fd, bool assign);

#endif
