"""Every command that prints JSON, on one machine, parsed strictly by Python.

One QEMU with two NVMe controllers, two virtio-blk disks and a SATA disk on
q35's AHCI (the second NVMe and virtio ones and the SATA one with a serial
number holding a quote, a backslash and, on virtio, a UTF-8 letter), a
partition on vda, and the null device. The list of commands
comes from the kernel itself: every command whose `help` usage mentions
JSON must have an entry in COMMANDS below, so a new --json command without a
test fails here. Each output must be one line, parse with json.loads with
no duplicate key and no NaN/Infinity, and have the top-level shape its entry
says; the serial numbers must come back exactly as QEMU was given them,
which only holds if the kernel escapes strings.
"""
import json
import os
import re
import zlib

import pytest

import stork

MIB = 1 << 20
SECTOR = 512
# QEMU option syntax: ",," is a comma. The NVMe serial is ASCII (the kernel
# shows NVMe identify strings as printable ASCII); virtio's is raw bytes.
NVME_SERIAL = 'j"s\\on,x'
NVME_SERIAL_QEMU = NVME_SERIAL.replace(",", ",,")
VIRTIO_SERIAL = 'a"b\\c \u00e9'
SATA_SERIAL = 's"a\\ta'
PART_START, PART_SECTORS = 2048, 8192


def image(name, size, mbr=False):
    d = os.path.join(stork.build_dir(), "test-json")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.truncate(size)
        f.write(os.urandom(MIB))
        if mbr:
            # one Linux partition in the first MBR slot
            entry = bytes([0, 0, 0, 0, 0x83, 0, 0, 0]) + PART_START.to_bytes(4, "little") + \
                PART_SECTORS.to_bytes(4, "little")
            f.seek(446)
            f.write(entry + bytes(48) + b"\x55\xaa")
    return path


def extra_args(nvme_img, virtio_img, sata_img):
    return ["-drive", f"file={sata_img},if=none,id=jsonsd,format=raw",
            "-device", f"ide-hd,drive=jsonsd,bus=ide.0,serial={SATA_SERIAL}",
            "-drive", f"file={nvme_img},if=none,id=jsonnvme,format=raw",
            "-device", f"nvme,id=jsonctrl,serial={NVME_SERIAL_QEMU},drive=jsonnvme",
            "-drive", f"file={virtio_img},if=none,id=jsonvd,format=raw",
            "-device", f"virtio-blk-pci,drive=jsonvd,serial={VIRTIO_SERIAL}"]


def strict_loads(text):
    """json.loads, but a repeated key or a NaN/Infinity is an error too."""
    def pairs(items):
        keys = [k for k, _ in items]
        dup = {k for k in keys if keys.count(k) > 1}
        if dup:
            raise ValueError(f"duplicate keys {sorted(dup)}")
        return dict(items)

    def constant(name):
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)


@pytest.fixture(scope="module")
def machine():
    vda = image("vda.img", 8 * MIB, mbr=True)
    m = stork.Machine(smp=2, nvme=[image("nvme0.img", 16 * MIB)], virtio=[vda],
                      extra=extra_args(image("nvme1.img", 8 * MIB), image("vdb.img", 4 * MIB),
                                       image("sda.img", 4 * MIB)),
                      name="test_json")
    try:
        m.start()
        m.vda = vda
        yield m
    finally:
        m.kill()


def run_doc(m, cmd, timeout=30):
    out = m.run(cmd, timeout)
    assert out and "\n" not in out, f"{cmd!r}: not one line:\n{out}"
    try:
        return strict_loads(out)
    except ValueError as e:
        raise stork.MachineError(m, f"{cmd!r} printed malformed JSON ({e}):\n{out}") from None


def shape(doc, kind, keys=()):
    assert isinstance(doc, kind), doc
    for k in keys:
        assert k in doc, f"no {k!r} in {doc}"


# --- the checks, one per command --------------------------------------------

def check_irqs(m, doc):
    shape(doc, dict, ("cpus", "vectors"))
    assert doc["cpus"] == [0, 1]
    assert doc["vectors"] and all(len(v["counts"]) == 2 for v in doc["vectors"])


def check_mem(m, doc):
    shape(doc, dict, ("total_kib", "free_kib", "used_kib", "reserved_kib", "free_blocks",
                      "caches", "firmware_map"))
    assert doc["caches"] and all(isinstance(c["name"], str) for c in doc["caches"])


