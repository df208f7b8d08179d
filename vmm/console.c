#include "vmm/console.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"

/* Raw input as in termios(3) "Raw mode", except that OPOST and the
 * character size are left alone, so stray host messages still print; ONLCR
 * is turned off because the guest's tty already sends "\r\n":
 *   ISIG    Ctrl-C/Ctrl-Z/Ctrl-\ go to the guest, not to minivmm
 *   ICANON  bytes arrive as typed, not a line at a time
 *   ECHO    the guest echoes, not the host tty
 *   IEXTEN  Ctrl-V and friends go to the guest
 *   IXON    Ctrl-S/Ctrl-Q go to the guest (no host flow control)
 *   ICRNL   Enter stays CR; the guest's tty maps it as it likes */
static void make_raw(struct termios *t)
{
	t->c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
				  ICRNL | IXON);
	t->c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t->c_oflag &= ~(tcflag_t)ONLCR;
	t->c_cc[VMIN] = 1;
	t->c_cc[VTIME] = 0;
}

int console_open(struct console *c)
{
	struct termios raw;

	memset(c, 0, sizeof(*c));
	c->in_fd = STDIN_FILENO;
	if (!isatty(c->in_fd))
		return 0;
	if (tcgetattr(c->in_fd, &c->saved) < 0)
		return error_errno("console: cannot read the terminal settings of stdin");
	raw = c->saved;
	make_raw(&raw);
	if (tcsetattr(c->in_fd, TCSANOW, &raw) < 0)
		return error_errno("console: cannot put stdin in raw mode");
	c->raw = 1;
	return 0;
}

void console_restore(struct console *c)
{
	int saved_errno = errno; /* may run inside a signal handler */

	/* TCSANOW rather than TCSADRAIN: a handler must not wait for a
	 * stalled terminal to drain. Clearing `raw` afterwards makes a
	 * second call (atexit after a normal restore) a no-op. */
	if (c->raw) {
		tcsetattr(c->in_fd, TCSANOW, &c->saved);
		c->raw = 0;
	}
	errno = saved_errno;
}

ssize_t console_read(struct console *c, uint8_t *buf, size_t len)
{
	struct pollfd pfd = { .fd = c->in_fd, .events = POLLIN };
	ssize_t n;

	if (c->eof || len == 0)
		return 0;
	for (;;) {
		int ready = poll(&pfd, 1, 0);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0)
			return error_errno("console: poll on stdin");
		if (ready == 0)
			return 0;
		/* POLLNVAL: stdin was closed (e.g. started with <&-); treat it
		 * as no input rather than spinning on it. */
		if (pfd.revents & POLLNVAL) {
			c->eof = true;
			return 0;
		}
		n = read(c->in_fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return error_errno("console: read from stdin");
		if (n == 0)
			c->eof = true;
		return n;
	}
}

/* The console a fatal signal must restore; set once, before any thread
 * that could die starts. */
static struct console *fatal_console;

static void fatal_handler(int sig)
{
	if (fatal_console)
		console_restore(fatal_console);
	/* SA_RESETHAND put the default action back: die of the same signal. */
	raise(sig);
}

int console_restore_on_fatal_signals(struct console *c)
{
	static const int fatal[] = { SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGFPE,
				     SIGABRT, SIGTRAP, SIGXCPU, SIGSYS };
	struct sigaction sa = { .sa_handler = fatal_handler,
				.sa_flags = SA_RESETHAND | SA_NODEFER };
	sigemptyset(&sa.sa_mask);
	fatal_console = c;
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		if (sigaction(fatal[i], &sa, NULL) < 0)
			return error_errno("sigaction %d", fatal[i]);
	return 0;
}
