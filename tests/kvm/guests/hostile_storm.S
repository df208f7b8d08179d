/* A hostile driver floods the device with 1,000,000 MMIO writes while it is
 * active: 500,000 QueueSel writes (each one exits to minivmm, which then
 * rewrites the register page) interleaved with 500,000 writes to the
 * read-only MagicValue (each one refused, and logged only once). The
 * storm is bracketed by writes of 1 and 2 to the boot timer port (0x440),
 * so `--boot-timer` timestamps its start and end on the host. Afterwards
 * the register page must still tell the truth and the device must still
 * work. */
#include "bzimage.h"
#include "virtio.h"

#define BOOT_TIMER_PORT 0x440
#define PAIRS 500000

	PLAN(6)
	VIRTIO_INIT
	call handshake
	EXPECT(S_ALL, m_before)
	movw $BOOT_TIMER_PORT, %dx
	movb $1, %al
	outb %al, %dx
	xorl %ecx, %ecx
1:	movl %ecx, VIRTIO_MMIO_QUEUE_SEL(%rbx)
	movl %ecx, VIRTIO_MMIO_MAGIC_VALUE(%rbx)
	incl %ecx
	cmpl $PAIRS, %ecx
	jb 1b
	movw $BOOT_TIMER_PORT, %dx
	movb $2, %al
	outb %al, %dx
	R32(VIRTIO_MMIO_QUEUE_NUM_MAX)		/* QueueSel is 499999 */
	EXPECT(0, m_sel)
	R32(VIRTIO_MMIO_MAGIC_VALUE)
	EXPECT(0x74726976, m_magic)
	R32(VIRTIO_MMIO_STATUS)
	EXPECT(S_ALL, m_status)
	W32(VIRTIO_MMIO_QUEUE_SEL, 0)
	R32(VIRTIO_MMIO_QUEUE_NUM_MAX)
	EXPECT(RING_NUM, m_sel0)
	call handshake
	EXPECT(S_ALL, m_after)
	PRINT(done)
	RESET
DEFINE_PRINT
	virtio_routines

m_before:	.asciz "handshake before the storm: Status 0xf"
m_sel:		.asciz "after the storm QueueSel is 499999: QueueNumMax reads 0"
m_magic:	.asciz "MagicValue still reads 0x74726976"
m_status:	.asciz "the device is still active: Status 0xf"
m_sel0:		.asciz "QueueSel 0: QueueNumMax reads 256"
m_after:	.asciz "a correct handshake afterwards reaches Status 0xf"
done:		.asciz "hostile storm done\r\n"
	BZIMAGE_END
