/* vmlinux_parse on synthetic ELF files built like a Linux vmlinux: an
 * x86-64 executable with loadable segments at physical addresses and a
 * note segment holding, among others, the PVH entry note. Each way a file
 * can be rejected, and header values chosen to provoke out-of-bounds
 * reads or overflows (ASan/UBSan in the test build catch any). */
#include <criterion/criterion.h>

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "boot/vmlinux.h"
#include "lib/error.h"
#include "lib/platform.h"

#define FILE_SIZE 0x5000
#define PHOFF 0x40
#define NOTE_OFF 0x200
#define TEXT_OFF 0x1000
#define TEXT_ADDR 0x1000000ULL /* 16 MiB, as Linux's LOAD_PHYSICAL_ADDR */
#define TEXT_SIZE 0x3000
#define DATA_OFF 0x4000
#define DATA_ADDR (TEXT_ADDR + 0x4000)
#define DATA_FILESZ 0x1000
#define DATA_MEMSZ 0x5000 /* .bss after the data */
#define ENTRY (TEXT_ADDR + 0x100)

static uint8_t *file;
static size_t file_size;
static size_t note_len; /* bytes of notes written at NOTE_OFF */

static Elf64_Ehdr *ehdr(void)
{
	return (Elf64_Ehdr *)file;
}

static Elf64_Phdr *phdr(unsigned i)
{
	return (Elf64_Phdr *)(file + PHOFF) + i;
}

/* Append one note at NOTE_OFF + note_len, padded to `align`. */
static void add_note(const char *name, uint32_t namesz, uint32_t type, const void *desc,
		     uint32_t descsz, size_t align)
{
	uint8_t *p = file + NOTE_OFF + note_len;
	size_t name_pad = (namesz + align - 1) / align * align;
	size_t desc_pad = (descsz + align - 1) / align * align;

	memcpy(p, &namesz, 4);
	memcpy(p + 4, &descsz, 4);
	memcpy(p + 8, &type, 4);
	memcpy(p + 12, name, strlen(name) + 1 < namesz ? strlen(name) + 1 : namesz);
	memcpy(p + 12 + name_pad, desc, descsz);
	note_len += 12 + name_pad + desc_pad;
	phdr(2)->p_filesz = phdr(2)->p_memsz = note_len;
}

/* Like Linux's .notes: a Linux note, the PVH entry, a GNU build id. */
static void default_notes(void)
{
	uint32_t linux_desc = 0x12345678;
	uint64_t entry = ENTRY;
	uint8_t build_id[20] = {1, 2, 3};

	note_len = 0;
	add_note("Linux", 6, 6, &linux_desc, 4, 4);
	add_note("Xen", 4, VMLINUX_NOTE_PVH_ENTRY, &entry, 8, 4);
	add_note("GNU", 4, 3, build_id, sizeof(build_id), 4);
}

static void setup(void)
{
	file_size = FILE_SIZE;
	file = calloc(1, file_size);
	cr_assert_not_null(file);
	memcpy(file, ELFMAG, SELFMAG);
	file[EI_CLASS] = ELFCLASS64;
	file[EI_DATA] = ELFDATA2LSB;
	file[EI_VERSION] = EV_CURRENT;
	ehdr()->e_type = ET_EXEC;
	ehdr()->e_machine = EM_X86_64;
	ehdr()->e_version = EV_CURRENT;
	ehdr()->e_entry = 0xffffffff81000000ULL;
	ehdr()->e_phoff = PHOFF;
	ehdr()->e_ehsize = sizeof(Elf64_Ehdr);
	ehdr()->e_phentsize = sizeof(Elf64_Phdr);
	ehdr()->e_phnum = 3;
	/* Listed data first, text second: the parser sorts them. */
	*phdr(0) = (Elf64_Phdr){.p_type = PT_LOAD, .p_offset = DATA_OFF,
				.p_vaddr = 0xffffffff81004000ULL, .p_paddr = DATA_ADDR,
				.p_filesz = DATA_FILESZ, .p_memsz = DATA_MEMSZ, .p_align = 0x1000};
	*phdr(1) = (Elf64_Phdr){.p_type = PT_LOAD, .p_offset = TEXT_OFF,
				.p_vaddr = 0xffffffff81000000ULL, .p_paddr = TEXT_ADDR,
				.p_filesz = TEXT_SIZE, .p_memsz = TEXT_SIZE, .p_align = 0x1000};
	*phdr(2) = (Elf64_Phdr){.p_type = PT_NOTE, .p_offset = NOTE_OFF, .p_align = 4};
	default_notes();
	for (size_t i = TEXT_OFF; i < FILE_SIZE; i++)
		file[i] = (uint8_t)(i * 7 + 3);
}

