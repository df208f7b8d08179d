/* AML encodings from ACPI 6.4 chapter 20 (section numbers below); resource
 * descriptors from section 6.4. */
#include "boot/aml.h"

#include <string.h>

#include "lib/error.h"

/* Section 20.3: opcodes. */
#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define AML_NAME_OP 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_STRING_PREFIX 0x0d
#define AML_QWORD_PREFIX 0x0e
#define AML_SCOPE_OP 0x10
#define AML_BUFFER_OP 0x11
#define AML_PACKAGE_OP 0x12
#define AML_EXT_OP_PREFIX 0x5b
#define AML_DEVICE_OP 0x82 /* after ExtOpPrefix */
#define AML_ROOT_CHAR '\\'

/* Section 6.4: large resource items (tag byte, 16-bit length). */
#define AML_RES_MEMORY32_FIXED 0x86
#define AML_RES_EXT_INTERRUPT 0x89
/* Small item: End Tag, tag 0x0f, length 1 (section 6.4.2.9). */
#define AML_RES_END_TAG 0x79

#define NAMESEG_LEN 4

void aml_init(struct aml *a, uint8_t *buf, size_t cap)
{
	*a = (struct aml){ .buf = buf, .cap = buf ? cap : 0 };
}

static void problem(struct aml *a, const char *what)
{
	if (a->problem == NULL)
		a->problem = what;
}

static void put(struct aml *a, const void *bytes, size_t n)
{
	if (a->buf != NULL) {
		if (a->overflow || n > a->cap - a->len) {
			a->overflow = true;
		} else {
			memcpy(a->buf + a->len, bytes, n);
		}
	}
	a->len += n;
}

static void put8(struct aml *a, uint8_t v)
{
	put(a, &v, 1);
}

