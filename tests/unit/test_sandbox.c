/* The real filters (vmm/sandbox.c), installed in a forked child: allowed
 * calls go through, a forbidden one ends the child with status 159 and a
 * message naming it, the terminal is restored first. This build is the
 * test build, so the filters include the sanitizer runtime's extras, and
 * a child that exits normally runs LeakSanitizer's check under its filter. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "lib/error.h"
#include "vmm/console.h"
#include "vmm/sandbox.h"

/* Status of a child that could not install a filter (no seccomp here). */
#define NO_SECCOMP 77

struct child {
	int status;
	char err[4096];
};

/* Run fn in a child with stderr to a pipe; collect status and stderr. */
static struct child run_child(void (*fn)(void *), void *arg)
{
	struct child c = { .status = -1 };
	int p[2];
	cr_assert_eq(pipe(p), 0);
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		/* A tracer task that died of a forbidden call would leave
		 * LeakSanitizer waiting for ever. */
		alarm(60);
		close(p[0]);
		dup2(p[1], STDERR_FILENO);
		fn(arg);
		_exit(0);
	}
	close(p[1]);
	size_t len = 0;
	ssize_t n;
	while ((n = read(p[0], c.err + len, sizeof(c.err) - 1 - len)) > 0)
		len += (size_t)n;
	c.err[len] = '\0';
	close(p[0]);
	int ws;
	cr_assert_eq(waitpid(pid, &ws, 0), pid);
	c.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	if (c.status == NO_SECCOMP)
		cr_skip_test("seccomp filters are not available here: %s", c.err);
	return c;
}

static void install(enum sandbox_thread kind)
{
	if (sandbox_install(kind) < 0) {
		fprintf(stderr, "%s\n", error_message());
		_exit(NO_SECCOMP);
	}
}

static void main_then_socket(void *arg)
{
	(void)arg;
	install(SANDBOX_MAIN);
	socket(AF_UNIX, SOCK_STREAM, 0);
	_exit(3); /* not reached */
}

Test(sandbox, forbidden_call_exits_159_naming_it)
{
	struct child c = run_child(main_then_socket, NULL);
	cr_assert_eq(c.status, SANDBOX_EXIT_STATUS, "status %d, stderr: %s", c.status, c.err);
	cr_assert(strstr(c.err, "the main thread made system call 41 (socket), which its "
				"filter forbids"), "stderr: %s", c.err);
	cr_assert(strstr(c.err, "exit status 159"), "stderr: %s", c.err);
	cr_assert(strstr(c.err, "--no-seccomp"), "stderr: %s", c.err);
}

static void vcpu_then_create_vm(void *arg)
{
	(void)arg;
	int fd = open("/dev/null", O_RDONLY);
	install(SANDBOX_VCPU);
	ioctl(fd, KVM_CREATE_VM, 0);
	_exit(3);
}

Test(sandbox, forbidden_ioctl_names_the_request)
{
	struct child c = run_child(vcpu_then_create_vm, NULL);
	cr_assert_eq(c.status, SANDBOX_EXIT_STATUS, "status %d, stderr: %s", c.status, c.err);
	cr_assert(strstr(c.err, "the vCPU thread made system call 16 (ioctl, request 0xae01)"),
		  "stderr: %s", c.err);
}

static void writer_then_unnamed_call(void *arg)
{
	(void)arg;
	install(SANDBOX_CONSOLE_WRITER);
	syscall(__NR_getpgid, 0); /* 121: not in the name table */
	_exit(3);
}

Test(sandbox, unnamed_call_says_how_to_look_it_up)
{
	struct child c = run_child(writer_then_unnamed_call, NULL);
	cr_assert_eq(c.status, SANDBOX_EXIT_STATUS, "status %d, stderr: %s", c.status, c.err);
	cr_assert(strstr(c.err, "the console writer thread made system call 121, which"),
		  "stderr: %s", c.err);
	cr_assert(strstr(c.err, "ausyscall 121"), "stderr: %s", c.err);
}

/* What the main thread does after its filter, then a normal exit (and,
 * in this sanitizer build, LeakSanitizer's check at exit). */
static void main_allowed_calls(void *arg)
{
	(void)arg;
	int p[2];
	if (pipe(p) < 0)
		_exit(4);
	install(SANDBOX_MAIN);
	char byte = 'x';
	struct pollfd pfd = { .fd = p[0], .events = POLLIN };
	if (write(p[1], &byte, 1) != 1 || poll(&pfd, 1, 1000) != 1 || read(p[0], &byte, 1) != 1)
		_exit(5);
	void *big = malloc(8 << 20); /* mmap and munmap */
	void *small = malloc(100);
	if (!big || !small)
		_exit(6);
	memset(big, 1, 8 << 20);
	free(big);
	free(small);
	close(p[0]);
	close(p[1]);
	fprintf(stderr, "main: all allowed\n");
	exit(0);
}

Test(sandbox, main_thread_allowed_calls_and_exit)
{
	struct child c = run_child(main_allowed_calls, NULL);
	cr_assert_eq(c.status, 0, "status %d, stderr: %s", c.status, c.err);
	cr_assert(strstr(c.err, "main: all allowed"), "stderr: %s", c.err);
}

/* A thread installs its own filter at its start (as a vCPU thread does),
 * allocates, is signalled and joined; then the main thread installs its
 * own and exits normally. */
static void kick(int sig)
{
	(void)sig;
}

