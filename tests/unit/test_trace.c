/* lib/trace.c (categories, the repeat summariser, the line format and the
 * sink), virtio/mmio_describe.c and vmm/trace_describe.c. */
#include <criterion/criterion.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/trace.h"
#include "tests/unit/trace_capture.h"
#include "virtio/mmio_describe.h"
#include "vmm/trace_describe.h"

Test(trace, categories_parse)
{
	unsigned mask;
	cr_assert_eq(trace_parse_categories(NULL, &mask), 0);
	cr_assert_eq(mask, TRACE_ALL);
	cr_assert_eq(trace_parse_categories("", &mask), 0);
	cr_assert_eq(mask, TRACE_ALL);
	cr_assert_eq(trace_parse_categories("all", &mask), 0);
	cr_assert_eq(mask, TRACE_ALL);
	cr_assert_eq(trace_parse_categories("virtio,vhost", &mask), 0);
	cr_assert_eq(mask, TRACE_VIRTIO | TRACE_VHOST);
	cr_assert_eq(trace_parse_categories("exits,pio,mmio,kvm,boot", &mask), 0);
	cr_assert_eq(mask, TRACE_EXITS | TRACE_PIO | TRACE_MMIO | TRACE_KVM | TRACE_BOOT);
}

Test(trace, unknown_category_names_the_known_ones)
{
	unsigned mask;
	cr_assert_eq(trace_parse_categories("virtio,vhots", &mask), -1);
	cr_assert(strstr(error_message(), "unknown category 'vhots'"), "%s", error_message());
	cr_assert(strstr(error_message(), "exits, pio, mmio, virtio, vhost, kvm, boot"));
	cr_assert_eq(trace_parse_categories("virtio,", &mask), -1);
	cr_assert_eq(trace_parse_categories("vir", &mask), -1);
	cr_assert_eq(trace_parse_categories("virtiox", &mask), -1);
}

Test(trace, category_names)
{
	cr_assert_str_eq(trace_category_name(TRACE_EXITS), "exits");
	cr_assert_str_eq(trace_category_name(TRACE_BOOT), "boot");
	cr_assert_str_eq(trace_category_name(TRACE_VIRTIO | TRACE_VHOST), "?");
}

Test(trace, prefix_is_seconds_and_microseconds)
{
	char buf[64];
	trace_format_prefix(buf, sizeof(buf), 1234567891ULL, TRACE_PIO);
	cr_assert_str_eq(buf, "[    1.234567] pio: ");
	trace_format_prefix(buf, sizeof(buf), 0, TRACE_VHOST);
	cr_assert_str_eq(buf, "[    0.000000] vhost: ");
}

Test(trace, repeats_print_the_first_then_summarise_the_run)
{
	struct trace_repeats r = { 0 };
	char summary[256];
	bool has;
	cr_assert(trace_repeats_feed(&r, TRACE_PIO, "port 0x3fd read", summary, sizeof(summary), &has));
	cr_assert_not(has);
	for (int i = 0; i < 41; i++)
		cr_assert_not(trace_repeats_feed(&r, TRACE_PIO, "port 0x3fd read", summary,
						 sizeof(summary), &has));
	/* Same key in another category is another event. */
	cr_assert(trace_repeats_feed(&r, TRACE_MMIO, "port 0x3fd read", summary, sizeof(summary),
				     &has));
	cr_assert(has);
	cr_assert_str_eq(summary, "... 41 more like it: port 0x3fd read");
	cr_assert(trace_repeats_feed(&r, TRACE_MMIO, "other", summary, sizeof(summary), &has));
	cr_assert_not(has, "a run of one needs no summary");
	cr_assert_not(trace_repeats_feed(&r, TRACE_MMIO, "other", summary, sizeof(summary), &has));
	cr_assert(trace_repeats_flush(&r, summary, sizeof(summary)));
	cr_assert_str_eq(summary, "... 1 more like it: other");
	cr_assert_not(trace_repeats_flush(&r, summary, sizeof(summary)));
	/* After a flush the same key starts a new run, printed again. */
	cr_assert(trace_repeats_feed(&r, TRACE_MMIO, "other", summary, sizeof(summary), &has));
}

Test(trace, sink_writes_lines_and_summaries)
{
	trace_capture_start(TRACE_PIO | TRACE_BOOT);
	trace(TRACE_BOOT, "step %d", 1);
	for (int i = 0; i < 5; i++)
		trace_keyed(TRACE_PIO, "LSR", "read LSR #%d", i);
	trace(TRACE_VHOST, "not in the mask: %d", 1);
	trace(TRACE_BOOT, "step %d", 2);
	trace(TRACE_BOOT, "step %d", 2);
	char *out = trace_capture_stop();
	cr_assert_str_eq(out, "boot: step 1\n"
			      "pio: read LSR #0\n"
			      "pio: ... 4 more like it: LSR\n"
			      "boot: step 2\n"
			      "boot: ... 1 more like it: step 2\n");
	free(out);
	/* Stopped: nothing more is written, and the predicate is off. */
	cr_assert_not(trace_enabled(TRACE_BOOT));
}

Test(trace, arguments_are_not_evaluated_when_off)
{
	int calls = 0;
	trace_mask = 0;
	trace(TRACE_ALL, "%d", ++calls);
	cr_assert_eq(calls, 0);
}

