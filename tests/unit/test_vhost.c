/* The vhost frontend library (virtio/vhost.c) under the vsock device model,
 * with a carrier that records every message instead of making ioctls: the
 * order of the hand-over at DRIVER_OK, the hand-back at reset, the
 * transport's eventfds passed through unchanged, and clean-up when a
 * message fails half-way. Two devices on one process show that each
 * frontend speaks only for its own rings. */
#include <criterion/criterion.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/error.h"
#include "lib/platform.h"
#include "virtio/test_device.h"
#include "virtio/vhost.h"
#include "tests/unit/trace_capture.h"
#include "virtio/vsock.h"

#define F(bit) (1ULL << (bit))
#define LOG_MAX 4096

struct fake_carrier {
	char log[LOG_MAX];
	const char *fail; /* a message name: that message fails */
	uint32_t fail_index;
	uint32_t vring_base;
};

static int note(struct fake_carrier *c, const char *name, uint32_t index, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int note(struct fake_carrier *c, const char *name, uint32_t index, const char *fmt, ...)
{
	size_t used = strlen(c->log);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->log + used, LOG_MAX - used, fmt, ap);
	va_end(ap);
	if (c->fail && strcmp(c->fail, name) == 0 && c->fail_index == index)
		return error_set("%s refused by the fake", name);
	return 0;
}

static int set_owner(void *c)
{
	return note(c, "owner", 0, "owner ");
}

static int get_features(void *c, uint64_t *f)
{
	*f = F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX);
	return note(c, "get_features", 0, "get_features ");
}

static int set_features(void *c, uint64_t f)
{
	return note(c, "features", 0, "features=%#llx ", (unsigned long long)f);
}

static int set_mem_table(void *c, const struct guest_memory *mem)
{
	struct guest_memory_region r;
	unsigned n = 0;
	guest_memory_for_each_region(mem, i, r)
		n = i + 1;
	return note(c, "mem", 0, "mem=%u ", n);
}

static int set_vring_num(void *c, uint32_t i, uint32_t num)
{
	return note(c, "num", i, "num%u=%u ", i, num);
}

static int set_vring_base(void *c, uint32_t i, uint32_t base)
{
	return note(c, "base", i, "base%u=%u ", i, base);
}

static int get_vring_base(void *c, uint32_t i, uint32_t *base)
{
	*base = ((struct fake_carrier *)c)->vring_base;
	return note(c, "get_base", i, "get_base%u ", i);
}

static int set_vring_addr(void *c, uint32_t i, const struct vhost_ring_addr *a)
{
	(void)a;
	return note(c, "addr", i, "addr%u ", i);
}

static int set_vring_kick(void *c, uint32_t i, int fd)
{
	return note(c, "kick", i, "kick%u=%d ", i, fd);
}

static int set_vring_call(void *c, uint32_t i, int fd)
{
	return note(c, "call", i, "call%u=%d ", i, fd);
}

