/* ACPI tables for power-off, following ACPI 6.4 chapter 5.2 (layouts) and
 * what Linux does with them: drivers/acpi/acpica/tbxfroot.c finds the RSDP,
 * tbutils.c follows the XSDT, tbfadt.c reads the FADT, sleep.c
 * (acpi_sleep_state_supported) enables S5 when \_S5 evaluates and, on
 * hardware-reduced platforms, both sleep registers are present, and
 * hwesleep.c (acpi_hw_extended_sleep) writes WAK_STS to the status register
 * and then (SLP_TYP << 2) | SLP_EN to the control register.
 *
 * There is no MADT. Beware that Linux 6.1 then drops the MP table as well
 * (arch/x86/kernel/acpi/boot.c, acpi_process_madt: "No APIC-table, disabling
 * MPS"), and that a hardware-reduced FADT also removes the legacy 8259A
 * (acpi_generic_reduced_hw_init): a guest that needs its I/O APIC and more
 * than one CPU must be given a MADT, or boot with acpi=off. */
#include "acpi.h"

#include <string.h>

#include "../vmm/error.h"
#include "layout.h"

/* The tables are written byte for byte into guest memory, where every
 * multi-byte field is little-endian (ACPI 6.4 section 5.2): so is the host. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ACPI tables need a little-endian host");

/* SLP_TYPx is a 3-bit field of the sleep control register. */
_Static_assert(ACPI_S5_SLP_TYP >= 0 && ACPI_S5_SLP_TYP <= 7, "SLP_TYP must fit in 3 bits");

#define ACPI_OEM_ID "MINVMM"        /* 6 bytes */
#define ACPI_OEM_TABLE_ID "MINIVMM " /* 8 bytes */
#define ACPI_OEM_REVISION 1
/* The AML is written by hand here, not by an ASL compiler: name the creator. */
#define ACPI_CREATOR_ID "MVMM"
#define ACPI_CREATOR_REVISION 1

/* ACPI 6.4 section 5.2.5.3: Root System Description Pointer, revision 2. */
struct acpi_rsdp {
	char signature[8]; /* "RSD PTR " */
	uint8_t checksum;  /* first 20 bytes (the ACPI 1.0 part) sum to 0 */
	char oem_id[6];
	uint8_t revision;  /* 2: ACPI 2.0 and later, XSDT present */
	uint32_t rsdt_address; /* 0: no RSDT, only the XSDT */
	uint32_t length;       /* 36 */
	uint64_t xsdt_address;
	uint8_t extended_checksum; /* all 36 bytes sum to 0 */
	uint8_t reserved[3];
} __attribute__((packed));

#define ACPI_RSDP_V1_LENGTH 20

