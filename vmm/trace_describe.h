/* Plain words for vCPU exits and port accesses, for --trace (lib/trace.h).
 * Pure: numbers and bus range names in, text out; unit-tested in
 * tests/unit/test_trace_describe.c. */
#ifndef MINIVMM_VMM_TRACE_DESCRIBE_H
#define MINIVMM_VMM_TRACE_DESCRIBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "KVM_EXIT_IO" for KVM_EXIT_IO (include/uapi/linux/kvm.h), with what it
 * means in *meaning; "KVM_EXIT_?" for a reason minivmm does not know. */
const char *trace_exit_reason(uint32_t reason, const char **meaning);

/* What an access at `offset` inside the port range called `range` (the
 * name it has on the bus, e.g. "serial (COM1)") is, with the source it
 * follows: "LSR (line status) [drivers/tty/serial/8250/8250_port.c]".
 * `value` is the byte written (for a UART THR write, shown as a
 * character). Returns buf. */
char *trace_describe_port(const char *range, uint64_t offset, bool is_write, uint64_t value,
			  char *buf, size_t size);

/* The access's bytes as a little-endian number (len 1 to 8). */
uint64_t trace_le_value(const uint8_t *data, uint32_t len);

#endif
