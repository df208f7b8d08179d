/* Address-range dispatch for port I/O and MMIO exits. A device registers a
 * handler for [base, base + len); the run loop hands each exit to the bus.
 * Pure logic: no KVM here. */
#ifndef MINIVMM_IO_BUS_H
#define MINIVMM_IO_BUS_H

#include <stdbool.h>
#include <stdint.h>

/* `offset` is relative to the registered base. For reads the handler fills
 * data[0..len); for writes it consumes it. len is 1, 2, 4 or 8. */
typedef void (*io_handler_fn)(void *opaque, uint64_t offset, uint8_t *data,
			      uint32_t len, bool is_write);

#define IO_BUS_MAX_RANGES 32

struct io_range {
	uint64_t base;
	uint64_t len;
	io_handler_fn handler;
	void *opaque;
	const char *name;
};

struct io_bus {
	const char *name; /* "pio" or "mmio", for messages */
	int count;
	struct io_range ranges[IO_BUS_MAX_RANGES];
};

/* Fails (error_set) on len 0, wrap-around, overlap or a full bus. */
int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len,
		    io_handler_fn handler, void *opaque, const char *name);

/* Range containing [addr, addr + len) entirely, or NULL. */
const struct io_range *io_bus_find(const struct io_bus *bus, uint64_t addr, uint32_t len);

/* Dispatch an access. Returns false (reads filled with 0xff) if no device
 * owns the whole range. */
bool io_bus_dispatch(const struct io_bus *bus, uint64_t addr, uint8_t *data,
		     uint32_t len, bool is_write);

#endif
