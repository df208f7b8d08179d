/* The exit port: how a guest ends the VM with a verdict of its choice,
 * which becomes minivmm's exit status (lib/exit_status.h). Like QEMU's
 * isa-debug-exit, one I/O port, but the value is the verdict itself: a
 * write of N (1, 2 or 4 bytes; N = 0 passed, N > 0 failed with N) ends
 * the VM. From a shell with busybox alone, as root in the guest, through
 * /dev/port (CONFIG_DEVPORT):
 *
 *     printf '\003' | dd of=/dev/port bs=1 seek=1281 count=1   # verdict 3
 *
 * Reads answer all-ones, as an empty port does, so nothing in the guest
 * mistakes it for a device. */
#ifndef MINIVMM_DEVICES_EXIT_PORT_H
#define MINIVMM_DEVICES_EXIT_PORT_H

#include <stdbool.h>
#include <stdint.h>

#define EXIT_PORT 0x501 /* QEMU's isa-debug-exit default iobase */
#define EXIT_PORT_LEN 1

struct exit_port_ops {
	/* The guest wrote verdict `value`. */
	void (*verdict)(void *ctx, uint32_t value);
	void *ctx;
};

struct exit_port {
	struct exit_port_ops ops;
};

void exit_port_init(struct exit_port *p, const struct exit_port_ops *ops);

/* io_bus handler; `opaque` is the struct exit_port. Stateless: safe from
 * any vCPU thread. */
void exit_port_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
