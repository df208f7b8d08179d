/* A hostile driver abuses the queue registers (virtio 1.2 section 4.2.2
 * and 4.2.3.2): QueueNum of 0, 65536 (0 if truncated to 16 bits), all ones,
 * not a power of two, or above QueueNumMax (256); queues that do not exist
 * (QueueSel 3, 8 and 0xffffffff: the transport has room for 8, so 8 probes
 * the first index past its array); queue registers written before
 * FEATURES_OK, rewritten while the queue is ready and after DRIVER_OK;
 * QueueReady = 2. Every such write must be refused, and QueueNumMax and
 * QueueReady must keep reading the truth in the register page. */
#include "bzimage.h"
#include "virtio.h"

#define V1 0x100000000
#define D RING_BASE
#define A (RING_BASE + RING_AVAIL)
#define U (RING_BASE + RING_USED)

	PLAN(45)
	VIRTIO_INIT
	/* Queues that do not exist: QueueNumMax reads 0 (section 4.2.2) and
	 * they cannot be made ready. */
	SAY(t_nonexistent)
	xorl %eax, %eax
	movl $F1_VERSION_1, %edx
	call negotiate
	leaq bad_sels(%rip), %r12
1:	movl (%r12), %ecx
	call queue_rings
	R32(VIRTIO_MMIO_QUEUE_NUM_MAX)
	EXPECT(0, m_nomax)
	W32(VIRTIO_MMIO_QUEUE_READY, 1)
	R32(VIRTIO_MMIO_QUEUE_READY)
	EXPECT(0, m_noready)
	addq $4, %r12
	cmpl $0, (%r12)
	jne 1b
	W32(VIRTIO_MMIO_QUEUE_SEL, 0)
	R32(VIRTIO_MMIO_QUEUE_NUM_MAX)
	EXPECT(RING_NUM, m_max0)
	call handshake
	EXPECT(S_ALL, m_handshake)

	/* Queue registers before FEATURES_OK are ignored, so QueueNum is
	 * still 0 when QueueReady = 1 comes after FEATURES_OK. */
	SAY(t_early)
	W32(VIRTIO_MMIO_STATUS, 0)
	W32(VIRTIO_MMIO_STATUS, S_ACK)
	W32(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER)
	xorl %ecx, %ecx
	call queue_rings
	W32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1)
	W32(VIRTIO_MMIO_DRIVER_FEATURES, F1_VERSION_1)
	W32(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK)
	W32(VIRTIO_MMIO_QUEUE_READY, 1)
	R32(VIRTIO_MMIO_QUEUE_READY)
	EXPECT(0, m_early)
	call handshake
	EXPECT(S_ALL, m_handshake)

	/* A ready queue's size and rings are fixed: the device must start
	 * with the rings it validated, not with what was written later. */
	SAY(t_live)
	xorl %eax, %eax
	movl $F1_VERSION_1, %edx
	call negotiate
	xorl %ecx, %ecx
	call queue_up
	W32(VIRTIO_MMIO_QUEUE_NUM, 512)
	W32(VIRTIO_MMIO_QUEUE_DESC_LOW, 0xbff00000)
	W32(VIRTIO_MMIO_QUEUE_DESC_HIGH, 1)
	W32(VIRTIO_MMIO_QUEUE_USED_LOW, 0xfffffffc)
	R32(VIRTIO_MMIO_QUEUE_READY)
	EXPECT(1, m_live_ready)
	movl $1, %ecx
	call queue_rings
	W32(VIRTIO_MMIO_QUEUE_READY, 2)	/* only 0 and 1 are defined */
	R32(VIRTIO_MMIO_QUEUE_READY)
	EXPECT(0, m_ready2)
	W32(VIRTIO_MMIO_QUEUE_READY, 1)
	movl $2, %ecx
	call queue_up
	W32(VIRTIO_MMIO_STATUS, S_ALL)
	R32(VIRTIO_MMIO_STATUS)
	EXPECT(S_ALL, m_live_start)
	/* After DRIVER_OK the queues cannot be disabled or moved. */
	W32(VIRTIO_MMIO_QUEUE_SEL, 0)
	W32(VIRTIO_MMIO_QUEUE_READY, 0)
	W32(VIRTIO_MMIO_QUEUE_DESC_LOW, 0xbff00000)
	R32(VIRTIO_MMIO_QUEUE_READY)
	EXPECT(1, m_after_ok)
	call handshake
	EXPECT(S_ALL, m_handshake)

	/* Bad sizes, through the table-driven ring cases. */
	leaq cases(%rip), %r12
	call ring_cases
	PRINT(done)
	RESET
DEFINE_PRINT
	virtio_routines
	ring_cases_routine

bad_sels: .long 3, 8, 0xffffffff, 0
cases:
	RING_CASE(V1, 0, D, A, U, 0, c1)
	RING_CASE(V1, 65536, D, A, U, 0, c2)
	RING_CASE(V1, 0xffffffff, D, A, U, 0, c3)
	RING_CASE(V1, 0x10100, D, A, U, 0, c4)
	RING_CASE(V1, 3, D, A, U, 0, c5)
	RING_CASE(V1, 255, D, A, U, 0, c6)
	RING_CASE(V1, 512, D, A, U, 0, c7)
	RING_CASE(V1, 32768, D, A, U, 0, c8)
	RING_CASE(V1, 1, D, A, U, 1, c9)
	RING_CASE(V1, 128, D, A, U, 1, c10)
	RING_CASES_END
c1:	.asciz "-- QueueNum 0"
c2:	.asciz "-- QueueNum 65536 (0 in 16 bits)"
c3:	.asciz "-- QueueNum 0xffffffff"
c4:	.asciz "-- QueueNum 0x10100 (256 in 16 bits)"
c5:	.asciz "-- QueueNum 3, not a power of two"
c6:	.asciz "-- QueueNum 255, not a power of two"
c7:	.asciz "-- QueueNum 512 > QueueNumMax 256"
c8:	.asciz "-- QueueNum 32768 (the split ring's limit) > QueueNumMax"
c9:	.asciz "-- QueueNum 1 (valid)"
c10:	.asciz "-- QueueNum 128 (valid)"
t_nonexistent:	.asciz "-- queues 3, 8 and 0xffffffff, which do not exist\r\n"
t_early:	.asciz "-- queue registers written before FEATURES_OK\r\n"
t_live:		.asciz "-- rings rewritten while ready, QueueReady = 2, changes after DRIVER_OK\r\n"
m_nomax:	.asciz "QueueNumMax of a missing queue reads 0"
m_noready:	.asciz "QueueReady = 1 for a missing queue refused: reads back 0"
m_max0:		.asciz "QueueSel 0 again: QueueNumMax reads 256"
m_early:	.asciz "they were ignored: QueueReady = 1 refused (QueueNum still 0)"
m_live_ready:	.asciz "QueueReady still reads 1 after rewriting a ready queue"
m_ready2:	.asciz "QueueReady = 2 refused: reads back 0"
m_live_start:	.asciz "DRIVER_OK started the device: Status 0xf"
m_after_ok:	.asciz "QueueReady = 0 after DRIVER_OK refused: still reads 1"
m_handshake:	.asciz "a correct handshake afterwards reaches Status 0xf"
done:	.asciz "hostile queues done\r\n"
	BZIMAGE_END
