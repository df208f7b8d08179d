/* The allowlists. How each entry was found (reading the code paths that
 * run after set-up, then strace -f of boots in the nested test host and
 * the kvm tests with the filters on) is in docs/robustness.md, "Sandbox".
 * Everything not listed is answered with SECCOMP_RET_TRAP: vmm/sandbox.c's
 * SIGSYS handler names the call and minivmm exits with status 159. */
#include "vmm/sandbox_policy.h"

#include <asm/ioctls.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/vhost.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define ALLOW(name) { .nr = __NR_##name, .check = SANDBOX_ANY }
/* ioctl with this request only; the file descriptor is not checked (they
 * are created at run time), the request is. */
#define IOCTL(request)                                                                     \
	{ .nr = __NR_ioctl, .check = SANDBOX_ARG_EQ32, .arg = 1, .value = (request),          \
	  .value_name = #request }
/* Memory may be mapped or re-protected, never made executable. */
#define NO_EXEC(name, argno)                                                               \
	{ .nr = __NR_##name, .check = SANDBOX_ARG_CLEAR, .arg = (argno), .value = PROT_EXEC,  \
	  .value_name = "PROT_EXEC" }
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define LIST(what, rules) { what, rules, COUNT(rules) }

/* Every thread: living, dying, and the SIGSYS handler itself (it restores
 * the terminal, writes its message and exits; a call it made that the
 * filter forbids would kill minivmm without a word). */
static const struct sandbox_rule every_thread[] = {
	ALLOW(write),          /* console output, log lines, eventfds, the handler */
	ALLOW(futex),          /* pthread mutexes (coalesced ring, transport), join */
	ALLOW(clock_gettime),  /* clock_now_ns when the vDSO falls back to the call */
	ALLOW(rt_sigreturn),   /* return from the vCPU kick handler (SIGUSR1) */
	ALLOW(rt_sigprocmask), /* glibc masks signals in thread exit and abort() */
	ALLOW(restart_syscall),
	ALLOW(madvise),        /* thread exit releases its stack, free() trims */
	/* malloc and free anywhere (a thread's first allocation creates its
	 * arena; the vhost memory table at activation is a vCPU's): memory
	 * is mapped and re-protected, never executable */
	NO_EXEC(mmap, 2),
	NO_EXEC(mprotect, 2),
	ALLOW(munmap),
	ALLOW(brk),
	ALLOW(exit),           /* a thread ends */
	ALLOW(exit_group),     /* the process ends; the SIGSYS handler */
	/* abort() (glibc's own consistency checks, assert) raises SIGABRT with
	 * tgkill(getpid(), gettid(), ...): only to this process. */
	ALLOW(getpid),
	ALLOW(gettid),
	{ .nr = __NR_tgkill, .check = SANDBOX_ARG_OWN_PID, .arg = 0, .value_name = "own pid" },
	/* the SIGSYS handler's console_restore: tcsetattr(TCSANOW) is TCSETS,
	 * and glibc reads the settings back (TCGETS) to check them */
	IOCTL(TCSETS),
	IOCTL(TCGETS),
};

/* vCPU threads: KVM_RUN and what the exits reach (vmm/vcpu.c, the buses,
 * the UART, the coalesced ring, the virtio-mmio transport and its slot).
 * The guest's driver may reset vsock and start it again at any time: the
 * transport then stops and restarts the vhost backend from the vCPU
 * thread that wrote Status, so the vhost hand-over is here too. */
static const struct sandbox_rule vcpu_thread[] = {
	IOCTL(KVM_RUN),
	IOCTL(KVM_GET_REGS),  /* register dump of a crashed guest */
	IOCTL(KVM_GET_SREGS),
	IOCTL(KVM_GET_MP_STATE), /* the halt watch's probe (vmm/halt_watch.h) */
	IOCTL(KVM_IRQ_LINE),  /* UART interrupt, a slot's config interrupt */
	IOCTL(KVM_IOEVENTFD), /* a slot's InterruptACK eventfd follows the config IRQ */
	IOCTL(KVM_REGISTER_COALESCED_MMIO),   /* UART THR zone follows IER.ETBEI */
	IOCTL(KVM_UNREGISTER_COALESCED_MMIO),
	/* vhost frontend start (virtio/vhost.c frontend_start) ... */
	IOCTL(VHOST_SET_FEATURES),
	IOCTL(VHOST_SET_MEM_TABLE),
	IOCTL(VHOST_SET_VRING_NUM),
	IOCTL(VHOST_SET_VRING_BASE),
	IOCTL(VHOST_SET_VRING_ADDR),
	IOCTL(VHOST_SET_VRING_KICK),
	IOCTL(VHOST_SET_VRING_CALL),
	IOCTL(VHOST_VSOCK_SET_RUNNING),
	/* virtio-net's start (virtio/vhost_net.c): the tap's header size and
	 * offloads, the tap attached to (and at reset detached from) vhost */
	IOCTL(TUNSETVNETHDRSZ),
	IOCTL(TUNSETOFFLOAD),
	IOCTL(VHOST_NET_SET_BACKEND),
	/* ... and stop (release_rings), on a reset by the guest's driver */
	IOCTL(VHOST_GET_VRING_BASE),
	/* vhost-user devices (virtio/vhost_user.c): the same hand-over as
	 * messages on the backend's socket, each reply awaited with poll;
	 * fds a wrong reply carried are closed. These polls wait on the
	 * socket only: console output goes into the writer thread's buffer
	 * (vmm/console_out.c), it never waits on stdout here. */
	ALLOW(sendmsg),
	ALLOW(recvmsg),
	ALLOW(poll),
	ALLOW(close),
};

/* The main thread: the event loop (vmm/event_loop.c), then the teardown
 * (vm.c's steps unwound: vCPUs kicked and joined, the last ring entries
 * replayed, terminal restored, devices stopped and detached, memory
 * unmapped, files closed, --stats printed). */
static const struct sandbox_rule main_thread[] = {
	ALLOW(read),  /* signalfd, stdin, the stop and ring eventfds */
	ALLOW(poll),
	ALLOW(ppoll),
	ALLOW(close), /* teardown */
	IOCTL(KVM_IRQ_LINE),               /* host input raises the UART interrupt */
	IOCTL(KVM_IOEVENTFD),              /* slots detached: kicks, InterruptACK */
	IOCTL(KVM_IRQFD),                  /* slots detached: interrupt */
	IOCTL(KVM_SET_USER_MEMORY_REGION), /* register pages unmapped */
	/* vhost stopped (virtio_devices_destroy) */
	IOCTL(VHOST_VSOCK_SET_RUNNING),
	IOCTL(VHOST_NET_SET_BACKEND), /* the tap detached before it is closed */
	IOCTL(VHOST_GET_VRING_BASE),
	IOCTL(VHOST_SET_VRING_KICK),
	IOCTL(VHOST_SET_VRING_CALL),
	/* vhost-user devices stopped (GET_VRING_BASE on the socket), then a
	 * backend minivmm started (vmm/backend_daemon.c) is asked to stop,
	 * killed if it will not, reaped, and its socket, log and directory
	 * removed. Signals go through the pidfd taken when it was started,
	 * so they can reach only that child: no kill(2) at all. */
	ALLOW(sendmsg),
	ALLOW(recvmsg),
	ALLOW(pidfd_send_signal),
	/* the end of a backend's log, through the descriptor kept from
	 * start-up, when it ended on its own (vmm/backend_daemon.c) */
	ALLOW(pread64),
	ALLOW(wait4),
	ALLOW(clock_nanosleep),
	ALLOW(nanosleep),
	ALLOW(unlink),
	ALLOW(rmdir),
	/* the terminal, whichever way it is restored (TCSETS and TCGETS are
	 * every thread's) */
	IOCTL(TCSETSW),
	IOCTL(TCSETSF),
};

/* The console output writer: blocking writes to stdout, poll when stdout
 * is non-blocking, futex, exit (all but poll are in every_thread). */
static const struct sandbox_rule console_writer_thread[] = {
	ALLOW(poll),
	ALLOW(ppoll),
};

/* Test build only (build/minivmm-san, MINIVMM_TESTING): what the
 * sanitizer runtime needs, so that its reports and LeakSanitizer's check
 * at exit still come out whole with the filters on (the alternative,
 * ASAN_OPTIONS=detect_leaks=0 in the tests, would give up leak detection
 * in every kvm test), and what the test backends do. None of it is in
 * the shipped filters. Found by running the reports under the filters
 * (tests/unit/test_sandbox.c) with every trap in the kernel log. */
static const struct sandbox_rule test_every_thread[] = {
	/* an ASan or UBSan report, on any thread: the symbolizer reads
	 * /proc/self/maps and the binaries (libbacktrace), the runtime makes
	 * its own system calls (the old ones on x86-64: open, readlink) and
	 * probes memory through a pipe */
	ALLOW(open),
	ALLOW(openat),
	ALLOW(read), /* also the test backend's kick eventfds (vCPU thread) */
	ALLOW(close),
	ALLOW(readlink),
	ALLOW(fcntl),
	ALLOW(newfstatat),
	ALLOW(pipe2),
	ALLOW(sched_yield), /* the runtime's spin locks */
	ALLOW(sigaltstack), /* a thread's alternate signal stack, at its exit */
};

/* LeakSanitizer at exit, on the main thread: a tracer task (clone) that
 * ptrace-stops the threads listed in /proc/self/task (getdents), checks
 * that its parent is alive (getppid, prctl PR_SET_PDEATHSIG), sets up its
 * signal handlers, and waits for them; then the report. */
static const struct sandbox_rule test_main[] = {
	ALLOW(clone),
	ALLOW(ptrace),
	ALLOW(wait4),
	ALLOW(prctl),
	ALLOW(getppid),
	ALLOW(getdents),
	ALLOW(lseek), /* rewinds /proc/self/task between passes */
	ALLOW(rt_sigaction),
};

static const struct sandbox_list lists_every = LIST("every thread", every_thread);
static const struct sandbox_list lists_test_every =
	LIST("every thread, test build", test_every_thread);
static const struct sandbox_list lists_test_main = LIST("main thread, test build", test_main);
static const struct {
	const char *name;
	struct sandbox_list own;
	const struct sandbox_list *test; /* NULL: nothing more in the test build */
} kinds[SANDBOX_THREAD_KINDS] = {
	[SANDBOX_VCPU] = { "vCPU", LIST("vCPU thread", vcpu_thread), NULL },
	[SANDBOX_MAIN] = { "main", LIST("main thread", main_thread), &lists_test_main },
	[SANDBOX_CONSOLE_WRITER] = { "console writer",
				     LIST("console writer thread", console_writer_thread), NULL },
};

size_t sandbox_policy_lists(enum sandbox_thread kind, bool test_build,
			    const struct sandbox_list *out[SANDBOX_LISTS_MAX])
{
	if ((unsigned)kind >= SANDBOX_THREAD_KINDS)
		return 0;
	size_t n = 0;
	out[n++] = &lists_every;
	out[n++] = &kinds[kind].own;
	if (test_build) {
		out[n++] = &lists_test_every;
		if (kinds[kind].test)
			out[n++] = kinds[kind].test;
	}
	return n;
}

static bool rule_matches(const struct sandbox_rule *r, long nr, const uint64_t args[6], long pid)
{
	if (r->nr != nr)
		return false;
	switch (r->check) {
	case SANDBOX_ANY:
		return true;
	case SANDBOX_ARG_EQ32:
		return (args[r->arg] & 0xffffffffu) == r->value;
	case SANDBOX_ARG_CLEAR:
		return (args[r->arg] & r->value) == 0;
	case SANDBOX_ARG_OWN_PID:
		return args[r->arg] == (uint64_t)pid;
	}
	return false;
}

bool sandbox_policy_allows(enum sandbox_thread kind, bool test_build, long nr,
			   const uint64_t args[6], long pid)
{
	const struct sandbox_list *lists[SANDBOX_LISTS_MAX];
	size_t n = sandbox_policy_lists(kind, test_build, lists);
	for (size_t l = 0; l < n; l++)
		for (size_t i = 0; i < lists[l]->count; i++)
			if (rule_matches(&lists[l]->rules[i], nr, args, pid))
				return true;
	return false;
}

const char *sandbox_thread_name(enum sandbox_thread kind)
{
	return (unsigned)kind < SANDBOX_THREAD_KINDS ? kinds[kind].name : "unknown";
}

#define NAME(n) { __NR_##n, #n }
static const struct {
	long nr;
	const char *name;
} syscall_names[] = {
	NAME(read), NAME(write), NAME(open), NAME(close), NAME(stat), NAME(fstat),
	NAME(lstat), NAME(poll), NAME(lseek), NAME(mmap), NAME(mprotect), NAME(munmap),
	NAME(brk), NAME(rt_sigaction), NAME(rt_sigprocmask), NAME(rt_sigreturn), NAME(ioctl),
	NAME(pread64), NAME(pwrite64), NAME(readv), NAME(writev), NAME(access), NAME(pipe),
	NAME(select), NAME(sched_yield), NAME(mremap), NAME(msync), NAME(madvise),
	NAME(dup), NAME(dup2), NAME(nanosleep), NAME(getpid), NAME(sendfile), NAME(socket),
	NAME(connect), NAME(accept), NAME(sendto), NAME(recvfrom), NAME(sendmsg),
	NAME(recvmsg), NAME(bind), NAME(listen), NAME(socketpair), NAME(clone), NAME(fork),
	NAME(vfork), NAME(execve), NAME(exit), NAME(wait4), NAME(kill), NAME(uname),
	NAME(fcntl), NAME(fsync), NAME(ftruncate), NAME(getdents), NAME(chdir), NAME(rename),
	NAME(mkdir), NAME(rmdir), NAME(unlink), NAME(readlink), NAME(chmod), NAME(chown), NAME(getrlimit),
	NAME(ptrace), NAME(getuid), NAME(getppid), NAME(setuid), NAME(setgid),
	NAME(sigaltstack), NAME(prctl), NAME(arch_prctl), NAME(mount), NAME(gettid),
	NAME(tkill), NAME(futex), NAME(sched_getaffinity), NAME(getdents64),
	NAME(set_tid_address), NAME(restart_syscall), NAME(clock_gettime),
	NAME(clock_nanosleep), NAME(exit_group), NAME(tgkill), NAME(openat), NAME(newfstatat),
	NAME(readlinkat), NAME(ppoll), NAME(set_robust_list), NAME(eventfd2), NAME(pipe2),
	NAME(prlimit64), NAME(getrandom), NAME(memfd_create), NAME(seccomp), NAME(bpf),
	NAME(execveat), NAME(statx), NAME(rseq), NAME(clone3), NAME(pidfd_open), NAME(pidfd_send_signal),
	NAME(io_uring_setup), NAME(process_vm_readv), NAME(process_vm_writev),
	NAME(perf_event_open), NAME(userfaultfd), NAME(init_module), NAME(finit_module),
};

const char *sandbox_syscall_name(long nr)
{
	for (size_t i = 0; i < COUNT(syscall_names); i++)
		if (syscall_names[i].nr == nr)
			return syscall_names[i].name;
	return NULL;
}
