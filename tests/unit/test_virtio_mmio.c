/* virtio-mmio transport: driven register by register the way Linux's
 * drivers/virtio/virtio_mmio.c and drivers/virtio/virtio.c drive it, then
 * every transition the transport must refuse (virtio 1.2 sections 2.1,
 * 3.1.1, 4.2.2), then a long pseudo-random access sequence. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/guest_memory.h"
#include "lib/platform.h"
#include "virtio/mmio.h"
#include "tests/unit/trace_capture.h"

#define F(bit) (1ULL << (bit))
#define OFFERED (F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX))
#define NQUEUES 3
#define QMAX 256
#define CONFIG_SIZE 8
#define RAM_SIZE (64 * MiB)

#define ACK VIRTIO_CONFIG_S_ACKNOWLEDGE
#define DRV VIRTIO_CONFIG_S_DRIVER
#define FOK VIRTIO_CONFIG_S_FEATURES_OK
#define DOK VIRTIO_CONFIG_S_DRIVER_OK
#define NEEDS_RESET VIRTIO_CONFIG_S_NEEDS_RESET
#define FAILED VIRTIO_CONFIG_S_FAILED

/* ---- A fake device that records what the transport asks of it ------- */

struct fake_device {
	const struct guest_memory *mem;
	uint8_t config[CONFIG_SIZE];
	int activate_result; /* 0, or -1 to fail */
	bool active;         /* between a successful activate and reset */
	unsigned activates, resets, notifies, config_writes;
	unsigned invalid_activations;
	unsigned activations_with_queues; /* activate() saw at least one ready queue */
	uint32_t last_notify;
	uint64_t features_at_activate;
	struct virtio_mmio_queue queues_at_activate[NQUEUES];
	bool queue0_ready_at_reset;
};

static struct fake_device fake;
static struct virtio_mmio t;
static struct guest_memory ram;
static unsigned irqs;

/* What a valid ring set looks like, written independently of the
 * transport from virtio 1.2 section 2.7. */
static bool ring_valid(const struct virtio_mmio_queue *q, uint64_t features,
		       const struct guest_memory *mem)
{
	uint64_t n = q->num, ev = (features & F(VIRTIO_RING_F_EVENT_IDX)) ? 2 : 0;

	if (n == 0 || (n & (n - 1)) || n > QMAX)
		return false;
	if (q->desc % 16 || q->driver % 2 || q->device % 4)
		return false;
	return guest_memory_contains(mem, q->desc, 16 * n) &&
	       guest_memory_contains(mem, q->driver, 6 + 2 * n + ev) &&
	       guest_memory_contains(mem, q->device, 6 + 8 * n + ev);
}

static uint64_t fake_features(void *dev)
{
	(void)dev;
	return OFFERED;
}

static void fake_config_read(void *dev, uint32_t offset, uint8_t *data, uint32_t len)
{
	struct fake_device *f = dev;

	cr_assert_leq(offset + len, CONFIG_SIZE, "transport passed an out-of-range config read");
	memcpy(data, f->config + offset, len);
}

static void fake_config_write(void *dev, uint32_t offset, const uint8_t *data, uint32_t len)
{
	struct fake_device *f = dev;

	cr_assert_leq(offset + len, CONFIG_SIZE, "transport passed an out-of-range config write");
	memcpy(f->config + offset, data, len);
	f->config_writes++;
}

static int fake_activate(void *dev, struct virtio_mmio *tr)
{
	struct fake_device *f = dev;
	uint64_t acked = virtio_mmio_acked_features(tr);
	uint32_t status = virtio_mmio_read_reg_locked(tr, VIRTIO_MMIO_STATUS);

	f->activates++;
	f->features_at_activate = acked;
	if (!(status & FOK) || !(status & DOK) || (acked & ~OFFERED) ||
	    !(acked & F(VIRTIO_F_VERSION_1)))
		f->invalid_activations++;
	bool any_ready = false;
	for (uint32_t i = 0; i < NQUEUES; i++) {
		const struct virtio_mmio_queue *q = virtio_mmio_queue(tr, i);

		f->queues_at_activate[i] = *q;
		any_ready |= q->ready;
		if (q->ready && !ring_valid(q, acked, f->mem))
			f->invalid_activations++;
	}
	f->activations_with_queues += any_ready;
	if (f->activate_result < 0)
		return error_set("fake: backend refused to start");
	f->active = true;
	return 0;
}

static void fake_reset(void *dev, struct virtio_mmio *tr)
{
	struct fake_device *f = dev;

	cr_assert(f->active, "reset called for a device that was not active");
	f->resets++;
	f->queue0_ready_at_reset = virtio_mmio_queue(tr, 0)->ready;
	f->active = false;
}

static void fake_notify(void *dev, struct virtio_mmio *tr, uint32_t queue)
{
	struct fake_device *f = dev;

	cr_assert(f->active, "notify reached a device that is not active");
	cr_assert_lt(queue, NQUEUES);
	(void)tr;
	f->notifies++;
	f->last_notify = queue;
}

static void count_irq(void *ctx)
{
	cr_assert_eq(ctx, &irqs, "raise_irq got the wrong context");
	irqs++;
}

static const struct virtio_device_ops fake_ops = {
	.device_id = VIRTIO_ID_VSOCK,
	.num_queues = NQUEUES,
	.queue_num_max = QMAX,
	.config_size = CONFIG_SIZE,
	.features = fake_features,
	.config_read = fake_config_read,
	.config_write = fake_config_write,
	.activate = fake_activate,
	.reset = fake_reset,
	.notify = fake_notify,
};

static void init_with(const struct virtio_device_ops *ops, uint64_t ram_size)
{
	memset(&fake, 0, sizeof(fake));
	for (int i = 0; i < CONFIG_SIZE; i++)
		fake.config[i] = 0x10 + i;
	/* Only guest_memory_contains is used: no host mapping needed. */
	memset(&ram, 0, sizeof(ram));
	guest_memory_layout(&ram, ram_size);
	fake.mem = &ram;
	irqs = 0;
	virtio_mmio_init(&t, ops, &fake,
			 &(struct virtio_mmio_platform){ .mem = &ram, .raise_irq = count_irq,
							 .ctx = &irqs },
			 "virtio-test");
}

static void setup(void)
{
	init_with(&fake_ops, RAM_SIZE);
}

static void teardown(void)
{
	virtio_mmio_destroy(&t);
}

TestSuite(virtio_mmio, .init = setup, .fini = teardown);

/* ---- Guest-side accessors ------------------------------------------ */

static void wr(uint64_t offset, uint32_t len, uint64_t value)
{
	uint8_t b[8];

	for (uint32_t i = 0; i < len; i++)
		b[i] = value >> (8 * i);
	virtio_mmio_io(&t, offset, b, len, true);
}

