/* virtio/vhost_user_msg.c: the frontend's requests byte for byte as QEMU's
 * docs/interop/vhost-user.rst lays them out ("Message specification"), and
 * every rule a reply must pass, each shown accepted once and refused in
 * every way it can be broken, with everything else about the reply right,
 * so that only that rule can refuse it (the exact message proves which). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/vhost_user_msg.h"

#define HDR 12

static const uint8_t *bytes(const struct vhost_user_msg *m)
{
	return (const uint8_t *)m;
}

static uint32_t le32_at(const struct vhost_user_msg *m, size_t off)
{
	const uint8_t *p = bytes(m) + off;

	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64_at(const struct vhost_user_msg *m, size_t off)
{
	return le32_at(m, off) | (uint64_t)le32_at(m, off + 4) << 32;
}

static void assert_header(const struct vhost_user_msg *m, uint32_t request, uint32_t flags,
			  uint32_t size)
{
	cr_assert_eq(le32_at(m, 0), request, "request at byte 0");
	cr_assert_eq(le32_at(m, 4), flags, "flags at byte 4: 0x%x", le32_at(m, 4));
	cr_assert_eq(le32_at(m, 8), size, "size at byte 8: %u", le32_at(m, 8));
	cr_assert_eq(vhost_user_msg_len(m), (size_t)HDR + size);
}

/* ---- builders ------------------------------------------------------ */

Test(vhost_user_msg, plain_is_a_12_byte_header)
{
	struct vhost_user_msg m;
	static const uint8_t want[HDR] = { 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 };

	memset(&m, 0xaa, sizeof(m));
	vhost_user_msg_plain(&m, VHOST_USER_GET_FEATURES, 0);
	cr_assert_arr_eq(bytes(&m), want, HDR);
	cr_assert_eq(vhost_user_msg_len(&m), 12u);
	vhost_user_msg_plain(&m, VHOST_USER_SET_OWNER, 1);
	assert_header(&m, 3, 0x9, 0); /* version 1 | NEED_REPLY (bit 3) */
}

Test(vhost_user_msg, u64_payload_follows_the_header)
{
	struct vhost_user_msg m;
	static const uint8_t want[HDR + 8] = { 2, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0,
					       8, 7, 6, 5, 4, 3, 2, 1 };

	vhost_user_msg_u64(&m, VHOST_USER_SET_FEATURES, 0x0102030405060708ULL, 0);
	cr_assert_arr_eq(bytes(&m), want, sizeof(want));
	cr_assert_eq(vhost_user_msg_len(&m), 20u);
	vhost_user_msg_u64(&m, VHOST_USER_SET_PROTOCOL_FEATURES, 1, 1);
	assert_header(&m, 16, 0x9, 8);
}

Test(vhost_user_msg, state_is_index_then_num)
{
	struct vhost_user_msg m;

	vhost_user_msg_state(&m, VHOST_USER_SET_VRING_NUM, 1, 256, 0);
	assert_header(&m, 8, 0x1, 8);
	cr_assert_eq(le32_at(&m, 12), 1u);
	cr_assert_eq(le32_at(&m, 16), 256u);
	vhost_user_msg_state(&m, VHOST_USER_GET_VRING_BASE, 2, 0, 0);
	assert_header(&m, 11, 0x1, 8);
	cr_assert_eq(le32_at(&m, 12), 2u);
}

/* struct vhost_vring_addr: index, flags, then desc, used, avail, log. */
Test(vhost_user_msg, vring_addr_payload_is_40_bytes_in_spec_order)
{
	struct vhost_user_msg m;
	struct vhost_user_vring_addr a = {
		.index = 3, .flags = 1, .desc = 0x1111111111111111ULL,
		.used = 0x2222222222222222ULL, .avail = 0x3333333333333333ULL,
		.log = 0x4444444444444444ULL,
	};

	vhost_user_msg_addr(&m, &a, 1);
	assert_header(&m, 9, 0x9, 40);
	cr_assert_eq(le32_at(&m, 12), 3u);
	cr_assert_eq(le32_at(&m, 16), 1u);
	cr_assert_eq(le64_at(&m, 20), 0x1111111111111111ULL, "descriptor at payload offset 8");
	cr_assert_eq(le64_at(&m, 28), 0x2222222222222222ULL, "used at payload offset 16");
	cr_assert_eq(le64_at(&m, 36), 0x3333333333333333ULL, "available at payload offset 24");
	cr_assert_eq(le64_at(&m, 44), 0x4444444444444444ULL, "log at payload offset 32");
	cr_assert_eq(vhost_user_msg_len(&m), 52u);
}

