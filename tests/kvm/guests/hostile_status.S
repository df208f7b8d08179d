/* A hostile driver breaks the status state machine and feature
 * negotiation (virtio 1.2 sections 2.1, 2.2 and 3.1.1): DRIVER_OK without
 * FEATURES_OK, bits out of order, cleared without a reset, undefined bits,
 * FEATURES_OK after FAILED; features the device never offered
 * (ACCESS_PLATFORM, RING_PACKED, NOTIFICATION_DATA, a word above 63),
 * FEATURES_OK without VERSION_1, DriverFeatures written before DRIVER or
 * after FEATURES_OK; DRIVER_OK with no queue ready; notifications before
 * DRIVER_OK and for missing queues. Status, DeviceFeatures and
 * InterruptStatus must read the truth in the register page throughout. */
#include "bzimage.h"
#include "virtio.h"

#define CHECK_STATUS(val, msg) R32(VIRTIO_MMIO_STATUS); EXPECT(val, msg)
#define HANDSHAKE call handshake; EXPECT(S_ALL, m_handshake)
/* NEGOTIATE(word0, word1): reset, ACK, DRIVER, features, FEATURES_OK. */
#define NEGOTIATE(w0, w1) movl $(w0), %eax; movl $(w1), %edx; call negotiate
#define ACK_DRIVER W32(VIRTIO_MMIO_STATUS, 0); W32(VIRTIO_MMIO_STATUS, S_ACK); \
	W32(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER)

	PLAN(36)
	VIRTIO_INIT
	SAY(t_order)
	W32(VIRTIO_MMIO_STATUS, 0)
	W32(VIRTIO_MMIO_STATUS, S_DRIVER_OK)
	CHECK_STATUS(0, m_dok_alone)
	W32(VIRTIO_MMIO_STATUS, S_DRIVER)
	CHECK_STATUS(0, m_driver_first)
	W32(VIRTIO_MMIO_STATUS, S_ACK)
	W32(VIRTIO_MMIO_STATUS, S_ACK | S_FEATURES_OK)
	CHECK_STATUS(S_ACK, m_fok_no_driver)
	W32(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER)
	W32(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_DRIVER_OK)
	CHECK_STATUS(S_ACK | S_DRIVER, m_dok_no_fok)
	W32(VIRTIO_MMIO_STATUS, S_ACK)
	CHECK_STATUS(S_ACK | S_DRIVER, m_clear)
	W32(VIRTIO_MMIO_STATUS, 0x100 | S_ACK | S_DRIVER)
	W32(VIRTIO_MMIO_STATUS, 0x20 | S_ACK | S_DRIVER)
	CHECK_STATUS(S_ACK | S_DRIVER, m_undefined)
	W32(VIRTIO_MMIO_STATUS, S_FAILED | S_ACK | S_DRIVER)
	W32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1)
	W32(VIRTIO_MMIO_DRIVER_FEATURES, F1_VERSION_1)
	W32(VIRTIO_MMIO_STATUS, S_FAILED | S_ACK | S_DRIVER | S_FEATURES_OK)
	CHECK_STATUS(S_FAILED | S_ACK | S_DRIVER, m_failed)
	HANDSHAKE

	SAY(t_features)
	R32(VIRTIO_MMIO_DEVICE_FEATURES)	/* DeviceFeaturesSel is 0 */
	EXPECT(F0_EVENT_IDX | F0_INDIRECT_DESC | F0_SEQPACKET, m_dev_f0)
	W32(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1)
	R32(VIRTIO_MMIO_DEVICE_FEATURES)
	EXPECT(F1_VERSION_1, m_dev_f1)
	W32(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0xffffffff)
	R32(VIRTIO_MMIO_DEVICE_FEATURES)
	EXPECT(0, m_dev_fx)
	NEGOTIATE(0, F1_VERSION_1 | F1_ACCESS_PLATFORM)
	EXPECT(S_ACK | S_DRIVER, m_access_platform)
	W32(VIRTIO_MMIO_STATUS, S_ALL)
	CHECK_STATUS(S_ACK | S_DRIVER, m_dok_refused)
	HANDSHAKE
	NEGOTIATE(0, F1_VERSION_1 | F1_RING_PACKED)
	EXPECT(S_ACK | S_DRIVER, m_packed)
	HANDSHAKE
	NEGOTIATE(0, F1_VERSION_1 | F1_NOTIFICATION_DATA)
	EXPECT(S_ACK | S_DRIVER, m_notif_data)
	HANDSHAKE
	NEGOTIATE(1, F1_VERSION_1)		/* bit 0: VIRTIO_VSOCK_F_STREAM */
	EXPECT(S_ACK | S_DRIVER, m_bit0)
	HANDSHAKE
	NEGOTIATE(F0_EVENT_IDX, 0)
	EXPECT(S_ACK | S_DRIVER, m_no_v1)
	HANDSHAKE
	ACK_DRIVER
	W32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1)
	W32(VIRTIO_MMIO_DRIVER_FEATURES, F1_VERSION_1)
	W32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2)
	W32(VIRTIO_MMIO_DRIVER_FEATURES, 1)
	W32(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK)
	CHECK_STATUS(S_ACK | S_DRIVER, m_word2)
	HANDSHAKE
	/* DriverFeatures before DRIVER is ignored: nothing acked, so no
	 * VERSION_1 and FEATURES_OK does not stick. */
	W32(VIRTIO_MMIO_STATUS, 0)
	W32(VIRTIO_MMIO_STATUS, S_ACK)
	W32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1)
	W32(VIRTIO_MMIO_DRIVER_FEATURES, F1_VERSION_1)
	W32(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER)
	W32(VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK)
	CHECK_STATUS(S_ACK | S_DRIVER, m_before_driver)
	HANDSHAKE
	/* DriverFeatures after FEATURES_OK is ignored: the backend must be
	 * started with VERSION_1 alone (the shell checks its log). */
	NEGOTIATE(0, F1_VERSION_1)
	W32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0)
	W32(VIRTIO_MMIO_DRIVER_FEATURES, F0_EVENT_IDX)
	W32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1)
	W32(VIRTIO_MMIO_DRIVER_FEATURES, F1_VERSION_1 | F1_ACCESS_PLATFORM)
	xorl %ecx, %ecx
