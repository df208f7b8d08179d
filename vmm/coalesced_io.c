/* Coalesced port I/O: the ring consumer (pure) and its KVM side. The ring's
 * layout and the producer's rules are those of virt/kvm/coalesced_mmio.c
 * (coalesced_mmio_write, coalesced_mmio_has_room): KVM writes the entry at
 * `last`, then (after smp_wmb) `last = (last + 1) % max`; it never writes
 * `first`, and stops adding when only one free slot is left. */
#include "vmm/coalesced_io.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/error.h"
#include "lib/log.h"

/* --- the ring consumer (pure logic) --------------------------------------- */

uint32_t coalesced_ring_entries(long page_size)
{
	if (page_size <= (long)sizeof(struct kvm_coalesced_mmio_ring))
		return 0;
	return (uint32_t)(((size_t)page_size - sizeof(struct kvm_coalesced_mmio_ring)) /
			  sizeof(struct kvm_coalesced_mmio));
}

struct coalesced_ring_result coalesced_ring_replay(struct kvm_coalesced_mmio_ring *ring,
						   uint32_t nentries, coalesced_write_fn fn,
						   void *ctx)
{
	struct coalesced_ring_result r = { 0 };
	/* Acquire pairs with KVM's smp_wmb before it advances `last`: the
	 * entries before it are complete. `first` is only written here. */
	uint32_t last = __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE);
	uint32_t first = __atomic_load_n(&ring->first, __ATOMIC_RELAXED);

	if (last >= nentries) {
		r.corrupt = true;
		return r;
	}
	if (first >= nentries) {
		r.corrupt = true;
		__atomic_store_n(&ring->first, last, __ATOMIC_RELEASE);
		return r;
	}
	while (first != last) {
		struct kvm_coalesced_mmio e = ring->coalesced_mmio[first];
		if (e.len == 0 || e.len > sizeof(e.data))
			r.skipped++;
		else {
			fn(ctx, e.pio != 0, e.phys_addr, e.data, e.len);
			r.replayed++;
		}
		first = (first + 1) % nentries;
		/* Release: the slot is free only once we are done with it. */
		__atomic_store_n(&ring->first, first, __ATOMIC_RELEASE);
	}
	return r;
}

/* --- the KVM side ----------------------------------------------------------- */

int coalesced_io_init(struct coalesced_io *c, int vm_fd, void *run_map, size_t map_size,
		      coalesced_write_fn write, void *ctx)
{
	*c = (struct coalesced_io){ .vm_fd = vm_fd, .write = write, .ctx = ctx, .wake_fd = -1 };
	pthread_mutex_init(&c->lock, NULL);
	c->lock_ready = true;

	/* KVM_CAP_COALESCED_MMIO answers with the ring's page offset in the
	 * vCPU mapping (virt/kvm/kvm_main.c, kvm_vm_ioctl_check_extension_generic). */
	int page_offset = ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO);
	int pio = ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_PIO);
	long page = sysconf(_SC_PAGESIZE);
	uint32_t nentries = coalesced_ring_entries(page);
	if (page_offset <= 0 || pio <= 0) {
		log_debug("KVM lacks %s: every UART write exits to minivmm",
			  page_offset <= 0 ? "KVM_CAP_COALESCED_MMIO" : "KVM_CAP_COALESCED_PIO");
		return 0;
	}
	if (nentries < 2 || ((size_t)page_offset + 1) * (size_t)page > map_size) {
		log_debug("the coalesced I/O ring (page %d) lies outside the %zu-byte vCPU mapping: "
			  "every UART write exits to minivmm", page_offset, map_size);
		return 0;
	}
	c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->wake_fd < 0)
		return error_errno("coalesced I/O: eventfd");
	c->ring = (struct kvm_coalesced_mmio_ring *)((uint8_t *)run_map +
						     (size_t)page_offset * (size_t)page);
	c->nentries = nentries;
	return 0;
}

void coalesced_io_destroy(struct coalesced_io *c)
{
	if (c->wake_fd >= 0)
		close(c->wake_fd);
	if (c->lock_ready)
		pthread_mutex_destroy(&c->lock);
	c->wake_fd = -1;
	c->ring = NULL;
	c->lock_ready = false;
}

