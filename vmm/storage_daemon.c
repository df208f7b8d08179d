#include "vmm/storage_daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/log.h"

bool storage_daemon_escape(const char *value, char *out, size_t size)
{
	size_t n = 0;
	for (const char *p = value; *p; p++) {
		size_t need = *p == ',' ? 2 : 1;
		if (n + need >= size)
			return false;
		out[n++] = *p;
		if (*p == ',')
			out[n++] = ',';
	}
	if (n >= size)
		return false;
	out[n] = '\0';
	return true;
}

int storage_daemon_start(struct backend_daemon *d, unsigned index, const char *image,
			 bool readonly, unsigned wait_ms)
{
	/* The image must be there, and writable unless read-only: found
	 * here, the message can say so plainly. */
	if (access(image, readonly ? R_OK : R_OK | W_OK) < 0)
		return error_errno("--disk %s%s", image, readonly ? "" : " (read-write)");
	struct stat st;
	if (stat(image, &st) == 0 && S_ISDIR(st.st_mode))
		return error_set("--disk %s: a directory, not a disk image (--share shares a "
				 "directory)", image);
	const char *path = getenv("MINIVMM_QEMU_STORAGE_DAEMON");
	if (!path || !*path)
		path = STORAGE_DAEMON_DEFAULT_PATH;
	if (access(path, X_OK) < 0)
		return error_errno("--disk: cannot run qemu-storage-daemon at %s (install it: "
				   "apt-get install qemu-system-common; or name it in "
				   "$MINIVMM_QEMU_STORAGE_DAEMON)", path);
	char name[40];
	snprintf(name, sizeof(name), "qemu-storage-daemon for blk%u", index);
	if (backend_daemon_prepare(d, name, "blk.sock", "qemu-storage-daemon.log") < 0)
		return -1;
	char file[4200], blockdev[4300], export[400];
	if (!storage_daemon_escape(image, file, sizeof(file)))
		return error_set("--disk: the file name is too long");
	snprintf(blockdev, sizeof(blockdev), "driver=file,node-name=disk0,filename=%s%s", file,
		 readonly ? ",read-only=on" : "");
	snprintf(export, sizeof(export),
		 "type=vhost-user-blk,id=export0,node-name=disk0,addr.type=unix,addr.path=%s,"
		 "writable=%s",
		 d->socket, readonly ? "off" : "on");
	log_debug("%s: --blockdev %s --export %s", name, blockdev, export);
	char *argv[] = { (char *)path, "--blockdev", blockdev, "--export", export, NULL };
	if (backend_daemon_start(d, argv, wait_ms) < 0) {
		backend_daemon_stop(d);
		return error_wrap("--disk %s", image);
	}
	return 0;
}
