/* /init of the demo guest: the first userspace program the kernel runs.
 * It tells minivmm's boot timer (port BOOT_TIMER_PORT) that userspace has
 * started, then becomes busybox init (PID 1 stays PID 1 across exec).
 * Under a VMM without the boot timer the port write is simply ignored. */
#include <stdio.h>
#include <sys/io.h>
#include <unistd.h>

#include "../../lib/platform.h"

int main(void)
{
	if (ioperm(BOOT_TIMER_PORT, 1, 1) == 0)
		outb(BOOT_TIMER_FIRST_USERSPACE, BOOT_TIMER_PORT);
	char *const argv[] = { "init", NULL };
	execv("/bin/busybox", argv);
	perror("minivmm-init: exec /bin/busybox");
	return 127;
}
