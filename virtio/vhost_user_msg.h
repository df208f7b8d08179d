/* vhost-user messages, the pure part: building the frontend's requests and
 * checking the backend's replies, byte for byte, without a socket (QEMU
 * docs/interop/vhost-user.rst, "Message specification"). The carrier that
 * sends them is virtio/vhost_user.c.
 *
 * Every message is a header { u32 request; u32 flags; u32 size; } and
 * `size` bytes of payload, in the host's byte order (little-endian here:
 * minivmm is x86-64 only). File descriptors travel beside the bytes as
 * SCM_RIGHTS, so a check also needs how many came with a reply.
 *
 * A reply is never trusted before vhost_user_reply_problem() has accepted
 * it: a backend may be buggy or hostile (tests/fuzz/fuzz_vhost_user.c). */
#ifndef MINIVMM_VIRTIO_VHOST_USER_MSG_H
#define MINIVMM_VIRTIO_VHOST_USER_MSG_H

#include <stddef.h>
#include <stdint.h>

/* Header flags: bits 0-1 the protocol version (1), bit 2 a reply, bit 3 a
 * request that wants a REPLY_ACK. Every other bit must be zero. */
#define VHOST_USER_VERSION 0x1u
#define VHOST_USER_VERSION_MASK 0x3u
#define VHOST_USER_FLAG_REPLY (1u << 2)
#define VHOST_USER_FLAG_NEED_REPLY (1u << 3)

/* Feature bit 30 of GET_FEATURES: the backend speaks protocol features
 * (GET/SET_PROTOCOL_FEATURES); rings then start disabled. */
#define VHOST_USER_F_PROTOCOL_FEATURES 30

/* Protocol feature bits the frontend may use. */
#define VHOST_USER_PROTOCOL_F_MQ 0
#define VHOST_USER_PROTOCOL_F_REPLY_ACK 3
#define VHOST_USER_PROTOCOL_F_CONFIG 9

/* Requests from the frontend (the numbers of the specification). */
enum vhost_user_request {
	VHOST_USER_GET_FEATURES = 1,
	VHOST_USER_SET_FEATURES = 2,
	VHOST_USER_SET_OWNER = 3,
	VHOST_USER_RESET_OWNER = 4,
	VHOST_USER_SET_MEM_TABLE = 5,
	VHOST_USER_SET_VRING_NUM = 8,
	VHOST_USER_SET_VRING_ADDR = 9,
	VHOST_USER_SET_VRING_BASE = 10,
	VHOST_USER_GET_VRING_BASE = 11,
	VHOST_USER_SET_VRING_KICK = 12,
	VHOST_USER_SET_VRING_CALL = 13,
	VHOST_USER_GET_PROTOCOL_FEATURES = 15,
	VHOST_USER_SET_PROTOCOL_FEATURES = 16,
	VHOST_USER_GET_QUEUE_NUM = 17,
	VHOST_USER_SET_VRING_ENABLE = 18,
	VHOST_USER_GET_CONFIG = 24,
};

/* SET_MEM_TABLE carries at most this many regions (and as many fds). */
#define VHOST_USER_MAX_REGIONS 8
/* GET_CONFIG: at most this many bytes of device config space. */
#define VHOST_USER_MAX_CONFIG 256
/* SET_VRING_KICK/CALL payload: the ring index in bits 0-7; bit 8 set
 * means "no fd comes with this message". */
#define VHOST_USER_VRING_INDEX_MASK 0xffu
#define VHOST_USER_VRING_NOFD (1u << 8)

struct vhost_user_header {
	uint32_t request;
	uint32_t flags;
	uint32_t size; /* bytes of payload after the header */
};

struct vhost_user_vring_state {
	uint32_t index;
	uint32_t num;
};

struct vhost_user_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc;  /* addresses in the frontend's address space */
	uint64_t used;
	uint64_t avail;
	uint64_t log;
};

struct vhost_user_region {
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr; /* the frontend's address of the region */
	uint64_t mmap_offset;    /* where the region starts in its fd */
};

struct vhost_user_mem_table {
	uint32_t nregions;
	uint32_t padding;
	struct vhost_user_region regions[VHOST_USER_MAX_REGIONS];
};

