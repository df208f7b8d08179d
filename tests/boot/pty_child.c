#include "pty_child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* How long to keep polling between checks for the child's exit: a child
 * that exits while a grandchild still holds the terminal gives no EOF. */
#define POLL_SLICE_MS 50
/* After the child exits, output it wrote just before may still be queued. */
#define DRAIN_AFTER_EXIT_S 0.5
/* The master may report the terminal closed (EIO) before the last bytes
 * the child wrote can be read: seen on the build machines' kernel, where a
 * line echoed just before exit came after it (tests/boot/selftest-bootrun.sh,
 * "pass-number"). So after the child exited, EIO counts as the end only
 * once reads stayed empty this long. */
#define EOF_SETTLE_S 0.1
#define SETTLE_POLL_MS 10

double monotonic_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void append(struct pty_child *c, const char *buf, size_t len)
{
	if (c->out_len + len + 1 > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 65536;
		while (cap < c->out_len + len + 1)
			cap *= 2;
		char *grown = realloc(c->out, cap);
		if (!grown)
			return; /* keep what we have; the log file still gets it */
		c->out = grown;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, buf, len);
	c->out_len += len;
	c->out[c->out_len] = '\0';
	if (c->log) {
		fwrite(buf, 1, len, c->log);
		fflush(c->log);
	}
}

static void child_exec(const char *slave_name, const char *command)
{
	/* A new session whose controlling terminal is the pty (the first tty
	 * a session leader opens becomes its controlling terminal). */
	if (setsid() < 0)
		_exit(126);
	int fd = open(slave_name, O_RDWR);
	if (fd < 0)
		_exit(126);
	ioctl(fd, TIOCSCTTY, 0);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	signal(SIGPIPE, SIG_DFL);
	size_t len = strlen(command) + sizeof("exec ");
	char *script = malloc(len);
	if (!script)
		_exit(126);
	snprintf(script, len, "exec %s", command);
	execl("/bin/sh", "sh", "-c", script, (char *)NULL);
	_exit(127);
}

int pty_child_spawn(struct pty_child *c, const char *command, FILE *log)
{
	*c = (struct pty_child){ .pid = -1, .master = -1, .log = log };
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return -1;
	char slave_name[128];
	if (grantpt(m) < 0 || unlockpt(m) < 0 ||
	    ptsname_r(m, slave_name, sizeof(slave_name)) != 0)
		goto fail;
	/* A terminal of the usual size, so full-screen output behaves. */
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	ioctl(m, TIOCSWINSZ, &ws);
	pid_t pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0)
		child_exec(slave_name, command);
	fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
	c->pid = pid;
	c->master = m;
	return 0;
fail: {
	int saved = errno;
	close(m);
	errno = saved;
	return -1;
}
}

static void reap(struct pty_child *c)
{
	if (c->exited || c->pid < 0)
		return;
	int status;
	pid_t r = waitpid(c->pid, &status, WNOHANG);
	if (r == c->pid) {
		c->exited = true;
		c->status = status;
	}
}

/* Read whatever is available without blocking; sets eof when the last
 * process closed the terminal (the master then reads EIO). */
static void read_available(struct pty_child *c)
{
	char buf[4096];
	while (!c->eof) {
		ssize_t n = read(c->master, buf, sizeof(buf));
		if (n > 0) {
			append(c, buf, (size_t)n);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		c->eof = true;
	}
}

bool pty_child_wait(struct pty_child *c, double deadline,
		    bool (*stop)(struct pty_child *c, void *arg), void *arg)
{
	double exit_seen = 0, eof_seen = 0;
	size_t len_at_eof = 0;
	for (;;) {
		read_available(c);
		reap(c);
		if (stop && stop(c, arg))
			return true;
		double now = monotonic_now();
		if (c->exited) {
			/* Give output still queued in the terminal a moment. */
			if (exit_seen == 0)
				exit_seen = now;
			if (c->eof && (eof_seen == 0 || c->out_len != len_at_eof)) {
				eof_seen = now;
				len_at_eof = c->out_len;
			}
			if (c->eof && now - eof_seen >= EOF_SETTLE_S)
				return stop == NULL;
			if (now - exit_seen >= DRAIN_AFTER_EXIT_S && !c->eof)
				return stop == NULL;
			/* Read again after EIO until it has settled. */
			c->eof = false;
		}
		if (now >= deadline)
			return false;
		int ms = (int)((deadline - now) * 1000) + 1;
		if (ms > POLL_SLICE_MS)
			ms = POLL_SLICE_MS;
		struct pollfd pfd = { .fd = c->master, .events = POLLIN };
		if (c->eof)
			poll(NULL, 0, ms);
		else if (eof_seen != 0) /* a closed master polls ready at once */
			poll(NULL, 0, ms < SETTLE_POLL_MS ? ms : SETTLE_POLL_MS);
		else
			poll(&pfd, 1, ms);
	}
}

int pty_child_send(struct pty_child *c, const char *buf, size_t len, double deadline)
{
	while (len > 0) {
		ssize_t n = write(c->master, buf, len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		read_available(c);
		if (monotonic_now() >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		struct pollfd pfd = { .fd = c->master, .events = POLLOUT };
		poll(&pfd, 1, POLL_SLICE_MS);
	}
	return 0;
}

void pty_child_finish(struct pty_child *c)
{
	if (c->pid > 0) {
		/* The whole group: the child may have started helpers. */
		kill(-c->pid, SIGKILL);
		if (!c->exited) {
			kill(c->pid, SIGKILL);
			if (waitpid(c->pid, &c->status, 0) == c->pid)
				c->exited = true;
		}
		c->pid = -1;
	}
	if (c->master >= 0) {
		read_available(c);
		close(c->master);
		c->master = -1;
	}
}
