/* libFuzzer target: the virtio-mmio register file and status state machine
 * (virtio/mmio.c) with the real vsock device (virtio/vsock.c) on top,
 * driven by any sequence of reads and writes of width 1, 2, 4 or 8 at any
 * offset of its 4 KiB window, plus the two calls a device thread makes
 * (set_needs_reset, config_changed). Accesses go through a real io_bus, as
 * KVM MMIO exits do, so accesses that run past the window are refused there
 * first. Input format: fuzz_input.h.
 *
 * In place of vhost sits a recording fake backend that aborts if it is ever
 * started in a state a real vhost_vsock could not survive: started twice,
 * a queue size that is not a power of two or exceeds QueueNumMax, a ring
 * misaligned or not wholly inside guest RAM, a feature it did not offer.
 * After every access the target also checks what a driver can observe: the
 * identification registers, the bytes a read returns, the Status bit order,
 * the counters (every access counted exactly once), and that the backend
 * runs exactly while the device is active. */
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "fuzz_input.h"
#include "lib/error.h"
#include "lib/io_bus.h"
#include "lib/log.h"
#include "lib/platform.h"
#include "virtio/vsock.h"

#define BIT(n) (1ULL << (n))
#define STATUS_DEFINED                                                                 \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK | \
	 VIRTIO_CONFIG_S_DRIVER_OK | VIRTIO_CONFIG_S_FAILED | VIRTIO_CONFIG_S_NEEDS_RESET)
/* Bits the device must never offer, whatever the backend claims: vhost
 * would expect an IOTLB (ACCESS_PLATFORM), they are vhost-internal
 * (NOTIFY_ON_EMPTY) or nobody implements them (RING_PACKED,
 * NOTIFICATION_DATA). */
#define NEVER_OFFERED                                                                  \
	(BIT(VIRTIO_F_ACCESS_PLATFORM) | BIT(24) | BIT(VIRTIO_F_RING_PACKED) |           \
	 BIT(VIRTIO_F_NOTIFICATION_DATA))

struct fake_backend {
	uint64_t features; /* what it claims to support */
	bool fail_start;
	bool running;
	unsigned long starts, stops, kicks;
};

static struct fake_backend fb;
static struct vsock_device dev;
static struct guest_memory ram;
static struct io_bus bus;
static uint64_t dispatched; /* accesses the bus handed to the device */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t status(void)
{
	return dev.transport.status;
}

/* Independent of guest_memory_contains, which the transport itself uses. */
static bool in_ram(uint64_t gpa, uint64_t len)
{
	uint64_t end;

	if (__builtin_add_overflow(gpa, len, &end))
		return false;
	if (end <= ram.low_size)
		return true;
	return gpa >= MMIO_HOLE_END && end - MMIO_HOLE_END <= ram.high_size;
}

/* Virtio 1.2 section 2.7: split ring part sizes and alignments. */
static void check_ring(const char *name, const struct virtio_queue_config *q, bool event_idx)
{
	uint64_t ev = event_idx ? 2 : 0;

	FUZZ_CHECK(q->num >= 1 && q->num <= VSOCK_QUEUE_SIZE_MAX && !(q->num & (q->num - 1)),
		   "%s queue size %u", name, q->num);
	FUZZ_CHECK(q->desc % 16 == 0 && q->avail % 2 == 0 && q->used % 4 == 0,
		   "%s rings misaligned: desc 0x%llx avail 0x%llx used 0x%llx", name,
		   (unsigned long long)q->desc, (unsigned long long)q->avail,
		   (unsigned long long)q->used);
	FUZZ_CHECK(in_ram(q->desc, 16ULL * q->num) && in_ram(q->avail, 6 + 2ULL * q->num + ev) &&
			   in_ram(q->used, 6 + 8ULL * q->num + ev),
		   "%s rings outside guest RAM (%llu bytes): desc 0x%llx avail 0x%llx used 0x%llx",
		   name, (unsigned long long)ram.size, (unsigned long long)q->desc,
		   (unsigned long long)q->avail, (unsigned long long)q->used);
}

