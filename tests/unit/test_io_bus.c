#include <criterion/criterion.h>
#include <string.h>

#include "lib/error.h"
#include "lib/io_bus.h"

struct probe {
	uint64_t offset;
	uint32_t len;
	bool is_write;
	int calls;
};

static void handler(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct probe *p = opaque;
	p->offset = offset;
	p->len = len;
	p->is_write = is_write;
	p->calls++;
	if (!is_write)
		memset(data, 0x5a, len);
}

Test(io_bus, dispatch_by_range)
{
	struct io_bus bus = { .name = "pio" };
	struct probe a = { 0 }, b = { 0 };
	cr_assert_eq(io_bus_register(&bus, 0x3f8, 8, handler, &a, "a"), 0);
	cr_assert_eq(io_bus_register(&bus, 0x60, 5, handler, &b, "b"), 0);
	uint8_t data[4] = { 0 };
	cr_assert(io_bus_dispatch(&bus, 0x3fd, data, 1, false));
	cr_assert_eq(a.calls, 1);
	cr_assert_eq(a.offset, 5);
	cr_assert_eq(data[0], 0x5a);
	cr_assert(io_bus_dispatch(&bus, 0x64, data, 1, true));
	cr_assert_eq(b.offset, 4);
	cr_assert(b.is_write);
}

Test(io_bus, unhandled_reads_all_ones)
{
	struct io_bus bus = { .name = "pio" };
	struct probe a = { 0 };
	cr_assert_eq(io_bus_register(&bus, 0x3f8, 8, handler, &a, "a"), 0);
	uint8_t data[4] = { 0 };
	cr_assert_not(io_bus_dispatch(&bus, 0x1234, data, 4, false));
	cr_assert_eq(memcmp(data, "\xff\xff\xff\xff", 4), 0);
	/* An access straddling the end of a range belongs to nobody. */
	cr_assert_not(io_bus_dispatch(&bus, 0x3fe, data, 4, false));
	cr_assert_eq(a.calls, 0);
}

Test(io_bus, rejects_overlap_and_bad_ranges)
{
	struct io_bus bus = { .name = "mmio" };
	struct probe a = { 0 };
	cr_assert_eq(io_bus_register(&bus, 0x1000, 0x100, handler, &a, "first"), 0);
	cr_assert_eq(io_bus_register(&bus, 0x10ff, 1, handler, &a, "second"), -1);
	cr_assert(strstr(error_message(), "overlaps first"));
	cr_assert_eq(io_bus_register(&bus, 0x2000, 0, handler, &a, "empty"), -1);
	cr_assert_eq(io_bus_register(&bus, UINT64_MAX - 1, 4, handler, &a, "wrap"), -1);
	cr_assert_eq(io_bus_register(&bus, 0x1100, 0x100, handler, &a, "adjacent"), 0);
}
