/* Prints the same line on the UART for ever (polled, as Linux's console
 * does), never exiting otherwise: with stdout not drained, minivmm must
 * still stop at once when asked. */
#include "bzimage.h"
1:	PRINT(line)
	jmp 1b
DEFINE_PRINT
line:	.asciz "chatter chatter chatter chatter chatter chatter chatter chatter\r\n"
	BZIMAGE_END