static int fb_start(void *ctx, const struct virtio_backend_config *cfg)
{
	struct fake_backend *b = ctx;
	uint64_t acked = virtio_mmio_acked_features(&dev.transport);
	uint32_t need = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK;

	FUZZ_CHECK(!b->running, "backend started twice without a stop");
	FUZZ_CHECK((status() & need) == need &&
			   !(status() & (VIRTIO_CONFIG_S_FAILED | VIRTIO_CONFIG_S_NEEDS_RESET)),
		   "backend started with status 0x%x", status());
	FUZZ_CHECK(!(cfg->features & ~b->features), "backend given features 0x%llx it lacks",
		   (unsigned long long)(cfg->features & ~b->features));
	FUZZ_CHECK(!(acked & ~dev.offered) && (acked & BIT(VIRTIO_F_VERSION_1)),
		   "driver features 0x%llx, offered 0x%llx", (unsigned long long)acked,
		   (unsigned long long)dev.offered);
	FUZZ_CHECK(!(cfg->features & ~acked), "backend given features the driver did not ack");
	FUZZ_CHECK(cfg->nqueues == 2, "backend given %u queues", cfg->nqueues);
	check_ring("rx", &cfg->queues[0], cfg->features & BIT(VIRTIO_RING_F_EVENT_IDX));
	check_ring("tx", &cfg->queues[1], cfg->features & BIT(VIRTIO_RING_F_EVENT_IDX));
	b->starts++;
	if (b->fail_start)
		return error_set("fake backend refuses to start");
	b->running = true;
	return 0;
}

static void fb_stop(void *ctx)
{
	struct fake_backend *b = ctx;

	b->stops++;
	b->running = false;
}

static void fb_kick(void *ctx, uint32_t queue)
{
	struct fake_backend *b = ctx;

	FUZZ_CHECK(b->running && queue < VSOCK_QUEUE_EVENT, "kick of queue %u, backend %s", queue,
		   b->running ? "running" : "stopped");
	b->kicks++;
}

static const struct virtio_backend_ops fb_ops = {
	.start = fb_start, .stop = fb_stop, .kick = fb_kick,
};

static void raise_irq(void *ctx)
{
	(void)ctx;
	/* Virtio 1.2 section 2.1.2: no notification before DRIVER_OK. */
	FUZZ_CHECK(status() & VIRTIO_CONFIG_S_DRIVER_OK, "interrupt with status 0x%x", status());
}

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)fuzz_get_le(b, 4);
}

/* What a read returned, against what the driver may rely on. `quiet` is
 * what virtio_mmio_read_reg said just before, for a 4-byte aligned read. */
static void check_read(uint32_t off, uint32_t width, const uint8_t *got, bool on_bus,
		       uint32_t quiet)
{
	for (uint32_t i = width; i < 8; i++)
		FUZZ_CHECK(got[i] == 0xcc, "%u-byte read at 0x%x wrote byte %u", width, off, i);
	if (!on_bus) {
		for (uint32_t i = 0; i < width; i++)
			FUZZ_CHECK(got[i] == 0xff, "unclaimed read did not read all ones");
		return;
	}
	/* mmio.h: read_reg is what a 32-bit read returns, without its side
	 * effects (and no register changes when it is read). */
	if (width == 4 && off % 4 == 0)
		FUZZ_CHECK(le32(got) == quiet, "read at 0x%x: 0x%x, virtio_mmio_read_reg said 0x%x",
			   off, le32(got), quiet);
	if (off >= VIRTIO_MMIO_CONFIG_OFFSET) {
		uint32_t c = off - VIRTIO_MMIO_CONFIG_OFFSET;
		bool ok = (width == 1 || width == 2 || width == 4) && c % width == 0 &&
			  c + width <= 8;

		for (uint32_t i = 0; i < width; i++)
			FUZZ_CHECK(got[i] == (ok ? (uint8_t)(dev.guest_cid >> 8 * (c + i)) : 0),
				   "%u-byte config read at 0x%x: byte %u is 0x%02x", width, c, i,
				   got[i]);
		return;
	}
	if (width != 4 || off % 4) {
		for (uint32_t i = 0; i < width; i++)
			FUZZ_CHECK(got[i] == 0, "%u-byte control read at 0x%x not 0", width, off);
		return;
	}
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		FUZZ_CHECK(le32(got) == VIRTIO_MMIO_MAGIC, "MagicValue 0x%x", le32(got));
		break;
	case VIRTIO_MMIO_VERSION:
		FUZZ_CHECK(le32(got) == 2, "Version %u", le32(got));
		break;
	case VIRTIO_MMIO_DEVICE_ID:
		FUZZ_CHECK(le32(got) == VIRTIO_ID_VSOCK, "DeviceID %u", le32(got));
		break;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		FUZZ_CHECK(le32(got) == (dev.transport.queue_sel < VSOCK_NUM_QUEUES
						 ? VSOCK_QUEUE_SIZE_MAX : 0),
			   "QueueNumMax %u for queue %u", le32(got), dev.transport.queue_sel);
		break;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		FUZZ_CHECK(le32(got) <= 3 && !!(le32(got) & 1) == dev.transport.active,
			   "InterruptStatus 0x%x, device %sactive", le32(got),
			   dev.transport.active ? "" : "not ");
		break;
	case VIRTIO_MMIO_STATUS:
		FUZZ_CHECK(le32(got) == status(), "Status reads 0x%x, is 0x%x", le32(got), status());
		break;
	case VIRTIO_MMIO_DEVICE_FEATURES: {
		uint32_t sel = dev.transport.device_features_sel;
		uint32_t want = sel == 0 ? (uint32_t)dev.offered
				: sel == 1 ? (uint32_t)(dev.offered >> 32) : 0;

		FUZZ_CHECK(le32(got) == want, "DeviceFeatures[%u] 0x%x", sel, le32(got));
		break;
	}
	}
}

