/* Parsing of --share, --disk and --vhost-user values. Pure: nothing is opened;
 * whether the directory or the socket exists is found out when the VM's
 * devices are created. The forms are fixed so scripts can rely on them:
 *   --share HOSTDIR[,tag=TAG][,wait=SECONDS]
 *   --vhost-user fs,socket=PATH,tag=TAG[,wait=SECONDS]
 *   --vhost-user blk,socket=PATH[,wait=SECONDS]
 *   --disk FILE[,readonly=on|off][,wait=SECONDS]
 * A comma inside a path is written twice (",,"), as QEMU's options do. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "vmm/cli.h"

/* Split s at single commas into items (",," is a literal comma); returns
 * how many, or -1 when there are more than max. Items point into buf. */
static int split(const char *s, char *buf, char **items, int max)
{
	int n = 0;
	char *out = buf;
	items[n++] = out;
	for (const char *p = s; *p; p++) {
		if (*p == ',' && p[1] == ',') {
			*out++ = ',';
			p++;
		} else if (*p == ',') {
			*out++ = '\0';
			if (n == max)
				return -1;
			items[n++] = out;
		} else {
			*out++ = *p;
		}
	}
	*out = '\0';
	return n;
}

/* A virtio-fs tag: 1 to 36 bytes, printable, no spaces or commas (the
 * guest names it on mount's command line). */
static int parse_tag(const char *opt, const char *v, char out[CLI_FS_TAG_MAX + 1])
{
	size_t len = strlen(v);
	if (len == 0)
		return error_set("%s: tag= needs a name", opt);
	if (len > CLI_FS_TAG_MAX)
		return error_set("%s: tag '%s' is longer than %d bytes (virtio 1.2 section 5.11.4)",
				 opt, v, CLI_FS_TAG_MAX);
	for (const char *p = v; *p; p++)
		if (*p <= ' ' || *p > '~' || *p == ',')
			return error_set("%s: tag '%s' has a space, a comma or a non-printable "
					 "character", opt, v);
	memcpy(out, v, len + 1);
	return 0;
}

static int parse_wait(const char *opt, const char *v, unsigned *ms)
{
	char *end;
	errno = 0;
	unsigned long s = strtoul(v, &end, 10);
	/* Decimal digits only, as the other numbers (strtoul alone would take
	 * a sign and leading spaces). */
	if (*v < '0' || *v > '9' || *end != '\0' || errno || s > CLI_VHOST_USER_WAIT_MAX_S)
		return error_set("%s: wait=%s is not a number of seconds from 0 to %d", opt, v,
				 CLI_VHOST_USER_WAIT_MAX_S);
	*ms = (unsigned)s * 1000u;
	return 0;
}

/* The key=value settings after the first item. */
static int parse_settings(const char *opt, char **items, int n, struct cli_vhost_user *out,
			  bool allow_socket, bool allow_tag, bool allow_readonly)
{
	bool seen_socket = false, seen_tag = false, seen_wait = false, seen_ro = false;
	for (int i = 1; i < n; i++) {
		char *eq = strchr(items[i], '=');
		if (!eq)
			return error_set("%s: '%s' is not key=value", opt, items[i]);
		*eq = '\0';
		const char *key = items[i], *val = eq + 1;
		if (allow_socket && strcmp(key, "socket") == 0) {
			if (seen_socket)
				return error_set("%s: socket= given twice", opt);
			if (*val == '\0')
				return error_set("%s: socket= needs a path", opt);
			seen_socket = true;
			out->socket = val;
		} else if (allow_tag && strcmp(key, "tag") == 0) {
			if (seen_tag)
				return error_set("%s: tag= given twice", opt);
			seen_tag = true;
			if (parse_tag(opt, val, out->tag) < 0)
				return -1;
		} else if (allow_readonly && strcmp(key, "readonly") == 0) {
			if (seen_ro)
				return error_set("%s: readonly= given twice", opt);
			seen_ro = true;
			if (strcmp(val, "on") != 0 && strcmp(val, "off") != 0)
				return error_set("%s: readonly=%s: on or off", opt, val);
			out->readonly = strcmp(val, "on") == 0;
		} else if (strcmp(key, "wait") == 0) {
			if (seen_wait)
				return error_set("%s: wait= given twice", opt);
			seen_wait = true;
			if (parse_wait(opt, val, &out->wait_ms) < 0)
				return -1;
		} else {
			return error_set("%s: unknown setting '%s'", opt, key);
		}
	}
	return 0;
}

