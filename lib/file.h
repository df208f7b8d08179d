#ifndef MINIVMM_FILE_H
#define MINIVMM_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Read a whole regular file of at most max_size bytes into a malloc'd
 * buffer. `what` names the file's role in messages ("kernel", "initrd"). */
int file_read_all(const char *path, const char *what, size_t max_size, uint8_t **data,
		  size_t *size);
/* A whole regular file mapped read-only (MAP_PRIVATE): what the loaders
 * read from the kernel and initrd files. Unlike file_read_all it neither
 * allocates nor copies: the bytes come straight from the page cache, and
 * only those read are touched, which counts when a 17 MB vmlinux is loaded
 * (docs/benchmarks.md, the vmlinux lever). The file must not shrink while
 * mapped: a read past its new end raises SIGBUS. minivmm maps it only
 * during set-up, and a user who truncates the kernel under a starting VM
 * gets the crash instead of a message. */
struct file_map {
	const uint8_t *data;
	size_t size;
	bool mapped; /* false for an empty file: nothing to unmap */
};
int file_map(const char *path, const char *what, size_t max_size, struct file_map *out);
/* Unmap (no-op for a zeroed struct), and zero *m. */
void file_unmap(struct file_map *m);

/* Write data to path whole: through a temporary file renamed over it. */
int file_write_atomic(const char *path, const char *what, const void *data, size_t len);

#endif