static uint64_t rd(uint64_t offset, uint32_t len)
{
	uint8_t b[8];
	uint64_t v = 0;

	memset(b, 0xa5, sizeof(b));
	virtio_mmio_io(&t, offset, b, len, false);
	for (uint32_t i = 0; i < len; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

static void w32(uint64_t offset, uint32_t value)
{
	wr(offset, 4, value);
}

static uint32_t r32(uint64_t offset)
{
	return (uint32_t)rd(offset, 4);
}

static uint64_t refused(void)
{
	struct virtio_mmio_stats s;

	virtio_mmio_get_stats(&t, &s);
	return s.refused;
}

static void add_status(uint32_t bit)
{
	/* Linux's virtio_add_status: read, OR, write back. */
	w32(VIRTIO_MMIO_STATUS, r32(VIRTIO_MMIO_STATUS) | bit);
}

static void write_features(uint64_t features)
{
	/* Linux's vm_finalize_features: high word first. */
	w32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	w32(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	w32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	w32(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
}

/* Reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK. */
static void negotiate(uint64_t features)
{
	w32(VIRTIO_MMIO_STATUS, 0);
	add_status(ACK);
	add_status(DRV);
	write_features(features);
	add_status(FOK);
}

struct rings {
	uint64_t desc, avail, used;
};

/* Rings for a queue of `num` entries starting at `base`, laid out as
 * Linux's vring_init does (used ring on the next page). */
static struct rings rings_at(uint64_t base, uint32_t num)
{
	struct rings r = { .desc = base, .avail = base + 16ULL * num };

	r.used = (r.avail + 6 + 2ULL * num + 2 + 4095) & ~4095ULL;
	return r;
}

static void write_addresses(struct rings r)
{
	w32(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)r.desc);
	w32(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(r.desc >> 32));
	w32(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)r.avail);
	w32(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(r.avail >> 32));
	w32(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)r.used);
	w32(VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(r.used >> 32));
}

/* Linux's vm_setup_vq; returns what QueueReady reads back. */
static uint32_t setup_queue(uint32_t index, uint32_t num, struct rings r)
{
	w32(VIRTIO_MMIO_QUEUE_SEL, index);
	w32(VIRTIO_MMIO_QUEUE_NUM, num);
	write_addresses(r);
	w32(VIRTIO_MMIO_QUEUE_READY, 1);
	return r32(VIRTIO_MMIO_QUEUE_READY);
}

static uint64_t queue_base(uint32_t index)
{
	return 0x100000 + 0x10000ULL * index;
}

/* The whole probe, ending with DRIVER_OK. */
static void bring_up(void)
{
	negotiate(OFFERED);
	for (uint32_t i = 0; i < NQUEUES; i++)
		cr_assert_eq(setup_queue(i, QMAX, rings_at(queue_base(i), QMAX)), 1);
	add_status(DOK);
}

/* ---- The Linux handshake ------------------------------------------- */

Test(virtio_mmio, linux_probe_register_by_register)
{
	/* virtio_mmio_probe: magic, version, device ID, vendor. */
	cr_assert_eq(r32(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	cr_assert_eq(r32(VIRTIO_MMIO_VERSION), 2);
	cr_assert_eq(r32(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_VSOCK);
	cr_assert_eq(r32(VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR);

	/* register_virtio_device: reset, ACKNOWLEDGE. */
	w32(VIRTIO_MMIO_STATUS, 0);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), 0);
	add_status(ACK);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK);

	/* virtio_dev_probe: DRIVER, vm_get_features (sel 1, then 0). */
	add_status(DRV);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV);
	w32(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	cr_assert_eq(r32(VIRTIO_MMIO_DEVICE_FEATURES), (uint32_t)(OFFERED >> 32));
	w32(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	cr_assert_eq(r32(VIRTIO_MMIO_DEVICE_FEATURES), (uint32_t)OFFERED);

	/* vm_finalize_features, virtio_features_ok reads FEATURES_OK back. */
	write_features(OFFERED);
	add_status(FOK);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV | FOK);

	/* vm_setup_vq for each queue. */
	for (uint32_t i = 0; i < NQUEUES; i++) {
		struct rings r = rings_at(queue_base(i), 128);

		w32(VIRTIO_MMIO_QUEUE_SEL, i);
		cr_assert_eq(r32(VIRTIO_MMIO_QUEUE_READY), 0, "queue %u already set up", i);
		cr_assert_eq(r32(VIRTIO_MMIO_QUEUE_NUM_MAX), QMAX);
		w32(VIRTIO_MMIO_QUEUE_NUM, 128);
		write_addresses(r);
		w32(VIRTIO_MMIO_QUEUE_READY, 1);
		cr_assert_eq(r32(VIRTIO_MMIO_QUEUE_READY), 1, "queue %u refused", i);
	}
	cr_assert_eq(fake.activates, 0, "activated before DRIVER_OK");
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS), 0);

	/* virtio_device_ready. */
	add_status(DOK);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV | FOK | DOK);
	cr_assert_eq(fake.activates, 1);
	cr_assert_eq(fake.invalid_activations, 0);
	cr_assert_eq(fake.features_at_activate, OFFERED);
	for (uint32_t i = 0; i < NQUEUES; i++) {
		struct rings r = rings_at(queue_base(i), 128);
		const struct virtio_mmio_queue *q = &fake.queues_at_activate[i];

		cr_assert(q->ready);
		cr_assert_eq(q->num, 128);
		cr_assert_eq(q->desc, r.desc);
		cr_assert_eq(q->driver, r.avail);
		cr_assert_eq(q->device, r.used);
	}
	cr_assert_eq(virtio_mmio_acked_features(&t), OFFERED);
	cr_assert_eq(virtio_mmio_queue(&t, 2)->desc, queue_base(2));
	cr_assert_null(virtio_mmio_queue(&t, NQUEUES));
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	cr_assert_eq(refused(), 0, "the Linux sequence must not trip any check");

	/* Writing DRIVER_OK again (same value) does not activate twice. */
	add_status(DOK);
	cr_assert_eq(fake.activates, 1);
}

Test(virtio_mmio, device_features_by_selector)
{
	w32(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	cr_assert_eq(r32(VIRTIO_MMIO_DEVICE_FEATURES), F(VIRTIO_RING_F_EVENT_IDX));
	w32(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	cr_assert_eq(r32(VIRTIO_MMIO_DEVICE_FEATURES), 1, "VERSION_1 is bit 0 of word 1");
	w32(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	cr_assert_eq(r32(VIRTIO_MMIO_DEVICE_FEATURES), 0);
	w32(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0xffffffff);
	cr_assert_eq(r32(VIRTIO_MMIO_DEVICE_FEATURES), 0);
}

Test(virtio_mmio, missing_queue_has_num_max_zero)
{
	negotiate(OFFERED);
	w32(VIRTIO_MMIO_QUEUE_SEL, NQUEUES);
	cr_assert_eq(r32(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	cr_assert_eq(r32(VIRTIO_MMIO_QUEUE_READY), 0);
	uint64_t before = refused();
	/* vm_setup_vq's error path writes QueueReady = 0: not a violation. */
	w32(VIRTIO_MMIO_QUEUE_READY, 0);
	cr_assert_eq(refused(), before);
	/* Setting it up is. */
	cr_assert_eq(setup_queue(NQUEUES, 16, rings_at(0x100000, 16)), 0);
	cr_assert_gt(refused(), before);
	w32(VIRTIO_MMIO_QUEUE_SEL, 0xffffffff);
	cr_assert_eq(r32(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
}

/* ---- Feature negotiation ------------------------------------------- */

Test(virtio_mmio, driver_features_before_driver_bit_refused)
{
	w32(VIRTIO_MMIO_STATUS, 0);
	write_features(OFFERED);
	cr_assert_eq(virtio_mmio_acked_features(&t), 0);
	add_status(ACK);
	write_features(OFFERED);
	cr_assert_eq(virtio_mmio_acked_features(&t), 0, "ACKNOWLEDGE alone is not enough");
	cr_assert_geq(refused(), 4);
}

Test(virtio_mmio, driver_features_after_features_ok_refused)
{
	negotiate(F(VIRTIO_F_VERSION_1));
	write_features(OFFERED);
	cr_assert_eq(virtio_mmio_acked_features(&t), F(VIRTIO_F_VERSION_1),
		     "features changed after FEATURES_OK");
}

Test(virtio_mmio, features_ok_with_unoffered_bit_does_not_stick)
{
	negotiate(OFFERED | F(0));
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV, "FEATURES_OK must not stick");
	add_status(DOK);
	cr_assert_eq(fake.activates, 0);
	/* The driver may correct its features and try again. */
	write_features(OFFERED);
	add_status(FOK);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV | FOK);
}

Test(virtio_mmio, features_ok_with_unoffered_high_bit_does_not_stick)
{
	negotiate(OFFERED | F(VIRTIO_F_RING_PACKED));
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS) & FOK, 0);
}

Test(virtio_mmio, features_ok_with_bits_above_63_does_not_stick)
{
	w32(VIRTIO_MMIO_STATUS, 0);
	add_status(ACK);
	add_status(DRV);
	write_features(OFFERED);
	w32(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
	w32(VIRTIO_MMIO_DRIVER_FEATURES, 1);
	add_status(FOK);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS) & FOK, 0);
}

Test(virtio_mmio, features_ok_without_version_1_does_not_stick)
{
	negotiate(F(VIRTIO_RING_F_EVENT_IDX));
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV);
	negotiate(0);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV);
	negotiate(F(VIRTIO_F_VERSION_1));
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV | FOK, "a subset is fine");
}

