#include "virtio/vhost_user.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/error.h"
#include "lib/exit_status.h"
#include "lib/log.h"
#include "lib/trace.h"
#include "virtio/vhost_user_msg.h"

/* Protocol features minivmm uses when the backend has them: REPLY_ACK
 * (every request is confirmed, so a refused one fails where it was sent)
 * and CONFIG (GET_CONFIG: virtio-blk's capacity comes from the backend). */
#define WANTED_PROTOCOL_FEATURES                                                           \
	((1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) | (1ULL << VHOST_USER_PROTOCOL_F_CONFIG))

static struct vhost_user *U(void *c)
{
	return c;
}

/* The connection cannot be trusted any more: every later message fails. */
static int broken(struct vhost_user *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int broken(struct vhost_user *u, const char *fmt, ...)
{
	char msg[ERROR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	u->broken = true;
	return error_set("vhost-user backend %s: %s", u->path, msg);
}

/* Send one message with nfds file descriptors (SCM_RIGHTS). MSG_NOSIGNAL:
 * a backend that died gives EPIPE, not a SIGPIPE that would kill minivmm. */
static int send_msg(struct vhost_user *u, const struct vhost_user_msg *m, const int *fds,
		    int nfds)
{
	const char *name = vhost_user_request_name(m->hdr.request);
	if (u->broken || u->fd < 0)
		return error_set("vhost-user backend %s: not sending %s: the connection is broken",
				 u->path, name);
	size_t len = vhost_user_msg_len(m);
	struct iovec iov = { .iov_base = (void *)m, .iov_len = len };
	union {
		char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_REGIONS)];
		struct cmsghdr align;
	} control;
	memset(&control, 0, sizeof(control));
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds > 0) {
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	ssize_t n;
	do
		n = sendmsg(u->fd, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return broken(u, "sending %s: %s (did the backend exit?)", name, strerror(errno));
	if ((size_t)n != len)
		return broken(u, "sending %s: short write", name);
	return 0;
}

/* Read exactly len bytes within the deadline; fds that come along are
 * counted and closed (no reply minivmm asks for carries any). */
static int recv_exact(struct vhost_user *u, void *buf, size_t len, int64_t deadline_ns,
		      int *nfds, const char *name)
{
	size_t got = 0;
	while (got < len) {
		int64_t left_ms = (deadline_ns - (int64_t)clock_now_ns()) / 1000000;
		if (left_ms <= 0)
			return broken(u, "no reply to %s within %d ms (the backend hangs)", name,
				      VHOST_USER_REPLY_TIMEOUT_MS);
		struct pollfd p = { .fd = u->fd, .events = POLLIN };
		int r = poll(&p, 1, (int)left_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return broken(u, "waiting for the reply to %s: %s", name, strerror(errno));
		if (r == 0)
			continue;
		union {
			char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_REGIONS)];
			struct cmsghdr align;
		} control;
		struct iovec iov = { .iov_base = (char *)buf + got, .iov_len = len - got };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = control.buf,
				      .msg_controllen = sizeof(control.buf) };
		ssize_t n = recvmsg(u->fd, &msg, MSG_CMSG_CLOEXEC);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return broken(u, "reading the reply to %s: %s", name, strerror(errno));
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			for (int i = 0; i < count; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
				close(fd);
			}
			*nfds += count;
		}
		if (msg.msg_flags & MSG_CTRUNC)
			*nfds += 1; /* more fds than fit: certainly wrong */
		if (n == 0)
			return broken(u, "it hung up instead of answering %s (did the backend "
				      "exit?)", name);
		got += (size_t)n;
	}
	return 0;
}

/* Send a request and, when it expects one, read and check the reply into
 * *reply. A REPLY_ACK that is not 0 is the backend refusing: an error,
 * but the connection stays usable. */
