#include "vm.h"

#include <errno.h>
#include <linux/kvm.h>
#include <linux/serial_reg.h>
#include <linux/virtio_mmio.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "../boot/bzimage.h"
#include "../boot/cpu_setup.h"
#include "../boot/layout.h"
#include "../boot/loader.h"
#include "clock.h"
#include "console_escape.h"
#include "file.h"
#include "log.h"

#define KERNEL_MAX_BYTES (256 * MiB)

void vm_request_stop(struct vm *vm, enum vm_stop_reason reason, int exit_status,
		     const char *fmt, ...)
{
	int expected = VM_RUNNING;
	if (!atomic_compare_exchange_strong(&vm->stop_reason, &expected, (int)reason))
		return;
	vm->exit_status = exit_status;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(vm->stop_message, sizeof(vm->stop_message), fmt, ap);
	va_end(ap);
	uint64_t one = 1;
	if (write(vm->stop_fd, &one, sizeof(one)) < 0)
		log_warn("cannot signal the main thread: %s", strerror(errno));
}

/* --- device callbacks ---------------------------------------------------- */

static void serial_write_out(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	console_write_all(buf, len);
}

static void serial_set_irq(void *ctx, int level)
{
	struct vm *vm = ctx;
	if (kvm_set_irq_line(&vm->kvm, SERIAL_COM1_IRQ, level) < 0)
		log_warn("serial: %s", error_message());
}

/* COM1 on the port-I/O bus. A write that may have changed IER brings the
 * coalesced THR zone in line with the THR-empty interrupt enable. Replayed
 * ring entries come through here too, but they are single-byte writes to
 * THR (the only zone), never to IER: coalesced_io's lock is not taken
 * twice. */
static void serial_port_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
			   bool is_write)
{
	struct vm *vm = opaque;
	serial8250_io(&vm->serial, offset, data, len, is_write);
	if (is_write && offset <= UART_IER && offset + len > UART_IER)
		coalesced_io_sync_zone(&vm->coalesced, &vm->thr_zone);
}

static bool thr_zone_wanted(void *ctx)
{
	struct vm *vm = ctx;
	return serial8250_thr_deferrable(&vm->serial);
}

/* A write KVM deferred into the coalesced ring, replayed on the bus it was
 * meant for, in ring order. */
static void replay_coalesced_write(void *ctx, bool pio, uint64_t addr, const uint8_t *data,
				   uint32_t len)
{
	struct vm *vm = ctx;
	uint8_t buf[8];
	memcpy(buf, data, len); /* len <= 8: checked by coalesced_ring_replay */
	if (!io_bus_dispatch(pio ? &vm->pio : &vm->mmio, addr, buf, len, true))
		log_debug("unhandled coalesced %s write: %#llx size %u", pio ? "port" : "MMIO",
			  (unsigned long long)addr, len);
}

/* Linux with reboot=k pulses the i8042 reset line for every reboot. With
 * reboot=panic_warm it first stores the BIOS warm-reset flag 0x1234 at
 * 0x472 when the reboot follows a panic (arch/x86/kernel/reboot.c,
 * native_machine_emergency_restart), which is how a panic is told apart. */
static void i8042_reset(void *ctx)
{
	struct vm *vm = ctx;
	const uint8_t *flag = guest_memory_ptr(&vm->kvm.mem, BIOS_WARM_RESET_FLAG_ADDR, 2);
	if (flag && (flag[0] | flag[1] << 8) == BIOS_WARM_RESET_MAGIC)
		vm_request_stop(vm, VM_STOP_PANIC, 1,
				"guest kernel panicked (it reset the machine after a panic)");
	else
		vm_request_stop(vm, VM_STOP_REBOOT, 0, "guest rebooted");
}

static void acpi_poweroff(void *ctx)
{
	vm_request_stop(ctx, VM_STOP_POWEROFF, 0, "guest powered off");
}

/* Ports a Linux guest touches all the time, with no device behind them in
 * minivmm: accepted silently (reads as all-ones) so --debug output stays
 * useful. */
