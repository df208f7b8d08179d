/* MP table tests. The bytes are read back the way Linux does
 * (arch/x86/kernel/mpparse.c: smp_scan_config, smp_check_mpc, smp_read_mpc),
 * at the offsets of the MultiProcessor Specification 1.4, not through the
 * builder's own structures. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "boot/mptable.h"
#include "lib/error.h"
#include "lib/platform.h"

/* The last KiB of base memory, the window Linux scans. */
#define WINDOW 1024

static uint8_t window[WINDOW] __attribute__((aligned(16)));

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	for (size_t i = 0; i < len; i++)
		s += p[i];
	return s;
}

struct parsed_irq {
	uint8_t int_type, src_bus, src_irq, dest_id, dest_pin;
	uint16_t flags;
};

/* What a reader of the table learns from it. */
struct parsed {
	size_t fp_offset;    /* of the floating pointer in window */
	size_t table_offset; /* of the configuration table in window */
	uint16_t length;
	uint16_t entry_count;
	uint32_t lapic_addr;
	char oem[9];
	int entries;
	uint8_t types[128];
	int ncpus;
	uint8_t cpu_id[64], cpu_flags[64], cpu_version[64];
	int nbuses;
	uint8_t bus_id;
	char bus_type[7];
	int nioapics;
	uint8_t ioapic_id, ioapic_version, ioapic_flags;
	uint32_t ioapic_addr;
	int nirqs;
	struct parsed_irq irqs[32];
	int nlints;
	struct parsed_irq lints[8];
};

/* smp_scan_config: a 16-byte-aligned "_MP_" of length 1, checksum 0,
 * spec revision 1 or 4. Returns the offset, or -1. */
static long scan_floating_pointer(const uint8_t *buf, size_t len)
{
	for (size_t off = 0; off + 16 <= len; off += 16) {
		const uint8_t *p = buf + off;

		if (memcmp(p, "_MP_", 4) == 0 && p[8] == 1 && sum(p, 16) == 0 &&
		    (p[9] == 1 || p[9] == 4))
			return (long)off;
	}
	return -1;
}

/* Find and parse the table in window (at guest-physical gpa), failing the
 * test where Linux would reject it. */
static void parse(uint64_t gpa, struct parsed *out)
{
	memset(out, 0, sizeof(*out));
	long fp = scan_floating_pointer(window, WINDOW);
	cr_assert_geq(fp, 0, "no MP floating pointer found by a 16-byte scan");
	out->fp_offset = (size_t)fp;
	const uint8_t *f = window + fp;
	cr_assert_eq(f[9], 4, "spec revision %u, want 4 (MP 1.4)", f[9]);
	cr_assert_eq(f[11], 0, "feature byte 1 must be 0: a configuration table is present");

	uint32_t physptr = le32(f + 4);
	cr_assert_geq(physptr, gpa, "config table pointer 0x%x below the buffer", physptr);
	cr_assert_lt(physptr - gpa, WINDOW - 44, "config table pointer outside the buffer");
	out->table_offset = physptr - gpa;
	const uint8_t *t = window + out->table_offset;

	/* smp_check_mpc */
	cr_assert(memcmp(t, "PCMP", 4) == 0, "bad configuration table signature");
	out->length = le16(t + 4);
	cr_assert_leq(out->table_offset + out->length, WINDOW);
	cr_assert_eq(sum(t, out->length), 0, "configuration table checksum is not zero");
	cr_assert(t[6] == 1 || t[6] == 4, "bad table version %u", t[6]);
	out->lapic_addr = le32(t + 36);
	cr_assert_neq(out->lapic_addr, 0, "null local APIC address");
	memcpy(out->oem, t + 8, 8);
	out->entry_count = le16(t + 34);

	/* smp_read_mpc */
	size_t count = 44;
	while (count < out->length) {
		const uint8_t *e = t + count;
		cr_assert_lt(out->entries, 128);
		out->types[out->entries++] = e[0];
		switch (e[0]) {
		case 0: /* processor, 20 bytes */
			out->cpu_id[out->ncpus] = e[1];
			out->cpu_version[out->ncpus] = e[2];
			out->cpu_flags[out->ncpus] = e[3];
			out->ncpus++;
			count += 20;
			break;
		case 1: /* bus */
			out->nbuses++;
			out->bus_id = e[1];
			memcpy(out->bus_type, e + 2, 6);
			count += 8;
			break;
		case 2: /* I/O APIC */
			out->nioapics++;
			out->ioapic_id = e[1];
			out->ioapic_version = e[2];
			out->ioapic_flags = e[3];
			out->ioapic_addr = le32(e + 4);
			count += 8;
			break;
		case 3:
		case 4: {
			struct parsed_irq irq = {
				.int_type = e[1],
				.flags = le16(e + 2),
				.src_bus = e[4],
				.src_irq = e[5],
				.dest_id = e[6],
				.dest_pin = e[7],
			};
			if (e[0] == 3)
				out->irqs[out->nirqs++] = irq;
			else
				out->lints[out->nlints++] = irq;
			count += 8;
			break;
		}
		default:
			cr_assert_fail("unknown entry type %u at offset %zu", e[0], count);
		}
	}
	cr_assert_eq(count, out->length, "entries overrun the table length");
}

