/*
 * Status decoding: one table row per status code the 1.4 base specification
 * and the NVM command set define (4.6.1.2.1 - 4.6.1.2.4), with its name and
 * the errno the block layer reports. Command specific codes of the admin and
 * NVM sets do not overlap (admin below 0x80, NVM from 0x80), so one table
 * per status code type is enough.
 */
#include "drivers/nvme/nvme_status.h"
#include "drivers/nvme/nvme_regs.h"
#include "lib/errno.h"
#include "lib/printf.h"

struct nvme_status_desc {
	u16 status;		/* NVME_STATUS(sct, sc) */
	short err;		/* negative errno */
	bool retry;		/* worth another try when DNR is clear */
	const char *text;
};

#define G(sc, e, r, t) { NVME_STATUS(NVME_SCT_GENERIC, sc), e, r, t }
#define C(sc, e, t) { NVME_STATUS(NVME_SCT_COMMAND_SPECIFIC, sc), e, false, t }
#define M(sc, e, t) { NVME_STATUS(NVME_SCT_MEDIA, sc), e, false, t }
#define P(sc, e, r, t) { NVME_STATUS(NVME_SCT_PATH, sc), e, r, t }

static const struct nvme_status_desc nvme_statuses[] = {
	G(NVME_SC_SUCCESS, 0, false, "Successful Completion"),
	G(NVME_SC_INVALID_OPCODE, -ENOTSUP, false, "Invalid Command Opcode"),
	G(NVME_SC_INVALID_FIELD, -EINVAL, false, "Invalid Field in Command"),
	G(NVME_SC_CMDID_CONFLICT, -EIO, true, "Command ID Conflict"),
	G(NVME_SC_DATA_XFER_ERROR, -EIO, true, "Data Transfer Error"),
	G(NVME_SC_POWER_LOSS, -EIO, true, "Commands Aborted due to Power Loss Notification"),
	G(NVME_SC_INTERNAL, -EIO, true, "Internal Error"),
	G(NVME_SC_ABORT_REQ, -ECANCELED, true, "Command Abort Requested"),
	G(NVME_SC_ABORT_QUEUE, -ECANCELED, true, "Command Aborted due to SQ Deletion"),
	G(NVME_SC_FUSED_FAIL, -EIO, false, "Command Aborted due to Failed Fused Command"),
	G(NVME_SC_FUSED_MISSING, -EIO, false, "Command Aborted due to Missing Fused Command"),
	G(NVME_SC_INVALID_NS, -EINVAL, false, "Invalid Namespace or Format"),
	G(NVME_SC_CMD_SEQ_ERROR, -EIO, false, "Command Sequence Error"),
	G(NVME_SC_SGL_INVALID_LAST, -EINVAL, false, "Invalid SGL Segment Descriptor"),
	G(NVME_SC_SGL_INVALID_COUNT, -EINVAL, false, "Invalid Number of SGL Descriptors"),
	G(NVME_SC_SGL_INVALID_DATA, -EINVAL, false, "Data SGL Length Invalid"),
	G(NVME_SC_SGL_INVALID_METADATA, -EINVAL, false, "Metadata SGL Length Invalid"),
	G(NVME_SC_SGL_INVALID_TYPE, -EINVAL, false, "SGL Descriptor Type Invalid"),
	G(NVME_SC_CMB_INVALID_USE, -EINVAL, false, "Invalid Use of Controller Memory Buffer"),
	G(NVME_SC_PRP_INVALID_OFFSET, -EINVAL, false, "PRP Offset Invalid"),
	G(NVME_SC_ATOMIC_WU_EXCEEDED, -EIO, false, "Atomic Write Unit Exceeded"),
	G(NVME_SC_OP_DENIED, -EPERM, false, "Operation Denied"),
	G(NVME_SC_SGL_INVALID_OFFSET, -EINVAL, false, "SGL Offset Invalid"),
	G(NVME_SC_HOST_ID_INCONSIST, -EINVAL, false, "Host Identifier Inconsistent Format"),
	G(NVME_SC_KA_TIMEOUT_EXPIRED, -EIO, false, "Keep Alive Timer Expired"),
	G(NVME_SC_KA_TIMEOUT_INVALID, -EINVAL, false, "Keep Alive Timeout Invalid"),
	G(NVME_SC_ABORTED_PREEMPT_ABORT, -ECANCELED, false,
	  "Command Aborted due to Preempt and Abort"),
	G(NVME_SC_SANITIZE_FAILED, -EIO, false, "Sanitize Failed"),
	G(NVME_SC_SANITIZE_IN_PROGRESS, -EAGAIN, true, "Sanitize In Progress"),
	G(NVME_SC_SGL_INVALID_GRANULARITY, -EINVAL, false, "SGL Data Block Granularity Invalid"),
	G(NVME_SC_CMD_NOT_SUP_CMB_QUEUE, -ENOTSUP, false,
	  "Command Not Supported for Queue in CMB"),
	G(NVME_SC_NS_WRITE_PROTECTED, -EROFS, false, "Namespace is Write Protected"),
	G(NVME_SC_CMD_INTERRUPTED, -EAGAIN, true, "Command Interrupted"),
	G(NVME_SC_TRANSIENT_TR_ERR, -EIO, true, "Transient Transport Error"),
	G(NVME_SC_LBA_RANGE, -EIO, false, "LBA Out of Range"),
	G(NVME_SC_CAP_EXCEEDED, -ENOSPC, false, "Capacity Exceeded"),
	G(NVME_SC_NS_NOT_READY, -EAGAIN, true, "Namespace Not Ready"),
	G(NVME_SC_RESERVATION_CONFLICT, -EBUSY, false, "Reservation Conflict"),
	G(NVME_SC_FORMAT_IN_PROGRESS, -EAGAIN, true, "Format In Progress"),

	C(NVME_SC_CQ_INVALID, -EINVAL, "Completion Queue Invalid"),
	C(NVME_SC_QID_INVALID, -EINVAL, "Invalid Queue Identifier"),
	C(NVME_SC_QUEUE_SIZE, -EINVAL, "Invalid Queue Size"),
	C(NVME_SC_ABORT_LIMIT, -EBUSY, "Abort Command Limit Exceeded"),
	C(NVME_SC_AER_LIMIT, -EBUSY, "Asynchronous Event Request Limit Exceeded"),
	C(NVME_SC_FW_SLOT_INVALID, -EINVAL, "Invalid Firmware Slot"),
	C(NVME_SC_FW_IMAGE_INVALID, -EINVAL, "Invalid Firmware Image"),
	C(NVME_SC_IV_INVALID, -EINVAL, "Invalid Interrupt Vector"),
	C(NVME_SC_LOG_PAGE_INVALID, -EINVAL, "Invalid Log Page"),
	C(NVME_SC_FORMAT_INVALID, -EINVAL, "Invalid Format"),
	C(NVME_SC_FW_NEEDS_CONV_RESET, -EIO, "Firmware Activation Requires Conventional Reset"),
	C(NVME_SC_QUEUE_DELETION_INVALID, -EINVAL, "Invalid Queue Deletion"),
	C(NVME_SC_FEATURE_NOT_SAVEABLE, -EINVAL, "Feature Identifier Not Saveable"),
	C(NVME_SC_FEATURE_NOT_CHANGEABLE, -EINVAL, "Feature Not Changeable"),
	C(NVME_SC_FEATURE_NOT_PER_NS, -EINVAL, "Feature Not Namespace Specific"),
	C(NVME_SC_FW_NEEDS_SUBSYS_RESET, -EIO,
	  "Firmware Activation Requires NVM Subsystem Reset"),
	C(NVME_SC_FW_NEEDS_RESET, -EIO, "Firmware Activation Requires Controller Level Reset"),
	C(NVME_SC_FW_NEEDS_MAX_TIME, -EIO, "Firmware Activation Requires Maximum Time Violation"),
	C(NVME_SC_FW_ACTIVATION_PROHIBITED, -EPERM, "Firmware Activation Prohibited"),
	C(NVME_SC_OVERLAPPING_RANGE, -EINVAL, "Overlapping Range"),
	C(NVME_SC_NS_INSUFFICIENT_CAP, -ENOSPC, "Namespace Insufficient Capacity"),
	C(NVME_SC_NS_ID_UNAVAILABLE, -EINVAL, "Namespace Identifier Unavailable"),
	C(NVME_SC_NS_ALREADY_ATTACHED, -EEXIST, "Namespace Already Attached"),
	C(NVME_SC_NS_IS_PRIVATE, -EINVAL, "Namespace Is Private"),
	C(NVME_SC_NS_NOT_ATTACHED, -ENXIO, "Namespace Not Attached"),
	C(NVME_SC_THIN_PROV_NOT_SUPP, -ENOTSUP, "Thin Provisioning Not Supported"),
	C(NVME_SC_CTRL_LIST_INVALID, -EINVAL, "Controller List Invalid"),
	C(NVME_SC_SELF_TEST_IN_PROGRESS, -EBUSY, "Device Self-test In Progress"),
	C(NVME_SC_BP_WRITE_PROHIBITED, -EPERM, "Boot Partition Write Prohibited"),
	C(NVME_SC_CTRL_ID_INVALID, -EINVAL, "Invalid Controller Identifier"),
	C(NVME_SC_SEC_CTRL_STATE_INVALID, -EINVAL, "Invalid Secondary Controller State"),
	C(NVME_SC_CTRL_RES_NUM_INVALID, -EINVAL, "Invalid Number of Controller Resources"),
	C(NVME_SC_RES_ID_INVALID, -EINVAL, "Invalid Resource Identifier"),
	C(NVME_SC_PMR_SAN_PROHIBITED, -EPERM, "Sanitize Prohibited While PMR Enabled"),
	C(NVME_SC_ANA_GROUP_ID_INVALID, -EINVAL, "ANA Group Identifier Invalid"),
	C(NVME_SC_ANA_ATTACH_FAILED, -EIO, "ANA Attach Failed"),
	C(NVME_SC_CONFLICTING_ATTRS, -EINVAL, "Conflicting Attributes"),
	C(NVME_SC_INVALID_PI, -EINVAL, "Invalid Protection Information"),
	C(NVME_SC_READ_ONLY, -EROFS, "Attempted Write to Read Only Range"),

	M(NVME_SC_WRITE_FAULT, -EIO, "Write Fault"),
	M(NVME_SC_READ_ERROR, -EIO, "Unrecovered Read Error"),
	M(NVME_SC_GUARD_CHECK, -EIO, "End-to-end Guard Check Error"),
	M(NVME_SC_APPTAG_CHECK, -EIO, "End-to-end Application Tag Check Error"),
	M(NVME_SC_REFTAG_CHECK, -EIO, "End-to-end Reference Tag Check Error"),
	M(NVME_SC_COMPARE_FAILED, -EIO, "Compare Failure"),
	M(NVME_SC_ACCESS_DENIED, -EPERM, "Access Denied"),
	M(NVME_SC_UNWRITTEN_BLOCK, -EIO, "Deallocated or Unwritten Logical Block"),

	P(NVME_SC_INTERNAL_PATH_ERROR, -EIO, true, "Internal Path Error"),
	P(NVME_SC_ANA_PERSISTENT_LOSS, -EIO, false, "Asymmetric Access Persistent Loss"),
	P(NVME_SC_ANA_INACCESSIBLE, -EIO, true, "Asymmetric Access Inaccessible"),
	P(NVME_SC_ANA_TRANSITION, -EAGAIN, true, "Asymmetric Access Transition"),
	P(NVME_SC_CTRL_PATH_ERROR, -EIO, true, "Controller Pathing Error"),
	P(NVME_SC_HOST_PATH_ERROR, -EIO, true, "Host Pathing Error"),
	P(NVME_SC_HOST_ABORTED_CMD, -ECANCELED, true, "Command Aborted By Host"),
};

