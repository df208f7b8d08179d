/* boot_load_linux end to end on a 64 MiB malloc'd guest memory with a
 * synthetic bzImage: what the kernel will find in memory and in its zero
 * page, and the errors a user sees when the guest is too small. */
#include <criterion/criterion.h>

#include <asm/bootparam.h>
#include <stdlib.h>
#include <string.h>

#include "boot/bzimage.h"
#include "boot/cmdline.h"
#include "boot/e820.h"
#include "boot/loader.h"
#include "lib/error.h"
#include "lib/platform.h"

#define KERNEL_BYTES (128 * 1024)
#define GUEST_SIZE (64 * MiB)

static struct guest_memory mem;
static uint8_t *file;
static size_t file_size;
static struct setup_header *hdr;

static void setup_guest(void)
{
	guest_memory_layout(&mem, GUEST_SIZE);
	mem.host = calloc(1, GUEST_SIZE);
	cr_assert_not_null(mem.host);
}

/* A 2.15 relocatable bzImage with 4 setup sectors, needing 8 MiB to boot. */
static void make_file(void)
{
	file_size = 5 * 512 + KERNEL_BYTES;
	file = calloc(1, file_size);
	cr_assert_not_null(file);
	hdr = (struct setup_header *)(file + 0x1f1);
	hdr->setup_sects = 4;
	hdr->syssize = KERNEL_BYTES / 16;
	hdr->boot_flag = 0xaa55;
	file[0x200] = 0xeb;
	file[0x201] = 0x26c - 0x202;
	memcpy(&hdr->header, "HdrS", 4);
	hdr->version = 0x020f;
	hdr->loadflags = LOADED_HIGH;
	hdr->initrd_addr_max = 0x7fffffff;
	hdr->kernel_alignment = 0x200000;
	hdr->relocatable_kernel = 1;
	hdr->xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G;
	hdr->cmdline_size = 2047;
	hdr->pref_address = 0x1000000;
	hdr->init_size = 8 * MiB;
	hdr->kernel_version = 0x1234; /* any value: checks the header is copied */
	for (size_t i = 0; i < KERNEL_BYTES; i++)
		file[5 * 512 + i] = (uint8_t)(i * 13 + 1);
}

static void setup(void)
{
	setup_guest();
	make_file();
}

static void teardown(void)
{
	free(mem.host);
	free(file);
}

static struct bzimage parse(void)
{
	struct bzimage img;

	cr_assert_eq(bzimage_parse(&img, file, file_size), 0, "%s", error_message());
	return img;
}

static uint8_t *gpa(uint64_t addr)
{
	cr_assert_lt(addr, GUEST_SIZE);
	return mem.host + addr;
}

static void expect_error(int rc, const char *needle)
{
	cr_assert_eq(rc, -1, "load should fail with \"%s\"", needle);
	cr_assert_not_null(strstr(error_message(), needle), "error \"%s\" lacks \"%s\"",
			   error_message(), needle);
}

TestSuite(loader, .init = setup, .fini = teardown);

