#include "lib/io_bus.h"

#include <string.h>

#include "lib/error.h"

int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len,
		    io_handler_fn handler, void *opaque, const char *name)
{
	if (len == 0 || base + len < base)
		return error_set("%s: bad %s range %#llx+%#llx", name, bus->name,
				 (unsigned long long)base, (unsigned long long)len);
	if (bus->count == IO_BUS_MAX_RANGES)
		return error_set("%s: too many %s ranges", name, bus->name);
	for (int i = 0; i < bus->count; i++) {
		const struct io_range *r = &bus->ranges[i];
		if (base < r->base + r->len && r->base < base + len)
			return error_set("%s: %s range %#llx+%#llx overlaps %s", name,
					 bus->name, (unsigned long long)base,
					 (unsigned long long)len, r->name);
	}
	bus->ranges[bus->count++] = (struct io_range){
		.base = base, .len = len, .handler = handler, .opaque = opaque, .name = name,
	};
	return 0;
}

const struct io_range *io_bus_find(const struct io_bus *bus, uint64_t addr, uint32_t len)
{
	for (int i = 0; i < bus->count; i++) {
		const struct io_range *r = &bus->ranges[i];
		if (addr >= r->base && addr - r->base < r->len && len <= r->len - (addr - r->base))
			return r;
	}
	return NULL;
}

bool io_bus_dispatch(const struct io_bus *bus, uint64_t addr, uint8_t *data,
		     uint32_t len, bool is_write)
{
	const struct io_range *r = io_bus_find(bus, addr, len);
	if (!r) {
		if (!is_write)
			memset(data, 0xff, len);
		return false;
	}
	r->handler(r->opaque, addr - r->base, data, len, is_write);
	return true;
}
