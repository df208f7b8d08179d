/* The "zero page" (struct boot_params) a 64-bit Linux kernel reads at entry
 * (Documentation/x86/boot.rst "64-bit Boot Protocol", zero-page.rst). */
#ifndef MINIVMM_BOOT_BOOT_PARAMS_H
#define MINIVMM_BOOT_BOOT_PARAMS_H

#include <stdint.h>

#include <asm/bootparam.h>

#include "boot/bzimage.h"
#include "lib/guest_memory.h"

/* Where the loader put things, in guest-physical addresses. */
struct boot_params_info {
	uint64_t kernel_gpa;    /* load address of the protected-mode kernel */
	uint64_t cmdline_gpa;   /* NUL-terminated kernel command line */
	uint64_t initrd_gpa;    /* 0 when there is no initrd */
	uint64_t initrd_size;   /* 0 when there is no initrd */
	uint64_t acpi_rsdp_gpa; /* 0: the kernel scans for the RSDP itself */
};

/* Fill *bp from scratch: zeroes, the image's setup header, the loader's
 * fields and the E820 map of mem. Returns 0, or -1 with an error. */
int boot_params_build(struct boot_params *bp, const struct bzimage *img,
		      const struct guest_memory *mem, const struct boot_params_info *info);

#endif
