/* The seccomp allowlists as data (vmm/sandbox_policy.c): what each thread
 * kind may and may not do. */
#include <asm/ioctls.h>
#include <criterion/criterion.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/vhost.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "vmm/sandbox_policy.h"

#define PID 4242L

static bool allows(enum sandbox_thread kind, long nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	const uint64_t args[6] = { a0, a1, a2 };
	return sandbox_policy_allows(kind, false, nr, args, PID);
}

static bool allows_test_build(enum sandbox_thread kind, long nr)
{
	const uint64_t args[6] = { 0 };
	return sandbox_policy_allows(kind, true, nr, args, PID);
}

static bool ioctl_ok(enum sandbox_thread kind, unsigned long request)
{
	return allows(kind, __NR_ioctl, 3, request, 0);
}

static const enum sandbox_thread all_kinds[] = { SANDBOX_VCPU, SANDBOX_MAIN,
						  SANDBOX_CONSOLE_WRITER };

Test(sandbox_policy, every_kind_has_its_lists)
{
	const struct sandbox_list *lists[SANDBOX_LISTS_MAX];
	for (size_t k = 0; k < 3; k++) {
		cr_assert_eq(sandbox_policy_lists(all_kinds[k], false, lists), 2);
		cr_assert_geq(sandbox_policy_lists(all_kinds[k], true, lists), 3);
		cr_assert_neq(strcmp(sandbox_thread_name(all_kinds[k]), "unknown"), 0);
	}
	cr_assert_eq(sandbox_policy_lists(SANDBOX_THREAD_KINDS, false, lists), 0);
	cr_assert_str_eq(sandbox_thread_name(SANDBOX_THREAD_KINDS), "unknown");
}

/* The SIGSYS handler restores the terminal (TCSETS, then glibc's TCGETS
 * to check), writes and exits: a
 * call it needs that a filter forbade would kill minivmm silently. So do
 * the basics of any thread's life: the kick handler's return, thread exit. */
Test(sandbox_policy, every_kind_allows_the_handler_and_thread_life)
{
	for (size_t k = 0; k < 3; k++) {
		enum sandbox_thread t = all_kinds[k];
		cr_assert(allows(t, __NR_write, 2, 0, 0));
		cr_assert(ioctl_ok(t, TCSETS), "kind %s", sandbox_thread_name(t));
		cr_assert(ioctl_ok(t, TCGETS), "kind %s", sandbox_thread_name(t));
		cr_assert(allows(t, __NR_exit_group, 159, 0, 0));
		cr_assert(allows(t, __NR_exit, 0, 0, 0));
		cr_assert(allows(t, __NR_rt_sigreturn, 0, 0, 0));
		cr_assert(allows(t, __NR_futex, 0, 0, 0));
		cr_assert(allows(t, __NR_madvise, 0, 0, 0));
	}
}

/* What an attacker who took over a thread would want first. */
Test(sandbox_policy, nobody_may_open_exec_fork_or_connect)
{
	const long forbidden[] = {
		__NR_socket, __NR_connect, __NR_open, __NR_openat, __NR_execve, __NR_execveat,
		__NR_fork, __NR_vfork, __NR_clone, __NR_clone3, __NR_ptrace, __NR_kill,
		__NR_mount, __NR_setuid, __NR_bpf, __NR_process_vm_writev, __NR_memfd_create,
		__NR_getppid, __NR_seccomp, __NR_prctl, __NR_rt_sigaction,
	};
	for (size_t k = 0; k < 3; k++)
		for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++)
			cr_assert_not(allows(all_kinds[k], forbidden[i], 0, 0, 0), "%s may %s",
				      sandbox_thread_name(all_kinds[k]),
				      sandbox_syscall_name(forbidden[i]));
	/* --test-forbidden-syscall relies on it in the test build too. */
	for (size_t k = 0; k < 3; k++)
		cr_assert_not(allows_test_build(all_kinds[k], __NR_socket));
}

