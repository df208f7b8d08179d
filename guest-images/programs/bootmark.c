/*
 * bootmark: tell the host what the guest sees, once userspace is up.
 *
 * Run by /etc/rcS. Prints, one line each and in this order:
 *   MINIVMM-GUEST-CMDLINE <kernel command line, from /proc/cmdline>
 *   MINIVMM-GUEST-MEMORY <MemTotal from /proc/meminfo> kB
 *   MINIVMM-GUEST-CPUS <online CPUs>
 *   MINIVMM-GUEST-READY uptime=<seconds, first field of /proc/uptime>
 * READY comes last so that a test which waits for it has every other line
 * already. Each line is written with a single write(2) so kernel messages on
 * the same console cannot split it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/io.h>

#include "../../lib/platform.h"

/* x86 COMMAND_LINE_SIZE is 2048; /proc/meminfo is a few kB. */
#define PROC_FILE_MAX 16384

static const char *prog = "bootmark";

static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* Read a whole (small) procfs file into buf as a NUL-terminated string. */
static int read_proc_file(const char *path, char *buf, size_t size)
{
	size_t used = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fail("cannot open %s: %s", path, strerror(errno));
	for (;;) {
		ssize_t n;

		if (used == size - 1) {
			close(fd);
			return fail("%s is larger than %zu bytes", path, size - 1);
		}
		n = read(fd, buf + used, size - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;

			close(fd);
			return fail("cannot read %s: %s", path, strerror(saved));
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	buf[used] = '\0';
	return 0;
}

/* Format one line and hand it to the console in a single write. */
static int emit(const char *fmt, ...)
{
	char line[PROC_FILE_MAX];
	va_list ap;
	int len;
	ssize_t n;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(line))
		return fail("output line too long");
	do {
		n = write(STDOUT_FILENO, line, (size_t)len);
	} while (n < 0 && errno == EINTR);
	if (n != len)
		return fail("cannot write to stdout: %s", n < 0 ? strerror(errno) : "short write");
	return 0;
}

static int print_cmdline(void)
{
	char buf[PROC_FILE_MAX];
	size_t len;

	if (read_proc_file("/proc/cmdline", buf, sizeof(buf)) < 0)
		return -1;
	len = strlen(buf);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	return emit("MINIVMM-GUEST-CMDLINE %s\n", buf);
}

static int print_memory(void)
{
	char buf[PROC_FILE_MAX];
	const char *line;
	char *end;
	uintmax_t kib;

	if (read_proc_file("/proc/meminfo", buf, sizeof(buf)) < 0)
		return -1;
	/* fs/proc/meminfo.c: the first line is "MemTotal:  <n> kB". */
	line = strncmp(buf, "MemTotal:", 9) == 0 ? buf : strstr(buf, "\nMemTotal:");
	if (!line)
		return fail("no MemTotal line in /proc/meminfo");
	line = strchr(line + 1, ':') + 1;
	errno = 0;
	kib = strtoumax(line, &end, 10);
	if (errno || end == line || strncmp(end, " kB", 3) != 0)
		return fail("cannot parse MemTotal in /proc/meminfo");
	return emit("MINIVMM-GUEST-MEMORY %ju kB\n", kib);
}

static int print_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return fail("cannot count online CPUs: %s", strerror(errno));
	return emit("MINIVMM-GUEST-CPUS %ld\n", n);
}

static int print_ready(void)
{
	char buf[256];
	size_t len;

	if (read_proc_file("/proc/uptime", buf, sizeof(buf)) < 0)
		return -1;
	/* fs/proc/uptime.c: "<uptime seconds>.<hundredths> <idle ...>". */
	len = strspn(buf, "0123456789.");
	if (len == 0 || buf[len] != ' ')
		return fail("cannot parse /proc/uptime: '%s'", buf);
	buf[len] = '\0';
	return emit("MINIVMM-GUEST-READY uptime=%s\n", buf);
}

int main(int argc, char **argv)
{
	int status = EXIT_SUCCESS;

	if (argc > 0 && argv[0][0] != '\0')
		prog = argv[0];
	if (argc > 1) {
		fprintf(stderr, "usage: %s\n", prog);
		return 2;
	}
	/* Report everything that can be reported even if one source fails, but
	 * never claim READY after a failure: the test should see the error. */
	if (print_cmdline() < 0)
		status = EXIT_FAILURE;
	if (print_memory() < 0)
		status = EXIT_FAILURE;
	if (print_cpus() < 0)
		status = EXIT_FAILURE;
	if (status == EXIT_SUCCESS && print_ready() < 0)
		status = EXIT_FAILURE;
	/* Tell minivmm's boot timer (lib/platform.h) that booting is complete;
	 * ignored where the port has no device behind it. */
	if (status == EXIT_SUCCESS && ioperm(BOOT_TIMER_PORT, 1, 1) == 0)
		outb(BOOT_TIMER_BOOT_COMPLETE, BOOT_TIMER_PORT);
	return status;
}
