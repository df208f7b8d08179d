/* Guest RAM: one host mapping, split into a low region at GPA 0 and, when
 * RAM is larger than the space below the MMIO hole, a high region at 4 GiB.
 * The split is decided here once; KVM's memory slots, the vhost memory
 * table and the e820 map all walk it with guest_memory_region().
 * Pure logic: no KVM here, so tests can use a malloc'd buffer. */
#ifndef MINIVMM_LIB_GUEST_MEMORY_H
#define MINIVMM_LIB_GUEST_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

#define GUEST_MEMORY_MAX_REGIONS 2

struct guest_memory {
	uint8_t *host;      /* host address of guest RAM byte 0 */
	int fd;             /* memfd behind host, or -1 for anonymous memory */
	uint64_t size;      /* total bytes of RAM */
	uint64_t low_size;  /* bytes at GPA [0, low_size) */
	uint64_t high_size; /* bytes at GPA [4 GiB, 4 GiB + high_size) */
};

/* One contiguous piece of guest RAM, as KVM and vhost see it. */
struct guest_memory_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;        /* NULL when mem->host is NULL */
	uint64_t file_offset; /* of host in mem->fd */
};

/* Fill in size/low_size/high_size for `size` bytes of RAM (host untouched;
 * fd set to -1). */
void guest_memory_layout(struct guest_memory *mem, uint64_t size);

/* Region `index` (0 = below the MMIO hole, 1 = above 4 GiB) into *out;
 * false when there is no such region. Regions come in ascending GPA. */
bool guest_memory_region(const struct guest_memory *mem, unsigned index,
			 struct guest_memory_region *out);

/* for (each region r of mem), with index i. */
#define guest_memory_for_each_region(mem, i, r)                                            \
	for (unsigned i = 0; guest_memory_region((mem), i, &(r)); i++)

/* Host pointer for [gpa, gpa + len), or NULL unless the whole range lies
 * inside one RAM region. Overflow-safe for any gpa and len. */
void *guest_memory_ptr(const struct guest_memory *mem, uint64_t gpa, uint64_t len);

/* True if [gpa, gpa + len) lies inside one RAM region. */
bool guest_memory_contains(const struct guest_memory *mem, uint64_t gpa, uint64_t len);

/* Highest GPA + 1 of RAM below the MMIO hole. */
static inline uint64_t guest_memory_low_end(const struct guest_memory *mem)
{
	return mem->low_size;
}

#endif
