/* The host terminal as the guest's serial console. When stdin is a tty it
 * is put in raw mode, so every key (Ctrl-C, Ctrl-Z, Ctrl-S, ...) reaches
 * the guest instead of acting on minivmm; output processing stays on so
 * minivmm's own "\r\n"-terminated messages still print correctly. The
 * old settings come back in console_restore, which is also safe to call
 * from an atexit handler or a fatal-signal handler.
 *
 * stdin is not made non-blocking (O_NONBLOCK would be shared with the
 * shell and with stdout/stderr on the same tty); console_read polls with
 * a zero timeout instead, so it never blocks either. */
#ifndef MINIVMM_CONSOLE_H
#define MINIVMM_CONSOLE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <termios.h>

struct console {
	int in_fd;                    /* STDIN_FILENO; poll it for input */
	bool eof;                     /* stdin reached end of input */
	volatile sig_atomic_t raw;    /* `saved` must be restored */
	struct termios saved;
};

/* Take over stdin: raw mode if it is a tty, nothing to change otherwise.
 * Returns 0, or -1 with the error set if the tty cannot be configured. */
int console_open(struct console *c);

/* Put the terminal back as console_open found it. Idempotent and
 * async-signal-safe (only tcsetattr); does nothing if nothing changed. */
void console_restore(struct console *c);

/* Restore the terminal before minivmm dies of a signal it does not
 * otherwise handle (SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
 * SIGTRAP, SIGXCPU, SIGSYS): the handler puts c's saved settings back and
 * re-raises the signal with its default action, so the exit status and a
 * core dump stay as they would be. 0, or -1 with the error set. */
int console_restore_on_fatal_signals(struct console *c);

/* Read what stdin has now, without blocking. Returns the number of bytes
 * read, 0 if there is nothing (then c->eof tells whether input has ended,
 * after which stdin should no longer be polled), or -1 with the error set
 * on a read error. */
ssize_t console_read(struct console *c, uint8_t *buf, size_t len);

#endif
