#include "virtio/mmio_slot.h"

#include <linux/virtio_mmio.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/kvm_vm.h"
#include "lib/log.h"
#include "lib/trace.h"

void virtio_mmio_bus_init(struct virtio_mmio_bus *bus, int vm_fd, struct io_bus *mmio,
			  const struct guest_memory *mem)
{
	*bus = (struct virtio_mmio_bus){ .vm_fd = vm_fd, .mmio = mmio, .mem = mem };
}

/* InterruptACK writes are absorbed by an ioeventfd while the only pending
 * interrupt cause is VRING (whose acknowledgement changes nothing); while a
 * config interrupt is pending they must reach the transport, which then
 * clears the CONFIG bit. Called with the transport's lock held. */
static void update_ack_fd(struct virtio_mmio_slot *s)
{
	if (s->ack_fd < 0)
		return;
	bool want = !virtio_mmio_config_irq_pending_locked(s->t);
	if (want == s->ack_wired)
		return;
	if (kvm_vm_ioeventfd(s->bus->vm_fd, s->base + VIRTIO_MMIO_INTERRUPT_ACK, 4, -1, s->ack_fd,
			     want) < 0) {
		log_warn("%s: %s", s->t->name, error_message());
		return;
	}
	s->ack_wired = want;
	trace(TRACE_KVM, "%s: KVM_IOEVENTFD %s for InterruptACK at 0x%llx: %s", s->t->name,
	      want ? "added" : "removed", (unsigned long long)(s->base + VIRTIO_MMIO_INTERRUPT_ACK),
	      want ? "the driver's acknowledgements of ring interrupts stay in the kernel "
		     "(acknowledging VRING changes nothing)"
		   : "a config interrupt is pending, so the next acknowledgement must reach the "
		     "transport, which clears its CONFIG bit");
}

/* The transport's registers changed (lock held): bring the page and the
 * ACK eventfd up to date before the vCPU returns to the guest. */
static void slot_changed(void *ctx, struct virtio_mmio *t)
{
	struct virtio_mmio_slot *s = ctx;
	register_page_refresh(&s->regs, t);
	update_ack_fd(s);
}

/* A config interrupt from the transport (DEVICE_NEEDS_RESET, config
 * change): an edge on the slot's line, the one the backend's irqfd pulses.
 * Called with the transport's lock held. */
static void slot_raise_irq(void *ctx)
{
	struct virtio_mmio_slot *s = ctx;
	trace(TRACE_KVM, "%s: KVM_IRQ_LINE %u up and down: a config interrupt (an edge on the "
	      "ISA line, IOAPIC) [virtio 1.2 section 4.2.3.4]", s->t->name, s->irq);
	if (kvm_vm_irq_line(s->bus->vm_fd, s->irq, 1) < 0 ||
	    kvm_vm_irq_line(s->bus->vm_fd, s->irq, 0) < 0)
		log_warn("%s: %s", s->t->name, error_message());
}

static int new_eventfd(const char *name, const char *what)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd < 0)
		error_errno("%s: eventfd for %s", name, what);
	return fd;
}

static int wire_kicks(struct virtio_mmio_slot *s)
{
	for (uint32_t q = 0; q < s->kick_queues; q++) {
		s->kick_fd[q] = new_eventfd(s->t->name, "a queue's kicks");
		if (s->kick_fd[q] < 0)
			return -1;
		if (kvm_vm_ioeventfd(s->bus->vm_fd, s->base + VIRTIO_MMIO_QUEUE_NOTIFY, 4, q,
				     s->kick_fd[q], true) < 0)
			return error_wrap("%s: queue %u kicks", s->t->name, q);
		s->kick_wired[q] = true;
		trace(TRACE_KVM, "%s: KVM_IOEVENTFD added: a 4-byte write of %u to QueueNotify "
		      "(0x%llx) signals eventfd %d inside KVM, without an exit to minivmm "
		      "[virt/kvm/eventfd.c]", s->t->name, q,
		      (unsigned long long)(s->base + VIRTIO_MMIO_QUEUE_NOTIFY), s->kick_fd[q]);
	}
	return 0;
}

static int wire_interrupt(struct virtio_mmio_slot *s)
{
	s->call_fd = new_eventfd(s->t->name, "its interrupt");
	if (s->call_fd < 0)
		return -1;
	if (kvm_vm_irqfd(s->bus->vm_fd, s->irq, s->call_fd, true) < 0)
		return error_wrap("%s: interrupt", s->t->name);
	s->call_wired = true;
	trace(TRACE_KVM, "%s: KVM_IRQFD added: a write to eventfd %d raises IRQ %u in the guest, "
	      "without minivmm [virt/kvm/eventfd.c]", s->t->name, s->call_fd, s->irq);
	return 0;
}

/* Optional: without them every register read and every InterruptACK write
 * is an exit to minivmm, which still works. */
static int wire_register_page(struct virtio_mmio_slot *s)
{
	if (register_page_map(&s->regs, s->bus->vm_fd, s->base,
			      KVM_SLOT_REGISTER_PAGE_FIRST + s->index, s->t->ops.config_size) < 0) {
		log_warn("%s: %s; register reads will exit to minivmm", s->t->name,
			 error_message());
		return 0;
	}
	register_page_refresh(&s->regs, s->t);
	trace(TRACE_KVM, "%s: read-only memory slot at 0x%llx mirrors the registers: the "
	      "driver's reads are served from it without an exit (KVM_MEM_READONLY; writes still "
	      "exit)", s->t->name, (unsigned long long)s->base);
	s->ack_fd = new_eventfd(s->t->name, "InterruptACK");
	if (s->ack_fd < 0)
		return -1;
	update_ack_fd(s);
	return 0;
}