static int transact(struct vhost_user *u, const struct vhost_user_msg *m, const int *fds,
		    int nfds, struct vhost_user_msg *reply)
{
	const char *name = vhost_user_request_name(m->hdr.request);
	if (send_msg(u, m, fds, nfds) < 0)
		return -1;
	if (!vhost_user_expects_reply(m))
		return 0;
	struct vhost_user_msg tmp;
	if (!reply)
		reply = &tmp;
	memset(reply, 0, sizeof(*reply));
	int64_t deadline = (int64_t)clock_now_ns() + (int64_t)VHOST_USER_REPLY_TIMEOUT_MS * 1000000;
	int got_fds = 0;
	uint8_t *raw = (uint8_t *)reply;
	if (recv_exact(u, raw, VHOST_USER_HEADER_SIZE, deadline, &got_fds, name) < 0)
		return -1;
	struct vhost_user_header hdr;
	memcpy(&hdr, raw, sizeof(hdr));
	const char *problem = vhost_user_reply_header_problem(m, &hdr, got_fds);
	if (problem)
		return broken(u, "%s (refused: the reply is not used)", problem);
	if (recv_exact(u, raw + VHOST_USER_HEADER_SIZE, hdr.size, deadline, &got_fds, name) < 0)
		return -1;
	problem = vhost_user_reply_problem(m, reply, VHOST_USER_HEADER_SIZE + hdr.size, got_fds);
	if (problem) {
		/* A refusal through REPLY_ACK is an answer, not a protocol
		 * error: the backend is still in step with us. */
		if (!((m->hdr.flags & VHOST_USER_FLAG_NEED_REPLY) && hdr.size == 8))
			u->broken = true;
		error_set("vhost-user backend %s: %s", u->path, problem);
		return error_status(EXIT_VMM_FAILED);
	}
	return 0;
}

static int need_ack(struct vhost_user *u)
{
	return (u->protocol_features >> VHOST_USER_PROTOCOL_F_REPLY_ACK) & 1;
}

static int simple(struct vhost_user *u, struct vhost_user_msg *m, const int *fds, int nfds)
{
	return transact(u, m, fds, nfds, NULL);
}

static int set_owner(void *c)
{
	struct vhost_user_msg m;
	vhost_user_msg_plain(&m, VHOST_USER_SET_OWNER, need_ack(U(c)));
	return simple(U(c), &m, NULL, 0);
}

static int get_u64(struct vhost_user *u, uint32_t request, uint64_t *out)
{
	struct vhost_user_msg m, r;
	vhost_user_msg_plain(&m, request, 0);
	if (transact(u, &m, NULL, 0, &r) < 0)
		return -1;
	*out = r.payload.u64;
	return 0;
}

/* GET_FEATURES, and when the backend speaks protocol features, agree on
 * them now (before any request that could want a REPLY_ACK). Bit 30 is the
 * carrier's business: the device never sees it. */
static int get_features(void *c, uint64_t *features)
{
	struct vhost_user *u = c;
	uint64_t f;
	if (get_u64(u, VHOST_USER_GET_FEATURES, &f) < 0)
		return -1;
	u->protocol = (f >> VHOST_USER_F_PROTOCOL_FEATURES) & 1;
	*features = f & ~(1ULL << VHOST_USER_F_PROTOCOL_FEATURES);
	if (!u->protocol)
		return 0;
	uint64_t pf;
	if (get_u64(u, VHOST_USER_GET_PROTOCOL_FEATURES, &pf) < 0)
		return -1;
	struct vhost_user_msg m;
	vhost_user_msg_u64(&m, VHOST_USER_SET_PROTOCOL_FEATURES, pf & WANTED_PROTOCOL_FEATURES, 0);
	if (simple(u, &m, NULL, 0) < 0)
		return -1;
	u->protocol_features = pf & WANTED_PROTOCOL_FEATURES;
	trace(TRACE_VHOST, "vhost-user %s: protocol features 0x%llx agreed (REPLY_ACK %s, CONFIG "
	      "%s) [docs/interop/vhost-user.rst, Protocol features]", u->path,
	      (unsigned long long)u->protocol_features, need_ack(u) ? "yes" : "no",
	      (u->protocol_features >> VHOST_USER_PROTOCOL_F_CONFIG) & 1 ? "yes" : "no");
	return 0;
}

