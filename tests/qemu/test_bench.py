"""QEMU tests of `bench`: sane fio-shaped JSON on each device type, verify
that passes on good data and catches what the host does to the image
between a write run and a read run, bad options, and Ctrl-C.

Devices: stork's null0, an NVMe namespace and a virtio-blk disk backed by
images under the build directory (or tmp_path when the host must edit them).
"""
import re

import pytest

BS = 4096


def check_job_json(js, rw="read", jobs=1):
    assert len(js["jobs"]) == jobs
    for job in js["jobs"]:
        d = job[rw]
        assert d["total_ios"] > 0
        assert d["io_bytes"] == d["total_ios"] * BS
        assert d["iops"] > 0
        assert d["runtime"] > 0
        # iops agrees with ios / runtime within rounding of the ms runtime
        assert abs(d["iops"] - d["total_ios"] * 1000 / d["runtime"]) <= d["iops"] * 0.02 + 1
        lat = d["clat_ns"]
        assert 0 < lat["min"] <= lat["mean"] <= lat["max"]
        assert lat["N"] == d["total_ios"]
        pct = [lat["percentile"][k] for k in sorted(lat["percentile"], key=float)]
        assert len(pct) == 17 and "99.990000" in lat["percentile"]
        assert pct == sorted(pct)
        assert lat["min"] <= pct[0] and pct[-1] <= lat["max"]
        assert job["stork"]["cycles_per_io"] > 0
        assert 0 < job["stork"]["busy_pct"] <= 100.5
    total = js["stork"]["total"][rw]
    assert total["total_ios"] == sum(j[rw]["total_ios"] for j in js["jobs"])


@pytest.mark.parametrize("kind", ["null", "nvme", "virtio"])
def test_bench_json(boot, kind):
    if kind == "nvme":
        m, dev = boot(nvme=["64m"]), "nvme0n1"
    elif kind == "virtio":
        m, dev = boot(virtio=["64m"]), "vda"
    else:
        m, dev = boot(), "null0"
    if dev not in m.run("lsblk"):
        pytest.fail(f"{dev} is missing: its driver did not probe")
    js = m.run_json(f"bench {dev} rw=randread bs=4k iodepth=8 numjobs=2 runtime=1 --json",
                    timeout=60)
    check_job_json(js, "read", jobs=2)
    js = m.run_json(f"bench {dev} rw=write engine=sync runtime=1 --json", timeout=60)
    check_job_json(js, "write", jobs=1)
    out = m.run(f"bench {dev} rw=randrw runtime=1 --quiet", timeout=60)
    assert re.search(r"^  read: IOPS=", out, re.M)
    assert re.search(r"^  write: IOPS=", out, re.M)
    assert "cycles/io=" in out


def test_bench_verify_catches_corruption(boot, tmp_path):
    img = tmp_path / "vd.img"
    img.write_bytes(bytes(16 << 20))
    m = boot(virtio=[str(img)])
    if "vda" not in m.run("lsblk"):
        pytest.fail("vda is missing: its driver did not probe")
    m.run_json("bench vda rw=write bs=4k size=1m iodepth=4 verify=crc32c verify_gen=5 --json",
               timeout=60)
    # good data passes
    out = m.run("bench vda rw=read bs=4k size=1m verify=crc32c verify_gen=5 --quiet", timeout=60)
    assert "error" not in out and "verify:" not in out
    # an older generation is stale
    out = m.run("bench vda rw=read bs=4k size=64k verify=crc32c verify_gen=6 --quiet",
                timeout=60)
    assert "verify: job 0: stale at offset 0 " in out
    assert re.search(r"^error: job 0: 16 blocks failed verification", out, re.M)

    data = bytearray(img.read_bytes())
    data[8 * BS + 100] ^= 0xff                              # torn / corrupted
    data[20 * BS:21 * BS] = data[3 * BS:4 * BS]             # misdirected
    data[30 * BS:31 * BS] = bytes(BS)                       # lost write
    img.write_bytes(bytes(data))
    out = m.run("bench vda rw=read bs=4k size=1m verify=crc32c verify_gen=5 --quiet", timeout=60)
    assert f"verify: job 0: bad checksum at offset {8 * BS} " in out
    assert f"verify: job 0: misdirected at offset {20 * BS} " in out
    assert f"header offset {3 * BS}" in out
    assert f"verify: job 0: no header at offset {30 * BS} " in out
    assert re.search(r"^error: job 0: 3 blocks failed verification", out, re.M)


def test_bench_bad_options(boot):
    m = boot()
    for cmd, msg in [
        ("bench", "error: usage: bench <dev>"),
        ("bench nosuch0", "error: nosuch0: no such device"),
        ("bench null0 bs=3000", "error: bs: 3000 is not a multiple of 512"),
        ("bench null0 iodepth=0", "error: iodepth=0: must be 1 to 1024"),
        ("bench null0 rw=sideways", "error: rw=sideways: unknown"),
        ("bench null0 frobnicate=1", "error: \"frobnicate\": unknown option"),
    ]:
        assert m.run(cmd).startswith(msg), cmd


def test_bench_ctrl_c(boot):
    m = boot()
    if "null0" not in m.run("lsblk"):
        pytest.fail("null0 is missing: its driver did not probe")
    m.send(b"bench null0 rw=randread iodepth=4 runtime=600\r")
    m.expect(re.compile(r"\[r=\S+,w=\S+ IOPS\]"), 30, what="a progress line")
    m.send(b"\x03")
    m.expect(re.compile(r"bench: interrupted"), 10, what="the interruption")
    m.expect(re.compile(r"^  read: IOPS=", re.M), 10, what="the report")
    m.sync()
    assert m.run("echo alive") == "alive"
