#include "virtio/test_device.h"

#include <linux/virtio_config.h>


#define FEATURE_VERSION_1 (1ULL << VIRTIO_F_VERSION_1)

static uint64_t features(void *dev)
{
	(void)dev;
	return FEATURE_VERSION_1;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void config_read(void *dev, uint32_t offset, uint8_t *data, uint32_t len)
{
	struct test_device *d = dev;
	uint8_t config[8];
	put_le32(config, d->serial);
	put_le32(config + 4, d->scratch);
	for (uint32_t i = 0; i < len; i++)
		data[i] = offset + i < sizeof(config) ? config[offset + i] : 0;
}

static void config_write(void *dev, uint32_t offset, const uint8_t *data, uint32_t len)
{
	struct test_device *d = dev;
	for (uint32_t i = 0; i < len; i++) {
		uint32_t at = offset + i;
		if (at < 4 || at >= 8)
			continue; /* serial is read-only */
		uint32_t shift = 8 * (at - 4);
		d->scratch = (d->scratch & ~(0xffu << shift)) | ((uint32_t)data[i] << shift);
	}
}

static int activate(void *dev, struct virtio_mmio *t)
{
	struct test_device *d = dev;
	return virtio_backend_take_queues(&d->backend, t, TEST_DEVICE_QUEUES, &d->started);
}

static void reset(void *dev, struct virtio_mmio *t)
{
	struct test_device *d = dev;
	(void)t;
	virtio_backend_release_queues(&d->backend, &d->started);
}

static void notify(void *dev, struct virtio_mmio *t, uint32_t queue)
{
	struct test_device *d = dev;
	(void)t;
	if (d->started && queue < TEST_DEVICE_QUEUES)
		d->backend.ops->kick(d->backend.ctx, queue);
}

static const struct virtio_device_ops test_device_ops = {
	.device_id = TEST_DEVICE_ID,
	.num_queues = TEST_DEVICE_QUEUES,
	.queue_num_max = TEST_DEVICE_QUEUE_SIZE_MAX,
	.config_size = 8,
	.features = features,
	.config_read = config_read,
	.config_write = config_write,
	.activate = activate,
	.reset = reset,
	.notify = notify,
};

void test_device_init(struct test_device *d, uint32_t serial, const struct virtio_backend *backend,
		      const struct virtio_mmio_platform *platform)
{
	*d = (struct test_device){ .serial = serial, .backend = *backend };
	virtio_mmio_init(&d->transport, &test_device_ops, d, platform, "virtio-test");
}

void test_device_destroy(struct test_device *d)
{
	reset(d, &d->transport);
	virtio_mmio_destroy(&d->transport);
}
