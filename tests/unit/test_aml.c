/* The AML writer (boot/aml.c): encodings checked against ACPI 6.4 chapter
 * 20 with a decoder written here from the specification. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "boot/aml.h"
#include "lib/error.h"

/* Section 20.2.4, decoded: returns the PkgLength's value, *n its size. */
static size_t decode_pkglength(const uint8_t *p, unsigned *n)
{
	unsigned follow = p[0] >> 6;
	size_t v;

	*n = 1 + follow;
	if (follow == 0)
		return p[0] & 0x3f;
	cr_assert_eq(p[0] & 0x30, 0, "bits 5-4 must be 0 in a multi-byte PkgLength");
	v = p[0] & 0x0f;
	for (unsigned i = 0; i < follow; i++)
		v |= (size_t)p[1 + i] << (4 + 8 * i);
	return v;
}

Test(aml, pkglength_sizes_at_their_limits)
{
	/* The PkgLength counts itself: one byte up to 63 in all. */
	cr_expect_eq(aml_pkglength_size(0), 1);
	cr_expect_eq(aml_pkglength_size(62), 1);
	cr_expect_eq(aml_pkglength_size(63), 2);
	cr_expect_eq(aml_pkglength_size(4093), 2);
	cr_expect_eq(aml_pkglength_size(4094), 3);
	cr_expect_eq(aml_pkglength_size((1u << 20) - 4), 3);
	cr_expect_eq(aml_pkglength_size((1u << 20) - 3), 4);
	cr_expect_eq(aml_pkglength_size((1u << 28) - 5), 4);
	cr_expect_eq(aml_pkglength_size((1u << 28) - 4), 0);
}

Test(aml, pkglength_round_trips)
{
	static const size_t contents[] = { 0, 1, 5, 62, 63, 64, 100, 255, 4093, 4094, 65535,
					   (1u << 20) - 4, (1u << 20) - 3, (1u << 28) - 5 };
	uint8_t enc[4];

	for (size_t i = 0; i < sizeof(contents) / sizeof(contents[0]); i++) {
		size_t c = contents[i];
		unsigned n = aml_pkglength_encode(enc, c), m;
		cr_assert_gt(n, 0, "content %zu", c);
		cr_expect_eq(decode_pkglength(enc, &m), c + n, "content %zu", c);
		cr_expect_eq(m, n, "content %zu: %u bytes written, %u decoded", c, n, m);
	}
	cr_expect_eq(aml_pkglength_encode(enc, 1u << 28), 0);
}

Test(aml, pkglength_known_bytes)
{
	uint8_t enc[4];

	/* 63 bytes of content: 65 in all, 0x41 0x04. */
	cr_assert_eq(aml_pkglength_encode(enc, 63), 2);
	cr_expect_eq(enc[0], 0x41);
	cr_expect_eq(enc[1], 0x04);
	cr_assert_eq(aml_pkglength_encode(enc, 4), 1);
	cr_expect_eq(enc[0], 5);
}

static size_t emit_integer(uint64_t v, uint8_t *out)
{
	struct aml a;

	aml_init(&a, out, 16);
	aml_integer(&a, v);
	long n = aml_finish(&a);
	cr_assert_geq(n, 0, "%s", error_message());
	return (size_t)n;
}

Test(aml, integers_take_the_shortest_form)
{
	static const struct {
		uint64_t v;
		uint8_t op;
		size_t len;
	} cases[] = {
		{ 0, 0x00, 1 }, { 1, 0x01, 1 }, { 2, 0x0a, 2 }, { 0xff, 0x0a, 2 },
		{ 0x100, 0x0b, 3 }, { 0xffff, 0x0b, 3 }, { 0x10000, 0x0c, 5 },
		{ 0xd0000000, 0x0c, 5 }, { 0xffffffff, 0x0c, 5 }, { 0x100000000ULL, 0x0e, 9 },
	};
	uint8_t out[16];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = emit_integer(cases[i].v, out);
		cr_expect_eq(n, cases[i].len, "0x%llx: %zu bytes", (unsigned long long)cases[i].v,
			     n);
		cr_expect_eq(out[0], cases[i].op, "0x%llx: opcode 0x%02x",
			     (unsigned long long)cases[i].v, out[0]);
		uint64_t back = 0;
		for (size_t b = 1; b < n; b++)
			back |= (uint64_t)out[b] << (8 * (b - 1));
		if (n > 1)
			cr_expect_eq(back, cases[i].v);
	}
}

/* A Scope holding a Device big enough for a two-byte PkgLength, holding a
 * Name with a string: every length matches what follows it. */
