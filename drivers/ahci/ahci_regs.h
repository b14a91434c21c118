/*
 * AHCI host bus adapter registers and memory structures (Serial ATA AHCI
 * 1.3.1) and the ATA commands and IDENTIFY DEVICE words the driver uses
 * (ATA/ATAPI Command Set ACS-3, Serial ATA 3.x for the FIS layouts). Hardware
 * definitions only; the logic lives in ahci_fis.c (building FISes, parsing
 * IDENTIFY) and ahci_port.c / ahci_mq.c (the driver).
 */
#ifndef DRIVERS_AHCI_AHCI_REGS_H
#define DRIVERS_AHCI_AHCI_REGS_H

#include "lib/types.h"

/* --- AHCI 1.3.1 3.1: generic host control ------------------------------------ */
#define AHCI_PCI_BAR		5	/* ABAR, "AHCI Base Address" */

#define AHCI_REG_CAP		0x00	/* host capabilities */
#define AHCI_REG_GHC		0x04	/* global host control */
#define AHCI_REG_IS		0x08	/* interrupt status: a bit per port */
#define AHCI_REG_PI		0x0c	/* ports implemented */
#define AHCI_REG_VS		0x10	/* version */
#define AHCI_REG_CAP2		0x24	/* host capabilities extended */
#define AHCI_REG_BOHC		0x28	/* BIOS/OS handoff control and status */

#define AHCI_CAP_NP(cap)	(((cap) & 0x1f) + 1)		/* number of ports */
#define AHCI_CAP_NCS(cap)	((((cap) >> 8) & 0x1f) + 1)	/* command slots */
#define AHCI_CAP_ISS(cap)	(((cap) >> 20) & 0xf)		/* interface speed */
#define AHCI_CAP_SCLO		(1U << 24)	/* command list override */
#define AHCI_CAP_SAL		(1U << 25)	/* activity LED */
#define AHCI_CAP_SALP		(1U << 26)	/* aggressive link power management */
#define AHCI_CAP_SSS		(1U << 27)	/* staggered spin-up */
#define AHCI_CAP_SNTF		(1U << 29)	/* SNotification register */
#define AHCI_CAP_SNCQ		(1U << 30)	/* native command queuing */
#define AHCI_CAP_S64A		(1U << 31)	/* 64-bit addressing */

#define AHCI_GHC_HR		(1U << 0)	/* HBA reset */
#define AHCI_GHC_IE		(1U << 1)	/* interrupt enable */
#define AHCI_GHC_AE		(1U << 31)	/* AHCI enable */

#define AHCI_CAP2_BOH		(1U << 0)	/* BIOS/OS handoff */

#define AHCI_BOHC_BOS		(1U << 0)	/* BIOS owned semaphore */
#define AHCI_BOHC_OOS		(1U << 1)	/* OS owned semaphore */
#define AHCI_BOHC_BB		(1U << 4)	/* BIOS busy */

#define AHCI_MAX_PORTS		32
#define AHCI_MAX_SLOTS		32

/* --- AHCI 1.3.1 3.3: port registers, at 0x100 + port * 0x80 -------------------- */
#define AHCI_PORT_BASE(p)	(0x100 + (p) * 0x80)
#define AHCI_PxCLB		0x00	/* command list base (1 KiB aligned) */
#define AHCI_PxCLBU		0x04
#define AHCI_PxFB		0x08	/* received FIS base (256-byte aligned) */
#define AHCI_PxFBU		0x0c
#define AHCI_PxIS		0x10	/* interrupt status */
#define AHCI_PxIE		0x14	/* interrupt enable */
#define AHCI_PxCMD		0x18	/* command and status */
#define AHCI_PxTFD		0x20	/* task file data */
#define AHCI_PxSIG		0x24	/* signature */
#define AHCI_PxSSTS		0x28	/* SStatus */
#define AHCI_PxSCTL		0x2c	/* SControl */
#define AHCI_PxSERR		0x30	/* SError */
#define AHCI_PxSACT		0x34	/* SActive: NCQ tags outstanding */
#define AHCI_PxCI		0x38	/* command issue */

