#include "virtio/backend.h"

#include <linux/virtio_config.h>
#include <string.h>

#include "lib/error.h"
#include "lib/guest_memory.h"
#include "lib/log.h"
#include "lib/trace.h"

#define FEATURE_VERSION_1 (1ULL << VIRTIO_F_VERSION_1)

void virtio_backend_config_from(struct virtio_backend_config *cfg, const struct virtio_mmio *t,
				uint32_t nqueues, uint64_t backend_features)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->features = virtio_mmio_acked_features(t) & backend_features;
	cfg->nqueues = nqueues;
	for (uint32_t i = 0; i < nqueues && i < VIRTIO_MMIO_MAX_QUEUES; i++) {
		const struct virtio_mmio_queue *q = virtio_mmio_queue(t, i);
		cfg->queues[i] = (struct virtio_queue_config){
			.num = q ? q->num : 0,
			.desc = q ? q->desc : 0,
			.avail = q ? q->driver : 0,
			.used = q ? q->device : 0,
			.kick_fd = virtio_mmio_kick_fd(t, i),
		};
	}
	cfg->call_fd = virtio_mmio_call_fd(t);
}

int virtio_backend_take_queues(const struct virtio_backend *b, struct virtio_mmio *t,
			       uint32_t nqueues, bool *started)
{
	for (uint32_t i = 0; i < nqueues; i++) {
		const struct virtio_mmio_queue *q = virtio_mmio_queue(t, i);
		if (!q || !q->ready)
			return error_set("driver set DRIVER_OK without queue %u ready", i);
	}
	struct virtio_backend_config cfg;
	virtio_backend_config_from(&cfg, t, nqueues, b->features);
	trace(TRACE_VIRTIO, "%s: queues 0-%u go to the backend (features 0x%llx); %s", t->name,
	      nqueues - 1, (unsigned long long)cfg.features,
	      b->kick_eventfds ? "it reads their kick eventfds itself"
			       : "their kicks exit to minivmm, which passes them on");
	if (b->ops->start(b->ctx, &cfg) < 0)
		return -1;
	*started = true;
	return 0;
}

void virtio_backend_release_queues(const struct virtio_backend *b, bool *started)
{
	if (*started) {
		trace(TRACE_VIRTIO, "the backend gives the queues back");
		b->ops->stop(b->ctx);
	}
	*started = false;
}

void virtio_backend_queues_init(struct virtio_backend_queues *q,
				const struct virtio_backend *backend, uint32_t nqueues)
{
	*q = (struct virtio_backend_queues){ .backend = *backend, .nqueues = nqueues };
}

int virtio_backend_queues_activate(struct virtio_backend_queues *q, struct virtio_mmio *t)
{
	if (virtio_backend_take_queues(&q->backend, t, q->nqueues, &q->started) < 0)
		return -1;
	log_debug("%s: started, features %#llx", t->name,
		  (unsigned long long)(virtio_mmio_acked_features(t) & q->backend.features));
	return 0;
}

void virtio_backend_queues_reset(struct virtio_backend_queues *q, struct virtio_mmio *t)
{
	if (q->started)
		log_debug("%s: reset by the driver", t->name);
	virtio_backend_release_queues(&q->backend, &q->started);
}

void virtio_backend_queues_notify(struct virtio_backend_queues *q, uint32_t queue)
{
	/* Kicks normally go straight to the backend through ioeventfds. The
	 * transport passes only queues the device has; those past nqueues
	 * (vsock's event queue) are the device's own and only counted. */
	if (queue < VIRTIO_MMIO_MAX_QUEUES)
		q->notifies[queue]++;
	if (queue < q->nqueues && q->started)
		q->backend.ops->kick(q->backend.ctx, queue);
}

static const char *queue_problem(const struct virtio_queue_config *q,
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

const char *virtio_backend_config_problem(const struct virtio_backend_config *cfg,
					  const struct guest_memory *mem, uint64_t features,
					  uint16_t queue_num_max)
{
	if (cfg->features & ~features)
		return "feature never offered";
	if (!(cfg->features & FEATURE_VERSION_1))
		return "VERSION_1 not negotiated";
	if (cfg->nqueues > VIRTIO_MMIO_MAX_QUEUES)
		return "more queues than the transport has";
	for (uint32_t i = 0; i < cfg->nqueues; i++) {
		const char *p = queue_problem(&cfg->queues[i], mem, queue_num_max);
		if (p)
			return p;
	}
	return NULL;
}