Test(sandbox_policy, memory_never_becomes_executable)
{
	for (size_t k = 0; k < 3; k++) {
		enum sandbox_thread t = all_kinds[k];
		cr_assert(allows(t, __NR_mmap, 0, 4096, PROT_READ | PROT_WRITE));
		cr_assert_not(allows(t, __NR_mmap, 0, 4096, PROT_READ | PROT_EXEC));
		cr_assert(allows(t, __NR_mprotect, 0, 4096, PROT_NONE));
		cr_assert_not(allows(t, __NR_mprotect, 0, 4096, PROT_EXEC));
	}
}

Test(sandbox_policy, signals_only_to_this_process)
{
	cr_assert(allows(SANDBOX_MAIN, __NR_tgkill, PID, 77, 10));
	cr_assert_not(allows(SANDBOX_MAIN, __NR_tgkill, 1, 77, 10));
	cr_assert_not(allows(SANDBOX_VCPU, __NR_tgkill, PID + 1, 77, 6));
}

Test(sandbox_policy, vcpu_runs_the_guest)
{
	const unsigned long vcpu_ioctls[] = {
		KVM_RUN, KVM_GET_REGS, KVM_GET_SREGS, KVM_IRQ_LINE, KVM_IOEVENTFD,
		KVM_REGISTER_COALESCED_MMIO, KVM_UNREGISTER_COALESCED_MMIO,
	};
	for (size_t i = 0; i < sizeof(vcpu_ioctls) / sizeof(vcpu_ioctls[0]); i++)
		cr_assert(ioctl_ok(SANDBOX_VCPU, vcpu_ioctls[i]), "request %#lx", vcpu_ioctls[i]);
	/* Set-up only: never again once the guest runs. */
	cr_assert_not(ioctl_ok(SANDBOX_VCPU, KVM_SET_REGS));
	cr_assert_not(ioctl_ok(SANDBOX_VCPU, KVM_SET_SREGS));
	cr_assert_not(ioctl_ok(SANDBOX_VCPU, KVM_SET_CPUID2));
	cr_assert_not(ioctl_ok(SANDBOX_VCPU, KVM_CREATE_VCPU));
	cr_assert_not(ioctl_ok(SANDBOX_VCPU, KVM_SET_USER_MEMORY_REGION));
	cr_assert_not(ioctl_ok(SANDBOX_VCPU, KVM_IRQFD));
	cr_assert_not(allows(SANDBOX_VCPU, __NR_read, 3, 0, 0));
}

/* The guest's driver can reset vsock and start it again while the VM
 * runs; the transport does both from the vCPU thread that wrote Status. */
Test(sandbox_policy, vcpu_can_restart_vhost_after_a_guest_reset)
{
	const unsigned long vhost[] = {
		VHOST_SET_FEATURES, VHOST_SET_MEM_TABLE, VHOST_SET_VRING_NUM,
		VHOST_SET_VRING_BASE, VHOST_SET_VRING_ADDR, VHOST_SET_VRING_KICK,
		VHOST_SET_VRING_CALL, VHOST_GET_VRING_BASE, VHOST_VSOCK_SET_RUNNING,
		KVM_IOEVENTFD, /* the InterruptACK eventfd follows the config interrupt */
	};
	for (size_t i = 0; i < sizeof(vhost) / sizeof(vhost[0]); i++)
		cr_assert(ioctl_ok(SANDBOX_VCPU, vhost[i]), "request %#lx", vhost[i]);
	/* virtio-net: the tap configured and attached to vhost again. */
	cr_assert(ioctl_ok(SANDBOX_VCPU, TUNSETVNETHDRSZ));
	cr_assert(ioctl_ok(SANDBOX_VCPU, TUNSETOFFLOAD));
	cr_assert(ioctl_ok(SANDBOX_VCPU, VHOST_NET_SET_BACKEND));
	cr_assert_not(ioctl_ok(SANDBOX_VCPU, TUNSETIFF), "the tap cannot change");
	cr_assert_not(ioctl_ok(SANDBOX_VCPU, TUNSETPERSIST));
	/* Open-time calls stay forbidden: the CID cannot change. */
	cr_assert_not(ioctl_ok(SANDBOX_VCPU, VHOST_SET_OWNER));
	cr_assert_not(ioctl_ok(SANDBOX_VCPU, VHOST_VSOCK_SET_GUEST_CID));
	cr_assert_not(ioctl_ok(SANDBOX_VCPU, VHOST_GET_FEATURES));
}

