/* 16550A UART register model. The register semantics follow the
 * National Semiconductor PC16550D datasheet ("PC16550D Universal
 * Asynchronous Receiver/Transmitter with FIFOs", section 8 "Registers");
 * the behaviour Linux depends on is checked in
 * drivers/tty/serial/8250/8250_port.c (autoconfig, autoconfig_16550a,
 * size_fifo and the THRE tests in serial8250_do_startup). */
#include "devices/serial8250.h"

#include <linux/serial_reg.h>
#include <string.h>

#include "lib/log.h"

/* IER bits 7:4 are reserved on a 16550A and read 0. Linux's autoconfig
 * needs bits 3:0 to be writable and bit 6 (UUE) not to be (or it would
 * take the chip for an XScale UART). */
#define IER_MASK 0x0f
/* MCR bits 7:5 are reserved on a 16550A and read 0. */
#define MCR_MASK 0x1f
/* IIR bits 7:6 read 11 when the FIFOs are enabled: "16550A". */
#define IIR_FIFO_ENABLED 0xc0
#define LSR_ERRORS (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)

/* What an access left for the caller to do after the device lock is gone. */
struct pending_tx {
	bool valid;
	uint8_t byte;
};

static bool loopback(const struct serial8250 *s)
{
	return s->mcr & UART_MCR_LOOP;
}

/* MSR bits 7:4, the modem input lines. With no modem attached we report
 * carrier, data set ready and clear to send, so a guest getty that waits
 * for carrier or honours CTS flow control proceeds. In loopback mode the
 * datasheet wires them to MCR: CTS = RTS, DSR = DTR, RI = OUT1, DCD = OUT2
 * (Linux's autoconfig writes LOOP|OUT2|RTS and expects DCD|CTS). */
static uint8_t modem_lines(const struct serial8250 *s)
{
	if (!loopback(s))
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	uint8_t lines = 0;
	if (s->mcr & UART_MCR_RTS)
		lines |= UART_MSR_CTS;
	if (s->mcr & UART_MCR_DTR)
		lines |= UART_MSR_DSR;
	if (s->mcr & UART_MCR_OUT1)
		lines |= UART_MSR_RI;
	if (s->mcr & UART_MCR_OUT2)
		lines |= UART_MSR_DCD;
	return lines;
}

/* The highest-priority pending interrupt as IIR bits 3:0 (datasheet table
 * IV): line status, then received data, then THR empty, then modem status. */
