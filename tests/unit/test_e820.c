/* e820_build for guests of several sizes, including one whose RAM crosses
 * the MMIO hole below 4 GiB. */
#include <criterion/criterion.h>

#include <string.h>

#include "boot/e820.h"
#include "lib/error.h"
#include "lib/platform.h"

static int build(uint64_t size, struct boot_e820_entry *table, int max)
{
	struct guest_memory mem = {0};

	guest_memory_layout(&mem, size);
	return e820_build(&mem, table, max);
}

static void expect_entry(const struct boot_e820_entry *e, uint64_t addr, uint64_t end,
			 uint32_t type)
{
	cr_assert_eq(e->addr, addr, "entry at 0x%llx, want 0x%llx", (unsigned long long)e->addr,
		     (unsigned long long)addr);
	cr_assert_eq(e->addr + e->size, end, "entry ends at 0x%llx, want 0x%llx",
		     (unsigned long long)(e->addr + e->size), (unsigned long long)end);
	cr_assert_eq(e->type, type);
}

/* Sorted, non-overlapping, never touching the MMIO hole, and all RAM of the
 * guest described exactly once. */
static void expect_consistent(const struct boot_e820_entry *t, int n, uint64_t size)
{
	uint64_t ram = 0;

	for (int i = 0; i < n; i++) {
		uint64_t end = t[i].addr + t[i].size;
		cr_assert_gt(t[i].size, 0);
		if (i > 0)
			cr_assert_geq(t[i].addr, t[i - 1].addr + t[i - 1].size, "entry %d overlaps", i);
		cr_assert(end <= MMIO_HOLE_START || t[i].addr >= MMIO_HOLE_END,
			  "entry %d [0x%llx, 0x%llx) overlaps the MMIO hole", i,
			  (unsigned long long)t[i].addr, (unsigned long long)end);
		if (t[i].type == E820_TYPE_RAM)
			ram += t[i].size;
	}
	/* The reserved EBDA..1 MiB window is backed by RAM but not usable. */
	cr_assert_eq(ram + (HIGH_MEMORY_START - EBDA_START), size);
}

Test(e820, small_guest_64mib)
{
	struct boot_e820_entry t[8];
	int n = build(64 * MiB, t, 8);

	cr_assert_eq(n, 3, "%s", error_message());
	expect_entry(&t[0], 0, EBDA_START, E820_TYPE_RAM);
	expect_entry(&t[1], EBDA_START, HIGH_MEMORY_START, E820_TYPE_RESERVED);
	expect_entry(&t[2], HIGH_MEMORY_START, 64 * MiB, E820_TYPE_RAM);
	expect_consistent(t, n, 64 * MiB);
}

Test(e820, guest_256mib)
{
	struct boot_e820_entry t[8];
	int n = build(256 * MiB, t, 8);

	cr_assert_eq(n, 3, "%s", error_message());
	expect_entry(&t[2], HIGH_MEMORY_START, 256 * MiB, E820_TYPE_RAM);
	expect_consistent(t, n, 256 * MiB);
}

Test(e820, exactly_3gib_has_no_high_entry)
{
	struct boot_e820_entry t[8];
	int n = build(3 * GiB, t, 8);

	cr_assert_eq(n, 3, "%s", error_message());
	expect_entry(&t[2], HIGH_MEMORY_START, MMIO_HOLE_START, E820_TYPE_RAM);
	expect_consistent(t, n, 3 * GiB);
}

Test(e820, crossing_the_mmio_hole)
{
	struct boot_e820_entry t[8];
	uint64_t size = 3 * GiB + 512 * MiB;
	int n = build(size, t, 8);

	cr_assert_eq(n, 4, "%s", error_message());
	expect_entry(&t[2], HIGH_MEMORY_START, MMIO_HOLE_START, E820_TYPE_RAM);
	expect_entry(&t[3], 4 * GiB, 4 * GiB + 512 * MiB, E820_TYPE_RAM);
	expect_consistent(t, n, size);
}

Test(e820, table_too_small)
{
	struct boot_e820_entry t[4];

	memset(t, 0xee, sizeof(t));
	error_clear();
	cr_assert_eq(build(3 * GiB + MiB, t, 3), -1);
	cr_assert_not_null(strstr(error_message(), "only 3 entries"), "%s", error_message());
	/* Nothing written past max. */
	cr_assert_eq(t[3].type, 0xeeeeeeee);
}

Test(e820, no_ram_above_1mib)
{
	struct boot_e820_entry t[8];

	error_clear();
	cr_assert_eq(build(HIGH_MEMORY_START, t, 8), -1);
	cr_assert_not_null(strstr(error_message(), "no RAM above 1 MiB"), "%s", error_message());
}