/* Called with c->lock held. */
static void replay_locked(struct coalesced_io *c)
{
	struct coalesced_ring_result r =
		coalesced_ring_replay(c->ring, c->nentries, c->write, c->ctx);
	c->replayed += r.replayed;
	if ((r.corrupt || r.skipped) && !c->warned) {
		c->warned = true;
		if (r.corrupt)
			log_warn("coalesced I/O: ring index out of range (ring of %u entries); "
				 "deferred writes lost", c->nentries);
		else
			log_warn("coalesced I/O: dropped %u ring entries with a bad length",
				 r.skipped);
	}
}

void coalesced_io_drain(struct coalesced_io *c)
{
	if (!c->ring || !coalesced_ring_pending(c->ring))
		return;
	pthread_mutex_lock(&c->lock);
	replay_locked(c);
	pthread_mutex_unlock(&c->lock);
}

static int zone_ioctl(struct coalesced_io *c, const struct coalesced_zone *z, bool assign)
{
	struct kvm_coalesced_mmio_zone zone = { .addr = z->addr, .size = z->size, .pio = z->pio };
	unsigned long request = assign ? KVM_REGISTER_COALESCED_MMIO
				       : KVM_UNREGISTER_COALESCED_MMIO;
	if (ioctl(c->vm_fd, request, &zone) < 0)
		return error_errno("%s (%s %#llx, %u bytes)",
				   assign ? "KVM_REGISTER_COALESCED_MMIO"
					  : "KVM_UNREGISTER_COALESCED_MMIO",
				   z->pio ? "port" : "address", (unsigned long long)z->addr, z->size);
	return 0;
}

void coalesced_io_sync_zone(struct coalesced_io *c, struct coalesced_zone *z)
{
	if (!c->ring)
		return;
	pthread_mutex_lock(&c->lock);
	bool want = !z->failed && z->wanted(z->ctx);
	bool have = atomic_load(&z->registered);
	if (want != have) {
		if (zone_ioctl(c, z, want) < 0) {
			/* KVM drops the zone even when unregistering fails
			 * (kvm_vm_ioctl_unregister_coalesced_mmio), so "not
			 * registered" is the truth either way. */
			log_warn("coalesced I/O: %s; UART writes will exit to minivmm",
				 error_message());
			z->failed = true;
			want = false;
		}
		atomic_store(&z->registered, want);
		/* A write from another vCPU may have entered the ring between
		 * the device's change and the unregistration. */
		if (!want)
			replay_locked(c);
	}
	pthread_mutex_unlock(&c->lock);
}

void coalesced_io_note_exit(struct coalesced_io *c)
{
	if (!c->ring)
		return;
	/* Sequentially consistent store, then load; the main loop does the
	 * mirror image (coalesced_io_poll_timeout), so either it sees this
	 * exit or this thread sees it idle and wakes it. */
	atomic_store(&c->exited, true);
	if (atomic_load(&c->main_idle) && atomic_exchange(&c->main_idle, false)) {
		uint64_t one = 1;
		if (write(c->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			log_warn("coalesced I/O: cannot wake the main loop: %s", strerror(errno));
	}
}

int coalesced_io_poll_timeout(struct coalesced_io *c)
{
	if (!c->ring)
		return -1;
	/* trylock: a vCPU holding the lock is replaying the ring anyway, and
	 * the main thread must not wait behind its console output. */
	if (coalesced_ring_pending(c->ring) && pthread_mutex_trylock(&c->lock) == 0) {
		replay_locked(c);
		pthread_mutex_unlock(&c->lock);
	}
	uint64_t now = clock_now_ns();
	if (atomic_exchange(&c->exited, false))
		c->last_exit_ns = now;
	/* Entries left behind (the lock was busy) also keep it polling. */
	if (now - c->last_exit_ns < COALESCED_IO_LINGER_MS * 1000000ull ||
	    coalesced_ring_pending(c->ring))
		return COALESCED_IO_POLL_MS;
	atomic_store(&c->main_idle, true);
	if (atomic_exchange(&c->exited, false)) {
		/* An exit raced with going idle: keep polling. */
		atomic_store(&c->main_idle, false);
		c->last_exit_ns = now;
		return COALESCED_IO_POLL_MS;
	}
	return -1;
}

void coalesced_io_consume_wake(struct coalesced_io *c)
{
	uint64_t n;
	if (c->wake_fd >= 0 && read(c->wake_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_warn("coalesced I/O: wake-up eventfd: %s", strerror(errno));
}
