/* PM1a register tests, driven the way Linux's ACPICA drives them
 * (drivers/acpi/acpica/hwsleep.c, acpi_hw_legacy_sleep; hwregs.c uses
 * 16-bit port accesses for these 16-bit registers). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "devices/acpi_pm.h"
#include "lib/platform.h"

#define STS ACPI_PM1_STS_OFFSET
#define EN ACPI_PM1_EN_OFFSET
#define CNT (ACPI_PM1A_CNT_PORT - ACPI_PM1A_EVT_PORT)

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

static void outw(uint64_t offset, uint16_t value)
{
	uint8_t b[2] = {(uint8_t)value, (uint8_t)(value >> 8)};

	acpi_pm_io(&pm, offset, b, 2, true);
}

static uint16_t inw(uint64_t offset)
{
	uint8_t b[2] = {0x5a, 0x5a};

	acpi_pm_io(&pm, offset, b, 2, false);
	return (uint16_t)(b[0] | b[1] << 8);
}

static void outb(uint64_t offset, uint8_t value)
{
	acpi_pm_io(&pm, offset, &value, 1, true);
}

static uint8_t inb(uint64_t offset)
{
	uint8_t value = 0x5a;

	acpi_pm_io(&pm, offset, &value, 1, false);
	return value;
}

/* PM1_CNT with sleep type `typ` (bits 10-12) and SLP_EN (bit 13). */
static uint16_t sleep_value(unsigned int typ, bool enable)
{
	return (uint16_t)((typ << 10) | (enable ? 0x2000 : 0));
}

TestSuite(acpi_pm, .init = setup);

Test(acpi_pm, register_layout_matches_the_fadt)
{
	cr_assert_eq(ACPI_PM_RANGE_LEN, 6);
	cr_assert_eq(CNT, 4, "PM1a_CNT_BLK must follow the 4-byte event block");
	cr_assert_eq(ACPI_PM1_CNT_OFFSET, CNT);
	cr_assert_eq(EN, 2);
	cr_assert_eq(sleep_value(ACPI_S5_SLP_TYP, true),
		     ACPI_PM1_CNT_SLP_EN | (ACPI_S5_SLP_TYP << ACPI_PM1_CNT_SLP_TYP_SHIFT),
		     "test helper disagrees with the header");
}

Test(acpi_pm, linux_s5_sequence_powers_off)
{
	/* acpi_hw_legacy_sleep: clear WAK_STS and all fixed status bits,
	 * read PM1_CNT, clear SLP_TYP/SLP_EN, write SLP_TYP, then add SLP_EN. */
	outw(STS, ACPI_PM1_STS_WAK_STS);
	outw(STS, 0x8731);
	uint16_t cnt = inw(CNT);
	cnt &= (uint16_t)~(ACPI_PM1_CNT_SLP_TYP_MASK | ACPI_PM1_CNT_SLP_EN);
	cnt |= sleep_value(ACPI_S5_SLP_TYP, false);
	outw(CNT, cnt);
	cr_assert_eq(poweroffs, 0, "SLP_TYP without SLP_EN powered off");
	outw(CNT, cnt | ACPI_PM1_CNT_SLP_EN);
	cr_assert_eq(poweroffs, 1);
}

Test(acpi_pm, s5_without_slp_en_is_ignored)
{
	outw(CNT, sleep_value(ACPI_S5_SLP_TYP, false));
	cr_assert_eq(poweroffs, 0);
	cr_assert_eq(inw(CNT) & ACPI_PM1_CNT_SLP_TYP_MASK, sleep_value(ACPI_S5_SLP_TYP, false),
		     "SLP_TYP should read back what was written");
}

