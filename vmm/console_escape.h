/* The escape sequence on host console input, as QEMU's -nographic uses it
 * (so users already know it):
 *   Ctrl-A x       quit minivmm
 *   Ctrl-A Ctrl-A  send one Ctrl-A to the guest
 *   Ctrl-A h       show a help line
 *   Ctrl-A <other> send both bytes to the guest
 * Pure logic: the parser sees bytes and returns bytes; the state survives
 * between reads, so a Ctrl-A at the end of one read pairs with the first
 * byte of the next. */
#ifndef MINIVMM_CONSOLE_ESCAPE_H
#define MINIVMM_CONSOLE_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONSOLE_ESCAPE_CHAR 0x01 /* Ctrl-A */
#define CONSOLE_ESCAPE_QUIT 'x'
#define CONSOLE_ESCAPE_HELP 'h'

/* Room console_escape_feed needs in `out` for `len` input bytes: a Ctrl-A
 * held over from the previous call can come out with them. */
#define CONSOLE_ESCAPE_OUT_MAX(len) ((len) + 1)

/* Ordered by precedence: when one buffer asks for both, quit wins. */
enum console_escape_action {
	CONSOLE_ACTION_NONE,
	CONSOLE_ACTION_HELP,
	CONSOLE_ACTION_QUIT,
};

struct console_escape {
	bool pending; /* the last byte seen was an unpaired Ctrl-A */
};

/* The line to print (to stderr) on CONSOLE_ACTION_HELP; ends in "\r\n"
 * because the terminal is in raw mode. */
extern const char console_escape_help[];

void console_escape_init(struct console_escape *e);

/* Parse `len` bytes of host input. Bytes for the guest go to `out`, which
 * must hold CONSOLE_ESCAPE_OUT_MAX(len) bytes; their count is returned.
 * *action is set to the strongest action found. At a quit the rest of
 * `in` is dropped (the VM is going away); the bytes before it are still
 * returned. A zero-length call (end of input) changes nothing: a pending
 * Ctrl-A stays pending. */
size_t console_escape_feed(struct console_escape *e, const uint8_t *in, size_t len,
			   uint8_t *out, enum console_escape_action *action);

/* True while a Ctrl-A waits for its second byte. */
bool console_escape_pending(const struct console_escape *e);

#endif
