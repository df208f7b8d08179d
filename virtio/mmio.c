/* virtio-mmio Version 2 transport. Register semantics follow virtio 1.2
 * section 4.2.2 (MMIO Device Register Layout) and 4.2.3 (initialization
 * over MMIO); the status state machine follows sections 2.1 (Device Status
 * Field) and 3.1.1 (Driver Requirements: Device Initialization); ring sizes
 * and alignments follow section 2.7 (Split Virtqueues). The driver's side
 * is Linux's drivers/virtio/virtio_mmio.c and drivers/virtio/virtio.c. */
#include "virtio/mmio.h"

#include <inttypes.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/error.h"
#include "lib/log.h"
#include "lib/trace.h"
#include "virtio/mmio_describe.h"

#define FEATURE(bit) (1ULL << (bit))

/* Status bits the driver may write (DEVICE_NEEDS_RESET is the device's,
 * and is ignored in writes because Linux writes back what it read). */
#define STATUS_DRIVER_BITS                                                          \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |                     \
	 VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK | VIRTIO_CONFIG_S_FAILED)

/* Kinds of violation, each logged once per device. */
enum violation {
	V_ACCESS_SIZE,        /* control register access not 32-bit aligned */
	V_READ_WRITE_ONLY,
	V_WRITE_READ_ONLY,
	V_UNKNOWN_REGISTER,
	V_CONFIG_ACCESS,      /* config space width or alignment */
	V_CONFIG_RANGE,
	V_CONFIG_READ_ONLY,
	V_FEATURES_STATE,     /* DriverFeatures outside DRIVER..FEATURES_OK */
	V_FEATURES_BEYOND_64,
	V_STATUS_UNKNOWN_BITS,
	V_STATUS_CLEAR,
	V_STATUS_ORDER,
	V_STATUS_AFTER_FAILED,
	V_DRIVER_OK_EARLY,
	V_FEATURES_UNOFFERED,
	V_FEATURES_NO_VERSION_1,
	V_QUEUE_INDEX,
	V_QUEUE_STATE,        /* queue register outside FEATURES_OK..DRIVER_OK */
	V_QUEUE_LIVE,         /* QueueNum/addresses of a ready queue */
	V_QUEUE_READY_VALUE,
	V_QUEUE_SIZE,
	V_QUEUE_ALIGN,
	V_QUEUE_RANGE,
	V_ACK_BITS,
	V_NOTIFY_INDEX,
	V_NOTIFY_INACTIVE,
	V_ACTIVATE_FAILED,
	V_COUNT
};
_Static_assert(V_COUNT <= 32, "violation kinds must fit in virtio_mmio.warned");

/* The virtio 1.2 section each refusal follows, for --trace. */
static const char *const violation_section[V_COUNT] = {
	[V_ACCESS_SIZE] = "4.2.2.2",       [V_READ_WRITE_ONLY] = "4.2.2",
	[V_WRITE_READ_ONLY] = "4.2.2",     [V_UNKNOWN_REGISTER] = "4.2.2",
	[V_CONFIG_ACCESS] = "4.2.2.2",     [V_CONFIG_RANGE] = "4.2.2",
	[V_CONFIG_READ_ONLY] = "2.5",      [V_FEATURES_STATE] = "3.1.1",
	[V_FEATURES_BEYOND_64] = "2.2",    [V_STATUS_UNKNOWN_BITS] = "2.1",
	[V_STATUS_CLEAR] = "2.1.1",        [V_STATUS_ORDER] = "3.1.1",
	[V_STATUS_AFTER_FAILED] = "2.1.1", [V_DRIVER_OK_EARLY] = "3.1.1",
	[V_FEATURES_UNOFFERED] = "2.2.1",  [V_FEATURES_NO_VERSION_1] = "6.1",
	[V_QUEUE_INDEX] = "4.2.2",         [V_QUEUE_STATE] = "3.1.1",
	[V_QUEUE_LIVE] = "4.2.3.2",        [V_QUEUE_READY_VALUE] = "4.2.2",
	[V_QUEUE_SIZE] = "2.7",            [V_QUEUE_ALIGN] = "2.7",
	[V_QUEUE_RANGE] = "2.7",           [V_ACK_BITS] = "4.2.2",
	[V_NOTIFY_INDEX] = "4.2.2",        [V_NOTIFY_INACTIVE] = "3.1.1",
	[V_ACTIVATE_FAILED] = "2.1.2",
};

