/* The PVH boot's pure parts: hvm_start_info with its module list and
 * memory map (boot/pvh.c), and boot_load_pvh end to end on a malloc'd
 * guest memory with a synthetic vmlinux (boot/loader_pvh.c): what the
 * kernel will find where hvm_start_info says, and the errors a user sees. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "boot/cmdline.h"
#include "boot/cpu_setup.h"
#include "boot/e820.h"
#include "boot/loader_pvh.h"
#include "boot/pvh.h"
#include "boot/vmlinux.h"
#include "lib/error.h"
#include "lib/platform.h"

#define GUEST_SIZE (64 * MiB)
#define AREA_GPA 0x7000ULL

static struct guest_memory mem;

static void setup(void)
{
	guest_memory_layout(&mem, GUEST_SIZE);
	mem.host = malloc(GUEST_SIZE);
	cr_assert_not_null(mem.host);
	/* Stale bytes: whatever the guest reads must have been written. */
	memset(mem.host, 0xa5, GUEST_SIZE);
}

static void teardown(void)
{
	free(mem.host);
}

static uint8_t *gpa(uint64_t addr)
{
	cr_assert_lt(addr, GUEST_SIZE);
	return mem.host + addr;
}

static struct pvh_start_info read_start_info(uint64_t at)
{
	struct pvh_start_info si;

	memcpy(&si, gpa(at), sizeof(si));
	return si;
}

static struct pvh_memmap_entry read_memmap(uint64_t at, unsigned i)
{
	struct pvh_memmap_entry e;

	memcpy(&e, gpa(at + i * sizeof(e)), sizeof(e));
	return e;
}

static void expect_error(int rc, const char *needle)
{
	cr_assert_eq(rc, -1, "should fail with \"%s\"", needle);
	cr_assert_not_null(strstr(error_message(), needle), "error \"%s\" lacks \"%s\"",
			   error_message(), needle);
}

TestSuite(pvh_start_info, .init = setup, .fini = teardown);

Test(pvh_start_info, fields_module_and_memory_map)
{
	struct pvh_info info = {.cmdline_gpa = 0x20000, .initrd_gpa = 0x3000000,
				.initrd_size = 12345, .rsdp_gpa = 0xe0000};
	struct pvh_layout lay;
	struct boot_e820_entry e820[8];
	struct pvh_modlist_entry m;

	cr_assert_eq(pvh_start_info_build(gpa(AREA_GPA), 0x2000, AREA_GPA, &mem, &info, &lay), 0,
		     "%s", error_message());
	struct pvh_start_info si = read_start_info(AREA_GPA);
	cr_assert_eq(si.magic, 0x336ec578);
	cr_assert_eq(si.version, 1);
	cr_assert_eq(si.flags, 0);
	cr_assert_eq(si.reserved, 0);
	cr_assert_eq(si.cmdline_paddr, 0x20000);
	cr_assert_eq(si.rsdp_paddr, 0xe0000);
	cr_assert_eq(si.nr_modules, 1);
	cr_assert_eq(si.modlist_paddr, AREA_GPA + 56, "module list right after the 56 bytes");
	cr_assert_eq(lay.start_info_gpa, AREA_GPA);
	cr_assert_eq(lay.modlist_gpa, si.modlist_paddr);

	memcpy(&m, gpa(si.modlist_paddr), sizeof(m));
	cr_assert_eq(m.paddr, 0x3000000);
	cr_assert_eq(m.size, 12345);
	cr_assert_eq(m.cmdline_paddr, 0);
	cr_assert_eq(m.reserved, 0);

	/* The memory map is the E820 map a bzImage would get. */
	int n = e820_build(&mem, e820, 8);
	cr_assert_eq(n, 3);
	cr_assert_eq(si.memmap_entries, (uint32_t)n);
	cr_assert_eq(si.memmap_paddr, AREA_GPA + 56 + 32);
	cr_assert_eq(si.memmap_paddr % 8, 0);
	for (int i = 0; i < n; i++) {
		struct pvh_memmap_entry e = read_memmap(si.memmap_paddr, (unsigned)i);
		cr_expect_eq(e.addr, e820[i].addr, "entry %d", i);
		cr_expect_eq(e.size, e820[i].size, "entry %d", i);
		cr_expect_eq(e.type, e820[i].type, "entry %d", i);
		cr_expect_eq(e.reserved, 0, "entry %d", i);
	}
	cr_assert_eq(read_memmap(si.memmap_paddr, 2).addr + read_memmap(si.memmap_paddr, 2).size,
		     GUEST_SIZE);
	cr_assert_eq(lay.used, 56 + 32 + 3 * 24);
}

