/* Parsing and validating an uncompressed x86-64 Linux kernel, the ELF file
 * `vmlinux`, for booting through its PVH entry point: the 32-bit entry
 * that Linux announces in an ELF note of type XEN_ELFNOTE_PHYS32_ENTRY
 * (18) named "Xen" (arch/x86/platform/pvh/head.S, built with CONFIG_PVH;
 * note types: include/xen/interface/elfnote.h). Formats: the System V ABI,
 * "ELF Header", "Program Header" and "Note Section"
 * (/usr/include/elf.h). Pure logic: works on a byte buffer, so hostile
 * files can be unit-tested without a VM. */
#ifndef MINIVMM_BOOT_VMLINUX_H
#define MINIVMM_BOOT_VMLINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A vmlinux has five PT_LOAD segments (text, data, percpu, init, bss);
 * more than this is not a kernel minivmm knows. */
#define VMLINUX_MAX_SEGMENTS 16

/* XEN_ELFNOTE_PHYS32_ENTRY (include/xen/interface/elfnote.h): the
 * physical address of the 32-bit PVH entry point. */
#define VMLINUX_NOTE_PVH_ENTRY 18

/* One PT_LOAD segment: `filesz` bytes from the file go to guest-physical
 * `paddr`, followed by memsz - filesz zero bytes (.bss). */
struct vmlinux_segment {
	const uint8_t *data; /* inside the buffer given to vmlinux_parse */
	uint64_t filesz;
	uint64_t paddr;
	uint64_t memsz; /* >= filesz, > 0 */
};

/* What the loader needs from a vmlinux. Segments are sorted by paddr and
 * do not overlap. The pointers point into the buffer given to
 * vmlinux_parse, which must outlive this struct. */
struct vmlinux {
	struct vmlinux_segment seg[VMLINUX_MAX_SEGMENTS];
	unsigned nseg;      /* >= 1 */
	uint64_t start;     /* lowest paddr of any segment */
	uint64_t end;       /* highest paddr + memsz: the kernel's footprint ends here */
	uint32_t pvh_entry; /* the 32-bit entry, inside a segment's file bytes */
};

/* Whether the `size` bytes at `data` start with the ELF magic (\x7f "ELF"):
 * --kernel then names a vmlinux, not a bzImage. */
bool vmlinux_is_elf(const uint8_t *data, size_t size);

/* Fill *k from the `size` bytes at `data`. Returns 0, or -1 with an error
 * naming what is wrong and, where there is one, the fix ("kernel: vmlinux
 * has no PVH entry note ...: build it with CONFIG_PVH=y, or boot the
 * bzImage"). Never reads outside [data, data + size), whatever the headers
 * say; *k is untouched on failure. */
int vmlinux_parse(struct vmlinux *k, const uint8_t *data, size_t size);

#endif