Test(vhost_user_msg, kick_and_call_carry_index_and_nofd_bit)
{
	struct vhost_user_msg m;

	vhost_user_msg_vring_fd(&m, VHOST_USER_SET_VRING_KICK, 2, 0, 0);
	assert_header(&m, 12, 0x1, 8);
	cr_assert_eq(le64_at(&m, 12), 0x102u, "index 2 | 0x100 (no fd)");
	vhost_user_msg_vring_fd(&m, VHOST_USER_SET_VRING_CALL, 2, 1, 1);
	assert_header(&m, 13, 0x9, 8);
	cr_assert_eq(le64_at(&m, 12), 0x2u, "index 2, an fd comes with it");
	/* An index past bits 0-7 cannot become the no-fd flag. */
	vhost_user_msg_vring_fd(&m, VHOST_USER_SET_VRING_KICK, 0x1ff, 1, 0);
	cr_assert_eq(le64_at(&m, 12), 0xffu);
}

Test(vhost_user_msg, mem_table_is_8_bytes_plus_32_per_region)
{
	struct vhost_user_msg m;
	struct vhost_user_region r[VHOST_USER_MAX_REGIONS + 1];

	for (uint32_t i = 0; i < VHOST_USER_MAX_REGIONS + 1; i++)
		r[i] = (struct vhost_user_region){ .guest_phys_addr = 0x1000 * i + 1,
						   .memory_size = 0x1000 * i + 2,
						   .userspace_addr = 0x1000 * i + 3,
						   .mmap_offset = 0x1000 * i + 4 };
	memset(&m, 0xaa, sizeof(m));
	vhost_user_msg_mem_table(&m, r, 2, 1);
	assert_header(&m, 5, 0x9, 8 + 32 * 2);
	cr_assert_eq(le32_at(&m, 12), 2u, "num regions");
	cr_assert_eq(le32_at(&m, 16), 0u, "padding");
	for (uint32_t i = 0; i < 2; i++) {
		size_t o = HDR + 8 + 32 * i;

		cr_assert_eq(le64_at(&m, o), 0x1000 * i + 1, "region %u guest address", i);
		cr_assert_eq(le64_at(&m, o + 8), 0x1000 * i + 2, "region %u size", i);
		cr_assert_eq(le64_at(&m, o + 16), 0x1000 * i + 3, "region %u user address", i);
		cr_assert_eq(le64_at(&m, o + 24), 0x1000 * i + 4, "region %u mmap offset", i);
	}
	cr_assert_eq(vhost_user_msg_len(&m), 84u);

	vhost_user_msg_mem_table(&m, r, VHOST_USER_MAX_REGIONS, 0);
	assert_header(&m, 5, 0x1, 8 + 32 * 8);
	/* More than the table holds is cut to 8, never written past it. */
	vhost_user_msg_mem_table(&m, r, VHOST_USER_MAX_REGIONS + 1, 0);
	assert_header(&m, 5, 0x1, 8 + 32 * 8);
	cr_assert_eq(le32_at(&m, 12), 8u);
}

Test(vhost_user_msg, get_config_is_12_bytes_plus_the_asked_size)
{
	struct vhost_user_msg m;
	uint8_t zeros[VHOST_USER_MAX_CONFIG] = { 0 };

	memset(&m, 0xaa, sizeof(m));
	vhost_user_msg_get_config(&m, 0x10, 8);
	assert_header(&m, 24, 0x1, 12 + 8);
	cr_assert_eq(le32_at(&m, 12), 0x10u, "offset");
	cr_assert_eq(le32_at(&m, 16), 8u, "size");
	cr_assert_eq(le32_at(&m, 20), 0u, "flags");
	cr_assert_arr_eq(bytes(&m) + 24, zeros, 8);
	vhost_user_msg_get_config(&m, 0, VHOST_USER_MAX_CONFIG + 1);
	assert_header(&m, 24, 0x1, 12 + VHOST_USER_MAX_CONFIG);
	cr_assert_eq(le32_at(&m, 16), (uint32_t)VHOST_USER_MAX_CONFIG);
}

Test(vhost_user_msg, len_never_runs_past_the_message)
{
	struct vhost_user_msg m;

	vhost_user_msg_plain(&m, VHOST_USER_GET_FEATURES, 0);
	m.hdr.size = 0xffffffffu;
	cr_assert_eq(vhost_user_msg_len(&m), sizeof(m));
	cr_assert_eq(sizeof(m), (size_t)HDR + VHOST_USER_PAYLOAD_MAX);
}

