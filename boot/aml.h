/* A small AML writer (ACPI 6.4 chapter 20, "ACPI Machine Language
 * Specification"): just the terms minivmm's DSDT needs, Scope, Device, Name,
 * Package, integers, strings and buffers, with their PkgLength computed when
 * the enclosing term is closed. Plus the two resource descriptors (section
 * 6.4) a virtio-mmio device's _CRS holds. Pure logic: bytes into a buffer.
 *
 * Use: aml_init, then emit terms; *_begin opens a term with a PkgLength
 * (Scope, Device, Package) and aml_end closes the innermost one. A writer
 * with a NULL buffer only counts bytes, so the same code measures a table
 * before it is placed. Overflow and unbalanced begin/end are remembered and
 * reported once, by aml_finish. */
#ifndef MINIVMM_BOOT_AML_H
#define MINIVMM_BOOT_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX_DEPTH 8

struct aml {
	uint8_t *buf; /* NULL: count only */
	size_t cap;
	size_t len;
	bool overflow;
	const char *problem; /* the first misuse seen, or NULL */
	unsigned depth;
	size_t open[AML_MAX_DEPTH]; /* where each open term's PkgLength goes */
};

void aml_init(struct aml *a, uint8_t *buf, size_t cap);
/* The bytes written (or counted), or -1 with an error if the buffer was too
 * small, a term was left open or closed twice, or a name was malformed. */
long aml_finish(struct aml *a);

/* Names: a NameSeg is 4 characters [A-Z_][A-Z0-9_]{3} (section 20.2.2);
 * a name may start with '\' (root). Only single segments are supported. */
void aml_name(struct aml *a, const char *name);

/* Scope (name) { ... }, Device (name) { ... }, Package () { ... }: close
 * each with aml_end. A package holds count elements (section 20.2.5.4). */
void aml_scope_begin(struct aml *a, const char *name);
void aml_device_begin(struct aml *a, const char *name);
void aml_package_begin(struct aml *a, uint8_t count);
void aml_end(struct aml *a);

/* Data objects (section 20.2.3): the shortest encoding of an integer
 * (ZeroOp, OneOp, Byte/Word/DWord/QWordPrefix), a NUL-terminated ASCII
 * string, a buffer of n bytes. */
void aml_integer(struct aml *a, uint64_t v);
void aml_string(struct aml *a, const char *s);
void aml_buffer(struct aml *a, const uint8_t *bytes, size_t n);

/* Name (name, ...): NameOp and the name; the value follows (one of the
 * data objects above, or a package). */
void aml_name_begin(struct aml *a, const char *name);

/* PkgLength (section 20.2.4): bytes needed to encode a package whose
 * contents (after the PkgLength) are content bytes, 1..4, or 0 if too big
 * (2^28 or more); and the encoding itself. */
unsigned aml_pkglength_size(size_t content);
unsigned aml_pkglength_encode(uint8_t out[4], size_t content);

/* Resource descriptors (ACPI 6.4 section 6.4). */
#define AML_MEMORY32_FIXED_SIZE 12 /* section 6.4.3.4 */
#define AML_EXT_INTERRUPT1_SIZE 9  /* section 6.4.3.6, one interrupt */
#define AML_END_TAG_SIZE 2         /* section 6.4.2.9 */

/* Extended Interrupt flags (Table 6.257). */
#define AML_IRQ_CONSUMER (1u << 0)
#define AML_IRQ_EDGE (1u << 1)       /* clear: level-triggered */
#define AML_IRQ_ACTIVE_LOW (1u << 2) /* clear: active-high */
#define AML_IRQ_SHARED (1u << 3)     /* clear: exclusive */

void aml_memory32_fixed(uint8_t out[AML_MEMORY32_FIXED_SIZE], uint32_t base, uint32_t length,
			bool writable);
void aml_ext_interrupt(uint8_t out[AML_EXT_INTERRUPT1_SIZE], uint8_t flags, uint32_t gsi);
void aml_end_tag(uint8_t out[AML_END_TAG_SIZE]);

#endif
