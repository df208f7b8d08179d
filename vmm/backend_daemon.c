#include "vmm/backend_daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/error.h"
#include "lib/log.h"

#define STOP_GRACE_MS 3000

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

int backend_daemon_prepare(struct backend_daemon *d, const char *name, const char *sockname,
			   const char *logname)
{
	*d = (struct backend_daemon){ .pidfd = -1, .log_fd = -1 };
	snprintf(d->name, sizeof(d->name), "%s", name);
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp || strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(d->dir, sizeof(d->dir), "%s/minivmm-XXXXXX", tmp);
	if (!mkdtemp(d->dir)) {
		int err = errno;
		d->dir[0] = '\0';
		errno = err;
		return error_errno("%s: cannot create a private directory in %s", name, tmp);
	}
	snprintf(d->socket, sizeof(d->socket), "%s/%s", d->dir, sockname);
	snprintf(d->log, sizeof(d->log), "%s/%s", d->dir, logname);
	return 0;
}

/* The end of the log, for an error message: read through the descriptor
 * kept since start-up with pread alone (the main thread's sandbox allows
 * no open or lseek), keeping the last size - 1 bytes. */
static void log_tail(const struct backend_daemon *d, char *out, size_t size)
{
	out[0] = '\0';
	if (d->log_fd < 0)
		return;
	char chunk[512];
	size_t have = 0;
	off_t off = 0;
	for (;;) {
		ssize_t n = pread(d->log_fd, chunk, sizeof(chunk), off);
		if (n <= 0)
			break;
		off += n;
		for (ssize_t i = 0; i < n; i++) {
			if (have == size - 1) {
				memmove(out, out + 1, size - 2);
				have--;
			}
			out[have++] = chunk[i];
		}
	}
	out[have] = '\0';
	while (have > 0 && (out[have - 1] == '\n' || out[have - 1] == ' '))
		out[--have] = '\0';
}

/* Whether the backend has bound its socket. Not probed with a connection:
 * virtiofsd serves exactly one frontend and exits when it goes away.
 * Between its bind and its listen a connection is refused, which the
 * vhost-user carrier retries. */
static bool socket_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* In the child: its own process group, killed with minivmm, output to
 * the log, no stdin. Only async-signal-safe calls until exec. */
static void child(const struct backend_daemon *d, char *const argv[], pid_t parent)
{
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127); /* minivmm died before the line above */
	int in = open("/dev/null", O_RDONLY);
	int out = open(d->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	execv(argv[0], argv);
	static const char msg[] = "minivmm: cannot execute the backend\n";
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(127);
}

static void describe_exit(int status, char *out, size_t size)
{
	if (WIFEXITED(status))
		snprintf(out, size, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(out, size, "was killed by %s", strsignal(WTERMSIG(status)));
	else
		snprintf(out, size, "stopped");
}

int backend_daemon_start(struct backend_daemon *d, char *const argv[], unsigned wait_ms)
{
	if (access(argv[0], X_OK) < 0)
		return error_errno("%s: cannot run %s", d->name, argv[0]);
	/* The log exists before the child writes to it, and minivmm keeps a
	 * descriptor to read it later. */
	int created = open(d->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (created >= 0)
		close(created);
	d->log_fd = open(d->log, O_RDONLY | O_CLOEXEC);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return error_errno("%s: fork", d->name);
	if (pid == 0)
		child(d, argv, parent);
	d->pid = pid;
	/* A pidfd names this child for good (no pid reuse), and lets the
	 * sandbox allow signals without allowing kill(2). */
	d->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (d->pidfd < 0) {
		error_errno("%s: pidfd_open", d->name);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		d->pid = 0;
		return -1;
	}
	uint64_t deadline = clock_now_ns() + (uint64_t)wait_ms * 1000000;
	char tail[400];
	for (;;) {
		int status;
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid) {
			char how[64];
			d->pid = 0;
			describe_exit(status, how, sizeof(how));
			log_tail(d, tail, sizeof(tail));
			return error_set("%s %s before it listened on %s; its log says: %s", d->name,
					 how, d->socket, tail[0] ? tail : "(nothing)");
		}
		if (socket_exists(d->socket))
			return 0;
		if (clock_now_ns() >= deadline) {
			log_tail(d, tail, sizeof(tail));
			return error_set("%s did not listen on %s within %u s; its log says: %s",
					 d->name, d->socket, wait_ms / 1000, tail[0] ? tail : "(nothing)");
		}
		sleep_ms(20);
	}
}

static int send_signal(const struct backend_daemon *d, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, d->pidfd, sig, NULL, 0);
}

void backend_daemon_check(struct backend_daemon *d)
{
	int status;
	if (d->pid > 0 && waitpid(d->pid, &status, WNOHANG) == d->pid) {
		/* It ended before minivmm asked it to: its log is the best clue,
		 * and the directory holding it is about to go. */
		char how[64], tail[400];
		describe_exit(status, how, sizeof(how));
		log_tail(d, tail, sizeof(tail));
		log_warn("%s %s while the VM ran; its log says: %s", d->name, how,
			 tail[0] ? tail : "(nothing)");
		d->pid = 0;
	}
}

void backend_daemon_stop(struct backend_daemon *d)
{
	int status;
	if (d->pid > 0) {
		send_signal(d, SIGTERM);
		pid_t r = 0;
		for (int waited = 0; waited < STOP_GRACE_MS; waited += 20) {
			r = waitpid(d->pid, &status, WNOHANG);
			if (r != 0)
				break;
			sleep_ms(20);
		}
		if (r == 0) {
			log_warn("%s did not stop within %d ms of SIGTERM; killing it", d->name,
				 STOP_GRACE_MS);
			/* After --user, minivmm may no longer signal a backend
			 * started as root: then it goes when minivmm exits (its
			 * PR_SET_PDEATHSIG), and waiting for it would hang. */
			if (send_signal(d, SIGKILL) == 0)
				waitpid(d->pid, &status, 0);
			else
				log_warn("%s (pid %d): %s; it ends when minivmm exits", d->name,
					 (int)d->pid, strerror(errno));
		}
		d->pid = 0;
	}
	if (d->pidfd >= 0)
		close(d->pidfd);
	d->pidfd = -1;
	if (d->log_fd >= 0)
		close(d->log_fd);
	d->log_fd = -1;
	if (d->dir[0]) {
		unlink(d->socket);
		unlink(d->log);
		rmdir(d->dir);
		d->dir[0] = '\0';
	}
}
