/*
 * Unit tests for drivers/pci/pci_decode.c: BAR sizes from the probe values real
 * devices give, capability lists in fake 256-byte configuration spaces (good,
 * looping and pointing into the header), match tables and MSI messages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "drivers/pci/pci_decode.c"

/* --- BARs ------------------------------------------------------------------ */
static void test_bar_mem32(void **state)
{
	struct pci_bar bar;

	(void)state;
	/* 4 KiB non-prefetchable at 0xfebf8000 */
	assert_int_equal(pci_bar_decode(0xfebf8000, 0xfffff000, 0, 0, &bar), 1);
	assert_int_equal(bar.base, 0xfebf8000);
	assert_int_equal(bar.size, 4096);
	assert_int_equal(bar.flags, 0);
	/* 256 MiB prefetchable, unassigned */
	assert_int_equal(pci_bar_decode(0x8, 0xf0000008, 0, 0, &bar), 1);
	assert_int_equal(bar.base, 0);
	assert_int_equal(bar.size, 256 << 20);
	assert_int_equal(bar.flags, PCI_BAR_PREFETCH);
	/* 2 GiB: the top bit only */
	assert_int_equal(pci_bar_decode(0x80000000, 0x80000000, 0, 0, &bar), 1);
	assert_int_equal(bar.size, 0x80000000ULL);
	/* a below-1 MiB (type 01) BAR is 32-bit */
	assert_int_equal(pci_bar_decode(0x000d0002, 0xffff0002, 0, 0, &bar), 1);
	assert_int_equal(bar.size, 64 << 10);
	assert_int_equal(bar.base, 0xd0000);
}

static void test_bar_mem64(void **state)
{
	struct pci_bar bar;

	(void)state;
	/* 16 KiB 64-bit at 0xfebf4000 */
	assert_int_equal(pci_bar_decode(0xfebf4004, 0xffffc004, 0, 0xffffffff, &bar), 2);
	assert_int_equal(bar.base, 0xfebf4000);
	assert_int_equal(bar.size, 16 << 10);
	assert_int_equal(bar.flags, PCI_BAR_MEM64);
	/* 8 GiB prefetchable above 4 GiB: the low half probes as type bits only */
	assert_int_equal(pci_bar_decode(0x0000000c, 0x0000000c, 0x8, 0xfffffffe, &bar), 2);
	assert_int_equal(bar.base, 0x800000000ULL);
	assert_int_equal(bar.size, 8ULL << 30);
	assert_int_equal(bar.flags, PCI_BAR_MEM64 | PCI_BAR_PREFETCH);
	/* only 36 address bits implemented: the high half probes as 0xf */
	assert_int_equal(pci_bar_decode(0xe0000004, 0xfff00004, 0, 0xf, &bar), 2);
	assert_int_equal(bar.size, 1 << 20);
	assert_true(pci_bar_is_64(0xe0000004));
	assert_false(pci_bar_is_64(0xe0000000));
	assert_false(pci_bar_is_64(0xc005));	/* I/O, whatever bit 2 says */
}

static void test_bar_io(void **state)
{
	struct pci_bar bar;

	(void)state;
	/* 128 ports at 0xc000, 32-bit decoder */
	assert_int_equal(pci_bar_decode(0xc001, 0xffffff81, 0, 0, &bar), 1);
	assert_int_equal(bar.base, 0xc000);
	assert_int_equal(bar.size, 128);
	assert_int_equal(bar.flags, PCI_BAR_IO);
	/* 16-bit decoder: upper bits hardwired to zero */
	assert_int_equal(pci_bar_decode(0x0701, 0x0000ffc1, 0, 0, &bar), 1);
	assert_int_equal(bar.base, 0x700);
	assert_int_equal(bar.size, 64);
	/* bit 1 is reserved, not an address bit */
	assert_int_equal(pci_bar_decode(0x0703, 0xfffffff3, 0, 0, &bar), 1);
	assert_int_equal(bar.size, 16);
}

