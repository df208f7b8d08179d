#include <criterion/criterion.h>
#include <stdint.h>

#include "lib/guest_memory.h"
#include "lib/platform.h"

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

/* One walk of the regions serves KVM's memory slots, the vhost memory
 * table and the e820 map: below the hole at 0, the rest at 4 GiB, with
 * host addresses and memfd offsets that follow on from each other. */
Test(guest_memory, regions_walk_low_then_high)
{
	struct guest_memory m;
	struct guest_memory_region r[GUEST_MEMORY_MAX_REGIONS + 1];
	unsigned n = 0;
	guest_memory_layout(&m, 3584 * MiB);
	m.host = (uint8_t *)0x10000000; /* never dereferenced */
	struct guest_memory_region it;
	guest_memory_for_each_region(&m, i, it)
		r[n++] = it;
	cr_assert_eq(n, 2);
	cr_assert_eq(r[0].gpa, 0);
	cr_assert_eq(r[0].size, MMIO_HOLE_START);
	cr_assert_eq(r[0].host, m.host);
	cr_assert_eq(r[1].gpa, MMIO_HOLE_END);
	cr_assert_eq(r[1].size, 512 * MiB);
	cr_assert_eq(r[1].host, m.host + MMIO_HOLE_START);
	cr_assert_eq(r[1].file_offset, MMIO_HOLE_START);
	cr_assert_eq(m.fd, -1, "anonymous memory until someone needs to share it");

	n = 0;
	guest_memory_layout(&m, 64 * MiB);
	guest_memory_for_each_region(&m, i, it)
		r[n++] = it;
	cr_assert_eq(n, 1, "no high region when all RAM fits below the hole");
	cr_assert_eq(r[0].size, 64 * MiB);
}
