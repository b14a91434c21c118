"""QEMU tests of the io-wq worker pools and their user, `bench engine=uring`:
`wq` output, limits and errors; the in-kernel io-wq self tests; uring
writes and verified reads on each device type; and a null device whose tags
run out (hw_queue_depth=4 under iodepth=64), where every I/O must still
complete and the punts to io-wq are counted.
"""
import re

import pytest


def pool(js, name):
    pools = [p for p in js["pools"] if p["name"] == name]
    assert len(pools) == 1, js
    return pools[0]


def test_wq_lists_and_sets_limits(shell):
    out = shell.run("wq")
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["POOL", "ACCT", "MAX", "WRK"]
    assert re.search(r"^system\s+bound\s+8\s", out, re.M)       # 4 x 2 CPUs
    assert re.search(r"^system\s+unbound\s+32\s", out, re.M)
    js = shell.run_json("wq --json")
    system = pool(js, "system")
    assert system["cpus"] == "0-1" and system["idle_ms"] == 5000
    for acct in ("bound", "unbound"):
        a = system[acct]
        assert a["workers"] == a["free"] + a["running"] + a["blocked"]
        assert a["pending"] == 0 and a["stalled"] is False

    assert shell.run("wq system max_bound=3 max_unbound=5 cpus=1") == ""
    system = pool(shell.run_json("wq --json"), "system")
    assert system["bound"]["max_workers"] == 3
    assert system["unbound"]["max_workers"] == 5
    assert system["cpus"] == "1"
    out = shell.run("wq system")
    assert re.search(r"^system\s+bound\s+3\s.*\s1$", out, re.M)
    assert shell.run("wq system max_bound=8 max_unbound=32 cpus=0-1") == ""
    assert pool(shell.run_json("wq --json"), "system")["bound"]["max_workers"] == 8


@pytest.mark.parametrize("cmd, message", [
    ("wq nosuch", "error: no pool 'nosuch' (see wq)"),
    ("wq nosuch max_bound=2", "error: no pool 'nosuch' (see wq)"),
    ("wq system max_bound=0", "error: max_bound=0: expected 1..1024"),
    ("wq system max_unbound=2000", "error: max_unbound=2000: expected 1..1024"),
    ("wq system max_bound=lots", "error: max_bound=lots: expected 1..1024"),
    ("wq system cpus=7", "error: cpus: none of them is online"),
    ("wq system cpus=x", "error: cpus=x: expected a CPU list (0-1,3)"),
    ("wq system idle=3", "error: unknown key 'idle' (max_bound, max_unbound, cpus)"),
    ("wq system 3", "error: expected key=value, got '3'"),
    ("wq --bogus", "error: unknown option '--bogus' (usage: wq"),
    ("wq system --json", "error: usage: wq"),
    ("wq latency rounds=0", "error: rounds=0: expected 1..1000"),
])
def test_wq_errors(shell, cmd, message):
    out = shell.run(cmd)
    assert out.startswith(message), out
    assert len(out.splitlines()) == 1
    # a rejected setting changed nothing
    system = pool(shell.run_json("wq --json"), "system")
    assert system["bound"]["max_workers"] == 8 and system["cpus"] == "0-1"


def test_wq_latency(shell):
    # many rounds: each destroys a pool right after its last item completed,
    # the race a cancel once lost (it wrote into the finished item's memory)
    out = shell.run("wq latency rounds=100", timeout=120)
    for what in ("idle worker woken:", "worker created:"):
        m = re.search(what + r"\s+min (\d+), median (\d+), max (\d+) \((\d+) samples\)", out)
        assert m, out
        assert 0 < int(m.group(1)) <= int(m.group(2)) <= int(m.group(3))
        assert 50 <= int(m.group(4)) <= 100, out    # a punt slower than 1 s is left out
    # the measuring pool is gone again
    assert [p["name"] for p in shell.run_json("wq --json")["pools"]] == ["system"]


def test_io_wq_selftests(boot):
    m = boot(smp=4)
    out = m.run("selftest io_wq", timeout=240)
    assert re.search(r"^8 passed, 0 failed$", out, re.M), out


