/* Why the VM stopped, written once by whichever thread stops it first,
 * read by the main thread after it is woken through `fd`. The first
 * request wins: later ones (a second vCPU crashing, a signal during the
 * shutdown) change nothing, so the message and the register dump always
 * belong to the same event. */
#ifndef MINIVMM_VMM_STOP_H
#define MINIVMM_VMM_STOP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

enum vm_stop_reason {
	VM_RUNNING = 0,
	VM_STOP_POWEROFF, /* ACPI S5 */
	VM_STOP_REBOOT,   /* i8042 reset line, cold */
	VM_STOP_QUIT,     /* Ctrl-A x on the console */
	VM_STOP_PANIC,    /* i8042 reset with the warm-reset flag set */
	VM_STOP_CRASH,    /* triple fault, entry failure, internal error */
	VM_STOP_ERROR,    /* minivmm itself failed */
	VM_STOP_SIGNAL,   /* SIGINT, SIGTERM, SIGHUP */
	VM_STOP_GUEST_VERDICT, /* the guest wrote to the exit port */
	VM_STOP_HALTED,   /* every vCPU halted with interrupts disabled */
};

struct stop_sink {
	int fd; /* eventfd: readable once the VM must stop */
	atomic_int reason;
	int exit_status;
	char message[ERROR_MAX];
	char detail[2048]; /* register dump of a crashed vCPU, or empty */
};

/* Fills the crash detail (buf of size bytes), for stop_request_detail. */
typedef void (*stop_detail_fn)(void *ctx, char *buf, size_t size);

int stop_sink_init(struct stop_sink *s);
void stop_sink_close(struct stop_sink *s);

/* Ask the VM to stop (any thread). */
void stop_request(struct stop_sink *s, enum vm_stop_reason reason, int exit_status,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same, and if this request wins, detail(ctx) writes the detail before
 * the main thread is woken. */
void stop_request_detail(struct stop_sink *s, enum vm_stop_reason reason, int exit_status,
			 stop_detail_fn detail, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static inline bool stop_requested(struct stop_sink *s)
{
	return atomic_load(&s->reason) != VM_RUNNING;
}

#endif
