/* ACPI sleep control/status registers: only S5 does anything. */
#include "acpi_pm.h"

#include <string.h>

#include "../boot/layout.h"
#include "../vmm/log.h"

#define CONTROL_OFFSET (ACPI_SLEEP_CONTROL_PORT - ACPI_SLEEP_CONTROL_PORT)
#define STATUS_OFFSET (ACPI_SLEEP_STATUS_PORT - ACPI_SLEEP_CONTROL_PORT)

_Static_assert(STATUS_OFFSET < ACPI_PM_RANGE_LEN, "status register outside the range");

static void write_control(struct acpi_pm *pm, uint8_t value)
{
	unsigned int slp_typ = (value >> ACPI_PM_SLP_TYP_SHIFT) & ACPI_PM_SLP_TYP_MASK;

	if (!(value & ACPI_PM_SLP_EN)) {
		log_debug("acpi_pm: control write %#04x without SLP_EN ignored", value);
		return;
	}
	if (slp_typ != ACPI_S5_SLP_TYP) {
		/* S1-S4 would need wake-up support; the guest only learns
		 * of \_S5 from our DSDT, so anything else is ignored. */
		log_debug("acpi_pm: sleep type %u ignored (only S5 = %u is supported)",
			  slp_typ, ACPI_S5_SLP_TYP);
		return;
	}
	log_debug("acpi_pm: guest entered S5");
	if (pm->ops.poweroff)
		pm->ops.poweroff(pm->ops.ctx);
}

void acpi_pm_init(struct acpi_pm *pm, const struct acpi_pm_ops *ops)
{
	memset(pm, 0, sizeof(*pm));
	if (ops)
		pm->ops = *ops;
}

void acpi_pm_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct acpi_pm *pm = opaque;

	for (uint32_t i = 0; i < len; i++) {
		bool inside = offset < ACPI_PM_RANGE_LEN && i < ACPI_PM_RANGE_LEN - offset;

		if (!is_write) {
			/* SLP_EN and SLP_TYP are write-only and read 0; the
			 * status register never has WAK_STS set, since a
			 * guest that sleeps does not come back. */
			data[i] = inside ? 0x00 : 0xff;
			continue;
		}
		/* Writes to status (Linux clears WAK_STS with 0x80 before
		 * sleeping) have nothing to clear. */
		if (inside && offset + i == CONTROL_OFFSET)
			write_control(pm, data[i]);
	}
}
