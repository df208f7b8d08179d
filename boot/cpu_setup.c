/* GDT, page tables and registers for the Linux 64-bit boot protocol
 * (Documentation/x86/boot.rst, "64-bit BOOT PROTOCOL"), and GDT and
 * registers for the PVH entry (arch/x86/platform/pvh/head.S). Descriptor and
 * paging formats: Intel SDM Vol. 3A, 3.4.5 (segment descriptors), 7.2.3
 * (TSS descriptor in 64-bit mode), 4.5 (4-level paging). */
#include "boot/cpu_setup.h"

#include <stdbool.h>
#include <string.h>

#include "lib/error.h"

_Static_assert(BOOT_TSS_ADDR >= BOOT_GDT_ADDR + BOOT_GDT_SIZE, "TSS overlaps the GDT");
_Static_assert(BOOT_TSS_ADDR + BOOT_TSS_SIZE <= BOOT_PARAMS_ADDR, "TSS overlaps boot_params");
_Static_assert(BOOT_TSS_SELECTOR + 16 <= BOOT_GDT_SIZE, "TSS descriptor outside the GDT");

/* Control register and EFER bits (SDM Vol. 3A, 2.5 and 2.2.1). */
#define CR0_PE (1ULL << 0)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define RFLAGS_RESERVED_1 (1ULL << 1) /* always set; IF (bit 9) clear */

/* Paging-structure entry bits (SDM Vol. 3A, 4.5.4). */
#define PTE_PRESENT (1ULL << 0)
#define PTE_WRITABLE (1ULL << 1)
#define PTE_PAGE_SIZE (1ULL << 7) /* in a PD entry: maps a 2 MiB page */

#define PAGE_SIZE 4096ULL
#define ENTRIES_PER_TABLE 512
#define IDENTITY_MAP_GIB 4
#define LARGE_PAGE_SIZE (2 * MiB)

/* Segment types (SDM Vol. 3A, 3.4.5.1 and 3.5): the accessed bit is set in
 * code and data types so the CPU never needs to write it into the GDT. */
#define SEG_TYPE_CODE_EXEC_READ_ACCESSED 0xb
#define SEG_TYPE_DATA_READ_WRITE_ACCESSED 0x3
#define SEG_TYPE_TSS64_BUSY 0xb
#define SEG_TYPE_LDT 0x2

/* The two entries' segments differ in two places, chosen by long_mode:
 * the 64-bit entry or the PVH one (32-bit protected mode). */

/* __BOOT_CS: flat 4 GiB code, 64-bit (L = 1 requires D = 0) or, for PVH,
 * 32-bit (D = 1, L = 0). */
static struct kvm_segment code_segment(bool long_mode)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = BOOT_CS_SELECTOR,
		.type = SEG_TYPE_CODE_EXEC_READ_ACCESSED,
		.present = 1,
		.dpl = 0,
		.db = !long_mode,
		.s = 1,
		.l = long_mode,
		.g = 1,
	};
}

/* TR must hold a present, busy TSS for VM entry to succeed (SDM Vol. 3C,
 * 27.3.1.2, checks on guest TR). 64-bit: the zeroed TSS at BOOT_TSS_ADDR.
 * PVH, head.S: "tr: must be a 32-bit TSS (active) with a base of '0' and a
 * limit of '0x67'"; type 11 is the busy 32-bit TSS as well as the busy
 * 64-bit one (SDM Vol. 3A, 3.5, Table 3-2). */
static struct kvm_segment tss_segment(bool long_mode)
{
	return (struct kvm_segment){
		.base = long_mode ? BOOT_TSS_ADDR : 0,
		.limit = BOOT_TSS_SIZE - 1,
		.selector = BOOT_TSS_SELECTOR,
		.type = SEG_TYPE_TSS64_BUSY,
		.present = 1,
		.dpl = 0,
		.s = 0,
		.g = 0,
	};
}

