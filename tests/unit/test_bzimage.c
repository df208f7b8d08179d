/* bzimage_parse on synthetic images: a valid header, each way a file can be
 * rejected, and header values chosen to provoke out-of-bounds reads or
 * overflows (ASan/UBSan in the test build catch any). Fields are set through
 * the uapi struct setup_header, which checks the parser's offsets. */
#include <criterion/criterion.h>

#include <asm/bootparam.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/bzimage.h"
#include "lib/error.h"

#define HDR_OFFSET 0x1f1
#define KERNEL_BYTES (64 * 1024)

struct image {
	uint8_t *data;
	size_t size;
	struct setup_header *hdr;
};

/* A well-formed 2.15 bzImage: 4 setup sectors, then KERNEL_BYTES of kernel
 * filled with a position-dependent pattern. */
static struct image make_image(unsigned setup_sects, size_t kernel_bytes)
{
	unsigned real_sects = setup_sects ? setup_sects : 4;
	size_t setup = (real_sects + 1) * 512;
	struct image img = {.size = setup + kernel_bytes};

	img.data = calloc(1, img.size);
	cr_assert_not_null(img.data);
	img.hdr = (struct setup_header *)(img.data + HDR_OFFSET);
	img.hdr->setup_sects = (uint8_t)setup_sects;
	img.hdr->syssize = (uint32_t)(kernel_bytes / 16);
	img.hdr->boot_flag = 0xaa55;
	img.data[0x200] = 0xeb;                /* short jump ... */
	img.data[0x201] = 0x26c - 0x202;       /* ... to just past the header */
	memcpy(&img.hdr->header, "HdrS", 4);
	img.hdr->version = 0x020f;
	img.hdr->loadflags = LOADED_HIGH;
	img.hdr->initrd_addr_max = 0x7fffffff;
	img.hdr->kernel_alignment = 0x200000;
	img.hdr->relocatable_kernel = 1;
	img.hdr->xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G;
	img.hdr->cmdline_size = 2047;
	img.hdr->pref_address = 0x1000000;
	img.hdr->init_size = 0x800000;
	for (size_t i = 0; i < kernel_bytes; i++)
		img.data[setup + i] = (uint8_t)(i * 7 + 3);
	return img;
}

static void expect_error(const struct image *img, size_t size, const char *needle)
{
	struct bzimage out;

	error_clear();
	cr_assert_eq(bzimage_parse(&out, img->data, size), -1, "parse should fail (%s)", needle);
	cr_assert_not_null(strstr(error_message(), needle), "error \"%s\" lacks \"%s\"",
			   error_message(), needle);
}

Test(bzimage, valid_image_fields)
{
	struct image img = make_image(4, KERNEL_BYTES);
	struct bzimage out;

	cr_assert_eq(bzimage_parse(&out, img.data, img.size), 0, "%s", error_message());
	cr_assert_eq(out.version, 0x020f);
	cr_assert_eq(out.setup_size, 5 * 512);
	cr_assert_eq(out.kernel, img.data + 5 * 512);
	cr_assert_eq(out.kernel_size, KERNEL_BYTES);
	cr_assert_eq(out.kernel[0], 3);
	cr_assert(out.relocatable);
	cr_assert_eq(out.kernel_alignment, 0x200000);
	cr_assert_eq(out.pref_address, 0x1000000);
	cr_assert_eq(out.init_size, 0x800000);
	cr_assert_eq(out.initrd_addr_max, 0x7fffffff);
	cr_assert_eq(out.cmdline_size, 2047);
	cr_assert_eq(out.xloadflags & XLF_KERNEL_64, XLF_KERNEL_64);
	cr_assert_eq(out.setup_header, img.data + HDR_OFFSET);
	cr_assert_eq(out.setup_header_size, 0x26c - 0x1f1);
	free(img.data);
}

Test(bzimage, setup_sects_zero_means_four)
{
	struct image img = make_image(0, KERNEL_BYTES);
	struct bzimage out;

	cr_assert_eq(bzimage_parse(&out, img.data, img.size), 0, "%s", error_message());
	cr_assert_eq(out.setup_size, 5 * 512);
	cr_assert_eq(out.kernel, img.data + 5 * 512);
	free(img.data);
}

Test(bzimage, larger_setup_moves_kernel)
{
	struct image img = make_image(30, KERNEL_BYTES);
	struct bzimage out;

	cr_assert_eq(bzimage_parse(&out, img.data, img.size), 0, "%s", error_message());
	cr_assert_eq(out.setup_size, 31 * 512);
	cr_assert_eq(out.kernel, img.data + 31 * 512);
	free(img.data);
}

Test(bzimage, setup_header_length_from_jump)
{
	struct image img = make_image(4, KERNEL_BYTES);
	struct bzimage out;

	/* A longer header than minivmm knows is capped to struct setup_header. */
	img.data[0x201] = 0xff;
	cr_assert_eq(bzimage_parse(&out, img.data, img.size), 0, "%s", error_message());
	cr_assert_eq(out.setup_header_size, sizeof(struct setup_header));
	/* A 2.12-era header ending after handover_offset is taken as is. */
	img.data[0x201] = 0x268 - 0x202;
	cr_assert_eq(bzimage_parse(&out, img.data, img.size), 0, "%s", error_message());
	cr_assert_eq(out.setup_header_size, 0x268 - 0x1f1);
	free(img.data);
}

Test(bzimage, header_too_short_for_its_version)
{
	struct image img = make_image(4, KERNEL_BYTES);

	img.data[0x201] = 0x10;
	expect_error(&img, img.size, "setup header ends at 0x212");
	free(img.data);
}