/* Properties that hold between any two accesses. */
static void check_state(void)
{
	const struct virtio_mmio *t = &dev.transport;
	struct virtio_mmio_stats s;
	uint32_t st = status();

	virtio_mmio_get_stats(&dev.transport, &s);
	FUZZ_CHECK(s.queue_notify_writes + s.interrupt_status_reads + s.interrupt_ack_writes +
				   s.config_reads + s.config_writes + s.other_reads +
				   s.other_writes == dispatched,
		   "counters do not add up to the %llu accesses", (unsigned long long)dispatched);
	FUZZ_CHECK(fb.running == dev.queues.started && fb.running == t->active,
		   "backend %s, device says started %d, transport active %d",
		   fb.running ? "running" : "stopped", dev.queues.started, t->active);
	FUZZ_CHECK(!(st & ~STATUS_DEFINED), "undefined Status bits 0x%x", st);
	FUZZ_CHECK((!(st & VIRTIO_CONFIG_S_DRIVER_OK) || (st & VIRTIO_CONFIG_S_FEATURES_OK)) &&
			   (!(st & VIRTIO_CONFIG_S_FEATURES_OK) || (st & VIRTIO_CONFIG_S_DRIVER)) &&
			   (!(st & VIRTIO_CONFIG_S_DRIVER) || (st & VIRTIO_CONFIG_S_ACKNOWLEDGE)),
		   "Status 0x%x skips a step", st);
	if (st & VIRTIO_CONFIG_S_FEATURES_OK)
		FUZZ_CHECK(!(t->acked & ~dev.offered) && (t->acked & BIT(VIRTIO_F_VERSION_1)),
			   "FEATURES_OK with features 0x%llx, offered 0x%llx",
			   (unsigned long long)t->acked, (unsigned long long)dev.offered);
	FUZZ_CHECK(!t->active || (st & VIRTIO_CONFIG_S_DRIVER_OK), "active without DRIVER_OK");
	for (uint32_t i = 0; i < VSOCK_NUM_QUEUES; i++) {
		const struct virtio_mmio_queue *q = virtio_mmio_queue(t, i);
		struct virtio_queue_config c = {
			.num = q->num, .desc = q->desc, .avail = q->driver, .used = q->device,
		};

		if (q->ready)
			check_ring("ready", &c, t->acked & BIT(VIRTIO_RING_F_EVENT_IDX));
	}
	FUZZ_CHECK(virtio_mmio_queue(t, VSOCK_NUM_QUEUES) == NULL, "a 4th queue exists");
}

