#include "lib/guest_memory.h"

#include <stddef.h>

#include "lib/platform.h"

void guest_memory_layout(struct guest_memory *mem, uint64_t size)
{
	mem->fd = -1;
	mem->size = size;
	mem->low_size = size < MMIO_HOLE_START ? size : MMIO_HOLE_START;
	mem->high_size = size - mem->low_size;
}

bool guest_memory_region(const struct guest_memory *mem, unsigned index,
			 struct guest_memory_region *out)
{
	if (index == 0 && mem->low_size) {
		*out = (struct guest_memory_region){ .gpa = 0, .size = mem->low_size,
						     .host = mem->host, .file_offset = 0 };
		return true;
	}
	if (index == 1 && mem->high_size) {
		*out = (struct guest_memory_region){
			.gpa = MMIO_HOLE_END,
			.size = mem->high_size,
			.host = mem->host ? mem->host + mem->low_size : NULL,
			.file_offset = mem->low_size,
		};
		return true;
	}
	return false;
}

static bool range_in(uint64_t gpa, uint64_t len, uint64_t start, uint64_t size)
{
	/* Written so that no sum can wrap around 2^64. */
	return gpa >= start && gpa - start <= size && len <= size - (gpa - start);
}

void *guest_memory_ptr(const struct guest_memory *mem, uint64_t gpa, uint64_t len)
{
	struct guest_memory_region r;
	guest_memory_for_each_region(mem, i, r)
		if (range_in(gpa, len, r.gpa, r.size))
			return mem->host + r.file_offset + (gpa - r.gpa);
	return NULL;
}

bool guest_memory_contains(const struct guest_memory *mem, uint64_t gpa, uint64_t len)
{
	struct guest_memory_region r;
	guest_memory_for_each_region(mem, i, r)
		if (range_in(gpa, len, r.gpa, r.size))
			return true;
	return false;
}
