"""Device-mapper: data written through dm-N, checked on the host images.

One machine with three virtio disks (vda, vdb, vdc, images the host reads)
and a fourth (vdd) behind QEMU's blkdebug driver that fails every write.
A stripe's chunks land in the right image at the right offset; every leg of
a mirror holds the same bytes after the initial resync and after writes; a
mirror leg that fails writes is marked failed ('D' in `dm status`) while
`bench verify=crc32c` still passes on the mirror; `dm copy` (kcopyd) copies
to two destinations; flakey and delay behave as configured; bad tables get
one `error:` line naming line and field and create nothing; a dm disk
carries partitions, shows its parents in lsblk, and stacks (a mirror of
stripes). The in-kernel `selftest dm` (dm-io with all memory kinds, reload
under writes) runs on the same machine.
"""
import os
import re
import time

import pytest

import stork

SECTOR = 512
MIB = 1 << 20
IMAGE_SIZE = 32 * MIB


def image_path(name):
    d = os.path.join(stork.build_dir(), "test-dm")
    os.makedirs(d, exist_ok=True)
    return os.path.join(d, name)


def image_read(path, offset, length):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(length)


def image_write(path, offset, data):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


@pytest.fixture(scope="module")
def dm():
    paths = []
    for name in ("vda", "vdb", "vdc"):
        path = image_path(f"{name}.img")
        with open(path, "wb") as f:
            f.truncate(IMAGE_SIZE)
        paths.append(path)
    bad = image_path("vdd.img")
    with open(bad, "wb") as f:
        f.truncate(IMAGE_SIZE)
    conf = image_path("blkdebug.conf")
    with open(conf, "w") as f:
        f.write('[inject-error]\nevent = "write_aio"\niotype = "write"\nerrno = "5"\n')
    extra = ["-drive", f"if=none,id=bad0,driver=raw,file.driver=blkdebug,file.config={conf},"
             f"file.image.driver=file,file.image.filename={bad}",
             "-device", "virtio-blk-pci,drive=bad0"]
    spare = image_path("spare-nvme.img")
    with open(spare, "wb") as f:
        f.truncate(MIB)
    m = stork.Machine(smp=2, virtio=paths, nvme=[spare], extra=extra, name="test_dm")
    try:
        m.start()
        out = m.run("lsblk")
        if "vdd" not in out:
            pytest.fail(f"missing virtio disks:\n{out}")
        yield m, dict(zip(("vda", "vdb", "vdc"), paths))
    finally:
        m.kill()


@pytest.fixture
def clean(dm):
    """Every test starts and ends with no dm disk."""
    m, paths = dm
    yield m, paths
    for line in reversed(m.run("dm ls").splitlines()):
        m.run(f"dm remove {line.split()[0]}")
    assert m.run("dm ls") == ""


def create(m, name, table):
    out = m.run(f"dm create {name} {table}", timeout=60)
    match = re.search(rf"^{name}: (dm-\d+)$", out, re.M)
    assert match, out
    return match.group(1)


