#include "virtio/test_backend.h"

#include <inttypes.h>
#include <linux/virtio_config.h>
#include <unistd.h>

#include "lib/error.h"

#define FEATURE_VERSION_1 (1ULL << VIRTIO_F_VERSION_1)

static int test_start(void *ctx, const struct virtio_backend_config *cfg)
{
	struct test_backend *b = ctx;
	const char *problem =
		virtio_backend_config_problem(cfg, b->mem, b->features, b->queue_num_max);
	fprintf(b->log, "start features=%#" PRIx64, cfg->features);
	for (uint32_t i = 0; i < cfg->nqueues && i < VIRTIO_MMIO_MAX_QUEUES; i++) {
		const struct virtio_queue_config *q = &cfg->queues[i];
		fprintf(b->log, " q%u=%u@%#" PRIx64 ",%#" PRIx64 ",%#" PRIx64, i, q->num, q->desc,
			q->avail, q->used);
	}
	fprintf(b->log, "%s%s\n", problem ? " INVALID: " : "", problem ? problem : "");
	fflush(b->log);
	if (problem) {
		b->invalid++;
		return error_set("test backend: invalid configuration: %s", problem);
	}
	b->running = *cfg;
	b->started = true;
	return 0;
}

/* How many kicks each queue's eventfd collected since the last read. */
static void log_eventfd_kicks(struct test_backend *b)
{
	fprintf(b->log, "eventfd-kicks");
	for (uint32_t i = 0; i < b->running.nqueues; i++) {
		uint64_t n = 0;
		int fd = b->running.queues[i].kick_fd;
		/* Non-blocking eventfd: EAGAIN (nothing) leaves n at 0. */
		if (fd < 0 || read(fd, &n, sizeof(n)) != sizeof(n))
			n = 0;
		fprintf(b->log, " q%u=%" PRIu64, i, n);
	}
	fprintf(b->log, "\n");
}

static void test_stop(void *ctx)
{
	struct test_backend *b = ctx;
	if (b->started && b->kick_eventfds)
		log_eventfd_kicks(b);
	b->started = false;
	fprintf(b->log, "stop\n");
	fflush(b->log);
}

static void test_kick(void *ctx, uint32_t queue)
{
	struct test_backend *b = ctx;
	fprintf(b->log, "kick %u\n", queue);
	fflush(b->log);
}

static const struct virtio_backend_ops test_ops = {
	.start = test_start, .stop = test_stop, .kick = test_kick,
};

int test_backend_open(struct test_backend *b, const char *path, const struct guest_memory *mem,
		      uint64_t features, uint16_t queue_num_max, bool kick_eventfds)
{
	*b = (struct test_backend){
		.mem = mem,
		.features = features | FEATURE_VERSION_1,
		.queue_num_max = queue_num_max,
		.kick_eventfds = kick_eventfds,
	};
	b->log = fopen(path, "we");
	if (!b->log)
		return error_errno("test backend: cannot open '%s'", path);
	fprintf(b->log, "open\n");
	fflush(b->log);
	return 0;
}

void test_backend_close(struct test_backend *b)
{
	if (!b->log)
		return;
	fprintf(b->log, "close invalid=%lu\n", b->invalid);
	fclose(b->log);
	b->log = NULL;
}

struct virtio_backend test_backend(struct test_backend *b)
{
	return (struct virtio_backend){
		.ops = &test_ops, .ctx = b, .features = b->features,
		.kick_eventfds = b->kick_eventfds,
	};
}