/* __BOOT_DS: flat 4 GiB read/write data, also used for SS. */
static const struct kvm_segment boot_data = {
	.base = 0,
	.limit = 0xffffffff,
	.selector = BOOT_DS_SELECTOR,
	.type = SEG_TYPE_DATA_READ_WRITE_ACCESSED,
	.present = 1,
	.dpl = 0,
	.db = 1,
	.s = 1,
	.l = 0,
	.g = 1,
};

/* LDTR: selector 0 (no LDT in the GDT); KVM accepts it as a present LDT
 * type, and nothing uses it before the kernel loads its own. */
static const struct kvm_segment boot_ldt = {
	.base = 0,
	.limit = 0xffff,
	.selector = 0,
	.type = SEG_TYPE_LDT,
	.present = 1,
	.s = 0,
};

uint64_t cpu_setup_gdt_entry(const struct kvm_segment *seg)
{
	uint64_t limit = seg->g ? seg->limit >> 12 : seg->limit;
	uint64_t base = seg->base & 0xffffffffULL;

	return (limit & 0xffff) |                    /* limit 15:0 */
	       ((base & 0xffffff) << 16) |           /* base 23:0 */
	       ((uint64_t)(seg->type & 0xf) << 40) | /* type */
	       ((uint64_t)(seg->s & 1) << 44) |      /* S: code/data, not system */
	       ((uint64_t)(seg->dpl & 3) << 45) |    /* DPL */
	       ((uint64_t)(seg->present & 1) << 47) |
	       (((limit >> 16) & 0xf) << 48) |       /* limit 19:16 */
	       ((uint64_t)(seg->avl & 1) << 52) |
	       ((uint64_t)(seg->l & 1) << 53) |      /* L: 64-bit code */
	       ((uint64_t)(seg->db & 1) << 54) |     /* D/B */
	       ((uint64_t)(seg->g & 1) << 55) |      /* G: limit in 4 KiB units */
	       (((base >> 24) & 0xff) << 56);        /* base 31:24 */
}

/* The GDT of either entry: null, unused, code, data, TSS. */
static void write_gdt(uint8_t *gdt, bool long_mode)
{
	uint64_t entries[BOOT_GDT_SIZE / 8] = {0};
	struct kvm_segment code = code_segment(long_mode), tss = tss_segment(long_mode);

	entries[BOOT_CS_SELECTOR / 8] = cpu_setup_gdt_entry(&code);
	entries[BOOT_DS_SELECTOR / 8] = cpu_setup_gdt_entry(&boot_data);
	/* A 64-bit TSS descriptor takes two slots; the second holds base
	 * bits 63:32 (SDM Vol. 3A, 7.2.3). For PVH's 32-bit TSS it stays 0. */
	entries[BOOT_TSS_SELECTOR / 8] = cpu_setup_gdt_entry(&tss);
	entries[BOOT_TSS_SELECTOR / 8 + 1] = tss.base >> 32;
	memcpy(gdt, entries, sizeof(entries));
}

/* The segment and descriptor-table registers of either entry. */
static void set_segment_regs(struct kvm_sregs *sregs, bool long_mode)
{
	sregs->cs = code_segment(long_mode);
	sregs->ds = boot_data;
	sregs->es = boot_data;
	sregs->fs = boot_data;
	sregs->gs = boot_data;
	sregs->ss = boot_data;
	sregs->tr = tss_segment(long_mode);
	sregs->ldt = boot_ldt;
	sregs->gdt = (struct kvm_dtable){.base = BOOT_GDT_ADDR, .limit = BOOT_GDT_SIZE - 1};
	/* No IDT: interrupts are off, and any exception before the kernel
	 * installs its own IDT ends in a triple fault (a KVM shutdown exit)
	 * rather than in stray code. */
	sregs->idt = (struct kvm_dtable){.base = 0, .limit = 0};
}

