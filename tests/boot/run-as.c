/* run-as UID:GID COMMAND [ARG...]: run COMMAND as that user and group, with
 * no supplementary groups (the nested test host's busybox has no setuidgid).
 * For the boot tests that show minivmm needs no root: a user who may open
 * /dev/kvm and /dev/vhost-vsock is enough. */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	unsigned long uid, gid;
	char *end;
	if (argc < 3) {
		fprintf(stderr, "usage: run-as UID:GID COMMAND [ARG...]\n");
		return 2;
	}
	uid = strtoul(argv[1], &end, 10);
	if (*end != ':') {
		fprintf(stderr, "run-as: '%s' is not UID:GID\n", argv[1]);
		return 2;
	}
	gid = strtoul(end + 1, &end, 10);
	if (*end != '\0') {
		fprintf(stderr, "run-as: '%s' is not UID:GID\n", argv[1]);
		return 2;
	}
	if (setgroups(0, NULL) < 0 || setgid((gid_t)gid) < 0 || setuid((uid_t)uid) < 0) {
		perror("run-as");
		return 126;
	}
	execvp(argv[2], argv + 2);
	perror("run-as: exec");
	return 127;
}
