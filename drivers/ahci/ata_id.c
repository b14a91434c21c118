/*
 * IDENTIFY DEVICE decoding (ACS-3 7.12.7, table 45). The strings are stored
 * with the two bytes of each word swapped ("QEMU" arrives as "EQUM") and
 * padded with spaces; capacity comes from words 100-103 when 48-bit
 * addressing is supported and from 60-61 otherwise; sector sizes from word
 * 106 (only when its bits 15:14 read 01, the "valid" pattern) and 117-118.
 * Word 255 carries a checksum: the 512 bytes sum to 0 mod 256 when its low
 * byte is the 0xa5 signature.
 */
#include "drivers/ahci/ata_id.h"
#include "drivers/ahci/ahci_regs.h"
#include "lib/byteorder.h"
#include "lib/string.h"

static u16 id_word(const u8 *data, unsigned int w)
{
	return get_le16(data + 2 * w);
}

/* words [w, w + len/2) as a string: swap each pair, trim the padding */
static void id_string(const u8 *data, unsigned int w, unsigned int len, char *out)
{
	unsigned int n;

	for (unsigned int i = 0; i < len; i += 2) {
		u16 v = id_word(data, w + i / 2);

		out[i] = (char)(v >> 8);
		out[i + 1] = (char)(v & 0xff);
	}
	out[len] = 0;
	for (unsigned int i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7e)
			out[i] = ' ';
	n = len;
	while (n && out[n - 1] == ' ')
		out[--n] = 0;
	for (n = 0; out[n] == ' '; n++)
		;
	if (n)
		memmove(out, out + n, strlen(out + n) + 1);
}