def check_cpus(m, doc):
    shape(doc, dict, ("online", "cpus"))
    assert doc["online"] == 2 and [c["cpu"] for c in doc["cpus"]] == [0, 1]


def check_idle(m, doc):
    shape(doc, dict, ("poll_ns", "cpus"))
    assert doc["poll_ns"] == 200000 and [c["cpu"] for c in doc["cpus"]] == [0, 1]
    for c in doc["cpus"]:
        for k in ("window_ns", "caught", "timed_out", "halts", "polled_ns", "period_poll_ns",
                  "period_halt_ns"):
            assert isinstance(c[k], int) and c[k] >= 0, (k, c)


def check_lspci(m, doc):
    shape(doc, dict, ("config", "devices"))
    drivers = [d["driver"] for d in doc["devices"]]
    assert drivers.count("nvme") == 2 and drivers.count("virtio_blk") == 2, drivers


def check_dio(m, doc):
    shape(doc, dict, ("op", "target", "offset", "length", "bytes", "async", "completions",
                      "bios", "vecs", "crc32"))
    with open(m.vda, "rb") as f:
        f.seek(doc["offset"])
        data = f.read(doc["length"])
    assert doc["bytes"] == doc["length"] and doc["crc32"] == "%08x" % zlib.crc32(data), doc
    assert doc["completions"] == (1 if doc["async"] else 0), doc


def check_lsblk(m, doc):
    shape(doc, dict, ("blockdevices",))
    disks = {d["name"]: d for d in doc["blockdevices"]}
    assert {"nvme0n1", "nvme1n1", "vda", "vdb", "null0"} <= set(disks), sorted(disks)
    part = disks["vda"]["children"]
    assert [(p["name"], p["start"], p["size"]) for p in part] == \
        [("vda1", PART_START, PART_SECTORS * SECTOR)], part


def check_mq(m, doc):
    shape(doc, dict, ("disk", "nr_hw_queues", "hctxs", "tag_set_shared", "tag_set_queues"))
    assert len(doc["hctxs"]) == doc["nr_hw_queues"] >= 1
    # a shared tag set's fields are there for every queue (docs/shared_tags.md)
    for h in doc["hctxs"]:
        shape(h, dict, ("active_queues", "active", "share", "held"))
        assert 1 <= h["share"] <= h["tags"] - h["reserved_tags"], h


def check_queue(m, doc):
    shape(doc, dict, ("disk", "nr_hw_queues", "scheduler", "logical_block_size"))


def check_sum(m, doc):
    shape(doc, dict, ("disk", "crc32", "bytes"))
    with open(m.vda, "rb") as f:
        want = "%08x" % zlib.crc32(f.read(16 * SECTOR))
    assert doc["crc32"] == want and doc["bytes"] == 16 * SECTOR, doc


def check_nvme_list(m, doc):
    shape(doc, dict, ("controllers",))
    serials = sorted(c["serial"] for c in doc["controllers"])
    assert serials == sorted([NVME_SERIAL, "stork-nvme0"]), serials


def check_nvme_id_ctrl(m, doc):
    shape(doc, dict, ("name", "serial", "model", "features"))
    assert doc["serial"] == NVME_SERIAL, doc["serial"]


def check_nvme_id_ns(m, doc):
    shape(doc, dict, ("nsid", "block_size", "lbafs"))
    assert doc["bytes"] == 8 * MIB


def check_nvme_smart(m, doc):
    shape(doc, dict, ("critical_warning", "temperature_kelvin", "data_units_read"))


def check_nvme_stats(m, doc):
    shape(doc, dict, ("controller", "queues"))
    assert doc["queues"][0]["type"] == "admin"


def check_virtio(m, doc):
    shape(doc, list)
    serials = {d["name"]: d["serial"] for d in doc}
    assert VIRTIO_SERIAL in serials.values(), serials
    assert all(d["queues"] for d in doc)


def check_virtio_batch(m, doc):
    shape(doc, dict, ("reads", "kicks", "interrupts", "completions"))
    assert doc["reads"] == 8 and doc["completions"] >= 1


