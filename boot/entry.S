/*
 * The 32-bit entry from multiboot v1 (QEMU -kernel) or multiboot2 (GRUB), and
 * the switch to long mode. We arrive in protected mode with paging off,
 * EAX = loader magic and EBX = physical address of the boot information.
 * Boot page tables map the first 1 GiB three times: identity (so this code
 * keeps running once paging is on), at -2 GiB where the kernel is linked, and
 * at the start of the direct map (DIRECT_MAP_BASE) so that phys_to_virt()
 * works for low memory from the first C instruction. The
 * memory code replaces them with the real kernel tables early in kmain().
 */
#include "boot/boot.h"

	.section .boot.text, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	mov	%eax, %edi			/* magic: first argument of kmain */
	mov	%ebx, %esi			/* info: second argument */

	/* Zero .bss (the boot stack and page tables live there). */
	mov	$__bss_start_phys, %ebx
	mov	$__bss_end_phys, %ecx
1:	cmp	%ecx, %ebx
	jae	2f
	movl	$0, (%ebx)
	add	$4, %ebx
	jmp	1b
2:
	/* time zero for time_ns() and the boot-time report */
	rdtsc
	mov	%eax, (boot_tsc - KERNEL_VMA)
	mov	%edx, (boot_tsc - KERNEL_VMA + 4)
	mov	$(boot_stack_top - KERNEL_VMA), %esp

	/* Long mode needs CPUID leaf 0x80000001 EDX bit 29. */
	mov	$0x80000000, %eax
	cpuid
	cmp	$0x80000001, %eax
	jb	no_long_mode
	mov	$0x80000001, %eax
	cpuid
	test	$(1 << 29), %edx
	jz	no_long_mode

	/* Page directory: 512 x 2 MiB pages covering 0..1 GiB. */
	mov	$(boot_pd - KERNEL_VMA), %ebx
	xor	%ecx, %ecx
3:	mov	%ecx, %eax
	shl	$21, %eax
	or	$(PTE_P | PTE_W | PTE_PS), %eax
	mov	%eax, (%ebx, %ecx, 8)
	inc	%ecx
	cmp	$512, %ecx
	jne	3b

	mov	$(boot_pd - KERNEL_VMA + PTE_P + PTE_W), %eax
	mov	%eax, (boot_pdpt_low - KERNEL_VMA)
	mov	%eax, (boot_pdpt_high - KERNEL_VMA + 510 * 8)
	mov	$(boot_pdpt_low - KERNEL_VMA + PTE_P + PTE_W), %eax
	mov	%eax, (boot_pml4 - KERNEL_VMA)
	mov	%eax, (boot_pml4 - KERNEL_VMA + 256 * 8)	/* direct map, see kernel/mm/mm.h */
	mov	$(boot_pdpt_high - KERNEL_VMA + PTE_P + PTE_W), %eax
	mov	%eax, (boot_pml4 - KERNEL_VMA + 511 * 8)

	mov	$(boot_pml4 - KERNEL_VMA), %eax
	mov	%eax, %cr3

	mov	%cr4, %eax
	or	$(CR4_PAE | CR4_PGE), %eax
	mov	%eax, %cr4

	/* EFER: long mode, and NX when the CPU has it (checked again in C). */
	mov	$0x80000001, %eax
	cpuid
	mov	%edx, %ebx
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	test	$(1 << 20), %ebx
	jz	4f
	or	$EFER_NXE, %eax
4:	wrmsr

	mov	%cr0, %eax
	or	$(CR0_PG | CR0_PE | CR0_WP), %eax
	mov	%eax, %cr0

	lgdt	boot_gdt_ptr
	ljmp	$BOOT_CS64, $long_entry

no_long_mode:
	/* Say so on COM1 and stop: nothing else can be done on this CPU. */
	mov	$no_lm_msg, %esi
5:	lodsb
	test	%al, %al
	jz	6f
	mov	$0x3f8, %dx
	out	%al, %dx
	jmp	5b
6:	hlt
	jmp	6b

	.code64
long_entry:
	mov	$BOOT_DS, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	xor	%ax, %ax
	mov	%ax, %fs
	mov	%ax, %gs
	movabs	$high_entry, %rax
	jmp	*%rax

	.section .boot.data, "a"
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff		/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff		/* 0x10: data */
boot_gdt_end:
	.globl boot_gdt_ptr
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.quad boot_gdt
no_lm_msg:
	.asciz "stork: this CPU has no long mode (x86_64); halting\r\n"

	.text
high_entry:
	movabs	$boot_stack_top, %rsp
	xor	%rbp, %rbp
	/* %edi = magic, %esi = physical address of the boot information */
	mov	%edi, %edi
	mov	%esi, %esi
	call	kmain
7:	cli
	hlt
	jmp	7b

	.bss
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.skip 4096
boot_pdpt_low:
	.skip 4096
boot_pdpt_high:
	.skip 4096
boot_pd:
	.skip 4096
	/* unmapped once the kernel's tables are in (kmain): a fault, not the tables above */
	.globl boot_stack_guard
boot_stack_guard:
	.skip 4096
	.globl boot_stack_bottom, boot_stack_top
boot_stack_bottom:
	.skip BOOT_STACK_SIZE
boot_stack_top:
