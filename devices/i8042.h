/* The PS/2 keyboard controller (Intel 8042), reduced to what a guest uses
 * to reset the machine: Linux's reboot=k (arch/x86/kernel/reboot.c) waits
 * for the input buffer to drain and writes command 0xFE, "pulse the reset
 * line", to port 0x64. Everything else gets a benign answer: the status
 * register reads 0 (no data, input buffer empty), so drivers that probe
 * for a keyboard find none and give up.
 *
 * Register the handler at I8042_DATA_PORT with length 5: offset 0 is the
 * data port (0x60), offset 4 the status/command port (0x64). */
#ifndef MINIVMM_DEVICES_I8042_H
#define MINIVMM_DEVICES_I8042_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define I8042_RANGE_LEN 5

struct i8042_ops {
	/* The guest asked for a CPU reset. */
	void (*reset)(void *ctx);
	void *ctx;
};

struct i8042 {
	struct i8042_ops ops;
	/* The last command was 0xD1 (write output port): the next data-port
	 * byte is the output port value, whose bit 0 drives the reset line. */
	atomic_bool awaiting_output_port;
};

/* `ops` is copied; its callback may be NULL. */
void i8042_init(struct i8042 *k, const struct i8042_ops *ops);

/* io_bus handler; `opaque` is the struct i8042. Safe to call from several
 * vCPU threads: the only state is the atomic 0xD1 latch. */
void i8042_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
