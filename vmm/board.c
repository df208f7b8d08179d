#include "vmm/board.h"

#include <linux/serial_reg.h>
#include <string.h>

#include "lib/error.h"
#include "lib/exit_status.h"
#include "lib/kvm_vm.h"
#include "lib/log.h"
#include "lib/platform.h"

/* Never blocks: a stdout that stops draining must not stall a vCPU or the
 * main loop (vmm/console_out.h). */
static void serial_write_out(void *ctx, const uint8_t *buf, size_t len)
{
	struct board *b = ctx;
	console_out_put(&b->out, buf, len);
}

static void serial_set_irq(void *ctx, int level)
{
	struct board *b = ctx;
	if (kvm_vm_irq_line(b->vm_fd, SERIAL_COM1_IRQ, level) < 0)
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
	struct board *b = opaque;
	serial8250_io(&b->serial, offset, data, len, is_write);
	if (is_write && offset <= UART_IER && offset + len > UART_IER)
		coalesced_io_sync_zone(&b->coalesced, &b->thr_zone);
}

static bool always_wanted(void *ctx)
{
	(void)ctx;
	return true;
}

static bool thr_zone_wanted(void *ctx)
{
	struct board *b = ctx;
	return serial8250_thr_deferrable(&b->serial);
}

/* A write KVM deferred into the coalesced ring, replayed on the bus it was
 * meant for, in ring order. */
static void replay_coalesced_write(void *ctx, bool pio, uint64_t addr, const uint8_t *data,
				   uint32_t len)
{
	struct board *b = ctx;
	uint8_t buf[8];
	memcpy(buf, data, len); /* len <= 8: checked by coalesced_ring_replay */
	if (!io_bus_dispatch(pio ? &b->pio : &b->mmio, addr, buf, len, true))
		log_debug("unhandled coalesced %s write: %#llx size %u", pio ? "port" : "MMIO",
			  (unsigned long long)addr, len);
}

/* Linux with reboot=k pulses the i8042 reset line for every reboot. With
 * reboot=panic_warm it first stores the BIOS warm-reset flag 0x1234 at
 * 0x472 when the reboot follows a panic (arch/x86/kernel/reboot.c,
 * native_machine_emergency_restart), which is how a panic is told apart. */
static void i8042_reset(void *ctx)
{
	struct board *b = ctx;
	const uint8_t *flag = guest_memory_ptr(b->mem, BIOS_WARM_RESET_FLAG_ADDR, 2);
	if (flag && (flag[0] | flag[1] << 8) == BIOS_WARM_RESET_MAGIC)
		stop_request(b->stop, VM_STOP_PANIC, EXIT_GUEST_CRASHED,
			     "guest kernel panicked (it reset the machine after a panic)");
	else
		stop_request(b->stop, VM_STOP_REBOOT, 0, "guest rebooted");
}

static void acpi_poweroff(void *ctx)
{
	struct board *b = ctx;
	stop_request(b->stop, VM_STOP_POWEROFF, 0, "guest powered off");
}

/* The guest's verdict through the exit port (devices/exit_port.h). */
static void guest_verdict(void *ctx, uint32_t value)
{
	struct board *b = ctx;
	int status = exit_status_for_verdict(value);
	if (value == 0)
		stop_request(b->stop, VM_STOP_GUEST_VERDICT, status,
			     "the guest reported success (0 on the exit port)");
	else
		stop_request(b->stop, VM_STOP_GUEST_VERDICT, status,
			     "the guest reported failure %u on the exit port (exit status %d)",
			     value, status);
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
	struct board *b = ctx;
	if (b->log_boot_timer)
		log_msg("boot-timer", "%s at %.1f ms", boot_timer_event_name(event), ns / 1e6);
}

