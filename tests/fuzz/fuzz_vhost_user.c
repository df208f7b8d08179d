/* libFuzzer target: a vhost-user backend's reply, any bytes with any
 * number of fds, to one of the requests a frontend sends (fuzz_input.h),
 * through virtio/vhost_user_msg.c's checks, in the carrier's order: the
 * header first (the first 12 bytes), then the whole reply. The rules
 * checked, against an oracle written here from QEMU's
 * docs/interop/vhost-user.rst rather than from the code under test:
 *   - the header check accepts exactly: a request that expects a reply,
 *     the same request code, flags version 1 + REPLY and nothing else,
 *     the size that request's reply has, no fds;
 *   - the whole check accepts exactly: an accepted header, as many bytes as
 *     it announces, and a payload that matches the request (the same ring
 *     for GET_VRING_BASE, the same offset and size for GET_CONFIG, status
 *     0 for a REPLY_ACK), and reports a refused header's problem as is;
 *   - nothing past the bytes received is read (the reply lies in a buffer
 *     of exactly that size, under ASan), and neither input is written;
 *   - every problem is one printable line, not cut short, that names the
 *     request sent;
 *   - the request itself is what the specification lays out. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "fuzz_input.h"
#include "virtio/vhost_user_msg.h"

#define HDR VHOST_USER_HEADER_SIZE
/* The codec's problem buffer holds 191 characters: a longer one was cut. */
#define PROBLEM_MAX 190

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sent_msg(struct vhost_user_msg *m, const struct vu_sent *s)
{
	struct vhost_user_region r[VHOST_USER_MAX_REGIONS];
	struct vhost_user_vring_addr addr = {
		.index = s->a, .desc = 0x7f0000001000ULL, .used = 0x7f0000003000ULL,
		.avail = 0x7f0000002000ULL,
	};

	switch (s->request) {
	case VHOST_USER_GET_VRING_BASE:
	case VHOST_USER_SET_VRING_ENABLE:
		vhost_user_msg_state(m, s->request, s->a, s->b, s->need_reply);
		break;
	case VHOST_USER_GET_CONFIG:
		vhost_user_msg_get_config(m, s->a, s->b);
		break;
	case VHOST_USER_SET_FEATURES:
	case VHOST_USER_SET_PROTOCOL_FEATURES:
		vhost_user_msg_u64(m, s->request, s->a | (uint64_t)s->b << 32, s->need_reply);
		break;
	case VHOST_USER_SET_MEM_TABLE:
		for (uint32_t i = 0; i < VHOST_USER_MAX_REGIONS; i++)
			r[i] = (struct vhost_user_region){ .guest_phys_addr = i * 0x100000000ULL,
							   .memory_size = 0x40000000,
							   .userspace_addr = 0x7f0000000000ULL,
							   .mmap_offset = i * 0x40000000ULL };
		vhost_user_msg_mem_table(m, r, s->a, s->need_reply);
		break;
	case VHOST_USER_SET_VRING_ADDR:
		vhost_user_msg_addr(m, &addr, s->need_reply);
		break;
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
		vhost_user_msg_vring_fd(m, s->request, s->a, s->b, s->need_reply);
		break;
	default:
		vhost_user_msg_plain(m, s->request, s->need_reply);
	}
}

/* The payload size the specification gives each request. */
static uint32_t sent_size(const struct vu_sent *s)
{
	switch (s->request) {
	case VHOST_USER_GET_VRING_BASE:
	case VHOST_USER_SET_VRING_ENABLE:
	case VHOST_USER_SET_FEATURES:
	case VHOST_USER_SET_PROTOCOL_FEATURES:
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
		return 8;
	case VHOST_USER_GET_CONFIG:
		return 12 + s->b;
	case VHOST_USER_SET_MEM_TABLE:
		return 8 + 32 * s->a;
	case VHOST_USER_SET_VRING_ADDR:
		return 40;
	}
	return 0;
}

static void check_sent(const struct vhost_user_msg *m, const struct vu_sent *s)
{
	const uint8_t *b = (const uint8_t *)m;
	uint32_t want_size = sent_size(s);

	FUZZ_CHECK(fuzz_get_le(b, 4) == s->request, "sent request %llu, meant %u",
		   (unsigned long long)fuzz_get_le(b, 4), s->request);
	FUZZ_CHECK(fuzz_get_le(b + 4, 4) == (s->need_reply ? 0x9u : 0x1u),
		   "sent %s with flags 0x%llx", vhost_user_request_name(s->request),
		   (unsigned long long)fuzz_get_le(b + 4, 4));
	FUZZ_CHECK(fuzz_get_le(b + 8, 4) == want_size && vhost_user_msg_len(m) == HDR + want_size &&
			   vhost_user_msg_len(m) <= sizeof(*m),
		   "sent %s with size %llu and length %zu, expected size %u",
		   vhost_user_request_name(s->request), (unsigned long long)fuzz_get_le(b + 8, 4),
		   vhost_user_msg_len(m), want_size);
}

/* Whether the specification calls for a reply, and of what size. */
static bool oracle_expects(const struct vu_sent *s, uint32_t *size)
{
	switch (s->request) {
	case VHOST_USER_GET_FEATURES:
	case VHOST_USER_GET_PROTOCOL_FEATURES:
	case VHOST_USER_GET_QUEUE_NUM:
	case VHOST_USER_GET_VRING_BASE:
		*size = 8;
		return true;
	case VHOST_USER_GET_CONFIG:
		*size = 12 + s->b;
		return true;
	}
	*size = 8; /* REPLY_ACK's u64 */
	return s->need_reply;
}