def wait_in_sync(m, name, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        status = m.run(f"dm status {name}")
        match = re.search(r" (\d+)/(\d+) 1 ", status)
        assert match, status
        if match.group(1) == match.group(2):
            return status
        time.sleep(0.2)
    pytest.fail(f"{name} never in sync: {status}")


def test_selftest_dm(dm):
    m, _ = dm
    out = m.run("selftest dm", timeout=300)
    assert re.search(r"^5 passed, 0 failed$", out, re.M), out


def test_striped_chunks_on_images(clean):
    m, img = clean
    chunk = 16                                          # sectors
    dev = create(m, "st", f"0 6144 striped 3 {chunk} vda 0 vdb 2048 vdc 64")
    assert m.run(f"write {dev} 0 6144 pattern=seq", timeout=120).startswith("wrote 6144 blocks")
    offsets = {"vda": 0, "vdb": 2048, "vdc": 64}
    names = ["vda", "vdb", "vdc"]
    for c in range(6144 // chunk):
        disk = names[c % 3]
        on = offsets[disk] + (c // 3) * chunk
        got = image_read(img[disk], on * SECTOR, chunk * SECTOR)
        assert got == stork.seq_bytes(c * chunk, chunk), f"chunk {c} not at {disk}:{on}"
    # a write across chunk boundaries, not chunk aligned
    assert m.run(f"write {dev} 13 40 pattern=0x5a").startswith("wrote 40 blocks")
    for s in range(13, 53):
        c = s // chunk
        disk = names[c % 3]
        on = offsets[disk] + (c // 3) * chunk + s % chunk
        assert image_read(img[disk], on * SECTOR, SECTOR) == b"\x5a" * SECTOR, s
    want = bytearray(stork.seq_bytes(0, 6144))
    want[13 * SECTOR:53 * SECTOR] = b"\x5a" * (40 * SECTOR)
    assert m.run(f"sum {dev} 0 6144", timeout=120) == stork.crc(bytes(want))
    assert "vda 0 vdb 2048 vdc 64" in m.run("dm table st")
    assert "3 vda vdb vdc 1 AAA" in m.run("dm status st")


def test_mirror_legs_equal(clean):
    m, img = clean
    # leg 0 holds data, leg 1 garbage: the initial resync makes them equal
    data = os.urandom(4 * MIB)
    image_write(img["vda"], 0, data)
    image_write(img["vdb"], MIB, os.urandom(4 * MIB))
    dev = create(m, "mir", "0 8192 mirror core 1 1024 2 vda 0 vdb 2048")
    status = wait_in_sync(m, "mir")
    assert "2 vda vdb 8/8 1 AA 1 core" in status, status
    assert image_read(img["vdb"], MIB, 4 * MIB) == data
    assert m.run(f"write {dev} 100 3000 pattern=seq", timeout=120).startswith("wrote 3000")
    leg0 = image_read(img["vda"], 0, 4 * MIB)
    assert leg0 == image_read(img["vdb"], MIB, 4 * MIB)
    assert leg0[100 * SECTOR:3100 * SECTOR] == stork.seq_bytes(100, 3000)
    # reads are balanced over both legs
    for _ in range(4):
        assert m.run(f"sum {dev} 0 8192", timeout=120) == stork.crc(leg0)
    reads = re.search(r"reads=(\d+),(\d+)", m.run("dm status mir"))
    assert int(reads.group(1)) > 0 and int(reads.group(2)) > 0, reads.group(0)
    j = m.run_json("dm status mir --json")["devices"]
    assert len(j) == 1 and j[0]["disk"] == dev and j[0]["sectors"] == 8192, j
    t = j[0]["targets"][0]
    assert t["target"] == "mirror" and " 8/8 1 AA " in t["status"], t
    assert t["table"] == "0 8192 mirror core 1 1024 2 vda 0 vdb 2048", t
    assert m.run_json("dm ls --json")["devices"][0]["name"] == "mir"


def test_mirror_leg_fails_bench_verifies(clean):
    m, img = clean
    dev = create(m, "mbad", "0 16384 mirror core 2 1024 nosync 2 vda 0 vdd 0")
    out = m.run(f"bench {dev} rw=write bs=4k iodepth=8 size=8m verify=crc32c", timeout=300)
    assert "error" not in out.lower(), out
    status = m.run("dm status mbad")
    assert " AD 1 core" in status, status
    assert re.search(r"errors=0,[1-9]", status), status
    before = [int(x) for x in re.search(r"reads=(\d+),(\d+)", status).groups()]
    out = m.run(f"bench {dev} rw=randread bs=4k iodepth=8 size=8m verify=crc32c", timeout=300)
    assert "error" not in out.lower() and "IOPS=" in out, out
    # reads avoid the failed leg
    after = [int(x) for x in re.search(r"reads=(\d+),(\d+)", m.run("dm status mbad")).groups()]
    assert after[0] >= before[0] + 2048 and after[1] == before[1], (before, after)
    # resume brings the leg back; its resync writes fail again and it fails again
    m.run("dm suspend mbad")
    m.run("dm resume mbad")
    time.sleep(1)
    m.sync()        # the "leg failed" log line may have come after a prompt
    status = m.run("dm status mbad")
    assert " AD 1 core" in status and not re.search(r"errors=0,8 ", status), status


def test_kcopyd_copy_on_images(clean):
    m, img = clean
    data = os.urandom(3 * MIB)
    image_write(img["vda"], 2 * MIB, data)
    out = m.run("dm copy vda:4096:6144 vdb:0:6144,vdc:10000:6144", timeout=120)
    assert re.search(r"^dm copy: 3145728 bytes in \d+\.\d+ s, \d+\.\d+ MiB/s$", out, re.M), out
    assert image_read(img["vdb"], 0, 3 * MIB) == data
    assert image_read(img["vdc"], 10000 * SECTOR, 3 * MIB) == data
    for bad in ("vda:0:1", "vda:0:8 vdb:0:4", "vdx:0:8 vdb:0:8", "vda:0:8 vdb:65535:8",
                "vda:0:8 vdb:0:8 chunk=3k"):
        out = m.run(f"dm copy {bad}")
        assert out.startswith("error: ") and out.count("\n") == 0, (bad, out)


def test_kcopyd_progress_and_ctrl_c(clean):
    m, _ = clean
    # a destination that holds every write 100 ms: the copy takes long enough to stop
    slow = create(m, "slow", "0 65536 delay vdc 0 0 vdc 0 100")
    m.skip_pending()
    m.send(f"dm copy vda:0:65536 {slow}:0:65536 chunk=64k depth=1\r")
    m.expect(r"\r\ndm copy: \d+/32 MiB, \d+ MiB/s\r\n", 30, what="a progress line")
    m.send(b"\x03")
    m.expect(r"dm copy: \d+ bytes in \d+\.\d+ s, [\d.]+ MiB/s\r\n", 30, what="the final line")
    m.expect(r"error: dm copy: interrupted\r\n", 10, what="the error line")
    m.sync(timeout=10)


def test_flakey(clean):
    m, img = clean
    image_write(img["vdc"], 0, b"\x11" * (64 * SECTOR))
    # never up: writes fail, reads pass
    dev = create(m, "fl", "0 64 flakey vdc 0 0 1 1 error_writes")
    assert m.run(f"write {dev} 0 1 pattern=0x22").startswith("error: ")
    assert m.run(f"sum {dev} 0 64") == stork.crc(b"\x11" * (64 * SECTOR))
    assert "down" in m.run("dm status fl")
    # drop_writes: the write "succeeds" and nothing reaches the disk
    m.run("dm reload fl 0 64 flakey vdc 0 0 1 1 drop_writes")
    assert m.run(f"write {dev} 0 8 pattern=0x22").startswith("wrote 8 blocks")
    assert image_read(img["vdc"], 0, 8 * SECTOR) == b"\x11" * (8 * SECTOR)
    assert "dropped=1" in m.run("dm status fl")
    # always up: a plain linear map
    m.run("dm reload fl 0 64 flakey vdc 0 1 0")
    assert m.run(f"write {dev} 0 8 pattern=0x33").startswith("wrote 8 blocks")
    assert image_read(img["vdc"], 0, 8 * SECTOR) == b"\x33" * (8 * SECTOR)
    # up 1 s, down 1 s: over 3 s some writes pass and some fail
    m.run("dm reload fl 0 64 flakey vdc 0 1 1")
    ok = failed = 0
    deadline = time.time() + 3.5
    while time.time() < deadline:
        out = m.run(f"write {dev} 8 1 pattern=0x44")
        ok += out.startswith("wrote")
        failed += out.startswith("error: ")
    assert ok and failed, (ok, failed)


def test_delay(clean):
    m, _ = clean
    dev = create(m, "dl", "0 1024 delay vdc 0 0 vdc 0 300")
    out = m.run(f"write {dev} 0 1 pattern=0x55")
    us = int(re.search(r"in (\d+) us", out).group(1))
    assert us >= 300000, out
    t0 = time.time()
    assert m.run(f"sum {dev} 0 1") == stork.crc(b"\x55" * SECTOR)
    assert "writes=1" in m.run("dm status dl")
    m.run("dm reload dl 0 1024 delay vdc 0 0")
    out = m.run(f"write {dev} 0 1 pattern=0x56")
    assert int(re.search(r"in (\d+) us", out).group(1)) < 300000, out
    assert time.time() - t0 < 30


BAD_TABLES = [
    ("0 2048 raid5 vda 0", "line 1 field target"),
    ("0 2048 linear vdx 0", "line 1 field dev"),
    ("0 2048 linear vda 65536", "line 1 field offset"),
    ("0 1024 linear vda 0; 1000 1024 linear vdb 0", "line 2 field start"),
    ("0 1024 linear vda 0; 2048 1024 linear vdb 0", "line 2 field start"),
    ("0 4096 striped 2 24 vda 0 vdb 0", "line 1 field chunk_size"),
    ("0 4096 striped 2 16 vda 0", "line 1 field dev"),
    ("0 100 zero; 100 1024 mirror core 1 64 2 vda 0 vda 512", "line 2 field dev"),
    ("0 8 linear vda 0 extra", "line 1 field args"),
]


def test_bad_tables(clean):
    m, _ = clean
    before = m.run("lsblk")
    for table, where in BAD_TABLES:
        out = m.run(f"dm create bad {table}")
        assert out.startswith("error: ") and out.count("\n") == 0, (table, out)
        assert where in out, (table, out)
        assert m.run("dm ls") == ""
    # a mirror leg is not shared with another dm disk, nor a disk stacked on itself
    create(m, "m1", "0 1024 mirror core 2 256 nosync 2 vda 0 vdb 0")
    out = m.run("dm create l1 0 64 linear vda 4096")
    assert out.startswith("error: ") and "mirror leg" in out, out
    create(m, "l2", "0 64 linear vdc 0")
    out = m.run("dm reload l2 0 64 linear dm-1 0")
    assert out.startswith("error: ") and "stacked" in out, out
    assert m.run("dm create m1 0 8 zero").startswith("error: ")
    assert m.run("dm remove nothing").startswith("error: ")
    assert m.run("dm frobnicate").startswith("error: ")
    m.run("dm remove l2")
    m.run("dm remove m1")
    assert m.run("lsblk") == before


def test_partitions_parents_stacking(clean):
    m, img = clean
    # an MBR at vdc sector 2048 with one partition: sectors 64 .. 64+512 of the dm disk
    mbr = bytearray(SECTOR)
    mbr[446 + 4] = 0x83
    mbr[446 + 8:446 + 12] = (64).to_bytes(4, "little")
    mbr[446 + 12:446 + 16] = (512).to_bytes(4, "little")
    mbr[510:512] = b"\x55\xaa"
    image_write(img["vdc"], 2048 * SECTOR, bytes(mbr))
    dev = create(m, "part", "0 4096 linear vdc 2048")
    disks = {d["name"]: d for d in m.run_json("lsblk --json")["blockdevices"]}
    assert disks[dev]["parents"] == "vdc", disks[dev]
    assert [c["name"] for c in disks[dev]["children"]] == [f"{dev}p1"], disks[dev]
    assert m.run(f"write {dev}p1 0 4 pattern=0x66").startswith("wrote 4 blocks")
    assert image_read(img["vdc"], (2048 + 64) * SECTOR, 4 * SECTOR) == b"\x66" * (4 * SECTOR)
    assert re.search(rf"^{dev}\s+dm .* parents=vdc$", m.run("lsblk"), re.M)
    m.run("dm remove part")
    # a mirror of two stripes: both stripes (and so all four halves) hold the data
    s0 = create(m, "s0", "0 2048 striped 2 8 vda 0 vdb 0")
    s1 = create(m, "s1", "0 2048 striped 2 8 vda 4096 vdb 4096")
    top = create(m, "top", f"0 2048 mirror core 2 512 nosync 2 {s0} 0 {s1} 0")
    assert m.run(f"write {top} 0 2048 pattern=seq", timeout=120).startswith("wrote 2048")
    want = stork.crc(stork.seq_bytes(0, 2048))
    assert m.run(f"sum {s0} 0 2048") == want
    assert m.run(f"sum {s1} 0 2048") == want
    assert m.run(f"sum {top} 0 2048") == want
    assert m.run("dm remove s0").startswith("error: ")   # in use by top
    out = m.run(f"bench {top} rw=randread bs=4k iodepth=4 size=1m runtime=1")
    assert "IOPS=" in out, out


def test_linear_over_linear(clean):
    """The outer disk remaps its bios in place; the inner one, getting a bio
    that is already remapped, clones it: data lands where both tables say."""
    m, img = clean
    inner = create(m, "inner", "0 4096 linear vdb 1024")
    outer = create(m, "outer", f"0 2048 linear {inner} 512")
    assert m.run(f"write {outer} 0 2048 pattern=seq", timeout=120).startswith("wrote 2048")
    assert image_read(img["vdb"], (1024 + 512) * SECTOR, 2048 * SECTOR) == \
        stork.seq_bytes(0, 2048)
    # every block written once (sequential), then read back in random order
    out = m.run(f"bench {outer} rw=write bs=4k iodepth=8 size=1m verify=crc32c", timeout=120)
    assert "IOPS=" in out and "verify:" not in out, out
    out = m.run(f"bench {outer} rw=randread bs=4k iodepth=8 size=1m runtime=1 verify=crc32c",
                timeout=120)
    assert "IOPS=" in out and "verify:" not in out, out
    m.run("dm remove outer")
    m.run("dm remove inner")


def test_reload_under_bench(clean):
    """`dm reload` while a bench writes and verifies through the disk: the
    tables alternate between two maps of the same bytes (linear, and linear
    plus a 1-stripe striped tail); no I/O is lost or misplaced."""
    m, img = clean
    lin = "0 16384 linear vdb 2048"
    mixed = "0 8192 linear vdb 2048; 8192 8192 striped 1 8 vdb 10240"
    dev = create(m, "rl", lin)
    start = m.run(f"bench {dev} rw=write bs=4k iodepth=8 size=8m verify=crc32c --quiet &")
    assert re.match(r"^\[1\] \d+$", start), start
    # the job's report comes with whichever command runs when it ends
    reloads, report = 0, ""
    while True:
        report += m.run(f"dm reload rl {mixed if reloads % 2 == 0 else lin}") + "\n"
        reloads += 1
        jobs = m.run("jobs")
        report += jobs + "\n"
        if "Running" not in jobs:
            break
    report += m.run("wait", timeout=120)
    assert "IOPS=" in report, report
    assert "error" not in report.lower() and "verify:" not in report, report
    # and read back in random order through whichever table is live
    out = m.run(f"bench {dev} rw=randread bs=4k iodepth=8 size=8m verify=crc32c", timeout=120)
    assert "IOPS=" in out and "verify:" not in out, out
    assert reloads >= 1


def test_remove_open_device_is_busy(clean):
    """As dmsetup on Linux: a dm disk open (a bench, a dm table on top) is not
    removed (EBUSY); `dm info` shows the open count; once the users go it is."""
    m, _ = clean
    dev = create(m, "busy", "0 4096 linear vda 0")
    assert re.search(r"^Open count:\s+0$", m.run("dm info busy"), re.M)
    start = m.run(f"bench {dev} rw=randread bs=4k runtime=600 --quiet &")
    assert re.match(r"^\[\d+\] \d+$", start), start
    deadline = time.time() + 30    # the job opens the disk once its thread runs
    while True:
        info = m.run("dm info busy")
        if re.search(r"^Open count:\s+1$", info, re.M) or time.time() > deadline:
            break
        time.sleep(0.1)
    assert re.search(r"^Name:\s+busy$", info, re.M), info
    assert re.search(r"^State:\s+ACTIVE$", info, re.M), info
    assert re.search(r"^Open count:\s+1$", info, re.M), info
    out = m.run("dm remove busy")
    assert out == "error: dm remove: busy: Device or resource busy (EBUSY: open count 1)", out
    assert dev in m.run("lsblk")
    assert m.run("kill %%") == ""
    assert "Interrupt" in m.run("wait", timeout=60)
    assert re.search(r"^Open count:\s+0$", m.run("dm info busy"), re.M)
    # a table on top holds it open as well
    top = create(m, "over", f"0 2048 linear {dev} 0")
    assert re.search(r"^Open count:\s+1$", m.run("dm info busy"), re.M)
    assert m.run("dm table --json busy").count('"open_count":1') == 1
    assert m.run("dm remove busy").startswith("error: dm remove: busy: Device or resource busy")
    assert m.run("dm remove over") == ""
    assert top not in m.run("lsblk")
    assert m.run("dm remove busy") == ""
    assert dev not in m.run("lsblk")
    assert m.run("dm info busy") == "error: dm info: no dm disk busy"


def test_parent_removed_under_table(clean):
    """A table holds its parents open: `nullb del` of one takes it away from
    lsblk, the dm disk's I/O on it ends with ENODEV, and the dm disk can still
    be removed, which lets the parent go."""
    m, _ = clean
    null = m.run("nullb add size=16m")
    assert re.match(r"^null\d+$", null), null
    dev = create(m, "onnull", f"0 4096 linear {null} 0")
    assert m.run(f"write {dev} 0 1 pattern=0x11").startswith("wrote")
    out = m.run(f"nullb del {null}")
    assert out.startswith(f"{null}: removed while open (1 user)"), out
    assert not re.search(rf"^{null}\b", m.run("lsblk"), re.M)
    out = m.run(f"write {dev} 0 1 pattern=0x22")
    assert out.startswith("error:") and "ENODEV" in out, out
    assert m.run("dm remove onnull") == ""
    assert m.run(f"nullb add size=16m") == null    # the name is free again
    assert m.run(f"nullb del {null}") == ""
