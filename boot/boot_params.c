#include "boot/boot_params.h"

#include <string.h>

#include "boot/e820.h"
#include "lib/error.h"

/* boot.rst, type_of_loader: a loader with no assigned ID writes 0xFF. */
#define LOADER_TYPE_UNDEFINED 0xff

static uint32_t lo32(uint64_t v)
{
	return (uint32_t)v;
}

static uint32_t hi32(uint64_t v)
{
	return (uint32_t)(v >> 32);
}

int boot_params_build(struct boot_params *bp, const struct bzimage *img,
		      const struct guest_memory *mem, const struct boot_params_info *info)
{
	int n;

	/* boot.rst, "64-bit Boot Protocol": start from an all-zero page and
	 * copy in only the setup header. This also leaves the sentinel at
	 * 0x1ef zero, telling the kernel the rest of the page is clean. */
	memset(bp, 0, sizeof(*bp));
	if (img->setup_header_size > sizeof(bp->hdr))
		return error_set("boot_params: setup header of %zu bytes is larger than %zu",
				 img->setup_header_size, sizeof(bp->hdr));
	memcpy(&bp->hdr, img->setup_header, img->setup_header_size);

	bp->hdr.type_of_loader = LOADER_TYPE_UNDEFINED;
	/* code32_start: a loader that puts a relocatable kernel somewhere
	 * other than its default must point this at the load address. The
	 * 64-bit entry does not read it, but keep it truthful. */
	bp->hdr.code32_start = lo32(info->kernel_gpa);

	/* The 32-bit fields take the low halves; zero-page.rst's ext_* fields
	 * hold the high halves (zero while everything is below 4 GiB). */
	bp->hdr.cmd_line_ptr = lo32(info->cmdline_gpa);
	bp->ext_cmd_line_ptr = hi32(info->cmdline_gpa);
	bp->hdr.ramdisk_image = lo32(info->initrd_gpa);
	bp->ext_ramdisk_image = hi32(info->initrd_gpa);
	bp->hdr.ramdisk_size = lo32(info->initrd_size);
	bp->ext_ramdisk_size = hi32(info->initrd_size);

	/* zero-page.rst 0x070: saves the kernel from scanning for "RSD PTR". */
	bp->acpi_rsdp_addr = info->acpi_rsdp_gpa;

	n = e820_build(mem, bp->e820_table, E820_MAX_ENTRIES_ZEROPAGE);
	if (n < 0)
		return error_wrap("boot_params");
	bp->e820_entries = (uint8_t)n;
	return 0;
}
