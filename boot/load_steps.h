/* The loading steps both of minivmm's boot protocols share: the bzImage's
 * 64-bit entry (boot/loader.c) and the vmlinux's PVH entry
 * (boot/loader_pvh.c) both need the command line, the initrd and the
 * firmware tables (MP, ACPI) in guest RAM; only where the kernel learns of
 * them differs (boot_params or hvm_start_info), so each step takes the
 * name of that field for --trace=boot. Pure logic: no files, no ioctls. */
#ifndef MINIVMM_BOOT_LOAD_STEPS_H
#define MINIVMM_BOOT_LOAD_STEPS_H

#include <stddef.h>
#include <stdint.h>

#include "boot/loader.h"
#include "lib/guest_memory.h"

/* How the kernel is told where each thing is: the field's name and the
 * document that defines it, for the boot trace. */
struct load_refs {
	const char *cmdline; /* "boot_params.hdr.cmd_line_ptr" */
	const char *initrd;  /* "below initrd_addr_max [...]" */
	const char *rsdp;    /* "boot_params.acpi_rsdp_addr" */
	const char *cmdline_cite; /* "Documentation/x86/boot.rst, cmd_line_ptr" */
};

/* Host pointer for the fixed low-memory area [gpa, gpa + len) from
 * lib/platform.h, or NULL with an error naming `what` (only for a guest far
 * smaller than GUEST_MEMORY_MIN_MIB). */
void *load_low_area(struct guest_memory *mem, uint64_t gpa, uint64_t len, const char *what);

/* The command line at BOOT_CMDLINE_ADDR, at most `max` bytes with its NUL:
 * CMDLINE_DEFAULTS, then the devices' virtio_mmio.device= words if `user`
 * turns ACPI off, then `user` (NULL or ""). Returns 0, or -1 with an error. */
int load_cmdline(struct guest_memory *mem, uint64_t max, const char *user,
		 const struct boot_devices *devs, const struct load_refs *refs);

/* The initrd (`size` bytes; none if 0, then *gpa = 0) as high as RAM and
 * initrd_addr_max allow, above kernel_end (boot/initrd.h). Returns 0, or -1
 * with an error. */
int load_initrd(struct guest_memory *mem, uint64_t kernel_end, uint64_t initrd_addr_max,
		const uint8_t *initrd, size_t size, uint64_t *gpa, const struct load_refs *refs);

/* The MP table at MPTABLE_ADDR and the ACPI tables at ACPI_TABLES_ADDR for
 * ncpus vCPUs and the devices; *rsdp is the RSDP's address. */
int load_firmware_tables(struct guest_memory *mem, int ncpus, const struct boot_devices *devs,
			 uint64_t *rsdp, const struct load_refs *refs);

#endif