void ata_id_parse(const void *buf, struct ata_id *id)
{
	const u8 *data = buf;
	u16 cap = id_word(data, ATA_ID_CAPABILITY);
	u16 cs1 = id_word(data, ATA_ID_COMMAND_SET_1), cs2 = id_word(data, ATA_ID_COMMAND_SET_2);
	u16 en1 = id_word(data, ATA_ID_CFS_ENABLE_1), en2 = id_word(data, ATA_ID_CFS_ENABLE_2);
	u16 sata = id_word(data, ATA_ID_SATA_CAP), ss = id_word(data, ATA_ID_SECTOR_SIZE);
	u16 integrity = id_word(data, ATA_ID_INTEGRITY);
	/* words 82-87 are valid only when bits 15:14 of 83 read 01 */
	bool sets_valid = (cs2 & 0xc000) == 0x4000;
	u8 sum = 0;

	memset(id, 0, sizeof(*id));
	id->ata = !(id_word(data, ATA_ID_CONFIG) & 0x8000);
	id_string(data, ATA_ID_MODEL, ATA_ID_MODEL_LEN, id->model);
	id_string(data, ATA_ID_SERIAL, ATA_ID_SERIAL_LEN, id->serial);
	id_string(data, ATA_ID_FW_REV, ATA_ID_FW_REV_LEN, id->firmware);
	id->lba = cap & ATA_ID_CAP_LBA;
	id->dma = cap & ATA_ID_CAP_DMA;
	id->lba28_sectors = (u64)id_word(data, ATA_ID_LBA28_CAPACITY) |
			    (u64)id_word(data, ATA_ID_LBA28_CAPACITY + 1) << 16;
	for (unsigned int i = 0; i < 4; i++)
		id->lba48_sectors |= (u64)id_word(data, ATA_ID_LBA48_CAPACITY + i) << (16 * i);
	if (sets_valid) {
		id->smart = cs1 & ATA_ID_CS1_SMART;
		id->write_cache = cs1 & ATA_ID_CS1_WCACHE;
		id->look_ahead = cs1 & ATA_ID_CS1_LOOKAHEAD;
		id->lba48 = cs2 & ATA_ID_CS2_LBA48;
		id->flush = cs2 & ATA_ID_CS2_FLUSH;
		id->flush_ext = cs2 & ATA_ID_CS2_FLUSH_EXT;
		id->fua = (id_word(data, ATA_ID_CFSSE) & 0xc000) == 0x4000 &&
			  (id_word(data, ATA_ID_CFSSE) & ATA_ID_CFSSE_FUA);
		id->smart_enabled = en1 & ATA_ID_CS1_SMART;
		id->write_cache_enabled = en1 & ATA_ID_CS1_WCACHE;
		id->look_ahead_enabled = en1 & ATA_ID_CS1_LOOKAHEAD;
		id->lba48 = id->lba48 && (en2 & ATA_ID_CS2_LBA48);
	}
	id->sectors = id->lba48 && id->lba48_sectors ? id->lba48_sectors : id->lba28_sectors;

	id->logical_size = 512;
	id->physical_size = 512;
	if ((ss & ATA_ID_SS_VALID_MASK) == ATA_ID_SS_VALID) {
		if (ss & ATA_ID_SS_LONG) {
			u32 words = (u32)id_word(data, ATA_ID_LOGICAL_SIZE) |
				    (u32)id_word(data, ATA_ID_LOGICAL_SIZE + 1) << 16;

			if (words >= 256 && words <= 32768)
				id->logical_size = words * 2;
		}
		if (ss & ATA_ID_SS_MULTI)
			id->physical_size = id->logical_size << (ss & 0xf);
		else
			id->physical_size = id->logical_size;
	}

	/* word 76 reads 0 or all ones on a parallel ATA device */
	if (sata != 0 && sata != 0xffff) {
		id->ncq = sata & ATA_ID_SATA_NCQ;
		id->sata_gens = (sata >> 1) & 0x7;
		id->sata_speed = (id_word(data, ATA_ID_SATA_CAP2) >> 1) & 0x7;
	}
	id->queue_depth = id->ncq ? (id_word(data, ATA_ID_QUEUE_DEPTH) & 0x1f) + 1 : 1;
	id->major_versions = id_word(data, ATA_ID_MAJOR_VERSION);
	if (id->major_versions == 0xffff)
		id->major_versions = 0;

	id->trim = id_word(data, ATA_ID_DSM) & ATA_ID_DSM_TRIM;
	if (id->trim) {
		u16 add = id_word(data, ATA_ID_ADDITIONAL_SUPP);

		id->dsm_blocks = id_word(data, ATA_ID_DSM_BLOCKS);
		/* ACS-2: 0 means "not reported"; one block is what every TRIM device takes */
		if (!id->dsm_blocks || id->dsm_blocks == 0xffff)
			id->dsm_blocks = 1;
		id->trim_drat = add & ATA_ID_ADD_DRAT;
		id->trim_rzat = add & ATA_ID_ADD_RZAT;
	}
	id->rotation_rate = id_word(data, ATA_ID_ROTATION_RATE);
	if (id->rotation_rate == 0xffff)
		id->rotation_rate = 0;
	id->udma_supported = id_word(data, ATA_ID_UDMA_MODES) & 0x7f;
	id->udma_selected = (id_word(data, ATA_ID_UDMA_MODES) >> 8) & 0x7f;

	id->integrity_present = (integrity & 0xff) == 0xa5;
	if (id->integrity_present) {
		for (unsigned int i = 0; i < ATA_ID_WORDS * 2; i++)
			sum = (u8)(sum + data[i]);
		id->integrity_ok = sum == 0;
	}
}

const char *ata_id_major_name(u16 major_versions)
{
	static const char *const names[] = {
		[4] = "ATA/ATAPI-4", [5] = "ATA/ATAPI-5", [6] = "ATA/ATAPI-6",
		[7] = "ATA/ATAPI-7", [8] = "ATA8-ACS", [9] = "ACS-2", [10] = "ACS-3",
		[11] = "ACS-4", [12] = "ACS-5",
	};

	for (int bit = 12; bit >= 4; bit--)
		if (major_versions & (1U << bit))
			return names[bit];
	return "unknown";
}

const char *ata_sata_speed_name(unsigned int gen)
{
	switch (gen) {
	case 1:
		return "1.5 Gb/s";
	case 2:
		return "3.0 Gb/s";
	case 3:
		return "6.0 Gb/s";
	default:
		return "unknown";
	}
}
