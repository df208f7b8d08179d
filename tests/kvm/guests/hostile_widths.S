/* A hostile driver uses access widths the virtio-mmio transport does not
 * define. Virtio 1.2 section 4.2.2.2: the driver MUST use 32-bit wide,
 * aligned accesses to the control registers (below 0x100); the config
 * space takes 8, 16 and 32-bit accesses (64-bit fields are read as two
 * halves, as Linux's vm_get does).
 *
 * Reads: minivmm maps the device window as a read-only page mirroring the
 * register file (vmm/register_page.h), so reads never leave the guest and
 * any width returns the bytes that aligned 32-bit reads would: a byte of
 * Status, MagicValue | Version << 32 for 8 bytes at 0, the CID through an
 * 8-byte config read. That is the right expectation: register reads have
 * no side effects, so a narrow or wide read can only observe, and it
 * observes the truth. (Without the page, the transport would answer narrow
 * control reads with 0.) Write-only and unknown registers read 0.
 *
 * Writes leave the guest; every one that is not 32-bit aligned below 0x100
 * (1, 2 and 8 bytes, offset 0x71) must change nothing: Status, QueueSel and
 * the ring addresses keep their values. Run with --vsock-cid 305419896
 * (0x12345678) so the config bytes are distinct. */
#include "bzimage.h"
#include "virtio.h"

#define CHECK_STATUS(val, msg) R32(VIRTIO_MMIO_STATUS); EXPECT(val, msg)

	PLAN(20)
	VIRTIO_INIT
	SAY(t_reads)
	movzbl VIRTIO_MMIO_MAGIC_VALUE(%rbx), %eax
	EXPECT(0x76, m_r1)
	movzwl VIRTIO_MMIO_MAGIC_VALUE(%rbx), %eax
	EXPECT(0x6976, m_r2)
	movq VIRTIO_MMIO_MAGIC_VALUE(%rbx), %rax
	EXPECT64(0x0000000274726976, m_r8)
	movl VIRTIO_MMIO_MAGIC_VALUE + 1(%rbx), %eax
	EXPECT(0x02747269, m_r4u)
	movq VIRTIO_MMIO_CONFIG(%rbx), %rax
	EXPECT64(0x12345678, m_cid8)
	movzbl VIRTIO_MMIO_CONFIG + 1(%rbx), %eax
	EXPECT(0x56, m_cid1)
	movzwl VIRTIO_MMIO_CONFIG + 2(%rbx), %eax
	EXPECT(0x1234, m_cid2)
	R32(VIRTIO_MMIO_QUEUE_SEL)
	EXPECT(0, m_write_only)
	R32(0x074)
	EXPECT(0, m_unknown)
	movl 0xffc(%rbx), %eax
	EXPECT(0, m_beyond)

	SAY(t_writes)
	W32(VIRTIO_MMIO_STATUS, 0)
	movb $S_ACK, VIRTIO_MMIO_STATUS(%rbx)
	movw $S_ACK, VIRTIO_MMIO_STATUS(%rbx)
	movq $S_ACK, VIRTIO_MMIO_STATUS(%rbx)
	movl $0x01010101, VIRTIO_MMIO_STATUS + 1(%rbx)	/* offset 0x71 */
	movl $0x01000000, VIRTIO_MMIO_STATUS - 3(%rbx)	/* 0x6d: its last byte is Status */
	CHECK_STATUS(0, m_w_ack)
	W32(VIRTIO_MMIO_STATUS, S_ACK)
	W32(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER)
	movzbl VIRTIO_MMIO_STATUS(%rbx), %eax
	EXPECT(S_ACK | S_DRIVER, m_r1_status)
	movb $0, VIRTIO_MMIO_STATUS(%rbx)
	movw $0, VIRTIO_MMIO_STATUS(%rbx)
	movq $0, VIRTIO_MMIO_STATUS(%rbx)
	movl $0, VIRTIO_MMIO_STATUS + 1(%rbx)
	CHECK_STATUS(S_ACK | S_DRIVER, m_w_reset)
	/* Narrow and wide DriverFeatures: VERSION_1 never gets acked. */
	W32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1)
	movb $F1_VERSION_1, VIRTIO_MMIO_DRIVER_FEATURES(%rbx)
	movq $F1_VERSION_1, VIRTIO_MMIO_DRIVER_FEATURES(%rbx)
	W32(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK)
	CHECK_STATUS(S_ACK | S_DRIVER, m_w_features)
	W32(VIRTIO_MMIO_DRIVER_FEATURES, F1_VERSION_1)
	W32(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK)
	/* QueueSel: a 1 or 8-byte write of 5 would make QueueNumMax read 0. */
	W32(VIRTIO_MMIO_QUEUE_SEL, 0)
	movb $5, VIRTIO_MMIO_QUEUE_SEL(%rbx)
	movq $5, VIRTIO_MMIO_QUEUE_SEL(%rbx)
	movw $5, VIRTIO_MMIO_QUEUE_SEL + 2(%rbx)
	R32(VIRTIO_MMIO_QUEUE_NUM_MAX)
	EXPECT(RING_NUM, m_w_sel)
	/* An 8-byte write of QueueDescLow/High with an address outside RAM
	 * is ignored; the queue is accepted with its valid rings, which the
	 * backend log shows. */
	xorl %ecx, %ecx
	call queue_rings
	movabsq $0x00000001bff00000, %rax
	movq %rax, VIRTIO_MMIO_QUEUE_DESC_LOW(%rbx)
	movb $0x08, VIRTIO_MMIO_QUEUE_AVAIL_LOW(%rbx)
	movw $0xfff0, VIRTIO_MMIO_QUEUE_USED_LOW + 2(%rbx)
	W32(VIRTIO_MMIO_QUEUE_READY, 1)
	R32(VIRTIO_MMIO_QUEUE_READY)
	EXPECT(1, m_w_desc)
	movl $1, %ecx
	call queue_up
	movl $2, %ecx
	call queue_up
	W32(VIRTIO_MMIO_STATUS, S_ALL)
	CHECK_STATUS(S_ALL, m_started)
	movb $0, VIRTIO_MMIO_QUEUE_NOTIFY(%rbx)	/* no "kick 0" */
	movw $0, VIRTIO_MMIO_QUEUE_NOTIFY(%rbx)
	movq $0, VIRTIO_MMIO_QUEUE_NOTIFY(%rbx)
	W32(VIRTIO_MMIO_QUEUE_NOTIFY, 1)	/* a correct one: "kick 1" */
	/* Config space is read-only; 8-byte accesses are not defined. */
	movb $7, VIRTIO_MMIO_CONFIG(%rbx)
	movl $7, VIRTIO_MMIO_CONFIG(%rbx)
	movq $7, VIRTIO_MMIO_CONFIG(%rbx)
	movq VIRTIO_MMIO_CONFIG(%rbx), %rax
	EXPECT64(0x12345678, m_w_cid)
	/* An 8-byte write across the end of the device's page: the half
	 * inside is beyond the config space, the other half hits nothing. */
	movq $-1, 0xffc(%rbx)
	CHECK_STATUS(S_ALL, m_w_cross)
	call handshake
	EXPECT(S_ALL, m_handshake)
	PRINT(done)
	RESET