def check_wq(m, doc):
    shape(doc, dict, ("pools",))
    assert "system" in [p["name"] for p in doc["pools"]]
    for p in doc["pools"]:
        assert isinstance(p["cpus"], str) and p["idle_ms"] > 0
        for acct in ("bound", "unbound"):
            a = p[acct]
            assert a["workers"] == a["free"] + a["running"] + a["blocked"]
            assert a["max_workers"] >= 1 and isinstance(a["stalled"], bool)
            for start in ("start_woken", "start_created"):
                assert a[start]["n"] >= 0 and a[start]["mean_cycles"] >= 0


def check_sata_list(m, doc):
    shape(doc, list)
    assert [(d["name"], d["serial"]) for d in doc] == [("sda", SATA_SERIAL)], doc


def check_sata_one(m, doc):
    shape(doc, dict, ("name", "model", "serial", "sectors", "queue_depth", "trim"))
    assert doc["serial"] == SATA_SERIAL and doc["sectors"] == 4 * MIB // SECTOR, doc


def check_nullb(m, doc):
    shape(doc, dict, ("devices",))
    assert "null0" in [d["name"] for d in doc["devices"]]


def dm_status(m):
    """`dm status` of a dm disk over vdb, made the first time it is asked for."""
    if "jsondm" not in m.run("dm ls"):
        out = m.run("dm create jsondm 0 2048 linear vdb 0; 2048 2048 zero")
        assert out.startswith("jsondm: dm-"), out
    return "dm status jsondm --json"


def check_dm(m, doc):
    shape(doc, dict, ("devices",))
    d = {x["name"]: x for x in doc["devices"]}["jsondm"]
    shape(d, dict, ("disk", "sectors", "suspended", "targets"))
    assert d["sectors"] == 4096 and [t["target"] for t in d["targets"]] == ["linear", "zero"], d
    assert d["targets"][0]["table"] == "0 2048 linear vdb 0", d


def check_bench(m, doc):
    shape(doc, dict, ("fio version", "global options", "jobs", "stork"))
    assert len(doc["jobs"]) == 1 and doc["jobs"][0]["read"]["total_ios"] > 0
    assert doc["jobs"][0]["jobname"] == 'q"n\\'


def check_bench_plus(m, doc):
    check_bench(m, doc)
    read = doc["jobs"][0]["read"]
    assert sum(read["clat_ns"]["bins"].values()) == read["total_ios"]


def check_ionice(m, doc):
    shape(doc, dict, ("tid", "class", "level"))
    assert doc["class"] in ("none", "realtime", "best-effort", "idle"), doc


def check_bench_jobs(m, doc):
    shape(doc, dict, ("fio version", "global options", "jobs", "stork"))
    assert [j["jobname"] for j in doc["jobs"]] == ["a", "b"], doc["jobs"]
    assert doc["jobs"][0]["job options"]["prioclass"] == "1"


def check_trace_show(m, doc):
    shape(doc, dict, ("disk", "on", "tsc_khz", "records", "rejected", "stages", "total"))
    assert [s["stage"] for s in doc["stages"]] == ["tag", "dispatch", "doorbell", "reap",
                                                   "complete", "end_io", "job_reap"], doc
    assert len(doc["total"]["percentile"]) == 17


def check_trace_dump(m, doc):
    shape(doc, dict, ("disk", "ios", "events"))
    for ev in doc["events"]:
        shape(ev, dict, ("time_ns", "tsc", "cpu", "stage", "op", "sector", "bytes", "tag",
                         "hctx", "io"))


def trace_null0_run(m):
    """Trace a few I/Os of null0 first, so that the documents hold data."""
    m.run("trace null0 on")
    m.run("bench null0 number_ios=20 --quiet", timeout=60)
    m.run("trace null0 off")
    return "trace null0 dump 3 --json"


def check_floor(m, doc):
    shape(doc, dict, ("disk", "driver", "how", "rw", "bs", "ios", "lat_mean_ns", "lat_min_ns",
                      "lat_p50_ns", "lat_p99_ns", "lat_max_ns", "iops", "exits_per_io", "exits"))
    assert doc["ios"] == 20, doc


def check_consoles(m, doc):
    shape(doc, list)
    names = {c["name"]: c for c in doc}
    # the harness's console is COM1, found by probing and enabled by default
    assert names["ttyS0"]["enabled"] and names["ttyS0"]["input"] in ("irq", "poll"), names


