"""The block core and the null device from the console: the `blk` self
tests pass on 1 and 4 vCPUs, null0 exists at boot, `nullb` makes, lists and
removes devices, boot options shape the boot's devices, a CPU waiting for
I/O polls before it halts (and does not with `idle poll_ns=0`), and bad
input gets one error line.
"""
import re
import time

import pytest

SUMMARY_RE = re.compile(r"^(\d+) passed, (\d+) failed$", re.M)


@pytest.mark.parametrize("smp", [1, 4])
def test_selftest_blk(boot, smp):
    m = boot(smp=smp)
    out = m.run("selftest blk", timeout=120)
    summary = SUMMARY_RE.search(out)
    assert summary, out
    assert int(summary.group(2)) == 0, out
    assert int(summary.group(1)) >= 10, out


def test_null0_at_boot(boot):
    m = boot(smp=2)
    disks = m.run_json("lsblk --json")["blockdevices"]
    null0 = [d for d in disks if d["name"] == "null0"]
    assert null0, disks
    d = null0[0]
    assert d["driver"] == "null" and d["size"] == 512 << 20
    assert d["log_sec"] == 512 and d["hw_queues"] == 2 and d["sched"] == "none"
    assert d["ro"] is False and d["children"] == []


def test_nullb_add_list_del(boot):
    m = boot(smp=2)
    name = m.run("nullb add size=64m bs=4k queues=1 poll_queues=1 memory_backed=1 depth=8")
    assert name == "null1", name
    devs = {d["name"]: d for d in m.run_json("nullb list --json")["devices"]}
    assert devs["null1"]["bs"] == 4096 and devs["null1"]["poll_queues"] == 1
    assert devs["null1"]["memory_backed"] is True
    disks = {d["name"]: d for d in m.run_json("lsblk --json")["blockdevices"]}
    assert disks["null1"]["log_sec"] == 4096 and disks["null1"]["poll_queues"] == 1
    assert re.search(r"^null1\s+null\s+64M\s+4096\s+4096\s+1\+1p\s+none\s+0$",
                     m.run("lsblk"), re.M)
    assert m.run("nullb del null1") == ""
    assert "null1" not in m.run("lsblk")
    assert m.run("nullb add irqmode=timer completion_ns=5000") == "null1"
    # shared tag sets (docs/shared_tags.md): two devices on one depth, fair shares
    out = m.run("selftest blk_shared", timeout=60)
    assert SUMMARY_RE.search(out) and "1 passed, 0 failed" in out, out


def test_boot_options(boot):
    m = boot(smp=2, append="null_blk.nr_devices=2 null_blk.size=16m null_blk.queues=1 "
                           "null_blk.irqmode=ipi null_blk.shared_tags=1 idle_poll_ns=30000")
    assert m.run_json("idle --json")["poll_ns"] == 30000
    devs = {d["name"]: d for d in m.run_json("nullb list --json")["devices"]}
    assert set(devs) == {"null0", "null1"}
    assert all(d["size"] == 16 << 20 and d["queues"] == 1 and d["irqmode"] == "ipi"
               and d["shared_tags"] is True for d in devs.values())
    # one tag set under both: each queue knows it shares, and with whom
    mq = m.run_json("mq null1 --json")
    assert mq["tag_set_shared"] is True and mq["tag_set_queues"] == 2, mq
    assert "null1: tag set shared by 2 queues" in m.run("mq null1")


def idle_totals(m):
    cpus = m.run_json("idle --json")["cpus"]
    return {k: sum(c[k] for c in cpus) for k in ("caught", "timed_out", "halts", "polled_ns")}


def bench_ios(out):
    got = re.search(r"read: IOPS=\S+, .*?, (\d+) I/Os in", out)
    assert got, out
    return int(got.group(1))


def test_idle_polling(boot):
    """A job at iodepth 1 on a device that completes 20 us later from a timer
    interrupt: its CPU's idle stretches poll (the probe halts 1 in 16), and
    every stretch is counted once; with `idle poll_ns=0` none polls."""
    m = boot(smp=2)
    idle = m.run_json("idle --json")
    assert idle["poll_ns"] == 200000 and len(idle["cpus"]) == 2, idle
    assert m.run("nullb add size=16m queues=1 irqmode=timer completion_ns=20000") == "null1"
    bench = "bench null1 rw=randread iodepth=1 runtime=1 cpus_allowed=1"
    assert m.run("idle clear") == ""
    ios = bench_ios(m.run(bench, timeout=60))
    t = idle_totals(m)
    stretches = t["caught"] + t["timed_out"] + t["halts"]
    assert t["caught"] > 0 and t["polled_ns"] > 0, t
    # one stretch per I/O at most (a stretch can end in a tick, not the I/O)
    assert ios // 2 <= stretches <= ios + 2000, (ios, t)
    assert "off" in m.run("idle poll_ns=0")
    assert m.run("idle clear") == ""
    ios = bench_ios(m.run(bench, timeout=60))
    t = idle_totals(m)
    assert t["caught"] == 0 and t["timed_out"] == 0 and t["polled_ns"] == 0, t
    assert t["halts"] >= ios // 2, (ios, t)
    text = m.run("idle")
    assert "halts at once" in text and re.search(r"^\s+1\s+\d+\s+0\s+0\s+\d+", text, re.M), text
    for bad in ("idle poll_ns=abc", "idle poll_ns=20000000", "idle poll_ns=", "idle extra"):
        out = m.run(bad)
        assert out.startswith("error:") and out.count("\n") == 0, (bad, out)


