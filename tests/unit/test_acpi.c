/* ACPI table tests. The bytes are read back at the offsets of ACPI 6.4
 * chapter 5.2 and followed the way Linux follows them: the RSDP found by the
 * legacy scan (drivers/acpi/acpica/tbxfroot.c: 16-byte steps, signature,
 * checksums), the XSDT's entries by signature (tbutils.c), the FADT's
 * fields as tbfadt.c checks them and the MADT's entries as
 * arch/x86/kernel/acpi/boot.c walks them; never through the builder's
 * own structures. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "boot/acpi.h"
#include "boot/mptable.h"
#include "lib/error.h"
#include "lib/platform.h"

/* Guest memory 0xe0000..0xfffff: the BIOS ROM area the loader gives us. */
#define AREA_GPA ACPI_TABLES_ADDR
#define AREA_SIZE (HIGH_MEMORY_START - ACPI_TABLES_ADDR)

static uint8_t area[AREA_SIZE] __attribute__((aligned(64)));

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	for (size_t i = 0; i < len; i++)
		s += p[i];
	return s;
}

struct tables {
	uint64_t gpa; /* where area starts in the guest */
	uint64_t rsdp_gpa;
	size_t used;
	const uint8_t *rsdp, *xsdt, *fadt, *facs, *dsdt, *madt;
};

/* The host pointer for len bytes at gpa, after checking that all of them
 * lie inside the bytes acpi_build said it used. */
static const uint8_t *bytes_at(const struct tables *t, uint64_t gpa, size_t len, const char *what)
{
	cr_assert_geq(gpa, t->gpa, "%s at 0x%llx is below the tables", what,
		      (unsigned long long)gpa);
	cr_assert_leq(gpa - t->gpa + len, t->used, "%s at 0x%llx runs past the tables", what,
		      (unsigned long long)gpa);
	return area + (gpa - t->gpa);
}

/* A table with the standard header: signature, length, checksum. */
static const uint8_t *table_at(const struct tables *t, uint64_t gpa, const char *sig)
{
	const uint8_t *p = bytes_at(t, gpa, 36, sig);
	uint32_t len = le32(p + 4);

	cr_assert(memcmp(p, sig, 4) == 0, "expected %s at 0x%llx, found '%.4s'", sig,
		  (unsigned long long)gpa, (const char *)p);
	cr_assert_geq(len, 36, "%s length %u", sig, len);
	bytes_at(t, gpa, len, sig);
	cr_assert_eq(sum(p, len), 0, "%s checksum is not zero", sig);
	return p;
}

/* Legacy RSDP search: 16-byte boundaries, "RSD PTR ", the ACPI 1.0 checksum
 * over 20 bytes and, for revision 2, the extended one over `length` bytes. */
static long scan_rsdp(const uint8_t *buf, size_t len)
{
	for (size_t off = 0; off + 36 <= len; off += 16) {
		const uint8_t *p = buf + off;

		if (memcmp(p, "RSD PTR ", 8) != 0 || sum(p, 20) != 0)
			continue;
		if (p[15] >= 2 && sum(p, le32(p + 20)) != 0)
			continue;
		return (long)off;
	}
	return -1;
}

/* Find a table listed in the XSDT by its signature; fails if listed twice. */
static const uint8_t *xsdt_find(const struct tables *t, const char *sig)
{
	uint32_t entries = (le32(t->xsdt + 4) - 36) / 8;
	const uint8_t *found = NULL;

	for (uint32_t i = 0; i < entries; i++) {
		uint64_t gpa = le64(t->xsdt + 36 + 8 * i);
		const uint8_t *p = bytes_at(t, gpa, 4, "XSDT entry");

		if (memcmp(p, sig, 4) == 0) {
			cr_assert_null(found, "%s listed twice in the XSDT", sig);
			found = table_at(t, gpa, sig);
		}
	}
	cr_assert_not_null(found, "%s not listed in the XSDT", sig);
	return found;
}

/* The virtio-mmio devices of the first n slots, as minivmm attaches them. */
static size_t slot_devices(struct platform_mmio_device *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (struct platform_mmio_device){
			.base = platform_virtio_base((unsigned)i),
			.size = VIRTIO_MMIO_SIZE,
			.irq = platform_virtio_irq((unsigned)i),
		};
	return n;
}

static void build_devs_at(uint64_t gpa, int ncpus, const struct platform_mmio_device *devs,
			  size_t ndevs, struct tables *t)
{
	memset(area, 0xa5, sizeof(area));
	memset(t, 0, sizeof(*t));
	t->gpa = gpa;
	error_clear();
	cr_assert_eq(acpi_build(area, sizeof(area), gpa, ncpus, devs, ndevs, &t->rsdp_gpa,
				&t->used),
		     0, "%s", error_message());
	cr_assert_eq(t->used, acpi_tables_size(ncpus, devs, ndevs));

	long off = scan_rsdp(area, sizeof(area));
	cr_assert_geq(off, 0, "no valid RSDP found by a 16-byte scan");
	cr_assert_eq(gpa + (uint64_t)off, t->rsdp_gpa, "RSDP found at 0x%llx, reported 0x%llx",
		     (unsigned long long)(gpa + off), (unsigned long long)t->rsdp_gpa);
	t->rsdp = area + off;
	t->xsdt = table_at(t, le64(t->rsdp + 24), "XSDT");
	t->fadt = xsdt_find(t, "FACP");
	t->madt = xsdt_find(t, "APIC");
	t->dsdt = table_at(t, le64(t->fadt + 140), "DSDT");
	t->facs = bytes_at(t, le64(t->fadt + 132), 64, "FACS");
}