static void silent_port(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
			bool is_write)
{
	(void)opaque;
	(void)offset;
	if (!is_write)
		memset(data, 0xff, len);
}

static void boot_timer_report(void *ctx, int event, uint64_t ns)
{
	struct vm *vm = ctx;
	if (vm->cfg->boot_timer)
		log_msg("boot-timer", "%s at %.1f ms", boot_timer_event_name(event), ns / 1e6);
}

static int setup_devices(struct vm *vm)
{
	vm->pio.name = "port I/O";
	vm->mmio.name = "MMIO";
	vm->devices_ready = true;
	serial8250_init(&vm->serial, &(struct serial8250_ops){
					     .write_out = serial_write_out,
					     .set_irq = serial_set_irq,
					     .ctx = vm,
				     });
	i8042_init(&vm->i8042, &(struct i8042_ops){ .reset = i8042_reset, .ctx = vm });
	acpi_pm_init(&vm->acpi_pm, &(struct acpi_pm_ops){ .poweroff = acpi_poweroff, .ctx = vm });
	boot_timer_init(&vm->boot_timer, vm->start_ns, boot_timer_report, vm);
	if (io_bus_register(&vm->pio, SERIAL_COM1_PORT, 8, serial_port_io, vm,
			    "serial (COM1)") < 0 ||
	    io_bus_register(&vm->pio, I8042_DATA_PORT, 5, i8042_io, &vm->i8042, "i8042") < 0 ||
	    io_bus_register(&vm->pio, ACPI_PM1A_EVT_PORT, ACPI_PM_RANGE_LEN, acpi_pm_io, &vm->acpi_pm,
			    "ACPI PM1a registers") < 0 ||
	    /* POST code / I/O delay (outb_p) */
	    io_bus_register(&vm->pio, BOOT_TIMER_PORT, 1, boot_timer_io, &vm->boot_timer,
			    "boot timer") < 0 ||
	    io_bus_register(&vm->pio, 0x80, 1, silent_port, NULL, "POST/io-delay") < 0 ||
	    /* PCI configuration mechanism #1: there is no PCI bus, and all-ones
	     * is what a bus without devices answers. */
	    io_bus_register(&vm->pio, 0xcf8, 8, silent_port, NULL, "PCI config (no bus)") < 0)
		return error_wrap("devices");
	return 0;
}

/* --- virtio-vsock ------------------------------------------------------- */

static int vsock_kick_fd(void *ctx, uint32_t queue, int fd, bool assign)
{
	struct vm *vm = ctx;
	return kvm_ioeventfd(&vm->kvm, VIRTIO_MMIO_BASE + VIRTIO_MMIO_QUEUE_NOTIFY, 4, queue, fd,
			     assign);
}

static int vsock_call_fd(void *ctx, int fd, bool assign)
{
	struct vm *vm = ctx;
	return kvm_irqfd(&vm->kvm, VIRTIO_VSOCK_IRQ, fd, assign);
}

/* InterruptACK writes are absorbed by an ioeventfd while the only pending
 * interrupt cause is VRING (whose acknowledgement changes nothing); while a
 * config interrupt is pending they must reach the transport, which then
 * clears the CONFIG bit. Called with the transport's lock held. */
static void vsock_update_ack_fd(struct vm *vm)
{
	if (vm->vsock_ack_fd < 0)
		return;
	bool want = !vm->vsock.transport.config_irq_pending;
	if (want == vm->vsock_ack_wired)
		return;
	if (kvm_ioeventfd(&vm->kvm, VIRTIO_MMIO_BASE + VIRTIO_MMIO_INTERRUPT_ACK, 4, -1,
			  vm->vsock_ack_fd, want) < 0) {
		log_warn("virtio-vsock: %s", error_message());
		return;
	}
	vm->vsock_ack_wired = want;
}

/* The device's MMIO window. With the register page, only writes get here;
 * after each one the page is brought up to date before the vCPU resumes. */
