"""AHCI/SATA: disks on QEMU's `ahci` + `ide-hd`, checked against the host image.

One machine with two disks on one `-device ahci` (sda with an MBR partition,
sdb) covers names, IDENTIFY (`sata`, `sata <disk> --json`), data the host
wrote read in the guest and the reverse (whole disk and partition), FLUSH,
TRIM (the host sees the range deallocated and reading zeroes), the NCQ
depth in `mq` and reached by a bench at iodepth 32, bench verify=crc32c, dm
and direct-IO on a SATA disk (data on the host image), a port reset by hand and the `ahci` self tests (a flush among queued reads, a
COMRESET under 64 reads of 64 KiB). Two more machines put the disk behind QEMU's
blkdebug, which fails chosen reads, with NCQ and with `ahci.ncq=0`: an error
that happens once is retried and the data comes back; one that persists
fails that read only, after AHCI_MAX_RETRIES, and the port goes on working.
"""
import os
import random
import time
import zlib

import pytest

import stork

SECTOR = 512
MIB = 1 << 20
SIZE = 64 * MIB
PART_START, PART_SECTORS = 8192, 16384
ONCE_SECTOR, ALWAYS_SECTOR = 1000, 3000


def image(name, size=SIZE, content=b"", mbr=False):
    path = os.path.join(stork.build_dir(), name)
    with open(path, "wb") as f:
        f.truncate(size)
        f.seek(MIB)
        f.write(content)
        if mbr:
            entry = bytes([0, 0, 0, 0, 0x83, 0, 0, 0]) + PART_START.to_bytes(4, "little") + \
                PART_SECTORS.to_bytes(4, "little")
            f.seek(446)
            f.write(entry + bytes(48) + b"\x55\xaa")
    return path


def read_image(path, offset, length):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(length)


def ahci_disks(*drives):
    """-device ahci with one ide-hd per (id, drive options) on its ports 0, 1, ..."""
    args = ["-device", "ahci,id=ahci0"]
    for port, (ident, drive) in enumerate(drives):
        args += ["-blockdev", drive,
                 "-device", f"ide-hd,drive={ident},bus=ahci0.{port},serial=stork-sd{port},"
                            f"model=stork sata {port}"]
    return args


def file_drive(ident, path):
    return (ident, f"driver=raw,node-name={ident},discard=unmap,"
                   f"file.driver=file,file.filename={path},file.discard=unmap")


def blkdebug_drive(ident, path, conf):
    return (ident, f"driver=raw,node-name={ident},file.driver=blkdebug,file.config={conf},"
                   f"file.image.driver=file,file.image.filename={path}")


@pytest.fixture(scope="module")
def sata():
    rnd = random.Random(16)
    data = bytes(rnd.getrandbits(8) for _ in range(256 << 10))
    sda = image("sata-a.img", content=data, mbr=True)
    sdb = image("sata-b.img", size=32 * MIB)
    m = stork.Machine(smp=2, extra=ahci_disks(file_drive("sd0", sda), file_drive("sd1", sdb)),
                      name="test_ahci")
    try:
        m.start()
        m.sda, m.sdb, m.data = sda, sdb, data
        yield m
    finally:
        m.kill()


def test_names_and_identify(sata):
    assert "ahci: sda at ahci0 port 0" in sata.boot_log
    assert "ahci: sdb at ahci0 port 1" in sata.boot_log
    disks = {d["name"]: d for d in sata.run_json("sata --json")}
    assert set(disks) == {"sda", "sdb"}, disks
    sda = sata.run_json("sata sda --json")
    assert sda["model"] == "stork sata 0" and sda["serial"] == "stork-sd0", sda
    assert sda["sectors"] == SIZE // SECTOR and disks["sdb"]["sectors"] == 32 * MIB // SECTOR
    assert sda["logical_sector_size"] == 512 and sda["lba48"] and sda["flush_ext"]
    assert sda["ncq"] and sda["ncq_used"] and sda["queue_depth"] == 32
    assert sda["trim"] and sda["state"] == "live"
    text = sata.run("sata sda")
    for line in ("Model Number:       stork sata 0", "Serial Number:      stork-sd0",
                 "Native Command Queueing (NCQ)", "Queue depth: 32",
                 "Data Set Management TRIM supported", f"{SIZE // SECTOR}"):
        assert line in text, text
    lsblk = sata.run("lsblk")
    assert "sda " in lsblk and "sda1" in lsblk and "sdb " in lsblk, lsblk
    assert sata.run("sata sdz").startswith("error: no SATA disk sdz")
    assert sata.run("sata sda frob").startswith("error:")


