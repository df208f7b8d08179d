/* Guest-physical memory map used by minivmm (x86-64, no firmware).
 *
 *   0x0000_0000  real-mode IVT / BIOS data area (0x472: warm-reset flag)
 *   0x0000_0500  GDT
 *   0x0000_7000  boot_params ("zero page"), or for a vmlinux booted through
 *                its PVH entry: hvm_start_info, module list, memory map
 *   0x0000_9000  page tables: PML4, PDPT, four PDs identity-mapping 4 GiB
 *   0x0002_0000  kernel command line
 *   0x0009_fc00  MP table (last KiB of base memory, where Linux looks)
 *   0x000e_0000  ACPI tables (BIOS ROM area, reserved in e820)
 *   0x0100_0000  kernel (protected-mode part), or its pref_address; a
 *                vmlinux's segments at their ELF physical addresses
 *   ...          initrd, as high as initrd_addr_max and RAM allow
 *   0xc000_0000  MMIO hole:
 *   0xd000_0000    virtio-mmio slots, 4 KiB each (VIRTIO_MMIO_SLOTS of them)
 *   0xfec0_0000    IOAPIC;  0xfee0_0000  local APIC
 *   0x1_0000_0000 RAM above the hole, when --memory exceeds 3 GiB
 */
#ifndef MINIVMM_LIB_PLATFORM_H
#define MINIVMM_LIB_PLATFORM_H

#include <stdint.h>

#define MiB (1024ULL * 1024)
#define GiB (1024ULL * MiB)

#define MMIO_HOLE_START 0xc0000000ULL
#define MMIO_HOLE_END 0x100000000ULL

#define BIOS_WARM_RESET_FLAG_ADDR 0x472ULL
#define BIOS_WARM_RESET_MAGIC 0x1234

#define BOOT_GDT_ADDR 0x500ULL
#define BOOT_PARAMS_ADDR 0x7000ULL
/* The PVH boot writes no zero page: its start info takes that place, up to
 * the page tables (which it does not use either). */
#define PVH_START_INFO_ADDR BOOT_PARAMS_ADDR
#define PVH_START_INFO_MAX 0x2000ULL
#define BOOT_PML4_ADDR 0x9000ULL
#define BOOT_PDPT_ADDR 0xa000ULL
#define BOOT_PD_ADDR 0xb000ULL /* four pages: 0xb000..0xefff */
#define BOOT_CMDLINE_ADDR 0x20000ULL
#define BOOT_CMDLINE_MAX 4096ULL /* bytes, including the NUL */

#define EBDA_START 0x9fc00ULL
#define MPTABLE_ADDR EBDA_START
#define BIOS_ROM_START 0xe0000ULL
#define ACPI_TABLES_ADDR BIOS_ROM_START
#define HIGH_MEMORY_START 0x100000ULL

#define KERNEL_DEFAULT_LOAD_ADDR 0x1000000ULL

/* virtio-mmio slots in the MMIO hole: slot n is the 4 KiB window at
 * VIRTIO_MMIO_BASE + n * VIRTIO_MMIO_SIZE with ISA IRQ platform_virtio_irq(n).
 * Devices are attached in command-line order to the next free slot. */
#define VIRTIO_MMIO_BASE 0xd0000000ULL
#define VIRTIO_MMIO_SIZE 0x1000ULL
#define VIRTIO_MMIO_SLOTS 8
/* Boot timer: the demo guest writes BOOT_TIMER_FIRST_USERSPACE from its
 * first userspace instruction (/init) and BOOT_TIMER_BOOT_COMPLETE once its
 * userspace is up; minivmm timestamps both (--boot-timer). */
#define BOOT_TIMER_PORT 0x440
#define BOOT_TIMER_FIRST_USERSPACE 1
#define BOOT_TIMER_BOOT_COMPLETE 2

#define IOAPIC_ADDR 0xfec00000ULL
#define LAPIC_ADDR 0xfee00000ULL

/* Smallest guest RAM minivmm accepts: the kernel goes at 16 MiB. */
#define GUEST_MEMORY_MIN_MIB 32ULL

/* Legacy ports and IRQs. */
#define SERIAL_COM1_PORT 0x3f8
#define SERIAL_COM1_IRQ 4
#define I8042_DATA_PORT 0x60
#define I8042_COMMAND_PORT 0x64
/* ACPI fixed hardware (FADT, ACPI 6.4 section 4.8.3): the PM1a event block
 * (PM1_STS, PM1_EN: 16 bits each) and right after it the PM1a control
 * block (PM1_CNT, 16 bits). devices/acpi_pm.c serves all three. */
#define ACPI_PM1A_EVT_PORT 0x600
#define ACPI_PM1A_CNT_PORT 0x604
/* ISA IRQ of the ACPI System Control Interrupt (FADT SCI_INT), level
 * triggered and active high (MADT override, MP table entry). */
#define ACPI_SCI_IRQ 9
/* ACPI SLP_TYP value minivmm's DSDT gives \_S5 (soft off). */
#define ACPI_S5_SLP_TYP 5

/* The IRQ of virtio-mmio slot n: ISA lines no legacy device of minivmm's
 * uses (not 0-1 timer and keyboard, 2 cascade, 3-4 COM ports, 8 RTC, 9 the
 * ACPI SCI, 13 FPU), routed by the MP table and ACPI like any ISA line:
 * edge-triggered, active high, which is how an irqfd raises them. */
static inline uint32_t platform_virtio_irq(unsigned slot)
{
	static const uint8_t irqs[VIRTIO_MMIO_SLOTS] = { 5, 6, 7, 10, 11, 12, 14, 15 };
	return slot < VIRTIO_MMIO_SLOTS ? irqs[slot] : 0;
}

static inline uint64_t platform_virtio_base(unsigned slot)
{
	return VIRTIO_MMIO_BASE + (uint64_t)slot * VIRTIO_MMIO_SIZE;
}

/* A virtio-mmio device as the guest is told of it (ACPI's DSDT, or the
 * kernel command line): its register window and its ISA IRQ. The transport
 * (virtio/mmio_slot.c) lists them; boot/ describes them. */
struct platform_mmio_device {
	uint64_t base;
	uint64_t size;
	uint32_t irq;
};

#endif
