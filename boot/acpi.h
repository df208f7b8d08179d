/* Minimal ACPI tables (RSDP, XSDT, FADT, DSDT) whose one job is to let a
 * Linux guest power off: a hardware-reduced FADT names two one-byte I/O
 * ports as its sleep control and status registers, and the DSDT's \_S5
 * object gives the SLP_TYP value Linux writes there to enter S5 (soft off).
 * Pure logic: it only writes bytes into a buffer that is guest memory at a
 * given guest-physical address. */
#ifndef MINIVMM_BOOT_ACPI_H
#define MINIVMM_BOOT_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ACPI 6.4 section 4.8.3.7, Sleep Control Register: bits 2-4 SLP_TYPx,
 * bit 5 SLP_EN (write 1 to enter the sleep state). */
#define ACPI_SLEEP_CONTROL_SLP_TYP_SHIFT 2
#define ACPI_SLEEP_CONTROL_SLP_TYP_MASK 0x1c
#define ACPI_SLEEP_CONTROL_SLP_EN 0x20
/* ACPI 6.4 section 4.8.3.8, Sleep Status Register: bit 7 WAK_STS (write 1
 * to clear; Linux does so just before writing the control register). */
#define ACPI_SLEEP_STATUS_WAK_STS 0x80

/* Build the tables into buf, the host address of guest memory at
 * guest-physical gpa. The RSDP comes first, so gpa must be 16-byte aligned
 * (for ACPI_TABLES_ADDR that also puts it where Linux's legacy scan of
 * 0xe0000..0xfffff finds it). On success *rsdp_gpa is the RSDP's address
 * (for boot_params.acpi_rsdp_addr) and *used the number of bytes written.
 * Returns 0, or -1 with an error for a buffer too small or a misaligned gpa. */
int acpi_build(void *buf, size_t buf_size, uint64_t gpa, uint64_t *rsdp_gpa, size_t *used);

/* Bytes acpi_build writes. */
size_t acpi_tables_size(void);

/* True when a byte the guest wrote to the sleep control register
 * (ACPI_SLEEP_CONTROL_PORT) asks for S5: SLP_EN set and SLP_TYP equal to
 * the ACPI_S5_SLP_TYP the DSDT advertises. Reserved bits are ignored. */
bool acpi_sleep_control_is_s5(uint8_t value);

#endif
