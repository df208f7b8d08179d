#include "vmm/kick.h"

#include <pthread.h>

#include "lib/error.h"

static void kick_handler(int sig)
{
	(void)sig; /* only there so the blocking call returns EINTR */
}

int kick_signal_init(void)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	sigemptyset(&sa.sa_mask);
	if (sigaction(KICK_SIGNAL, &sa, NULL) < 0)
		return error_errno("sigaction");
	return 0;
}

void kick_signal_unblock(void)
{
	sigset_t kick;
	sigemptyset(&kick);
	sigaddset(&kick, KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
}
