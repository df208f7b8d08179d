/* Serial output for the tiny test guests, in either entry's mode: the
 * print routine, PRINT and the TAP-like PLAN line. The entry's header
 * (bzimage.h for the 64-bit entry, pvh.h for the 32-bit PVH one) defines
 * STRING_TO_SI(label), how its code puts a label's address in RSI or ESI,
 * then includes this. COM1 at 0x3f8; LSR (0x3fd) bit 5 = THR empty, bit 0
 * = data ready. */
#define COM1 0x3f8

/* print: RSI (ESI) = NUL-terminated string. Clobbers RAX, RDX, RSI (EAX,
 * EDX, ESI). lodsb reads through RSI in 64-bit mode, ESI in 32-bit. */
#define DEFINE_PRINT						\
print:								\
	movw $COM1 + 5, %dx;					\
1:	inb %dx, %al;						\
	testb $0x20, %al;					\
	jz 1b;							\
	lodsb;							\
	testb %al, %al;						\
	jz 2f;							\
	movw $COM1, %dx;					\
	outb %al, %dx;						\
	jmp print;						\
2:	ret

#define PRINT(label) STRING_TO_SI(label); call print

/* PLAN(n): print "plan n" as the guest's first line: how many checks ("ok
 * ..." or "FAIL ..." lines) follow, like a TAP plan. The host test compares
 * the ok lines with it, so a check that never runs is noticed. The text
 * sits inline, jumped over. Clobbers what print clobbers. */
#define PLAN(n) STRING_TO_SI(8f); call print; jmp 9f; \
	8: .ascii "plan ", #n; .asciz "\r\n"; 9:
