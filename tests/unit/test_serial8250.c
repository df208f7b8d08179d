#include <criterion/criterion.h>
#include <linux/serial_reg.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "devices/serial8250.h"

/* What the UART did to the outside world. */
static struct {
	uint8_t tx[8192];
	size_t tx_len;
	int irq_calls;
	int irq_level;
	bool irq_repeated; /* set_irq called without a level change */
} cap;

static struct serial8250 uart;

static void capture_write_out(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	cr_assert_leq(cap.tx_len + len, sizeof(cap.tx));
	memcpy(cap.tx + cap.tx_len, buf, len);
	cap.tx_len += len;
}

static void capture_set_irq(void *ctx, int level)
{
	(void)ctx;
	if (level == cap.irq_level)
		cap.irq_repeated = true;
	cap.irq_level = level;
	cap.irq_calls++;
}

static void setup(void)
{
	memset(&cap, 0, sizeof(cap));
	serial8250_init(&uart, &(struct serial8250_ops){
		.write_out = capture_write_out, .set_irq = capture_set_irq, .ctx = &cap,
	});
}

static void teardown(void)
{
	cr_expect(!cap.irq_repeated, "set_irq was called without a level change");
	serial8250_destroy(&uart);
}

static void out(unsigned int reg, uint8_t value)
{
	serial8250_io(&uart, reg, &value, 1, true);
}

static uint8_t in(unsigned int reg)
{
	uint8_t value = 0x5a;
	serial8250_io(&uart, reg, &value, 1, false);
	return value;
}

TestSuite(serial8250, .init = setup, .fini = teardown);

Test(serial8250, scratch_register_round_trip)
{
	out(UART_SCR, 0x55);
	cr_assert_eq(in(UART_SCR), 0x55);
	out(UART_SCR, 0xaa);
	cr_assert_eq(in(UART_SCR), 0xaa);
}

Test(serial8250, lcr_and_divisor_latch_round_trip)
{
	out(UART_LCR, UART_LCR_DLAB | UART_LCR_WLEN8);
	cr_assert_eq(in(UART_LCR), UART_LCR_DLAB | UART_LCR_WLEN8);
	out(UART_DLL, 0x0c);
	out(UART_DLM, 0x34);
	cr_assert_eq(in(UART_DLL), 0x0c);
	cr_assert_eq(in(UART_DLM), 0x34);
	cr_assert_eq(cap.tx_len, 0, "a divisor write leaked to the output");

	/* With DLAB clear the same offsets are THR/RBR and IER. */
	out(UART_LCR, UART_LCR_WLEN8);
	cr_assert_eq(in(UART_LCR), UART_LCR_WLEN8);
	cr_assert_eq(in(UART_IER), 0);
	out(UART_IER, UART_IER_RDI);
	out(UART_TX, 'k');
	cr_assert_eq(cap.tx_len, 1);
	cr_assert_eq(cap.tx[0], 'k');

	/* ... and they did not disturb the latch. */
	out(UART_LCR, UART_LCR_DLAB | UART_LCR_WLEN8);
	cr_assert_eq(in(UART_DLL), 0x0c);
	cr_assert_eq(in(UART_DLM), 0x34);
	out(UART_LCR, UART_LCR_WLEN8);
	cr_assert_eq(in(UART_IER), UART_IER_RDI);
}

Test(serial8250, ier_keeps_only_the_four_16550a_bits)
{
	out(UART_IER, 0x0f);
	cr_assert_eq(in(UART_IER), 0x0f);
	out(UART_IER, 0xff);
	cr_assert_eq(in(UART_IER), 0x0f, "reserved IER bits must read 0");
	out(UART_IER, 0);
	cr_assert_eq(in(UART_IER), 0);
}

Test(serial8250, iir_reports_fifo_enabled_and_no_interrupt_after_fcr)
{
	cr_assert_eq(in(UART_IIR), UART_IIR_NO_INT, "FIFO bits before FCR is written");
	out(UART_FCR, UART_FCR_ENABLE_FIFO);
	cr_assert_eq(in(UART_IIR), 0xc1);
	out(UART_FCR, 0);
	cr_assert_eq(in(UART_IIR), 0x01);
}

