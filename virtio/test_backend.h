/* A backend for tests on machines without vhost (test build only): it
 * moves no data, but records every call (one line each in a file) and
 * checks that what it is handed is valid: the hostile-guest tests use it
 * to show that a misbehaving driver never gets a bad ring or feature set
 * past the transport. Selected with the testing options
 * --vsock-test-backend FILE and --test-device FILE.
 *
 * With kick_eventfds, the guest's kicks go to the transport's eventfds as
 * they would for vhost, and the backend reports, at each stop, how many
 * kicks each queue's eventfd collected: that shows the KVM_IOEVENTFD
 * routing (address and DATAMATCH) of each device on its own. Without, kicks
 * exit to minivmm and arrive one "kick N" line each. */
#ifndef MINIVMM_VIRTIO_TEST_BACKEND_H
#define MINIVMM_VIRTIO_TEST_BACKEND_H

#include <stdbool.h>
#include <stdio.h>

#include "lib/guest_memory.h"
#include "virtio/backend.h"

struct test_backend {
	FILE *log;
	const struct guest_memory *mem;
	uint64_t features;       /* what it claims to support */
	uint16_t queue_num_max;
	bool kick_eventfds;
	struct virtio_backend_config running; /* valid while started */
	bool started;
	unsigned long invalid;   /* configurations that should never have arrived */
};

/* features: what the backend claims (VERSION_1 is always added). */
int test_backend_open(struct test_backend *b, const char *path, const struct guest_memory *mem,
		      uint64_t features, uint16_t queue_num_max, bool kick_eventfds);
void test_backend_close(struct test_backend *b);
struct virtio_backend test_backend(struct test_backend *b);

#endif
