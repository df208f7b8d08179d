/* Checks the machine state at the 64-bit entry point against the boot
 * protocol (Documentation/x86/boot.rst, "64-bit BOOT PROTOCOL"): long mode
 * with paging, an identity mapping, __BOOT_CS = 0x10 and __BOOT_DS = 0x18,
 * interrupts off, RSI = the boot_params ("zero page") filled in by the
 * loader. Prints "plan 15", then "ok <what>" or "FAIL <what>" for each check. */
#include "bzimage.h"

#define CHECK(jfail, name)					\
	jfail 1f; leaq ok_##name(%rip), %rsi; jmp 2f;		\
1:	leaq fail_##name(%rip), %rsi;				\
2:	call print

#define MSG(name, text)						\
ok_##name:	.ascii "ok "; .ascii text; .asciz "\r\n";	\
fail_##name:	.ascii "FAIL "; .ascii text; .asciz "\r\n"

	movq %rsi, %r15			/* boot_params */
	pushfq
	popq %r14			/* RFLAGS at entry */
	PLAN(15)

	cmpl $0x53726448, 0x202(%r15)	/* "HdrS" copied into boot_params */
	CHECK(jne, hdrs)
	cmpb $0, 0x210(%r15)		/* type_of_loader set by the loader */
	CHECK(je, loader)
	movl 0x228(%r15), %eax		/* cmd_line_ptr */
	movl 0xc8(%r15), %ebx		/* ext_cmd_line_ptr */
	shlq $32, %rbx
	orq %rbx, %rax
	movq (%rax), %rax
	movabsq $0x3d656c6f736e6f63, %rbx /* "console=" */
	cmpq %rbx, %rax
	CHECK(jne, cmdline)
	cmpb $3, 0x1e8(%r15)		/* e820_entries */
	CHECK(jb, e820)
	movq %cr0, %rax
	andl $0x80000001, %eax		/* PG | PE */
	cmpl $0x80000001, %eax
	CHECK(jne, cr0)
	movq %cr4, %rax
	testl $0x20, %eax		/* PAE */
	CHECK(jz, cr4)
	movl $0xc0000080, %ecx		/* EFER */
	rdmsr
	andl $0x500, %eax		/* LMA | LME */
	cmpl $0x500, %eax
	CHECK(jne, efer)
	movw %cs, %ax
	cmpw $0x10, %ax
	CHECK(jne, cs)
	movw %ds, %ax
	cmpw $0x18, %ax
	CHECK(jne, ds)
	movw %ss, %ax
	cmpw $0x18, %ax
	CHECK(jne, ss)
	testl $0x200, %r14d		/* IF */
	CHECK(jnz, interrupts_off)
	leaq kernel_start(%rip), %rax	/* where minivmm loaded us */
	cmpq 0x258(%r15), %rax		/* pref_address */
	CHECK(jne, load_address)
	movl $0xfee00030, %ebx		/* local APIC version, near 4 GiB */
	movl (%rbx), %eax
	andl $0xff, %eax
	cmpl $0x10, %eax		/* an integrated APIC (0x1X) */
	CHECK(jb, identity_map_4g)
	movl $1, %eax
	cpuid
	testl $0x80000000, %ecx		/* CPUID.1:ECX.hypervisor */
	CHECK(jz, hypervisor_bit)
	movl $0x40000000, %eax
	cpuid
	cmpl $0x4b4d564b, %ebx		/* "KVMK" of "KVMKVMKVM" */
	CHECK(jne, kvm_signature)
	PRINT(done)
	RESET
DEFINE_PRINT
MSG(hdrs, "boot_params holds the setup header (HdrS)")
MSG(loader, "type_of_loader is set")
MSG(cmdline, "cmd_line_ptr points at the command line")
MSG(e820, "e820 map has at least 3 entries")
MSG(cr0, "CR0 has PE and PG")
MSG(cr4, "CR4 has PAE")
MSG(efer, "EFER has LME and LMA")
MSG(cs, "CS is __BOOT_CS (0x10)")
MSG(ds, "DS is __BOOT_DS (0x18)")
MSG(ss, "SS is __BOOT_DS (0x18)")
MSG(interrupts_off, "interrupts are disabled")
MSG(load_address, "kernel loaded at pref_address")
MSG(identity_map_4g, "identity map reaches the local APIC below 4 GiB")
MSG(hypervisor_bit, "CPUID reports a hypervisor")
MSG(kvm_signature, "CPUID 0x40000000 has the KVM signature")
done:	.asciz "entry state checked\r\n"
	BZIMAGE_END
