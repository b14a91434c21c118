/*
 * The `sata` command: the SATA disks on AHCI ports (`sata`), one disk's
 * IDENTIFY data laid out as `hdparm -I` shows it plus the port's state and
 * error counters (`sata <disk>`), and a COMRESET through the error handler
 * under whatever I/O is running (`sata <disk> reset`), which is how the
 * recovery path is exercised on a device that never fails by itself.
 */
#include "drivers/ahci/ahci.h"
#include "kernel/console/console.h"
#include "kernel/sched/async.h"
#include "kernel/shell/shell.h"
#include "lib/errno.h"
#include "lib/json.h"
#include "lib/printf.h"
#include "lib/string.h"

static struct ahci_port *sata_find(const char *name)
{
	struct ahci_port *port;

	list_for_each_entry(port, &ahci_ports, link)
		if (!strcmp(port->disk.name, name))
			return port;
	return NULL;
}

static const char *sata_checksum_name(const struct ata_id *id)
{
	if (!id->integrity_present)
		return "absent";
	return id->integrity_ok ? "correct" : "incorrect";
}

static void sata_print_list(void)
{
	struct ahci_port *port;
	char pci_name[PCI_NAME_MAX];

	printf("NAME  HOST  PORT PCI       MODEL                    SERIAL               LINK     "
	       " DEPTH TRIM STATE\n");
	list_for_each_entry(port, &ahci_ports, link)
		printf("%-5s ahci%u %4u %-9s %-24.24s %-20s %-9s %5u %-4s %s\n", port->disk.name,
		       port->host->index, port->index,
		       pci_device_name(port->host->pci, pci_name, sizeof(pci_name)), port->id.model,
		       port->id.serial, ata_sata_speed_name(AHCI_SSTS_SPD(port->ssts)), port->depth,
		       port->id.trim ? "yes" : "no", ahci_port_state_name(port->state));
}

static void sata_feature(bool enabled, bool supported, const char *what)
{
	if (supported)
		printf("\t   %c\t%s\n", enabled ? '*' : ' ', what);
}

