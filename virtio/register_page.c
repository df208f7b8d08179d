#include "virtio/register_page.h"

#include <linux/kvm.h>
#include <sys/mman.h>

#include "lib/error.h"
#include "lib/kvm_vm.h"
#include "lib/log.h"
#include "virtio/mmio.h"

#define PAGE_SIZE 4096u

int register_page_map(struct register_page *p, int vm_fd, uint64_t gpa, uint32_t slot,
		      uint32_t config_size)
{
	*p = (struct register_page){
		.vm_fd = vm_fd, .gpa = gpa, .slot = slot, .config_size = config_size,
	};
	if (kvm_vm_has(vm_fd, KVM_CAP_READONLY_MEM) <= 0)
		return error_set("KVM lacks KVM_CAP_READONLY_MEM");
	if (gpa % PAGE_SIZE || VIRTIO_MMIO_CONFIG_OFFSET + config_size > PAGE_SIZE)
		return error_set("register page: bad placement");
	void *host = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	if (host == MAP_FAILED)
		return error_errno("register page: mmap");
	if (kvm_vm_memslot(vm_fd, slot, KVM_MEM_READONLY, gpa, PAGE_SIZE, host) < 0) {
		error_wrap("register page");
		munmap(host, PAGE_SIZE);
		return -1;
	}
	p->host = host;
	p->mapped = true;
	return 0;
}

static void put_le32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

void register_page_refresh(struct register_page *p, struct virtio_mmio *t)
{
	if (!p->mapped)
		return;
	uint32_t end = VIRTIO_MMIO_CONFIG_OFFSET + ((p->config_size + 3) & ~3u);
	for (uint32_t off = 0; off < end; off += 4)
		put_le32(p->host + off, virtio_mmio_read_reg_locked(t, off));
	/* Keep the stores ahead of the vCPU's return to the guest. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void register_page_unmap(struct register_page *p)
{
	if (!p->mapped)
		return;
	if (kvm_vm_memslot(p->vm_fd, p->slot, 0, p->gpa, 0, NULL) < 0)
		log_warn("%s", error_message());
	munmap(p->host, PAGE_SIZE);
	p->mapped = false;
}
