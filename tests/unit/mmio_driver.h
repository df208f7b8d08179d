/* Unit-test helper: a guest driver's side of one virtio-mmio transport,
 * register by register as Linux's virtio_mmio.c does it, and a backend
 * that records what the device hands it. For device-model tests (vsock,
 * net, fs, blk) that need no /dev/kvm. Header-only: each test file has its
 * own static device, backend and RAM. */
#ifndef MINIVMM_TESTS_MMIO_DRIVER_H
#define MINIVMM_TESTS_MMIO_DRIVER_H

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <stdint.h>
#include <string.h>

#include "lib/error.h"
#include "lib/guest_memory.h"
#include "lib/platform.h"
#include "virtio/backend.h"
#include "virtio/mmio.h"

/* ---- A recording backend ------------------------------------------- */

struct recording_backend {
	int starts, stops, kicks[4];
	int fail_start; /* start refuses, with error_set */
	struct virtio_backend_config last;
};

static inline int recording_start(void *ctx, const struct virtio_backend_config *cfg)
{
	struct recording_backend *b = ctx;
	if (b->fail_start)
		return error_set("recording backend refuses");
	b->starts++;
	b->last = *cfg;
	return 0;
}

static inline void recording_stop(void *ctx)
{
	((struct recording_backend *)ctx)->stops++;
}

static inline void recording_kick(void *ctx, uint32_t q)
{
	struct recording_backend *b = ctx;
	if (q < 4)
		b->kicks[q]++;
}

static const struct virtio_backend_ops recording_ops = {
	.start = recording_start, .stop = recording_stop, .kick = recording_kick,
};

static inline void mmio_driver_no_irq(void *ctx)
{
	(void)ctx;
}

/* What a device model's init takes in these tests. */
struct mmio_fixture {
	struct virtio_backend backend;
	struct virtio_mmio_platform platform;
};

/* Every device-model test's setup: *rb cleared and offering `features`,
 * *ram laid out as 256 MiB, interrupts to raise_irq (NULL: dropped). */
static inline struct mmio_fixture mmio_fixture(struct recording_backend *rb, uint64_t features,
					       struct guest_memory *ram,
					       void (*raise_irq)(void *ctx))
{
	memset(rb, 0, sizeof(*rb));
	guest_memory_layout(ram, 256 * MiB);
	return (struct mmio_fixture){
		.backend = { .ops = &recording_ops, .ctx = rb, .features = features },
		.platform = { .mem = ram, .raise_irq = raise_irq ? raise_irq : mmio_driver_no_irq },
	};
}

/* ---- The guest's accesses ------------------------------------------ */

static inline void mmio_w32(struct virtio_mmio *t, uint64_t off, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	virtio_mmio_io(t, off, b, 4, true);
}

static inline uint32_t mmio_r32(struct virtio_mmio *t, uint64_t off)
{
	uint8_t b[4];
	memset(b, 0xa5, sizeof(b));
	virtio_mmio_io(t, off, b, 4, false);
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline uint8_t mmio_r8(struct virtio_mmio *t, uint64_t off)
{
	uint8_t b = 0xa5;
	virtio_mmio_io(t, off, &b, 1, false);
	return b;
}

static inline uint64_t mmio_device_features(struct virtio_mmio *t)
{
	mmio_w32(t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint64_t lo = mmio_r32(t, VIRTIO_MMIO_DEVICE_FEATURES);
	mmio_w32(t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	return lo | (uint64_t)mmio_r32(t, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
}

/* QueueNumMax of queue q: 0 when the device has no such queue. */
static inline uint32_t mmio_queue_num_max(struct virtio_mmio *t, uint32_t q)
{
	mmio_w32(t, VIRTIO_MMIO_QUEUE_SEL, q);
	return mmio_r32(t, VIRTIO_MMIO_QUEUE_NUM_MAX);
}

static inline void mmio_add_status(struct virtio_mmio *t, uint32_t bit)
{
	mmio_w32(t, VIRTIO_MMIO_STATUS, mmio_r32(t, VIRTIO_MMIO_STATUS) | bit);
}

/* Queue q with `num` entries, its rings in the 64 KiB at 1 MiB + q * 64 KiB. */
static inline void mmio_setup_queue(struct virtio_mmio *t, uint32_t q, uint16_t num)
{
	uint64_t base = 0x100000 + 0x10000ULL * q;
	mmio_w32(t, VIRTIO_MMIO_QUEUE_SEL, q);
	mmio_w32(t, VIRTIO_MMIO_QUEUE_NUM, num);
	mmio_w32(t, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)base);
	mmio_w32(t, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	mmio_w32(t, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)(base + 0x1000));
	mmio_w32(t, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	mmio_w32(t, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)(base + 0x2000));
	mmio_w32(t, VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
	mmio_w32(t, VIRTIO_MMIO_QUEUE_READY, 1);
}

/* Reset, the feature handshake and `nqueues` queues of `num` entries,
 * then DRIVER_OK. */
static inline void mmio_bring_up(struct virtio_mmio *t, uint64_t features, uint32_t nqueues,
				 uint16_t num)
{
	mmio_w32(t, VIRTIO_MMIO_STATUS, 0);
	mmio_add_status(t, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	mmio_add_status(t, VIRTIO_CONFIG_S_DRIVER);
	mmio_w32(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	mmio_w32(t, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	mmio_w32(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	mmio_w32(t, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	mmio_add_status(t, VIRTIO_CONFIG_S_FEATURES_OK);
	for (uint32_t q = 0; q < nqueues; q++)
		mmio_setup_queue(t, q, num);
	mmio_add_status(t, VIRTIO_CONFIG_S_DRIVER_OK);
}

#endif
