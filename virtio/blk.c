#include "virtio/blk.h"

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <stdio.h>
#include <string.h>

#include "lib/error.h"
#include "lib/log.h"

#define BIT(n) (1ULL << (n))

uint64_t blk_offered_features(uint64_t backend_features)
{
	/* Each of these only tells the driver to read a config field, or
	 * that the backend takes a request type. Left out: MQ (one queue
	 * here), CONFIG_WCE (a config write minivmm would have to pass on). */
	uint64_t optional = BIT(VIRTIO_RING_F_EVENT_IDX) | BIT(VIRTIO_RING_F_INDIRECT_DESC) |
			    BIT(VIRTIO_BLK_F_SIZE_MAX) | BIT(VIRTIO_BLK_F_SEG_MAX) |
			    BIT(VIRTIO_BLK_F_GEOMETRY) | BIT(VIRTIO_BLK_F_RO) |
			    BIT(VIRTIO_BLK_F_BLK_SIZE) | BIT(VIRTIO_BLK_F_FLUSH) |
			    BIT(VIRTIO_BLK_F_TOPOLOGY) | BIT(VIRTIO_BLK_F_DISCARD) |
			    BIT(VIRTIO_BLK_F_WRITE_ZEROES);
	return BIT(VIRTIO_F_VERSION_1) | (backend_features & optional);
}

uint64_t blk_capacity_bytes(const uint8_t config[BLK_CONFIG_SIZE])
{
	uint64_t sectors = 0;
	for (int i = 7; i >= 0; i--) /* le64 capacity at offset 0 */
		sectors = sectors << 8 | config[i];
	return sectors > UINT64_MAX / 512 ? UINT64_MAX : sectors * 512;
}

static uint64_t features(void *dev)
{
	return ((struct blk_device *)dev)->offered;
}

static void config_read(void *dev, uint32_t offset, uint8_t *data, uint32_t len)
{
	struct blk_device *d = dev;
	for (uint32_t i = 0; i < len; i++)
		data[i] = offset + i < BLK_CONFIG_SIZE ? d->config[offset + i] : 0;
}

static int activate(void *dev, struct virtio_mmio *t)
{
	struct blk_device *d = dev;
	if (virtio_backend_queues_activate(&d->queues, t) < 0)
		return error_wrap("blk%u", d->index);
	return 0;
}

static void reset(void *dev, struct virtio_mmio *t)
{
	virtio_backend_queues_reset(&((struct blk_device *)dev)->queues, t);
}

static void notify(void *dev, struct virtio_mmio *t, uint32_t queue)
{
	(void)t;
	virtio_backend_queues_notify(&((struct blk_device *)dev)->queues, queue);
}

static const struct virtio_device_ops blk_ops = {
	.device_id = VIRTIO_ID_BLOCK,
	.num_queues = BLK_NUM_QUEUES,
	.queue_num_max = BLK_QUEUE_SIZE_MAX,
	.config_size = BLK_CONFIG_SIZE,
	.features = features,
	.config_read = config_read,
	.config_write = NULL,
	.activate = activate,
	.reset = reset,
	.notify = notify,
};

void blk_device_init(struct blk_device *d, unsigned index, const uint8_t config[BLK_CONFIG_SIZE],
		     const struct virtio_backend *backend,
		     const struct virtio_mmio_platform *platform)
{
	*d = (struct blk_device){
		.index = index,
		.offered = blk_offered_features(backend->features),
	};
	virtio_backend_queues_init(&d->queues, backend, BLK_NUM_QUEUES);
	memcpy(d->config, config, BLK_CONFIG_SIZE);
	char name[32];
	snprintf(name, sizeof(name), "virtio-blk%u", index);
	virtio_mmio_init(&d->transport, &blk_ops, d, platform, name);
}

void blk_device_print_stats(struct blk_device *d)
{
	log_msg("stats", "blk%u_notify=%lu", d->index, d->queues.notifies[0]);
}

void blk_device_destroy(struct blk_device *d)
{
	reset(d, &d->transport);
	virtio_mmio_destroy(&d->transport);
}
