/* The virtio-mmio transport, Version 2 ("modern"): the register file of
 * virtio 1.2 section 4.2.2 around any virtio device. The transport owns
 * everything the spec makes common to all devices (status state machine,
 * feature negotiation, queue setup, interrupt status, config generation);
 * a device supplies its ID, features, config space and what to do at
 * activation and reset through struct virtio_device_ops.
 *
 * It is strict in the way a careful device is: every register access and
 * status transition the spec does not allow is refused (reads give 0,
 * writes change nothing), counted, and logged once per device and kind of
 * violation, so a buggy or hostile driver can neither crash the VMM nor get
 * a device activated with rings outside guest RAM.
 *
 * Pure logic: no KVM or vhost here. The device sits behind
 * struct virtio_device_ops, the platform (guest RAM, interrupt line) behind
 * struct virtio_mmio_platform, so unit tests drive it with fakes.
 *
 * Threads and locks: any number of vCPU threads may call virtio_mmio_io at
 * once, and a device thread may call virtio_mmio_set_needs_reset or
 * virtio_mmio_config_changed. One mutex per transport serialises them all;
 * nobody outside this file takes it. Every callback (ops->activate,
 * ops->reset, ops->notify, ops->config_read, ops->config_write,
 * ops->features, platform->changed and platform->raise_irq) is called with
 * that mutex held, so the transport's state cannot change under it. A
 * callback may use only the accessors documented as safe there (the
 * *_locked ones, virtio_mmio_acked_features, virtio_mmio_queue and the fd
 * accessors), and must not wait for another thread that might be blocked
 * on this transport's mutex.
 *
 * Eventfds: the KVM side of the transport (virtio/mmio_slot.c) creates one
 * kick eventfd per queue and one interrupt (call) eventfd and records them
 * here (virtio_mmio_set_eventfds) before the guest runs; a device hands
 * them to its backend at activation. In unit tests they stay -1. */
#ifndef MINIVMM_VIRTIO_MMIO_H
#define MINIVMM_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/guest_memory.h"

#define VIRTIO_MMIO_MAX_QUEUES 8
/* Device configuration space starts here (virtio 1.2 table 4.1). */
#define VIRTIO_MMIO_CONFIG_OFFSET 0x100
/* "virt" in little-endian; drivers check it first. */
#define VIRTIO_MMIO_MAGIC 0x74726976
#define VIRTIO_MMIO_VERSION_MODERN 2
/* VendorID is informational (Linux shows it in sysfs and matches no driver
 * on it); minivmm reports "MVMM" as little-endian ASCII. */
#define VIRTIO_MMIO_VENDOR 0x4d4d564d
/* The split ring's largest size (virtio 1.2 section 2.6). */
#define VIRTIO_MMIO_QUEUE_SIZE_LIMIT 32768

/* One virtqueue as the driver configured it (split ring, virtio 1.2
 * section 2.7). Addresses are guest-physical. `num`, and the addresses'
 * validity, are guaranteed only while `ready` is true: QueueReady = 1 is
 * accepted only after the size and all three rings have been checked
 * against the queue limits and guest RAM. */
struct virtio_mmio_queue {
	uint16_t num;
	bool ready;
	uint64_t desc, driver, device; /* descriptor table, avail ring, used ring */
};

struct virtio_mmio;