/* ---- Status state machine ------------------------------------------ */

Test(virtio_mmio, driver_ok_without_features_ok_refused)
{
	w32(VIRTIO_MMIO_STATUS, 0);
	add_status(ACK);
	add_status(DRV);
	write_features(OFFERED);
	add_status(DOK);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV);
	cr_assert_eq(fake.activates, 0);
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}

Test(virtio_mmio, status_bits_out_of_order_refused)
{
	w32(VIRTIO_MMIO_STATUS, DRV);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), 0, "DRIVER before ACKNOWLEDGE");
	w32(VIRTIO_MMIO_STATUS, ACK);
	w32(VIRTIO_MMIO_STATUS, ACK | FOK);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK, "FEATURES_OK before DRIVER");
	/* Several bits at once are fine when they come in order. */
	w32(VIRTIO_MMIO_STATUS, 0);
	w32(VIRTIO_MMIO_STATUS, ACK | DRV);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV);
}

Test(virtio_mmio, clearing_a_status_bit_refused)
{
	bring_up();
	w32(VIRTIO_MMIO_STATUS, ACK | DRV | FOK);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV | FOK | DOK);
	w32(VIRTIO_MMIO_STATUS, ACK);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV | FOK | DOK);
	cr_assert_eq(fake.resets, 0, "only Status = 0 resets");
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING, "still active");
	cr_assert_eq(refused(), 2);
}

Test(virtio_mmio, a_write_that_clears_one_bit_and_sets_another_is_refused_whole)
{
	w32(VIRTIO_MMIO_STATUS, 0);
	add_status(ACK);
	add_status(DRV);
	write_features(OFFERED);
	w32(VIRTIO_MMIO_STATUS, ACK | FOK); /* drops DRIVER */
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV);
}

Test(virtio_mmio, undefined_status_bits_refused)
{
	w32(VIRTIO_MMIO_STATUS, ACK | 0x10);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), 0);
	w32(VIRTIO_MMIO_STATUS, ACK | 0x100);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), 0);
}

Test(virtio_mmio, failed_is_accepted_any_time_and_blocks_bring_up)
{
	w32(VIRTIO_MMIO_STATUS, 0);
	add_status(ACK);
	add_status(DRV);
	write_features(OFFERED);
	add_status(FAILED);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV | FAILED);
	add_status(FOK);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS) & FOK, 0, "FEATURES_OK after FAILED");
	/* FAILED alone, even though it drops the other bits, still sticks. */
	w32(VIRTIO_MMIO_STATUS, 0);
	add_status(ACK);
	w32(VIRTIO_MMIO_STATUS, FAILED);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | FAILED);
	/* Reset clears it. */
	negotiate(OFFERED);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV | FOK);
}

Test(virtio_mmio, failed_after_driver_ok_keeps_device_running)
{
	bring_up();
	add_status(FAILED);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV | FOK | DOK | FAILED);
	cr_assert_eq(fake.resets, 0);
	w32(VIRTIO_MMIO_STATUS, 0);
	cr_assert_eq(fake.resets, 1);
}

/* ---- Queue setup --------------------------------------------------- */

Test(virtio_mmio, queue_writes_before_features_ok_ignored)
{
	w32(VIRTIO_MMIO_STATUS, 0);
	add_status(ACK);
	add_status(DRV);
	w32(VIRTIO_MMIO_QUEUE_SEL, 0);
	w32(VIRTIO_MMIO_QUEUE_NUM, 64);
	write_addresses(rings_at(0x100000, 64));
	w32(VIRTIO_MMIO_QUEUE_READY, 1);
	cr_assert_eq(r32(VIRTIO_MMIO_QUEUE_READY), 0);
	cr_assert_eq(virtio_mmio_queue(&t, 0)->desc, 0, "address written before FEATURES_OK");
	write_features(OFFERED);
	add_status(FOK);
	/* QueueNum was ignored too: readiness now fails on size 0. */
	w32(VIRTIO_MMIO_QUEUE_READY, 1);
	cr_assert_eq(r32(VIRTIO_MMIO_QUEUE_READY), 0);
	cr_assert_eq(setup_queue(0, 64, rings_at(0x100000, 64)), 1);
}

Test(virtio_mmio, queue_writes_after_driver_ok_ignored)
{
	bring_up();
	w32(VIRTIO_MMIO_QUEUE_SEL, 1);
	w32(VIRTIO_MMIO_QUEUE_NUM, 16);
	write_addresses(rings_at(0x200000, 16));
	cr_assert_eq(virtio_mmio_queue(&t, 1)->desc, queue_base(1));
	cr_assert_eq(virtio_mmio_queue(&t, 1)->num, QMAX);
	w32(VIRTIO_MMIO_QUEUE_READY, 0);
	cr_assert_eq(r32(VIRTIO_MMIO_QUEUE_READY), 1, "a live queue cannot be disabled");
	cr_assert(virtio_mmio_queue(&t, 1)->ready);
}

Test(virtio_mmio, queue_fields_of_a_ready_queue_are_frozen)
{
	negotiate(OFFERED);
	cr_assert_eq(setup_queue(0, 64, rings_at(0x100000, 64)), 1);
	w32(VIRTIO_MMIO_QUEUE_NUM, 128);
	w32(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x300000);
	cr_assert_eq(virtio_mmio_queue(&t, 0)->num, 64);
	cr_assert_eq(virtio_mmio_queue(&t, 0)->desc, 0x100000);
	/* Disabled again (before DRIVER_OK), it can be changed. */
	w32(VIRTIO_MMIO_QUEUE_READY, 0);
	cr_assert_eq(r32(VIRTIO_MMIO_QUEUE_READY), 0);
	cr_assert_eq(setup_queue(0, 128, rings_at(0x300000, 128)), 1);
	cr_assert_eq(virtio_mmio_queue(&t, 0)->num, 128);
	cr_assert_eq(virtio_mmio_queue(&t, 0)->desc, 0x300000);
}

Test(virtio_mmio, queue_sizes_refused)
{
	const uint32_t bad[] = { 0, 3, 100, QMAX * 2, 0x10000, 0x10100, 0xffffffff };

	negotiate(OFFERED);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t before = refused();

		cr_assert_eq(setup_queue(0, bad[i], rings_at(0x100000, 16)), 0, "size %u", bad[i]);
		cr_assert_gt(refused(), before);
		cr_assert_not(virtio_mmio_queue(&t, 0)->ready);
	}
	cr_assert_eq(setup_queue(0, 1, rings_at(0x100000, 1)), 1, "size 1 is a power of two");
	cr_assert_eq(setup_queue(1, QMAX, rings_at(0x200000, QMAX)), 1);
}

Test(virtio_mmio, queue_ready_other_values_refused)
{
	negotiate(OFFERED);
	w32(VIRTIO_MMIO_QUEUE_SEL, 0);
	w32(VIRTIO_MMIO_QUEUE_NUM, 16);
	write_addresses(rings_at(0x100000, 16));
	w32(VIRTIO_MMIO_QUEUE_READY, 2);
	cr_assert_eq(r32(VIRTIO_MMIO_QUEUE_READY), 0);
}

Test(virtio_mmio, rings_past_end_of_ram_refused)
{
	const uint32_t n = 16;
	struct rings good = rings_at(0x100000, n);
	struct rings r;

	negotiate(OFFERED);
	r = good;
	r.desc = RAM_SIZE - 16 * n + 16; /* last descriptor hangs over the end */
	cr_assert_eq(setup_queue(0, n, r), 0);
	r = good;
	r.avail = RAM_SIZE - 2;
	cr_assert_eq(setup_queue(0, n, r), 0);
	r = good;
	r.used = RAM_SIZE - 8;
	cr_assert_eq(setup_queue(0, n, r), 0);
	r = good;
	r.used = RAM_SIZE; /* first byte past RAM */
	cr_assert_eq(setup_queue(0, n, r), 0);
	/* Exactly at the end is fine. */
	r = good;
	r.desc = RAM_SIZE - 16 * n;
	cr_assert_eq(setup_queue(0, n, r), 1);
}