static void warn_once(struct virtio_mmio *t, enum violation kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void warn_once(struct virtio_mmio *t, enum violation kind, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Every refusal is traced (repeats are summarised there); the log
	 * below keeps to one warning per kind. */
	trace(TRACE_VIRTIO, "%s: REFUSED: %s [virtio 1.2 section %s]", t->name, msg,
	      violation_section[kind]);
	/* A driver stuck in a loop must not flood the console: the first
	 * occurrence of each kind is a warning, the rest debug output. */
	if (t->warned & (1u << kind)) {
		log_debug("%s: %s", t->name, msg);
		return;
	}
	t->warned |= 1u << kind;
	log_warn("%s: %s", t->name, msg);
}

#define refuse(t, kind, ...)                                                        \
	do {                                                                        \
		(t)->stats.refused++;                                               \
		warn_once((t), (kind), __VA_ARGS__);                                \
	} while (0)

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static bool is_power_of_two(uint32_t v)
{
	return v && !(v & (v - 1));
}

static const char *queue_reg_name(uint64_t offset)
{
	const char *name = virtio_mmio_reg_name((uint32_t)offset);

	return name ? name : "queue register";
}

/* ---- Interrupts ---------------------------------------------------- */

/* InterruptStatus. The data plane lives in the host kernel: vhost signals
 * used buffers through a KVM irqfd that injects the interrupt without this
 * transport ever seeing it, so the transport cannot know when a used-buffer
 * notification is pending. Linux's vm_interrupt (drivers/virtio/
 * virtio_mmio.c) reads InterruptStatus and walks the used rings only when
 * the VRING bit is set; a 0 makes it return IRQ_NONE, and enough of those
 * get the line disabled ("nobody cared"). So while the device is active the
 * VRING bit always reads 1: a spurious ring scan costs the driver little,
 * while a lost one stalls the queue. This departs from section 4.2.2.1
 * ("bits which do not represent events ... MUST be zero") for a reason the
 * spec does not foresee; Firecracker's vhost-user devices do the same. */
static uint32_t interrupt_status(const struct virtio_mmio *t)
{
	return (t->active ? VIRTIO_MMIO_INT_VRING : 0) |
	       (t->config_irq_pending ? VIRTIO_MMIO_INT_CONFIG : 0);
}

/* Config change notification (section 4.2.3.3): CONFIG bit + the line.
 * Section 2.1.2: no notification before DRIVER_OK. */
static void config_interrupt(struct virtio_mmio *t)
{
	if (!(t->status & VIRTIO_CONFIG_S_DRIVER_OK))
		return;
	t->config_irq_pending = true;
	if (t->platform.changed)
		t->platform.changed(t->platform.ctx, t);
	if (t->platform.raise_irq)
		t->platform.raise_irq(t->platform.ctx);
}

static void write_interrupt_ack(struct virtio_mmio *t, uint32_t value)
{
	if (value & ~(uint32_t)(VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG))
		refuse(t, V_ACK_BITS, "InterruptACK with undefined bits 0x%x; those ignored",
		       value);
	if (value & VIRTIO_MMIO_INT_CONFIG)
		t->config_irq_pending = false;
	/* Acknowledging VRING changes nothing: see interrupt_status(). */
}

/* ---- Reset and the status state machine ---------------------------- */

static void reset_state(struct virtio_mmio *t)
{
	t->offered = t->ops.features ? t->ops.features(t->dev) : 0;
	t->acked = 0;
	t->acked_beyond_64 = false;
	t->device_features_sel = 0;
	t->driver_features_sel = 0;
	t->queue_sel = 0;
	t->shm_sel = 0;
	t->status = 0;
	t->active = false;
	t->config_irq_pending = false;
	memset(t->queues, 0, sizeof(t->queues));
	memset(t->queue_num, 0, sizeof(t->queue_num));
	/* ConfigGeneration survives: a driver comparing generations across a
	 * reset must not see an old value come back. */
}

/* Section 4.2.2.1: after a reset InterruptStatus and every QueueReady
 * read 0. Section 2.4: the device goes back to its initial state. */
static void device_reset(struct virtio_mmio *t)
{
	t->stats.resets++;
	trace(TRACE_VIRTIO, "%s: device reset: %s; every queue not ready, features "
	      "forgotten, InterruptStatus 0 [virtio 1.2 sections 2.4, 4.2.2.1]", t->name,
	      t->active ? "the device was running, its backend is stopped" : "nothing was running");
	if (t->active && t->ops.reset)
		t->ops.reset(t->dev, t);
	if (t->status)
		log_debug("%s: reset by the driver (status was 0x%x)", t->name, t->status);
	reset_state(t);
}

/* Section 2.2.1/2.2.2: FEATURES_OK sticks only for a subset of the offered
 * features; Linux's vm_finalize_features requires VERSION_1 for Version 2,
 * and a device without it would be driven through legacy rules we do not
 * implement. */
static bool features_acceptable(struct virtio_mmio *t)
{
	uint64_t unoffered = t->acked & ~t->offered;

	if (unoffered || t->acked_beyond_64) {
		refuse(t, V_FEATURES_UNOFFERED,
		       "driver set FEATURES_OK with features never offered (0x%" PRIx64
		       "%s); refused", unoffered, t->acked_beyond_64 ? ", bits above 63" : "");
		return false;
	}
	if (!(t->acked & FEATURE(VIRTIO_F_VERSION_1))) {
		refuse(t, V_FEATURES_NO_VERSION_1,
		       "driver set FEATURES_OK without VIRTIO_F_VERSION_1 (features 0x%" PRIx64
		       "); refused", t->acked);
		return false;
	}
	return true;
}

static void activate(struct virtio_mmio *t)
{
	/* The device already declared itself broken: do not start it, but
	 * tell the driver now that DRIVER_OK is set (section 2.1.2). */
	if (t->status & VIRTIO_CONFIG_S_NEEDS_RESET) {
		config_interrupt(t);
		return;
	}
	error_clear();
	if (t->ops.activate && t->ops.activate(t->dev, t) < 0) {
		t->stats.activation_failures++;
		warn_once(t, V_ACTIVATE_FAILED, "activation failed: %s; device needs reset",
			  error_message());
		t->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
		config_interrupt(t);
		return;
	}
	t->active = true;
	t->stats.activations++;
	if (trace_enabled(TRACE_VIRTIO)) {
		char f[256];
		trace(TRACE_VIRTIO, "%s: DRIVER_OK: device activated with features %s; it "
		      "is live [virtio 1.2 section 3.1.1 step 8]", t->name,
		      virtio_features_describe(t->acked, t->ops.device_id, f, sizeof(f)));
	}
	log_debug("%s: activated (features 0x%" PRIx64 ")", t->name, t->acked);
}

/* Status writes (sections 2.1 and 3.1.1): 0 resets; otherwise bits are
 * only added, in the order ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK.
 * FAILED is taken at any time. A refused bit does not stick, which is how
 * the driver learns of it (Linux's virtio_features_ok reads Status back). */
static void write_status(struct virtio_mmio *t, uint32_t value)
{
	static const uint32_t order[] = {
		VIRTIO_CONFIG_S_ACKNOWLEDGE, VIRTIO_CONFIG_S_DRIVER,
		VIRTIO_CONFIG_S_FEATURES_OK, VIRTIO_CONFIG_S_DRIVER_OK,
	};
	uint32_t want, have, add;

	if (value == 0) {
		device_reset(t);
		return;
	}
	if (value & ~(uint32_t)(STATUS_DRIVER_BITS | VIRTIO_CONFIG_S_NEEDS_RESET)) {
		refuse(t, V_STATUS_UNKNOWN_BITS,
		       "driver wrote Status 0x%x with undefined bits; refused", value);
		return;
	}
	want = value & STATUS_DRIVER_BITS;
	if ((want & VIRTIO_CONFIG_S_FAILED) && !(t->status & VIRTIO_CONFIG_S_FAILED)) {
		t->status |= VIRTIO_CONFIG_S_FAILED;
		log_debug("%s: the driver gave up on the device (FAILED)", t->name);
	}
	have = t->status & STATUS_DRIVER_BITS;
	if (have & ~want) {
		refuse(t, V_STATUS_CLEAR,
		       "driver cleared Status bits 0x%x (status 0x%x, wrote 0x%x) other than by a "
		       "reset; refused", have & ~want, t->status, value);
		return;
	}
	add = want & ~have;
	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		uint32_t bit = order[i];

		if (!(add & bit))
			continue;
		if (bit == VIRTIO_CONFIG_S_DRIVER_OK &&
		    !(t->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
			refuse(t, V_DRIVER_OK_EARLY,
			       "driver set DRIVER_OK without FEATURES_OK (status 0x%x); refused",
			       t->status);
			return;
		}
		if (i > 0 && !(t->status & order[i - 1])) {
			refuse(t, V_STATUS_ORDER,
			       "driver set Status bit 0x%x before 0x%x (status 0x%x); refused", bit,
			       order[i - 1], t->status);
			return;
		}
		if ((t->status & VIRTIO_CONFIG_S_FAILED) &&
		    (bit == VIRTIO_CONFIG_S_FEATURES_OK || bit == VIRTIO_CONFIG_S_DRIVER_OK)) {
			refuse(t, V_STATUS_AFTER_FAILED,
			       "driver set Status bit 0x%x after FAILED without a reset; refused",
			       bit);
			return;
		}
		if (bit == VIRTIO_CONFIG_S_FEATURES_OK && !features_acceptable(t))
			return;
		t->status |= bit;
		if (bit == VIRTIO_CONFIG_S_DRIVER_OK)
			activate(t);
	}
}

/* ---- Features ------------------------------------------------------ */

static uint32_t device_features_word(const struct virtio_mmio *t)
{
	if (t->device_features_sel == 0)
		return (uint32_t)t->offered;
	if (t->device_features_sel == 1)
		return (uint32_t)(t->offered >> 32);
	return 0;
}

/* Section 3.1.1 step 5: features are written after DRIVER and before
 * FEATURES_OK; afterwards they are fixed until the next reset. */
static void write_driver_features(struct virtio_mmio *t, uint32_t value)
{
	uint32_t sel = t->driver_features_sel;

	if (!(t->status & VIRTIO_CONFIG_S_DRIVER) || (t->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		refuse(t, V_FEATURES_STATE,
		       "DriverFeatures write with status 0x%x (allowed after DRIVER, before "
		       "FEATURES_OK); ignored", t->status);
		return;
	}
	if (sel == 0) {
		t->acked = (t->acked & 0xffffffff00000000ULL) | value;
	} else if (sel == 1) {
		t->acked = (t->acked & 0xffffffffULL) | (uint64_t)value << 32;
	} else if (value) {
		/* No feature above bit 63 is ever offered; remember the bad
		 * acknowledgement so that FEATURES_OK is refused. */
		t->acked_beyond_64 = true;
		refuse(t, V_FEATURES_BEYOND_64,
		       "DriverFeatures word %u = 0x%x: no such features offered", sel, value);
	}
}

/* ---- Queues -------------------------------------------------------- */

/* The selected queue if queue registers may be written now (section 4.2.3.2:
 * between FEATURES_OK and DRIVER_OK), else NULL after logging why. */
static struct virtio_mmio_queue *writable_queue(struct virtio_mmio *t, uint64_t offset)
{
	if (t->queue_sel >= t->ops.num_queues) {
		refuse(t, V_QUEUE_INDEX, "%s write for queue %u, which does not exist; ignored",
		       queue_reg_name(offset), t->queue_sel);
		return NULL;
	}
	if (!(t->status & VIRTIO_CONFIG_S_FEATURES_OK) || (t->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
		refuse(t, V_QUEUE_STATE,
		       "%s write with status 0x%x (allowed after FEATURES_OK, before DRIVER_OK); "
		       "ignored", queue_reg_name(offset), t->status);
		return NULL;
	}
	return &t->queues[t->queue_sel];
}

static bool ring_ok(struct virtio_mmio *t, uint32_t index, const char *what, uint64_t addr,
		    uint64_t size, uint64_t align)
{
	if (addr % align) {
		refuse(t, V_QUEUE_ALIGN,
		       "queue %u: %s at 0x%" PRIx64 " is not %" PRIu64 "-byte aligned; QueueReady "
		       "refused", index, what, addr, align);
		return false;
	}
	/* guest_memory_contains is overflow-safe and rejects ranges in or
	 * across the MMIO hole. vhost would otherwise fail on (or, worse,
	 * translate) addresses that are not RAM. */
	if (!t->platform.mem || !guest_memory_contains(t->platform.mem, addr, size)) {
		refuse(t, V_QUEUE_RANGE,
		       "queue %u: %s [0x%" PRIx64 ", +0x%" PRIx64 ") is not inside guest RAM; "
		       "QueueReady refused", index, what, addr, size);
		return false;
	}
	return true;
}

/* Section 2.7 (split virtqueue): part sizes and alignments. With
 * VIRTIO_RING_F_EVENT_IDX the avail ring ends in used_event and the used
 * ring in avail_event, 2 bytes each (section 2.7.10). */
static bool queue_valid(struct virtio_mmio *t, uint32_t index)
{
	const struct virtio_mmio_queue *q = &t->queues[index];
	uint32_t num = t->queue_num[index];
	uint64_t event = (t->acked & FEATURE(VIRTIO_RING_F_EVENT_IDX)) ? 2 : 0;

	if (!is_power_of_two(num) || num > t->ops.queue_num_max) {
		refuse(t, V_QUEUE_SIZE,
		       "queue %u: size %u (must be a power of two from 1 to %u); "
		       "QueueReady refused", index, num, t->ops.queue_num_max);
		return false;
	}
	return ring_ok(t, index, "descriptor table", q->desc, 16ULL * num, 16) &&
	       ring_ok(t, index, "driver (avail) ring", q->driver, 6 + 2ULL * num + event, 2) &&
	       ring_ok(t, index, "device (used) ring", q->device, 6 + 8ULL * num + event, 4);
}

static void write_queue_ready(struct virtio_mmio *t, uint32_t value)
{
	struct virtio_mmio_queue *q;

	/* Disabling a queue that is not enabled is a no-op wherever it comes
	 * from: Linux's vm_del_vq writes 0 after a reset and in its error paths,
	 * including for queues the device does not have. */
	if (value == 0 && (t->queue_sel >= t->ops.num_queues || !t->queues[t->queue_sel].ready))
		return;
	if (value > 1) {
		refuse(t, V_QUEUE_READY_VALUE,
		       "QueueReady = %u (only 0 and 1 are defined); ignored", value);
		return;
	}
	q = writable_queue(t, VIRTIO_MMIO_QUEUE_READY);
	if (!q)
		return;
	if (value == 0) {
		q->ready = false;
		return;
	}
	if (q->ready)
		return;
	if (!queue_valid(t, t->queue_sel))
		return;
	q->num = (uint16_t)t->queue_num[t->queue_sel];
	q->ready = true;
	log_debug("%s: queue %u ready: %u entries, desc 0x%" PRIx64 " avail 0x%" PRIx64
		  " used 0x%" PRIx64, t->name, t->queue_sel, q->num, q->desc, q->driver, q->device);
	trace(TRACE_VIRTIO, "%s: queue %u%s%s%s ready: %u entries; descriptor table 0x%" PRIx64
	      ", driver ring 0x%" PRIx64 ", device ring 0x%" PRIx64 " are aligned and inside guest "
	      "RAM [virtio 1.2 sections 2.7, 4.2.3.2]", t->name, t->queue_sel,
	      *virtio_queue_role(t->ops.device_id, t->queue_sel) ? " (" : "",
	      virtio_queue_role(t->ops.device_id, t->queue_sel),
	      *virtio_queue_role(t->ops.device_id, t->queue_sel) ? ")" : "", q->num, q->desc,
	      q->driver, q->device);
}

/* QueueNum and the ring addresses: only while the queue is not ready. */
static void write_queue_field(struct virtio_mmio *t, uint64_t offset, uint32_t value)
{
	struct virtio_mmio_queue *q = writable_queue(t, offset);
	uint64_t *addr;

	if (!q)
		return;
	if (q->ready) {
		refuse(t, V_QUEUE_LIVE, "%s write for queue %u while it is ready; ignored",
		       queue_reg_name(offset), t->queue_sel);
		return;
	}
	switch (offset) {
	case VIRTIO_MMIO_QUEUE_NUM:
		t->queue_num[t->queue_sel] = value;
		return;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		addr = &q->desc;
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		addr = &q->driver;
		break;
	default:
		addr = &q->device;
		break;
	}
	if (offset % 8 == 0) /* the Low halves sit at 8-byte offsets */
		*addr = (*addr & 0xffffffff00000000ULL) | value;
	else
		*addr = (*addr & 0xffffffffULL) | (uint64_t)value << 32;
}

static void write_queue_notify(struct virtio_mmio *t, uint32_t value)
{
	/* Without VIRTIO_F_NOTIFICATION_DATA the value is the queue index. */
	if (value >= t->ops.num_queues) {
		refuse(t, V_NOTIFY_INDEX, "QueueNotify for queue %u, which does not exist; ignored",
		       value);
		return;
	}
	/* Section 3.1.1: the driver must not notify before DRIVER_OK; and a
	 * device whose activation failed has nobody to notify. */
	if (!t->active) {
		refuse(t, V_NOTIFY_INACTIVE,
		       "QueueNotify for queue %u while the device is not active (status 0x%x); "
		       "ignored", value, t->status);
		return;
	}
	trace_keyed(TRACE_VIRTIO, "QueueNotify reached minivmm",
		    "%s: QueueNotify for queue %u reached minivmm (no ioeventfd took it): "
		    "passed to the device [virtio 1.2 section 4.2.3.3]", t->name, value);
	if (t->ops.notify)
		t->ops.notify(t->dev, t, value);
}

/* ---- Register file ------------------------------------------------- */

/* Value of a readable control register; *readable false for write-only
 * and unknown offsets (which read 0). */
static uint32_t control_value(const struct virtio_mmio *t, uint64_t offset, bool *readable)
{
	*readable = true;
	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return VIRTIO_MMIO_VERSION_MODERN;
	case VIRTIO_MMIO_DEVICE_ID:
		return t->ops.device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return device_features_word(t);
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		/* Section 4.2.2: 0 for a queue that is not available. */
		return t->queue_sel < t->ops.num_queues ? t->ops.queue_num_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return t->queue_sel < t->ops.num_queues && t->queues[t->queue_sel].ready;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return interrupt_status(t);
	case VIRTIO_MMIO_STATUS:
		return t->status;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
		/* No shared memory regions: a length of all ones means "no
		 * such region" (section 4.2.2; Linux's vm_get_shm_region). */
		return 0xffffffff;
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		return 0;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return t->config_generation;
	}
	*readable = false;
	return 0;
}

static bool is_write_only(uint64_t offset)
{
	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
	case VIRTIO_MMIO_DRIVER_FEATURES:
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
	case VIRTIO_MMIO_QUEUE_SEL:
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_NOTIFY:
	case VIRTIO_MMIO_INTERRUPT_ACK:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
	case VIRTIO_MMIO_SHM_SEL:
		return true;
	}
	return false;
}

static uint32_t read_control(struct virtio_mmio *t, uint64_t offset)
{
	bool readable;
	uint32_t value = control_value(t, offset, &readable);

	if (offset == VIRTIO_MMIO_INTERRUPT_STATUS)
		t->stats.interrupt_status_reads++;
	else
		t->stats.other_reads++;
	if (!readable) {
		if (is_write_only(offset))
			refuse(t, V_READ_WRITE_ONLY, "read of write-only register 0x%03" PRIx64
			       "; reads 0", offset);
		else
			refuse(t, V_UNKNOWN_REGISTER, "read of unknown register 0x%03" PRIx64
			       "; reads 0", offset);
	}
	return value;
}

static void write_control(struct virtio_mmio *t, uint64_t offset, uint32_t value)
{
	if (offset == VIRTIO_MMIO_QUEUE_NOTIFY)
		t->stats.queue_notify_writes++;
	else if (offset == VIRTIO_MMIO_INTERRUPT_ACK)
		t->stats.interrupt_ack_writes++;
	else
		t->stats.other_writes++;

	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->device_features_sel = value;
		return;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		write_driver_features(t, value);
		return;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->driver_features_sel = value;
		return;
	case VIRTIO_MMIO_QUEUE_SEL:
		t->queue_sel = value;
		return;
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		write_queue_field(t, offset, value);
		return;
	case VIRTIO_MMIO_QUEUE_READY:
		write_queue_ready(t, value);
		return;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		write_queue_notify(t, value);
		return;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		write_interrupt_ack(t, value);
		return;
	case VIRTIO_MMIO_STATUS:
		write_status(t, value);
		return;
	case VIRTIO_MMIO_SHM_SEL:
		t->shm_sel = value;
		return;
	}
	{
		bool readable;

		control_value(t, offset, &readable);
		if (readable)
			refuse(t, V_WRITE_READ_ONLY, "write of 0x%x to read-only register 0x%03"
			       PRIx64 "; ignored", value, offset);
		else
			refuse(t, V_UNKNOWN_REGISTER, "write of 0x%x to unknown register 0x%03"
			       PRIx64 "; ignored", value, offset);
	}
}

