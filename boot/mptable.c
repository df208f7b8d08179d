/* MP table, following the Intel MultiProcessor Specification 1.4, chapter 4
 * ("MP Configuration Table"). What Linux checks is in
 * arch/x86/kernel/mpparse.c: smp_scan_config (floating pointer: "_MP_",
 * length 1, checksum, spec 1 or 4, on a 16-byte boundary in the last KiB of
 * base memory) and smp_check_mpc (header: "PCMP", checksum over `length`
 * bytes, spec 1 or 4, non-zero local APIC address). */
#include "boot/mptable.h"

#include <string.h>

#include "lib/error.h"
#include "lib/platform.h"

/* The structures below are written byte for byte into guest memory, where
 * every multi-byte field is little-endian: so is the host. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "MP table needs a little-endian host");

/* MP spec 4.1: MP Floating Pointer Structure (16 bytes, one paragraph). */
struct mp_floating_pointer {
	char signature[4];     /* "_MP_" */
	uint32_t config_table; /* physical address of the configuration table */
	uint8_t length;        /* in 16-byte paragraphs: 1 */
	uint8_t spec_rev;      /* 4 for version 1.4 */
	uint8_t checksum;      /* all 16 bytes sum to 0 */
	uint8_t features[5];   /* feature byte 1 = 0: a configuration table is
				* present; byte 2 bit 7 (IMCR) = 0: virtual
				* wire mode, no IMCR to program */
} __attribute__((packed));

