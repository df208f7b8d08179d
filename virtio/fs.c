#include "virtio/fs.h"

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <stdio.h>
#include <string.h>

#include "lib/error.h"
#include "lib/log.h"

#define BIT(n) (1ULL << (n))

uint64_t fs_offered_features(uint64_t backend_features)
{
	uint64_t optional = BIT(VIRTIO_RING_F_EVENT_IDX) | BIT(VIRTIO_RING_F_INDIRECT_DESC);
	return BIT(VIRTIO_F_VERSION_1) | (backend_features & optional);
}

void fs_config(const char *tag, uint8_t out[FS_TAG_MAX + 4])
{
	memset(out, 0, FS_TAG_MAX + 4);
	size_t n = strnlen(tag, FS_TAG_MAX);
	memcpy(out, tag, n);
	out[FS_TAG_MAX] = 1; /* le32 num_request_queues = 1 */
}

static uint64_t features(void *dev)
{
	return ((struct fs_device *)dev)->offered;
}

static void config_read(void *dev, uint32_t offset, uint8_t *data, uint32_t len)
{
	struct fs_device *d = dev;
	uint8_t config[FS_TAG_MAX + 4];
	fs_config(d->tag, config);
	for (uint32_t i = 0; i < len; i++)
		data[i] = offset + i < sizeof(config) ? config[offset + i] : 0;
}

static int activate(void *dev, struct virtio_mmio *t)
{
	struct fs_device *d = dev;
	if (virtio_backend_queues_activate(&d->queues, t) < 0)
		return error_wrap("fs%u (tag %s)", d->index, d->tag);
	return 0;
}

static void reset(void *dev, struct virtio_mmio *t)
{
	virtio_backend_queues_reset(&((struct fs_device *)dev)->queues, t);
}

static void notify(void *dev, struct virtio_mmio *t, uint32_t queue)
{
	(void)t;
	virtio_backend_queues_notify(&((struct fs_device *)dev)->queues, queue);
}

static const struct virtio_device_ops fs_ops = {
	.device_id = VIRTIO_ID_FS,
	.num_queues = FS_NUM_QUEUES,
	.queue_num_max = FS_QUEUE_SIZE_MAX,
	.config_size = FS_TAG_MAX + 4,
	.features = features,
	.config_read = config_read,
	.config_write = NULL,
	.activate = activate,
	.reset = reset,
	.notify = notify,
};

void fs_device_init(struct fs_device *d, unsigned index, const char *tag,
		    const struct virtio_backend *backend,
		    const struct virtio_mmio_platform *platform)
{
	*d = (struct fs_device){
		.index = index,
		.offered = fs_offered_features(backend->features),
	};
	virtio_backend_queues_init(&d->queues, backend, FS_NUM_QUEUES);
	snprintf(d->tag, sizeof(d->tag), "%s", tag);
	char name[32];
	snprintf(name, sizeof(name), "virtio-fs%u", index);
	virtio_mmio_init(&d->transport, &fs_ops, d, platform, name);
}

void fs_device_print_stats(struct fs_device *d)
{
	log_msg("stats", "fs%u_notify_hiprio=%lu fs%u_notify_request=%lu", d->index,
		d->queues.notifies[0], d->index, d->queues.notifies[1]);
}

void fs_device_destroy(struct fs_device *d)
{
	reset(d, &d->transport);
	virtio_mmio_destroy(&d->transport);
}
