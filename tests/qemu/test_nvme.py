"""The NVMe driver against QEMU's NVMe controller, with the data checked on the host.

One controller with two namespaces (512 and 4096-byte blocks, the second
attached as a QEMU nvme-ns device on the controller's bus), and two
controllers side by side: each namespace becomes a disk with the right size
and block size, and guest writes land in the right image at the right offset
(checked byte for byte with the seq pattern of block/blk_pattern.h), host
data reads back with the right CRC. Transfers of 1 block to 8 MiB cross the
PRP list boundaries (2 pages, a list, 512 KiB MDTS splits); the last LBA
works and one past it is refused. Poll queues, a reset during I/O followed
by a host data check, SMART counters that move, the `nvme` commands and
their JSON, errors decoded, shutdown on poweroff, and the doorbell counts of
a batch of 32 reads with and without shadow doorbells.
"""
import os
import re

import pytest

import stork

SECTOR = 512
MIB = 1 << 20
ERROR_RE = re.compile(r"^error: ")


def image(name, size, random_head=MIB):
    d = os.path.join(stork.build_dir(), "test-nvme")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.truncate(size)
        f.write(os.urandom(random_head))
    return path


def image_read(path, offset, length):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(length)


def virtio_disk(name):
    """run-qemu attaches build/virtio0.img unless told otherwise: machines alive at
    the same time (the module's and a test's) need images of their own."""
    return [image(f"vd-{name}.img", MIB, random_head=0)]


def namespace_args(path, ctrl, nsid, lbs):
    """QEMU arguments attaching path as namespace nsid of controller ctrl (tools/run-qemu ids)."""
    drive = f"nvme{ctrl}n{nsid}"
    return ["-drive", f"file={path},if=none,id={drive},format=raw",
            "-device", f"nvme-ns,drive={drive},bus=nvme-ctrl{ctrl},nsid={nsid},"
                       f"logical_block_size={lbs},physical_block_size={lbs}"]


def check_error(m, cmd):
    out = m.run(cmd)
    assert ERROR_RE.match(out) and out.count("\n") == 0, f"{cmd!r} gave:\n{out}"
    return out


