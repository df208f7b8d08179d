/* Coalesced port I/O: guest writes that KVM appends to a ring shared with
 * minivmm instead of exiting (KVM_REGISTER_COALESCED_MMIO with .pio = 1,
 * Documentation/virt/kvm/api.rst 4.116; the producer is
 * virt/kvm/coalesced_mmio.c). minivmm uses it for the UART's transmit
 * register; why that is safe is in docs/architecture.md ("Coalesced UART
 * output").
 *
 * The ring is one page, mapped in every vCPU's kvm_run mmap at the page
 * offset KVM_CHECK_EXTENSION(KVM_CAP_COALESCED_MMIO) returns. KVM writes an
 * entry and then advances `last`; minivmm replays entries from `first` and
 * advances `first`. One slot always stays free; when the ring is full the
 * write exits to minivmm as usual.
 *
 * A deferred write must be replayed before anything that could observe it,
 * so minivmm drains the ring at the top of every exit, whenever a zone is
 * removed, periodically from the main loop shortly after exits (see
 * coalesced_io_poll_timeout) and at teardown. */
#ifndef MINIVMM_COALESCED_IO_H
#define MINIVMM_COALESCED_IO_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One write taken from the ring: `pio` tells the port-I/O bus from MMIO. */
typedef void (*coalesced_write_fn)(void *ctx, bool pio, uint64_t addr, const uint8_t *data,
				   uint32_t len);

/* --- the ring consumer (pure logic) --------------------------------------- */

struct coalesced_ring_result {
	uint32_t replayed; /* entries handed to the callback */
	uint32_t skipped;  /* entries with a length of 0 or over 8: dropped */
	bool corrupt;      /* first or last was outside the ring */
};

/* Entries in a ring page of `page_size` bytes (the uapi macro
 * KVM_COALESCED_MMIO_MAX uses the kernel's PAGE_SIZE). 0 if it holds none. */
uint32_t coalesced_ring_entries(long page_size);

/* Replay the entries that were in the ring when it was called (from
 * `first` up to the `last` read on entry, read with acquire semantics), in
 * order, through `fn`. `first` is advanced past each entry only after fn
 * returns, with release semantics, so KVM never reuses a slot still being
 * read. Bounded: at most nentries - 1 entries per call, however fast the
 * guest refills the ring. Never reads outside the ring: if `last` is out
 * of range nothing is replayed (KVM refuses to add to such a ring, so the
 * guest's writes exit instead); if `first` is, it is reset to `last` and
 * what lay between is lost. Callers serialise calls on one ring. */
struct coalesced_ring_result coalesced_ring_replay(struct kvm_coalesced_mmio_ring *ring,
						   uint32_t nentries, coalesced_write_fn fn,
						   void *ctx);

/* Whether the ring holds entries; lock-free, for the common empty case. */
static inline bool coalesced_ring_pending(const struct kvm_coalesced_mmio_ring *ring)
{
	return __atomic_load_n(&ring->first, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&ring->last, __ATOMIC_RELAXED);
}

/* --- the KVM side ----------------------------------------------------------- */

/* A zone that is registered only while `wanted` says so. */
struct coalesced_zone {
	uint64_t addr;
	uint32_t size;
	bool pio;
	/* Decided under the ring lock, from the owning device's current state;
	 * must not call back into coalesced_io. */
	bool (*wanted)(void *ctx);
	void *ctx;
	atomic_bool registered;
	bool failed; /* an ioctl failed: left unregistered for good */
};

struct coalesced_io {
	/* Serialises replays and zone changes: every consumer of the ring
	 * (any vCPU thread, the main thread) holds it while replaying. */
	pthread_mutex_t lock;
	bool lock_ready;
	struct kvm_coalesced_mmio_ring *ring; /* NULL: KVM lacks coalesced PIO */
	uint32_t nentries;
	int vm_fd;
	coalesced_write_fn write;
	void *ctx;
	unsigned long replayed; /* entries replayed, under lock (--stats) */
	bool warned;            /* a bad ring was reported once */

	/* The main loop's periodic drain (coalesced_io_poll_timeout). */
	int wake_fd;            /* eventfd: a vCPU exited while the main loop idled */
	atomic_bool exited;     /* a vCPU exited since the main loop last looked */
	atomic_bool main_idle;  /* the main loop sleeps without a timeout */
	uint64_t last_exit_ns;  /* main thread: when it last saw `exited` set */
};

/* Look for KVM_CAP_COALESCED_MMIO and KVM_CAP_COALESCED_PIO and find the
 * ring in a vCPU's kvm_run mapping (`run_map`, `map_size` bytes). Replayed
 * writes go to `write`. Without the capabilities (or if the mapping is too
 * small) the object stays inert and every write exits as before: this is
 * logged with --debug and is not an error. Returns -1 only if the wake-up
 * eventfd cannot be created. */
int coalesced_io_init(struct coalesced_io *c, int vm_fd, void *run_map, size_t map_size,
		      coalesced_write_fn write, void *ctx);
void coalesced_io_destroy(struct coalesced_io *c);

static inline bool coalesced_io_available(const struct coalesced_io *c)
{
	return c->ring != NULL;
}

/* Replay whatever the ring holds. Costs two loads when it is empty. */
void coalesced_io_drain(struct coalesced_io *c);

/* Register or unregister `z` so that it matches z->wanted(z->ctx), both
 * decided and done under the ring lock, so concurrent callers converge on
 * the device's latest state. After unregistering, the ring is drained: a
 * write from another vCPU may have landed just before. A failed ioctl is
 * warned about once and leaves the zone unregistered for good. */
void coalesced_io_sync_zone(struct coalesced_io *c, struct coalesced_zone *z);

/* vCPU threads: call after each exit from KVM_RUN. Wakes the main loop if it
 * had stopped draining periodically. */
void coalesced_io_note_exit(struct coalesced_io *c);

/* The main loop's rule: a guest may write to the ring and then never exit
 * again (it halts), so the main loop drains every COALESCED_IO_POLL_MS for
 * COALESCED_IO_LINGER_MS after the last vCPU exit, then sleeps without a
 * timeout until the next exit wakes it through wake_fd. Call once per main
 * loop iteration (main thread only): it drains without waiting for the lock
 * (a vCPU holding it is draining anyway) and returns the poll timeout in ms,
 * -1 for none. */
#define COALESCED_IO_POLL_MS 100
#define COALESCED_IO_LINGER_MS 1000
int coalesced_io_poll_timeout(struct coalesced_io *c);

/* The eventfd the main loop must poll (read it when it fires), or -1. */
static inline int coalesced_io_wake_fd(const struct coalesced_io *c)
{
	return c->ring ? c->wake_fd : -1;
}
void coalesced_io_consume_wake(struct coalesced_io *c);

#endif
