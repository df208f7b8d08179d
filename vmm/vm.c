#include "vmm/vm.h"

#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "boot/bzimage.h"
#include "boot/cpu_setup.h"
#include "boot/loader.h"
#include "boot/loader_pvh.h"
#include "boot/vmlinux.h"
#include "lib/clock.h"
#include "lib/error.h"
#include "lib/exit_status.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/platform.h"
#include "lib/trace.h"
#include "vmm/board.h"
#include "vmm/console.h"
#include "vmm/event_loop.h"
#include "vmm/kick.h"
#include "vmm/kvm.h"
#include "vmm/privileges.h"
#include "vmm/sandbox.h"
#include "vmm/stop.h"
#include "vmm/vcpu.h"
#include "vmm/virtio_devices.h"

#define KERNEL_MAX_BYTES (256 * MiB)

struct vm {
	const struct vmm_config *cfg;
	uint64_t start_ns;
	uint64_t vcpus_started_ns; /* since start_ns: VMM setup done, guest runs */
	int signal_fd;
	sigset_t stop_signals;
	struct stop_sink stop;
	struct kvm kvm;
	struct board board;
	struct virtio_devices devices;
	struct vcpu_env vcpu_env;
	int ncpus;
	struct vcpu vcpus[CLI_CPUS_MAX];
	struct console console;
	struct event_loop loop;
	struct halt_watch halt;
	atomic_uint dump_generation; /* SIGUSR2 */
	bool ran; /* the vCPUs were started */
};

/* --- the steps, each with its mirror ------------------------------------ */

/* SIGINT/SIGTERM/SIGHUP are read from a signalfd by the main thread;
 * blocked before any thread starts so every thread inherits the mask. */
static int signals_up(struct vm *vm)
{
	sigemptyset(&vm->stop_signals);
	sigaddset(&vm->stop_signals, SIGINT);
	sigaddset(&vm->stop_signals, SIGTERM);
	sigaddset(&vm->stop_signals, SIGHUP);
	/* Not a stop: SIGUSR2 asks every vCPU for its registers. */
	sigaddset(&vm->stop_signals, SIGUSR2);
	sigset_t kick;
	sigemptyset(&kick);
	sigaddset(&kick, KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &vm->stop_signals, NULL);
	pthread_sigmask(SIG_BLOCK, &kick, NULL);
	/* A stdout that cannot be written (a closed pipe; a file at its
	 * RLIMIT_FSIZE) fails the write with EPIPE or EFBIG instead of
	 * killing minivmm; the guest's output is then dropped and counted. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	vm->signal_fd = signalfd(-1, &vm->stop_signals, SFD_CLOEXEC);
	if (vm->signal_fd < 0 || kick_signal_init() < 0)
		return error_errno("cannot set up signal handling");
	return stop_sink_init(&vm->stop);
}

static void signals_down(struct vm *vm)
{
	stop_sink_close(&vm->stop);
	if (vm->signal_fd >= 0)
		close(vm->signal_fd);
}

static int kvm_up(struct vm *vm)
{
	return kvm_init(&vm->kvm, vm->cfg->memory_mib * MiB, cli_needs_shared_memory(vm->cfg));
}

static void kvm_down(struct vm *vm)
{
	kvm_destroy(&vm->kvm);
}

static int board_up(struct vm *vm)
{
	return board_create(&vm->board, vm->kvm.vm_fd, &vm->kvm.mem, &vm->stop, vm->start_ns,
			    vm->cfg->boot_timer);
}

static void board_down(struct vm *vm)
{
	board_destroy(&vm->board);
}

static int devices_up(struct vm *vm)
{
	if (virtio_devices_create(&vm->devices, vm->cfg, vm->kvm.vm_fd, &vm->board.mmio,
				  &vm->kvm.mem) < 0)
		return -1;
	/* --vsock-cid-file: the CID for the job's scripts, complete before the
	 * guest's first instruction. */
	if (vm->cfg->vsock_cid_file) {
		char line[16];
		int n = snprintf(line, sizeof(line), "%u\n", vm->devices.vsock_cid);
		if (file_write_atomic(vm->cfg->vsock_cid_file, "--vsock-cid-file", line,
				      (size_t)n) < 0)
			return -1;
	}
	return 0;
}

static void devices_down(struct vm *vm)
{
	virtio_devices_destroy(&vm->devices);
}

static void kick_vcpus(void *ctx)
{
	struct vm *vm = ctx;
	for (int i = 0; i < vm->ncpus; i++)
		vcpu_kick(&vm->vcpus[i]);
}

