/*
 * CRC-32 checksums for verifying data written to and read back from a disk.
 *
 * Both follow zlib's convention: start with crc = 0 and feed the previous
 * result back in to checksum data in pieces, so that
 * crc32(crc32(0, a, n), b, m) is the checksum of a followed by b.
 */
#ifndef LIB_CRC32_H
#define LIB_CRC32_H

#include "lib/types.h"

/* IEEE 802.3 polynomial (zlib, gzip): crc32(0, "123456789", 9) == 0xcbf43926 */
u32 crc32(u32 crc, const void *buf, size_t len);

/* Castagnoli (iSCSI, ext4): crc32c(0, "123456789", 9) == 0xe3069283 */
u32 crc32c(u32 crc, const void *buf, size_t len);

#endif
