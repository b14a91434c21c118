"""virtio-blk: the PCI transport and virtqueues (raw requests and the `virtio`
self tests, which need nothing of blk-mq), then the disk through the block
layer: size and block size in lsblk, data the host wrote read in the guest
and the reverse, the last sector, out-of-range requests, 1/2/4 virtqueues
on 1-4 CPUs, a read-only device, discard and write-zeroes, and how many
doorbells and interrupts a batch of reads costs.

Disks are images under the build directory so the host can check them; they
are attached with explicit QEMU arguments to choose num-queues and readonly.
The block commands (lsblk, read, write, sum, discard) come from other
branches: a test that needs one that is missing is skipped, not failed.
"""
import os
import random

import pytest

import stork

SECTOR = 512


def image(name, size, content=b""):
    path = os.path.join(stork.build_dir(), name)
    with open(path, "wb") as f:
        f.truncate(size)
        f.write(content)
    return path


def vdisk(path, index=0, queues=None, readonly=False):
    device = f"virtio-blk-pci,drive=vd{index}"
    if queues:
        device += f",num-queues={queues}"
    drive = f"file={path},if=none,id=vd{index},format=raw"
    if readonly:
        drive += ",readonly=on"
    return ["-drive", drive, "-device", device]


def has_command(m, name):
    return not m.run(f"help {name}").startswith("error")


def need(m, *names):
    for name in names:
        if not has_command(m, name):
            pytest.fail(f"no `{name}` command in this build")


def virtio_info(m):
    devs = m.run_json("virtio --json")
    assert len(devs) >= 1, devs
    return devs[0]


# --- transport and ring: raw requests --------------------------------------------
@pytest.mark.parametrize("smp,queues", [(1, 1), (2, 2), (4, 4), (2, 4), (4, 1)])
def test_queues_and_selftest(boot, smp, queues):
    path = image(f"virtio-q{queues}.img", 16 << 20)
    m = boot(smp=smp, extra=vdisk(path, queues=queues))
    assert "virtio-blk: vda at" in m.boot_log
    v = virtio_info(m)
    assert v["name"] == "vda"
    assert v["indirect"] and v["event_idx"], v
    assert v["nr_vqs"] == queues
    assert v["nr_hw_queues"] == min(smp, queues)
    assert all(q["size"] == 256 for q in v["queues"])
    out = m.run("selftest virtio", timeout=60)
    assert out.endswith("3 passed, 0 failed"), out


def test_raw_read_matches_host(boot):
    rnd = random.Random(7)
    size = 8 << 20
    data = bytes(rnd.getrandbits(8) for _ in range(256 << 10))
    path = image("virtio-raw.img", size)
    with open(path, "r+b") as f:
        f.seek(1 << 20)
        f.write(data)
        f.seek(size - SECTOR)
        f.write(b"\xa5" * SECTOR)
    m = boot(extra=vdisk(path))
    assert m.run(f"virtio vda rawsum {(1 << 20) // SECTOR} {len(data) // SECTOR}") == stork.crc(data)
    assert m.run(f"virtio vda rawsum {size // SECTOR - 1} 1") == stork.crc(b"\xa5" * SECTOR)
    assert m.run(f"virtio vda rawsum {size // SECTOR} 1").startswith("error:")
    assert m.run("virtio vdz rawsum 0 1").startswith("error:")
    assert m.run("virtio vda bogus").startswith("error:")


# --- the disk through blk-mq ---------------------------------------------------------
def test_lsblk_size_and_block_size(boot):
    path = image("virtio-lsblk.img", 48 << 20)
    m = boot(extra=vdisk(path))
    need(m, "lsblk")
    disks = m.run_json("lsblk --json")["blockdevices"]
    vda = [d for d in disks if d["name"] == "vda"]
    assert vda, disks
    d = vda[0]
    assert d["driver"] == "virtio-blk" and d["size"] == 48 << 20, d
    assert d["log_sec"] == 512 and d["phy_sec"] == 512 and not d["ro"], d