/* ACPI 6.4 section 5.2.6: System Description Table Header. */
struct acpi_header {
	char signature[4];
	uint32_t length; /* whole table, header included */
	uint8_t revision;
	uint8_t checksum; /* whole table sums to 0 */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __attribute__((packed));

/* ACPI 6.4 section 5.2.3.2: Generic Address Structure. */
struct acpi_gas {
	uint8_t space_id; /* 1: System I/O */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size; /* 1: byte access */
	uint64_t address;
} __attribute__((packed));

#define ACPI_GAS_SYSTEM_IO 1
#define ACPI_GAS_ACCESS_BYTE 1

/* ACPI 6.4 section 5.2.9, Table 5.9: Fixed ACPI Description Table,
 * revision 6. The fields for fixed hardware (PM1 blocks, PM timer, GPE
 * blocks, C-state latencies, RTC alarms) stay 0: a hardware-reduced
 * platform has none of them (section 4.1). */
struct acpi_fadt {
	struct acpi_header header; /* "FACP" */
	uint32_t firmware_ctrl;    /* FACS: optional when hardware-reduced */
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t fixed_hardware[57]; /* ACPI_ENABLE (offset 52) .. CENTURY (108) */
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_fixed_hardware[8]; /* X_PM1a_EVT_BLK .. X_GPE1_BLK */
	struct acpi_gas sleep_control;
	struct acpi_gas sleep_status;
	uint64_t hypervisor_vendor_id;
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP is 36 bytes");
_Static_assert(sizeof(struct acpi_header) == 36, "ACPI header is 36 bytes");
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS is 12 bytes");
_Static_assert(offsetof(struct acpi_fadt, iapc_boot_arch) == 109, "FADT IAPC_BOOT_ARCH offset");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT Flags offset");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT X_DSDT offset");
_Static_assert(offsetof(struct acpi_fadt, sleep_control) == 244, "FADT SLEEP_CONTROL_REG offset");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT revision 6 is 276 bytes");

/* FADT Flags (Table 5.10) bit 20: HW_REDUCED_ACPI. Linux then needs no
 * SCI, PM1 registers or FACS, and sleeps through SLEEP_CONTROL_REG. */
#define ACPI_FADT_HW_REDUCED (1u << 20)

/* FADT IA-PC Boot Architecture Flags (Table 5.11). Bit 0 (LEGACY_DEVICES)
 * is clear: no ISA devices are described to the OS here (the 8250 UART is
 * found at its fixed port without ACPI). Bit 1 (8042) is clear: the 8042
 * minivmm emulates only pulses the reset line, which Linux's reboot code
 * uses without asking the FADT, so the i8042 input driver need not probe
 * it. The others are set because minivmm has no such hardware: */
#define ACPI_IAPC_NO_VGA (1u << 2)      /* no VGA: do not probe its ports and memory */
#define ACPI_IAPC_NO_MSI (1u << 3)      /* no PCI, so nothing can use MSI */
#define ACPI_IAPC_NO_ASPM (1u << 4)     /* no PCI Express links */
#define ACPI_IAPC_NO_CMOS_RTC (1u << 5) /* no MC146818 RTC at ports 0x70/0x71 */
#define ACPI_FADT_BOOT_ARCH \
	(ACPI_IAPC_NO_VGA | ACPI_IAPC_NO_MSI | ACPI_IAPC_NO_ASPM | ACPI_IAPC_NO_CMOS_RTC)

#define ACPI_FADT_REVISION 6
#define ACPI_FADT_MINOR_REVISION 4 /* ACPI 6.4 */
#define ACPI_XSDT_REVISION 1
/* DSDT revision 2 or more: AML integers are 64 bits wide (section 5.2.11.1). */
#define ACPI_DSDT_REVISION 2

/* "MINIVMM" as the FADT's 8-byte Hypervisor Vendor Identity (section 5.2.9). */
#define ACPI_HYPERVISOR_ID "MINIVMM"

/* The DSDT's AML (ACPI 6.4 chapter 20), written by hand. ASL:
 *
 *     DefinitionBlock ("", "DSDT", 2, "MINVMM", "MINIVMM ", 1)
 *     {
 *         Name (_S5, Package () { ACPI_S5_SLP_TYP, 0 })
 *     }
 *
 * \_S5 is a package of SLP_TYPa and SLP_TYPb (section 7.4.2); with the
 * hardware-reduced sleep registers Linux uses only SLP_TYPa. */
static const uint8_t dsdt_aml[] = {
	0x08,                   /* NameOp */
	'_', 'S', '5', '_',     /* NameSeg "_S5_" (root scope) */
	0x12,                   /* PackageOp */
	0x05,                   /* PkgLength: these 5 bytes, PkgLength included */
	0x02,                   /* NumElements */
	0x0a, ACPI_S5_SLP_TYP,  /* BytePrefix, SLP_TYPa */
	0x00,                   /* ZeroOp: SLP_TYPb */
};

/* Where each table goes, as offsets into buf. The RSDP must start on a
 * 16-byte boundary (section 5.2.5.1); the others are aligned the same way. */
#define ACPI_TABLE_ALIGN 16
#define ALIGN_UP(x) (((x) + ACPI_TABLE_ALIGN - 1) / ACPI_TABLE_ALIGN * ACPI_TABLE_ALIGN)

#define XSDT_ENTRIES 1 /* the FADT */
#define RSDP_OFFSET 0
#define XSDT_OFFSET ALIGN_UP(RSDP_OFFSET + sizeof(struct acpi_rsdp))
#define XSDT_LENGTH (sizeof(struct acpi_header) + XSDT_ENTRIES * sizeof(uint64_t))
#define FADT_OFFSET ALIGN_UP(XSDT_OFFSET + XSDT_LENGTH)
#define DSDT_OFFSET ALIGN_UP(FADT_OFFSET + sizeof(struct acpi_fadt))
#define DSDT_LENGTH (sizeof(struct acpi_header) + sizeof(dsdt_aml))
#define TABLES_SIZE (DSDT_OFFSET + DSDT_LENGTH)

size_t acpi_tables_size(void)
{
	return TABLES_SIZE;
}

bool acpi_sleep_control_is_s5(uint8_t value)
{
	unsigned int slp_typ =
		(value & ACPI_SLEEP_CONTROL_SLP_TYP_MASK) >> ACPI_SLEEP_CONTROL_SLP_TYP_SHIFT;

	return (value & ACPI_SLEEP_CONTROL_SLP_EN) && slp_typ == ACPI_S5_SLP_TYP;
}

static uint8_t checksum_fix(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return (uint8_t)-sum;
}

static struct acpi_header make_header(const char *signature, uint32_t length, uint8_t revision)
{
	struct acpi_header h = {
		.length = length,
		.revision = revision,
		.oem_revision = ACPI_OEM_REVISION,
		.creator_revision = ACPI_CREATOR_REVISION,
	};
	memcpy(h.signature, signature, sizeof(h.signature));
	memcpy(h.oem_id, ACPI_OEM_ID, sizeof(h.oem_id));
	memcpy(h.oem_table_id, ACPI_OEM_TABLE_ID, sizeof(h.oem_table_id));
	memcpy(h.creator_id, ACPI_CREATOR_ID, sizeof(h.creator_id));
	return h;
}

/* Fill in the checksum of the table at p, whose header says how long it is. */
static void finish_table(uint8_t *p)
{
	struct acpi_header h;

	memcpy(&h, p, sizeof(h));
	p[offsetof(struct acpi_header, checksum)] = checksum_fix(p, h.length);
}

/* A one-byte register in System I/O space, accessed a byte at a time. */
static struct acpi_gas io_byte_register(uint16_t port)
{
	return (struct acpi_gas){
		.space_id = ACPI_GAS_SYSTEM_IO,
		.bit_width = 8,
		.bit_offset = 0,
		.access_size = ACPI_GAS_ACCESS_BYTE,
		.address = port,
	};
}

static void write_fadt(uint8_t *p, uint64_t dsdt_gpa)
{
	struct acpi_fadt fadt = {
		.header = make_header("FACP", sizeof(struct acpi_fadt), ACPI_FADT_REVISION),
		/* The 32-bit field too, for readers older than ACPI 2.0; the
		 * two must agree when both are set. */
		.dsdt = dsdt_gpa <= UINT32_MAX ? (uint32_t)dsdt_gpa : 0,
		.iapc_boot_arch = ACPI_FADT_BOOT_ARCH,
		.flags = ACPI_FADT_HW_REDUCED,
		.minor_version = ACPI_FADT_MINOR_REVISION,
		.x_dsdt = dsdt_gpa,
		.sleep_control = io_byte_register(ACPI_SLEEP_CONTROL_PORT),
		.sleep_status = io_byte_register(ACPI_SLEEP_STATUS_PORT),
	};
	memcpy(&fadt.hypervisor_vendor_id, ACPI_HYPERVISOR_ID, sizeof(ACPI_HYPERVISOR_ID));
	memcpy(p, &fadt, sizeof(fadt));
	finish_table(p);
}

static void write_dsdt(uint8_t *p)
{
	struct acpi_header h = make_header("DSDT", DSDT_LENGTH, ACPI_DSDT_REVISION);

	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), dsdt_aml, sizeof(dsdt_aml));
	finish_table(p);
}

