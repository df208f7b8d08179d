/*
 * vsock-tool: traffic generator and checker for AF_VSOCK stream sockets.
 *
 * The same static binary runs in the demo guest (CID 3) and on the test host
 * (CID 2, VMADDR_CID_HOST), so a test can push data through minivmm's
 * virtio-vsock device in both directions and compare what each side saw.
 * `vsock-tool --help` lists the commands.
 *
 * Data: a transfer with seed S carries the splitmix64 sequence started at
 * state S (word k is splitmix64's (k+1)-th output), each word little-endian.
 * Both ends can therefore regenerate or checksum it on their own. Checksums
 * are CRC-32 as in zlib and gzip (reflected polynomial 0xEDB88320), so
 * Python's zlib.crc32 can confirm them too.
 *
 * Servers serve each connection in its own thread (echo-server) or one after
 * the other (recv, pong); clients read and write concurrently so that full
 * socket buffers in both directions cannot deadlock an echo.
 *
 * `vsock-tool self-test` runs the same code over AF_UNIX socket pairs, for
 * machines without a vsock transport.
 *
 * The same commands also run over TCP/IPv4 (a client given an address such
 * as 169.254.3.2 instead of a CID, a server given --tcp ADDRESS), so that a
 * benchmark can measure a virtio-net device exactly as it measures vsock:
 * same data, same checksum, same clock (docs/benchmarks.md).
 */
#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

#define IO_BUF_SIZE (64 * 1024)
#define THREAD_STACK_SIZE (256 * 1024)
#define LISTEN_BACKLOG 128
#define MAX_CONNS 1024
#define MAX_CHUNK (16 * 1024 * 1024)
#define MAX_ROUND_TRIPS 1000000
#define MAX_TIMEOUT_S 86400
#define MIB (1024.0 * 1024.0)

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* ---- messages ---- */

/*
 * Print one line to stderr with a single write, so that lines from several
 * threads (or kernel messages on a guest console) do not interleave.
 */
__attribute__((format(printf, 1, 2)))
static int fail(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (len < 0)
		return -1;
	if ((size_t)len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)len) < 0) {
		/* Nowhere left to report it. */
	}
	return -1;
}

/* Print a result line to stdout and flush it: tests wait for these lines. */
__attribute__((format(printf, 1, 2)))
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

struct errtext {
	char s[96];
};

/* "Connection reset by peer (ECONNRESET)"; a socket timeout reads "timed out". */
static struct errtext errtext(int err)
{
	struct errtext t;
	const char *name = strerrorname_np(err);

	if (err == EAGAIN || err == EWOULDBLOCK)
		snprintf(t.s, sizeof(t.s), "timed out (see --timeout)");
	else
		snprintf(t.s, sizeof(t.s), "%s (%s)", strerror(err), name ? name : "?");
	return t;
}

/* ---- numbers ---- */

struct value_spec {
	const char *name;
	const char *metavar;
	bool suffixes;
	uint64_t min, max;
};

/*
 * Parse a decimal (or 0x-prefixed hex) number; with spec->suffixes, a final
 * K, M or G multiplies it by 1024, 1024^2 or 1024^3. Signs, spaces, empty
 * strings, overflow and values outside [min, max] are rejected.
 */
static int parse_value(const struct value_spec *spec, const char *text, uint64_t *out)
{
	bool hex = text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (!isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	v = strtoull(text, &end, hex ? 16 : 10);
	if (errno || end == text)
		return -1;
	if (spec->suffixes && *end) {
		switch (toupper((unsigned char)*end++)) {
		case 'K': shift = 10; break;
		case 'M': shift = 20; break;
		case 'G': shift = 30; break;
		default: return -1;
		}
	}
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	v <<= shift;
	if (v < spec->min || v > spec->max)
		return -1;
	*out = v;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double mib_per_s(uint64_t bytes, double seconds)
{
	return seconds > 0 ? (double)bytes / MIB / seconds : 0.0;
}

/* ---- the data stream and its checksum ---- */

/* Word `index` of the stream for `seed`: splitmix64 (Steele, Lea, Flood 2014). */
static uint64_t stream_word(uint64_t seed, uint64_t index)
{
	uint64_t z = seed + (index + 1) * 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Fill buf with bytes [offset, offset + len) of the stream for seed. */
static void stream_fill(uint64_t seed, uint64_t offset, uint8_t *buf, size_t len)
{
	while (len > 0) {
		uint64_t word = htole64(stream_word(seed, offset / 8));
		size_t skip = offset % 8;
		size_t n = 8 - skip < len ? 8 - skip : len;

		if (n == 8)
			memcpy(buf, &word, 8);
		else
			memcpy(buf, (const uint8_t *)&word + skip, n);
		buf += n;
		offset += n;
		len -= n;
	}
}

/*
 * CRC-32 tables for slice-by-8: crc32_table[k][b] is the CRC of byte b
 * followed by k zero bytes. Filled once through pthread_once and only read
 * afterwards, so the threads can share them.
 */
static uint32_t crc32_table[8][256];

static void crc32_fill_tables(void)
{
	for (unsigned b = 0; b < 256; b++) {
		uint32_t crc = b;

		for (int bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (crc & 1 ? 0xedb88320u : 0);
		crc32_table[0][b] = crc;
	}
	for (unsigned k = 1; k < 8; k++)
		for (unsigned b = 0; b < 256; b++) {
			uint32_t prev = crc32_table[k - 1][b];

			crc32_table[k][b] = (prev >> 8) ^ crc32_table[0][prev & 0xff];
		}
}

/* Continue a zlib-style CRC-32 (start with 0) over len more bytes. */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t len)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const uint32_t (*t)[256] = (const uint32_t (*)[256])crc32_table;

	pthread_once(&once, crc32_fill_tables);
	crc = ~crc;
	for (; len >= 8; p += 8, len -= 8) {
		uint32_t lo, hi;

		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
		lo = le32toh(lo) ^ crc;
		hi = le32toh(hi);
		crc = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^
		      t[4][lo >> 24] ^ t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^
		      t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
	}
	while (len--)
		crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xff];
	return ~crc;
}

/* ---- socket I/O helpers (retry EINTR, finish short writes) ---- */

/* read(2) retried on EINTR: bytes read, 0 at EOF, or -1 with errno. */
static ssize_t read_some(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

/* Write all of buf: 0, or -1 with errno. */
static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A read or write that waits longer than timeout_s fails with EAGAIN. */
static int set_io_timeouts(int fd, unsigned timeout_s)
{
	struct timeval tv = { .tv_sec = timeout_s };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return fail("setsockopt(SO_RCVTIMEO/SO_SNDTIMEO): %s", errtext(errno).s);
	return 0;
}

/* Wait for the peer to close its side; it must not send anything first. */
static int wait_for_eof(int fd, const char *who)
{
	uint8_t byte;
	ssize_t n = read_some(fd, &byte, 1);

	if (n < 0)
		return fail("%s: waiting for the peer to close: %s", who, errtext(errno).s);
	if (n > 0)
		return fail("%s: the peer sent data instead of closing", who);
	return 0;
}

static int vsock_socket(const char *who)
{
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return fail("%s: socket(AF_VSOCK): %s; is a vsock transport loaded?", who,
			    errtext(errno).s);
	return fd;
}

/* Listen on VMADDR_CID_ANY:port and announce it on stdout. */
static int vsock_listen(uint32_t port, const char *who)
{
	struct sockaddr_vm addr = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_ANY,
		.svm_port = port,
	};
	int fd = vsock_socket(who);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		fail("%s: bind to vsock port %" PRIu32 ": %s", who, port, errtext(errno).s);
		close(fd);
		return -1;
	}
	if (listen(fd, LISTEN_BACKLOG) < 0) {
		fail("%s: listen on vsock port %" PRIu32 ": %s", who, port, errtext(errno).s);
		close(fd);
		return -1;
	}
	say("vsock-tool: listening on port %" PRIu32, port);
	return fd;
}

