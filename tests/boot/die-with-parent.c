/* die-with-parent COMMAND [ARG...]: run COMMAND so that it receives SIGTERM
 * when the process that started it dies, however that process dies.
 *
 * The nested test host's QEMU runs in a session of its own (setsid), so a
 * test runner that kills the script's process group does not reach it; a
 * script killed with SIGKILL cannot run its clean-up trap either. The
 * kernel's parent-death signal (prctl PR_SET_PDEATHSIG, kept across exec)
 * covers both: QEMU stops politely on SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	if (argc < 2) {
		fprintf(stderr, "usage: die-with-parent COMMAND [ARG...]\n");
		return 2;
	}
	pid_t parent = getppid();
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0) {
		perror("die-with-parent: prctl(PR_SET_PDEATHSIG)");
		return 126;
	}
	/* The parent may have died before the prctl: then nothing would come. */
	if (getppid() != parent) {
		fprintf(stderr, "die-with-parent: the parent process is gone; not starting %s\n",
			argv[1]);
		return 125;
	}
	execvp(argv[1], argv + 1);
	perror("die-with-parent: exec");
	return 127;
}