/* `hdparm -I`'s sections, with the fields this driver reads. */
static void sata_print_identify(struct ahci_port *port)
{
	const struct ata_id *id = &port->id;
	u64 bytes = id->sectors * id->logical_size;
	char pci_name[PCI_NAME_MAX];
	char line[64];

	printf("\n%s:\n\nATA device, with non-removable media\n", port->disk.name);
	printf("\tModel Number:       %s\n", id->model);
	printf("\tSerial Number:      %s\n", id->serial);
	printf("\tFirmware Revision:  %s\n", id->firmware);
	printf("Standards:\n\tUsed: %s\n\tSupported:", ata_id_major_name(id->major_versions));
	for (int bit = 14; bit >= 1; bit--)
		if (id->major_versions & (1U << bit))
			printf(" %d", bit);
	printf("\nConfiguration:\n");
	printf("\tLBA    user addressable sectors: %11llu\n",
	       (unsigned long long)id->lba28_sectors);
	if (id->lba48)
		printf("\tLBA48  user addressable sectors: %11llu\n",
		       (unsigned long long)id->lba48_sectors);
	printf("\tLogical  Sector size:                   %5u bytes\n", id->logical_size);
	printf("\tPhysical Sector size:                   %5u bytes\n", id->physical_size);
	printf("\tdevice size with M = 1024*1024: %11llu MBytes\n",
	       (unsigned long long)(bytes >> 20));
	printf("\tdevice size with M = 1000*1000: %11llu MBytes\n",
	       (unsigned long long)(bytes / 1000000));
	if (id->rotation_rate == 1)
		printf("\tNominal Media Rotation Rate: Solid State Device\n");
	else if (id->rotation_rate)
		printf("\tNominal Media Rotation Rate: %u\n", id->rotation_rate);
	printf("Capabilities:\n\t%s%s\n", id->lba ? "LBA" : "no LBA", id->dma ? ", DMA" : "");
	printf("\tQueue depth: %u\n", id->queue_depth);
	line[0] = 0;
	for (unsigned int m = 0; m < 7; m++)
		if (id->udma_supported & (1U << m))
			snprintf(line + strlen(line), sizeof(line) - strlen(line), " %sudma%u",
				 id->udma_selected & (1U << m) ? "*" : "", m);
	printf("\tUDMA modes:%s\n", line[0] ? line : " none");
	printf("Commands/features:\n\tEnabled\tSupported:\n");
	sata_feature(id->smart_enabled, id->smart, "SMART feature set");
	sata_feature(id->write_cache_enabled, id->write_cache, "Write cache");
	sata_feature(id->look_ahead_enabled, id->look_ahead, "Look-ahead");
	sata_feature(id->lba48, id->lba48, "48-bit Address feature set");
	sata_feature(id->flush, id->flush, "Mandatory FLUSH_CACHE");
	sata_feature(id->flush_ext, id->flush_ext, "FLUSH_CACHE_EXT");
	sata_feature(id->fua, id->fua, "WRITE_{DMA|MULTIPLE}_FUA_EXT");
	sata_feature(port->use_ncq, id->ncq, "Native Command Queueing (NCQ)");
	for (unsigned int g = 1; g <= 3; g++)
		if (id->sata_gens & (1U << (g - 1))) {
			snprintf(line, sizeof(line), "Gen%u signaling speed (%s)", g,
				 ata_sata_speed_name(g));
			sata_feature(true, true, line);
		}
	if (id->trim) {
		snprintf(line, sizeof(line), "Data Set Management TRIM supported (limit %u block%s)",
			 id->dsm_blocks, id->dsm_blocks == 1 ? "" : "s");
		sata_feature(true, true, line);
		sata_feature(true, id->trim_drat, "Deterministic read data after TRIM");
		sata_feature(true, id->trim_rzat, "Deterministic read ZEROs after TRIM");
	}
	printf("Checksum: %s\n", sata_checksum_name(id));
	printf("Port: ahci%u port %u (%s), link %s, state %s, %s, depth %u, most in flight %llu\n",
	       port->host->index, port->index,
	       pci_device_name(port->host->pci, pci_name, sizeof(pci_name)),
	       ata_sata_speed_name(AHCI_SSTS_SPD(port->ssts)), ahci_port_state_name(port->state),
	       port->use_ncq ? "NCQ" : "no NCQ", port->depth,
	       (unsigned long long)port->max_in_flight);
	printf("Errors: %llu, timeouts %llu, COMRESETs %llu, retries %llu, failed %llu; last: PxIS"
	       " %#x, status %#x, error %#x, SError %#x\n", (unsigned long long)port->errors,
	       (unsigned long long)port->timeouts, (unsigned long long)port->resets,
	       (unsigned long long)port->retries, (unsigned long long)port->failed, port->last_is,
	       AHCI_PxTFD_STS(port->last_tfd), AHCI_PxTFD_ERR(port->last_tfd), port->last_serr);
}

