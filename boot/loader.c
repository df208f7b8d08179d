#include "boot/loader.h"

#include <stdio.h>
#include <string.h>

#include "boot/acpi.h"
#include "boot/boot_params.h"
#include "boot/cmdline.h"
#include "boot/cpu_setup.h"
#include "boot/initrd.h"
#include "boot/mptable.h"
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

/* Fixed low-memory areas from lib/platform.h; NULL only for a guest far
 * smaller than GUEST_MEMORY_MIN_MIB. */
static void *low_area(struct guest_memory *mem, uint64_t gpa, uint64_t len, const char *what)
{
	void *p = guest_memory_ptr(mem, gpa, len);
	if (p == NULL)
		error_set("%s: 0x%llx-0x%llx is outside guest memory", what,
			  (unsigned long long)gpa, (unsigned long long)(gpa + len));
	return p;
}

/* boot.rst, cmdline_size: at most that many bytes plus the NUL. The
 * devices are described in the DSDT; a kernel told acpi=off reads no DSDT,
 * so then they go on the command line instead, before the user's words.
 * Never both: a kernel that reads both registers each device twice, and the
 * second probe fails (docs/acpi.md). */
static int load_cmdline(struct guest_memory *mem, const struct bzimage *img, const char *user,
			const struct boot_devices *devs)
{
	uint64_t max = (uint64_t)img->cmdline_size + 1;
	char words[BOOT_CMDLINE_MAX], extra[BOOT_CMDLINE_MAX];
	char *dst;

	if (max > BOOT_CMDLINE_MAX)
		max = BOOT_CMDLINE_MAX;
	dst = low_area(mem, BOOT_CMDLINE_ADDR, max, "command line");
	if (dst == NULL)
		return -1;
	words[0] = '\0';
	if (cmdline_acpi_off(user) &&
	    cmdline_virtio_mmio_words(words, sizeof(words), devs->mmio, devs->nmmio) < 0)
		return -1;
	if (snprintf(extra, sizeof(extra), "%s%s", words, user ? user : "") >= (int)sizeof(extra))
		return error_set("kernel command line: the devices and --cmdline are more than "
				 "%llu bytes",
				 (unsigned long long)BOOT_CMDLINE_MAX - 1);
	if (cmdline_build(dst, (size_t)max, CMDLINE_DEFAULTS, extra) < 0)
		return -1;
	trace(TRACE_BOOT, "memory: command line at 0x%llx (boot_params.hdr.cmd_line_ptr): \"%s\" "
	      "[Documentation/x86/boot.rst, cmd_line_ptr]", (unsigned long long)BOOT_CMDLINE_ADDR,
	      dst);
	return 0;
}

static int load_initrd(struct guest_memory *mem, const struct bzimage *img, uint64_t kernel_end,
		       const uint8_t *initrd, size_t size, uint64_t *gpa)
{
	uint8_t *dst;

	*gpa = 0;
	if (size == 0)
		return 0;
	if (initrd_place(mem, kernel_end, img->initrd_addr_max, size, gpa) < 0)
		return -1;
	dst = guest_memory_ptr(mem, *gpa, size);
	if (dst == NULL)
		return error_set("initrd: 0x%llx is outside guest memory", (unsigned long long)*gpa);
	memcpy(dst, initrd, size);
	trace(TRACE_BOOT, "memory: initrd (%zu bytes) written at 0x%llx-0x%llx, above the kernel "
	      "and below initrd_addr_max [Documentation/x86/boot.rst, ramdisk_image]", size,
	      (unsigned long long)*gpa, (unsigned long long)(*gpa + size - 1));
	return 0;
}

/* MP table (MultiProcessor Specification 1.4) at the top of base memory,
 * ACPI tables in the BIOS ROM area; both lie in the e820 reserved range. */
static int load_firmware_tables(struct guest_memory *mem, int ncpus,
				const struct boot_devices *devs, uint64_t *rsdp)
{
	uint64_t mp_len = BIOS_ROM_START - MPTABLE_ADDR;
	uint64_t acpi_len = HIGH_MEMORY_START - ACPI_TABLES_ADDR;
	size_t used;
	void *p;

	p = low_area(mem, MPTABLE_ADDR, mp_len, "MP table");
	if (p == NULL)
		return -1;
	if (mptable_build(p, mp_len, MPTABLE_ADDR, ncpus, &used) < 0)
		return error_wrap("MP table");
	log_debug("MP table: %zu bytes at 0x%llx", used, (unsigned long long)MPTABLE_ADDR);
	trace(TRACE_BOOT, "memory: MP table (%zu bytes: floating pointer, %d processor "
	      "entries, bus, IOAPIC, interrupts) at 0x%llx, in the EBDA where the kernel scans "
	      "for it [MultiProcessor Specification 1.4; arch/x86/kernel/mpparse.c]", used,
	      ncpus, (unsigned long long)MPTABLE_ADDR);

	p = low_area(mem, ACPI_TABLES_ADDR, acpi_len, "ACPI tables");
	if (p == NULL)
		return -1;
	if (acpi_build(p, acpi_len, ACPI_TABLES_ADDR, ncpus, devs->mmio, devs->nmmio, rsdp,
		       &used) < 0)
		return error_wrap("ACPI tables");
	log_debug("ACPI tables: %zu bytes at 0x%llx, RSDP at 0x%llx", used,
		  (unsigned long long)ACPI_TABLES_ADDR, (unsigned long long)*rsdp);
	trace(TRACE_BOOT, "memory: ACPI tables (%zu bytes: RSDP, XSDT, FADT, FACS, DSDT, MADT) at "
	      "0x%llx, RSDP at 0x%llx (boot_params.acpi_rsdp_addr) [ACPI 6.4 section 5.2; "
	      "drivers/acpi/tables.c]", used, (unsigned long long)ACPI_TABLES_ADDR,
	      (unsigned long long)*rsdp);
	return 0;
}

int boot_load_linux(struct guest_memory *mem, const struct bzimage *img, const uint8_t *initrd,
		    size_t initrd_size, const char *cmdline, int ncpus,
		    const struct boot_devices *devices, struct boot_result *out)
{
	static const struct boot_devices none;
	const struct boot_devices *devs = devices ? devices : &none;
	struct boot_params_info info = {.cmdline_gpa = BOOT_CMDLINE_ADDR};
	uint64_t kernel_end = 0;
	struct boot_params *bp;

	if (load_kernel(mem, img, &info.kernel_gpa, &kernel_end) < 0 ||
	    load_cmdline(mem, img, cmdline, devs) < 0 ||
	    load_initrd(mem, img, kernel_end, initrd, initrd_size, &info.initrd_gpa) < 0 ||
	    load_firmware_tables(mem, ncpus, devs, &info.acpi_rsdp_gpa) < 0)
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

	bp = low_area(mem, BOOT_PARAMS_ADDR, sizeof(*bp), "boot_params");
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
