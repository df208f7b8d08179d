#include "vmm/cpuid.h"

#include <stdint.h>

void cpuid_adjust(struct kvm_cpuid2 *c, const struct cpuid_options *opt)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];
		if (e->function == 1) {
			e->ebx = (e->ebx & 0x00ffffffu) | ((uint32_t)opt->apic_id << 24);
			e->ecx |= CPUID_1_ECX_HYPERVISOR;
			if (opt->tsc_deadline)
				e->ecx |= CPUID_1_ECX_TSC_DEADLINE;
			else
				e->ecx &= ~CPUID_1_ECX_TSC_DEADLINE;
		}
		if (e->function == 0xb || e->function == 0x1f)
			e->edx = (uint32_t)opt->apic_id;
	}
}
