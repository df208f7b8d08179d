/* A read-only RAM page that mirrors a virtio-mmio device's register file,
 * so that guest reads of its registers never leave the kernel.
 *
 * Every virtio-mmio register read is free of side effects, and every value
 * changes only when the driver writes a register or minivmm itself changes
 * the device's state. So the page is mapped into the guest as a
 * KVM_MEM_READONLY memory slot over the device's MMIO window: reads are
 * served from memory at full speed, writes still fault to KVM and come out
 * as MMIO exits (or are absorbed by ioeventfds), and after each write that
 * reaches minivmm the page is rewritten from the transport's state before
 * the vCPU resumes. The payoff is the interrupt path: Linux's handler reads
 * InterruptStatus on every interrupt, which would otherwise be one exit to
 * userspace per interrupt. See docs/vsock.md. */
#ifndef MINIVMM_VIRTIO_REGISTER_PAGE_H
#define MINIVMM_VIRTIO_REGISTER_PAGE_H

#include <stdbool.h>
#include <stdint.h>

struct virtio_mmio;

struct register_page {
	int vm_fd;
	uint8_t *host;
	uint64_t gpa;
	uint32_t slot;
	uint32_t config_size;
	bool mapped;
};

/* Map the page at gpa (page aligned) as memory slot `slot`. Fails (and
 * leaves nothing mapped) if KVM lacks KVM_CAP_READONLY_MEM. */
int register_page_map(struct register_page *p, int vm_fd, uint64_t gpa, uint32_t slot,
		      uint32_t config_size);
/* Rewrite the page from the transport's current state. Called with the
 * transport's lock held (from its `changed` callback) or before the guest
 * runs. */
void register_page_refresh(struct register_page *p, struct virtio_mmio *t);
void register_page_unmap(struct register_page *p);

#endif
