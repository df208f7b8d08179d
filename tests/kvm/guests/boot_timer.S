/* Writes the two boot-timer milestones (port 0x440), plus a value the timer
 * must ignore, then resets: minivmm --boot-timer reports both. */
#include "bzimage.h"
	movw $0x440, %dx
	movb $7, %al
	outb %al, %dx			/* not a milestone: ignored */
	movb $1, %al
	outb %al, %dx			/* first userspace instruction */
	movb $2, %al
	outb %al, %dx			/* boot complete */
	PRINT(msg)
	RESET
DEFINE_PRINT
msg:	.asciz "boot timer marks written\r\n"
	BZIMAGE_END
