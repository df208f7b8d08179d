#include "boot/pvh.h"

#include <asm/bootparam.h>
#include <string.h>

#include "boot/e820.h"
#include "lib/error.h"

#define PIECE_ALIGN 8 /* every field is naturally aligned within each piece */

static size_t align_up(size_t v)
{
	return (v + PIECE_ALIGN - 1) & ~(size_t)(PIECE_ALIGN - 1);
}

/* Linux copies memmap_entries entries into boot_params' e820_table without
 * a bound (enlighten.c init_pvh_bootparams), then adds one for the ISA
 * hole: stay within the zero page's table, one slot short. */
#define MEMMAP_MAX (E820_MAX_ENTRIES_ZEROPAGE - 1)

int pvh_start_info_build(void *area, size_t len, uint64_t gpa, const struct guest_memory *mem,
			 const struct pvh_info *info, struct pvh_layout *out)
{
	struct boot_e820_entry e820[MEMMAP_MAX];
	uint8_t *base = area;
	size_t modlist_off = align_up(sizeof(struct pvh_start_info));
	size_t nmod = info->initrd_size > 0 ? 1 : 0;
	size_t memmap_off = align_up(modlist_off + nmod * sizeof(struct pvh_modlist_entry));
	size_t end;
	int n;

	n = e820_build(mem, e820, MEMMAP_MAX);
	if (n < 0)
		return error_wrap("PVH memory map");
	end = memmap_off + (size_t)n * sizeof(struct pvh_memmap_entry);
	if (end > len)
		return error_set("PVH start info: %zu bytes do not fit in the %zu-byte area at "
				 "0x%llx",
				 end, len, (unsigned long long)gpa);

	/* Start from zeroes: flags, the reserved fields and the padding. */
	memset(base, 0, end);
	struct pvh_start_info si = {
		.magic = PVH_START_MAGIC,
		.version = PVH_START_VERSION,
		.nr_modules = (uint32_t)nmod,
		.modlist_paddr = nmod ? gpa + modlist_off : 0,
		.cmdline_paddr = info->cmdline_gpa,
		.rsdp_paddr = info->rsdp_gpa,
		.memmap_paddr = gpa + memmap_off,
		.memmap_entries = (uint32_t)n,
	};
	memcpy(base, &si, sizeof(si));
	if (nmod) {
		struct pvh_modlist_entry m = {.paddr = info->initrd_gpa, .size = info->initrd_size};
		memcpy(base + modlist_off, &m, sizeof(m));
	}
	for (int i = 0; i < n; i++) {
		struct pvh_memmap_entry e = {
			.addr = e820[i].addr, .size = e820[i].size, .type = e820[i].type,
		};
		memcpy(base + memmap_off + (size_t)i * sizeof(e), &e, sizeof(e));
	}
	*out = (struct pvh_layout){
		.start_info_gpa = gpa,
		.modlist_gpa = si.modlist_paddr,
		.memmap_gpa = si.memmap_paddr,
		.memmap_entries = (uint32_t)n,
		.used = end,
	};
	return 0;
}
