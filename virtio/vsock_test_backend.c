#include "vsock_test_backend.h"

#include <inttypes.h>

#include "../vmm/error.h"
#include "vsock.h"

/* What vhost_vsock reports on Debian 6.1 (see docs/vsock.md), minus the
 * vhost-internal bits. */
#define TEST_BACKEND_FEATURES                                                              \
	((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_RING_F_EVENT_IDX) |                \
	 (1ULL << VIRTIO_RING_F_INDIRECT_DESC) | (1ULL << VIRTIO_VSOCK_F_SEQPACKET))

static const char *queue_problem(const struct vsock_queue_config *q,
				 const struct guest_memory *mem, uint16_t max)
{
	uint64_t n = q->num;
	if (n == 0 || n > max || (n & (n - 1)))
		return "queue size not a power of two within QueueNumMax";
	if (q->desc % 16 || q->avail % 2 || q->used % 4)
		return "misaligned ring";
	if (!guest_memory_contains(mem, q->desc, 16 * n) ||
	    !guest_memory_contains(mem, q->avail, 6 + 2 * n) ||
	    !guest_memory_contains(mem, q->used, 6 + 8 * n))
		return "ring outside guest RAM";
	return NULL;
}

const char *vsock_backend_config_problem(const struct vsock_backend_config *cfg,
					 const struct guest_memory *mem, uint64_t features,
					 uint16_t queue_num_max)
{
	if (cfg->features & ~features)
		return "feature never offered";
	if (!(cfg->features & (1ULL << VIRTIO_F_VERSION_1)))
		return "VERSION_1 not negotiated";
	const char *p = queue_problem(&cfg->rx, mem, queue_num_max);
	return p ? p : queue_problem(&cfg->tx, mem, queue_num_max);
}

static int test_start(void *ctx, const struct vsock_backend_config *cfg)
{
	struct vsock_test_backend *b = ctx;
	const char *problem = vsock_backend_config_problem(cfg, b->mem, b->features,
							   VSOCK_QUEUE_SIZE_MAX);
	fprintf(b->log,
		"start features=%#" PRIx64 " rx=%u@%#" PRIx64 ",%#" PRIx64 ",%#" PRIx64
		" tx=%u@%#" PRIx64 ",%#" PRIx64 ",%#" PRIx64 "%s%s\n",
		cfg->features, cfg->rx.num, cfg->rx.desc, cfg->rx.avail, cfg->rx.used, cfg->tx.num,
		cfg->tx.desc, cfg->tx.avail, cfg->tx.used, problem ? " INVALID: " : "",
		problem ? problem : "");
	fflush(b->log);
	if (problem) {
		b->invalid++;
		return error_set("test backend: invalid configuration: %s", problem);
	}
	return 0;
}

static void test_stop(void *ctx)
{
	struct vsock_test_backend *b = ctx;
	fprintf(b->log, "stop\n");
	fflush(b->log);
}

static void test_kick(void *ctx, uint32_t queue)
{
	struct vsock_test_backend *b = ctx;
	fprintf(b->log, "kick %u\n", queue);
	fflush(b->log);
}

static const struct vsock_backend_ops test_ops = {
	.start = test_start, .stop = test_stop, .kick = test_kick,
};

int vsock_test_backend_open(struct vsock_test_backend *b, const char *path,
			    const struct guest_memory *mem)
{
	*b = (struct vsock_test_backend){ .mem = mem, .features = TEST_BACKEND_FEATURES };
	b->log = fopen(path, "we");
	if (!b->log)
		return error_errno("--vsock-test-backend: cannot open '%s'", path);
	fprintf(b->log, "open\n");
	fflush(b->log);
	return 0;
}

void vsock_test_backend_close(struct vsock_test_backend *b)
{
	if (!b->log)
		return;
	fprintf(b->log, "close invalid=%lu\n", b->invalid);
	fclose(b->log);
	b->log = NULL;
}

struct vsock_backend vsock_test_backend(struct vsock_test_backend *b)
{
	return (struct vsock_backend){ .ops = &test_ops, .ctx = b, .features = b->features };
}
