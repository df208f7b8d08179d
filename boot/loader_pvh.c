#include "boot/loader_pvh.h"

#include <string.h>

#include "boot/cpu_setup.h"
#include "boot/load_steps.h"
#include "boot/pvh.h"
#include "lib/error.h"
#include "lib/log.h"
#include "lib/platform.h"
#include "lib/trace.h"

_Static_assert(PVH_START_INFO_ADDR >= BOOT_GDT_ADDR + BOOT_GDT_SIZE, "start info on the GDT");
_Static_assert(PVH_START_INFO_ADDR + PVH_START_INFO_MAX <= BOOT_CMDLINE_ADDR,
	       "start info on the command line");
_Static_assert(PVH_CMDLINE_MAX <= BOOT_CMDLINE_MAX, "command line area too small");

/* How hvm_start_info tells the kernel where things are (--trace=boot). */
static const struct load_refs pvh_refs = {
	.cmdline = "hvm_start_info.cmdline_paddr",
	.cmdline_cite = "include/xen/interface/hvm/start_info.h",
	.initrd = "below 2 GiB, as module 0 of hvm_start_info (\"the first module is always "
		  "ramdisk\") [arch/x86/platform/pvh/enlighten.c]",
	.rsdp = "hvm_start_info.rsdp_paddr",
};

static uint64_t mib_round_up(uint64_t bytes)
{
	return bytes / MiB + (bytes % MiB != 0);
}

/* Every segment goes where its p_paddr says: a 6.1 kernel entered through
 * PVH runs where it was linked (head.S jumps to _pa(startup_64)). So each
 * must land in RAM, above minivmm's tables below 1 MiB. */
static int check_placement(const struct guest_memory *mem, const struct vmlinux *k)
{
	uint64_t low_end = guest_memory_low_end(mem);

	if (k->start < HIGH_MEMORY_START)
		return error_set("kernel: vmlinux segment at 0x%llx lies below 1 MiB, where "
				 "minivmm keeps its boot tables",
				 (unsigned long long)k->start);
	if (k->end > MMIO_HOLE_START)
		return error_set("kernel: vmlinux reaches 0x%llx, past 3 GiB where guest RAM below "
				 "4 GiB ends (the MMIO hole): not a kernel minivmm can place",
				 (unsigned long long)k->end - 1);
	if (k->end > low_end)
		return error_set("kernel needs %llu MiB of RAM (up to 0x%llx), guest has only %llu "
				 "MiB; raise --memory",
				 (unsigned long long)mib_round_up(k->end),
				 (unsigned long long)k->end - 1,
				 (unsigned long long)(mem->size / MiB));
	return 0;
}

static int load_segments(struct guest_memory *mem, const struct vmlinux *k)
{
	if (check_placement(mem, k) < 0)
		return -1;
	for (unsigned i = 0; i < k->nseg; i++) {
		const struct vmlinux_segment *s = &k->seg[i];
		uint8_t *dst = guest_memory_ptr(mem, s->paddr, s->memsz);

		if (dst == NULL) /* cannot happen after the checks; stay safe */
			return error_set("kernel: 0x%llx is outside guest memory",
					 (unsigned long long)s->paddr);
		memcpy(dst, s->data, s->filesz);
		/* p_memsz beyond p_filesz reads as zeroes (System V ABI,
		 * "Program Header"): .bss, and the kernel's early brk area. */
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
		trace(TRACE_BOOT, "memory: kernel segment %u of %u (%llu bytes from the ELF file, "
		      "%llu more zeroed) written at 0x%llx-0x%llx, its physical address "
		      "[System V ABI, program header PT_LOAD p_paddr]", i + 1, k->nseg,
		      (unsigned long long)s->filesz, (unsigned long long)(s->memsz - s->filesz),
		      (unsigned long long)s->paddr, (unsigned long long)(s->paddr + s->memsz - 1));
	}
	return 0;
}

