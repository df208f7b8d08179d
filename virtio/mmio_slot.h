/* The KVM half of the virtio-mmio transport: one call attaches a device's
 * transport to the next free virtio-mmio slot of the platform map
 * (lib/platform.h) and wires everything KVM needs, once, before the guest
 * runs:
 *
 *   - the MMIO window on the VM's MMIO bus (writes exit to the transport);
 *   - the read-only register page over it (register_page.h), rewritten
 *     after every change, so register reads never exit;
 *   - one kick eventfd per queue the backend serves, registered as
 *     KVM_IOEVENTFD on QueueNotify with DATAMATCH = the queue's index;
 *   - the InterruptACK ioeventfd, which absorbs acknowledgements while only
 *     the VRING cause is pending;
 *   - the interrupt (call) eventfd, registered as KVM_IRQFD on the slot's
 *     IRQ;
 *   - the device's description for the guest (its window and IRQ, which
 *     boot/ writes into the DSDT or onto the command line).
 *
 * The eventfds are recorded in the transport, which hands them to the
 * device's backend at DRIVER_OK; nothing here or in the backend calls back
 * up into the VM. Detaching is the mirror of attaching. kvmtool's
 * virtio_mmio_init_ioeventfd and Firecracker's register_mmio_device are the
 * models. */
#ifndef MINIVMM_VIRTIO_MMIO_SLOT_H
#define MINIVMM_VIRTIO_MMIO_SLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/guest_memory.h"
#include "lib/io_bus.h"
#include "lib/platform.h"
#include "virtio/mmio.h"
#include "virtio/register_page.h"

struct virtio_mmio_bus;

struct virtio_mmio_slot {
	struct virtio_mmio_bus *bus;
	struct virtio_mmio *t;
	unsigned index;
	uint64_t base;
	uint32_t irq;
	struct register_page regs;
	uint32_t kick_queues; /* queues [0, kick_queues) have kick eventfds */
	int kick_fd[VIRTIO_MMIO_MAX_QUEUES];
	bool kick_wired[VIRTIO_MMIO_MAX_QUEUES];
	int call_fd;
	bool call_wired;
	int ack_fd;
	bool ack_wired;
};

/* What the VM lends the transport: its KVM VM fd, its MMIO bus and guest
 * RAM. Slots are filled in attach order. */
struct virtio_mmio_bus {
	int vm_fd;
	struct io_bus *mmio;
	const struct guest_memory *mem;
	unsigned nslots;
	struct virtio_mmio_slot slots[VIRTIO_MMIO_SLOTS];
};

void virtio_mmio_bus_init(struct virtio_mmio_bus *bus, int vm_fd, struct io_bus *mmio,
			  const struct guest_memory *mem);

/* Attach transport t (already set up by its device model) to the next free
 * slot; kick_queues of its queues get kick eventfds (0: every QueueNotify
 * write exits to the transport). 0, or -1 with error_set() and nothing
 * left attached. */
int virtio_mmio_attach(struct virtio_mmio_bus *bus, struct virtio_mmio *t, uint32_t kick_queues);

/* Undo every attach, last first. Call after the devices' backends stopped
 * (they must no longer use the eventfds) and before the VM goes. */
void virtio_mmio_bus_detach_all(struct virtio_mmio_bus *bus);

/* Every attached device's window and IRQ, in slot order, into
 * out[0..VIRTIO_MMIO_SLOTS); returns how many. */
size_t virtio_mmio_bus_describe(const struct virtio_mmio_bus *bus,
				struct platform_mmio_device out[VIRTIO_MMIO_SLOTS]);

/* One --stats line per slot: accesses that reached minivmm, by register. */
void virtio_mmio_bus_print_stats(struct virtio_mmio_bus *bus);

#endif
