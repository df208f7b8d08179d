/* A minimal bzImage wrapper for tiny test guests, so they are loaded through
 * minivmm's real --kernel path (Documentation/x86/boot.rst). The file is:
 *   0x000  boot sector (zeros) with the setup header at 0x1f1
 *   0x400  protected-mode "kernel" (setup_sects = 1, so 2 * 512 bytes before it)
 *   0x600  64-bit entry point (kernel start + 0x200, "64-bit BOOT PROTOCOL")
 * The code is position independent: minivmm may load it at any aligned address.
 * Include this first, then write the 64-bit entry code, then BZIMAGE_END. */

#define KERNEL_SIZE 0x1000	/* fixed size of the protected-mode part */

	.code64
	.text
	.globl _start
_start:
	.org 0x1f1
	.byte 1				/* setup_sects */
	.word 0				/* root_flags */
	.long KERNEL_SIZE / 16		/* syssize */
	.word 0				/* ram_size */
	.word 0				/* vid_mode */
	.word 0				/* root_dev */
	.word 0xaa55			/* boot_flag */
	.byte 0xeb, 0x6a		/* jump; 0x202 + 0x6a = end of header */
	.ascii "HdrS"			/* header */
	.word 0x020f			/* version 2.15 */
	.long 0				/* realmode_swtch */
	.word 0				/* start_sys_seg */
	.word 0				/* kernel_version */
	.byte 0				/* type_of_loader */
	.byte 0x01			/* loadflags: LOADED_HIGH */
	.word 0				/* setup_move_size */
	.long 0x100000			/* code32_start */
	.long 0				/* ramdisk_image */
	.long 0				/* ramdisk_size */
	.long 0				/* bootsect_kludge */
	.word 0				/* heap_end_ptr */
	.byte 0				/* ext_loader_ver */
	.byte 0				/* ext_loader_type */
	.long 0				/* cmd_line_ptr */
	.long 0x7fffffff		/* initrd_addr_max */
	.long 0x200000			/* kernel_alignment */
	.byte 1				/* relocatable_kernel */
	.byte 21			/* min_alignment */
	.word 0x3			/* xloadflags: KERNEL_64 | CAN_BE_LOADED_ABOVE_4G */
	.long 2047			/* cmdline_size */
	.long 0				/* hardware_subarch */
	.quad 0				/* hardware_subarch_data */
	.long 0				/* payload_offset */
	.long 0				/* payload_length */
	.quad 0				/* setup_data */
	.quad 0x1000000			/* pref_address */
	.long 0x100000			/* init_size */
	.long 0				/* handover_offset */
	.long 0				/* kernel_info_offset */

	.org 0x400
kernel_start:
	hlt				/* 32-bit entry: not used by minivmm */
	.org 0x600
entry64:
	leaq stack_top(%rip), %rsp	/* the protocol gives no stack */

#define BZIMAGE_END .balign 16; .fill 512, 1, 0; stack_top: .org 0x400 + KERNEL_SIZE

/* Helpers: DEFINE_PRINT, PRINT(label), PLAN(n) (print.h), with addresses
 * relative to RIP, since the code may be loaded anywhere. */
#define STRING_TO_SI(label) leaq label(%rip), %rsi
#include "print.h"

/* Reset through the i8042 (what Linux does with reboot=k). */
#define RESET movb $0xfe, %al; outb %al, $0x64; 9: hlt; jmp 9b
