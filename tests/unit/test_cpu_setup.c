/* 64-bit entry state tests: the page tables are walked and the GDT decoded
 * the way the CPU does (Intel SDM Vol. 3A, 4.5 and 3.4.5), from the bytes in
 * guest memory. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/cpu_setup.h"
#include "lib/error.h"
#include "lib/guest_memory.h"
#include "lib/platform.h"

#define RAM_SIZE (64 * MiB)

static struct guest_memory mem;

static void ram_setup(void)
{
	guest_memory_layout(&mem, RAM_SIZE);
	mem.host = malloc(RAM_SIZE);
	cr_assert_not_null(mem.host);
	/* Stale bytes: anything the tables rely on must be written. */
	memset(mem.host, 0xa5, RAM_SIZE);
}

static void ram_teardown(void)
{
	free(mem.host);
	mem.host = NULL;
}

static uint64_t read64(uint64_t gpa)
{
	uint64_t v;
	const uint8_t *p = guest_memory_ptr(&mem, gpa, 8);

	cr_assert_not_null(p, "read of 0x%llx outside RAM", (unsigned long long)gpa);
	memcpy(&v, p, 8);
	return v;
}

#define ADDR_MASK 0x000ffffffffff000ULL

/* Translate va through 4-level paging from cr3; false if not mapped.
 * Every level must also be writable (the kernel writes its own data). */
static bool translate(uint64_t cr3, uint64_t va, uint64_t *pa)
{
	uint64_t table = cr3 & ADDR_MASK;
	static const int shifts[] = {39, 30, 21, 12};

	for (int level = 0; level < 4; level++) {
		uint64_t e = read64(table + ((va >> shifts[level]) & 511) * 8);

		if (!(e & 1))
			return false;
		cr_assert(e & 2, "level %d entry for 0x%llx not writable", level,
			  (unsigned long long)va);
		if (level > 0 && (e & 0x80)) { /* PS: a 1 GiB or 2 MiB page */
			uint64_t page = 1ULL << shifts[level];
			*pa = (e & ADDR_MASK & ~(page - 1)) | (va & (page - 1));
			return true;
		}
		table = e & ADDR_MASK;
	}
	*pa = table | (va & 0xfff);
	return true;
}

TestSuite(cpu_setup, .init = ram_setup, .fini = ram_teardown);

Test(cpu_setup, identity_map_first_4gib)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs = {0};
	static const uint64_t addrs[] = {
		0,
		2 * MiB,
		1 * GiB + 6 * MiB + 0x123,
		3 * GiB,
		4 * GiB - 2 * MiB,
		4 * GiB - 1,
		KERNEL_DEFAULT_LOAD_ADDR + 0x200,
		BOOT_PARAMS_ADDR,
	};

	cr_assert_eq(cpu_setup_tables(&mem), 0, "%s", error_message());
	cpu_setup_boot_regs(&regs, &sregs, 0, 0);
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		uint64_t pa = ~0ULL;

		cr_assert(translate(sregs.cr3, addrs[i], &pa), "0x%llx not mapped",
			  (unsigned long long)addrs[i]);
		cr_expect_eq(pa, addrs[i], "0x%llx maps to 0x%llx", (unsigned long long)addrs[i],
			     (unsigned long long)pa);
	}
	uint64_t pa;
	cr_expect_not(translate(sregs.cr3, 4 * GiB, &pa), "4 GiB should not be mapped");
	cr_expect_not(translate(sregs.cr3, 1ULL << 39, &pa), "512 GiB should not be mapped");
}

Test(cpu_setup, tables_need_ram)
{
	struct guest_memory small = {0};
	uint8_t *host = calloc(1, 0x8000);

	cr_assert_not_null(host);
	guest_memory_layout(&small, 0x8000); /* 32 KiB: the GDT fits, the PML4 does not */
	small.host = host;
	error_clear();
	cr_expect_eq(cpu_setup_tables(&small), -1);
	cr_expect(strstr(error_message(), "PML4") != NULL, "error: '%s'", error_message());

	guest_memory_layout(&small, 0x200); /* not even the GDT */
	error_clear();
	cr_expect_eq(cpu_setup_tables(&small), -1);
	cr_expect(strstr(error_message(), "GDT") != NULL, "error: '%s'", error_message());
	free(host);
}