/*
 * Accept one connection and give it the I/O timeouts. The listening socket
 * itself has none: servers wait for clients as long as the test lets them.
 */
static int accept_conn(int listen_fd, unsigned timeout_s, const char *who)
{
	for (;;) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd >= 0) {
			if (set_io_timeouts(fd, timeout_s) < 0) {
				close(fd);
				return -1;
			}
			return fd;
		}
		/* ECONNABORTED: the client gave up before we got to it. */
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		return fail("%s: accept: %s", who, errtext(errno).s);
	}
}

/*
 * Connect to cid:port, waiting at most timeout_s (vsock's own default is 2 s,
 * VSOCK_DEFAULT_CONNECT_TIMEOUT in net/vmw_vsock/af_vsock.c). The message
 * names the errno, which is what connect-test reports.
 */
static int vsock_connect(uint32_t cid, uint32_t port, unsigned timeout_s, const char *who)
{
	struct sockaddr_vm addr = { .svm_family = AF_VSOCK, .svm_cid = cid, .svm_port = port };
	struct timeval tv = { .tv_sec = timeout_s };
	int fd = vsock_socket(who);
	int rc;

	if (fd < 0)
		return -1;
	if (setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &tv, sizeof(tv)) < 0) {
		fail("%s: setsockopt(SO_VM_SOCKETS_CONNECT_TIMEOUT): %s", who, errtext(errno).s);
		close(fd);
		return -1;
	}
	if (set_io_timeouts(fd, timeout_s) < 0) {
		close(fd);
		return -1;
	}
	/* An interrupted vsock connect resets the socket so that it can be retried (af_vsock.c). */
	do
		rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	while (rc < 0 && errno == EINTR);
	if (rc < 0) {
		int err = errno;

		fail("%s: connect to CID %" PRIu32 " port %" PRIu32 ": %s", who, cid, port,
		     errtext(err).s);
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/*
 * TCP/IPv4 counterparts of the two above. Nagle's algorithm is off
 * (TCP_NODELAY) on every connection: a 1-byte ping must leave at once, as it
 * does over vsock, and bulk transfers write 64 KiB at a time anyway.
 */
static int tcp_nodelay(int fd, const char *who)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		return fail("%s: setsockopt(TCP_NODELAY): %s", who, errtext(errno).s);
	return 0;
}

