/* The virtio-blk device (virtio 1.2 section 5.2): device ID 2, one request
 * queue, config space struct virtio_blk_config (capacity in 512-byte
 * sectors, then the limits and geometry its feature bits announce). With
 * a vhost-user backend (qemu-storage-daemon's vhost-user-blk export) the
 * config space is the backend's, read once with GET_CONFIG before the
 * guest boots; the queue goes to the backend at DRIVER_OK. */
#ifndef MINIVMM_VIRTIO_BLK_H
#define MINIVMM_VIRTIO_BLK_H

#include <linux/virtio_blk.h>
#include <stdbool.h>
#include <stdint.h>

#include "virtio/backend.h"
#include "virtio/mmio.h"

#define BLK_NUM_QUEUES 1
#define BLK_QUEUE_SIZE_MAX 256
/* The config space up to the write-zeroes fields (virtio 1.1's layout):
 * the secure-erase and zoned fields after it belong to features minivmm
 * does not offer, and QEMU 7.2's backends refuse a GET_CONFIG that asks
 * for more than they know (libvhost-user-blk checks the length). */
#include <stddef.h>
#define BLK_CONFIG_SIZE offsetof(struct virtio_blk_config, max_secure_erase_sectors)

struct blk_device {
	unsigned index; /* blk0, blk1: for messages and --stats */
	uint8_t config[BLK_CONFIG_SIZE];
	uint64_t offered;
	struct virtio_backend_queues queues; /* all BLK_NUM_QUEUES go to the backend */
	struct virtio_mmio transport;
};

/* What the device offers for a backend's features: VERSION_1, the ring
 * features, and the block features that need nothing from minivmm (the
 * backend's config space answers them). Not MQ: one queue. */
uint64_t blk_offered_features(uint64_t backend_features);
/* Capacity in bytes, from config space. */
uint64_t blk_capacity_bytes(const uint8_t config[BLK_CONFIG_SIZE]);

void blk_device_init(struct blk_device *d, unsigned index, const uint8_t config[BLK_CONFIG_SIZE],
		     const struct virtio_backend *backend,
		     const struct virtio_mmio_platform *platform);
void blk_device_print_stats(struct blk_device *d);
void blk_device_destroy(struct blk_device *d);

#endif
