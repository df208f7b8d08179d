#include "boot/loader.h"

#include <string.h>

#include "boot/boot_params.h"
#include "boot/cpu_setup.h"
#include "boot/load_steps.h"
#include "lib/error.h"
#include "lib/log.h"
#include "lib/platform.h"
#include "lib/trace.h"

/* boot.rst, "64-bit Boot Protocol": the 64-bit entry point is the start of
 * the loaded protected-mode kernel plus 0x200. */
#define ENTRY_64_OFFSET 0x200

static uint64_t mib_round_up(uint64_t bytes)
{
	return bytes / MiB + (bytes % MiB != 0);
}

/* boot.rst, pref_address and kernel_alignment: a relocatable kernel goes
 * at its preferred address when that is suitably aligned, otherwise at
 * minivmm's default; a non-relocatable one only runs at pref_address. */
static uint64_t choose_load_address(const struct bzimage *img)
{
	if (!img->relocatable)
		return img->pref_address;
	if (img->pref_address != 0 && (img->pref_address & (img->kernel_alignment - 1)) == 0)
		return img->pref_address;
	return KERNEL_DEFAULT_LOAD_ADDR;
}

/* End of the memory the kernel uses while booting. boot.rst, init_size:
 * it needs init_size bytes from its runtime start, which is the load
 * address rounded up to kernel_alignment (relocatable) or pref_address.
 * The decompressor also never runs below pref_address (LOAD_PHYSICAL_ADDR
 * in arch/x86/boot/compressed/head_64.S). And the file itself must fit.
 * Returns 0, or -1 if the sums overflow. */
static int footprint_end(const struct bzimage *img, uint64_t load, uint64_t *end)
{
	uint64_t start = img->pref_address, init_end, file_end;

	if (img->relocatable) {
		uint64_t mask = (uint64_t)img->kernel_alignment - 1, aligned;
		if (__builtin_add_overflow(load, mask, &aligned))
			return -1;
		aligned &= ~mask;
		if (aligned > start)
			start = aligned;
	}
	if (__builtin_add_overflow(start, (uint64_t)img->init_size, &init_end) ||
	    __builtin_add_overflow(load, img->kernel_size, &file_end))
		return -1;
	*end = init_end > file_end ? init_end : file_end;
	return 0;
}

static int load_kernel(struct guest_memory *mem, const struct bzimage *img, uint64_t *load_out,
		       uint64_t *end_out)
{
	uint64_t load = choose_load_address(img), end;
	uint8_t *dst;

	/* Below 1 MiB are minivmm's own boot structures (lib/platform.h). */
	if (load < HIGH_MEMORY_START)
		return error_set("kernel: load address 0x%llx is below 1 MiB, where minivmm keeps "
				 "its boot tables",
				 (unsigned long long)load);
	if (footprint_end(img, load, &end) < 0)
		return error_set("kernel: load address 0x%llx is beyond any guest memory",
				 (unsigned long long)load);
	if (end > guest_memory_low_end(mem))
		return error_set("kernel needs %llu MiB from 0x%llx, guest has only %llu MiB; "
				 "raise --memory",
				 (unsigned long long)mib_round_up(end - load), (unsigned long long)load,
				 (unsigned long long)(mem->size / MiB));
	dst = guest_memory_ptr(mem, load, img->kernel_size);
	if (dst == NULL) /* cannot happen after the check above; stay safe */
		return error_set("kernel: 0x%llx is outside guest memory", (unsigned long long)load);
	memcpy(dst, img->kernel, img->kernel_size);
	trace(TRACE_BOOT, "memory: kernel (the bzImage's protected-mode part, %llu bytes) "
	      "written at 0x%llx-0x%llx; it may use up to 0x%llx while it decompresses itself "
	      "(init_size) [Documentation/x86/boot.rst, 64-bit boot protocol]",
	      (unsigned long long)img->kernel_size, (unsigned long long)load,
	      (unsigned long long)(load + img->kernel_size - 1), (unsigned long long)end - 1);
	*load_out = load;
	*end_out = end;
	return 0;
}