Test(mmio_describe, register_names)
{
	cr_assert_str_eq(virtio_mmio_reg_name(0x070), "Status");
	cr_assert_str_eq(virtio_mmio_reg_name(0x050), "QueueNotify");
	cr_assert_str_eq(virtio_mmio_reg_name(0x084), "QueueDescHigh");
	cr_assert_str_eq(virtio_mmio_reg_name(0x090), "QueueDriverLow");
	cr_assert_str_eq(virtio_mmio_reg_name(0x104), "config");
	cr_assert_null(virtio_mmio_reg_name(0x0f0));
}

Test(mmio_describe, status_bits)
{
	char buf[128];
	cr_assert_str_eq(virtio_status_describe(0x3, buf, sizeof(buf)), "ACKNOWLEDGE|DRIVER");
	cr_assert_str_eq(virtio_status_describe(0xf, buf, sizeof(buf)),
			 "ACKNOWLEDGE|DRIVER|FEATURES_OK|DRIVER_OK");
	cr_assert_str_eq(virtio_status_describe(0, buf, sizeof(buf)), "0 (reset)");
	cr_assert_str_eq(virtio_status_describe(0xc0, buf, sizeof(buf)),
			 "DEVICE_NEEDS_RESET|FAILED");
	cr_assert_str_eq(virtio_status_describe(0x101, buf, sizeof(buf)), "ACKNOWLEDGE|0x100");
	/* Truncation is safe. */
	char small[8];
	virtio_status_describe(0xf, small, sizeof(small));
	cr_assert_eq(strlen(small), 7);
}

Test(mmio_describe, feature_bits)
{
	char buf[256];
	cr_assert_str_eq(virtio_features_describe(1ULL << 32, 19, buf, sizeof(buf)), "VERSION_1");
	cr_assert_str_eq(virtio_features_describe((1ULL << 32) | 2 | (1ULL << 29), 19, buf,
						  sizeof(buf)),
			 "VSOCK_F_SEQPACKET|EVENT_IDX|VERSION_1");
	cr_assert_str_eq(virtio_features_describe(2, 0xffff, buf, sizeof(buf)), "bit 1");
	cr_assert_str_eq(virtio_features_describe(0, 19, buf, sizeof(buf)), "none");
	cr_assert_str_eq(virtio_features_describe(1ULL << 33, 19, buf, sizeof(buf)),
			 "ACCESS_PLATFORM");
}

Test(mmio_describe, vsock_queue_roles)
{
	cr_assert_str_eq(virtio_queue_role(19, 0), "rx");
	cr_assert_str_eq(virtio_queue_role(19, 2), "event");
	cr_assert_str_eq(virtio_queue_role(19, 3), "");
	cr_assert_str_eq(virtio_queue_role(0xffff, 0), "");
}

Test(trace_describe, exit_reasons)
{
	const char *meaning;
	cr_assert_str_eq(trace_exit_reason(KVM_EXIT_IO, &meaning), "KVM_EXIT_IO");
	cr_assert(strstr(meaning, "port"));
	cr_assert_str_eq(trace_exit_reason(KVM_EXIT_MMIO, &meaning), "KVM_EXIT_MMIO");
	cr_assert_str_eq(trace_exit_reason(KVM_EXIT_SHUTDOWN, &meaning), "KVM_EXIT_SHUTDOWN");
	cr_assert(strstr(meaning, "triple fault"));
	cr_assert_str_eq(trace_exit_reason(9999, &meaning), "KVM_EXIT_?");
}

Test(trace_describe, ports)
{
	char buf[200];
	cr_assert_str_eq(trace_describe_port("serial (COM1)", 0, true, 'h', buf, sizeof(buf)),
			 "THR (transmit) 'h' [include/uapi/linux/serial_reg.h]");
	cr_assert_str_eq(trace_describe_port("serial (COM1)", 5, false, 0x60, buf, sizeof(buf)),
			 "LSR (line status) [include/uapi/linux/serial_reg.h]");
	cr_assert_str_eq(trace_describe_port("serial (COM1)", 0, true, '\n', buf, sizeof(buf)),
			 "THR (transmit) [include/uapi/linux/serial_reg.h]");
	cr_assert(strstr(trace_describe_port("i8042", 4, true, 0xfe, buf, sizeof(buf)),
			 "pulse the CPU reset line"));
	cr_assert(strstr(trace_describe_port("ACPI PM1a registers", 4, true, 0x3400, buf,
					     sizeof(buf)), "PM1a_CNT"));
	cr_assert_str_eq(trace_describe_port(NULL, 0, false, 0, buf, sizeof(buf)),
			 "no device: reads all-ones");
	cr_assert_str_eq(trace_describe_port("mystery", 3, false, 0, buf, sizeof(buf)),
			 "mystery +0x3");
}

Test(trace_describe, little_endian_values)
{
	const uint8_t b[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	cr_assert_eq(trace_le_value(b, 1), 1);
	cr_assert_eq(trace_le_value(b, 2), 0x0201);
	cr_assert_eq(trace_le_value(b, 4), 0x04030201);
	cr_assert_eq(trace_le_value(b, 8), 0x0807060504030201ULL);
}
