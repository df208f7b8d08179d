/* The seccomp sandbox: after set-up each minivmm thread confines itself to
 * the system calls its kind needs (vmm/sandbox_policy.c), with
 * no_new_privs. Anything else traps: a SIGSYS handler restores the
 * terminal, names the call on stderr and exits with SANDBOX_EXIT_STATUS.
 * docs/robustness.md, "Sandbox".
 *
 * Filters are per thread. seccomp copies a thread's filters into the
 * threads it creates and never into those that already exist (no TSYNC),
 * so the main thread installs its own only after it has started every
 * other thread (vm.c's "sandbox" step, after "vcpu threads"), and each
 * other thread installs its own list at its start, before it does its
 * work: a vCPU thread before its KVM_RUN loop. A thread that some thread
 * with a filter creates would inherit that filter as well, and setting up
 * its own needs calls (rt_sigaction, prctl, seccomp) the main thread's
 * list does not have: start every thread before the "sandbox" step. */
#ifndef MINIVMM_SANDBOX_H
#define MINIVMM_SANDBOX_H

#include "vmm/console.h"
#include "vmm/sandbox_policy.h"

/* Exit status after a forbidden system call: 128 + SIGSYS (31), what a
 * shell reports for a process killed by SIGSYS. */
#define SANDBOX_EXIT_STATUS 159

/* Confine the calling thread to the allowlist of `kind` (the test build's
 * extras included in the test build) and set no_new_privs. Returns 0, or
 * -1 with the error set (a kernel without seccomp filters, say); callers
 * treat that as fatal. */
int sandbox_install(enum sandbox_thread kind);

/* The console the SIGSYS handler restores before it prints (NULL: none).
 * Set once the terminal is in raw mode. */
void sandbox_set_console(struct console *c);

#endif
