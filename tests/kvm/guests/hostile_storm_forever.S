/* An endless MMIO write storm (QueueSel and the read-only MagicValue, as in
 * hostile_storm.S): minivmm must still answer SIGTERM and the console's
 * Ctrl-A x promptly while its vCPU thread spends its time in MMIO exits. */
#include "bzimage.h"
#include "virtio.h"

	VIRTIO_INIT
	PRINT(msg)
	xorl %ecx, %ecx
1:	movl %ecx, VIRTIO_MMIO_QUEUE_SEL(%rbx)
	movl %ecx, VIRTIO_MMIO_MAGIC_VALUE(%rbx)
	incl %ecx
	jmp 1b
DEFINE_PRINT
msg:	.asciz "storming forever\r\n"
	BZIMAGE_END