/* By default, with two devices (vsock and one more), as a VM has them. */
static void build_at(uint64_t gpa, int ncpus, struct tables *t)
{
	struct platform_mmio_device devs[2];

	build_devs_at(gpa, ncpus, devs, slot_devices(devs, 2), t);
}

static void build(int ncpus, struct tables *t)
{
	build_at(AREA_GPA, ncpus, t);
}

Test(acpi, rsdp_at_start_of_tables)
{
	struct tables t;

	build(1, &t);
	cr_expect_eq(t.rsdp_gpa, ACPI_TABLES_ADDR,
		     "RSDP should open the tables (16-byte aligned)");
	cr_expect_eq(t.rsdp[15], 2, "RSDP revision");
	cr_expect_eq(le32(t.rsdp + 20), 36, "RSDP length");
	cr_expect_eq(le32(t.rsdp + 16), 0, "no RSDT: only the XSDT");
}

Test(acpi, xsdt_lists_fadt_and_madt)
{
	struct tables t;

	build(2, &t);
	cr_expect_eq((le32(t.xsdt + 4) - 36) / 8, 2, "XSDT should list the FADT and the MADT");
	cr_expect_eq((le32(t.xsdt + 4) - 36) % 8, 0, "XSDT length is not header + 8n");
}

Test(acpi, fadt_is_classic_revision_6)
{
	struct tables t;

	build(1, &t);
	cr_expect_eq(le32(t.fadt + 4), 276, "FADT length");
	cr_expect_eq(t.fadt[8], 6, "FADT major revision");
	cr_expect_eq(t.fadt[131], 4, "FADT minor revision");
	uint32_t flags = le32(t.fadt + 112);
	cr_expect_eq(flags & (1u << 20), 0,
		     "HW_REDUCED_ACPI set: Linux would drop the 8259A (flags 0x%x)", flags);
	cr_expect(flags & (1u << 0), "WBINVD must be set on x86 (flags 0x%x)", flags);
	cr_expect(flags & (1u << 4), "PWR_BUTTON clear claims a fixed power button");
	cr_expect(flags & (1u << 5), "SLP_BUTTON clear claims a fixed sleep button");
	cr_expect_eq(le16(t.fadt + 46), ACPI_SCI_IRQ, "SCI_INT");
	cr_expect_eq(ACPI_SCI_IRQ, 9);
	cr_expect_eq(le32(t.fadt + 48), 0, "SMI_CMD must be 0: always in ACPI mode");
	cr_expect_eq(t.fadt[52], 0, "ACPI_ENABLE without SMI_CMD");
	cr_expect_eq(t.fadt[53], 0, "ACPI_DISABLE without SMI_CMD");

	uint16_t boot_arch = le16(t.fadt + 109);
	cr_expect_eq(boot_arch, (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5),
		     "IAPC_BOOT_ARCH 0x%x: want NO_VGA, NO_MSI, NO_ASPM, NO_CMOS_RTC only",
		     boot_arch);
	cr_expect(memcmp(t.fadt + 268, "MINIVMM", 8) == 0, "hypervisor vendor identity");
	/* The hardware-reduced sleep registers are gone. */
	cr_expect_eq(le64(t.fadt + 244 + 4), 0, "SLEEP_CONTROL_REG still set");
	cr_expect_eq(le64(t.fadt + 256 + 4), 0, "SLEEP_STATUS_REG still set");
}

/* A FADT register block in both forms: the legacy 32-bit port and length,
 * and the X_ Generic Address Structure. */
struct fadt_block {
	const char *name;
	size_t addr32, len8, gas; /* FADT offsets */
};

static const struct fadt_block fadt_blocks[] = {
	{"PM1a_EVT_BLK", 56, 88, 148}, {"PM1b_EVT_BLK", 60, 88, 160},
	{"PM1a_CNT_BLK", 64, 89, 172}, {"PM1b_CNT_BLK", 68, 89, 184},
	{"PM2_CNT_BLK", 72, 90, 196},  {"PM_TMR_BLK", 76, 91, 208},
	{"GPE0_BLK", 80, 92, 220},     {"GPE1_BLK", 84, 93, 232},
};

static const struct fadt_block *block(const char *name)
{
	for (size_t i = 0; i < sizeof(fadt_blocks) / sizeof(fadt_blocks[0]); i++) {
		if (strcmp(fadt_blocks[i].name, name) == 0)
			return &fadt_blocks[i];
	}
	cr_assert_fail("no block %s", name);
	return NULL;
}

static void expect_io_block(const uint8_t *fadt, const char *name, uint16_t port, uint8_t len)
{
	const struct fadt_block *b = block(name);
	const uint8_t *gas = fadt + b->gas;

	cr_expect_eq(le32(fadt + b->addr32), port, "%s: 32-bit port 0x%x", name,
		     le32(fadt + b->addr32));
	cr_expect_eq(fadt[b->len8], len, "%s: length %u, want %u", name, fadt[b->len8], len);
	cr_expect_eq(gas[0], 1, "X_%s: address space %u, want System I/O", name, gas[0]);
	cr_expect_eq(gas[1], len * 8, "X_%s: bit width %u, want %u", name, gas[1], len * 8);
	cr_expect_eq(gas[2], 0, "X_%s: bit offset %u", name, gas[2]);
	cr_expect_eq(le64(gas + 4), port, "X_%s: port 0x%llx", name,
		     (unsigned long long)le64(gas + 4));
}

