#include "virtio/mmio_describe.h"

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const char *virtio_mmio_reg_name(uint32_t offset)
{
	if (offset >= 0x100)
		return "config";
	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE: return "MagicValue";
	case VIRTIO_MMIO_VERSION: return "Version";
	case VIRTIO_MMIO_DEVICE_ID: return "DeviceID";
	case VIRTIO_MMIO_VENDOR_ID: return "VendorID";
	case VIRTIO_MMIO_DEVICE_FEATURES: return "DeviceFeatures";
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL: return "DeviceFeaturesSel";
	case VIRTIO_MMIO_DRIVER_FEATURES: return "DriverFeatures";
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL: return "DriverFeaturesSel";
	case VIRTIO_MMIO_QUEUE_SEL: return "QueueSel";
	case VIRTIO_MMIO_QUEUE_NUM_MAX: return "QueueNumMax";
	case VIRTIO_MMIO_QUEUE_NUM: return "QueueNum";
	case VIRTIO_MMIO_QUEUE_READY: return "QueueReady";
	case VIRTIO_MMIO_QUEUE_NOTIFY: return "QueueNotify";
	case VIRTIO_MMIO_INTERRUPT_STATUS: return "InterruptStatus";
	case VIRTIO_MMIO_INTERRUPT_ACK: return "InterruptACK";
	case VIRTIO_MMIO_STATUS: return "Status";
	case VIRTIO_MMIO_QUEUE_DESC_LOW: return "QueueDescLow";
	case VIRTIO_MMIO_QUEUE_DESC_HIGH: return "QueueDescHigh";
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW: return "QueueDriverLow";
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH: return "QueueDriverHigh";
	case VIRTIO_MMIO_QUEUE_USED_LOW: return "QueueDeviceLow";
	case VIRTIO_MMIO_QUEUE_USED_HIGH: return "QueueDeviceHigh";
	case VIRTIO_MMIO_SHM_SEL: return "SHMSel";
	case VIRTIO_MMIO_SHM_LEN_LOW: return "SHMLenLow";
	case VIRTIO_MMIO_SHM_LEN_HIGH: return "SHMLenHigh";
	case VIRTIO_MMIO_SHM_BASE_LOW: return "SHMBaseLow";
	case VIRTIO_MMIO_SHM_BASE_HIGH: return "SHMBaseHigh";
	case VIRTIO_MMIO_CONFIG_GENERATION: return "ConfigGeneration";
	}
	return NULL;
}

/* Append "name" to buf, with '|' between names. */
static void append(char *buf, size_t size, bool *first, const char *name)
{
	size_t len = strlen(buf);
	if (len >= size)
		return;
	snprintf(buf + len, size - len, "%s%s", *first ? "" : "|", name);
	*first = false;
}

char *virtio_status_describe(uint32_t status, char *buf, size_t size)
{
	static const struct { uint32_t bit; const char *name; } bits[] = {
		{ VIRTIO_CONFIG_S_ACKNOWLEDGE, "ACKNOWLEDGE" },
		{ VIRTIO_CONFIG_S_DRIVER, "DRIVER" },
		{ VIRTIO_CONFIG_S_FEATURES_OK, "FEATURES_OK" },
		{ VIRTIO_CONFIG_S_DRIVER_OK, "DRIVER_OK" },
		{ VIRTIO_CONFIG_S_NEEDS_RESET, "DEVICE_NEEDS_RESET" },
		{ VIRTIO_CONFIG_S_FAILED, "FAILED" },
	};
	bool first = true;
	char unknown[16];

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (status == 0) {
		snprintf(buf, size, "0 (reset)");
		return buf;
	}
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (status & bits[i].bit) {
			append(buf, size, &first, bits[i].name);
			status &= ~bits[i].bit;
		}
	if (status) {
		snprintf(unknown, sizeof(unknown), "0x%x", status);
		append(buf, size, &first, unknown);
	}
	return buf;
}

static const char *feature_name(unsigned bit, uint32_t device_id)
{
	switch (bit) {
	case VIRTIO_RING_F_INDIRECT_DESC: return "INDIRECT_DESC";
	case VIRTIO_RING_F_EVENT_IDX: return "EVENT_IDX";
	case VIRTIO_F_VERSION_1: return "VERSION_1";
	case VIRTIO_F_ACCESS_PLATFORM: return "ACCESS_PLATFORM";
	case VIRTIO_F_RING_PACKED: return "RING_PACKED";
	case VIRTIO_F_IN_ORDER: return "IN_ORDER";
	case VIRTIO_F_ORDER_PLATFORM: return "ORDER_PLATFORM";
	case VIRTIO_F_SR_IOV: return "SR_IOV";
	case 38: /* VIRTIO_F_NOTIFICATION_DATA, not in every uapi header */ return "NOTIFICATION_DATA";
	case VIRTIO_F_NOTIFY_ON_EMPTY: return "NOTIFY_ON_EMPTY";
	case VIRTIO_F_ANY_LAYOUT: return "ANY_LAYOUT";
	}
	/* virtio 1.2 section 5.10.3: vsock's own bits. */
	if (device_id == 19 && bit == 0)
		return "VSOCK_F_STREAM";
	if (device_id == 19 && bit == 1)
		return "VSOCK_F_SEQPACKET";
	return NULL;
}

char *virtio_features_describe(uint64_t features, uint32_t device_id, char *buf, size_t size)
{
	bool first = true;
	char other[16];

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (features == 0) {
		snprintf(buf, size, "none");
		return buf;
	}
	for (unsigned bit = 0; bit < 64; bit++) {
		if (!(features & (1ULL << bit)))
			continue;
		const char *name = feature_name(bit, device_id);
		if (!name) {
			snprintf(other, sizeof(other), "bit %u", bit);
			name = other;
		}
		append(buf, size, &first, name);
	}
	return buf;
}

const char *virtio_queue_role(uint32_t device_id, uint32_t index)
{
	/* virtio 1.2 section 5.10.2: rx, tx, event. */
	static const char *const vsock[] = { "rx", "tx", "event" };
	if (device_id == 19 && index < 3)
		return vsock[index];
	return "";
}
