/* kvm-keeper: holds one idle KVM VM open for the whole life of the nested
 * test host, so that starting and stopping the VMs under test never flips
 * the outer kernel's KVM static keys.
 *
 * Why: KVM turns on a static key when the first VM is created
 * (preempt_notifier_key, tested in every __schedule) and off again when the
 * last one goes away; the local APIC keys (apic_hw_disabled,
 * apic_sw_disabled) likewise follow the count of vCPUs whose APIC is
 * disabled. Each flip rewrites kernel text on the running CPUs with
 * text_poke_bp (an int3 first, then the new instruction). Under QEMU TCG
 * with two vCPUs the outer kernel was caught, after a few dozen VMs, with
 * both CPUs looping in exc_int3 -> poke_int3_handler at a patch site in
 * __schedule: the emulator kept executing the int3 that the memory no
 * longer held, so the whole nested host froze (tests/boot/fifty-vms.sh,
 * QEMU 7.2 monitor `info registers -a` + /proc/kallsyms with nokaslr).
 * With one VM always present, with a vCPU whose APIC is both hardware- and
 * software-disabled, none of those counts ever returns to zero.
 *
 * This works around the test environment, not minivmm: it never runs a
 * vCPU and uses no CPU time. It returns once the VM exists and stays
 * behind in the background. */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MSR_IA32_APICBASE 0x1b
#define APICBASE_DEFAULT 0xfee00000u /* the enable bit (11) clear */

static int fail(const char *what)
{
	fprintf(stderr, "kvm-keeper: %s: %m\n", what);
	return 1;
}

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return fail("/dev/kvm");
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0)
		return fail("KVM_CREATE_IRQCHIP");
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry entry;
	} msrs;
	memset(&msrs, 0, sizeof(msrs));
	msrs.hdr.nmsrs = 1;
	msrs.entry.index = MSR_IA32_APICBASE;
	msrs.entry.data = APICBASE_DEFAULT;
	if (ioctl(vcpu, KVM_SET_MSRS, &msrs) != 1)
		return fail("KVM_SET_MSRS (APIC base, disabled)");
	/* Ready: the parent returns, so the caller knows the VM exists
	 * before it starts any other. */
	pid_t pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid > 0)
		return 0;
	for (;;)
		pause();
}