Test(vhost_user_msg, request_names)
{
	cr_assert_str_eq(vhost_user_request_name(VHOST_USER_SET_MEM_TABLE), "SET_MEM_TABLE");
	cr_assert_str_eq(vhost_user_request_name(VHOST_USER_GET_CONFIG), "GET_CONFIG");
	cr_assert_str_eq(vhost_user_request_name(99), "request 99");
}

Test(vhost_user_msg, which_requests_expect_a_reply)
{
	static const uint32_t gets[] = { VHOST_USER_GET_FEATURES, VHOST_USER_GET_PROTOCOL_FEATURES,
					 VHOST_USER_GET_QUEUE_NUM, VHOST_USER_GET_VRING_BASE,
					 VHOST_USER_GET_CONFIG };
	static const uint32_t sets[] = { VHOST_USER_SET_FEATURES, VHOST_USER_SET_OWNER,
					 VHOST_USER_SET_MEM_TABLE, VHOST_USER_SET_VRING_KICK,
					 VHOST_USER_SET_VRING_ENABLE, 99 };
	struct vhost_user_msg m;

	for (size_t i = 0; i < sizeof(gets) / sizeof(gets[0]); i++) {
		vhost_user_msg_plain(&m, gets[i], 0);
		cr_assert(vhost_user_expects_reply(&m), "%u", gets[i]);
	}
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		vhost_user_msg_plain(&m, sets[i], 0);
		cr_assert(!vhost_user_expects_reply(&m), "%u without NEED_REPLY", sets[i]);
		vhost_user_msg_plain(&m, sets[i], 1);
		cr_assert(vhost_user_expects_reply(&m), "%u with NEED_REPLY", sets[i]);
	}
}

/* ---- replies ------------------------------------------------------- */

#define GOOD 0x5u /* version 1 | REPLY */

static char got[256];

/* The header check; the problem copied (or "" when accepted). */
static const char *hp(const struct vhost_user_msg *sent, uint32_t request, uint32_t flags,
		      uint32_t size, int nfds)
{
	struct vhost_user_header h = { .request = request, .flags = flags, .size = size };
	const char *p = vhost_user_reply_header_problem(sent, &h, nfds);

	snprintf(got, sizeof(got), "%s", p ? p : "");
	return got;
}

/* The whole check on exactly `len` received bytes, in a buffer of that
 * size: under ASan a read past what was received is a crash. */
static const char *rp(const struct vhost_user_msg *sent, const struct vhost_user_msg *reply,
		      size_t len, int nfds)
{
	uint8_t *buf = malloc(len ? len : 1);
	const char *p;

	cr_assert_not_null(buf);
	memcpy(buf, reply, len < sizeof(*reply) ? len : sizeof(*reply));
	p = vhost_user_reply_problem(sent, (const struct vhost_user_msg *)buf, len, nfds);
	snprintf(got, sizeof(got), "%s", p ? p : "");
	free(buf);
	return got;
}

static struct vhost_user_msg reply_u64(uint32_t request, uint64_t v)
{
	struct vhost_user_msg r;

	vhost_user_msg_u64(&r, request, v, 0);
	r.hdr.flags = GOOD;
	return r;
}

static size_t len_of(const struct vhost_user_msg *r)
{
	return HDR + r->hdr.size;
}

Test(vhost_user_msg, u64_answers_are_accepted)
{
	static const uint32_t gets[] = { VHOST_USER_GET_FEATURES, VHOST_USER_GET_PROTOCOL_FEATURES,
					 VHOST_USER_GET_QUEUE_NUM };
	struct vhost_user_msg sent, r;

	for (size_t i = 0; i < sizeof(gets) / sizeof(gets[0]); i++) {
		vhost_user_msg_plain(&sent, gets[i], 0);
		cr_assert_str_eq(hp(&sent, gets[i], GOOD, 8, 0), "");
		r = reply_u64(gets[i], 0xffffffffffffffffULL);
		cr_assert_str_eq(rp(&sent, &r, 20, 0), "");
	}
}

/* "need_reply bit being set brings no behavioural change" for a request
 * with a reply of its own: one reply, its own. */
