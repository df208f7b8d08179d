#include "devices/exit_port.h"

#include <string.h>

void exit_port_init(struct exit_port *p, const struct exit_port_ops *ops)
{
	p->ops = *ops;
}

void exit_port_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct exit_port *p = opaque;
	(void)offset;
	if (!is_write) {
		memset(data, 0xff, len);
		return;
	}
	/* Little-endian, as the guest's `out` put it on the bus. */
	uint32_t value = 0;
	for (uint32_t i = 0; i < len && i < 4; i++)
		value |= (uint32_t)data[i] << (8 * i);
	if (p->ops.verdict)
		p->ops.verdict(p->ops.ctx, value);
}
