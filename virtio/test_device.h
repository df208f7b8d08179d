/* A second device model, made for tests (test build only): what any new
 * device needs, and nothing else. Device ID 0xffff (no driver binds it),
 * two queues handed to its backend, and 8 bytes of config space: le32
 * serial (read-only: which instance this is, so a guest can tell devices
 * apart) and le32 scratch (read-write). Attached with --test-device FILE,
 * each instance on the next free virtio-mmio slot, with the recording test
 * backend reading its kick eventfds. */
#ifndef MINIVMM_VIRTIO_TEST_DEVICE_H
#define MINIVMM_VIRTIO_TEST_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio/backend.h"
#include "virtio/mmio.h"

#define TEST_DEVICE_ID 0xffff
#define TEST_DEVICE_QUEUES 2
#define TEST_DEVICE_QUEUE_SIZE_MAX 64

struct test_device {
	uint32_t serial;
	uint32_t scratch;
	struct virtio_backend backend;
	bool started;
	struct virtio_mmio transport;
};

void test_device_init(struct test_device *d, uint32_t serial, const struct virtio_backend *backend,
		      const struct virtio_mmio_platform *platform);
void test_device_destroy(struct test_device *d);

#endif
