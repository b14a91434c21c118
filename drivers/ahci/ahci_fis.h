/*
 * Building what the HBA reads for one command: the register H2D FIS (READ/
 * WRITE FPDMA QUEUED with the tag in the count field, the DMA EXT commands,
 * FLUSH CACHE EXT, DATA SET MANAGEMENT, IDENTIFY, READ LOG EXT), the command
 * header, the PRD table from a request's vectors, and the TRIM range entries.
 * Pure logic (ahci_fis.c), tested on the host.
 */
#ifndef DRIVERS_AHCI_AHCI_FIS_H
#define DRIVERS_AHCI_AHCI_FIS_H

#include "lib/types.h"
#include "block/bio.h"
#include "drivers/ahci/ahci_regs.h"

/* A non-data or non-queued command: command, features, 48-bit LBA, count. */
void ahci_fis_command(struct fis_reg_h2d *fis, u8 command, u16 features, u64 lba, u16 count);

/*
 * A read or write of count sectors at lba. tag >= 0: READ/WRITE FPDMA QUEUED
 * (NCQ, ACS-3 7.23/7.61: the sector count goes in features, the tag in count
 * bits 7:3, FUA in the device register); tag < 0: READ/WRITE DMA EXT (WRITE
 * DMA FUA EXT when fua). count 1 .. 65536 (65536 is sent as 0).
 */
void ahci_fis_rw(struct fis_reg_h2d *fis, bool write, u64 lba, u32 count, int tag, bool fua);

/* The command header of a slot: FIS length, direction, PRD count, table address. */
void ahci_cmd_header_fill(struct ahci_cmd_header *hdr, u64 table_phys, unsigned int prdtl,
			  bool write);

/*
 * PRD entries for nr_bytes of vecs[] from vec_offset into the first vector,
 * each at most AHCI_PRD_MAX_BYTES. Returns the number of entries, or -EINVAL
 * when more than max would be needed, the vectors hold less than nr_bytes,
 * or an address or length is odd (AHCI needs word alignment); -ERANGE when
 * an address is above 4 GiB and addr64 is false.
 */
int ahci_prd_fill(struct ahci_prd *prdt, unsigned int max, const struct bio_vec *vecs,
		  u16 vcnt, u32 vec_offset, u32 nr_bytes, bool addr64);

/*
 * TRIM ranges (ACS-3 7.10.3.2: 48-bit LBA, 16-bit length, 8 bytes each,
 * unused entries zero) covering sectors from lba, into blocks * 512 bytes at
 * buf. Returns the number of 512-byte blocks to send (the DSM count), or
 * -EINVAL when the range does not fit.
 */
int ahci_dsm_trim_fill(void *buf, unsigned int blocks, u64 lba, u64 sectors);

/* The most sectors one TRIM of `blocks` 512-byte blocks of ranges covers. */
static inline u64 ahci_dsm_trim_max_sectors(unsigned int blocks)
{
	return (u64)blocks * ATA_DSM_ENTRIES_PER_BLOCK * ATA_DSM_RANGE_MAX;
}

#endif