Test(vhost_user_msg, a_get_with_need_reply_gets_only_its_answer)
{
	struct vhost_user_msg sent, r;

	vhost_user_msg_state(&sent, VHOST_USER_GET_VRING_BASE, 1, 0, 1);
	vhost_user_msg_state(&r, VHOST_USER_GET_VRING_BASE, 1, 77, 0);
	r.hdr.flags = GOOD;
	cr_assert_str_eq(rp(&sent, &r, 20, 0), "", "a vring state with num 77 is no failed ack");
}

Test(vhost_user_msg, reply_for_another_request_is_refused)
{
	struct vhost_user_msg sent;

	vhost_user_msg_plain(&sent, VHOST_USER_GET_FEATURES, 0);
	cr_assert_str_eq(hp(&sent, VHOST_USER_GET_PROTOCOL_FEATURES, GOOD, 8, 0),
			 "reply to GET_FEATURES is for GET_PROTOCOL_FEATURES");
	cr_assert_str_eq(hp(&sent, 1000, GOOD, 8, 0), "reply to GET_FEATURES is for request 1000");
	vhost_user_msg_plain(&sent, 77, 1);
	cr_assert_str_eq(hp(&sent, 78, GOOD, 8, 0), "reply to request 77 is for request 78",
			 "two unknown codes, each named");
}

Test(vhost_user_msg, flags_must_be_exactly_version_1_and_reply)
{
	static const uint32_t bad[] = {
		0x0,                   /* nothing */
		0x1,                   /* version 1, no REPLY */
		0x4,                   /* REPLY, version 0 */
		0x6,                   /* REPLY, version 2 */
		0x7,                   /* REPLY, version 3 */
		0xd,                   /* NEED_REPLY echoed back */
		0x15,                  /* bit 4 */
		GOOD | 0x80000000u,    /* bit 31 */
	};
	struct vhost_user_msg sent;
	char want[128];

	vhost_user_msg_plain(&sent, VHOST_USER_GET_FEATURES, 0);
	cr_assert_str_eq(hp(&sent, VHOST_USER_GET_FEATURES, GOOD, 8, 0), "");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want),
			 "reply to GET_FEATURES has flags 0x%x, expected 0x5 (version 1, REPLY)",
			 bad[i]);
		cr_assert_str_eq(hp(&sent, VHOST_USER_GET_FEATURES, bad[i], 8, 0), want);
	}
}

Test(vhost_user_msg, u64_answer_size_must_be_8)
{
	static const uint32_t bad[] = { 0, 4, 7, 9, 12, 16, 40 };
	struct vhost_user_msg sent;
	char want[128];

	vhost_user_msg_plain(&sent, VHOST_USER_GET_QUEUE_NUM, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "reply to GET_QUEUE_NUM has size %u, expected 8",
			 bad[i]);
		cr_assert_str_eq(hp(&sent, VHOST_USER_GET_QUEUE_NUM, GOOD, bad[i], 0), want);
	}
}

Test(vhost_user_msg, vring_base_answer_is_a_state_for_the_same_ring)
{
	struct vhost_user_msg sent, r;

	vhost_user_msg_state(&sent, VHOST_USER_GET_VRING_BASE, 1, 0, 0);
	cr_assert_str_eq(hp(&sent, VHOST_USER_GET_VRING_BASE, GOOD, 12, 0),
			 "reply to GET_VRING_BASE has size 12, expected 8");
	cr_assert_str_eq(hp(&sent, VHOST_USER_GET_VRING_BASE, GOOD, 4, 0),
			 "reply to GET_VRING_BASE has size 4, expected 8");

	vhost_user_msg_state(&r, VHOST_USER_GET_VRING_BASE, 1, 4242, 0);
	r.hdr.flags = GOOD;
	cr_assert_str_eq(rp(&sent, &r, 20, 0), "");
	r.payload.state.index = 0;
	cr_assert_str_eq(rp(&sent, &r, 20, 0),
			 "reply to GET_VRING_BASE is for ring 0, expected ring 1");
	r.payload.state.index = 0x101;
	cr_assert_str_eq(rp(&sent, &r, 20, 0),
			 "reply to GET_VRING_BASE is for ring 257, expected ring 1");
}

static struct vhost_user_msg config_reply(uint32_t offset, uint32_t size)
{
	struct vhost_user_msg r;

	vhost_user_msg_get_config(&r, offset, size);
	r.hdr.flags = GOOD;
	memset(r.payload.config.data, 0x5a, size);
	return r;
}