def uring_write_then_verify(m, dev, size="4m", extra=""):
    out = m.run(f"bench {dev} rw=write bs=4k size={size} iodepth=32 engine=uring serialize=1 "
                f"verify=crc32c verify_gen=3 {extra} --quiet", timeout=120)
    assert "error" not in out, out
    assert re.search(r"cycles/io=\d+, punted=\d+", out), out
    out = m.run(f"bench {dev} rw=randread bs=4k size={size} iodepth=32 engine=uring "
                f"verify=crc32c verify_gen=3 runtime=1 {extra} --quiet", timeout=120)
    assert "error" not in out and "verify:" not in out, out
    assert re.search(r"^  read: IOPS=", out, re.M), out


@pytest.mark.parametrize("kind", ["null", "nvme", "virtio"])
def test_bench_uring_verify(boot, kind):
    if kind == "nvme":
        m, dev = boot(nvme=["64m"]), "nvme0n1"
    elif kind == "virtio":
        m, dev = boot(virtio=["64m"]), "vda"
    else:
        m = boot()
        dev = m.run("nullb add size=64m memory_backed=1")
    if dev not in m.run("lsblk"):
        pytest.fail(f"{dev} is missing: its driver did not probe")
    uring_write_then_verify(m, dev)
    js = m.run_json(f"bench {dev} rw=randread bs=4k iodepth=8 numjobs=2 runtime=1 "
                    "engine=uring --json", timeout=60)
    assert js["global options"]["ioengine"] == "uring"
    for job in js["jobs"]:
        assert job["read"]["total_ios"] > 0
        assert job["stork"]["punted"] >= 0 and job["stork"]["error"] == 0
    # the jobs' pools went away with the run
    assert [p["name"] for p in m.run_json("wq --json")["pools"]] == ["system"]


def test_tag_starved_null_completes_everything(boot):
    m = boot()
    # tags held by the "device" for 20 us: iodepth 64 on 4 tags per hardware queue
    dev = m.run("nullb add hw_queue_depth=4 irqmode=timer completion_ns=20000 "
                "memory_backed=1 size=64m")
    assert re.fullmatch(r"null\d+", dev), dev
    assert re.search(rf"^{dev}\s.*\s4\s", m.run("nullb list"), re.M)
    js = m.run_json(f"bench {dev} rw=randread bs=4k iodepth=64 number_ios=6000 "
                    "engine=uring --json", timeout=120)
    job = js["jobs"][0]
    assert job["read"]["total_ios"] == 6000
    assert job["stork"]["error"] == 0
    assert job["stork"]["punted"] > 0
    assert job["stork"]["punt_workers"] >= 1
    # ordered punted writes, then every block reads back as written
    uring_write_then_verify(m, dev, size="2m", extra="")
    out = m.run(f"bench {dev} rw=write bs=4k size=2m iodepth=64 engine=uring serialize=1 "
                "--quiet", timeout=120)
    m_p = re.search(r"punted=(\d+)", out)
    assert m_p and int(m_p.group(1)) > 0, out
    assert "io-wq: workers=" in out


def test_punted_io_keeps_the_submitters_priority(boot):
    """A worker issues punted I/O under the job's io_context: mq-deadline sees the
    job's class (idle) on every request, punted or not, and none as best-effort."""
    m = boot()
    dev = m.run("nullb add hw_queue_depth=4 irqmode=timer completion_ns=20000 size=64m")
    assert re.fullmatch(r"null\d+", dev), dev
    m.run(f"queue {dev} scheduler=mq-deadline")
    js = m.run_json(f"bench {dev} rw=randread bs=4k iodepth=64 number_ios=3000 "
                    "engine=uring prioclass=idle --json", timeout=120)
    job = js["jobs"][0]
    assert job["read"]["total_ios"] == 3000 and job["stork"]["error"] == 0
    assert job["stork"]["punted"] > 0, job["stork"]
    classes = m.run_json(f"queue {dev} --json")["iosched"]["classes"]
    assert classes["idle"]["inserted"] == 3000, classes
    assert classes["be"]["inserted"] == 0 and classes["rt"]["inserted"] == 0, classes