def test_ncq_depth_in_mq(sata):
    mq = sata.run_json("mq sda --json")
    assert mq["nr_hw_queues"] == 1 and mq["hctxs"][0]["tags"] == 32, mq
    js = sata.run_json("bench sda rw=randread bs=4k iodepth=32 runtime=2 --json", timeout=90)
    assert js["jobs"][0]["read"]["total_ios"] > 0
    sda = sata.run_json("sata sda --json")
    # 32 reads reached the disk at once: the queue is NCQ's, not one at a time
    assert sda["max_in_flight"] == 32, sda
    assert sda["errors"] == 0


def test_host_data_read_in_guest(sata):
    crc = "%08x" % zlib.crc32(sata.data)
    assert sata.run(f"sum sda {MIB // SECTOR} {len(sata.data) // SECTOR}") == crc
    assert sata.run(f"sum sdb 0 64") == stork.crc(bytes(64 * SECTOR))


def test_guest_writes_reach_host(sata):
    assert not sata.run("write sdb 4096 256 pattern=seq").startswith("error")
    assert not sata.run("write sdb 65535 1 pattern=0xc3").startswith("error")
    assert sata.run("flush sdb") == "flushed sdb"
    assert read_image(sata.sdb, 4096 * SECTOR, 256 * SECTOR) == stork.seq_bytes(4096, 256)
    assert read_image(sata.sdb, 65535 * SECTOR, SECTOR) == b"\xc3" * SECTOR
    # the last sector, and one past it
    assert not sata.run(f"write sdb {32 * MIB // SECTOR - 1} 1 pattern=0x11").startswith("error")
    assert sata.run(f"write sdb {32 * MIB // SECTOR} 1 pattern=0x11").startswith("error:")
    assert read_image(sata.sdb, 32 * MIB - SECTOR, SECTOR) == b"\x11" * SECTOR


def test_partition(sata):
    disks = {d["name"]: d for d in sata.run_json("lsblk --json")["blockdevices"]}
    part = disks["sda"]["children"]
    assert [(p["name"], p["start"], p["size"]) for p in part] == \
        [("sda1", PART_START, PART_SECTORS * SECTOR)], part
    assert not sata.run("write sda1 16 32 pattern=seq").startswith("error")
    sata.run("flush sda")
    assert read_image(sata.sda, (PART_START + 16) * SECTOR, 32 * SECTOR) == \
        stork.seq_bytes(16, 32)
    assert sata.run(f"write sda1 {PART_SECTORS} 1 pattern=1").startswith("error:")


def test_trim(sata):
    lba, count = 20480, 2048        # 1 MiB, aligned to the host's blocks
    assert not sata.run(f"write sdb {lba} {count} pattern=0x5a").startswith("error")
    sata.run("flush sdb")
    assert read_image(sata.sdb, lba * SECTOR, count * SECTOR) == b"\x5a" * (count * SECTOR)
    blocks_before = os.stat(sata.sdb).st_blocks
    out = sata.run(f"discard sdb {lba} {count}")
    assert out.startswith("discarded"), out
    sata.run("flush sdb")
    assert read_image(sata.sdb, lba * SECTOR, count * SECTOR) == bytes(count * SECTOR)
    assert sata.run(f"sum sdb {lba} {count}") == stork.crc(bytes(count * SECTOR))
    # the host file gave the blocks back (QEMU punched a hole)
    assert os.stat(sata.sdb).st_blocks < blocks_before


def test_bench_verify(sata):
    out = sata.run("bench sdb rw=randwrite bs=4k size=4m iodepth=32 verify=crc32c verify_gen=3"
                   " --quiet", timeout=120)
    assert "error" not in out and "verify:" not in out, out
    out = sata.run("bench sdb rw=randread bs=4k size=4m iodepth=32 verify=crc32c verify_gen=3"
                   " --quiet", timeout=120)
    assert "error" not in out and "verify:" not in out, out
    # and it can fail: data of another generation is caught
    out = sata.run("bench sdb rw=read bs=4k size=64k verify=crc32c verify_gen=4 --quiet",
                   timeout=120)
    assert "verify: job 0: stale at offset 0 " in out, out


