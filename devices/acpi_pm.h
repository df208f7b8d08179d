/* ACPI hardware-reduced sleep registers (ACPI 6.4 section 4.8.3.7 "Sleep
 * Control and Status Registers"): the FADT's SLEEP_CONTROL_REG and
 * SLEEP_STATUS_REG, one byte each at ACPI_SLEEP_CONTROL_PORT and
 * ACPI_SLEEP_STATUS_PORT. A guest powers off by writing SLP_TYP of \_S5
 * with SLP_EN to the control register (drivers/acpi/acpica/hwesleep.c).
 *
 * Register the handler at ACPI_SLEEP_CONTROL_PORT with length
 * ACPI_PM_RANGE_LEN: offset 0 is control, offset 1 status. */
#ifndef MINIVMM_DEVICES_ACPI_PM_H
#define MINIVMM_DEVICES_ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>

#define ACPI_PM_RANGE_LEN 2

/* Register bits (ACPI 6.4 section 4.8.3.7; Linux include/acpi/actbl.h ACPI_X_*). */
#define ACPI_PM_SLP_EN 0x20
#define ACPI_PM_SLP_TYP_SHIFT 2
#define ACPI_PM_SLP_TYP_MASK 0x07
#define ACPI_PM_WAK_STS 0x80

struct acpi_pm_ops {
	/* The guest entered S5 (soft off). */
	void (*poweroff)(void *ctx);
	void *ctx;
};

struct acpi_pm {
	struct acpi_pm_ops ops;
};

/* `ops` is copied; its callback may be NULL. */
void acpi_pm_init(struct acpi_pm *pm, const struct acpi_pm_ops *ops);

/* io_bus handler; `opaque` is the struct acpi_pm. Stateless, so safe from
 * any number of vCPU threads. */
void acpi_pm_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