struct virtio_device_ops {
	uint32_t device_id;     /* virtio 1.2 section 5: 19 = vsock; 0 = no device */
	uint32_t num_queues;    /* at most VIRTIO_MMIO_MAX_QUEUES */
	uint16_t queue_num_max; /* QueueNumMax of every queue: a power of two */
	uint32_t config_size;   /* bytes of device config space at 0x100 */
	/* Features offered; must include VIRTIO_F_VERSION_1 (bit 32), which a
	 * Version 2 driver requires. Called at virtio_mmio_init and at every
	 * reset; the value is kept until the next reset. */
	uint64_t (*features)(void *dev);
	/* Config space access of len 1, 2 or 4 bytes, naturally aligned and
	 * inside config_size (the transport checks). Multi-byte fields are
	 * little-endian (virtio 1.2 section 2.5). NULL config_read reads 0;
	 * NULL config_write makes the space read-only. */
	void (*config_read)(void *dev, uint32_t offset, uint8_t *data, uint32_t len);
	void (*config_write)(void *dev, uint32_t offset, const uint8_t *data, uint32_t len);
	/* The driver set DRIVER_OK after a valid negotiation: the acked
	 * features (virtio_mmio_acked_features) and every ready queue
	 * (virtio_mmio_queue) have been checked. Start the device. Return 0,
	 * or -1 with error_set(): the transport then sets DEVICE_NEEDS_RESET
	 * and raises a config interrupt. A failing activate must undo its own
	 * partial work, because reset is not called for it (see below). */
	int (*activate)(void *dev, struct virtio_mmio *t);
	/* The driver wrote Status = 0 while the device was active (activate
	 * had returned 0 since the last reset). Called before the transport
	 * clears its state, so the queues and features are still visible.
	 * Resets of a device that was never activated, or whose activation
	 * failed, do not reach the device: activate and reset are a pair, and
	 * before activation all the state lives in the transport. May be NULL. */
	void (*reset)(void *dev, struct virtio_mmio *t);
	/* A QueueNotify write reached userspace (not absorbed by an
	 * ioeventfd) for an existing queue of an active device. May be NULL. */
	void (*notify)(void *dev, struct virtio_mmio *t, uint32_t queue);
};

struct virtio_mmio_platform {
	const struct guest_memory *mem; /* rings must lie inside guest RAM */
	void (*raise_irq)(void *ctx);   /* pulse the device's interrupt line (edge) */
	/* The register file may have changed: after every write that reached
	 * the transport and before a config interrupt. The KVM side rewrites
	 * its read-only register page here. May be NULL. */
	void (*changed)(void *ctx, struct virtio_mmio *t);
	void *ctx;
};

/* Accesses that reached userspace, by register, and what was refused. Every
 * virtio_mmio_io call counts in exactly one of the first seven fields, so
 * their sum is the number of MMIO exits this device caused. */
struct virtio_mmio_stats {
	uint64_t queue_notify_writes;    /* 32-bit writes of QueueNotify */
	uint64_t interrupt_status_reads; /* 32-bit reads of InterruptStatus */
	uint64_t interrupt_ack_writes;   /* 32-bit writes of InterruptACK */
	uint64_t config_reads;           /* accesses at or above 0x100 */
	uint64_t config_writes;
	uint64_t other_reads;            /* everything else below 0x100 */
	uint64_t other_writes;
	uint64_t refused;                /* accesses or transitions refused */
	uint64_t activations;            /* activate() calls that succeeded */
	uint64_t activation_failures;    /* ... that failed */
	uint64_t resets;                 /* Status = 0 writes */
};

struct virtio_mmio {
	pthread_mutex_t lock; /* guards everything below */
	struct virtio_device_ops ops;
	void *dev;
	struct virtio_mmio_platform platform;
	char name[32]; /* for messages, e.g. "virtio-vsock" */

	uint64_t offered;          /* ops.features() at the last reset */
	uint64_t acked;            /* DriverFeatures as written */
	bool acked_beyond_64;      /* a nonzero DriverFeatures word at sel >= 2 */
	uint32_t device_features_sel;
	uint32_t driver_features_sel;
	uint32_t queue_sel;
	uint32_t shm_sel;
	uint32_t status;           /* the Status register */
	bool active;               /* activate() returned 0 since the last reset */
	bool config_irq_pending;   /* InterruptStatus CONFIG bit */
	uint32_t config_generation;
	struct virtio_mmio_queue queues[VIRTIO_MMIO_MAX_QUEUES];
	uint32_t queue_num[VIRTIO_MMIO_MAX_QUEUES]; /* QueueNum as written */
	int kick_fd[VIRTIO_MMIO_MAX_QUEUES]; /* set once, before the guest runs */
	int call_fd;

