/* libFuzzer target: the ELF vmlinux parser and the PVH loader on hostile
 * kernel files. The input is the 8-byte prefix of fuzz_bzimage (guest RAM
 * size, vCPU count, initrd and command line sizes: fuzz_input.h) followed
 * by the file, which goes to vmlinux_parse; whatever parses is loaded by
 * boot_load_pvh into guest RAM of the chosen size. Besides crashes, ASan
 * and UBSan reports, it aborts when a promise of boot/vmlinux.h or
 * boot/loader_pvh.h is broken: a segment pointing outside the file, or
 * overlapping another, an entry outside the segments, a segment loaded
 * below 1 MiB or past RAM, its bytes or its .bss wrong in guest RAM, an
 * initrd on the kernel, an hvm_start_info that does not describe what was
 * loaded. Guest RAM and the rest of the harness, shared with fuzz_bzimage:
 * fuzz_boot.h. */
#include <stdint.h>
#include <string.h>

#include "boot/cmdline.h"
#include "boot/e820.h"
#include "boot/loader_pvh.h"
#include "boot/pvh.h"
#include "boot/vmlinux.h"
#include "fuzz_boot.h"
#include "fuzz_check.h"
#include "fuzz_input.h"
#include "lib/error.h"
#include "lib/log.h"
#include "lib/platform.h"

#define PAGE_SIZE 4096u
/* .bss is checked at its two ends: zeroing it whole is the loader's job,
 * reading up to 64 MiB back per run would be the fuzzer's whole time. */
#define BSS_PROBE 4096u

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_boot_init();
	return 0;
}

/* vmlinux.h: segments inside the file, sorted, apart, and the entry in
 * one of them. */
static void check_parsed(const struct vmlinux *k, const uint8_t *file, size_t size)
{
	FUZZ_CHECK(k->nseg >= 1 && k->nseg <= VMLINUX_MAX_SEGMENTS, "%u segments", k->nseg);
	bool entry_inside = false;

	for (unsigned i = 0; i < k->nseg; i++) {
		const struct vmlinux_segment *s = &k->seg[i];

		FUZZ_CHECK(s->memsz > 0 && s->filesz <= s->memsz, "segment %u: %llu of %llu bytes",
			   i, (unsigned long long)s->filesz, (unsigned long long)s->memsz);
		FUZZ_CHECK(s->data >= file && (size_t)(s->data - file) <= size &&
				   s->filesz <= size - (size_t)(s->data - file),
			   "segment %u outside the %zu-byte file", i, size);
		FUZZ_CHECK(s->paddr + s->memsz > s->paddr, "segment %u wraps", i);
		if (i > 0)
			FUZZ_CHECK(k->seg[i - 1].paddr + k->seg[i - 1].memsz <= s->paddr,
				   "segments %u and %u overlap or are out of order", i - 1, i);
		entry_inside |= k->pvh_entry >= s->paddr && k->pvh_entry - s->paddr < s->filesz;
	}
	FUZZ_CHECK(entry_inside, "entry 0x%x outside the segments' file bytes", k->pvh_entry);
	FUZZ_CHECK(k->start == k->seg[0].paddr &&
			   k->end == k->seg[k->nseg - 1].paddr + k->seg[k->nseg - 1].memsz,
		   "start/end do not match the segments");
}

static void check_segments(const struct guest_memory *mem, const struct vmlinux *k)
{
	for (unsigned i = 0; i < k->nseg; i++) {
		const struct vmlinux_segment *s = &k->seg[i];
		const uint8_t *g = guest_memory_ptr(mem, s->paddr, s->memsz);
		uint64_t zeroes = s->memsz - s->filesz, probe = zeroes < BSS_PROBE ? zeroes : BSS_PROBE;

		FUZZ_CHECK(s->paddr >= HIGH_MEMORY_START && g != NULL &&
				   s->paddr + s->memsz <= mem->low_size,
			   "segment 0x%llx +%llu loaded outside RAM above 1 MiB",
			   (unsigned long long)s->paddr, (unsigned long long)s->memsz);
		FUZZ_CHECK(memcmp(g, s->data, s->filesz) == 0, "segment %u's bytes differ", i);
		for (uint64_t j = 0; j < probe; j++)
			FUZZ_CHECK(g[s->filesz + j] == 0 && g[s->memsz - 1 - j] == 0,
				   "segment %u's .bss not zeroed", i);
	}
}

static bool memmap_covers(const struct guest_memory *mem, const struct pvh_start_info *si,
			  uint64_t start, uint64_t end)
{
	const struct pvh_memmap_entry *map =
		guest_memory_ptr(mem, si->memmap_paddr, si->memmap_entries * sizeof(*map));

	for (uint32_t i = 0; map && i < si->memmap_entries; i++)
		if (map[i].type == E820_TYPE_RAM && start >= map[i].addr &&
		    end - map[i].addr <= map[i].size)
			return true;
	return false;
}

