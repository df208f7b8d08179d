/* vhost-user messages, the pure part (QEMU docs/interop/vhost-user.rst,
 * "Message specification", "Front-end message types" and "REPLY_ACK").
 * Builders lay out the frontend's requests; the checks hold a reply to the
 * exact shape its request calls for, the way QEMU's hw/virtio/vhost-user.c
 * does (flags exactly version 1 + REPLY), so that nothing a backend sends
 * is used before it has been accepted. */
#include "virtio/vhost_user_msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The wire layout of the specification's payloads, which the structures
 * must match byte for byte. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "vhost-user uses the host's order");
_Static_assert(VHOST_USER_HEADER_SIZE == 12, "header: request, flags, size");
_Static_assert(sizeof(struct vhost_user_vring_state) == 8, "vring state: index, num");
_Static_assert(sizeof(struct vhost_user_vring_addr) == 40, "vring address: 2 u32 + 4 u64");
_Static_assert(sizeof(struct vhost_user_region) == 32, "memory region: 4 u64");
_Static_assert(offsetof(struct vhost_user_mem_table, regions) == 8, "nregions, padding");
_Static_assert(offsetof(struct vhost_user_config, data) == 12, "offset, size, flags");
_Static_assert(offsetof(struct vhost_user_msg, payload) == VHOST_USER_HEADER_SIZE,
	       "payload right after the header");

#define CONFIG_HDR offsetof(struct vhost_user_config, data)
#define REPLY_FLAGS (VHOST_USER_VERSION | VHOST_USER_FLAG_REPLY)

/* Long enough for every problem below with the longest names and numbers. */
static char problem_buf[192];

static const char *problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *problem(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(problem_buf, sizeof(problem_buf), fmt, ap);
	va_end(ap);
	return problem_buf;
}

static const char *known_name(uint32_t request)
{
	switch (request) {
	case VHOST_USER_GET_FEATURES: return "GET_FEATURES";
	case VHOST_USER_SET_FEATURES: return "SET_FEATURES";
	case VHOST_USER_SET_OWNER: return "SET_OWNER";
	case VHOST_USER_RESET_OWNER: return "RESET_OWNER";
	case VHOST_USER_SET_MEM_TABLE: return "SET_MEM_TABLE";
	case VHOST_USER_SET_VRING_NUM: return "SET_VRING_NUM";
	case VHOST_USER_SET_VRING_ADDR: return "SET_VRING_ADDR";
	case VHOST_USER_SET_VRING_BASE: return "SET_VRING_BASE";
	case VHOST_USER_GET_VRING_BASE: return "GET_VRING_BASE";
	case VHOST_USER_SET_VRING_KICK: return "SET_VRING_KICK";
	case VHOST_USER_SET_VRING_CALL: return "SET_VRING_CALL";
	case VHOST_USER_GET_PROTOCOL_FEATURES: return "GET_PROTOCOL_FEATURES";
	case VHOST_USER_SET_PROTOCOL_FEATURES: return "SET_PROTOCOL_FEATURES";
	case VHOST_USER_GET_QUEUE_NUM: return "GET_QUEUE_NUM";
	case VHOST_USER_SET_VRING_ENABLE: return "SET_VRING_ENABLE";
	case VHOST_USER_GET_CONFIG: return "GET_CONFIG";
	}
	return NULL;
}

/* The name, or "request N" formatted into buf: a problem may name two
 * requests, so it cannot use vhost_user_request_name's one buffer. */
static const char *name_into(char buf[24], uint32_t request)
{
	const char *n = known_name(request);

	if (n)
		return n;
	snprintf(buf, 24, "request %u", request);
	return buf;
}

const char *vhost_user_request_name(uint32_t request)
{
	static char buf[24];

	return name_into(buf, request);
}

/* ---- builders ------------------------------------------------------ */

static void start(struct vhost_user_msg *m, uint32_t request, uint32_t size, int need_reply)
{
	memset(m, 0, sizeof(*m));
	m->hdr.request = request;
	m->hdr.flags = VHOST_USER_VERSION | (need_reply ? VHOST_USER_FLAG_NEED_REPLY : 0);
	m->hdr.size = size;
}

void vhost_user_msg_plain(struct vhost_user_msg *m, uint32_t request, int need_reply)
{
	start(m, request, 0, need_reply);
}