static void test_bar_unimplemented(void **state)
{
	struct pci_bar bar;

	(void)state;
	assert_int_equal(pci_bar_decode(0, 0, 0, 0, &bar), 1);
	assert_int_equal(bar.size, 0);
	assert_int_equal(bar.flags, 0);
	assert_int_equal(pci_bar_decode(0x1, 0x1, 0, 0, &bar), 1);	/* I/O, no bits */
	assert_int_equal(bar.size, 0);
	assert_int_equal(pci_bar_decode(0x4, 0x4, 0, 0, &bar), 2);	/* 64-bit, no bits */
	assert_int_equal(bar.size, 0);
	assert_int_equal(bar.flags, 0);
	assert_int_equal(pci_bar_decode(0x8, 0x8, 0, 0, &bar), 1);	/* prefetch, no bits */
	assert_int_equal(bar.flags, 0);
}

/* --- capabilities ---------------------------------------------------------- */
struct fake_config {
	u8 space[256];
	unsigned int reads;
};

static u8 fake_read8(const void *ctx, unsigned int off)
{
	struct fake_config *c = (struct fake_config *)ctx;

	assert_true(off < sizeof(c->space));
	c->reads++;
	return c->space[off];
}

static void cap_put(struct fake_config *c, unsigned int pos, u8 id, u8 next)
{
	c->space[pos] = id;
	c->space[pos + 1] = next;
}

static void fake_init(struct fake_config *c, u8 first)
{
	memset(c, 0, sizeof(*c));
	c->space[PCI_STATUS] = PCI_STATUS_CAP_LIST;
	c->space[PCI_CAPABILITY_LIST] = first;
}

static void test_cap_walk(void **state)
{
	struct fake_config c;
	int pos;

	(void)state;
	/* the virtio-blk list seen in QEMU: MSI-X, then five vendor ones */
	fake_init(&c, 0x98);
	cap_put(&c, 0x98, PCI_CAP_ID_MSIX, 0x84);
	cap_put(&c, 0x84, PCI_CAP_ID_VNDR, 0x70);
	cap_put(&c, 0x70, PCI_CAP_ID_VNDR, 0x60);
	cap_put(&c, 0x60, PCI_CAP_ID_VNDR, 0x50);
	cap_put(&c, 0x50, PCI_CAP_ID_VNDR, 0x40);
	cap_put(&c, 0x40, PCI_CAP_ID_VNDR, 0x00);
	assert_int_equal(pci_cap_find_next(fake_read8, &c, PCI_CAP_ID_MSIX, 0), 0x98);
	assert_int_equal(pci_cap_find_next(fake_read8, &c, PCI_CAP_ID_MSI, 0), 0);
	static const int vendor[] = { 0x84, 0x70, 0x60, 0x50, 0x40 };
	pos = 0;
	for (size_t i = 0; i < ARRAY_SIZE(vendor); i++) {
		pos = pci_cap_find_next(fake_read8, &c, PCI_CAP_ID_VNDR, pos);
		assert_int_equal(pos, vendor[i]);
	}
	assert_int_equal(pci_cap_find_next(fake_read8, &c, PCI_CAP_ID_VNDR, pos), 0);
	/* every capability in order */
	static const int all[] = { 0x98, 0x84, 0x70, 0x60, 0x50, 0x40 };
	pos = 0;
	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		pos = pci_cap_next(fake_read8, &c, pos);
		assert_int_equal(pos, all[i]);
	}
	assert_int_equal(pci_cap_next(fake_read8, &c, pos), 0);
	/* the low two bits of a pointer are reserved */
	c.space[PCI_CAPABILITY_LIST] = 0x9b;
	assert_int_equal(pci_cap_find_next(fake_read8, &c, PCI_CAP_ID_MSIX, 0), 0x98);
}