def check_write(m, path, dev, lba, count, lbs):
    """Guest writes seq, the host reads the image, the guest sums it back."""
    out = m.run(f"write {dev} {lba} {count} pattern=seq", timeout=120)
    assert out.startswith(f"wrote {count} blocks ({count * lbs} bytes)"), out
    want = stork.seq_bytes(lba * lbs // SECTOR, count * lbs // SECTOR)
    assert image_read(path, lba * lbs, count * lbs) == want, (dev, lba, count)
    assert m.run(f"sum {dev} {lba} {count}", timeout=120) == stork.crc(want)


@pytest.fixture(scope="module")
def two_ns():
    """nvme0: namespace 1 of 512-byte blocks (32 MiB), namespace 2 of 4096 (48 MiB)."""
    ns1 = image("ns1.img", 32 * MIB)
    ns2 = image("ns2.img", 48 * MIB)
    m = stork.Machine(smp=2, nvme=[ns1], virtio=virtio_disk("two_ns"),
                      extra=namespace_args(ns2, 0, 2, 4096),
                      name="test_nvme-two_ns")
    try:
        m.start()
        yield m, ns1, ns2
    finally:
        m.kill()


def test_two_namespaces_listed(two_ns):
    m, _, _ = two_ns
    j = m.run_json("nvme list --json")
    assert len(j["controllers"]) == 1
    ctrl = j["controllers"][0]
    assert ctrl["name"] == "nvme0" and ctrl["serial"] == "stork-nvme0", ctrl
    assert ctrl["state"] == "live"
    got = {(n["name"], n["nsid"], n["block_size"], n["bytes"]) for n in ctrl["namespaces"]}
    assert got == {("nvme0n1", 1, 512, 32 * MIB), ("nvme0n2", 2, 4096, 48 * MIB)}, got
    lsblk = m.run("lsblk")
    assert re.search(r"^nvme0n1\s+nvme\s+32M\s+512\s", lsblk, re.M), lsblk
    assert re.search(r"^nvme0n2\s+nvme\s+48M\s+4096\s", lsblk, re.M), lsblk
    text = m.run("nvme list")
    assert "nvme0n2" in text and "stork-nvme0" in text


def test_id_ns(two_ns):
    m, _, _ = two_ns
    for dev, nsid, lbs, size in (("nvme0n1", 1, 512, 32 * MIB), ("nvme0n2", 2, 4096, 48 * MIB)):
        j = m.run_json(f"nvme id-ns {dev} --json")
        assert j["nsid"] == nsid and j["block_size"] == lbs and j["bytes"] == size, j
        assert j["nsze"] == size // lbs
        in_use = [f for f in j["lbafs"] if f["in_use"]]
        assert len(in_use) == 1 and in_use[0]["block_size"] == lbs and in_use[0]["ms"] == 0
    # the controller and nsid=
    assert m.run_json("nvme id-ns nvme0 nsid=2 --json")["block_size"] == 4096
    out = m.run("nvme id-ns nvme0n2")
    assert "(in use)" in out and "4096 bytes" in out


def test_id_ctrl(two_ns):
    m, _, _ = two_ns
    for dev in ("nvme0", "nvme0n1", "nvme0n2"):
        j = m.run_json(f"nvme id-ctrl {dev} --json")
        assert j["name"] == "nvme0" and j["serial"] == "stork-nvme0", j
    assert j["model"] == "QEMU NVMe Ctrl" and j["firmware"]
    assert j["mdts"] == 7 and j["mdts_bytes"] == 512 * 1024 and j["max_transfer"] == 512 * 1024
    assert j["queues_granted"] >= 2 and j["queues_default"] == 2 and j["queues_poll"] == 0
    assert j["features"]["shadow_doorbells"] is True  # QEMU 7.2: OACS bit 8
    assert j["features"]["write_zeroes"] and j["features"]["dsm"]
    assert j["nn"] >= 2 and j["page_size"] == 4096
    out = m.run("nvme id-ctrl nvme0")
    assert "QEMU NVMe Ctrl" in out and "mdts 7 (512 KiB)" in out and "shadow-doorbells" in out


def test_data_both_namespaces(two_ns):
    m, ns1, ns2 = two_ns
    for dev, path, lbs in (("nvme0n1", ns1, 512), ("nvme0n2", ns2, 4096)):
        # host data, guest sums: 1 block, 2 pages, a PRP list, past MDTS, the random MiB
        for count_bytes in (lbs, 8192, 12288, 64 * 1024, 768 * 1024, MIB):
            count = count_bytes // lbs
            want = stork.crc(image_read(path, 0, count * lbs))
            assert m.run(f"sum {dev} 0 {count}") == want, (dev, count)
        # guest writes: 1 block up to 8 MiB, at offsets that move the PRP page crossings
        for lba_bytes, count_bytes in ((2 * MIB, lbs), (2 * MIB + 8192, 2 * lbs),
                                       (3 * MIB, 3 * 4096), (4 * MIB, 129 * 4096),
                                       (5 * MIB, 512 * 1024 + lbs), (8 * MIB, 8 * MIB)):
            check_write(m, path, dev, lba_bytes // lbs, count_bytes // lbs, lbs)


def test_last_lba_and_out_of_range(two_ns):
    m, ns1, ns2 = two_ns
    for dev, path, lbs, size in (("nvme0n1", ns1, 512, 32 * MIB), ("nvme0n2", ns2, 4096, 48 * MIB)):
        last = size // lbs - 1
        assert m.run(f"sum {dev} {last} 1") == stork.crc(image_read(path, last * lbs, lbs))
        check_write(m, path, dev, last, 1, lbs)
        check_write(m, path, dev, last - 9, 10, lbs)
        check_error(m, f"read {dev} {last + 1} 1")
        check_error(m, f"sum {dev} {last} 2")
        check_error(m, f"write {dev} {last} 2 pattern=0x11")
    # nothing beyond the image was touched, and the shell is fine
    assert os.path.getsize(ns1) == 32 * MIB and os.path.getsize(ns2) == 48 * MIB
    assert "nvme0n1" in m.run("lsblk")


def test_errors(two_ns):
    m, _, _ = two_ns
    # an inactive id within NN, and one beyond it: the status decoded
    assert "not active" in check_error(m, "nvme id-ns nvme0 nsid=99")
    err = check_error(m, "nvme id-ns nvme0 nsid=300")
    assert "Invalid Namespace or Format (sct 0x0 sc 0x0b, dnr)" in err, err
    check_error(m, "nvme id-ctrl nvme7")
    check_error(m, "nvme id-ctrl")
    check_error(m, "nvme frobnicate nvme0")
    check_error(m, "nvme id-ns nvme0 nsid=0")
    check_error(m, "nvme stats nvme0 bogus")
    check_error(m, "nvme")


def test_smart_log_moves(two_ns):
    m, _, _ = two_ns
    before = m.run_json("nvme smart-log nvme0 --json")
    assert 200 < before["temperature_kelvin"] < 400, before
    assert before["critical_warning"] == 0 and before["media_errors"] == 0
    # 2 MiB written = 4096 blocks of 512 bytes = 4.096 data units (1000 blocks each)
    m.run("write nvme0n1 20480 4096 pattern=0x33", timeout=60)
    m.run("sum nvme0n1 20480 4096", timeout=60)
    after = m.run_json("nvme smart-log nvme0n1 --json")
    assert after["data_units_written"] >= before["data_units_written"] + 4, (before, after)
    assert after["data_units_read"] >= before["data_units_read"] + 4, (before, after)
    assert after["host_write_commands"] > before["host_write_commands"]
    assert after["host_read_commands"] > before["host_read_commands"]
    assert "data_units_written" in m.run("nvme smart-log nvme0")


def test_flush_discard_write_zeroes(two_ns):
    m, ns1, ns2 = two_ns
    assert m.run("flush nvme0n1") == "flushed nvme0n1"
    # Write Zeroes: the host sees zeroes, the neighbours are untouched
    for dev, path, lbs in (("nvme0n1", ns1, 512), ("nvme0n2", ns2, 4096)):
        base = 30 * MIB // lbs
        m.run(f"write {dev} {base} 16 pattern=0x77")
        out = m.run(f"write-zeroes {dev} {base + 4} 8")
        assert not ERROR_RE.match(out), out
        assert image_read(path, (base + 4) * lbs, 8 * lbs) == bytes(8 * lbs)
        assert image_read(path, base * lbs, 4 * lbs) == b"\x77" * (4 * lbs)
        assert image_read(path, (base + 12) * lbs, 4 * lbs) == b"\x77" * (4 * lbs)
        assert m.run(f"sum {dev} {base + 4} 8") == stork.crc(bytes(8 * lbs))
        # Dataset Management (deallocate) is accepted; QEMU's raw drive ignores it by default
        out = m.run(f"discard {dev} {base} 4")
        assert not ERROR_RE.match(out), out


def test_two_controllers(boot):
    a = image("ctrl0.img", 16 * MIB)
    b = image("ctrl1.img", 24 * MIB)
    m = boot(smp=2, nvme=[a, b], virtio=virtio_disk("boot"))
    names = {c["name"]: c for c in m.run_json("nvme list --json")["controllers"]}
    assert set(names) == {"nvme0", "nvme1"}, names
    assert names["nvme1"]["serial"] == "stork-nvme1"
    assert names["nvme1"]["namespaces"][0]["bytes"] == 24 * MIB
    for dev, path in (("nvme0n1", a), ("nvme1n1", b)):
        assert m.run(f"sum {dev} 0 2048") == stork.crc(image_read(path, 0, MIB))
        check_write(m, path, dev, 4096, 1000, 512)
    # each controller its own: a reset of one leaves the other's I/O alone
    assert re.search(r"^nvme1: reset \(1 so far\)$", m.run("nvme reset nvme1"), re.M)
    check_write(m, a, "nvme0n1", 8192, 9, 512)
    check_write(m, b, "nvme1n1", 8192, 9, 512)


def nvme_irq_rows(m):
    """`irqs --json`'s rows of nvme0's queue vectors: {(name, cpu): count}.
    A dynamic vector is one row per CPU, its count in that CPU's column only."""
    doc = m.run_json("irqs --json")
    rows = {}
    for v in doc["vectors"]:
        if not v["name"].startswith("nvme0-q"):
            continue
        cpu = v["cpu"]
        assert "," not in v["name"] and (v["name"], cpu) not in rows, doc
        assert all(n == 0 for i, n in enumerate(v["counts"]) if doc["cpus"][i] != cpu), v
        rows[(v["name"], cpu)] = v["counts"][doc["cpus"].index(cpu)]
    return rows


def test_poll_queues(boot):
    path = image("poll.img", 16 * MIB)
    m = boot(smp=2, nvme=[path], virtio=virtio_disk("boot"))
    # interrupts on both queues' vectors, before the queues are made again
    m.run("bench nvme0n1 rw=randread bs=4k runtime=1 iodepth=4 numjobs=2", timeout=60)
    before = nvme_irq_rows(m)
    assert len(before) == 2 and all(n >= 100 for n in before.values()), before
    out = m.run("queue nvme0n1 nr_hw_queues=3 poll_queues=1")
    assert not ERROR_RE.match(out), out
    # the queues' vectors were freed and allocated again: counts start over
    after = nvme_irq_rows(m)
    assert len(after) == 2 and all(n < 100 for n in after.values()), (before, after)
    stats = m.run_json("nvme stats nvme0 --json")
    types = [q["type"] for q in stats["queues"]]
    assert types == ["admin", "irq", "irq", "poll"], stats
    out = m.run("selftest nvme")
    assert "0 failed" in out, out
    assert re.search(r"poll queues completed [1-9]\d* commands, 0 interrupts", out), out
    poll = [q for q in m.run_json("nvme stats nvme0 --json")["queues"] if q["type"] == "poll"][0]
    assert poll["completed"] >= 2 and poll["interrupts"] == 0, poll
    # interrupt-driven I/O still works, and the data is right
    check_write(m, path, "nvme0n1", 100, 300, 512)
    # more queues than the controller granted: refused, the old layout stays
    granted = m.run_json("nvme id-ctrl nvme0 --json")["queues_granted"]
    out = m.run(f"queue nvme0n1 nr_hw_queues={granted + 1} poll_queues=1").splitlines()
    assert f"the controller granted {granted} queue pairs" in out[0], out
    assert ERROR_RE.match(out[-1]) and "still 3 (1 poll)" in out[-1], out
    check_write(m, path, "nvme0n1", 1000, 8, 512)
    # back to no poll queues
    out = m.run("queue nvme0n1 nr_hw_queues=2 poll_queues=0")
    assert not ERROR_RE.match(out), out
    assert [q["type"] for q in m.run_json("nvme stats nvme0 --json")["queues"]] == \
        ["admin", "irq", "irq"]
    check_write(m, path, "nvme0n1", 2000, 8, 512)


def test_poll_queues_at_boot(boot):
    m = boot(smp=2, nvme=["16m"], virtio=virtio_disk("boot"), append="nvme_poll_queues=1")
    assert m.run_json("nvme id-ctrl nvme0 --json")["queues_poll"] == 1
    assert "0 failed" in m.run("selftest nvme")


def test_reset_during_io(boot):
    """A thread writes and verifies while the controller is reset three times."""
    path = image("reset.img", 16 * MIB)
    m = boot(smp=2, nvme=[path], virtio=virtio_disk("boot"))
    out = m.run("selftest nvme", timeout=120)
    assert "0 failed" in out, out
    r = re.search(r"reset_during_io: (\d+) rounds .* (\d+) errors, (\d+) mismatches", out)
    assert r and int(r.group(1)) >= 2 and r.group(2) == "0" and r.group(3) == "0", out
    assert m.run_json("nvme id-ctrl nvme0 --json")["resets"] == 3
    # the pattern the test left at LBA 8192 (nvme_selftest.c pattern_byte, round 0)
    got = image_read(path, 8192 * 512, 256 * 1024)
    want = bytes(((off >> 9) * 7 + (off & 511)) & 0xff for off in range(256 * 1024))
    assert got == want
    # and the controller goes on after more resets from the shell
    for _ in range(2):
        # the log lines of the reset come first on the console
        assert re.search(r"^nvme0: reset \(\d+ so far\)$", m.run("nvme reset nvme0n1"), re.M)
    check_write(m, path, "nvme0n1", 300, 77, 512)


def test_shutdown_on_poweroff(boot):
    m = boot(smp=2, nvme=["16m", "16m"], virtio=virtio_disk("boot"))
    m.send("poweroff\r")
    m.expect(r"nvme0: shutdown complete")
    m.expect(r"nvme1: shutdown complete")
    assert m.wait_exit(30) == 0


def batch32(m):
    out = m.run("selftest nvme")
    assert "0 failed" in out, out
    res = {}
    for what in ("in one plug", "one at a time"):
        r = re.search(rf"32 reads {what}: (\d+) commands, (\d+) SQ doorbell writes, "
                      rf"(\d+) CQ doorbell writes, (\d+) interrupts, (\d+) ns and (\d+) TSC", out)
        assert r, out
        res[what] = [int(x) for x in r.groups()]
    return res


@pytest.mark.parametrize("dbbuf", ["on", "off"])
def test_batch32_doorbells(boot, dbbuf):
    """One SQ doorbell write for a plugged batch of 32 reads, with or without shadow doorbells."""
    m = boot(smp=2, nvme=["16m"], virtio=virtio_disk("boot"),
             append=f"nvme_dbbuf={dbbuf}")
    assert m.run_json("nvme id-ctrl nvme0 --json")["features"]["shadow_doorbells"] == (dbbuf == "on")
    res = batch32(m)
    cmds, sq_db, cq_db, irqs, _, _ = res["in one plug"]
    assert cmds == 32 and sq_db == 1 and 1 <= cq_db <= 32 and irqs <= 32, res
    cmds, sq_db, _, _, _, _ = res["one at a time"]
    assert cmds == 32 and sq_db <= 32, res
    print(f"nvme_dbbuf={dbbuf}: {res}")


def test_sgl_data(boot):
    """nvme_sgl_threshold=4k: multi-segment requests go out as SGLs; the data must not care."""
    path = image("sgl.img", 16 * MIB)
    m = boot(smp=2, nvme=[path], virtio=virtio_disk("boot"), append="nvme_sgl_threshold=4k")
    assert m.run_json("nvme id-ctrl nvme0 --json")["features"]["sgl"] is True
    assert "0 failed" in m.run("selftest nvme", timeout=120)
    check_write(m, path, "nvme0n1", 100, 3000, 512)
    assert m.run("sum nvme0n1 0 2048") == stork.crc(image_read(path, 0, MIB))
