/* A vhost-user backend process that minivmm starts itself (virtiofsd for
 * --share): in a private directory that holds its socket and its log,
 * started before the guest boots, stopped and cleaned up when the VM ends.
 *
 * It can never outlive minivmm: it gets SIGKILL when minivmm's main
 * thread dies (PR_SET_PDEATHSIG), whatever the way minivmm ends, and it
 * runs in its own process group so a Ctrl-C meant for the console does
 * not reach it. Its output goes to the log, which minivmm prints when the
 * backend fails to start. */
#ifndef MINIVMM_VMM_BACKEND_DAEMON_H
#define MINIVMM_VMM_BACKEND_DAEMON_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#define BACKEND_DAEMON_ARGS_MAX 16

struct backend_daemon {
	pid_t pid; /* 0 when not running */
	int pidfd; /* signals reach this child only through it; -1 when none */
	int log_fd; /* the log, open for reading from the start: after set-up
		     * the sandbox allows no open(2); -1 when none */
	char name[32]; /* "virtiofsd for fs0" style, for messages */
	char dir[64];  /* the private directory, "" when none */
	char socket[108];
	char log[128];
};

/* Create the private directory under $TMPDIR (or /tmp) and fill in
 * socket (DIR/SOCKNAME) and log (DIR/LOGNAME). */
int backend_daemon_prepare(struct backend_daemon *d, const char *name, const char *sockname,
			   const char *logname);
/* Start argv[0] (a path) with argv; wait up to wait_ms for it to listen
 * on d->socket. A backend that exits first, or never listens, is an error
 * that quotes the end of its log. */
int backend_daemon_start(struct backend_daemon *d, char *const argv[], unsigned wait_ms);
/* Before minivmm lets go of it: if it already ended on its own, say how
 * and print the end of its log (it would go with the directory). */
void backend_daemon_check(struct backend_daemon *d);
/* Stop it (SIGTERM, then SIGKILL after a grace period), reap it, and
 * remove the socket, the log and the directory. Safe to call twice. */
void backend_daemon_stop(struct backend_daemon *d);

#endif
