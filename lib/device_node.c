#include "lib/device_node.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/file.h"

/* The name of group gid from /etc/group ("name:x:gid:members"), without
 * NSS (minivmm is also linked statically). */
static void group_name(unsigned long gid, char *out, size_t size)
{
	uint8_t *text = NULL;
	size_t len = 0;
	out[0] = '\0';
	char saved[ERROR_MAX];
	snprintf(saved, sizeof(saved), "%s", error_message());
	int r = file_read_all("/etc/group", "group file", 1 << 20, &text, &len);
	error_set("%s", saved); /* a missing /etc/group is not the error */
	if (r < 0)
		return;
	char *s = realloc(text, len + 1);
	if (!s) {
		free(text);
		return;
	}
	s[len] = '\0';
	for (char *line = s; *line;) {
		char *eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 && strtoul(c2 + 1, NULL, 10) == gid && c2[1] >= '0' && c2[1] <= '9' &&
		    (size_t)(c1 - line) < size) {
			memcpy(out, line, (size_t)(c1 - line));
			out[c1 - line] = '\0';
			break;
		}
		if (!eol)
			break;
		line = eol + 1;
	}
	free(s);
}

void device_node_facts(const char *path, struct device_node_facts *f)
{
	struct stat st;
	*f = (struct device_node_facts){ .my_uid = (unsigned long)getuid() };
	if (stat(path, &st) < 0)
		return;
	f->exists = true;
	f->mode = st.st_mode & 07777;
	f->uid = st.st_uid;
	f->gid = st.st_gid;
	group_name(f->gid, f->group, sizeof(f->group));
}

void device_node_denied_message(char *buf, size_t size, const char *path,
				const char *kernel_name, const struct device_node_facts *f)
{
	if (!f->exists) {
		snprintf(buf, size, "%s: permission denied", path);
		return;
	}
	char group[80];
	if (f->group[0])
		snprintf(group, sizeof(group), "%s", f->group);
	else
		snprintf(group, sizeof(group), "%lu", f->gid);
	if ((f->mode & 060) == 060 && f->gid != 0)
		/* The group may read and write: joining it is the fix. */
		snprintf(buf, size,
			 "%s: permission denied for uid %lu (the node is uid %lu, group %s, mode "
			 "%04o): add the user to group '%s' (adduser USER %s; log in again)",
			 path, f->my_uid, f->uid, group, f->mode, group, group);
	else
		snprintf(buf, size,
			 "%s: permission denied for uid %lu (the node is uid %lu, group %s, mode "
			 "%04o): give a group read-write access with a udev rule, e.g. "
			 "KERNEL==\"%s\", GROUP=\"kvm\", MODE=\"0660\" in "
			 "/etc/udev/rules.d/65-minivmm.rules, and add the user to that group",
			 path, f->my_uid, f->uid, group, f->mode, kernel_name);
}
