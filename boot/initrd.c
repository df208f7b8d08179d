#include "boot/initrd.h"

#include "lib/error.h"
#include "lib/platform.h"

#define PAGE_SIZE 4096ULL

static uint64_t mib_round_up(uint64_t bytes)
{
	return bytes / MiB + (bytes % MiB != 0);
}

int initrd_place(const struct guest_memory *mem, uint64_t kernel_end, uint64_t initrd_addr_max,
		 uint64_t size, uint64_t *addr)
{
	/* boot.rst: initrd_addr_max is the highest byte the initrd may
	 * occupy, so it may end at initrd_addr_max + 1. ramdisk_image is a
	 * 32-bit field, and RAM below the hole ends at 3 GiB anyway. */
	uint64_t limit = guest_memory_low_end(mem);

	if (initrd_addr_max < limit)
		limit = initrd_addr_max + 1;
	if (limit > MMIO_HOLE_END)
		limit = MMIO_HOLE_END;
	/* Put it as high as it goes, so the kernel's decompression and early
	 * allocations above kernel_end have the most room. */
	if (size <= limit) {
		uint64_t start = (limit - size) & ~(PAGE_SIZE - 1);
		if (start >= kernel_end) {
			*addr = start;
			return 0;
		}
	}
	return error_set("initrd (%llu MiB) does not fit in guest memory below 0x%llx "
			 "(the kernel needs up to 0x%llx); raise --memory",
			 (unsigned long long)mib_round_up(size), (unsigned long long)limit,
			 (unsigned long long)kernel_end);
}