struct decoded {
	uint64_t base;
	uint32_t limit;
	uint8_t type, s, dpl, present, avl, l, db, g;
};

static struct decoded decode(uint64_t d)
{
	struct decoded x = {
		.base = ((d >> 16) & 0xffffff) | ((d >> 56) & 0xff) << 24,
		.limit = (uint32_t)((d & 0xffff) | ((d >> 48) & 0xf) << 16),
		.type = (d >> 40) & 0xf,
		.s = (d >> 44) & 1,
		.dpl = (d >> 45) & 3,
		.present = (d >> 47) & 1,
		.avl = (d >> 52) & 1,
		.l = (d >> 53) & 1,
		.db = (d >> 54) & 1,
		.g = (d >> 55) & 1,
	};
	if (x.g)
		x.limit = x.limit << 12 | 0xfff;
	return x;
}

/* The descriptor the selector picks from the GDT in guest memory matches
 * what KVM is told about the segment. */
static void expect_gdt_matches(const struct kvm_sregs *s, const struct kvm_segment *seg,
			       const char *name)
{
	cr_assert_eq(seg->selector & 7, 0, "%s: selector 0x%x not a GDT ring-0 selector", name,
		     seg->selector);
	cr_assert_leq(seg->selector + 7u, s->gdt.limit, "%s: selector 0x%x beyond GDT limit",
		      name, seg->selector);
	struct decoded d = decode(read64(s->gdt.base + seg->selector));

	cr_expect_eq(d.base, seg->base & 0xffffffff, "%s base", name);
	cr_expect_eq(d.limit, seg->limit, "%s limit 0x%x vs 0x%x", name, d.limit, seg->limit);
	cr_expect_eq(d.type, seg->type, "%s type", name);
	cr_expect_eq(d.s, seg->s, "%s S", name);
	cr_expect_eq(d.dpl, seg->dpl, "%s DPL", name);
	cr_expect_eq(d.present, seg->present, "%s P", name);
	cr_expect_eq(d.l, seg->l, "%s L", name);
	cr_expect_eq(d.db, seg->db, "%s D/B", name);
	cr_expect_eq(d.g, seg->g, "%s G", name);
	cr_expect_eq(d.avl, seg->avl, "%s AVL", name);
}

Test(cpu_setup, gdt_matches_segment_registers)
{
	struct kvm_regs regs;
	struct kvm_sregs s = {0};

	cr_assert_eq(cpu_setup_tables(&mem), 0, "%s", error_message());
	cpu_setup_boot_regs(&regs, &s, 0x1000200, BOOT_PARAMS_ADDR);
	cr_expect_eq(s.gdt.base, BOOT_GDT_ADDR);
	cr_expect_eq(read64(s.gdt.base), 0, "descriptor 0 must be null");

	expect_gdt_matches(&s, &s.cs, "CS");
	expect_gdt_matches(&s, &s.ds, "DS");
	expect_gdt_matches(&s, &s.ss, "SS");
	expect_gdt_matches(&s, &s.tr, "TR");
	/* A 64-bit TSS descriptor is 16 bytes; the second half is base 63:32. */
	cr_expect_eq(read64(s.gdt.base + s.tr.selector + 8), s.tr.base >> 32);
	cr_expect_leq(s.tr.selector + 15u, s.gdt.limit);
}