Test(aml, nested_terms_get_their_lengths)
{
	uint8_t buf[512], blob[80];
	struct aml a;

	memset(blob, 0x33, sizeof(blob));
	aml_init(&a, buf, sizeof(buf));
	aml_scope_begin(&a, "\\_SB_");
	aml_device_begin(&a, "DEV0");
	aml_name_begin(&a, "_HID");
	aml_string(&a, "LNRO0005");
	aml_name_begin(&a, "BLOB");
	aml_buffer(&a, blob, sizeof(blob));
	aml_end(&a);
	aml_end(&a);
	long len = aml_finish(&a);
	cr_assert_gt(len, 0, "%s", error_message());

	unsigned n;
	cr_assert_eq(buf[0], 0x10, "ScopeOp");
	size_t scope = decode_pkglength(buf + 1, &n);
	cr_expect_eq(1 + scope, (size_t)len, "Scope's PkgLength covers the rest");
	cr_expect(memcmp(buf + 1 + n, "\\_SB_", 5) == 0);
	const uint8_t *dev = buf + 1 + n + 5;
	cr_assert_eq(dev[0], 0x5b);
	cr_assert_eq(dev[1], 0x82, "DeviceOp");
	unsigned dn;
	size_t dlen = decode_pkglength(dev + 2, &dn);
	cr_expect_eq(dn, 2, "a device of more than 63 bytes needs two PkgLength bytes");
	cr_expect_eq(dev + 2 + dlen, buf + len, "Device ends where the Scope ends");
	const uint8_t *p = dev + 2 + dn;
	cr_expect(memcmp(p, "DEV0", 4) == 0);
	p += 4;
	cr_expect_eq(p[0], 0x08);
	cr_expect(memcmp(p + 1, "_HID", 4) == 0);
	cr_expect_eq(p[5], 0x0d);
	cr_expect_str_eq((const char *)p + 6, "LNRO0005");
	p += 6 + 9;
	cr_expect_eq(p[0], 0x08);
	cr_expect(memcmp(p + 1, "BLOB", 4) == 0);
	p += 5;
	cr_assert_eq(p[0], 0x11, "BufferOp");
	unsigned bn;
	size_t blen = decode_pkglength(p + 1, &bn);
	cr_expect_eq(p + 1 + blen, buf + len, "Buffer ends where the Device ends");
	cr_expect_eq(p[1 + bn], 0x0a, "BufferSize as a byte");
	cr_expect_eq(p[2 + bn], sizeof(blob));
	cr_expect(memcmp(p + 3 + bn, blob, sizeof(blob)) == 0);
}

Test(aml, counting_gives_the_written_length)
{
	uint8_t buf[256], blob[70] = { 0 };
	long lens[2];

	for (int pass = 0; pass < 2; pass++) {
		struct aml a;
		aml_init(&a, pass ? buf : NULL, sizeof(buf));
		aml_name_begin(&a, "_S5_");
		aml_package_begin(&a, 2);
		aml_integer(&a, 5);
		aml_integer(&a, 0);
		aml_end(&a);
		aml_scope_begin(&a, "\\_SB_");
		aml_device_begin(&a, "VIO0");
		aml_name_begin(&a, "_CRS");
		aml_buffer(&a, blob, sizeof(blob));
		aml_end(&a);
		aml_end(&a);
		lens[pass] = aml_finish(&a);
	}
	cr_expect_gt(lens[0], 0);
	cr_expect_eq(lens[0], lens[1]);
}

Test(aml, misuse_is_reported)
{
	uint8_t buf[64];
	struct aml a;

	aml_init(&a, buf, sizeof(buf));
	aml_scope_begin(&a, "\\_SB_");
	error_clear();
	cr_expect_eq(aml_finish(&a), -1, "open term accepted");
	cr_expect(strstr(error_message(), "left open") != NULL, "%s", error_message());

	aml_init(&a, buf, sizeof(buf));
	aml_end(&a);
	cr_expect_eq(aml_finish(&a), -1, "stray aml_end accepted");

	static const char *bad[] = { "ab", "abcd", "1ABC", "ABCDE", "A-BC" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		aml_init(&a, buf, sizeof(buf));
		aml_name_begin(&a, bad[i]);
		aml_integer(&a, 0);
		cr_expect_eq(aml_finish(&a), -1, "name '%s' accepted", bad[i]);
	}
	aml_init(&a, buf, sizeof(buf));
	aml_name_begin(&a, "_S5_");
	aml_integer(&a, 0);
	cr_expect_eq(aml_finish(&a), 6, "%s", error_message());
}

Test(aml, overflow_is_reported_and_nothing_written_past_the_end)
{
	uint8_t buf[32];
	uint8_t blob[40] = { 0 };
	struct aml a;

	memset(buf, 0xee, sizeof(buf));
	aml_init(&a, buf, 16);
	aml_name_begin(&a, "BLOB");
	aml_buffer(&a, blob, sizeof(blob));
	error_clear();
	cr_expect_eq(aml_finish(&a), -1);
	cr_expect(strstr(error_message(), "do not fit") != NULL, "%s", error_message());
	for (size_t i = 16; i < sizeof(buf); i++)
		cr_expect_eq(buf[i], 0xee, "byte %zu written past the end", i);
}

Test(aml, resource_descriptors)
{
	uint8_t mem[AML_MEMORY32_FIXED_SIZE], irq[AML_EXT_INTERRUPT1_SIZE], end[AML_END_TAG_SIZE];
	static const uint8_t want_mem[] = { 0x86, 0x09, 0x00, 0x01, 0x00, 0x10, 0x00, 0xd0,
					    0x00, 0x10, 0x00, 0x00 };
	static const uint8_t want_irq[] = { 0x89, 0x06, 0x00, 0x03, 0x01, 0x05, 0x00, 0x00, 0x00 };

	aml_memory32_fixed(mem, 0xd0001000, 0x1000, true);
	cr_expect(memcmp(mem, want_mem, sizeof(mem)) == 0);
	aml_ext_interrupt(irq, AML_IRQ_CONSUMER | AML_IRQ_EDGE, 5);
	cr_expect(memcmp(irq, want_irq, sizeof(irq)) == 0);
	aml_end_tag(end);
	cr_expect_eq(end[0], 0x79);
	cr_expect_eq(end[1], 0x00);
}