static void vsock_mmio_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
			  bool is_write)
{
	struct vm *vm = opaque;
	struct virtio_mmio *t = &vm->vsock.transport;
	pthread_mutex_lock(&t->lock); /* recursive: virtio_mmio_io takes it too */
	virtio_mmio_io(t, offset, data, len, is_write);
	if (is_write) {
		register_page_refresh(&vm->vsock_regs, t);
		vsock_update_ack_fd(vm);
	}
	pthread_mutex_unlock(&t->lock);
}

/* A config interrupt from the transport (DEVICE_NEEDS_RESET): an edge on
 * the device's line, the same line vhost's irqfd pulses. Called with the
 * transport's lock held. */
static void vsock_raise_irq(void *ctx)
{
	struct vm *vm = ctx;
	register_page_refresh(&vm->vsock_regs, &vm->vsock.transport);
	vsock_update_ack_fd(vm);
	if (kvm_set_irq_line(&vm->kvm, VIRTIO_VSOCK_IRQ, 1) < 0 ||
	    kvm_set_irq_line(&vm->kvm, VIRTIO_VSOCK_IRQ, 0) < 0)
		log_warn("virtio-vsock: %s", error_message());
}

/* Opening vhost and setting the CID happens before the guest boots, so a
 * reserved or clashing CID is reported at once. */
static int setup_vsock(struct vm *vm)
{
	const struct vhost_vsock_wiring wiring = {
		.kick_fd = vsock_kick_fd, .call_fd = vsock_call_fd, .ctx = vm,
	};
	struct vsock_backend backend;
	if (vm->cfg->vsock_test_backend) {
		if (vsock_test_backend_open(&vm->test_backend, vm->cfg->vsock_test_backend,
					    &vm->kvm.mem) < 0)
			return -1;
		backend = vsock_test_backend(&vm->test_backend);
	} else {
		if (vhost_vsock_open(&vm->vhost, vm->cfg->vsock_cid, &vm->kvm.mem, &wiring) < 0)
			return -1;
		backend = vhost_vsock_backend(&vm->vhost);
	}
	const struct virtio_mmio_platform platform = {
		.mem = &vm->kvm.mem, .raise_irq = vsock_raise_irq, .ctx = vm,
	};
	vsock_device_init(&vm->vsock, vm->cfg->vsock_cid, &backend, &platform);
	vm->vsock_ready = true;
	if (io_bus_register(&vm->mmio, VIRTIO_MMIO_BASE, VIRTIO_MMIO_SIZE, vsock_mmio_io, vm,
			    "virtio-vsock") < 0)
		return -1;

	/* Optional: without them every register read and every InterruptACK
	 * write is an exit to minivmm, which still works. */
	if (register_page_map(&vm->vsock_regs, &vm->kvm, VIRTIO_MMIO_BASE, KVM_SLOT_VSOCK_REGS,
			      vm->vsock.transport.ops.config_size) < 0) {
		log_warn("virtio-vsock: %s; register reads will exit to minivmm", error_message());
		return 0;
	}
	register_page_refresh(&vm->vsock_regs, &vm->vsock.transport);
	vm->vsock_ack_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->vsock_ack_fd < 0)
		return error_errno("virtio-vsock: eventfd");
	vsock_update_ack_fd(vm);
	return 0;
}

/* --- boot ---------------------------------------------------------------- */

