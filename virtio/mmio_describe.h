/* Plain-word names for what a driver writes to a virtio-mmio device, for
 * --trace (lib/trace.h). Pure: register offsets, status bits and feature
 * bits in, text out; unit-tested in tests/unit/test_mmio_describe.c.
 * Names follow virtio 1.2: section 4.2.2 (MMIO Device Register Layout),
 * 2.1 (Device Status Field), 6 (Reserved Feature Bits) and 5.10.3 (vsock
 * feature bits). */
#ifndef MINIVMM_VIRTIO_MMIO_DESCRIBE_H
#define MINIVMM_VIRTIO_MMIO_DESCRIBE_H

#include <stddef.h>
#include <stdint.h>

/* "Status", "QueueNotify", "QueueDescLow", ...; "config+0x4" is not
 * returned (offsets at 0x100 and above are "config"); NULL for an offset
 * that is no register. */
const char *virtio_mmio_reg_name(uint32_t offset);

/* Status bits as names joined by '|': 0x3 -> "ACKNOWLEDGE|DRIVER", 0 ->
 * "0 (reset)", unknown bits as "0x100". Returns buf. */
char *virtio_status_describe(uint32_t status, char *buf, size_t size);

/* Feature bits of a 64-bit word as names joined by '|' (device-type bits of
 * vsock when device_id is 19, "bit N" for others); 0 -> "none". */
char *virtio_features_describe(uint64_t features, uint32_t device_id, char *buf, size_t size);

/* The name of queue `index` of a device: vsock's "rx", "tx", "event"; ""
 * for other devices. */
const char *virtio_queue_role(uint32_t device_id, uint32_t index);

#endif