struct vhost_user_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t data[VHOST_USER_MAX_CONFIG];
};

/* One message as it goes on the wire: the header, then hdr.size bytes of
 * whichever payload member the request uses. */
struct vhost_user_msg {
	struct vhost_user_header hdr;
	union {
		uint64_t u64;
		struct vhost_user_vring_state state;
		struct vhost_user_vring_addr addr;
		struct vhost_user_mem_table mem;
		struct vhost_user_config config;
	} payload;
} __attribute__((packed));

#define VHOST_USER_HEADER_SIZE sizeof(struct vhost_user_header)
#define VHOST_USER_PAYLOAD_MAX (sizeof(struct vhost_user_msg) - VHOST_USER_HEADER_SIZE)

/* Builders. Each fills in the whole message (header flags: version 1, plus
 * NEED_REPLY when need_reply is nonzero); send vhost_user_msg_len() bytes.
 * Send GET_* requests without NEED_REPLY: libvhost-user's vu_send_reply()
 * keeps the request's flag bits in its answer, which then carries
 * NEED_REPLY and is refused (flags must be exactly version 1 + REPLY). */
void vhost_user_msg_plain(struct vhost_user_msg *m, uint32_t request, int need_reply);
void vhost_user_msg_u64(struct vhost_user_msg *m, uint32_t request, uint64_t value,
			int need_reply);
void vhost_user_msg_state(struct vhost_user_msg *m, uint32_t request, uint32_t index,
			  uint32_t num, int need_reply);
void vhost_user_msg_addr(struct vhost_user_msg *m, const struct vhost_user_vring_addr *addr,
			 int need_reply);
/* SET_VRING_KICK/CALL: with_fd = 0 sets VHOST_USER_VRING_NOFD. */
void vhost_user_msg_vring_fd(struct vhost_user_msg *m, uint32_t request, uint32_t index,
			     int with_fd, int need_reply);
/* SET_MEM_TABLE with n (1..VHOST_USER_MAX_REGIONS) regions; size counts
 * only the regions present. */
void vhost_user_msg_mem_table(struct vhost_user_msg *m, const struct vhost_user_region *r,
			      uint32_t n, int need_reply);
/* GET_CONFIG for `size` (<= VHOST_USER_MAX_CONFIG) bytes from `offset`. */
void vhost_user_msg_get_config(struct vhost_user_msg *m, uint32_t offset, uint32_t size);

/* Bytes of `m` to send: header plus payload. */
size_t vhost_user_msg_len(const struct vhost_user_msg *m);

/* Whether `sent` gets a reply: GET_* requests always do (their answer),
 * any request with NEED_REPLY does (a REPLY_ACK u64). */
int vhost_user_expects_reply(const struct vhost_user_msg *sent);

/* Check the header of a reply to `sent` before its payload is read:
 * the request code equals sent's, flags are exactly version 1 + REPLY,
 * size is exactly what that reply carries (8 for a u64 or REPLY_ACK, 8
 * for GET_VRING_BASE's state, 12 + the asked size for GET_CONFIG), and
 * no fd came with it (nfds = how many SCM_RIGHTS fds arrived). NULL when
 * acceptable, else a sentence saying what is wrong, in one static buffer
 * that both checks share and the next problem overwrites (not
 * thread-safe; copy it, e.g. into error_set, before checking again). */
const char *vhost_user_reply_header_problem(const struct vhost_user_msg *sent,
					    const struct vhost_user_header *reply, int nfds);

/* Check a whole reply (header and payload, `len` bytes received in
 * `reply`) to `sent`: vhost_user_reply_header_problem, len equal to the
 * header plus its size, and the payload consistent with the request
 * (GET_VRING_BASE: the same ring index; GET_CONFIG: the same offset and
 * size; REPLY_ACK: 0, else "the backend refused"). NULL when acceptable. */
const char *vhost_user_reply_problem(const struct vhost_user_msg *sent,
				     const struct vhost_user_msg *reply, size_t len, int nfds);

/* "SET_MEM_TABLE", or "request 99" for an unknown code (static storage
 * for known codes; the unknown form uses a thread-unsafe static buffer). */
const char *vhost_user_request_name(uint32_t request);

#endif