Test(sandbox_policy, main_loop_and_teardown)
{
	cr_assert(allows(SANDBOX_MAIN, __NR_read, 0, 0, 0));
	cr_assert(allows(SANDBOX_MAIN, __NR_poll, 0, 0, 0));
	cr_assert(allows(SANDBOX_MAIN, __NR_close, 5, 0, 0));
	cr_assert(allows(SANDBOX_MAIN, __NR_munmap, 0, 0, 0));
	const unsigned long teardown[] = {
		KVM_IRQ_LINE, KVM_IOEVENTFD, KVM_IRQFD, KVM_SET_USER_MEMORY_REGION,
		VHOST_VSOCK_SET_RUNNING, VHOST_GET_VRING_BASE, VHOST_SET_VRING_KICK,
		VHOST_SET_VRING_CALL, TCGETS, TCSETS, TCSETSW, TCSETSF, VHOST_NET_SET_BACKEND,
	};
	for (size_t i = 0; i < sizeof(teardown) / sizeof(teardown[0]); i++)
		cr_assert(ioctl_ok(SANDBOX_MAIN, teardown[i]), "request %#lx", teardown[i]);
	cr_assert_not(ioctl_ok(SANDBOX_MAIN, KVM_RUN));
	cr_assert_not(ioctl_ok(SANDBOX_MAIN, KVM_CREATE_VM));
	cr_assert_not(ioctl_ok(SANDBOX_MAIN, VHOST_SET_MEM_TABLE));
	cr_assert_not(ioctl_ok(SANDBOX_MAIN, TIOCSTI)); /* typing into the terminal */
}

/* vhost-user (virtio/vhost_user.c): a vCPU that writes DRIVER_OK or a
 * reset hands the rings over in messages on the backend's socket and
 * waits for each reply with poll; fds a wrong reply carried are closed.
 * The main thread talks to the backends at teardown. The console writer
 * never talks to a backend. */
Test(sandbox_policy, vhost_user_messages_from_vcpu_and_main_only)
{
	const long calls[] = { __NR_sendmsg, __NR_recvmsg };
	for (size_t i = 0; i < 2; i++) {
		cr_assert(allows(SANDBOX_VCPU, calls[i], 7, 0, 0), "%s",
			  sandbox_syscall_name(calls[i]));
		cr_assert(allows(SANDBOX_MAIN, calls[i], 7, 0, 0), "%s",
			  sandbox_syscall_name(calls[i]));
		cr_assert_not(allows(SANDBOX_CONSOLE_WRITER, calls[i], 7, 0, 0), "%s",
			      sandbox_syscall_name(calls[i]));
	}
	cr_assert(allows(SANDBOX_VCPU, __NR_poll, 0, 1, 1000), "the reply is awaited with poll");
	cr_assert(allows(SANDBOX_VCPU, __NR_close, 9, 0, 0), "an fd a wrong reply carried");
	/* Still no new sockets or connections, on any thread. */
	for (size_t k = 0; k < 3; k++) {
		cr_assert_not(allows(all_kinds[k], __NR_connect, 7, 0, 0));
		cr_assert_not(allows(all_kinds[k], __NR_socket, 1, 1, 0));
		cr_assert_not(allows(all_kinds[k], __NR_sendto, 7, 0, 0));
	}
}

