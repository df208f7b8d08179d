/* FUZZ_CHECK: the fuzz targets' assertion. A violated property is a bug
 * libFuzzer must report like a crash, so it prints what failed and aborts
 * (libFuzzer then saves the input as crash-<sha1> in the artifact folder).
 * Unlike assert(), it cannot be compiled out by NDEBUG. */
#ifndef MINIVMM_TESTS_FUZZ_CHECK_H
#define MINIVMM_TESTS_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond, ...)                                                         \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "\nFUZZ_CHECK failed at %s:%d: %s\n  ", __FILE__,  \
				__LINE__, #cond);                                     \
			fprintf(stderr, __VA_ARGS__);                                 \
			fputc('\n', stderr);                                          \
			abort();                                                      \
		}                                                                     \
	} while (0)

#endif
