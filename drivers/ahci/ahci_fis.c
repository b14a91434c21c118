/*
 * Command building for the AHCI driver: FISes (Serial ATA 3.x 10.5.5),
 * command headers and PRD tables (AHCI 1.3.1 4.2.2, 4.2.3) and DSM TRIM
 * ranges (ACS-3 7.10). Nothing here touches hardware: the driver builds into
 * the slot's command table and the tests into plain memory.
 */
#include "drivers/ahci/ahci_fis.h"
#include "lib/byteorder.h"
#include "lib/errno.h"
#include "lib/string.h"

void ahci_fis_command(struct fis_reg_h2d *fis, u8 command, u16 features, u64 lba, u16 count)
{
	memset(fis, 0, sizeof(*fis));
	fis->type = FIS_TYPE_REG_H2D;
	fis->flags = FIS_H2D_COMMAND;
	fis->command = command;
	fis->feature_low = (u8)features;
	fis->feature_high = (u8)(features >> 8);
	fis->lba0 = (u8)lba;
	fis->lba1 = (u8)(lba >> 8);
	fis->lba2 = (u8)(lba >> 16);
	fis->lba3 = (u8)(lba >> 24);
	fis->lba4 = (u8)(lba >> 32);
	fis->lba5 = (u8)(lba >> 40);
	fis->device = ATA_DEVICE_LBA;
	fis->count_low = (u8)count;
	fis->count_high = (u8)(count >> 8);
}

void ahci_fis_rw(struct fis_reg_h2d *fis, bool write, u64 lba, u32 count, int tag, bool fua)
{
	u16 n = (u16)count;	/* 65536 wraps to 0, which the commands read as 65536 */

	if (tag >= 0) {
		ahci_fis_command(fis, write ? ATA_CMD_WRITE_FPDMA_QUEUED : ATA_CMD_READ_FPDMA_QUEUED,
				 n, lba, (u16)((unsigned int)tag << ATA_NCQ_TAG_SHIFT));
		if (fua && write)
			fis->device |= ATA_DEVICE_FUA;
		return;
	}
	ahci_fis_command(fis, !write ? ATA_CMD_READ_DMA_EXT :
			 fua ? ATA_CMD_WRITE_DMA_FUA_EXT : ATA_CMD_WRITE_DMA_EXT, 0, lba, n);
}

void ahci_cmd_header_fill(struct ahci_cmd_header *hdr, u64 table_phys, unsigned int prdtl,
			  bool write)
{
	u32 flags = AHCI_CMD_CFL(FIS_H2D_DWORDS) | AHCI_CMD_PRDTL(prdtl);

	if (write)
		flags |= AHCI_CMD_WRITE;
	put_le32(&hdr->flags, flags);
	put_le32(&hdr->prdbc, 0);
	put_le32(&hdr->ctba, (u32)table_phys);
	put_le32(&hdr->ctbau, (u32)(table_phys >> 32));
}

int ahci_prd_fill(struct ahci_prd *prdt, unsigned int max, const struct bio_vec *vecs,
		  u16 vcnt, u32 vec_offset, u32 nr_bytes, bool addr64)
{
	u32 remaining = nr_bytes, offset = vec_offset;
	unsigned int n = 0;

	for (u16 v = 0; remaining && v < vcnt; v++) {
		u64 phys, len;

		if (offset >= vecs[v].len) {
			offset -= vecs[v].len;
			continue;
		}
		phys = vecs[v].phys + offset;
		len = vecs[v].len - offset;
		if (len > remaining)
			len = remaining;
		offset = 0;
		remaining -= (u32)len;
		if ((phys | len) & 1)
			return -EINVAL;
		while (len) {
			u32 piece = len < AHCI_PRD_MAX_BYTES ? (u32)len : AHCI_PRD_MAX_BYTES;

			if (n == max)
				return -EINVAL;
			if (!addr64 && (phys + piece - 1) >> 32)
				return -ERANGE;
			put_le32(&prdt[n].dba, (u32)phys);
			put_le32(&prdt[n].dbau, (u32)(phys >> 32));
			put_le32(&prdt[n].reserved, 0);
			put_le32(&prdt[n].dbc, piece - 1);
			n++;
			phys += piece;
			len -= piece;
		}
	}
	return remaining ? -EINVAL : (int)n;
}

int ahci_dsm_trim_fill(void *buf, unsigned int blocks, u64 lba, u64 sectors)
{
	u8 *p = buf;
	unsigned int n = 0;

	if (!sectors || sectors > ahci_dsm_trim_max_sectors(blocks) ||
	    lba + sectors > (1ULL << 48))
		return -EINVAL;
	memset(buf, 0, (size_t)blocks * 512);
	while (sectors) {
		u64 len = sectors < ATA_DSM_RANGE_MAX ? sectors : ATA_DSM_RANGE_MAX;

		put_le64(p + 8 * n, lba | len << 48);
		n++;
		lba += len;
		sectors -= len;
	}
	/* send whole blocks only: ceil(entries used / 64) */
	return (int)((n + ATA_DSM_ENTRIES_PER_BLOCK - 1) / ATA_DSM_ENTRIES_PER_BLOCK);
}
