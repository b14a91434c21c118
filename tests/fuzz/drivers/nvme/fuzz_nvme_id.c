/*
 * Fuzz the decoding of what an NVMe controller reports (drivers/nvme/nvme_id.c).
 * Input: CAP (8 bytes LE), Set Features (Number of Queues) result dword (4),
 * queues wanted (2), then the first 384 bytes of an Identify Namespace page
 * (through the 64 LBA formats), then an Identify Controller page; short
 * input leaves the rest zero. Invariants: a usable CAP gives a 4 KiB page,
 * a stride and depth in range; the transfer size is whole pages up to the
 * driver's cap; an accepted namespace has a block size the transfer size
 * holds, a size in bytes no u64 wraps on, a physical block that is a power
 * of two between the logical block and 64 KiB, and optimal sizes that did
 * not wrap; the queue count is 1 .. wanted; the ASCII fields print clean.
 */
#include "tests/fuzz/fuzz.h"
#include "drivers/nvme/nvme_id.c"

#define FUZZ_NVME_HEADER 14
#define FUZZ_NVME_NS_BYTES 384

static u64 fuzz_le(const uint8_t *p, int n)
{
	u64 v = 0;

	for (int i = 0; i < n; i++)
		v |= (u64)p[i] << (8 * i);
	return v;
}

static void fuzz_nvme_string(const char *src, size_t len)
{
	char buf[300];
	size_t n;

	nvme_id_string(src, len, buf);
	n = strnlen(buf, sizeof(buf));
	FUZZ_CHECK(n <= len);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(buf[i] >= ' ' && buf[i] <= '~');
	FUZZ_CHECK(!n || buf[n - 1] != ' ');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nvme_id_ns ns;
	static struct nvme_id_ctrl ctrl;
	struct nvme_cap_info cap;
	struct nvme_id_ctrl_info ci;
	struct nvme_ns_geom g;
	const char *why;
	char text[128];
	u64 capreg;
	u32 result, page_size = 4096;
	unsigned int wanted, n;
	size_t ns_len, ctrl_len;

	if (size < FUZZ_NVME_HEADER)
		return 0;
	capreg = fuzz_le(data, 8);
	result = (u32)fuzz_le(data + 8, 4);
	wanted = (unsigned int)fuzz_le(data + 12, 2);
	data += FUZZ_NVME_HEADER;
	size -= FUZZ_NVME_HEADER;
	ns_len = size < FUZZ_NVME_NS_BYTES ? size : FUZZ_NVME_NS_BYTES;
	ctrl_len = size - ns_len < sizeof(ctrl) ? size - ns_len : sizeof(ctrl);
	memset(&ns, 0, sizeof(ns));
	memset(&ctrl, 0, sizeof(ctrl));
	memcpy(&ns, data, ns_len);
	memcpy(&ctrl, data + ns_len, ctrl_len);

	if (nvme_cap_decode(capreg, 12, &cap, &why) == 0) {
		FUZZ_CHECK(cap.page_size == 4096);
		FUZZ_CHECK(cap.db_stride >= 4 && cap.db_stride <= 4U << 15);
		FUZZ_CHECK(cap.io_depth >= 2 && cap.io_depth <= NVME_IO_DEPTH_MAX);
		FUZZ_CHECK(cap.ready_timeout_ns >= 500000000ULL &&
			   cap.ready_timeout_ns <= 255 * 500000000ULL);
		page_size = cap.page_size;
	} else {
		FUZZ_CHECK(why && *why);
	}

	nvme_id_ctrl_decode(&ctrl, page_size, &ci);
	FUZZ_CHECK(ci.max_transfer >= page_size && ci.max_transfer <= NVME_MAX_TRANSFER);
	FUZZ_CHECK(ci.max_transfer % page_size == 0);
	if (ctrl.mdts && ctrl.mdts < 32)
		FUZZ_CHECK(ci.max_transfer == min((u64)page_size << ctrl.mdts,
						  (u64)NVME_MAX_TRANSFER));
	fuzz_nvme_string(ctrl.sn, sizeof(ctrl.sn));
	fuzz_nvme_string(ctrl.mn, sizeof(ctrl.mn));
	fuzz_nvme_string(ctrl.fr, sizeof(ctrl.fr));
	fuzz_nvme_string(ctrl.subnqn, sizeof(ctrl.subnqn));

	if (nvme_id_ns_decode(&ns, ci.max_transfer, &g, text, sizeof(text)) == 0) {
		u32 block = 1U << g.lba_shift;

		FUZZ_CHECK(g.lba_shift >= 9 && g.lba_shift <= 16 && block <= ci.max_transfer);
		FUZZ_CHECK(g.lbaf <= ns.nlbaf && g.lbaf < 64);
		FUZZ_CHECK(g.blocks >= 1 && g.blocks <= ~0ULL >> g.lba_shift);
		FUZZ_CHECK(g.phys_block >= block && g.phys_block <= 65536 &&
			   !(g.phys_block & (g.phys_block - 1)));
		FUZZ_CHECK(g.opt_io % block == 0);
		if ((ns.nsfeat & NVME_NS_FEAT_OPTPERF) && ((u64)ns.nows + 1) << g.lba_shift < 1ULL << 32)
			FUZZ_CHECK(g.opt_io == (ns.nows + 1U) << g.lba_shift);
		FUZZ_CHECK(g.io_boundary % block == 0 && (!ns.noiob) == (!g.io_boundary));
	} else {
		FUZZ_CHECK(strnlen(text, sizeof(text)) > 0);
	}

	n = nvme_id_queue_count(result, wanted);
	FUZZ_CHECK(n <= wanted && n <= 65536 && (n >= 1 || !wanted));
	return 0;
}