Test(acpi, pm1a_blocks_in_legacy_and_x_forms)
{
	struct tables t;

	build(1, &t);
	expect_io_block(t.fadt, "PM1a_EVT_BLK", ACPI_PM1A_EVT_PORT, 4);
	expect_io_block(t.fadt, "PM1a_CNT_BLK", ACPI_PM1A_CNT_PORT, 2);
	cr_expect_eq(ACPI_PM1A_EVT_PORT, 0x600);
	cr_expect_eq(ACPI_PM1A_CNT_PORT, 0x604);
}

Test(acpi, no_pm_timer_pm1b_pm2_or_gpe_blocks)
{
	static const char *const absent[] = {"PM1b_EVT_BLK", "PM1b_CNT_BLK", "PM2_CNT_BLK",
					     "PM_TMR_BLK", "GPE0_BLK", "GPE1_BLK"};
	struct tables t;

	build(1, &t);
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		const struct fadt_block *b = block(absent[i]);

		cr_expect_eq(le32(t.fadt + b->addr32), 0, "%s present", absent[i]);
		cr_expect_eq(le64(t.fadt + b->gas + 4), 0, "X_%s present", absent[i]);
	}
	/* Lengths of blocks that have their own (PM2, timer, GPEs). */
	for (size_t off = 90; off <= 93; off++)
		cr_expect_eq(t.fadt[off], 0, "length at FADT offset %zu is %u", off, t.fadt[off]);
}

Test(acpi, fadt_fields_pass_linux_consistency_checks)
{
	/* tbfadt.c, acpi_tb_convert_fadt: PM1a event and control blocks are
	 * required; where both forms are set, address and width must agree. */
	struct tables t;

	build(4, &t);
	for (size_t i = 0; i < sizeof(fadt_blocks) / sizeof(fadt_blocks[0]); i++) {
		const struct fadt_block *b = &fadt_blocks[i];
		uint32_t a32 = le32(t.fadt + b->addr32);
		uint64_t a64 = le64(t.fadt + b->gas + 4);

		if (a32 && a64) {
			cr_expect_eq(a32, a64, "%s: 32/64X address mismatch", b->name);
			cr_expect_eq(t.fadt[b->gas + 1], 8 * t.fadt[b->len8],
				     "%s: 32/64X length mismatch", b->name);
		}
		/* PM1a/PM1b share their lengths; the others have their own,
		 * which must be 0 exactly when the address is. */
		bool own_length = b->len8 >= 90;
		if (own_length)
			cr_expect_eq(a64 != 0, t.fadt[b->len8] != 0,
				     "%s: address and length disagree", b->name);
	}
	for (size_t i = 0; i < 3; i += 2) { /* PM1a_EVT_BLK, PM1a_CNT_BLK: required */
		const struct fadt_block *b = &fadt_blocks[i];

		cr_expect_neq(le64(t.fadt + b->gas + 4), 0, "required %s missing", b->name);
		cr_expect_neq(t.fadt[b->len8], 0, "required %s has length 0", b->name);
	}
	cr_expect_eq(le32(t.fadt + 40), le64(t.fadt + 140), "DSDT and X_DSDT differ");
	cr_expect_eq(le32(t.fadt + 36), le64(t.fadt + 132),
		     "FIRMWARE_CTRL and X_FIRMWARE_CTRL differ");
}

Test(acpi, facs_is_aligned_and_identified)
{
	struct tables t;

	build(1, &t);
	uint64_t facs_gpa = le64(t.fadt + 132);
	cr_expect_neq(facs_gpa, 0, "no FACS: a classic FADT needs one");
	cr_expect_eq(facs_gpa % 64, 0, "FACS at 0x%llx is not 64-byte aligned",
		     (unsigned long long)facs_gpa);
	cr_expect(memcmp(t.facs, "FACS", 4) == 0, "FACS signature '%.4s'", (const char *)t.facs);
	cr_expect_eq(le32(t.facs + 4), 64, "FACS length");
	cr_expect_eq(t.facs[32], 2, "FACS version");
	cr_expect_eq(le32(t.facs + 12), 0, "no firmware waking vector");
	cr_expect_eq(le32(t.facs + 16), 0, "Global Lock must start free");
	cr_expect_eq(le64(t.facs + 24), 0, "no 64-bit waking vector");
}

/* Decode an AML integer constant (ACPI 6.4 section 20.2.3); returns its
 * size in bytes, 0 if p holds none. */
static size_t aml_integer(const uint8_t *p, uint64_t *value)
{
	switch (p[0]) {
	case 0x00: *value = 0; return 1; /* ZeroOp */
	case 0x01: *value = 1; return 1; /* OneOp */
	case 0x0a: *value = p[1]; return 2;
	case 0x0b: *value = le16(p + 1); return 3;
	case 0x0c: *value = le32(p + 1); return 5;
	default: return 0;
	}
}

Test(acpi, dsdt_defines_s5_package)
{
	struct tables t;

	build(1, &t);
	cr_expect_geq(t.dsdt[8], 2, "DSDT revision < 2 means 32-bit AML integers");
	uint32_t len = le32(t.dsdt + 4);
	const uint8_t *aml = t.dsdt + 36, *end = t.dsdt + len;
	const uint8_t *name = NULL;
	for (const uint8_t *p = aml; p + 6 <= end; p++) {
		if (p[0] == 0x08 && memcmp(p + 1, "_S5_", 4) == 0) {
			name = p;
			break;
		}
	}
	cr_assert_not_null(name, "no Name (_S5_, ...) in the DSDT");
	const uint8_t *pkg = name + 5;
	cr_assert_eq(pkg[0], 0x12, "_S5_ is not a Package");
	cr_assert_eq(pkg[1] >> 6, 0, "expected a one-byte PkgLength");
	const uint8_t *pkg_end = pkg + 1 + (pkg[1] & 0x3f);
	cr_assert_leq(pkg_end, end, "package runs past the DSDT");
	cr_assert_geq(pkg[2], 1, "empty _S5_ package");

	uint64_t slp_typ_a, slp_typ_b;
	size_t n = aml_integer(pkg + 3, &slp_typ_a);
	cr_assert_gt(n, 0, "SLP_TYPa is not an integer");
	cr_expect_eq(slp_typ_a, ACPI_S5_SLP_TYP);
	if (pkg[2] >= 2) {
		size_t m = aml_integer(pkg + 3 + n, &slp_typ_b);
		cr_assert_gt(m, 0, "SLP_TYPb is not an integer");
		cr_expect_eq(pkg + 3 + n + m, pkg_end, "PkgLength does not match the elements");
	}
}

