"""Direct-IO to disks and to files on ext2/ext4 filesystems made on the host.

Two virtio disks: vda holds an ext4 filesystem (4 KiB blocks) made by
`mke2fs -t ext4 -d`, with a preallocated (unwritten) range added by debugfs;
vdb holds an MBR with one partition (vdb1) carrying ext2 with 1 KiB blocks,
so that 512-byte offsets exercise the blkfactor case. Files are read back
with matching CRCs through every kind of buffer; writes land in files whose
bytes the host then dumps with debugfs, and e2fsck -fn must stay clean.
"""
import json
import random
import struct
import subprocess
import zlib

import pytest

import stork

PART_OFFSET = 1 << 20           # vdb1 starts at sector 2048
EXT2_BLOCKS = 7 * 1024          # 7 MiB of 1 KiB blocks
MIB = 1 << 20


def content(seed, n):
    return random.Random(seed).randbytes(n)


# file -> (size, [(offset, bytes)]); holes are the rest
def layouts():
    frag = [(i * 8192, content(100 + i, 4096)) for i in range(16)]
    return {
        "data.bin": (MIB + 1000, [(0, content(1, MIB + 1000))]),
        "sub/frag.bin": (16 * 8192 - 4096, frag),
        "sparse.bin": (3 * MIB, [(100 * 1024, content(3, 5000)), (3 * MIB - 10, content(4, 10))]),
        "small.txt": (13, [(0, b"hello, stork\n")]),
    }


def file_bytes(size, regions):
    out = bytearray(size)
    for off, data in regions:
        out[off:off + len(data)] = data
    return bytes(out)


def write_tree(root):
    for name, (size, regions) in layouts().items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:
            for off, data in regions:
                f.seek(off)
                f.write(data)
            f.truncate(size)
    (root / "dir").mkdir()
    for i in range(40):
        (root / "dir" / f"entry-{i:02d}").write_text(str(i))


