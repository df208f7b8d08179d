/* The CPU state the Linux 64-bit boot protocol asks for at the kernel's
 * entry point (Documentation/x86/boot.rst, "64-bit BOOT PROTOCOL"): long
 * mode with paging on and an identity map, a GDT with flat 4 GiB segments
 * at __BOOT_CS (0x10) and __BOOT_DS (0x18), interrupts off, and %rsi
 * holding the address of struct boot_params; and, further down, the state
 * of the PVH entry of an ELF vmlinux. Pure logic: this writes guest
 * memory and fills KVM register structures, but makes no ioctl. */
#ifndef MINIVMM_BOOT_CPU_SETUP_H
#define MINIVMM_BOOT_CPU_SETUP_H

#include <stdint.h>

#include <linux/kvm.h>

#include "lib/guest_memory.h"
#include "lib/platform.h"

/* GDT selectors. 0x08 is left empty, as in Linux's own boot GDT. */
#define BOOT_CS_SELECTOR 0x10
#define BOOT_DS_SELECTOR 0x18
#define BOOT_TSS_SELECTOR 0x20
/* null, unused, code, data, and the 16-byte 64-bit TSS descriptor. */
#define BOOT_GDT_SIZE (6 * 8)
/* A zeroed 104-byte TSS (SDM Vol. 3, 8.7) just after the GDT. KVM needs a
 * busy TSS in TR to enter the guest; the kernel loads its own before it
 * could ever use this one. */
#define BOOT_TSS_ADDR (BOOT_GDT_ADDR + 0x80)
#define BOOT_TSS_SIZE 0x68

/* Write the GDT (at BOOT_GDT_ADDR), the TSS and the identity-mapped page
 * tables (PML4 at BOOT_PML4_ADDR, PDPT at BOOT_PDPT_ADDR, four page
 * directories from BOOT_PD_ADDR) mapping the first 4 GiB with 2 MiB pages.
 * Returns 0, or -1 with an error if guest RAM does not hold them. */
int cpu_setup_tables(struct guest_memory *mem);

/* Registers for the 64-bit entry of the boot CPU: RIP = entry, RSI =
 * boot_params_gpa, RFLAGS = 0x2 (interrupts off), every other general
 * register 0 (*regs is overwritten entirely). In *sregs the segment and
 * descriptor-table registers, CR0, CR3, CR4 and EFER are set; the other
 * fields (apic_base, CR2, CR8, interrupt_bitmap) are left alone, so fill
 * *sregs with KVM_GET_SREGS first: a zero apic_base would disable the local
 * APIC. */
void cpu_setup_boot_regs(struct kvm_regs *regs, struct kvm_sregs *sregs, uint64_t entry,
			 uint64_t boot_params_gpa);

/* The PVH entry (Xen's HVM start ABI, as arch/x86/platform/pvh/head.S
 * states it): 32-bit protected mode with paging off (CR0 = PE, CR4 = 0,
 * EFER = 0), CS a flat 32-bit code segment, DS/ES/SS flat data, TR a busy
 * 32-bit TSS with base 0 and limit 0x67, interrupts off, and EBX holding the
 * address of struct hvm_start_info (boot/pvh.h). Selectors are unspecified
 * by the ABI; minivmm uses the same slots as for the 64-bit entry. */

/* Write the PVH GDT at BOOT_GDT_ADDR: null, unused, 32-bit code at
 * BOOT_CS_SELECTOR, data at BOOT_DS_SELECTOR, the TSS at BOOT_TSS_SELECTOR.
 * No page tables: the entry runs with paging off. Returns 0, or -1 with an
 * error if guest RAM does not hold it. */
int cpu_setup_pvh_tables(struct guest_memory *mem);

/* Registers for the PVH entry of the boot CPU: EIP = entry, EBX =
 * start_info_gpa, EFLAGS = 0x2, every other general register 0. *sregs as
 * for cpu_setup_boot_regs: fill it with KVM_GET_SREGS first. */
void cpu_setup_pvh_regs(struct kvm_regs *regs, struct kvm_sregs *sregs, uint32_t entry,
			uint32_t start_info_gpa);

/* The 8-byte GDT descriptor (SDM Vol. 3, 3.4.5) for a segment described
 * the way KVM describes it: limit in bytes (encoded in 4 KiB units when
 * g is set), base bits 0-31 (a system descriptor's upper half, base bits
 * 32-63, is not part of this value). */
uint64_t cpu_setup_gdt_entry(const struct kvm_segment *seg);

#endif