Test(pvh_start_info, no_initrd_no_module)
{
	struct pvh_info info = {.cmdline_gpa = 0x20000};
	struct pvh_layout lay;

	cr_assert_eq(pvh_start_info_build(gpa(AREA_GPA), 0x2000, AREA_GPA, &mem, &info, &lay), 0,
		     "%s", error_message());
	struct pvh_start_info si = read_start_info(AREA_GPA);
	cr_assert_eq(si.nr_modules, 0);
	cr_assert_eq(si.modlist_paddr, 0, "no module: the address is 0 (not present)");
	cr_assert_eq(lay.modlist_gpa, 0);
	cr_assert_eq(si.memmap_paddr, AREA_GPA + 56);
}

Test(pvh_start_info, ram_above_4g_in_the_map)
{
	struct guest_memory big = {0};
	uint8_t area[0x1000];
	struct pvh_info info = {.cmdline_gpa = 0x20000};
	struct pvh_layout lay;
	struct pvh_memmap_entry e;

	guest_memory_layout(&big, 3584 * MiB); /* no host memory needed for the map */
	cr_assert_eq(pvh_start_info_build(area, sizeof(area), AREA_GPA, &big, &info, &lay), 0,
		     "%s", error_message());
	cr_assert_eq(lay.memmap_entries, 4);
	memcpy(&e, area + (lay.memmap_gpa - AREA_GPA) + 3 * sizeof(e), sizeof(e));
	cr_assert_eq(e.addr, 4 * GiB);
	cr_assert_eq(e.size, big.high_size);
	cr_assert_eq(e.type, E820_TYPE_RAM);
}

Test(pvh_start_info, area_too_small_is_left_alone)
{
	struct pvh_info info = {.cmdline_gpa = 0x20000, .initrd_gpa = 0x3000000,
				.initrd_size = 1};
	struct pvh_layout lay;
	uint8_t area[56 + 32 + 3 * 24 - 1];

	memset(area, 0x77, sizeof(area));
	error_clear();
	expect_error(pvh_start_info_build(area, sizeof(area), AREA_GPA, &mem, &info, &lay),
		     "PVH start info: 160 bytes do not fit in the 159-byte area at 0x7000");
	for (size_t i = 0; i < sizeof(area); i++)
		cr_assert_eq(area[i], 0x77, "byte %zu written", i);
}

Test(pvh_start_info, guest_without_ram_above_1mib)
{
	struct guest_memory tiny = {0};
	uint8_t area[0x1000];
	struct pvh_info info = {0};
	struct pvh_layout lay;

	guest_memory_layout(&tiny, 1 * MiB);
	error_clear();
	expect_error(pvh_start_info_build(area, sizeof(area), AREA_GPA, &tiny, &info, &lay),
		     "PVH memory map: e820: guest has no RAM above 1 MiB");
}

/* --- boot_load_pvh ----------------------------------------------------- */

#define TEXT_ADDR 0x1000000ULL
#define TEXT_SIZE 0x3000
#define BSS_ADDR (TEXT_ADDR + 0x4000)
#define BSS_FILESZ 0x100
#define BSS_MEMSZ 0x3000

static uint8_t text[TEXT_SIZE], data[BSS_FILESZ];

/* What vmlinux_parse gives for a two-segment kernel. */
static struct vmlinux kernel(void)
{
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (uint8_t)(i * 13 + 1);
	memset(data, 0x3c, sizeof(data));
	return (struct vmlinux){
		.seg = {{.data = text, .filesz = TEXT_SIZE, .paddr = TEXT_ADDR, .memsz = TEXT_SIZE},
			{.data = data, .filesz = BSS_FILESZ, .paddr = BSS_ADDR, .memsz = BSS_MEMSZ}},
		.nseg = 2,
		.start = TEXT_ADDR,
		.end = BSS_ADDR + BSS_MEMSZ,
		.pvh_entry = TEXT_ADDR + 0x40,
	};
}

TestSuite(loader_pvh, .init = setup, .fini = teardown);

