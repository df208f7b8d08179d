/* A command running under a pseudo-terminal, as if a user had started it in
 * a terminal window: it gets a fresh session with the pty as its controlling
 * terminal, so isatty(0) is true and it may switch the terminal to raw mode.
 * Everything it prints is collected in memory and copied to a log file.
 */
#ifndef MINIVMM_TESTS_BOOT_PTY_CHILD_H
#define MINIVMM_TESTS_BOOT_PTY_CHILD_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

struct pty_child {
	pid_t pid;          /* also its process group and session id */
	int master;         /* our end of the terminal, non-blocking */
	bool exited;        /* reaped; `status` is valid */
	int status;         /* from waitpid() */
	bool eof;           /* the terminal was closed by every process on it */
	char *out;          /* everything read from the terminal so far */
	size_t out_len, out_cap;
	FILE *log;          /* copy of `out`, may be NULL */
};

/* Run `/bin/sh -c "exec COMMAND"` under a new pty. Returns -1 with errno on
 * failure to set it up (the command not existing shows up as exit 127). */
int pty_child_spawn(struct pty_child *c, const char *command, FILE *log);

/* Read output and reap the child until `deadline` (CLOCK_MONOTONIC seconds)
 * or until `stop(c, arg)` becomes true, whichever is first. Returns true if
 * `stop` became true. */
bool pty_child_wait(struct pty_child *c, double deadline,
		    bool (*stop)(struct pty_child *c, void *arg), void *arg);

/* Write all of buf to the terminal, reading output meanwhile so that a
 * child that is itself blocked on writing cannot deadlock us. */
int pty_child_send(struct pty_child *c, const char *buf, size_t len, double deadline);

/* Kill the child's whole process group (if still running), reap it and
 * close the terminal. Safe to call twice. */
void pty_child_finish(struct pty_child *c);

double monotonic_now(void);

#endif
