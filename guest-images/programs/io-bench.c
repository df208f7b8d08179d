/*
 * io-bench: file and block measurements in the guest, for make bench's
 * virtio-fs and virtio-blk rows (tests/bench/bench.spec).
 *
 *   io-bench read FILE [--direct] [--block SIZE]
 *       read FILE (a file or a block device) from start to end in SIZE
 *       reads (default 1M); --direct opens it O_DIRECT, so every read goes
 *       to the device and none is served or read ahead by the page cache.
 *       Prints "read: BYTES bytes in SECS s = RATE MiB/s".
 *   io-bench meta DIR N
 *       in DIR: create N empty files, drop the kernel's caches (dentries
 *       and inodes, so that no stat is answered from them), stat each,
 *       unlink each. Prints "meta: N files: create SECS s = RATE ops/s,
 *       stat SECS s = RATE ops/s, unlink SECS s = RATE ops/s".
 *
 * Times are CLOCK_MONOTONIC around the loop only (opening the file or
 * dropping the caches is not counted). Exit status 0, 1 on an I/O error,
 * 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024.0 * 1024.0)
#define MAX_BLOCK (64L * 1024 * 1024)
#define MAX_FILES 1000000L
/* O_DIRECT wants the buffer, the offset and the length aligned to the
 * device's logical block size; a page covers every size Linux allows. */
#define DIRECT_ALIGN 4096

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int usage(void)
{
	fprintf(stderr, "usage: io-bench read FILE [--direct] [--block SIZE]\n"
			"       io-bench meta DIR N\n");
	return EXIT_USAGE;
}

/* "64K", "1M", "4096" -> bytes; -1 when malformed. */
static long parse_size(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || v <= 0)
		return -1;
	if (*end == 'K' || *end == 'k')
		v *= 1024, end++;
	else if (*end == 'M' || *end == 'm')
		v *= 1024 * 1024, end++;
	return *end ? -1 : v;
}

static int cmd_read(int argc, char **argv)
{
	const char *path;
	long block = 1024 * 1024;
	int direct = 0, fd, i;
	long long total = 0;
	double t0, secs;
	char *buf;

	if (argc < 1)
		return usage();
	path = argv[0];
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--direct"))
			direct = 1;
		else if (!strcmp(argv[i], "--block") && i + 1 < argc)
			block = parse_size(argv[++i]);
		else
			return usage();
	}
	if (block <= 0 || block > MAX_BLOCK || (direct && block % DIRECT_ALIGN)) {
		fprintf(stderr, "io-bench: --block takes 1 to 64M (a multiple of %d with --direct)\n",
			DIRECT_ALIGN);
		return EXIT_USAGE;
	}
	if (posix_memalign((void **)&buf, DIRECT_ALIGN, (size_t)block)) {
		fprintf(stderr, "io-bench: cannot allocate %ld bytes\n", block);
		return EXIT_FAIL;
	}
	fd = open(path, O_RDONLY | (direct ? O_DIRECT : 0));
	if (fd < 0) {
		fprintf(stderr, "io-bench: open %s%s: %s\n", path, direct ? " (O_DIRECT)" : "",
			strerror(errno));
		return EXIT_FAIL;
	}
	t0 = now_s();
	for (;;) {
		ssize_t n = read(fd, buf, (size_t)block);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "io-bench: read %s at %lld: %s\n", path, total,
				strerror(errno));
			close(fd);
			return EXIT_FAIL;
		}
		if (n == 0)
			break;
		total += n;
	}
	secs = now_s() - t0;
	close(fd);
	free(buf);
	printf("read: %lld bytes in %.3f s = %.1f MiB/s\n", total, secs,
	       secs > 0 ? (double)total / MIB / secs : 0.0);
	return EXIT_OK;
}

static int drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	sync();
	if (fd < 0 || write(fd, "3\n", 2) != 2) {
		fprintf(stderr, "io-bench: writing /proc/sys/vm/drop_caches: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int cmd_meta(int argc, char **argv)
{
	char path[4096];
	double t0, t_create, t_stat, t_unlink;
	long n, i;
	struct stat st;

	if (argc != 2)
		return usage();
	n = parse_size(argv[1]);
	if (n <= 0 || n > MAX_FILES) {
		fprintf(stderr, "io-bench: N must be 1 to %ld\n", MAX_FILES);
		return EXIT_USAGE;
	}
#define NAME(k) (snprintf(path, sizeof(path), "%s/io-bench-%07ld", argv[0], (k)), path)
	t0 = now_s();
	for (i = 0; i < n; i++) {
		int fd = open(NAME(i), O_WRONLY | O_CREAT | O_EXCL, 0644);

		if (fd < 0) {
			fprintf(stderr, "io-bench: create %s: %s\n", path, strerror(errno));
			return EXIT_FAIL;
		}
		close(fd);
	}
	t_create = now_s() - t0;
	if (drop_caches())
		return EXIT_FAIL;
	t0 = now_s();
	for (i = 0; i < n; i++) {
		if (stat(NAME(i), &st)) {
			fprintf(stderr, "io-bench: stat %s: %s\n", path, strerror(errno));
			return EXIT_FAIL;
		}
	}
	t_stat = now_s() - t0;
	t0 = now_s();
	for (i = 0; i < n; i++) {
		if (unlink(NAME(i))) {
			fprintf(stderr, "io-bench: unlink %s: %s\n", path, strerror(errno));
			return EXIT_FAIL;
		}
	}
	t_unlink = now_s() - t0;
#undef NAME
	printf("meta: %ld files: create %.3f s = %.1f ops/s, stat %.3f s = %.1f ops/s, "
	       "unlink %.3f s = %.1f ops/s\n", n,
	       t_create, t_create > 0 ? (double)n / t_create : 0.0,
	       t_stat, t_stat > 0 ? (double)n / t_stat : 0.0,
	       t_unlink, t_unlink > 0 ? (double)n / t_unlink : 0.0);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "read"))
		return cmd_read(argc - 2, argv + 2);
	if (!strcmp(argv[1], "meta"))
		return cmd_meta(argc - 2, argv + 2);
	return usage();
}
