/*
 * The verify header of bench (block/bench/bench_verify.h): build on write, check on
 * read. The filler is a xorshift stream seeded from the offset and sequence
 * number, cheap enough to write at I/O rate, and different for every write.
 */
#include "block/bench/bench_verify.h"
#include "lib/crc32.h"
#include "lib/string.h"

static u32 block_crc(const void *buf, u32 len)
{
	static const u8 zero[4];
	const u8 *p = buf;
	size_t crc_at = offsetof(struct bench_verify_header, crc);
	u32 crc;

	crc = crc32c(0, p, crc_at);
	crc = crc32c(crc, zero, sizeof(zero));
	return crc32c(crc, p + crc_at + 4, len - crc_at - 4);
}

void bench_verify_fill(void *buf, u32 len, u64 offset, u64 seq, u32 gen, u16 job)
{
	struct bench_verify_header hdr = {
		.magic = BENCH_VERIFY_MAGIC,
		.offset = offset,
		.seq = seq,
		.gen = gen,
		.job = job,
		.len = len,
	};
	u64 x = (offset ^ (seq * 0x9e3779b97f4a7c15ULL)) | 1;
	u64 *w = buf;
	u32 i;

	for (i = sizeof(hdr) / 8; i < len / 8; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w[i] = x;
	}
	memcpy(buf, &hdr, sizeof(hdr));
	hdr.crc = block_crc(buf, len);
	memcpy((u8 *)buf + offsetof(struct bench_verify_header, crc), &hdr.crc, sizeof(hdr.crc));
}

enum bench_verify_result bench_verify_check(const void *buf, u32 len, u64 offset, u32 gen,
					    struct bench_verify_header *hdr_out)
{
	struct bench_verify_header hdr;

	memcpy(&hdr, buf, sizeof(hdr));
	if (hdr_out)
		*hdr_out = hdr;
	if (hdr.magic != BENCH_VERIFY_MAGIC)
		return BENCH_VERIFY_NO_HEADER;
	/* The checksum first: a torn block may carry any offset. */
	if (hdr.len != len)
		return BENCH_VERIFY_BAD_LENGTH;
	if (block_crc(buf, len) != hdr.crc)
		return BENCH_VERIFY_BAD_CRC;
	if (hdr.offset != offset)
		return BENCH_VERIFY_MISDIRECTED;
	if (gen && hdr.gen != gen)
		return BENCH_VERIFY_STALE;
	return BENCH_VERIFY_OK;
}

const char *bench_verify_result_name(enum bench_verify_result r)
{
	static const char *const names[] = {
		[BENCH_VERIFY_OK] = "ok",
		[BENCH_VERIFY_NO_HEADER] = "no header",
		[BENCH_VERIFY_MISDIRECTED] = "misdirected",
		[BENCH_VERIFY_BAD_LENGTH] = "bad length",
		[BENCH_VERIFY_BAD_CRC] = "bad checksum",
		[BENCH_VERIFY_STALE] = "stale",
	};

	return (unsigned int)r < ARRAY_SIZE(names) ? names[r] : "?";
}
