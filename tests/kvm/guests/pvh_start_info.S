/* Checks what minivmm hands a kernel at its PVH entry (Xen's HVM start ABI
 * as arch/x86/platform/pvh/head.S states it; struct hvm_start_info in
 * include/xen/interface/hvm/start_info.h): the machine state, the start
 * info's fields, the command line, the initrd as module 0, the RSDP and
 * the memory map. The host runs it with
 *   --memory 64 --cmdline pvh-check --initrd FILE
 * where FILE is 4096 bytes starting "PVHINITR" (tests/kvm/run-tests.sh), and
 * changes one of these to see the matching check fail. Prints "plan 16",
 * then "ok <what>" or "FAIL <what>" for each check, and writes the number
 * of failed checks to the exit port (0x501): 0 is exit status 0. */
#include "pvh.h"

#define CHECK(jfail, name)					\
	jfail 1f; movl $PVH_ADDR(ok_##name), %esi; jmp 2f;	\
1:	incl %edi; movl $PVH_ADDR(fail_##name), %esi;		\
2:	call print

#define MSG(name, text)						\
ok_##name:	.ascii "ok "; .ascii text; .asciz "\r\n";	\
fail_##name:	.ascii "FAIL "; .ascii text; .asciz "\r\n"

#define SI_FLAGS 8
#define SI_NR_MODULES 12
#define SI_MODLIST 16
#define SI_CMDLINE 24
#define SI_RSDP 32
#define SI_MEMMAP 40
#define SI_MEMMAP_ENTRIES 48
#define SI_RESERVED 52

	pushfl
	popl PVH_ADDR(saved_flags)	/* EFLAGS at entry */
	movl %ebx, %ebp			/* hvm_start_info; print clobbers EBX not */
	xorl %edi, %edi			/* failed checks */
	PLAN(16)

	cmpl $0x336ec578, (%ebp)
	CHECK(jne, magic)
	cmpl $1, 4(%ebp)
	CHECK(jne, version)
	movl SI_FLAGS(%ebp), %eax
	orl SI_RESERVED(%ebp), %eax
	testl %eax, %eax
	CHECK(jnz, flags)
	movl %cr0, %eax
	andl $0x80000001, %eax		/* PG | PE */
	cmpl $1, %eax
	CHECK(jne, cr0)
	movl %cr4, %eax
	testl %eax, %eax
	CHECK(jnz, cr4)
	movl $0xc0000080, %ecx		/* EFER */
	rdmsr
	testl $0x500, %eax		/* LMA | LME */
	CHECK(jnz, efer)
	testl $0x200, PVH_ADDR(saved_flags) /* IF */
	CHECK(jnz, interrupts_off)
	cmpl $0x4b4f4f4c, PVH_ADDR(marker) /* "LOOK", read at the linked address */
	CHECK(jne, load_address)
	call check_cmdline
	testl %eax, %eax
	CHECK(jnz, cmdline)
	call check_modules
	testl %eax, %eax
	CHECK(jnz, modules)
	call check_initrd
	testl %eax, %eax
	CHECK(jnz, initrd)
	call check_rsdp
	testl %eax, %eax
	CHECK(jnz, rsdp)
	call check_memmap_count
	testl %eax, %eax
	CHECK(jnz, memmap_count)
	call check_memmap_first
	testl %eax, %eax
	CHECK(jnz, memmap_first)
	call check_memmap_ram
	testl %eax, %eax
	CHECK(jnz, memmap_ram)
	call check_memmap_sane
	testl %eax, %eax
	CHECK(jnz, memmap_sane)

	PRINT(done)
	movl %edi, %eax
	movw $0x501, %dx
	outb %al, %dx			/* the verdict: the VM ends here */
	PRINT(late)
3:	cli
	hlt
	jmp 3b

/* Each check_* returns EAX = 0 when it holds, 1 when not. */
fail_ret:
	movl $1, %eax
	ret

/* The command line: below 4 GiB, starting with minivmm's "console=", and
 * ending with the word the host added (--cmdline pvh-check). */
check_cmdline:
	cmpl $0, SI_CMDLINE + 4(%ebp)
	jne fail_ret
	movl SI_CMDLINE(%ebp), %esi
	testl %esi, %esi
	jz fail_ret
	cmpl $0x736e6f63, (%esi)	/* "cons" */
	jne fail_ret
	cmpl $0x3d656c6f, 4(%esi)	/* "ole=" */
	jne fail_ret
	movl %esi, %ecx			/* the end ... */
1:	cmpb $0, (%ecx)
	je 2f
	incl %ecx
	jmp 1b
2:	cmpl %esi, %ecx			/* ... back to the last word's start */
	je 3f
	cmpb $' ', -1(%ecx)
	je 3f
	decl %ecx
	jmp 2b
3:	movl $PVH_ADDR(want_word), %edx	/* compare, NULs included */
4:	movb (%ecx), %al
	cmpb (%edx), %al
	jne fail_ret
	testb %al, %al
	jz 5f
	incl %ecx
	incl %edx
	jmp 4b
5:	xorl %eax, %eax
	ret

/* One module, listed below 4 GiB, 4096 bytes, without a command line. */
check_modules:
	cmpl $1, SI_NR_MODULES(%ebp)
	jne fail_ret
	cmpl $0, SI_MODLIST + 4(%ebp)
	jne fail_ret
	movl SI_MODLIST(%ebp), %esi
	testl %esi, %esi
	jz fail_ret
	cmpl $4096, 8(%esi)		/* size */
	jne fail_ret
	movl 12(%esi), %eax		/* size, high half */
	orl 16(%esi), %eax		/* cmdline_paddr */
	orl 20(%esi), %eax
	orl 24(%esi), %eax		/* reserved */
	orl 28(%esi), %eax
	testl %eax, %eax
	jnz fail_ret
	ret

/* Module 0 is the initrd: page-aligned, above this kernel and its .bss,
 * holding the host's bytes ("PVHINITR"). */
check_initrd:
	cmpl $1, SI_NR_MODULES(%ebp)
	jb fail_ret
	movl SI_MODLIST(%ebp), %esi
	testl %esi, %esi
	jz fail_ret
	cmpl $0, 4(%esi)
	jne fail_ret
	movl (%esi), %esi
	testl $0xfff, %esi
	jnz fail_ret
	cmpl $PVH_ADDR(image_end) + PVH_STACK_SIZE, %esi
	jb fail_ret
	cmpl $0x49485650, (%esi)	/* "PVHI" */
	jne fail_ret
	cmpl $0x5254494e, 4(%esi)	/* "NITR" */
	jne fail_ret
	xorl %eax, %eax
	ret

check_rsdp:
	cmpl $0, SI_RSDP + 4(%ebp)
	jne fail_ret
	movl SI_RSDP(%ebp), %esi
	testl %esi, %esi
	jz fail_ret
	cmpl $0x20445352, (%esi)	/* "RSD " */
	jne fail_ret
	cmpl $0x20525450, 4(%esi)	/* "PTR " */
	jne fail_ret
	xorl %eax, %eax
	ret

/* At least 3 entries (low RAM, the reserved BIOS area, RAM from 1 MiB),
 * listed below 4 GiB. */
check_memmap_count:
	cmpl $3, SI_MEMMAP_ENTRIES(%ebp)
	jb fail_ret
	cmpl $0, SI_MEMMAP + 4(%ebp)
	jne fail_ret
	cmpl $0, SI_MEMMAP(%ebp)
	je fail_ret
	xorl %eax, %eax
	ret

/* Entry 0: RAM from address 0. Entries are 24 bytes: addr, size, type,
 * reserved. */
check_memmap_first:
	movl SI_MEMMAP(%ebp), %esi
	testl %esi, %esi
	jz fail_ret
	movl (%esi), %eax
	orl 4(%esi), %eax
	jnz fail_ret
	cmpl $1, 16(%esi)
	jne fail_ret
	xorl %eax, %eax
	ret

/* Some entry is RAM from 1 MiB to exactly 64 MiB (--memory 64): the
 * kernel's own memory. */
check_memmap_ram:
	movl SI_MEMMAP(%ebp), %esi
	movl SI_MEMMAP_ENTRIES(%ebp), %ecx
	testl %esi, %esi
	jz fail_ret
1:	testl %ecx, %ecx
	jz fail_ret
	cmpl $0x100000, (%esi)
	jne 2f
	cmpl $0, 4(%esi)
	jne 2f
	cmpl $1, 16(%esi)
	jne 2f
	cmpl $0x4000000 - 0x100000, 8(%esi)
	jne 2f
	cmpl $0, 12(%esi)
	jne 2f
	xorl %eax, %eax
	ret
2:	addl $24, %esi
	decl %ecx
	jmp 1b

/* Every entry is RAM (1) or reserved (2), with its reserved word 0, and
 * starts at or after the end of the one before (below 4 GiB here). */
check_memmap_sane:
	movl SI_MEMMAP(%ebp), %esi
	movl SI_MEMMAP_ENTRIES(%ebp), %ecx
	testl %esi, %esi
	jz fail_ret
	xorl %ebx, %ebx			/* end of the previous entry */
1:	testl %ecx, %ecx
	jz 2f
	cmpl $0, 20(%esi)
	jne fail_ret
	movl 16(%esi), %eax
	cmpl $1, %eax
	jb fail_ret
	cmpl $2, %eax
	ja fail_ret
	cmpl $0, 4(%esi)
	jne fail_ret
	cmpl %ebx, (%esi)
	jb fail_ret
	movl (%esi), %ebx
	addl 8(%esi), %ebx
	addl $24, %esi
	decl %ecx
	jmp 1b
2:	xorl %eax, %eax
	ret

DEFINE_PRINT
MSG(magic, "start info magic is 0x336ec578")
MSG(version, "start info version is 1")
MSG(flags, "flags and reserved are 0")
MSG(cr0, "CR0 has PE, not PG")
MSG(cr4, "CR4 is 0")
MSG(efer, "EFER has neither LME nor LMA")
MSG(interrupts_off, "interrupts are disabled")
MSG(load_address, "loaded at the segment's p_paddr")
MSG(cmdline, "cmdline_paddr holds console=... pvh-check")
MSG(modules, "one module of 4096 bytes, no command line")
MSG(initrd, "module 0 holds the initrd above the kernel")
MSG(rsdp, "rsdp_paddr points at RSD PTR")
MSG(memmap_count, "memory map has at least 3 entries")
MSG(memmap_first, "memory map entry 0 is RAM from 0")
MSG(memmap_ram, "memory map has RAM from 1 MiB to 64 MiB")
MSG(memmap_sane, "memory map entries are ordered RAM or reserved")
done:	.asciz "start info checked\r\n"
late:	.asciz "FAIL: still running after the exit port write\r\n"
want_word: .asciz "pvh-check"
marker:	.ascii "LOOK"
	.balign 4
saved_flags: .long 0
	PVH_END
