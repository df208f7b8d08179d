#include "boot/load_steps.h"

#include <stdio.h>
#include <string.h>

#include "boot/acpi.h"
#include "boot/cmdline.h"
#include "boot/initrd.h"
#include "boot/mptable.h"
#include "lib/error.h"
#include "lib/log.h"
#include "lib/platform.h"
#include "lib/trace.h"

void *load_low_area(struct guest_memory *mem, uint64_t gpa, uint64_t len, const char *what)
{
	void *p = guest_memory_ptr(mem, gpa, len);
	if (p == NULL)
		error_set("%s: 0x%llx-0x%llx is outside guest memory", what,
			  (unsigned long long)gpa, (unsigned long long)(gpa + len));
	return p;
}

/* The devices are described in the DSDT; a kernel told acpi=off reads no
 * DSDT, so then they go on the command line instead, before the user's
 * words. Never both: a kernel that reads both registers each device twice,
 * and the second probe fails (docs/acpi.md). */
int load_cmdline(struct guest_memory *mem, uint64_t max, const char *user,
		 const struct boot_devices *devs, const struct load_refs *refs)
{
	char words[BOOT_CMDLINE_MAX], extra[BOOT_CMDLINE_MAX];
	char *dst;

	if (max > BOOT_CMDLINE_MAX)
		max = BOOT_CMDLINE_MAX;
	dst = load_low_area(mem, BOOT_CMDLINE_ADDR, max, "command line");
	if (dst == NULL)
		return -1;
	words[0] = '\0';
	if (cmdline_acpi_off(user) &&
	    cmdline_virtio_mmio_words(words, sizeof(words), devs->mmio, devs->nmmio) < 0)
		return -1;
	if (snprintf(extra, sizeof(extra), "%s%s", words, user ? user : "") >= (int)sizeof(extra))
		return error_set("kernel command line: the devices and --cmdline are more than "
				 "%llu bytes",
				 (unsigned long long)BOOT_CMDLINE_MAX - 1);
	if (cmdline_build(dst, (size_t)max, CMDLINE_DEFAULTS, extra) < 0)
		return -1;
	trace(TRACE_BOOT, "memory: command line at 0x%llx (%s): \"%s\" [%s]",
	      (unsigned long long)BOOT_CMDLINE_ADDR, refs->cmdline, dst, refs->cmdline_cite);
	return 0;
}

int load_initrd(struct guest_memory *mem, uint64_t kernel_end, uint64_t initrd_addr_max,
		const uint8_t *initrd, size_t size, uint64_t *gpa, const struct load_refs *refs)
{
	uint8_t *dst;

	*gpa = 0;
	if (size == 0)
		return 0;
	if (initrd_place(mem, kernel_end, initrd_addr_max, size, gpa) < 0)
		return -1;
	dst = guest_memory_ptr(mem, *gpa, size);
	if (dst == NULL)
		return error_set("initrd: 0x%llx is outside guest memory", (unsigned long long)*gpa);
	memcpy(dst, initrd, size);
	trace(TRACE_BOOT, "memory: initrd (%zu bytes) written at 0x%llx-0x%llx, above the kernel "
	      "and %s", size, (unsigned long long)*gpa, (unsigned long long)(*gpa + size - 1),
	      refs->initrd);
	return 0;
}

/* MP table (MultiProcessor Specification 1.4) at the top of base memory,
 * ACPI tables in the BIOS ROM area; both lie in the e820 reserved range. */
int load_firmware_tables(struct guest_memory *mem, int ncpus, const struct boot_devices *devs,
			 uint64_t *rsdp, const struct load_refs *refs)
{
	uint64_t mp_len = BIOS_ROM_START - MPTABLE_ADDR;
	uint64_t acpi_len = HIGH_MEMORY_START - ACPI_TABLES_ADDR;
	size_t used;
	void *p;

	p = load_low_area(mem, MPTABLE_ADDR, mp_len, "MP table");
	if (p == NULL)
		return -1;
	if (mptable_build(p, mp_len, MPTABLE_ADDR, ncpus, &used) < 0)
		return error_wrap("MP table");
	log_debug("MP table: %zu bytes at 0x%llx", used, (unsigned long long)MPTABLE_ADDR);
	trace(TRACE_BOOT, "memory: MP table (%zu bytes: floating pointer, %d processor "
	      "entries, bus, IOAPIC, interrupts) at 0x%llx, in the EBDA where the kernel scans "
	      "for it [MultiProcessor Specification 1.4; arch/x86/kernel/mpparse.c]", used,
	      ncpus, (unsigned long long)MPTABLE_ADDR);

	p = load_low_area(mem, ACPI_TABLES_ADDR, acpi_len, "ACPI tables");
	if (p == NULL)
		return -1;
	if (acpi_build(p, acpi_len, ACPI_TABLES_ADDR, ncpus, devs->mmio, devs->nmmio, rsdp,
		       &used) < 0)
		return error_wrap("ACPI tables");
	log_debug("ACPI tables: %zu bytes at 0x%llx, RSDP at 0x%llx", used,
		  (unsigned long long)ACPI_TABLES_ADDR, (unsigned long long)*rsdp);
	trace(TRACE_BOOT, "memory: ACPI tables (%zu bytes: RSDP, XSDT, FADT, FACS, DSDT, MADT) at "
	      "0x%llx, RSDP at 0x%llx (%s) [ACPI 6.4 section 5.2; drivers/acpi/tables.c]", used,
	      (unsigned long long)ACPI_TABLES_ADDR, (unsigned long long)*rsdp, refs->rsdp);
	return 0;
}
