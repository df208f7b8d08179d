/* Writes a line and halts, idle (interrupts on, but nothing raises one:
 * minivmm's halt watch must not end it), so no exit ever follows its last
 * bytes: they sit in KVM's coalesced ring until minivmm's
 * main loop drains it. The first part is polled (LSR reads exit, each
 * replaying the byte before); "END\r\n" is written without polling, so all
 * five bytes depend on the main loop. */
#include "bzimage.h"
	movw $COM1 + 1, %dx		/* IER = 0 */
	xorb %al, %al
	outb %al, %dx
	PRINT(msg)
	movw $COM1, %dx
	movb $'E', %al
	outb %al, %dx
	movb $'N', %al
	outb %al, %dx
	movb $'D', %al
	outb %al, %dx
	movb $'\r', %al
	outb %al, %dx
	movb $'\n', %al
	outb %al, %dx
	sti
9:	hlt
	jmp 9b
DEFINE_PRINT
msg:	.asciz "written before sti; hlt: "
	BZIMAGE_END
