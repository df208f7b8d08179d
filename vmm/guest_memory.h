/* Guest RAM: one host mapping, split into a low region at GPA 0 and, when
 * RAM is larger than the space below the MMIO hole, a high region at 4 GiB.
 * Pure logic: no KVM here, so tests can use a malloc'd buffer. */
#ifndef MINIVMM_GUEST_MEMORY_H
#define MINIVMM_GUEST_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

struct guest_memory {
	uint8_t *host;      /* host address of guest RAM byte 0 */
	uint64_t size;      /* total bytes of RAM */
	uint64_t low_size;  /* bytes at GPA [0, low_size) */
	uint64_t high_size; /* bytes at GPA [4 GiB, 4 GiB + high_size) */
};

/* Fill in size/low_size/high_size for `size` bytes of RAM (host untouched). */
void guest_memory_layout(struct guest_memory *mem, uint64_t size);

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
