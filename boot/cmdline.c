#include "boot/cmdline.h"

#include <string.h>

#include "lib/error.h"

int cmdline_build(char *out, size_t out_size, const char *defaults, const char *extra)
{
	size_t dlen = defaults ? strlen(defaults) : 0;
	size_t elen = extra ? strlen(extra) : 0;
	size_t sep = dlen > 0 && elen > 0 ? 1 : 0;
	/* Cannot overflow: both strings are in memory already. */
	size_t len = dlen + sep + elen;

	if (len >= out_size)
		return error_set("kernel command line is %zu bytes (%zu of defaults + %zu added), "
				 "but the kernel accepts at most %zu",
				 len, dlen, elen, out_size ? out_size - 1 : 0);
	if (dlen)
		memcpy(out, defaults, dlen);
	if (sep)
		out[dlen] = ' ';
	if (elen)
		memcpy(out + dlen + sep, extra, elen);
	out[len] = '\0';
	return 0;
}
