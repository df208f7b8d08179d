#include "vmm/stop.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/log.h"

int stop_sink_init(struct stop_sink *s)
{
	*s = (struct stop_sink){ .fd = -1 };
	s->fd = eventfd(0, EFD_CLOEXEC);
	if (s->fd < 0)
		return error_errno("eventfd");
	return 0;
}

void stop_sink_close(struct stop_sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static void request(struct stop_sink *s, enum vm_stop_reason reason, int exit_status,
		    stop_detail_fn detail, void *ctx, const char *fmt, va_list ap)
{
	int expected = VM_RUNNING;
	if (!atomic_compare_exchange_strong(&s->reason, &expected, (int)reason))
		return;
	s->exit_status = exit_status;
	vsnprintf(s->message, sizeof(s->message), fmt, ap);
	if (detail)
		detail(ctx, s->detail, sizeof(s->detail));
	uint64_t one = 1;
	if (write(s->fd, &one, sizeof(one)) < 0)
		log_warn("cannot signal the main thread: %s", strerror(errno));
}

void stop_request(struct stop_sink *s, enum vm_stop_reason reason, int exit_status,
		  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	request(s, reason, exit_status, NULL, NULL, fmt, ap);
	va_end(ap);
}

void stop_request_detail(struct stop_sink *s, enum vm_stop_reason reason, int exit_status,
			 stop_detail_fn detail, void *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	request(s, reason, exit_status, detail, ctx, fmt, ap);
	va_end(ap);
}
