#include <criterion/criterion.h>
#include <linux/kvm.h>
#include <string.h>

#include "vmm/regdump.h"

Test(regdump, shows_key_registers_and_fits_buffer)
{
	struct kvm_regs r = { .rip = 0x1000200, .rsi = 0x7000, .rflags = 2 };
	struct kvm_sregs s = { .cr0 = 0x80000011, .efer = 0x500 };
	char buf[2048];
	size_t n = regdump_format(buf, sizeof(buf), 0, &r, &s);
	cr_assert_eq(n, strlen(buf));
	cr_assert(strstr(buf, "rip 0000000001000200"));
	cr_assert(strstr(buf, "rsi 0000000000007000"));
	cr_assert(strstr(buf, "efer 0000000000000500"));
	/* One screen: at most 24 lines. */
	int lines = 0;
	for (char *p = buf; *p; p++)
		lines += *p == '\n';
	cr_assert_leq(lines, 24);

	char small[40];
	size_t m = regdump_format(small, sizeof(small), 0, &r, &s);
	cr_assert_lt(m, sizeof(small));
	cr_assert_eq(strlen(small), m);
}
