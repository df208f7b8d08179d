/* One-screen register dump for fatal guest exits. Pure formatting. */
#ifndef MINIVMM_REGDUMP_H
#define MINIVMM_REGDUMP_H

#include <stddef.h>

struct kvm_regs;
struct kvm_sregs;

/* Format the registers into buf (always NUL-terminated); returns the
 * length written. Lines end in "\r\n" (the terminal may be raw). */
size_t regdump_format(char *buf, size_t size, int cpu, const struct kvm_regs *r,
		      const struct kvm_sregs *s);

#endif
