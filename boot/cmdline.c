#include "boot/cmdline.h"

#include <stdio.h>
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

/* Linux splits its command line at spaces (lib/cmdline.c next_arg; a
 * double-quoted value may hold spaces, which does not matter for the
 * words looked for here), and parameters end at "--": what follows goes to
 * init. */
bool cmdline_acpi_off(const char *cmdline)
{
	bool off = false;
	const char *p = cmdline ? cmdline : "";

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		size_t n = strcspn(p, " \t\n");
		if (n == 2 && strncmp(p, "--", 2) == 0)
			break;
		if (n == strlen("acpi=off") && strncmp(p, "acpi=off", n) == 0)
			off = true;
		else if (n == strlen("acpi=force") && strncmp(p, "acpi=force", n) == 0)
			off = false;
		p += n;
	}
	return off;
}

int cmdline_virtio_mmio_words(char *out, size_t out_size, const struct platform_mmio_device *devs,
			      size_t ndevs)
{
	size_t used = 0;

	if (out_size == 0)
		return error_set("no room for the virtio devices on the kernel command line");
	out[0] = '\0';
	for (size_t i = 0; i < ndevs; i++) {
		int n = snprintf(out + used, out_size - used, "virtio_mmio.device=%lluK@%#llx:%u ",
				 (unsigned long long)(devs[i].size / 1024),
				 (unsigned long long)devs[i].base, devs[i].irq);
		if (n < 0 || (size_t)n >= out_size - used)
			return error_set("kernel command line too long for the virtio devices");
		used += (size_t)n;
	}
	return 0;
}
