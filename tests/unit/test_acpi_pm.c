#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "../../boot/layout.h"
#include "../../devices/acpi_pm.h"

#define CONTROL (ACPI_SLEEP_CONTROL_PORT - ACPI_SLEEP_CONTROL_PORT)
#define STATUS (ACPI_SLEEP_STATUS_PORT - ACPI_SLEEP_CONTROL_PORT)

static struct acpi_pm pm;
static int poweroffs;

static void count_poweroff(void *ctx)
{
	cr_assert_eq(ctx, &poweroffs, "poweroff callback got the wrong context");
	poweroffs++;
}

static void setup(void)
{
	poweroffs = 0;
	acpi_pm_init(&pm, &(struct acpi_pm_ops){ .poweroff = count_poweroff, .ctx = &poweroffs });
}

static void out(uint64_t offset, uint8_t value)
{
	acpi_pm_io(&pm, offset, &value, 1, true);
}

static uint8_t in(uint64_t offset)
{
	uint8_t value = 0x5a;
	acpi_pm_io(&pm, offset, &value, 1, false);
	return value;
}

/* SLEEP_CONTROL_REG value for sleep type `typ`, as hwesleep.c builds it. */
static uint8_t control(unsigned int typ, bool enable)
{
	return (uint8_t)(((typ & ACPI_PM_SLP_TYP_MASK) << ACPI_PM_SLP_TYP_SHIFT) |
			 (enable ? ACPI_PM_SLP_EN : 0));
}

TestSuite(acpi_pm, .init = setup);

Test(acpi_pm, registers_fit_the_range)
{
	cr_assert_eq(STATUS, 1);
	cr_assert_lt(STATUS, ACPI_PM_RANGE_LEN);
}

Test(acpi_pm, linux_s5_sequence_powers_off)
{
	/* acpi_hw_extended_sleep: clear WAK_STS, then SLP_TYP|SLP_EN. */
	out(STATUS, ACPI_PM_WAK_STS);
	cr_assert_eq(poweroffs, 0, "clearing WAK_STS is not a power-off");
	out(CONTROL, control(ACPI_S5_SLP_TYP, true));
	cr_assert_eq(poweroffs, 1);
	cr_assert_eq(control(ACPI_S5_SLP_TYP, true), 0x34, "test helper disagrees with ACPI");
}

Test(acpi_pm, s5_without_slp_en_is_ignored)
{
	out(CONTROL, control(ACPI_S5_SLP_TYP, false));
	cr_assert_eq(poweroffs, 0);
}

Test(acpi_pm, other_sleep_types_are_ignored)
{
	for (unsigned int typ = 0; typ <= ACPI_PM_SLP_TYP_MASK; typ++) {
		if (typ == ACPI_S5_SLP_TYP)
			continue;
		out(CONTROL, control(typ, true));
		cr_assert_eq(poweroffs, 0, "SLP_TYP %u powered off", typ);
	}
}

Test(acpi_pm, reserved_bits_do_not_hide_s5)
{
	out(CONTROL, control(ACPI_S5_SLP_TYP, true) | 0xc3);
	cr_assert_eq(poweroffs, 1);
}

Test(acpi_pm, s5_written_to_status_is_not_a_power_off)
{
	out(STATUS, control(ACPI_S5_SLP_TYP, true));
	cr_assert_eq(poweroffs, 0);
}

Test(acpi_pm, registers_read_zero_and_outside_reads_ff)
{
	out(CONTROL, control(3, true));
	cr_assert_eq(in(CONTROL), 0, "SLP_TYP/SLP_EN are write-only");
	out(STATUS, 0xff);
	cr_assert_eq(in(STATUS), 0, "WAK_STS must never appear set");
	cr_assert_eq(in(2), 0xff);
	cr_assert_eq(in(UINT64_MAX), 0xff);
}

Test(acpi_pm, wide_accesses_are_byte_wise_and_bounded)
{
	uint8_t buf[8];

	/* 16-bit write: control byte first, then status. */
	buf[0] = control(ACPI_S5_SLP_TYP, true);
	buf[1] = ACPI_PM_WAK_STS;
	acpi_pm_io(&pm, CONTROL, buf, 2, true);
	cr_assert_eq(poweroffs, 1);

	/* Starting at status, the S5 byte lands on status: ignored. */
	buf[0] = 0;
	buf[1] = control(ACPI_S5_SLP_TYP, true);
	acpi_pm_io(&pm, STATUS, buf, 2, true);
	cr_assert_eq(poweroffs, 1);

	memset(buf, control(ACPI_S5_SLP_TYP, true), sizeof(buf));
	acpi_pm_io(&pm, UINT64_MAX - 1, buf, 8, true);
	cr_assert_eq(poweroffs, 1, "a wrapped offset reached the control register");

	memset(buf, 0x5a, sizeof(buf));
	acpi_pm_io(&pm, CONTROL, buf, 4, false);
	cr_assert_eq(buf[0], 0);
	cr_assert_eq(buf[1], 0);
	cr_assert_eq(buf[2], 0xff);
	cr_assert_eq(buf[3], 0xff);
}

Test(acpi_pm, missing_callback_is_tolerated)
{
	acpi_pm_init(&pm, NULL);
	out(CONTROL, control(ACPI_S5_SLP_TYP, true));
	cr_assert_eq(poweroffs, 0);
}