/* Little-endian, as every multi-byte AML value (section 20.2). */
static void put_le(struct aml *a, uint64_t v, unsigned n)
{
	uint8_t b[8];

	for (unsigned i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put(a, b, n);
}

long aml_finish(struct aml *a)
{
	if (a->depth != 0)
		problem(a, "a term was left open");
	if (a->problem != NULL)
		return error_set("AML: %s", a->problem);
	if (a->overflow)
		return error_set("AML: %zu bytes do not fit in %zu", a->len, a->cap);
	return (long)a->len;
}

/* Section 20.2.2: LeadNameChar is A-Z or '_', NameChar adds 0-9. */
static bool nameseg_ok(const char *s)
{
	if (strlen(s) != NAMESEG_LEN)
		return false;
	for (int i = 0; i < NAMESEG_LEN; i++) {
		char c = s[i];
		bool lead = (c >= 'A' && c <= 'Z') || c == '_';
		if (!lead && !(i > 0 && c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

void aml_name(struct aml *a, const char *name)
{
	if (name[0] == AML_ROOT_CHAR) {
		put8(a, AML_ROOT_CHAR);
		name++;
	}
	if (!nameseg_ok(name)) {
		problem(a, "a name is not a 4-character NameSeg");
		return;
	}
	put(a, name, NAMESEG_LEN);
}

/* Section 20.2.4: a PkgLength counts itself. Up to 63 bytes it is one
 * byte; otherwise bits 7-6 of the lead byte give the number of bytes that
 * follow (1-3), bits 3-0 the low nibble, each following byte the next 8
 * bits. */
unsigned aml_pkglength_size(size_t content)
{
	if (content + 1 <= 0x3f)
		return 1;
	if (content + 2 < (1u << 12))
		return 2;
	if (content + 3 < (1u << 20))
		return 3;
	if (content + 4 < (1u << 28))
		return 4;
	return 0;
}

unsigned aml_pkglength_encode(uint8_t out[4], size_t content)
{
	unsigned n = aml_pkglength_size(content);
	size_t total = content + n;

	if (n == 0)
		return 0;
	if (n == 1) {
		out[0] = (uint8_t)total;
		return 1;
	}
	out[0] = (uint8_t)(((n - 1) << 6) | (total & 0x0f));
	for (unsigned i = 1; i < n; i++)
		out[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	return n;
}

static void open_pkg(struct aml *a)
{
	if (a->depth == AML_MAX_DEPTH) {
		problem(a, "terms nested too deep");
		return;
	}
	a->open[a->depth++] = a->len;
}

/* Close the innermost open term: now that its contents are written, move
 * them up to make room for the PkgLength in front of them. */
void aml_end(struct aml *a)
{
	if (a->depth == 0) {
		problem(a, "aml_end without an open term");
		return;
	}
	size_t at = a->open[--a->depth], content = a->len - at;
	uint8_t enc[4];
	unsigned n = aml_pkglength_encode(enc, content);

	if (n == 0) {
		problem(a, "a term is longer than a PkgLength can say");
		return;
	}
	if (a->buf != NULL && !a->overflow) {
		if (n > a->cap - a->len) {
			a->overflow = true;
		} else {
			memmove(a->buf + at + n, a->buf + at, content);
			memcpy(a->buf + at, enc, n);
		}
	}
	a->len += n;
}

/* Section 20.2.5.1: DefScope := ScopeOp PkgLength NameString TermList. */
void aml_scope_begin(struct aml *a, const char *name)
{
	put8(a, AML_SCOPE_OP);
	open_pkg(a);
	aml_name(a, name);
}

/* Section 20.2.5.2: DefDevice := DeviceOp PkgLength NameString TermList,
 * DeviceOp := ExtOpPrefix 0x82. */
void aml_device_begin(struct aml *a, const char *name)
{
	put8(a, AML_EXT_OP_PREFIX);
	put8(a, AML_DEVICE_OP);
	open_pkg(a);
	aml_name(a, name);
}

/* Section 20.2.5.4: DefPackage := PackageOp PkgLength NumElements
 * PackageElementList. */
void aml_package_begin(struct aml *a, uint8_t count)
{
	put8(a, AML_PACKAGE_OP);
	open_pkg(a);
	put8(a, count);
}

/* Section 20.2.5.1: DefName := NameOp NameString DataRefObject. */
void aml_name_begin(struct aml *a, const char *name)
{
	put8(a, AML_NAME_OP);
	aml_name(a, name);
}

/* Section 20.2.3: ComputationalData, the shortest form. */
void aml_integer(struct aml *a, uint64_t v)
{
	if (v == 0) {
		put8(a, AML_ZERO_OP);
	} else if (v == 1) {
		put8(a, AML_ONE_OP);
	} else if (v <= UINT8_MAX) {
		put8(a, AML_BYTE_PREFIX);
		put_le(a, v, 1);
	} else if (v <= UINT16_MAX) {
		put8(a, AML_WORD_PREFIX);
		put_le(a, v, 2);
	} else if (v <= UINT32_MAX) {
		put8(a, AML_DWORD_PREFIX);
		put_le(a, v, 4);
	} else {
		put8(a, AML_QWORD_PREFIX);
		put_le(a, v, 8);
	}
}

/* String := StringPrefix AsciiCharList NullChar; ASCII 0x01-0x7f. */
void aml_string(struct aml *a, const char *s)
{
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p > 0x7f) {
			problem(a, "a string is not ASCII");
			return;
		}
	put8(a, AML_STRING_PREFIX);
	put(a, s, strlen(s) + 1);
}

/* Section 20.2.5.4: DefBuffer := BufferOp PkgLength BufferSize ByteList. */
void aml_buffer(struct aml *a, const uint8_t *bytes, size_t n)
{
	put8(a, AML_BUFFER_OP);
	open_pkg(a);
	aml_integer(a, n);
	put(a, bytes, n);
	aml_end(a);
}

/* Section 6.4.3.4, Table 6.252: 32-Bit Fixed Memory Range Descriptor. */
void aml_memory32_fixed(uint8_t out[AML_MEMORY32_FIXED_SIZE], uint32_t base, uint32_t length,
			bool writable)
{
	out[0] = AML_RES_MEMORY32_FIXED;
	out[1] = 9; /* length of what follows the 3-byte header, low byte */
	out[2] = 0;
	out[3] = writable ? 1 : 0; /* bit 0: read/write */
	for (int i = 0; i < 4; i++) {
		out[4 + i] = (uint8_t)(base >> (8 * i));
		out[8 + i] = (uint8_t)(length >> (8 * i));
	}
}

/* Section 6.4.3.6, Table 6.257: Extended Interrupt Descriptor with one
 * interrupt number and no resource source. */
void aml_ext_interrupt(uint8_t out[AML_EXT_INTERRUPT1_SIZE], uint8_t flags, uint32_t gsi)
{
	out[0] = AML_RES_EXT_INTERRUPT;
	out[1] = 6; /* flags, table length, one 32-bit interrupt */
	out[2] = 0;
	out[3] = flags;
	out[4] = 1; /* interrupt table length */
	for (int i = 0; i < 4; i++)
		out[5 + i] = (uint8_t)(gsi >> (8 * i));
}

/* Section 6.4.2.9: End Tag; a checksum of 0 means "treat as correct". */
void aml_end_tag(uint8_t out[AML_END_TAG_SIZE])
{
	out[0] = AML_RES_END_TAG;
	out[1] = 0;
}
