/* Reads bytes from the UART and echoes them in upper case until '\r' or
 * '\n': host stdin reaches the guest and the guest's answer comes back. */
#include "bzimage.h"
	PRINT(prompt)
next:	movw $COM1 + 5, %dx
1:	inb %dx, %al
	testb $0x01, %al		/* LSR.DR */
	jz 1b
	movw $COM1, %dx
	inb %dx, %al
	cmpb $'\n', %al
	je done
	cmpb $'\r', %al
	je done
	cmpb $'a', %al
	jb 2f
	cmpb $'z', %al
	ja 2f
	subb $0x20, %al
2:	movb %al, %bl
	movw $COM1 + 5, %dx
3:	inb %dx, %al
	testb $0x20, %al
	jz 3b
	movb %bl, %al
	movw $COM1, %dx
	outb %al, %dx
	jmp next
done:	PRINT(bye)
	RESET
DEFINE_PRINT
prompt:	.asciz "type a line:\r\n"
bye:	.asciz "\r\nend of line\r\n"
	BZIMAGE_END