/* What Linux learns from the MADT. */
struct madt_info {
	uint32_t lapic_addr, flags;
	int nlapics;
	uint8_t lapic_uid[64], lapic_id[64];
	uint32_t lapic_flags[64];
	int nioapics;
	uint8_t ioapic_id;
	uint32_t ioapic_addr, ioapic_gsi_base;
	int noverrides;
	struct {
		uint8_t bus, source;
		uint32_t gsi;
		uint16_t flags;
	} overrides[16];
	int nnmis;
	uint8_t nmi_uid, nmi_lint;
	uint16_t nmi_flags;
};

/* Walk the entries as acpi_table_parse_madt does: type, length, and every
 * entry of the size its type has (BAD_MADT_ENTRY), none past the end. */
static void parse_madt(const uint8_t *madt, struct madt_info *m)
{
	static const uint8_t sizes[] = {[0] = 8, [1] = 12, [2] = 10, [4] = 6};
	uint32_t len = le32(madt + 4);

	memset(m, 0, sizeof(*m));
	m->lapic_addr = le32(madt + 36);
	m->flags = le32(madt + 40);
	size_t off = 44;
	while (off < len) {
		cr_assert_leq(off + 2, len, "entry header past the MADT");
		const uint8_t *e = madt + off;
		uint8_t type = e[0], elen = e[1];

		cr_assert(type < sizeof(sizes) && sizes[type] != 0, "unexpected MADT entry type %u",
			  type);
		cr_assert_eq(elen, sizes[type], "type %u entry of length %u", type, elen);
		cr_assert_leq(off + elen, len, "type %u entry runs past the MADT", type);
		switch (type) {
		case 0:
			cr_assert_lt(m->nlapics, 64);
			m->lapic_uid[m->nlapics] = e[2];
			m->lapic_id[m->nlapics] = e[3];
			m->lapic_flags[m->nlapics] = le32(e + 4);
			m->nlapics++;
			break;
		case 1:
			m->nioapics++;
			m->ioapic_id = e[2];
			m->ioapic_addr = le32(e + 4);
			m->ioapic_gsi_base = le32(e + 8);
			break;
		case 2:
			cr_assert_lt(m->noverrides, 16);
			m->overrides[m->noverrides].bus = e[2];
			m->overrides[m->noverrides].source = e[3];
			m->overrides[m->noverrides].gsi = le32(e + 4);
			m->overrides[m->noverrides].flags = le16(e + 8);
			m->noverrides++;
			break;
		case 4:
			m->nnmis++;
			m->nmi_uid = e[2];
			m->nmi_flags = le16(e + 3);
			m->nmi_lint = e[5];
			break;
		}
		off += elen;
	}
	cr_assert_eq(off, len, "entries do not end where the MADT does");
}

static void check_madt(int ncpus)
{
	struct tables t;
	struct madt_info m;

	build(ncpus, &t);
	parse_madt(t.madt, &m);
	cr_expect_eq(m.lapic_addr, (uint32_t)LAPIC_ADDR, "ncpus %d: local APIC address", ncpus);
	cr_expect_eq(m.flags, 1, "ncpus %d: flags should be PCAT_COMPAT (dual 8259A)", ncpus);

	cr_assert_eq(m.nlapics, ncpus, "ncpus %d: %d local APIC entries", ncpus, m.nlapics);
	for (int i = 0; i < ncpus; i++) {
		cr_expect_eq(m.lapic_id[i], i, "ncpus %d: entry %d has APIC id %u", ncpus, i,
			     m.lapic_id[i]);
		cr_expect_eq(m.lapic_uid[i], i, "ncpus %d: entry %d has processor UID %u", ncpus,
			     i, m.lapic_uid[i]);
		cr_expect_eq(m.lapic_flags[i], 1, "ncpus %d: cpu %d flags 0x%x, want Enabled",
			     ncpus, i, m.lapic_flags[i]);
	}

	cr_assert_eq(m.nioapics, 1, "ncpus %d: %d I/O APICs", ncpus, m.nioapics);
	cr_expect_eq(m.ioapic_id, ncpus, "ncpus %d: I/O APIC id %u, want ncpus as in the MP table",
		     ncpus, m.ioapic_id);
	cr_expect_eq(m.ioapic_addr, (uint32_t)IOAPIC_ADDR);
	cr_expect_eq(m.ioapic_gsi_base, 0);

	/* Only the SCI is overridden: ISA IRQ 9 -> GSI 9, level, active high. */
	cr_assert_eq(m.noverrides, 1, "ncpus %d: %d interrupt source overrides", ncpus,
		     m.noverrides);
	cr_expect_eq(m.overrides[0].bus, 0, "override not on the ISA bus");
	cr_expect_eq(m.overrides[0].source, 9, "override for IRQ %u", m.overrides[0].source);
	cr_expect_eq(m.overrides[0].gsi, 9, "SCI routed to GSI %u", m.overrides[0].gsi);
	cr_expect_eq(m.overrides[0].flags, 0x000d, "SCI flags 0x%04x, want level/active high",
		     m.overrides[0].flags);

	cr_assert_eq(m.nnmis, 1);
	cr_expect_eq(m.nmi_uid, 0xff, "local APIC NMI should apply to all processors");
	cr_expect_eq(m.nmi_lint, 1, "NMI on LINT%u, want LINT1", m.nmi_lint);
}