static pthread_mutex_t go_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go_cond = PTHREAD_COND_INITIALIZER;

/* Waits with futex only, as a vCPU thread may: it never polls. */
static void *vcpu_like_thread(void *arg)
{
	int *go = arg;
	install(SANDBOX_VCPU);
	void *p = malloc(1000);
	free(p);
	pthread_mutex_lock(&go_lock);
	while (!*go)
		pthread_cond_wait(&go_cond, &go_lock);
	pthread_mutex_unlock(&go_lock);
	return NULL;
}

static void threads_then_main(void *arg)
{
	(void)arg;
	static int go;
	signal(SIGUSR1, kick);
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, vcpu_like_thread, (void *)&go) != 0)
			_exit(4);
	install(SANDBOX_MAIN);
	for (int i = 0; i < 2; i++)
		pthread_kill(t[i], SIGUSR1);
	pthread_mutex_lock(&go_lock);
	go = 1;
	pthread_cond_broadcast(&go_cond);
	pthread_mutex_unlock(&go_lock);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	fprintf(stderr, "threads: joined\n");
	exit(0);
}

Test(sandbox, per_thread_filters_and_thread_exit)
{
	struct child c = run_child(threads_then_main, NULL);
	cr_assert_eq(c.status, 0, "status %d, stderr: %s", c.status, c.err);
	cr_assert(strstr(c.err, "threads: joined"), "stderr: %s", c.err);
}

/* The handler puts the terminal back as console_open found it. */
static int pty_slave;

static void raw_console_then_socket(void *arg)
{
	(void)arg;
	static struct console console;
	dup2(pty_slave, STDIN_FILENO);
	if (console_open(&console) < 0 || !console.raw)
		_exit(4);
	sandbox_set_console(&console);
	install(SANDBOX_VCPU);
	socket(AF_INET, SOCK_DGRAM, 0);
	_exit(3);
}

Test(sandbox, handler_restores_the_terminal)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0)
		cr_skip_test("no pseudo-terminals here");
	cr_assert_eq(grantpt(master), 0);
	cr_assert_eq(unlockpt(master), 0);
	pty_slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	cr_assert_geq(pty_slave, 0);
	struct termios before, after;
	cr_assert_eq(tcgetattr(pty_slave, &before), 0);
	cr_assert(before.c_lflag & ICANON);

	struct child c = run_child(raw_console_then_socket, NULL);
	cr_assert_eq(c.status, SANDBOX_EXIT_STATUS, "status %d, stderr: %s", c.status, c.err);
	cr_assert(strstr(c.err, "(socket)"), "stderr: %s", c.err);
	cr_assert_eq(tcgetattr(pty_slave, &after), 0);
	cr_assert_eq(after.c_lflag, before.c_lflag);
	cr_assert_eq(after.c_iflag, before.c_iflag);
	close(pty_slave);
	close(master);
}

/* The sanitizer runtime's reports still come out whole under the filters
 * of the test build: LeakSanitizer's at the main thread's exit, and
 * AddressSanitizer's on a vCPU thread, both with symbolized stacks. */
/* Ten blocks: a pointer to the last may linger in a stack slot or a
 * register that the leak check scans (-O2), so expect at least nine. */
static __attribute__((noinline)) void leak_from_here(void)
{
	for (int i = 0; i < 10; i++) {
		void *volatile p = malloc(123);
		(void)p;
	}
}

static void main_leaks_then_exits(void *arg)
{
	(void)arg;
	install(SANDBOX_MAIN);
	leak_from_here();
	exit(0);
}

Test(sandbox, leak_report_under_the_main_filter)
{
	struct child c = run_child(main_leaks_then_exits, NULL);
	cr_assert(strstr(c.err, "LeakSanitizer: detected memory leaks"), "status %d, stderr: %s",
		  c.status, c.err);
	cr_assert(strstr(c.err, "Direct leak of 1230 byte(s) in 10 object(s)") ||
			  strstr(c.err, "Direct leak of 1107 byte(s) in 9 object(s)"),
		  "stderr: %s", c.err);
	cr_assert(strstr(c.err, "leak_from_here"), "stderr: %s", c.err);
	cr_assert_eq(c.status, 1, "status %d, stderr: %s", c.status, c.err); /* ASan's exitcode */
}

static char *volatile dangling;

static __attribute__((noinline)) void use_after_free_here(void)
{
	dangling = malloc(16);
	free(dangling);
	dangling[0] = 1;
}

static void *overflowing_thread(void *arg)
{
	(void)arg;
	install(SANDBOX_VCPU);
	use_after_free_here();
	return NULL;
}

static void vcpu_overflows(void *arg)
{
	(void)arg;
	pthread_t t;
	if (pthread_create(&t, NULL, overflowing_thread, NULL) != 0)
		_exit(4);
	pthread_join(t, NULL);
	_exit(5);
}

Test(sandbox, asan_report_under_the_vcpu_filter)
{
	struct child c = run_child(vcpu_overflows, NULL);
	cr_assert(strstr(c.err, "AddressSanitizer: heap-use-after-free"), "status %d, stderr: %s",
		  c.status, c.err);
	cr_assert(strstr(c.err, "in use_after_free_here tests/unit/test_sandbox.c"), "stderr: %s",
		  c.err);
	cr_assert_eq(c.status, 1, "status %d, stderr: %s", c.status, c.err);
}
