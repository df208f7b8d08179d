/* A hostile driver writes to every read-only and unknown register (virtio
 * 1.2 section 4.2.2: MagicValue, Version, DeviceID, VendorID,
 * DeviceFeatures, QueueNumMax, InterruptStatus, SHM lengths and bases,
 * ConfigGeneration, the vsock config space's guest_cid, legacy and unused
 * offsets). Each is written with all ones, 0 and 0x5a5a5a5a, before and
 * after DRIVER_OK, and must still read its value in the register page
 * afterwards. Run with --vsock-cid 3. */
#include "bzimage.h"
#include "virtio.h"

#define CHECK_STATUS(val, msg) R32(VIRTIO_MMIO_STATUS); EXPECT(val, msg)
#define RO(offset, value, msg) .long offset, value; .quad msg - kernel_start

	PLAN(38)
	VIRTIO_INIT
	SAY(t_reset)
	W32(VIRTIO_MMIO_STATUS, 0)
	call hammer_table
	R32(VIRTIO_MMIO_INTERRUPT_STATUS)
	EXPECT(0, m_isr0)
	/* Writing QueueNumMax does not raise the limit. */
	xorl %eax, %eax
	movl $F1_VERSION_1, %edx
	call negotiate
	W32(VIRTIO_MMIO_QUEUE_SEL, 0)
	W32(VIRTIO_MMIO_QUEUE_NUM_MAX, 512)
	xorl %ecx, %ecx
	call queue_rings
	W32(VIRTIO_MMIO_QUEUE_NUM, 512)
	W32(VIRTIO_MMIO_QUEUE_READY, 1)
	R32(VIRTIO_MMIO_QUEUE_READY)
	EXPECT(0, m_max512)
	call handshake
	EXPECT(S_ALL, m_handshake)

	SAY(t_active)
	call hammer_table
	R32(VIRTIO_MMIO_INTERRUPT_STATUS)
	EXPECT(VIRTIO_MMIO_INT_VRING, m_isr1)
	CHECK_STATUS(S_ALL, m_still)
	call handshake
	EXPECT(S_ALL, m_handshake)
	PRINT(done)
	RESET

/* hammer_table: for each RO entry, write 0xffffffff, 0 and 0x5a5a5a5a
 * (and all ones to InterruptStatus, whose value depends on the state),
 * then check the value. */
hammer_table:
	leaq table(%rip), %r12
1:	movl (%r12), %edx
	movl $0xffffffff, (%rbx, %rdx)
	movl $0, (%rbx, %rdx)
	movl $0x5a5a5a5a, (%rbx, %rdx)
	W32(VIRTIO_MMIO_INTERRUPT_STATUS, 0xffffffff)
	movl (%rbx, %rdx), %eax
	leaq kernel_start(%rip), %rdi
	addq 8(%r12), %rdi
	cmpl 4(%r12), %eax
	call report
	addq $16, %r12
	cmpq $0, 8(%r12)
	jne 1b
	ret
DEFINE_PRINT
	virtio_routines

table:
	RO(VIRTIO_MMIO_MAGIC_VALUE, 0x74726976, m_magic)
	RO(VIRTIO_MMIO_VERSION, 2, m_version)
	RO(VIRTIO_MMIO_DEVICE_ID, 19, m_devid)
	RO(VIRTIO_MMIO_VENDOR_ID, 0x4d4d564d, m_vendor)
	RO(VIRTIO_MMIO_DEVICE_FEATURES, F0_EVENT_IDX | F0_INDIRECT_DESC | F0_SEQPACKET, m_feat)
	RO(VIRTIO_MMIO_QUEUE_NUM_MAX, RING_NUM, m_nummax)
	RO(VIRTIO_MMIO_SHM_LEN_LOW, 0xffffffff, m_shmlen)
	RO(VIRTIO_MMIO_SHM_BASE_HIGH, 0, m_shmbase)
	RO(VIRTIO_MMIO_CONFIG_GENERATION, 0, m_gen)
	RO(VIRTIO_MMIO_CONFIG, 3, m_cid)
	RO(VIRTIO_MMIO_CONFIG + 4, 0, m_cid_high)
	RO(0x028, 0, m_legacy_page)
	RO(0x040, 0, m_legacy_pfn)
	RO(0x0c0, 0, m_unknown)
	RO(0x108, 0, m_beyond)
	RO(0x800, 0, m_far)
	.quad 0, 0
t_reset:	.asciz "-- read-only registers written after a reset\r\n"
t_active:	.asciz "-- the same writes while the device is active\r\n"
m_magic:	.asciz "MagicValue still reads 0x74726976"
m_version:	.asciz "Version still reads 2"
m_devid:	.asciz "DeviceID still reads 19"
m_vendor:	.asciz "VendorID still reads 0x4d4d564d"
m_feat:		.asciz "DeviceFeatures still reads 0x30000002"
m_nummax:	.asciz "QueueNumMax still reads 256"
m_shmlen:	.asciz "SHMLenLow still reads 0xffffffff (no region)"
m_shmbase:	.asciz "SHMBaseHigh still reads 0"
m_gen:		.asciz "ConfigGeneration still reads 0"
m_cid:		.asciz "guest_cid low half still reads 3"
m_cid_high:	.asciz "guest_cid high half still reads 0"
m_legacy_page:	.asciz "legacy GuestPageSize (0x028) reads 0"
m_legacy_pfn:	.asciz "legacy QueuePFN (0x040) reads 0"
m_unknown:	.asciz "unknown 0x0c0 reads 0"
m_beyond:	.asciz "0x108, past the config space, reads 0"
m_far:		.asciz "0x800 reads 0"
m_isr0:		.asciz "InterruptStatus still reads 0 before DRIVER_OK"
m_max512:	.asciz "QueueNumMax = 512 written: QueueNum 512 still refused"
m_isr1:		.asciz "InterruptStatus still reads 1 (VRING) while active"
m_still:	.asciz "Status still reads 0xf"
m_handshake:	.asciz "a correct handshake afterwards reaches Status 0xf"
done:		.asciz "hostile read-only done\r\n"
	BZIMAGE_END