Test(loader, end_to_end)
{
	struct bzimage img = parse();
	struct boot_result res;
	uint8_t initrd[300 * 1024];

	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i * 31 + 7);
	cr_assert_eq(boot_load_linux(&mem, &img, initrd, sizeof(initrd), "root=/dev/ram0", 2, NULL,
				     &res),
		     0, "%s", error_message());

	/* The protected-mode kernel at its preferred address, entry at +0x200. */
	cr_assert_eq(res.kernel_gpa, 0x1000000);
	cr_assert_eq(res.entry, res.kernel_gpa + 0x200);
	cr_assert_eq(memcmp(gpa(res.kernel_gpa), file + 5 * 512, KERNEL_BYTES), 0);
	cr_assert_eq(res.kernel_end, res.kernel_gpa + 8 * MiB);

	/* The zero page. */
	cr_assert_eq(res.boot_params_gpa, BOOT_PARAMS_ADDR);
	struct boot_params *bp = (struct boot_params *)gpa(res.boot_params_gpa);
	cr_assert_eq(memcmp(&hdr->header, &bp->hdr.header, 4), 0, "setup header not copied");
	cr_assert_eq(bp->hdr.version, 0x020f);
	cr_assert_eq(bp->hdr.kernel_version, 0x1234);
	cr_assert_eq(bp->hdr.setup_sects, 4);
	cr_assert_eq(bp->hdr.init_size, 8 * MiB);
	cr_assert_eq(bp->hdr.kernel_alignment, 0x200000);
	cr_assert_eq(bp->hdr.type_of_loader, 0xff);
	cr_assert_eq(bp->hdr.code32_start, res.kernel_gpa);
	cr_assert_eq(bp->sentinel, 0, "only the setup header may be copied");

	/* Command line: the defaults, then what the user gave. */
	uint64_t cmdline = bp->hdr.cmd_line_ptr | (uint64_t)bp->ext_cmd_line_ptr << 32;
	cr_assert_eq(cmdline, BOOT_CMDLINE_ADDR);
	cr_assert_str_eq((char *)gpa(cmdline), CMDLINE_DEFAULTS " root=/dev/ram0");

	/* The initrd: above the kernel, inside RAM, where the header says. */
	cr_assert_eq(bp->hdr.ramdisk_image, res.initrd_gpa);
	cr_assert_eq(bp->ext_ramdisk_image, 0);
	cr_assert_eq(bp->hdr.ramdisk_size, sizeof(initrd));
	cr_assert_eq(bp->ext_ramdisk_size, 0);
	cr_assert_eq(res.initrd_size, sizeof(initrd));
	cr_assert_geq(res.initrd_gpa, res.kernel_end);
	cr_assert_leq(res.initrd_gpa + sizeof(initrd), GUEST_SIZE);
	cr_assert_eq(res.initrd_gpa % 4096, 0);
	cr_assert_eq(memcmp(gpa(res.initrd_gpa), initrd, sizeof(initrd)), 0);

	/* Memory map: RAM, reserved firmware area, RAM up to 64 MiB. */
	cr_assert_eq(bp->e820_entries, 3);
	cr_assert_eq(bp->e820_table[2].addr, HIGH_MEMORY_START);
	cr_assert_eq(bp->e820_table[2].addr + bp->e820_table[2].size, GUEST_SIZE);
	cr_assert_eq(bp->e820_table[1].type, E820_TYPE_RESERVED);

	/* The firmware tables the kernel will look for: the ACPI RSDP where
	 * boot_params says, the MP floating pointer on a 16-byte boundary
	 * in the last KiB of base memory (MP spec 1.4, section 4). */
	cr_assert_geq(bp->acpi_rsdp_addr, ACPI_TABLES_ADDR);
	cr_assert_lt(bp->acpi_rsdp_addr, HIGH_MEMORY_START);
	cr_assert_eq(memcmp(gpa(bp->acpi_rsdp_addr), "RSD PTR ", 8), 0);
	bool found_mp = false;
	for (uint64_t a = MPTABLE_ADDR; a < MPTABLE_ADDR + 1024; a += 16)
		found_mp |= memcmp(gpa(a), "_MP_", 4) == 0;
	cr_assert(found_mp, "no MP floating pointer at 0x%llx", (unsigned long long)MPTABLE_ADDR);

	/* boot.rst, 64-bit entry: a GDT with __BOOT_CS (0x10) and paging
	 * on, so the loader must have written the GDT and page tables. */
	uint64_t cs_desc, pml4e;
	memcpy(&cs_desc, gpa(BOOT_GDT_ADDR + 0x10), 8);
	memcpy(&pml4e, gpa(BOOT_PML4_ADDR), 8);
	cr_assert_neq(cs_desc, 0, "no __BOOT_CS descriptor in the GDT");
	cr_assert_eq(pml4e & 1, 1, "PML4 entry 0 not present");
}

Test(loader, no_initrd_leaves_ramdisk_fields_zero)
{
	struct bzimage img = parse();
	struct boot_result res;

	cr_assert_eq(boot_load_linux(&mem, &img, NULL, 0, NULL, 1, NULL, &res), 0, "%s", error_message());
	struct boot_params *bp = (struct boot_params *)gpa(res.boot_params_gpa);
	cr_assert_eq(bp->hdr.ramdisk_image, 0);
	cr_assert_eq(bp->hdr.ramdisk_size, 0);
	cr_assert_eq(res.initrd_gpa, 0);
	cr_assert_str_eq((char *)gpa(bp->hdr.cmd_line_ptr), CMDLINE_DEFAULTS);
}

Test(loader, misaligned_pref_address_uses_default)
{
	struct bzimage img;
	struct boot_result res;

	hdr->pref_address = 0x1100000; /* not a multiple of 2 MiB */
	img = parse();
	cr_assert_eq(boot_load_linux(&mem, &img, NULL, 0, "", 1, NULL, &res), 0, "%s", error_message());
	cr_assert_eq(res.kernel_gpa, KERNEL_DEFAULT_LOAD_ADDR);
	cr_assert_eq(res.entry, KERNEL_DEFAULT_LOAD_ADDR + 0x200);
	cr_assert_eq(memcmp(gpa(KERNEL_DEFAULT_LOAD_ADDR), file + 5 * 512, KERNEL_BYTES), 0);
	/* The decompressor never runs below pref_address (LOAD_PHYSICAL_ADDR). */
	cr_assert_eq(res.kernel_end, 0x1100000 + 8 * MiB);
}

