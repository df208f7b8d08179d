/* Parsing and validating a Linux x86 bzImage header, following
 * Documentation/x86/boot.rst ("The Real-Mode Kernel Header" and
 * "64-bit Boot Protocol"). Pure logic: works on a byte buffer, so hostile
 * files can be unit-tested without a VM. */
#ifndef MINIVMM_BOOT_BZIMAGE_H
#define MINIVMM_BOOT_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the loader needs from a bzImage. The pointers point into the
 * buffer given to bzimage_parse, which must outlive this struct. */
struct bzimage {
	uint16_t version;          /* boot protocol, e.g. 0x020f for 2.15 */
	uint64_t setup_size;       /* real-mode part: boot sector + setup_sects */
	const uint8_t *kernel;     /* protected-mode kernel, loaded into the guest */
	uint64_t kernel_size;      /* syssize * 16 bytes */
	bool relocatable;          /* relocatable_kernel != 0 */
	uint32_t kernel_alignment; /* a power of two when relocatable */
	uint64_t pref_address;     /* preferred (or, if not relocatable, fixed) load address */
	uint32_t init_size;        /* memory the kernel needs from its start while booting */
	uint32_t initrd_addr_max;  /* highest address the initrd may occupy */
	uint32_t cmdline_size;     /* longest command line, without its NUL */
	uint16_t xloadflags;
	const uint8_t *setup_header; /* header bytes from offset 0x1f1 ... */
	size_t setup_header_size;    /* ... for boot_params.hdr (<= sizeof(struct setup_header)) */
};

/* Fill *img from the `size` bytes at `data`. Returns 0, or -1 with an error
 * naming what is wrong ("kernel: not a bzImage: no HdrS signature"). Never
 * reads outside [data, data + size), whatever the header says. */
int bzimage_parse(struct bzimage *img, const uint8_t *data, size_t size);

#endif
