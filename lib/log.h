/* Diagnostics on stderr. log_debug prints only with --debug. Lines end in
 * "\r\n" so they stay readable while the terminal is in raw mode. */
#ifndef MINIVMM_LOG_H
#define MINIVMM_LOG_H

#include <stdbool.h>

extern bool log_debug_enabled;

void log_msg(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_warn(...) log_msg("warning", __VA_ARGS__)
#define log_info(...) log_msg(NULL, __VA_ARGS__)
#define log_debug(...)                                                        \
	do {                                                                  \
		if (log_debug_enabled)                                        \
			log_msg("debug", __VA_ARGS__);                        \
	} while (0)

#endif
