/* Helpers for tiny guests that drive minivmm's virtio-mmio vsock device
 * (0xd0000000, --vsock-cid) as a driver, well-behaved or hostile.
 * Register offsets come from <linux/virtio_mmio.h> (virtio 1.2 section
 * 4.2.2), status bits from virtio 1.2 section 2.1, ring layout from section
 * 2.7. Include after bzimage.h; this file emits no code by itself: the
 * routines come from `virtio_routines` (a GAS macro), placed next to
 * DEFINE_PRINT.
 *
 * Conventions: RBX holds the device's base address for the whole program
 * (set it with VIRTIO_INIT). Register reads are plain loads: minivmm maps
 * the device window as a read-only page mirroring the register file
 * (virtio/register_page.h), so they return the page's bytes whatever their
 * width, while writes leave the guest and reach the transport. */
#include <linux/virtio_mmio.h>

#define VIRTIO_BASE 0xd0000000
#define VIRTIO_INIT movl $VIRTIO_BASE, %ebx

#define W32(reg, val) movl $(val), reg(%rbx)
#define R32(reg) movl reg(%rbx), %eax

#define S_ACK 0x01
#define S_DRIVER 0x02
#define S_DRIVER_OK 0x04
#define S_FEATURES_OK 0x08
#define S_NEEDS_RESET 0x40
#define S_FAILED 0x80
#define S_ALL (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)

/* Device features (word 0 = bits 0..31, word 1 = bits 32..63). */
#define F0_SEQPACKET (1 << 1)
#define F0_INDIRECT_DESC (1 << 28)
#define F0_EVENT_IDX (1 << 29)
#define F1_VERSION_1 (1 << 0)
#define F1_ACCESS_PLATFORM (1 << 1)
#define F1_RING_PACKED (1 << 2)
#define F1_NOTIFICATION_DATA (1 << 6)

/* The rings of the well-behaved handshake: queue q (rx 0, tx 1, event 2)
 * at RING_BASE + q * 0x10000: descriptors at +0 (16-byte aligned), avail
 * ring at +0x1000, used ring at +0x2000, RING_NUM entries. 2 MiB is RAM
 * nothing else uses (the test kernel sits at 16 MiB). The backend moves no
 * data, so the rings are never read. */
#define RING_BASE 0x200000
#define RING_NUM 256
#define RING_AVAIL 0x1000
#define RING_USED 0x2000

/* EXPECT(value, msg): print "ok <msg>" if EAX == value, else
 * "FAIL <msg> (got 0x...)". EXPECT64 compares all of RAX (clobbers RCX). */
#define EXPECT(val, msg) cmpl $(val), %eax; leaq msg(%rip), %rdi; call report
#define EXPECT64(val, msg) movabsq $(val), %rcx; cmpq %rcx, %rax; leaq msg(%rip), %rdi; \
	call report
/* A "-- text" line introducing the next checks (not counted as a check). */
#define SAY(msg) leaq msg(%rip), %rsi; call print

	.macro virtio_routines
/* report: ZF set = pass. RDI = message. Preserves every register but the
 * flags. */
report:
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rsi
	setne %cl
	leaq s_ok(%rip), %rsi
	testb %cl, %cl
	jz 1f
	leaq s_fail(%rip), %rsi
1:	call print
	movq %rdi, %rsi
	call print
	testb %cl, %cl
	jz 2f
	leaq s_got(%rip), %rsi
	call print
	movq 24(%rsp), %rax
	call print_hex
	leaq s_paren(%rip), %rsi
	call print
2:	leaq s_crlf(%rip), %rsi
	call print
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
	ret

/* print_hex: RAX as 16 hex digits. Clobbers RAX, RCX, RDX, RSI. */
print_hex:
	subq $24, %rsp
	movq %rsp, %rsi
	movl $16, %ecx