static int load_guest(struct vm *vm)
{
	const struct vmm_config *cfg = vm->cfg;
	uint8_t *kernel = NULL, *initrd = NULL;
	size_t kernel_size = 0, initrd_size = 0;
	struct bzimage img;
	struct boot_result boot;
	int r = -1;

	if (file_read_all(cfg->kernel, "kernel", KERNEL_MAX_BYTES, &kernel, &kernel_size) < 0)
		goto out;
	if (bzimage_parse(&img, kernel, kernel_size) < 0) {
		error_wrap("kernel '%s'", cfg->kernel);
		goto out;
	}
	/* The initrd must lie below 4 GiB; whether it fits is the loader's call. */
	if (cfg->initrd && file_read_all(cfg->initrd, "initrd", 4 * GiB, &initrd,
					 &initrd_size) < 0)
		goto out;
	/* The loader puts CMDLINE_DEFAULTS first; then come the devices the
	 * guest cannot discover by itself, then the user's --cmdline. */
	char extra[BOOT_CMDLINE_MAX];
	int n = 0;
	if (cfg->vsock)
		n = snprintf(extra, sizeof(extra), "virtio_mmio.device=%lluK@%#llx:%u ",
			     VIRTIO_MMIO_SIZE / 1024, VIRTIO_MMIO_BASE, VIRTIO_VSOCK_IRQ);
	if (n < 0 || snprintf(extra + n, sizeof(extra) - (size_t)n, "%s",
			      cfg->cmdline ? cfg->cmdline : "") >= (int)(sizeof(extra) - (size_t)n)) {
		error_set("--cmdline: too long");
		goto out;
	}
	if (boot_load_linux(&vm->kvm.mem, &img, initrd, initrd_size, extra, vm->ncpus, &boot) < 0)
		goto out;

	struct kvm_regs regs;
	struct kvm_sregs sregs;
	cpu_setup_boot_regs(&regs, &sregs, boot.entry, boot.boot_params_gpa);
	r = vcpu_set_boot_state(&vm->vcpus[0], &regs, &sregs);
out:
	free(kernel);
	free(initrd);
	return r;
}

static int create_vm(struct vm *vm)
{
	if (kvm_init(&vm->kvm, vm->cfg->memory_mib * MiB) < 0)
		return -1;
	if (setup_devices(vm) < 0)
		return -1;
	if (vm->cfg->vsock && setup_vsock(vm) < 0)
		return -1;
	for (int i = 0; i < vm->ncpus; i++)
		if (vcpu_create(&vm->vcpus[i], vm, i) < 0)
			return -1;
	/* The ring is one page per VM, visible through every vCPU's
	 * mapping; vCPU 0's lives until after the last drain in teardown. */
	if (coalesced_io_init(&vm->coalesced, vm->kvm.vm_fd, vm->vcpus[0].run,
			      (size_t)vm->kvm.vcpu_mmap_size, replay_coalesced_write, vm) < 0)
		return -1;
	vm->thr_zone = (struct coalesced_zone){
		.addr = SERIAL_COM1_PORT + UART_TX, .size = 1, .pio = true,
		.wanted = thr_zone_wanted, .ctx = vm,
	};
	coalesced_io_sync_zone(&vm->coalesced, &vm->thr_zone);
	return load_guest(vm);
}

/* --- main loop ----------------------------------------------------------- */

/* Host input: the console escape (Ctrl-A x) first, the rest to the UART. */
static void forward_input(struct vm *vm, struct console_escape *esc, bool *stdin_open)
{
	uint8_t in[256], out[CONSOLE_ESCAPE_OUT_MAX(sizeof(in))];
	/* Read no more than the UART can take (the escape parser may hand
	 * back one byte more than it was given): the rest waits in the tty. */
	size_t space = serial8250_rx_space(&vm->serial);
	if (space < 2)
		return;
	ssize_t n = console_read(&vm->console, in, space - 1 < sizeof(in) ? space - 1 : sizeof(in));
	if (vm->console.eof || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		*stdin_open = false; /* end of input: the guest runs on without it */
		return;
	}
	if (n <= 0)
		return;
	enum console_escape_action action;
	size_t len = console_escape_feed(esc, in, (size_t)n, out, &action);
	if (len)
		serial8250_receive(&vm->serial, out, len);
	if (action == CONSOLE_ACTION_QUIT)
		vm_request_stop(vm, VM_STOP_QUIT, 0, "quit from the console (Ctrl-A x)");
	else if (action == CONSOLE_ACTION_HELP)
		fputs(console_escape_help, stderr);
}

