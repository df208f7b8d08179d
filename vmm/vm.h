/* A running virtual machine: KVM objects, buses, devices, vCPU threads and
 * the record of why it stopped. */
#ifndef MINIVMM_VM_H
#define MINIVMM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "../devices/acpi_pm.h"
#include "../devices/boot_timer.h"
#include "../devices/i8042.h"
#include "../devices/serial8250.h"
#include "../virtio/vhost_vsock.h"
#include "../virtio/vsock.h"
#include "../virtio/vsock_test_backend.h"
#include "cli.h"
#include "coalesced_io.h"
#include "console.h"
#include "error.h"
#include "io_bus.h"
#include "kvm.h"
#include "register_page.h"
#include "vcpu.h"

enum vm_stop_reason {
	VM_RUNNING = 0,
	VM_STOP_POWEROFF,   /* ACPI S5 */
	VM_STOP_REBOOT,     /* i8042 reset line, cold */
	VM_STOP_QUIT,       /* Ctrl-A x on the console */
	VM_STOP_PANIC,      /* i8042 reset with the warm-reset flag set */
	VM_STOP_CRASH,      /* triple fault, entry failure, internal error */
	VM_STOP_ERROR,      /* minivmm itself failed */
	VM_STOP_SIGNAL,     /* SIGINT, SIGTERM, SIGHUP */
};

struct vm {
	const struct vmm_config *cfg;
	uint64_t start_ns;
	uint64_t vcpus_started_ns; /* since start_ns: VMM setup done, guest runs */
	struct kvm kvm;
	struct io_bus pio;
	struct io_bus mmio;
	int ncpus;
	struct vcpu vcpus[CLI_CPUS_MAX];

	struct serial8250 serial;
	struct i8042 i8042;
	struct acpi_pm acpi_pm;
	struct boot_timer boot_timer;
	struct console console;
	bool devices_ready;
	/* THR writes deferred through KVM's coalesced PIO ring while the
	 * UART's THR-empty interrupt is disabled (docs/architecture.md). */
	struct coalesced_io coalesced;
	struct coalesced_zone thr_zone;
	struct vhost_vsock vhost;
	struct vsock_test_backend test_backend;
	struct vsock_device vsock;
	bool vsock_ready;
	struct register_page vsock_regs;
	int vsock_ack_fd;     /* absorbs InterruptACK writes (ioeventfd) */
	bool vsock_ack_wired;
	unsigned long main_wakeups;

	int stop_fd; /* eventfd: written once the VM must stop */
	atomic_int stop_reason;
	int exit_status;
	char stop_message[ERROR_MAX];
	char stop_detail[2048]; /* register dump for crashes */
};

/* Build and run the VM described by cfg; returns minivmm's exit status.
 * Errors are printed here, in one place. start_ns: when minivmm started
 * (CLOCK_MONOTONIC), the zero of the boot timer. */
int vm_run(const struct vmm_config *cfg, uint64_t start_ns);

/* Ask the VM to stop (any thread). The first request wins; later ones are
 * ignored. */
void vm_request_stop(struct vm *vm, enum vm_stop_reason reason, int exit_status,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static inline bool vm_stopping(struct vm *vm)
{
	return atomic_load(&vm->stop_reason) != VM_RUNNING;
}

#endif