Test(acpi, madt_one_cpu)
{
	check_madt(1);
}

Test(acpi, madt_two_cpus)
{
	check_madt(2);
}

Test(acpi, madt_eight_cpus)
{
	check_madt(8);
}

Test(acpi, madt_max_cpus)
{
	check_madt(MPTABLE_MAX_CPUS);
	cr_expect_eq(MPTABLE_MAX_CPUS, 32);
}

Test(acpi, madt_irq_wiring_matches_mp_table)
{
	/* A guest with ACPI and one with acpi=off must see the same wiring:
	 * Linux maps ISA IRQ n to GSI n unless an override says otherwise
	 * (mp_config_acpi_legacy_irqs); that must be the MP table's pin. IRQ 0
	 * in particular is on pin 0, where KVM's PIT raises GSI 0. */
	struct tables t;
	struct madt_info m;

	build(2, &t);
	parse_madt(t.madt, &m);
	for (unsigned int irq = 0; irq < MPTABLE_ISA_IRQS; irq++) {
		uint32_t gsi = irq;
		uint16_t flags = 0;

		for (int i = 0; i < m.noverrides; i++) {
			if (m.overrides[i].source == irq) {
				gsi = m.overrides[i].gsi;
				flags = m.overrides[i].flags;
			}
		}
		if (irq == 0)
			cr_expect_eq(gsi, 0, "IRQ 0 overridden to GSI %u", gsi);
		int pin = mptable_isa_irq_pin(irq);
		if (pin < 0)
			continue;
		cr_expect_eq(gsi, (uint32_t)pin, "IRQ %u: GSI %u, MP table pin %d", irq, gsi, pin);
		cr_expect_eq(flags, mptable_isa_irq_flags(irq), "IRQ %u: flags 0x%x vs MP table",
			     irq, flags);
	}
}

Test(acpi, tables_for_max_cpus_fit_below_1mib)
{
	struct platform_mmio_device devs[ACPI_MAX_MMIO_DEVICES];
	size_t n = slot_devices(devs, ACPI_MAX_MMIO_DEVICES);
	size_t one = acpi_tables_size(1, devs, n), max = acpi_tables_size(MPTABLE_MAX_CPUS, devs, n);

	cr_expect_gt(one, 0);
	/* The DSDT comes after the MADT, 16-byte aligned. */
	cr_expect_geq(max - one, (size_t)(MPTABLE_MAX_CPUS - 1) * 8,
		      "each CPU should add one 8-byte local APIC entry");
	cr_expect_lt(max - one, (size_t)(MPTABLE_MAX_CPUS - 1) * 8 + 16);
	cr_expect_leq(max, HIGH_MEMORY_START - ACPI_TABLES_ADDR,
		      "%zu bytes of tables do not fit 0xe0000..0xfffff", max);
}

Test(acpi, tables_follow_gpa)
{
	/* The same tables built for another address point there. */
	struct tables t;

	build_at(0x12340, 3, &t);
	cr_expect_eq(t.rsdp_gpa, 0x12340);
	cr_expect_eq(le32(t.fadt + 36), le64(t.fadt + 132));
	cr_expect_eq(le32(t.fadt + 40), le64(t.fadt + 140));
}

Test(acpi, tables_above_4g_use_only_x_fields)
{
	/* ACPI 2.0+ readers use the 64-bit fields; the 32-bit ones cannot
	 * hold such an address and must be 0 rather than truncated. */
	struct tables t;

	build_at(0x100000000ULL + 0x4000, 1, &t);
	cr_expect_eq(le32(t.fadt + 36), 0, "FIRMWARE_CTRL truncated");
	cr_expect_eq(le32(t.fadt + 40), 0, "DSDT truncated");
	cr_expect_gt(le64(t.fadt + 132), 0x100000000ULL);
	cr_expect_gt(le64(t.fadt + 140), 0x100000000ULL);
}

static void expect_refused(size_t size, uint64_t gpa, int ncpus, const char *word)
{
	uint64_t rsdp = 77;
	size_t used = 12345;

	memset(area, 0x5a, sizeof(area));
	error_clear();
	cr_expect_eq(acpi_build(area, size, gpa, ncpus, NULL, 0, &rsdp, &used), -1,
		     "ncpus %d size %zu gpa 0x%llx accepted", ncpus, size,
		     (unsigned long long)gpa);
	cr_expect(strstr(error_message(), word) != NULL, "error '%s' should mention '%s'",
		  error_message(), word);
	cr_expect_eq(area[0], 0x5a, "buffer written although refused");
	cr_expect_eq(used, 12345, "used changed on failure");
	cr_expect_eq(rsdp, 77, "rsdp_gpa changed on failure");
}

Test(acpi, cpu_count_out_of_range_refused)
{
	expect_refused(sizeof(area), AREA_GPA, 0, "CPUs");
	expect_refused(sizeof(area), AREA_GPA, MPTABLE_MAX_CPUS + 1, "CPUs");
	expect_refused(sizeof(area), AREA_GPA, -1, "CPUs");
	cr_expect_eq(acpi_tables_size(0, NULL, 0), 0);
	cr_expect_eq(acpi_tables_size(MPTABLE_MAX_CPUS + 1, NULL, 0), 0);
}

