/* Intel MultiProcessor Specification 1.4 table: tells a Linux guest
 * (CONFIG_X86_MPPARSE) how many CPUs there are, where the I/O APIC is and
 * which I/O APIC pin each ISA IRQ is wired to. Pure logic: it only writes
 * bytes into a buffer that is guest memory at a given guest-physical address. */
#ifndef MINIVMM_BOOT_MPTABLE_H
#define MINIVMM_BOOT_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

/* APIC ids 0..31; the I/O APIC takes id ncpus, so all ids stay below 0xff. */
#define MPTABLE_MAX_CPUS 32

/* Only ISA IRQs 0..15 are described. Virtio-mmio devices use ISA IRQs 5..11
 * (free on a PC/AT-like machine without floppy, LPT or IDE), which are already
 * routed identity to I/O APIC pins 5..11. */
#define MPTABLE_ISA_IRQS 16

/* Polarity (bits 0-1) and trigger mode (bits 2-3) of an interrupt, as MP
 * spec 1.4 section 4.3.4 encodes them; the ACPI MADT's MPS INTI flags use
 * the same encoding (ACPI 6.4 section 5.2.12.5), so both tables share them. */
#define MPTABLE_IRQ_FLAGS_CONFORMING 0x0 /* as the bus says: ISA is edge, active high */
#define MPTABLE_IRQ_FLAGS_LEVEL_HIGH 0xd /* polarity 01 active high, trigger 11 level */

/* Build the floating pointer structure (at the start of buf, so buf must be
 * 16-byte aligned where Linux scans: the last KiB of base memory) followed
 * by the configuration table. buf is the host address of guest memory at
 * guest-physical gpa. On success *used is the number of bytes written.
 * Returns 0, or -1 with an error for ncpus outside 1..MPTABLE_MAX_CPUS, a
 * buffer too small, or a gpa the 32-bit table pointers cannot reach. */
int mptable_build(void *buf, size_t buf_size, uint64_t gpa, int ncpus, size_t *used);

/* Bytes mptable_build writes for ncpus CPUs (0 if ncpus is out of range). */
size_t mptable_size(int ncpus);

/* The I/O APIC input pin ISA IRQ `irq` is wired to (identity: IRQ n ->
 * pin n, the way KVM's default GSI routing wires its in-kernel PIT and
 * 8259A), or -1 when the IRQ is not routed (IRQ 2, the cascade, and
 * anything above 15). The one place that says how ISA IRQs reach the I/O
 * APIC: the MP table and the ACPI MADT both ask here. */
int mptable_isa_irq_pin(unsigned int irq);

/* Polarity/trigger flags (MPTABLE_IRQ_FLAGS_*) of a routed ISA IRQ:
 * level/active high for the ACPI SCI (ACPI_SCI_IRQ), conforming for the
 * others. Meaningless for an IRQ mptable_isa_irq_pin does not route. */
uint16_t mptable_isa_irq_flags(unsigned int irq);

/* APIC id of the I/O APIC in a guest with ncpus CPUs (the first id after
 * the CPUs' local APIC ids 0..ncpus-1). */
static inline int mptable_ioapic_id(int ncpus)
{
	return ncpus;
}

#endif
