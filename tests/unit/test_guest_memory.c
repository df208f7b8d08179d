#include <criterion/criterion.h>
#include <stdint.h>

#include "../../boot/layout.h"
#include "../../vmm/guest_memory.h"

Test(guest_memory, small_ram_is_all_low)
{
	struct guest_memory m = { 0 };
	guest_memory_layout(&m, 256 * MiB);
	cr_assert_eq(m.low_size, 256 * MiB);
	cr_assert_eq(m.high_size, 0);
}

Test(guest_memory, large_ram_splits_around_hole)
{
	struct guest_memory m = { 0 };
	guest_memory_layout(&m, 3584 * MiB);
	cr_assert_eq(m.low_size, MMIO_HOLE_START);
	cr_assert_eq(m.high_size, 512 * MiB);
}

Test(guest_memory, translation_and_bounds)
{
	struct guest_memory m = { 0 };
	guest_memory_layout(&m, 3584 * MiB);
	m.host = (uint8_t *)0x10000000; /* never dereferenced */
	cr_assert_eq(guest_memory_ptr(&m, 0x1000, 16), m.host + 0x1000);
	cr_assert_eq(guest_memory_ptr(&m, MMIO_HOLE_END + 5, 1), m.host + MMIO_HOLE_START + 5);
	/* The hole and ranges crossing into it are not RAM. */
	cr_assert_null(guest_memory_ptr(&m, MMIO_HOLE_START, 1));
	cr_assert_null(guest_memory_ptr(&m, MMIO_HOLE_START - 8, 16));
	cr_assert_null(guest_memory_ptr(&m, MMIO_HOLE_END - 1, 2));
	/* End of high RAM, and wrap-around attempts. */
	cr_assert_not_null(guest_memory_ptr(&m, MMIO_HOLE_END + 512 * MiB - 4, 4));
	cr_assert_null(guest_memory_ptr(&m, MMIO_HOLE_END + 512 * MiB - 4, 5));
	cr_assert_null(guest_memory_ptr(&m, UINT64_MAX, 2));
	cr_assert_null(guest_memory_ptr(&m, 0x1000, UINT64_MAX));
	cr_assert_not(guest_memory_contains(&m, UINT64_MAX - 1, 4));
	cr_assert(guest_memory_contains(&m, 0, MMIO_HOLE_START));
}
