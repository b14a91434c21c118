/*
 * Table-driven, reflected CRC-32 with "slicing by 8": eight 256-entry
 * tables let the loop fold eight input bytes per step instead of one.
 * Table k holds the CRC of byte n followed by k zero bytes, so the eight
 * lookups of one step can be combined with XOR.
 *
 * The tables are computed on first use rather than written out here. Two
 * CPUs racing to build them store the same values, and the release/acquire
 * pair on ready guarantees that nobody reads a table before it is complete.
 */
#include "lib/crc32.h"

struct crc_tables {
	u32 poly;		/* reflected generator polynomial */
	bool ready;
	u32 table[8][256];
};

static struct crc_tables crc32_ieee = { .poly = 0xedb88320 };
static struct crc_tables crc32_castagnoli = { .poly = 0x82f63b78 };

static void crc_tables_build(struct crc_tables *t)
{
	unsigned int n, k, bit;

	for (n = 0; n < 256; n++) {
		u32 crc = n;

		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ ((crc & 1) ? t->poly : 0);
		t->table[0][n] = crc;
	}
	for (k = 1; k < 8; k++) {
		for (n = 0; n < 256; n++) {
			u32 prev = t->table[k - 1][n];

			t->table[k][n] = (prev >> 8) ^ t->table[0][prev & 0xff];
		}
	}
	__atomic_store_n(&t->ready, true, __ATOMIC_RELEASE);
}

/* Byte by byte so that it works at any alignment; gcc makes it one load. */
static u32 load_le32(const u8 *p)
{
	return p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u32 crc_update(struct crc_tables *t, u32 crc, const void *buf,
		      size_t len)
{
	const u32 (*table)[256] = (const u32 (*)[256])t->table;
	const u8 *p = buf;

	if (!__atomic_load_n(&t->ready, __ATOMIC_ACQUIRE))
		crc_tables_build(t);

	crc = ~crc;
	for (; len >= 8; len -= 8, p += 8) {
		u32 lo = crc ^ load_le32(p);
		u32 hi = load_le32(p + 4);

		crc = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^
		      table[5][(lo >> 16) & 0xff] ^ table[4][lo >> 24] ^
		      table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^
		      table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
	}
	for (; len; len--, p++)
		crc = (crc >> 8) ^ table[0][(crc ^ *p) & 0xff];
	return ~crc;
}

u32 crc32(u32 crc, const void *buf, size_t len)
{
	return crc_update(&crc32_ieee, crc, buf, len);
}

u32 crc32c(u32 crc, const void *buf, size_t len)
{
	return crc_update(&crc32_castagnoli, crc, buf, len);
}
