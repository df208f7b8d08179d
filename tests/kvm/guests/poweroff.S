/* ACPI power off through the PM1a registers, the way Linux's
 * acpi_hw_legacy_sleep (drivers/acpi/acpica/hwsleep.c) does it with 16-bit
 * accesses: clear WAK_STS in PM1_STS (0x600), read PM1_CNT (0x604), write
 * SLP_TYP = 5 (S5, bits 10-12) without SLP_EN, which must be ignored, then
 * SLP_TYP | SLP_EN (bit 13), which powers off. */
#include "bzimage.h"
	movw $0x600, %dx
	movw $0x8000, %ax
	outw %ax, %dx			/* PM1_STS: clear WAK_STS */
	movw $0x604, %dx
	inw %dx, %ax			/* PM1_CNT: SCI_EN reads 1 */
	andw $~0x3c00, %ax		/* clear SLP_TYP and SLP_EN */
	orw $(5 << 10), %ax
	outw %ax, %dx			/* S5 without SLP_EN: ignored */
	PRINT(msg)
	movw $0x604, %dx
	inw %dx, %ax
	andw $~0x3c00, %ax
	orw $((5 << 10) | 0x2000), %ax
	outw %ax, %dx			/* S5 + SLP_EN: power off */
	PRINT(late)
	RESET
DEFINE_PRINT
msg:	.asciz "powering off\r\n"
late:	.asciz "FAIL: still running after power off\r\n"
	BZIMAGE_END