Test(virtio_mmio, ring_at_top_of_address_space_refused)
{
	struct rings r = rings_at(0x100000, 16);

	negotiate(OFFERED);
	r.desc = 0xfffffffffffffff0ULL; /* 16-byte aligned: only the range check can catch it */
	cr_assert_eq(setup_queue(0, 16, r), 0);
	r = rings_at(0x100000, 16);
	r.used = 0xfffffffffffffff8ULL; /* 2^64 - 8: wraps around */
	cr_assert_eq(setup_queue(0, 16, r), 0);
	r = rings_at(0x100000, 16);
	r.avail = 0xfffffffffffffffeULL;
	cr_assert_eq(setup_queue(0, 16, r), 0);
}

Test(virtio_mmio, misaligned_rings_refused)
{
	struct rings r;

	negotiate(OFFERED);
	r = rings_at(0x100000, 16);
	r.desc += 8;
	cr_assert_eq(setup_queue(0, 16, r), 0, "descriptor table needs 16-byte alignment");
	r = rings_at(0x100000, 16);
	r.avail += 1;
	cr_assert_eq(setup_queue(0, 16, r), 0, "avail ring needs 2-byte alignment");
	r = rings_at(0x100000, 16);
	r.used += 2;
	cr_assert_eq(setup_queue(0, 16, r), 0, "used ring needs 4-byte alignment");
	/* The minimum alignments themselves are fine. */
	r = rings_at(0x100000, 16);
	r.desc += 16;
	r.avail = r.desc + 16 * 16 + 2;
	r.used += 4;
	cr_assert_eq(setup_queue(0, 16, r), 1);
}

Test(virtio_mmio, event_idx_adds_two_bytes_to_each_ring)
{
	const uint32_t n = 16;
	struct rings r = rings_at(0x100000, n);

	/* Avail ring ending exactly at the end of RAM without EVENT_IDX. */
	r.avail = RAM_SIZE - (6 + 2 * n);
	negotiate(F(VIRTIO_F_VERSION_1));
	cr_assert_eq(setup_queue(0, n, r), 1);
	/* With EVENT_IDX used_event needs 2 more bytes, beyond RAM. */
	negotiate(OFFERED);
	cr_assert_eq(setup_queue(0, n, r), 0);

	/* A 4-byte aligned used ring (6 + 8n bytes) can end exactly at a
	 * 4-byte aligned end of RAM only with EVENT_IDX, so make RAM end 2
	 * bytes past such a boundary to see the extra avail_event. */
	teardown();
	init_with(&fake_ops, RAM_SIZE + 2);
	r = rings_at(0x100000, n);
	r.used = RAM_SIZE + 2 - (6 + 8 * n);
	negotiate(F(VIRTIO_F_VERSION_1));
	cr_assert_eq(setup_queue(0, n, r), 1);
	negotiate(OFFERED);
	cr_assert_eq(setup_queue(0, n, r), 0);
}

Test(virtio_mmio, rings_and_the_mmio_hole)
{
	/* 3.5 GiB: 3 GiB below the hole, 512 MiB from 4 GiB. */
	teardown();
	init_with(&fake_ops, 3 * GiB + 512 * MiB);
	cr_assert_eq(ram.high_size, 512 * MiB);
	negotiate(OFFERED);

	struct rings r = rings_at(0x100000, 64);
	r.desc = MMIO_HOLE_START - 16 * 32; /* straddles 3 GiB */
	cr_assert_eq(setup_queue(0, 64, r), 0);
	cr_assert_eq(setup_queue(0, 64, rings_at(VIRTIO_MMIO_BASE, 64)), 0, "inside the hole");
	r = rings_at(0x100000, 64);
	r.desc = MMIO_HOLE_END - 16 * 32; /* from the hole into high RAM */
	cr_assert_eq(setup_queue(0, 64, r), 0);
	r = rings_at(MMIO_HOLE_END, 64);
	r.used = MMIO_HOLE_END + 512 * MiB - 8; /* past the end of high RAM */
	cr_assert_eq(setup_queue(0, 64, r), 0);
	/* Right below the hole and above it are RAM. */
	cr_assert_eq(setup_queue(0, 64, rings_at(MMIO_HOLE_START - 0x10000, 64)), 1);
	cr_assert_eq(setup_queue(1, 64, rings_at(MMIO_HOLE_END, 64)), 1);
	add_status(DOK);
	cr_assert_eq(fake.activates, 1);
	cr_assert_eq(fake.invalid_activations, 0);
	cr_assert_eq(fake.queues_at_activate[1].desc, MMIO_HOLE_END);
}

Test(virtio_mmio, no_guest_memory_means_no_ready_queue)
{
	teardown();
	memset(&fake, 0, sizeof(fake));
	virtio_mmio_init(&t, &fake_ops, &fake, &(struct virtio_mmio_platform){ 0 }, "virtio-test");
	negotiate(OFFERED);
	cr_assert_eq(setup_queue(0, 16, rings_at(0x100000, 16)), 0);
}

/* ---- Activation, reset, interrupts --------------------------------- */

Test(virtio_mmio, activation_failure_needs_reset_and_config_interrupt)
{
	fake.activate_result = -1;
	bring_up();
	cr_assert_eq(fake.activates, 1);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV | FOK | DOK | NEEDS_RESET);
	cr_assert_eq(irqs, 1);
	/* No VRING: nothing runs. CONFIG until acknowledged. */
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG, "reads do not ack");
	w32(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	w32(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	/* Kicks go nowhere. */
	w32(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	cr_assert_eq(fake.notifies, 0);
	/* The reset does not reach the device: it never started. */
	w32(VIRTIO_MMIO_STATUS, 0);
	cr_assert_eq(fake.resets, 0);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), 0);
	/* And the next bring-up works. */
	fake.activate_result = 0;
	bring_up();
	cr_assert_eq(fake.activates, 2);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV | FOK | DOK);
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	struct virtio_mmio_stats s;
	virtio_mmio_get_stats(&t, &s);
	cr_assert_eq(s.activations, 1);
	cr_assert_eq(s.activation_failures, 1);
}

Test(virtio_mmio, reset_calls_device_and_clears_everything)
{
	bring_up();
	w32(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	w32(VIRTIO_MMIO_QUEUE_SEL, 7);
	virtio_mmio_config_changed(&t);
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS),
		     VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	uint32_t generation = r32(VIRTIO_MMIO_CONFIG_GENERATION);

	w32(VIRTIO_MMIO_STATUS, 0);
	cr_assert_eq(fake.resets, 1);
	cr_assert(fake.queue0_ready_at_reset, "reset must see the queues before they are cleared");
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), 0);
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	cr_assert_eq(virtio_mmio_acked_features(&t), 0);
	cr_assert_eq(r32(VIRTIO_MMIO_QUEUE_NUM_MAX), QMAX, "QueueSel back at 0");
	for (uint32_t i = 0; i < NQUEUES; i++) {
		const struct virtio_mmio_queue *q = virtio_mmio_queue(&t, i);

		cr_assert_not(q->ready);
		cr_assert_eq(q->desc | q->driver | q->device | q->num, 0);
		w32(VIRTIO_MMIO_QUEUE_SEL, i);
		cr_assert_eq(r32(VIRTIO_MMIO_QUEUE_READY), 0);
	}
	/* Selectors are back at 0: DeviceFeatures shows the low word. */
	cr_assert_eq(r32(VIRTIO_MMIO_DEVICE_FEATURES), (uint32_t)OFFERED);
	cr_assert_eq(r32(VIRTIO_MMIO_CONFIG_GENERATION), generation, "generation survives");

	/* A second reset with nothing active does not reach the device. */
	w32(VIRTIO_MMIO_STATUS, 0);
	cr_assert_eq(fake.resets, 1);
	/* Linux's del_vqs after the reset: QueueReady = 0 is silent. */
	uint64_t before = refused();
	w32(VIRTIO_MMIO_QUEUE_SEL, 0);
	w32(VIRTIO_MMIO_QUEUE_READY, 0);
	cr_assert_eq(refused(), before);
	cr_assert_eq(r32(VIRTIO_MMIO_QUEUE_READY), 0);
	/* And the device comes back. */
	bring_up();
	cr_assert_eq(fake.activates, 2);
}