DEFINE_PRINT
	virtio_routines

t_reads:	.asciz "-- reads of other widths, served by the register page\r\n"
t_writes:	.asciz "-- writes of other widths, refused by the transport\r\n"
m_r1:		.asciz "1-byte read at 0x000: 0x76 ('v' of MagicValue)"
m_r2:		.asciz "2-byte read at 0x000: 0x6976"
m_r8:		.asciz "8-byte read at 0x000: MagicValue, Version 2 above it"
m_r4u:		.asciz "4-byte read at 0x001: 0x02747269"
m_cid8:		.asciz "8-byte read of guest_cid: 0x12345678"
m_cid1:		.asciz "1-byte read at config + 1: 0x56"
m_cid2:		.asciz "2-byte read at config + 2: 0x1234"
m_write_only:	.asciz "QueueSel (write-only) reads 0"
m_unknown:	.asciz "unknown register 0x074 reads 0"
m_beyond:	.asciz "0xffc, beyond the config space, reads 0"
m_w_ack:	.asciz "1, 2, 8-byte and unaligned writes of ACKNOWLEDGE ignored: Status 0"
m_r1_status:	.asciz "1-byte read of Status: 0x3"
m_w_reset:	.asciz "1, 2, 8-byte and unaligned writes of 0 do not reset: Status 0x3"
m_w_features:	.asciz "1 and 8-byte DriverFeatures ignored: FEATURES_OK refused"
m_w_sel:	.asciz "1, 2 and 8-byte QueueSel ignored: QueueNumMax reads 256"
m_w_desc:	.asciz "8, 1 and 2-byte ring address writes ignored: queue accepted"
m_started:	.asciz "DRIVER_OK started the device: Status 0xf"
m_w_cid:	.asciz "1, 4, 8-byte writes to guest_cid ignored: reads 0x12345678"
m_w_cross:	.asciz "8-byte write across the page end ignored: Status 0xf"
m_handshake:	.asciz "a correct handshake afterwards reaches Status 0xf"
done:		.asciz "hostile widths done\r\n"
	BZIMAGE_END