	uint32_t warned; /* kinds of violation already logged (bit per kind) */
	bool destroyed;  /* virtio_mmio_destroy was called */
	struct virtio_mmio_stats stats;
};

/* Set up the transport in its reset state. `ops` and `platform` are
 * copied; `name` is copied (truncated to 31 characters). A device whose
 * ops break the rules above (no VERSION_1, too many queues, QueueNumMax not
 * a power of two) is reported with log_warn and clamped, not rejected:
 * such a device is a VMM bug that the driver will refuse to use. */
void virtio_mmio_init(struct virtio_mmio *t, const struct virtio_device_ops *ops, void *dev,
		      const struct virtio_mmio_platform *platform, const char *name);

/* io_bus handler; `opaque` is the struct virtio_mmio, `offset` relative to
 * the device's base. Control registers (below 0x100) take 32-bit aligned
 * accesses only; config space takes 1, 2 or 4 bytes, naturally aligned. */
void virtio_mmio_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

/* Side-effect-free read of a 32-bit control register, or of 4 config bytes
 * at offset >= 0x100: what a 32-bit guest read would return, without
 * counting or logging. Write-only, unknown or misaligned offsets read 0. */
uint32_t virtio_mmio_read_reg(struct virtio_mmio *t, uint32_t offset);
/* The same, for callbacks that already hold the transport's lock. */
uint32_t virtio_mmio_read_reg_locked(struct virtio_mmio *t, uint32_t offset);
/* InterruptStatus has its CONFIG bit set (lock held: from a callback). */
bool virtio_mmio_config_irq_pending_locked(const struct virtio_mmio *t);

/* Replace the platform given at init (the KVM side does this when it
 * attaches the transport, before the guest runs). */
void virtio_mmio_set_platform(struct virtio_mmio *t, const struct virtio_mmio_platform *platform);

/* Record the device's eventfds: kick_fds[i] for queue i (num_queues of
 * them), call_fd for its interrupt. Call before the guest can run. */
void virtio_mmio_set_eventfds(struct virtio_mmio *t, const int *kick_fds, int call_fd);
/* Queue `index`'s kick eventfd, or -1 (no such queue, or none made). */
int virtio_mmio_kick_fd(const struct virtio_mmio *t, uint32_t index);
/* The interrupt eventfd (KVM_IRQFD), or -1. */
int virtio_mmio_call_fd(const struct virtio_mmio *t);

/* Features the driver wrote to DriverFeatures. Final once FEATURES_OK is
 * set (virtio_mmio_read_reg(t, VIRTIO_MMIO_STATUS)); always valid inside
 * ops->activate. Read without the lock: call from ops callbacks or when no
 * vCPU can access the device. */
uint64_t virtio_mmio_acked_features(const struct virtio_mmio *t);

/* Queue `index`, or NULL if the device has no such queue. Same locking
 * rule as virtio_mmio_acked_features. */
const struct virtio_mmio_queue *virtio_mmio_queue(const struct virtio_mmio *t, uint32_t index);

/* The device hit an error it cannot recover from: set DEVICE_NEEDS_RESET
 * and, once DRIVER_OK is set, raise a config interrupt (virtio 1.2 section
 * 2.1.2). Safe from any thread. */
void virtio_mmio_set_needs_reset(struct virtio_mmio *t);

/* The device changed its config space: bump ConfigGeneration and, once
 * DRIVER_OK is set, raise a config interrupt. Safe from any thread. */
void virtio_mmio_config_changed(struct virtio_mmio *t);

/* A consistent copy of the counters. */
void virtio_mmio_get_stats(struct virtio_mmio *t, struct virtio_mmio_stats *out);

/* Release the transport's resources. Calls no ops: stop the device first. */
void virtio_mmio_destroy(struct virtio_mmio *t);

#endif
