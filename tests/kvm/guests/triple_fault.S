/* Loads an empty IDT and raises an exception: a triple fault (shutdown). */
#include "bzimage.h"
	PRINT(msg)
	leaq idt(%rip), %rax
	lidt (%rax)
	ud2
DEFINE_PRINT
msg:	.asciz "about to triple fault\r\n"
	.balign 8
idt:	.word 0
	.quad 0
	BZIMAGE_END