Test(cpu_setup, segments_are_what_the_boot_protocol_asks)
{
	struct kvm_regs regs;
	struct kvm_sregs s = {0};

	cpu_setup_boot_regs(&regs, &s, 0x1000200, BOOT_PARAMS_ADDR);
	/* __BOOT_CS = 0x10: flat 64-bit execute/read code. */
	cr_expect_eq(s.cs.selector, 0x10);
	cr_expect_eq(s.cs.base, 0);
	cr_expect_eq(s.cs.limit, 0xffffffff);
	cr_expect(s.cs.type & 0x8, "CS not a code segment");
	cr_expect(s.cs.type & 0x2, "CS not readable");
	cr_expect(s.cs.s && s.cs.present && s.cs.l && !s.cs.db && s.cs.g);
	cr_expect_eq(s.cs.dpl, 0);
	/* __BOOT_DS = 0x18: flat read/write data in DS, ES, FS, GS, SS. */
	const struct kvm_segment *data[] = {&s.ds, &s.es, &s.fs, &s.gs, &s.ss};
	for (size_t i = 0; i < 5; i++) {
		cr_expect_eq(data[i]->selector, 0x18, "data segment %zu selector", i);
		cr_expect_eq(data[i]->type & 0xa, 0x2, "data segment %zu not writable data", i);
		cr_expect_eq(data[i]->limit, 0xffffffff);
		cr_expect(data[i]->present && data[i]->s && !data[i]->unusable);
	}
	/* TR: a present busy TSS, as VM entry requires. */
	cr_expect_eq(s.tr.type, 11);
	cr_expect(s.tr.present && !s.tr.s && !s.tr.unusable);
	cr_expect_geq(s.tr.limit, 0x67, "TSS limit below the 104-byte minimum");
	/* LDTR: either marked unusable, or a present LDT-type segment. */
	if (!s.ldt.unusable) {
		cr_expect_eq(s.ldt.type, 2, "LDTR type %u", s.ldt.type);
		cr_expect(s.ldt.present && !s.ldt.s);
		cr_expect_eq(s.ldt.selector & 4, 0, "LDTR selector must not point into an LDT");
	}
}

Test(cpu_setup, known_flat_descriptors)
{
	/* The classic flat descriptors: 64-bit code 0x00af9b000000ffff and
	 * 32-bit data 0x00cf93000000ffff. */
	struct kvm_segment code = {.limit = 0xffffffff, .type = 0xb, .present = 1, .s = 1,
				   .l = 1, .g = 1};
	struct kvm_segment data = {.limit = 0xffffffff, .type = 0x3, .present = 1, .s = 1,
				   .db = 1, .g = 1};
	struct kvm_segment tss = {.base = 0x12345678, .limit = 0x67, .type = 0xb, .present = 1};

	cr_expect_eq(cpu_setup_gdt_entry(&code), 0x00af9b000000ffffULL);
	cr_expect_eq(cpu_setup_gdt_entry(&data), 0x00cf93000000ffffULL);
	cr_expect_eq(cpu_setup_gdt_entry(&tss), 0x12008b3456780067ULL);
}

Test(cpu_setup, registers_for_64bit_entry)
{
	struct kvm_regs regs;
	struct kvm_sregs s;

	memset(&regs, 0xff, sizeof(regs));
	memset(&s, 0, sizeof(s));
	s.apic_base = 0xfee00900; /* as KVM_GET_SREGS returns it for the BSP */
	s.cr0 = 0x60000010;       /* reset value: CD | NW | ET */
	cpu_setup_boot_regs(&regs, &s, 0x1000200, BOOT_PARAMS_ADDR);

	cr_expect_eq(regs.rip, 0x1000200);
	cr_expect_eq(regs.rsi, BOOT_PARAMS_ADDR);
	cr_expect_eq(regs.rflags, 0x2, "interrupts must be off");
	uint64_t others[] = {regs.rax, regs.rbx, regs.rcx, regs.rdx, regs.rdi, regs.rsp,
			     regs.rbp, regs.r8,  regs.r9,  regs.r10, regs.r11, regs.r12,
			     regs.r13, regs.r14, regs.r15};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		cr_expect_eq(others[i], 0, "GPR %zu not cleared", i);

	cr_expect_eq(s.cr0 & 0x80000001, 0x80000001, "PE and PG must be set");
	cr_expect_eq(s.cr0 & 0x60000000, 0, "CD/NW left set: caching disabled");
	cr_expect(s.cr4 & (1 << 5), "PAE");
	cr_expect_eq(s.cr3, BOOT_PML4_ADDR);
	cr_expect_eq(s.efer & 0x500, 0x500, "LME and LMA");
	cr_expect_eq(s.apic_base, 0xfee00900, "apic_base must be left alone");
	cr_expect_eq(s.gdt.limit, BOOT_GDT_SIZE - 1);
}

/* --- the PVH entry (arch/x86/platform/pvh/head.S, "Xen ABI specifies") --- */

