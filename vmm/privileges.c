#include "vmm/privileges.h"

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/file.h"

/* A decimal id that uses the whole of [s, end). */
static bool parse_id(const char *s, const char *end, unsigned long *out)
{
	if (s == end || end - s > 10)
		return false;
	unsigned long v = 0;
	for (const char *p = s; p < end; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > 0xfffffffeUL) /* (uid_t)-1 means "unchanged" to setuid */
		return false;
	*out = v;
	return true;
}

/* Field `n` (0-based) of a passwd line [line, eol): start and end. */
static bool field(const char *line, const char *eol, int n, const char **start, const char **end)
{
	const char *p = line;
	for (int i = 0; i < n; i++) {
		p = memchr(p, ':', (size_t)(eol - p));
		if (!p)
			return false;
		p++;
	}
	const char *e = memchr(p, ':', (size_t)(eol - p));
	*start = p;
	*end = e ? e : eol;
	return true;
}

/* The passwd line whose field `key` is [k, k + klen); fills uid and gid. */
static bool find(const char *text, int key, const char *k, size_t klen, unsigned long *uid,
		 unsigned long *gid)
{
	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');
		if (!eol)
			eol = line + strlen(line);
		const char *s, *e, *us, *ue, *gs, *ge;
		if (field(line, eol, key, &s, &e) && (size_t)(e - s) == klen &&
		    memcmp(s, k, klen) == 0 && field(line, eol, 2, &us, &ue) &&
		    field(line, eol, 3, &gs, &ge) && parse_id(us, ue, uid) && parse_id(gs, ge, gid))
			return true;
		line = *eol ? eol + 1 : eol;
	}
	return false;
}

int privileges_lookup(const char *user, const char *passwd_text, uid_t *uid, gid_t *gid)
{
	unsigned long u, g;
	const char *colon = strchr(user, ':');
	const char *end = colon ? colon : user + strlen(user);
	if (parse_id(user, end, &u)) {
		if (colon) {
			if (!parse_id(colon + 1, colon + 1 + strlen(colon + 1), &g))
				return error_set("--user: '%s' is not UID:GID", user);
		} else if (!passwd_text || !find(passwd_text, 2, user, strlen(user), &u, &g)) {
			g = u;
		}
	} else if (colon || !*user) {
		return error_set("--user: '%s' is not a user name, UID or UID:GID", user);
	} else if (!passwd_text || !find(passwd_text, 0, user, strlen(user), &u, &g)) {
		return error_set("--user: no user '%s' in /etc/passwd (give UID:GID instead)", user);
	}
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 0;
}

int privileges_drop(const char *user, uid_t uid, gid_t gid)
{
	/* Supplementary groups first (they may include root's), then the
	 * group while we still may, then the user. */
	if (setgroups(1, &gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
		if (errno == EPERM)
			return error_set("--user %s: changing user needs root (CAP_SETUID and "
					 "CAP_SETGID); run minivmm as root, or without --user",
					 user);
		return error_errno("--user %s", user);
	}
	if (uid != 0 && setuid(0) == 0)
		return error_set("--user %s: root could be taken back; refusing to run", user);
	return 0;
}

int privileges_become(const char *user)
{
	uint8_t *text = NULL;
	size_t size = 0;
	char *passwd = NULL;
	if (file_read_all("/etc/passwd", "--user", 16u << 20, &text, &size) == 0) {
		passwd = malloc(size + 1);
		if (passwd) {
			memcpy(passwd, text, size);
			passwd[size] = '\0';
		}
	}
	free(text);
	uid_t uid;
	gid_t gid;
	int r = privileges_lookup(user, passwd, &uid, &gid);
	free(passwd);
	return r < 0 ? -1 : privileges_drop(user, uid, gid);
}