static void do_record(const uint8_t rec[MMIO_RECORD_SIZE])
{
	enum mmio_op_kind kind = rec[0] & 3;
	uint32_t width = 1u << ((rec[0] >> 2) & 3);
	uint32_t off = (uint32_t)fuzz_get_le(rec + 1, 2) & MMIO_OFFSET_MASK;
	bool fits = off + width <= VIRTIO_MMIO_SIZE, on_bus;
	uint8_t buf[8];
	uint32_t quiet;

	switch (kind) {
	case MMIO_OP_READ:
		quiet = virtio_mmio_read_reg(&dev.transport, off);
		memset(buf, 0xcc, sizeof(buf));
		on_bus = io_bus_dispatch(&bus, VIRTIO_MMIO_BASE + off, buf, width, false);
		FUZZ_CHECK(on_bus == fits, "bus %s a %u-byte read at 0x%x",
			   on_bus ? "took" : "refused", width, off);
		dispatched += on_bus;
		check_read(off, width, buf, on_bus, quiet);
		break;
	case MMIO_OP_WRITE:
		memcpy(buf, rec + 3, 8);
		on_bus = io_bus_dispatch(&bus, VIRTIO_MMIO_BASE + off, buf, width, true);
		FUZZ_CHECK(on_bus == fits, "bus %s a %u-byte write at 0x%x",
			   on_bus ? "took" : "refused", width, off);
		dispatched += on_bus;
		break;
	case MMIO_OP_NEEDS_RESET:
		virtio_mmio_set_needs_reset(&dev.transport);
		FUZZ_CHECK(status() & VIRTIO_CONFIG_S_NEEDS_RESET, "NEEDS_RESET did not stick");
		break;
	case MMIO_OP_CONFIG_CHANGED: {
		uint32_t gen = dev.transport.config_generation;

		virtio_mmio_config_changed(&dev.transport);
		FUZZ_CHECK(dev.transport.config_generation != gen, "ConfigGeneration unchanged");
		break;
	}
	}
	check_state();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t hdr[MMIO_HEADER_SIZE], rec[MMIO_RECORD_SIZE];
	struct virtio_backend backend;
	struct virtio_mmio_platform platform = { .mem = &ram, .raise_irq = raise_irq };

	fuzz_take(&data, &size, hdr, sizeof(hdr));
	memset(&fb, 0, sizeof(fb));
	fb.features = mmio_backend_features(hdr[8]);
	fb.fail_start = hdr[11] & MMIO_FLAG_START_FAILS;
	guest_memory_layout(&ram, (fuzz_get_le(hdr + 9, 2) + 1) * MiB);
	ram.host = NULL; /* the transport checks addresses, never touches RAM */
	dispatched = 0;

	backend = (struct virtio_backend){ .ops = &fb_ops, .ctx = &fb, .features = fb.features };
	vsock_device_init(&dev, fuzz_get_le(hdr, 8), &backend, &platform);
	FUZZ_CHECK(!(dev.offered & NEVER_OFFERED) && (dev.offered & BIT(VIRTIO_F_VERSION_1)) &&
			   !(dev.offered & ~(fb.features | BIT(VIRTIO_F_VERSION_1))),
		   "offered 0x%llx for backend features 0x%llx", (unsigned long long)dev.offered,
		   (unsigned long long)fb.features);
	memset(&bus, 0, sizeof(bus));
	bus.name = "mmio";
	FUZZ_CHECK(io_bus_register(&bus, VIRTIO_MMIO_BASE, VIRTIO_MMIO_SIZE, virtio_mmio_io,
				   &dev.transport, "virtio-vsock") == 0, "io_bus_register failed");

	while (size > 0) {
		fuzz_take(&data, &size, rec, sizeof(rec));
		do_record(rec);
	}

	log_info("end: status 0x%x, backend started %lu, stopped %lu, kicked %lu times; "
		 "%llu accesses, %llu refused", status(), fb.starts, fb.stops, fb.kicks,
		 (unsigned long long)dispatched, (unsigned long long)dev.transport.stats.refused);
	vsock_device_destroy(&dev);
	FUZZ_CHECK(!fb.running, "backend still running after the device was destroyed");
	return 0;
}
