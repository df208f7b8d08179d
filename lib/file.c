#include "lib/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/error.h"

/* Open `path` for reading and check that it is a regular file of at most
 * max_size bytes; returns the descriptor and its size, or -1 with an error. */
static int open_regular(const char *path, const char *what, size_t max_size, size_t *size)
{
	/* O_NONBLOCK: opening a FIFO or some devices would otherwise wait
	 * (for a writer, a carrier...) before the check below can refuse
	 * them; for a regular file it changes nothing. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return error_errno("%s: cannot open '%s'", what, path);
	struct stat st;
	if (fstat(fd, &st) < 0) {
		error_errno("%s: cannot stat '%s'", what, path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		error_set("%s: '%s' is not a regular file", what, path);
		goto fail;
	}
	if ((uint64_t)st.st_size > max_size) {
		error_set("%s: '%s' is too large (%lld bytes, at most %zu)", what, path,
			  (long long)st.st_size, max_size);
		goto fail;
	}
	*size = (size_t)st.st_size;
	return fd;
fail:
	close(fd);
	return -1;
}

int file_read_all(const char *path, const char *what, size_t max_size, uint8_t **data,
		  size_t *size)
{
	size_t len;
	int fd = open_regular(path, what, max_size, &len);
	if (fd < 0)
		return -1;
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf) {
		error_set("%s: out of memory reading '%s'", what, path);
		goto fail;
	}
	size_t done = 0;
	while (done < len) {
		ssize_t n = read(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				error_set("%s: '%s' shrank while being read", what, path);
			else
				error_errno("%s: cannot read '%s'", what, path);
			free(buf);
			goto fail;
		}
		done += (size_t)n;
	}
	close(fd);
	*data = buf;
	*size = len;
	return 0;
fail:
	close(fd);
	return -1;
}

int file_map(const char *path, const char *what, size_t max_size, struct file_map *out)
{
	static const uint8_t empty[1];
	size_t len;
	int fd = open_regular(path, what, max_size, &len);
	if (fd < 0)
		return -1;
	if (len == 0) { /* mmap refuses a length of 0 */
		close(fd);
		*out = (struct file_map){.data = empty, .size = 0, .mapped = false};
		return 0;
	}
	void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd); /* the mapping keeps the file */
	if (p == MAP_FAILED)
		return error_errno("%s: cannot map '%s'", what, path);
	*out = (struct file_map){.data = p, .size = len, .mapped = true};
	return 0;
}

void file_unmap(struct file_map *m)
{
	if (m->mapped)
		munmap((void *)m->data, m->size);
	*m = (struct file_map){0};
}

int file_write_atomic(const char *path, const char *what, const void *data, size_t len)
{
	/* Written beside the target and renamed over it, so a reader sees the
	 * whole content or no file at all. */
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return error_set("%s: file name too long", what);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return error_errno("%s: cannot create '%s'", what, tmp);
	const char *p = data;
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_errno("%s: cannot write '%s'", what, tmp);
			close(fd);
			unlink(tmp);
			return -1;
		}
		done += (size_t)n;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		error_errno("%s: cannot write '%s'", what, path);
		unlink(tmp);
		return -1;
	}
	return 0;
}
