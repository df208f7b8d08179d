/* The seccomp allowlists, as data: which system calls (and which ioctl
 * requests) each kind of minivmm thread may make once its set-up is done.
 * Pure: vmm/sandbox.c turns the lists into libseccomp rules, the unit
 * tests (tests/unit/test_sandbox_policy.c) read them, and
 * docs/robustness.md ("Sandbox") explains where each entry comes from. */
#ifndef MINIVMM_SANDBOX_POLICY_H
#define MINIVMM_SANDBOX_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sandbox_thread {
	SANDBOX_VCPU,           /* vmm/vcpu.c vcpu_thread: KVM_RUN and the exits */
	SANDBOX_MAIN,           /* the event loop, then the teardown */
	SANDBOX_CONSOLE_WRITER, /* the console output writer: write, poll, exit */
	SANDBOX_THREAD_KINDS,
};

/* What a rule looks at besides the system call number. */
enum sandbox_check {
	SANDBOX_ANY,            /* the call is allowed whatever its arguments */
	SANDBOX_ARG_EQ32,       /* low 32 bits of arg == value (ioctl requests: the
				 * kernel reads the request as an unsigned int) */
	SANDBOX_ARG_CLEAR,      /* arg & value == 0 (mmap without PROT_EXEC) */
	SANDBOX_ARG_OWN_PID,    /* arg == the process's pid (tgkill in this process) */
};

struct sandbox_rule {
	long nr;                /* __NR_... (x86-64) */
	enum sandbox_check check;
	unsigned arg;           /* which argument, 0 to 5 */
	uint64_t value;
	const char *value_name; /* "KVM_RUN", "PROT_EXEC", ... */
};

struct sandbox_list {
	const char *what;       /* "every thread", "vCPU thread", ... */
	const struct sandbox_rule *rules;
	size_t count;
};

/* At most this many lists make up one kind's allowlist. */
#define SANDBOX_LISTS_MAX 4

/* The lists whose union is the allowlist of `kind`: the one every thread
 * shares, the kind's own, and with `test_build` what the test build adds
 * for every thread and for the kind (sanitizer runtime, test backends).
 * A call may be in several lists. Returns how many lists were stored in
 * out (0 for an unknown kind). */
size_t sandbox_policy_lists(enum sandbox_thread kind, bool test_build,
			    const struct sandbox_list *out[SANDBOX_LISTS_MAX]);

/* Whether the allowlist of `kind` lets system call `nr` through with these
 * arguments, as the installed filter decides (pid: the process's). */
bool sandbox_policy_allows(enum sandbox_thread kind, bool test_build, long nr,
			   const uint64_t args[6], long pid);

/* "vCPU", "main", "console writer"; "unknown" otherwise. */
const char *sandbox_thread_name(enum sandbox_thread kind);

/* The x86-64 name of system call nr, from a small static table (every call
 * in the allowlists and the usual suspects: socket, execve, open, ...), or
 * NULL. Async-signal-safe: the SIGSYS handler names the call with it. */
const char *sandbox_syscall_name(long nr);

#endif
