/* The KVM system and VM objects: opening /dev/kvm, checking the API and the
 * capabilities minivmm relies on, creating the VM with its in-kernel
 * irqchip and PIT, and registering guest RAM. */
#ifndef MINIVMM_KVM_H
#define MINIVMM_KVM_H

#include <stdint.h>

#include "guest_memory.h"

struct kvm_cpuid2;

struct kvm {
	int sys_fd;
	int vm_fd;
	int vcpu_mmap_size;
	struct kvm_cpuid2 *cpuid; /* KVM_GET_SUPPORTED_CPUID */
	struct guest_memory mem;
};

/* Open /dev/kvm, check the API version and capabilities, create the VM,
 * irqchip and PIT, and map `memory_bytes` of guest RAM. On failure
 * everything done so far is undone. */
int kvm_init(struct kvm *kvm, uint64_t memory_bytes);
void kvm_destroy(struct kvm *kvm);

/* Set a guest interrupt line (GSI) level through KVM_IRQ_LINE. */
int kvm_set_irq_line(struct kvm *kvm, uint32_t gsi, int level);

#endif
