"""The block shell commands against disk images the host checks.

The host writes random data into an image and the guest's `sum` must equal
Python's zlib.crc32 of the same range (and `read` must print what
`hexdump -C` prints); the guest writes pattern=0x5a, a decimal byte and
seq, and the host reads the image byte for byte. Out-of-range, misaligned
and malformed requests get one `error:` line and the shell goes on. `mq`
lists one `hctx` line per hardware queue whose CPU lists cover every CPU;
`queue` changes nr_hw_queues between two data-checked writes. A GPT image
made with sgdisk shows its partitions in `lsblk`, and a write to vda2 lands
at vda2's offset in the image. The null device with memory backing and an
NVMe namespace get the same round trips when their drivers are there.

The seq pattern (block/blk_pattern.h, docs/blk-mq.md): every 512-byte
sector s of the disk or partition written holds s as a little-endian u64,
then bytes (s + i) & 0xff for i = 8 .. 511.
"""
import os
import re
import shutil
import subprocess

import pytest

import stork

SECTOR = 512
MIB = 1 << 20
IMAGE_SIZE = 32 * MIB
RANDOM_HEAD = 4 * MIB           # random bytes at the start of the image
RANDOM_TAIL = 1 * MIB           # and at its end
ERROR_RE = re.compile(r"^error: ")


def image_path(name):
    d = os.path.join(stork.build_dir(), "test-block")
    os.makedirs(d, exist_ok=True)
    return os.path.join(d, name)


def make_image(name, size=IMAGE_SIZE):
    """A sparse image with random data in its first and last MiBs."""
    path = image_path(name)
    with open(path, "wb") as f:
        f.truncate(size)
        f.write(os.urandom(RANDOM_HEAD))
        f.seek(size - RANDOM_TAIL)
        f.write(os.urandom(RANDOM_TAIL))
    return path


def spare_nvme(name):
    """run-qemu adds a default 1 GiB NVMe disk (build/nvme0.img) to a machine given only
    virtio disks; two machines alive at once would both lock it. Each gets its own."""
    path = image_path(f"spare-{name}.img")
    with open(path, "wb") as f:
        f.truncate(MIB)
    return [path]


def image_read(path, offset, length):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(length)


def lsblk_disks(m):
    """{name: entry} of every disk and partition in `lsblk --json` (Linux's -J shape)."""
    out = {}
    for d in m.run_json("lsblk --json")["blockdevices"]:
        out[d["name"]] = d
        for p in d.get("children", []):
            out[p["name"]] = p
    return out


def check_error(m, cmd):
    out = m.run(cmd)
    assert ERROR_RE.match(out) and out.count("\n") == 0, f"{cmd!r} gave:\n{out}"
    return out


