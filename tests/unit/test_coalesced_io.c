#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/coalesced_io.h"

/* A ring in a heap block of exactly one page, laid out as KVM lays it out
 * (virt/kvm/coalesced_mmio.c), so AddressSanitizer catches any access
 * outside it. */
#define PAGE 4096
static struct kvm_coalesced_mmio_ring *ring;
static uint32_t n;

/* What the callback saw. */
#define SEEN_MAX 512
static struct {
	struct {
		bool pio;
		uint64_t addr;
		uint32_t len;
		uint8_t data[8];
		uint32_t first_during; /* ring->first while the entry was replayed */
	} e[SEEN_MAX];
	int count;
	uint32_t append_during; /* entries the callback adds (KVM racing) */
} seen;

static void record(void *ctx, bool pio, uint64_t addr, const uint8_t *data, uint32_t len)
{
	cr_assert_eq(ctx, &seen);
	cr_assert_lt(seen.count, SEEN_MAX);
	seen.e[seen.count].pio = pio;
	seen.e[seen.count].addr = addr;
	seen.e[seen.count].len = len;
	memcpy(seen.e[seen.count].data, data, len);
	seen.e[seen.count].first_during = __atomic_load_n(&ring->first, __ATOMIC_RELAXED);
	seen.count++;
	for (; seen.append_during > 0; seen.append_during--) {
		uint32_t last = ring->last;
		ring->coalesced_mmio[last] = (struct kvm_coalesced_mmio){
			.phys_addr = 0x1000, .len = 1, .pio = 1, .data = { 0xee },
		};
		ring->last = (last + 1) % n;
	}
}

/* Append one entry the way KVM does; `tag` goes in data[0] and the address. */
static void produce(uint8_t tag, uint32_t len, bool pio)
{
	uint32_t last = ring->last;
	struct kvm_coalesced_mmio *e = &ring->coalesced_mmio[last];
	*e = (struct kvm_coalesced_mmio){ .phys_addr = 0x3f8 + tag, .len = len, .pio = pio };
	e->data[0] = tag;
	ring->last = (last + 1) % n;
}

static struct coalesced_ring_result replay(void)
{
	return coalesced_ring_replay(ring, n, record, &seen);
}

static void setup(void)
{
	ring = calloc(1, PAGE);
	cr_assert_not_null(ring);
	n = coalesced_ring_entries(PAGE);
	memset(&seen, 0, sizeof(seen));
}

static void teardown(void)
{
	free(ring);
}

TestSuite(coalesced_io, .init = setup, .fini = teardown);

Test(coalesced_io, entry_count_matches_the_uapi_formula)
{
	/* KVM_COALESCED_MMIO_MAX for 4 KiB pages: (4096 - 8) / 24. */
	cr_assert_eq(coalesced_ring_entries(4096), 170);
	cr_assert_leq(sizeof(struct kvm_coalesced_mmio_ring) + 170 * sizeof(struct kvm_coalesced_mmio),
		      4096);
	cr_assert_eq(coalesced_ring_entries(65536), (65536 - 8) / 24);
	cr_assert_eq(coalesced_ring_entries(8), 0);
	cr_assert_eq(coalesced_ring_entries(0), 0);
	cr_assert_eq(coalesced_ring_entries(-1), 0);
}

Test(coalesced_io, empty_ring_calls_nothing)
{
	ring->first = ring->last = 37;
	cr_assert_not(coalesced_ring_pending(ring));
	struct coalesced_ring_result r = replay();
	cr_assert_eq(r.replayed, 0);
	cr_assert_eq(r.skipped, 0);
	cr_assert_not(r.corrupt);
	cr_assert_eq(seen.count, 0);
	cr_assert_eq(ring->first, 37);
}

Test(coalesced_io, replays_in_order_with_address_length_data_and_bus)
{
	produce(1, 1, true);
	produce(2, 4, false);
	produce(3, 8, true);
	cr_assert(coalesced_ring_pending(ring));
	struct coalesced_ring_result r = replay();
	cr_assert_eq(r.replayed, 3);
	cr_assert_eq(seen.count, 3);
	const uint32_t lens[] = { 1, 4, 8 };
	const bool pios[] = { true, false, true };
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(seen.e[i].data[0], i + 1, "entry %d out of order", i);
		cr_assert_eq(seen.e[i].addr, 0x3f8u + (unsigned)(i + 1));
		cr_assert_eq(seen.e[i].len, lens[i]);
		cr_assert_eq(seen.e[i].pio, pios[i]);
	}
	cr_assert_eq(ring->first, 3);
	cr_assert_eq(ring->last, 3);
	cr_assert_not(coalesced_ring_pending(ring));
}

