/*
 * Just enough AML to power off: finding the _S5_ sleep-type package in a
 * DSDT or SSDT without an interpreter. The firmware writes it as
 *
 *	NameOp ['\'] "_S5_" PackageOp PkgLength NumElements SLP_TYPa SLP_TYPb ...
 *
 * (ACPI 6.4 chapter 20: DefName, DefPackage, PkgLength and the integer
 * constants). Rather than parse the whole namespace we look
 * for the name's bytes behind a NameOp; every read is bounds-checked, so a
 * truncated or odd table yields -EINVAL, never a read past its end.
 */
#include "kernel/acpi/acpi_parse.h"
#include "lib/errno.h"
#include "lib/string.h"

#define AML_ZERO_OP	0x00
#define AML_ONE_OP	0x01
#define AML_NAME_OP	0x08
#define AML_BYTE_PREFIX	0x0a
#define AML_WORD_PREFIX	0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_PACKAGE_OP	0x12
#define AML_ROOT_CHAR	'\\'

/*
 * PkgLength: the lead byte's top two bits count the bytes that follow; with
 * none, its low six bits are the length, else its low four bits are the low
 * nibble and each following byte adds eight more bits. Returns the bytes it
 * took, or -EINVAL.
 */
static int aml_pkg_length(const u8 *p, size_t avail, u32 *len)
{
	unsigned int follow;
	u32 v;

	if (avail < 1)
		return -EINVAL;
	follow = p[0] >> 6;
	if (follow == 0) {
		*len = p[0] & 0x3f;
		return 1;
	}
	if (avail < 1 + follow || (p[0] & 0x30))
		return -EINVAL;
	v = p[0] & 0x0f;
	for (unsigned int i = 0; i < follow; i++)
		v |= (u32)p[1 + i] << (4 + 8 * i);
	*len = v;
	return 1 + follow;
}

/* An integer constant; returns the bytes it took, or -EINVAL. */
static int aml_integer(const u8 *p, size_t avail, u32 *value)
{
	size_t size;

	if (avail < 1)
		return -EINVAL;
	switch (p[0]) {
	case AML_ZERO_OP:
		*value = 0;
		return 1;
	case AML_ONE_OP:
		*value = 1;
		return 1;
	case AML_BYTE_PREFIX:
		size = 1;
		break;
	case AML_WORD_PREFIX:
		size = 2;
		break;
	case AML_DWORD_PREFIX:
		size = 4;
		break;
	default:
		return -EINVAL;
	}
	if (avail < 1 + size)
		return -EINVAL;
	*value = 0;
	for (size_t i = 0; i < size; i++)
		*value |= (u32)p[1 + i] << (8 * i);
	return 1 + size;
}

/* The package after the name: p points at PackageOp, avail bytes remain. */
static int aml_s5_package(const u8 *p, size_t avail, u8 *typa, u8 *typb)
{
	u32 pkg_len, value[2];
	size_t pos, end;
	int n;

	if (avail < 1 || p[0] != AML_PACKAGE_OP)
		return -EINVAL;
	n = aml_pkg_length(p + 1, avail - 1, &pkg_len);
	if (n < 0)
		return n;
	/* the package length counts from its own first byte to the package's end */
	end = 1 + (size_t)pkg_len;
	pos = 1 + n;
	if (pkg_len < (u32)n + 1 || end > avail)
		return -EINVAL;
	if (p[pos++] < 2)
		return -EINVAL;	/* NumElements: SLP_TYPa and SLP_TYPb at least */
	for (int i = 0; i < 2; i++) {
		n = aml_integer(p + pos, end - pos, &value[i]);
		if (n < 0)
			return n;
		pos += n;
		if (value[i] > 7)
			return -EINVAL;	/* SLP_TYP is a 3-bit field */
	}
	*typa = value[0];
	*typb = value[1];
	return 0;
}

int acpi_aml_find_s5(const u8 *aml, size_t len, u8 *typa, u8 *typb)
{
	for (size_t i = 1; i + 4 <= len; i++) {
		if (memcmp(aml + i, "_S5_", 4))
			continue;
		/* only the definition counts, not a reference to the name */
		if (aml[i - 1] != AML_NAME_OP &&
		    !(i >= 2 && aml[i - 1] == AML_ROOT_CHAR && aml[i - 2] == AML_NAME_OP))
			continue;
		return aml_s5_package(aml + i + 4, len - i - 4, typa, typb);
	}
	return -ENOENT;
}