/* The payload rules, on the raw bytes after the header. */
static bool oracle_payload(const struct vu_sent *s, const uint8_t *p)
{
	switch (s->request) {
	case VHOST_USER_GET_FEATURES:
	case VHOST_USER_GET_PROTOCOL_FEATURES:
	case VHOST_USER_GET_QUEUE_NUM:
		return true;
	case VHOST_USER_GET_VRING_BASE:
		return fuzz_get_le(p, 4) == s->a;
	case VHOST_USER_GET_CONFIG:
		return fuzz_get_le(p, 4) == s->a && fuzz_get_le(p + 4, 4) == s->b;
	}
	return fuzz_get_le(p, 8) == 0;
}

static void check_text(const char *p, const char *what, const char *name)
{
	size_t n;

	if (!p)
		return;
	n = strlen(p);
	FUZZ_CHECK(n > 0 && n <= PROBLEM_MAX, "%s problem of %zu characters: \"%s\"", what, n, p);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(p[i] >= 0x20 && p[i] < 0x7f, "%s problem has byte 0x%02x: \"%s\"", what,
			   (unsigned char)p[i], p);
	FUZZ_CHECK(strstr(p, name), "%s problem does not name %s: \"%s\"", what, name, p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t prefix[VU_PREFIX_SIZE], hb[HDR];
	const struct vu_sent *s;
	struct vhost_user_msg sent, sent_copy;
	struct vhost_user_header h;
	char hp_copy[256], name[32];
	const char *hp, *rp;
	uint32_t want_size;
	uint8_t *buf;
	bool expects, ok_header, ok_all;
	int nfds;

	fuzz_take(&data, &size, prefix, sizeof(prefix));
	s = &vu_sent[prefix[0] % VU_NSENT];
	nfds = prefix[1] % VU_NFDS_MOD;
	sent_msg(&sent, s);
	check_sent(&sent, s);
	snprintf(name, sizeof(name), "%s", vhost_user_request_name(s->request));
	expects = oracle_expects(s, &want_size);
	FUZZ_CHECK(vhost_user_expects_reply(&sent) == expects, "%s: expects_reply says %d",
		   name, vhost_user_expects_reply(&sent));
	sent_copy = sent;

	/* The header, as the carrier reads it before the payload. */
	memset(hb, 0, sizeof(hb));
	memcpy(hb, data, size < HDR ? size : HDR);
	h = (struct vhost_user_header){ .request = (uint32_t)fuzz_get_le(hb, 4),
					.flags = (uint32_t)fuzz_get_le(hb + 4, 4),
					.size = (uint32_t)fuzz_get_le(hb + 8, 4) };
	hp = vhost_user_reply_header_problem(&sent, &h, nfds);
	ok_header = expects && h.request == s->request && h.flags == 0x5 && h.size == want_size &&
		    nfds == 0;
	FUZZ_CHECK(!hp == ok_header,
		   "%s: header {%u, 0x%x, %u} with %d fds %s (%s)", name, h.request, h.flags,
		   h.size, nfds, hp ? "refused" : "accepted", hp ? hp : "");
	if (!hp)
		FUZZ_CHECK(h.size <= VHOST_USER_PAYLOAD_MAX, "%s: accepted size %u", name, h.size);
	check_text(hp, "header", name);
	snprintf(hp_copy, sizeof(hp_copy), "%s", hp ? hp : "");

	/* The whole reply, in a buffer of exactly its size. */
	buf = malloc(size ? size : 1);
	FUZZ_CHECK(buf, "malloc %zu", size);
	memcpy(buf, data, size);
	rp = vhost_user_reply_problem(&sent, (const struct vhost_user_msg *)buf, size, nfds);
	ok_all = size >= HDR && ok_header && size == HDR + (size_t)want_size &&
		 oracle_payload(s, buf + HDR);
	FUZZ_CHECK(!rp == ok_all, "%s: %zu-byte reply (header {%u, 0x%x, %u}, %d fds) %s (%s)",
		   name, size, h.request, h.flags, h.size, nfds, rp ? "refused" : "accepted",
		   rp ? rp : "");
	if (!rp)
		FUZZ_CHECK(fuzz_get_le(buf, 4) == s->request && fuzz_get_le(buf + 4, 4) == 0x5 &&
				   fuzz_get_le(buf + 8, 4) == want_size && size == HDR + want_size &&
				   nfds == 0,
			   "%s: accepted a reply that is not exactly the expected one", name);
	if (size >= HDR && !ok_header)
		FUZZ_CHECK(rp && strcmp(rp, hp_copy) == 0,
			   "%s: the whole check says \"%s\", the header check \"%s\"", name,
			   rp ? rp : "", hp_copy);
	check_text(rp, "whole", name);
	FUZZ_CHECK(memcmp(buf, data, size) == 0, "%s: the reply was written to", name);
	FUZZ_CHECK(memcmp(&sent, &sent_copy, sizeof(sent)) == 0, "%s: the request was written to",
		   name);
	free(buf);
	return 0;
}
