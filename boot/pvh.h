/* The start-of-day structure a kernel entered through its PVH entry point
 * finds in EBX: struct hvm_start_info, version 1, with its module list and
 * memory map (Xen's public ABI, include/xen/interface/hvm/start_info.h in
 * Linux; Linux reads it in arch/x86/platform/pvh/enlighten.c). Pure logic:
 * builds the bytes in a buffer; no ioctls. */
#ifndef MINIVMM_BOOT_PVH_H
#define MINIVMM_BOOT_PVH_H

#include <stddef.h>
#include <stdint.h>

#include "lib/guest_memory.h"

/* "xEn3" with the 0x80 bit of the "E" set (start_info.h). */
#define PVH_START_MAGIC 0x336ec578
/* Version 1 adds the memory map; Linux needs it unless it runs on Xen
 * (enlighten.c init_pvh_bootparams: BUG() otherwise). */
#define PVH_START_VERSION 1

/* The three layouts, field for field as start_info.h draws them. */
struct pvh_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags; /* SIF_xxx: none apply to minivmm's guests */
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;   /* version 1 */
	uint32_t memmap_entries; /* version 1 */
	uint32_t reserved;
};

struct pvh_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr; /* 0: the module has no command line */
	uint64_t reserved;
};

/* Types are the E820 ones (XEN_HVM_MEMMAP_TYPE_RAM = 1, _RESERVED = 2). */
struct pvh_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

_Static_assert(sizeof(struct pvh_start_info) == 56, "start_info.h: 56 bytes in version 1");
_Static_assert(sizeof(struct pvh_modlist_entry) == 32, "start_info.h: modlist entry");
_Static_assert(sizeof(struct pvh_memmap_entry) == 24, "start_info.h: memmap entry");

/* What the loader placed, in guest-physical addresses. */
struct pvh_info {
	uint64_t cmdline_gpa; /* NUL-terminated kernel command line */
	uint64_t initrd_gpa;  /* module 0 when initrd_size > 0 (Linux: "the first
			       * module is always ramdisk") */
	uint64_t initrd_size;
	uint64_t rsdp_gpa; /* 0: the kernel scans for the RSDP itself */
};

/* Where the pieces went inside the area pvh_start_info_build filled. */
struct pvh_layout {
	uint64_t start_info_gpa; /* EBX at entry: the area's start */
	uint64_t modlist_gpa;    /* 0 with no module */
	uint64_t memmap_gpa;
	uint32_t memmap_entries;
	size_t used; /* bytes of the area written */
};

/* Fill the `len` bytes at `area`, which the guest sees at `gpa`: the start
 * info, then the module list (one entry: the initrd, if any), then the
 * memory map of mem (the same E820 map a bzImage gets, boot/e820.h); each
 * 8-byte aligned. Returns 0 and fills *out, or -1 with an error when the
 * area is too small or mem has no RAM above 1 MiB. */
int pvh_start_info_build(void *area, size_t len, uint64_t gpa, const struct guest_memory *mem,
			 const struct pvh_info *info, struct pvh_layout *out);

#endif
