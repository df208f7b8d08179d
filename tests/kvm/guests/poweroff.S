/* ACPI hardware-reduced power off: SLP_TYP = 5 (S5) with SLP_EN, written to
 * the FADT sleep control register, the way Linux's acpi_hw_extended_sleep
 * does. A write without SLP_EN must be ignored first. */
#include "bzimage.h"
	movw $0x601, %dx
	movb $0x80, %al
	outb %al, %dx			/* clear WAK_STS, as Linux does */
	movw $0x600, %dx
	movb $(5 << 2), %al
	outb %al, %dx			/* S5 without SLP_EN: ignored */
	PRINT(msg)
	movw $0x600, %dx
	movb $((5 << 2) | 0x20), %al
	outb %al, %dx			/* S5 + SLP_EN: power off */
	PRINT(late)
	RESET
DEFINE_PRINT
msg:	.asciz "powering off\r\n"
late:	.asciz "FAIL: still running after power off\r\n"
	BZIMAGE_END
