#include "boot/bzimage.h"

#include <asm/bootparam.h>
#include <stddef.h>

#include "lib/error.h"

/* Offsets in the image of setup header fields (boot.rst, "The Real-Mode
 * Kernel Header"; all little-endian). */
#define HDR_START 0x1f1 /* struct setup_header begins here */
#define OFF_SETUP_SECTS 0x1f1
#define OFF_SYSSIZE 0x1f4
#define OFF_BOOT_FLAG 0x1fe
#define OFF_JUMP_OFFSET 0x201 /* second byte of the short jump at 0x200 */
#define OFF_HEADER 0x202
#define OFF_VERSION 0x206
#define OFF_LOADFLAGS 0x211
#define OFF_INITRD_ADDR_MAX 0x22c
#define OFF_KERNEL_ALIGNMENT 0x230
#define OFF_RELOCATABLE 0x234
#define OFF_XLOADFLAGS 0x236
#define OFF_CMDLINE_SIZE 0x238
#define OFF_PREF_ADDRESS 0x258
#define OFF_INIT_SIZE 0x260
#define HDR_END_2_12 0x268 /* end of handover_offset, the last 2.12 field */

#define BOOT_FLAG_MAGIC 0xaa55
#define HDRS_MAGIC 0x53726448 /* "HdrS" read as a little-endian u32 */
#define SECTOR_SIZE 512
#define SETUP_SECTS_DEFAULT 4 /* what setup_sects == 0 means */
#define SYSSIZE_UNIT 16       /* syssize counts 16-byte paragraphs */
#define MIN_VERSION 0x020c    /* 2.12: first protocol with xloadflags */
#define CMDLINE_SIZE_OLD 255  /* before 2.06 */

/* Every fixed field read below lies before this offset. */
#define MIN_FILE_SIZE (HDR_START + sizeof(struct setup_header))

static uint64_t get_le(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int check_magic(const uint8_t *data)
{
	if (get_le(data + OFF_BOOT_FLAG, 2) != BOOT_FLAG_MAGIC)
		return error_set("kernel: not a bzImage: no 0xAA55 boot flag at 0x1fe");
	if (get_le(data + OFF_HEADER, 4) != HDRS_MAGIC)
		return error_set("kernel: not a bzImage: no HdrS signature at 0x202");
	return 0;
}

static int check_version(const uint8_t *data, uint16_t *version)
{
	*version = (uint16_t)get_le(data + OFF_VERSION, 2);
	if (*version < MIN_VERSION)
		return error_set("kernel: boot protocol %u.%02u is too old; minivmm needs 2.12 or "
				 "later (xloadflags, 64-bit entry)",
				 *version >> 8, *version & 0xff);
	return 0;
}

/* The real-mode part (boot sector + setup) is followed by the protected-mode
 * kernel, syssize paragraphs long; both must lie inside the file. */
static int find_kernel(struct bzimage *img, const uint8_t *data, size_t size)
{
	uint64_t sects = data[OFF_SETUP_SECTS];
	uint64_t syssize = get_le(data + OFF_SYSSIZE, 4);
	uint64_t kernel_size, total;

	if (sects == 0)
		sects = SETUP_SECTS_DEFAULT;
	img->setup_size = (sects + 1) * SECTOR_SIZE;
	if (syssize == 0)
		return error_set("kernel: header says the protected-mode kernel is empty (syssize 0)");
	if (__builtin_mul_overflow(syssize, SYSSIZE_UNIT, &kernel_size) ||
	    __builtin_add_overflow(img->setup_size, kernel_size, &total))
		return error_set("kernel: syssize 0x%llx is impossibly large",
				 (unsigned long long)syssize);
	if (total > size)
		return error_set("kernel: truncated: header says %llu bytes, file has %zu",
				 (unsigned long long)total, size);
	img->kernel = data + img->setup_size;
	img->kernel_size = kernel_size;
	return 0;
}

/* The setup header runs from 0x1f1 to 0x202 + the jump offset at 0x201
 * (boot.rst, "64-bit Boot Protocol"); it goes into boot_params.hdr. */
static int find_setup_header(struct bzimage *img, const uint8_t *data)
{
	size_t end = OFF_HEADER + (size_t)data[OFF_JUMP_OFFSET];

	if (end < HDR_END_2_12)
		return error_set("kernel: setup header ends at 0x%zx, before the end of the "
				 "protocol 2.12 fields (0x%x)",
				 end, HDR_END_2_12);
	img->setup_header = data + HDR_START;
	img->setup_header_size = end - HDR_START;
	if (img->setup_header_size > sizeof(struct setup_header))
		img->setup_header_size = sizeof(struct setup_header);
	return 0;
}

static int parse(struct bzimage *img, const uint8_t *data, size_t size)
{
	if (data == NULL || size < MIN_FILE_SIZE)
		return error_set("kernel: file too small to be a bzImage (%zu bytes)",
				 data ? size : 0);
	if (check_magic(data) < 0 || check_version(data, &img->version) < 0)
		return -1;

	img->xloadflags = (uint16_t)get_le(data + OFF_XLOADFLAGS, 2);
	if (!(img->xloadflags & XLF_KERNEL_64))
		return error_set("kernel has no 64-bit entry point (XLF_KERNEL_64 not set in "
				 "xloadflags): minivmm boots only x86-64 kernels");
	/* A zImage (LOADED_HIGH clear) expects to run at 0x10000. */
	if (!(data[OFF_LOADFLAGS] & LOADED_HIGH))
		return error_set("kernel: LOADED_HIGH not set in loadflags: a zImage, not a "
				 "bzImage");
	if (find_kernel(img, data, size) < 0 || find_setup_header(img, data) < 0)
		return -1;

	img->relocatable = data[OFF_RELOCATABLE] != 0;
	img->kernel_alignment = (uint32_t)get_le(data + OFF_KERNEL_ALIGNMENT, 4);
	img->pref_address = get_le(data + OFF_PREF_ADDRESS, 8);
	img->init_size = (uint32_t)get_le(data + OFF_INIT_SIZE, 4);
	img->initrd_addr_max = (uint32_t)get_le(data + OFF_INITRD_ADDR_MAX, 4);
	img->cmdline_size = img->version >= 0x0206
				    ? (uint32_t)get_le(data + OFF_CMDLINE_SIZE, 4)
				    : CMDLINE_SIZE_OLD;
	/* The decompressor rounds its start address up to kernel_alignment
	 * (arch/x86/boot/compressed/head_64.S), which only works for a power
	 * of two. */
	if (img->relocatable &&
	    (img->kernel_alignment == 0 || (img->kernel_alignment & (img->kernel_alignment - 1))))
		return error_set("kernel: kernel_alignment 0x%x is not a power of two",
				 img->kernel_alignment);
	return 0;
}

int bzimage_parse(struct bzimage *img, const uint8_t *data, size_t size)
{
	struct bzimage parsed = {0};

	if (parse(&parsed, data, size) < 0)
		return -1;
	*img = parsed;
	return 0;
}
