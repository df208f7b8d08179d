#include <criterion/criterion.h>

#include "devices/boot_timer.h"
#include "lib/platform.h"

static int reports;
static int last_event;
static uint64_t last_ns;

static void report(void *ctx, int event, uint64_t ns)
{
	(void)ctx;
	reports++;
	last_event = event;
	last_ns = ns;
}

Test(boot_timer, records_each_milestone_once_relative_to_start)
{
	struct boot_timer t;
	reports = 0;
	boot_timer_init(&t, 1000, report, NULL);
	boot_timer_mark(&t, BOOT_TIMER_FIRST_USERSPACE, 5000);
	cr_assert_eq(t.event_ns[0], 4000);
	cr_assert_eq(reports, 1);
	cr_assert_eq(last_event, 0);
	boot_timer_mark(&t, BOOT_TIMER_FIRST_USERSPACE, 9000); /* repeated: ignored */
	cr_assert_eq(t.event_ns[0], 4000);
	boot_timer_mark(&t, BOOT_TIMER_BOOT_COMPLETE, 21000);
	cr_assert_eq(t.event_ns[1], 20000);
	cr_assert_eq(last_ns, 20000);
	cr_assert_eq(reports, 2);
}

Test(boot_timer, ignores_other_values_and_reads_all_ones)
{
	struct boot_timer t;
	reports = 0;
	boot_timer_init(&t, 0, report, NULL);
	uint8_t v = 7;
	boot_timer_io(&t, 0, &v, 1, true);
	v = 0;
	boot_timer_io(&t, 0, &v, 1, true);
	cr_assert_eq(reports, 0);
	uint8_t r[2] = { 0, 0 };
	boot_timer_io(&t, 0, r, 2, false);
	cr_assert_eq(r[0], 0xff);
	cr_assert_eq(r[1], 0xff);
	v = BOOT_TIMER_BOOT_COMPLETE;
	boot_timer_io(&t, 0, &v, 1, true);
	cr_assert_eq(reports, 1);
	cr_assert_gt(t.event_ns[1], 0);
}