int board_create(struct board *b, int vm_fd, const struct guest_memory *mem,
		 struct stop_sink *stop, uint64_t start_ns, bool log_boot_timer)
{
	*b = (struct board){
		.vm_fd = vm_fd, .mem = mem, .stop = stop, .log_boot_timer = log_boot_timer,
		.pio = { .name = "port I/O" }, .mmio = { .name = "MMIO" },
		.coalesced = { .wake_fd = -1 },
	};
	serial8250_init(&b->serial, &(struct serial8250_ops){
					    .write_out = serial_write_out,
					    .set_irq = serial_set_irq,
					    .ctx = b,
				    });
	b->serial_ready = true;
	i8042_init(&b->i8042, &(struct i8042_ops){ .reset = i8042_reset, .ctx = b });
	acpi_pm_init(&b->acpi_pm, &(struct acpi_pm_ops){ .poweroff = acpi_poweroff, .ctx = b });
	exit_port_init(&b->exit_port, &(struct exit_port_ops){ .verdict = guest_verdict, .ctx = b });
	boot_timer_init(&b->boot_timer, start_ns, boot_timer_report, b);
	if (io_bus_register(&b->pio, SERIAL_COM1_PORT, 8, serial_port_io, b, "serial (COM1)") < 0 ||
	    io_bus_register(&b->pio, I8042_DATA_PORT, 5, i8042_io, &b->i8042, "i8042") < 0 ||
	    io_bus_register(&b->pio, ACPI_PM1A_EVT_PORT, ACPI_PM_RANGE_LEN, acpi_pm_io, &b->acpi_pm,
			    "ACPI PM1a registers") < 0 ||
	    io_bus_register(&b->pio, EXIT_PORT, EXIT_PORT_LEN, exit_port_io, &b->exit_port,
			    "exit port") < 0 ||
	    io_bus_register(&b->pio, BOOT_TIMER_PORT, 1, boot_timer_io, &b->boot_timer,
			    "boot timer") < 0 ||
	    /* POST code / I/O delay (outb_p) */
	    io_bus_register(&b->pio, IO_DELAY_PORT, 1, silent_port, NULL, "POST/io-delay") < 0 ||
	    /* PCI configuration mechanism #1: there is no PCI bus, and all-ones
	     * is what a bus without devices answers. */
	    io_bus_register(&b->pio, PCI_CONFIG_PORT, PCI_CONFIG_LEN, silent_port, NULL,
			    "PCI config (no bus)") < 0)
		return error_wrap("devices");
	return 0;
}

int board_start_coalesced(struct board *b, void *run_map, size_t map_size)
{
	if (coalesced_io_init(&b->coalesced, b->vm_fd, run_map, map_size, replay_coalesced_write,
			      b) < 0)
		return -1;
	b->thr_zone = (struct coalesced_zone){
		.addr = SERIAL_COM1_PORT + UART_TX, .size = 1, .pio = true,
		.wanted = thr_zone_wanted, .ctx = b,
	};
	coalesced_io_sync_zone(&b->coalesced, &b->thr_zone);
	/* Writes to ports that ignore them need no exit either: nothing can
	 * ever read back what they wrote, so deferring them is invisible. A
	 * guest that scans for PCI devices (Debian's kernel probes about
	 * 16,600 addresses early in its boot: write the address to 0xcf8, read
	 * 0xcfc) then costs one exit per address instead of two
	 * (docs/architecture.md, "Coalesced UART output"). */
	b->silent_zones[0] = (struct coalesced_zone){
		.addr = PCI_CONFIG_PORT, .size = PCI_CONFIG_LEN, .pio = true,
		.wanted = always_wanted,
	};
	b->silent_zones[1] = (struct coalesced_zone){
		.addr = IO_DELAY_PORT, .size = 1, .pio = true, .wanted = always_wanted,
	};
	for (size_t i = 0; i < BOARD_SILENT_ZONES; i++)
		coalesced_io_sync_zone(&b->coalesced, &b->silent_zones[i]);
	return 0;
}

void board_stop_coalesced(struct board *b)
{
	coalesced_io_drain(&b->coalesced);
	coalesced_io_destroy(&b->coalesced);
}

void board_destroy(struct board *b)
{
	if (b->serial_ready)
		serial8250_destroy(&b->serial);
	b->serial_ready = false;
}
