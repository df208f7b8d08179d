#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "vmm/console_escape.h"

#define ESC "\x01"

static struct console_escape esc;

/* Feed a string; the output buffer is exactly CONSOLE_ESCAPE_OUT_MAX long
 * on the heap, so ASan catches any write past it. */
struct fed {
	uint8_t out[256];
	size_t len;
	enum console_escape_action action;
};

static struct fed feed_n(const char *in, size_t len)
{
	struct fed r;
	uint8_t *out = malloc(CONSOLE_ESCAPE_OUT_MAX(len));
	cr_assert_not_null(out);
	/* A stale value the parser must overwrite. */
	r.action = CONSOLE_ACTION_QUIT;
	r.len = console_escape_feed(&esc, (const uint8_t *)in, len, out, &r.action);
	cr_assert_leq(r.len, CONSOLE_ESCAPE_OUT_MAX(len));
	cr_assert_leq(r.len, sizeof(r.out));
	memcpy(r.out, out, r.len);
	free(out);
	return r;
}

static struct fed feed(const char *in)
{
	return feed_n(in, strlen(in));
}

static void expect_out(struct fed r, const char *bytes, size_t len)
{
	cr_assert_eq(r.len, len, "got %zu bytes, expected %zu", r.len, len);
	cr_assert_arr_eq(r.out, bytes, len);
}

static void setup(void)
{
	console_escape_init(&esc);
}

TestSuite(console_escape, .init = setup);

Test(console_escape, plain_bytes_pass_through)
{
	struct fed r = feed("ls -l\r\x03\x1a\x7f");
	expect_out(r, "ls -l\r\x03\x1a\x7f", 9);
	cr_assert_eq(r.action, CONSOLE_ACTION_NONE);
	cr_assert(!console_escape_pending(&esc));
}

Test(console_escape, ctrl_a_x_quits_and_keeps_the_bytes_before_it)
{
	struct fed r = feed("ab" ESC "xcd");
	cr_assert_eq(r.action, CONSOLE_ACTION_QUIT);
	expect_out(r, "ab", 2);
}

Test(console_escape, ctrl_a_ctrl_a_sends_one_ctrl_a)
{
	struct fed r = feed("a" ESC ESC "b");
	cr_assert_eq(r.action, CONSOLE_ACTION_NONE);
	expect_out(r, "a" ESC "b", 3);
	cr_assert(!console_escape_pending(&esc));
}

Test(console_escape, escaped_ctrl_a_does_not_start_a_new_escape)
{
	struct fed r = feed(ESC ESC "x");
	cr_assert_eq(r.action, CONSOLE_ACTION_NONE, "Ctrl-A Ctrl-A x must not quit");
	expect_out(r, ESC "x", 2);
}

Test(console_escape, ctrl_a_other_passes_both_bytes)
{
	struct fed r = feed(ESC "c" ESC "X" ESC "\r");
	cr_assert_eq(r.action, CONSOLE_ACTION_NONE);
	expect_out(r, ESC "c" ESC "X" ESC "\r", 6);
}

Test(console_escape, ctrl_a_h_asks_for_help_and_continues)
{
	struct fed r = feed("a" ESC "hb");
	cr_assert_eq(r.action, CONSOLE_ACTION_HELP);
	expect_out(r, "ab", 2);
	r = feed("c");
	cr_assert_eq(r.action, CONSOLE_ACTION_NONE, "action must not stick across calls");
}

Test(console_escape, quit_outranks_help_in_one_buffer)
{
	struct fed r = feed(ESC "h1" ESC "x2");
	cr_assert_eq(r.action, CONSOLE_ACTION_QUIT);
	expect_out(r, "1", 1);
}

Test(console_escape, quit_split_across_reads)
{
	struct fed r = feed("abc" ESC);
	cr_assert_eq(r.action, CONSOLE_ACTION_NONE);
	expect_out(r, "abc", 3);
	cr_assert(console_escape_pending(&esc));
	r = feed("x");
	cr_assert_eq(r.action, CONSOLE_ACTION_QUIT);
	cr_assert_eq(r.len, 0);
}