def test_dm_and_dio(sata):
    """dm and direct-IO on a SATA disk as on any other: a linear table over a
    range of sdb and a dio write from a scattered buffer at a byte offset,
    both checked in the host image, then bench engine=dio with verify."""
    out = sata.run("dm create sat 0 2048 linear sdb 40960")
    assert out.startswith("sat: dm-"), out
    dev = out.split(": ")[1]
    assert sata.run(f"write {dev} 8 64 pattern=seq").startswith("wrote 64 blocks")
    sata.run(f"flush {dev}")
    assert read_image(sata.sdb, (40960 + 8) * SECTOR, 64 * SECTOR) == stork.seq_bytes(8, 64)
    sata.run("dm remove sat")
    off = 50000 * SECTOR
    js = sata.run_json(f"dio write sdb {off} 20480 buf=scattered buf_offset=512 pattern=seq "
                       "--json", timeout=60)
    assert js["bytes"] == 20480, js
    sata.run("flush sdb")
    assert read_image(sata.sdb, off, 20480) == stork.seq_bytes(off // SECTOR, 40)
    js = sata.run_json(f"dio read sdb {off} 20480 buf=scattered --json", timeout=60)
    assert js["crc32"] == "%08x" % zlib.crc32(stork.seq_bytes(off // SECTOR, 40)), js
    out = sata.run("bench sdb rw=randwrite bs=4k size=1m iodepth=8 engine=dio verify=crc32c"
                   " --quiet", timeout=120)
    assert "error" not in out and "verify:" not in out, out


def test_reset_and_selftest(sata):
    before = sata.run_json("sata sda --json")
    out = sata.run("sata sda reset")
    assert out.endswith("state live"), out
    after = sata.run_json("sata sda --json")
    assert after["resets"] == before["resets"] + 1
    crc = "%08x" % zlib.crc32(sata.data)
    assert sata.run(f"sum sda {MIB // SECTOR} {len(sata.data) // SECTOR}") == crc
    out = sata.run("selftest ahci", timeout=120)
    assert out.endswith("2 passed, 0 failed"), out


# --- errors ---------------------------------------------------------------------------
def last_line(m, cmd):
    """The command's answer, after the kernel's log lines about the errors."""
    return m.run(cmd).splitlines()[-1]


def blkdebug_conf(name):
    path = os.path.join(stork.build_dir(), name)
    with open(path, "w") as f:
        f.write(f'[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "{ONCE_SECTOR}"\n'
                f'once = "on"\n\n'
                f'[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "{ALWAYS_SECTOR}"\n')
    return path


@pytest.mark.parametrize("ncq", [True, False])
def test_errors_recovered(boot, ncq):
    rnd = random.Random(17)
    data = bytes(rnd.getrandbits(8) for _ in range(64 << 10))
    suffix = "ncq" if ncq else "noncq"
    path = image(f"sata-err-{suffix}.img", size=16 * MIB)
    with open(path, "r+b") as f:
        f.seek(ONCE_SECTOR * SECTOR)
        f.write(data)
    conf = blkdebug_conf(f"sata-err-{suffix}.conf")
    m = boot(smp=2, append="" if ncq else "ahci.ncq=0",
             extra=ahci_disks(blkdebug_drive("sd0", path, conf)))
    sda = m.run_json("sata sda --json")
    assert sda["ncq_used"] == ncq and sda["queue_depth"] == (32 if ncq else 1), sda
    assert m.run_json("mq sda --json")["hctxs"][0]["tags"] == sda["queue_depth"]

    # fails once, then reads fine: retried, the host's bytes come back
    n = len(data) // SECTOR
    assert last_line(m, f"sum sda {ONCE_SECTOR} {n}") == "%08x" % zlib.crc32(data)
    s = m.run_json("sata sda --json")
    assert s["errors"] == 1 and s["retries"] == 1 and s["failed"] == 0, s
    # without NCQ the failed command is known without a reset
    if not ncq:
        assert s["resets"] == 0, s

    # fails every time: this read fails after the retries, nothing else does
    out = last_line(m, f"sum sda {ALWAYS_SECTOR - 4} 8")
    assert out.startswith("error:") and "EIO" in out, out
    # the port's recovery from the last error may log after the read has
    # failed: wait for it, so that its line cannot land inside the next echo
    deadline = time.monotonic() + 10
    while (m.log.count("sda: recovered") < m.log.count("sda: error:")
           and time.monotonic() < deadline):
        time.sleep(0.05)
    s = m.run_json("sata sda --json")
    assert s["failed"] == 1 and s["retries"] == 4 and s["state"] == "live", s
    assert "sda: read at sector" in m.log
    assert m.run(f"sum sda {ONCE_SECTOR} {n}") == "%08x" % zlib.crc32(data)
    js = m.run_json("bench sda rw=randread bs=4k size=1m offset=4m iodepth=16 runtime=1 --json",
                    timeout=60)
    assert js["jobs"][0]["read"]["total_ios"] > 0