static int tcp_listen(struct in_addr ip, uint32_t port, const char *who)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr = ip,
				    .sin_port = htons((uint16_t)port) };
	char text[INET_ADDRSTRLEN] = "?";
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return fail("%s: socket(AF_INET): %s", who, errtext(errno).s);
	inet_ntop(AF_INET, &ip, text, sizeof(text));
	/* A server started again at once must not wait out TIME_WAIT. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(fd, LISTEN_BACKLOG) < 0) {
		fail("%s: listen on TCP %s port %" PRIu32 ": %s", who, text, port,
		     errtext(errno).s);
		close(fd);
		return -1;
	}
	say("vsock-tool: listening on port %" PRIu32 " (TCP, %s)", port, text);
	return fd;
}

static int tcp_connect(struct in_addr ip, uint32_t port, unsigned timeout_s, const char *who)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr = ip,
				    .sin_port = htons((uint16_t)port) };
	char text[INET_ADDRSTRLEN] = "?";
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int rc;

	if (fd < 0)
		return fail("%s: socket(AF_INET): %s", who, errtext(errno).s);
	inet_ntop(AF_INET, &ip, text, sizeof(text));
	/* SO_SNDTIMEO bounds a blocking TCP connect too (net/ipv4/af_inet.c). */
	if (set_io_timeouts(fd, timeout_s) < 0 || tcp_nodelay(fd, who) < 0) {
		close(fd);
		return -1;
	}
	do
		rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	while (rc < 0 && errno == EINTR);
	if (rc < 0) {
		int err = errno;

		fail("%s: connect to TCP %s port %" PRIu32 ": %s", who, text, port,
		     errtext(err).s);
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* Start a thread with a small stack: echo-client runs two per connection. */
static int spawn(pthread_t *thread, void *(*fn)(void *), void *arg, bool detached)
{
	pthread_attr_t attr;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, THREAD_STACK_SIZE);
	if (detached)
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(thread, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	if (err)
		return fail("pthread_create: %s", errtext(err).s);
	return 0;
}

/* ---- data paths, on any connected stream socket ---- */

/* Write the first `bytes` bytes of the stream for seed, `chunk` at a time. */
static int stream_send(int fd, uint64_t seed, uint64_t bytes, size_t chunk, uint32_t *crc_out,
		       const char *who)
{
	uint8_t *buf = malloc(chunk);
	uint64_t sent = 0;
	uint32_t crc = 0;

	if (!buf)
		return fail("%s: out of memory for a %zu-byte buffer", who, chunk);
	while (sent < bytes) {
		size_t n = bytes - sent < chunk ? (size_t)(bytes - sent) : chunk;

		stream_fill(seed, sent, buf, n);
		crc = crc32_update(crc, buf, n);
		if (write_all(fd, buf, n) < 0) {
			int err = errno;

			free(buf);
			return fail("%s: write failed after %" PRIu64 " of %" PRIu64 " bytes: %s",
				    who, sent, bytes, errtext(err).s);
		}
		sent += n;
	}
	free(buf);
	*crc_out = crc;
	return 0;
}

/* Read until EOF; *bytes_out and *crc_out describe what arrived, even on failure. */
static int stream_drain(int fd, uint64_t *bytes_out, uint32_t *crc_out, const char *who)
{
	uint8_t *buf = malloc(IO_BUF_SIZE);
	int rc = 0;

	*bytes_out = 0;
	*crc_out = 0;
	if (!buf)
		return fail("%s: out of memory", who);
	for (;;) {
		ssize_t n = read_some(fd, buf, IO_BUF_SIZE);

		if (n == 0)
			break;
		if (n < 0) {
			rc = fail("%s: read failed after %" PRIu64 " bytes: %s", who, *bytes_out,
				  errtext(errno).s);
			break;
		}
		*crc_out = crc32_update(*crc_out, buf, (size_t)n);
		*bytes_out += (uint64_t)n;
	}
	free(buf);
	return rc;
}

/* Echo everything back until the peer shuts down its write side. */
static int echo_until_eof(int fd, uint64_t *echoed, const char *who)
{
	uint8_t *buf = malloc(IO_BUF_SIZE);
	int rc = 0;

	*echoed = 0;
	if (!buf)
		return fail("%s: out of memory", who);
	for (;;) {
		ssize_t n = read_some(fd, buf, IO_BUF_SIZE);

		if (n == 0)
			break;
		if (n < 0) {
			rc = fail("%s: read failed after %" PRIu64 " bytes: %s", who, *echoed,
				  errtext(errno).s);
			break;
		}
		if (write_all(fd, buf, (size_t)n) < 0) {
			rc = fail("%s: write failed after %" PRIu64 " bytes: %s", who, *echoed,
				  errtext(errno).s);
			break;
		}
		*echoed += (uint64_t)n;
	}
	free(buf);
	return rc;
}

struct transfer {
	uint64_t bytes;
	uint32_t crc;
	double seconds;
};

/*
 * The sending half of send/recv: stream, shut down the write side, then wait
 * for the receiver to close, so the time covers delivery and not just queuing.
 */
static int send_transfer(int fd, uint64_t seed, uint64_t bytes, size_t chunk, struct transfer *t,
			 const char *who)
{
	uint64_t start = now_ns();

	if (stream_send(fd, seed, bytes, chunk, &t->crc, who) < 0)
		return -1;
	if (shutdown(fd, SHUT_WR) < 0)
		return fail("%s: shutdown(SHUT_WR): %s", who, errtext(errno).s);
	if (wait_for_eof(fd, who) < 0)
		return -1;
	t->bytes = bytes;
	t->seconds = (double)(now_ns() - start) / 1e9;
	return 0;
}

/* The receiving half of send/recv: read and checksum until EOF. */
static int recv_transfer(int fd, struct transfer *t, const char *who)
{
	uint64_t start = now_ns();
	int rc = stream_drain(fd, &t->bytes, &t->crc, who);

	t->seconds = (double)(now_ns() - start) / 1e9;
	return rc;
}

/* `count` 1-byte round trips; rtt_ns[i] is the time of trip i. */
static int ping_run(int fd, uint64_t count, uint64_t *rtt_ns, const char *who)
{
	for (uint64_t i = 0; i < count; i++) {
		uint8_t out = (uint8_t)i, in;
		uint64_t start = now_ns();
		ssize_t n;

		if (write_all(fd, &out, 1) < 0)
			return fail("%s: write of round trip %" PRIu64 " failed: %s", who, i,
				    errtext(errno).s);
		n = read_some(fd, &in, 1);
		if (n < 0)
			return fail("%s: read of round trip %" PRIu64 " failed: %s", who, i,
				    errtext(errno).s);
		if (n == 0)
			return fail("%s: the peer closed after %" PRIu64 " round trips", who, i);
		rtt_ns[i] = now_ns() - start;
		if (in != out)
			return fail("%s: round trip %" PRIu64 ": sent 0x%02x, got 0x%02x back", who,
				    i, out, in);
	}
	return 0;
}

/* ---- echo: server threads and client connections ---- */

/* What an echo server's connection threads report back to it. */
struct server_tally {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	unsigned finished, failed;
	uint64_t bytes;
};

struct echo_job {
	int fd;
	unsigned index;
	const char *label;
	struct server_tally *tally;
};

static void tally_add(struct server_tally *tally, bool ok, uint64_t bytes)
{
	pthread_mutex_lock(&tally->lock);
	tally->finished++;
	tally->failed += !ok;
	tally->bytes += bytes;
	pthread_cond_broadcast(&tally->changed);
	pthread_mutex_unlock(&tally->lock);
}

static void tally_wait(struct server_tally *tally, unsigned finished)
{
	pthread_mutex_lock(&tally->lock);
	while (tally->finished < finished)
		pthread_cond_wait(&tally->changed, &tally->lock);
	pthread_mutex_unlock(&tally->lock);
}

/* One served connection: echo until EOF, close, report. Owns and frees job. */
static void *echo_server_thread(void *arg)
{
	struct echo_job *job = arg;
	uint64_t echoed;
	char who[64];
	int rc;

	snprintf(who, sizeof(who), "%s: connection %u", job->label, job->index);
	rc = echo_until_eof(job->fd, &echoed, who);
	/* A peer that goes away shows up as a failed write (EPIPE, reset) or
	 * as an early EOF, depending on where the transfer was; both end here
	 * with a line, so a test can see the connection end either way. */
	if (rc == 0)
		say("%s: ended by the peer after %" PRIu64 " bytes", who, echoed);
	close(job->fd);
	tally_add(job->tally, rc == 0, echoed);
	free(job);
	return NULL;
}

/* Hand fd to a new detached echo thread; on failure fd is closed and counted as failed. */
static void echo_server_start(int fd, unsigned index, const char *label, struct server_tally *t)
{
	struct echo_job *job = malloc(sizeof(*job));
	pthread_t thread;

	if (job) {
		*job = (struct echo_job){ .fd = fd, .index = index, .label = label, .tally = t };
		if (spawn(&thread, echo_server_thread, job, true) == 0)
			return;
		free(job);
	} else {
		fail("%s: connection %u: out of memory", label, index);
	}
	close(fd);
	tally_add(t, false, 0);
}

struct echo_conn {
	int fd;
	uint64_t seed, bytes;
	size_t chunk;
	uint32_t sent_crc, got_crc;
	uint64_t got_bytes;
	bool write_ok, read_ok;
	char who[64];
};

/*
 * Writer and reader run in separate threads: the peer echoes while we send,
 * so with one thread both directions' buffers would fill and stall. If one
 * side fails, shutting the socket down wakes the other.
 */
static void *echo_writer(void *arg)
{
	struct echo_conn *c = arg;

	c->write_ok = stream_send(c->fd, c->seed, c->bytes, c->chunk, &c->sent_crc, c->who) == 0;
	if (c->write_ok && shutdown(c->fd, SHUT_WR) < 0) {
		fail("%s: shutdown(SHUT_WR): %s", c->who, errtext(errno).s);
		c->write_ok = false;
	}
	if (!c->write_ok)
		shutdown(c->fd, SHUT_RDWR);
	return NULL;
}

static void *echo_reader(void *arg)
{
	struct echo_conn *c = arg;

	c->read_ok = stream_drain(c->fd, &c->got_bytes, &c->got_crc, c->who) == 0;
	if (!c->read_ok)
		shutdown(c->fd, SHUT_RDWR);
	return NULL;
}

/*
 * Send `bytes` on each of n connected fds at once (connection i uses seed
 * seed + i) and check that the same bytes come back. *checksum gets the XOR
 * of the connections' CRCs; *seconds the time it took.
 */
static int echo_client_run(const int *fds, unsigned n, uint64_t bytes, uint64_t seed,
			   const char *label, uint32_t *checksum, double *seconds)
{
	struct echo_conn *conns = calloc(n, sizeof(*conns));
	pthread_t *threads = calloc(2 * (size_t)n, sizeof(*threads));
	bool *started = calloc(2 * (size_t)n, sizeof(*started));
	unsigned failed = 0;
	uint64_t start;

	if (!conns || !threads || !started) {
		free(conns);
		free(threads);
		free(started);
		return fail("%s: out of memory for %u connections", label, n);
	}
	start = now_ns();
	for (unsigned i = 0; i < n; i++) {
		struct echo_conn *c = &conns[i];

		*c = (struct echo_conn){ .fd = fds[i], .seed = seed + i, .bytes = bytes,
					 .chunk = IO_BUF_SIZE };
		snprintf(c->who, sizeof(c->who), "%s: connection %u", label, i);
		started[2 * i] = spawn(&threads[2 * i], echo_writer, c, false) == 0;
		started[2 * i + 1] = started[2 * i] &&
				     spawn(&threads[2 * i + 1], echo_reader, c, false) == 0;
		if (!started[2 * i + 1])
			shutdown(c->fd, SHUT_RDWR);
	}
	for (unsigned i = 0; i < 2 * n; i++)
		if (started[i])
			pthread_join(threads[i], NULL);
	*seconds = (double)(now_ns() - start) / 1e9;

	*checksum = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct echo_conn *c = &conns[i];

		if (!c->write_ok || !c->read_ok) {
			failed++;	/* the I/O error is already reported */
		} else if (c->got_bytes != c->bytes || c->got_crc != c->sent_crc) {
			failed++;
			fail("%s: got %" PRIu64 " of %" PRIu64 " bytes back, checksum 0x%08" PRIx32
			     ", expected 0x%08" PRIx32, c->who, c->got_bytes, c->bytes,
			     c->got_crc, c->sent_crc);
		}
		*checksum ^= c->sent_crc;
	}
	free(conns);
	free(threads);
	free(started);
	if (failed)
		return fail("%s: %u of %u connections failed", label, failed, n);
	return 0;
}