static void build(int ncpus, struct parsed *out)
{
	size_t used = 0;

	memset(window, 0xa5, sizeof(window));
	error_clear();
	cr_assert_eq(mptable_build(window, sizeof(window), MPTABLE_ADDR, ncpus, &used), 0, "%s",
		     error_message());
	parse(MPTABLE_ADDR, out);
	cr_assert_eq(used, out->table_offset + out->length,
		     "used (%zu) is not where the table ends", used);
	cr_assert_eq(used, mptable_size(ncpus));
}

static const struct parsed_irq *irq_for(const struct parsed *p, unsigned int isa_irq)
{
	for (int i = 0; i < p->nirqs; i++) {
		if (p->irqs[i].src_irq == isa_irq)
			return &p->irqs[i];
	}
	return NULL;
}

Test(mptable, found_by_scan_with_valid_checksums)
{
	struct parsed p;

	build(1, &p);
	cr_expect_eq(p.fp_offset, 0, "floating pointer should start the buffer (aligned)");
	cr_expect_eq(p.lapic_addr, (uint32_t)LAPIC_ADDR);
	cr_expect(strncmp(p.oem, "MINIVMM", 7) == 0, "OEM id '%s' should name minivmm", p.oem);
	/* Checksums are over the exact bytes: flipping one breaks them. */
	window[p.table_offset + 50] ^= 1;
	cr_expect_neq(sum(window + p.table_offset, p.length), 0);
}

Test(mptable, entries_sorted_and_counted)
{
	struct parsed p;

	build(4, &p);
	cr_expect_eq(p.entry_count, p.entries, "header says %u entries, table has %d",
		     p.entry_count, p.entries);
	for (int i = 1; i < p.entries; i++)
		cr_expect_leq(p.types[i - 1], p.types[i], "entry %d out of type order", i);
	cr_expect_eq(p.ncpus, 4);
	cr_expect_eq(p.nbuses, 1);
	cr_expect_eq(p.nioapics, 1);
	cr_expect_eq(p.nirqs, 15, "ISA IRQs 0..15 except 2");
	cr_expect_eq(p.nlints, 2);
}

Test(mptable, one_enabled_processor_per_cpu_bsp_first)
{
	static const int counts[] = {1, 2, 8, MPTABLE_MAX_CPUS};

	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		struct parsed p;
		int n = counts[c];

		build(n, &p);
		cr_assert_eq(p.ncpus, n, "ncpus %d: %d processor entries", n, p.ncpus);
		for (int i = 0; i < n; i++) {
			cr_expect_eq(p.cpu_id[i], i, "ncpus %d: entry %d has APIC id %u", n, i,
				     p.cpu_id[i]);
			cr_expect(p.cpu_flags[i] & 1, "ncpus %d: cpu %d not enabled", n, i);
			cr_expect_eq((p.cpu_flags[i] & 2) != 0, i == 0,
				     "ncpus %d: BSP flag wrong on cpu %d", n, i);
			cr_expect_geq(p.cpu_version[i], 0x10, "integrated APIC version expected");
		}
	}
}

Test(mptable, ioapic_after_the_cpus)
{
	struct parsed p;

	build(3, &p);
	cr_expect_eq(p.ioapic_id, 3, "I/O APIC id should be ncpus");
	cr_expect_eq(p.ioapic_version, 0x11);
	cr_expect(p.ioapic_flags & 1, "I/O APIC not enabled");
	cr_expect_eq(p.ioapic_addr, (uint32_t)IOAPIC_ADDR);
	cr_expect_eq(p.bus_id, 0);
	cr_expect_str_eq(p.bus_type, "ISA   ");
}