/* 3.3.5 PxIS / 3.3.6 PxIE */
#define AHCI_PxIS_DHRS		(1U << 0)	/* D2H register FIS received */
#define AHCI_PxIS_PSS		(1U << 1)	/* PIO setup FIS received */
#define AHCI_PxIS_DSS		(1U << 2)	/* DMA setup FIS received */
#define AHCI_PxIS_SDBS		(1U << 3)	/* set device bits FIS: NCQ completions */
#define AHCI_PxIS_UFS		(1U << 4)	/* unknown FIS */
#define AHCI_PxIS_DPS		(1U << 5)	/* a PRD with I set was processed */
#define AHCI_PxIS_PCS		(1U << 6)	/* port connect change */
#define AHCI_PxIS_PRCS		(1U << 22)	/* PhyRdy change */
#define AHCI_PxIS_IPMS		(1U << 23)	/* incorrect port multiplier status */
#define AHCI_PxIS_OFS		(1U << 24)	/* overflow */
#define AHCI_PxIS_INFS		(1U << 26)	/* interface non-fatal error */
#define AHCI_PxIS_IFS		(1U << 27)	/* interface fatal error */
#define AHCI_PxIS_HBDS		(1U << 28)	/* host bus data error */
#define AHCI_PxIS_HBFS		(1U << 29)	/* host bus fatal error */
#define AHCI_PxIS_TFES		(1U << 30)	/* task file error: the device said ERR */
#define AHCI_PxIS_CPDS		(1U << 31)	/* cold port detect */

/* what the driver reacts to: completions, and every error and link change */
#define AHCI_PxIS_ERRORS	(AHCI_PxIS_UFS | AHCI_PxIS_PCS | AHCI_PxIS_PRCS | \
				 AHCI_PxIS_IPMS | AHCI_PxIS_OFS | AHCI_PxIS_INFS | \
				 AHCI_PxIS_IFS | AHCI_PxIS_HBDS | AHCI_PxIS_HBFS | \
				 AHCI_PxIS_TFES)
/* errors after which the HBA has stopped processing the command list (6.2.2) */
#define AHCI_PxIS_FATAL		(AHCI_PxIS_TFES | AHCI_PxIS_HBFS | AHCI_PxIS_HBDS | \
				 AHCI_PxIS_IFS)
#define AHCI_PxIE_DEFAULT	(AHCI_PxIS_DHRS | AHCI_PxIS_PSS | AHCI_PxIS_DSS | \
				 AHCI_PxIS_SDBS | AHCI_PxIS_DPS | AHCI_PxIS_ERRORS)

/* 3.3.7 PxCMD */
#define AHCI_PxCMD_ST		(1U << 0)	/* start: process the command list */
#define AHCI_PxCMD_SUD		(1U << 1)	/* spin-up device */
#define AHCI_PxCMD_POD		(1U << 2)	/* power on device */
#define AHCI_PxCMD_CLO		(1U << 3)	/* command list override */
#define AHCI_PxCMD_FRE		(1U << 4)	/* FIS receive enable */
#define AHCI_PxCMD_CCS(cmd)	(((cmd) >> 8) & 0x1f)	/* current command slot */
#define AHCI_PxCMD_FR		(1U << 14)	/* FIS receive running */
#define AHCI_PxCMD_CR		(1U << 15)	/* command list running */
#define AHCI_PxCMD_ATAPI	(1U << 24)
#define AHCI_PxCMD_ICC_MASK	(0xfU << 28)
#define AHCI_PxCMD_ICC_ACTIVE	(1U << 28)

/* 3.3.8 PxTFD: the device's status and error registers */
#define AHCI_PxTFD_STS(tfd)	((tfd) & 0xff)
#define AHCI_PxTFD_ERR(tfd)	(((tfd) >> 8) & 0xff)

/* 3.3.10 PxSSTS, 3.3.11 PxSCTL */
#define AHCI_SSTS_DET(s)	((s) & 0xf)
#define AHCI_SSTS_SPD(s)	(((s) >> 4) & 0xf)
#define AHCI_SSTS_IPM(s)	(((s) >> 8) & 0xf)
#define AHCI_SSTS_DET_PRESENT	3	/* device present, phy communication up */
#define AHCI_SCTL_DET_MASK	0xfU
#define AHCI_SCTL_DET_COMRESET	1U
#define AHCI_SCTL_IPM_NO_PM	(3U << 8)	/* no partial or slumber transitions */

/* 3.3.9 PxSIG, as the device's first D2H FIS leaves it */
#define AHCI_SIG_ATA		0x00000101U
#define AHCI_SIG_ATAPI		0xeb140101U
#define AHCI_SIG_SEMB		0xc33c0101U
#define AHCI_SIG_PM		0x96690101U

