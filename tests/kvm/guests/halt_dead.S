/* Halts for good: interrupts disabled, then HLT (what Linux's halt and
 * poweroff without ACPI end in). minivmm must notice and exit with status
 * 3 by itself. With --cpus 2 the second vCPU is never started (it waits
 * for INIT/SIPI), which cannot wake anything either. */
#include "bzimage.h"
	PRINT(msg)
	cli
1:	hlt
	jmp 1b
DEFINE_PRINT
msg:	.asciz "halting with interrupts disabled\r\n"
	BZIMAGE_END