void vhost_user_msg_u64(struct vhost_user_msg *m, uint32_t request, uint64_t value,
			int need_reply)
{
	start(m, request, sizeof(m->payload.u64), need_reply);
	m->payload.u64 = value;
}

void vhost_user_msg_state(struct vhost_user_msg *m, uint32_t request, uint32_t index,
			  uint32_t num, int need_reply)
{
	start(m, request, sizeof(m->payload.state), need_reply);
	m->payload.state.index = index;
	m->payload.state.num = num;
}

void vhost_user_msg_addr(struct vhost_user_msg *m, const struct vhost_user_vring_addr *addr,
			 int need_reply)
{
	start(m, VHOST_USER_SET_VRING_ADDR, sizeof(m->payload.addr), need_reply);
	m->payload.addr = *addr;
}

/* "Bits (0-7) of the payload contain the vring index. Bit 8 is the invalid
 * FD flag" (SET_VRING_KICK/CALL): the index is cut to its 8 bits so that a
 * wrong one can never turn into the flag. */
void vhost_user_msg_vring_fd(struct vhost_user_msg *m, uint32_t request, uint32_t index,
			     int with_fd, int need_reply)
{
	uint64_t v = index & VHOST_USER_VRING_INDEX_MASK;

	vhost_user_msg_u64(m, request, with_fd ? v : v | VHOST_USER_VRING_NOFD, need_reply);
}

/* The size counts the regions sent, not the 8 slots (QEMU sends the same:
 * header 8 bytes + 32 per region); more than 8 are cut to 8, which the
 * array holds (and the caller sends as many fds). */
void vhost_user_msg_mem_table(struct vhost_user_msg *m, const struct vhost_user_region *r,
			      uint32_t n, int need_reply)
{
	if (n > VHOST_USER_MAX_REGIONS)
		n = VHOST_USER_MAX_REGIONS;
	start(m, VHOST_USER_SET_MEM_TABLE,
	      (uint32_t)(offsetof(struct vhost_user_mem_table, regions) +
			 n * sizeof(struct vhost_user_region)),
	      need_reply);
	m->payload.mem.nregions = n;
	if (n)
		memcpy(m->payload.mem.regions, r, n * sizeof(*r));
}

/* The request carries the whole config payload, data zeroed: "the back-end's
 * payload size MUST match the front-end's request" (GET_CONFIG). */
void vhost_user_msg_get_config(struct vhost_user_msg *m, uint32_t offset, uint32_t size)
{
	if (size > VHOST_USER_MAX_CONFIG)
		size = VHOST_USER_MAX_CONFIG;
	start(m, VHOST_USER_GET_CONFIG, (uint32_t)(CONFIG_HDR + size), 0);
	m->payload.config.offset = offset;
	m->payload.config.size = size;
}

size_t vhost_user_msg_len(const struct vhost_user_msg *m)
{
	size_t size = m->hdr.size;

	/* A message altered by hand never makes a send read past it. */
	if (size > VHOST_USER_PAYLOAD_MAX)
		size = VHOST_USER_PAYLOAD_MAX;
	return VHOST_USER_HEADER_SIZE + size;
}

/* ---- replies ------------------------------------------------------- */

enum reply_kind {
	REPLY_NONE,
	REPLY_U64,    /* GET_FEATURES, GET_PROTOCOL_FEATURES, GET_QUEUE_NUM */
	REPLY_STATE,  /* GET_VRING_BASE */
	REPLY_CONFIG, /* GET_CONFIG */
	REPLY_ACK,    /* any other request sent with NEED_REPLY */
};

/* A request that has a reply of its own gets only that one, NEED_REPLY or
 * not ("For the message types that already solicit a reply ... need_reply
 * bit being set brings no behavioural change", REPLY_ACK). */
static enum reply_kind reply_kind(const struct vhost_user_msg *sent)
{
	switch (sent->hdr.request) {
	case VHOST_USER_GET_FEATURES:
	case VHOST_USER_GET_PROTOCOL_FEATURES:
	case VHOST_USER_GET_QUEUE_NUM:
		return REPLY_U64;
	case VHOST_USER_GET_VRING_BASE:
		return REPLY_STATE;
	case VHOST_USER_GET_CONFIG:
		return REPLY_CONFIG;
	}
	return sent->hdr.flags & VHOST_USER_FLAG_NEED_REPLY ? REPLY_ACK : REPLY_NONE;
}