static void main_loop(struct vm *vm, int signal_fd)
{
	struct console_escape esc;
	console_escape_init(&esc);
	bool stdin_open = true;

	while (!vm_stopping(vm)) {
		vm->main_wakeups++;
		bool rx_full = serial8250_rx_space(&vm->serial) < 2;
		struct pollfd fds[4] = {
			{ .fd = vm->stop_fd, .events = POLLIN },
			{ .fd = signal_fd, .events = POLLIN },
			{ .fd = coalesced_io_wake_fd(&vm->coalesced), .events = POLLIN },
			/* poll skips a negative fd */
			{ .fd = stdin_open && !rx_full ? STDIN_FILENO : -1, .events = POLLIN },
		};
		/* With the UART queue full, look again shortly: the guest drains it. */
		int timeout = stdin_open && rx_full ? 10 : -1;
		/* Deferred UART output of a guest that stopped exiting. */
		int drain = coalesced_io_poll_timeout(&vm->coalesced);
		if (drain >= 0 && (timeout < 0 || drain < timeout))
			timeout = drain;
		if (poll(fds, 4, timeout) < 0) {
			if (errno == EINTR)
				continue;
			error_errno("poll");
			vm_request_stop(vm, VM_STOP_ERROR, 1, "%s", error_message());
			break;
		}
		if (fds[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(signal_fd, &si, sizeof(si)) == sizeof(si))
				vm_request_stop(vm, VM_STOP_SIGNAL, 128 + (int)si.ssi_signo,
						"stopped by signal %s", strsignal((int)si.ssi_signo));
		}
		if (fds[2].revents & POLLIN)
			coalesced_io_consume_wake(&vm->coalesced);
		if (fds[3].revents & (POLLIN | POLLHUP | POLLERR))
			forward_input(vm, &esc, &stdin_open);
	}
}

static void teardown(struct vm *vm)
{
	for (int i = 0; i < vm->ncpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	for (int i = 0; i < vm->ncpus; i++)
		vcpu_join(&vm->vcpus[i]);
	/* The guest's last deferred bytes, before the ring's mapping goes and
	 * before minivmm says why the VM stopped. */
	coalesced_io_drain(&vm->coalesced);
	coalesced_io_destroy(&vm->coalesced);
	for (int i = 0; i < vm->ncpus; i++)
		vcpu_destroy(&vm->vcpus[i]);
	if (vm->devices_ready)
		serial8250_destroy(&vm->serial);
	/* Stop vhost and close it before the VM goes: the CID is free again
	 * as soon as minivmm exits, whatever the reason. */
	if (vm->vsock_ready)
		vsock_device_destroy(&vm->vsock);
	register_page_unmap(&vm->vsock_regs);
	if (vm->vsock_ack_fd >= 0)
		close(vm->vsock_ack_fd); /* its ioeventfd goes with the VM */
	if (vm->vhost.fd >= 0)
		vhost_vsock_close(&vm->vhost);
	vsock_test_backend_close(&vm->test_backend);
	kvm_destroy(&vm->kvm);
	if (vm->stop_fd >= 0)
		close(vm->stop_fd);
}

/* --stats: where the VM's time went, for users and for the tests that
 * check that the vsock data plane never passes through minivmm. */
static void print_stats(struct vm *vm)
{
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
		pio + mmio + other, pio, vm->coalesced.replayed, mmio, other);
	log_msg("stats", "main_loop_wakeups=%lu", vm->main_wakeups);
	log_msg("stats", "boot_vcpus_started_ms=%.1f boot_first_userspace_ms=%.1f boot_complete_ms=%.1f",
		vm->vcpus_started_ns / 1e6, vm->boot_timer.event_ns[0] / 1e6,
		vm->boot_timer.event_ns[1] / 1e6);
	if (vm->vsock_ready) {
		const struct vsock_device *d = &vm->vsock;
		log_msg("stats", "vsock_notify_rx=%lu vsock_notify_tx=%lu vsock_notify_event=%lu",
			d->notifies[0], d->notifies[1], d->notifies[2]);
		struct virtio_mmio_stats t;
		virtio_mmio_get_stats(&vm->vsock.transport, &t);
		log_msg("stats",
			"vsock_mmio queue_notify_writes=%llu interrupt_status_reads=%llu "
			"interrupt_ack_writes=%llu config_reads=%llu other_reads=%llu "
			"other_writes=%llu refused=%llu activations=%llu resets=%llu",
			(unsigned long long)t.queue_notify_writes,
			(unsigned long long)t.interrupt_status_reads,
			(unsigned long long)t.interrupt_ack_writes, (unsigned long long)t.config_reads,
			(unsigned long long)t.other_reads, (unsigned long long)t.other_writes,
			(unsigned long long)t.refused, (unsigned long long)t.activations,
			(unsigned long long)t.resets);
		log_msg("stats", "vhost_starts=%lu vhost_stops=%lu vhost_forwarded_kicks=%lu",
			vm->vhost.stats.starts, vm->vhost.stats.stops,
			vm->vhost.stats.forwarded_kicks);
	}
}