static const struct vhost_carrier_ops fake_ops = {
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

static int hook_start(void *ctx)
{
	return note(ctx, "start", 0, "device_start ");
}

static void hook_stop(void *ctx)
{
	note(ctx, "stop", 0, "device_stop ");
}

static struct guest_memory ram;

static void w32(struct virtio_mmio *t, uint64_t off, uint32_t v)
{
	uint8_t b[4] = { v, v >> 8, v >> 16, v >> 24 };
	virtio_mmio_io(t, off, b, 4, true);
}

static uint32_t r32(struct virtio_mmio *t, uint64_t off)
{
	uint8_t b[4];
	virtio_mmio_io(t, off, b, 4, false);
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static void handshake(struct virtio_mmio *t, uint32_t nqueues, uint16_t num, uint64_t rings)
{
	w32(t, VIRTIO_MMIO_STATUS, 0);
	w32(t, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	w32(t, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	w32(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	w32(t, VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VERSION_1 */
	w32(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	w32(t, VIRTIO_MMIO_DRIVER_FEATURES, 0);
	w32(t, VIRTIO_MMIO_STATUS, 0xb);
	for (uint32_t q = 0; q < nqueues; q++) {
		uint64_t base = rings + q * 0x10000;
		w32(t, VIRTIO_MMIO_QUEUE_SEL, q);
		w32(t, VIRTIO_MMIO_QUEUE_NUM, num);
		w32(t, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)base);
		w32(t, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)base + 0x1000);
		w32(t, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)base + 0x2000);
		w32(t, VIRTIO_MMIO_QUEUE_READY, 1);
	}
	w32(t, VIRTIO_MMIO_STATUS, 0xf);
}

static struct fake_carrier fc;
static struct vhost_frontend fe;
static struct vsock_device vsock;

static void setup(void)
{
	memset(&fc, 0, sizeof(fc));
	guest_memory_layout(&ram, 256 * MiB);
	const struct vhost_device_hooks hooks = { hook_start, hook_stop, &fc };
	cr_assert_eq(vhost_frontend_open(&fe, "vsock", &fake_ops, &fc, &ram, &hooks), 0);
	struct virtio_backend b = vhost_frontend_backend(&fe);
	vsock_device_init(&vsock, 3, &b, &(struct virtio_mmio_platform){ .mem = &ram });
	/* What the KVM side would have made: fds the fake never uses. */
	const int kicks[3] = { 100, 101, 102 };
	virtio_mmio_set_eventfds(&vsock.transport, kicks, 200);
}

static void teardown(void)
{
	vsock_device_destroy(&vsock);
	vhost_frontend_close(&fe);
}

TestSuite(vhost, .init = setup, .fini = teardown);

Test(vhost, open_claims_the_backend_then_reads_its_features)
{
	cr_assert_str_eq(fc.log, "owner get_features ");
	cr_assert_eq(fe.features, F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX));
}

Test(vhost, driver_ok_hands_over_rx_and_tx_in_order_with_the_transports_eventfds)
{
	fc.log[0] = '\0';
	handshake(&vsock.transport, 3, 128, 0x100000);
	cr_assert_eq(r32(&vsock.transport, VIRTIO_MMIO_STATUS), 0xf);
	cr_assert_str_eq(fc.log, "features=0x100000000 mem=1 "
				 "num0=128 base0=0 addr0 kick0=100 call0=200 "
				 "num1=128 base1=0 addr1 kick1=101 call1=200 "
				 "device_start ");
	cr_assert(fe.running);
	cr_assert_eq(fe.stats.starts, 1);
}

Test(vhost, reset_stops_the_device_then_takes_each_ring_back)
{
	handshake(&vsock.transport, 3, 128, 0x100000);
	fc.log[0] = '\0';
	w32(&vsock.transport, VIRTIO_MMIO_STATUS, 0);
	cr_assert_str_eq(fc.log, "device_stop "
				 "get_base0 kick0=-1 call0=-1 get_base1 kick1=-1 call1=-1 ");
	cr_assert_not(fe.running);
	cr_assert_eq(fe.stats.stops, 1);
	/* And again: a second start after the reset. */
	fc.log[0] = '\0';
	handshake(&vsock.transport, 3, 64, 0x100000);
	cr_assert(strstr(fc.log, "num0=64 base0=0 "), "%s", fc.log);
	cr_assert_eq(fe.stats.starts, 2);
}

Test(vhost, a_failing_message_undoes_the_rings_set_so_far)
{
	fc.fail = "addr";
	fc.fail_index = 1;
	fc.log[0] = '\0';
	handshake(&vsock.transport, 3, 128, 0x100000);
	cr_assert_eq(r32(&vsock.transport, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET,
		     VIRTIO_CONFIG_S_NEEDS_RESET, "the driver is told the device failed");
	cr_assert(strstr(fc.log, "addr1 get_base0 kick0=-1 call0=-1 get_base1 kick1=-1 call1=-1 "),
		  "%s", fc.log);
	cr_assert_null(strstr(fc.log, "device_start"));
	cr_assert_not(fe.running);
	cr_assert_eq(fe.stats.starts, 0);
}

Test(vhost, a_failing_device_start_undoes_the_rings)
{
	fc.fail = "start";
	fc.log[0] = '\0';
	handshake(&vsock.transport, 3, 128, 0x100000);
	cr_assert(strstr(fc.log, "device_start get_base0 kick0=-1"), "%s", fc.log);
	cr_assert_null(strstr(fc.log, "device_stop"), "a device that never started is not stopped");
}

Test(vhost, two_devices_each_with_its_own_frontend)
{
	struct fake_carrier fc2 = { 0 };
	struct vhost_frontend fe2;
	const struct vhost_device_hooks hooks = { NULL, NULL, NULL };
	cr_assert_eq(vhost_frontend_open(&fe2, "test", &fake_ops, &fc2, &ram, &hooks), 0);
	struct virtio_backend b2 = vhost_frontend_backend(&fe2);
	struct test_device td;
	test_device_init(&td, 7, &b2, &(struct virtio_mmio_platform){ .mem = &ram });
	const int kicks2[2] = { 300, 301 };
	virtio_mmio_set_eventfds(&td.transport, kicks2, 400);

	fc.log[0] = fc2.log[0] = '\0';
	handshake(&td.transport, 2, 64, 0x400000);
	cr_assert_str_eq(fc.log, "", "the vsock frontend heard nothing: %s", fc.log);
	cr_assert(strstr(fc2.log, "kick0=300 call0=400 ") && strstr(fc2.log, "kick1=301 call1=400 "),
		  "%s", fc2.log);
	handshake(&vsock.transport, 3, 128, 0x100000);
	cr_assert(strstr(fc.log, "kick0=100 call0=200 "), "%s", fc.log);
	cr_assert_eq(r32(&td.transport, 0x100), 7, "the test device's serial");
	w32(&td.transport, VIRTIO_MMIO_STATUS, 0);
	cr_assert(fe.running, "resetting one device leaves the other running");
	cr_assert_not(fe2.running);
	test_device_destroy(&td);
	vhost_frontend_close(&fe2);
}

Test(vhost, trace_tells_each_message_in_the_order_it_is_sent)
{
	trace_capture_start(TRACE_VIRTIO | TRACE_VHOST);
	handshake(&vsock.transport, 3, 128, 0x100000);
	w32(&vsock.transport, VIRTIO_MMIO_STATUS, 0);
	char *trace = trace_capture_stop();
	static const char *const expected[] = {
		"virtio: virtio-vsock: driver writes Status = 0xf "
		"(ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK)",
		"virtio: virtio-vsock: queues 0-1 go to the backend (features 0x100000000); it reads "
		"their kick eventfds itself",
		"vhost: vsock: SET_FEATURES 0x100000000",
		"vhost: vsock: SET_MEM_TABLE region 0: guest-physical 0x0-0xfffffff",
		"vhost: vsock: ring 0: SET_VRING_NUM 128, SET_VRING_BASE 0",
		"vhost: vsock: ring 0: SET_VRING_ADDR: ",
		"guest-physical 0x100000, 0x101000, 0x102000",
		"vhost: vsock: ring 0: SET_VRING_KICK eventfd 100: the worker waits on the eventfd "
		"that KVM signals when the guest writes QueueNotify = 0, so the next kick will not "
		"reach minivmm",
		"vhost: vsock: ring 0: SET_VRING_CALL eventfd 200",
		"vhost: vsock: ring 1: SET_VRING_NUM 128",
		"vhost: vsock: ring 1: SET_VRING_CALL eventfd 200",
		"virtio: virtio-vsock: DRIVER_OK: device activated with features VERSION_1; it is "
		"live",
		"virtio: virtio-vsock: status ACKNOWLEDGE|DRIVER|FEATURES_OK -> "
		"ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK\n",
		"virtio: virtio-vsock: device reset: the device was running",
		"virtio: the backend gives the queues back",
		"vhost: vsock: ring 0: GET_VRING_BASE -> ",
		"vhost: vsock: ring 1: GET_VRING_BASE -> ",
		"virtio: virtio-vsock: status ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK -> 0 (reset)\n",
		NULL,
	};
	trace_expect_in_order(trace, expected);
	cr_assert_null(strstr(trace, "ring 2"), "the event queue stays with minivmm");
	free(trace);
}