Test(vhost_user_msg, config_answer_is_12_plus_the_asked_size)
{
	struct vhost_user_msg sent, r;

	vhost_user_msg_get_config(&sent, 0x10, 8);
	r = config_reply(0x10, 8);
	cr_assert_str_eq(rp(&sent, &r, 32, 0), "");
	cr_assert_str_eq(hp(&sent, VHOST_USER_GET_CONFIG, GOOD, 19, 0),
			 "reply to GET_CONFIG has size 19, expected 20");
	cr_assert_str_eq(hp(&sent, VHOST_USER_GET_CONFIG, GOOD, 21, 0),
			 "reply to GET_CONFIG has size 21, expected 20");
	cr_assert_str_eq(hp(&sent, VHOST_USER_GET_CONFIG, GOOD, 12, 0),
			 "reply to GET_CONFIG has size 12, expected 20");
	/* libvhost-user's way of saying the read failed. */
	cr_assert_str_eq(hp(&sent, VHOST_USER_GET_CONFIG, GOOD, 0, 0),
			 "the backend refused GET_CONFIG (empty reply)");
}

Test(vhost_user_msg, config_answer_has_the_asked_offset_and_size)
{
	struct vhost_user_msg sent, r;

	vhost_user_msg_get_config(&sent, 0x10, 8);
	r = config_reply(0x10, 8);
	r.payload.config.offset = 0x14;
	cr_assert_str_eq(rp(&sent, &r, 32, 0), "reply to GET_CONFIG has offset 20 and size 8, "
						"expected offset 16 and size 8");
	r = config_reply(0x10, 8);
	r.payload.config.size = 4; /* the header's size still says 20 */
	cr_assert_str_eq(rp(&sent, &r, 32, 0), "reply to GET_CONFIG has offset 16 and size 4, "
						"expected offset 16 and size 8");
	/* The config flags are the backend's to set. */
	r = config_reply(0x10, 8);
	r.payload.config.flags = 1;
	cr_assert_str_eq(rp(&sent, &r, 32, 0), "");
}

Test(vhost_user_msg, the_largest_config_fits_a_message)
{
	struct vhost_user_msg sent, r;

	vhost_user_msg_get_config(&sent, 0, VHOST_USER_MAX_CONFIG);
	r = config_reply(0, VHOST_USER_MAX_CONFIG);
	cr_assert_eq(r.hdr.size, 12u + VHOST_USER_MAX_CONFIG);
	cr_assert_leq(r.hdr.size, VHOST_USER_PAYLOAD_MAX);
	cr_assert_str_eq(rp(&sent, &r, len_of(&r), 0), "");
}

Test(vhost_user_msg, oversized_payload_is_refused_before_it_is_read)
{
	struct vhost_user_msg sent;
	char want[128];

	vhost_user_msg_plain(&sent, VHOST_USER_GET_FEATURES, 0);
	snprintf(want, sizeof(want),
		 "reply to GET_FEATURES has size 4294967295, more than the %zu a message holds",
		 VHOST_USER_PAYLOAD_MAX);
	cr_assert_str_eq(hp(&sent, VHOST_USER_GET_FEATURES, GOOD, 0xffffffffu, 0), want);
	/* A GET_CONFIG altered by hand to ask for more than a message holds:
	 * the size the backend sends is the one asked, and still refused. */
	vhost_user_msg_get_config(&sent, 0, 8);
	sent.payload.config.size = 1000;
	sent.hdr.size = 1012;
	snprintf(want, sizeof(want),
		 "reply to GET_CONFIG has size 1012, more than the %zu a message holds",
		 VHOST_USER_PAYLOAD_MAX);
	cr_assert_str_eq(hp(&sent, VHOST_USER_GET_CONFIG, GOOD, 1012, 0), want);
	snprintf(want, sizeof(want),
		 "reply to GET_CONFIG has size %zu, more than the %zu a message holds",
		 VHOST_USER_PAYLOAD_MAX + 1, VHOST_USER_PAYLOAD_MAX);
	cr_assert_str_eq(hp(&sent, VHOST_USER_GET_CONFIG, GOOD, VHOST_USER_PAYLOAD_MAX + 1, 0),
			 want);
}

Test(vhost_user_msg, no_reply_carries_fds)
{
	static const int bad[] = { 1, 2, 8, -1 };
	struct vhost_user_msg sent, r;
	char want[128];

	vhost_user_msg_plain(&sent, VHOST_USER_GET_FEATURES, 0);
	r = reply_u64(VHOST_USER_GET_FEATURES, 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want),
			 "reply to GET_FEATURES came with %d file descriptor%s, expected none",
			 bad[i], bad[i] == 1 ? "" : "s");
		cr_assert_str_eq(hp(&sent, VHOST_USER_GET_FEATURES, GOOD, 8, bad[i]), want);
		cr_assert_str_eq(rp(&sent, &r, 20, bad[i]), want);
	}
}

