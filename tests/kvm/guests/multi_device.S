/* Several virtio-mmio devices side by side (run with --vsock-cid 3
 * --vsock-test-backend LOG --test-device A --test-device B): slot 0 is the
 * vsock device, slots 1 and 2 the test device model (ID 0xffff, serials 0
 * and 1), slot 3 is empty. The guest tells them apart by their registers,
 * gives each its own config write, brings each up with its own rings, and
 * kicks each in its own pattern: 1 kick of queue 0 on vsock (it exits to
 * minivmm: its test backend takes no eventfds), 3 of queue 0 and 1 of
 * queue 1 on slot 1, 2 of queue 1 on slot 2 (absorbed by their kick
 * eventfds, KVM_IOEVENTFD with DATAMATCH = queue). Then it resets them all,
 * which makes each test backend report what its eventfds collected. The
 * first line is the plan: how many checks follow. */
#include "bzimage.h"
#include "virtio.h"

#define SLOT(n) (VIRTIO_BASE + (n) * 0x1000)
#define SELECT(n) movl $SLOT(n), %ebx
#define CONFIG 0x100
#define TEST_ID 0xffff

	PLAN(15)
	/* Who is where. */
	SELECT(0)
	R32(VIRTIO_MMIO_MAGIC_VALUE)
	EXPECT(0x74726976, m_magic0)
	R32(VIRTIO_MMIO_DEVICE_ID)
	EXPECT(19, m_id0)
	SELECT(1)
	R32(VIRTIO_MMIO_DEVICE_ID)
	EXPECT(TEST_ID, m_id1)
	R32(CONFIG)
	EXPECT(0, m_serial1)
	SELECT(2)
	R32(VIRTIO_MMIO_DEVICE_ID)
	EXPECT(TEST_ID, m_id2)
	R32(CONFIG)
	EXPECT(1, m_serial2)
	SELECT(3)
	R32(VIRTIO_MMIO_MAGIC_VALUE)
	EXPECT(0xffffffff, m_empty3)

	/* Config writes stay with their device. */
	SELECT(1)
	W32(CONFIG + 4, 0x11111111)
	SELECT(2)
	W32(CONFIG + 4, 0x22222222)
	SELECT(1)
	R32(CONFIG + 4)
	EXPECT(0x11111111, m_scratch1)
	SELECT(2)
	R32(CONFIG + 4)
	EXPECT(0x22222222, m_scratch2)

	/* Each device up, with rings of its own. */
	SELECT(0)
	call handshake
	EXPECT(S_ALL, m_up0)
	SELECT(1)
	movl $0x400000, %r9d
	call test_up
	EXPECT(S_ALL, m_up1)
	SELECT(2)
	movl $0x600000, %r9d
	call test_up
	EXPECT(S_ALL, m_up2)

	/* Kicks, in a pattern per device. */
	SELECT(0)
	W32(VIRTIO_MMIO_QUEUE_NOTIFY, 0)
	SELECT(1)
	W32(VIRTIO_MMIO_QUEUE_NOTIFY, 0)
	W32(VIRTIO_MMIO_QUEUE_NOTIFY, 1)
	W32(VIRTIO_MMIO_QUEUE_NOTIFY, 0)
	W32(VIRTIO_MMIO_QUEUE_NOTIFY, 0)
	SELECT(2)
	W32(VIRTIO_MMIO_QUEUE_NOTIFY, 1)
	W32(VIRTIO_MMIO_QUEUE_NOTIFY, 1)

	/* A reset of one leaves the others running. */
	SELECT(1)
	W32(VIRTIO_MMIO_STATUS, 0)
	R32(VIRTIO_MMIO_STATUS)
	EXPECT(0, m_reset1)
	SELECT(2)
	R32(VIRTIO_MMIO_STATUS)
	EXPECT(S_ALL, m_still2)
	SELECT(0)
	R32(VIRTIO_MMIO_STATUS)
	EXPECT(S_ALL, m_still0)
	W32(VIRTIO_MMIO_STATUS, 0)
	SELECT(2)
	W32(VIRTIO_MMIO_STATUS, 0)
	PRINT(done)
	RESET
DEFINE_PRINT
	virtio_routines

/* test_up: the test device's handshake: VERSION_1, queues 0 and 1 with 64
 * entries each at R9 + q * 0x10000 (descriptors, +0x1000 avail, +0x2000
 * used), DRIVER_OK. Returns Status, with 0x100 or'ed in if a step did not
 * stick. Clobbers EAX, ECX, EDX, R8. */
test_up:
	xorl %eax, %eax
	movl $F1_VERSION_1, %edx
	call negotiate
	xorl %r8d, %r8d
	cmpl $S_ACK | S_DRIVER | S_FEATURES_OK, %eax
	je 1f
	movl $0x100, %r8d
1:	xorl %ecx, %ecx
2:	movl %ecx, VIRTIO_MMIO_QUEUE_SEL(%rbx)
	W32(VIRTIO_MMIO_QUEUE_NUM, 64)
	movl %ecx, %eax
	shll $16, %eax
	addl %r9d, %eax
	movl %eax, VIRTIO_MMIO_QUEUE_DESC_LOW(%rbx)
	W32(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0)
	addl $RING_AVAIL, %eax
	movl %eax, VIRTIO_MMIO_QUEUE_AVAIL_LOW(%rbx)
	W32(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0)
	addl $RING_USED - RING_AVAIL, %eax
	movl %eax, VIRTIO_MMIO_QUEUE_USED_LOW(%rbx)
	W32(VIRTIO_MMIO_QUEUE_USED_HIGH, 0)
	W32(VIRTIO_MMIO_QUEUE_READY, 1)
	R32(VIRTIO_MMIO_QUEUE_READY)
	cmpl $1, %eax
	je 3f
	movl $0x100, %r8d
3:	incl %ecx
	cmpl $2, %ecx
	jb 2b
	W32(VIRTIO_MMIO_STATUS, S_ALL)
	R32(VIRTIO_MMIO_STATUS)
	orl %r8d, %eax
	ret

m_magic0:	.asciz "slot 0: magic 'virt'"
m_id0:		.asciz "slot 0: vsock (19)"
m_id1:		.asciz "slot 1: test device"
m_serial1:	.asciz "slot 1: serial 0"
m_id2:		.asciz "slot 2: test device"
m_serial2:	.asciz "slot 2: serial 1"
m_empty3:	.asciz "slot 3: nothing there"
m_scratch1:	.asciz "slot 1 keeps its config write"
m_scratch2:	.asciz "slot 2 keeps its config write"
m_up0:		.asciz "slot 0 up"
m_up1:		.asciz "slot 1 up"
m_up2:		.asciz "slot 2 up"
m_reset1:	.asciz "slot 1 reset"
m_still2:	.asciz "slot 2 still up"
m_still0:	.asciz "slot 0 still up"
done:		.asciz "devices done\r\n"
	BZIMAGE_END
