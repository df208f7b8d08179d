/* ACPI fixed-hardware PM1a registers, the FADT's PM1a_EVT_BLK and
 * PM1a_CNT_BLK (ACPI 6.4 sections 4.8.3.1 and 4.8.3.2), one 16-bit register
 * each, at consecutive ports:
 *   +0 PM1_STS  status: write 1 to clear
 *   +2 PM1_EN   enable: read/write
 *   +4 PM1_CNT  control: SCI_EN always reads 1, SLP_TYP read/write,
 *               SLP_EN write-only
 * A guest powers off by writing \_S5's SLP_TYP to PM1_CNT, then SLP_TYP
 * with SLP_EN (drivers/acpi/acpica/hwsleep.c, acpi_hw_legacy_sleep).
 *
 * Register the handler at ACPI_PM1A_EVT_PORT with length ACPI_PM_RANGE_LEN
 * (ACPI_PM1A_CNT_PORT is offset 4). Accesses of any width and alignment
 * work, byte by byte; bytes outside the range read 0xff. */
#ifndef MINIVMM_DEVICES_ACPI_PM_H
#define MINIVMM_DEVICES_ACPI_PM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define ACPI_PM_RANGE_LEN 6

/* Offsets from ACPI_PM1A_EVT_PORT. */
#define ACPI_PM1_STS_OFFSET 0
#define ACPI_PM1_EN_OFFSET 2
#define ACPI_PM1_CNT_OFFSET 4

/* PM1_STS bit 15 (section 4.8.3.1.1): the system woke from a sleep state. */
#define ACPI_PM1_STS_WAK_STS 0x8000
/* PM1_CNT bits (section 4.8.3.2.1). */
#define ACPI_PM1_CNT_SCI_EN 0x0001
#define ACPI_PM1_CNT_SLP_TYP_SHIFT 10
#define ACPI_PM1_CNT_SLP_TYP_MASK 0x1c00
#define ACPI_PM1_CNT_SLP_EN 0x2000

struct acpi_pm_ops {
	/* The guest entered S5 (soft off). */
	void (*poweroff)(void *ctx);
	void *ctx;
};

struct acpi_pm {
	struct acpi_pm_ops ops;
	/* Atomic, so any number of vCPU threads may access them at once. */
	_Atomic uint16_t sts;     /* PM1_STS */
	_Atomic uint16_t en;      /* PM1_EN */
	_Atomic uint16_t slp_typ; /* PM1_CNT's SLP_TYP bits, in place */
};

/* `ops` is copied; it and its callback may be NULL. All registers start
 * at 0 (PM1_CNT reads SCI_EN). */
void acpi_pm_init(struct acpi_pm *pm, const struct acpi_pm_ops *ops);

/* io_bus handler; `opaque` is the struct acpi_pm. */
void acpi_pm_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