static void test_cap_no_list(void **state)
{
	struct fake_config c;

	(void)state;
	fake_init(&c, 0x40);
	cap_put(&c, 0x40, PCI_CAP_ID_MSI, 0);
	c.space[PCI_STATUS] = 0;	/* status says there is no list */
	assert_int_equal(pci_cap_find_next(fake_read8, &c, PCI_CAP_ID_MSI, 0), 0);
	/* starts outside the capability area */
	c.space[PCI_STATUS] = PCI_STATUS_CAP_LIST;
	assert_int_equal(pci_cap_find_next(fake_read8, &c, PCI_CAP_ID_MSI, 0x10), 0);
	assert_int_equal(pci_cap_find_next(fake_read8, &c, PCI_CAP_ID_MSI, -4), 0);
	assert_int_equal(pci_cap_find_next(fake_read8, &c, PCI_CAP_ID_MSI, 0x100), 0);
	/* a function that is gone reads all ones */
	memset(c.space, 0xff, sizeof(c.space));
	assert_int_equal(pci_cap_find_next(fake_read8, &c, PCI_CAP_ID_MSI, 0), 0);
}

static void test_cap_malformed(void **state)
{
	struct fake_config c;

	(void)state;
	/* a loop of two: the walk ends after at most PCI_CAP_MAX steps */
	fake_init(&c, 0x40);
	cap_put(&c, 0x40, PCI_CAP_ID_VNDR, 0x50);
	cap_put(&c, 0x50, PCI_CAP_ID_PM, 0x40);
	assert_int_equal(pci_cap_find_next(fake_read8, &c, PCI_CAP_ID_MSIX, 0), 0);
	assert_true(c.reads <= 3 + 2 * 2);
	/* a capability pointing at itself */
	fake_init(&c, 0x40);
	cap_put(&c, 0x40, PCI_CAP_ID_PM, 0x40);
	assert_int_equal(pci_cap_find_next(fake_read8, &c, PCI_CAP_ID_MSI, 0), 0);
	assert_true(c.reads <= 3 + 2);
	/* iterating over a looping list visits each capability once */
	fake_init(&c, 0x40);
	cap_put(&c, 0x40, PCI_CAP_ID_VNDR, 0x50);
	cap_put(&c, 0x50, PCI_CAP_ID_VNDR, 0x40);
	int pos = 0, n = 0;
	while ((pos = pci_cap_find_next(fake_read8, &c, PCI_CAP_ID_VNDR, pos)) && n < 1000)
		n++;
	assert_int_equal(n, 2);
	/* a loop back into the middle: 0x40 -> 0x80 -> 0x60 -> 0x80 */
	fake_init(&c, 0x40);
	cap_put(&c, 0x40, PCI_CAP_ID_PM, 0x80);
	cap_put(&c, 0x80, PCI_CAP_ID_VNDR, 0x60);
	cap_put(&c, 0x60, PCI_CAP_ID_VNDR, 0x80);
	pos = 0;
	n = 0;
	while ((pos = pci_cap_next(fake_read8, &c, pos)) && n < 1000)
		n++;
	assert_int_equal(n, 3);
	/* a start that is not on the list finds nothing */
	assert_int_equal(pci_cap_find_next(fake_read8, &c, PCI_CAP_ID_VNDR, 0x44), 0);
	/* every dword of the capability area in one chain: 48, then the end */
	fake_init(&c, 0x40);
	for (unsigned int p = 0x40; p < 0x100; p += 4)
		cap_put(&c, p, PCI_CAP_ID_VNDR, (u8)(p + 4 < 0x100 ? p + 4 : 0x40));
	for (pos = 0, n = 0; (pos = pci_cap_next(fake_read8, &c, pos)) && n < 1000; n++)
		;
	assert_int_equal(n, PCI_CAP_MAX);
	/* a pointer into the header ends the list */
	fake_init(&c, 0x40);
	cap_put(&c, 0x40, PCI_CAP_ID_PM, 0x3c);
	c.space[0x3c] = PCI_CAP_ID_MSI;
	assert_int_equal(pci_cap_find_next(fake_read8, &c, PCI_CAP_ID_MSI, 0), 0);
	/* last capability at the very end of the space */
	fake_init(&c, 0xfc);
	cap_put(&c, 0xfc, PCI_CAP_ID_MSI, 0xff);
	assert_int_equal(pci_cap_find_next(fake_read8, &c, PCI_CAP_ID_MSI, 0), 0xfc);
	assert_int_equal(pci_cap_find_next(fake_read8, &c, PCI_CAP_ID_MSIX, 0), 0);
}

