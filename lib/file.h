#ifndef MINIVMM_FILE_H
#define MINIVMM_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Read a whole regular file of at most max_size bytes into a malloc'd
 * buffer. `what` names the file's role in messages ("kernel", "initrd"). */
int file_read_all(const char *path, const char *what, size_t max_size, uint8_t **data,
		  size_t *size);
/* Write data to path whole: through a temporary file renamed over it. */
int file_write_atomic(const char *path, const char *what, const void *data, size_t len);

#endif
