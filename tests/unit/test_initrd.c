/* initrd_place: as high as RAM and initrd_addr_max allow, page aligned,
 * never over the kernel. */
#include <criterion/criterion.h>

#include <string.h>

#include "boot/initrd.h"
#include "lib/error.h"
#include "lib/platform.h"

#define PAGE 4096ULL

static struct guest_memory mem_of(uint64_t size)
{
	struct guest_memory mem = {0};

	guest_memory_layout(&mem, size);
	return mem;
}

Test(initrd, fits_at_top_of_ram)
{
	struct guest_memory mem = mem_of(64 * MiB);
	uint64_t addr = 0;

	cr_assert_eq(initrd_place(&mem, 32 * MiB, 0x7fffffff, 4 * MiB, &addr), 0, "%s",
		     error_message());
	cr_assert_eq(addr, 60 * MiB);
}

Test(initrd, page_aligned_and_highest)
{
	struct guest_memory mem = mem_of(64 * MiB);
	uint64_t size = MiB + 100, addr = 0;

	cr_assert_eq(initrd_place(&mem, 32 * MiB, 0x7fffffff, size, &addr), 0);
	cr_assert_eq(addr % PAGE, 0, "addr 0x%llx not page aligned", (unsigned long long)addr);
	cr_assert_leq(addr + size, 64 * MiB);
	/* One page higher would run past the end of RAM. */
	cr_assert_gt(addr + PAGE + size, 64 * MiB);
}

Test(initrd, too_big)
{
	struct guest_memory mem = mem_of(64 * MiB);
	uint64_t addr = 0x5a5a;

	error_clear();
	cr_assert_eq(initrd_place(&mem, 32 * MiB, 0x7fffffff, 40 * MiB, &addr), -1);
	cr_assert_not_null(strstr(error_message(), "initrd (40 MiB) does not fit"), "%s",
			   error_message());
	cr_assert_not_null(strstr(error_message(), "raise --memory"), "%s", error_message());
	cr_assert_eq(addr, 0x5a5a, "addr changed on failure");
	/* Larger than all of memory, and absurdly large: no wrap-around. */
	cr_assert_eq(initrd_place(&mem, 32 * MiB, 0x7fffffff, 65 * MiB, &addr), -1);
	cr_assert_eq(initrd_place(&mem, 0, UINT32_MAX, UINT64_MAX, &addr), -1);
}

Test(initrd, respects_initrd_addr_max)
{
	struct guest_memory mem = mem_of(256 * MiB);
	uint64_t addr = 0;

	/* boot.rst: initrd_addr_max is the highest byte it may occupy. */
	cr_assert_eq(initrd_place(&mem, 32 * MiB, 128 * MiB - 1, 8 * MiB, &addr), 0);
	cr_assert_eq(addr, 120 * MiB);
	/* Below the kernel end: nowhere to go. */
	cr_assert_eq(initrd_place(&mem, 32 * MiB, 16 * MiB - 1, MiB, &addr), -1);
	cr_assert_not_null(strstr(error_message(), "below 0x1000000"), "%s", error_message());
}

Test(initrd, does_not_overlap_kernel)
{
	struct guest_memory mem = mem_of(64 * MiB);
	uint64_t kernel_end = 63 * MiB, addr = 0;

	/* Exactly the room between kernel_end and the end of RAM. */
	cr_assert_eq(initrd_place(&mem, kernel_end, 0x7fffffff, MiB, &addr), 0);
	cr_assert_eq(addr, kernel_end);
	/* One byte more would have to start below kernel_end. */
	cr_assert_eq(initrd_place(&mem, kernel_end, 0x7fffffff, MiB + 1, &addr), -1);
}

Test(initrd, stays_below_the_mmio_hole)
{
	struct guest_memory mem = mem_of(3 * GiB + 512 * MiB);
	uint64_t addr = 0;

	/* Even a kernel that allows any 32-bit address gets low RAM only. */
	cr_assert_eq(initrd_place(&mem, 32 * MiB, UINT32_MAX, 16 * MiB, &addr), 0);
	cr_assert_eq(addr + 16 * MiB, MMIO_HOLE_START);
}