def test_guest_reads_host_data(boot):
    rnd = random.Random(11)
    data = bytes(rnd.getrandbits(8) for _ in range(512 << 10))
    size = 16 << 20
    path = image("virtio-read.img", size)
    with open(path, "r+b") as f:
        f.seek(4096)
        f.write(data)
        f.seek(size - SECTOR)
        f.write(b"\x3c" * SECTOR)
    m = boot(smp=4, extra=vdisk(path, queues=4))
    need(m, "sum")
    assert m.run(f"sum vda 8 {len(data) // SECTOR}") == stork.crc(data)
    # the last sector, and one past the end
    assert m.run(f"sum vda {size // SECTOR - 1} 1") == stork.crc(b"\x3c" * SECTOR)
    assert m.run(f"sum vda {size // SECTOR} 1").startswith("error:")
    assert m.run(f"sum vda {size // SECTOR - 1} 2").startswith("error:")
    # the raw path agrees with blk-mq's
    assert m.run(f"virtio vda rawsum 8 {len(data) // SECTOR}") == stork.crc(data)


def test_host_reads_guest_writes(boot):
    size = 16 << 20
    path = image("virtio-write.img", size)
    m = boot(smp=2, extra=vdisk(path, queues=2))
    need(m, "write")
    assert not m.run("write vda 100 64 pattern=0x5a").startswith("error")
    assert not m.run(f"write vda {size // SECTOR - 1} 1 pattern=0xc3").startswith("error")
    assert m.run(f"write vda {size // SECTOR} 1 pattern=0x11").startswith("error:")
    if has_command(m, "flush"):
        assert not m.run("flush vda").startswith("error")
    m.run("virtio")
    with open(path, "rb") as f:
        f.seek(100 * SECTOR)
        assert f.read(64 * SECTOR) == b"\x5a" * 64 * SECTOR
        assert f.read(SECTOR) == bytes(SECTOR)
        f.seek(size - SECTOR)
        assert f.read(SECTOR) == b"\xc3" * SECTOR


def test_read_only_device_refuses_writes(boot):
    path = image("virtio-ro.img", 8 << 20, b"\x77" * SECTOR)
    m = boot(extra=vdisk(path, readonly=True))
    assert "read-only" in m.boot_log
    assert m.run("virtio vda rawsum 0 1") == stork.crc(b"\x77" * SECTOR)
    need(m, "write")
    assert m.run("write vda 0 1 pattern=0x00").startswith("error:")
    with open(path, "rb") as f:
        assert f.read(SECTOR) == b"\x77" * SECTOR


def test_discard_and_write_zeroes(boot):
    size = 16 << 20
    path = image("virtio-dz.img", size, b"\xee" * (1 << 20))
    m = boot(extra=vdisk(path))
    need(m, "lsblk")
    assert m.run("virtio vda zeroout 256 256") == ""
    assert m.run("virtio vda rawsum 256 256") == stork.crc(bytes(256 * SECTOR))
    assert m.run("virtio vda rawsum 0 256") == stork.crc(b"\xee" * 256 * SECTOR)
    with open(path, "rb") as f:
        f.seek(256 * SECTOR)
        assert f.read(256 * SECTOR) == bytes(256 * SECTOR)
    assert m.run(f"virtio vda zeroout {size // SECTOR} 1").startswith("error:")
    if has_command(m, "discard"):
        assert not m.run("discard vda 0 256").startswith("error")
        # QEMU may or may not deallocate; the data outside the range is intact
        assert m.run("virtio vda rawsum 512 1536") == stork.crc(b"\xee" * 1536 * SECTOR)


def test_read_only_refuses_write_zeroes(boot):
    path = image("virtio-ro2.img", 8 << 20, b"\x77" * SECTOR)
    m = boot(extra=vdisk(path, readonly=True))
    need(m, "lsblk")
    assert m.run("virtio vda zeroout 0 1").startswith("error:")
    with open(path, "rb") as f:
        assert f.read(SECTOR) == b"\x77" * SECTOR


