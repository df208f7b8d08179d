#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "devices/i8042.h"
#include "lib/platform.h"

#define DATA (I8042_DATA_PORT - I8042_DATA_PORT)
#define CMD (I8042_COMMAND_PORT - I8042_DATA_PORT)

static struct i8042 kbc;
static int resets;

static void count_reset(void *ctx)
{
	cr_assert_eq(ctx, &resets, "reset callback got the wrong context");
	resets++;
}

static void setup(void)
{
	resets = 0;
	i8042_init(&kbc, &(struct i8042_ops){ .reset = count_reset, .ctx = &resets });
}

static void out(uint64_t offset, uint8_t value)
{
	i8042_io(&kbc, offset, &value, 1, true);
}

static uint8_t in(uint64_t offset)
{
	uint8_t value = 0x5a;
	i8042_io(&kbc, offset, &value, 1, false);
	return value;
}

TestSuite(i8042, .init = setup);

Test(i8042, range_covers_both_ports)
{
	cr_assert_eq(CMD, 4);
	cr_assert_lt(CMD, I8042_RANGE_LEN);
}

Test(i8042, linux_reboot_kbd_sequence_resets)
{
	/* arch/x86/kernel/reboot.c: kb_wait() polls bit 1 (input buffer
	 * full) of the status port, then writes 0xfe. */
	cr_assert_eq(in(CMD) & 0x02, 0, "kb_wait would spin");
	out(CMD, 0xfe);
	cr_assert_eq(resets, 1);
	out(CMD, 0xfe);
	cr_assert_eq(resets, 2, "each pulse is a reset request");
}

Test(i8042, other_commands_do_not_reset)
{
	const uint8_t cmds[] = { 0x20, 0x60, 0xa7, 0xa8, 0xaa, 0xab, 0xad, 0xae, 0xd1, 0xd4,
				 0xff, 0xfd, 0x01 };
	for (size_t i = 0; i < sizeof(cmds); i++)
		out(CMD, cmds[i]);
	cr_assert_eq(resets, 0);
}

Test(i8042, 0xfe_on_the_data_port_is_not_a_reset)
{
	out(DATA, 0xfe);
	cr_assert_eq(resets, 0);
}

Test(i8042, any_pulse_command_with_bit0_low_resets)
{
	/* F0h-FFh pulse the output port bits that are 0 in the command. */
	out(CMD, 0xf0);
	out(CMD, 0xfc);
	cr_assert_eq(resets, 2);
	out(CMD, 0xf1);
	cr_assert_eq(resets, 2, "bit 0 set: reset line not pulsed");
}

Test(i8042, write_output_port_with_reset_bit_low_resets)
{
	out(CMD, 0xd1);
	out(DATA, 0xdf); /* A20 on, reset bit (0) set: keep running */
	cr_assert_eq(resets, 0);
	out(CMD, 0xd1);
	out(DATA, 0xde); /* reset bit low */
	cr_assert_eq(resets, 1);
	/* The latch is one-shot: a further data byte is just data. */
	out(DATA, 0x00);
	cr_assert_eq(resets, 1);
}

Test(i8042, a_new_command_cancels_write_output_port)
{
	out(CMD, 0xd1);
	out(CMD, 0xad);
	out(DATA, 0x00);
	cr_assert_eq(resets, 0);
}

Test(i8042, reads_are_benign)
{
	cr_assert_eq(in(CMD), 0x00, "status: nothing buffered, input buffer empty");
	cr_assert_eq(in(DATA), 0x00);
	for (uint64_t off = 1; off < 4; off++)
		cr_assert_eq(in(off), 0xff, "offset %llu", (unsigned long long)off);
	cr_assert_eq(in(I8042_RANGE_LEN), 0xff);
	cr_assert_eq(in(UINT64_MAX), 0xff);
}

Test(i8042, wide_and_out_of_range_accesses_are_byte_wise_and_bounded)
{
	uint8_t buf[8];

	memset(buf, 0, sizeof(buf));
	i8042_io(&kbc, 3, buf, 2, false);
	cr_assert_eq(buf[0], 0xff);
	cr_assert_eq(buf[1], 0x00, "the second byte is the status port");

	/* A 2-byte write at offset 3 puts its second byte on port 0x64. */
	buf[0] = 0xfe;
	buf[1] = 0xfe;
	i8042_io(&kbc, 3, buf, 2, true);
	cr_assert_eq(resets, 1);

	memset(buf, 0xfe, sizeof(buf));
	i8042_io(&kbc, UINT64_MAX - 2, buf, 8, true);
	i8042_io(&kbc, 5, buf, 8, true);
	cr_assert_eq(resets, 1, "writes outside the range must be ignored");
	i8042_io(&kbc, UINT64_MAX - 2, buf, 8, false);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(buf[i], 0xff);
}

Test(i8042, missing_callback_is_tolerated)
{
	i8042_init(&kbc, NULL);
	out(CMD, 0xfe);
	out(CMD, 0xd1);
	out(DATA, 0x00);
	cr_assert_eq(resets, 0);
}
