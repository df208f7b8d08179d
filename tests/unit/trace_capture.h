/* Unit-test helper: run tracing into a temporary file and read back its
 * lines without the "[   0.000000] " time prefix. Header-only. */
#ifndef MINIVMM_TESTS_TRACE_CAPTURE_H
#define MINIVMM_TESTS_TRACE_CAPTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/trace.h"

static FILE *trace_capture_file;

static inline void trace_capture_start(unsigned mask)
{
	trace_capture_file = tmpfile();
	cr_assert_not_null(trace_capture_file);
	trace_start(mask, fileno(trace_capture_file), 0);
}

/* Stop and return the trace, each line without its time prefix, as one
 * malloc'ed string of "\n"-separated lines. */
static inline char *trace_capture_stop(void)
{
	char line[1024];
	size_t cap = 1 << 16, len = 0;
	char *all = calloc(1, cap);

	trace_stop();
	rewind(trace_capture_file);
	while (fgets(line, sizeof(line), trace_capture_file)) {
		const char *text = strstr(line, "] ");
		text = text ? text + 2 : line;
		size_t n = strlen(text);
		if (len + n + 1 > cap)
			break;
		memcpy(all + len, text, n + 1);
		len += n;
	}
	fclose(trace_capture_file);
	return all;
}

/* Each of `expected` (NULL-terminated) must be a substring of a line, in
 * this order: the lines may have others between them. */
static inline void trace_expect_in_order(const char *trace, const char *const *expected)
{
	const char *at = trace;
	for (size_t i = 0; expected[i]; i++) {
		const char *hit = strstr(at, expected[i]);
		cr_assert_not_null(hit, "trace lacks, in order, \"%s\"; trace:\n%s", expected[i],
				   trace);
		at = hit + strlen(expected[i]);
	}
}

#endif
