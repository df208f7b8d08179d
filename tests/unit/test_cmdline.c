/* cmdline_build: joining the defaults with what the user adds, and the
 * kernel's length limit. */
#include <criterion/criterion.h>

#include <string.h>

#include "boot/cmdline.h"
#include "lib/error.h"

Test(cmdline, joins_with_one_space)
{
	char out[64];

	cr_assert_eq(cmdline_build(out, sizeof(out), "console=ttyS0 panic=-1", "quiet init=/bin/sh"),
		     0, "%s", error_message());
	cr_assert_str_eq(out, "console=ttyS0 panic=-1 quiet init=/bin/sh");
}

Test(cmdline, empty_or_null_extra_gives_defaults)
{
	char out[64];

	cr_assert_eq(cmdline_build(out, sizeof(out), "console=ttyS0", ""), 0);
	cr_assert_str_eq(out, "console=ttyS0");
	memset(out, 'x', sizeof(out));
	cr_assert_eq(cmdline_build(out, sizeof(out), "console=ttyS0", NULL), 0);
	cr_assert_str_eq(out, "console=ttyS0");
}

Test(cmdline, empty_defaults_no_leading_space)
{
	char out[64];

	cr_assert_eq(cmdline_build(out, sizeof(out), "", "root=/dev/vda"), 0);
	cr_assert_str_eq(out, "root=/dev/vda");
	cr_assert_eq(cmdline_build(out, sizeof(out), NULL, NULL), 0);
	cr_assert_str_eq(out, "");
}

Test(cmdline, exactly_at_limit)
{
	/* "abc def" is 7 bytes: with its NUL it fills 8 exactly. */
	char out[9];

	out[8] = '#';
	cr_assert_eq(cmdline_build(out, 8, "abc", "def"), 0, "%s", error_message());
	cr_assert_str_eq(out, "abc def");
	cr_assert_eq(out[8], '#', "wrote past out_size");
}

Test(cmdline, one_over_limit)
{
	char out[8];

	memset(out, '#', sizeof(out));
	error_clear();
	cr_assert_eq(cmdline_build(out, 7, "abc", "def"), -1);
	/* Names the line's length and the most the kernel takes. */
	cr_assert_not_null(strstr(error_message(), "is 7 bytes"), "%s", error_message());
	cr_assert_not_null(strstr(error_message(), "at most 6"), "%s", error_message());
	cr_assert_eq(out[7], '#', "wrote past out_size");
}

Test(cmdline, defaults_alone_too_long)
{
	char out[4];

	cr_assert_eq(cmdline_build(out, sizeof(out), "console=ttyS0", NULL), -1);
	cr_assert_eq(cmdline_build(out, 0, "", NULL), -1);
}

/* minivmm tells a guest panic from a reboot by the warm-reset flag that
 * panic_warm makes the kernel write, and catches the reset on the i8042. */
Test(cmdline, defaults_select_i8042_reboot_and_warm_panic)
{
	cr_assert_not_null(strstr(CMDLINE_DEFAULTS, "reboot=k,panic_warm"));
	cr_assert_not_null(strstr(CMDLINE_DEFAULTS, "panic=-1"));
	cr_assert_not_null(strstr(CMDLINE_DEFAULTS, "console=ttyS0"));
}

/* cmdline_acpi_off: the last acpi=off / acpi=force before "--" wins, as in
 * Linux's parse_acpi; look-alikes do not count. */
Test(cmdline, acpi_off_detection)
{
	cr_expect(!cmdline_acpi_off(NULL));
	cr_expect(!cmdline_acpi_off(""));
	cr_expect(!cmdline_acpi_off("quiet"));
	cr_expect(cmdline_acpi_off("acpi=off"));
	cr_expect(cmdline_acpi_off("quiet  acpi=off\tpanic=1"));
	cr_expect(!cmdline_acpi_off("acpi=off acpi=force"));
	cr_expect(cmdline_acpi_off("acpi=force acpi=off"));
	cr_expect(!cmdline_acpi_off("acpi=offx"));
	cr_expect(!cmdline_acpi_off("xacpi=off"));
	cr_expect(!cmdline_acpi_off("acpi=strict"));
	cr_expect(!cmdline_acpi_off("init=/bin/sh -- acpi=off"), "after -- it is init's");
	cr_expect(cmdline_acpi_off("acpi=off -- acpi=force"));
}

Test(cmdline, virtio_mmio_words)
{
	const struct platform_mmio_device devs[] = {
		{ .base = 0xd0000000, .size = 0x1000, .irq = 5 },
		{ .base = 0xd0001000, .size = 0x1000, .irq = 6 },
	};
	char out[128];

	cr_assert_eq(cmdline_virtio_mmio_words(out, sizeof(out), devs, 2), 0, "%s",
		     error_message());
	cr_expect_str_eq(out, "virtio_mmio.device=4K@0xd0000000:5 "
			      "virtio_mmio.device=4K@0xd0001000:6 ");
	cr_assert_eq(cmdline_virtio_mmio_words(out, sizeof(out), devs, 0), 0);
	cr_expect_str_eq(out, "");
	cr_expect_eq(cmdline_virtio_mmio_words(out, 40, devs, 2), -1);
	cr_expect(strstr(error_message(), "too long") != NULL, "%s", error_message());
}
