/* libFuzzer target: the bzImage parser and the Linux loader on hostile
 * kernel files. The input is an 8-byte prefix (guest RAM size, vCPU count,
 * initrd and command line sizes: fuzz_input.h) followed by the file, which
 * goes to bzimage_parse; whatever parses is loaded by boot_load_linux into
 * guest RAM of the chosen size. Besides crashes, ASan and UBSan reports,
 * it aborts when a promise of boot/bzimage.h or boot/loader.h is broken:
 * a parsed image pointing outside the file, a kernel loaded below 1 MiB or
 * past the end of RAM, an initrd overlapping the kernel or above
 * initrd_addr_max, a command line longer than the kernel accepts, a
 * boot_params that does not describe what was loaded. Guest RAM and the
 * rest of the harness: fuzz_boot.h. */
#include <asm/bootparam.h>
#include <stdint.h>
#include <string.h>

#include "boot/bzimage.h"
#include "boot/cmdline.h"
#include "boot/e820.h"
#include "boot/loader.h"
#include "fuzz_boot.h"
#include "fuzz_check.h"
#include "fuzz_input.h"
#include "lib/error.h"
#include "lib/log.h"
#include "lib/platform.h"

#define PAGE_SIZE 4096u

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_boot_init();
	return 0;
}

/* bzimage.h: every pointer lies inside the file, and the fields obey the
 * checks the parser claims to make. */
static void check_parsed(const struct bzimage *img, const uint8_t *file, size_t size)
{
	FUZZ_CHECK(img->version >= 0x020c, "accepted protocol 0x%x", img->version);
	FUZZ_CHECK(img->xloadflags & XLF_KERNEL_64, "accepted a kernel without XLF_KERNEL_64");
	FUZZ_CHECK(img->setup_header == file + 0x1f1, "setup header not at 0x1f1");
	FUZZ_CHECK(img->setup_header_size <= sizeof(struct setup_header) &&
			   0x1f1 + img->setup_header_size <= size,
		   "setup header of %zu bytes", img->setup_header_size);
	FUZZ_CHECK(img->kernel_size > 0 && img->kernel >= file + img->setup_size &&
			   img->setup_size <= size && img->kernel_size <= size - img->setup_size,
		   "kernel [%zu, +%llu) outside the %zu-byte file", (size_t)(img->kernel - file),
		   (unsigned long long)img->kernel_size, size);
	FUZZ_CHECK(!img->relocatable || (img->kernel_alignment != 0 &&
					 !(img->kernel_alignment & (img->kernel_alignment - 1))),
		   "relocatable kernel with alignment 0x%x", img->kernel_alignment);
}

static bool e820_covers(const struct boot_params *bp, uint64_t start, uint64_t end)
{
	for (int i = 0; i < bp->e820_entries; i++) {
		const struct boot_e820_entry *e = &bp->e820_table[i];
		uint64_t addr = e->addr, len = e->size;

		if (e->type == E820_TYPE_RAM && start >= addr && end - addr <= len)
			return true;
	}
	return false;
}

static void check_cmdline(const struct guest_memory *mem, const struct bzimage *img,
			  const char *extra)
{
	const char *got = guest_memory_ptr(mem, BOOT_CMDLINE_ADDR, 1);
	size_t max = (size_t)img->cmdline_size + 1, dlen = strlen(CMDLINE_DEFAULTS);
	size_t elen = extra ? strlen(extra) : 0;

	if (max > BOOT_CMDLINE_MAX)
		max = BOOT_CMDLINE_MAX;
	FUZZ_CHECK(got && memchr(got, '\0', max), "command line not NUL-terminated within %zu",
		   max);
	FUZZ_CHECK(strncmp(got, CMDLINE_DEFAULTS, dlen) == 0, "command line lost its defaults");
	if (elen)
		FUZZ_CHECK(got[dlen] == ' ' && strcmp(got + dlen + 1, extra) == 0,
			   "command line is not defaults + ' ' + the %zu added bytes", elen);
	else
		FUZZ_CHECK(got[dlen] == '\0', "command line has bytes nobody added");
}

