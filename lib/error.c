#include "lib/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/exit_status.h"

static _Thread_local char message[ERROR_MAX];
static _Thread_local int status; /* 0: not classified */

/* message = a + ": " + b, truncated to fit. */
static void join(const char *a, const char *b)
{
	char out[ERROR_MAX];
	size_t n = 0;
	for (const char *parts[] = { a, ": ", b }, **p = parts; p < parts + 3; p++)
		for (const char *c = *p; *c && n + 1 < sizeof(out); c++)
			out[n++] = *c;
	out[n] = '\0';
	memcpy(message, out, n + 1);
}

int error_set(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	status = 0;
	return -1;
}

int error_errno(const char *fmt, ...)
{
	int saved = errno;
	char what[ERROR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	join(what, strerror(saved));
	status = 0;
	errno = saved;
	return -1;
}

int error_wrap(const char *fmt, ...)
{
	char context[ERROR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
	join(context, message);
	return -1;
}

const char *error_message(void)
{
	return message;
}

void error_clear(void)
{
	message[0] = '\0';
	status = 0;
}

int error_status(int exit_status)
{
	status = exit_status;
	return -1;
}

int error_exit_status(void)
{
	return status ? status : EXIT_VMM_FAILED;
}
