/* ACPI tables, following ACPI 6.4 chapter 5.2 (layouts) and what Linux 6.1
 * does with them: drivers/acpi/acpica/tbxfroot.c finds the RSDP, tbutils.c
 * follows the XSDT, tbfadt.c reads the FADT (PM1a blocks required unless
 * hardware-reduced; 32-bit and X_ fields must agree), hwacpi.c takes a FADT
 * without SMI_CMD as "always in ACPI mode", sleep.c enables S5 when \_S5
 * evaluates, and hwsleep.c (acpi_hw_legacy_sleep) writes SLP_TYP to PM1_CNT,
 * then SLP_TYP | SLP_EN. arch/x86/kernel/acpi/boot.c reads the MADT
 * (acpi_parse_lapic, acpi_parse_ioapic, acpi_parse_int_src_ovr,
 * acpi_parse_lapic_nmi) and maps every ISA IRQ without an override to the
 * GSI of the same number (mp_config_acpi_legacy_irqs). */
#include "boot/acpi.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "boot/aml.h"
#include "boot/mptable.h"
#include "lib/error.h"
#include "lib/platform.h"

/* The tables are written byte for byte into guest memory, where every
 * multi-byte field is little-endian (ACPI 6.4 section 5.2): so is the host. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ACPI tables need a little-endian host");

/* SLP_TYPx is a 3-bit field of PM1_CNT. */
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
	uint8_t access_size; /* 2: word (16-bit) access */
	uint64_t address;
} __attribute__((packed));

#define ACPI_GAS_SYSTEM_IO 1
#define ACPI_GAS_ACCESS_WORD 2

/* ACPI 6.4 section 5.2.9, Table 5.9: Fixed ACPI Description Table,
 * revision 6. Fields minivmm has no hardware for stay 0. */
struct acpi_fadt {
	struct acpi_header header; /* "FACP" */
	uint32_t firmware_ctrl;    /* FACS */
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control; /* hardware-reduced only */
	struct acpi_gas sleep_status;
	uint64_t hypervisor_vendor_id;
} __attribute__((packed));

/* ACPI 6.4 section 5.2.10, Table 5.14: Firmware ACPI Control Structure.
 * Everything but the identification stays 0: no S4BIOS, no 64-bit wake, and
 * nothing uses the Global Lock (no AML here takes it). */
struct acpi_facs {
	char signature[4]; /* "FACS" */
	uint32_t length;   /* 64 */
	uint32_t hardware_signature;
	uint32_t firmware_waking_vector;
	uint32_t global_lock;
	uint32_t flags;
	uint64_t x_firmware_waking_vector;
	uint8_t version;
	uint8_t reserved0[3];
	uint32_t ospm_flags;
	uint8_t reserved1[24];
} __attribute__((packed));

/* ACPI 6.4 section 5.2.12: Multiple APIC Description Table header. */
struct acpi_madt {
	struct acpi_header header; /* "APIC" */
	uint32_t lapic_address;
	uint32_t flags;
} __attribute__((packed));

/* Section 5.2.12.2: Processor Local APIC Structure. */
struct acpi_madt_lapic {
	uint8_t type; /* 0 */
	uint8_t length;
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags; /* bit 0 Enabled */
} __attribute__((packed));

