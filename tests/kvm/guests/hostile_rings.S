/* A hostile driver places virtqueue rings where no RAM is, with
 * --memory 256 (RAM is [0, 256 MiB)): beyond the end of RAM, across it,
 * in the MMIO hole (the device's own registers), at 4 GiB where this VM
 * has no RAM, and at the top of the 64-bit space, where base + size wraps
 * around 2^64; plus misaligned rings (virtio 1.2 section 2.7: 16, 2, 4).
 * The transport must refuse QueueReady = 1 for each (QueueReady keeps
 * reading 0 in the register page) and, when the driver sets DRIVER_OK
 * anyway, must not start the backend (Status shows DEVICE_NEEDS_RESET).
 * Two positive controls (a ring ending exactly at the end of RAM) must be
 * accepted. After every case a correct handshake must still succeed. */
#include "bzimage.h"
#include "virtio.h"

#define V1 0x100000000		/* VIRTIO_F_VERSION_1 */
#define V1_EVENT_IDX 0x120000000	/* ... and VIRTIO_RING_F_EVENT_IDX */
#define D RING_BASE		/* rx's valid rings */
#define A (RING_BASE + RING_AVAIL)
#define U (RING_BASE + RING_USED)
#define RAM_END 0x10000000

	PLAN(42)
	VIRTIO_INIT
	leaq cases(%rip), %r12
	call ring_cases
	PRINT(done)
	RESET
DEFINE_PRINT
	virtio_routines
	ring_cases_routine

cases:
	RING_CASE(V1, 256, 0xbff00000, A, U, 0, c1)
	RING_CASE(V1, 256, RAM_END - 0x800, A, U, 0, c2)
	RING_CASE(V1, 256, RAM_END - 0x1000, A, U, 1, c3)
	RING_CASE(V1, 256, 0x100000000, A, U, 0, c4)
	RING_CASE(V1, 256, VIRTIO_BASE, A, U, 0, c5)
	RING_CASE(V1, 256, 0xfffffffffffffff0, A, U, 0, c6)
	RING_CASE(V1, 256, D, 0xfffffffffffffffe, U, 0, c7)
	RING_CASE(V1, 256, D, A, 0xfffffffffffffffc, 0, c8)
	RING_CASE(V1, 256, 0xffffffffffffff00, A, U, 0, c9)
	RING_CASE(V1, 256, D + 8, A, U, 0, c10)
	RING_CASE(V1, 256, D, A + 1, U, 0, c11)
	RING_CASE(V1, 256, D, A, U + 2, 0, c12)
	RING_CASE(V1, 256, D, RAM_END - 518, U, 1, c13)
	RING_CASE(V1_EVENT_IDX, 256, D, RAM_END - 518, U, 0, c14)
	RING_CASES_END
c1:	.asciz "-- desc at 0xbff00000, below the hole but beyond RAM"
c2:	.asciz "-- desc at RAM end - 2 KiB: 4 KiB table runs past the end of RAM"
c3:	.asciz "-- desc at RAM end - 4 KiB: ends exactly at the end of RAM (valid)"
c4:	.asciz "-- desc at 4 GiB, where this VM has no RAM"
c5:	.asciz "-- desc at 0xd0000000, the device's own register page"
c6:	.asciz "-- desc at 2^64 - 16 via QueueDescHigh: wraps around 2^64"
c7:	.asciz "-- avail at 2^64 - 2: wraps around 2^64"
c8:	.asciz "-- used at 2^64 - 4: wraps around 2^64"
c9:	.asciz "-- desc at 2^64 - 256: 4 KiB table wraps to address 0xf00"
c10:	.asciz "-- desc 8-byte aligned (needs 16)"
c11:	.asciz "-- avail at an odd address (needs 2)"
c12:	.asciz "-- used 2-byte aligned (needs 4)"
c13:	.asciz "-- avail ring (518 bytes) ends exactly at the end of RAM (valid)"
c14:	.asciz "-- same with EVENT_IDX: used_event makes it 520 bytes, past RAM"
done:	.asciz "hostile rings done\r\n"
	BZIMAGE_END