/* loader.h, boot.rst: where everything went, and what boot_params says. */
static void check_loaded(const struct guest_memory *mem, const struct bzimage *img,
			 const struct bz_params *p, const char *extra, const struct boot_result *r)
{
	const uint8_t *k;
	const struct boot_params *bp;

	FUZZ_CHECK(r->entry == r->kernel_gpa + 0x200, "entry 0x%llx for kernel at 0x%llx",
		   (unsigned long long)r->entry, (unsigned long long)r->kernel_gpa);
	FUZZ_CHECK(r->kernel_gpa >= HIGH_MEMORY_START, "kernel at 0x%llx, among the boot tables",
		   (unsigned long long)r->kernel_gpa);
	FUZZ_CHECK(r->kernel_gpa == img->pref_address ||
			   (img->relocatable && r->kernel_gpa == KERNEL_DEFAULT_LOAD_ADDR),
		   "kernel at 0x%llx: neither pref_address 0x%llx nor the default",
		   (unsigned long long)r->kernel_gpa, (unsigned long long)img->pref_address);
	FUZZ_CHECK(r->kernel_end >= r->kernel_gpa + img->kernel_size &&
			   r->kernel_end >= img->pref_address + img->init_size &&
			   r->kernel_end <= mem->low_size,
		   "kernel [0x%llx, 0x%llx) of %llu bytes + init_size 0x%x in %llu bytes of RAM",
		   (unsigned long long)r->kernel_gpa, (unsigned long long)r->kernel_end,
		   (unsigned long long)img->kernel_size, img->init_size,
		   (unsigned long long)mem->low_size);
	if (img->relocatable) {
		uint64_t mask = (uint64_t)img->kernel_alignment - 1;
		uint64_t run = (r->kernel_gpa + mask) & ~mask;

		FUZZ_CHECK(r->kernel_end >= run + img->init_size,
			   "kernel_end 0x%llx below its aligned start 0x%llx + init_size 0x%x",
			   (unsigned long long)r->kernel_end, (unsigned long long)run,
			   img->init_size);
	}
	k = guest_memory_ptr(mem, r->kernel_gpa, img->kernel_size);
	FUZZ_CHECK(k && memcmp(k, img->kernel, img->kernel_size) == 0,
		   "kernel bytes in guest RAM differ from the file");

	FUZZ_CHECK(r->initrd_size == p->initrd_size, "initrd size %llu, asked %zu",
		   (unsigned long long)r->initrd_size, p->initrd_size);
	if (p->initrd_size) {
		const uint8_t *i = guest_memory_ptr(mem, r->initrd_gpa, p->initrd_size);

		FUZZ_CHECK(r->initrd_gpa % PAGE_SIZE == 0 && r->initrd_gpa >= r->kernel_end &&
				   r->initrd_gpa + p->initrd_size - 1 <= img->initrd_addr_max,
			   "initrd [0x%llx, +%zu) with kernel_end 0x%llx, initrd_addr_max 0x%x",
			   (unsigned long long)r->initrd_gpa, p->initrd_size,
			   (unsigned long long)r->kernel_end, img->initrd_addr_max);
		FUZZ_CHECK(i && memcmp(i, initrd_buf, p->initrd_size) == 0,
			   "initrd bytes in guest RAM differ");
	} else {
		FUZZ_CHECK(r->initrd_gpa == 0, "initrd at 0x%llx with none given",
			   (unsigned long long)r->initrd_gpa);
	}

	check_cmdline(mem, img, extra);

	FUZZ_CHECK(r->boot_params_gpa == BOOT_PARAMS_ADDR, "boot_params at 0x%llx",
		   (unsigned long long)r->boot_params_gpa);
	bp = guest_memory_ptr(mem, BOOT_PARAMS_ADDR, sizeof(*bp));
	FUZZ_CHECK(bp != NULL, "no room for boot_params");
	FUZZ_CHECK(bp->hdr.boot_flag == 0xaa55 && bp->hdr.header == 0x53726448 &&
			   bp->hdr.type_of_loader == 0xff,
		   "boot_params.hdr is not the file's header with type_of_loader 0xff");
	FUZZ_CHECK(bp->hdr.cmd_line_ptr == BOOT_CMDLINE_ADDR && bp->ext_cmd_line_ptr == 0,
		   "cmd_line_ptr 0x%x", bp->hdr.cmd_line_ptr);
	FUZZ_CHECK(bp->hdr.ramdisk_image == r->initrd_gpa && bp->ext_ramdisk_image == 0 &&
			   bp->hdr.ramdisk_size == p->initrd_size && bp->ext_ramdisk_size == 0,
		   "ramdisk_image 0x%x size %u", bp->hdr.ramdisk_image, bp->hdr.ramdisk_size);
	FUZZ_CHECK(bp->e820_entries >= 1 && bp->e820_entries <= E820_MAX_ENTRIES_ZEROPAGE,
		   "%u e820 entries", bp->e820_entries);
	FUZZ_CHECK(e820_covers(bp, r->kernel_gpa, r->kernel_end),
		   "e820 has no RAM entry holding the kernel [0x%llx, 0x%llx)",
		   (unsigned long long)r->kernel_gpa, (unsigned long long)r->kernel_end);
	FUZZ_CHECK(!p->initrd_size ||
			   e820_covers(bp, r->initrd_gpa, r->initrd_gpa + p->initrd_size),
		   "e820 has no RAM entry holding the initrd");
	for (int i = 0; i < bp->e820_entries; i++) {
		uint64_t addr = bp->e820_table[i].addr, len = bp->e820_table[i].size;

		FUZZ_CHECK(bp->e820_table[i].type != E820_TYPE_RAM || addr + len <= mem->low_size,
			   "e820 RAM entry [0x%llx, +0x%llx) beyond %llu bytes of RAM",
			   (unsigned long long)addr, (unsigned long long)len,
			   (unsigned long long)mem->low_size);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bz_params p;
	struct bzimage img, untouched;
	struct guest_memory mem;
	struct boot_result r;
	const char *extra = fuzz_boot_input(&data, &size, &p, &mem);
	int rc;

	memset(&img, 0xee, sizeof(img));
	untouched = img;
	error_clear();
	if (bzimage_parse(&img, data, size) < 0) {
		fuzz_boot_parse_failed("bzimage_parse", &img, &untouched, sizeof(img));
		return 0;
	}
	check_parsed(&img, data, size);

	memset(&r, 0xee, sizeof(r));
	error_clear();
	rc = boot_load_linux(&mem, &img, p.initrd_size ? initrd_buf : NULL, p.initrd_size, extra,
			     p.ncpus, NULL, &r);
	if (!fuzz_boot_loaded("boot_load_linux", rc, &p))
		return 0;
	check_loaded(&mem, &img, &p, extra, &r);
	log_info("loaded: kernel 0x%llx-0x%llx, initrd %zu bytes at 0x%llx, %zu-byte cmdline",
		 (unsigned long long)r.kernel_gpa, (unsigned long long)r.kernel_end, p.initrd_size,
		 (unsigned long long)r.initrd_gpa, p.has_cmdline ? p.cmdline_len : 0);
	return 0;
}