static void detach(struct virtio_mmio_slot *s)
{
	int vm_fd = s->bus->vm_fd;
	if (s->ack_wired)
		kvm_vm_ioeventfd(vm_fd, s->base + VIRTIO_MMIO_INTERRUPT_ACK, 4, -1, s->ack_fd, false);
	if (s->ack_fd >= 0)
		close(s->ack_fd);
	register_page_unmap(&s->regs);
	if (s->call_wired)
		kvm_vm_irqfd(vm_fd, s->irq, s->call_fd, false);
	if (s->call_fd >= 0)
		close(s->call_fd);
	for (uint32_t q = 0; q < s->kick_queues; q++) {
		if (s->kick_wired[q])
			kvm_vm_ioeventfd(vm_fd, s->base + VIRTIO_MMIO_QUEUE_NOTIFY, 4, q,
					 s->kick_fd[q], false);
		if (s->kick_fd[q] >= 0)
			close(s->kick_fd[q]);
	}
	*s = (struct virtio_mmio_slot){ .ack_fd = -1, .call_fd = -1 };
}

int virtio_mmio_attach(struct virtio_mmio_bus *bus, struct virtio_mmio *t, uint32_t kick_queues)
{
	if (bus->nslots >= VIRTIO_MMIO_SLOTS)
		return error_set("%s: no free virtio-mmio slot (minivmm has %d)", t->name,
				 VIRTIO_MMIO_SLOTS);
	if (kick_queues > t->ops.num_queues)
		kick_queues = t->ops.num_queues;
	unsigned index = bus->nslots;
	struct virtio_mmio_slot *s = &bus->slots[index];
	*s = (struct virtio_mmio_slot){
		.bus = bus, .t = t, .index = index,
		.base = platform_virtio_base(index), .irq = platform_virtio_irq(index),
		.kick_queues = kick_queues, .call_fd = -1, .ack_fd = -1,
	};
	for (uint32_t q = 0; q < VIRTIO_MMIO_MAX_QUEUES; q++)
		s->kick_fd[q] = -1;
	bus->nslots++;

	virtio_mmio_set_platform(t, &(struct virtio_mmio_platform){
					    .mem = bus->mem,
					    .raise_irq = slot_raise_irq,
					    .changed = slot_changed,
					    .ctx = s,
				    });
	if (wire_kicks(s) < 0 || wire_interrupt(s) < 0)
		goto fail;
	virtio_mmio_set_eventfds(t, s->kick_fd, s->call_fd);
	if (io_bus_register(bus->mmio, s->base, VIRTIO_MMIO_SIZE, virtio_mmio_io, t, t->name) < 0 ||
	    wire_register_page(s) < 0)
		goto fail;
	log_debug("%s: virtio-mmio slot %u at %#llx, IRQ %u, %u kick eventfds", t->name, index,
		  (unsigned long long)s->base, s->irq, kick_queues);
	trace(TRACE_VIRTIO, "%s: virtio-mmio slot %u: registers at 0x%llx-0x%llx, IRQ %u; the "
	      "guest finds it through virtio_mmio.device=4K@0x%llx:%u on its command line "
	      "[drivers/virtio/virtio_mmio.c]", t->name, index, (unsigned long long)s->base,
	      (unsigned long long)(s->base + VIRTIO_MMIO_SIZE - 1), s->irq,
	      (unsigned long long)s->base, s->irq);
	return 0;
fail:
	/* The bus keeps the slot's range registered (the bus never shrinks);
	 * the VM is about to go anyway. */
	detach(s);
	return -1;
}

void virtio_mmio_bus_detach_all(struct virtio_mmio_bus *bus)
{
	for (unsigned i = bus->nslots; i-- > 0;)
		if (bus->slots[i].t)
			detach(&bus->slots[i]);
	bus->nslots = 0;
}

size_t virtio_mmio_bus_describe(const struct virtio_mmio_bus *bus,
				struct platform_mmio_device out[VIRTIO_MMIO_SLOTS])
{
	for (unsigned i = 0; i < bus->nslots; i++)
		out[i] = (struct platform_mmio_device){
			.base = bus->slots[i].base,
			.size = VIRTIO_MMIO_SIZE,
			.irq = bus->slots[i].irq,
		};
	return bus->nslots;
}

void virtio_mmio_bus_print_stats(struct virtio_mmio_bus *bus)
{
	for (unsigned i = 0; i < bus->nslots; i++) {
		struct virtio_mmio_slot *s = &bus->slots[i];
		struct virtio_mmio_stats t;
		virtio_mmio_get_stats(s->t, &t);
		log_msg("stats",
			"%s (slot %u) queue_notify_writes=%llu interrupt_status_reads=%llu "
			"interrupt_ack_writes=%llu config_reads=%llu other_reads=%llu "
			"other_writes=%llu refused=%llu activations=%llu resets=%llu",
			s->t->name, i, (unsigned long long)t.queue_notify_writes,
			(unsigned long long)t.interrupt_status_reads,
			(unsigned long long)t.interrupt_ack_writes, (unsigned long long)t.config_reads,
			(unsigned long long)t.other_reads, (unsigned long long)t.other_writes,
			(unsigned long long)t.refused, (unsigned long long)t.activations,
			(unsigned long long)t.resets);
	}
}