/* A backend minivmm started (--share: virtiofsd) is asked to stop and, if
 * it will not, killed, through the pidfd minivmm holds for it: kill(2),
 * which could reach any process (kill(-1, ...)), is never allowed; only
 * the main thread signals. */
Test(sandbox_policy, main_signals_a_backend_only_through_its_pidfd)
{
	cr_assert(allows(SANDBOX_MAIN, __NR_pidfd_send_signal, 9, SIGTERM, 0));
	cr_assert(allows(SANDBOX_MAIN, __NR_pidfd_send_signal, 9, SIGKILL, 0));
	for (size_t k = 0; k < 3; k++)
		cr_assert_not(allows(all_kinds[k], __NR_kill, 1234, SIGKILL, 0));
	cr_assert_not(allows(SANDBOX_MAIN, __NR_kill, (uint64_t)-1, SIGKILL, 0));
	cr_assert_not(allows(SANDBOX_VCPU, __NR_pidfd_send_signal, 9, SIGTERM, 0));
	cr_assert_not(allows(SANDBOX_CONSOLE_WRITER, __NR_pidfd_send_signal, 9, SIGKILL, 0));
	/* Waiting for it to go and reaping it: the main thread only. */
	const long reap[] = { __NR_wait4, __NR_nanosleep, __NR_clock_nanosleep };
	for (size_t i = 0; i < 3; i++) {
		cr_assert(allows(SANDBOX_MAIN, reap[i], 0, 0, 0), "%s",
			  sandbox_syscall_name(reap[i]));
		cr_assert_not(allows(SANDBOX_VCPU, reap[i], 0, 0, 0), "%s",
			      sandbox_syscall_name(reap[i]));
		cr_assert_not(allows(SANDBOX_CONSOLE_WRITER, reap[i], 0, 0, 0), "%s",
			      sandbox_syscall_name(reap[i]));
	}
}

/* Its socket, log and private directory are removed by the main thread
 * at teardown; no vCPU or writer may remove files. */
Test(sandbox_policy, only_main_removes_files)
{
	const long calls[] = { __NR_unlink, __NR_rmdir };
	for (size_t i = 0; i < 2; i++) {
		const char *name = sandbox_syscall_name(calls[i]);
		cr_assert_not_null(name);
		cr_assert(allows(SANDBOX_MAIN, calls[i], 0x1000, 0, 0), "%s", name);
		cr_assert_not(allows(SANDBOX_VCPU, calls[i], 0x1000, 0, 0), "%s", name);
		cr_assert_not(allows(SANDBOX_CONSOLE_WRITER, calls[i], 0x1000, 0, 0), "%s", name);
	}
	cr_assert_str_eq(sandbox_syscall_name(__NR_rmdir), "rmdir");
	/* Nor any other file-system change. */
	cr_assert_not(allows(SANDBOX_MAIN, __NR_unlinkat, 0, 0, 0));
	cr_assert_not(allows(SANDBOX_MAIN, __NR_rename, 0, 0, 0));
	cr_assert_not(allows(SANDBOX_MAIN, __NR_mkdir, 0, 0, 0));
}

/* The request is compared on its low 32 bits, as the kernel reads it, so
 * a sign-extended request is the same request. */
Test(sandbox_policy, ioctl_request_is_32_bits)
{
	uint64_t get_regs = KVM_GET_REGS;
	cr_assert(get_regs & 0x80000000u);
	cr_assert(ioctl_ok(SANDBOX_VCPU, get_regs | 0xffffffff00000000ull));
	cr_assert_not(ioctl_ok(SANDBOX_VCPU, get_regs + 1));
}

