#include "boot/vmlinux.h"

#include <elf.h>
#include <string.h>

#include "lib/error.h"

/* The owner of the PVH note (arch/x86/platform/pvh/head.S: ELFNOTE(Xen, ...)),
 * with its NUL, as namesz counts it. */
static const char XEN_NOTE_NAME[] = "Xen";
#define NOTE_HEADER_SIZE 12 /* namesz, descsz, type: three 32-bit words */

bool vmlinux_is_elf(const uint8_t *data, size_t size)
{
	return data != NULL && size >= SELFMAG && memcmp(data, ELFMAG, SELFMAG) == 0;
}

/* [off, off + len) inside a `size`-byte file, without overflow. */
static bool in_file(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v)); /* ELFDATA2LSB, checked; x86 hosts only */
	return v;
}

/* The identification bytes and the fixed fields of the ELF header: an
 * x86-64 executable whose program header table lies inside the file. */
static int check_header(const uint8_t *data, size_t size, Elf64_Ehdr *eh)
{
	if (size < EI_NIDENT)
		return error_set("kernel: ELF file too small for its identification (%zu bytes)",
				 size);
	if (data[EI_CLASS] == ELFCLASS32)
		return error_set("kernel: a 32-bit ELF (ELFCLASS32): minivmm boots only x86-64 "
				 "kernels");
	if (data[EI_CLASS] != ELFCLASS64)
		return error_set("kernel: ELF class %u is neither 32- nor 64-bit: a corrupt file",
				 data[EI_CLASS]);
	if (size < sizeof(*eh))
		return error_set("kernel: truncated: ELF64 header needs %zu bytes, file has %zu",
				 sizeof(*eh), size);
	memcpy(eh, data, sizeof(*eh));
	if (data[EI_DATA] != ELFDATA2LSB)
		return error_set("kernel: ELF data encoding %u is not little-endian: not an x86 "
				 "kernel",
				 data[EI_DATA]);
	if (data[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return error_set("kernel: ELF version %u/%u, expected 1: a corrupt file",
				 data[EI_VERSION], eh->e_version);
	if (eh->e_machine != EM_X86_64)
		return error_set("kernel: ELF for machine %u, not x86-64 (EM_X86_64 = %u)",
				 eh->e_machine, EM_X86_64);
	if (eh->e_type != ET_EXEC)
		return error_set("kernel: ELF type %u is not an executable (ET_EXEC): a vmlinux is "
				 "one; an object file or a module is not a kernel",
				 eh->e_type);
	if (eh->e_phnum == 0)
		return error_set("kernel: ELF has no program headers: nothing to load");
	if (eh->e_phnum == PN_XNUM)
		return error_set("kernel: ELF has 0xffff or more program headers (PN_XNUM): not a "
				 "vmlinux");
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return error_set("kernel: ELF program header entries are %u bytes, expected %zu",
				 eh->e_phentsize, sizeof(Elf64_Phdr));
	if (!in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), size))
		return error_set("kernel: truncated: ELF program headers at 0x%llx (%u of %zu "
				 "bytes) end past the %zu-byte file",
				 (unsigned long long)eh->e_phoff, eh->e_phnum, sizeof(Elf64_Phdr),
				 size);
	return 0;
}

