#include "lib/log.h"

#include <stdarg.h>
#include <stdio.h>

bool log_debug_enabled;

void log_msg(const char *level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One fprintf per line so lines from different threads do not mix. */
	if (level)
		fprintf(stderr, "minivmm: %s: %s\r\n", level, line);
	else
		fprintf(stderr, "minivmm: %s\r\n", line);
}
