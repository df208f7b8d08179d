/* A 16550A UART (the PC's COM1), modelled as a register state machine.
 *
 * It is complete enough for Linux's 8250 driver to detect a 16550A
 * (drivers/tty/serial/8250/8250_port.c autoconfig) and to run it with
 * interrupts. Transmission is synchronous: a byte written to THR is handed
 * to ops->write_out at once, so THR and the transmitter always look empty.
 * Host input is queued (deeper than the chip's 16-byte FIFO so that pasted
 * text is not lost) and read by the guest through RBR.
 *
 * No KVM here: the device reaches the outside only through the callbacks in
 * struct serial8250_ops, so unit tests can capture them.
 *
 * Threads: serial8250_io runs on vCPU threads, serial8250_receive and
 * serial8250_rx_space on the main thread; all of them may run at once.
 * Callbacks and locks (why this cannot deadlock):
 *   - set_irq is called with the device lock held, so the levels it is given
 *     arrive in the order the state changed. It must not call back into this
 *     device nor wait for a thread that might be inside it (KVM_IRQ_LINE is
 *     fine).
 *   - write_out is called without the device lock, holding only a second
 *     lock that serialises transmitted bytes (taken after the device lock,
 *     never the other way round). A slow stdout therefore stalls only the
 *     transmitting vCPU, never serial8250_receive. write_out must not call
 *     back into this device either.
 */
#ifndef MINIVMM_DEVICES_SERIAL8250_H
#define MINIVMM_DEVICES_SERIAL8250_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Registers occupy [base, base + SERIAL8250_NR_REGS). */
#define SERIAL8250_NR_REGS 8
/* Host input buffered for the guest. */
#define SERIAL8250_RX_QUEUE_SIZE 4096
/* The 16550A's receive FIFO depth, which bounds loopback data. */
#define SERIAL8250_FIFO_SIZE 16

struct serial8250_ops {
	/* Bytes the guest transmitted. */
	void (*write_out)(void *ctx, const uint8_t *buf, size_t len);
	/* The interrupt line changed to `level` (0 or 1); called only on changes. */
	void (*set_irq)(void *ctx, int level);
	void *ctx;
};

struct serial8250 {
	pthread_mutex_t lock;    /* everything below */
	pthread_mutex_t tx_lock; /* keeps write_out calls in THR order */
	struct serial8250_ops ops;

	uint8_t ier, lcr, mcr, scr, dll, dlm;
	uint8_t fcr;           /* write-only on the chip; kept for IIR bits 7:6 */
	uint8_t lsr_errors;    /* latched LSR error bits, cleared by reading LSR */
	uint8_t msr_delta;     /* MSR bits 3:0, cleared by reading MSR */
	bool thre_pending;     /* THR-empty interrupt not yet acknowledged */
	int irq_level;         /* last level passed to set_irq */

	uint8_t rx[SERIAL8250_RX_QUEUE_SIZE];
	size_t rx_head;        /* index of the oldest byte */
	size_t rx_count;
};

/* Reset state: no interrupts enabled, FIFO off, IRQ line low. `ops` is
 * copied; its callbacks may be NULL. */
void serial8250_init(struct serial8250 *s, const struct serial8250_ops *ops);

/* io_bus handler; `opaque` is the struct serial8250. Offsets outside the
 * eight registers read 0xff and ignore writes. A multi-byte access is
 * handled as consecutive byte accesses, as an 8-bit ISA device sees it. */
void serial8250_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

/* Queue host input for the guest. Returns how many leading bytes of buf
 * were accepted (fewer than len when the queue is full); the caller keeps
 * the rest and tries again later. */
size_t serial8250_receive(struct serial8250 *s, const uint8_t *buf, size_t len);

/* Bytes serial8250_receive would accept now. */
size_t serial8250_rx_space(struct serial8250 *s);

/* Whether a THR write may be deferred (coalesced) without the guest being
 * able to tell: true while the THR-empty interrupt is disabled (IER bit 1,
 * ETBEI, clear). Then a THR write cannot change the interrupt line: it only
 * re-arms the THR-empty condition, which is invisible while ETBEI is clear
 * and set again anyway when ETBEI is enabled. Its other effects (the byte
 * going out, or into the receive queue in loopback mode, where the line is
 * cut) are seen only through later register reads, which the caller must
 * precede by replaying the deferred writes. A write to offset 0 with DLAB
 * set changes DLL, which is likewise seen only by reading it. */
bool serial8250_thr_deferrable(struct serial8250 *s);

void serial8250_destroy(struct serial8250 *s);

#endif
