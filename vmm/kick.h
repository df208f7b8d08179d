/* The signal that makes a thread of minivmm leave a blocking system call:
 * KVM_RUN on a vCPU thread, write() on the console output thread. Its
 * handler does nothing and is installed without SA_RESTART, so the call
 * returns EINTR; threads block it except around the calls it must break. */
#ifndef MINIVMM_VMM_KICK_H
#define MINIVMM_VMM_KICK_H

#include <signal.h>

#define KICK_SIGNAL SIGUSR1

/* Install the (empty) handler. 0, or -1 with the error set. */
int kick_signal_init(void);

/* Let KICK_SIGNAL reach the calling thread. */
void kick_signal_unblock(void);

#endif
