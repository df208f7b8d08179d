/* Loading an uncompressed ELF vmlinux for its PVH entry point: its
 * segments at their physical addresses, the command line, the initrd, the
 * MP and ACPI tables, a GDT, and the hvm_start_info that tells the kernel
 * where each of them is (boot/pvh.h; Linux: arch/x86/platform/pvh/). The
 * kernel then skips its own decompression: there is none. Pure logic: no
 * files, no ioctls; the caller reads the files and sets up the vCPUs from
 * the result (boot/cpu_setup.h, cpu_setup_pvh_regs). */
#ifndef MINIVMM_BOOT_LOADER_PVH_H
#define MINIVMM_BOOT_LOADER_PVH_H

#include <stddef.h>
#include <stdint.h>

#include "boot/loader.h"
#include "boot/vmlinux.h"
#include "lib/guest_memory.h"

/* x86's COMMAND_LINE_SIZE (arch/x86/include/asm/setup.h), with the NUL: a
 * vmlinux has no setup header to say cmdline_size, and the kernel copies
 * no more than this. */
#define PVH_CMDLINE_MAX 2048
/* The highest byte the initrd may occupy: what an x86-64 kernel's setup
 * header says (arch/x86/boot/header.S, initrd_addr_max), kept for the
 * vmlinux of the same kernel; hvm_start_info has no such field. */
#define PVH_INITRD_ADDR_MAX 0x7fffffffULL

struct pvh_boot_result {
	uint32_t entry;          /* the XEN_ELFNOTE_PHYS32_ENTRY address: EIP */
	uint32_t start_info_gpa; /* EBX at entry */
	uint64_t kernel_start;   /* lowest segment address */
	uint64_t kernel_end;     /* end of the highest segment, .bss included */
	uint64_t initrd_gpa;     /* 0 with no initrd */
	uint64_t initrd_size;
};

/* Load k (and initrd, if initrd_size > 0) into mem for a guest with ncpus
 * vCPUs and the given devices (NULL: none); the command line is built as
 * for boot_load_linux (boot/loader.h). Returns 0 and fills *out, or -1
 * with an error: a segment below 1 MiB (minivmm's tables) or beyond RAM,
 * an initrd or command line that does not fit. */
int boot_load_pvh(struct guest_memory *mem, const struct vmlinux *k, const uint8_t *initrd,
		  size_t initrd_size, const char *cmdline, int ncpus,
		  const struct boot_devices *devices, struct pvh_boot_result *out);

#endif