static void teardown(void)
{
	free(file);
}

TestSuite(vmlinux, .init = setup, .fini = teardown);

static struct vmlinux parse_ok(void)
{
	struct vmlinux k;

	error_clear();
	cr_assert_eq(vmlinux_parse(&k, file, file_size), 0, "%s", error_message());
	return k;
}

/* Fails with `needle` in the message and leaves *k alone. */
static void expect_error(const char *needle)
{
	struct vmlinux k, before;

	memset(&k, 0x5a, sizeof(k));
	before = k;
	error_clear();
	cr_assert_eq(vmlinux_parse(&k, file, file_size), -1, "parse should fail with \"%s\"",
		     needle);
	cr_assert_not_null(strstr(error_message(), needle), "error \"%s\" lacks \"%s\"",
			   error_message(), needle);
	cr_assert_eq(memcmp(&k, &before, sizeof(k)), 0, "*k changed on failure");
}

Test(vmlinux, linux_like_file)
{
	struct vmlinux k = parse_ok();

	cr_assert_eq(k.nseg, 2);
	cr_assert_eq(k.seg[0].paddr, TEXT_ADDR, "segments not sorted by address");
	cr_assert_eq(k.seg[0].data, file + TEXT_OFF);
	cr_assert_eq(k.seg[0].filesz, TEXT_SIZE);
	cr_assert_eq(k.seg[0].memsz, TEXT_SIZE);
	cr_assert_eq(k.seg[1].paddr, DATA_ADDR);
	cr_assert_eq(k.seg[1].data, file + DATA_OFF);
	cr_assert_eq(k.seg[1].filesz, DATA_FILESZ);
	cr_assert_eq(k.seg[1].memsz, DATA_MEMSZ);
	cr_assert_eq(k.start, TEXT_ADDR);
	cr_assert_eq(k.end, DATA_ADDR + DATA_MEMSZ);
	cr_assert_eq(k.pvh_entry, ENTRY);
}

Test(vmlinux, detects_elf_by_magic)
{
	static const uint8_t bz[8] = {0xeb, 0x3c};

	cr_assert(vmlinux_is_elf(file, file_size));
	cr_assert(vmlinux_is_elf(file, 4));
	cr_assert_not(vmlinux_is_elf(file, 3));
	cr_assert_not(vmlinux_is_elf(NULL, 0));
	cr_assert_not(vmlinux_is_elf(bz, sizeof(bz)));
}

Test(vmlinux, entry_as_4_byte_address)
{
	uint32_t entry = (uint32_t)ENTRY + 4;

	note_len = 0;
	add_note("Xen", 4, VMLINUX_NOTE_PVH_ENTRY, &entry, 4, 4);
	cr_assert_eq(parse_ok().pvh_entry, ENTRY + 4);
}

/* Notes padded to 8 bytes, as in a PT_NOTE with p_align 8. */
Test(vmlinux, notes_aligned_to_8)
{
	uint32_t desc = 1;
	uint64_t entry = ENTRY + 8;

	memset(file + NOTE_OFF, 0, 0x100);
	note_len = 0;
	phdr(2)->p_align = 8;
	add_note("GNU", 4, 5, &desc, 4, 8);
	add_note("Xen", 4, VMLINUX_NOTE_PVH_ENTRY, &entry, 8, 8);
	cr_assert_eq(parse_ok().pvh_entry, ENTRY + 8);
}

/* The last note's padding may be missing from the segment. */
Test(vmlinux, last_note_without_padding)
{
	uint64_t entry = ENTRY;
	uint8_t id[2] = {7, 7};

	note_len = 0;
	add_note("Xen", 4, VMLINUX_NOTE_PVH_ENTRY, &entry, 8, 4);
	add_note("GNU", 4, 3, id, 2, 4);
	phdr(2)->p_filesz -= 2;
	cr_assert_eq(parse_ok().pvh_entry, ENTRY);
}

Test(vmlinux, empty_segments_are_skipped)
{
	ehdr()->e_phnum = 4;
	*phdr(3) = (Elf64_Phdr){.p_type = PT_LOAD, .p_offset = 0, .p_paddr = 0};
	cr_assert_eq(parse_ok().nseg, 2);
}

Test(vmlinux, other_program_headers_are_ignored)
{
	ehdr()->e_phnum = 4;
	*phdr(3) = (Elf64_Phdr){.p_type = PT_GNU_STACK, .p_offset = ~0ULL, .p_filesz = ~0ULL};
	cr_assert_eq(parse_ok().nseg, 2);
}

