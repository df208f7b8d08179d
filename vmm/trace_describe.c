#include "vmm/trace_describe.h"

#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>

const char *trace_exit_reason(uint32_t reason, const char **meaning)
{
	static const struct {
		uint32_t reason;
		const char *name, *meaning;
	} reasons[] = {
		{ KVM_EXIT_IO, "KVM_EXIT_IO", "an IN or OUT to a port the kernel does not handle" },
		{ KVM_EXIT_MMIO, "KVM_EXIT_MMIO",
		  "a load or store to guest-physical memory that is no RAM slot" },
		{ KVM_EXIT_HLT, "KVM_EXIT_HLT", "HLT without an in-kernel local APIC" },
		{ KVM_EXIT_SHUTDOWN, "KVM_EXIT_SHUTDOWN", "a triple fault" },
		{ KVM_EXIT_FAIL_ENTRY, "KVM_EXIT_FAIL_ENTRY", "the CPU refused to enter the guest" },
		{ KVM_EXIT_INTR, "KVM_EXIT_INTR",
		  "a signal interrupted KVM_RUN (minivmm kicking its vCPU)" },
		{ KVM_EXIT_IRQ_WINDOW_OPEN, "KVM_EXIT_IRQ_WINDOW_OPEN",
		  "the guest can take an interrupt" },
		{ KVM_EXIT_INTERNAL_ERROR, "KVM_EXIT_INTERNAL_ERROR",
		  "KVM could not emulate an instruction" },
		{ KVM_EXIT_SYSTEM_EVENT, "KVM_EXIT_SYSTEM_EVENT", "the guest asked for a reset or power off" },
	};
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].reason == reason) {
			if (meaning)
				*meaning = reasons[i].meaning;
			return reasons[i].name;
		}
	if (meaning)
		*meaning = "an exit reason minivmm does not handle";
	return "KVM_EXIT_?";
}

uint64_t trace_le_value(const uint8_t *data, uint32_t len)
{
	uint64_t v = 0;
	for (uint32_t i = 0; i < len && i < 8; i++)
		v |= (uint64_t)data[i] << (8 * i);
	return v;
}

/* The 8250 UART's registers with DLAB clear (8250_port.c, serial_reg.h). */
static void uart(uint64_t offset, bool is_write, uint64_t value, char *buf, size_t size)
{
	static const char *const rd[8] = {
		"RBR (received byte)", "IER (interrupt enable)", "IIR (interrupt identification)",
		"LCR (line control)", "MCR (modem control)", "LSR (line status)",
		"MSR (modem status)", "SCR (scratch)",
	};
	static const char *const wr[8] = {
		"THR (transmit)", "IER (interrupt enable)", "FCR (FIFO control)",
		"LCR (line control)", "MCR (modem control)", "LSR (line status, read-only)",
		"MSR (modem status, read-only)", "SCR (scratch)",
	};
	const char *name = (is_write ? wr : rd)[offset & 7];
	if (is_write && offset == 0 && value >= 0x20 && value < 0x7f)
		snprintf(buf, size, "%s '%c' [include/uapi/linux/serial_reg.h]", name, (int)value);
	else
		snprintf(buf, size, "%s [include/uapi/linux/serial_reg.h]", name);
}

char *trace_describe_port(const char *range, uint64_t offset, bool is_write, uint64_t value,
			  char *buf, size_t size)
{
	if (!range) {
		snprintf(buf, size, "no device: %s", is_write ? "ignored" : "reads all-ones");
	} else if (strcmp(range, "serial (COM1)") == 0) {
		uart(offset, is_write, value, buf, size);
	} else if (strcmp(range, "i8042") == 0) {
		if (offset == 4 && is_write && value == 0xfe)
			snprintf(buf, size, "i8042 command 0xfe: pulse the CPU reset line "
				 "(reboot=k) [arch/x86/kernel/reboot.c]");
		else
			snprintf(buf, size, "i8042 %s [drivers/input/serio/i8042.h]",
				 offset == 0 ? "data" : offset == 4 ? "status/command" : "port");
	} else if (strcmp(range, "ACPI PM1a registers") == 0) {
		snprintf(buf, size, "%s [ACPI 6.4 section 4.8.3]",
			 offset < 2 ? "PM1a_STS (status)" : offset < 4 ? "PM1a_EN (enable)"
							 : "PM1a_CNT (control: SLP_TYP, SLP_EN)");
	} else if (strcmp(range, "boot timer") == 0) {
		snprintf(buf, size, "boot timer: the guest marks a milestone of its boot "
			 "[devices/boot_timer.h]");
	} else if (strcmp(range, "POST/io-delay") == 0) {
		snprintf(buf, size, "POST code / I/O delay (outb_p): %s [arch/x86/boot/boot.h "
			 "io_delay]", is_write ? "ignored" : "reads all-ones");
	} else if (strcmp(range, "PCI config (no bus)") == 0) {
		snprintf(buf, size, "PCI configuration mechanism #1: no PCI bus, reads all-ones "
			 "[arch/x86/pci/direct.c]");
	} else {
		snprintf(buf, size, "%s +0x%llx", range, (unsigned long long)offset);
	}
	return buf;
}
