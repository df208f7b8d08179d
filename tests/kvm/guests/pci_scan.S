/* A PCI scan the way an early kernel makes one, with configuration
 * mechanism #1: for each of 256 buses x 32 slots write the address of the
 * vendor ID to port 0xcf8 (outl) and read port 0xcfc (inl); then 50
 * writes to the io-delay port 0x80 (outb_p). There is no PCI bus, so every
 * read must give all-ones. minivmm defers the writes to these ports to
 * KVM's coalesced ring (nothing can read back what they wrote), so the
 * host test counts about one port exit per address instead of two. */
#include "bzimage.h"
	xorl %ebx, %ebx			/* (bus << 16) | (slot << 11) */
	xorl %edi, %edi			/* reads that were not all-ones */
scan:	movl %ebx, %eax
	orl $0x80000000, %eax		/* enable bit; register 0: vendor ID */
	movw $0xcf8, %dx
	outl %eax, %dx
	movw $0xcfc, %dx
	inl %dx, %eax
	cmpl $0xffffffff, %eax
	je 1f
	incl %edi
1:	addl $0x800, %ebx		/* next slot; carries into the bus */
	cmpl $0x1000000, %ebx		/* 256 buses */
	jb scan

	movl $50, %ecx
	xorb %al, %al
2:	outb %al, $0x80
	loop 2b

	testl %edi, %edi
	jnz 3f
	PRINT(all_ones)
	RESET
3:	PRINT(not_all_ones)
	RESET
DEFINE_PRINT
all_ones:	.asciz "pci scan: 8192 addresses, all-ones from each\r\n"
not_all_ones:	.asciz "pci scan: FAIL: a read of port 0xcfc was not all-ones\r\n"
	BZIMAGE_END