Test(cpu_setup, registers_for_pvh_entry)
{
	struct kvm_regs regs;
	struct kvm_sregs s;

	memset(&regs, 0xff, sizeof(regs));
	memset(&s, 0, sizeof(s));
	s.apic_base = 0xfee00900;
	s.cr0 = 0x60000010; /* reset value: CD | NW | ET */
	s.cr3 = 0x1234000;
	cpu_setup_pvh_regs(&regs, &s, 0x1000123, 0x7000);

	cr_expect_eq(regs.rip, 0x1000123);
	cr_expect_eq(regs.rbx, 0x7000, "EBX: hvm_start_info");
	cr_expect_eq(regs.rflags, 0x2, "IF, TF and VM must be clear");
	uint64_t others[] = {regs.rax, regs.rcx, regs.rdx, regs.rsi, regs.rdi, regs.rsp,
			     regs.rbp, regs.r8,  regs.r9,  regs.r10, regs.r11, regs.r12,
			     regs.r13, regs.r14, regs.r15};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		cr_expect_eq(others[i], 0, "GPR %zu not cleared", i);

	/* CR0: PE, and ET, which is fixed to 1; every writeable bit else clear. */
	cr_expect_eq(s.cr0, 0x11, "CR0 0x%llx", (unsigned long long)s.cr0);
	cr_expect_eq(s.cr4, 0, "CR4 must be all clear");
	cr_expect_eq(s.efer, 0, "no long mode");
	cr_expect_eq(s.cr3, 0);
	cr_expect_eq(s.apic_base, 0xfee00900, "apic_base must be left alone");

	/* CS: flat 32-bit execute/read code. */
	cr_expect_eq(s.cs.base, 0);
	cr_expect_eq(s.cs.limit, 0xffffffff);
	cr_expect(s.cs.type & 0x8, "CS not a code segment");
	cr_expect(s.cs.type & 0x2, "CS not readable");
	cr_expect(s.cs.s && s.cs.present && !s.cs.l && s.cs.db && s.cs.g, "CS not 32-bit flat");
	/* DS, ES (and SS, FS, GS): flat 32-bit read/write data. */
	const struct kvm_segment *data[] = {&s.ds, &s.es, &s.fs, &s.gs, &s.ss};
	for (size_t i = 0; i < 5; i++) {
		cr_expect_eq(data[i]->base, 0, "data segment %zu base", i);
		cr_expect_eq(data[i]->limit, 0xffffffff, "data segment %zu limit", i);
		cr_expect_eq(data[i]->type & 0xa, 0x2, "data segment %zu not writable data", i);
		cr_expect(data[i]->present && data[i]->s && data[i]->db && !data[i]->unusable);
	}
	/* TR: a busy 32-bit TSS with base 0 and limit 0x67. */
	cr_expect_eq(s.tr.type, 11);
	cr_expect_eq(s.tr.base, 0);
	cr_expect_eq(s.tr.limit, 0x67);
	cr_expect(s.tr.present && !s.tr.s && !s.tr.unusable);
	cr_expect_eq(s.idt.limit, 0);
}

Test(cpu_setup, pvh_gdt_matches_segment_registers)
{
	struct kvm_regs regs;
	struct kvm_sregs s = {0};

	cr_assert_eq(cpu_setup_pvh_tables(&mem), 0, "%s", error_message());
	cpu_setup_pvh_regs(&regs, &s, 0x1000123, 0x7000);
	cr_expect_eq(s.gdt.base, BOOT_GDT_ADDR);
	cr_expect_eq(s.gdt.limit, BOOT_GDT_SIZE - 1);
	cr_expect_eq(read64(s.gdt.base), 0, "descriptor 0 must be null");
	expect_gdt_matches(&s, &s.cs, "CS");
	expect_gdt_matches(&s, &s.ds, "DS");
	expect_gdt_matches(&s, &s.ss, "SS");
	expect_gdt_matches(&s, &s.tr, "TR");
	/* The classic flat 32-bit code descriptor. */
	cr_expect_eq(read64(s.gdt.base + s.cs.selector), 0x00cf9b000000ffffULL);
}

Test(cpu_setup, pvh_tables_need_ram)
{
	struct guest_memory small = {0};
	uint8_t host[0x200];

	guest_memory_layout(&small, sizeof(host)); /* below the GDT's end */
	small.host = host;
	error_clear();
	cr_expect_eq(cpu_setup_pvh_tables(&small), -1);
	cr_expect(strstr(error_message(), "GDT") != NULL, "error: '%s'", error_message());
}