Test(acpi_pm, other_sleep_types_do_not_power_off)
{
	for (unsigned int typ = 0; typ < 8; typ++) {
		if (typ == ACPI_S5_SLP_TYP)
			continue;
		outw(CNT, sleep_value(typ, true));
		cr_assert_eq(poweroffs, 0, "SLP_TYP %u powered off", typ);
		/* The guest is told it woke at once, so it does not wait
		 * for a wake-up that never comes. */
		cr_assert_eq(inw(STS) & ACPI_PM1_STS_WAK_STS, ACPI_PM1_STS_WAK_STS,
			     "SLP_TYP %u: WAK_STS not set", typ);
		outw(STS, ACPI_PM1_STS_WAK_STS);
	}
}

Test(acpi_pm, other_bits_do_not_hide_s5)
{
	/* SCI_EN, BM_RLD, GBL_RLS and reserved bits written along. */
	outw(CNT, sleep_value(ACPI_S5_SLP_TYP, true) | 0xc207);
	cr_assert_eq(poweroffs, 1);
}

Test(acpi_pm, sci_en_always_reads_1)
{
	cr_assert_eq(inw(CNT) & ACPI_PM1_CNT_SCI_EN, ACPI_PM1_CNT_SCI_EN, "after reset");
	outw(CNT, 0);
	cr_assert_eq(inw(CNT) & ACPI_PM1_CNT_SCI_EN, ACPI_PM1_CNT_SCI_EN, "after writing 0");
	cr_assert_eq(inb(CNT), ACPI_PM1_CNT_SCI_EN, "low byte");
}

Test(acpi_pm, slp_en_reads_0)
{
	outw(CNT, sleep_value(1, true));
	uint16_t cnt = inw(CNT);
	cr_assert_eq(cnt & ACPI_PM1_CNT_SLP_EN, 0, "SLP_EN is write-only (read 0x%04x)", cnt);
	cr_assert_eq(cnt, ACPI_PM1_CNT_SCI_EN | sleep_value(1, false), "PM1_CNT read 0x%04x", cnt);
}

Test(acpi_pm, pm1_sts_is_write_1_to_clear)
{
	cr_assert_eq(inw(STS), 0, "PM1_STS should start clear");
	outw(CNT, sleep_value(1, true)); /* sets WAK_STS */
	cr_assert_eq(inw(STS), ACPI_PM1_STS_WAK_STS);
	outw(STS, 0);
	cr_assert_eq(inw(STS), ACPI_PM1_STS_WAK_STS, "writing 0 cleared WAK_STS");
	outw(STS, 0x7fff);
	cr_assert_eq(inw(STS), ACPI_PM1_STS_WAK_STS, "writing other bits cleared WAK_STS");
	outw(STS, ACPI_PM1_STS_WAK_STS);
	cr_assert_eq(inw(STS), 0, "writing 1 did not clear WAK_STS");
}

Test(acpi_pm, pm1_en_is_read_write)
{
	outw(EN, 0x0121);
	cr_assert_eq(inw(EN), 0x0121);
	outw(EN, 0);
	cr_assert_eq(inw(EN), 0);
	cr_assert_eq(inw(STS), 0, "PM1_EN write leaked into PM1_STS");
}

Test(acpi_pm, byte_accesses_to_each_half)
{
	/* PM1_EN halves. */
	outw(EN, 0x0121);
	outb(EN + 1, 0x00);
	cr_assert_eq(inw(EN), 0x0021, "high-byte write");
	outb(EN, 0x20);
	cr_assert_eq(inw(EN), 0x0020, "low-byte write");
	cr_assert_eq(inb(EN), 0x20);
	cr_assert_eq(inb(EN + 1), 0x00);

	/* PM1_STS halves: WAK_STS is in the high byte. */
	outw(CNT, sleep_value(3, true));
	cr_assert_eq(inb(STS + 1), 0x80);
	cr_assert_eq(inb(STS), 0x00);
	outb(STS, 0x80); /* bit 7, not WAK_STS */
	cr_assert_eq(inw(STS), ACPI_PM1_STS_WAK_STS);
	outb(STS + 1, 0x80);
	cr_assert_eq(inw(STS), 0);

	/* PM1_CNT halves: SLP_TYP and SLP_EN live in the high byte. */
	outb(CNT, 0xff);
	cr_assert_eq(poweroffs, 0, "low byte of PM1_CNT powered off");
	outb(CNT + 1, (uint8_t)(sleep_value(ACPI_S5_SLP_TYP, false) >> 8));
	cr_assert_eq(poweroffs, 0);
	cr_assert_eq(inb(CNT + 1), sleep_value(ACPI_S5_SLP_TYP, false) >> 8);
	outb(CNT + 1, (uint8_t)(sleep_value(ACPI_S5_SLP_TYP, true) >> 8));
	cr_assert_eq(poweroffs, 1, "byte write of SLP_TYP|SLP_EN did not power off");
}