/* 64 bits: a sent GET_CONFIG altered by hand may ask for up to 4 GiB. */
static uint64_t reply_size(const struct vhost_user_msg *sent, enum reply_kind kind)
{
	switch (kind) {
	case REPLY_U64:
	case REPLY_ACK:
		return sizeof(uint64_t);
	case REPLY_STATE:
		return sizeof(struct vhost_user_vring_state);
	case REPLY_CONFIG:
		return CONFIG_HDR + (uint64_t)sent->payload.config.size;
	case REPLY_NONE:
		break;
	}
	return 0;
}

int vhost_user_expects_reply(const struct vhost_user_msg *sent)
{
	return reply_kind(sent) != REPLY_NONE;
}

const char *vhost_user_reply_header_problem(const struct vhost_user_msg *sent,
					    const struct vhost_user_header *reply, int nfds)
{
	enum reply_kind kind = reply_kind(sent);
	char sent_buf[24], got_buf[24];
	const char *name = name_into(sent_buf, sent->hdr.request);
	uint64_t want = reply_size(sent, kind);

	if (kind == REPLY_NONE)
		return problem("the backend replied to %s, which expects no reply", name);
	if (reply->request != sent->hdr.request)
		return problem("reply to %s is for %s", name, name_into(got_buf, reply->request));
	if (reply->flags != REPLY_FLAGS)
		return problem("reply to %s has flags 0x%x, expected 0x%x (version 1, REPLY)", name,
			       reply->flags, REPLY_FLAGS);
	/* Before anything else is read: the payload must fit the buffer. */
	if (reply->size > VHOST_USER_PAYLOAD_MAX)
		return problem("reply to %s has size %u, more than the %zu a message holds", name,
			       reply->size, VHOST_USER_PAYLOAD_MAX);
	/* libvhost-user's vu_get_config answers a failed read with no payload. */
	if (kind == REPLY_CONFIG && reply->size == 0)
		return problem("the backend refused %s (empty reply)", name);
	if (reply->size != want)
		return problem("reply to %s has size %u, expected %llu", name, reply->size,
			       (unsigned long long)want);
	if (nfds != 0)
		return problem("reply to %s came with %d file descriptor%s, expected none", name,
			       nfds, nfds == 1 ? "" : "s");
	return NULL;
}

const char *vhost_user_reply_problem(const struct vhost_user_msg *sent,
				     const struct vhost_user_msg *reply, size_t len, int nfds)
{
	char buf[24];
	const char *name = name_into(buf, sent->hdr.request);
	struct vhost_user_header hdr;
	const char *p;

	/* Nothing past `len` is read: not even the header when it is short. */
	if (len < VHOST_USER_HEADER_SIZE)
		return problem("reply to %s is %zu bytes, shorter than the %zu-byte header", name,
			       len, VHOST_USER_HEADER_SIZE);
	/* A copy: the packed message gives no aligned pointer to its header. */
	hdr = reply->hdr;
	p = vhost_user_reply_header_problem(sent, &hdr, nfds);
	if (p)
		return p;
	if (len != VHOST_USER_HEADER_SIZE + hdr.size)
		return problem("reply to %s is %zu bytes, expected %zu", name, len,
			       VHOST_USER_HEADER_SIZE + hdr.size);

	switch (reply_kind(sent)) {
	case REPLY_STATE:
		if (reply->payload.state.index != sent->payload.state.index)
			return problem("reply to %s is for ring %u, expected ring %u", name,
				       reply->payload.state.index, sent->payload.state.index);
		break;
	case REPLY_CONFIG:
		if (reply->payload.config.offset != sent->payload.config.offset ||
		    reply->payload.config.size != sent->payload.config.size)
			return problem("reply to %s has offset %u and size %u, expected offset %u "
				       "and size %u", name, reply->payload.config.offset,
				       reply->payload.config.size, sent->payload.config.offset,
				       sent->payload.config.size);
		break;
	case REPLY_ACK:
		/* "zero on success or non-zero on failure" (REPLY_ACK). */
		if (reply->payload.u64 != 0)
			return problem("the backend refused %s (status %llu)", name,
				       (unsigned long long)reply->payload.u64);
		break;
	case REPLY_U64:
	case REPLY_NONE:
		break;
	}
	return NULL;
}