/* ---- command line ---- */

enum arg_id { ARG_CID, ARG_PORT, ARG_BYTES, ARG_ROUNDS };

static const struct value_spec arg_specs[] = {
	[ARG_CID] = { "CID", NULL, false, 0, VMADDR_CID_ANY - 1 },
	[ARG_PORT] = { "PORT", NULL, false, 0, VMADDR_PORT_ANY - 1 },
	[ARG_BYTES] = { "BYTES", NULL, true, 0, UINT64_MAX },
	[ARG_ROUNDS] = { "COUNT", NULL, false, 1, MAX_ROUND_TRIPS },
};

enum option_id { OPT_COUNT, OPT_CONNS, OPT_SEED, OPT_CHUNK, OPT_TIMEOUT, OPT_TCP, OPT_N };

static const struct value_spec option_specs[OPT_N] = {
	[OPT_COUNT] = { "--count", "N", false, 1, UINT32_MAX },
	[OPT_CONNS] = { "--conns", "N", false, 1, MAX_CONNS },
	[OPT_SEED] = { "--seed", "S", false, 0, UINT64_MAX },
	[OPT_CHUNK] = { "--chunk", "K", true, 1, MAX_CHUNK },
	[OPT_TIMEOUT] = { "--timeout", "S", false, 1, MAX_TIMEOUT_S },
	/* An IPv4 address, parsed by parse_address, not parse_value. */
	[OPT_TCP] = { "--tcp", "ADDRESS", false, 0, 0 },
};

/* --count 0 cannot be given: it stands for "serve forever". */
static const uint64_t option_defaults[OPT_N] = {
	[OPT_COUNT] = 0, [OPT_CONNS] = 1, [OPT_SEED] = 1, [OPT_CHUNK] = IO_BUF_SIZE,
	[OPT_TIMEOUT] = 30,
};

#define MAX_ARGS 3

struct args {
	uint64_t arg[MAX_ARGS];
	uint64_t opt[OPT_N];
	/* TCP/IPv4 instead of vsock: a client's address (given instead of a
	 * CID) or a server's --tcp address. */
	bool tcp;
	struct in_addr ip;
};

/* A dotted-quad IPv4 address, nothing else. */
static int parse_address(const char *text, struct in_addr *out)
{
	return inet_pton(AF_INET, text, out) == 1 ? 0 : -1;
}

static uint32_t arg_u32(const struct args *a, unsigned i)
{
	return (uint32_t)a->arg[i];
}

static unsigned timeout_of(const struct args *a)
{
	return (unsigned)a->opt[OPT_TIMEOUT];
}

/* The command's peer: argument 0 (CID or address), port argument 1. */
static int connect_peer(const struct args *a, const char *who)
{
	if (a->tcp)
		return tcp_connect(a->ip, arg_u32(a, 1), timeout_of(a), who);
	return vsock_connect(arg_u32(a, 0), arg_u32(a, 1), timeout_of(a), who);
}

/* The server's socket: port argument 0, on vsock or on --tcp's address. */
static int listen_local(const struct args *a, const char *who)
{
	if (a->tcp)
		return tcp_listen(a->ip, arg_u32(a, 0), who);
	return vsock_listen(arg_u32(a, 0), who);
}

