/* What Linux does on a panic with reboot=k,panic_warm: store the BIOS
 * warm-reset flag 0x1234 at 0x472, then reset through the i8042. */
#include "bzimage.h"
	PRINT(msg)
	movw $0x1234, 0x472
	RESET
DEFINE_PRINT
msg:	.asciz "Kernel panic - not syncing: test\r\n"
	BZIMAGE_END
