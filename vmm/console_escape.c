#include "vmm/console_escape.h"

const char console_escape_help[] =
	"\r\nminivmm: C-a x  quit | C-a C-a  send C-a to the guest | C-a h  this help\r\n";

void console_escape_init(struct console_escape *e)
{
	e->pending = false;
}

bool console_escape_pending(const struct console_escape *e)
{
	return e->pending;
}

size_t console_escape_feed(struct console_escape *e, const uint8_t *in, size_t len,
			   uint8_t *out, enum console_escape_action *action)
{
	size_t n = 0;

	*action = CONSOLE_ACTION_NONE;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = in[i];

		if (!e->pending) {
			if (c == CONSOLE_ESCAPE_CHAR)
				e->pending = true;
			else
				out[n++] = c;
			continue;
		}
		e->pending = false;
		switch (c) {
		case CONSOLE_ESCAPE_QUIT:
			*action = CONSOLE_ACTION_QUIT;
			return n;
		case CONSOLE_ESCAPE_HELP:
			*action = CONSOLE_ACTION_HELP;
			break;
		case CONSOLE_ESCAPE_CHAR:
			out[n++] = CONSOLE_ESCAPE_CHAR;
			break;
		default:
			/* Not an escape after all: the guest gets both bytes.
			 * This is the one case where out can outgrow in, when
			 * the Ctrl-A came in the previous call. */
			out[n++] = CONSOLE_ESCAPE_CHAR;
			out[n++] = c;
			break;
		}
	}
	return n;
}
