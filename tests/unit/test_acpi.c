/* ACPI table tests. The bytes are read back at the offsets of ACPI 6.4
 * chapter 5.2 and the RSDP is found the way Linux's legacy scan finds it
 * (drivers/acpi/acpica/tbxfroot.c: 16-byte steps, signature, checksums),
 * not through the builder's own structures. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "../../boot/acpi.h"
#include "../../boot/layout.h"
#include "../../vmm/error.h"

/* Guest memory 0xe0000..0xfffff: the BIOS ROM area the loader gives us. */
#define AREA_GPA ACPI_TABLES_ADDR
#define AREA_SIZE (HIGH_MEMORY_START - ACPI_TABLES_ADDR)

static uint8_t area[AREA_SIZE] __attribute__((aligned(16)));

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
	uint64_t rsdp_gpa;
	size_t used;
	const uint8_t *rsdp, *xsdt, *fadt, *dsdt;
};

/* The host pointer for a table at gpa, after checking that all of it lies
 * inside the bytes acpi_build said it used. */
static const uint8_t *table_at(const struct tables *t, uint64_t gpa, const char *sig)
{
	cr_assert_geq(gpa, AREA_GPA, "%s at 0x%llx is below the tables", sig,
		      (unsigned long long)gpa);
	cr_assert_leq(gpa - AREA_GPA + 36, t->used, "%s at 0x%llx is past the tables", sig,
		      (unsigned long long)gpa);
	const uint8_t *p = area + (gpa - AREA_GPA);
	uint32_t len = le32(p + 4);
	cr_assert(memcmp(p, sig, 4) == 0, "expected %s at 0x%llx, found '%.4s'", sig,
		  (unsigned long long)gpa, (const char *)p);
	cr_assert_geq(len, 36, "%s length %u", sig, len);
	cr_assert_leq(gpa - AREA_GPA + len, t->used, "%s runs past the tables", sig);
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

static void build(struct tables *t)
{
	memset(area, 0xa5, sizeof(area));
	memset(t, 0, sizeof(*t));
	error_clear();
	cr_assert_eq(acpi_build(area, sizeof(area), AREA_GPA, &t->rsdp_gpa, &t->used), 0, "%s",
		     error_message());
	cr_assert_eq(t->used, acpi_tables_size());

	long off = scan_rsdp(area, sizeof(area));
	cr_assert_geq(off, 0, "no valid RSDP found by a 16-byte scan");
	cr_assert_eq(AREA_GPA + (uint64_t)off, t->rsdp_gpa,
		     "RSDP found at 0x%llx, reported 0x%llx",
		     (unsigned long long)(AREA_GPA + off), (unsigned long long)t->rsdp_gpa);
	t->rsdp = area + off;
	t->xsdt = table_at(t, le64(t->rsdp + 24), "XSDT");
	uint32_t entries = (le32(t->xsdt + 4) - 36) / 8;
	cr_assert_eq(entries, 1, "XSDT should list only the FADT, lists %u tables", entries);
	t->fadt = table_at(t, le64(t->xsdt + 36), "FACP");
	t->dsdt = table_at(t, le64(t->fadt + 140), "DSDT");
}

Test(acpi, rsdp_at_start_of_tables)
{
	struct tables t;

	build(&t);
	cr_expect_eq(t.rsdp_gpa, ACPI_TABLES_ADDR,
		     "RSDP should open the tables (16-byte aligned)");
	cr_expect_eq(t.rsdp[15], 2, "RSDP revision");
	cr_expect_eq(le32(t.rsdp + 20), 36, "RSDP length");
	cr_expect_eq(le32(t.rsdp + 16), 0, "no RSDT: only the XSDT");
}

Test(acpi, fadt_is_hardware_reduced_revision_6)
{
	struct tables t;

	build(&t);
	cr_expect_eq(le32(t.fadt + 4), 276, "FADT length");
	cr_expect_eq(t.fadt[8], 6, "FADT major revision");
	uint32_t flags = le32(t.fadt + 112);
	cr_expect(flags & (1u << 20), "HW_REDUCED_ACPI flag missing (flags 0x%x)", flags);
	uint16_t boot_arch = le16(t.fadt + 109);
	cr_expect(boot_arch & (1u << 2), "NO_VGA not set (IAPC_BOOT_ARCH 0x%x)", boot_arch);
	/* The 32-bit DSDT pointer agrees with X_DSDT. */
	cr_expect_eq(le32(t.fadt + 40), le64(t.fadt + 140));
	cr_expect(memcmp(t.fadt + 268, "MINIVMM", 8) == 0, "hypervisor vendor identity");
}

static void expect_io_byte_register(const uint8_t *gas, uint16_t port, const char *name)
{
	cr_expect_eq(gas[0], 1, "%s: address space %u, want System I/O", name, gas[0]);
	cr_expect_eq(gas[1], 8, "%s: bit width %u", name, gas[1]);
	cr_expect_eq(gas[2], 0, "%s: bit offset %u", name, gas[2]);
	cr_expect_eq(gas[3], 1, "%s: access size %u, want byte", name, gas[3]);
	cr_expect_eq(le64(gas + 4), port, "%s: port 0x%llx", name,
		     (unsigned long long)le64(gas + 4));
}

Test(acpi, sleep_registers)
{
	struct tables t;

	build(&t);
	expect_io_byte_register(t.fadt + 244, ACPI_SLEEP_CONTROL_PORT, "SLEEP_CONTROL_REG");
	expect_io_byte_register(t.fadt + 256, ACPI_SLEEP_STATUS_PORT, "SLEEP_STATUS_REG");
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

	build(&t);
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

Test(acpi, sleep_control_s5_detection)
{
	/* What acpi_hw_extended_sleep writes for S5: ((SLP_TYP << 2) & 0x1c) | SLP_EN. */
	uint8_t linux_s5 = (uint8_t)(((ACPI_S5_SLP_TYP << 2) & 0x1c) | 0x20);

	cr_expect(acpi_sleep_control_is_s5(linux_s5));
	cr_expect(acpi_sleep_control_is_s5(0x34));
	cr_expect_not(acpi_sleep_control_is_s5(0x14), "SLP_EN clear");
	cr_expect_not(acpi_sleep_control_is_s5(0x20), "SLP_TYP 0");
	cr_expect_not(acpi_sleep_control_is_s5(0x30), "SLP_TYP 4 is not S5");
	cr_expect_not(acpi_sleep_control_is_s5(0x80), "a WAK_STS write");
	/* Reserved bits 0-1 and 6-7 neither hide nor fake an S5 request. */
	cr_expect(acpi_sleep_control_is_s5(0x34 | 0xc3));
	cr_expect_not(acpi_sleep_control_is_s5(0x14 | 0xc3));
	for (unsigned int typ = 0; typ < 8; typ++) {
		if (typ != ACPI_S5_SLP_TYP)
			cr_expect_not(acpi_sleep_control_is_s5((uint8_t)((typ << 2) | 0x20)),
				      "SLP_TYP %u", typ);
	}
}

Test(acpi, tables_follow_gpa)
{
	/* The same tables built for another address point there. */
	uint64_t rsdp;
	size_t used;
	uint64_t gpa = 0x12340;

	cr_assert_eq(acpi_build(area, sizeof(area), gpa, &rsdp, &used), 0, "%s", error_message());
	cr_expect_eq(rsdp, gpa);
	uint64_t xsdt = le64(area + 24);
	cr_assert(xsdt >= gpa && xsdt - gpa < used);
	uint64_t fadt = le64(area + (xsdt - gpa) + 36);
	cr_assert(fadt >= gpa && fadt - gpa < used);
	cr_expect(memcmp(area + (fadt - gpa), "FACP", 4) == 0);
}

Test(acpi, buffer_too_small_refused)
{
	uint64_t rsdp = 0;
	size_t used = 0;
	size_t need = acpi_tables_size();

	memset(area, 0x5a, sizeof(area));
	error_clear();
	cr_expect_eq(acpi_build(area, need - 1, AREA_GPA, &rsdp, &used), -1);
	cr_expect(strstr(error_message(), "bytes") != NULL, "error: '%s'", error_message());
	cr_expect_eq(area[0], 0x5a, "buffer written although refused");
	cr_expect_eq(used, 0);
	cr_expect_eq(acpi_build(area, need, AREA_GPA, &rsdp, &used), 0, "exact fit refused");
}

Test(acpi, misaligned_address_refused)
{
	uint64_t rsdp;
	size_t used;

	error_clear();
	cr_expect_eq(acpi_build(area, sizeof(area), AREA_GPA + 4, &rsdp, &used), -1);
	cr_expect(strstr(error_message(), "aligned") != NULL, "error: '%s'", error_message());
}
