/* ACPI PM1a status, enable and control registers: only S5 does anything.
 * Nothing here ever raises an event, so the SCI stays quiet and PM1_EN
 * enables nothing; it is kept so the guest reads back what it wrote. */
#include "devices/acpi_pm.h"

#include <string.h>

#include "lib/log.h"
#include "lib/platform.h"

_Static_assert(ACPI_PM1A_CNT_PORT - ACPI_PM1A_EVT_PORT == ACPI_PM1_CNT_OFFSET,
	       "PM1a_CNT_BLK must follow the 4-byte PM1a_EVT_BLK");
_Static_assert(ACPI_PM1_CNT_OFFSET + 2 == ACPI_PM_RANGE_LEN, "PM1_CNT ends the range");
/* SLP_TYP and SLP_EN share PM1_CNT's upper byte, so every write that sets
 * SLP_EN carries the sleep type with it, whatever the access width. */
_Static_assert((ACPI_PM1_CNT_SLP_TYP_MASK & 0xff00) == ACPI_PM1_CNT_SLP_TYP_MASK &&
		       (ACPI_PM1_CNT_SLP_EN & 0xff00) == ACPI_PM1_CNT_SLP_EN,
	       "SLP_TYP and SLP_EN live in PM1_CNT's upper byte");

/* The registers in offset order, 2 bytes each. */
enum pm1_register { PM1_STS, PM1_EN, PM1_CNT };

_Static_assert(ACPI_PM1_STS_OFFSET == 2 * PM1_STS && ACPI_PM1_EN_OFFSET == 2 * PM1_EN &&
		       ACPI_PM1_CNT_OFFSET == 2 * PM1_CNT,
	       "register offsets");

/* Set the bits of *reg under mask to bits, leaving the others. */
static void replace_bits(_Atomic uint16_t *reg, uint16_t mask, uint16_t bits)
{
	uint16_t old = atomic_load(reg);

	while (!atomic_compare_exchange_weak(reg, &old, (uint16_t)((old & ~mask) | (bits & mask))))
		;
}

/* SLP_EN was written as 1 with sleep type slp_typ (section 4.8.3.2.1). */
static void enter_sleep_state(struct acpi_pm *pm, unsigned int slp_typ)
{
	if (slp_typ == ACPI_S5_SLP_TYP) {
		log_debug("acpi_pm: guest entered S5");
		if (pm->ops.poweroff)
			pm->ops.poweroff(pm->ops.ctx);
		return;
	}
	/* The DSDT offers only \_S5, and minivmm cannot sleep and wake.
	 * The guest stays awake, and WAK_STS tells it at once, as a wake
	 * event would (section 4.8.3.1.1): acpi_hw_legacy_sleep polls
	 * WAK_STS after the write and would otherwise spin forever. */
	log_debug("acpi_pm: sleep type %u ignored (only S5 = %u is supported)", slp_typ,
		  ACPI_S5_SLP_TYP);
	atomic_fetch_or(&pm->sts, ACPI_PM1_STS_WAK_STS);
}

static uint16_t read_register(struct acpi_pm *pm, enum pm1_register reg)
{
	switch (reg) {
	case PM1_STS:
		return atomic_load(&pm->sts);
	case PM1_EN:
		return atomic_load(&pm->en);
	case PM1_CNT:
		/* No SMI_CMD in the FADT (section 5.2.9): the platform is
		 * always in ACPI mode, which SCI_EN = 1 says (section
		 * 4.8.3.2.1). SLP_EN is write-only and
		 * reads 0; so do BM_RLD and GBL_RLS, which mean nothing here. */
		return (uint16_t)(ACPI_PM1_CNT_SCI_EN | atomic_load(&pm->slp_typ));
	}
	return 0xffff;
}

/* Write the bytes of value under mask (0x00ff, 0xff00 or 0xffff). */
static void write_register(struct acpi_pm *pm, enum pm1_register reg, uint16_t value,
			   uint16_t mask)
{
	value &= mask;
	switch (reg) {
	case PM1_STS:
		/* Write 1 to clear; writing 0 leaves a bit as it is. */
		atomic_fetch_and(&pm->sts, (uint16_t)~value);
		break;
	case PM1_EN:
		replace_bits(&pm->en, mask, value);
		break;
	case PM1_CNT:
		replace_bits(&pm->slp_typ, mask & ACPI_PM1_CNT_SLP_TYP_MASK, value);
		if (value & ACPI_PM1_CNT_SLP_EN)
			enter_sleep_state(pm, (value & ACPI_PM1_CNT_SLP_TYP_MASK) >>
						      ACPI_PM1_CNT_SLP_TYP_SHIFT);
		break;
	}
}

void acpi_pm_init(struct acpi_pm *pm, const struct acpi_pm_ops *ops)
{
	memset(pm, 0, sizeof(*pm));
	if (ops)
		pm->ops = *ops;
	atomic_init(&pm->sts, 0);
	atomic_init(&pm->en, 0);
	atomic_init(&pm->slp_typ, 0);
}

/* Byte i of an access at offset lies inside the registers (no wrap-around). */
static bool inside(uint64_t offset, uint32_t i)
{
	return offset < ACPI_PM_RANGE_LEN && i < ACPI_PM_RANGE_LEN - offset;
}

void acpi_pm_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct acpi_pm *pm = opaque;
	uint32_t i = 0;

	while (i < len) {
		if (!inside(offset, i)) {
			if (!is_write)
				data[i] = 0xff;
			i++;
			continue;
		}
		/* The bytes of this access that fall in one register are
		 * handled together, so a 16-bit access is one update. */
		enum pm1_register reg = (enum pm1_register)((offset + i) / 2);
		uint32_t first = i;
		uint16_t value = 0, mask = 0;

		for (; i < len && inside(offset, i) && (offset + i) / 2 == reg; i++) {
			unsigned int shift = 8 * ((offset + i) % 2);

			mask |= (uint16_t)(0xff << shift);
			if (is_write)
				value |= (uint16_t)(data[i] << shift);
		}
		if (is_write) {
			write_register(pm, reg, value, mask);
			continue;
		}
		uint16_t current = read_register(pm, reg);
		for (uint32_t j = first; j < i; j++)
			data[j] = (uint8_t)(current >> (8 * ((offset + j) % 2)));
	}
}