/* How boot_params tells the kernel where things are (--trace=boot). */
static const struct load_refs bzimage_refs = {
	.cmdline = "boot_params.hdr.cmd_line_ptr",
	.cmdline_cite = "Documentation/x86/boot.rst, cmd_line_ptr",
	.initrd = "below initrd_addr_max [Documentation/x86/boot.rst, ramdisk_image]",
	.rsdp = "boot_params.acpi_rsdp_addr",
};

int boot_load_linux(struct guest_memory *mem, const struct bzimage *img, const uint8_t *initrd,
		    size_t initrd_size, const char *cmdline, int ncpus,
		    const struct boot_devices *devices, struct boot_result *out)
{
	static const struct boot_devices none;
	const struct boot_devices *devs = devices ? devices : &none;
	struct boot_params_info info = {.cmdline_gpa = BOOT_CMDLINE_ADDR};
	uint64_t kernel_end = 0;
	struct boot_params *bp;

	/* boot.rst, cmdline_size: at most that many bytes plus the NUL. */
	if (load_kernel(mem, img, &info.kernel_gpa, &kernel_end) < 0 ||
	    load_cmdline(mem, (uint64_t)img->cmdline_size + 1, cmdline, devs, &bzimage_refs) < 0 ||
	    load_initrd(mem, kernel_end, img->initrd_addr_max, initrd, initrd_size,
			&info.initrd_gpa, &bzimage_refs) < 0 ||
	    load_firmware_tables(mem, ncpus, devs, &info.acpi_rsdp_gpa, &bzimage_refs) < 0)
		return -1;
	info.initrd_size = initrd_size;

	/* GDT and identity-mapped page tables for the 64-bit entry. */
	if (cpu_setup_tables(mem) < 0)
		return error_wrap("CPU tables");
	trace(TRACE_BOOT, "memory: GDT at 0x%llx; page tables PML4 0x%llx, PDPT 0x%llx, page "
	      "directories 0x%llx: the first 4 GiB identity-mapped with 2 MiB pages, as the 64-bit "
	      "entry requires [Documentation/x86/boot.rst, 64-bit boot protocol]",
	      (unsigned long long)BOOT_GDT_ADDR, (unsigned long long)BOOT_PML4_ADDR,
	      (unsigned long long)BOOT_PDPT_ADDR, (unsigned long long)BOOT_PD_ADDR);

	bp = load_low_area(mem, BOOT_PARAMS_ADDR, sizeof(*bp), "boot_params");
	if (bp == NULL || boot_params_build(bp, img, mem, &info) < 0)
		return -1;
	trace(TRACE_BOOT, "memory: boot_params (the zero page) at 0x%llx: setup header, command "
	      "line and initrd pointers, RSDP, and the e820 map of %u entries "
	      "[Documentation/x86/zero-page.rst]", (unsigned long long)BOOT_PARAMS_ADDR,
	      bp->e820_entries);
	for (unsigned i = 0; i < bp->e820_entries && trace_enabled(TRACE_BOOT); i++)
		trace(TRACE_BOOT, "memory: e820 entry %u: 0x%llx-0x%llx %s [arch/x86/kernel/e820.c]",
		      i, (unsigned long long)bp->e820_table[i].addr,
		      (unsigned long long)(bp->e820_table[i].addr + bp->e820_table[i].size - 1),
		      bp->e820_table[i].type == 1 ? "usable RAM" : "reserved");

	*out = (struct boot_result){
		.entry = info.kernel_gpa + ENTRY_64_OFFSET,
		.boot_params_gpa = BOOT_PARAMS_ADDR,
		.kernel_gpa = info.kernel_gpa,
		.kernel_end = kernel_end,
		.initrd_gpa = info.initrd_gpa,
		.initrd_size = initrd_size,
	};
	trace(TRACE_BOOT, "entry: vCPU 0 will start at 0x%llx (kernel + 0x200) in 64-bit mode with "
	      "RSI = 0x%llx (boot_params) [Documentation/x86/boot.rst, 64-bit boot protocol]",
	      (unsigned long long)out->entry, (unsigned long long)BOOT_PARAMS_ADDR);
	log_debug("kernel at 0x%llx (needs up to 0x%llx), entry 0x%llx, initrd %zu bytes at 0x%llx",
		  (unsigned long long)out->kernel_gpa, (unsigned long long)kernel_end,
		  (unsigned long long)out->entry, initrd_size, (unsigned long long)out->initrd_gpa);
	return 0;
}
