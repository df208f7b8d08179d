/* Loading a Linux bzImage into guest memory for the 64-bit boot protocol
 * (Documentation/x86/boot.rst): kernel, command line, initrd, MP and ACPI
 * tables, GDT and page tables, boot_params. Pure logic: no files, no ioctls;
 * the caller reads the files and sets up the vCPUs from the result. */
#ifndef MINIVMM_BOOT_LOADER_H
#define MINIVMM_BOOT_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "boot/bzimage.h"
#include "lib/guest_memory.h"
#include "lib/platform.h"

struct boot_result {
	uint64_t entry;           /* 64-bit entry point: kernel_gpa + 0x200 */
	uint64_t boot_params_gpa; /* goes in %rsi at entry */
	uint64_t kernel_gpa;      /* where the protected-mode kernel was copied */
	uint64_t kernel_end;      /* end of the memory it needs while booting */
	uint64_t initrd_gpa;      /* 0 with no initrd */
	uint64_t initrd_size;
};

/* The devices the guest cannot discover by itself. */
struct boot_devices {
	const struct platform_mmio_device *mmio; /* virtio-mmio, in slot order */
	size_t nmmio;
};

/* Load img (and initrd, if initrd_size > 0) into mem for a guest with ncpus
 * vCPUs and the given devices (NULL: none). The command line is
 * CMDLINE_DEFAULTS, then the devices' virtio_mmio.device= words if `cmdline`
 * turns ACPI off (otherwise the DSDT describes them), then `cmdline` (may be
 * NULL or ""). Returns 0 and fills *out, or -1 with an error. */
int boot_load_linux(struct guest_memory *mem, const struct bzimage *img, const uint8_t *initrd,
		    size_t initrd_size, const char *cmdline, int ncpus,
		    const struct boot_devices *devices, struct boot_result *out);

#endif
