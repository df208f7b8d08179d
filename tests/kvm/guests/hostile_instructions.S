/* A hostile driver reaches the registers with instructions no driver
 * uses for MMIO: xchg, lock cmpxchg (taken and not taken), lock or and
 * add (read-modify-write), rep movs, movnti, and an 8-byte read across the
 * end of the device's page. KVM emulates them: the read half comes from
 * the register page, the write half reaches the transport as an ordinary
 * 32-bit write, so each must behave exactly like a read followed by a
 * write (write-only registers read 0). None is refused, so no warning is
 * expected. (16-byte SSE accesses are left out: the nested kvm_pvm of the
 * project's machines fails to emulate them, see docs/robustness.md.) */
#include "bzimage.h"
#include "virtio.h"

#define CHECK_STATUS(val, msg) R32(VIRTIO_MMIO_STATUS); EXPECT(val, msg)

	PLAN(11)
	VIRTIO_INIT
	W32(VIRTIO_MMIO_STATUS, 0)
	movl $S_ACK, %eax
	xchgl %eax, VIRTIO_MMIO_STATUS(%rbx)
	EXPECT(0, m_xchg_old)
	CHECK_STATUS(S_ACK, m_xchg)
	movl $S_ACK, %eax
	movl $S_ACK | S_DRIVER, %ecx
	lock cmpxchgl %ecx, VIRTIO_MMIO_STATUS(%rbx)
	CHECK_STATUS(S_ACK | S_DRIVER, m_cmpxchg)
	movl $S_ACK, %eax			/* Status is 3 now: not taken */
	movl $S_ALL, %ecx
	lock cmpxchgl %ecx, VIRTIO_MMIO_STATUS(%rbx)
	EXPECT(S_ACK | S_DRIVER, m_cmpxchg_old)
	CHECK_STATUS(S_ACK | S_DRIVER, m_cmpxchg_not)
	W32(VIRTIO_MMIO_STATUS, 0)
	W32(VIRTIO_MMIO_STATUS, S_ACK)
	lock orl $S_DRIVER, VIRTIO_MMIO_STATUS(%rbx)
	CHECK_STATUS(S_ACK | S_DRIVER, m_or)
	addl $8, VIRTIO_MMIO_QUEUE_SEL(%rbx)	/* reads 0, writes 8 */
	R32(VIRTIO_MMIO_QUEUE_NUM_MAX)
	EXPECT(0, m_add)
	W32(VIRTIO_MMIO_QUEUE_SEL, 0)
	leaq nine(%rip), %rsi
	leaq VIRTIO_MMIO_QUEUE_SEL(%rbx), %rdi
	movl $1, %ecx
	rep movsl
	R32(VIRTIO_MMIO_QUEUE_NUM_MAX)
	EXPECT(0, m_movs)
	W32(VIRTIO_MMIO_QUEUE_SEL, 0)
	movl $9, %eax
	movnti %eax, VIRTIO_MMIO_QUEUE_SEL(%rbx)
	R32(VIRTIO_MMIO_QUEUE_NUM_MAX)
	EXPECT(0, m_movnti)
	/* Low half: the page beyond the config space (0); high half: nothing
	 * is mapped at 0xd0001000, which reads as all ones. */
	movq 0xffc(%rbx), %rax
	EXPECT64(0xffffffff00000000, m_cross)
	call handshake
	EXPECT(S_ALL, m_handshake)
	PRINT(done)
	RESET
DEFINE_PRINT
	virtio_routines

nine:		.long 9
m_xchg_old:	.asciz "xchg with Status returns the old value 0"
m_xchg:		.asciz "xchg wrote ACKNOWLEDGE: Status 0x1"
m_cmpxchg:	.asciz "lock cmpxchg 0x1 -> 0x3 taken: Status 0x3"
m_cmpxchg_old:	.asciz "lock cmpxchg 0x1 -> 0xf not taken: returns 0x3"
m_cmpxchg_not:	.asciz "... and Status stays 0x3"
m_or:		.asciz "lock or of DRIVER: Status 0x3"
m_add:		.asciz "add 8 to QueueSel (reads 0): QueueNumMax of queue 8 reads 0"
m_movs:		.asciz "rep movsl of 9 to QueueSel: QueueNumMax reads 0"
m_movnti:	.asciz "movnti of 9 to QueueSel: QueueNumMax reads 0"
m_cross:	.asciz "8-byte read across the page end: 0 below, all ones above"
m_handshake:	.asciz "a correct handshake afterwards reaches Status 0xf"
done:		.asciz "hostile instructions done\r\n"
	BZIMAGE_END