Test(virtio_mmio, reset_before_activation_does_not_reach_device)
{
	negotiate(OFFERED);
	cr_assert_eq(setup_queue(0, 16, rings_at(0x100000, 16)), 1);
	w32(VIRTIO_MMIO_STATUS, 0);
	cr_assert_eq(fake.resets, 0);
	w32(VIRTIO_MMIO_QUEUE_SEL, 0);
	cr_assert_eq(r32(VIRTIO_MMIO_QUEUE_READY), 0);
}

Test(virtio_mmio, interrupt_status_reads_vring_only_while_active)
{
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	negotiate(OFFERED);
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	for (uint32_t i = 0; i < NQUEUES; i++)
		setup_queue(i, 32, rings_at(queue_base(i), 32));
	add_status(DOK);
	/* vm_interrupt: read, ack what was read; VRING stays. */
	for (int i = 0; i < 3; i++) {
		uint32_t st = r32(VIRTIO_MMIO_INTERRUPT_STATUS);

		cr_assert_eq(st, VIRTIO_MMIO_INT_VRING);
		w32(VIRTIO_MMIO_INTERRUPT_ACK, st);
	}
	cr_assert_eq(irqs, 0, "the transport never raises the line for rings");
}

Test(virtio_mmio, needs_reset_while_active_raises_config_interrupt)
{
	bring_up();
	virtio_mmio_set_needs_reset(&t);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV | FOK | DOK | NEEDS_RESET);
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS),
		     VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	cr_assert_eq(irqs, 1);
	virtio_mmio_set_needs_reset(&t);
	cr_assert_eq(irqs, 1, "already set: no second interrupt");
	/* Linux writes back what it read, NEEDS_RESET included: harmless. */
	add_status(FAILED);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV | FOK | DOK | NEEDS_RESET | FAILED);
	w32(VIRTIO_MMIO_STATUS, 0);
	cr_assert_eq(fake.resets, 1);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), 0);
}

Test(virtio_mmio, needs_reset_before_driver_ok_blocks_activation)
{
	negotiate(OFFERED);
	virtio_mmio_set_needs_reset(&t);
	cr_assert_eq(irqs, 0, "no notification before DRIVER_OK (virtio 1.2 section 2.1.2)");
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	setup_queue(0, 16, rings_at(0x100000, 16));
	add_status(DOK);
	cr_assert_eq(fake.activates, 0);
	cr_assert_eq(irqs, 1, "told at DRIVER_OK");
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
}

Test(virtio_mmio, config_changed_bumps_generation)
{
	uint32_t g0 = r32(VIRTIO_MMIO_CONFIG_GENERATION);

	virtio_mmio_config_changed(&t);
	cr_assert_neq(r32(VIRTIO_MMIO_CONFIG_GENERATION), g0);
	cr_assert_eq(irqs, 0, "no interrupt before DRIVER_OK");
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	bring_up();
	uint32_t g1 = r32(VIRTIO_MMIO_CONFIG_GENERATION);
	virtio_mmio_config_changed(&t);
	cr_assert_neq(r32(VIRTIO_MMIO_CONFIG_GENERATION), g1);
	cr_assert_eq(irqs, 1);
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS),
		     VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	w32(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	cr_assert_eq(r32(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
}

Test(virtio_mmio, queue_notify_reaches_device_when_active)
{
	negotiate(OFFERED);
	w32(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	cr_assert_eq(fake.notifies, 0, "notify before DRIVER_OK");
	for (uint32_t i = 0; i < NQUEUES; i++)
		setup_queue(i, 32, rings_at(queue_base(i), 32));
	add_status(DOK);
	w32(VIRTIO_MMIO_QUEUE_NOTIFY, 2);
	cr_assert_eq(fake.notifies, 1);
	cr_assert_eq(fake.last_notify, 2);
	w32(VIRTIO_MMIO_QUEUE_NOTIFY, NQUEUES);
	w32(VIRTIO_MMIO_QUEUE_NOTIFY, 0x10001);
	cr_assert_eq(fake.notifies, 1, "index out of range");
	w32(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	cr_assert_eq(fake.notifies, 2);
	cr_assert_eq(fake.last_notify, 0);
}

/* ---- Access widths and register kinds ------------------------------ */

Test(virtio_mmio, narrow_wide_and_unaligned_control_accesses_refused)
{
	uint64_t before = refused();

	cr_assert_eq(rd(VIRTIO_MMIO_MAGIC_VALUE, 1), 0);
	cr_assert_eq(rd(VIRTIO_MMIO_MAGIC_VALUE, 2), 0);
	cr_assert_eq(rd(VIRTIO_MMIO_MAGIC_VALUE, 8), 0);
	cr_assert_eq(rd(VIRTIO_MMIO_MAGIC_VALUE + 2, 4), 0);
	cr_assert_eq(rd(VIRTIO_MMIO_CONFIG_GENERATION + 1, 2), 0);
	cr_assert_eq(refused(), before + 5);

	wr(VIRTIO_MMIO_STATUS, 1, ACK);
	wr(VIRTIO_MMIO_STATUS, 2, ACK);
	wr(VIRTIO_MMIO_STATUS + 1, 4, ACK);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), 0);
	w32(VIRTIO_MMIO_STATUS, ACK);
	wr(VIRTIO_MMIO_STATUS, 8, ACK | DRV);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK);
	negotiate(OFFERED);
	w32(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 8, 0x100000);
	cr_assert_eq(virtio_mmio_queue(&t, 0)->desc, 0, "64-bit address write");
	/* Odd widths, and zero, from a confused caller. */
	cr_assert_eq(rd(VIRTIO_MMIO_VERSION, 3), 0);
	wr(VIRTIO_MMIO_STATUS, 0, 0);
	cr_assert_eq(r32(VIRTIO_MMIO_STATUS), ACK | DRV | FOK);
}

Test(virtio_mmio, write_only_registers_read_zero)
{
	const uint32_t regs[] = {
		VIRTIO_MMIO_DEVICE_FEATURES_SEL, VIRTIO_MMIO_DRIVER_FEATURES,
		VIRTIO_MMIO_DRIVER_FEATURES_SEL, VIRTIO_MMIO_QUEUE_SEL, VIRTIO_MMIO_QUEUE_NUM,
		VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_QUEUE_DESC_LOW,
		VIRTIO_MMIO_QUEUE_DESC_HIGH, VIRTIO_MMIO_QUEUE_AVAIL_LOW,
		VIRTIO_MMIO_QUEUE_AVAIL_HIGH, VIRTIO_MMIO_QUEUE_USED_LOW,
		VIRTIO_MMIO_QUEUE_USED_HIGH, VIRTIO_MMIO_SHM_SEL,
	};

	negotiate(OFFERED);
	w32(VIRTIO_MMIO_QUEUE_SEL, 1);
	w32(VIRTIO_MMIO_QUEUE_NUM, 64);
	write_addresses(rings_at(0x100000, 64));
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		uint64_t before = refused();

		cr_assert_eq(r32(regs[i]), 0, "register 0x%03x", regs[i]);
		cr_assert_eq(refused(), before + 1);
		cr_assert_eq(virtio_mmio_read_reg(&t, regs[i]), 0);
	}
}

Test(virtio_mmio, read_only_and_unknown_registers_ignore_writes)
{
	const uint32_t ro[] = {
		VIRTIO_MMIO_MAGIC_VALUE, VIRTIO_MMIO_VERSION, VIRTIO_MMIO_DEVICE_ID,
		VIRTIO_MMIO_VENDOR_ID, VIRTIO_MMIO_DEVICE_FEATURES, VIRTIO_MMIO_QUEUE_NUM_MAX,
		VIRTIO_MMIO_INTERRUPT_STATUS, VIRTIO_MMIO_CONFIG_GENERATION,
		VIRTIO_MMIO_SHM_LEN_LOW, VIRTIO_MMIO_SHM_BASE_HIGH,
	};

	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		uint32_t v = r32(ro[i]);

		w32(ro[i], ~v);
		cr_assert_eq(r32(ro[i]), v, "register 0x%03x changed", ro[i]);
	}
	/* Legacy (Version 1) and reserved offsets. */
	w32(VIRTIO_MMIO_GUEST_PAGE_SIZE, 4096);
	w32(VIRTIO_MMIO_QUEUE_PFN, 0x100);
	cr_assert_eq(r32(VIRTIO_MMIO_GUEST_PAGE_SIZE), 0);
	cr_assert_eq(r32(VIRTIO_MMIO_QUEUE_PFN), 0);
	cr_assert_eq(r32(0x0f8), 0);
	cr_assert_geq(refused(), sizeof(ro) / sizeof(ro[0]) + 5);
}