Test(loader_pvh, end_to_end)
{
	struct vmlinux k = kernel();
	struct pvh_boot_result res;
	uint8_t initrd[200 * 1024];

	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i * 31 + 7);
	error_clear();
	cr_assert_eq(boot_load_pvh(&mem, &k, initrd, sizeof(initrd), "root=/dev/ram0", 2, NULL,
				   &res),
		     0, "%s", error_message());

	/* Segments at their physical addresses; .bss zeroed over stale RAM. */
	cr_assert_eq(memcmp(gpa(TEXT_ADDR), text, TEXT_SIZE), 0);
	cr_assert_eq(memcmp(gpa(BSS_ADDR), data, BSS_FILESZ), 0);
	for (uint64_t a = BSS_ADDR + BSS_FILESZ; a < BSS_ADDR + BSS_MEMSZ; a++)
		cr_assert_eq(*gpa(a), 0, ".bss byte at 0x%llx not zeroed", (unsigned long long)a);
	cr_assert_eq(*gpa(TEXT_ADDR + TEXT_SIZE), 0xa5, "the gap between segments was written");
	cr_assert_eq(*gpa(BSS_ADDR + BSS_MEMSZ), 0xa5, "written past the last segment");

	cr_assert_eq(res.entry, TEXT_ADDR + 0x40);
	cr_assert_eq(res.start_info_gpa, PVH_START_INFO_ADDR);
	cr_assert_eq(res.kernel_start, TEXT_ADDR);
	cr_assert_eq(res.kernel_end, BSS_ADDR + BSS_MEMSZ);

	struct pvh_start_info si = read_start_info(res.start_info_gpa);
	cr_assert_eq(si.magic, PVH_START_MAGIC);
	cr_assert_eq(si.version, 1);

	/* Command line: the defaults, then what the user gave. */
	cr_assert_eq(si.cmdline_paddr, BOOT_CMDLINE_ADDR);
	cr_assert_str_eq((char *)gpa(si.cmdline_paddr), CMDLINE_DEFAULTS " root=/dev/ram0");

	/* The initrd: module 0, page-aligned above the kernel's .bss. */
	struct pvh_modlist_entry m;
	cr_assert_eq(si.nr_modules, 1);
	memcpy(&m, gpa(si.modlist_paddr), sizeof(m));
	cr_assert_eq(m.paddr, res.initrd_gpa);
	cr_assert_eq(m.size, sizeof(initrd));
	cr_assert_geq(res.initrd_gpa, res.kernel_end);
	cr_assert_eq(res.initrd_gpa % 4096, 0);
	cr_assert_leq(res.initrd_gpa + sizeof(initrd), GUEST_SIZE);
	cr_assert_eq(memcmp(gpa(res.initrd_gpa), initrd, sizeof(initrd)), 0);

	/* The ACPI RSDP and the MP table, as for a bzImage. */
	cr_assert_eq(memcmp(gpa(si.rsdp_paddr), "RSD PTR ", 8), 0);
	bool found_mp = false;
	for (uint64_t a = MPTABLE_ADDR; a < MPTABLE_ADDR + 1024; a += 16)
		found_mp |= memcmp(gpa(a), "_MP_", 4) == 0;
	cr_assert(found_mp, "no MP floating pointer");

	/* Memory map: RAM, the reserved BIOS area, RAM from 1 MiB to the end. */
	cr_assert_eq(si.memmap_entries, 3);
	struct pvh_memmap_entry ram = read_memmap(si.memmap_paddr, 2);
	cr_assert_eq(ram.addr, HIGH_MEMORY_START);
	cr_assert_eq(ram.addr + ram.size, GUEST_SIZE);
	cr_assert_eq(read_memmap(si.memmap_paddr, 1).type, E820_TYPE_RESERVED);

	/* The start info and its lists stay clear of the GDT and the
	 * command line. */
	cr_assert_geq(si.memmap_paddr + 3 * sizeof(ram), PVH_START_INFO_ADDR);
	cr_assert_leq(si.memmap_paddr + 3 * sizeof(ram), PVH_START_INFO_ADDR + PVH_START_INFO_MAX);

	/* A GDT with a 32-bit code segment at the selector the registers use. */
	uint64_t cs_desc;
	memcpy(&cs_desc, gpa(BOOT_GDT_ADDR + BOOT_CS_SELECTOR), 8);
	cr_assert_eq((cs_desc >> 53) & 3, 2, "CS descriptor: L = 0, D = 1 (32-bit code)");
}

Test(loader_pvh, no_initrd)
{
	struct vmlinux k = kernel();
	struct pvh_boot_result res;

	cr_assert_eq(boot_load_pvh(&mem, &k, NULL, 0, NULL, 1, NULL, &res), 0, "%s",
		     error_message());
	struct pvh_start_info si = read_start_info(res.start_info_gpa);
	cr_assert_eq(si.nr_modules, 0);
	cr_assert_eq(si.modlist_paddr, 0);
	cr_assert_eq(res.initrd_gpa, 0);
	cr_assert_str_eq((char *)gpa(si.cmdline_paddr), CMDLINE_DEFAULTS);
}