Test(serial8250, thr_bytes_reach_write_out_exactly)
{
	const uint8_t msg[] = { 'h', 'i', '\r', '\n', 0x00, 0x01, 0x7f, 0x80, 0xff };

	for (size_t i = 0; i < sizeof(msg); i++) {
		out(UART_TX, msg[i]);
		/* Output is synchronous: the transmitter is always idle. */
		cr_assert_eq(in(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	}
	cr_assert_eq(cap.tx_len, sizeof(msg));
	cr_assert_arr_eq(cap.tx, msg, sizeof(msg));
	cr_assert_eq(cap.irq_calls, 0, "no interrupt was enabled");
}

Test(serial8250, received_bytes_are_read_in_order_and_dr_follows_the_queue)
{
	cr_assert_eq(in(UART_LSR) & UART_LSR_DR, 0);
	cr_assert_eq(serial8250_receive(&uart, (const uint8_t *)"abc", 3), 3);
	cr_assert_eq(serial8250_rx_space(&uart), SERIAL8250_RX_QUEUE_SIZE - 3);

	const char *expect = "abc";
	for (int i = 0; i < 3; i++) {
		cr_assert(in(UART_LSR) & UART_LSR_DR, "DR clear with %d bytes left", 3 - i);
		cr_assert_eq(in(UART_RX), expect[i]);
	}
	cr_assert_eq(in(UART_LSR) & UART_LSR_DR, 0, "DR still set after the queue drained");
	cr_assert_eq(serial8250_rx_space(&uart), SERIAL8250_RX_QUEUE_SIZE);
	cr_assert_eq(cap.tx_len, 0, "received bytes must not be echoed by the UART");
}

Test(serial8250, rx_interrupt_raised_with_erbfi_and_out2_and_lowered_after_read)
{
	out(UART_FCR, UART_FCR_ENABLE_FIFO);
	out(UART_MCR, UART_MCR_OUT2 | UART_MCR_DTR | UART_MCR_RTS);
	out(UART_IER, UART_IER_RDI);
	cr_assert_eq(cap.irq_calls, 0, "IRQ raised with nothing to report");

	serial8250_receive(&uart, (const uint8_t *)"zy", 2);
	cr_assert_eq(cap.irq_level, 1);
	cr_assert_eq(cap.irq_calls, 1);
	cr_assert_eq(in(UART_IIR), 0xc0 | UART_IIR_RDI);

	cr_assert_eq(in(UART_RX), 'z');
	cr_assert_eq(cap.irq_level, 1, "IRQ dropped with a byte still queued");
	cr_assert_eq(in(UART_RX), 'y');
	cr_assert_eq(cap.irq_level, 0);
	cr_assert_eq(cap.irq_calls, 2);
	cr_assert_eq(in(UART_IIR), 0xc1);
}

Test(serial8250, no_irq_without_out2)
{
	out(UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
	out(UART_IER, UART_IER_RDI);
	serial8250_receive(&uart, (const uint8_t *)"q", 1);
	cr_assert_eq(cap.irq_calls, 0, "IRQ reached the PIC without OUT2");
	/* The UART itself still sees the interrupt ... */
	cr_assert_eq(in(UART_IIR) & UART_IIR_ID, UART_IIR_RDI);
	/* ... and it reaches the line as soon as OUT2 is set. */
	out(UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	cr_assert_eq(cap.irq_level, 1);
	out(UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
	cr_assert_eq(cap.irq_level, 0);
}

Test(serial8250, thre_interrupt_raise_and_clear)
{
	out(UART_MCR, UART_MCR_OUT2);
	out(UART_IER, UART_IER_THRI);
	cr_assert_eq(cap.irq_level, 1, "enabling ETBEI with THR empty must interrupt");
	cr_assert_eq(in(UART_IIR), UART_IIR_THRI);
	cr_assert_eq(cap.irq_level, 0, "reading IIR must acknowledge THRE");
	cr_assert_eq(in(UART_IIR), UART_IIR_NO_INT);

	/* Each byte written empties THR again, re-arming the interrupt. */
	out(UART_TX, 'a');
	cr_assert_eq(cap.irq_level, 1);
	cr_assert_eq(cap.tx_len, 1);
	out(UART_IER, 0);
	cr_assert_eq(cap.irq_level, 0);
	cr_assert_eq(in(UART_IIR), UART_IIR_NO_INT);

	/* Linux's serial8250_do_startup: disable and re-enable ETBEI, the
	 * interrupt must come back (otherwise it assumes UART_BUG_THRE). */
	out(UART_IER, UART_IER_THRI);
	cr_assert_eq(in(UART_IIR), UART_IIR_THRI);
	out(UART_IER, 0);
	out(UART_IER, UART_IER_THRI);
	cr_assert_eq(in(UART_IIR), UART_IIR_THRI);
}

Test(serial8250, iir_read_clears_thre_only_when_thre_is_reported)
{
	out(UART_MCR, UART_MCR_OUT2);
	serial8250_receive(&uart, (const uint8_t *)"r", 1);
	out(UART_IER, UART_IER_RDI | UART_IER_THRI);
	cr_assert_eq(in(UART_IIR), UART_IIR_RDI, "received data outranks THR empty");
	cr_assert_eq(in(UART_RX), 'r');
	cr_assert_eq(in(UART_IIR), UART_IIR_THRI, "THRE was lost behind RDI");
	cr_assert_eq(in(UART_IIR), UART_IIR_NO_INT);
	cr_assert_eq(cap.irq_level, 0);
}

Test(serial8250, iir_priority_line_status_rx_thre_modem)
{
	out(UART_FCR, UART_FCR_ENABLE_FIFO);
	/* Overrun the 16-byte FIFO in loopback to get a line status error. */
	out(UART_MCR, UART_MCR_LOOP);
	for (int i = 0; i < SERIAL8250_FIFO_SIZE + 1; i++)
		out(UART_TX, (uint8_t)i);
	/* Leaving loopback changes CTS/DSR/DCD: modem status deltas. */
	out(UART_MCR, UART_MCR_OUT2);
	out(UART_IER, 0x0f);
	cr_assert_eq(cap.irq_level, 1);

	cr_assert_eq(in(UART_IIR), 0xc0 | UART_IIR_RLSI);
	uint8_t lsr = in(UART_LSR);
	cr_assert(lsr & UART_LSR_OE, "overrun not reported, LSR %#x", lsr);
	cr_assert(lsr & UART_LSR_DR);
	cr_assert_eq(in(UART_LSR) & UART_LSR_OE, 0, "OE must clear when LSR is read");

	cr_assert_eq(in(UART_IIR), 0xc0 | UART_IIR_RDI);
	for (int i = 0; i < SERIAL8250_FIFO_SIZE; i++)
		cr_assert_eq(in(UART_RX), i);
	cr_assert_eq(in(UART_IIR), 0xc0 | UART_IIR_THRI);
	cr_assert_eq(in(UART_IIR), 0xc0 | UART_IIR_MSI);
	uint8_t msr = in(UART_MSR);
	cr_assert_eq(msr, UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS | UART_MSR_DDCD |
			  UART_MSR_DDSR | UART_MSR_DCTS);
	cr_assert_eq(in(UART_IIR), 0xc1);
	cr_assert_eq(cap.irq_level, 0);
}

Test(serial8250, msr_reports_carrier_dsr_cts_without_modem)
{
	cr_assert_eq(in(UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	out(UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	cr_assert_eq(in(UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS,
		     "MCR changes outside loopback must not move the modem lines");
}

Test(serial8250, loopback_echoes_to_rx_without_write_out)
{
	/* Linux's autoconfig loop test: LOOP|OUT2|RTS must read DCD|CTS. */
	out(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);
	cr_assert_eq(in(UART_MSR) & 0xf0, UART_MSR_DCD | UART_MSR_CTS);
	out(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1);
	cr_assert_eq(in(UART_MSR) & 0xf0, UART_MSR_DSR | UART_MSR_RI);

	out(UART_IER, UART_IER_RDI);
	out(UART_TX, 'L');
	out(UART_TX, 0x00);
	cr_assert_eq(cap.tx_len, 0, "loopback data reached the host");
	cr_assert(in(UART_LSR) & UART_LSR_DR);
	cr_assert_eq(in(UART_RX), 'L');
	cr_assert_eq(in(UART_RX), 0x00);
	cr_assert_eq(in(UART_LSR) & UART_LSR_DR, 0);

	/* Back to normal: bytes go out again. */
	out(UART_MCR, UART_MCR_OUT2);
	out(UART_TX, 'N');
	cr_assert_eq(cap.tx_len, 1);
	cr_assert_eq(cap.tx[0], 'N');
}

Test(serial8250, loopback_interrupts_do_not_reach_the_line)
{
	out(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2);
	out(UART_IER, UART_IER_RDI);
	out(UART_TX, 'i');
	cr_assert_eq(in(UART_IIR) & UART_IIR_ID, UART_IIR_RDI);
	cr_assert_eq(cap.irq_calls, 0, "the IRQ pin is inactive in loopback mode");
}

Test(serial8250, loopback_fifo_holds_sixteen_bytes_like_a_16550a)
{
	out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT);
	out(UART_MCR, UART_MCR_LOOP);
	for (int i = 0; i < 256; i++)
		out(UART_TX, (uint8_t)i);
	int count = 0;
	while ((in(UART_LSR) & UART_LSR_DR) && count < 256) {
		cr_assert_eq(in(UART_RX), count);
		count++;
	}
	cr_assert_eq(count, SERIAL8250_FIFO_SIZE);
}

Test(serial8250, linux_autoconfig_detects_a_plain_16550a)
{
	/* The register dance of 8250_port.c autoconfig/autoconfig_16550a. */
	out(UART_IER, 0);
	cr_assert_eq(in(UART_IER) & 0x0f, 0);
	out(UART_IER, 0x0f);
	cr_assert_eq(in(UART_IER) & 0x0f, 0x0f);
	out(UART_IER, 0);

	out(UART_LCR, 0xbf);
	out(UART_EFR, 0);
	out(UART_LCR, 0);
	out(UART_FCR, UART_FCR_ENABLE_FIFO);
	cr_assert_eq(in(UART_IIR) >> 6, 3, "not a 16550A");

	/* No EFR behind LCR=0x80 or 0xbf (offset 2 still reads IIR). */
	out(UART_LCR, UART_LCR_CONF_MODE_A);
	cr_assert_neq(in(UART_EFR), 0);
	out(UART_LCR, UART_LCR_CONF_MODE_B);
	cr_assert_neq(in(UART_EFR), 0);

	/* Not a TI16750: IIR bit 5 never sets. */
	out(UART_LCR, 0);
	out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
	cr_assert_eq(in(UART_IIR) & 0x20, 0);
	out(UART_LCR, UART_LCR_CONF_MODE_A);
	out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
	cr_assert_eq(in(UART_IIR) & 0x20, 0);
	out(UART_LCR, 0);

	/* Not an XScale: IER bit 6 (UUE) does not stick. */
	out(UART_IER, 0x40);
	cr_assert_eq(in(UART_IER) & 0x40, 0);
}

Test(serial8250, fcr_receiver_reset_drops_queued_input)
{
	serial8250_receive(&uart, (const uint8_t *)"stale", 5);
	out(UART_FCR, UART_FCR_ENABLE_FIFO);
	cr_assert(in(UART_LSR) & UART_LSR_DR, "enabling the FIFO must not drop input");
	out(UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);
	cr_assert_eq(in(UART_LSR) & UART_LSR_DR, 0);
	cr_assert_eq(serial8250_rx_space(&uart), SERIAL8250_RX_QUEUE_SIZE);
	serial8250_receive(&uart, (const uint8_t *)"new", 3);
	cr_assert_eq(in(UART_RX), 'n');
}

Test(serial8250, receive_on_a_full_queue_accepts_part)
{
	static uint8_t big[SERIAL8250_RX_QUEUE_SIZE + 100];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);

	cr_assert_eq(serial8250_receive(&uart, big, sizeof(big)), SERIAL8250_RX_QUEUE_SIZE);
	cr_assert_eq(serial8250_rx_space(&uart), 0);
	cr_assert_eq(serial8250_receive(&uart, big, 1), 0);

	cr_assert_eq(in(UART_RX), big[0]);
	cr_assert_eq(serial8250_rx_space(&uart), 1);
	/* The caller retries with what was refused; the queue wraps. */
	cr_assert_eq(serial8250_receive(&uart, big + SERIAL8250_RX_QUEUE_SIZE, 100), 1);
	for (size_t i = 1; i <= SERIAL8250_RX_QUEUE_SIZE; i++)
		cr_assert_eq(in(UART_RX), big[i], "byte %zu", i);
	cr_assert_eq(in(UART_LSR) & UART_LSR_DR, 0);
}

Test(serial8250, empty_receive_changes_nothing)
{
	out(UART_MCR, UART_MCR_OUT2);
	out(UART_IER, UART_IER_RDI);
	cr_assert_eq(serial8250_receive(&uart, (const uint8_t *)"", 0), 0);
	cr_assert_eq(cap.irq_calls, 0);
	cr_assert_eq(in(UART_LSR) & UART_LSR_DR, 0);
	cr_assert_eq(in(UART_RX), 0, "an empty RBR reads 0");
}

Test(serial8250, odd_widths_and_offsets_stay_in_bounds)
{
	uint8_t buf[8];

	/* A 2-byte write at LCR covers LCR and MCR. */
	buf[0] = UART_LCR_WLEN8;
	buf[1] = UART_MCR_DTR;
	serial8250_io(&uart, UART_LCR, buf, 2, true);
	cr_assert_eq(in(UART_LCR), UART_LCR_WLEN8);
	cr_assert_eq(in(UART_MCR), UART_MCR_DTR);

	/* Reads running past the last register give 0xff for the rest. */
	out(UART_SCR, 0x42);
	memset(buf, 0, sizeof(buf));
	serial8250_io(&uart, UART_SCR, buf, 4, false);
	cr_assert_eq(buf[0], 0x42);
	cr_assert_eq(buf[1], 0xff);
	cr_assert_eq(buf[3], 0xff);

	/* Writes past the end are dropped, not applied to other registers. */
	memset(buf, 0x11, sizeof(buf));
	serial8250_io(&uart, UART_MSR, buf, 8, true);
	cr_assert_eq(in(UART_SCR), 0x11);
	cr_assert_eq(in(UART_LCR), UART_LCR_WLEN8);

	/* Offsets far outside, including ones where offset + len wraps. */
	const uint64_t offsets[] = { 8, 9, 0x100, UINT32_MAX, UINT64_MAX - 3, UINT64_MAX };
	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		memset(buf, 0, sizeof(buf));
		serial8250_io(&uart, offsets[i], buf, 8, false);
		for (int j = 0; j < 8; j++)
			cr_assert_eq(buf[j], 0xff, "offset %#llx byte %d",
				     (unsigned long long)offsets[i], j);
		serial8250_io(&uart, offsets[i], buf, 8, true);
	}
	cr_assert_eq(in(UART_SCR), 0x11);
	cr_assert_eq(cap.tx_len, 0);

	/* Every width at every offset: no crash, no out-of-bounds access
	 * (ASan would report it). */
	for (uint64_t off = 0; off < 10; off++)
		for (uint32_t len = 1; len <= 8; len *= 2) {
			uint8_t *p = malloc(len);
			cr_assert_not_null(p);
			serial8250_io(&uart, off, p, len, false);
			free(p);
		}
}

/* Host input on one thread while the "guest" drains it on another, as the
 * main thread and a vCPU do: nothing is lost, duplicated or reordered. */
#define STRESS_BYTES 20000

static void *feed_thread(void *arg)
{
	(void)arg;
	size_t sent = 0;
	while (sent < STRESS_BYTES) {
		uint8_t chunk[97];
		size_t n = 0;
		for (; n < sizeof(chunk) && sent + n < STRESS_BYTES; n++)
			chunk[n] = (uint8_t)((sent + n) % 251);
		size_t done = 0;
		while (done < n) {
			done += serial8250_receive(&uart, chunk + done, n - done);
			sched_yield();
		}
		sent += n;
	}
	return NULL;
}

Test(serial8250, concurrent_receive_and_guest_reads_keep_order)
{
	pthread_t t;
	out(UART_MCR, UART_MCR_OUT2);
	out(UART_IER, UART_IER_RDI | UART_IER_THRI);
	cr_assert_eq(pthread_create(&t, NULL, feed_thread, NULL), 0);
	for (size_t got = 0; got < STRESS_BYTES;) {
		if (in(UART_LSR) & UART_LSR_DR) {
			cr_assert_eq(in(UART_RX), got % 251, "byte %zu", got);
			got++;
		} else {
			/* Exercise the TX path and IIR meanwhile. */
			if (cap.tx_len < sizeof(cap.tx))
				out(UART_TX, 't');
			(void)in(UART_IIR);
			sched_yield();
		}
	}
	pthread_join(t, NULL);
	cr_assert_eq(in(UART_LSR) & UART_LSR_DR, 0);
}

/* --- serial8250_thr_deferrable: when minivmm may coalesce THR writes ------ */

Test(serial8250, thr_deferrable_follows_ier_thri)
{
	cr_assert(serial8250_thr_deferrable(&uart), "IER is 0 after reset");
	out(UART_IER, UART_IER_RDI | UART_IER_RLSI | UART_IER_MSI);
	cr_assert(serial8250_thr_deferrable(&uart), "only ETBEI matters");
	out(UART_IER, UART_IER_RDI | UART_IER_THRI);
	cr_assert_not(serial8250_thr_deferrable(&uart), "ETBEI set: THR writes raise THRE");
	out(UART_IER, UART_IER_RDI);
	cr_assert(serial8250_thr_deferrable(&uart));
	/* Reserved bits that read 0 do not count either. */
	out(UART_IER, 0xf0);
	cr_assert(serial8250_thr_deferrable(&uart));
}

Test(serial8250, thr_deferrable_ignores_dlm_writes_while_dlab_is_set)
{
	out(UART_LCR, UART_LCR_DLAB | UART_LCR_WLEN8);
	out(UART_DLM, UART_IER_THRI); /* offset 1 is DLM now, not IER */
	cr_assert(serial8250_thr_deferrable(&uart));
	out(UART_LCR, UART_LCR_WLEN8);
	out(UART_IER, UART_IER_THRI);
	out(UART_LCR, UART_LCR_DLAB | UART_LCR_WLEN8);
	out(UART_DLM, 0);
	cr_assert_not(serial8250_thr_deferrable(&uart), "IER kept ETBEI behind the latch");
	out(UART_LCR, UART_LCR_WLEN8);
	cr_assert_eq(in(UART_IER), UART_IER_THRI);
}

/* The property that makes deferring safe: while deferrable, a THR write
 * never moves the interrupt line, whatever else is enabled, in normal and in
 * loopback mode, with or without OUT2 and pending receive data. */
Test(serial8250, thr_write_never_moves_the_line_while_deferrable)
{
	const uint8_t mcrs[] = { 0, UART_MCR_OUT2, UART_MCR_LOOP | UART_MCR_OUT2, UART_MCR_LOOP };
	for (unsigned int ier = 0; ier < 16; ier++) {
		if (ier & UART_IER_THRI)
			continue;
		for (size_t m = 0; m < sizeof(mcrs); m++) {
			for (int rx = 0; rx < 2; rx++) {
				serial8250_destroy(&uart);
				setup();
				out(UART_MCR, mcrs[m]);
				out(UART_IER, (uint8_t)ier);
				if (rx)
					serial8250_receive(&uart, (const uint8_t *)"r", 1);
				cr_assert(serial8250_thr_deferrable(&uart));
				int calls = cap.irq_calls;
				for (int i = 0; i < 20; i++) /* past the loopback FIFO */
					out(UART_TX, (uint8_t)('a' + i));
				cr_assert_eq(cap.irq_calls, calls,
					     "THR write moved the line (IER %#x, MCR %#x, rx %d)", ier,
					     mcrs[m], rx);
			}
		}
	}
}

/* ... and with ETBEI set it does, which is why such writes must exit. */
Test(serial8250, thr_write_raises_the_line_when_etbei_is_set)
{
	out(UART_MCR, UART_MCR_OUT2);
	out(UART_IER, UART_IER_THRI);
	cr_assert_eq(cap.irq_level, 1);
	cr_assert_eq(in(UART_IIR) & UART_IIR_ID, UART_IIR_THRI);
	cr_assert_eq(cap.irq_level, 0, "reading IIR acknowledged THRE");
	out(UART_TX, 'x');
	cr_assert_eq(cap.irq_level, 1, "THR empty again after the write");
}