Test(virtio_mmio, no_shared_memory_regions)
{
	/* Linux's vm_get_shm_region: length of all ones = no region. */
	for (uint32_t id = 0; id < 3; id++) {
		w32(VIRTIO_MMIO_SHM_SEL, id);
		uint64_t len = r32(VIRTIO_MMIO_SHM_LEN_LOW) |
			       (uint64_t)r32(VIRTIO_MMIO_SHM_LEN_HIGH) << 32;
		cr_assert_eq(len, ~0ULL);
	}
}

/* ---- Config space -------------------------------------------------- */

Test(virtio_mmio, config_reads_at_each_width)
{
	const uint64_t base = VIRTIO_MMIO_CONFIG_OFFSET;

	cr_assert_eq(rd(base, 1), 0x10);
	cr_assert_eq(rd(base + 7, 1), 0x17);
	cr_assert_eq(rd(base + 2, 2), 0x1312, "little-endian");
	cr_assert_eq(rd(base + 6, 2), 0x1716);
	cr_assert_eq(rd(base, 4), 0x13121110);
	cr_assert_eq(rd(base + 4, 4), 0x17161514);
	/* Linux reads the vsock le64 guest_cid as two 32-bit halves. */
	cr_assert_eq(virtio_mmio_read_reg(&t, VIRTIO_MMIO_CONFIG + 4), 0x17161514);
	cr_assert_eq(refused(), 0);
}

Test(virtio_mmio, config_accesses_out_of_range_or_misaligned_read_zero)
{
	const uint64_t base = VIRTIO_MMIO_CONFIG_OFFSET;

	cr_assert_eq(rd(base + CONFIG_SIZE, 1), 0);
	cr_assert_eq(rd(base + 6, 4), 0, "partly beyond the end");
	cr_assert_eq(rd(base + 0x1000, 4), 0);
	cr_assert_eq(rd(UINT64_MAX - 3, 4), 0);
	cr_assert_eq(rd(base + 1, 2), 0, "misaligned");
	cr_assert_eq(rd(base + 2, 4), 0, "misaligned");
	cr_assert_eq(rd(base, 8), 0, "64-bit");
	cr_assert_eq(refused(), 7);
	cr_assert_eq(virtio_mmio_read_reg(&t, VIRTIO_MMIO_CONFIG + CONFIG_SIZE), 0);
	cr_assert_eq(virtio_mmio_read_reg(&t, VIRTIO_MMIO_CONFIG + 6), 0);
}

Test(virtio_mmio, config_writes_reach_the_device)
{
	const uint64_t base = VIRTIO_MMIO_CONFIG_OFFSET;

	wr(base + 4, 4, 0xdeadbeef);
	wr(base + 1, 1, 0xaa);
	wr(base + 2, 2, 0x5566);
	cr_assert_eq(fake.config_writes, 3);
	cr_assert_eq(rd(base + 4, 4), 0xdeadbeef);
	cr_assert_eq(rd(base, 4), 0x5566aa10);
	wr(base + 8, 1, 0xff);
	wr(base + 3, 2, 0xffff);
	wr(base, 8, ~0ULL);
	cr_assert_eq(fake.config_writes, 3, "refused writes reached the device");
	cr_assert_eq(rd(base, 4), 0x5566aa10);
}

Test(virtio_mmio, read_only_config_space_ignores_writes)
{
	struct virtio_device_ops ops = fake_ops;

	ops.config_write = NULL;
	teardown();
	init_with(&ops, RAM_SIZE);
	wr(VIRTIO_MMIO_CONFIG_OFFSET, 4, 0);
	cr_assert_eq(rd(VIRTIO_MMIO_CONFIG_OFFSET, 4), 0x13121110);
	cr_assert_eq(refused(), 1);
}

/* ---- Counters and logging ------------------------------------------ */

Test(virtio_mmio, counters_classify_every_access)
{
	struct virtio_mmio_stats s;

	bring_up();
	virtio_mmio_get_stats(&t, &s);
	uint64_t reads0 = s.other_reads, writes0 = s.other_writes;
	cr_assert_gt(reads0, 0);
	cr_assert_gt(writes0, 0);
	cr_assert_eq(s.queue_notify_writes + s.interrupt_status_reads + s.interrupt_ack_writes, 0);
	cr_assert_eq(s.activations, 1);

	for (int i = 0; i < 5; i++)
		w32(VIRTIO_MMIO_QUEUE_NOTIFY, i % NQUEUES);
	for (int i = 0; i < 4; i++)
		r32(VIRTIO_MMIO_INTERRUPT_STATUS);
	for (int i = 0; i < 3; i++)
		w32(VIRTIO_MMIO_INTERRUPT_ACK, 1);
	rd(VIRTIO_MMIO_CONFIG_OFFSET, 4);
	rd(VIRTIO_MMIO_CONFIG_OFFSET + 64, 4); /* refused, still an exit */
	wr(VIRTIO_MMIO_CONFIG_OFFSET, 1, 0);
	r32(VIRTIO_MMIO_STATUS);
	rd(VIRTIO_MMIO_INTERRUPT_STATUS, 2); /* refused: counts as "other" */
	w32(VIRTIO_MMIO_STATUS, 0);

	virtio_mmio_get_stats(&t, &s);
	cr_assert_eq(s.queue_notify_writes, 5);
	cr_assert_eq(s.interrupt_status_reads, 4);
	cr_assert_eq(s.interrupt_ack_writes, 3);
	cr_assert_eq(s.config_reads, 2);
	cr_assert_eq(s.config_writes, 1);
	cr_assert_eq(s.other_reads, reads0 + 2);
	cr_assert_eq(s.other_writes, writes0 + 1);
	cr_assert_eq(s.refused, 2);
	cr_assert_eq(s.resets, 2, "bring_up's reset and this one");
	cr_assert_eq(fake.notifies, 5);
}

/* Run fn with stderr sent to a temporary file; return how many lines
 * contain `needle`. */
static int stderr_lines_with(void (*fn)(void), const char *needle)
{
	char line[512];
	FILE *tmp = tmpfile();
	int saved, count = 0;

	cr_assert_not_null(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fileno(tmp), STDERR_FILENO);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	while (fgets(line, sizeof(line), tmp))
		count += strstr(line, needle) != NULL;
	fclose(tmp);
	return count;
}

static void repeat_violations(void)
{
	for (int i = 0; i < 3; i++) {
		negotiate(OFFERED | F(3));      /* unoffered feature */
		rd(VIRTIO_MMIO_MAGIC_VALUE, 1); /* narrow access */
	}
}

Test(virtio_mmio, each_kind_of_violation_is_logged_once)
{
	cr_assert_eq(stderr_lines_with(repeat_violations, "virtio-test: driver set FEATURES_OK "
							  "with features never offered (0x8)"), 1);
	cr_assert_eq(stderr_lines_with(repeat_violations, "virtio-test:"), 0,
		     "logged again after the first time");
	cr_assert_eq(refused(), 12);
}