Test(console_escape, literal_ctrl_a_split_across_reads)
{
	expect_out(feed(ESC), "", 0);
	struct fed r = feed(ESC "z");
	cr_assert_eq(r.action, CONSOLE_ACTION_NONE);
	expect_out(r, ESC "z", 2);
}

Test(console_escape, held_ctrl_a_and_other_byte_make_more_output_than_input)
{
	feed(ESC);
	/* One input byte, two output bytes: the bound is len + 1. */
	struct fed r = feed("q");
	expect_out(r, ESC "q", 2);
	cr_assert_eq(CONSOLE_ESCAPE_OUT_MAX(1), 2);
}

Test(console_escape, ctrl_a_then_eof_keeps_the_state)
{
	expect_out(feed("k" ESC), "k", 1);
	struct fed r = feed_n("", 0); /* read() returned 0 */
	cr_assert_eq(r.len, 0);
	cr_assert_eq(r.action, CONSOLE_ACTION_NONE);
	cr_assert(console_escape_pending(&esc), "EOF must not forget the Ctrl-A");
	r = feed("x");
	cr_assert_eq(r.action, CONSOLE_ACTION_QUIT);
}

Test(console_escape, init_clears_a_pending_escape)
{
	feed(ESC);
	console_escape_init(&esc);
	cr_assert(!console_escape_pending(&esc));
	struct fed r = feed("x");
	cr_assert_eq(r.action, CONSOLE_ACTION_NONE);
	expect_out(r, "x", 1);
}

/* However the input is cut into reads, the guest sees the same bytes and
 * the same actions happen. */
Test(console_escape, result_is_independent_of_read_boundaries)
{
	static const char input[] = "a" ESC ESC "b" ESC "c" ESC "h" ESC ESC ESC "d" "e" ESC;
	const size_t len = sizeof(input) - 1;

	console_escape_init(&esc);
	struct fed whole = feed_n(input, len);
	bool whole_pending = console_escape_pending(&esc);
	cr_assert_eq(whole.action, CONSOLE_ACTION_HELP);
	expect_out(whole, "a" ESC "b" ESC "c" ESC ESC "de", 9);
	cr_assert(whole_pending);

	for (size_t cut1 = 0; cut1 <= len; cut1++) {
		for (size_t cut2 = cut1; cut2 <= len; cut2++) {
			uint8_t got[64];
			size_t got_len = 0;
			bool help = false;
			const size_t parts[][2] = { { 0, cut1 }, { cut1, cut2 }, { cut2, len } };

			console_escape_init(&esc);
			for (int p = 0; p < 3; p++) {
				struct fed r = feed_n(input + parts[p][0], parts[p][1] - parts[p][0]);
				cr_assert_neq(r.action, CONSOLE_ACTION_QUIT);
				help |= r.action == CONSOLE_ACTION_HELP;
				memcpy(got + got_len, r.out, r.len);
				got_len += r.len;
			}
			cr_assert_eq(got_len, whole.len, "cuts at %zu/%zu", cut1, cut2);
			cr_assert_arr_eq(got, whole.out, whole.len, "cuts at %zu/%zu", cut1, cut2);
			cr_assert(help, "help lost with cuts at %zu/%zu", cut1, cut2);
			cr_assert_eq(console_escape_pending(&esc), whole_pending);
		}
	}
}

Test(console_escape, help_line_names_the_keys_and_suits_a_raw_terminal)
{
	size_t n = strlen(console_escape_help);
	cr_assert_gt(n, 2);
	cr_assert_str_eq(console_escape_help + n - 2, "\r\n");
	cr_assert_not_null(strstr(console_escape_help, "x"));
	cr_assert_not_null(strstr(console_escape_help, "quit"));
}
