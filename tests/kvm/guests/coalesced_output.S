/* UART output the way Linux's console writes it (serial8250_console_write
 * and the boot decompressor: IER = 0, then for each byte poll LSR for THR
 * empty and write THR), 4 KiB of it, enough to wrap KVM's coalesced ring
 * (about 170 entries) many times. minivmm defers those THR writes to the
 * ring, so the host test checks that every byte still comes out, in order,
 * and that about one exit per byte (the LSR read) remains instead of two.
 * Then:
 *   - the divisor latch: with DLAB set, writes to port 0x3f8 go to DLL and
 *     are deferred like THR writes; reading DLL right after them (an exit,
 *     which replays the ring first) must see the last value written;
 *   - a line with the THR-empty interrupt enabled (IER.ETBEI): those THR
 *     writes must exit (the host test counts coalesced writes exactly);
 *   - a last line with IER = 0 again, then reset. */
#include "bzimage.h"
	movw $COM1 + 1, %dx		/* IER = 0, as Linux's console write does */
	xorb %al, %al
	outb %al, %dx

	/* 64 lines of 62 characters and "\r\n": line i, column j holds
	 * '!' + (i + j) % 94. */
	xorl %ecx, %ecx			/* line */
line:	xorl %ebx, %ebx			/* column */
col:	leal (%rcx,%rbx), %eax
	xorl %edx, %edx
	movl $94, %edi
	divl %edi			/* EDX = (i + j) % 94 */
	leal '!'(%rdx), %eax
	call putc
	incl %ebx
	cmpl $62, %ebx
	jb col
	movb $'\r', %al
	call putc
	movb $'\n', %al
	call putc
	incl %ecx
	cmpl $64, %ecx
	jb line

	/* Divisor latch: DLM first (port 0x3f9 always exits), then three DLL
	 * writes, deferred, and at once the read-back. */
	movw $COM1 + 3, %dx		/* LCR = DLAB | 8N1 */
	movb $0x83, %al
	outb %al, %dx
	movw $COM1 + 1, %dx		/* DLM */
	xorb %al, %al
	outb %al, %dx
	movw $COM1, %dx			/* DLL: the last write must win */
	movb $0x5a, %al
	outb %al, %dx
	movb $0xa5, %al
	outb %al, %dx
	movb $0x0c, %al			/* 115200 / 12 = 9600 baud */
	outb %al, %dx
	inb %dx, %al
	movb %al, %bl
	movw $COM1 + 1, %dx
	inb %dx, %al
	movb %al, %bh
	movw $COM1 + 3, %dx		/* LCR = 8N1, DLAB off */
	movb $0x03, %al
	outb %al, %dx
	cmpw $0x000c, %bx
	jne 1f
	PRINT(divisor_ok)
	jmp 2f
1:	PRINT(divisor_bad)
2:
	movw $COM1 + 1, %dx		/* IER = ETBEI: THR writes exit now */
	movb $0x02, %al
	outb %al, %dx
	PRINT(thri_line)
	movw $COM1 + 1, %dx		/* IER = 0: deferred again */
	xorb %al, %al
	outb %al, %dx
	PRINT(last_line)
	RESET

/* putc: AL = byte; polls LSR for THR empty, then writes THR. */
putc:	pushq %rdx
	pushq %rax
	movw $COM1 + 5, %dx
1:	inb %dx, %al
	testb $0x20, %al
	jz 1b
	popq %rax
	movw $COM1, %dx
	outb %al, %dx
	popq %rdx
	ret

DEFINE_PRINT
divisor_ok:	.asciz "divisor ok\r\n"
divisor_bad:	.asciz "divisor FAIL\r\n"
thri_line:	.asciz "THR-empty interrupt enabled: these bytes exit\r\n"
last_line:	.asciz "end\r\n"
	BZIMAGE_END
