#include "virtio/vsock.h"

#include <string.h>

#include "lib/error.h"
#include "lib/log.h"

#define BIT(n) (1ULL << (n))

uint64_t vsock_offered_features(uint64_t backend_features)
{
	const uint64_t optional = BIT(VIRTIO_RING_F_EVENT_IDX) | BIT(VIRTIO_RING_F_INDIRECT_DESC) |
				  BIT(VIRTIO_VSOCK_F_SEQPACKET);
	return BIT(VIRTIO_F_VERSION_1) | (backend_features & optional);
}

static uint64_t features(void *dev)
{
	struct vsock_device *d = dev;
	return d->offered;
}

/* struct virtio_vsock_config { le64 guest_cid; } */
static void config_read(void *dev, uint32_t offset, uint8_t *data, uint32_t len)
{
	struct vsock_device *d = dev;
	uint8_t config[8];
	for (int i = 0; i < 8; i++)
		config[i] = (uint8_t)(d->guest_cid >> (8 * i));
	for (uint32_t i = 0; i < len; i++)
		data[i] = offset + i < sizeof(config) ? config[offset + i] : 0;
}

static int activate(void *dev, struct virtio_mmio *t)
{
	struct vsock_device *d = dev;
	/* The event queue may be left unset: minivmm never uses it. */
	if (!virtio_mmio_queue(t, 0)->ready || !virtio_mmio_queue(t, 1)->ready)
		return error_set("driver set DRIVER_OK without rx and tx queues ready");
	return virtio_backend_queues_activate(&d->queues, t);
}

static void reset(void *dev, struct virtio_mmio *t)
{
	virtio_backend_queues_reset(&((struct vsock_device *)dev)->queues, t);
}

/* The event queue only carries buffers for TRANSPORT_RESET events, which
 * minivmm has none to send: its kicks are counted, not passed on. */
static void notify(void *dev, struct virtio_mmio *t, uint32_t queue)
{
	(void)t;
	virtio_backend_queues_notify(&((struct vsock_device *)dev)->queues, queue);
}

static const struct virtio_device_ops vsock_ops = {
	.device_id = VIRTIO_ID_VSOCK,
	.num_queues = VSOCK_NUM_QUEUES,
	.queue_num_max = VSOCK_QUEUE_SIZE_MAX,
	.config_size = 8,
	.features = features,
	.config_read = config_read,
	.config_write = NULL,
	.activate = activate,
	.reset = reset,
	.notify = notify,
};

void vsock_device_init(struct vsock_device *d, uint64_t guest_cid,
		       const struct virtio_backend *backend,
		       const struct virtio_mmio_platform *platform)
{
	*d = (struct vsock_device){
		.guest_cid = guest_cid,
		.offered = vsock_offered_features(backend->features),
	};
	virtio_backend_queues_init(&d->queues, backend, VSOCK_BACKEND_QUEUES);
	virtio_mmio_init(&d->transport, &vsock_ops, d, platform, "virtio-vsock");
}

void vsock_device_print_stats(struct vsock_device *d)
{
	log_msg("stats", "vsock_notify_rx=%lu vsock_notify_tx=%lu vsock_notify_event=%lu",
		d->queues.notifies[0], d->queues.notifies[1], d->queues.notifies[2]);
}

void vsock_device_destroy(struct vsock_device *d)
{
	reset(d, &d->transport);
	virtio_mmio_destroy(&d->transport);
}
