/*
 * What the boot loader told us, copied out of its multiboot v1 or multiboot2
 * structures before memory management starts (so that nothing needs to
 * preserve them): the firmware memory map, the command line, the loader's
 * name, the ACPI RSDP when the loader passes it, and the framebuffer.
 */
#ifndef KERNEL_BOOTINFO_H
#define KERNEL_BOOTINFO_H

#include "lib/types.h"

/* memory map types, as the E820 map and both multiboot versions number them */
enum {
	BOOT_MEM_USABLE = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI_RECLAIM = 3,
	BOOT_MEM_ACPI_NVS = 4,
	BOOT_MEM_BAD = 5,
};

#define BOOT_MMAP_MAX 128

struct boot_mmap_entry {
	u64 base;
	u64 len;
	u32 type;
};

struct boot_framebuffer {
	u64 addr;	/* physical */
	u32 pitch, width, height;
	u8 bpp;
	u8 type;	/* 0 indexed, 1 RGB, 2 EGA text (width, height in characters) */
	/* type 1: where each colour's bits are in a pixel */
	u8 red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct boot_info {
	int protocol;			/* 1: multiboot v1, 2: multiboot2 */
	char cmdline[1024];
	char loader[64];
	struct boot_mmap_entry mmap[BOOT_MMAP_MAX];
	unsigned int mmap_count;
	bool has_rsdp;
	u8 rsdp[36];			/* a copy of the RSDP (v1: 20 bytes, v2: 36) */
	bool has_framebuffer;
	struct boot_framebuffer fb;
};

extern struct boot_info boot_info;

/* Returns 0, or -EINVAL for an unknown loader magic. */
int bootinfo_parse(u32 magic, u64 info_phys);
const char *boot_mem_type_name(u32 type);

#endif