1:	rolq $4, %rax
	movl %eax, %edx
	andl $15, %edx
	addb $'0', %dl
	cmpb $'9', %dl
	jbe 2f
	addb $'a' - '0' - 10, %dl
2:	movb %dl, (%rsi)
	incq %rsi
	decl %ecx
	jnz 1b
	movb $0, (%rsi)
	movq %rsp, %rsi
	call print
	addq $24, %rsp
	ret

/* negotiate: reset, then ACKNOWLEDGE, DRIVER, DriverFeatures = EDX:EAX
 * (word 1 : word 0), FEATURES_OK, as virtio 1.2 section 3.1.1 steps 1-6.
 * Returns Status (read back) in EAX. */
negotiate:
	W32(VIRTIO_MMIO_STATUS, 0)
	W32(VIRTIO_MMIO_STATUS, S_ACK)
	W32(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER)
	W32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0)
	movl %eax, VIRTIO_MMIO_DRIVER_FEATURES(%rbx)
	W32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1)
	movl %edx, VIRTIO_MMIO_DRIVER_FEATURES(%rbx)
	W32(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK)
	R32(VIRTIO_MMIO_STATUS)
	ret

/* queue_rings: select queue ECX and give it RING_NUM entries at its place
 * in RING_BASE (section 4.2.3.2), without setting QueueReady. Clobbers EAX. */
queue_rings:
	movl %ecx, VIRTIO_MMIO_QUEUE_SEL(%rbx)
	W32(VIRTIO_MMIO_QUEUE_NUM, RING_NUM)
	movl %ecx, %eax
	shll $16, %eax
	addl $RING_BASE, %eax
	movl %eax, VIRTIO_MMIO_QUEUE_DESC_LOW(%rbx)
	W32(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0)
	addl $RING_AVAIL, %eax
	movl %eax, VIRTIO_MMIO_QUEUE_AVAIL_LOW(%rbx)
	W32(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0)
	addl $RING_USED - RING_AVAIL, %eax
	movl %eax, VIRTIO_MMIO_QUEUE_USED_LOW(%rbx)
	W32(VIRTIO_MMIO_QUEUE_USED_HIGH, 0)
	ret

/* queue_up: queue_rings, then QueueReady = 1; EAX = QueueReady read back. */
queue_up:
	call queue_rings
	W32(VIRTIO_MMIO_QUEUE_READY, 1)
	R32(VIRTIO_MMIO_QUEUE_READY)
	ret

/* handshake: the full, correct initialisation (section 3.1.1) with
 * VERSION_1 only and rx, tx and event queues in RING_BASE. Returns Status
 * in EAX, with 0x100 or'ed in if FEATURES_OK did not stick or a QueueReady
 * did not read back 1: a pass is exactly S_ALL (0xf). Clobbers ECX, EDX,
 * R8. */
handshake:
	xorl %eax, %eax
	movl $F1_VERSION_1, %edx
	call negotiate
	xorl %r8d, %r8d
	cmpl $S_ACK | S_DRIVER | S_FEATURES_OK, %eax
	je 1f
	movl $0x100, %r8d
1:	xorl %ecx, %ecx
2:	call queue_up
	cmpl $1, %eax
	je 3f
	movl $0x100, %r8d
3:	incl %ecx
	cmpl $3, %ecx
	jb 2b
	W32(VIRTIO_MMIO_STATUS, S_ALL)
	R32(VIRTIO_MMIO_STATUS)
	orl %r8d, %eax
	ret

s_ok:	.asciz "ok "
s_fail:	.asciz "FAIL "
s_got:	.asciz " (got 0x"
s_paren: .asciz ")"
s_crlf:	.asciz "\r\n"
	.endm

/* A table-driven ring case for `ring_cases` (below): after negotiating
 * `features`, queue 0 (rx) gets QueueNum `num` and the three ring
 * addresses, then QueueReady = 1; queue 1 (tx) is set up correctly, and
 * the driver sets DRIVER_OK. `ready` is what QueueReady must read back for
 * queue 0 (0: refused), and Status after DRIVER_OK must then be 0xf (the
 * device started) or, for a refused queue, 0x4f (DRIVER_OK taken, but the
 * activation failed: DEVICE_NEEDS_RESET, and the backend never saw it). */
