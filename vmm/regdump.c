#include "vmm/regdump.h"

#include <inttypes.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>

struct out {
	char *buf;
	size_t size;
	size_t len;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	if (o->len + 1 >= o->size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < o->size - o->len ? (size_t)n : o->size - o->len - 1;
}

static void segment(struct out *o, const char *name, const struct kvm_segment *s)
{
	put(o, "%-3s %04x base %016" PRIx64 " limit %08x type %x dpl %u%s%s%s\r\n", name,
	    s->selector, (uint64_t)s->base, s->limit, s->type, s->dpl, s->present ? " P" : "",
	    s->l ? " L" : "", s->db ? " DB" : "");
}

size_t regdump_format(char *buf, size_t size, int cpu, const struct kvm_regs *r,
		      const struct kvm_sregs *s)
{
	struct out o = { .buf = buf, .size = size };
	if (size)
		buf[0] = '\0';
	put(&o, "vCPU %d registers:\r\n", cpu);
	put(&o, "rip %016llx  rsp %016llx  rflags %016llx\r\n", r->rip, r->rsp, r->rflags);
	put(&o, "rax %016llx  rbx %016llx  rcx %016llx\r\n", r->rax, r->rbx, r->rcx);
	put(&o, "rdx %016llx  rsi %016llx  rdi %016llx\r\n", r->rdx, r->rsi, r->rdi);
	put(&o, "rbp %016llx  r8  %016llx  r9  %016llx\r\n", r->rbp, r->r8, r->r9);
	put(&o, "r10 %016llx  r11 %016llx  r12 %016llx\r\n", r->r10, r->r11, r->r12);
	put(&o, "r13 %016llx  r14 %016llx  r15 %016llx\r\n", r->r13, r->r14, r->r15);
	put(&o, "cr0 %016llx  cr2 %016llx  cr3 %016llx\r\n", s->cr0, s->cr2, s->cr3);
	put(&o, "cr4 %016llx  cr8 %016llx  efer %016llx\r\n", s->cr4, s->cr8, s->efer);
	segment(&o, "cs", &s->cs);
	segment(&o, "ss", &s->ss);
	segment(&o, "ds", &s->ds);
	segment(&o, "tr", &s->tr);
	put(&o, "gdt %016llx/%04x  idt %016llx/%04x  apic_base %016llx\r\n", s->gdt.base,
	    s->gdt.limit, s->idt.base, s->idt.limit, s->apic_base);
	return o.len;
}