Test(mptable, isa_irq_routing)
{
	struct parsed p;

	build(2, &p);
	/* KVM's default GSI routing puts the in-kernel PIT's GSI 0 on I/O
	 * APIC pin 0 (not pin 2 as on a PC/AT). */
	const struct parsed_irq *irq0 = irq_for(&p, 0);
	cr_assert_not_null(irq0, "IRQ 0 not routed");
	cr_expect_eq(irq0->dest_pin, 0, "IRQ 0 should reach I/O APIC pin 0, not %u",
		     irq0->dest_pin);
	cr_expect_null(irq_for(&p, 2), "IRQ 2 (the cascade) must not be routed");

	uint32_t pins_seen = 0;
	for (int i = 0; i < p.nirqs; i++) {
		const struct parsed_irq *e = &p.irqs[i];

		cr_expect_eq(e->int_type, 0, "IRQ %u: type INT expected", e->src_irq);
		cr_expect_eq(e->src_bus, p.bus_id, "IRQ %u: not on the ISA bus", e->src_irq);
		cr_expect_eq(e->dest_id, p.ioapic_id, "IRQ %u: not sent to the I/O APIC",
			     e->src_irq);
		cr_expect_eq(e->dest_pin, e->src_irq, "IRQ %u: pin %u", e->src_irq, e->dest_pin);
		cr_expect_eq(pins_seen & (1u << e->dest_pin), 0, "pin %u used twice", e->dest_pin);
		pins_seen |= 1u << e->dest_pin;
		/* The ACPI SCI is level triggered, active high (polarity 01,
		 * trigger 11); every other ISA IRQ conforms to the bus. */
		uint16_t want = e->src_irq == ACPI_SCI_IRQ ? 0x000d : 0;
		cr_expect_eq(e->flags, want, "IRQ %u: flags 0x%x, want 0x%x", e->src_irq,
			     e->flags, want);
	}
	cr_expect_not_null(irq_for(&p, 9), "IRQ 9 (the ACPI SCI) not routed");
	cr_expect_eq(ACPI_SCI_IRQ, 9);
	/* Virtio-mmio devices use ISA IRQs 5..11: they are routed now. */
	for (unsigned int irq = 5; irq <= 11; irq++)
		cr_expect_not_null(irq_for(&p, irq), "IRQ %u not routed", irq);
}

Test(mptable, routing_lookups_agree_with_table)
{
	struct parsed p;

	build(1, &p);
	for (unsigned int irq = 0; irq < MPTABLE_ISA_IRQS; irq++) {
		const struct parsed_irq *e = irq_for(&p, irq);

		cr_expect_eq(mptable_isa_irq_pin(irq), e ? e->dest_pin : -1, "IRQ %u", irq);
		if (e)
			cr_expect_eq(mptable_isa_irq_flags(irq), e->flags, "IRQ %u flags", irq);
	}
	cr_expect_eq(mptable_isa_irq_pin(16), -1);
	cr_expect_eq(mptable_isa_irq_pin(255), -1);
	cr_expect_eq(mptable_isa_irq_pin(UINT32_MAX), -1);
}

Test(mptable, local_interrupts_virtual_wire)
{
	struct parsed p;

	build(2, &p);
	cr_assert_eq(p.nlints, 2);
	for (int i = 0; i < 2; i++) {
		const struct parsed_irq *l = &p.lints[i];
		/* LINT0 = ExtINT (3), LINT1 = NMI (1), on every local APIC. */
		cr_expect_eq(l->int_type, l->dest_pin == 0 ? 3 : 1, "LINT%u type %u", l->dest_pin,
			     l->int_type);
		cr_expect_eq(l->dest_id, 0xff, "LINT%u should target all local APICs",
			     l->dest_pin);
	}
	cr_expect_neq(p.lints[0].dest_pin, p.lints[1].dest_pin);
}

static void expect_refused(void *buf, size_t size, uint64_t gpa, int ncpus, const char *word)
{
	size_t used = 12345;

	error_clear();
	cr_expect_eq(mptable_build(buf, size, gpa, ncpus, &used), -1,
		     "ncpus %d size %zu gpa 0x%llx accepted", ncpus, size,
		     (unsigned long long)gpa);
	cr_expect(strstr(error_message(), word) != NULL, "error '%s' should mention '%s'",
		  error_message(), word);
	cr_expect_eq(used, 12345, "used changed on failure");
}

Test(mptable, cpu_count_out_of_range_refused)
{
	expect_refused(window, sizeof(window), MPTABLE_ADDR, 0, "CPUs");
	expect_refused(window, sizeof(window), MPTABLE_ADDR, MPTABLE_MAX_CPUS + 1, "CPUs");
	expect_refused(window, sizeof(window), MPTABLE_ADDR, -1, "CPUs");
	cr_expect_eq(mptable_size(0), 0);
}

Test(mptable, buffer_too_small_refused)
{
	size_t need = mptable_size(8);
	size_t used;

	cr_assert_gt(need, 0);
	memset(window, 0x5a, sizeof(window));
	expect_refused(window, need - 1, MPTABLE_ADDR, 8, "bytes");
	cr_expect_eq(window[0], 0x5a, "buffer written although refused");
	cr_expect_eq(mptable_build(window, need, MPTABLE_ADDR, 8, &used), 0, "exact fit refused");
}

Test(mptable, unreachable_address_refused)
{
	expect_refused(window, sizeof(window), MPTABLE_ADDR + 8, 1, "aligned");
	expect_refused(window, sizeof(window), 0x100000000ULL, 1, "4 GiB");
}

Test(mptable, largest_table_fits_the_scan_window)
{
	/* Linux scans only the last KiB of base memory for the pointer, and
	 * the loader reserves the area up to the BIOS ROM for the table. */
	cr_expect_leq(mptable_size(MPTABLE_MAX_CPUS), BIOS_ROM_START - MPTABLE_ADDR);
	struct parsed p;
	build(MPTABLE_MAX_CPUS, &p);
	cr_expect_eq(p.ioapic_id, MPTABLE_MAX_CPUS, "I/O APIC id must not clash with CPUs");
}
