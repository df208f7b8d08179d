/* Errors are recorded where they happen, gain context on the way up, and
 * are printed once, by main(). Each thread has its own message buffer. */
#ifndef MINIVMM_ERROR_H
#define MINIVMM_ERROR_H

#define ERROR_MAX 512

/* Record a message; returns -1 so callers can `return error_set(...)`. */
int error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like error_set, with ": <strerror(errno)>" appended. */
int error_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prefix the recorded message with "<context>: "; returns -1. */
int error_wrap(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The recorded message ("" if none). */
const char *error_message(void);
void error_clear(void);
/* The exit status the recorded error calls for (lib/exit_status.h): set by
 * error_status() where the cause is known (no /dev/kvm, a CID in use...),
 * kept by error_wrap, reset by error_set and error_errno. Default:
 * EXIT_VMM_FAILED. */
int error_status(int exit_status);
int error_exit_status(void);

#endif