Test(vmlinux, every_truncation_fails_cleanly)
{
	struct vmlinux k;
	size_t full = file_size;

	/* Every prefix: the headers, the note, the segments cut anywhere. */
	for (size_t n = 0; n < full; n++) {
		uint8_t *copy = malloc(n ? n : 1); /* exact size: ASan sees overreads */

		cr_assert_not_null(copy);
		memcpy(copy, file, n);
		error_clear();
		cr_assert_eq(vmlinux_parse(&k, copy, n), -1, "a %zu-byte prefix parsed", n);
		cr_assert_neq(error_message()[0], '\0', "no message for %zu bytes", n);
		free(copy);
	}
}

Test(vmlinux, truncated_messages)
{
	file_size = 0x30;
	expect_error("truncated: ELF64 header needs 64 bytes, file has 48");
	file_size = 0x100;
	expect_error("truncated: ELF segment 0 is 4096 bytes at file offset 0x4000, past the end "
		     "of the 256-byte file");
	file_size = 10;
	expect_error("too small for its identification");
}

Test(vmlinux, not_elf)
{
	file[0] = 'M';
	expect_error("not an ELF file");
}

Test(vmlinux, elf32_is_named)
{
	file[EI_CLASS] = ELFCLASS32;
	expect_error("a 32-bit ELF (ELFCLASS32): minivmm boots only x86-64 kernels");
}

Test(vmlinux, bad_class)
{
	file[EI_CLASS] = 7;
	expect_error("ELF class 7");
}

Test(vmlinux, big_endian)
{
	file[EI_DATA] = ELFDATA2MSB;
	expect_error("not little-endian");
}

Test(vmlinux, bad_version)
{
	ehdr()->e_version = 2;
	expect_error("ELF version 1/2, expected 1");
}

Test(vmlinux, other_machine)
{
	ehdr()->e_machine = EM_AARCH64;
	expect_error("ELF for machine 183, not x86-64");
}

Test(vmlinux, object_file_or_module)
{
	ehdr()->e_type = ET_REL;
	expect_error("ELF type 1 is not an executable (ET_EXEC)");
	ehdr()->e_type = ET_DYN;
	expect_error("ELF type 3 is not an executable");
}

Test(vmlinux, program_header_table)
{
	ehdr()->e_phnum = 0;
	expect_error("no program headers");
	ehdr()->e_phnum = PN_XNUM;
	expect_error("PN_XNUM");
	ehdr()->e_phnum = 3;
	ehdr()->e_phentsize = 32;
	expect_error("program header entries are 32 bytes, expected 56");
	ehdr()->e_phentsize = sizeof(Elf64_Phdr);
	ehdr()->e_phoff = FILE_SIZE - 100;
	expect_error("truncated: ELF program headers at 0x4f9c");
	ehdr()->e_phoff = ~0ULL - 10; /* offset + size wraps */
	expect_error("truncated: ELF program headers");
}

Test(vmlinux, filesz_above_memsz)
{
	phdr(1)->p_filesz = TEXT_SIZE + 1;
	expect_error("ELF segment 1 has 12289 bytes in the file but only 12288 in memory");
}

Test(vmlinux, segment_past_end_of_file)
{
	phdr(1)->p_offset = FILE_SIZE - 0x100;
	expect_error("truncated: ELF segment 1 is 12288 bytes at file offset 0x4f00");
	phdr(1)->p_offset = ~0ULL - 0x1000; /* offset + size wraps */
	expect_error("truncated: ELF segment 1");
}

Test(vmlinux, segment_wraps_address_space)
{
	phdr(0)->p_paddr = ~0ULL - 0x1000;
	expect_error("ELF segment 0 at 0xffffffffffffefff (20480 bytes) wraps around");
}

Test(vmlinux, overlapping_segments)
{
	phdr(0)->p_paddr = TEXT_ADDR + TEXT_SIZE - 1; /* one byte on the text */
	expect_error("ELF segments overlap: 0x1000000-0x1002fff and 0x1002fff-");
}

Test(vmlinux, identical_segments_overlap)
{
	*phdr(0) = *phdr(1);
	expect_error("ELF segments overlap");
}

Test(vmlinux, adjacent_segments_are_fine)
{
	phdr(0)->p_paddr = TEXT_ADDR + TEXT_SIZE;
	cr_assert_eq(parse_ok().end, TEXT_ADDR + TEXT_SIZE + DATA_MEMSZ);
}

