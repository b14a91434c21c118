/*
 * Copy the multiboot information out of the loader's memory. Called before
 * the kernel's own page tables exist, while the boot tables identity-map the
 * first 1 GiB, where both GRUB and QEMU put these structures.
 * Layouts: Multiboot Specification 0.6.96 section 3.3 (v1), Multiboot2
 * Specification 2.0 section 3.6 (boot information format).
 */
#include "kernel/bootinfo.h"
#include "boot/boot.h"
#include "lib/errno.h"
#include "lib/string.h"

struct boot_info boot_info;

#define MB1_INFO_MEM		(1 << 0)
#define MB1_INFO_CMDLINE	(1 << 2)
#define MB1_INFO_MMAP		(1 << 6)
#define MB1_INFO_LOADER		(1 << 9)
#define MB1_INFO_FB		(1 << 12)

struct mb1_info {
	u32 flags;
	u32 mem_lower, mem_upper;
	u32 boot_device;
	u32 cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
	u32 drives_length, drives_addr;
	u32 config_table;
	u32 boot_loader_name;
	u32 apm_table;
	u32 vbe_control_info, vbe_mode_info;
	u16 vbe_mode, vbe_interface_seg, vbe_interface_off, vbe_interface_len;
	u64 framebuffer_addr;
	u32 framebuffer_pitch, framebuffer_width, framebuffer_height;
	u8 framebuffer_bpp, framebuffer_type;
	u8 color[6];	/* type 1: red position, size, green ..., blue ... */
} __packed;

struct mb1_mmap {
	u32 size;	/* of the rest of the entry */
	u64 base, len;
	u32 type;
} __packed;

enum {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER = 2,
	MB2_TAG_MMAP = 6,
	MB2_TAG_FB = 8,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
};

struct mb2_tag {
	u32 type, size;
} __packed;

struct mb2_tag_mmap {
	u32 type, size, entry_size, entry_version;
} __packed;

struct mb2_mmap_entry {
	u64 base, len;
	u32 type, reserved;
} __packed;

struct mb2_tag_fb {
	u32 type, size;
	u64 addr;
	u32 pitch, width, height;
	u8 bpp, fb_type;
	u16 reserved;
	u8 color[6];	/* type 1: red position, size, green ..., blue ... */
} __packed;

static void *phys(u64 addr)
{
	return (void *)(uintptr_t)addr;	/* identity-mapped during early boot */
}

static void mmap_add(u64 base, u64 len, u32 type)
{
	struct boot_mmap_entry *e;

	if (boot_info.mmap_count == BOOT_MMAP_MAX || len == 0)
		return;
	if (type < BOOT_MEM_USABLE || type > BOOT_MEM_BAD)
		type = BOOT_MEM_RESERVED;
	e = &boot_info.mmap[boot_info.mmap_count++];
	e->base = base;
	e->len = len;
	e->type = type;
}

static void parse_mb1(const struct mb1_info *mb)
{
	if (mb->flags & MB1_INFO_CMDLINE)
		strlcpy(boot_info.cmdline, phys(mb->cmdline), sizeof(boot_info.cmdline));
	if (mb->flags & MB1_INFO_LOADER)
		strlcpy(boot_info.loader, phys(mb->boot_loader_name), sizeof(boot_info.loader));
	if (mb->flags & MB1_INFO_MMAP) {
		u64 p = mb->mmap_addr, end = p + mb->mmap_length;

		while (p + sizeof(struct mb1_mmap) <= end) {
			const struct mb1_mmap *e = phys(p);

			mmap_add(e->base, e->len, e->type);
			p += e->size + sizeof(e->size);
		}
	} else if (mb->flags & MB1_INFO_MEM) {
		/* no map: the two classic ranges below 1 MiB and above */
		mmap_add(0, (u64)mb->mem_lower * 1024, BOOT_MEM_USABLE);
		mmap_add(0x100000, (u64)mb->mem_upper * 1024, BOOT_MEM_USABLE);
	}
	if (mb->flags & MB1_INFO_FB) {
		boot_info.has_framebuffer = true;
		boot_info.fb = (struct boot_framebuffer){
			mb->framebuffer_addr, mb->framebuffer_pitch, mb->framebuffer_width,
			mb->framebuffer_height, mb->framebuffer_bpp, mb->framebuffer_type,
			mb->color[0], mb->color[1], mb->color[2], mb->color[3], mb->color[4],
			mb->color[5],
		};
	}
}

static void parse_mb2(u64 info)
{
	u32 total = *(u32 *)phys(info);
	u64 p = info + 8, end = info + total;

	while (p + sizeof(struct mb2_tag) <= end) {
		const struct mb2_tag *tag = phys(p);

		if (tag->type == MB2_TAG_END || tag->size < sizeof(*tag))
			break;
		switch (tag->type) {
		case MB2_TAG_CMDLINE:
			strlcpy(boot_info.cmdline, (const char *)(tag + 1),
				min((size_t)tag->size - 8 + 1, sizeof(boot_info.cmdline)));
			break;
		case MB2_TAG_LOADER:
			strlcpy(boot_info.loader, (const char *)(tag + 1),
				min((size_t)tag->size - 8 + 1, sizeof(boot_info.loader)));
			break;
		case MB2_TAG_MMAP: {
			const struct mb2_tag_mmap *m = phys(p);

			if (m->entry_size < sizeof(struct mb2_mmap_entry))
				break;
			for (u64 e = p + sizeof(*m); e + m->entry_size <= p + m->size; e += m->entry_size) {
				const struct mb2_mmap_entry *me = phys(e);

				mmap_add(me->base, me->len, me->type);
			}
			break;
		}
		case MB2_TAG_FB: {
			const struct mb2_tag_fb *fb = phys(p);

			/* EGA text mode too: the VGA text console draws on it */
			boot_info.has_framebuffer = true;
			boot_info.fb = (struct boot_framebuffer){
				fb->addr, fb->pitch, fb->width, fb->height, fb->bpp, fb->fb_type,
				fb->color[0], fb->color[1], fb->color[2], fb->color[3], fb->color[4],
				fb->color[5],
			};
			break;
		}
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW:
			/* prefer the ACPI 2.0+ RSDP (it has the XSDT) when both are given */
			if (!boot_info.has_rsdp || tag->type == MB2_TAG_ACPI_NEW) {
				memcpy(boot_info.rsdp, tag + 1,
				       min((size_t)tag->size - 8, sizeof(boot_info.rsdp)));
				boot_info.has_rsdp = true;
			}
			break;
		}
		p += ALIGN_UP((u64)tag->size, 8);
	}
}

int bootinfo_parse(u32 magic, u64 info)
{
	if (magic == MB1_BOOT_MAGIC) {
		boot_info.protocol = 1;
		parse_mb1(phys(info));
	} else if (magic == MB2_BOOT_MAGIC) {
		boot_info.protocol = 2;
		parse_mb2(info);
	} else {
		return -EINVAL;
	}
	return 0;
}

const char *boot_mem_type_name(u32 type)
{
	static const char *const names[] = {
		[BOOT_MEM_USABLE] = "usable",
		[BOOT_MEM_RESERVED] = "reserved",
		[BOOT_MEM_ACPI_RECLAIM] = "ACPI data",
		[BOOT_MEM_ACPI_NVS] = "ACPI NVS",
		[BOOT_MEM_BAD] = "bad",
	};

	return type < ARRAY_SIZE(names) && names[type] ? names[type] : "unknown";
}