@pytest.mark.parametrize("cmd", ["nullb", "nullb add size=x", "nullb add bs=1000",
                                 "nullb add depth=0", "nullb add nosuch=1", "nullb add size",
                                 "nullb del", "nullb del nosuch", "nullb list extra",
                                 "lsblk extra"])
def test_bad_input(shell, cmd):
    out = shell.run(cmd)
    assert out.startswith("error:") and len(out.splitlines()) == 1, out


def test_request_timeout_reaches_the_driver(boot):
    """A request the device never completes (null's timeout_every) is found
    by blk-mq's timeout scan, handed to the driver's timeout handler, and ends
    with ETIMEDOUT; the others complete and the disk goes on working."""
    m = boot(smp=2)
    assert "null1" in m.run("nullb add size=16m timeout_ms=300 timeout_every=2")
    results = [m.run(f"write null1 {lba} 1 pattern=0x5a", timeout=30) for lba in range(4)]
    failed = [r for r in results if "error:" in r]
    assert len(failed) == 2, results
    assert all("ETIMEDOUT" in r for r in failed), results
    assert "timed out" in m.run("dmesg")
    assert m.run("echo alive") == "alive"


def mem_counts(m):
    """Objects in use per slab cache, and free memory, from `mem --json`.

    A cache with no object in use may keep an empty slab for the next
    allocation (whether it does depends on the interleaving): that is
    free memory too, not a leak.
    """
    doc = m.run_json("mem --json")
    idle = sum(c["bytes"] for c in doc["caches"] if c["in_use"] == 0) // 1024
    return ({c["name"]: c["in_use"] for c in doc["caches"]}, doc["free_kib"] + idle)


def test_nullb_del_under_bench(boot):
    """`nullb del` while a bench runs on the disk: the bench's I/O fails with
    ENODEV (an error, not a crash), the name goes at once, and when the bench
    lets go every slab object and page the disk took is back."""
    m = boot(smp=2)
    # a first round creates what stays for good (slab caches, pools, stacks)
    assert m.run("nullb add size=16m") == "null1"
    assert "error" not in m.run("queue null1 scheduler=mq-deadline")
    # in the background, as below: the same threads, so the same stacks kept for reuse
    assert re.match(r"^\[1\] \d+$", m.run("bench null1 rw=randread runtime=200ms numjobs=2 --quiet &"))
    m.run("wait", timeout=60)
    assert m.run("nullb del null1") == ""
    slab0, free0 = mem_counts(m)

    assert m.run("nullb add size=16m memory_backed=1 irqmode=timer completion_ns=20000") == "null1"
    assert m.run("write null1 0 8 pattern=seq").startswith("wrote")
    # a scheduler: its data and the jobs' icqs (block/blk_ioc) must go too
    assert "error" not in m.run("queue null1 scheduler=mq-deadline")
    start = m.run("bench null1 rw=randrw bs=4k iodepth=8 numjobs=2 runtime=600 --quiet &")
    assert re.match(r"^\[1\] \d+$", start), start
    deadline = time.time() + 30
    while "Running" in m.run("jobs") and time.time() < deadline:
        if m.run("read null1 0 1").startswith("00000000"):
            break
    time.sleep(0.5)
    out = m.run("nullb del null1")
    assert re.match(r"^null1: removed while open \(2 users\)", out), out
    assert "null1" not in m.run("lsblk")
    assert m.run("read null1 0 1").startswith("error: no disk 'null1'")
    out = m.run("wait", timeout=60)
    assert "I/O error ENODEV" in out, out
    assert re.search(r"^\[1\]\+  Exit 22\s+bench null1", out, re.M), out
    assert m.run("echo alive") == "alive"

    slab1, free1 = mem_counts(m)
    grew = {k: (slab0.get(k, 0), v) for k, v in slab1.items() if v > slab0.get(k, 0)}
    assert not grew, grew
    assert free1 >= free0, (free0, free1)


def test_polled_iodepth_above_tag_depth(boot):
    """A polled submitter that runs out of tags reaps its own poll queue while
    it waits: asleep, it waited for completions nobody polled for, until the
    30 s request timeout found them. Depth 8, iodepth 64, both directions,
    data verified, and no request ever reaches its timeout."""
    m = boot(smp=2)
    name = m.run("nullb add size=16m queues=1 poll_queues=1 memory_backed=1 depth=8")
    for rw in ("write", "read"):
        # well under the 30 s a stall lasted
        out = m.run(f"bench {name} rw={rw} bs=4k size=4m iodepth=64 engine=poll "
                    f"verify=crc32c verify_gen=3 --quiet", timeout=25)
        assert "error" not in out and "verify errors" not in out, out
    assert "timed out" not in m.log and "timed-out" not in m.log, m.log[-2000:]
