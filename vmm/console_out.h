/* The guest's console output on its way to stdout, without ever blocking
 * the thread that produced it.
 *
 * The UART hands each byte to console_out_put, which only appends to a
 * bounded buffer (CONSOLE_OUT_BUFFER bytes) under a mutex; a writer thread
 * of its own does the write()s. When stdout stops draining (a terminal
 * paused with Ctrl-S, a pipe nobody reads), the buffer fills and further
 * output is dropped and counted: the guest's UART never stalls, and the
 * vCPU threads and the main loop never wait for the terminal, so a signal,
 * Ctrl-A x or a dying guest always stops minivmm. When stdout fails for
 * good (EPIPE, EFBIG under RLIMIT_FSIZE, EIO), output is dropped from then
 * on. At the end, console_out_stop flushes what it can while the writer
 * makes progress and gives up on a stalled one; minivmm then says how many
 * bytes were lost (docs/robustness.md). */
#ifndef MINIVMM_VMM_CONSOLE_OUT_H
#define MINIVMM_VMM_CONSOLE_OUT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

#define CONSOLE_OUT_BUFFER (64 * 1024)
/* How long the writer lets output gather before it writes: short enough
 * for an interactive echo, long enough that a guest printing byte by byte
 * costs one wake-up per burst rather than one per byte. */
#define CONSOLE_OUT_GATHER_MS 2

struct console_out {
	int fd;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	uint8_t buf[CONSOLE_OUT_BUFFER];
	size_t head, len;       /* ring: bytes [head, head + len) wait */
	size_t inflight;        /* taken by the writer, not yet written */
	bool stopping;
	atomic_bool give_up;    /* console_out_stop stopped waiting */
	int failed_errno;       /* stdout failed for good: its errno, else 0 */
	unsigned long long written, dropped;
	pthread_t thread;
	bool running;
	bool sandbox;     /* the writer installs its seccomp filter */
	bool started;     /* the writer reported back from its set-up */
	char start_error[ERROR_MAX]; /* ... and why it cannot run, or "" */
};

/* Start the writer thread for fd (stdout); with sandbox, it confines
 * itself to its seccomp list (vmm/sandbox.h) before it writes anything,
 * and this returns only once it has. Before this, and after
 * console_out_stop, console_out_put drops (and counts) what it is given:
 * no guest runs then. */
int console_out_start(struct console_out *o, int fd, bool sandbox);
/* Queue guest output; never blocks on the terminal. Any thread. */
void console_out_put(struct console_out *o, const uint8_t *data, size_t len);
/* Write out what is queued while the writer makes progress (it gives up
 * after stall_ms without any), then stop the thread. */
void console_out_stop(struct console_out *o, int stall_ms);
/* Bytes dropped so far, and why (errno of the failure, or 0: the buffer
 * was full while stdout did not drain). */
unsigned long long console_out_dropped(struct console_out *o, int *failed_errno);

#endif