static void trace_start_info(const struct pvh_info *info, const struct pvh_layout *lay,
			     const struct guest_memory *mem)
{
	const struct pvh_memmap_entry *map;

	trace(TRACE_BOOT, "memory: hvm_start_info at 0x%llx (magic 0x%x, version %d): command "
	      "line 0x%llx, %s, RSDP 0x%llx, memory map of %u entries at 0x%llx "
	      "[include/xen/interface/hvm/start_info.h; arch/x86/platform/pvh/enlighten.c]",
	      (unsigned long long)lay->start_info_gpa, PVH_START_MAGIC, PVH_START_VERSION,
	      (unsigned long long)info->cmdline_gpa,
	      info->initrd_size ? "1 module (the initrd)" : "no module",
	      (unsigned long long)info->rsdp_gpa, lay->memmap_entries,
	      (unsigned long long)lay->memmap_gpa);
	if (!trace_enabled(TRACE_BOOT))
		return;
	if (lay->modlist_gpa)
		trace(TRACE_BOOT, "memory: module 0 at 0x%llx: the initrd, 0x%llx, %llu bytes",
		      (unsigned long long)lay->modlist_gpa, (unsigned long long)info->initrd_gpa,
		      (unsigned long long)info->initrd_size);
	map = guest_memory_ptr(mem, lay->memmap_gpa,
			       lay->memmap_entries * sizeof(struct pvh_memmap_entry));
	for (unsigned i = 0; map && i < lay->memmap_entries; i++)
		trace(TRACE_BOOT, "memory: memory map entry %u: 0x%llx-0x%llx %s "
		      "[arch/x86/kernel/e820.c]", i, (unsigned long long)map[i].addr,
		      (unsigned long long)(map[i].addr + map[i].size - 1),
		      map[i].type == 1 ? "usable RAM" : "reserved");
}

int boot_load_pvh(struct guest_memory *mem, const struct vmlinux *k, const uint8_t *initrd,
		  size_t initrd_size, const char *cmdline, int ncpus,
		  const struct boot_devices *devices, struct pvh_boot_result *out)
{
	static const struct boot_devices none;
	const struct boot_devices *devs = devices ? devices : &none;
	struct pvh_info info = {.cmdline_gpa = BOOT_CMDLINE_ADDR, .initrd_size = initrd_size};
	struct pvh_layout lay;
	void *area;

	if (load_segments(mem, k) < 0 ||
	    load_cmdline(mem, PVH_CMDLINE_MAX, cmdline, devs, &pvh_refs) < 0 ||
	    load_initrd(mem, k->end, PVH_INITRD_ADDR_MAX, initrd, initrd_size, &info.initrd_gpa,
			&pvh_refs) < 0 ||
	    load_firmware_tables(mem, ncpus, devs, &info.rsdp_gpa, &pvh_refs) < 0)
		return -1;

	if (cpu_setup_pvh_tables(mem) < 0)
		return error_wrap("CPU tables");
	trace(TRACE_BOOT, "memory: GDT at 0x%llx for the PVH entry: flat 32-bit code (0x%x), "
	      "data (0x%x), a busy 32-bit TSS (0x%x); no page tables, the entry runs with paging "
	      "off [arch/x86/platform/pvh/head.S]", (unsigned long long)BOOT_GDT_ADDR,
	      BOOT_CS_SELECTOR, BOOT_DS_SELECTOR, BOOT_TSS_SELECTOR);

	area = load_low_area(mem, PVH_START_INFO_ADDR, PVH_START_INFO_MAX, "PVH start info");
	if (area == NULL ||
	    pvh_start_info_build(area, PVH_START_INFO_MAX, PVH_START_INFO_ADDR, mem, &info,
				 &lay) < 0)
		return -1;
	trace_start_info(&info, &lay, mem);

	*out = (struct pvh_boot_result){
		.entry = k->pvh_entry,
		.start_info_gpa = (uint32_t)PVH_START_INFO_ADDR,
		.kernel_start = k->start,
		.kernel_end = k->end,
		.initrd_gpa = info.initrd_gpa,
		.initrd_size = initrd_size,
	};
	trace(TRACE_BOOT, "entry: vCPU 0 will start at 0x%x (the ELF note XEN_ELFNOTE_PHYS32_ENTRY) "
	      "in 32-bit protected mode with paging off, EBX = 0x%x (hvm_start_info) "
	      "[arch/x86/platform/pvh/head.S]", out->entry, out->start_info_gpa);
	log_debug("vmlinux at 0x%llx-0x%llx, PVH entry 0x%x, initrd %zu bytes at 0x%llx",
		  (unsigned long long)k->start, (unsigned long long)k->end, out->entry, initrd_size,
		  (unsigned long long)out->initrd_gpa);
	return 0;
}