static int set_features(void *c, uint64_t features)
{
	struct vhost_user *u = c;
	if (u->protocol)
		features |= 1ULL << VHOST_USER_F_PROTOCOL_FEATURES;
	struct vhost_user_msg m;
	vhost_user_msg_u64(&m, VHOST_USER_SET_FEATURES, features, need_ack(u));
	return simple(u, &m, NULL, 0);
}

/* Every region of guest RAM as (guest address, size, minivmm's address,
 * offset in the memfd), with the memfd once per region. */
static int set_mem_table(void *c, const struct guest_memory *mem)
{
	struct vhost_user *u = c;
	if (mem->fd < 0)
		return error_set("vhost-user backend %s: guest RAM is not shareable (no memfd)",
				 u->path);
	struct vhost_user_region regions[VHOST_USER_MAX_REGIONS];
	int fds[VHOST_USER_MAX_REGIONS];
	uint32_t n = 0;
	struct guest_memory_region r;
	guest_memory_for_each_region(mem, i, r) {
		regions[n] = (struct vhost_user_region){
			.guest_phys_addr = r.gpa, .memory_size = r.size,
			.userspace_addr = (uintptr_t)r.host, .mmap_offset = r.file_offset,
		};
		fds[n++] = mem->fd;
	}
	struct vhost_user_msg m;
	vhost_user_msg_mem_table(&m, regions, n, need_ack(u));
	return simple(u, &m, fds, (int)n);
}

static int set_state(void *c, uint32_t request, uint32_t index, uint32_t num)
{
	struct vhost_user_msg m;
	vhost_user_msg_state(&m, request, index, num, need_ack(U(c)));
	return simple(U(c), &m, NULL, 0);
}

static int set_vring_num(void *c, uint32_t index, uint32_t num)
{
	return set_state(c, VHOST_USER_SET_VRING_NUM, index, num);
}

static int set_vring_base(void *c, uint32_t index, uint32_t base)
{
	return set_state(c, VHOST_USER_SET_VRING_BASE, index, base);
}

/* GET_VRING_BASE stops the ring: the backend stops processing it, closes
 * its kick and call eventfds, and says where it got to. */
static int get_vring_base(void *c, uint32_t index, uint32_t *base)
{
	struct vhost_user_msg m, r;
	vhost_user_msg_state(&m, VHOST_USER_GET_VRING_BASE, index, 0, 0);
	if (transact(U(c), &m, NULL, 0, &r) < 0)
		return -1;
	*base = r.payload.state.num;
	return 0;
}

static int set_vring_addr(void *c, uint32_t index, const struct vhost_ring_addr *a)
{
	struct vhost_user_vring_addr addr = {
		.index = index, .desc = a->desc, .used = a->used, .avail = a->avail,
	};
	struct vhost_user_msg m;
	vhost_user_msg_addr(&m, &addr, need_ack(U(c)));
	return simple(U(c), &m, NULL, 0);
}

/* fd -1 is how the frontend detaches a stopped ring; over vhost-user,
 * GET_VRING_BASE already made the backend let go of both eventfds, and a
 * SET_VRING_KICK without an fd would instead switch the ring to polling
 * mode. So there is nothing to send. */
static int set_vring_fd(void *c, uint32_t request, uint32_t index, int fd)
{
	if (fd < 0)
		return 0;
	struct vhost_user_msg m;
	vhost_user_msg_vring_fd(&m, request, index, 1, need_ack(U(c)));
	return simple(U(c), &m, &fd, 1);
}

static int set_vring_kick(void *c, uint32_t index, int fd)
{
	return set_vring_fd(c, VHOST_USER_SET_VRING_KICK, index, fd);
}

static int set_vring_call(void *c, uint32_t index, int fd)
{
	return set_vring_fd(c, VHOST_USER_SET_VRING_CALL, index, fd);
}

/* With protocol features, rings start disabled: the backend does not
 * touch a ring until SET_VRING_ENABLE 1. Without, the kick starts it. */
static int set_vring_enable(void *c, uint32_t index, int enable)
{
	if (!U(c)->protocol)
		return 0;
	return set_state(c, VHOST_USER_SET_VRING_ENABLE, index, (uint32_t)enable);
}

