/* 8042 keyboard controller: reset and benign answers only. Command and
 * port semantics follow the IBM PC AT Technical Reference, "Keyboard
 * Controller" (commands D1h "write output port" and F0h-FFh "pulse output
 * port"); the guest side is arch/x86/kernel/reboot.c (kb_wait, then
 * outb(0xfe, 0x64)). */
#include "devices/i8042.h"

#include <string.h>

#include "lib/log.h"

#define DATA_OFFSET 0   /* port 0x60 */
#define STATUS_OFFSET 4 /* port 0x64: status on read, command on write */

#define CMD_WRITE_OUTPUT_PORT 0xd1
/* F0h-FFh pulse output port bits 3:0 low for about 6 us; a bit is pulsed
 * where the command has a 0. Output port bit 0 is the CPU reset line
 * (active low), so FEh pulses reset and FFh pulses nothing. */
#define CMD_PULSE_MASK 0xf0
#define OUTPUT_PORT_RESET_BIT 0x01

static void request_reset(struct i8042 *k, const char *how)
{
	log_debug("i8042: reset requested (%s)", how);
	if (k->ops.reset)
		k->ops.reset(k->ops.ctx);
}

static void write_command(struct i8042 *k, uint8_t cmd)
{
	/* A new command cancels a pending D1h. */
	atomic_store(&k->awaiting_output_port, cmd == CMD_WRITE_OUTPUT_PORT);
	if (cmd == CMD_WRITE_OUTPUT_PORT)
		return;
	if ((cmd & CMD_PULSE_MASK) == CMD_PULSE_MASK) {
		if (!(cmd & OUTPUT_PORT_RESET_BIT))
			request_reset(k, "pulse output port");
		return;
	}
	log_debug("i8042: ignored command %#04x", cmd);
}

static void write_data(struct i8042 *k, uint8_t value)
{
	if (!atomic_exchange(&k->awaiting_output_port, false)) {
		log_debug("i8042: ignored data %#04x", value);
		return;
	}
	if (!(value & OUTPUT_PORT_RESET_BIT))
		request_reset(k, "write output port");
}

void i8042_init(struct i8042 *k, const struct i8042_ops *ops)
{
	memset(k, 0, sizeof(*k));
	atomic_init(&k->awaiting_output_port, false);
	if (ops)
		k->ops = *ops;
}

void i8042_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct i8042 *k = opaque;

	/* Byte-wise, as the 8-bit ISA controller would see a wider access. */
	for (uint32_t i = 0; i < len; i++) {
		uint64_t port = offset + i;
		bool known = offset < I8042_RANGE_LEN && i < I8042_RANGE_LEN - offset &&
			     (port == DATA_OFFSET || port == STATUS_OFFSET);

		if (!is_write) {
			/* Data: nothing buffered. Status: output buffer empty,
			 * input buffer empty, so kb_wait() returns at once. */
			data[i] = known ? 0x00 : 0xff;
			continue;
		}
		if (!known)
			continue;
		if (port == STATUS_OFFSET)
			write_command(k, data[i]);
		else
			write_data(k, data[i]);
	}
}
