/* A minimal ELF "vmlinux" for tiny test guests entered through the PVH
 * entry point, so they are loaded through minivmm's real --kernel path for
 * ELF files (boot/vmlinux.c, boot/loader_pvh.c). Written by hand, field by
 * field, so that every byte minivmm parses is visible here (System V ABI,
 * "ELF Header", "Program Header", "Note Section"):
 *   0x000  ELF64 header: x86-64 executable, two program headers
 *   0x040  PT_LOAD: the whole file at PVH_LOAD_ADDR, then PVH_STACK_SIZE
 *          zeroed bytes (.bss), the guest's stack
 *   0x078  PT_NOTE: the note below
 *   0x0b0  note "Xen", type 18 (XEN_ELFNOTE_PHYS32_ENTRY): the entry's
 *          physical address, as Linux's arch/x86/platform/pvh/head.S writes it
 *   0x0c8  the 32-bit entry code (entry32)
 * The code is linked nowhere (objcopy -O binary of an object file), so it
 * names addresses as PVH_ADDR(label): the load address plus the label's
 * offset in the file. It runs only where minivmm put it if minivmm honoured
 * p_paddr. Include this first, then write the 32-bit entry code (paging
 * off, EBX = hvm_start_info), then PVH_END. */

#define PVH_LOAD_ADDR 0x200000
#define PVH_STACK_SIZE 0x1000
#define PVH_ADDR(label) (PVH_LOAD_ADDR + ((label) - _start))
#ifndef PVH_NOTE_TYPE
#define PVH_NOTE_TYPE 18
#endif

	.code32
	.text
	.globl _start
_start:
	.byte 0x7f, 'E', 'L', 'F'	/* e_ident: magic */
	.byte 2				/* ELFCLASS64 */
	.byte 1				/* ELFDATA2LSB */
	.byte 1				/* EV_CURRENT */
	.byte 0				/* ELFOSABI_SYSV */
	.fill 8, 1, 0			/* ABI version, padding */
	.word 2				/* e_type: ET_EXEC */
	.word 62			/* e_machine: EM_X86_64 */
	.long 1				/* e_version */
	.quad PVH_ADDR(entry32)		/* e_entry (not the PVH entry's source) */
	.quad phdrs - _start		/* e_phoff */
	.quad 0				/* e_shoff: no sections */
	.long 0				/* e_flags */
	.word 64			/* e_ehsize */
	.word 56			/* e_phentsize */
	.word 2				/* e_phnum */
	.word 64			/* e_shentsize */
	.word 0				/* e_shnum */
	.word 0				/* e_shstrndx */
phdrs:
	.long 1				/* p_type: PT_LOAD */
	.long 7				/* p_flags: R W X */
	.quad 0				/* p_offset */
	.quad PVH_LOAD_ADDR		/* p_vaddr */
	.quad PVH_LOAD_ADDR		/* p_paddr: where minivmm must put it */
	.quad image_end - _start	/* p_filesz */
	.quad image_end - _start + PVH_STACK_SIZE /* p_memsz */
	.quad 0x1000			/* p_align */
	.long 4				/* p_type: PT_NOTE */
	.long 4				/* p_flags: R */
	.quad note - _start		/* p_offset */
	.quad 0				/* p_vaddr */
	.quad 0				/* p_paddr */
	.quad note_end - note		/* p_filesz */
	.quad note_end - note		/* p_memsz */
	.quad 4				/* p_align */
note:
	.long 4				/* namesz: "Xen" and its NUL */
	.long 8				/* descsz */
	.long PVH_NOTE_TYPE		/* type */
	.asciz "Xen"
	.quad PVH_ADDR(entry32)		/* desc: the 32-bit entry point */
note_end:
entry32:
	movl $PVH_ADDR(image_end) + PVH_STACK_SIZE, %esp /* no stack is given */

#define PVH_END .balign 16; image_end:

/* Helpers: DEFINE_PRINT, PRINT(label), PLAN(n) (print.h), with absolute
 * addresses, as everywhere in this code. */
#define STRING_TO_SI(label) movl $PVH_ADDR(label), %esi
#include "print.h"