1:	call queue_up
	incl %ecx
	cmpl $3, %ecx
	jb 1b
	W32(VIRTIO_MMIO_STATUS, S_ALL)
	CHECK_STATUS(S_ALL, m_late_features)

	SAY(t_interrupts)
	R32(VIRTIO_MMIO_INTERRUPT_STATUS)
	EXPECT(VIRTIO_MMIO_INT_VRING, m_isr_active)
	W32(VIRTIO_MMIO_QUEUE_NOTIFY, 0)	/* the shell expects "kick 0" */
	W32(VIRTIO_MMIO_QUEUE_NOTIFY, 1)	/* ... and "kick 1" */
	W32(VIRTIO_MMIO_QUEUE_NOTIFY, 2)	/* event queue: stays in minivmm */
	W32(VIRTIO_MMIO_QUEUE_NOTIFY, 3)	/* no such queue */
	W32(VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffff)
	W32(VIRTIO_MMIO_INTERRUPT_ACK, 0xfffffffc) /* undefined bits only */
	R32(VIRTIO_MMIO_INTERRUPT_STATUS)
	EXPECT(VIRTIO_MMIO_INT_VRING, m_isr_still)
	NEGOTIATE(0, F1_VERSION_1)
	W32(VIRTIO_MMIO_QUEUE_NOTIFY, 0)	/* before DRIVER_OK: ignored */
	W32(VIRTIO_MMIO_STATUS, S_ALL)		/* with no queue ready */
	CHECK_STATUS(S_ALL | S_NEEDS_RESET, m_no_queues)
	R32(VIRTIO_MMIO_INTERRUPT_STATUS)
	EXPECT(VIRTIO_MMIO_INT_CONFIG, m_isr_config)
	W32(VIRTIO_MMIO_QUEUE_NOTIFY, 1)	/* device not active: ignored */
	W32(VIRTIO_MMIO_STATUS, S_ALL | S_NEEDS_RESET) /* as Linux writes it back */
	CHECK_STATUS(S_ALL | S_NEEDS_RESET, m_writeback)
	W32(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG)
	R32(VIRTIO_MMIO_INTERRUPT_STATUS)
	EXPECT(0, m_isr_acked)
	W32(VIRTIO_MMIO_STATUS, 0)
	CHECK_STATUS(0, m_reset)
	R32(VIRTIO_MMIO_QUEUE_READY)
	EXPECT(0, m_reset_ready)
	HANDSHAKE
	PRINT(done)
	RESET