static uint8_t interrupt_id(const struct serial8250 *s)
{
	if ((s->ier & UART_IER_RLSI) && (s->lsr_errors & LSR_ERRORS))
		return UART_IIR_RLSI;
	if ((s->ier & UART_IER_RDI) && s->rx_count > 0)
		return UART_IIR_RDI;
	if ((s->ier & UART_IER_THRI) && s->thre_pending)
		return UART_IIR_THRI;
	if ((s->ier & UART_IER_MSI) && s->msr_delta)
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

/* On a PC the UART's INTR pin reaches the interrupt controller only
 * through a buffer enabled by the OUT2 output; in loopback mode the
 * datasheet forces the outputs inactive, so the line is cut then too. */
static void update_irq(struct serial8250 *s)
{
	int level = interrupt_id(s) != UART_IIR_NO_INT && (s->mcr & UART_MCR_OUT2) &&
		    !loopback(s);
	if (level == s->irq_level)
		return;
	s->irq_level = level;
	if (s->ops.set_irq)
		s->ops.set_irq(s->ops.ctx, level);
}

static bool rx_push(struct serial8250 *s, uint8_t byte)
{
	if (s->rx_count == SERIAL8250_RX_QUEUE_SIZE)
		return false;
	s->rx[(s->rx_head + s->rx_count) % SERIAL8250_RX_QUEUE_SIZE] = byte;
	s->rx_count++;
	return true;
}

static uint8_t rx_pop(struct serial8250 *s)
{
	/* Reading an empty RBR returns stale data on the chip; 0 here. */
	if (s->rx_count == 0)
		return 0;
	uint8_t byte = s->rx[s->rx_head];
	s->rx_head = (s->rx_head + 1) % SERIAL8250_RX_QUEUE_SIZE;
	s->rx_count--;
	return byte;
}

static void rx_clear(struct serial8250 *s)
{
	s->rx_head = 0;
	s->rx_count = 0;
}

static uint8_t read_reg(struct serial8250 *s, unsigned int reg)
{
	bool dlab = s->lcr & UART_LCR_DLAB;
	uint8_t value;

	switch (reg) {
	case UART_RX:
		return dlab ? s->dll : rx_pop(s);
	case UART_IER:
		return dlab ? s->dlm : s->ier;
	case UART_IIR:
		value = interrupt_id(s);
		/* Reading IIR acknowledges a THR-empty interrupt, but only when
		 * it is the one reported (datasheet table IV). */
		if (value == UART_IIR_THRI)
			s->thre_pending = false;
		if (s->fcr & UART_FCR_ENABLE_FIFO)
			value |= IIR_FIFO_ENABLED;
		return value;
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		/* Output is synchronous, so THR and the shift register are
		 * always empty. Error bits clear on read. */
		value = UART_LSR_THRE | UART_LSR_TEMT | s->lsr_errors;
		if (s->rx_count > 0)
			value |= UART_LSR_DR;
		s->lsr_errors = 0;
		return value;
	case UART_MSR:
		value = modem_lines(s) | s->msr_delta;
		s->msr_delta = 0;
		return value;
	default: /* UART_SCR */
		return s->scr;
	}
}

/* Record MSR delta bits for a change of the modem input lines. */
static void note_modem_change(struct serial8250 *s, uint8_t before, uint8_t after)
{
	uint8_t changed = before ^ after;
	if (changed & UART_MSR_CTS)
		s->msr_delta |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		s->msr_delta |= UART_MSR_DDSR;
	if (changed & UART_MSR_DCD)
		s->msr_delta |= UART_MSR_DDCD;
	/* TERI is set on the trailing edge of RI only (RI going inactive). */
	if ((before & UART_MSR_RI) && !(after & UART_MSR_RI))
		s->msr_delta |= UART_MSR_TERI;
}

static void transmit(struct serial8250 *s, uint8_t byte, struct pending_tx *tx)
{
	if (loopback(s)) {
		/* Loopback turns the transmitter into the receiver, with the
		 * chip's 16-byte FIFO: Linux's size_fifo counts what comes
		 * back, and a 16550A must not look bigger than it is. */
		if (s->rx_count >= SERIAL8250_FIFO_SIZE || !rx_push(s, byte))
			s->lsr_errors |= UART_LSR_OE;
	} else {
		tx->valid = true;
		tx->byte = byte;
	}
	/* Writing THR acknowledged any THR-empty interrupt; the byte leaves
	 * at once, so THR is empty again and the interrupt is re-armed. */
	s->thre_pending = true;
}

static void write_reg(struct serial8250 *s, unsigned int reg, uint8_t value,
		      struct pending_tx *tx)
{
	bool dlab = s->lcr & UART_LCR_DLAB;
	uint8_t lines;

	switch (reg) {
	case UART_TX:
		if (dlab)
			s->dll = value;
		else
			transmit(s, value, tx);
		break;
	case UART_IER:
		if (dlab) {
			s->dlm = value;
			break;
		}
		/* Enabling the THR-empty interrupt while THR is empty (it
		 * always is) raises it; Linux's serial8250_do_startup checks
		 * for exactly this (UART_BUG_THRE, UART_BUG_TXEN). */
		if ((value & UART_IER_THRI) && !(s->ier & UART_IER_THRI))
			s->thre_pending = true;
		s->ier = value & IER_MASK;
		break;
	case UART_FCR:
		/* Only the enable bit is visible (IIR bits 7:6); trigger levels
		 * do not matter when data is available at once. The queue is
		 * a host-side buffer, so toggling the FIFO enable does not
		 * drop it; only an explicit receiver reset does. */
		s->fcr = value;
		if (value & UART_FCR_CLEAR_RCVR)
			rx_clear(s);
		break;
	case UART_LCR:
		s->lcr = value;
		break;
	case UART_MCR:
		lines = modem_lines(s);
		s->mcr = value & MCR_MASK;
		note_modem_change(s, lines, modem_lines(s));
		break;
	case UART_LSR:
	case UART_MSR:
		/* Factory-test writes on the real chip; nothing to do. */
		log_debug("serial: ignored write %#x to register %u", value, reg);
		break;
	default: /* UART_SCR */
		s->scr = value;
		break;
	}
}

void serial8250_init(struct serial8250 *s, const struct serial8250_ops *ops)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->tx_lock, NULL);
	if (ops)
		s->ops = *ops;
	/* After reset THR is empty, but no interrupt is pending until
	 * ETBEI is enabled (which sets thre_pending). */
}

void serial8250_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct serial8250 *s = opaque;

	for (uint32_t i = 0; i < len; i++) {
		struct pending_tx tx = { .valid = false };

		if (offset >= SERIAL8250_NR_REGS || i >= SERIAL8250_NR_REGS - offset) {
			if (!is_write)
				data[i] = 0xff;
			continue;
		}
		unsigned int reg = (unsigned int)(offset + i);

		pthread_mutex_lock(&s->lock);
		if (is_write)
			write_reg(s, reg, data[i], &tx);
		else
			data[i] = read_reg(s, reg);
		update_irq(s);
		if (!tx.valid) {
			pthread_mutex_unlock(&s->lock);
			continue;
		}
		/* Take tx_lock before dropping the device lock: a vCPU that
		 * sees THR empty and writes the next byte cannot overtake this
		 * one, yet serial8250_receive does not wait for stdout. */
		pthread_mutex_lock(&s->tx_lock);
		pthread_mutex_unlock(&s->lock);
		if (s->ops.write_out)
			s->ops.write_out(s->ops.ctx, &tx.byte, 1);
		pthread_mutex_unlock(&s->tx_lock);
	}
}

size_t serial8250_receive(struct serial8250 *s, const uint8_t *buf, size_t len)
{
	size_t accepted = 0;

	pthread_mutex_lock(&s->lock);
	while (accepted < len && rx_push(s, buf[accepted]))
		accepted++;
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return accepted;
}

size_t serial8250_rx_space(struct serial8250 *s)
{
	pthread_mutex_lock(&s->lock);
	size_t space = SERIAL8250_RX_QUEUE_SIZE - s->rx_count;
	pthread_mutex_unlock(&s->lock);
	return space;
}

bool serial8250_thr_deferrable(struct serial8250 *s)
{
	pthread_mutex_lock(&s->lock);
	bool deferrable = !(s->ier & UART_IER_THRI);
	pthread_mutex_unlock(&s->lock);
	return deferrable;
}

void serial8250_destroy(struct serial8250 *s)
{
	pthread_mutex_destroy(&s->tx_lock);
	pthread_mutex_destroy(&s->lock);
}