/* The forms whose first item is a host path (--share DIR, --disk FILE):
 * split, the path present, the settings `opt` allows. On success
 * out->owned holds the storage and *path points into it. */
static int parse_path_form(const char *s, const char *opt, const char *form, const char *what,
			   bool allow_tag, bool allow_readonly, struct cli_vhost_user *out,
			   const char **path)
{
	char *items[8];
	char *buf = malloc(strlen(s) + 1);
	if (!buf)
		return error_set("out of memory");
	int n = split(s, buf, items, 8);
	int ret = -1;
	if (n < 0)
		error_set("%s: too many settings (the form is %s)", opt, form);
	else if (items[0][0] == '\0')
		error_set("%s: no %s (the form is %s)", opt, what, form);
	else if (parse_settings(opt, items, n, out, false, allow_tag, allow_readonly) == 0)
		ret = 0;
	if (ret < 0) {
		free(buf);
		return -1;
	}
	*path = items[0];
	out->owned = buf;
	return 0;
}

int cli_parse_share(const char *s, unsigned index, struct cli_vhost_user *out)
{
	*out = (struct cli_vhost_user){
		.type = CLI_VHOST_USER_FS, .wait_ms = CLI_VHOST_USER_WAIT_DEFAULT_MS,
	};
	if (parse_path_form(s, "--share", "HOSTDIR[,tag=TAG]", "directory", true, false, out,
			    &out->share_dir) < 0)
		return -1;
	if (out->tag[0] == '\0')
		snprintf(out->tag, sizeof(out->tag), "share%u", index);
	return 0;
}

int cli_parse_vhost_user(const char *s, struct cli_vhost_user *out)
{
	*out = (struct cli_vhost_user){ .wait_ms = CLI_VHOST_USER_WAIT_DEFAULT_MS };
	const char *form = "the forms are fs,socket=PATH,tag=TAG and blk,socket=PATH";
	char *items[8];
	char *buf = malloc(strlen(s) + 1);
	if (!buf)
		return error_set("out of memory");
	int n = split(s, buf, items, 8);
	int ret = -1;
	bool fs = n > 0 && strcmp(items[0], "fs") == 0;
	bool blk = n > 0 && strcmp(items[0], "blk") == 0;
	if (n < 0)
		error_set("--vhost-user: too many settings (%s)", form);
	else if (!fs && !blk)
		error_set("--vhost-user: unknown device type '%s' (%s)", items[0], form);
	else if (parse_settings("--vhost-user", items, n, out, true, fs, false) < 0)
		;
	else if (!out->socket)
		error_set("--vhost-user: no socket=PATH (%s)", form);
	else if (fs && !out->tag[0])
		error_set("--vhost-user: fs needs tag=TAG, the name the guest mounts");
	else
		ret = 0;
	if (ret < 0) {
		free(buf);
		return -1;
	}
	out->type = fs ? CLI_VHOST_USER_FS : CLI_VHOST_USER_BLK;
	out->owned = buf;
	return 0;
}

int cli_parse_disk(const char *s, struct cli_vhost_user *out)
{
	*out = (struct cli_vhost_user){
		.type = CLI_VHOST_USER_BLK, .wait_ms = CLI_VHOST_USER_WAIT_DEFAULT_MS,
	};
	return parse_path_form(s, "--disk", "FILE[,readonly=on]", "file", false, true, out,
			       &out->image);
}