Test(vmlinux, too_many_segments)
{
	uint8_t *big = calloc(1, 0x2000);

	cr_assert_not_null(big);
	memcpy(big, file, 0x200);
	free(file);
	file = big;
	file_size = 0x2000;
	ehdr()->e_phnum = VMLINUX_MAX_SEGMENTS + 1;
	for (unsigned i = 0; i <= VMLINUX_MAX_SEGMENTS; i++)
		*phdr(i) = (Elf64_Phdr){.p_type = PT_LOAD, .p_offset = 0x1000, .p_filesz = 16,
					.p_memsz = 16, .p_paddr = TEXT_ADDR + i * 0x1000};
	expect_error("more than 16 loadable segments");
}

Test(vmlinux, no_loadable_segment)
{
	phdr(0)->p_type = PT_NULL;
	phdr(1)->p_type = PT_NULL;
	expect_error("no loadable (PT_LOAD) segment");
}

Test(vmlinux, no_pvh_note_names_the_fix)
{
	uint64_t entry = ENTRY;

	note_len = 0;
	add_note("Linux", 6, 6, &entry, 4, 4);
	add_note("Xen", 4, 17, &entry, 8, 4);  /* another Xen note */
	add_note("Xe", 3, 18, &entry, 8, 4);   /* another owner, same type */
	add_note("XenX", 5, 18, &entry, 8, 4); /* likewise */
	expect_error("kernel: vmlinux has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): build the "
		     "kernel with CONFIG_PVH=y, or boot its bzImage");
}

Test(vmlinux, no_note_segment)
{
	ehdr()->e_phnum = 2;
	expect_error("no PVH entry note");
}

Test(vmlinux, note_name_past_segment)
{
	uint64_t entry = ENTRY;

	note_len = 0;
	add_note("Xen", 4, 18, &entry, 8, 4);
	memcpy(file + NOTE_OFF, &(uint32_t){0xffffffff}, 4); /* namesz */
	expect_error("claims a 4294967295-byte name and a 8-byte descriptor, past the segment's "
		     "24 bytes");
}

Test(vmlinux, note_desc_past_segment)
{
	uint64_t entry = ENTRY;

	note_len = 0;
	add_note("Xen", 4, 18, &entry, 8, 4);
	memcpy(file + NOTE_OFF + 4, &(uint32_t){0xfffffff0}, 4); /* descsz */
	expect_error("a 4-byte name and a 4294967280-byte descriptor");
	memcpy(file + NOTE_OFF + 4, &(uint32_t){9}, 4); /* one byte too many */
	expect_error("a 9-byte descriptor, past the segment's 24 bytes");
}

Test(vmlinux, note_segment_past_end_of_file)
{
	phdr(2)->p_offset = FILE_SIZE - 8;
	expect_error("truncated: ELF note segment 2");
	phdr(2)->p_offset = ~0ULL;
	expect_error("truncated: ELF note segment 2");
}

Test(vmlinux, pvh_note_with_bad_size)
{
	uint64_t entry = ENTRY;

	note_len = 0;
	add_note("Xen", 4, 18, &entry, 2, 4);
	expect_error("the PVH entry note (Xen, type 18) holds 2 bytes; an address is 4 or 8");
	note_len = 0;
	add_note("Xen", 4, 18, &entry, 0, 4);
	expect_error("holds 0 bytes");
}

Test(vmlinux, pvh_entry_above_4g)
{
	uint64_t entry = 0x100000000ULL + ENTRY;

	note_len = 0;
	add_note("Xen", 4, 18, &entry, 8, 4);
	expect_error("PVH entry 0x101000100 is above 4 GiB");
}

Test(vmlinux, pvh_entry_outside_segments)
{
	uint64_t entry;

	note_len = 0;
	entry = DATA_ADDR + DATA_FILESZ; /* .bss: zeroes, not code */
	add_note("Xen", 4, 18, &entry, 8, 4);
	expect_error("PVH entry 0x1005000 lies outside every loaded segment");
	note_len = 0;
	entry = TEXT_ADDR - 1;
	add_note("Xen", 4, 18, &entry, 8, 4);
	expect_error("outside every loaded segment");
}

Test(vmlinux, first_pvh_note_wins)
{
	uint64_t a = ENTRY, b = ENTRY + 0x10;

	note_len = 0;
	add_note("Xen", 4, 18, &a, 8, 4);
	add_note("Xen", 4, 18, &b, 8, 4);
	cr_assert_eq(parse_ok().pvh_entry, ENTRY);
}
