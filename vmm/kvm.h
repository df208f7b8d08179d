/* The KVM system and VM objects: opening /dev/kvm, checking the API and the
 * capabilities minivmm relies on, creating the VM with its in-kernel
 * irqchip and PIT, and registering guest RAM. */
#ifndef MINIVMM_KVM_H
#define MINIVMM_KVM_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/guest_memory.h"
#include "lib/kvm_vm.h"

struct kvm_cpuid2;

struct kvm {
	int sys_fd;
	int vm_fd;
	int vcpu_mmap_size;
	struct kvm_cpuid2 *cpuid; /* KVM_GET_SUPPORTED_CPUID */
	bool tsc_deadline;	  /* KVM_CAP_TSC_DEADLINE_TIMER */
	struct guest_memory mem;
};

/* Open /dev/kvm, check the API version and capabilities, create the VM,
 * irqchip and PIT, and map `memory_bytes` of guest RAM: shareable (a
 * memfd in mem.fd) when shared_memory, for vhost-user backends; private
 * anonymous memory otherwise. On failure everything done so far is undone. */
int kvm_init(struct kvm *kvm, uint64_t memory_bytes, bool shared_memory);
void kvm_destroy(struct kvm *kvm);

#endif