Test(loader_pvh, segment_below_1mib)
{
	struct vmlinux k = kernel();
	struct pvh_boot_result res;

	k.seg[0].paddr = k.start = 0x80000;
	error_clear();
	expect_error(boot_load_pvh(&mem, &k, NULL, 0, NULL, 1, NULL, &res),
		     "kernel: vmlinux segment at 0x80000 lies below 1 MiB, where minivmm keeps its "
		     "boot tables");
}

Test(loader_pvh, kernel_larger_than_ram)
{
	struct vmlinux k = kernel();
	struct pvh_boot_result res;

	k.seg[1].memsz = GUEST_SIZE; /* .bss past the end of RAM */
	k.end = BSS_ADDR + GUEST_SIZE;
	error_clear();
	expect_error(boot_load_pvh(&mem, &k, NULL, 0, NULL, 1, NULL, &res),
		     "kernel needs 81 MiB of RAM (up to 0x5003fff), guest has only 64 MiB; raise "
		     "--memory");
}

Test(loader_pvh, kernel_in_the_mmio_hole)
{
	struct vmlinux k = kernel();
	struct pvh_boot_result res;

	k.seg[1].paddr = MMIO_HOLE_START;
	k.end = MMIO_HOLE_START + BSS_MEMSZ;
	error_clear();
	expect_error(boot_load_pvh(&mem, &k, NULL, 0, NULL, 1, NULL, &res),
		     "past 3 GiB where guest RAM below 4 GiB ends");
}

Test(loader_pvh, kernel_ends_exactly_at_end_of_ram)
{
	struct vmlinux k = kernel();
	struct pvh_boot_result res;

	k.seg[1].memsz = GUEST_SIZE - BSS_ADDR;
	k.end = GUEST_SIZE;
	error_clear();
	cr_assert_eq(boot_load_pvh(&mem, &k, NULL, 0, NULL, 1, NULL, &res), 0, "%s",
		     error_message());
	cr_assert_eq(*gpa(GUEST_SIZE - 1), 0);
}

Test(loader_pvh, initrd_does_not_fit)
{
	struct vmlinux k = kernel();
	struct pvh_boot_result res;
	size_t size = GUEST_SIZE - 16 * MiB;
	uint8_t *initrd = calloc(1, size);

	cr_assert_not_null(initrd);
	error_clear();
	expect_error(boot_load_pvh(&mem, &k, initrd, size, NULL, 1, NULL, &res),
		     "initrd (48 MiB) does not fit");
	free(initrd);
}

/* x86's COMMAND_LINE_SIZE: 2047 characters and the NUL. */
Test(loader_pvh, command_line_limit)
{
	struct vmlinux k = kernel();
	struct pvh_boot_result res;
	size_t room = PVH_CMDLINE_MAX - 1 - strlen(CMDLINE_DEFAULTS) - 1;
	char *user = malloc(room + 2);

	cr_assert_not_null(user);
	memset(user, 'x', room + 1);
	user[room] = '\0';
	error_clear();
	cr_assert_eq(boot_load_pvh(&mem, &k, NULL, 0, user, 1, NULL, &res), 0, "%s",
		     error_message());
	cr_assert_eq(strlen((char *)gpa(BOOT_CMDLINE_ADDR)), PVH_CMDLINE_MAX - 1);
	user[room] = 'x';
	user[room + 1] = '\0';
	error_clear();
	expect_error(boot_load_pvh(&mem, &k, NULL, 0, user, 1, NULL, &res),
		     "but the kernel accepts at most 2047");
	free(user);
}

/* The devices go on the command line only when ACPI is off (as for a
 * bzImage: docs/acpi.md). */
Test(loader_pvh, devices_on_the_command_line_with_acpi_off)
{
	struct vmlinux k = kernel();
	struct pvh_boot_result res;
	struct platform_mmio_device dev = {.base = 0xd0000000, .size = 0x1000, .irq = 5};
	struct boot_devices devs = {.mmio = &dev, .nmmio = 1};

	cr_assert_eq(boot_load_pvh(&mem, &k, NULL, 0, "acpi=off", 1, &devs, &res), 0, "%s",
		     error_message());
	cr_assert_not_null(strstr((char *)gpa(BOOT_CMDLINE_ADDR),
				  "virtio_mmio.device=4K@0xd0000000:5 acpi=off"),
			   "%s", (char *)gpa(BOOT_CMDLINE_ADDR));
	cr_assert_eq(boot_load_pvh(&mem, &k, NULL, 0, NULL, 1, &devs, &res), 0, "%s",
		     error_message());
	cr_assert_null(strstr((char *)gpa(BOOT_CMDLINE_ADDR), "virtio_mmio"));
}