Test(acpi, buffer_too_small_refused)
{
	uint64_t rsdp;
	size_t used;
	size_t need = acpi_tables_size(MPTABLE_MAX_CPUS, NULL, 0);

	expect_refused(need - 1, AREA_GPA, MPTABLE_MAX_CPUS, "bytes");
	cr_expect_eq(acpi_build(area, need, AREA_GPA, MPTABLE_MAX_CPUS, NULL, 0, &rsdp, &used), 0,
		     "exact fit refused: %s", error_message());
}

Test(acpi, misaligned_address_refused)
{
	/* 16 bytes is enough for the RSDP but not for the FACS. */
	expect_refused(sizeof(area), AREA_GPA + 16, 1, "aligned");
	expect_refused(sizeof(area), AREA_GPA + 4, 1, "aligned");
}

/* --- The DSDT's devices, parsed back --------------------------------------
 * A small reader for the AML subset a DSDT of minivmm may hold (ACPI 6.4
 * chapter 20): Name, Scope, Device, Package, integers, strings, buffers.
 * Every PkgLength must end its term exactly where its contents end, and
 * every term must end inside the one that holds it. Written from the
 * specification, not from boot/aml.c. */

struct parsed_device {
	char name[5];
	char hid[16];
	bool has_uid;
	uint64_t uid;
	const uint8_t *crs;
	size_t crs_len;
};

struct parsed_dsdt {
	bool has_s5;
	uint64_t s5[2];
	size_t ndevs;
	struct parsed_device devs[16];
};

/* Section 20.2.4; returns the PkgLength's value and sets *n to its size. */
static size_t pkglength(const uint8_t *p, const uint8_t *end, size_t *n)
{
	cr_assert_lt(p, end, "PkgLength past the end");
	unsigned follow = p[0] >> 6;
	if (follow == 0) {
		*n = 1;
		return p[0] & 0x3f;
	}
	cr_assert_eq(p[0] & 0x30, 0, "bits 5-4 of a multi-byte PkgLength must be 0");
	cr_assert_leq(p + 1 + follow, end, "PkgLength past the end");
	size_t v = p[0] & 0x0f;
	for (unsigned i = 0; i < follow; i++)
		v |= (size_t)p[1 + i] << (4 + 8 * i);
	*n = 1 + follow;
	return v;
}

/* One data object; returns its size. Integers go to *value. */
static size_t data_object(const uint8_t *p, const uint8_t *end, uint64_t *value,
			  const uint8_t **bytes, size_t *nbytes, const char **str)
{
	cr_assert_lt(p, end);
	switch (p[0]) {
	case 0x00: *value = 0; return 1;
	case 0x01: *value = 1; return 1;
	case 0xff: *value = ~0ULL; return 1;
	case 0x0a: cr_assert_leq(p + 2, end); *value = p[1]; return 2;
	case 0x0b: cr_assert_leq(p + 3, end); *value = le16(p + 1); return 3;
	case 0x0c: cr_assert_leq(p + 5, end); *value = le32(p + 1); return 5;
	case 0x0e: cr_assert_leq(p + 9, end); *value = le64(p + 1); return 9;
	case 0x0d: {
		const uint8_t *nul = memchr(p + 1, 0, (size_t)(end - p - 1));
		cr_assert_not_null(nul, "unterminated string");
		*str = (const char *)p + 1;
		return (size_t)(nul - p) + 1;
	}
	case 0x11: {
		size_t n, len = pkglength(p + 1, end, &n);
		const uint8_t *pend = p + 1 + len;
		cr_assert_leq(pend, end, "buffer runs past its scope");
		uint64_t size;
		size_t m = data_object(p + 1 + n, pend, &size, bytes, nbytes, str);
		cr_assert_eq(size, (uint64_t)(pend - (p + 1 + n + m)),
			     "BufferSize %llu, %td bytes follow", (unsigned long long)size,
			     pend - (p + 1 + n + m));
		*bytes = p + 1 + n + m;
		*nbytes = (size_t)size;
		return (size_t)(pend - p);
	}
	default:
		cr_assert_fail("unexpected data object 0x%02x", p[0]);
		return 0;
	}
}

static size_t nameseg(const uint8_t *p, const uint8_t *end, char out[5])
{
	size_t root = p[0] == '\\';
	cr_assert_leq(p + root + 4, end, "NameSeg past the end");
	memcpy(out, p + root, 4);
	out[4] = '\0';
	return root + 4;
}

static void term_list(const uint8_t *p, const uint8_t *end, struct parsed_dsdt *d,
		      struct parsed_device *dev, int depth);

static size_t name_term(const uint8_t *p, const uint8_t *end, struct parsed_dsdt *d,
			struct parsed_device *dev)
{
	char name[5];
	size_t n = 1 + nameseg(p + 1, end, name);
	uint64_t v = 0;
	const uint8_t *bytes = NULL;
	size_t nbytes = 0;
	const char *str = NULL;

