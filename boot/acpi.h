/* Minimal ACPI tables: RSDP, XSDT, FADT (with FACS and DSDT) and MADT.
 * They exist so that a Linux guest with ACPI can power off, and boots as
 * well as it does from the MP table alone:
 *   - the FADT describes classic (not hardware-reduced) fixed hardware: the
 *     PM1a event and control blocks at ACPI_PM1A_EVT_PORT and
 *     ACPI_PM1A_CNT_PORT (devices/acpi_pm.c), and the SCI on ISA IRQ
 *     ACPI_SCI_IRQ. Classic, because a hardware-reduced FADT makes Linux
 *     drop the legacy 8259A (acpi_generic_reduced_hw_init);
 *   - the DSDT's \_S5 gives the SLP_TYP Linux writes to PM1_CNT to power off,
 *     and its \_SB.VIOn devices (_HID "LNRO0005") describe the virtio-mmio
 *     devices, for kernels that find them only through ACPI (docs/acpi.md);
 *   - the MADT lists the CPUs, the I/O APIC and the ISA IRQ wiring: once
 *     ACPI is on, Linux takes those from the MADT and forgets the MP table
 *     (arch/x86/kernel/acpi/boot.c, acpi_process_madt).
 * Pure logic: it only writes bytes into a buffer that is guest memory at a
 * given guest-physical address. */
#ifndef MINIVMM_BOOT_ACPI_H
#define MINIVMM_BOOT_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "lib/platform.h"

/* The tables start with the RSDP (16-byte aligned, ACPI 6.4 section
 * 5.2.5.1) and hold the FACS at a 64-byte multiple from the start (section
 * 5.2.10), so the tables' address must be 64-byte aligned. */
#define ACPI_TABLES_ALIGN 64

/* At most this many virtio-mmio devices go in the DSDT. */
#define ACPI_MAX_MMIO_DEVICES VIRTIO_MMIO_SLOTS

/* Build the tables for ncpus vCPUs (1..MPTABLE_MAX_CPUS, the same as the MP
 * table) and the ndevs virtio-mmio devices devs[] (0..ACPI_MAX_MMIO_DEVICES,
 * each below 4 GiB on an ISA IRQ the MP table routes) into buf, the host address of guest memory at guest-physical gpa.
 * The RSDP comes first, so for ACPI_TABLES_ADDR it lies where Linux's
 * legacy scan of 0xe0000..0xfffff finds it. On success *rsdp_gpa is the
 * RSDP's address (for boot_params.acpi_rsdp_addr) and *used the number of
 * bytes written. Returns 0, or -1 with an error for a CPU count out of
 * range, a device that cannot be described, a buffer too small or a gpa not
 * ACPI_TABLES_ALIGN-aligned; the outputs and the buffer are then left alone. */
int acpi_build(void *buf, size_t buf_size, uint64_t gpa, int ncpus,
	       const struct platform_mmio_device *devs, size_t ndevs, uint64_t *rsdp_gpa,
	       size_t *used);

/* Bytes acpi_build writes for ncpus vCPUs and these devices (0 if either is
 * out of range). */
size_t acpi_tables_size(int ncpus, const struct platform_mmio_device *devs, size_t ndevs);

#endif
