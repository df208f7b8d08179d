/* minivmm's exit statuses: the contract a CI job relies on (README.md
 * "Exit status", docs/ci.md). Bands, so that a script can always tell the
 * guest's verdict from a crash, from minivmm's own failure, from a runner
 * that cannot run VMs at all:
 *
 *   0        the guest passed (wrote 0 to the exit port) or powered off,
 *            rebooted, or Ctrl-A x
 *   1        the guest kernel crashed (panic, triple fault, KVM could not run it)
 *   2        usage error (the command line)
 *   3        the guest halted for good: every vCPU halted with interrupts off
 *   4        minivmm failed (a bad kernel file, an unexpected system error)
 *   10-19    this runner cannot run VMs (the environment, not the test)
 *   65-127   the guest's test failed with N: 64 + N (N of 63 or more: 127)
 *   128+N    stopped by signal N (159 = 128 + SIGSYS: the seccomp sandbox)
 */
#ifndef MINIVMM_LIB_EXIT_STATUS_H
#define MINIVMM_LIB_EXIT_STATUS_H

enum exit_status {
	EXIT_PASSED = 0,
	EXIT_GUEST_CRASHED = 1,
	EXIT_USAGE = 2,
	EXIT_GUEST_HALTED = 3,
	EXIT_VMM_FAILED = 4,
	/* This runner cannot run VMs. */
	EXIT_NO_KVM = 10,           /* no /dev/kvm */
	EXIT_KVM_DENIED = 11,       /* /dev/kvm not permitted */
	EXIT_KVM_UNUSABLE = 12,     /* KVM lacks what minivmm needs, or is busy */
	EXIT_NO_VHOST_VSOCK = 13,   /* no /dev/vhost-vsock (module not loaded) */
	EXIT_VHOST_VSOCK_DENIED = 14, /* /dev/vhost-vsock not permitted */
	EXIT_VSOCK_BUSY = 15,       /* another host transport holds vsock */
	EXIT_CID_TAKEN = 16,        /* the vsock CID is in use */
	EXIT_RUNNER_FIRST = 10,
	EXIT_RUNNER_LAST = 19,
	/* The guest's verdict N > 0 through the exit port. */
	EXIT_GUEST_FAILED_BASE = 64,
	EXIT_GUEST_FAILED_MAX = 127,
	EXIT_SIGNAL_BASE = 128,
};

/* The exit status for the guest's verdict `value` (written to the exit port). */
static inline int exit_status_for_verdict(unsigned value)
{
	if (value == 0)
		return EXIT_PASSED;
	if (value >= EXIT_GUEST_FAILED_MAX - EXIT_GUEST_FAILED_BASE)
		return EXIT_GUEST_FAILED_MAX;
	return EXIT_GUEST_FAILED_BASE + (int)value;
}

#endif