const struct vhost_carrier_ops vhost_user_ops = {
	.set_owner = set_owner,
	.get_features = get_features,
	.set_features = set_features,
	.set_mem_table = set_mem_table,
	.set_vring_num = set_vring_num,
	.set_vring_base = set_vring_base,
	.get_vring_base = get_vring_base,
	.set_vring_addr = set_vring_addr,
	.set_vring_kick = set_vring_kick,
	.set_vring_call = set_vring_call,
	.set_vring_enable = set_vring_enable,
};

/* A backend started after minivmm: retry while the socket does not exist
 * yet or nobody listens on it, up to wait_ms. */
static int connect_socket(struct vhost_user *u, unsigned wait_ms)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	memcpy(addr.sun_path, u->path, strlen(u->path) + 1);
	int64_t deadline = (int64_t)clock_now_ns() + (int64_t)wait_ms * 1000000;
	bool said = false;
	for (;;) {
		u->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (u->fd < 0)
			return error_errno("vhost-user: socket");
		if (connect(u->fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
			return 0;
		int err = errno;
		close(u->fd);
		u->fd = -1;
		bool retry = err == ENOENT || err == ECONNREFUSED || err == EAGAIN;
		if (!retry || (int64_t)clock_now_ns() >= deadline) {
			errno = err;
			if (err == ENOENT || err == ECONNREFUSED)
				error_errno("vhost-user backend %s: cannot connect%s (start the backend "
					    "first, listening on this socket, e.g. "
					    "qemu-storage-daemon --export type=vhost-user-blk,"
					    "addr.type=unix,addr.path=%s ...)",
					    u->path, wait_ms ? " after waiting" : "", u->path);
			else
				error_errno("vhost-user backend %s: cannot connect", u->path);
			return error_status(EXIT_VMM_FAILED);
		}
		if (!said)
			log_info("vhost-user: waiting up to %u ms for a backend on %s", wait_ms,
				 u->path);
		said = true;
		struct timespec ts = { .tv_nsec = 50 * 1000000 };
		nanosleep(&ts, NULL);
	}
}

int vhost_user_open(struct vhost_user *u, const char *name, const char *path, unsigned wait_ms,
		    const struct guest_memory *mem)
{
	*u = (struct vhost_user){ .fd = -1 };
	if (strlen(path) > VHOST_USER_PATH_MAX)
		return error_set("vhost-user socket path %s is longer than %d bytes (the limit of "
				 "a Unix socket address): use a shorter one", path,
				 VHOST_USER_PATH_MAX);
	snprintf(u->path, sizeof(u->path), "%s", path);
	if (connect_socket(u, wait_ms) < 0)
		return -1;
	trace(TRACE_VHOST, "%s: connected to the vhost-user backend on %s; the messages below "
	      "travel on this socket, file descriptors beside them as SCM_RIGHTS "
	      "[docs/interop/vhost-user.rst]", name, u->path);
	if (vhost_frontend_open(&u->frontend, name, &vhost_user_ops, u, mem, NULL) < 0) {
		vhost_user_close(u); /* nothing started: sends nothing */
		return -1;
	}
	return 0;
}

int vhost_user_get_config(struct vhost_user *u, uint8_t *buf, uint32_t size)
{
	if (!((u->protocol_features >> VHOST_USER_PROTOCOL_F_CONFIG) & 1))
		return error_set("vhost-user backend %s does not offer its device's configuration "
				 "(no CONFIG protocol feature)", u->path);
	struct vhost_user_msg m, r;
	vhost_user_msg_get_config(&m, 0, size);
	if (transact(u, &m, NULL, 0, &r) < 0)
		return -1;
	memcpy(buf, r.payload.config.data, size);
	return 0;
}

struct virtio_backend vhost_user_backend(struct vhost_user *u)
{
	return vhost_frontend_backend(&u->frontend);
}

void vhost_user_close(struct vhost_user *u)
{
	if (u->fd >= 0 && !u->broken)
		vhost_frontend_close(&u->frontend);
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
}
