/* The loading harness the kernel-file fuzz targets share (fuzz_bzimage,
 * fuzz_vmlinux): the buffers a run loads from, each run's input (the
 * 8-byte prefix of fuzz_input.h, then the file) turned into guest RAM and
 * a command line, and what every parser or loader failure, and every
 * load, must show. Header-only: each target includes it once.
 *
 * Guest RAM is one BZ_MEM_MAX buffer, allocated once and never cleared:
 * the loaders read nothing they have not written in the same run
 * (boot_params and the firmware tables clear their own areas), so stale
 * bytes are harmless, and clearing up to 64 MiB per run would cost more
 * than the run. It starts as 0xa5, not zero, so a .bss left unzeroed
 * shows. RAM of size N is the *last* N bytes of the buffer, so a write
 * past the end of guest RAM runs into the allocation's redzone and ASan
 * reports it. */
#ifndef MINIVMM_TESTS_FUZZ_BOOT_H
#define MINIVMM_TESTS_FUZZ_BOOT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "fuzz_input.h"
#include "lib/error.h"
#include "lib/guest_memory.h"
#include "lib/log.h"

static uint8_t *ram_buf;    /* BZ_MEM_MAX bytes */
static uint8_t *initrd_buf; /* BZ_INITRD_MAX bytes of a known pattern */
static char *cmdline_buf;   /* BZ_CMDLINE_MOD - 1 letters, then a NUL */

/* From LLVMFuzzerInitialize. */
static inline void fuzz_boot_init(void)
{
	ram_buf = malloc(BZ_MEM_MAX);
	initrd_buf = malloc(BZ_INITRD_MAX);
	cmdline_buf = malloc(BZ_CMDLINE_MOD);
	FUZZ_CHECK(ram_buf && initrd_buf && cmdline_buf, "out of memory");
	memset(ram_buf, 0xa5, BZ_MEM_MAX);
	for (size_t i = 0; i < BZ_INITRD_MAX; i++)
		initrd_buf[i] = (uint8_t)(i * 31 + 7);
	for (size_t i = 0; i + 1 < BZ_CMDLINE_MOD; i++)
		cmdline_buf[i] = (char)('a' + i % 26);
	cmdline_buf[BZ_CMDLINE_MOD - 1] = '\0';
}

/* One run's set-up: the prefix taken off the input into *p, guest RAM of
 * its size in *mem, and the command line to add (NULL: none; the string
 * ends at the end of its allocation, so an overread shows). */
static inline const char *fuzz_boot_input(const uint8_t **data, size_t *size,
					  struct bz_params *p, struct guest_memory *mem)
{
	uint8_t prefix[BZ_PREFIX_SIZE];

	fuzz_take(data, size, prefix, sizeof(prefix));
	bz_decode_prefix(prefix, p);
	guest_memory_layout(mem, p->mem_size);
	mem->host = ram_buf + (BZ_MEM_MAX - p->mem_size);
	return p->has_cmdline ? cmdline_buf + (BZ_CMDLINE_MOD - 1 - p->cmdline_len) : NULL;
}

/* After `parser` refused the file: it said why, and left its output
 * (n bytes at out) as it was before the call (n bytes at before). */
static inline void fuzz_boot_parse_failed(const char *parser, const void *out,
					  const void *before, size_t n)
{
	log_info("parse: %s", error_message());
	FUZZ_CHECK(error_message()[0] != '\0', "%s failed without a message", parser);
	FUZZ_CHECK(memcmp(out, before, n) == 0, "%s changed its output and failed", parser);
}

/* After `loader` returned rc for the run *p: true when it loaded (and
 * for a vCPU count in range), false when it refused, saying why. */
static inline bool fuzz_boot_loaded(const char *loader, int rc, const struct bz_params *p)
{
	if (rc < 0) {
		log_info("load (%llu bytes of RAM, %d vCPUs): %s", (unsigned long long)p->mem_size,
			 p->ncpus, error_message());
		FUZZ_CHECK(error_message()[0] != '\0', "%s failed without a message", loader);
		return false;
	}
	FUZZ_CHECK(rc == 0, "%s returned %d", loader, rc);
	FUZZ_CHECK(p->ncpus >= 1 && p->ncpus <= MPTABLE_MAX_CPUS, "loaded with %d vCPUs",
		   p->ncpus);
	return true;
}

#endif
