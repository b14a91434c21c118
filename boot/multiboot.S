/*
 * The two multiboot headers. QEMU's -kernel understands multiboot v1 and
 * refuses an ELF64 image unless the header carries the a.out kludge addresses
 * (flag bit 16): then it loads the file flat from load_addr and needs nothing
 * from the ELF headers. GRUB boots us through multiboot2, which loads the ELF
 * program headers by physical address; the entry-address tag makes the
 * 32-bit entry explicit, and the framebuffer tag asks for a graphics mode for
 * the screen console. Multiboot 1 spec section 3.1; multiboot 2 section 3.1.
 */
#define MB1_MAGIC	0x1BADB002
#define MB1_FLAGS	((1 << 0) | (1 << 1) | (1 << 16))	/* align modules, memory info, addresses */
#define MB2_MAGIC	0xE85250D6
#define MB2_ARCH_I386	0

	.section .multiboot, "a"
	.balign 4
mb1_header:
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long -(MB1_MAGIC + MB1_FLAGS)
	.long mb1_header		/* header_addr */
	.long __boot_start		/* load_addr */
	.long __load_end_phys		/* load_end_addr */
	.long __bss_end_phys		/* bss_end_addr */
	.long _start			/* entry_addr */

	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* entry address tag */
	.balign 8
	.word 3, 0
	.long 12
	.long _start
	/*
	 * framebuffer tag, optional (flag 1): a linear framebuffer for the
	 * screen console, 1024x768x32 preferred; a loader that cannot (or a
	 * BIOS boot left in text mode) reports what it has instead.
	 */
	.balign 8
	.word 5, 1
	.long 20
	.long 1024, 768, 32
	/* end tag */
	.balign 8
	.word 0, 0
	.long 8
mb2_header_end:
