/* The allowlists of vmm/sandbox_policy.c as seccomp filters (libseccomp),
 * and the SIGSYS handler that reports a forbidden call. */
#include "vmm/sandbox.h"

#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "lib/error.h"

/* The test build (build/minivmm-san) adds what the sanitizer runtime and
 * the test backends need (sandbox_policy.c, "Test build only"). */
#ifdef MINIVMM_TESTING
#define SANDBOX_TEST_BUILD true
#else
#define SANDBOX_TEST_BUILD false
#endif

static _Atomic(struct console *) handler_console;
/* si_code of a SIGSYS from a filter (include/uapi/asm-generic/siginfo.h;
 * glibc's headers do not name it). */
#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif

/* The kind the calling thread installed, for the handler's message. */
static _Thread_local int thread_kind = -1;

void sandbox_set_console(struct console *c)
{
	atomic_store(&handler_console, c);
}

/* --- the SIGSYS handler: async-signal-safe only ----------------------------- */

struct message {
	char buf[640];
	size_t len;
};

static void put(struct message *m, const char *s)
{
	while (*s && m->len < sizeof(m->buf))
		m->buf[m->len++] = *s++;
}

static void put_number(struct message *m, unsigned long v, unsigned base)
{
	char digits[24];
	size_t n = 0;
	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (base == 16)
		put(m, "0x");
	while (n > 0 && m->len < sizeof(m->buf))
		m->buf[m->len++] = digits[--n];
}

/* Only what POSIX lists as async-signal-safe (tcsetattr, write, _exit's
 * system call), no stdio and no libseccomp: the thread may have trapped
 * while holding the malloc or stdio lock. */
static void sigsys_handler(int sig, siginfo_t *info, void *ucontext)
{
	(void)sig;
	struct console *c = atomic_load(&handler_console);
	if (c)
		console_restore(c);

	struct message m = { .len = 0 };
	put(&m, "\r\nminivmm: seccomp: ");
	if (info->si_code != SYS_SECCOMP) {
		put(&m, "SIGSYS from outside the filter (sent by another process?)\r\n");
	} else {
		long nr = info->si_syscall;
		bool native = info->si_arch == AUDIT_ARCH_X86_64;
		const char *name = native ? sandbox_syscall_name(nr) : NULL;
		put(&m, "the ");
		put(&m, thread_kind >= 0 ? sandbox_thread_name(thread_kind) : "unknown");
		put(&m, " thread made system call ");
		put_number(&m, (unsigned long)nr, 10);
		if (name) {
			put(&m, " (");
			put(&m, name);
#if defined(__x86_64__)
			if (nr == __NR_ioctl) {
				const ucontext_t *uc = ucontext;
				put(&m, ", request ");
				put_number(&m, (unsigned long)uc->uc_mcontext.gregs[REG_RSI] &
						       0xffffffffu, 16);
			}
#endif
			put(&m, ")");
		}
		if (!native) {
			put(&m, " of another ABI (audit arch ");
			put_number(&m, info->si_arch, 16);
			put(&m, ")");
		}
		put(&m, ", which its filter forbids\r\n");
		if (native && !name) {
			put(&m, "minivmm: seccomp: look the number up with 'ausyscall ");
			put_number(&m, (unsigned long)nr, 10);
			put(&m, "' or in <asm/unistd_64.h>\r\n");
		}
	}
	put(&m, "minivmm: seccomp: stopping (exit status 159); --no-seccomp turns the sandbox "
		"off, docs/robustness.md (\"Sandbox\") says more\r\n");
	(void)(write(STDERR_FILENO, m.buf, m.len) < 0);
	/* Not exit(): no atexit handlers, no stdio flush, nothing that locks. */
	syscall(SYS_exit_group, SANDBOX_EXIT_STATUS);
	(void)ucontext;
}

/* --- installing a filter ------------------------------------------------------ */

static int add_rule(scmp_filter_ctx ctx, const struct sandbox_rule *r, long pid)
{
	switch (r->check) {
	case SANDBOX_ANY:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, (int)r->nr, 0);
	case SANDBOX_ARG_EQ32:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, (int)r->nr, 1,
					SCMP_CMP(r->arg, SCMP_CMP_MASKED_EQ, 0xffffffffu, r->value));
	case SANDBOX_ARG_CLEAR:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, (int)r->nr, 1,
					SCMP_CMP(r->arg, SCMP_CMP_MASKED_EQ, r->value, 0));
	case SANDBOX_ARG_OWN_PID:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, (int)r->nr, 1,
					SCMP_CMP(r->arg, SCMP_CMP_EQ, (scmp_datum_t)pid));
	}
	return -EINVAL;
}

int sandbox_install(enum sandbox_thread kind)
{
	const struct sandbox_list *lists[SANDBOX_LISTS_MAX];
	size_t nlists = sandbox_policy_lists(kind, SANDBOX_TEST_BUILD, lists);
	if (nlists == 0)
		return error_set("seccomp: unknown thread kind %d", (int)kind);
	const char *who = sandbox_thread_name(kind);

	/* The handler is process-wide; every thread sets the same one before
	 * its filter applies to it. SIGSYS must not be blocked: the kernel
	 * would then kill the process without running the handler. */
	struct sigaction sa = { .sa_sigaction = sigsys_handler, .sa_flags = SA_SIGINFO };
	sigfillset(&sa.sa_mask);
	sigset_t sigsys;
	sigemptyset(&sigsys);
	sigaddset(&sigsys, SIGSYS);
	if (sigaction(SIGSYS, &sa, NULL) < 0 || pthread_sigmask(SIG_UNBLOCK, &sigsys, NULL) != 0)
		return error_errno("seccomp: cannot set up the SIGSYS handler of the %s thread", who);

	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx)
		return error_set("seccomp: cannot create the filter of the %s thread "
				 "(seccomp_init failed)", who);
	const char *step = "no_new_privs";
	const char *what = "";
	/* no_new_privs (libseccomp sets it when it loads the filter): it is
	 * what lets an unprivileged process install a filter, and no execve
	 * could gain privileges anyway. Calls of another ABI (int 0x80, x32)
	 * trap too rather than kill the thread silently. */
	int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
	if (rc == 0) {
		step = "bad-ABI action";
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
	}
#ifdef MINIVMM_TESTING
	/* Test build: every trap also goes to the kernel log (audit type 1326,
	 * "syscall=N"), which names a call even when the thread that made it
	 * had SIGSYS blocked and died without running the handler (as
	 * LeakSanitizer's tracer task does). */
	if (rc == 0) {
		step = "log attribute";
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
	}
#endif
	long pid = getpid();
	for (size_t l = 0; l < nlists && rc == 0; l++)
		for (size_t i = 0; i < lists[l]->count && rc == 0; i++) {
			const struct sandbox_rule *r = &lists[l]->rules[i];
			step = "rule for system call";
			what = r->value_name ? r->value_name : sandbox_syscall_name(r->nr);
			if (!what)
				what = "?";
			rc = add_rule(ctx, r, pid);
		}
	if (rc == 0) {
		step = "seccomp_load";
		what = "";
		thread_kind = (int)kind;
		rc = seccomp_load(ctx);
	}
	/* Frees a few KiB: every thread may (sandbox_policy.c, malloc). */
	seccomp_release(ctx);
	if (rc < 0) {
		thread_kind = -1;
		return error_set("seccomp: cannot install the filter of the %s thread (%s%s%s: %s); "
				 "--no-seccomp runs without the sandbox",
				 who, step, *what ? " " : "", what, strerror(-rc));
	}
	return 0;
}