Test(sandbox_policy, console_writer_writes_and_waits)
{
	cr_assert(allows(SANDBOX_CONSOLE_WRITER, __NR_write, 1, 0, 0));
	cr_assert(allows(SANDBOX_CONSOLE_WRITER, __NR_poll, 0, 0, 0));
	cr_assert(allows(SANDBOX_CONSOLE_WRITER, __NR_futex, 0, 0, 0));
	cr_assert(allows(SANDBOX_CONSOLE_WRITER, __NR_exit, 0, 0, 0));
	cr_assert_not(allows(SANDBOX_CONSOLE_WRITER, __NR_read, 0, 0, 0));
	cr_assert_not(ioctl_ok(SANDBOX_CONSOLE_WRITER, KVM_RUN));
	cr_assert_not(ioctl_ok(SANDBOX_CONSOLE_WRITER, KVM_IRQ_LINE));
}

/* The test build's extras: sanitizer reports on every thread,
 * LeakSanitizer's tracer at exit on the main thread only, and none of it
 * in the shipped filters. */
Test(sandbox_policy, test_build_extras_only_in_the_test_build)
{
	cr_assert(allows_test_build(SANDBOX_MAIN, __NR_clone));
	cr_assert(allows_test_build(SANDBOX_MAIN, __NR_ptrace));
	cr_assert_not(allows(SANDBOX_MAIN, __NR_clone, 0, 0, 0));
	cr_assert_not(allows(SANDBOX_MAIN, __NR_ptrace, 0, 0, 0));
	cr_assert_not(allows_test_build(SANDBOX_VCPU, __NR_ptrace));
	cr_assert_not(allows_test_build(SANDBOX_CONSOLE_WRITER, __NR_clone));
	for (size_t k = 0; k < 3; k++) {
		cr_assert(allows_test_build(all_kinds[k], __NR_readlink));
		cr_assert(allows_test_build(all_kinds[k], __NR_sched_yield));
		cr_assert_not(allows(all_kinds[k], __NR_sched_yield, 0, 0, 0));
		cr_assert_not(allows(all_kinds[k], __NR_readlink, 0, 0, 0));
		cr_assert_not(allows_test_build(all_kinds[k], __NR_execve));
	}
}

/* Every rule is well formed and named, and no list names a rule twice
 * (a call may be in several lists: libseccomp merges them). */
Test(sandbox_policy, rules_are_named_and_not_repeated)
{
	for (size_t k = 0; k < 3; k++) {
		const struct sandbox_list *lists[SANDBOX_LISTS_MAX];
		size_t n = sandbox_policy_lists(all_kinds[k], true, lists);
		for (size_t l = 0; l < n; l++) {
			const struct sandbox_list *list = lists[l];
			cr_assert_not_null(list->what);
			cr_assert_gt(list->count, 0);
			for (size_t i = 0; i < list->count; i++) {
				const struct sandbox_rule *r = &list->rules[i];
				cr_assert_not_null(sandbox_syscall_name(r->nr), "call %ld unnamed", r->nr);
				cr_assert_leq(r->arg, 5);
				if (r->check != SANDBOX_ANY)
					cr_assert_not_null(r->value_name);
				for (size_t j = 0; j < i; j++) {
					const struct sandbox_rule *o = &list->rules[j];
					cr_assert(o->nr != r->nr || o->check != r->check ||
							  o->value != r->value,
						  "%s: %s %s listed twice", list->what,
						  sandbox_syscall_name(r->nr),
						  r->value_name ? r->value_name : "");
				}
			}
		}
	}
}

Test(sandbox_policy, syscall_names)
{
	cr_assert_str_eq(sandbox_syscall_name(__NR_socket), "socket");
	cr_assert_str_eq(sandbox_syscall_name(41), "socket");
	cr_assert_str_eq(sandbox_syscall_name(__NR_ioctl), "ioctl");
	cr_assert_str_eq(sandbox_syscall_name(__NR_execve), "execve");
	cr_assert_null(sandbox_syscall_name(-1));
	cr_assert_null(sandbox_syscall_name(100000));
}