static void write_page_tables(uint8_t *pml4, uint8_t *pdpt, uint8_t *pd)
{
	uint64_t entry;

	memset(pml4, 0, PAGE_SIZE);
	memset(pdpt, 0, PAGE_SIZE);
	entry = BOOT_PDPT_ADDR | PTE_PRESENT | PTE_WRITABLE;
	memcpy(pml4, &entry, sizeof(entry));

	for (uint64_t gib = 0; gib < IDENTITY_MAP_GIB; gib++) {
		uint8_t *dir = pd + gib * PAGE_SIZE;

		entry = (BOOT_PD_ADDR + gib * PAGE_SIZE) | PTE_PRESENT | PTE_WRITABLE;
		memcpy(pdpt + gib * sizeof(entry), &entry, sizeof(entry));
		for (uint64_t i = 0; i < ENTRIES_PER_TABLE; i++) {
			uint64_t phys = (gib * ENTRIES_PER_TABLE + i) * LARGE_PAGE_SIZE;

			entry = phys | PTE_PRESENT | PTE_WRITABLE | PTE_PAGE_SIZE;
			memcpy(dir + i * sizeof(entry), &entry, sizeof(entry));
		}
	}
}

/* Host pointer for [gpa, gpa + len) of RAM, or NULL with an error naming what. */
static uint8_t *area(const struct guest_memory *mem, uint64_t gpa, uint64_t len, const char *what)
{
	uint8_t *p = guest_memory_ptr(mem, gpa, len);

	if (p == NULL)
		error_set("cpu setup: %s at 0x%llx..0x%llx is outside guest RAM (%llu bytes)",
			  what,
			  (unsigned long long)gpa, (unsigned long long)(gpa + len - 1),
			  (unsigned long long)mem->size);
	return p;
}

int cpu_setup_tables(struct guest_memory *mem)
{
	const uint64_t pd_len = IDENTITY_MAP_GIB * PAGE_SIZE;
	uint8_t *gdt, *tss, *pml4, *pdpt, *pd;

	if ((gdt = area(mem, BOOT_GDT_ADDR, BOOT_GDT_SIZE, "GDT")) == NULL ||
	    (tss = area(mem, BOOT_TSS_ADDR, BOOT_TSS_SIZE, "TSS")) == NULL ||
	    (pml4 = area(mem, BOOT_PML4_ADDR, PAGE_SIZE, "PML4")) == NULL ||
	    (pdpt = area(mem, BOOT_PDPT_ADDR, PAGE_SIZE, "PDPT")) == NULL ||
	    (pd = area(mem, BOOT_PD_ADDR, pd_len, "page directories")) == NULL)
		return -1;

	write_gdt(gdt, true);
	memset(tss, 0, BOOT_TSS_SIZE);
	write_page_tables(pml4, pdpt, pd);
	return 0;
}

void cpu_setup_boot_regs(struct kvm_regs *regs, struct kvm_sregs *sregs, uint64_t entry,
			 uint64_t boot_params_gpa)
{
	*regs = (struct kvm_regs){
		.rip = entry,
		.rsi = boot_params_gpa,
		.rflags = RFLAGS_RESERVED_1,
	};

	set_segment_regs(sregs, true);
	sregs->cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
	sregs->cr3 = BOOT_PML4_ADDR;
	sregs->cr4 = CR4_PAE;
	sregs->efer = EFER_LME | EFER_LMA;
}

/* --- the PVH entry ------------------------------------------------------- */

int cpu_setup_pvh_tables(struct guest_memory *mem)
{
	uint8_t *gdt = area(mem, BOOT_GDT_ADDR, BOOT_GDT_SIZE, "GDT");

	if (gdt == NULL)
		return -1;
	write_gdt(gdt, false);
	return 0;
}

void cpu_setup_pvh_regs(struct kvm_regs *regs, struct kvm_sregs *sregs, uint32_t entry,
			uint32_t start_info_gpa)
{
	*regs = (struct kvm_regs){
		.rip = entry,
		.rbx = start_info_gpa,
		.rflags = RFLAGS_RESERVED_1, /* IF, TF and VM clear */
	};

	set_segment_regs(sregs, false);
	/* head.S: CR0.PE set, "all the other writeable bits are cleared"; ET
	 * is not writeable (fixed to 1 since the i486). CR4 all clear; no long
	 * mode, so EFER 0 and CR3 unused. */
	sregs->cr0 = CR0_PE | CR0_ET;
	sregs->cr3 = 0;
	sregs->cr4 = 0;
	sregs->efer = 0;
}
