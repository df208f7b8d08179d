/* vmm/log.c for the fuzz targets, which link this instead. A hostile input
 * makes the devices log on almost every run (each kind of violation once
 * per fresh device), and printing that would cost more than the run
 * itself and bury libFuzzer's own report. So every message is still
 * formatted, which keeps format strings and their arguments under ASan and
 * UBSan, and debug messages are enabled so that their arguments are
 * evaluated too; but nothing is printed unless MINIVMM_FUZZ_LOG is set in
 * the environment (useful when replaying one crashing input). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/log.h"

bool log_debug_enabled = true;

void log_msg(const char *level, const char *fmt, ...)
{
	static int print = -1;
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (print < 0)
		print = getenv("MINIVMM_FUZZ_LOG") != NULL;
	if (print)
		fprintf(stderr, "minivmm: %s: %s\n", level ? level : "info", line);
}
