/* Where the initial ramdisk goes in guest memory (Documentation/x86/boot.rst,
 * initrd_addr_max and "Sample Boot Configuration"). */
#ifndef MINIVMM_BOOT_INITRD_H
#define MINIVMM_BOOT_INITRD_H

#include <stdint.h>

#include "lib/guest_memory.h"

/* Choose *addr for an initrd of `size` bytes: the highest page-aligned
 * address such that it ends at or below both the end of low RAM and
 * initrd_addr_max + 1, and starts at or above kernel_end (the end of the
 * memory the kernel needs while booting). Always below 4 GiB. Returns 0, or
 * -1 with an error ("initrd (N MiB) does not fit ...; raise --memory"). */
int initrd_place(const struct guest_memory *mem, uint64_t kernel_end, uint64_t initrd_addr_max,
		 uint64_t size, uint64_t *addr);

#endif
