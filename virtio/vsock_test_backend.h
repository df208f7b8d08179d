/* A vsock backend for tests on machines without vhost_vsock: it moves no
 * data, but records every call (one line each in a file) and checks that
 * what it is handed is valid: the hostile-guest tests use it to show that
 * a misbehaving driver never gets a bad ring or feature set past the
 * transport. Selected with the testing option --vsock-test-backend FILE. */
#ifndef MINIVMM_VIRTIO_VSOCK_TEST_BACKEND_H
#define MINIVMM_VIRTIO_VSOCK_TEST_BACKEND_H

#include <stdio.h>

#include "../vmm/guest_memory.h"
#include "vsock_backend.h"

struct vsock_test_backend {
	FILE *log;
	const struct guest_memory *mem;
	uint64_t features;  /* what it claims to support */
	unsigned long invalid; /* configurations that should never have arrived */
};

int vsock_test_backend_open(struct vsock_test_backend *b, const char *path,
			    const struct guest_memory *mem);
void vsock_test_backend_close(struct vsock_test_backend *b);
struct vsock_backend vsock_test_backend(struct vsock_test_backend *b);
/* Pure check of a configuration against guest RAM and the feature set;
 * returns NULL if valid, else what is wrong. */
const char *vsock_backend_config_problem(const struct vsock_backend_config *cfg,
					 const struct guest_memory *mem, uint64_t features,
					 uint16_t queue_num_max);

#endif