def nvme1(m):
    """The controller QEMU was given NVME_SERIAL, whatever its probe order."""
    for c in run_doc(m, "nvme list --json")["controllers"]:
        if c["serial"] == NVME_SERIAL:
            return c["name"]
    raise AssertionError("no controller with the quoted serial")


# command name -> [(command line, check)]; a callable line gets the machine
COMMANDS = {
    "irqs": [("irqs --json", check_irqs)],
    "mem": [("mem --json", check_mem)],
    "cpus": [("cpus --json", check_cpus)],
    "idle": [("idle --json", check_idle)],
    "consoles": [("consoles --json", check_consoles)],
    "lspci": [("lspci --json", check_lspci), ("lspci -v --json", check_lspci),
              ("lspci --json -v", check_lspci)],
    "lsblk": [("lsblk --json", check_lsblk)],
    "mq": [(f"mq {d} --json", check_mq) for d in ("nvme0n1", "vda", "vdb", "null0")] +
          [("mq --json vda1", check_mq)],
    "queue": [(f"queue {d} --json", check_queue) for d in ("nvme0n1", "vda", "null0")],
    "sum": [("sum vda 0 16 --json", check_sum), ("sum --json vda 0 16", check_sum)],
    "dio": [("dio read vda 0 4096 --json", check_dio),
            ("dio --json read vda 512 3072 buf=scattered async", check_dio)],
    "nvme": [("nvme list --json", check_nvme_list),
             (lambda m: f"nvme id-ctrl {nvme1(m)} --json", check_nvme_id_ctrl),
             (lambda m: f"nvme --json id-ns {nvme1(m)}n1", check_nvme_id_ns),
             ("nvme smart-log nvme0 --json", check_nvme_smart),
             ("nvme stats nvme0n1 --json", check_nvme_stats)],
    "virtio": [("virtio --json", check_virtio), ("virtio vda batch 8", check_virtio_batch)],
    "nullb": [("nullb list --json", check_nullb)],
    "dm": [(dm_status, check_dm), ("dm table --json jsondm", check_dm),
           ("dm ls --json", check_dm)],
    "wq": [("wq --json", check_wq)],
    "sata": [("sata --json", check_sata_list), ("sata sda --json", check_sata_one),
             ("sata --json sda", check_sata_one)],
    "bench": [("bench null0 rw=randread runtime=1 name='q\"n\\' --json", check_bench),
              ("bench null0 rw=randread runtime=1 name='q\"n\\' --output-format=json",
               check_bench),
              ("bench null0 rw=randread runtime=1 name='q\"n\\' --output-format=json+",
               check_bench_plus),
              ("bench null0 rw=randread runtime=1 name=a prioclass=rt name=b --json",
               check_bench_jobs)],
    "ionice": [("ionice --json", check_ionice), ("ionice -t 0 --json", check_ionice)],
    "trace": [(trace_null0_run, check_trace_dump), ("trace null0 --json", check_trace_show),
              ("trace --json vda show", check_trace_show), ("trace vda dump --json",
                                                             check_trace_dump)],
    "floor": [("floor nvme0n1 ios=20 --json", check_floor),
              ("floor --json vda ios=20", check_floor)],
}


def json_commands(m):
    """The commands whose usage (`help <cmd>`) offers JSON."""
    names = re.findall(r"^  (\S+)", m.run("help"), re.M)
    assert len(names) > 10, names
    return {n for n in names if "json" in m.run(f"help {n}")}


def test_every_json_command_is_covered(machine):
    offered = json_commands(machine)
    missing = offered - set(COMMANDS)
    assert not missing, f"commands offering JSON with no entry in COMMANDS: {sorted(missing)}"
    stale = set(COMMANDS) - offered
    assert not stale, f"COMMANDS lists commands whose usage has no JSON: {sorted(stale)}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_json_parses(machine, name):
    for line, check in COMMANDS[name]:
        cmd = line(machine) if callable(line) else line
        check(machine, run_doc(machine, cmd, timeout=60))


def test_json_flag_errors(machine):
    """An unknown --flag is refused with one error line, wherever it stands."""
    for cmd in ("lsblk --jsno", "mem --json --frob", "sum vda 0 1 --jsonx", "nvme --jsno list",
                "lspci -v --verbose"):
        out = machine.run(cmd)
        assert out.startswith("error: ") and "\n" not in out, f"{cmd!r} gave:\n{out}"
