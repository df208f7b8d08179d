#include "vmm/event_loop.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/exit_status.h"
#include "vmm/console_escape.h"

/* Host input: the console escape (Ctrl-A x) first, the rest to the UART. */
static void forward_input(struct event_loop *loop, struct console_escape *esc, bool *stdin_open)
{
	struct serial8250 *uart = &loop->board->serial;
	uint8_t in[256], out[CONSOLE_ESCAPE_OUT_MAX(sizeof(in))];
	/* Read no more than the UART can take (the escape parser may hand
	 * back one byte more than it was given): the rest waits in the tty. */
	size_t space = serial8250_rx_space(uart);
	if (space < 2)
		return;
	ssize_t n = console_read(loop->console, in, space - 1 < sizeof(in) ? space - 1 : sizeof(in));
	if (loop->console->eof || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		*stdin_open = false; /* end of input: the guest runs on without it */
		return;
	}
	if (n <= 0)
		return;
	enum console_escape_action action;
	size_t len = console_escape_feed(esc, in, (size_t)n, out, &action);
	if (len)
		serial8250_receive(uart, out, len);
	if (action == CONSOLE_ACTION_QUIT)
		stop_request(loop->stop, VM_STOP_QUIT, 0, "quit from the console (Ctrl-A x)");
	else if (action == CONSOLE_ACTION_HELP)
		fputs(console_escape_help, stderr);
}

void event_loop_run(struct event_loop *loop)
{
	struct console_escape esc;
	console_escape_init(&esc);
	bool stdin_open = true;
	struct coalesced_io *coalesced = &loop->board->coalesced;
	int halt_timeout = -1;
	halt_watch_tick(loop->halt, clock_now_ns(), false, false, &halt_timeout);

	while (!stop_requested(loop->stop)) {
		loop->wakeups++;
		bool rx_full = serial8250_rx_space(&loop->board->serial) < 2;
		struct pollfd fds[6 + CLI_VHOST_USER_MAX] = {
			{ .fd = loop->stop->fd, .events = POLLIN },
			{ .fd = loop->signal_fd, .events = POLLIN },
			{ .fd = coalesced_io_wake_fd(coalesced), .events = POLLIN },
			/* poll skips a negative fd */
			{ .fd = stdin_open && !rx_full ? loop->console->in_fd : -1, .events = POLLIN },
			{ .fd = loop->halt->wake_fd, .events = POLLIN },
			{ .fd = loop->halt->answer_fd, .events = POLLIN },
		};
		/* events 0: only POLLHUP/POLLERR. The replies on these sockets
		 * belong to the vCPU thread that asked; a hang-up is news. */
		for (size_t i = 0; i < loop->nwatches; i++)
			fds[6 + i] = (struct pollfd){ .fd = loop->watches[i].fd, .events = 0 };
		/* With the UART queue full, look again shortly: the guest drains it. */
		int timeout = stdin_open && rx_full ? 10 : -1;
		/* Deferred UART output of a guest that stopped exiting. */
		int drain = coalesced_io_poll_timeout(coalesced);
		if (drain >= 0 && (timeout < 0 || drain < timeout))
			timeout = drain;
		if (halt_timeout >= 0 && (timeout < 0 || halt_timeout < timeout))
			timeout = halt_timeout;
		if (poll(fds, 6 + loop->nwatches, timeout) < 0) {
			if (errno == EINTR)
				continue;
			stop_request(loop->stop, VM_STOP_ERROR, EXIT_VMM_FAILED, "poll: %s", strerror(errno));
			break;
		}
		if (fds[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			bool got = read(loop->signal_fd, &si, sizeof(si)) == sizeof(si);
			if (got && si.ssi_signo == SIGUSR2 && loop->dump_vcpus)
				loop->dump_vcpus(loop->ctx);
			else if (got)
				stop_request(loop->stop, VM_STOP_SIGNAL, 128 + (int)si.ssi_signo,
					     "stopped by signal %s", strsignal((int)si.ssi_signo));
		}
		if (fds[2].revents & POLLIN)
			coalesced_io_consume_wake(coalesced);
		for (size_t i = 0; i < loop->nwatches; i++)
			if (fds[6 + i].revents & (POLLHUP | POLLERR))
				stop_request(loop->stop, VM_STOP_ERROR, EXIT_VMM_FAILED,
					     "%s hung up: the backend exited or closed the "
					     "connection, so its device cannot work; the VM is "
					     "stopped (see the backend's own log for why)",
					     loop->watches[i].what);
		if (fds[3].revents & (POLLIN | POLLHUP | POLLERR))
			forward_input(loop, &esc, &stdin_open);
		if (halt_watch_tick(loop->halt, clock_now_ns(), fds[4].revents & POLLIN,
				    fds[5].revents & POLLIN, &halt_timeout) == HALT_DEAD)
			stop_request(loop->stop, VM_STOP_HALTED, EXIT_GUEST_HALTED,
				     "the guest halted for good: every vCPU is halted with "
				     "interrupts disabled, so nothing can wake it (Linux's halt, or "
				     "poweroff in a kernel without ACPI); seen %.1f s after its last "
				     "exit",
				     (double)(clock_now_ns() - loop->halt->last_exit_ns) / 1e9);
	}
}