static const struct nvme_status_desc *nvme_status_find(u16 status)
{
	u16 key = status & 0x7ff;	/* SCT and SC */

	for (size_t i = 0; i < ARRAY_SIZE(nvme_statuses); i++)
		if (nvme_statuses[i].status == key)
			return &nvme_statuses[i];
	return NULL;
}

const char *nvme_status_text(u16 status)
{
	const struct nvme_status_desc *d = nvme_status_find(status);

	if (d)
		return d->text;
	if (NVME_STATUS_SCT(status) == NVME_SCT_VENDOR)
		return "Vendor Specific Status";
	return "Unknown Status Code";
}

const char *nvme_status_type_text(u16 status)
{
	static const char *const types[8] = {
		[NVME_SCT_GENERIC] = "Generic Command Status",
		[NVME_SCT_COMMAND_SPECIFIC] = "Command Specific Status",
		[NVME_SCT_MEDIA] = "Media and Data Integrity Errors",
		[NVME_SCT_PATH] = "Path Related Status",
		[4] = "Reserved Status Code Type 4",
		[5] = "Reserved Status Code Type 5",
		[6] = "Reserved Status Code Type 6",
		[NVME_SCT_VENDOR] = "Vendor Specific",
	};

	return types[NVME_STATUS_SCT(status)];
}

char *nvme_status_format(u16 status, char *buf, size_t len)
{
	snprintf(buf, len, "%s (sct 0x%x sc 0x%02x%s%s)", nvme_status_text(status),
		 NVME_STATUS_SCT(status), NVME_STATUS_SC(status),
		 status & NVME_STATUS_DNR ? ", dnr" : "", status & NVME_STATUS_MORE ? ", more" : "");
	return buf;
}

int nvme_status_to_errno(u16 status)
{
	const struct nvme_status_desc *d = nvme_status_find(status);

	if (!(status & 0x7ff))
		return 0;
	return d ? d->err : -EIO;
}

bool nvme_status_retryable(u16 status)
{
	const struct nvme_status_desc *d = nvme_status_find(status);

	if (!(status & 0x7ff) || (status & NVME_STATUS_DNR))
		return false;
	return d && d->retry;
}