Test(bzimage, wrong_magic)
{
	struct image img = make_image(4, KERNEL_BYTES);

	memcpy(&img.hdr->header, "HdrZ", 4);
	expect_error(&img, img.size, "not a bzImage: no HdrS signature");
	free(img.data);
}

Test(bzimage, missing_boot_flag)
{
	struct image img = make_image(4, KERNEL_BYTES);

	img.hdr->boot_flag = 0;
	expect_error(&img, img.size, "0xAA55 boot flag");
	free(img.data);
}

Test(bzimage, old_protocol_named)
{
	struct image img = make_image(4, KERNEL_BYTES);

	img.hdr->version = 0x020b;
	expect_error(&img, img.size, "boot protocol 2.11 is too old");
	/* 2.12 itself is accepted. */
	img.hdr->version = 0x020c;
	struct bzimage out;
	cr_assert_eq(bzimage_parse(&out, img.data, img.size), 0, "%s", error_message());
	free(img.data);
}

Test(bzimage, no_64bit_entry)
{
	struct image img = make_image(4, KERNEL_BYTES);

	img.hdr->xloadflags = XLF_CAN_BE_LOADED_ABOVE_4G;
	expect_error(&img, img.size, "kernel has no 64-bit entry point");
	free(img.data);
}

Test(bzimage, zimage_rejected)
{
	struct image img = make_image(4, KERNEL_BYTES);

	img.hdr->loadflags = 0;
	expect_error(&img, img.size, "LOADED_HIGH");
	free(img.data);
}

Test(bzimage, truncated_file)
{
	struct image img = make_image(4, KERNEL_BYTES);
	char want[128];

	snprintf(want, sizeof(want), "truncated: header says %zu bytes, file has %zu", img.size,
		 img.size - 1);
	expect_error(&img, img.size - 1, want);
	/* Cut inside the setup code, too. */
	snprintf(want, sizeof(want), "truncated: header says %zu bytes, file has 1024", img.size);
	expect_error(&img, 1024, want);
	free(img.data);
}

Test(bzimage, trailing_bytes_not_part_of_kernel)
{
	struct image img = make_image(4, KERNEL_BYTES);
	struct bzimage out;

	/* Only syssize paragraphs are the kernel, even if the file has more. */
	img.hdr->syssize = KERNEL_BYTES / 16 - 4;
	cr_assert_eq(bzimage_parse(&out, img.data, img.size), 0, "%s", error_message());
	cr_assert_eq(out.kernel_size, KERNEL_BYTES - 64);
	free(img.data);
}

Test(bzimage, zero_length_file)
{
	uint8_t byte = 0;
	struct bzimage out;

	error_clear();
	cr_assert_eq(bzimage_parse(&out, &byte, 0), -1);
	cr_assert_str_eq(error_message(), "kernel: file too small to be a bzImage (0 bytes)");
	cr_assert_eq(bzimage_parse(&out, NULL, 0), -1);
}

Test(bzimage, file_shorter_than_header)
{
	struct image img = make_image(4, KERNEL_BYTES);
	uint8_t *head = malloc(0x26b);

	/* An exact-size heap copy, so ASan sees any read past its end. */
	memcpy(head, img.data, 0x26b);
	struct image cut = {.data = head, .size = 0x26b};
	expect_error(&cut, cut.size, "file too small to be a bzImage (619 bytes)");
	free(head);
	free(img.data);
}

Test(bzimage, hostile_syssize)
{
	struct image img = make_image(4, KERNEL_BYTES);
	char want[128];

	/* 0xffffffff paragraphs: 64 GiB, must neither wrap nor be read. */
	img.hdr->syssize = 0xffffffff;
	snprintf(want, sizeof(want), "header says %llu bytes", 0xffffffffULL * 16 + 5 * 512);
	expect_error(&img, img.size, want);
	img.hdr->syssize = 0;
	expect_error(&img, img.size, "syssize 0");
	free(img.data);
}

Test(bzimage, hostile_setup_sects)
{
	struct image img = make_image(4, KERNEL_BYTES);
	char want[128];

	/* 255 setup sectors put the kernel past the end of this file. */
	img.hdr->setup_sects = 255;
	snprintf(want, sizeof(want), "header says %d bytes, file has %zu", 256 * 512 + KERNEL_BYTES,
		 img.size);
	expect_error(&img, img.size, want);
	/* Both at their maximum. */
	img.hdr->syssize = 0xffffffff;
	expect_error(&img, img.size, "truncated");
	free(img.data);
}

Test(bzimage, hostile_kernel_alignment)
{
	struct image img = make_image(4, KERNEL_BYTES);
	struct bzimage out;

	img.hdr->kernel_alignment = 0;
	expect_error(&img, img.size, "kernel_alignment 0x0 is not a power of two");
	img.hdr->kernel_alignment = 0x300000;
	expect_error(&img, img.size, "kernel_alignment 0x300000");
	/* A non-relocatable kernel never uses it. */
	img.hdr->relocatable_kernel = 0;
	cr_assert_eq(bzimage_parse(&out, img.data, img.size), 0, "%s", error_message());
	cr_assert_not(out.relocatable);
	free(img.data);
}

Test(bzimage, failed_parse_leaves_output_alone)
{
	struct image img = make_image(4, KERNEL_BYTES);
	struct bzimage out = {.version = 0x1234, .kernel_size = 99};

	img.hdr->version = 0x0200;
	cr_assert_eq(bzimage_parse(&out, img.data, img.size), -1);
	cr_assert_eq(out.version, 0x1234);
	cr_assert_eq(out.kernel_size, 99);
	free(img.data);
}