def check_write(m, path, dev, lba, count, pattern, base=0, lbs=SECTOR):
    """Write in the guest, then compare the image with what was meant."""
    out = m.run(f"write {dev} {lba} {count} pattern={pattern}", timeout=120)
    assert re.match(rf"^wrote {count} blocks \({count * lbs} bytes\) at lba {lba} of {dev}",
                    out), out
    got = image_read(path, base + lba * lbs, count * lbs)
    if pattern == "seq":
        want = stork.seq_bytes(lba * lbs // SECTOR, count * lbs // SECTOR)
    else:
        want = bytes([int(pattern, 0)]) * (count * lbs)
    assert got == want, f"image differs after write {dev} {lba} {count} pattern={pattern}"
    # and the guest reads back what the host sees
    assert m.run(f"sum {dev} {lba} {count}", timeout=120) == stork.crc(want)


def data_round_trips(m, path, dev, lbs=SECTOR):
    """The checks every disk backed by an image on the host gets."""
    blocks = IMAGE_SIZE // lbs
    head = image_read(path, 0, RANDOM_HEAD)
    # host data, guest sums: one block, a few, across the 1 MiB chunks, all of it
    for lba, count in ((0, 1), (1, 7), (3, (3 * MIB) // lbs - 5), (0, blocks)):
        want = stork.crc(image_read(path, lba * lbs, count * lbs))
        assert m.run(f"sum {dev} {lba} {count}", timeout=120) == want, (lba, count)
    j = m.run_json(f"sum {dev} 0 16 --json")
    assert j["crc32"] == stork.crc(head[:16 * lbs]) and j["bytes"] == 16 * lbs, j
    # sizes with suffixes are bytes
    assert m.run(f"sum {dev} 1m 64k") == stork.crc(head[MIB:MIB + 64 * 1024])
    # the last block, host data then guest data
    assert m.run(f"sum {dev} {blocks - 1} 1") == stork.crc(image_read(path, IMAGE_SIZE - lbs, lbs))
    check_write(m, path, dev, blocks - 1, 1, "seq", lbs=lbs)
    # guest writes: a hex byte over several chunks, a decimal byte, seq
    base = 8 * MIB // lbs
    check_write(m, path, dev, base, (5 * MIB // 2) // lbs + 3, "0x5a", lbs=lbs)
    check_write(m, path, dev, base + 8192 * SECTOR // lbs, 3, "90", lbs=lbs)
    check_write(m, path, dev, base + 12288 * SECTOR // lbs, 3000 * SECTOR // lbs, "seq",
                lbs=lbs)


def hexdump_host(path, offset, length):
    out = subprocess.run(["hexdump", "-C", "-s", str(offset), "-n", str(length), path],
                         check=True, capture_output=True, text=True).stdout
    return out.rstrip("\n")


# --- virtio-blk ----------------------------------------------------------------

@pytest.fixture(scope="module")
def vda():
    path = make_image("vda.img")
    m = stork.Machine(smp=4, virtio=[path], nvme=spare_nvme("vda"), name="test_block-vda")
    try:
        m.start()
        if "vda" not in m.run("lsblk"):
            pytest.fail("no vda: its driver did not probe")
        yield m, path
    finally:
        m.kill()


def test_virtio_data(vda):
    m, path = vda
    data_round_trips(m, path, "vda")
    out = m.run("flush vda")
    assert out == "flushed vda", out


def test_virtio_read_is_hexdump(vda):
    m, path = vda
    assert m.run("read vda 0") == hexdump_host(path, 0, SECTOR)
    assert m.run("read vda 3 5") == hexdump_host(path, 3 * SECTOR, 5 * SECTOR)
    # zeroes squeeze into one "*", as in hexdump -C
    zeros = 6 * MIB // SECTOR
    out = m.run(f"read vda {zeros} 2")
    assert out == hexdump_host(path, zeros * SECTOR, 2 * SECTOR), out
    assert out.splitlines()[1] == "*", out
    # the largest read allowed, 1 MiB
    out = m.run("read vda 0 2048", timeout=120)
    assert out == hexdump_host(path, 0, MIB)


def test_virtio_discard_and_zeroes(vda):
    m, path = vda
    lba = 20 * MIB // SECTOR
    check_write(m, path, "vda", lba, 64, "0x33")
    out = m.run(f"discard vda {lba} 32")
    assert out == f"discarded 32 blocks (16384 bytes) at lba {lba} of vda" or \
        out == "error: vda cannot discard (ENOTSUP)", out
    out = m.run(f"write-zeroes vda {lba + 32} 32")
    if not out.startswith("error:"):
        assert out == f"zeroed 32 blocks (16384 bytes) at lba {lba + 32} of vda", out
        assert image_read(path, (lba + 32) * SECTOR, 32 * SECTOR) == bytes(32 * SECTOR)
    else:
        assert out == "error: vda cannot write-zeroes (ENOTSUP)", out


BAD_REQUESTS = [
    "read", "read vda", "read vdz 0", "read vda x", "read vda -1", "read vda 0 0",
    "read vda 0x", "read vda 1 2 3", "read vda 65536", "read vda 65535 2",
    "read vda 99999999999999999999", "read vda 0 2049", "read vda 100b", "read vda 0 1000b",
    "write vda 0 1", "write vda 0 1 pattern=256", "write vda 0 1 pattern=x",
    "write vda 0 1 pattern=", "write vda 0 1 pattern=seq bogus", "write vda 65535 2 pattern=1",
    "write vda 0 0 pattern=1", "write vdz 0 1 pattern=1",
    "sum vda 0", "sum vda 0 0", "sum vda 65536 1", "sum vda 0 65537", "sum vda 0 1 2",
    "discard vda", "discard vda 0 0", "discard vda 65535 2", "write-zeroes vda 1 65536",
    "flush", "flush vdz",
    "mq", "mq vdz", "queue", "queue vdz", "queue vda bogus=1", "queue vda nr_hw_queues",
    "queue vda nr_hw_queues=0", "queue vda nr_hw_queues=x", "queue vda nr_requests=0",
    "queue vda nr_requests=100000", "queue vda max_sectors_kb=0",
    "queue vda max_sectors_kb=99999999", "queue vda logical_block_size=4096",
    "queue vda scheduler=", "queue vda poll_queues=4 nr_hw_queues=4",
    "queue vda rq_affinity=3", "queue vda rq_affinity=x",
]


def test_virtio_bad_requests(vda):
    m, _ = vda
    for cmd in BAD_REQUESTS:
        check_error(m, cmd)
    out = check_error(m, "read vdz 0")
    assert "vda" in out, out            # the error lists the disks there are
    out = check_error(m, "read vda 65536")
    assert "65536 blocks of 512 bytes" in out, out
    assert m.run("echo still-here") == "still-here"


def mq_lines(m, dev):
    out = m.run(f"mq {dev}")
    lines = [l for l in out.splitlines() if l.startswith("hctx ")]
    assert lines, out
    return lines


def check_mq_covers(m, dev, nr_cpus):
    info = m.run_json(f"mq {dev} --json")
    hctxs = info["hctxs"]
    assert len(hctxs) == info["nr_hw_queues"] == len(mq_lines(m, dev))
    covered = set()
    for h in hctxs:
        if h["type"] != "default":
            continue
        for part in filter(None, h["cpus"].split(",")):
            lo, _, hi = part.partition("-")
            covered |= set(range(int(lo), int(hi or lo) + 1))
        assert h["tags"] > 0 and len(h["dispatch_batches"]) == 8, h
    assert covered == set(range(nr_cpus)), hctxs
    return info


def test_virtio_mq_and_queue(vda):
    m, path = vda
    info = check_mq_covers(m, "vda", 4)
    for i, line in enumerate(mq_lines(m, "vda")):
        assert re.match(rf"^hctx {i} type (default|poll) cpus \S+ tags \d+ reserved \d+ "
                        rf"busy \d+ dispatched \d+ completed \d+ queued \d+ batches( \d+\+?:\d+){{8}}$",
                        line), line
    q = m.run_json("queue vda --json")
    assert q["nr_hw_queues"] == info["nr_hw_queues"], q
    assert q["logical_block_size"] == 512 and q["scheduler"] == "none", q
    assert q["rotational"] == 0 and q["read_only"] == 0, q
    nr = q["nr_hw_queues"]
    lba = 24 * MIB // SECTOR

    # one hardware queue: every CPU on it, data still right
    m.run("queue vda nr_hw_queues=1", timeout=60)
    assert m.run_json("queue vda --json")["nr_hw_queues"] == 1
    assert len(mq_lines(m, "vda")) == 1
    check_mq_covers(m, "vda", 4)
    check_write(m, path, "vda", lba, 2048, "seq")
    # and back to the maximum
    m.run(f"queue vda nr_hw_queues={nr}", timeout=60)
    assert len(mq_lines(m, "vda")) == nr
    check_mq_covers(m, "vda", 4)
    check_write(m, path, "vda", lba + 2048, 2048, "0xa5")
    assert m.run(f"sum vda {lba} 2048") == stork.crc(stork.seq_bytes(lba, 2048))

    # max_sectors_kb down and back up: I/O is split smaller, the data the same
    hw_kb = q["max_hw_sectors_kb"]
    out = m.run("queue vda max_sectors_kb=4")
    assert re.search(r"^max_sectors_kb\s+4$", out, re.M), out
    check_write(m, path, "vda", lba + 4096, 300, "seq")
    out = m.run(f"queue vda max_sectors_kb={hw_kb}")
    assert re.search(rf"^max_sectors_kb\s+{hw_kb}$", out, re.M), out
    check_error(m, f"queue vda max_sectors_kb={hw_kb + 4}")

    # nr_requests down and back
    depth = q["nr_requests"]
    out = m.run("queue vda nr_requests=2")
    assert re.search(r"^nr_requests\s+2$", out, re.M), out
    check_write(m, path, "vda", lba + 5000, 1000, "seq")
    m.run(f"queue vda nr_requests={depth}")
    assert m.run_json("queue vda --json")["nr_requests"] == depth
    # rq_affinity: 2 by default (docs/rq_affinity.md), each value taken, data right under each
    assert q["rq_affinity"] == 2, q
    for value in (0, 1, 2):
        out = m.run(f"queue vda rq_affinity={value}")
        assert re.search(rf"^rq_affinity\s+{value}$", out, re.M), out
        check_write(m, path, "vda", lba + 7000 + value * 100, 100, "seq")
    assert m.run_json("queue vda --json")["rq_affinity"] == 2
    # poll queues: the driver either takes them or says why not
    out = m.run("queue vda poll_queues=1")
    if out.startswith("error:"):
        assert "cannot have poll queues" in out or "cannot change to" in out, out
    else:
        assert re.search(r"^poll_queues\s+1$", out, re.M), out
        check_write(m, path, "vda", lba + 6000, 500, "seq")
        m.run("queue vda poll_queues=0")
    out = m.run("queue vda scheduler=none")
    assert re.search(r"^scheduler\s+none$", out, re.M), out


def test_virtio_counters_move(vda):
    m, _ = vda
    before = sum(h["completed"] for h in m.run_json("mq vda --json")["hctxs"])
    m.run("sum vda 0 2048")
    after = m.run_json("mq vda --json")["hctxs"]
    assert sum(h["completed"] for h in after) > before
    assert all(h["busy"] == 0 for h in after)
    assert sum(h["dispatched"] for h in after) == sum(h["completed"] for h in after)


def test_long_sum_progress_and_ctrl_c(boot):
    path = image_path("long.img")
    with open(path, "wb") as f:
        f.truncate(2048 * MIB)          # sparse: zeroes
    m = boot(smp=2, virtio=[path], nvme=spare_nvme("long"))
    if "vda" not in m.run("lsblk"):
        pytest.fail("no vda: its driver did not probe")
    blocks = 2 * 1024 * MIB // SECTOR
    m.skip_pending()
    m.send(f"sum vda 0 {blocks}\r")
    m.expect(r"\r\n  \d+ of 2048 MiB, \d+ MiB/s\r\n", 60, what="a progress line")
    m.send(b"\x03")
    m.expect(rf"stopped after \d+ of {blocks} blocks\r\n", 10, what="the stop line")
    m.sync(timeout=10)
    assert m.run("sum vda 0 1") == stork.crc(bytes(SECTOR))


# --- partitions ---------------------------------------------------------------

@pytest.mark.skipif(shutil.which("sgdisk") is None, reason="sgdisk missing (tools/deps test)")
def test_gpt_partitions(boot):
    path = image_path("gpt.img")
    with open(path, "wb") as f:
        f.truncate(IMAGE_SIZE)
    # vda1: sectors 2048 .. 10239 (4 MiB); vda2: 10240 .. 30719 (10 MiB)
    subprocess.run(["sgdisk", "-n", "1:2048:10239", "-n", "2:10240:30719", path],
                   check=True, capture_output=True)
    m = boot(smp=2, virtio=[path], nvme=spare_nvme("gpt"))
    out = m.run("lsblk")
    if "vda" not in out:
        pytest.fail("no vda: its driver did not probe")
    assert re.search(r"^\W*vda1\s", out, re.M) and re.search(r"^\W*vda2\s", out, re.M), out
    disks = lsblk_disks(m)
    assert disks["vda1"]["size"] == 8192 * SECTOR, disks
    assert disks["vda2"]["size"] == 20480 * SECTOR, disks
    assert disks["vda2"]["start"] == 10240, disks

    check_write(m, path, "vda2", 0, 16, "seq", base=10240 * SECTOR)
    check_write(m, path, "vda2", 20479, 1, "0x77", base=10240 * SECTOR)
    check_write(m, path, "vda1", 8191, 1, "seq", base=2048 * SECTOR)
    # nothing spilled past vda1 into the gap, or before vda2
    assert image_read(path, 10240 * SECTOR - 16, 16) == stork.seq_bytes(10239 - 2048, 1)[-16:]
    check_error(m, "write vda2 20480 1 pattern=1")
    check_error(m, "write vda1 8191 2 pattern=1")
    # a partition names its whole disk's queue
    assert m.run_json("queue vda2 --json")["disk"] == "vda"
    assert len(mq_lines(m, "vda1")) == len(mq_lines(m, "vda"))


# --- null (memory backed) ---------------------------------------------------------

@pytest.mark.parametrize("bs", [512, 4096])
def test_null_memory_backed(boot, bs):
    m = boot(smp=2, append=f"null_blk.memory_backed=1 null_blk.bs={bs}")
    if "null0" not in m.run("lsblk"):
        pytest.fail("no null0: its driver did not probe")
    q = m.run_json("queue null0 --json")
    lbs = q["logical_block_size"]
    assert lbs == bs, q
    count = 4 * MIB // lbs
    m.run(f"write null0 0 {count} pattern=seq", timeout=120)
    assert m.run(f"sum null0 0 {count}", timeout=120) == stork.crc(stork.seq_bytes(0, 4 * MIB // SECTOR))
    m.run("write null0 5 3 pattern=0x5a")
    out = m.run("read null0 5 3")
    assert out.splitlines() == ["%08x  %s  |%s|" % (5 * lbs, " ".join(["5a"] * 8) + "  " +
                                                   " ".join(["5a"] * 8), "Z" * 16),
                                "*", "%08x" % (8 * lbs)], out
    assert m.run("sum null0 5 3") == stork.crc(b"\x5a" * 3 * lbs)
    assert m.run(f"sum null0 8 {count - 8}") == stork.crc(stork.seq_bytes(8 * lbs // SECTOR,
                                                               (count - 8) * lbs // SECTOR))
    # bytes with a suffix must be whole blocks
    assert m.run(f"sum null0 {lbs * 8}b 4k") == stork.crc(stork.seq_bytes(8 * lbs // SECTOR, 8))
    if bs > 512:
        check_error(m, "read null0 512b")
        check_error(m, "write null0 0 2k pattern=1")
    check_mq_covers(m, "null0", 2)

    # a poll queue: the null device can poll; the data stays right
    out = m.run("queue null0 nr_hw_queues=3 poll_queues=1")
    assert re.search(r"^poll_queues\s+1$", out, re.M), out
    lines = mq_lines(m, "null0")
    assert len(lines) == 3 and " type poll " in lines[2], lines
    check_mq_covers(m, "null0", 2)
    assert m.run(f"sum null0 0 {count}", timeout=120) == stork.crc(
        stork.seq_bytes(0, 5 * lbs // SECTOR) + b"\x5a" * 3 * lbs +
        stork.seq_bytes(8 * lbs // SECTOR, (count - 8) * lbs // SECTOR))
    m.run("queue null0 poll_queues=0 nr_hw_queues=2")
    assert len(mq_lines(m, "null0")) == 2


# --- NVMe -------------------------------------------------------------------------

def test_nvme_data(boot):
    path = make_image("nvme.img")
    m = boot(smp=2, nvme=[path])
    if "nvme0n1" not in m.run("lsblk"):
        pytest.fail("no nvme0n1: its driver did not probe")
    lbs = m.run_json("queue nvme0n1 --json")["logical_block_size"]
    data_round_trips(m, path, "nvme0n1", lbs=lbs)
    check_mq_covers(m, "nvme0n1", 2)
    assert m.run("flush nvme0n1") == "flushed nvme0n1"


def test_nvme_4k_namespace(boot):
    """A second namespace with 4096-byte blocks: LBAs and counts are 4 KiB blocks."""
    path = make_image("nvme-ns1.img")
    path4k = make_image("nvme-ns2-4k.img")
    m = boot(smp=2, nvme=[path], extra=[
        "-drive", f"file={path4k},if=none,id=ns2,format=raw",
        "-device", "nvme-ns,drive=ns2,bus=nvme-ctrl0,nsid=2,"
                   "logical_block_size=4096,physical_block_size=4096"])
    if "nvme0n2" not in m.run("lsblk"):
        pytest.fail("no nvme0n2: its driver did not probe")
    assert m.run_json("queue nvme0n2 --json")["logical_block_size"] == 4096
    data_round_trips(m, path4k, "nvme0n2", lbs=4096)
    check_error(m, "read nvme0n2 512b")
    check_error(m, f"read nvme0n2 {IMAGE_SIZE // 4096}")
    # namespace 1 untouched by all that
    assert m.run("sum nvme0n1 0 16") == stork.crc(image_read(path, 0, 16 * SECTOR))
