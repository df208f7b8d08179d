/* The CPUID table a vCPU gets: APIC ID, hypervisor bit, TSC-deadline timer,
 * and nothing else of KVM's table changed. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/cpuid.h"

#define NENT 5

static struct kvm_cpuid2 *table(void)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + NENT * sizeof(c->entries[0]));
	cr_assert_not_null(c);
	c->nent = NENT;
	/* Leaf 1 as a host might report it: APIC ID 7 of the host CPU in
	 * EBX[31:24], CLFLUSH size 8 in EBX[15:8], SSE3 and x2APIC in ECX. */
	c->entries[0] = (struct kvm_cpuid_entry2){ .function = 0, .eax = 0x1f, .ebx = 0x68747541 };
	c->entries[1] = (struct kvm_cpuid_entry2){
		.function = 1, .eax = 0x00a00f11, .ebx = 0x07000800, .ecx = 0x00200001,
		.edx = 0x178bfbff };
	c->entries[2] = (struct kvm_cpuid_entry2){ .function = 0xb, .index = 0, .eax = 1,
						   .ebx = 1, .ecx = 0x100, .edx = 7 };
	c->entries[3] = (struct kvm_cpuid_entry2){ .function = 0x1f, .index = 1, .edx = 7 };
	c->entries[4] = (struct kvm_cpuid_entry2){ .function = 0x40000001, .eax = 0x01007afb };
	return c;
}

Test(cpuid, sets_apic_id_and_hypervisor_bit)
{
	struct kvm_cpuid2 *c = table();
	cpuid_adjust(c, &(struct cpuid_options){ .apic_id = 3 });
	cr_assert_eq(c->entries[1].ebx, 0x03000800u, "leaf 1 EBX %#x", c->entries[1].ebx);
	cr_assert(c->entries[1].ecx & CPUID_1_ECX_HYPERVISOR);
	cr_assert_eq(c->entries[2].edx, 3u);
	cr_assert_eq(c->entries[3].edx, 3u);
	free(c);
}

Test(cpuid, offers_tsc_deadline_only_when_kvm_has_it)
{
	struct kvm_cpuid2 *c = table();
	cpuid_adjust(c, &(struct cpuid_options){ .apic_id = 0, .tsc_deadline = true });
	cr_assert_eq(c->entries[1].ecx, 0x00200001u | CPUID_1_ECX_TSC_DEADLINE |
						   CPUID_1_ECX_HYPERVISOR);
	free(c);

	c = table();
	c->entries[1].ecx |= CPUID_1_ECX_TSC_DEADLINE; /* never trust the input */
	cpuid_adjust(c, &(struct cpuid_options){ .apic_id = 0, .tsc_deadline = false });
	cr_assert_eq(c->entries[1].ecx, 0x00200001u | CPUID_1_ECX_HYPERVISOR);
	free(c);
}

Test(cpuid, leaves_everything_else_alone)
{
	struct kvm_cpuid2 *want = table(), *c = table();
	cpuid_adjust(c, &(struct cpuid_options){ .apic_id = 1, .tsc_deadline = true });
	cr_assert_eq(c->nent, 5u);
	cr_assert_eq(memcmp(&c->entries[0], &want->entries[0], sizeof(c->entries[0])), 0);
	cr_assert_eq(memcmp(&c->entries[4], &want->entries[4], sizeof(c->entries[0])), 0);
	cr_assert_eq(c->entries[1].eax, want->entries[1].eax);
	cr_assert_eq(c->entries[1].edx, want->entries[1].edx);
	cr_assert_eq(c->entries[2].eax, want->entries[2].eax);
	cr_assert_eq(c->entries[2].ecx, want->entries[2].ecx);
	free(c);
	free(want);
}