/* --- matching, names, messages --------------------------------------------- */
static const struct pci_device_id ids[] = {
	{ 0x1af4, 0x1042, 0, 0, 1 },			/* modern virtio-blk */
	{ 0x1af4, 0x1001, 0, 0, 2 },			/* transitional */
	{ PCI_ANY_ID, PCI_ANY_ID, 0x010802, 0xffffff, 3 },	/* any NVMe */
	{ 0x8086, PCI_ANY_ID, 0x020000, 0xff0000, 4 },	/* any Intel network */
	{ 0 }
};

static void test_match(void **state)
{
	(void)state;
	assert_int_equal(pci_match_id(ids, 0x1af4, 0x1042, 0x010000)->driver_data, 1);
	assert_int_equal(pci_match_id(ids, 0x1af4, 0x1001, 0x010000)->driver_data, 2);
	assert_null(pci_match_id(ids, 0x1af4, 0x1000, 0x020000));
	assert_int_equal(pci_match_id(ids, 0x1b36, 0x0010, 0x010802)->driver_data, 3);
	assert_null(pci_match_id(ids, 0x1b36, 0x0010, 0x010801));
	assert_int_equal(pci_match_id(ids, 0x8086, 0x10d3, 0x020000)->driver_data, 4);
	assert_int_equal(pci_match_id(ids, 0x8086, 0x10d3, 0x028000)->driver_data, 4);
	assert_null(pci_match_id(ids, 0x8086, 0x29c0, 0x060000));
	assert_null(pci_match_id(&ids[ARRAY_SIZE(ids) - 1], 0x1af4, 0x1042, 0));
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(pci_class_name(0x01, 0x08), "storage/NVM");
	assert_string_equal(pci_class_name(0x01, 0x00), "storage/SCSI");
	assert_string_equal(pci_class_name(0x01, 0x80), "storage");
	assert_string_equal(pci_class_name(0x02, 0x00), "network");
	assert_string_equal(pci_class_name(0x06, 0x00), "bridge/host");
	assert_string_equal(pci_class_name(0x06, 0x80), "bridge");
	assert_string_equal(pci_class_name(0xff, 0x00), "unknown");
	assert_string_equal(pci_cap_name(PCI_CAP_ID_MSIX), "MSI-X");
	assert_string_equal(pci_cap_name(PCI_CAP_ID_VNDR), "vendor");
	assert_null(pci_cap_name(0x00));
	assert_null(pci_cap_name(0x7f));
}

static void test_msi_compose(void **state)
{
	u32 address = 0, data = 0;

	(void)state;
	assert_int_equal(pci_msi_compose(0, 0x30, &address, &data), 0);
	assert_int_equal(address, 0xfee00000);
	assert_int_equal(data, 0x30);
	assert_int_equal(pci_msi_compose(3, 0xdf, &address, &data), 0);
	assert_int_equal(address, 0xfee03000);
	assert_int_equal(data, 0xdf);
	assert_int_equal(pci_msi_compose(255, 0x41, &address, &data), 0);
	assert_int_equal(address, 0xfeeff000);
	address = data = 0;
	assert_int_equal(pci_msi_compose(256, 0x41, &address, &data), -ERANGE);
	assert_int_equal(address, 0);	/* untouched */
	assert_int_equal(data, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bar_mem32),
		cmocka_unit_test(test_bar_mem64),
		cmocka_unit_test(test_bar_io),
		cmocka_unit_test(test_bar_unimplemented),
		cmocka_unit_test(test_cap_walk),
		cmocka_unit_test(test_cap_no_list),
		cmocka_unit_test(test_cap_malformed),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_msi_compose),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