/* loader_pvh.h, start_info.h: what hvm_start_info says was loaded. */
static void check_loaded(const struct guest_memory *mem, const struct vmlinux *k,
			 const struct bz_params *p, const char *extra,
			 const struct pvh_boot_result *r)
{
	const struct pvh_start_info *si;
	const char *cmdline;

	FUZZ_CHECK(r->entry == k->pvh_entry, "entry 0x%x, the note says 0x%x", r->entry,
		   k->pvh_entry);
	FUZZ_CHECK(r->kernel_start == k->start && r->kernel_end == k->end, "kernel bounds");
	check_segments(mem, k);

	FUZZ_CHECK(r->start_info_gpa == PVH_START_INFO_ADDR, "start info at 0x%x",
		   r->start_info_gpa);
	si = guest_memory_ptr(mem, r->start_info_gpa, sizeof(*si));
	FUZZ_CHECK(si && si->magic == PVH_START_MAGIC && si->version == 1 && si->flags == 0 &&
			   si->reserved == 0,
		   "start info header");
	FUZZ_CHECK(si->memmap_paddr >= PVH_START_INFO_ADDR &&
			   si->memmap_paddr + si->memmap_entries * sizeof(struct pvh_memmap_entry) <=
				   PVH_START_INFO_ADDR + PVH_START_INFO_MAX,
		   "memory map outside the start info's area");
	FUZZ_CHECK(memmap_covers(mem, si, k->start, k->end), "memory map lacks the kernel");

	cmdline = guest_memory_ptr(mem, si->cmdline_paddr, 1);
	FUZZ_CHECK(cmdline && memchr(cmdline, '\0', PVH_CMDLINE_MAX) &&
			   strncmp(cmdline, CMDLINE_DEFAULTS, strlen(CMDLINE_DEFAULTS)) == 0,
		   "command line");
	if (extra)
		FUZZ_CHECK(strcmp(cmdline + strlen(CMDLINE_DEFAULTS) + (extra[0] ? 1 : 0), extra) ==
				   0,
			   "command line lost the %zu added bytes", strlen(extra));

	FUZZ_CHECK(si->nr_modules == (p->initrd_size ? 1u : 0u), "%u modules", si->nr_modules);
	if (p->initrd_size) {
		const struct pvh_modlist_entry *m = guest_memory_ptr(mem, si->modlist_paddr,
								     sizeof(*m));
		const uint8_t *i;

		FUZZ_CHECK(m && m->paddr == r->initrd_gpa && m->size == p->initrd_size,
			   "module 0 is not the initrd");
		FUZZ_CHECK(r->initrd_gpa % PAGE_SIZE == 0 && r->initrd_gpa >= k->end &&
				   r->initrd_gpa + p->initrd_size - 1 <= PVH_INITRD_ADDR_MAX,
			   "initrd at 0x%llx with the kernel ending at 0x%llx",
			   (unsigned long long)r->initrd_gpa, (unsigned long long)k->end);
		i = guest_memory_ptr(mem, r->initrd_gpa, p->initrd_size);
		FUZZ_CHECK(i && memcmp(i, initrd_buf, p->initrd_size) == 0, "initrd bytes differ");
		FUZZ_CHECK(memmap_covers(mem, si, r->initrd_gpa, r->initrd_gpa + p->initrd_size),
			   "memory map lacks the initrd");
	} else {
		FUZZ_CHECK(si->modlist_paddr == 0 && r->initrd_gpa == 0, "a module with no initrd");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bz_params p;
	struct vmlinux k, untouched;
	struct guest_memory mem;
	struct pvh_boot_result r;
	const char *extra = fuzz_boot_input(&data, &size, &p, &mem);
	int rc;

	memset(&k, 0xee, sizeof(k));
	untouched = k;
	error_clear();
	if (vmlinux_parse(&k, data, size) < 0) {
		fuzz_boot_parse_failed("vmlinux_parse", &k, &untouched, sizeof(k));
		return 0;
	}
	check_parsed(&k, data, size);

	memset(&r, 0xee, sizeof(r));
	error_clear();
	rc = boot_load_pvh(&mem, &k, p.initrd_size ? initrd_buf : NULL, p.initrd_size, extra,
			   p.ncpus, NULL, &r);
	if (!fuzz_boot_loaded("boot_load_pvh", rc, &p))
		return 0;
	check_loaded(&mem, &k, &p, extra, &r);
	log_info("loaded: %u segments 0x%llx-0x%llx, entry 0x%x, initrd %zu bytes at 0x%llx",
		 k.nseg, (unsigned long long)k.start, (unsigned long long)k.end, r.entry,
		 p.initrd_size, (unsigned long long)r.initrd_gpa);
	return 0;
}
