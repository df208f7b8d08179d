#include "devices/boot_timer.h"

#include "lib/clock.h"
#include "lib/platform.h"
#include "lib/trace.h"

void boot_timer_init(struct boot_timer *t, uint64_t start_ns,
		     void (*report)(void *ctx, int event, uint64_t ns), void *ctx)
{
	*t = (struct boot_timer){ .start_ns = start_ns, .report = report, .ctx = ctx };
}

const char *boot_timer_event_name(int event)
{
	return event == 0 ? "first userspace instruction" : "boot complete";
}

void boot_timer_mark(struct boot_timer *t, uint8_t value, uint64_t now_ns)
{
	if (value != BOOT_TIMER_FIRST_USERSPACE && value != BOOT_TIMER_BOOT_COMPLETE)
		return;
	int event = value - BOOT_TIMER_FIRST_USERSPACE;
	if (t->event_ns[event] || now_ns < t->start_ns)
		return;
	t->event_ns[event] = now_ns - t->start_ns;
	if (t->event_ns[event] == 0)
		t->event_ns[event] = 1;
	trace(TRACE_BOOT, "guest mark: %s (it wrote 0x%x to the boot timer port)",
	      boot_timer_event_name(event), value);
	if (t->report)
		t->report(t->ctx, event, t->event_ns[event]);
}

void boot_timer_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct boot_timer *t = opaque;
	if (!is_write) {
		for (uint32_t i = 0; i < len; i++)
			data[i] = 0xff;
		return;
	}
	if (offset == 0 && len >= 1)
		boot_timer_mark(t, data[0], clock_now_ns());
}
