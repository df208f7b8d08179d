#include "boot/e820.h"

#include "lib/error.h"
#include "lib/platform.h"

static int add(struct boot_e820_entry *table, int max, int *n, uint64_t addr, uint64_t size,
	       uint32_t type)
{
	if (*n >= max)
		return error_set("e820: table has room for only %d entries", max);
	table[*n] = (struct boot_e820_entry){.addr = addr, .size = size, .type = type};
	(*n)++;
	return 0;
}

int e820_build(const struct guest_memory *mem, struct boot_e820_entry *table, int max)
{
	int n = 0;
	struct guest_memory_region r;

	if (mem->low_size <= HIGH_MEMORY_START)
		return error_set("e820: guest has no RAM above 1 MiB (%llu KiB in all)",
				 (unsigned long long)(mem->low_size / 1024));
	guest_memory_for_each_region(mem, i, r) {
		if (r.gpa != 0) {
			/* RAM that did not fit below the MMIO hole, at 4 GiB. */
			if (add(table, max, &n, r.gpa, r.size, E820_TYPE_RAM) < 0)
				return -1;
			continue;
		}
		/* Conventional memory up to the EBDA, where the MP table sits. */
		if (add(table, max, &n, 0, EBDA_START, E820_TYPE_RAM) < 0)
			return -1;
		/* EBDA, VGA window and BIOS ROM area: minivmm puts the MP table
		 * and the ACPI tables here, so the kernel must not treat it as
		 * free RAM. */
		if (add(table, max, &n, EBDA_START, HIGH_MEMORY_START - EBDA_START,
			E820_TYPE_RESERVED) < 0)
			return -1;
		if (add(table, max, &n, HIGH_MEMORY_START, r.size - HIGH_MEMORY_START,
			E820_TYPE_RAM) < 0)
			return -1;
	}
	return n;
}