static int report(struct vm *vm)
{
	if (vm->cfg->stats)
		print_stats(vm);
	int reason = atomic_load(&vm->stop_reason);
	switch (reason) {
	case VM_STOP_POWEROFF:
	case VM_STOP_REBOOT:
	case VM_STOP_QUIT:
		log_debug("%s", vm->stop_message);
		break;
	default:
		log_msg(NULL, "%s", vm->stop_message);
		if (vm->stop_detail[0])
			fputs(vm->stop_detail, stderr);
	}
	return vm->exit_status;
}

int vm_run(const struct vmm_config *cfg, uint64_t start_ns)
{
	static struct vm vm_storage; /* large; one VM per process */
	struct vm *vm = &vm_storage;
	*vm = (struct vm){ .cfg = cfg, .ncpus = cfg->cpus, .stop_fd = -1, .start_ns = start_ns };
	for (int i = 0; i < CLI_CPUS_MAX; i++)
		vm->vcpus[i].fd = -1;
	vm->kvm.sys_fd = vm->kvm.vm_fd = -1;
	vm->vhost.fd = -1;
	vm->vsock_ack_fd = -1;
	vm->coalesced.wake_fd = -1;

	/* SIGINT/SIGTERM/SIGHUP are read from a signalfd by the main thread;
	 * blocked before any thread starts so every thread inherits the mask. */
	sigset_t stop_signals;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGHUP);
	sigset_t kick;
	sigemptyset(&kick);
	sigaddset(&kick, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	pthread_sigmask(SIG_BLOCK, &kick, NULL);
	signal(SIGPIPE, SIG_IGN);

	int signal_fd = signalfd(-1, &stop_signals, SFD_CLOEXEC);
	vm->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (signal_fd < 0 || vm->stop_fd < 0 || vcpu_init_signals() < 0) {
		error_errno("cannot set up signal handling");
		goto fail;
	}
	if (create_vm(vm) < 0)
		goto fail;
	if (console_open(&vm->console) < 0)
		goto fail;
	/* Everything before this point is minivmm's own start-up cost: the
	 * guest's first instruction follows. */
	vm->vcpus_started_ns = clock_now_ns() - start_ns;
	if (cfg->boot_timer)
		log_msg("boot-timer", "vCPUs started at %.1f ms", vm->vcpus_started_ns / 1e6);
	for (int i = 0; i < vm->ncpus; i++)
		if (vcpu_start(&vm->vcpus[i]) < 0) {
			vm_request_stop(vm, VM_STOP_ERROR, 1, "%s", error_message());
			break;
		}
	main_loop(vm, signal_fd);
	teardown(vm);
	console_restore(&vm->console);
	close(signal_fd);
	return report(vm);

fail:
	log_msg(NULL, "%s", error_message());
	teardown(vm);
	if (signal_fd >= 0)
		close(signal_fd);
	return 1;
}
