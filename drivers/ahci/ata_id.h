/*
 * IDENTIFY DEVICE (ACS-3 7.12.7) decoded into what the driver and the `sata`
 * command need: strings with their byte pairs swapped back and the padding
 * trimmed, capacity, sector sizes, queue depth, and the features that decide
 * which commands the driver may send (NCQ, FLUSH CACHE EXT, FUA, TRIM).
 * Pure logic (ata_id.c), tested on the host.
 */
#ifndef DRIVERS_AHCI_ATA_ID_H
#define DRIVERS_AHCI_ATA_ID_H

#include "lib/types.h"

struct ata_id {
	char model[41], serial[21], firmware[9];
	bool ata;			/* word 0 bit 15 clear */
	bool lba, dma, lba48;
	u64 sectors;			/* user addressable, 512-byte units of logical size */
	u64 lba28_sectors, lba48_sectors;
	u32 logical_size, physical_size;	/* bytes */
	bool ncq;
	unsigned int queue_depth;	/* 1 .. 32 */
	unsigned int sata_gens;		/* bit n-1: SATA Gen n speed supported */
	unsigned int sata_speed;	/* current: 1 Gen1 .. 3 Gen3, 0 unknown */
	u16 major_versions;		/* word 80 */
	bool smart, smart_enabled;
	bool write_cache, write_cache_enabled;
	bool look_ahead, look_ahead_enabled;
	bool flush, flush_ext, fua;
	bool trim, trim_drat, trim_rzat;
	unsigned int dsm_blocks;	/* 512-byte blocks of TRIM ranges a command takes */
	u16 rotation_rate;		/* 0 not reported, 1 solid state, else rpm */
	u8 udma_supported, udma_selected;	/* masks of modes 0-6 */
	bool integrity_present, integrity_ok;	/* word 255 signature, checksum */
};

/* Decode 512 bytes of IDENTIFY DEVICE data (little-endian words). */
void ata_id_parse(const void *data, struct ata_id *id);

/* "ATA8-ACS", "ACS-2", ... : the newest standard word 80 claims, or "unknown". */
const char *ata_id_major_name(u16 major_versions);
/* "1.5 Gb/s", "3.0 Gb/s", "6.0 Gb/s" for Gen 1-3; "unknown" otherwise. */
const char *ata_sata_speed_name(unsigned int gen);

#endif