/* Section 5.2.12.3: I/O APIC Structure. */
struct acpi_madt_ioapic {
	uint8_t type; /* 1 */
	uint8_t length;
	uint8_t id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __attribute__((packed));

/* Section 5.2.12.5: Interrupt Source Override Structure. */
struct acpi_madt_override {
	uint8_t type; /* 2 */
	uint8_t length;
	uint8_t bus; /* 0: ISA */
	uint8_t source;
	uint32_t gsi;
	uint16_t flags; /* MPS INTI flags: polarity bits 0-1, trigger bits 2-3 */
} __attribute__((packed));

/* Section 5.2.12.7: Local APIC NMI Structure. */
struct acpi_madt_lapic_nmi {
	uint8_t type; /* 4 */
	uint8_t length;
	uint8_t processor_uid; /* 0xff: all processors */
	uint16_t flags;
	uint8_t lint;
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP is 36 bytes");
_Static_assert(sizeof(struct acpi_header) == 36, "ACPI header is 36 bytes");
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS is 12 bytes");
_Static_assert(offsetof(struct acpi_fadt, pm1a_evt_blk) == 56, "FADT PM1a_EVT_BLK offset");
_Static_assert(offsetof(struct acpi_fadt, pm1_evt_len) == 88, "FADT PM1_EVT_LEN offset");
_Static_assert(offsetof(struct acpi_fadt, p_lvl2_lat) == 96, "FADT P_LVL2_LAT offset");
_Static_assert(offsetof(struct acpi_fadt, iapc_boot_arch) == 109, "FADT IAPC_BOOT_ARCH offset");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT Flags offset");
_Static_assert(offsetof(struct acpi_fadt, x_firmware_ctrl) == 132, "FADT X_FIRMWARE_CTRL offset");
_Static_assert(offsetof(struct acpi_fadt, x_pm1a_evt_blk) == 148, "FADT X_PM1a_EVT_BLK offset");
_Static_assert(offsetof(struct acpi_fadt, sleep_control) == 244, "FADT SLEEP_CONTROL_REG offset");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT revision 6 is 276 bytes");
_Static_assert(sizeof(struct acpi_facs) == 64, "FACS is 64 bytes");
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT header is 44 bytes");
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "MADT local APIC entry is 8 bytes");
_Static_assert(sizeof(struct acpi_madt_ioapic) == 12, "MADT I/O APIC entry is 12 bytes");
_Static_assert(sizeof(struct acpi_madt_override) == 10, "MADT override entry is 10 bytes");
_Static_assert(sizeof(struct acpi_madt_lapic_nmi) == 6, "MADT local APIC NMI entry is 6 bytes");

/* FADT Flags (Table 5.10). HW_REDUCED_ACPI (bit 20) stays clear: Linux
 * would then install no 8259A (arch/x86/kernel/acpi/boot.c,
 * acpi_generic_reduced_hw_init) and fixed ISA IRQs would stop working. */
#define ACPI_FADT_WBINVD (1u << 0)      /* required of every new x86 platform */
#define ACPI_FADT_PROC_C1 (1u << 2)     /* HLT works on every CPU */
#define ACPI_FADT_PWR_BUTTON (1u << 4)  /* set: no fixed-feature power button */
#define ACPI_FADT_SLP_BUTTON (1u << 5)  /* set: no fixed-feature sleep button */
#define ACPI_FADT_FIX_RTC (1u << 6)     /* set: no RTC_STS/RTC_EN (no RTC at all) */
#define ACPI_FADT_FLAGS \
	(ACPI_FADT_WBINVD | ACPI_FADT_PROC_C1 | ACPI_FADT_PWR_BUTTON | ACPI_FADT_SLP_BUTTON | \
	 ACPI_FADT_FIX_RTC)

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

/* Section 4.8.3.1 and 4.8.3.2: the PM1 event block is PM1_STS followed by
 * PM1_EN, 16 bits each; the PM1 control block is the 16-bit PM1_CNT. */
#define ACPI_PM1_EVT_LEN 4
#define ACPI_PM1_CNT_LEN 2
/* Table 5.9: a C2 latency above 100 us or a C3 latency above 1000 us says
 * the state is not supported. */
#define ACPI_NO_C2_LATENCY 101
#define ACPI_NO_C3_LATENCY 1001

#define ACPI_FADT_REVISION 6
#define ACPI_FADT_MINOR_REVISION 4 /* ACPI 6.4 */
#define ACPI_XSDT_REVISION 1
/* DSDT revision 2 or more: AML integers are 64 bits wide (section 5.2.11.1). */
#define ACPI_DSDT_REVISION 2
#define ACPI_MADT_REVISION 5 /* that of ACPI 6.3 and 6.4 */
#define ACPI_FACS_VERSION 2

/* "MINIVMM" as the FADT's 8-byte Hypervisor Vendor Identity (section 5.2.9). */
#define ACPI_HYPERVISOR_ID "MINIVMM"

/* MADT flags and entries (section 5.2.12). */
#define ACPI_MADT_PCAT_COMPAT 1u /* a dual 8259A is present too */
#define ACPI_MADT_TYPE_LAPIC 0
#define ACPI_MADT_TYPE_IOAPIC 1
#define ACPI_MADT_TYPE_OVERRIDE 2
#define ACPI_MADT_TYPE_LAPIC_NMI 4
#define ACPI_MADT_LAPIC_ENABLED 1u
#define ACPI_MADT_ALL_PROCESSORS 0xff
#define ACPI_MADT_ISA_BUS 0
#define ACPI_LAPIC_NMI_LINT 1 /* NMIs arrive on LINT1, as in the MP table */

/* The DSDT's AML (ACPI 6.4 chapter 20), written with boot/aml.c. ASL:
 *
 *     DefinitionBlock ("", "DSDT", 2, "MINVMM", "MINIVMM ", 1)
 *     {
 *         Name (_S5, Package () { ACPI_S5_SLP_TYP, 0 })
 *         Scope (\_SB)
 *         {
 *             Device (VIO0)             // one per virtio-mmio device, n = 0, 1, ...
 *             {
 *                 Name (_HID, "LNRO0005")
 *                 Name (_UID, 0)        // n
 *                 Name (_CRS, ResourceTemplate () {
 *                     Memory32Fixed (ReadWrite, base, size)
 *                     Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive) { irq }
 *                 })
 *             }
 *         }
 *     }
 *
 * \_S5 is a package of SLP_TYPa and SLP_TYPb (section 7.4.2); Linux writes
 * SLP_TYPa to PM1a_CNT and SLP_TYPb to PM1b_CNT, which does not exist here.
 *
 * "LNRO0005" is the ACPI ID Linux's virtio-mmio driver matches
 * (drivers/virtio/virtio_mmio.c, virtio_mmio_acpi_match); Linux's ACPI scan
 * makes a platform device of each such Device, with the resources of its
 * _CRS (drivers/acpi/acpi_platform.c). The interrupt is described with an
 * Extended Interrupt descriptor, whose trigger and polarity Linux takes as
 * they are (drivers/acpi/resource.c applies MADT overrides only to the
 * legacy IRQ descriptor); they come from the same place as the MP table's
 * and the MADT's (mptable_isa_irq_flags): edge-triggered, active high for
 * the virtio IRQs, which is how KVM's irqfd raises a line (a pulse, 1 then
 * 0). */

/* Device names VIO0..VIOF. */
#define DSDT_DEVICE_PREFIX "VIO"
_Static_assert(ACPI_MAX_MMIO_DEVICES <= 16, "device names have one hex digit");

/* MP table INTI flags (MP spec Table 4-10) to Extended Interrupt flags: an
 * ISA line with conforming flags is edge-triggered and active high. */
static uint8_t isa_irq_aml_flags(unsigned int irq)
{
	uint16_t f = mptable_isa_irq_flags(irq);
	uint8_t aml = AML_IRQ_CONSUMER;

	if (((f >> 2) & 3) != 3) /* trigger: conforming (ISA) or edge */
		aml |= AML_IRQ_EDGE;
	if ((f & 3) == 3) /* polarity: active low */
		aml |= AML_IRQ_ACTIVE_LOW;
	return aml;
}

static void dsdt_device(struct aml *a, size_t index, const struct platform_mmio_device *d)
{
	char name[5];
	uint8_t crs[AML_MEMORY32_FIXED_SIZE + AML_EXT_INTERRUPT1_SIZE + AML_END_TAG_SIZE];

	snprintf(name, sizeof(name), DSDT_DEVICE_PREFIX "%X", (unsigned)index);
	aml_memory32_fixed(crs, (uint32_t)d->base, (uint32_t)d->size, true);
	aml_ext_interrupt(crs + AML_MEMORY32_FIXED_SIZE, isa_irq_aml_flags(d->irq),
			  (uint32_t)mptable_isa_irq_pin(d->irq)); /* GSI base 0 */
	aml_end_tag(crs + AML_MEMORY32_FIXED_SIZE + AML_EXT_INTERRUPT1_SIZE);

	aml_device_begin(a, name);
	aml_name_begin(a, "_HID");
	aml_string(a, "LNRO0005");
	aml_name_begin(a, "_UID");
	aml_integer(a, index);
	aml_name_begin(a, "_CRS");
	aml_buffer(a, crs, sizeof(crs));
	aml_end(a);
}

/* The DSDT's AML into out (NULL: only count). Its length, or -1. */
static long dsdt_aml(uint8_t *out, size_t cap, const struct platform_mmio_device *devs,
		     size_t ndevs)
{
	struct aml a;

	aml_init(&a, out, cap);
	aml_name_begin(&a, "_S5_");
	aml_package_begin(&a, 2);
	aml_integer(&a, ACPI_S5_SLP_TYP);
	aml_integer(&a, 0);
	aml_end(&a);
	if (ndevs > 0) {
		aml_scope_begin(&a, "\\_SB_");
		for (size_t i = 0; i < ndevs; i++)
			dsdt_device(&a, i, &devs[i]);
		aml_end(&a);
	}
	return aml_finish(&a);
}

/* A device the DSDT can describe: a window below 4 GiB (Memory32Fixed) on
 * an ISA IRQ with an I/O APIC pin. */
static int check_devices(const struct platform_mmio_device *devs, size_t ndevs)
{
	if (ndevs > ACPI_MAX_MMIO_DEVICES)
		return error_set("acpi: %zu virtio-mmio devices, at most %d", ndevs,
				 ACPI_MAX_MMIO_DEVICES);
	for (size_t i = 0; i < ndevs; i++) {
		const struct platform_mmio_device *d = &devs[i];
		if (d->size == 0 || d->size > UINT32_MAX || d->base > UINT32_MAX - (d->size - 1))
			return error_set("acpi: virtio-mmio device %zu at 0x%llx (%llu bytes) is "
					 "not a window below 4 GiB",
					 i, (unsigned long long)d->base,
					 (unsigned long long)d->size);
		if (mptable_isa_irq_pin(d->irq) < 0)
			return error_set("acpi: virtio-mmio device %zu: IRQ %u is not routed", i,
					 d->irq);
	}
	return 0;
}

/* Where each table goes, as offsets into buf. The RSDP must start on a
 * 16-byte boundary (section 5.2.5.1) and the FACS on a 64-byte one
 * (section 5.2.10); the others are aligned to 16 bytes too. */
#define ALIGN_UP(x, a) (((x) + (a) - 1) / (a) * (a))
#define ALIGN16(x) ALIGN_UP(x, 16)

#define XSDT_ENTRIES 2 /* the FADT and the MADT */
#define RSDP_OFFSET 0
#define XSDT_OFFSET ALIGN16(RSDP_OFFSET + sizeof(struct acpi_rsdp))
#define XSDT_LENGTH (sizeof(struct acpi_header) + XSDT_ENTRIES * sizeof(uint64_t))
#define FADT_OFFSET ALIGN16(XSDT_OFFSET + XSDT_LENGTH)
#define FACS_OFFSET ALIGN_UP(FADT_OFFSET + sizeof(struct acpi_fadt), ACPI_TABLES_ALIGN)
#define MADT_OFFSET ALIGN16(FACS_OFFSET + sizeof(struct acpi_facs))
/* The DSDT's length depends on the devices: it comes last. */
#define DSDT_OFFSET(ncpus) ALIGN16(MADT_OFFSET + madt_length(ncpus))

_Static_assert(ACPI_TABLES_ALIGN % 16 == 0, "the RSDP needs 16-byte alignment");

/* True when ISA IRQ irq needs an Interrupt Source Override: Linux maps ISA
 * IRQ n to GSI n (I/O APIC pin n, GSI base 0), conforming, unless told
 * otherwise, so the MADT says otherwise exactly where the wiring the MP
 * table describes (mptable_isa_irq_pin/_flags) differs. */
static bool isa_irq_needs_override(unsigned int irq)
{
	int pin = mptable_isa_irq_pin(irq);

	return pin >= 0 && ((unsigned int)pin != irq ||
			    mptable_isa_irq_flags(irq) != MPTABLE_IRQ_FLAGS_CONFORMING);
}

static size_t override_count(void)
{
	size_t n = 0;

	for (unsigned int irq = 0; irq < MPTABLE_ISA_IRQS; irq++)
		n += isa_irq_needs_override(irq);
	return n;
}

static size_t madt_length(int ncpus)
{
	return sizeof(struct acpi_madt) + (size_t)ncpus * sizeof(struct acpi_madt_lapic) +
	       sizeof(struct acpi_madt_ioapic) +
	       override_count() * sizeof(struct acpi_madt_override) +
	       sizeof(struct acpi_madt_lapic_nmi);
}

size_t acpi_tables_size(int ncpus, const struct platform_mmio_device *devs, size_t ndevs)
{
	if (ncpus < 1 || ncpus > MPTABLE_MAX_CPUS || check_devices(devs, ndevs) < 0)
		return 0;
	long aml = dsdt_aml(NULL, 0, devs, ndevs);
	if (aml < 0)
		return 0;
	return DSDT_OFFSET(ncpus) + sizeof(struct acpi_header) + (size_t)aml;
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

/* A register block of len bytes in System I/O space, accessed 16 bits at a
 * time (every PM1 register is 16 bits wide). */
static struct acpi_gas io_block(uint16_t port, uint8_t len)
{
	return (struct acpi_gas){
		.space_id = ACPI_GAS_SYSTEM_IO,
		.bit_width = (uint8_t)(len * 8),
		.bit_offset = 0,
		.access_size = ACPI_GAS_ACCESS_WORD,
		.address = port,
	};
}

/* The 32-bit twin of a 64-bit table address, for readers older than ACPI
 * 2.0; 0 (absent) when the address does not fit. Where both are set they
 * must agree (tbfadt.c, acpi_tb_select_address warns otherwise). */
static uint32_t addr32(uint64_t gpa)
{
	return gpa <= UINT32_MAX ? (uint32_t)gpa : 0;
}

static void write_fadt(uint8_t *p, uint64_t facs_gpa, uint64_t dsdt_gpa)
{
	struct acpi_fadt fadt = {
		.header = make_header("FACP", sizeof(struct acpi_fadt), ACPI_FADT_REVISION),
		.firmware_ctrl = addr32(facs_gpa),
		.dsdt = addr32(dsdt_gpa),
		.sci_int = ACPI_SCI_IRQ,
		/* No SMI_CMD port: the platform is always in ACPI mode, so
		 * there is nothing to switch (section 5.2.9; Linux's
		 * hwacpi.c then never writes ACPI_ENABLE anywhere), and
		 * PM1_CNT.SCI_EN reads 1 (devices/acpi_pm.c). */
		.smi_cmd = 0,
		.pm1a_evt_blk = ACPI_PM1A_EVT_PORT,
		.pm1a_cnt_blk = ACPI_PM1A_CNT_PORT,
		.pm1_evt_len = ACPI_PM1_EVT_LEN,
		.pm1_cnt_len = ACPI_PM1_CNT_LEN,
		/* No PM timer (optional since ACPI 5.0A), no GPE blocks:
		 * their addresses and lengths stay 0. */
		.p_lvl2_lat = ACPI_NO_C2_LATENCY,
		.p_lvl3_lat = ACPI_NO_C3_LATENCY,
		.iapc_boot_arch = ACPI_FADT_BOOT_ARCH,
		.flags = ACPI_FADT_FLAGS,
		.minor_version = ACPI_FADT_MINOR_REVISION,
		.x_firmware_ctrl = facs_gpa,
		.x_dsdt = dsdt_gpa,
		.x_pm1a_evt_blk = io_block(ACPI_PM1A_EVT_PORT, ACPI_PM1_EVT_LEN),
		.x_pm1a_cnt_blk = io_block(ACPI_PM1A_CNT_PORT, ACPI_PM1_CNT_LEN),
	};
	memcpy(&fadt.hypervisor_vendor_id, ACPI_HYPERVISOR_ID, sizeof(ACPI_HYPERVISOR_ID));
	memcpy(p, &fadt, sizeof(fadt));
	finish_table(p);
}

static void write_facs(uint8_t *p)
{
	struct acpi_facs facs = {
		.length = sizeof(struct acpi_facs),
		.version = ACPI_FACS_VERSION,
	};
	memcpy(facs.signature, "FACS", sizeof(facs.signature));
	memcpy(p, &facs, sizeof(facs)); /* no checksum: section 5.2.10 has none */
}

/* The room was measured by acpi_tables_size with the same devices. */
static void write_dsdt(uint8_t *p, size_t room, const struct platform_mmio_device *devs,
		       size_t ndevs)
{
	long aml = dsdt_aml(p + sizeof(struct acpi_header), room - sizeof(struct acpi_header),
			    devs, ndevs);
	struct acpi_header h = make_header(
		"DSDT", (uint32_t)(sizeof(struct acpi_header) + (size_t)aml), ACPI_DSDT_REVISION);

	memcpy(p, &h, sizeof(h));
	finish_table(p);
}

/* The MADT's entries, in the order Linux parses them anyway: local APICs,
 * I/O APIC, overrides, local APIC NMI. Returns the end of the table. */
static uint8_t *write_madt_entries(uint8_t *pos, int ncpus)
{
	for (int cpu = 0; cpu < ncpus; cpu++) {
		/* ACPI processor UID = APIC id = index, as in the MP table. */
		struct acpi_madt_lapic lapic = {
			.type = ACPI_MADT_TYPE_LAPIC,
			.length = sizeof(lapic),
			.processor_uid = (uint8_t)cpu,
			.apic_id = (uint8_t)cpu,
			.flags = ACPI_MADT_LAPIC_ENABLED,
		};
		memcpy(pos, &lapic, sizeof(lapic));
		pos += sizeof(lapic);
	}

	struct acpi_madt_ioapic ioapic = {
		.type = ACPI_MADT_TYPE_IOAPIC,
		.length = sizeof(ioapic),
		.id = (uint8_t)mptable_ioapic_id(ncpus),
		.address = (uint32_t)IOAPIC_ADDR,
		.gsi_base = 0,
	};
	memcpy(pos, &ioapic, sizeof(ioapic));
	pos += sizeof(ioapic);

	for (unsigned int irq = 0; irq < MPTABLE_ISA_IRQS; irq++) {
		if (!isa_irq_needs_override(irq))
			continue;
		struct acpi_madt_override ovr = {
			.type = ACPI_MADT_TYPE_OVERRIDE,
			.length = sizeof(ovr),
			.bus = ACPI_MADT_ISA_BUS,
			.source = (uint8_t)irq,
			.gsi = (uint32_t)mptable_isa_irq_pin(irq), /* GSI base 0 */
			.flags = mptable_isa_irq_flags(irq),
		};
		memcpy(pos, &ovr, sizeof(ovr));
		pos += sizeof(ovr);
	}

	struct acpi_madt_lapic_nmi nmi = {
		.type = ACPI_MADT_TYPE_LAPIC_NMI,
		.length = sizeof(nmi),
		.processor_uid = ACPI_MADT_ALL_PROCESSORS,
		.flags = MPTABLE_IRQ_FLAGS_CONFORMING,
		.lint = ACPI_LAPIC_NMI_LINT,
	};
	memcpy(pos, &nmi, sizeof(nmi));
	return pos + sizeof(nmi);
}

static void write_madt(uint8_t *p, int ncpus)
{
	/* The entries first: the header's length is where they end (which
	 * madt_length, used to size the buffer, must agree with). */
	uint8_t *end = write_madt_entries(p + sizeof(struct acpi_madt), ncpus);
	struct acpi_madt madt = {
		.header = make_header("APIC", (uint32_t)(end - p), ACPI_MADT_REVISION),
		.lapic_address = (uint32_t)LAPIC_ADDR,
		.flags = ACPI_MADT_PCAT_COMPAT,
	};

	memcpy(p, &madt, sizeof(madt));
	finish_table(p);
}

static void write_xsdt(uint8_t *p, uint64_t fadt_gpa, uint64_t madt_gpa)
{
	struct acpi_header h = make_header("XSDT", XSDT_LENGTH, ACPI_XSDT_REVISION);
	const uint64_t entries[XSDT_ENTRIES] = {fadt_gpa, madt_gpa};

	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), entries, sizeof(entries));
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

int acpi_build(void *buf, size_t buf_size, uint64_t gpa, int ncpus,
	       const struct platform_mmio_device *devs, size_t ndevs, uint64_t *rsdp_gpa,
	       size_t *used)
{
	if (ncpus < 1 || ncpus > MPTABLE_MAX_CPUS)
		return error_set("acpi: %d CPUs is outside the supported 1..%d", ncpus,
				 MPTABLE_MAX_CPUS);
	if (check_devices(devs, ndevs) < 0)
		return -1;
	size_t total = acpi_tables_size(ncpus, devs, ndevs);
	if (total == 0)
		return error_wrap("acpi: DSDT");
	if (buf_size < total)
		return error_set("acpi: tables for %d CPUs need %zu bytes, only %zu available",
				 ncpus, total, buf_size);
	if (gpa % ACPI_TABLES_ALIGN != 0)
		return error_set("acpi: address 0x%llx is not %d-byte aligned",
				 (unsigned long long)gpa, ACPI_TABLES_ALIGN);
	if (gpa > UINT64_MAX - total)
		return error_set("acpi: address 0x%llx leaves no room for the tables",
				 (unsigned long long)gpa);

	uint8_t *base = buf;

	memset(base, 0, total);
	write_madt(base + MADT_OFFSET, ncpus);
	write_dsdt(base + DSDT_OFFSET(ncpus), total - DSDT_OFFSET(ncpus), devs, ndevs);
	write_facs(base + FACS_OFFSET);
	write_fadt(base + FADT_OFFSET, gpa + FACS_OFFSET, gpa + DSDT_OFFSET(ncpus));
	write_xsdt(base + XSDT_OFFSET, gpa + FADT_OFFSET, gpa + MADT_OFFSET);
	write_rsdp(base + RSDP_OFFSET, gpa + XSDT_OFFSET);

	*rsdp_gpa = gpa + RSDP_OFFSET;
	*used = total;
	return 0;
}