/* --- AHCI 1.3.1 4.2: memory structures ------------------------------------------ */
/* 4.2.2 command header: 32 of them make the 1 KiB command list */
struct ahci_cmd_header {
	u32 flags;		/* CFL, A, W, P, R, B, C, PMP, PRDTL */
	u32 prdbc;		/* bytes transferred, written by the HBA */
	u32 ctba;		/* command table, 128-byte aligned */
	u32 ctbau;
	u32 reserved[4];
} __packed;

#define AHCI_CMD_CFL(dwords)	((u32)(dwords) & 0x1f)	/* command FIS length */
#define AHCI_CMD_ATAPI		(1U << 5)
#define AHCI_CMD_WRITE		(1U << 6)	/* host to device data */
#define AHCI_CMD_PREFETCH	(1U << 7)
#define AHCI_CMD_RESET		(1U << 8)
#define AHCI_CMD_CLEAR_BUSY	(1U << 10)	/* clear BSY on R_OK */
#define AHCI_CMD_PRDTL(n)	((u32)(n) << 16)

/* 4.2.3.3 physical region descriptor */
struct ahci_prd {
	u32 dba;		/* data base address, word aligned */
	u32 dbau;
	u32 reserved;
	u32 dbc;		/* byte count - 1 (bit 0 set: an even count), I at bit 31 */
} __packed;

#define AHCI_PRD_MAX_BYTES	(4U << 20)	/* DBC is 22 bits */
#define AHCI_PRD_IRQ		(1U << 31)

/* 4.2.3 command table: the FIS, an ATAPI command, then the PRD table */
#define AHCI_CT_CFIS		0x00
#define AHCI_CT_ACMD		0x40
#define AHCI_CT_PRDT		0x80

/* 4.2.1 received FIS structure (256 bytes) */
#define AHCI_RX_FIS_SIZE	256
#define AHCI_RX_DSFIS		0x00
#define AHCI_RX_PSFIS		0x20
#define AHCI_RX_RFIS		0x40	/* the last D2H register FIS */
#define AHCI_RX_SDBFIS		0x58

#define AHCI_CMD_LIST_SIZE	(AHCI_MAX_SLOTS * sizeof(struct ahci_cmd_header))

/* --- Serial ATA 3.x 10.5.5: register host-to-device FIS -------------------------- */
#define FIS_TYPE_REG_H2D	0x27
#define FIS_TYPE_REG_D2H	0x34
#define FIS_TYPE_SDB		0xa1
#define FIS_H2D_COMMAND		0x80	/* byte 1: C, the FIS carries a command */
#define FIS_H2D_DWORDS		5

struct fis_reg_h2d {
	u8 type;		/* FIS_TYPE_REG_H2D */
	u8 flags;		/* C bit, port multiplier port */
	u8 command;
	u8 feature_low;
	u8 lba0, lba1, lba2;
	u8 device;
	u8 lba3, lba4, lba5;
	u8 feature_high;
	u8 count_low, count_high;
	u8 icc;
	u8 control;
	u8 reserved[4];
} __packed;

/* --- ACS-3 7: commands -------------------------------------------------------------- */
#define ATA_CMD_DSM			0x06	/* DATA SET MANAGEMENT */
#define ATA_CMD_READ_DMA_EXT		0x25
#define ATA_CMD_READ_LOG_EXT		0x2f
#define ATA_CMD_WRITE_DMA_EXT		0x35
#define ATA_CMD_WRITE_DMA_FUA_EXT	0x3d
#define ATA_CMD_READ_FPDMA_QUEUED	0x60
#define ATA_CMD_WRITE_FPDMA_QUEUED	0x61
#define ATA_CMD_FLUSH_CACHE_EXT		0xea
#define ATA_CMD_IDENTIFY		0xec

#define ATA_DEVICE_LBA		(1U << 6)	/* device register: LBA addressing */
#define ATA_DEVICE_FUA		(1U << 7)	/* FPDMA QUEUED: forced unit access */
#define ATA_DSM_TRIM		0x01		/* DSM feature: the TRIM bit */
#define ATA_DSM_RANGE_MAX	0xffffU		/* sectors per LBA range entry */
#define ATA_DSM_ENTRIES_PER_BLOCK 64		/* 8-byte entries in 512 bytes */
#define ATA_LOG_NCQ_ERROR	0x10		/* NCQ command error log (ACS-3 A.13) */
#define ATA_LOG_NCQ_NQ		0x80		/* byte 0: the error was not a queued command */
#define ATA_NCQ_TAG_SHIFT	3		/* FPDMA: the tag sits in count bits 7:3 */

