#include "vmm/console_out.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/error.h"
#include "vmm/kick.h"
#include "vmm/sandbox.h"

/* Called with o->lock held: take up to `max` queued bytes out of the ring. */
static size_t take(struct console_out *o, uint8_t *out, size_t max)
{
	size_t n = o->len < max ? o->len : max;
	for (size_t i = 0; i < n; i++)
		out[i] = o->buf[(o->head + i) % CONSOLE_OUT_BUFFER];
	o->head = (o->head + n) % CONSOLE_OUT_BUFFER;
	o->len -= n;
	return n;
}

/* Write all of data; stdout may be non-blocking if another process that
 * shares its open file description made it so. 0, or an errno; ECANCELED
 * when console_out_stop gave up on a stdout that takes nothing (it breaks
 * a blocked write() with KICK_SIGNAL). */
static int write_all(struct console_out *o, const uint8_t *data, size_t len)
{
	while (len > 0) {
		if (atomic_load(&o->give_up))
			return ECANCELED;
		ssize_t n = write(o->fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = { .fd = o->fd, .events = POLLOUT };
			poll(&p, 1, 100);
			continue;
		}
		if (n <= 0)
			return n < 0 ? errno : EIO;
		pthread_mutex_lock(&o->lock);
		o->written += (unsigned long long)n;
		o->inflight -= (size_t)n;
		pthread_mutex_unlock(&o->lock);
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* `ms` from now on `clock`, as the timed waits below take it. */
static void deadline_after(struct timespec *ts, clockid_t clock, int ms)
{
	clock_gettime(clock, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void *writer(void *arg)
{
	struct console_out *o = arg;
	uint8_t chunk[4096];
	kick_signal_unblock();
	bool failed = o->sandbox && sandbox_install(SANDBOX_CONSOLE_WRITER) < 0;
	pthread_mutex_lock(&o->lock);
	o->started = true;
	if (failed) /* the message is this thread's: hand it over */
		snprintf(o->start_error, sizeof(o->start_error), "%s", error_message());
	pthread_cond_broadcast(&o->wake);
	if (failed) {
		pthread_mutex_unlock(&o->lock);
		return NULL;
	}
	for (;;) {
		while (o->len == 0 && !o->stopping)
			pthread_cond_wait(&o->wake, &o->lock);
		if (o->len == 0)
			break; /* stopping, and everything is out */
		/* Let a burst gather (the UART hands over one byte per exit):
		 * one write and one wake-up per CONSOLE_OUT_GATHER_MS instead
		 * of one per byte. put() signals only when the buffer was
		 * empty, so this sleep is not cut short by every byte. */
		if (!o->stopping && o->len < sizeof(chunk)) {
			struct timespec ts;
			/* The condition variable waits on CLOCK_MONOTONIC. */
			deadline_after(&ts, CLOCK_MONOTONIC, CONSOLE_OUT_GATHER_MS);
			while (!o->stopping && o->len < sizeof(chunk) &&
			       pthread_cond_timedwait(&o->wake, &o->lock, &ts) == 0)
				;
		}
		size_t n = take(o, chunk, sizeof(chunk));
		o->inflight = n;
		pthread_mutex_unlock(&o->lock);
		int err = o->failed_errno ? 0 : write_all(o, chunk, n);
		pthread_mutex_lock(&o->lock);
		if (err || o->failed_errno) {
			/* Given up on (ECANCELED) is not a failure of stdout. */
			if (!o->failed_errno && err != ECANCELED)
				o->failed_errno = err;
			o->dropped += o->inflight + o->len;
			o->len = 0;
			if (err == ECANCELED)
				break;
		}
		o->inflight = 0;
	}
	pthread_mutex_unlock(&o->lock);
	return NULL;
}

int console_out_start(struct console_out *o, int fd, bool sandbox)
{
	*o = (struct console_out){ .fd = fd, .sandbox = sandbox };
	pthread_mutex_init(&o->lock, NULL);
	pthread_condattr_t cattr;
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&o->wake, &cattr);
	pthread_condattr_destroy(&cattr);
	pthread_attr_t attr;
	int r = pthread_attr_init(&attr);
	/* Below a huge page, like the vCPU threads' (vmm/vcpu.c). */
	if (!r)
		r = pthread_attr_setstacksize(&attr, 512 * 1024);
	if (!r) {
		r = pthread_create(&o->thread, &attr, writer, o);
		pthread_attr_destroy(&attr);
	}
	if (r) {
		errno = r;
		return error_errno("console: cannot start the output thread");
	}
	/* Wait until the writer has its filter (or failed to get it). */
	pthread_mutex_lock(&o->lock);
	while (!o->started)
		pthread_cond_wait(&o->wake, &o->lock);
	bool failed = o->start_error[0] != '\0';
	o->running = !failed;
	pthread_mutex_unlock(&o->lock);
	if (failed) {
		pthread_join(o->thread, NULL);
		return error_set("console output thread: %s", o->start_error);
	}
	return 0;
}

void console_out_put(struct console_out *o, const uint8_t *data, size_t len)
{
	pthread_mutex_lock(&o->lock);
	if (!o->running) {
		/* Stopped (or never started): nobody would write it out. */
		o->dropped += len;
		pthread_mutex_unlock(&o->lock);
		return;
	}
	size_t room = CONSOLE_OUT_BUFFER - o->len;
	size_t n = o->failed_errno ? 0 : (len < room ? len : room);
	for (size_t i = 0; i < n; i++)
		o->buf[(o->head + o->len + i) % CONSOLE_OUT_BUFFER] = data[i];
	bool was_empty = o->len == 0;
	o->len += n;
	o->dropped += len - n;
	/* Wake the writer when it waits for the first byte, or when a
	 * gathering writer has a chunk's worth. */
	if (n && (was_empty || o->len >= 4096))
		pthread_cond_signal(&o->wake);
	pthread_mutex_unlock(&o->lock);
}

void console_out_stop(struct console_out *o, int stall_ms)
{
	if (!o->running)
		return;
	pthread_mutex_lock(&o->lock);
	o->stopping = true;
	pthread_cond_broadcast(&o->wake);
	unsigned long long seen = o->written;
	pthread_mutex_unlock(&o->lock);
	/* Wait as long as bytes keep moving; a terminal that takes nothing
	 * for stall_ms is given up on. */
	for (;;) {
		struct timespec ts;
		deadline_after(&ts, CLOCK_REALTIME, stall_ms); /* pthread_timedjoin_np's clock */
		if (pthread_timedjoin_np(o->thread, NULL, &ts) == 0)
			break;
		pthread_mutex_lock(&o->lock);
		bool progress = o->written != seen;
		seen = o->written;
		pthread_mutex_unlock(&o->lock);
		if (progress)
			continue;
		/* Give up: break the blocked write() until the thread sees it
		 * (a kick that lands just before write() is repeated). */
		atomic_store(&o->give_up, true);
		do {
			pthread_kill(o->thread, KICK_SIGNAL);
			deadline_after(&ts, CLOCK_REALTIME, 50);
		} while (pthread_timedjoin_np(o->thread, NULL, &ts) != 0);
		break;
	}
	pthread_mutex_lock(&o->lock);
	o->running = false;
	pthread_mutex_unlock(&o->lock);
}

unsigned long long console_out_dropped(struct console_out *o, int *failed_errno)
{
	pthread_mutex_lock(&o->lock);
	unsigned long long d = o->dropped;
	*failed_errno = o->failed_errno;
	pthread_mutex_unlock(&o->lock);
	return d;
}