/* ---- Pseudo-random accesses ---------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static const uint32_t fuzz_regs[] = {
	VIRTIO_MMIO_MAGIC_VALUE, VIRTIO_MMIO_DEVICE_FEATURES, VIRTIO_MMIO_DEVICE_FEATURES_SEL,
	VIRTIO_MMIO_DRIVER_FEATURES, VIRTIO_MMIO_DRIVER_FEATURES_SEL, VIRTIO_MMIO_DRIVER_FEATURES,
	VIRTIO_MMIO_DRIVER_FEATURES_SEL, VIRTIO_MMIO_QUEUE_SEL,
	VIRTIO_MMIO_QUEUE_NUM_MAX, VIRTIO_MMIO_QUEUE_NUM, VIRTIO_MMIO_QUEUE_READY,
	VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_MMIO_INTERRUPT_STATUS, VIRTIO_MMIO_INTERRUPT_ACK,
	VIRTIO_MMIO_STATUS, VIRTIO_MMIO_STATUS, VIRTIO_MMIO_STATUS, VIRTIO_MMIO_QUEUE_DESC_LOW,
	VIRTIO_MMIO_QUEUE_DESC_HIGH, VIRTIO_MMIO_QUEUE_AVAIL_LOW, VIRTIO_MMIO_QUEUE_AVAIL_HIGH,
	VIRTIO_MMIO_QUEUE_USED_LOW, VIRTIO_MMIO_QUEUE_USED_HIGH, VIRTIO_MMIO_SHM_SEL,
	VIRTIO_MMIO_SHM_LEN_LOW, VIRTIO_MMIO_CONFIG_GENERATION, VIRTIO_MMIO_CONFIG,
	VIRTIO_MMIO_CONFIG + 4,
};

static void check_invariants(uint64_t op)
{
	uint32_t status = virtio_mmio_read_reg(&t, VIRTIO_MMIO_STATUS);
	uint32_t isr = virtio_mmio_read_reg(&t, VIRTIO_MMIO_INTERRUPT_STATUS);
	uint64_t acked = virtio_mmio_acked_features(&t);

	if (status & DOK)
		cr_assert(status & FOK, "op %" PRIu64 ": DRIVER_OK without FEATURES_OK", op);
	if (status & FOK) {
		cr_assert(status & DRV, "op %" PRIu64 ": FEATURES_OK without DRIVER", op);
		cr_assert_eq(acked & ~OFFERED, 0, "op %" PRIu64 ": unoffered features accepted",
			     op);
		cr_assert(acked & F(VIRTIO_F_VERSION_1), "op %" PRIu64, op);
	}
	if (status & DRV)
		cr_assert(status & ACK, "op %" PRIu64 ": DRIVER without ACKNOWLEDGE", op);
	cr_assert_eq(status & ~0xcfu, 0, "op %" PRIu64 ": status 0x%x", op, status);
	cr_assert_eq(isr & ~3u, 0);
	cr_assert_eq(!!(isr & VIRTIO_MMIO_INT_VRING), fake.active,
		     "op %" PRIu64 ": VRING bit disagrees with the device state", op);
	for (uint32_t i = 0; i < NQUEUES; i++) {
		const struct virtio_mmio_queue *q = virtio_mmio_queue(&t, i);

		if (q->ready)
			cr_assert(ring_valid(q, acked, &ram), "op %" PRIu64 ": queue %u", op, i);
	}
	cr_assert_eq(fake.invalid_activations, 0, "op %" PRIu64 ": activate saw a bad config", op);
}

struct access {
	uint64_t offset;
	uint32_t len;
	bool is_write;
	uint64_t value;
};

#define SCRIPT_MAX 128

static size_t emit(struct access *a, size_t n, uint64_t offset, bool is_write, uint64_t value)
{
	cr_assert_lt(n, SCRIPT_MAX);
	a[n] = (struct access){ .offset = offset, .len = 4, .is_write = is_write, .value = value };
	return n + 1;
}

/* A Linux-like probe with random parameters (features, queue count, sizes,
 * ring placement, sometimes invalid), some traffic, maybe a reset. */
static size_t driver_script(struct access *a)
{
	uint64_t features = F(VIRTIO_F_VERSION_1);
	uint32_t status = ACK;
	size_t n = 0;

	if (rnd() % 2)
		features |= F(VIRTIO_RING_F_EVENT_IDX);
	if (rnd() % 16 == 0)
		features |= F(rnd() % 64);
	n = emit(a, n, VIRTIO_MMIO_STATUS, true, 0);
	n = emit(a, n, VIRTIO_MMIO_MAGIC_VALUE, false, 0);
	n = emit(a, n, VIRTIO_MMIO_STATUS, true, status);
	n = emit(a, n, VIRTIO_MMIO_STATUS, true, status |= DRV);
	n = emit(a, n, VIRTIO_MMIO_DEVICE_FEATURES_SEL, true, 1);
	n = emit(a, n, VIRTIO_MMIO_DEVICE_FEATURES, false, 0);
	n = emit(a, n, VIRTIO_MMIO_DEVICE_FEATURES_SEL, true, 0);
	n = emit(a, n, VIRTIO_MMIO_DEVICE_FEATURES, false, 0);
	n = emit(a, n, VIRTIO_MMIO_DRIVER_FEATURES_SEL, true, 1);
	n = emit(a, n, VIRTIO_MMIO_DRIVER_FEATURES, true, features >> 32);
	n = emit(a, n, VIRTIO_MMIO_DRIVER_FEATURES_SEL, true, 0);
	n = emit(a, n, VIRTIO_MMIO_DRIVER_FEATURES, true, (uint32_t)features);
	n = emit(a, n, VIRTIO_MMIO_STATUS, true, status |= FOK);
	n = emit(a, n, VIRTIO_MMIO_STATUS, false, 0);
	for (uint32_t q = 0, nq = rnd() % (NQUEUES + 2); q < nq; q++) {
		uint32_t num = 1u << (rnd() % 10); /* up to 512: sometimes too big */
		struct rings r = rings_at((rnd() % (RAM_SIZE / 4096)) * 4096, num);

		if (rnd() % 8 == 0)
			r.used += 2 * (rnd() % 4);
		n = emit(a, n, VIRTIO_MMIO_QUEUE_SEL, true, q);
		n = emit(a, n, VIRTIO_MMIO_QUEUE_READY, false, 0);
		n = emit(a, n, VIRTIO_MMIO_QUEUE_NUM_MAX, false, 0);
		n = emit(a, n, VIRTIO_MMIO_QUEUE_NUM, true, num);
		n = emit(a, n, VIRTIO_MMIO_QUEUE_DESC_LOW, true, (uint32_t)r.desc);
		n = emit(a, n, VIRTIO_MMIO_QUEUE_DESC_HIGH, true, r.desc >> 32);
		n = emit(a, n, VIRTIO_MMIO_QUEUE_AVAIL_LOW, true, (uint32_t)r.avail);
		n = emit(a, n, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, true, r.avail >> 32);
		n = emit(a, n, VIRTIO_MMIO_QUEUE_USED_LOW, true, (uint32_t)r.used);
		n = emit(a, n, VIRTIO_MMIO_QUEUE_USED_HIGH, true, r.used >> 32);
		n = emit(a, n, VIRTIO_MMIO_QUEUE_READY, true, 1);
		n = emit(a, n, VIRTIO_MMIO_QUEUE_READY, false, 0);
	}
	n = emit(a, n, VIRTIO_MMIO_STATUS, true, status |= DOK);
	for (uint32_t i = 0, k = rnd() % 24; i < k; i++) {
		switch (rnd() % 4) {
		case 0:
			n = emit(a, n, VIRTIO_MMIO_QUEUE_NOTIFY, true, rnd() % (NQUEUES + 1));
			break;
		case 1:
			n = emit(a, n, VIRTIO_MMIO_INTERRUPT_STATUS, false, 0);
			n = emit(a, n, VIRTIO_MMIO_INTERRUPT_ACK, true, 1 + rnd() % 3);
			break;
		case 2:
			n = emit(a, n, VIRTIO_MMIO_CONFIG + 4 * (rnd() % 3), false, 0);
			break;
		default:
			n = emit(a, n, VIRTIO_MMIO_CONFIG_GENERATION, false, 0);
			break;
		}
	}
	if (rnd() % 2)
		n = emit(a, n, VIRTIO_MMIO_STATUS, true, 0);
	return n;
}

static struct access random_access(void)
{
	static const uint32_t widths[] = { 1, 2, 4, 4, 4, 8 };
	struct access x = {
		.len = widths[rnd() % 6],
		.is_write = rnd() % 2,
		.value = rnd() % 2 ? rnd() : rnd() % 16,
	};

	switch (rnd() % 8) {
	case 0: x.offset = rnd() % 0x140; break;
	case 1: x.offset = rnd() % 3 ? rnd() % 0x1000 : rnd(); break;
	default: x.offset = fuzz_regs[rnd() % (sizeof(fuzz_regs) / sizeof(fuzz_regs[0]))];
	}
	return x;
}