Test(coalesced_io, wraps_around_the_end_of_the_ring)
{
	ring->first = ring->last = n - 3;
	for (uint8_t t = 0; t < 7; t++)
		produce(t, 1, true);
	cr_assert_eq(ring->last, 4);
	struct coalesced_ring_result r = replay();
	cr_assert_eq(r.replayed, 7);
	for (int i = 0; i < 7; i++)
		cr_assert_eq(seen.e[i].data[0], i, "entry %d out of order across the wrap", i);
	cr_assert_eq(ring->first, 4);
}

Test(coalesced_io, full_ring_replays_every_entry)
{
	/* KVM keeps one slot free: n - 1 entries is full. */
	ring->first = ring->last = 100;
	for (uint32_t i = 0; i < n - 1; i++)
		produce((uint8_t)i, 1, true);
	cr_assert_eq(ring->last, 99);
	struct coalesced_ring_result r = replay();
	cr_assert_eq(r.replayed, n - 1);
	for (uint32_t i = 0; i < n - 1; i++)
		cr_assert_eq(seen.e[i].data[0], (uint8_t)i);
	cr_assert_eq(ring->first, 99);
}

Test(coalesced_io, first_advances_only_after_each_callback)
{
	ring->first = ring->last = n - 1;
	produce(0, 1, true);
	produce(1, 1, true);
	produce(2, 1, true);
	replay();
	cr_assert_eq(seen.count, 3);
	/* While entry k was replayed, its slot was still owned by minivmm. */
	cr_assert_eq(seen.e[0].first_during, n - 1);
	cr_assert_eq(seen.e[1].first_during, 0);
	cr_assert_eq(seen.e[2].first_during, 1);
	cr_assert_eq(ring->first, 2);
}

Test(coalesced_io, last_out_of_range_touches_nothing)
{
	const uint32_t bad[] = { n, n + 1, 0x80000000u, 0xffffffffu };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ring->first = 5;
		ring->last = bad[i];
		struct coalesced_ring_result r = replay();
		cr_assert(r.corrupt);
		cr_assert_eq(r.replayed, 0);
		cr_assert_eq(seen.count, 0);
		cr_assert_eq(ring->first, 5, "first moved although last is bad");
	}
}

Test(coalesced_io, first_out_of_range_is_reset_to_last)
{
	const uint32_t bad[] = { n, n + 7, 0xffffffffu };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ring->first = bad[i];
		ring->last = 3;
		struct coalesced_ring_result r = replay();
		cr_assert(r.corrupt);
		cr_assert_eq(seen.count, 0);
		cr_assert_eq(ring->first, 3);
		/* Usable again afterwards. */
		produce(9, 1, true);
		r = replay();
		cr_assert_not(r.corrupt);
		cr_assert_eq(r.replayed, 1);
		cr_assert_eq(seen.e[0].data[0], 9);
		seen.count = 0;
	}
}

Test(coalesced_io, entries_longer_than_8_or_empty_are_skipped)
{
	produce(1, 1, true);
	produce(2, 9, true);
	produce(3, 0xffffffffu, true);
	produce(4, 0, true);
	produce(5, 2, true);
	struct coalesced_ring_result r = replay();
	cr_assert_eq(r.replayed, 2);
	cr_assert_eq(r.skipped, 3);
	cr_assert_eq(seen.count, 2);
	cr_assert_eq(seen.e[0].data[0], 1);
	cr_assert_eq(seen.e[1].data[0], 5);
	cr_assert_eq(ring->first, 5, "skipped slots must be given back too");
}

Test(coalesced_io, replays_only_what_was_there_when_called)
{
	/* The guest keeps writing while minivmm replays: one call is bounded,
	 * the new entries wait for the next. */
	produce(1, 1, true);
	produce(2, 1, true);
	seen.append_during = 3;
	struct coalesced_ring_result r = replay();
	cr_assert_eq(r.replayed, 2);
	cr_assert_eq(ring->first, 2);
	cr_assert(coalesced_ring_pending(ring));
	r = replay();
	cr_assert_eq(r.replayed, 3);
	cr_assert_eq(seen.e[2].data[0], 0xee);
	cr_assert_not(coalesced_ring_pending(ring));
}

/* Without /dev/kvm the object stays inert and every call is harmless. */
Test(coalesced_io, io_object_without_kvm_is_inert)
{
	struct coalesced_io c;
	cr_assert_eq(coalesced_io_init(&c, -1, ring, PAGE, record, &seen), 0);
	cr_assert_not(coalesced_io_available(&c));
	cr_assert_eq(coalesced_io_wake_fd(&c), -1);
	cr_assert_eq(coalesced_io_poll_timeout(&c), -1);
	coalesced_io_note_exit(&c);
	coalesced_io_drain(&c);
	cr_assert_eq(seen.count, 0);
	coalesced_io_destroy(&c);
}