def sh(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def e2fsck_clean(spec):
    r = subprocess.run(["e2fsck", "-fn", spec], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def dump(spec, path, out):
    sh("debugfs", "-R", f"dump {path} {out}", spec)
    return out.read_bytes()


@pytest.fixture(scope="module")
def disks(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dio")
    src = tmp / "src"
    write_tree(src)
    ext4 = tmp / "ext4.img"
    with open(ext4, "wb") as f:
        f.truncate(64 * MIB)
    sh("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-d", str(src), str(ext4))
    # blocks 256..383 of sparse.bin (1 MiB .. 1.5 MiB) preallocated: an unwritten extent
    sh("debugfs", "-w", "-R", "fallocate /sparse.bin 256 383", str(ext4))
    e2fsck_clean(str(ext4))

    ext2 = tmp / "ext2.img"
    with open(ext2, "wb") as f:
        f.truncate(PART_OFFSET + EXT2_BLOCKS * 1024)
        f.seek(446)
        f.write(struct.pack("<BBBBBBBBII", 0, 0, 0, 0, 0x83, 0, 0, 0, 2048, EXT2_BLOCKS * 2))
        f.seek(510)
        f.write(b"\x55\xaa")
    sh("mke2fs", "-q", "-F", "-t", "ext2", "-b", "1024", "-E", f"offset={PART_OFFSET}",
       "-d", str(src), str(ext2), str(EXT2_BLOCKS))
    ext2_spec = f"{ext2}?offset={PART_OFFSET}"
    e2fsck_clean(ext2_spec)
    return {"tmp": tmp, "ext4": str(ext4), "ext2": ext2_spec}


@pytest.fixture(scope="module")
def m(disks):
    # a poll queue per disk for hipri (polled dio)
    machine = stork.Machine(smp=2, virtio=[disks["ext4"], disks["ext2"].split("?")[0]],
                            append="virtio_blk.poll_queues=1", name="test_dio")
    try:
        machine.start()
        yield machine
    finally:
        machine.kill()


def dio(m, args):
    return m.run_json(f"dio {args} --json", timeout=60)


def test_ls_and_stat(m):
    out = m.run("ls vda:/")
    for name in ("data.bin", "sparse.bin", "small.txt", "sub", "dir", "lost+found"):
        assert any(line.split()[-1] == name for line in out.splitlines()), out
    out = m.run("ls vdb1:/dir")
    assert sum(1 for line in out.splitlines() if "entry-" in line) == 40
    stat = m.run("stat vda:/sparse.bin")
    assert f"File size of vda:/sparse.bin is {3 * MIB}" in stat
    assert "unwritten" in stat
    # filefrag -v's rows: data at block 25 (100 KiB), the preallocation, the tail
    rows = [line for line in stat.splitlines() if line.strip()[:1].isdigit() and ".." in line]
    assert len(rows) == 3, stat
    assert rows[1].split()[1] == "256.." or "256.." in rows[1]
    assert "3 extents found" in stat
    frag = m.run("stat vdb1:/sub/frag.bin")
    assert "ext2 filesystem, 1024-byte blocks" in frag
    for bad, err in (("vda:/nope", "ENOENT"), ("vda:/small.txt/x", "ENOTDIR"),
                     ("vdx:/", "no disk")):
        out = m.run(f"stat {bad}")
        assert out.startswith("error:") and err in out, out


@pytest.mark.parametrize("target", ["vda", "vdb1"])
@pytest.mark.parametrize("buf", ["contig", "scattered", "stack"])
def test_read_files_crc(m, target, buf):
    for name, (size, regions) in layouts().items():
        data = file_bytes(size, regions)
        length = min((size + 511) // 512 * 512, 4096 if buf == "stack" else 2 * MIB)
        r = dio(m, f"read {target}:/{name} 0 {length} buf={buf}")
        want = data[:length]
        assert r["bytes"] == len(want), (name, r)
        assert r["crc32"] == stork.crc(want), (name, r)


def test_sum_and_read_take_files(m):
    for name, (size, regions) in layouts().items():
        data = file_bytes(size, regions)
        for target in ("vda", "vdb1"):
            # count past the end: the sum stops at the end of the file
            assert m.run(f"sum {target}:/{name} 0 100000") == stork.crc(data), (target, name)
    r = m.run_json("sum vdb1:/data.bin 1k 8k --json")
    size, regions = layouts()["data.bin"]
    assert r["bytes"] == 8192 and r["crc32"] == stork.crc(file_bytes(size, regions)[1024:9216])
    out = m.run("read vda:/small.txt 0")
    assert "|hello, stork.|" in out, out
    assert m.run("sum vda:/nope 0 1").startswith("error:")


def test_read_offsets_blkfactor_and_eof(m):
    size, regions = layouts()["data.bin"]
    data = file_bytes(size, regions)
    # 512-byte aligned inside 4 KiB blocks (ext4) and 1 KiB blocks (ext2): blkfactor
    for target in ("vda", "vdb1"):
        for off, length in ((512, 3584), (4096 + 1536, 8192 + 512), (MIB - 512, 4096)):
            r = dio(m, f"read {target}:/data.bin {off} {length} buf=scattered buf_offset=512")
            want = data[off:off + length]
            assert r["bytes"] == len(want) and r["crc32"] == stork.crc(want), (target, off, r)
    # the end of the file: a short read, not an error
    r = dio(m, f"read vda:/data.bin {MIB} 8192")
    assert r["bytes"] == 1000 and r["crc32"] == stork.crc(data[MIB:])
    r = dio(m, f"read vda:/data.bin {2 * MIB} 4096")
    assert r["bytes"] == 0


def test_holes_and_unwritten_read_as_zeroes(m):
    size, regions = layouts()["sparse.bin"]
    data = file_bytes(size, regions)
    for off, length in ((0, 256 * 1024), (MIB - 4096, 600 * 1024), (3 * MIB - 4096, 4096)):
        r = dio(m, f"read vda:/sparse.bin {off} {length} buf=scattered")
        assert r["crc32"] == stork.crc(data[off:off + length]), (off, r)
    # frag.bin: one bio per extent when the buffer allows it
    r = dio(m, "read vda:/sub/frag.bin 0 32768 buf=contig")
    assert r["bios"] == 4, r


def test_misaligned_refused(m):
    for args, what in (("read vda:/data.bin 100 4096", "offset"),
                       ("read vda:/data.bin 0 1000", "length"),
                       ("read vda:/data.bin 0 4096 buf_offset=100", "buffer"),
                       ("write vdb1:/data.bin 256 512", "offset")):
        out = m.run(f"dio {args}")
        assert out.startswith("error:") and "not aligned" in out and what in out, out


def test_async_completion(m):
    size, regions = layouts()["data.bin"]
    data = file_bytes(size, regions)
    for target in ("vda:/data.bin", "vdb1:/data.bin"):
        r = dio(m, f"read {target} 4096 65536 async buf=scattered")
        assert r["async"] is True and r["completions"] == 1
        assert r["crc32"] == stork.crc(data[4096:4096 + 65536])
        assert r["bios"] >= 1
    # a raw disk: the same bytes `sum` sees
    r = dio(m, "read vdb 1048576 1048576 async")
    assert r["completions"] == 1
    assert r["crc32"] == m.run("sum vdb 2048 2048")


def test_writes(m, disks):
    # ext2 1 KiB blocks: sub-block (512-byte) offsets, in place and into holes
    # (allocated, partly zeroed, the file grown); ext4: in place only
    writes = [("vdb1", "data.bin", 512, 1536, "scattered"),
              ("vdb1", "data.bin", 3 * 1024 + 512, 9216, "contig"),
              ("vdb1", "sub/frag.bin", 8192, 4096, "stack"),
              ("vdb1", "sparse.bin", 512, 1536, "scattered"),
              ("vdb1", "sparse.bin", 200 * 1024 + 512, 70 * 1024, "contig"),
              ("vdb1", "sub/frag.bin", 8192 + 4096 + 512, 1024, "stack"),
              ("vdb1", "small.txt", 2048, 1024, "scattered"),
              ("vda", "data.bin", 4096 + 512, 8192, "scattered"),
              ("vda", "sparse.bin", 100 * 1024, 4096, "contig")]
    for disk, name, off, length, buf in writes:
        r = dio(m, f"write {disk}:/{name} {off} {length} buf={buf} pattern=seq")
        assert r["bytes"] == length, r
    # refused on ext4 (journalled metadata): holes, unwritten extents, growing
    for args, why in (("write vda:/sparse.bin 0 4096", "hole"),
                      ("write vda:/sparse.bin 1048576 4096", "unwritten"),
                      ("write vda:/small.txt 0 4096", "past the end")):
        out = m.run(f"dio {args}")
        assert out.startswith("error:") and why in out, out
    m.run("flush vda")
    m.run("flush vdb")

    expect = {}
    for key, (size, regions) in layouts().items():
        expect[("vda", key)] = bytearray(file_bytes(size, regions))
        expect[("vdb1", key)] = bytearray(file_bytes(size, regions))
    for disk, name, off, length, _ in writes:
        want = expect[(disk, name)]
        if off + length > len(want):
            want.extend(bytes(off + length - len(want)))
        want[off:off + length] = stork.seq_bytes(off // 512, length // 512)
    for (disk, name), want in expect.items():
        spec = disks["ext4"] if disk == "vda" else disks["ext2"]
        got = dump(spec, "/" + name, disks["tmp"] / "dump.bin")
        assert got == bytes(want), (disk, name)
    e2fsck_clean(disks["ext4"])
    e2fsck_clean(disks["ext2"])
    # and the guest reads back what the host sees
    want = expect[("vdb1", "sparse.bin")]
    r = dio(m, f"read vdb1:/sparse.bin 0 {300 * 1024} buf=scattered")
    assert r["crc32"] == stork.crc(bytes(want[:300 * 1024]))


def test_bench_engine_dio(m, disks):
    # after test_writes: data.bin's content is the bench's from here on
    for target in ("vda:/data.bin", "vdb1:/data.bin"):
        out = m.run(f"bench {target} rw=write bs=4k size=512k iodepth=8 engine=dio "
                    "verify=crc32c --quiet", timeout=120)
        assert "error" not in out, out
        out = m.run(f"bench {target} rw=randread bs=4k size=512k iodepth=8 engine=dio "
                    "verify=crc32c runtime=1 time_based --quiet", timeout=120)
        assert "error" not in out and "verify errors" not in out, out
        assert f"{target}: extent cache:" in out, out
    out = m.run("bench vdb rw=randread bs=4k iodepth=4 engine=dio runtime=1 --quiet",
                timeout=120)
    assert "read: IOPS=" in out and "error" not in out, out
    out = m.run("bench vda:/data.bin engine=async")
    assert out.startswith("error:") and "engine=dio" in out
    out = m.run("bench vda:/sparse.bin rw=randwrite engine=dio runtime=1")
    assert "ENOTSUP" in out, out
    m.run("flush vda")
    m.run("flush vdb")
    e2fsck_clean(disks["ext4"])
    e2fsck_clean(disks["ext2"])


def bench_json(m, cmd):
    out = m.run(cmd + " --json", timeout=120)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    assert len(lines) == 1, out
    return json.loads(lines[0])


def test_hipri_polled(m, disks):
    """hipri: dio's bios go to the poll queue and are reaped by polling, no interrupt."""
    size, regions = layouts()["data.bin"]
    data = file_bytes(size, regions)
    for extra in ("", " async"):
        r = dio(m, f"read vda:/small.txt 0 1024 hipri buf=stack{extra}")
        assert r["hipri"] is True and r["async"] is bool(extra), r
        small = file_bytes(*layouts()["small.txt"])
        assert r["crc32"] == stork.crc(small[:1024]), r
    # (data.bin is bench's after test_bench_engine_dio: written and verified below)
    for target in ("vda:/data.bin", "vdb1:/data.bin"):
        w = bench_json(m, f"bench {target} rw=write bs=4k size=512k iodepth=4 engine=dio "
                       "hipri verify=crc32c verify_gen=7")
        job = w["jobs"][0]
        assert job["error"] == 0 and job["job options"]["hipri"] == "1", w
        assert job["write"]["total_ios"] == 128, w
        r = bench_json(m, f"bench {target} rw=randread bs=4k size=512k iodepth=4 engine=dio "
                       "hipri verify=crc32c verify_gen=7 runtime=1 time_based")
        job = r["jobs"][0]
        assert job["error"] == 0 and job["read"]["total_ios"] > 0, r
        # every I/O reaped by polling: at most a stray interrupt (a timer's, none of the disk's)
        assert job["stork"]["exits"]["irq"] * 20 < job["read"]["total_ios"], job["stork"]
    # hybrid polling (sleep, then spin): the same data, every I/O reaped
    r = bench_json(m, "bench vdb1:/data.bin rw=randread bs=4k size=512k iodepth=1 engine=dio "
                   "hipri poll_delay=0 verify=crc32c verify_gen=7 runtime=1 time_based")
    job = r["jobs"][0]
    assert job["error"] == 0 and job["read"]["total_ios"] > 0, r
    assert job["stork"]["verify_errors"] == 0, r["jobs"][0]["stork"]
    # and the interrupt-driven read of the same file takes one interrupt per I/O or so
    r = bench_json(m, "bench vda:/data.bin rw=randread bs=4k size=512k engine=dio runtime=1 "
                   "time_based verify=crc32c verify_gen=7")["jobs"][0]
    assert r["error"] == 0 and r["stork"]["exits"]["irq"] * 2 > r["read"]["total_ios"], r["stork"]
    # without poll queues, or with an engine that cannot poll: clear errors
    out = m.run("bench vda rw=randread engine=sync hipri runtime=1")
    assert out.startswith("error:") and "hipri" in out, out
    out = m.run("bench null0 rw=randread engine=dio hipri runtime=1")
    assert out.startswith("error:") and "no poll queues" in out, out
    out = m.run("dio read null0 0 4096 hipri")
    assert out.startswith("error:") and "no poll queues" in out, out
    m.run("flush vda")
    m.run("flush vdb")
    e2fsck_clean(disks["ext4"])
    e2fsck_clean(disks["ext2"])


def test_selftest_dio(m):
    out = m.run("selftest dio", timeout=120)
    assert "1 passed, 0 failed" in out, out