static void write_xsdt(uint8_t *p, uint64_t fadt_gpa)
{
	struct acpi_header h = make_header("XSDT", XSDT_LENGTH, ACPI_XSDT_REVISION);

	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), &fadt_gpa, sizeof(fadt_gpa));
	finish_table(p);
}

static void write_rsdp(uint8_t *p, uint64_t xsdt_gpa)
{
	struct acpi_rsdp rsdp = {
		.revision = 2,
		.length = sizeof(struct acpi_rsdp),
		.xsdt_address = xsdt_gpa,
	};
	memcpy(rsdp.signature, "RSD PTR ", sizeof(rsdp.signature));
	memcpy(rsdp.oem_id, ACPI_OEM_ID, sizeof(rsdp.oem_id));
	memcpy(p, &rsdp, sizeof(rsdp));
	p[offsetof(struct acpi_rsdp, checksum)] = checksum_fix(p, ACPI_RSDP_V1_LENGTH);
	p[offsetof(struct acpi_rsdp, extended_checksum)] = checksum_fix(p, sizeof(rsdp));
}

int acpi_build(void *buf, size_t buf_size, uint64_t gpa, uint64_t *rsdp_gpa, size_t *used)
{
	if (buf_size < TABLES_SIZE)
		return error_set("acpi: tables need %zu bytes, only %zu available",
				 (size_t)TABLES_SIZE, buf_size);
	if (gpa % ACPI_TABLE_ALIGN != 0)
		return error_set("acpi: address 0x%llx is not 16-byte aligned",
				 (unsigned long long)gpa);
	if (gpa > UINT64_MAX - TABLES_SIZE)
		return error_set("acpi: address 0x%llx leaves no room for the tables",
				 (unsigned long long)gpa);

	uint8_t *base = buf;

	memset(base, 0, TABLES_SIZE);
	write_dsdt(base + DSDT_OFFSET);
	write_fadt(base + FADT_OFFSET, gpa + DSDT_OFFSET);
	write_xsdt(base + XSDT_OFFSET, gpa + FADT_OFFSET);
	write_rsdp(base + RSDP_OFFSET, gpa + XSDT_OFFSET);

	*rsdp_gpa = gpa + RSDP_OFFSET;
	*used = TABLES_SIZE;
	return 0;
}
