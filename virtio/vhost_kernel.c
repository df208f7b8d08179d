#include "virtio/vhost_kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/vhost.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/error.h"

int vhost_kernel_open(struct vhost_kernel *k, const char *path, const char *module)
{
	k->fd = open(path, O_RDWR | O_CLOEXEC);
	if (k->fd >= 0)
		return 0;
	k->open_errno = errno;
	if (errno == ENOENT)
		return error_set("%s does not exist: load the %s module (modprobe %s)", path, module,
				 module);
	if (errno == EACCES || errno == EPERM)
		return error_set("%s: permission denied (give your user read-write access to it, "
				 "e.g. a udev rule with GROUP=\"kvm\", MODE=\"0660\")",
				 path);
	return error_errno("cannot open %s", path);
}

void vhost_kernel_close(struct vhost_kernel *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

static int k_fd(void *c)
{
	return ((struct vhost_kernel *)c)->fd;
}

static int set_owner(void *c)
{
	if (ioctl(k_fd(c), VHOST_SET_OWNER) < 0)
		return error_errno("VHOST_SET_OWNER");
	return 0;
}

static int get_features(void *c, uint64_t *features)
{
	if (ioctl(k_fd(c), VHOST_GET_FEATURES, features) < 0)
		return error_errno("VHOST_GET_FEATURES");
	return 0;
}

static int set_features(void *c, uint64_t features)
{
	if (ioctl(k_fd(c), VHOST_SET_FEATURES, &features) < 0)
		return error_errno("VHOST_SET_FEATURES %#llx", (unsigned long long)features);
	return 0;
}

static int set_mem_table(void *c, const struct guest_memory *mem)
{
	struct vhost_memory *table =
		calloc(1, sizeof(*table) + GUEST_MEMORY_MAX_REGIONS * sizeof(table->regions[0]));
	if (!table)
		return error_set("out of memory");
	struct guest_memory_region r;
	guest_memory_for_each_region(mem, i, r) {
		table->regions[i] = (struct vhost_memory_region){
			.guest_phys_addr = r.gpa,
			.memory_size = r.size,
			.userspace_addr = (uintptr_t)r.host,
		};
		table->nregions = i + 1;
	}
	int ret = ioctl(k_fd(c), VHOST_SET_MEM_TABLE, table);
	free(table);
	return ret < 0 ? error_errno("VHOST_SET_MEM_TABLE") : 0;
}

static int vring_state(void *c, unsigned long request, const char *what, uint32_t index,
		       uint32_t num)
{
	struct vhost_vring_state s = { .index = index, .num = num };
	if (ioctl(k_fd(c), request, &s) < 0)
		return error_errno("%s %u", what, index);
	return 0;
}

static int set_vring_num(void *c, uint32_t index, uint32_t num)
{
	return vring_state(c, VHOST_SET_VRING_NUM, "VHOST_SET_VRING_NUM", index, num);
}

static int set_vring_base(void *c, uint32_t index, uint32_t base)
{
	return vring_state(c, VHOST_SET_VRING_BASE, "VHOST_SET_VRING_BASE", index, base);
}

static int get_vring_base(void *c, uint32_t index, uint32_t *base)
{
	struct vhost_vring_state s = { .index = index };
	if (ioctl(k_fd(c), VHOST_GET_VRING_BASE, &s) < 0)
		return error_errno("VHOST_GET_VRING_BASE %u", index);
	*base = s.num;
	return 0;
}

static int set_vring_addr(void *c, uint32_t index, const struct vhost_ring_addr *a)
{
	struct vhost_vring_addr addr = {
		.index = index,
		.desc_user_addr = a->desc,
		.avail_user_addr = a->avail,
		.used_user_addr = a->used,
	};
	if (ioctl(k_fd(c), VHOST_SET_VRING_ADDR, &addr) < 0)
		return error_errno("VHOST_SET_VRING_ADDR %u", index);
	return 0;
}

static int vring_file(void *c, unsigned long request, const char *what, uint32_t index, int fd)
{
	struct vhost_vring_file f = { .index = index, .fd = fd < 0 ? VHOST_FILE_UNBIND : fd };
	if (ioctl(k_fd(c), request, &f) < 0)
		return error_errno("%s %u", what, index);
	return 0;
}

static int set_vring_kick(void *c, uint32_t index, int fd)
{
	return vring_file(c, VHOST_SET_VRING_KICK, "VHOST_SET_VRING_KICK", index, fd);
}

static int set_vring_call(void *c, uint32_t index, int fd)
{
	return vring_file(c, VHOST_SET_VRING_CALL, "VHOST_SET_VRING_CALL", index, fd);
}

const struct vhost_carrier_ops vhost_kernel_ops = {
	.set_owner = set_owner,
	.get_features = get_features,
	.set_features = set_features,
	.set_mem_table = set_mem_table,
	.set_vring_num = set_vring_num,
	.set_vring_base = set_vring_base,
	.get_vring_base = get_vring_base,
	.set_vring_addr = set_vring_addr,
	.set_vring_kick = set_vring_kick,
	.set_vring_call = set_vring_call,
};
