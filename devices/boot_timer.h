/* Boot timer: a one-byte port the guest writes to at boot milestones
 * (BOOT_TIMER_* in lib/platform.h); minivmm timestamps them. Like
 * Firecracker's boot timer device, it exists so boot time is measured by
 * the VMM, not guessed from console output. */
#ifndef MINIVMM_DEVICES_BOOT_TIMER_H
#define MINIVMM_DEVICES_BOOT_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define BOOT_TIMER_EVENTS 2

struct boot_timer {
	uint64_t start_ns;                     /* minivmm's start, CLOCK_MONOTONIC */
	uint64_t event_ns[BOOT_TIMER_EVENTS];  /* 0: not seen; else ns since start */
	void (*report)(void *ctx, int event, uint64_t ns); /* may be NULL */
	void *ctx;
};

void boot_timer_init(struct boot_timer *t, uint64_t start_ns,
		     void (*report)(void *ctx, int event, uint64_t ns), void *ctx);
/* io_bus handler; only the first write of each milestone counts. */
void boot_timer_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);
/* Record milestone `value` at time now_ns (pure: used by boot_timer_io). */
void boot_timer_mark(struct boot_timer *t, uint8_t value, uint64_t now_ns);
const char *boot_timer_event_name(int event);

#endif