/* The halt watch (vmm/halt_watch.h): the main thread probes the vCPUs
 * after the guest's exits. */
/* CPU time of the vCPU threads together (their CPU clocks): a guest that
 * runs without exits is not kicked by the halt watch. */
static uint64_t vcpus_cpu_ns(void *ctx)
{
	struct vm *vm = ctx;
	uint64_t total = 0;
	for (int i = 0; i < vm->ncpus; i++) {
		clockid_t cid;
		struct timespec ts;
		if (!vm->vcpus[i].started || pthread_getcpuclockid(vm->vcpus[i].thread, &cid) != 0 ||
		    clock_gettime(cid, &ts) != 0)
			continue;
		total += (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	}
	return total;
}

static int halt_up(struct vm *vm)
{
	if (halt_watch_init(&vm->halt, vm->ncpus, clock_now_ns(), kick_vcpus, vm) < 0)
		return -1;
	vm->halt.vcpu_cpu_ns = vcpus_cpu_ns;
	return 0;
}

static void halt_down(struct vm *vm)
{
	halt_watch_destroy(&vm->halt);
}

static int vcpus_up(struct vm *vm)
{
	vm->vcpu_env = (struct vcpu_env){
		.vm_fd = vm->kvm.vm_fd,
		.run_size = vm->kvm.vcpu_mmap_size,
		.cpuid = vm->kvm.cpuid,
		.tsc_deadline = vm->kvm.tsc_deadline,
		.pio = &vm->board.pio,
		.mmio = &vm->board.mmio,
		.coalesced = &vm->board.coalesced,
		.stop = &vm->stop,
		.dump_generation = &vm->dump_generation,
		.sandbox = !vm->cfg->no_seccomp,
		.halt = &vm->halt,
	};
	for (int i = 0; i < vm->ncpus; i++)
		vm->vcpus[i] = (struct vcpu){ .env = &vm->vcpu_env, .fd = -1 };
	for (int i = 0; i < vm->ncpus; i++)
		if (vcpu_create(&vm->vcpus[i], &vm->vcpu_env, i) < 0)
			return -1;
	return 0;
}

static void vcpus_down(struct vm *vm)
{
	for (int i = 0; i < vm->ncpus; i++)
		vcpu_destroy(&vm->vcpus[i]);
}

/* --stats: where the VM's time went, for users and for the tests that
 * check that the data planes never pass through minivmm. Printed once the
 * vCPUs have stopped and before any device goes. */
static int stats_up(struct vm *vm)
{
	(void)vm;
	return 0;
}

static void stats_down(struct vm *vm)
{
	if (!vm->cfg->stats || !vm->ran)
		return;
	unsigned long pio = 0, mmio = 0, other = 0;
	for (int i = 0; i < vm->ncpus; i++) {
		pio += vm->vcpus[i].exits_pio;
		mmio += vm->vcpus[i].exits_mmio;
		other += vm->vcpus[i].exits_other;
	}
	/* coalesced_writes: port writes KVM deferred to the ring instead of
	 * exiting (UART THR), replayed by minivmm. */
	log_msg("stats",
		"vcpu_exits=%lu pio_exits=%lu coalesced_writes=%lu mmio_exits=%lu other_exits=%lu",
		pio + mmio + other, pio, vm->board.coalesced.replayed, mmio, other);
	log_msg("stats", "main_loop_wakeups=%lu", vm->loop.wakeups);
	log_msg("stats", "halt_probe_rounds=%lu halt_probes_skipped_busy=%lu", vm->halt.rounds,
		vm->halt.busy_skips);
	const struct boot_timer *t = &vm->board.boot_timer;
	log_msg("stats",
		"boot_vcpus_started_ms=%.1f boot_first_userspace_ms=%.1f boot_complete_ms=%.1f",
		vm->vcpus_started_ns / 1e6, t->event_ns[0] / 1e6, t->event_ns[1] / 1e6);
	virtio_devices_print_stats(&vm->devices);
}

/* A bzImage through the 64-bit boot protocol: kernel, initrd and
 * boot_params in RAM, vCPU 0 in long mode at the 64-bit entry. */
static int load_bzimage(struct vm *vm, const uint8_t *kernel, size_t kernel_size,
			const uint8_t *initrd, size_t initrd_size,
			const struct boot_devices *devices)
{
	struct bzimage img;
	struct boot_result boot;
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	if (bzimage_parse(&img, kernel, kernel_size) < 0)
		return error_wrap("kernel '%s'", vm->cfg->kernel);
	if (boot_load_linux(&vm->kvm.mem, &img, initrd, initrd_size, vm->cfg->cmdline, vm->ncpus,
			    devices, &boot) < 0)
		return -1;
	cpu_setup_boot_regs(&regs, &sregs, boot.entry, boot.boot_params_gpa);
	return vcpu_set_boot_state(&vm->vcpus[0], &regs, &sregs);
}

/* An ELF vmlinux through its PVH entry: segments, initrd and
 * hvm_start_info in RAM, vCPU 0 in 32-bit protected mode at the entry the
 * kernel's note names. No decompression: the guest starts in the kernel. */
static int load_vmlinux(struct vm *vm, const uint8_t *kernel, size_t kernel_size,
			const uint8_t *initrd, size_t initrd_size,
			const struct boot_devices *devices)
{
	struct vmlinux k;
	struct pvh_boot_result boot;
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	if (vmlinux_parse(&k, kernel, kernel_size) < 0)
		return error_wrap("kernel '%s'", vm->cfg->kernel);
	if (boot_load_pvh(&vm->kvm.mem, &k, initrd, initrd_size, vm->cfg->cmdline, vm->ncpus,
			  devices, &boot) < 0)
		return -1;
	cpu_setup_pvh_regs(&regs, &sregs, boot.entry, boot.start_info_gpa);
	return vcpu_set_boot_state(&vm->vcpus[0], &regs, &sregs);
}

/* The kernel and initrd into guest RAM and the boot vCPU's registers: an
 * ELF file (by its magic) is a vmlinux for the PVH entry, anything else
 * must be a bzImage. */
static int load_guest(struct vm *vm)
{
	const struct vmm_config *cfg = vm->cfg;
	struct file_map kernel = {0}, initrd = {0};
	int r = -1;

	if (file_map(cfg->kernel, "kernel", KERNEL_MAX_BYTES, &kernel) < 0)
		goto out;
	/* The initrd must lie below 4 GiB; whether it fits is the loader's call. */
	if (cfg->initrd && file_map(cfg->initrd, "initrd", 4 * GiB, &initrd) < 0)
		goto out;
	/* The devices the guest cannot discover by itself: the loader
	 * describes them in the DSDT, or on the command line (docs/acpi.md). */
	struct platform_mmio_device mmio[VIRTIO_MMIO_SLOTS];
	struct boot_devices devices = {
		.mmio = mmio,
		.nmmio = virtio_devices_describe(&vm->devices, mmio),
	};
	if (vmlinux_is_elf(kernel.data, kernel.size))
		r = load_vmlinux(vm, kernel.data, kernel.size, initrd.data, initrd.size, &devices);
	else
		r = load_bzimage(vm, kernel.data, kernel.size, initrd.data, initrd.size, &devices);
out:
	file_unmap(&kernel);
	file_unmap(&initrd);
	return r;
}

static void load_down(struct vm *vm)
{
	(void)vm;
}

static int console_up(struct vm *vm)
{
	if (console_open(&vm->console) < 0)
		return -1;
	if (console_restore_on_fatal_signals(&vm->console) < 0)
		return -1;
	/* A forbidden system call ends minivmm from a signal handler, which
	 * restores the terminal first. */
	sandbox_set_console(&vm->console);
	return 0;
}

static void console_down(struct vm *vm)
{
	sandbox_set_console(NULL);
	console_restore(&vm->console);
}

/* The ring is one page per VM, visible through every vCPU's mapping;
 * vCPU 0's lives until after the last drain. */
static int coalesced_up(struct vm *vm)
{
	return board_start_coalesced(&vm->board, vm->vcpus[0].run,
				     (size_t)vm->kvm.vcpu_mmap_size);
}

/* The guest's last deferred bytes, before the ring's mapping goes and
 * before minivmm says why the VM stopped. */
static void coalesced_down(struct vm *vm)
{
	board_stop_coalesced(&vm->board);
}

/* --user: the devices are open; nothing from here on needs root. */
static int privileges_up(struct vm *vm)
{
	return vm->cfg->user ? privileges_become(vm->cfg->user) : 0;
}

static void privileges_down(struct vm *vm)
{
	(void)vm;
}

/* How long stdout may take nothing at the end before the rest of the
 * guest's output is given up on. */
#define CONSOLE_OUT_STALL_MS 1000

/* The console output writer: started after the privileges are dropped
 * (glibc's setuid reaches every thread, and the writer's seccomp filter
 * would not allow it) and before the main thread's filter (vmm/sandbox.h). */
static int output_up(struct vm *vm)
{
	return console_out_start(&vm->board.out, STDOUT_FILENO, !vm->cfg->no_seccomp);
}

/* The guest's last output (the ring was replayed just before), as far as
 * stdout takes it. */
static void output_down(struct vm *vm)
{
	console_out_stop(&vm->board.out, CONSOLE_OUT_STALL_MS);
}

static int threads_up(struct vm *vm)
{
	/* Everything before this point is minivmm's own start-up cost: the
	 * guest's first instruction follows. */
	vm->vcpus_started_ns = clock_now_ns() - vm->start_ns;
	if (vm->cfg->boot_timer)
		log_msg("boot-timer", "vCPUs started at %.1f ms", vm->vcpus_started_ns / 1e6);
	vm->ran = true;
	for (int i = 0; i < vm->ncpus; i++)
		if (vcpu_start(&vm->vcpus[i]) < 0)
			return -1;
	return 0;
}

static void threads_down(struct vm *vm)
{
	for (int i = 0; i < vm->ncpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	for (int i = 0; i < vm->ncpus; i++)
		vcpu_join(&vm->vcpus[i]);
}

/* SIGUSR2: each vCPU prints its registers when it next leaves KVM_RUN,
 * which the kick makes it do at once (a guest halted for good included). */
static void dump_vcpus(void *ctx)
{
	struct vm *vm = ctx;
	atomic_fetch_add(&vm->dump_generation, 1);
	for (int i = 0; i < vm->ncpus; i++)
		vcpu_kick(&vm->vcpus[i]);
}

#ifdef MINIVMM_TESTING
/* --test-forbidden-syscall: a call outside the main thread's list (a
 * socket), which the SIGSYS handler must report (tests/kvm/run-tests.sh,
 * "seccomp sandbox"); without the sandbox it simply succeeds. */
static void make_forbidden_syscall(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	log_debug("--test-forbidden-syscall: socket() returned %d", fd);
	if (fd >= 0)
		close(fd);
}
#endif

/* The main thread's seccomp filter. Filters are per thread (vmm/sandbox.h):
 * each vCPU thread installs its own at its start, and this one comes only
 * now, after every thread has been started, so that none inherits it.
 * Nothing to undo: a filter stays until the process ends. */
static int sandbox_up(struct vm *vm)
{
	if (vm->cfg->no_seccomp)
		log_debug("seccomp: off (--no-seccomp)");
	else if (sandbox_install(SANDBOX_MAIN) < 0)
		return -1;
#ifdef MINIVMM_TESTING
	if (vm->cfg->test_forbidden_syscall)
		make_forbidden_syscall();
#endif
	return 0;
}

static void sandbox_down(struct vm *vm)
{
	(void)vm;
}

static const struct step {
	const char *name;
	int (*up)(struct vm *vm);
	void (*down)(struct vm *vm);
	const char *what; /* for --trace=boot: the function and what it did */
} steps[] = {
	{ "signals", signals_up, signals_down,
	  "signals_up: SIGINT/TERM/HUP blocked and read from a signalfd, the stop eventfd" },
	{ "kvm", kvm_up, kvm_down,
	  "kvm_init (vmm/kvm.c): /dev/kvm, capabilities, KVM_CREATE_VM, in-kernel irqchip and "
	  "PIT, guest RAM mapped and given to KVM as memory slots" },
	{ "board", board_up, board_down,
	  "board_create (vmm/board.c): COM1, i8042, ACPI PM, boot timer on the port bus" },
	{ "virtio devices", devices_up, devices_down,
	  "virtio_devices_up (vmm/virtio_devices.c): backends opened, devices on virtio-mmio "
	  "slots, ioeventfds and irqfds registered" },
	{ "halt watch", halt_up, halt_down,
	  "halt_watch_init (vmm/halt_watch.c): the eventfds that tell the main thread about "
	  "vCPU exits, to notice a guest halted for good" },
	{ "vcpus", vcpus_up, vcpus_down,
	  "vcpu_create (vmm/vcpu.c): KVM_CREATE_VCPU, kvm_run mapped, CPUID set" },
	{ "stats", stats_up, stats_down, "stats_up: nothing until the end (--stats)" },
	{ "guest", load_guest, load_down,
	  "load_guest -> boot_load_linux (boot/loader.c) for a bzImage, boot_load_pvh "
	  "(boot/loader_pvh.c) for a vmlinux: kernel, initrd, tables and boot_params or "
	  "hvm_start_info in guest RAM, vCPU 0's entry registers" },
	{ "console", console_up, console_down, "console_open (vmm/console.c): raw mode" },
	{ "privileges", privileges_up, privileges_down, "privileges_up: --user, if given" },
	{ "console output", output_up, output_down,
	  "console_out (vmm/console_out.c): the writer thread for the guest's console" },
	{ "coalesced ring", coalesced_up, coalesced_down,
	  "board_start_coalesced (vmm/coalesced_io.c): the UART's THR writes are queued by KVM "
	  "instead of exiting" },
	{ "vcpu threads", threads_up, threads_down,
	  "vcpu_start (vmm/vcpu.c): one thread per vCPU enters KVM_RUN: the guest runs" },
	{ "sandbox", sandbox_up, sandbox_down,
	  "sandbox_install (vmm/sandbox.c): the main thread's seccomp filter" },
};
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

static void teardown(struct vm *vm, size_t done)
{
	while (done-- > 0) {
		trace(TRACE_BOOT, "teardown: undoing step '%s' [vmm/vm.c]", steps[done].name);
		steps[done].down(vm);
	}
}

static int report(struct vm *vm)
{
	int failed_errno;
	unsigned long long dropped = console_out_dropped(&vm->board.out, &failed_errno);
	if (dropped && failed_errno)
		log_warn("%llu bytes of guest console output were dropped: stdout failed (%s)",
			 dropped, strerror(failed_errno));
	else if (dropped)
		log_warn("%llu bytes of guest console output were dropped while stdout did not "
			 "drain (a paused terminal or a pipe nobody reads)",
			 dropped);
	switch (atomic_load(&vm->stop.reason)) {
	case VM_STOP_POWEROFF:
	case VM_STOP_REBOOT:
	case VM_STOP_QUIT:
		log_debug("%s", vm->stop.message);
		break;
	case VM_STOP_GUEST_VERDICT:
		if (vm->stop.exit_status == EXIT_PASSED)
			log_debug("%s", vm->stop.message);
		else
			log_msg(NULL, "%s", vm->stop.message);
		break;
	default:
		log_msg(NULL, "%s", vm->stop.message);
		if (vm->stop.detail[0])
			fputs(vm->stop.detail, stderr);
	}
	return vm->stop.exit_status;
}

int vm_run(const struct vmm_config *cfg, uint64_t start_ns)
{
	static struct vm vm_storage; /* large; one VM per process */
	struct vm *vm = &vm_storage;
	*vm = (struct vm){ .cfg = cfg, .ncpus = cfg->cpus, .start_ns = start_ns,
			   .signal_fd = -1, .stop = { .fd = -1 },
			   .halt = { .wake_fd = -1, .answer_fd = -1 } };

	size_t done = 0;
	for (; done < NSTEPS; done++) {
		if (steps[done].up(vm) < 0)
			break;
		trace(TRACE_BOOT, "set-up step '%s' done: %s [vmm/vm.c]", steps[done].name,
		      steps[done].what);
	}
	if (done < NSTEPS) {
		char message[ERROR_MAX];
		int status = error_exit_status(); /* before the teardown's own errors */
		snprintf(message, sizeof(message), "%s", error_message());
		log_debug("set-up failed at step '%s'", steps[done].name);
		/* vCPU threads already started leave KVM_RUN when kicked only
		 * if a stop was asked for. */
		if (vm->stop.fd >= 0)
			stop_request(&vm->stop, VM_STOP_ERROR, EXIT_VMM_FAILED, "%s", message);
		/* A step that failed half-way undoes its own part too. */
		steps[done].down(vm);
		teardown(vm, done);
		log_msg(NULL, "%s", message);
		return status;
	}
	vm->loop = (struct event_loop){
		.stop = &vm->stop, .signal_fd = vm->signal_fd, .board = &vm->board,
		.console = &vm->console, .halt = &vm->halt, .dump_vcpus = dump_vcpus, .ctx = vm,
	};
	vm->loop.nwatches = virtio_devices_watches(&vm->devices, vm->loop.watches);
	event_loop_run(&vm->loop);
	teardown(vm, NSTEPS);
	/* The stop record outlives the teardown (only its fd is closed). */
	return report(vm);
}
