/* The CPUID table each vCPU gets: KVM's supported table, adjusted for the
 * machine minivmm describes. Pure logic, no ioctls. */
#ifndef MINIVMM_CPUID_H
#define MINIVMM_CPUID_H

#include <stdbool.h>

#include <linux/kvm.h>

/* CPUID bits minivmm sets itself (leaf 1 ECX). */
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)

struct cpuid_options {
	int apic_id;	    /* this vCPU's local APIC ID, as the MP table/MADT say */
	bool tsc_deadline;  /* KVM_CAP_TSC_DEADLINE_TIMER: offer the TSC-deadline timer */
};

/* Adjust `c` (a copy of KVM_GET_SUPPORTED_CPUID) in place for one vCPU:
 * - the APIC ID in leaf 1 EBX[31:24] and leaves 0xB/0x1F EDX;
 * - the "running under a hypervisor" bit, leaf 1 ECX[31], which KVM does
 *   not report itself: without it Linux never looks at the KVM leaves at
 *   0x40000000 and runs without kvmclock or other paravirt features;
 * - the TSC-deadline timer, leaf 1 ECX[24], when KVM emulates it in its
 *   local APIC: KVM_GET_SUPPORTED_CPUID never reports this bit, and the
 *   kernel's KVM API documentation leaves it to the VMM. With it Linux
 *   skips calibrating its APIC timer against the PIT on every boot. */
void cpuid_adjust(struct kvm_cpuid2 *c, const struct cpuid_options *opt);

#endif