static void perform(struct access x)
{
	uint8_t data[8];

	for (int i = 0; i < 8; i++)
		data[i] = x.value >> (8 * i);
	virtio_mmio_io(&t, x.offset, data, x.len, x.is_write);
}

/* Linux-like probes with random parameters, each access mutated now and
 * then (dropped, another value, width or register, or a random access
 * slipped in before it): this reaches deep into the state machine, which
 * purely random accesses rarely do, and still throws everything at it. */
Test(virtio_mmio, random_accesses_keep_invariants)
{
	struct access script[SCRIPT_MAX];
	struct virtio_mmio_stats s;
	uint64_t op = 0;
	unsigned scripts = 0;

	while (op < 100000) {
		size_t n = driver_script(script);

		scripts++;
		for (size_t i = 0; i < n; i++, op++) {
			struct access x = script[i];
			unsigned m = rnd() % 100;

			fake.activate_result = rnd() % 10 ? 0 : -1;
			if (m < 3)
				continue;
			if (m < 6)
				x.value = rnd() % 2 ? rnd() : x.value ^ 1ULL << (rnd() % 32);
			else if (m < 8)
				x.len = (uint32_t[]){ 1, 2, 8 }[rnd() % 3];
			else if (m < 10)
				x.offset = random_access().offset;
			else if (m < 15)
				perform(random_access());
			if (rnd() % 3000 == 0)
				virtio_mmio_set_needs_reset(&t);
			if (rnd() % 3000 == 0)
				virtio_mmio_config_changed(&t);
			perform(x);
			check_invariants(op);
		}
	}
	virtio_mmio_get_stats(&t, &s);
	cr_log_info("random: %u probes, %" PRIu64 " activations (%u with queues), %" PRIu64
		    " failures, %" PRIu64 " resets, %" PRIu64 " refused, %u notifies", scripts,
		    s.activations, fake.activations_with_queues, s.activation_failures, s.resets,
		    s.refused, fake.notifies);
	/* The sequence must explore both sides of every check, or it says
	 * little: many activations with queues, failures, refusals. */
	cr_assert_gt(fake.activations_with_queues, scripts / 10);
	cr_assert_gt(s.activation_failures, 10);
	cr_assert_gt(fake.notifies, 100);
	cr_assert_gt(s.refused, 1000);
}

/* ---- Threads ------------------------------------------------------- */

#define THREAD_OPS 5000

static void *vcpu_thread(void *arg)
{
	uintptr_t id = (uintptr_t)arg;

	for (int i = 0; i < THREAD_OPS; i++) {
		switch (id) {
		case 0: /* the driver: bring up, kick, reset */
			if (i % 50 == 0)
				w32(VIRTIO_MMIO_STATUS, 0);
			else if (i % 50 == 1)
				add_status(ACK);
			else
				w32(VIRTIO_MMIO_QUEUE_NOTIFY, i % NQUEUES);
			break;
		case 1: /* the interrupt handler */
			w32(VIRTIO_MMIO_INTERRUPT_ACK, r32(VIRTIO_MMIO_INTERRUPT_STATUS));
			i++;
			break;
		default: /* config reads, and a device thread's config changes */
			r32(VIRTIO_MMIO_CONFIG_OFFSET);
			if (i % 10 == 0)
				virtio_mmio_config_changed(&t);
			break;
		}
	}
	return NULL;
}

Test(virtio_mmio, concurrent_accesses_are_serialised)
{
	pthread_t threads[3];
	struct virtio_mmio_stats s;

	bring_up();
	virtio_mmio_get_stats(&t, &s);
	uint64_t before = s.queue_notify_writes + s.interrupt_status_reads +
			  s.interrupt_ack_writes + s.config_reads + s.config_writes +
			  s.other_reads + s.other_writes;
	for (uintptr_t i = 0; i < 3; i++)
		cr_assert_eq(pthread_create(&threads[i], NULL, vcpu_thread, (void *)i), 0);
	for (int i = 0; i < 3; i++)
		pthread_join(threads[i], NULL);
	virtio_mmio_get_stats(&t, &s);
	uint64_t after = s.queue_notify_writes + s.interrupt_status_reads +
			 s.interrupt_ack_writes + s.config_reads + s.config_writes +
			 s.other_reads + s.other_writes;
	/* Thread 0: 5000 writes + 100 status reads; thread 1: 2500 pairs;
	 * thread 2: 5000 config reads. No access lost to a race. */
	cr_assert_eq(after - before, 5100 + 5000 + 5000);
	cr_assert_eq(s.config_reads, 5000);
	cr_assert_eq(s.resets, 1 + THREAD_OPS / 50);
	cr_assert_eq(fake.resets, 1, "only the first reset found the device active");
}

/* Counters read after the transport is gone are refused (zeros), never
 * read under a destroyed mutex; the VM prints --stats before teardown. */
Test(virtio_mmio_destroyed, stats_after_destroy_are_refused)
{
	init_with(&fake_ops, RAM_SIZE);
	wr(VIRTIO_MMIO_STATUS, 4, 1);
	struct virtio_mmio_stats s;
	virtio_mmio_get_stats(&t, &s);
	cr_assert_eq(s.other_writes, 1);
	virtio_mmio_destroy(&t);
	virtio_mmio_get_stats(&t, &s);
	cr_assert_eq(s.other_writes, 0);
}

/* ---- --trace ------------------------------------------------------- */

Test(virtio_mmio, trace_tells_the_handshake_a_refusal_and_the_reset)
{
	trace_capture_start(TRACE_VIRTIO);
	w32(VIRTIO_MMIO_STATUS, DOK); /* DRIVER_OK first: refused */
	bring_up();
	w32(VIRTIO_MMIO_STATUS, 0);
	char *trace = trace_capture_stop();
	static const char *const expected[] = {
		"virtio: virtio-test: driver writes Status = 0x4 (DRIVER_OK)",
		"virtio: virtio-test: REFUSED: driver set DRIVER_OK without FEATURES_OK (status 0x0); "
		"refused [virtio 1.2 section 3.1.1]",
		"virtio: virtio-test: status stays 0 (reset)",
		"virtio: virtio-test: driver writes Status = 0x1 (ACKNOWLEDGE)",
		"virtio: virtio-test: status 0 (reset) -> ACKNOWLEDGE\n",
		"virtio: virtio-test: status ACKNOWLEDGE -> ACKNOWLEDGE|DRIVER\n",
		"virtio: virtio-test: driver writes DriverFeaturesSel = 1: the next DriverFeatures "
		"access is feature bits 32-63",
		"virtio: virtio-test: driver accepts features word 1 = 0x1 (VERSION_1)",
		"virtio: virtio-test: driver accepts features word 0 = 0x20000000 (EVENT_IDX)",
		"virtio: virtio-test: status ACKNOWLEDGE|DRIVER -> ACKNOWLEDGE|DRIVER|FEATURES_OK\n",
		"virtio: virtio-test: driver selects queue 0 (rx) (QueueSel)",
		"virtio: virtio-test: driver writes QueueNum = 0x100",
		"virtio: virtio-test: driver writes QueueDescLow = 0x100000",
		"virtio: virtio-test: queue 0 (rx) ready: 256 entries; descriptor table 0x100000",
		"virtio: virtio-test: queue 2 (event) ready: 256 entries",
		"virtio: virtio-test: DRIVER_OK: device activated with features EVENT_IDX|VERSION_1",
		"virtio: virtio-test: status ACKNOWLEDGE|DRIVER|FEATURES_OK -> "
		"ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK\n",
		"virtio: virtio-test: driver writes Status = 0: reset the device [virtio 1.2 section 2.4]",
		"virtio: virtio-test: device reset: the device was running",
		"virtio: virtio-test: status ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK -> 0 (reset)\n",
		NULL,
	};
	trace_expect_in_order(trace, expected);
	free(trace);
}

Test(virtio_mmio, trace_off_writes_nothing_and_costs_no_state)
{
	trace_capture_start(0);
	bring_up();
	char *trace = trace_capture_stop();
	cr_assert_str_eq(trace, "");
	free(trace);
}