	if (p[n] == 0x12) { /* Package */
		size_t m, len = pkglength(p + n + 1, end, &m);
		const uint8_t *pend = p + n + 1 + len, *q = p + n + 1 + m + 1;
		cr_assert_leq(pend, end, "package runs past its scope");
		uint8_t count = p[n + 1 + m];
		cr_assert_str_eq(name, "_S5_", "only \\_S5 is a package");
		cr_assert_eq(count, 2);
		for (int i = 0; i < 2; i++)
			q += data_object(q, pend, &d->s5[i], &bytes, &nbytes, &str);
		cr_assert_eq(q, pend, "package elements do not fill its PkgLength");
		d->has_s5 = true;
		return (size_t)(pend - p);
	}
	n += data_object(p + n, end, &v, &bytes, &nbytes, &str);
	if (dev == NULL)
		return n;
	if (strcmp(name, "_HID") == 0) {
		cr_assert_not_null(str, "_HID is not a string");
		snprintf(dev->hid, sizeof(dev->hid), "%s", str);
	} else if (strcmp(name, "_UID") == 0) {
		dev->has_uid = true;
		dev->uid = v;
	} else if (strcmp(name, "_CRS") == 0) {
		cr_assert_not_null(bytes, "_CRS is not a buffer");
		dev->crs = bytes;
		dev->crs_len = nbytes;
	}
	return n;
}

static void term_list(const uint8_t *p, const uint8_t *end, struct parsed_dsdt *d,
		      struct parsed_device *dev, int depth)
{
	cr_assert_lt(depth, 4, "nested too deep");
	while (p < end) {
		if (p[0] == 0x08) {
			p += name_term(p, end, d, dev);
		} else if (p[0] == 0x10 || (p[0] == 0x5b && p + 1 < end && p[1] == 0x82)) {
			bool device = p[0] == 0x5b;
			const uint8_t *q = p + (device ? 2 : 1);
			size_t n, len = pkglength(q, end, &n);
			const uint8_t *tend = q + len;
			cr_assert_leq(tend, end, "a term runs past the one that holds it");
			char name[5];
			const uint8_t *body = q + n + nameseg(q + n, tend, name);
			if (device) {
				cr_assert_lt(d->ndevs, 16);
				struct parsed_device *nd = &d->devs[d->ndevs++];
				memcpy(nd->name, name, 5);
				term_list(body, tend, d, nd, depth + 1);
			} else {
				cr_assert_str_eq(name, "_SB_", "unexpected Scope %s", name);
				term_list(body, tend, d, NULL, depth + 1);
			}
			p = tend;
		} else {
			cr_assert_fail("unexpected AML opcode 0x%02x", p[0]);
		}
	}
	cr_assert_eq(p, end, "terms overrun their scope");
}

static void parse_dsdt(const struct tables *t, struct parsed_dsdt *d)
{
	memset(d, 0, sizeof(*d));
	term_list(t->dsdt + 36, t->dsdt + le32(t->dsdt + 4), d, NULL, 0);
}

/* The resources of one _CRS (ACPI 6.4 section 6.4). */
struct parsed_crs {
	int nmem, nirq;
	uint32_t base, length;
	bool writable;
	uint8_t irq_flags;
	uint32_t gsi;
	bool end_tag;
};

static void parse_crs(const uint8_t *p, size_t len, struct parsed_crs *c)
{
	const uint8_t *end = p + len;

	memset(c, 0, sizeof(*c));
	while (p < end) {
		cr_assert(!c->end_tag, "resources after the End Tag");
		if (p[0] == 0x79) { /* small item, End Tag */
			cr_assert_leq(p + 2, end);
			c->end_tag = true;
			p += 2;
			continue;
		}
		cr_assert(p[0] & 0x80, "unexpected small resource 0x%02x", p[0]);
		cr_assert_leq(p + 3, end);
		uint16_t n = le16(p + 1);
		cr_assert_leq(p + 3 + n, end, "resource 0x%02x runs past _CRS", p[0]);
		if (p[0] == 0x86) {
			cr_assert_eq(n, 9, "Memory32Fixed length %u", n);
			c->nmem++;
			c->writable = p[3] & 1;
			c->base = le32(p + 4);
			c->length = le32(p + 8);
		} else if (p[0] == 0x89) {
			cr_assert_eq(p[4], 1, "expected one interrupt");
			cr_assert_eq(n, 2 + 4 * p[4], "Extended Interrupt length %u", n);
			c->nirq++;
			c->irq_flags = p[3];
			c->gsi = le32(p + 5);
		} else {
			cr_assert_fail("unexpected resource 0x%02x", p[0]);
		}
		p += 3 + n;
	}
	cr_assert(c->end_tag, "_CRS has no End Tag");
}

/* The trigger and polarity the MADT gives GSI gsi: its override, or the ISA
 * default (edge, active high) for IRQs 0-15 without one. Returns MPS INTI
 * flags. */
static uint16_t madt_flags_for_gsi(const struct tables *t, uint32_t gsi)
{
	uint32_t len = le32(t->madt + 4);

	for (const uint8_t *p = t->madt + 44; p < t->madt + len; p += p[1])
		if (p[0] == 2 && le32(p + 4) == gsi)
			return le16(p + 8);
	cr_assert_lt(gsi, 16, "GSI %u is no ISA IRQ and has no override", gsi);
	return 0;
}

