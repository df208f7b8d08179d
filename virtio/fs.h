/* The virtio-fs device (virtio 1.2 section 5.11): device ID 26, a shared
 * host directory the guest mounts with `mount -t virtiofs TAG DIR`. Queue
 * 0 is the high-priority queue (FUSE interrupts and forgets), queue 1 the
 * one request queue; config space { u8 tag[36]; le32 num_request_queues; }.
 * The FUSE protocol itself is the backend's (virtiofsd, over vhost-user):
 * both queues go to it at DRIVER_OK, and minivmm never sees a request. */
#ifndef MINIVMM_VIRTIO_FS_H
#define MINIVMM_VIRTIO_FS_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio/backend.h"
#include "virtio/mmio.h"

#define FS_NUM_QUEUES 2 /* hiprio + one request queue */
#define FS_QUEUE_SIZE_MAX 256
#define FS_TAG_MAX 36 /* bytes, not NUL-terminated when all are used */

struct fs_device {
	unsigned index; /* fs0, fs1: for messages and --stats */
	char tag[FS_TAG_MAX + 1];
	uint64_t offered;
	struct virtio_backend_queues queues; /* all FS_NUM_QUEUES go to the backend */
	struct virtio_mmio transport;
};

/* What the device offers for a backend's features: VERSION_1 and the ring
 * features it supports. */
uint64_t fs_offered_features(uint64_t backend_features);
/* The config space bytes for `tag` (the rest zero). */
void fs_config(const char *tag, uint8_t out[FS_TAG_MAX + 4]);

void fs_device_init(struct fs_device *d, unsigned index, const char *tag,
		    const struct virtio_backend *backend,
		    const struct virtio_mmio_platform *platform);
void fs_device_print_stats(struct fs_device *d);
void fs_device_destroy(struct fs_device *d);

#endif