/* Whether [off, off + len) is a valid config access: widths 1, 2, 4
 * naturally aligned (section 4.2.2.2; 64-bit fields are read as two 32-bit
 * halves, as Linux's vm_get does), inside config_size. */
static bool config_access_ok(struct virtio_mmio *t, uint64_t off, uint32_t len, bool log)
{
	if ((len != 1 && len != 2 && len != 4) || off % len) {
		if (log)
			refuse(t, V_CONFIG_ACCESS, "%u-byte config access at offset 0x%" PRIx64
			       " (widths 1, 2, 4, naturally aligned); refused", len, off);
		return false;
	}
	if (off >= t->ops.config_size || len > t->ops.config_size - off) {
		if (log)
			refuse(t, V_CONFIG_RANGE, "config access at offset 0x%" PRIx64
			       " (+%u) beyond the %u-byte config space; refused", off, len,
			       t->ops.config_size);
		return false;
	}
	return true;
}

static void config_io(struct virtio_mmio *t, uint64_t off, uint8_t *data, uint32_t len,
		      bool is_write)
{
	if (is_write)
		t->stats.config_writes++;
	else
		t->stats.config_reads++;
	if (!config_access_ok(t, off, len, true)) {
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	if (!is_write) {
		memset(data, 0, len);
		if (t->ops.config_read)
			t->ops.config_read(t->dev, (uint32_t)off, data, len);
		return;
	}
	if (!t->ops.config_write) {
		refuse(t, V_CONFIG_READ_ONLY, "write to read-only config space at offset 0x%" PRIx64
		       "; ignored", off);
		return;
	}
	t->ops.config_write(t->dev, (uint32_t)off, data, len);
}

/* --trace: what the driver wrote, in words, before the transport acts on
 * it (its consequences and refusals follow in lines of their own). */
static void trace_write(const struct virtio_mmio *t, uint64_t offset, uint32_t value)
{
	char what[256];
	const char *role;

	switch (offset) {
	case VIRTIO_MMIO_STATUS:
		if (value == 0)
			trace(TRACE_VIRTIO, "%s: driver writes Status = 0: reset the device [virtio "
			      "1.2 section 2.4]", t->name);
		else
			trace(TRACE_VIRTIO, "%s: driver writes Status = 0x%x (%s) [virtio 1.2 sections "
			      "2.1, 3.1.1]", t->name, value,
			      virtio_status_describe(value, what, sizeof(what)));
		return;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		trace(TRACE_VIRTIO, "%s: driver accepts features word %u = 0x%x (%s) [virtio 1.2 "
		      "section 3.1.1 step 5]", t->name, t->driver_features_sel, value,
		      t->driver_features_sel < 2
			      ? virtio_features_describe((uint64_t)value
							 << (32 * t->driver_features_sel),
							 t->ops.device_id, what, sizeof(what))
			      : "beyond bit 63");
		return;
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		trace(TRACE_VIRTIO, "%s: driver writes %s = %u: the next %s access is feature "
		      "bits %u-%u [virtio 1.2 section 4.2.2]", t->name, virtio_mmio_reg_name((uint32_t)offset),
		      value, offset == VIRTIO_MMIO_DEVICE_FEATURES_SEL ? "DeviceFeatures" : "DriverFeatures",
		      32 * (value & 0x7ffffff), 32 * (value & 0x7ffffff) + 31);
		return;
	case VIRTIO_MMIO_QUEUE_SEL:
		role = virtio_queue_role(t->ops.device_id, value);
		trace(TRACE_VIRTIO, "%s: driver selects queue %u%s%s%s (QueueSel) [virtio 1.2 section "
		      "4.2.3.2]", t->name, value, *role ? " (" : "", role, *role ? ")" : "");
		return;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		trace_keyed(TRACE_VIRTIO, "QueueNotify write", "%s: driver writes QueueNotify = %u",
			    t->name, value);
		return;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		trace_keyed(TRACE_VIRTIO, "InterruptACK write", "%s: driver acknowledges interrupt "
			    "bits 0x%x (InterruptACK) [virtio 1.2 section 4.2.2]", t->name, value);
		return;
	}
	trace(TRACE_VIRTIO, "%s: driver writes %s = 0x%x%s", t->name,
	      virtio_mmio_reg_name((uint32_t)offset) ? virtio_mmio_reg_name((uint32_t)offset) : "?",
	      value, offset >= VIRTIO_MMIO_QUEUE_NUM && offset != VIRTIO_MMIO_QUEUE_READY
			     ? " [virtio 1.2 section 4.2.3.2]" : "");
}

/* --trace: the Status transition a write caused (or that it caused none). */
static void trace_status_change(const struct virtio_mmio *t, uint32_t before)
{
	char from[128], to[128];

	if (t->status == before)
		trace(TRACE_VIRTIO, "%s: status stays %s", t->name,
		      virtio_status_describe(before, from, sizeof(from)));
	else
		trace(TRACE_VIRTIO, "%s: status %s -> %s", t->name,
		      virtio_status_describe(before, from, sizeof(from)),
		      virtio_status_describe(t->status, to, sizeof(to)));
}

void virtio_mmio_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct virtio_mmio *t = opaque;
	uint32_t status_before;

	pthread_mutex_lock(&t->lock);
	status_before = t->status;
	if (offset >= VIRTIO_MMIO_CONFIG_OFFSET) {
		config_io(t, offset - VIRTIO_MMIO_CONFIG_OFFSET, data, len, is_write);
	} else if (len != 4 || offset % 4) {
		/* Section 4.2.2.2: the driver MUST use 32-bit wide and aligned
		 * accesses to the control registers. */
		if (is_write) {
			t->stats.other_writes++;
		} else {
			t->stats.other_reads++;
			memset(data, 0, len);
		}
		refuse(t, V_ACCESS_SIZE, "%u-byte %s at control register offset 0x%03" PRIx64
		       " (only aligned 32-bit accesses); refused", len, is_write ? "write" : "read",
		       offset);
	} else if (is_write) {
		if (trace_enabled(TRACE_VIRTIO))
			trace_write(t, offset, get_le32(data));
		write_control(t, offset, get_le32(data));
		if (offset == VIRTIO_MMIO_STATUS && trace_enabled(TRACE_VIRTIO))
			trace_status_change(t, status_before);
	} else {
		put_le32(data, read_control(t, offset));
		trace_keyed(TRACE_VIRTIO, virtio_mmio_reg_name((uint32_t)offset)
			    ? virtio_mmio_reg_name((uint32_t)offset) : "?",
			    "%s: driver reads %s -> 0x%x (the register page did not serve it)",
			    t->name, virtio_mmio_reg_name((uint32_t)offset)
			    ? virtio_mmio_reg_name((uint32_t)offset) : "?", get_le32(data));
	}
	if (is_write && t->platform.changed)
		t->platform.changed(t->platform.ctx, t);
	pthread_mutex_unlock(&t->lock);
}

