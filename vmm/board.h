/* The PC board around the guest: the legacy devices on the port-I/O bus
 * (COM1, i8042, ACPI PM registers, the boot timer port, the ports Linux
 * probes with nothing behind them), the buses themselves, and the policy
 * that ties devices to VM events (a reset line is a reboot or, after a
 * panic, a crash; S5 is a power-off; the exit port is the guest's
 * verdict). The coalesced ring that defers the
 * UART's transmit writes lives here too, with the THR zone it serves and
 * the zones of the ports whose writes nothing can observe. */
#ifndef MINIVMM_VMM_BOARD_H
#define MINIVMM_VMM_BOARD_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/acpi_pm.h"
#include "devices/boot_timer.h"
#include "devices/exit_port.h"
#include "devices/i8042.h"
#include "devices/serial8250.h"
#include "lib/guest_memory.h"
#include "lib/io_bus.h"
#include "vmm/coalesced_io.h"
#include "vmm/console_out.h"
#include "vmm/stop.h"

/* Ports with nothing behind them: reads give all-ones, writes are ignored. */
#define IO_DELAY_PORT 0x80    /* POST codes; Linux's outb_p writes it */
#define PCI_CONFIG_PORT 0xcf8 /* PCI configuration mechanism #1: address, data */
#define PCI_CONFIG_LEN 8
#define BOARD_SILENT_ZONES 2

struct board {
	int vm_fd;
	const struct guest_memory *mem;
	struct stop_sink *stop;
	bool log_boot_timer; /* --boot-timer */
	struct io_bus pio;
	struct io_bus mmio;
	/* The UART's output on its way to stdout; its writer thread is
	 * started and stopped by the VM's lifecycle (vm.c). */
	struct console_out out;
	struct serial8250 serial;
	struct i8042 i8042;
	struct acpi_pm acpi_pm;
	struct boot_timer boot_timer;
	struct exit_port exit_port;
	bool serial_ready;
	/* THR writes deferred through KVM's coalesced PIO ring while the
	 * UART's THR-empty interrupt is disabled (docs/architecture.md). */
	struct coalesced_io coalesced;
	struct coalesced_zone thr_zone;
	/* Writes to IO_DELAY_PORT and the PCI configuration ports, always
	 * deferred: they change nothing anyone can read. */
	struct coalesced_zone silent_zones[BOARD_SILENT_ZONES];
};

/* Set up the buses and the legacy devices. start_ns is the boot timer's
 * zero. On failure, board_destroy undoes what was done. */
int board_create(struct board *b, int vm_fd, const struct guest_memory *mem,
		 struct stop_sink *stop, uint64_t start_ns, bool log_boot_timer);
/* Start deferring UART output through KVM's coalesced ring, which is
 * mapped through a vCPU's kvm_run (run_map, map_size). Optional: without
 * KVM_CAP_COALESCED_PIO every byte exits. */
int board_start_coalesced(struct board *b, void *run_map, size_t map_size);
/* Replay what the guest left in the ring and stop using it (vCPUs stopped;
 * before the mapping goes). */
void board_stop_coalesced(struct board *b);
void board_destroy(struct board *b);

#endif
