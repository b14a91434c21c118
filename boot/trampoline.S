/*
 * Where an application processor starts. The boot CPU copies the bytes from
 * trampoline_start to trampoline_end to the page at mm_trampoline_phys (a usable page
 * below 1 MiB from the firmware map) and
 * sends the AP a startup IPI whose vector is that page's number: the AP then
 * runs the first byte here in real mode, with CS = page << 8 and IP = 0.
 *
 * Steps: real mode -> 32-bit protected mode (this page's own GDT) -> long
 * mode on kernel_pml4 (whose physical address is below 4 GiB: it is in the
 * kernel image, loaded at 1 MiB; CR3 is loaded here with a 32-bit move) ->
 * smp_ap_start64 in the kernel's text at its high address, which finds the
 * AP's own stack by its APIC ID -> smp_ap_entry().
 * The page is identity-mapped in kernel_pml4 while APs are being started,
 * so the instructions after paging is enabled are still found.
 *
 * The page-resident code knows nothing of its address at build time: %ebx
 * holds the page's linear base (CS << 4) and every reference is an offset
 * from it. The three pointers only known at run time (the GDT base and the
 * two far-jump targets) are written into the page by the AP itself, before
 * paging is on; each AP writes the same values. See docs/smp.md.
 */
#include "boot/boot.h"
#include "boot/trampoline.h"

/* offset of sym within the page */
#define OFF(sym)	((sym) - trampoline_start)

/* CR0 in long mode: PE, MP, ET, NE, WP, PG; CD and NW (set by INIT) clear */
#define TRAMP_CR0	0x80010033

	.section .rodata.trampoline, "a"
	.balign 16
	.globl trampoline_start
trampoline_start:
	.code16
	cli
	cld
	mov	%cs, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	xor	%ebx, %ebx
	mov	%ax, %bx
	shl	$4, %ebx			/* linear base of this page */

	/* count ourselves in: the BSP tells a slow AP from a missing one */
	lock incl OFF(trampoline_params) + TP_STARTED

	lea	OFF(tramp_gdt)(%ebx), %eax
	mov	%eax, OFF(tramp_gdt_ptr) + 2
	lea	OFF(tramp_pm32)(%ebx), %eax
	mov	%eax, OFF(tramp_pm32_jump)
	lea	OFF(tramp_lm64)(%ebx), %eax
	mov	%eax, OFF(tramp_lm64_jump)

	lgdtl	OFF(tramp_gdt_ptr)
	mov	%cr0, %eax
	or	$CR0_PE, %eax
	mov	%eax, %cr0
	ljmpl	*OFF(tramp_pm32_jump)

	.code32
tramp_pm32:
	mov	$TRAMP_DS, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	xor	%ax, %ax
	mov	%ax, %fs
	mov	%ax, %gs

	mov	$(CR4_PAE | CR4_PGE), %eax
	mov	%eax, %cr4
	mov	OFF(trampoline_params) + TP_CR3(%ebx), %eax
	mov	%eax, %cr3
	/* LME, and NXE exactly when the BSP has it: the tables carry NX bits */
	mov	$MSR_EFER, %ecx
	rdmsr
	or	OFF(trampoline_params) + TP_EFER(%ebx), %eax
	wrmsr
	mov	$TRAMP_CR0, %eax
	mov	%eax, %cr0
	ljmp	*OFF(tramp_lm64_jump)(%ebx)

	.code64
tramp_lm64:
	mov	$TRAMP_DS, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	movabs	$smp_ap_start64, %rax
	jmp	*%rax

	.balign 8
/*
 * The accessed bit of each descriptor is preset: the page is mapped read-only
 * once paging is on, and a CPU that had to set the bit while loading a
 * selector (KVM and real hardware do; QEMU's TCG does not) would take a page
 * fault with no IDT, i.e. a triple fault.
 */
tramp_gdt:
	.quad 0
	.quad 0x00af9b000000ffff		/* TRAMP_CS64: 64-bit code */
	.quad 0x00cf93000000ffff		/* TRAMP_DS: flat data */
	.quad 0x00cf9b000000ffff		/* TRAMP_CS32: flat 32-bit code */
tramp_gdt_end:
	.balign 4
	.word 0
tramp_gdt_ptr:
	.word tramp_gdt_end - tramp_gdt - 1
	.long 0					/* base: written at run time */
tramp_pm32_jump:
	.long 0					/* offset: written at run time */
	.word TRAMP_CS32
tramp_lm64_jump:
	.long 0
	.word TRAMP_CS64

	.balign 16
	.globl trampoline_params
trampoline_params:
	.skip TP_SIZE
	.globl trampoline_end
trampoline_end:

/*
 * In the kernel's text, on kernel_pml4, still on the trampoline's GDT and
 * with no IDT. Every AP started runs this at once, so none may touch a
 * stack before it knows its own: its APIC ID comes from CPUID (leaf 0xB's
 * x2APIC ID where the CPU has the leaf, else leaf 1's 8-bit one; both are
 * the initial APIC ID the MADT lists) and is looked up in smp_ap_table.
 * An AP that is not there (nobody started it) halts.
 * smp_ap_entry() loads the CPU's own tables before anything can fault.
 */
	.text
	.globl smp_ap_start64
smp_ap_start64:
	xor	%eax, %eax
	cpuid
	cmp	$0xb, %eax
	jb	2f
	mov	$0xb, %eax
	xor	%ecx, %ecx
	cpuid
	test	%ebx, %ebx			/* leaf 0xB not implemented: all zero */
	jz	2f
	mov	%edx, %r8d
	jmp	3f
2:	mov	$1, %eax
	cpuid
	shr	$24, %ebx
	mov	%ebx, %r8d
3:	lea	smp_ap_table(%rip), %rsi
	mov	smp_ap_count(%rip), %ecx
4:	test	%ecx, %ecx
	jz	5f
	mov	(%rsi), %rdi
	cmp	SMP_AP_APIC_ID(%rdi), %r8d
	je	6f
	add	$8, %rsi
	dec	%ecx
	jmp	4b
6:	mov	SMP_AP_STACK(%rdi), %rsp
	xor	%ebp, %ebp
	call	smp_ap_entry
5:	cli
	hlt
	jmp	5b