uint32_t virtio_mmio_read_reg_locked(struct virtio_mmio *t, uint32_t offset)
{
	uint32_t value = 0;

	if (offset >= VIRTIO_MMIO_CONFIG_OFFSET) {
		uint8_t bytes[4] = { 0 };
		uint32_t off = offset - VIRTIO_MMIO_CONFIG_OFFSET;

		if (config_access_ok(t, off, 4, false) && t->ops.config_read)
			t->ops.config_read(t->dev, off, bytes, 4);
		value = get_le32(bytes);
	} else if (offset % 4 == 0) {
		bool readable;

		value = control_value(t, offset, &readable);
	}
	return value;
}

uint32_t virtio_mmio_read_reg(struct virtio_mmio *t, uint32_t offset)
{
	pthread_mutex_lock(&t->lock);
	uint32_t value = virtio_mmio_read_reg_locked(t, offset);
	pthread_mutex_unlock(&t->lock);
	return value;
}

/* ---- Public API ---------------------------------------------------- */

void virtio_mmio_init(struct virtio_mmio *t, const struct virtio_device_ops *ops, void *dev,
		      const struct virtio_mmio_platform *platform, const char *name)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	for (uint32_t i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		t->kick_fd[i] = -1;
	t->call_fd = -1;
	t->ops = *ops;
	t->dev = dev;
	if (platform)
		t->platform = *platform;
	snprintf(t->name, sizeof(t->name), "%s", name ? name : "virtio-mmio");

	if (t->ops.num_queues > VIRTIO_MMIO_MAX_QUEUES) {
		log_warn("%s: device has %u queues, the transport %u; extra queues unusable",
			 t->name, t->ops.num_queues, VIRTIO_MMIO_MAX_QUEUES);
		t->ops.num_queues = VIRTIO_MMIO_MAX_QUEUES;
	}
	if (t->ops.num_queues && (!is_power_of_two(t->ops.queue_num_max) ||
				  t->ops.queue_num_max > VIRTIO_MMIO_QUEUE_SIZE_LIMIT)) {
		uint32_t max = VIRTIO_MMIO_QUEUE_SIZE_LIMIT;

		while (max > 1 && max > t->ops.queue_num_max)
			max >>= 1;
		log_warn("%s: QueueNumMax %u is not a power of two up to %u; using %u", t->name,
			 t->ops.queue_num_max, VIRTIO_MMIO_QUEUE_SIZE_LIMIT, max);
		t->ops.queue_num_max = (uint16_t)max;
	}
	reset_state(t);
	if (!(t->offered & FEATURE(VIRTIO_F_VERSION_1)))
		log_warn("%s: device does not offer VIRTIO_F_VERSION_1; no driver will accept it",
			 t->name);
}