static void sata_json_port(struct json_writer *w, struct ahci_port *port)
{
	const struct ata_id *id = &port->id;
	char pci_name[PCI_NAME_MAX];

	json_object_begin(w);
	json_field_str(w, "name", port->disk.name);
	json_key(w, "host");
	json_stringf(w, "ahci%u", port->host->index);
	json_field_u64(w, "port", port->index);
	json_field_str(w, "pci", pci_device_name(port->host->pci, pci_name, sizeof(pci_name)));
	json_field_str(w, "model", id->model);
	json_field_str(w, "serial", id->serial);
	json_field_str(w, "firmware", id->firmware);
	json_field_str(w, "standard", ata_id_major_name(id->major_versions));
	json_field_u64(w, "sectors", id->sectors);
	json_field_u64(w, "lba28_sectors", id->lba28_sectors);
	json_field_u64(w, "lba48_sectors", id->lba48 ? id->lba48_sectors : 0);
	json_field_u64(w, "logical_sector_size", id->logical_size);
	json_field_u64(w, "physical_sector_size", id->physical_size);
	json_field_u64(w, "rotation_rate", id->rotation_rate);
	json_field_str(w, "link", ata_sata_speed_name(AHCI_SSTS_SPD(port->ssts)));
	json_field_u64(w, "sata_gens", id->sata_gens);
	json_field_bool(w, "ncq", id->ncq);
	json_field_u64(w, "ncq_depth", id->queue_depth);
	json_field_bool(w, "ncq_used", port->use_ncq);
	json_field_u64(w, "queue_depth", port->depth);
	json_field_bool(w, "lba48", id->lba48);
	json_field_bool(w, "flush_ext", id->flush_ext);
	json_field_bool(w, "fua", id->fua);
	json_field_bool(w, "write_cache", id->write_cache);
	json_field_bool(w, "write_cache_enabled", id->write_cache_enabled);
	json_field_bool(w, "smart", id->smart);
	json_field_bool(w, "trim", id->trim);
	json_field_u64(w, "trim_blocks", id->dsm_blocks);
	json_field_bool(w, "trim_deterministic", id->trim_drat);
	json_field_bool(w, "trim_zeroes", id->trim_rzat);
	json_field_u64(w, "udma_supported", id->udma_supported);
	json_field_u64(w, "udma_selected", id->udma_selected);
	json_field_str(w, "checksum", sata_checksum_name(id));
	json_field_str(w, "state", ahci_port_state_name(port->state));
	json_field_u64(w, "max_in_flight", port->max_in_flight);
	json_field_u64(w, "interrupts", port->interrupts);
	json_field_u64(w, "completions", port->completions);
	json_field_u64(w, "errors", port->errors);
	json_field_u64(w, "timeouts", port->timeouts);
	json_field_u64(w, "resets", port->resets);
	json_field_u64(w, "retries", port->retries);
	json_field_u64(w, "failed", port->failed);
	json_field_u64(w, "requeued", port->requeued);
	json_object_end(w);
}

/* A COMRESET through the recovery path, whatever is in flight. */
static int sata_reset(struct ahci_port *port)
{
	u64 requeued = port->requeued;

	ahci_port_recover(port, 1UL << AHCI_EH_RESET);
	printf("%s: port reset, %llu commands requeued, state %s\n", port->disk.name,
	       (unsigned long long)(port->requeued - requeued), ahci_port_state_name(port->state));
	return port->state == AHCI_PORT_LIVE ? 0 : -EIO;
}

static int cmd_sata(int argc, char **argv)
{
	struct ahci_port *port;
	struct json_writer w;
	bool json = false;
	int err;

	err = shell_json_flag(&argc, argv, &json);
	if (err)
		return err;
	/* the ports are probed in the background: wait for what they find */
	async_synchronize();
	if (argc == 1) {
		if (!json) {
			sata_print_list();
			return 0;
		}
		shell_json_begin(&w);
		json_array_begin(&w);
		list_for_each_entry(port, &ahci_ports, link)
			sata_json_port(&w, port);
		json_array_end(&w);
		return shell_json_end(&w);
	}
	if (argc > 3)
		return shell_usage_error(argv[0]);
	port = sata_find(argv[1]);
	if (!port)
		return shell_error("no SATA disk %s", argv[1]);
	if (argc == 3) {
		if (json || strcmp(argv[2], "reset"))
			return shell_usage_error(argv[0]);
		return sata_reset(port);
	}
	if (!json) {
		sata_print_identify(port);
		return 0;
	}
	shell_json_begin(&w);
	sata_json_port(&w, port);
	return shell_json_end(&w);
}
SHELL_COMMAND(sata, cmd_sata, "sata [--json] | sata <disk> [--json] | sata <disk> reset",
	      "SATA disks on AHCI ports; IDENTIFY as hdparm -I shows it; a port reset");
