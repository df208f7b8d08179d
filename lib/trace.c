#include "lib/trace.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/error.h"

unsigned trace_mask;

static const char *const names[] = { "exits", "pio", "mmio", "virtio", "vhost", "kvm", "boot" };
#define NCATS (sizeof(names) / sizeof(names[0]))
_Static_assert(TRACE_ALL == (1u << NCATS) - 1, "a name for every trace category");

const char trace_category_list[] = "exits, pio, mmio, virtio, vhost, kvm, boot (or all)";

const char *trace_category_name(unsigned cat)
{
	for (unsigned i = 0; i < NCATS; i++)
		if (cat == 1u << i)
			return names[i];
	return "?";
}

int trace_parse_categories(const char *spec, unsigned *mask)
{
	*mask = 0;
	if (!spec || !*spec) {
		*mask = TRACE_ALL;
		return 0;
	}
	const char *p = spec;
	for (;;) {
		size_t len = strcspn(p, ",");
		bool found = false;
		if (len == 3 && strncmp(p, "all", 3) == 0) {
			*mask |= TRACE_ALL;
			found = true;
		}
		for (unsigned i = 0; !found && i < NCATS; i++)
			if (strlen(names[i]) == len && strncmp(p, names[i], len) == 0) {
				*mask |= 1u << i;
				found = true;
			}
		if (!found)
			return error_set("--trace: unknown category '%.*s' (categories: %s)", (int)len,
					 p, trace_category_list);
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

bool trace_repeats_feed(struct trace_repeats *r, unsigned cat, const char *key, char *summary,
			size_t size, bool *has_summary)
{
	*has_summary = false;
	if (r->cat == cat && strncmp(r->key, key, sizeof(r->key) - 1) == 0 && r->key[0]) {
		r->suppressed++;
		return false;
	}
	if (r->suppressed)
		*has_summary = trace_repeats_flush(r, summary, size);
	r->cat = cat;
	snprintf(r->key, sizeof(r->key), "%s", key);
	r->suppressed = 0;
	return true;
}

bool trace_repeats_flush(struct trace_repeats *r, char *summary, size_t size)
{
	if (!r->suppressed)
		return false;
	snprintf(summary, size, "... %" PRIu64 " more like it: %s", r->suppressed, r->key);
	r->suppressed = 0;
	r->key[0] = '\0';
	return true;
}

int trace_format_prefix(char *buf, size_t size, uint64_t ns, unsigned cat)
{
	return snprintf(buf, size, "[%5" PRIu64 ".%06" PRIu64 "] %s: ", ns / 1000000000u,
			ns / 1000u % 1000000u, trace_category_name(cat));
}

/* ---- The sink ------------------------------------------------------ */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int out_fd = -1;
static uint64_t start;
static const char *eol = "\n";
static struct trace_repeats repeats;

void trace_start(unsigned mask, int fd, uint64_t start_ns)
{
	out_fd = fd;
	start = start_ns;
	eol = isatty(fd) ? "\r\n" : "\n";
	memset(&repeats, 0, sizeof(repeats));
	trace_mask = mask;
}

/* One line, one write: lines of different threads never mix. A trace that
 * cannot be written (a full disk) is dropped rather than stop the VM. */
static void put_line(unsigned cat, uint64_t now, const char *text)
{
	char line[640];
	int n = trace_format_prefix(line, sizeof(line), now - start, cat);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	int m = snprintf(line + n, sizeof(line) - (size_t)n, "%s%s", text, eol);
	size_t len = m < 0 ? (size_t)n : (size_t)n + (size_t)m;
	if (len >= sizeof(line)) {
		len = sizeof(line) - 1;
		memcpy(line + len - strlen(eol), eol, strlen(eol));
	}
	ssize_t w;
	do
		w = write(out_fd, line, len);
	while (w < 0 && errno == EINTR);
}

void trace_emit(unsigned cat, const char *key, const char *fmt, ...)
{
	char text[512], summary[256];
	bool has_summary;
	va_list ap;

	if (out_fd < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	uint64_t now = clock_now_ns();
	pthread_mutex_lock(&lock);
	unsigned prev_cat = repeats.cat;
	bool print = trace_repeats_feed(&repeats, cat, key ? key : text, summary, sizeof(summary),
					&has_summary);
	if (has_summary)
		put_line(prev_cat, now, summary);
	if (print)
		put_line(cat, now, text);
	pthread_mutex_unlock(&lock);
}

void trace_stop(void)
{
	char summary[256];

	if (out_fd < 0)
		return;
	pthread_mutex_lock(&lock);
	unsigned cat = repeats.cat;
	if (trace_repeats_flush(&repeats, summary, sizeof(summary)))
		put_line(cat, clock_now_ns(), summary);
	trace_mask = 0;
	out_fd = -1;
	pthread_mutex_unlock(&lock);
}