uint64_t virtio_mmio_acked_features(const struct virtio_mmio *t)
{
	return t->acked;
}

const struct virtio_mmio_queue *virtio_mmio_queue(const struct virtio_mmio *t, uint32_t index)
{
	return index < t->ops.num_queues ? &t->queues[index] : NULL;
}

void virtio_mmio_set_platform(struct virtio_mmio *t, const struct virtio_mmio_platform *platform)
{
	t->platform = *platform;
}

void virtio_mmio_set_eventfds(struct virtio_mmio *t, const int *kick_fds, int call_fd)
{
	for (uint32_t i = 0; i < t->ops.num_queues; i++)
		t->kick_fd[i] = kick_fds[i];
	t->call_fd = call_fd;
}

int virtio_mmio_kick_fd(const struct virtio_mmio *t, uint32_t index)
{
	return index < t->ops.num_queues ? t->kick_fd[index] : -1;
}

int virtio_mmio_call_fd(const struct virtio_mmio *t)
{
	return t->call_fd;
}

bool virtio_mmio_config_irq_pending_locked(const struct virtio_mmio *t)
{
	return t->config_irq_pending;
}

void virtio_mmio_set_needs_reset(struct virtio_mmio *t)
{
	pthread_mutex_lock(&t->lock);
	if (!(t->status & VIRTIO_CONFIG_S_NEEDS_RESET)) {
		t->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
		log_debug("%s: device needs reset", t->name);
		config_interrupt(t);
	}
	pthread_mutex_unlock(&t->lock);
}

void virtio_mmio_config_changed(struct virtio_mmio *t)
{
	pthread_mutex_lock(&t->lock);
	t->config_generation++;
	config_interrupt(t);
	pthread_mutex_unlock(&t->lock);
}

void virtio_mmio_get_stats(struct virtio_mmio *t, struct virtio_mmio_stats *out)
{
	if (t->destroyed) {
		/* A caller bug (--stats once read counters after teardown and
		 * locked a destroyed mutex): say so rather than touch the lock. */
		log_warn("%s: internal error: counters read after the transport was destroyed",
			 t->name);
		memset(out, 0, sizeof(*out));
		return;
	}
	pthread_mutex_lock(&t->lock);
	*out = t->stats;
	pthread_mutex_unlock(&t->lock);
}

void virtio_mmio_destroy(struct virtio_mmio *t)
{
	pthread_mutex_destroy(&t->lock);
	t->destroyed = true;
}
