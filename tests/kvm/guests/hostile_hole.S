/* A hostile driver places virtqueue rings around the MMIO hole, with
 * --memory 3584: RAM is [0, 3 GiB) and [4 GiB, 4.5 GiB), the hole
 * [3 GiB, 4 GiB) holds the devices. A ring that straddles 3 GiB, lies in
 * the hole (the local APIC), crosses 4 GiB from the hole into RAM, runs
 * past the end of the high RAM, or wraps around 2^64 must be refused; rings
 * that end exactly at 3 GiB or at the end of RAM, or lie above 4 GiB, are
 * valid and must be accepted. After every case a correct handshake must
 * still succeed. (virtio 1.2 section 2.7 for the ring sizes: 16 * num
 * bytes of descriptors, 6 + 2 * num of avail ring, 6 + 8 * num of used.) */
#include "bzimage.h"
#include "virtio.h"

#define V1 0x100000000		/* VIRTIO_F_VERSION_1 */
#define D RING_BASE
#define A (RING_BASE + RING_AVAIL)
#define U (RING_BASE + RING_USED)
#define LOW_END 0xc0000000
#define HIGH 0x100000000
#define HIGH_END 0x120000000

	PLAN(33)
	VIRTIO_INIT
	leaq cases(%rip), %r12
	call ring_cases
	PRINT(done)
	RESET
DEFINE_PRINT
	virtio_routines
	ring_cases_routine

cases:
	RING_CASE(V1, 256, LOW_END - 0x800, A, U, 0, c1)
	RING_CASE(V1, 256, LOW_END - 0x1000, A, U, 1, c2)
	RING_CASE(V1, 256, D, LOW_END - 2, U, 0, c3)
	RING_CASE(V1, 256, D, A, LOW_END - 4, 0, c4)
	RING_CASE(V1, 256, 0xfee00000, A, U, 0, c5)
	RING_CASE(V1, 256, HIGH - 0x800, A, U, 0, c6)
	RING_CASE(V1, 256, HIGH, HIGH + 0x1000, HIGH + 0x2000, 1, c7)
	RING_CASE(V1, 256, HIGH_END - 0x800, A, U, 0, c8)
	RING_CASE(V1, 256, HIGH_END - 0x1000, A, U, 1, c9)
	RING_CASE(V1, 256, HIGH_END, A, U, 0, c10)
	RING_CASE(V1, 256, 0xfffffffffffffff0, A, U, 0, c11)
	RING_CASES_END
c1:	.asciz "-- desc at 0xbffff800: the 4 KiB table straddles 3 GiB into the hole"
c2:	.asciz "-- desc at 0xbffff000: ends exactly at 3 GiB (valid)"
c3:	.asciz "-- avail at 0xbffffffe: straddles 3 GiB"
c4:	.asciz "-- used at 0xbffffffc: straddles 3 GiB"
c5:	.asciz "-- desc at 0xfee00000, the local APIC in the hole"
c6:	.asciz "-- desc at 0xfffff800: crosses 4 GiB from the hole into RAM"
c7:	.asciz "-- all three rings above 4 GiB (valid)"
c8:	.asciz "-- desc at 0x11ffff800: runs past the end of RAM at 4.5 GiB"
c9:	.asciz "-- desc at 0x11ffff000: ends exactly at the end of RAM (valid)"
c10:	.asciz "-- desc at 0x120000000, just beyond RAM"
c11:	.asciz "-- desc at 2^64 - 16 via QueueDescHigh: wraps around 2^64"
done:	.asciz "hostile hole rings done\r\n"
	BZIMAGE_END