#define RING_CASE(features, num, desc, avail, used, ready, msg) \
	.quad features, desc, avail, used, msg - kernel_start; .long num, ready
#define RING_CASE_SIZE 48
#define RING_CASES_END .quad 0, 0, 0, 0, 0; .long 0, 0

	.macro ring_cases_routine
/* ring_cases: R12 = table of RING_CASE ending with RING_CASES_END. Prints,
 * per case, its message (written as "-- what the driver does"), then three
 * checks: QueueReady read back, Status after DRIVER_OK, and a full
 * handshake afterwards. Clobbers RAX, RCX, RDX, RSI, RDI, R8, R12. */
ring_cases:
	cmpq $0, 32(%r12)
	je 9f
	/* The image is position independent: tables hold offsets from a
	 * local label (a global one would need a relocation). */
	leaq kernel_start(%rip), %rsi
	addq 32(%r12), %rsi
	call print
	leaq s_crlf(%rip), %rsi
	call print
	movl 0(%r12), %eax		/* features word 0 */
	movl 4(%r12), %edx		/* word 1 */
	call negotiate
	W32(VIRTIO_MMIO_QUEUE_SEL, 0)
	movl 40(%r12), %eax
	movl %eax, VIRTIO_MMIO_QUEUE_NUM(%rbx)
	movl 8(%r12), %eax
	movl %eax, VIRTIO_MMIO_QUEUE_DESC_LOW(%rbx)
	movl 12(%r12), %eax
	movl %eax, VIRTIO_MMIO_QUEUE_DESC_HIGH(%rbx)
	movl 16(%r12), %eax
	movl %eax, VIRTIO_MMIO_QUEUE_AVAIL_LOW(%rbx)
	movl 20(%r12), %eax
	movl %eax, VIRTIO_MMIO_QUEUE_AVAIL_HIGH(%rbx)
	movl 24(%r12), %eax
	movl %eax, VIRTIO_MMIO_QUEUE_USED_LOW(%rbx)
	movl 28(%r12), %eax
	movl %eax, VIRTIO_MMIO_QUEUE_USED_HIGH(%rbx)
	W32(VIRTIO_MMIO_QUEUE_READY, 1)
	R32(VIRTIO_MMIO_QUEUE_READY)
	leaq m_rc_refused(%rip), %rdi
	leaq m_rc_off(%rip), %rsi
	movl $S_ALL | S_NEEDS_RESET, %edx
	cmpl $0, 44(%r12)
	je 1f
	leaq m_rc_accepted(%rip), %rdi
	leaq m_rc_on(%rip), %rsi
	movl $S_ALL, %edx
1:	cmpl 44(%r12), %eax
	call report
	movq %rsi, %rdi
	movl $1, %ecx			/* tx: a valid queue, so only rx is wrong */
	call queue_up
	W32(VIRTIO_MMIO_STATUS, S_ALL)
	R32(VIRTIO_MMIO_STATUS)
	cmpl %edx, %eax
	call report
	call handshake
	EXPECT(S_ALL, m_rc_handshake)
	addq $RING_CASE_SIZE, %r12
	jmp ring_cases
9:	ret
m_rc_refused:	.asciz "QueueReady = 1 refused: reads back 0"
m_rc_accepted:	.asciz "QueueReady = 1 accepted: reads back 1"
m_rc_off:	.asciz "DRIVER_OK did not start the device: Status 0x4f (DEVICE_NEEDS_RESET)"
m_rc_on:	.asciz "DRIVER_OK started the device: Status 0xf"
m_rc_handshake:	.asciz "a correct handshake afterwards reaches Status 0xf"
	.endm