Test(loader, no_pref_address_uses_default)
{
	struct bzimage img;
	struct boot_result res;

	hdr->pref_address = 0;
	img = parse();
	cr_assert_eq(boot_load_linux(&mem, &img, NULL, 0, "", 1, NULL, &res), 0, "%s", error_message());
	cr_assert_eq(res.kernel_gpa, KERNEL_DEFAULT_LOAD_ADDR);
	/* boot.rst, init_size: counted from the (aligned) load address. */
	cr_assert_eq(res.kernel_end, KERNEL_DEFAULT_LOAD_ADDR + 8 * MiB);
}

Test(loader, huge_alignment_does_not_fit)
{
	struct bzimage img;
	struct boot_result res;

	/* The kernel would round 16 MiB up to 2 GiB and run there. */
	hdr->pref_address = 0;
	hdr->kernel_alignment = 0x80000000;
	img = parse();
	expect_error(boot_load_linux(&mem, &img, NULL, 0, "", 1, NULL, &res), "raise --memory");
}

Test(loader, non_relocatable_goes_to_pref_address)
{
	struct bzimage img;
	struct boot_result res;

	hdr->relocatable_kernel = 0;
	hdr->pref_address = 0x1880000;
	img = parse();
	cr_assert_eq(boot_load_linux(&mem, &img, NULL, 0, "", 1, NULL, &res), 0, "%s", error_message());
	cr_assert_eq(res.kernel_gpa, 0x1880000);
	cr_assert_eq(memcmp(gpa(0x1880000), file + 5 * 512, KERNEL_BYTES), 0);
}

Test(loader, kernel_does_not_fit)
{
	struct bzimage img;
	struct boot_result res;

	/* 16 MiB + 60 MiB is past the end of a 64 MiB guest. */
	hdr->init_size = 60 * MiB;
	img = parse();
	error_clear();
	expect_error(boot_load_linux(&mem, &img, NULL, 0, "", 1, NULL, &res),
		     "kernel needs 60 MiB from 0x1000000, guest has only 64 MiB; raise --memory");
	/* Nothing was copied. */
	cr_assert_eq(gpa(0x1000000)[0], 0);
}

Test(loader, kernel_below_1mib_rejected)
{
	struct bzimage img;
	struct boot_result res;

	hdr->relocatable_kernel = 0;
	hdr->pref_address = 0x10000;
	img = parse();
	expect_error(boot_load_linux(&mem, &img, NULL, 0, "", 1, NULL, &res), "below 1 MiB");
}

Test(loader, command_line_too_long_for_kernel)
{
	struct bzimage img;
	struct boot_result res;

	hdr->cmdline_size = sizeof(CMDLINE_DEFAULTS) + 4; /* room for " abcd" */
	img = parse();
	cr_assert_eq(boot_load_linux(&mem, &img, NULL, 0, "abcd", 1, NULL, &res), 0, "%s",
		     error_message());
	expect_error(boot_load_linux(&mem, &img, NULL, 0, "abcde", 1, NULL, &res), "command line");
}

/* The devices go in the DSDT (acpi.c's tests read them back); on the
 * command line only when the user turns ACPI off, so that a kernel never
 * sees a device twice. */
Test(loader, devices_on_the_command_line_only_with_acpi_off)
{
	struct bzimage img = parse();
	struct boot_result res;
	const struct platform_mmio_device dev = { .base = 0xd0000000, .size = 0x1000, .irq = 5 };
	const struct boot_devices devs = { .mmio = &dev, .nmmio = 1 };
	struct boot_params *bp = (struct boot_params *)gpa(BOOT_PARAMS_ADDR);

	cr_assert_eq(boot_load_linux(&mem, &img, NULL, 0, "quiet", 1, &devs, &res), 0, "%s",
		     error_message());
	cr_expect_str_eq((char *)gpa(bp->hdr.cmd_line_ptr), CMDLINE_DEFAULTS " quiet");
	cr_assert_eq(boot_load_linux(&mem, &img, NULL, 0, "acpi=off quiet", 1, &devs, &res), 0,
		     "%s", error_message());
	cr_expect_str_eq((char *)gpa(bp->hdr.cmd_line_ptr),
			 CMDLINE_DEFAULTS " virtio_mmio.device=4K@0xd0000000:5 acpi=off quiet");
}

Test(loader, initrd_too_big)
{
	struct bzimage img = parse();
	struct boot_result res;
	/* 64 MiB - (16 + 8) MiB = 40 MiB free above the kernel. */
	size_t size = 41 * MiB;
	uint8_t *initrd = calloc(1, size);

	expect_error(boot_load_linux(&mem, &img, initrd, size, "", 1, NULL, &res),
		     "initrd (41 MiB) does not fit");
	free(initrd);
}
