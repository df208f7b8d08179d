/* The main thread's loop while the guest runs: it waits, without a
 * timeout while nothing is pending, for a stop request, a stop signal
 * (signalfd), host input for the guest's UART, and the coalesced ring's
 * wake-up, and the hang-up of a device backend's connection, and returns
 * once the VM must stop. */
#ifndef MINIVMM_VMM_EVENT_LOOP_H
#define MINIVMM_VMM_EVENT_LOOP_H

#include "vmm/board.h"
#include "vmm/console.h"
#include "vmm/halt_watch.h"
#include "vmm/stop.h"
#include "vmm/virtio_devices.h"

struct event_loop {
	struct stop_sink *stop;
	int signal_fd;
	struct board *board;
	struct console *console;
	struct halt_watch *halt; /* probes a guest that may be halted for good */
	unsigned long wakeups; /* --stats: main_loop_wakeups */
	/* SIGUSR2 (from the signalfd): every vCPU prints its registers. */
	void (*dump_vcpus)(void *ctx);
	void *ctx;
	/* Backend connections (vhost-user sockets): a hang-up means the
	 * backend died, and the VM stops with EXIT_VMM_FAILED. */
	struct virtio_backend_watch watches[CLI_VHOST_USER_MAX];
	size_t nwatches;
};

void event_loop_run(struct event_loop *loop);

#endif