/* A connection a server accepted: TCP ones get TCP_NODELAY as clients do. */
static int accept_peer(const struct args *a, int listen_fd, const char *who)
{
	int fd = accept_conn(listen_fd, timeout_of(a), who);

	if (fd >= 0 && a->tcp && tcp_nodelay(fd, who) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- commands ---- */

static int cmd_echo_server(const struct args *a)
{
	const char *who = "echo-server";
	uint64_t count = a->opt[OPT_COUNT];
	struct server_tally tally = { .lock = PTHREAD_MUTEX_INITIALIZER,
				      .changed = PTHREAD_COND_INITIALIZER };
	unsigned accepted = 0;
	int listen_fd = listen_local(a, who);
	int rc = EXIT_OK;

	if (listen_fd < 0)
		return EXIT_FAIL;
	while (count == 0 || accepted < count) {
		int fd = accept_peer(a, listen_fd, who);

		if (fd < 0) {
			rc = EXIT_FAIL;
			break;
		}
		echo_server_start(fd, accepted++, who, &tally);
	}
	close(listen_fd);
	/* The threads use the tally on this stack: wait for all of them. */
	tally_wait(&tally, accepted);
	if (tally.failed) {
		fail("%s: %u of %u connections failed", who, tally.failed, accepted);
		return EXIT_FAIL;
	}
	if (rc == EXIT_OK)
		say("%s: %u connections served, %" PRIu64 " bytes echoed", who, accepted,
		    tally.bytes);
	return rc;
}

static int cmd_echo_client(const struct args *a)
{
	const char *who = "echo-client";
	unsigned n = (unsigned)a->opt[OPT_CONNS];
	uint64_t bytes = a->arg[2];
	int fds[MAX_CONNS] = { 0 };	/* only the first `connected` are used */
	unsigned connected = 0;
	uint32_t checksum;
	double seconds;
	int rc = EXIT_FAIL;

	/* Connect all first, so that the transfers really overlap. */
	while (connected < n) {
		char conn_who[48];
		int fd;

		snprintf(conn_who, sizeof(conn_who), "%s: connection %u", who, connected);
		fd = connect_peer(a, conn_who);
		if (fd < 0)
			break;
		fds[connected++] = fd;
	}
	if (connected == n &&
	    echo_client_run(fds, n, bytes, a->opt[OPT_SEED], who, &checksum, &seconds) == 0) {
		say("%s: %u connections x %" PRIu64 " bytes echoed ok, checksum 0x%08" PRIx32
		    ", %.1f MiB/s", who, n, bytes, checksum, mib_per_s(bytes * n, seconds));
		rc = EXIT_OK;
	}
	for (unsigned i = 0; i < connected; i++)
		close(fds[i]);
	return rc;
}

static int cmd_send(const struct args *a)
{
	const char *who = "send";
	struct transfer t;
	int fd = connect_peer(a, who);
	int rc;

	if (fd < 0)
		return EXIT_FAIL;
	rc = send_transfer(fd, a->opt[OPT_SEED], a->arg[2], (size_t)a->opt[OPT_CHUNK], &t, who);
	close(fd);
	if (rc < 0)
		return EXIT_FAIL;
	say("%s: %" PRIu64 " bytes checksum 0x%08" PRIx32 " in %.3f s = %.1f MiB/s", who, t.bytes,
	    t.crc, t.seconds, mib_per_s(t.bytes, t.seconds));
	return EXIT_OK;
}

static int cmd_recv(const struct args *a)
{
	const char *who = "recv";
	uint64_t count = a->opt[OPT_COUNT];
	int listen_fd = listen_local(a, who);
	int rc = EXIT_OK;

	if (listen_fd < 0)
		return EXIT_FAIL;
	for (uint64_t served = 0; count == 0 || served < count; served++) {
		int fd = accept_peer(a, listen_fd, who);
		struct transfer t;

		if (fd < 0) {
			rc = EXIT_FAIL;
			break;
		}
		if (recv_transfer(fd, &t, who) < 0)
			rc = EXIT_FAIL;
		else
			say("%s: %" PRIu64 " bytes checksum 0x%08" PRIx32 " in %.3f s = %.1f MiB/s",
			    who, t.bytes, t.crc, t.seconds, mib_per_s(t.bytes, t.seconds));
		close(fd);
	}
	close(listen_fd);
	return rc;
}

static int compare_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return (a > b) - (a < b);
}

/* Nearest-rank percentile of n sorted samples, in microseconds. */
static double percentile_us(const uint64_t *sorted, uint64_t n, unsigned pct)
{
	uint64_t rank = (n * pct + 99) / 100;

	return (double)sorted[rank ? rank - 1 : 0] / 1000.0;
}

static int cmd_ping(const struct args *a)
{
	const char *who = "ping";
	uint64_t count = a->arg[2];
	uint64_t *rtt = malloc(count * sizeof(*rtt));
	int fd, rc;

	if (!rtt) {
		fail("%s: out of memory for %" PRIu64 " samples", who, count);
		return EXIT_FAIL;
	}
	fd = connect_peer(a, who);
	if (fd < 0) {
		free(rtt);
		return EXIT_FAIL;
	}
	rc = ping_run(fd, count, rtt, who);
	close(fd);
	if (rc == 0) {
		qsort(rtt, count, sizeof(*rtt), compare_u64);
		say("%s: %" PRIu64 " round trips, median %.1f us, p99 %.1f us, min %.1f us, "
		    "max %.1f us", who, count, percentile_us(rtt, count, 50),
		    percentile_us(rtt, count, 99), percentile_us(rtt, count, 0),
		    percentile_us(rtt, count, 100));
	}
	free(rtt);
	return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

static int cmd_pong(const struct args *a)
{
	const char *who = "pong";
	uint64_t count = a->opt[OPT_COUNT];
	int listen_fd = listen_local(a, who);
	int rc = EXIT_OK;

	if (listen_fd < 0)
		return EXIT_FAIL;
	for (uint64_t served = 0; count == 0 || served < count; served++) {
		int fd = accept_peer(a, listen_fd, who);
		uint64_t echoed;

		if (fd < 0) {
			rc = EXIT_FAIL;
			break;
		}
		if (echo_until_eof(fd, &echoed, who) < 0)
			rc = EXIT_FAIL;
		else
			say("%s: %" PRIu64 " bytes answered", who, echoed);
		close(fd);
	}
	close(listen_fd);
	return rc;
}

static int cmd_connect_test(const struct args *a)
{
	int fd = connect_peer(a, "connect-test");
	char text[INET_ADDRSTRLEN] = "?";

	if (fd < 0)
		return EXIT_FAIL;
	if (a->tcp) {
		inet_ntop(AF_INET, &a->ip, text, sizeof(text));
		say("connect-test: connected to TCP %s port %" PRIu32, text, arg_u32(a, 1));
	} else {
		say("connect-test: connected to CID %" PRIu32 " port %" PRIu32, arg_u32(a, 0),
		    arg_u32(a, 1));
	}
	close(fd);
	return EXIT_OK;
}

/* ---- self-test: the data paths above over AF_UNIX socket pairs ---- */

struct checks {
	unsigned passed, failed;
};

static void check(struct checks *c, bool ok, const char *what)
{
	if (ok) {
		c->passed++;
	} else {
		c->failed++;
		fail("self-test: FAILED: %s", what);
	}
}

/* Bit-at-a-time CRC-32, the definition the table-driven one must match. */
static uint32_t crc32_bitwise(const uint8_t *p, size_t len)
{
	uint32_t crc = ~0u;

	while (len--) {
		crc ^= *p++;
		for (int bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (crc & 1 ? 0xedb88320u : 0);
	}
	return ~crc;
}

static uint32_t stream_crc(uint64_t seed, uint64_t bytes)
{
	uint8_t buf[4096];
	uint32_t crc = 0;

	for (uint64_t off = 0; off < bytes; off += sizeof(buf)) {
		size_t n = bytes - off < sizeof(buf) ? (size_t)(bytes - off) : sizeof(buf);

		stream_fill(seed, off, buf, n);
		crc = crc32_update(crc, buf, n);
	}
	return crc;
}

static void self_test_data(struct checks *c)
{
	uint8_t whole[1000], pieces[1000];
	uint32_t crc = 0;
	size_t off = 0;

	check(c, crc32_update(0, (const uint8_t *)"123456789", 9) == 0xcbf43926u,
	      "CRC-32 of \"123456789\" is 0xcbf43926");
	check(c, crc32_update(0, NULL, 0) == 0, "CRC-32 of nothing is 0");

	/* splitmix64 seeded with 0 first yields 0xe220a8397b1dcdaf. */
	stream_fill(0, 0, whole, 8);
	check(c, memcmp(whole, "\xaf\xcd\x1d\x7b\x39\xa8\x20\xe2", 8) == 0,
	      "stream for seed 0 starts with splitmix64's first word, little-endian");

	/* Any split into pieces must give the same bytes and the same CRC. */
	stream_fill(42, 5, whole, sizeof(whole));
	for (size_t len = 1; off < sizeof(pieces); len = len % 17 + 1) {
		size_t n = sizeof(pieces) - off < len ? sizeof(pieces) - off : len;

		stream_fill(42, 5 + off, pieces + off, n);
		crc = crc32_update(crc, pieces + off, n);
		off += n;
	}
	check(c, memcmp(whole, pieces, sizeof(whole)) == 0, "stream_fill in pieces = at once");
	check(c, crc == crc32_bitwise(whole, sizeof(whole)),
	      "chained slice-by-8 CRC-32 = bitwise CRC-32");
	check(c, crc32_update(0, whole + 3, 500) == crc32_bitwise(whole + 3, 500),
	      "CRC-32 of an unaligned buffer");
	stream_fill(43, 5, pieces, sizeof(pieces));
	check(c, memcmp(whole, pieces, sizeof(whole)) != 0, "different seeds give different data");
}

static void self_test_parse(struct checks *c)
{
	static const struct {
		const char *text;
		const struct value_spec *spec;
		bool ok;
		uint64_t value;
	} cases[] = {
		{ "0", &arg_specs[ARG_BYTES], true, 0 },
		{ "1234", &arg_specs[ARG_BYTES], true, 1234 },
		{ "64K", &arg_specs[ARG_BYTES], true, 65536 },
		{ "3m", &arg_specs[ARG_BYTES], true, 3 << 20 },
		{ "2G", &arg_specs[ARG_BYTES], true, 2ull << 30 },
		{ "0x10", &arg_specs[ARG_BYTES], true, 16 },
		{ "17179869183G", &arg_specs[ARG_BYTES], true, 17179869183ull << 30 },
		{ "17179869184G", &arg_specs[ARG_BYTES], false, 0 },
		{ "99999999999999999999", &arg_specs[ARG_BYTES], false, 0 },
		{ "", &arg_specs[ARG_BYTES], false, 0 },
		{ "-1", &arg_specs[ARG_BYTES], false, 0 },
		{ " 1", &arg_specs[ARG_BYTES], false, 0 },
		{ "12X", &arg_specs[ARG_BYTES], false, 0 },
		{ "1KK", &arg_specs[ARG_BYTES], false, 0 },
		{ "0x", &arg_specs[ARG_BYTES], false, 0 },
		{ "4K", &arg_specs[ARG_PORT], false, 0 },
		{ "4294967294", &arg_specs[ARG_CID], true, 4294967294u },
		{ "4294967295", &arg_specs[ARG_CID], false, 0 },
		{ "0", &option_specs[OPT_CONNS], false, 0 },
		{ "1024", &option_specs[OPT_CONNS], true, 1024 },
		{ "1025", &option_specs[OPT_CONNS], false, 0 },
		{ "16M", &option_specs[OPT_CHUNK], true, 16 << 20 },
		{ "0", &option_specs[OPT_TIMEOUT], false, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 0;
		bool ok = parse_value(cases[i].spec, cases[i].text, &v) == 0;
		char what[96];

		snprintf(what, sizeof(what), "%s '%s' is %s", cases[i].spec->name, cases[i].text,
			 cases[i].ok ? "accepted with the right value" : "rejected");
		check(c, ok == cases[i].ok && (!ok || v == cases[i].value), what);
	}
}

static int make_pair(int fds[2], unsigned timeout_s)
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
		return fail("self-test: socketpair: %s", errtext(errno).s);
	if (set_io_timeouts(fds[0], timeout_s) < 0 || set_io_timeouts(fds[1], timeout_s) < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	return 0;
}

/*
 * A connected TCP pair over the loopback: a listener on 127.0.0.1 at a port
 * the kernel picks, tcp_connect to it, accept. 1 when the machine has no
 * usable loopback (the TCP checks are then skipped, not failed).
 */
static int make_tcp_pair(int fds[2], unsigned timeout_s)
{
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	int listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (listen_fd < 0)
		return 1;
	if (bind(listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(listen_fd, 1) < 0 ||
	    getsockname(listen_fd, (struct sockaddr *)&addr, &len) < 0) {
		close(listen_fd);
		return 1;
	}
	fds[0] = tcp_connect(addr.sin_addr, ntohs(addr.sin_port), timeout_s, "self-test: tcp");
	if (fds[0] < 0) {
		close(listen_fd);
		return -1;
	}
	fds[1] = accept_conn(listen_fd, timeout_s, "self-test: tcp");
	close(listen_fd);
	if (fds[1] < 0 || tcp_nodelay(fds[1], "self-test: tcp") < 0) {
		if (fds[1] >= 0)
			close(fds[1]);
		close(fds[0]);
		return -1;
	}
	return 0;
}

/* A broken echo peer, to show that the client notices. */
struct bad_echo {
	int fd;
	bool truncate;		/* close after echoing 100000 bytes; else flip one bit */
};

static void *bad_echo_thread(void *arg)
{
	struct bad_echo *b = arg;
	uint8_t buf[4096];
	uint64_t done = 0;
	ssize_t n;

	while ((n = read_some(b->fd, buf, sizeof(buf))) > 0) {
		if (!b->truncate && done <= 1000 && done + (uint64_t)n > 1000)
			buf[1000 - done] ^= 0x10;
		if (write_all(b->fd, buf, (size_t)n) < 0)
			break;
		done += (uint64_t)n;
		if (b->truncate && done >= 100000)
			break;
	}
	close(b->fd);
	return NULL;
}

/* n concurrent echoes through echo_server_thread; returns echo_client_run's result. */
static int self_test_echo(unsigned n, uint64_t bytes, uint64_t seed, unsigned timeout_s,
			  uint32_t *checksum, uint64_t *served_bytes)
{
	struct server_tally tally = { .lock = PTHREAD_MUTEX_INITIALIZER,
				      .changed = PTHREAD_COND_INITIALIZER };
	int client_fds[16];
	unsigned made = 0;
	double seconds;
	int rc = -1;

	for (; made < n; made++) {
		int pair[2];

		if (make_pair(pair, timeout_s) < 0)
			break;
		client_fds[made] = pair[0];
		echo_server_start(pair[1], made, "self-test: echo-server", &tally);
	}
	if (made == n)
		rc = echo_client_run(client_fds, n, bytes, seed, "self-test: echo-client",
				     checksum, &seconds);
	for (unsigned i = 0; i < made; i++)
		close(client_fds[i]);
	tally_wait(&tally, made);
	*served_bytes = tally.bytes;
	return tally.failed ? -1 : rc;
}

static void self_test_echo_all(struct checks *c, unsigned timeout_s)
{
	/* Far more than an AF_UNIX socket buffers, so a lock-step client would stall. */
	const uint64_t bytes = 3 * 1024 * 1024 + 7;
	uint32_t expected = 0, checksum = 0;
	uint64_t served = 0;

	for (unsigned i = 0; i < 8; i++)
		expected ^= stream_crc(100 + i, bytes);
	check(c, self_test_echo(8, bytes, 100, timeout_s, &checksum, &served) == 0,
	      "8 concurrent echoes of 3 MiB + 7 bytes succeed");
	check(c, checksum == expected, "echo checksum is the XOR of the streams' CRC-32s");
	check(c, served == 8 * bytes, "echo server counted every byte it echoed");
	check(c, self_test_echo(1, 0, 5, timeout_s, &checksum, &served) == 0 && checksum == 0,
	      "an empty echo succeeds");

	for (int truncate = 0; truncate <= 1; truncate++) {
		struct bad_echo bad;
		pthread_t thread;
		int pair[2];
		double seconds;

		if (make_pair(pair, timeout_s) < 0) {
			check(c, false, "socketpair for a broken echo peer");
			continue;
		}
		bad = (struct bad_echo){ .fd = pair[1], .truncate = truncate };
		if (spawn(&thread, bad_echo_thread, &bad, false) < 0) {
			close(pair[0]);
			close(pair[1]);
			check(c, false, "thread for a broken echo peer");
			continue;
		}
		check(c, echo_client_run(&pair[0], 1, 1 << 20, 7, "self-test: expected failure",
					 &checksum, &seconds) < 0,
		      truncate ? "echo client notices a peer that closes early"
			       : "echo client notices one flipped bit");
		pthread_join(thread, NULL);
		close(pair[0]);
	}
}

struct sender {
	int fd;
	uint64_t bytes;
	size_t chunk;
	struct transfer result;
	int rc;
};

static void *sender_thread(void *arg)
{
	struct sender *s = arg;

	s->rc = send_transfer(s->fd, 9, s->bytes, s->chunk, &s->result, "self-test: send");
	return NULL;
}

/* Over an AF_UNIX pair, or over TCP (tcp: the pair is given). */
static void self_test_send_recv(struct checks *c, unsigned timeout_s, const int *tcp)
{
	struct sender s = { .bytes = 5 * 1024 * 1024 + 5, .chunk = 1000 };
	struct transfer got = { 0 };
	pthread_t thread;
	int pair[2], rc;

	if (tcp) {
		pair[0] = tcp[0];
		pair[1] = tcp[1];
	} else if (make_pair(pair, timeout_s) < 0) {
		check(c, false, "socketpair for send/recv");
		return;
	}
	s.fd = pair[0];
	if (spawn(&thread, sender_thread, &s, false) < 0) {
		close(pair[0]);
		close(pair[1]);
		check(c, false, "thread for send");
		return;
	}
	rc = recv_transfer(pair[1], &got, "self-test: recv");
	close(pair[1]);	/* lets the sender see EOF */
	pthread_join(thread, NULL);
	close(pair[0]);
	check(c, rc == 0 && s.rc == 0, tcp ? "TCP: send and recv of 5 MiB + 5 bytes"
				      : "send and recv of 5 MiB + 5 bytes in 1000-byte writes");
	check(c, got.bytes == s.bytes, "recv counted every byte sent");
	check(c, got.crc == s.result.crc && got.crc == stream_crc(9, s.bytes),
	      "send and recv checksums agree with the stream's CRC-32");
}

struct ponger {
	int fd;
	uint64_t echoed;
	int rc;
};

static void *pong_thread(void *arg)
{
	struct ponger *p = arg;

	p->rc = echo_until_eof(p->fd, &p->echoed, "self-test: pong");
	close(p->fd);
	return NULL;
}

static void self_test_ping(struct checks *c, unsigned timeout_s)
{
	uint64_t rtt[300];
	struct ponger p;
	pthread_t thread;
	uint64_t start;
	int pair[2], rc;

	if (make_pair(pair, timeout_s) < 0) {
		check(c, false, "socketpair for ping");
		return;
	}
	p = (struct ponger){ .fd = pair[1] };
	if (spawn(&thread, pong_thread, &p, false) < 0) {
		close(pair[0]);
		close(pair[1]);
		check(c, false, "thread for pong");
		return;
	}
	rc = ping_run(pair[0], 300, rtt, "self-test: ping");
	shutdown(pair[0], SHUT_WR);
	pthread_join(thread, NULL);
	close(pair[0]);
	check(c, rc == 0 && p.rc == 0 && p.echoed == 300, "300 ping-pong round trips");
	qsort(rtt, 300, sizeof(rtt[0]), compare_u64);
	check(c, percentile_us(rtt, 300, 0) <= percentile_us(rtt, 300, 50) &&
		 percentile_us(rtt, 300, 50) <= percentile_us(rtt, 300, 99) &&
		 percentile_us(rtt, 300, 99) <= percentile_us(rtt, 300, 100) &&
		 percentile_us(rtt, 300, 100) == (double)rtt[299] / 1000.0,
	      "latency percentiles are ordered and max is the largest sample");

	/* A peer that never answers: the read must give up after the timeout. */
	if (make_pair(pair, 1) < 0) {
		check(c, false, "socketpair for the timeout check");
		return;
	}
	start = now_ns();
	rc = ping_run(pair[0], 1, rtt, "self-test: expected failure");
	check(c, rc < 0 && now_ns() - start >= 900000000u && now_ns() - start < 10000000000u,
	      "ping against a silent peer fails after the 1 s timeout");
	close(pair[0]);
	close(pair[1]);
}

/* The TCP paths (tcp_connect, TCP_NODELAY, accept) over the loopback. */
static void self_test_tcp(struct checks *c, unsigned timeout_s)
{
	static const struct {
		const char *text;
		bool ok;
	} addresses[] = {
		{ "169.254.3.2", true }, { "0.0.0.0", true }, { "169.254.3", false },
		{ "169.254.3.256", false }, { "fe80::1", false }, { "3", false },
	};
	struct in_addr ip;
	int one = 0;
	socklen_t len = sizeof(one);
	int pair[2];
	int rc;

	for (size_t i = 0; i < sizeof(addresses) / sizeof(addresses[0]); i++) {
		char what[64];

		snprintf(what, sizeof(what), "address '%s' is %s", addresses[i].text,
			 addresses[i].ok ? "accepted" : "rejected");
		check(c, (parse_address(addresses[i].text, &ip) == 0) == addresses[i].ok, what);
	}
	rc = make_tcp_pair(pair, timeout_s);
	if (rc > 0) {
		say("self-test: no TCP loopback here; TCP transfer checks skipped");
		return;
	}
	if (rc < 0) {
		check(c, false, "TCP loopback pair");
		return;
	}
	check(c, getsockopt(pair[0], IPPROTO_TCP, TCP_NODELAY, &one, &len) == 0 && one,
	      "TCP: the client's connection has TCP_NODELAY");
	self_test_send_recv(c, timeout_s, pair);
}

static int cmd_self_test(const struct args *a)
{
	struct checks c = { 0 };

	self_test_data(&c);
	self_test_parse(&c);
	self_test_echo_all(&c, timeout_of(a));
	self_test_send_recv(&c, timeout_of(a), NULL);
	self_test_tcp(&c, timeout_of(a));
	self_test_ping(&c, timeout_of(a));
	if (c.failed) {
		fail("self-test: %u of %u checks failed", c.failed, c.passed + c.failed);
		return EXIT_FAIL;
	}
	say("self-test: all %u checks passed", c.passed);
	return EXIT_OK;
}

/* ---- main ---- */

struct command {
	const char *name;
	int (*run)(const struct args *a);
	unsigned nargs;
	enum arg_id args[MAX_ARGS];
	unsigned options;	/* 1 << OPT_x; --timeout is always accepted */
	const char *help;
};

#define OPT(x) (1u << (x))

static const struct command commands[] = {
	{ "echo-server", cmd_echo_server, 1, { ARG_PORT }, OPT(OPT_COUNT) | OPT(OPT_TCP),
	  "echo each connection (concurrently) until its peer shuts down its write side" },
	{ "echo-client", cmd_echo_client, 3, { ARG_CID, ARG_PORT, ARG_BYTES },
	  OPT(OPT_CONNS) | OPT(OPT_SEED),
	  "send BYTES on each of N connections at once and check the echo" },
	{ "send", cmd_send, 3, { ARG_CID, ARG_PORT, ARG_BYTES }, OPT(OPT_CHUNK) | OPT(OPT_SEED),
	  "stream BYTES of seeded data; print its checksum and rate" },
	{ "recv", cmd_recv, 1, { ARG_PORT }, OPT(OPT_COUNT) | OPT(OPT_TCP),
	  "receive streams one at a time; print each one's size, checksum and rate" },
	{ "ping", cmd_ping, 3, { ARG_CID, ARG_PORT, ARG_ROUNDS }, 0,
	  "COUNT 1-byte round trips; print the latency median, p99, min and max" },
	{ "pong", cmd_pong, 1, { ARG_PORT }, OPT(OPT_COUNT) | OPT(OPT_TCP),
	  "answer ping (echo connections one at a time)" },
	{ "connect-test", cmd_connect_test, 2, { ARG_CID, ARG_PORT }, 0,
	  "connect once; report success, or the errno of the failure" },
	{ "self-test", cmd_self_test, 0, { 0 }, 0,
	  "check the data paths over AF_UNIX socket pairs (no vsock needed)" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_synopsis(FILE *out, const struct command *cmd)
{
	fprintf(out, "vsock-tool %s", cmd->name);
	for (unsigned i = 0; i < cmd->nargs; i++)
		fprintf(out, " %s", arg_specs[cmd->args[i]].name);
	for (unsigned o = 0; o < OPT_N; o++)
		if (cmd->options & OPT(o))
			fprintf(out, " [%s %s]", option_specs[o].name, option_specs[o].metavar);
	fprintf(out, " [--timeout S]\n");
}

static void print_help(void)
{
	printf("usage: vsock-tool COMMAND ARGS... [OPTIONS]\n"
	       "Traffic generator and checker for AF_VSOCK stream sockets.\n\n");
	for (size_t i = 0; i < N_COMMANDS; i++) {
		printf("  ");
		print_synopsis(stdout, &commands[i]);
		printf("      %s\n", commands[i].help);
	}
	printf("\nCID 2 is the host; the guest is usually 3. Servers listen on VMADDR_CID_ANY,\n"
	       "print \"vsock-tool: listening on port PORT\" when ready and, with --count N,\n"
	       "exit after N connections (otherwise they serve forever).\n"
	       "--timeout S (default 30): fail when a connect, read or write waits longer.\n"
	       "--seed S (default 1): data is the splitmix64 sequence from state S, as\n"
	       "little-endian words; echo-client connection i uses seed S+i.\n"
	       "Checksums are CRC-32 as in zlib; echo-client prints the XOR over connections.\n"
	       "Sizes take a K, M or G suffix (powers of 1024). Rates are MiB/s of payload.\n"
	       "TCP/IPv4 instead of vsock: give a client an address (169.254.3.2) in\n"
	       "place of the CID, and a server --tcp ADDRESS to listen on (0.0.0.0: any);\n"
	       "the data, checksums and figures are the same.\n"
	       "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

__attribute__((format(printf, 2, 3)))
static int usage_error(const struct command *cmd, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "vsock-tool: %s%s%s\n", cmd ? cmd->name : "", cmd ? ": " : "", msg);
	if (cmd) {
		fprintf(stderr, "usage: ");
		print_synopsis(stderr, cmd);
	} else {
		fprintf(stderr, "run 'vsock-tool --help' for the commands\n");
	}
	return EXIT_USAGE;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Options are "--name VALUE" or "--name=VALUE" and may come anywhere after the command. */
static int parse_args(const struct command *cmd, int argc, char **argv, struct args *a)
{
	unsigned nargs = 0;

	memcpy(a->opt, option_defaults, sizeof(a->opt));
	for (int i = 0; i < argc; i++) {
		const char *text = argv[i];

		if (strncmp(text, "--", 2) == 0) {
			const char *eq = strchr(text, '=');
			size_t len = eq ? (size_t)(eq - text) : strlen(text);
			const char *value = eq ? eq + 1 : NULL;
			unsigned o = 0;

			while (o < OPT_N && (strlen(option_specs[o].name) != len ||
					     strncmp(option_specs[o].name, text, len) != 0))
				o++;
			if (o == OPT_N)
				return usage_error(cmd, "unknown option '%.*s'", (int)len, text);
			if (o != OPT_TIMEOUT && !(cmd->options & OPT(o)))
				return usage_error(cmd, "%s does not apply here", option_specs[o].name);
			if (!value && i + 1 == argc)
				return usage_error(cmd, "option %s needs a value", option_specs[o].name);
			if (!value)
				value = argv[++i];
			if (o == OPT_TCP) {
				if (parse_address(value, &a->ip) < 0)
					return usage_error(cmd, "bad value '%s' for --tcp (an IPv4 "
							   "address such as 169.254.3.1)", value);
				a->tcp = true;
				continue;
			}
			if (parse_value(&option_specs[o], value, &a->opt[o]) < 0)
				return usage_error(cmd, "bad value '%s' for %s", value,
						   option_specs[o].name);
			continue;
		}
		if (nargs == cmd->nargs)
			return usage_error(cmd, "unexpected argument '%s'", text);
		/* A client's peer: a CID, or an IPv4 address for TCP. */
		if (cmd->args[nargs] == ARG_CID && strchr(text, '.')) {
			if (parse_address(text, &a->ip) < 0)
				return usage_error(cmd, "bad address '%s' (a CID, or an IPv4 "
						   "address such as 169.254.3.2)", text);
			a->tcp = true;
			nargs++;
			continue;
		}
		if (parse_value(&arg_specs[cmd->args[nargs]], text, &a->arg[nargs]) < 0)
			return usage_error(cmd, "bad %s '%s'", arg_specs[cmd->args[nargs]].name,
					   text);
		nargs++;
	}
	if (nargs < cmd->nargs)
		return usage_error(cmd, "missing %s", arg_specs[cmd->args[nargs]].name);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct command *cmd;
	struct sigaction ignore = { .sa_handler = SIG_IGN };
	struct args a = { 0 };
	int rc;

	if (argc < 2)
		return usage_error(NULL, "missing command");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		print_help();
		return EXIT_OK;
	}
	cmd = find_command(argv[1]);
	if (!cmd)
		return usage_error(NULL, "unknown command '%s'", argv[1]);
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0) {
			print_help();
			return EXIT_OK;
		}
	rc = parse_args(cmd, argc - 2, argv + 2, &a);
	if (rc != EXIT_OK)
		return rc;
	/* A peer that goes away must give EPIPE from write, not kill us. */
	sigaction(SIGPIPE, &ignore, NULL);
	return cmd->run(&a);
}