/* MP spec 4.2: MP Configuration Table Header (44 bytes). */
struct mp_config_header {
	char signature[4];      /* "PCMP" */
	uint16_t base_length;   /* header plus all base entries, in bytes */
	uint8_t spec_rev;       /* 4 */
	uint8_t checksum;       /* base_length bytes sum to 0 */
	char oem_id[8];         /* space padded */
	char product_id[12];    /* space padded */
	uint32_t oem_table;     /* 0: none */
	uint16_t oem_table_size;
	uint16_t entry_count;
	uint32_t lapic_addr;    /* where every local APIC is mapped */
	uint16_t ext_length;    /* no extended entries */
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

/* MP spec 4.3, Table 4-3: base entry types; entries must appear sorted by type. */
enum {
	MP_ENTRY_PROCESSOR = 0,
	MP_ENTRY_BUS = 1,
	MP_ENTRY_IOAPIC = 2,
	MP_ENTRY_IO_INTERRUPT = 3,
	MP_ENTRY_LOCAL_INTERRUPT = 4,
};

/* MP spec 4.3.1: Processor Entry (20 bytes). */
struct mp_processor {
	uint8_t type;
	uint8_t lapic_id;
	uint8_t lapic_version;
	uint8_t flags; /* bit 0 EN (usable), bit 1 BP (the bootstrap processor) */
	uint32_t signature;
	uint32_t features;
	uint32_t reserved[2];
} __attribute__((packed));

#define MP_CPU_ENABLED 0x01
#define MP_CPU_BSP 0x02

/* MP spec 4.3.2: Bus Entry (8 bytes). */
struct mp_bus {
	uint8_t type;
	uint8_t bus_id;
	char bus_type[6]; /* Table 4-8, space padded */
} __attribute__((packed));

/* MP spec 4.3.3: I/O APIC Entry (8 bytes). */
struct mp_ioapic {
	uint8_t type;
	uint8_t id;
	uint8_t version;
	uint8_t flags; /* bit 0 EN */
	uint32_t addr;
} __attribute__((packed));

/* MP spec 4.3.4 and 4.3.5: I/O and Local Interrupt Assignment Entries
 * (8 bytes, same layout; for local entries dest_id is a local APIC id and
 * dest_pin the LINTIN pin). */
struct mp_interrupt {
	uint8_t type;
	uint8_t int_type; /* Table 4-11 */
	uint16_t flags;   /* polarity bits 0-1, trigger mode bits 2-3 */
	uint8_t src_bus;
	uint8_t src_irq;
	uint8_t dest_id;
	uint8_t dest_pin;
} __attribute__((packed));

_Static_assert(sizeof(struct mp_floating_pointer) == 16, "MP floating pointer is 16 bytes");
_Static_assert(sizeof(struct mp_config_header) == 44, "MP header is 44 bytes");
_Static_assert(sizeof(struct mp_processor) == 20, "MP processor entry is 20 bytes");
_Static_assert(sizeof(struct mp_bus) == 8, "MP bus entry is 8 bytes");
_Static_assert(sizeof(struct mp_ioapic) == 8, "MP I/O APIC entry is 8 bytes");
_Static_assert(sizeof(struct mp_interrupt) == 8, "MP interrupt entry is 8 bytes");

/* MP spec Table 4-11: interrupt types. */
#define MP_INT_VECTORED 0 /* signal from the I/O APIC (INT) */
#define MP_INT_NMI 1
#define MP_INT_EXTINT 3 /* 8259A-compatible interrupt controller */

#define MP_ISA_BUS_ID 0
#define MP_ALL_LAPICS 0xff

/* Local APIC version as KVM's in-kernel local APIC reports it (0x1x means
 * an integrated APIC, not a discrete 82489DX). */
#define MP_LAPIC_VERSION 0x14
/* I/O APIC version register of KVM's in-kernel I/O APIC (82093AA). */
#define MP_IOAPIC_VERSION 0x11
/* CPU signature and CPUID.1:EDX features the processor entries claim.
 * Linux reads the real values with CPUID; these only need to be plausible:
 * family 6, model 0, stepping 0, with FPU (bit 0) and APIC (bit 9). */
#define MP_CPU_SIGNATURE (6u << 8)
#define MP_CPU_FEATURES ((1u << 0) | (1u << 9))

#define MP_OEM_ID "MINIVMM "
#define MP_PRODUCT_ID "MINIVMM KVM "

/* ISA IRQ -> I/O APIC pin: identity for IRQs 0..15 but 2. Unlike the PC/AT,
 * where pin 0 carries the 8259A's output and the PIT reaches pin 2, IRQ 0 is
 * on pin 0: KVM's default GSI routing (arch/x86/kvm/irq_comm.c,
 * default_routing) sends GSI n to I/O APIC pin n and 8259A input n for
 * n < 16, and its in-kernel PIT raises GSI 0. IRQ 2 is the 8259A cascade:
 * nothing raises GSI 2, so it stays unassigned. Devices given IRQs 5..15
 * (virtio-mmio) need no change here. */
#define ISA_CASCADE_IRQ 2
/* Routed ISA IRQs: 0..15 without the cascade. */
#define ISA_IRQ_ROUTE_COUNT (MPTABLE_ISA_IRQS - 1)
/* LINT0 and LINT1 of every local APIC. */
#define MP_LOCAL_INTERRUPT_COUNT 2

_Static_assert(ACPI_SCI_IRQ < MPTABLE_ISA_IRQS && ACPI_SCI_IRQ != ISA_CASCADE_IRQ,
	       "the SCI must be a routed ISA IRQ");

int mptable_isa_irq_pin(unsigned int irq)
{
	if (irq >= MPTABLE_ISA_IRQS || irq == ISA_CASCADE_IRQ)
		return -1;
	return (int)irq;
}

uint16_t mptable_isa_irq_flags(unsigned int irq)
{
	/* ACPI 6.4 section 5.2.9: without an override, the OS treats the SCI
	 * as a shared, level-triggered, active-low interrupt. It is level here
	 * too, but active high: KVM's in-kernel I/O APIC takes a line set
	 * to 1 (KVM_IRQ_LINE, irqfd) as asserted whatever the polarity bit
	 * says (arch/x86/kvm/ioapic.c, ioapic_set_irq), so a VMM asserts by
	 * raising the line, which is what active high describes. */
	if (irq == ACPI_SCI_IRQ)
		return MPTABLE_IRQ_FLAGS_LEVEL_HIGH;
	return MPTABLE_IRQ_FLAGS_CONFORMING;
}

static size_t config_table_size(int ncpus)
{
	return sizeof(struct mp_config_header) + (size_t)ncpus * sizeof(struct mp_processor) +
	       sizeof(struct mp_bus) + sizeof(struct mp_ioapic) +
	       (ISA_IRQ_ROUTE_COUNT + MP_LOCAL_INTERRUPT_COUNT) * sizeof(struct mp_interrupt);
}

size_t mptable_size(int ncpus)
{
	if (ncpus < 1 || ncpus > MPTABLE_MAX_CPUS)
		return 0;
	return sizeof(struct mp_floating_pointer) + config_table_size(ncpus);
}

/* The value that makes len bytes (with this one in place of a zero) sum to 0. */
static uint8_t checksum_fix(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return (uint8_t)-sum;
}

/* Appends entries to the configuration table one after another. */
struct writer {
	uint8_t *pos;
	uint16_t count;
};

static void put(struct writer *w, const void *entry, size_t len)
{
	memcpy(w->pos, entry, len);
	w->pos += len;
	w->count++;
}

static void write_entries(struct writer *w, int ncpus)
{
	uint8_t ioapic_id = (uint8_t)mptable_ioapic_id(ncpus);

	for (int cpu = 0; cpu < ncpus; cpu++) {
		struct mp_processor p = {
			.type = MP_ENTRY_PROCESSOR,
			.lapic_id = (uint8_t)cpu,
			.lapic_version = MP_LAPIC_VERSION,
			.flags = MP_CPU_ENABLED | (cpu == 0 ? MP_CPU_BSP : 0),
			.signature = MP_CPU_SIGNATURE,
			.features = MP_CPU_FEATURES,
		};
		put(w, &p, sizeof(p));
	}

	struct mp_bus bus = {.type = MP_ENTRY_BUS, .bus_id = MP_ISA_BUS_ID};
	memcpy(bus.bus_type, "ISA   ", sizeof(bus.bus_type));
	put(w, &bus, sizeof(bus));

	struct mp_ioapic ioapic = {
		.type = MP_ENTRY_IOAPIC,
		.id = ioapic_id,
		.version = MP_IOAPIC_VERSION,
		.flags = 1, /* EN */
		.addr = (uint32_t)IOAPIC_ADDR,
	};
	put(w, &ioapic, sizeof(ioapic));

	for (unsigned int isa_irq = 0; isa_irq < MPTABLE_ISA_IRQS; isa_irq++) {
		int pin = mptable_isa_irq_pin(isa_irq);

		if (pin < 0)
			continue;
		struct mp_interrupt irq = {
			.type = MP_ENTRY_IO_INTERRUPT,
			.int_type = MP_INT_VECTORED,
			.flags = mptable_isa_irq_flags(isa_irq),
			.src_bus = MP_ISA_BUS_ID,
			.src_irq = (uint8_t)isa_irq,
			.dest_id = ioapic_id,
			.dest_pin = (uint8_t)pin,
		};
		put(w, &irq, sizeof(irq));
	}

	/* Virtual wire mode (MP spec 3.6.2.2): the 8259A output reaches every
	 * local APIC's LINT0 as ExtINT, and NMIs arrive on LINT1. */
	static const uint8_t lint_types[MP_LOCAL_INTERRUPT_COUNT] = {MP_INT_EXTINT, MP_INT_NMI};
	for (uint8_t lint = 0; lint < MP_LOCAL_INTERRUPT_COUNT; lint++) {
		struct mp_interrupt l = {
			.type = MP_ENTRY_LOCAL_INTERRUPT,
			.int_type = lint_types[lint],
			.flags = MPTABLE_IRQ_FLAGS_CONFORMING,
			.src_bus = MP_ISA_BUS_ID,
			.src_irq = 0,
			.dest_id = MP_ALL_LAPICS,
			.dest_pin = lint,
		};
		put(w, &l, sizeof(l));
	}
}

int mptable_build(void *buf, size_t buf_size, uint64_t gpa, int ncpus, size_t *used)
{
	if (ncpus < 1 || ncpus > MPTABLE_MAX_CPUS)
		return error_set("mptable: %d CPUs is outside the supported 1..%d", ncpus,
				 MPTABLE_MAX_CPUS);
	size_t total = mptable_size(ncpus);
	if (buf_size < total)
		return error_set("mptable: needs %zu bytes for %d CPUs, only %zu available", total,
				 ncpus, buf_size);
	/* Linux scans for the floating pointer on 16-byte boundaries, and the
	 * pointer to the configuration table is 32 bits wide. */
	if (gpa % 16 != 0)
		return error_set("mptable: address 0x%llx is not 16-byte aligned",
				 (unsigned long long)gpa);
	if (gpa > UINT32_MAX || total > UINT32_MAX - gpa)
		return error_set("mptable: address 0x%llx is above 4 GiB",
				 (unsigned long long)gpa);

	uint8_t *base = buf;
	uint8_t *table = base + sizeof(struct mp_floating_pointer);
	uint64_t table_gpa = gpa + sizeof(struct mp_floating_pointer);
	size_t table_len = config_table_size(ncpus);

	memset(base, 0, total);

	struct writer w = {.pos = table + sizeof(struct mp_config_header)};
	write_entries(&w, ncpus);

	struct mp_config_header hdr = {
		.base_length = (uint16_t)table_len,
		.spec_rev = 4,
		.entry_count = w.count,
		.lapic_addr = (uint32_t)LAPIC_ADDR,
	};
	memcpy(hdr.signature, "PCMP", sizeof(hdr.signature));
	memcpy(hdr.oem_id, MP_OEM_ID, sizeof(hdr.oem_id));
	memcpy(hdr.product_id, MP_PRODUCT_ID, sizeof(hdr.product_id));
	memcpy(table, &hdr, sizeof(hdr));
	table[offsetof(struct mp_config_header, checksum)] = checksum_fix(table, table_len);

	struct mp_floating_pointer fp = {
		.config_table = (uint32_t)table_gpa,
		.length = 1,
		.spec_rev = 4,
	};
	memcpy(fp.signature, "_MP_", sizeof(fp.signature));
	memcpy(base, &fp, sizeof(fp));
	base[offsetof(struct mp_floating_pointer, checksum)] = checksum_fix(base, sizeof(fp));

	*used = total;
	return 0;
}
