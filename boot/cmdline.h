/* The kernel command line minivmm passes (Documentation/admin-guide/
 * kernel-parameters.txt). */
#ifndef MINIVMM_BOOT_CMDLINE_H
#define MINIVMM_BOOT_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/platform.h"

/* Always passed, before anything the user adds:
 * - console=ttyS0: the kernel's console is minivmm's 8250 UART (COM1).
 * - reboot=k: reboot pulses the reset line of the i8042 keyboard
 *   controller, which minivmm traps, instead of a triple fault or ACPI.
 * - reboot=...,panic_warm: before a reboot caused by a panic, the kernel
 *   writes the BIOS warm-reset flag 0x1234 at 0x472 (kernel/reboot.c
 *   panic_reboot_mode, arch/x86/kernel/reboot.c). That is how minivmm tells
 *   a panic from a plain reboot: it reads the flag when the reset arrives.
 * - panic=-1: reboot at once on panic instead of hanging. */
#define CMDLINE_DEFAULTS "console=ttyS0 reboot=k,panic_warm panic=-1"

/* Write `defaults`, then a space and `extra` if extra is non-empty (either
 * may be NULL, meaning ""), with a terminating NUL, into out[0..out_size).
 * Returns 0, or -1 with an error giving both lengths if it does not fit. */
int cmdline_build(char *out, size_t out_size, const char *defaults, const char *extra);

/* Whether a kernel booted with this command line leaves ACPI off: the last
 * acpi=off or acpi=force before "--" decides, as in Linux's parse_acpi
 * (arch/x86/kernel/acpi/boot.c). NULL is an empty line. */
bool cmdline_acpi_off(const char *cmdline);

/* The words that describe the devices to a kernel that reads no ACPI:
 * "virtio_mmio.device=<size>K@<base>:<irq> " per device
 * (drivers/virtio/virtio_mmio.c, CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES), into
 * out[0..out_size) with a NUL. 0, or -1 with an error if they do not fit. */
int cmdline_virtio_mmio_words(char *out, size_t out_size, const struct platform_mmio_device *devs,
			      size_t ndevs);

#endif
