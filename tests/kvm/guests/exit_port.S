/* Ends the VM through the exit port (0x501) with the verdict given as the
 * last word of its command line ("... 42"), so one guest reaches every
 * status of the verdict band. The command line's address is boot_params'
 * cmd_line_ptr (offset 0x228; RSI holds boot_params at the 64-bit entry). */
#include "bzimage.h"
	movl 0x228(%rsi), %ebx		/* cmd_line_ptr (below 4 GiB) */
	movq %rbx, %rdi
1:	cmpb $0, (%rdi)			/* find the end */
	je 2f
	incq %rdi
	jmp 1b
2:	movq %rdi, %rcx			/* back to the last word's start */
3:	cmpq %rbx, %rcx
	je 4f
	cmpb $' ', -1(%rcx)
	je 4f
	decq %rcx
	jmp 3b
4:	xorl %eax, %eax			/* its decimal value */
5:	movzbl (%rcx), %edx
	subl $'0', %edx
	cmpl $9, %edx
	ja 6f
	imull $10, %eax
	addl %edx, %eax
	incq %rcx
	jmp 5b
6:	movl %eax, %r12d
	PRINT(msg)
	movl %r12d, %eax
	movw $0x501, %dx
	outb %al, %dx			/* the verdict: the VM ends here */
	PRINT(late)
	RESET
DEFINE_PRINT
msg:	.asciz "writing my verdict to the exit port\r\n"
late:	.asciz "FAIL: still running after the exit port write\r\n"
	BZIMAGE_END