@pytest.mark.parametrize("queues", [1, 2])
def test_batch_of_32_reads_costs_one_kick(boot, queues):
    """32 reads under one plug: blk-mq hands them over as one batch, the
    driver rings the doorbell once (event index may even skip it), and the
    completions come in few interrupts."""
    path = image("virtio-batch.img", 16 << 20)
    m = boot(smp=2, extra=vdisk(path, queues=queues))
    need(m, "lsblk")
    r = m.run_json("virtio vda batch 32")
    print(r)
    assert r["completions"] == 32, r
    assert r["kicks"] <= 2, r
    assert r["interrupts"] <= 8, r


def test_poll_queue_and_changing_queue_count(boot):
    rnd = random.Random(3)
    data = bytes(rnd.getrandbits(8) for _ in range(64 << 10))
    path = image("virtio-nrhw.img", 8 << 20, data)
    m = boot(smp=4, append="virtio_blk.poll_queues=1", extra=vdisk(path, queues=4))
    need(m, "queue", "sum")
    v = virtio_info(m)
    assert v["nr_hw_queues"] == 4 and v["nr_poll_queues"] == 1, v
    assert [q["kind"] for q in v["queues"]] == ["irq", "irq", "irq", "poll"], v
    assert m.run(f"sum vda 0 {len(data) // SECTOR}") == stork.crc(data)
    # fewer queues, more than the device has (refused, unchanged), back to all
    assert not m.run("queue vda nr_hw_queues=2").startswith("error")
    assert [q["kind"] for q in virtio_info(m)["queues"]] == ["irq", "poll", "idle", "idle"]
    assert m.run(f"sum vda 0 {len(data) // SECTOR}") == stork.crc(data)
    assert m.run("queue vda nr_hw_queues=5").startswith("error:")
    assert not m.run("queue vda nr_hw_queues=4").startswith("error")
    v = virtio_info(m)
    assert [q["kind"] for q in v["queues"]] == ["irq", "irq", "irq", "poll"], v
    assert m.run(f"sum vda 0 {len(data) // SECTOR}") == stork.crc(data)
    assert m.run("selftest virtio").endswith("3 passed, 0 failed")


def test_without_indirect_and_event_index(boot):
    """Direct descriptor chains and flag-based suppression: the same data."""
    rnd = random.Random(5)
    data = bytes(rnd.getrandbits(8) for _ in range(256 << 10))
    path = image("virtio-plain.img", 8 << 20, data)
    extra = ["-drive", f"file={path},if=none,id=vd0,format=raw",
             "-device", "virtio-blk-pci,drive=vd0,num-queues=2,indirect_desc=off,event_idx=off"]
    m = boot(smp=2, extra=extra)
    v = virtio_info(m)
    assert not v["indirect"] and not v["event_idx"], v
    assert m.run("selftest virtio").endswith("3 passed, 0 failed")
    need(m, "sum", "write")
    assert m.run(f"sum vda 0 {len(data) // SECTOR}") == stork.crc(data)
    assert not m.run("write vda 1024 512 pattern=seq").startswith("error")
    r = m.run_json("virtio vda batch 128")
    assert r["completions"] == 128, r
    with open(path, "rb") as f:
        f.seek(1024 * SECTOR)
        written = f.read(512 * SECTOR)
    assert m.run("sum vda 1024 512") == stork.crc(written)
    assert written != bytes(len(written))


def completions(m):
    return sum(q["completions"] for q in virtio_info(m)["queues"])


def test_fua_write_is_followed_by_a_flush(boot):
    """virtio-blk has a write cache and no FUA: blk-core sends a flush after
    a FUA write (and none after a plain one), and the data lands."""
    path = image("virtio-fua.img", 4 << 20)
    m = boot(smp=1, extra=vdisk(path, queues=1))
    before = completions(m)
    assert "wrote" in m.run("write vda 8 8 pattern=0x33")
    assert completions(m) - before == 1
    before = completions(m)
    assert "wrote" in m.run("write vda 16 8 pattern=0x44 fua")
    assert completions(m) - before == 2
    with open(path, "rb") as f:
        f.seek(16 * SECTOR)
        assert f.read(8 * SECTOR) == b"\x44" * (8 * SECTOR)