Test(acpi, dsdt_describes_every_virtio_device)
{
	struct platform_mmio_device devs[ACPI_MAX_MMIO_DEVICES];
	size_t n = slot_devices(devs, ACPI_MAX_MMIO_DEVICES);
	struct tables t;
	struct parsed_dsdt d;

	build_devs_at(AREA_GPA, 4, devs, n, &t);
	parse_dsdt(&t, &d);
	cr_expect(d.has_s5, "\\_S5 is gone");
	cr_assert_eq(d.ndevs, n, "%zu devices in the DSDT, %zu attached", d.ndevs, n);
	for (size_t i = 0; i < n; i++) {
		struct parsed_device *p = &d.devs[i];
		struct parsed_crs c;

		cr_expect_str_eq(p->hid, "LNRO0005", "device %zu: _HID", i);
		cr_expect(p->has_uid, "device %zu has no _UID", i);
		for (size_t j = 0; j < i; j++) {
			cr_expect_neq(p->uid, d.devs[j].uid, "devices %zu and %zu share _UID", i, j);
			cr_expect_str_neq(p->name, d.devs[j].name, "devices %zu and %zu share a name",
					  i, j);
		}
		cr_assert_not_null(p->crs, "device %zu has no _CRS", i);
		parse_crs(p->crs, p->crs_len, &c);
		cr_expect_eq(c.nmem, 1);
		cr_expect_eq(c.nirq, 1);
		cr_expect_eq(c.base, devs[i].base, "device %zu: base 0x%x", i, c.base);
		cr_expect_eq(c.length, devs[i].size);
		cr_expect(c.writable, "device %zu: window is read-only", i);
		cr_expect_eq(c.gsi, (uint32_t)mptable_isa_irq_pin(devs[i].irq),
			     "device %zu: GSI %u for IRQ %u", i, c.gsi, devs[i].irq);

		/* Trigger and polarity as the MADT routes that GSI, which is how
		 * the irqfd raises it: edge (a pulse), active high. */
		uint16_t f = madt_flags_for_gsi(&t, c.gsi);
		bool level = ((f >> 2) & 3) == 3, low = (f & 3) == 3;
		cr_expect(c.irq_flags & 0x01, "device %zu: not a ResourceConsumer", i);
		cr_expect_eq(!!(c.irq_flags & 0x02), !level, "device %zu: trigger mode", i);
		cr_expect_eq(!!(c.irq_flags & 0x04), low, "device %zu: polarity", i);
		cr_expect_eq(c.irq_flags & 0x02, 0x02, "device %zu: the irqfd pulses, so edge", i);
		cr_expect_eq(c.irq_flags & 0x04, 0, "device %zu: active high", i);
		cr_expect_eq(c.irq_flags & 0x08, 0, "device %zu: exclusive", i);
	}
}

Test(acpi, dsdt_without_devices_has_only_s5)
{
	struct tables t;
	struct parsed_dsdt d;

	build_devs_at(AREA_GPA, 1, NULL, 0, &t);
	parse_dsdt(&t, &d);
	cr_expect(d.has_s5);
	cr_expect_eq(d.s5[0], ACPI_S5_SLP_TYP);
	cr_expect_eq(d.ndevs, 0);
	/* NameOp "_S5_" PackageOp PkgLength NumElements BytePrefix 5 ZeroOp. */
	cr_expect_eq(le32(t.dsdt + 4), 36 + 11, "DSDT length %u", le32(t.dsdt + 4));
}

Test(acpi, dsdt_grows_by_the_same_bytes_per_device)
{
	struct platform_mmio_device devs[ACPI_MAX_MMIO_DEVICES];
	size_t n = slot_devices(devs, ACPI_MAX_MMIO_DEVICES);
	uint32_t len[ACPI_MAX_MMIO_DEVICES + 1];
	struct tables t;

	for (size_t k = 0; k <= n; k++) {
		build_devs_at(AREA_GPA, 1, devs, k, &t);
		len[k] = le32(t.dsdt + 4);
		struct parsed_dsdt d;
		parse_dsdt(&t, &d);
		cr_expect_eq(d.ndevs, k);
	}
	/* From the third device on, every device adds the same bytes (the
	 * first two have _UID 0 and 1, ZeroOp and OneOp, one byte shorter, and
	 * the Scope's PkgLength grows to two bytes past 63 bytes, once). */
	for (size_t k = 3; k < n; k++)
		cr_expect_eq(len[k + 1] - len[k], len[k] - len[k - 1],
			     "device %zu adds %u bytes, device %zu added %u", k + 1,
			     len[k + 1] - len[k], k, len[k] - len[k - 1]);
}

static void expect_devices_refused(const struct platform_mmio_device *devs, size_t n,
				   const char *word)
{
	uint64_t rsdp = 77;
	size_t used = 12345;

	memset(area, 0x5a, sizeof(area));
	error_clear();
	cr_expect_eq(acpi_build(area, sizeof(area), AREA_GPA, 1, devs, n, &rsdp, &used), -1);
	cr_expect(strstr(error_message(), word) != NULL, "error '%s' should mention '%s'",
		  error_message(), word);
	cr_expect_eq(area[0], 0x5a, "buffer written although refused");
	cr_expect_eq(used, 12345);
	cr_expect_eq(acpi_tables_size(1, devs, n), 0);
}

Test(acpi, devices_the_dsdt_cannot_describe_refused)
{
	struct platform_mmio_device devs[ACPI_MAX_MMIO_DEVICES + 1];

	slot_devices(devs, ACPI_MAX_MMIO_DEVICES + 1);
	devs[ACPI_MAX_MMIO_DEVICES].irq = platform_virtio_irq(0);
	expect_devices_refused(devs, ACPI_MAX_MMIO_DEVICES + 1, "at most");

	struct platform_mmio_device high = { .base = 0x100000000ULL, .size = 0x1000, .irq = 5 };
	expect_devices_refused(&high, 1, "below 4 GiB");
	struct platform_mmio_device edge = { .base = 0xfffff000ULL, .size = 0x2000, .irq = 5 };
	expect_devices_refused(&edge, 1, "below 4 GiB");
	struct platform_mmio_device empty = { .base = 0xd0000000ULL, .size = 0, .irq = 5 };
	expect_devices_refused(&empty, 1, "below 4 GiB");
	struct platform_mmio_device noirq = { .base = 0xd0000000ULL, .size = 0x1000, .irq = 16 };
	expect_devices_refused(&noirq, 1, "IRQ 16");
}
