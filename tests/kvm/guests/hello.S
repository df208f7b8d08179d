/* Prints a line on the UART and resets: output reaches stdout, exit 0. */
#include "bzimage.h"
	PRINT(msg)
	RESET
DEFINE_PRINT
msg:	.asciz "hello from a tiny guest\r\n"
	BZIMAGE_END
