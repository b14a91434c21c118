/*
 * Unit tests for drivers/nvme/nvme_status.c: names, errnos and the retry rule
 * for codes of every status code type, the DNR and More bits, unknown and
 * vendor codes, and that no two table rows claim the same code.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "drivers/nvme/nvme_status.c"
#include "lib/string.h"

static void test_generic(void **state)
{
	(void)state;
	assert_int_equal(nvme_status_to_errno(0), 0);
	assert_string_equal(nvme_status_text(0), "Successful Completion");
	assert_string_equal(nvme_status_text(NVME_STATUS(0, NVME_SC_INVALID_FIELD)),
			    "Invalid Field in Command");
	assert_int_equal(nvme_status_to_errno(NVME_STATUS(0, NVME_SC_INVALID_FIELD)), -EINVAL);
	assert_int_equal(nvme_status_to_errno(NVME_STATUS(0, NVME_SC_INVALID_OPCODE)), -ENOTSUP);
	assert_string_equal(nvme_status_text(NVME_STATUS(0, NVME_SC_LBA_RANGE)), "LBA Out of Range");
	assert_int_equal(nvme_status_to_errno(NVME_STATUS(0, NVME_SC_LBA_RANGE)), -EIO);
	assert_int_equal(nvme_status_to_errno(NVME_STATUS(0, NVME_SC_CAP_EXCEEDED)), -ENOSPC);
	assert_int_equal(nvme_status_to_errno(NVME_STATUS(0, NVME_SC_NS_WRITE_PROTECTED)), -EROFS);
	assert_int_equal(nvme_status_to_errno(NVME_STATUS(0, NVME_SC_ABORT_REQ)), -ECANCELED);
	assert_string_equal(nvme_status_type_text(NVME_STATUS(0, 0x80)), "Generic Command Status");
}

/* the same code means different things in different types */
static void test_types(void **state)
{
	(void)state;
	assert_string_equal(nvme_status_text(NVME_STATUS(NVME_SCT_COMMAND_SPECIFIC, 0x01)),
			    "Invalid Queue Identifier");
	assert_string_equal(nvme_status_text(NVME_STATUS(NVME_SCT_COMMAND_SPECIFIC, 0x82)),
			    "Attempted Write to Read Only Range");
	assert_int_equal(nvme_status_to_errno(NVME_STATUS(NVME_SCT_COMMAND_SPECIFIC, 0x82)), -EROFS);
	assert_string_equal(nvme_status_text(NVME_STATUS(NVME_SCT_MEDIA, 0x81)),
			    "Unrecovered Read Error");
	assert_string_equal(nvme_status_text(NVME_STATUS(NVME_SCT_MEDIA, 0x80)), "Write Fault");
	assert_int_equal(nvme_status_to_errno(NVME_STATUS(NVME_SCT_MEDIA, 0x81)), -EIO);
	assert_string_equal(nvme_status_text(NVME_STATUS(NVME_SCT_PATH, 0x71)),
			    "Command Aborted By Host");
	assert_string_equal(nvme_status_type_text(NVME_STATUS(NVME_SCT_PATH, 0)),
			    "Path Related Status");
	assert_string_equal(nvme_status_type_text(NVME_STATUS(NVME_SCT_MEDIA, 0)),
			    "Media and Data Integrity Errors");
}

static void test_unknown_and_vendor(void **state)
{
	(void)state;
	assert_string_equal(nvme_status_text(NVME_STATUS(0, 0x7f)), "Unknown Status Code");
	assert_int_equal(nvme_status_to_errno(NVME_STATUS(0, 0x7f)), -EIO);
	assert_string_equal(nvme_status_text(NVME_STATUS(NVME_SCT_VENDOR, 0x12)),
			    "Vendor Specific Status");
	assert_int_equal(nvme_status_to_errno(NVME_STATUS(NVME_SCT_VENDOR, 0x12)), -EIO);
	assert_string_equal(nvme_status_type_text(NVME_STATUS(5, 1)), "Reserved Status Code Type 5");
	assert_false(nvme_status_retryable(NVME_STATUS(NVME_SCT_VENDOR, 0x12)));
}

static void test_bits(void **state)
{
	char buf[128];
	u16 s = NVME_STATUS(0, NVME_SC_INTERNAL);

	(void)state;
	assert_true(nvme_status_retryable(s));
	assert_false(nvme_status_retryable(s | NVME_STATUS_DNR));
	/* DNR, More and CRD do not change the name or the errno */
	assert_string_equal(nvme_status_text(s | NVME_STATUS_DNR | NVME_STATUS_MORE | (2 << 11)),
			    "Internal Error");
	assert_int_equal(nvme_status_to_errno(s | NVME_STATUS_DNR), -EIO);
	assert_false(nvme_status_retryable(NVME_STATUS(0, NVME_SC_INVALID_FIELD)));
	assert_false(nvme_status_retryable(0));
	assert_true(nvme_status_retryable(NVME_STATUS(NVME_SCT_PATH, NVME_SC_HOST_PATH_ERROR)));
	nvme_status_format(NVME_STATUS(0, NVME_SC_LBA_RANGE) | NVME_STATUS_DNR, buf, sizeof(buf));
	assert_string_equal(buf, "LBA Out of Range (sct 0x0 sc 0x80, dnr)");
	nvme_status_format(NVME_STATUS(2, 0x81) | NVME_STATUS_MORE, buf, sizeof(buf));
	assert_string_equal(buf, "Unrecovered Read Error (sct 0x2 sc 0x81, more)");
}

static void test_table_unique(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(nvme_statuses); i++) {
		assert_true(nvme_statuses[i].text && nvme_statuses[i].text[0]);
		assert_true(nvme_statuses[i].err <= 0);
		assert_true((nvme_statuses[i].err == 0) == (nvme_statuses[i].status == 0));
		for (size_t j = i + 1; j < ARRAY_SIZE(nvme_statuses); j++)
			assert_int_not_equal(nvme_statuses[i].status, nvme_statuses[j].status);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generic),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_unknown_and_vendor),
		cmocka_unit_test(test_bits),
		cmocka_unit_test(test_table_unique),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
