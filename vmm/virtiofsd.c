#include "vmm/virtiofsd.h"

#include <errno.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/log.h"

const char *virtiofsd_sandbox(const char *root_fstype)
{
	return root_fstype && strcmp(root_fstype, "rootfs") == 0 ? "chroot" : "namespace";
}

/* The type of the mount at "/" (the last one listed wins: it is on top). */
static void root_fstype(char *out, size_t size)
{
	snprintf(out, size, "unknown");
	FILE *f = setmntent("/proc/self/mounts", "re");
	if (!f)
		return;
	struct mntent *m;
	while ((m = getmntent(f)))
		if (strcmp(m->mnt_dir, "/") == 0)
			snprintf(out, size, "%s", m->mnt_type);
	endmntent(f);
}

int virtiofsd_start(struct backend_daemon *d, unsigned index, const char *dir, unsigned wait_ms)
{
	/* virtiofsd reads -o source=DIR as a comma-separated option list. */
	if (strchr(dir, ','))
		return error_set("--share %s: virtiofsd cannot serve a directory whose name has a "
				 "comma; share a symlink to it without one", dir);
	struct stat st;
	if (stat(dir, &st) < 0)
		return error_errno("--share %s", dir);
	if (!S_ISDIR(st.st_mode))
		return error_set("--share %s: not a directory", dir);
	const char *path = getenv("MINIVMM_VIRTIOFSD");
	if (!path || !*path)
		path = VIRTIOFSD_DEFAULT_PATH;
	if (access(path, X_OK) < 0)
		return error_errno("--share: cannot run virtiofsd at %s (install it: apt-get install "
				   "qemu-system-common; or name it in $MINIVMM_VIRTIOFSD)", path);
	/* virtiofsd switches into the directory with namespaces or chroot and
	 * serves files as their owners: it must run as root. */
	if (geteuid() != 0)
		return error_set("--share %s needs root: virtiofsd must run as root. Run minivmm as "
				 "root (--user USER gives it up after set-up), or start virtiofsd "
				 "yourself and use --vhost-user fs,socket=PATH,tag=TAG", dir);
	char name[32];
	snprintf(name, sizeof(name), "virtiofsd for fs%u", index);
	if (backend_daemon_prepare(d, name, "virtiofsd.sock", "virtiofsd.log") < 0)
		return -1;
	char fstype[32], source[4200], sock[160], sandbox[32];
	root_fstype(fstype, sizeof(fstype));
	snprintf(source, sizeof(source), "source=%s", dir);
	snprintf(sock, sizeof(sock), "--socket-path=%s", d->socket);
	snprintf(sandbox, sizeof(sandbox), "sandbox=%s", virtiofsd_sandbox(fstype));
	log_debug("%s: %s -o %s -o %s (root is %s)", name, sock, source, sandbox, fstype);
	char *argv[] = { (char *)path, sock, "-o", source, "-o", sandbox, NULL };
	if (backend_daemon_start(d, argv, wait_ms) < 0) {
		backend_daemon_stop(d);
		return error_wrap("--share %s", dir);
	}
	return 0;
}