Test(acpi_pm, s5_written_elsewhere_is_not_a_power_off)
{
	outw(STS, sleep_value(ACPI_S5_SLP_TYP, true));
	outw(EN, sleep_value(ACPI_S5_SLP_TYP, true));
	outb(CNT, (uint8_t)(sleep_value(ACPI_S5_SLP_TYP, true) >> 8));
	cr_assert_eq(poweroffs, 0);
}

Test(acpi_pm, wide_and_straddling_accesses)
{
	uint8_t buf[8];

	/* A dword read of the event block: PM1_STS then PM1_EN. */
	outw(EN, 0x0301);
	memset(buf, 0x5a, sizeof(buf));
	acpi_pm_io(&pm, STS, buf, 4, false);
	cr_assert_eq(buf[0], 0x00);
	cr_assert_eq(buf[1], 0x00);
	cr_assert_eq(buf[2], 0x01);
	cr_assert_eq(buf[3], 0x03);

	/* A read running off the end: PM1_CNT, then 0xff. */
	memset(buf, 0x5a, sizeof(buf));
	acpi_pm_io(&pm, CNT, buf, 4, false);
	cr_assert_eq(buf[0], ACPI_PM1_CNT_SCI_EN);
	cr_assert_eq(buf[1], 0x00);
	cr_assert_eq(buf[2], 0xff);
	cr_assert_eq(buf[3], 0xff);

	/* A word write across PM1_EN's high byte and PM1_CNT's low byte. */
	buf[0] = 0x00;
	buf[1] = 0xff;
	acpi_pm_io(&pm, EN + 1, buf, 2, true);
	cr_assert_eq(inw(EN), 0x0001);
	cr_assert_eq(poweroffs, 0);
}

Test(acpi_pm, out_of_range_reads_ff_and_never_crashes)
{
	uint8_t buf[8];

	cr_assert_eq(inb(ACPI_PM_RANGE_LEN), 0xff);
	cr_assert_eq(inw(ACPI_PM_RANGE_LEN), 0xffff);
	cr_assert_eq(inb(UINT64_MAX), 0xff);
	cr_assert_eq(inw(UINT64_MAX), 0xffff, "a wrapped offset reached a register");

	memset(buf, (uint8_t)(sleep_value(ACPI_S5_SLP_TYP, true) >> 8), sizeof(buf));
	acpi_pm_io(&pm, UINT64_MAX - 1, buf, 8, true);
	acpi_pm_io(&pm, ACPI_PM_RANGE_LEN, buf, 8, true);
	acpi_pm_io(&pm, 1000, buf, 8, true);
	cr_assert_eq(poweroffs, 0, "a write outside the registers powered off");
	cr_assert_eq(inw(EN), 0, "a write outside the registers changed PM1_EN");
}

Test(acpi_pm, missing_callback_is_tolerated)
{
	acpi_pm_init(&pm, NULL);
	outw(CNT, sleep_value(ACPI_S5_SLP_TYP, true));
	cr_assert_eq(poweroffs, 0);
	cr_assert_eq(inw(CNT) & ACPI_PM1_CNT_SCI_EN, ACPI_PM1_CNT_SCI_EN);
}
