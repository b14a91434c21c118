/*
 * Byte order: fixed-endian fields read from and written to byte buffers
 * (partition tables, NVMe log pages, device config), and conversions
 * between the CPU's order and a device's.
 *
 * get_le32(p) / put_be16(p, v) take a byte pointer with no alignment
 * requirement: they assemble the value a byte at a time, which gcc turns
 * into one (possibly byte-swapped) load or store on x86, so they cost
 * nothing over a cast and never fault or break strict aliasing on a field
 * at an odd offset. le32_to_cpu(x) / cpu_to_be64(x) convert a value already
 * loaded, for fields of a structure laid out to the device's order. The
 * kernel runs little-endian, but the names keep the device's order visible
 * where a reader needs it, and the code stays right on any host the unit
 * tests are built on.
 */
#ifndef LIB_BYTEORDER_H
#define LIB_BYTEORDER_H

#include "lib/types.h"

static inline u16 get_le16(const void *p)
{
	const u8 *b = p;

	return (u16)(b[0] | b[1] << 8);
}

static inline u32 get_le32(const void *p)
{
	const u8 *b = p;

	return b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 | (u32)b[3] << 24;
}

static inline u64 get_le64(const void *p)
{
	const u8 *b = p;

	return get_le32(b) | (u64)get_le32(b + 4) << 32;
}

static inline u16 get_be16(const void *p)
{
	const u8 *b = p;

	return (u16)(b[0] << 8 | b[1]);
}

static inline u32 get_be32(const void *p)
{
	const u8 *b = p;

	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

static inline u64 get_be64(const void *p)
{
	const u8 *b = p;

	return (u64)get_be32(b) << 32 | get_be32(b + 4);
}

static inline void put_le16(void *p, u16 v)
{
	u8 *b = p;

	b[0] = (u8)v;
	b[1] = (u8)(v >> 8);
}

static inline void put_le32(void *p, u32 v)
{
	u8 *b = p;

	b[0] = (u8)v;
	b[1] = (u8)(v >> 8);
	b[2] = (u8)(v >> 16);
	b[3] = (u8)(v >> 24);
}

static inline void put_le64(void *p, u64 v)
{
	u8 *b = p;

	put_le32(b, (u32)v);
	put_le32(b + 4, (u32)(v >> 32));
}

static inline void put_be16(void *p, u16 v)
{
	u8 *b = p;

	b[0] = (u8)(v >> 8);
	b[1] = (u8)v;
}

static inline void put_be32(void *p, u32 v)
{
	u8 *b = p;

	b[0] = (u8)(v >> 24);
	b[1] = (u8)(v >> 16);
	b[2] = (u8)(v >> 8);
	b[3] = (u8)v;
}

static inline void put_be64(void *p, u64 v)
{
	u8 *b = p;

	put_be32(b, (u32)(v >> 32));
	put_be32(b + 4, (u32)v);
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define BYTEORDER_LE(bits, x) ((u##bits)(x))
#define BYTEORDER_BE(bits, x) __builtin_bswap##bits(x)
#elif __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define BYTEORDER_LE(bits, x) __builtin_bswap##bits(x)
#define BYTEORDER_BE(bits, x) ((u##bits)(x))
#else
#error "lib/byteorder.h: unknown byte order"
#endif

/* A swap is its own inverse: to and from the CPU's order are the same operation. */
static inline u16 le16_to_cpu(u16 x) { return BYTEORDER_LE(16, x); }
static inline u32 le32_to_cpu(u32 x) { return BYTEORDER_LE(32, x); }
static inline u64 le64_to_cpu(u64 x) { return BYTEORDER_LE(64, x); }
static inline u16 cpu_to_le16(u16 x) { return BYTEORDER_LE(16, x); }
static inline u32 cpu_to_le32(u32 x) { return BYTEORDER_LE(32, x); }
static inline u64 cpu_to_le64(u64 x) { return BYTEORDER_LE(64, x); }
static inline u16 be16_to_cpu(u16 x) { return BYTEORDER_BE(16, x); }
static inline u32 be32_to_cpu(u32 x) { return BYTEORDER_BE(32, x); }
static inline u64 be64_to_cpu(u64 x) { return BYTEORDER_BE(64, x); }
static inline u16 cpu_to_be16(u16 x) { return BYTEORDER_BE(16, x); }
static inline u32 cpu_to_be32(u32 x) { return BYTEORDER_BE(32, x); }
static inline u64 cpu_to_be64(u64 x) { return BYTEORDER_BE(64, x); }

#undef BYTEORDER_LE
#undef BYTEORDER_BE

#endif
