/* The BIOS-style E820 memory map handed to Linux in boot_params
 * (Documentation/x86/zero-page.rst, e820_table at 0x2d0). */
#ifndef MINIVMM_BOOT_E820_H
#define MINIVMM_BOOT_E820_H

#include <asm/bootparam.h>

#include "lib/guest_memory.h"

/* Entry types, as in the ACPI "Address Range Types" the kernel uses. */
#define E820_TYPE_RAM 1
#define E820_TYPE_RESERVED 2

/* Describe mem in table[0..max): RAM below the EBDA, the EBDA/VGA/BIOS area
 * (where the MP and ACPI tables live) reserved, RAM from 1 MiB to the end of
 * low RAM and, if any, RAM above 4 GiB. Returns the entry count, or -1 with
 * an error if mem has no RAM above 1 MiB or max is too small. */
int e820_build(const struct guest_memory *mem, struct boot_e820_entry *table, int max);

#endif
