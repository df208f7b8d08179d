/* Touches a port and an MMIO address nobody handles: writes are dropped,
 * reads return all-ones, and the guest keeps running. */
#include "bzimage.h"
	movw $0x1234, %dx
	movb $0x42, %al
	outb %al, %dx			/* unhandled port write */
	movw $0x1235, %dx
	inb %dx, %al			/* unhandled port read */
	cmpb $0xff, %al
	jne fail
	movl $0xc0001000, %ebx		/* in the MMIO hole, no device */
	movl $0, (%rbx)			/* unhandled MMIO write */
	movl (%rbx), %eax		/* unhandled MMIO read */
	cmpl $0xffffffff, %eax
	jne fail
	PRINT(ok)
	RESET
fail:	PRINT(bad)
	RESET
DEFINE_PRINT
ok:	.asciz "still running after unhandled I/O\r\n"
bad:	.asciz "FAIL: unhandled read did not return all-ones\r\n"
	BZIMAGE_END
