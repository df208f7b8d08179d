/* Idle for ever: HLT with interrupts enabled, as an idle kernel waits.
 * Nothing here raises an interrupt (no timer is programmed, the UART's IER
 * is 0), so it stays halted; but an interrupt could wake it, so minivmm
 * must not take it for a halted-for-good guest. (There is no IDT: an
 * interrupt would triple-fault, status 1, which the test would see.) */
#include "bzimage.h"
	PRINT(msg)
	sti
1:	hlt
	jmp 1b
DEFINE_PRINT
msg:	.asciz "idle: halted with interrupts enabled\r\n"
	BZIMAGE_END