static Elf64_Phdr phdr(const uint8_t *data, const Elf64_Ehdr *eh, unsigned i)
{
	Elf64_Phdr ph;

	memcpy(&ph, data + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
	return ph;
}

/* A PT_LOAD segment: its file bytes inside the file, no more of them than
 * of memory, and an end address that does not wrap. */
static int add_segment(struct vmlinux *k, const uint8_t *data, size_t size, unsigned i,
		       const Elf64_Phdr *ph)
{
	uint64_t end;

	if (ph->p_filesz > ph->p_memsz)
		return error_set("kernel: ELF segment %u has %llu bytes in the file but only %llu "
				 "in memory: a corrupt file",
				 i, (unsigned long long)ph->p_filesz,
				 (unsigned long long)ph->p_memsz);
	if (!in_file(ph->p_offset, ph->p_filesz, size))
		return error_set("kernel: truncated: ELF segment %u is %llu bytes at file offset "
				 "0x%llx, past the end of the %zu-byte file",
				 i, (unsigned long long)ph->p_filesz,
				 (unsigned long long)ph->p_offset, size);
	if (__builtin_add_overflow(ph->p_paddr, ph->p_memsz, &end))
		return error_set("kernel: ELF segment %u at 0x%llx (%llu bytes) wraps around the "
				 "address space",
				 i, (unsigned long long)ph->p_paddr, (unsigned long long)ph->p_memsz);
	if (ph->p_memsz == 0)
		return 0; /* nothing to place */
	if (k->nseg == VMLINUX_MAX_SEGMENTS)
		return error_set("kernel: ELF has more than %d loadable segments: not a vmlinux",
				 VMLINUX_MAX_SEGMENTS);
	k->seg[k->nseg++] = (struct vmlinux_segment){
		.data = data + ph->p_offset,
		.filesz = ph->p_filesz,
		.paddr = ph->p_paddr,
		.memsz = ph->p_memsz,
	};
	return 0;
}

/* Sort by address (insertion sort: a handful of segments), then every
 * segment must end before the next begins: two segments written to the
 * same memory would leave one of them corrupt. */
static int order_segments(struct vmlinux *k)
{
	for (unsigned i = 1; i < k->nseg; i++) {
		struct vmlinux_segment s = k->seg[i];
		unsigned j = i;

		for (; j > 0 && k->seg[j - 1].paddr > s.paddr; j--)
			k->seg[j] = k->seg[j - 1];
		k->seg[j] = s;
	}
	for (unsigned i = 0; i + 1 < k->nseg; i++) {
		const struct vmlinux_segment *a = &k->seg[i], *b = &k->seg[i + 1];

		if (a->paddr + a->memsz > b->paddr)
			return error_set("kernel: ELF segments overlap: 0x%llx-0x%llx and "
					 "0x%llx-0x%llx: a corrupt file",
					 (unsigned long long)a->paddr,
					 (unsigned long long)(a->paddr + a->memsz - 1),
					 (unsigned long long)b->paddr,
					 (unsigned long long)(b->paddr + b->memsz - 1));
	}
	k->start = k->seg[0].paddr;
	k->end = k->seg[k->nseg - 1].paddr + k->seg[k->nseg - 1].memsz;
	return 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* One "Xen" note of type PHYS32_ENTRY: its descriptor is the entry's
 * physical address, a .long or a .quad (_ASM_PTR in head.S). */
static int take_pvh_entry(const uint8_t *desc, uint32_t descsz, bool *found, uint32_t *entry)
{
	uint64_t v;

	if (descsz == 4) {
		v = get32(desc);
	} else if (descsz == 8) {
		memcpy(&v, desc, sizeof(v));
	} else {
		return error_set("kernel: the PVH entry note (Xen, type %d) holds %u bytes; an "
				 "address is 4 or 8: a corrupt file",
				 VMLINUX_NOTE_PVH_ENTRY, descsz);
	}
	if (v > UINT32_MAX)
		return error_set("kernel: PVH entry 0x%llx is above 4 GiB, out of reach of the "
				 "32-bit entry",
				 (unsigned long long)v);
	if (!*found) {
		*entry = (uint32_t)v;
		*found = true;
	}
	return 0;
}

/* Walk the notes of one PT_NOTE segment (System V ABI, "Note Section"):
 * each is a 12-byte header, the name and the descriptor, both padded to
 * the segment's alignment (4, or 8 where p_align says so). */
static int scan_notes(const uint8_t *data, size_t size, unsigned i, const Elf64_Phdr *ph,
		      bool *found, uint32_t *entry)
{
	uint64_t align = ph->p_align == 8 ? 8 : 4, off = 0, len = ph->p_filesz;
	const uint8_t *seg;

	/* Checked before the pointer is formed: data + a hostile offset
	 * would already be undefined. */
	if (!in_file(ph->p_offset, ph->p_filesz, size))
		return error_set("kernel: truncated: ELF note segment %u (%llu bytes at 0x%llx) "
				 "ends past the %zu-byte file",
				 i, (unsigned long long)ph->p_filesz,
				 (unsigned long long)ph->p_offset, size);
	seg = data + ph->p_offset;
	while (len - off >= NOTE_HEADER_SIZE) {
		uint32_t namesz = get32(seg + off), descsz = get32(seg + off + 4);
		uint32_t type = get32(seg + off + 8);
		uint64_t name = off + NOTE_HEADER_SIZE;
		uint64_t desc = name + align_up(namesz, align);

		/* 32-bit sizes in 64-bit sums: no overflow. */
		if (desc > len || descsz > len - desc)
			return error_set("kernel: ELF note at offset 0x%llx of note segment %u "
					 "claims a %u-byte name and a %u-byte descriptor, past "
					 "the segment's %llu bytes: a corrupt file",
					 (unsigned long long)off, i, namesz, descsz,
					 (unsigned long long)len);
		if (namesz == sizeof(XEN_NOTE_NAME) &&
		    memcmp(seg + name, XEN_NOTE_NAME, sizeof(XEN_NOTE_NAME)) == 0 &&
		    type == VMLINUX_NOTE_PVH_ENTRY &&
		    take_pvh_entry(seg + desc, descsz, found, entry) < 0)
			return -1;
		off = desc + align_up(descsz, align);
		if (off > len) /* the last note's padding may be left out */
			break;
	}
	return 0;
}

/* The entry must be code the loader writes: inside a segment's file bytes. */
static int check_entry(const struct vmlinux *k)
{
	for (unsigned i = 0; i < k->nseg; i++)
		if (k->pvh_entry >= k->seg[i].paddr &&
		    k->pvh_entry - k->seg[i].paddr < k->seg[i].filesz)
			return 0;
	return error_set("kernel: PVH entry 0x%x lies outside every loaded segment of the ELF: a "
			 "corrupt file",
			 k->pvh_entry);
}

static int parse(struct vmlinux *k, const uint8_t *data, size_t size)
{
	Elf64_Ehdr eh;
	bool found = false;

	if (!vmlinux_is_elf(data, size))
		return error_set("kernel: not an ELF file: no \\x7fELF magic");
	if (check_header(data, size, &eh) < 0)
		return -1;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph = phdr(data, &eh, i);

		if (ph.p_type == PT_LOAD && add_segment(k, data, size, i, &ph) < 0)
			return -1;
		if (ph.p_type == PT_NOTE && scan_notes(data, size, i, &ph, &found, &k->pvh_entry) < 0)
			return -1;
	}
	if (k->nseg == 0)
		return error_set("kernel: ELF has no loadable (PT_LOAD) segment: nothing to boot");
	if (order_segments(k) < 0)
		return -1;
	if (!found)
		return error_set("kernel: vmlinux has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): "
				 "build the kernel with CONFIG_PVH=y, or boot its bzImage "
				 "(arch/x86/boot/bzImage) instead");
	return check_entry(k);
}

int vmlinux_parse(struct vmlinux *k, const uint8_t *data, size_t size)
{
	struct vmlinux parsed = {0};

	if (parse(&parsed, data, size) < 0)
		return -1;
	*k = parsed;
	return 0;
}
