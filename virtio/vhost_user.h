/* The vhost frontend's second carrier: vhost-user messages on a Unix
 * socket to a backend process (QEMU docs/interop/vhost-user.rst), such as
 * Debian's virtiofsd or qemu-storage-daemon. Guest RAM goes to the backend
 * as memfd file descriptors (SET_MEM_TABLE), and the kick and call eventfds
 * the transport registered with KVM go with SET_VRING_KICK/CALL: from then
 * on the guest and the backend signal each other without minivmm.
 *
 * Every reply is checked by virtio/vhost_user_msg.c before it is used. A
 * backend that does not answer within VHOST_USER_REPLY_TIMEOUT_MS, answers
 * wrongly or hangs up breaks the connection: every later message fails,
 * and the event loop stops the VM when the socket hangs up. */
#ifndef MINIVMM_VIRTIO_VHOST_USER_H
#define MINIVMM_VIRTIO_VHOST_USER_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/guest_memory.h"
#include "virtio/backend.h"
#include "virtio/vhost.h"

#define VHOST_USER_REPLY_TIMEOUT_MS 15000
/* sun_path is 108 bytes, NUL included. */
#define VHOST_USER_PATH_MAX 107

struct vhost_user {
	int fd;      /* the connected socket; -1 when closed */
	bool broken; /* a reply was wrong or missing: stop talking */
	char path[VHOST_USER_PATH_MAX + 1];
	bool protocol;              /* VHOST_USER_F_PROTOCOL_FEATURES negotiated */
	uint64_t protocol_features; /* the ones both sides have */
	struct vhost_frontend frontend;
};

extern const struct vhost_carrier_ops vhost_user_ops;

/* Connect to the backend at `path`, waiting up to wait_ms for it to
 * appear and accept (a backend started late), then claim it and read its
 * features through the frontend named `name` (SET_OWNER, GET_FEATURES,
 * protocol features). Errors name the socket and what to do. */
int vhost_user_open(struct vhost_user *u, const char *name, const char *path, unsigned wait_ms,
		    const struct guest_memory *mem);
/* The device's config space from the backend (GET_CONFIG; needs the
 * CONFIG protocol feature). 0, or -1 with error_set(). */
int vhost_user_get_config(struct vhost_user *u, uint8_t *buf, uint32_t size);
struct virtio_backend vhost_user_backend(struct vhost_user *u);
/* Stop the rings if they run and close the socket. */
void vhost_user_close(struct vhost_user *u);

#endif
