#include "guest_memory.h"

#include <stddef.h>

#include "../boot/layout.h"

void guest_memory_layout(struct guest_memory *mem, uint64_t size)
{
	mem->size = size;
	mem->low_size = size < MMIO_HOLE_START ? size : MMIO_HOLE_START;
	mem->high_size = size - mem->low_size;
}

static bool range_in(uint64_t gpa, uint64_t len, uint64_t start, uint64_t size)
{
	/* Written so that no sum can wrap around 2^64. */
	return gpa >= start && gpa - start <= size && len <= size - (gpa - start);
}

void *guest_memory_ptr(const struct guest_memory *mem, uint64_t gpa, uint64_t len)
{
	if (range_in(gpa, len, 0, mem->low_size))
		return mem->host + gpa;
	if (mem->high_size && range_in(gpa, len, MMIO_HOLE_END, mem->high_size))
		return mem->host + mem->low_size + (gpa - MMIO_HOLE_END);
	return NULL;
}

bool guest_memory_contains(const struct guest_memory *mem, uint64_t gpa, uint64_t len)
{
	if (range_in(gpa, len, 0, mem->low_size))
		return true;
	return mem->high_size && range_in(gpa, len, MMIO_HOLE_END, mem->high_size);
}