Test(vhost_user_msg, a_reply_to_a_request_without_one_is_refused)
{
	struct vhost_user_msg sent, r;

	vhost_user_msg_plain(&sent, VHOST_USER_SET_OWNER, 0);
	cr_assert_str_eq(hp(&sent, VHOST_USER_SET_OWNER, GOOD, 8, 0),
			 "the backend replied to SET_OWNER, which expects no reply");
	vhost_user_msg_u64(&sent, VHOST_USER_SET_FEATURES, 1, 0);
	r = reply_u64(VHOST_USER_SET_FEATURES, 0);
	cr_assert_str_eq(rp(&sent, &r, 20, 0),
			 "the backend replied to SET_FEATURES, which expects no reply");
}

Test(vhost_user_msg, reply_ack_zero_is_success_anything_else_a_refusal)
{
	struct vhost_user_msg sent, r;
	struct vhost_user_region reg = { .memory_size = 4096 };

	vhost_user_msg_mem_table(&sent, &reg, 1, 1);
	r = reply_u64(VHOST_USER_SET_MEM_TABLE, 0);
	cr_assert_str_eq(rp(&sent, &r, 20, 0), "");
	r = reply_u64(VHOST_USER_SET_MEM_TABLE, 1);
	cr_assert_str_eq(rp(&sent, &r, 20, 0), "the backend refused SET_MEM_TABLE (status 1)");
	r = reply_u64(VHOST_USER_SET_MEM_TABLE, 0x8000000000000000ULL);
	cr_assert_str_eq(rp(&sent, &r, 20, 0),
			 "the backend refused SET_MEM_TABLE (status 9223372036854775808)");
	cr_assert_str_eq(hp(&sent, VHOST_USER_SET_MEM_TABLE, GOOD, 0, 0),
			 "reply to SET_MEM_TABLE has size 0, expected 8");
	cr_assert_str_eq(hp(&sent, VHOST_USER_SET_MEM_TABLE, GOOD, 4, 0),
			 "reply to SET_MEM_TABLE has size 4, expected 8");
}

Test(vhost_user_msg, received_length_must_be_header_plus_size)
{
	struct vhost_user_msg sent, r;

	vhost_user_msg_plain(&sent, VHOST_USER_GET_FEATURES, 0);
	r = reply_u64(VHOST_USER_GET_FEATURES, 3);
	cr_assert_str_eq(rp(&sent, &r, len_of(&r), 0), "");
	cr_assert_str_eq(rp(&sent, &r, 19, 0), "reply to GET_FEATURES is 19 bytes, expected 20");
	cr_assert_str_eq(rp(&sent, &r, 21, 0), "reply to GET_FEATURES is 21 bytes, expected 20");
	cr_assert_str_eq(rp(&sent, &r, 1000, 0), "reply to GET_FEATURES is 1000 bytes, expected 20");
	/* Shorter than a header: not even the header is read (ASan). */
	for (size_t len = 0; len < HDR; len++) {
		char want[128];

		snprintf(want, sizeof(want),
			 "reply to GET_FEATURES is %zu bytes, shorter than the 12-byte header",
			 len);
		cr_assert_str_eq(rp(&sent, &r, len, 0), want);
	}
}

Test(vhost_user_msg, the_whole_check_applies_the_header_check)
{
	struct vhost_user_msg sent, r;

	vhost_user_msg_plain(&sent, VHOST_USER_GET_FEATURES, 0);
	r = reply_u64(VHOST_USER_GET_FEATURES, 3);
	r.hdr.flags = 0xd;
	cr_assert_str_eq(rp(&sent, &r, 20, 0),
			 "reply to GET_FEATURES has flags 0xd, expected 0x5 (version 1, REPLY)");
	r = reply_u64(VHOST_USER_SET_FEATURES, 3);
	cr_assert_str_eq(rp(&sent, &r, 20, 0), "reply to GET_FEATURES is for SET_FEATURES");
	r = reply_u64(VHOST_USER_GET_FEATURES, 3);
	r.hdr.size = 4;
	cr_assert_str_eq(rp(&sent, &r, 16, 0), "reply to GET_FEATURES has size 4, expected 8");
}
