/* The tiny guest of the --trace test (tests/kvm/run-tests.sh, "trace-"):
 * a known sequence of port and MMIO accesses whose trace the test compares
 * line by line with tests/kvm/trace_tour.expected. Run with --vsock-cid 3
 * --vsock-test-backend LOG. It prints nothing (the console's own accesses
 * would depend on whether KVM coalesces them); it:
 *   1. writes 0x5a to the UART's scratch register and reads it back,
 *   2. reads port 0x80 (POST code / I/O delay; a write there would not
 *      be traced where KVM defers it to the coalesced ring),
 *   3. sets DRIVER_OK on the fresh vsock device (refused: no FEATURES_OK),
 *   4. makes the full handshake (virtio 1.2 section 3.1.1),
 *   5. kicks queue 1 (it exits: the test backend takes no kick eventfds),
 *   6. resets the device,
 *   7. powers off through ACPI PM1a_CNT (S5 + SLP_EN). */
#include "bzimage.h"
#include "virtio.h"

	movw $COM1 + 7, %dx
	movb $0x5a, %al
	outb %al, %dx
	inb %dx, %al
	inb $0x80, %al

	VIRTIO_INIT
	W32(VIRTIO_MMIO_STATUS, S_DRIVER_OK)
	call handshake
	W32(VIRTIO_MMIO_QUEUE_NOTIFY, 1)
	W32(VIRTIO_MMIO_STATUS, 0)

	movw $0x604, %dx
	movw $((5 << 10) | 0x2000), %ax
	outw %ax, %dx
	RESET

DEFINE_PRINT
	virtio_routines
	BZIMAGE_END
