/*
 * Fuzz the PCI configuration-space decoders (drivers/pci/pci_decode.c)
 * with a 256-byte configuration space from the device: the capability
 * list walk (how the virtio transport finds its configuration structures,
 * and MSI-X is found) must end, visit each capability once, and stay in
 * the space; BAR decoding takes any register values.
 */
#include "tests/fuzz/fuzz.h"
#include "drivers/pci/pci_decode.c"

#define CFG_BYTES 256

static u8 cfg_read8(const void *ctx, unsigned int off)
{
	FUZZ_CHECK(off < CFG_BYTES);
	return ((const u8 *)ctx)[off];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 *cfg;
	struct pci_bar bar;
	u32 r[4] = { 0 };
	int off = 0, steps = 0;

	if (!size)
		return 0;
	cfg = calloc(1, CFG_BYTES);
	memcpy(cfg, data, size < CFG_BYTES ? size : CFG_BYTES);
	while ((off = pci_cap_next(cfg_read8, cfg, off)) > 0) {
		FUZZ_CHECK(off < CFG_BYTES);
		FUZZ_CHECK(++steps <= CFG_BYTES / 4);
	}
	for (int id = 0; id < 3; id++) {
		int n = 0;

		for (off = 0; (off = pci_cap_find_next(cfg_read8, cfg, (u8)(data[0] + id), off)) > 0;)
			FUZZ_CHECK(++n <= CFG_BYTES / 4);
	}
	if (size >= CFG_BYTES + 16) {
		memcpy(r, data + CFG_BYTES, 16);
		pci_bar_decode(r[0], r[1], r[2], r[3], &bar);
		pci_bar_is_64(r[0]);
	}
	free(cfg);
	return 0;
}
