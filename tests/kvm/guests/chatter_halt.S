/* Prints 4096 lines (about 270 KB, more than a pipe and minivmm's output
 * buffer hold), then halts for good, idle (interrupts on, none ever raised, so the
 * halt watch leaves it running): its last bytes
 * sit in KVM's coalesced ring, which only the main thread drains now that
 * no vCPU exits. With stdout not drained, the main thread must not block
 * on that output, or it never reads the stop signal. */
#include "bzimage.h"
	movl $4096, %r12d
1:	PRINT(line)
	decl %r12d
	jnz 1b
	PRINT(last)
	sti
2:	hlt
	jmp 2b
DEFINE_PRINT
line:	.asciz "chatter, then a halt; chatter, then a halt; chatter, then a halt\r\n"
last:	.asciz "halting\r\n"
	BZIMAGE_END