/* status and error registers */
#define ATA_STS_ERR		(1U << 0)
#define ATA_STS_DRQ		(1U << 3)
#define ATA_STS_DF		(1U << 5)
#define ATA_STS_BSY		(1U << 7)
#define ATA_ERR_ABRT		(1U << 2)
#define ATA_ERR_IDNF		(1U << 4)
#define ATA_ERR_UNC		(1U << 6)
#define ATA_ERR_ICRC		(1U << 7)

/* --- ACS-3 7.12.7: IDENTIFY DEVICE data, in 16-bit words ----------------------------- */
#define ATA_ID_WORDS		256
#define ATA_ID_CONFIG		0	/* bit 15 clear: an ATA device */
#define ATA_ID_SERIAL		10	/* 20 characters */
#define ATA_ID_SERIAL_LEN	20
#define ATA_ID_FW_REV		23	/* 8 characters */
#define ATA_ID_FW_REV_LEN	8
#define ATA_ID_MODEL		27	/* 40 characters */
#define ATA_ID_MODEL_LEN	40
#define ATA_ID_CAPABILITY	49	/* bit 8 DMA, bit 9 LBA */
#define ATA_ID_LBA28_CAPACITY	60	/* two words */
#define ATA_ID_ADDITIONAL_SUPP	69	/* bit 14 deterministic read after TRIM, bit 5 zeroes */
#define ATA_ID_QUEUE_DEPTH	75	/* bits 4:0: depth - 1 */
#define ATA_ID_SATA_CAP		76	/* bit 8 NCQ; bits 3:1 Gen3/Gen2/Gen1 speeds */
#define ATA_ID_SATA_CAP2	77	/* bits 3:1 current speed */
#define ATA_ID_MAJOR_VERSION	80	/* a bit per ATA/ACS standard */
#define ATA_ID_COMMAND_SET_1	82	/* bit 0 SMART, 5 volatile write cache, 6 look-ahead */
#define ATA_ID_COMMAND_SET_2	83	/* bit 10 48-bit, 12 FLUSH CACHE, 13 FLUSH CACHE EXT */
#define ATA_ID_CFSSE		84	/* bit 6 WRITE DMA FUA EXT */
#define ATA_ID_CFS_ENABLE_1	85	/* bit 0 SMART, 5 write cache, 6 look-ahead enabled */
#define ATA_ID_CFS_ENABLE_2	86	/* bit 10 48-bit enabled */
#define ATA_ID_UDMA_MODES	88	/* bits 6:0 supported, 14:8 selected */
#define ATA_ID_LBA48_CAPACITY	100	/* four words */
#define ATA_ID_DSM_BLOCKS	105	/* 512-byte blocks of DSM ranges per command */
#define ATA_ID_SECTOR_SIZE	106	/* logical/physical sector size */
#define ATA_ID_LOGICAL_SIZE	117	/* two words: words per logical sector */
#define ATA_ID_DSM		169	/* bit 0 TRIM supported */
#define ATA_ID_ROTATION_RATE	217	/* 1: non-rotating (solid state) */
#define ATA_ID_INTEGRITY	255	/* 0xa5 signature and a checksum */

#define ATA_ID_CAP_LBA		(1U << 9)
#define ATA_ID_CAP_DMA		(1U << 8)
#define ATA_ID_SATA_NCQ		(1U << 8)
#define ATA_ID_CS1_SMART	(1U << 0)
#define ATA_ID_CS1_WCACHE	(1U << 5)
#define ATA_ID_CS1_LOOKAHEAD	(1U << 6)
#define ATA_ID_CS2_LBA48	(1U << 10)
#define ATA_ID_CS2_FLUSH	(1U << 12)
#define ATA_ID_CS2_FLUSH_EXT	(1U << 13)
#define ATA_ID_CFSSE_FUA	(1U << 6)
#define ATA_ID_DSM_TRIM		(1U << 0)
#define ATA_ID_ADD_DRAT		(1U << 14)
#define ATA_ID_ADD_RZAT		(1U << 5)
#define ATA_ID_SS_VALID_MASK	0xc000U	/* word 106: bits 15:14 == 01 when valid */
#define ATA_ID_SS_VALID		0x4000U
#define ATA_ID_SS_MULTI		(1U << 13)	/* several logical per physical */
#define ATA_ID_SS_LONG		(1U << 12)	/* logical sector longer than 256 words */

#endif