DEFINE_PRINT
	virtio_routines

t_order:	.asciz "-- status bits out of order\r\n"
t_features:	.asciz "-- feature negotiation\r\n"
t_interrupts:	.asciz "-- notifications and interrupt status\r\n"
m_dok_alone:	.asciz "DRIVER_OK right after reset refused: Status 0"
m_driver_first:	.asciz "DRIVER before ACKNOWLEDGE refused: Status 0"
m_fok_no_driver: .asciz "FEATURES_OK without DRIVER refused: Status 0x1"
m_dok_no_fok:	.asciz "DRIVER_OK without FEATURES_OK refused: Status 0x3"
m_clear:	.asciz "clearing DRIVER without a reset refused: Status 0x3"
m_undefined:	.asciz "undefined Status bits 0x100, 0x20 refused: Status 0x3"
m_failed:	.asciz "FEATURES_OK after FAILED refused: Status 0x83"
m_dev_f0:	.asciz "DeviceFeatures word 0: EVENT_IDX, INDIRECT_DESC, SEQPACKET"
m_dev_f1:	.asciz "DeviceFeatures word 1: VERSION_1 only (no bits 33, 34, 38)"
m_dev_fx:	.asciz "DeviceFeatures word 0xffffffff reads 0"
m_access_platform: .asciz "ACCESS_PLATFORM (never offered): FEATURES_OK refused"
m_dok_refused:	.asciz "then DRIVER_OK refused too: Status 0x3"
m_packed:	.asciz "RING_PACKED (never offered): FEATURES_OK refused"
m_notif_data:	.asciz "NOTIFICATION_DATA (never offered): FEATURES_OK refused"
m_bit0:		.asciz "feature bit 0 (never offered): FEATURES_OK refused"
m_no_v1:	.asciz "FEATURES_OK without VERSION_1 refused"
m_word2:	.asciz "a feature above bit 63: FEATURES_OK refused"
m_before_driver: .asciz "DriverFeatures before DRIVER ignored: FEATURES_OK refused"
m_late_features: .asciz "late DriverFeatures ignored; device started"
m_isr_active:	.asciz "InterruptStatus of an active device reads VRING (1)"
m_isr_still:	.asciz "InterruptACK of undefined bits: InterruptStatus still 1"
m_no_queues:	.asciz "DRIVER_OK with no queue ready: Status 0x4f, not started"
m_isr_config:	.asciz "InterruptStatus reads CONFIG (2) after the failure"
m_writeback:	.asciz "Status written back with NEEDS_RESET: still 0x4f"
m_isr_acked:	.asciz "InterruptACK of CONFIG: InterruptStatus reads 0"
m_reset:	.asciz "reset: Status reads 0"
m_reset_ready:	.asciz "reset: QueueReady reads 0"
m_handshake:	.asciz "a correct handshake afterwards reaches Status 0xf"
done:	.asciz "hostile status done\r\n"
	BZIMAGE_END
