"""The block core and the null device from the console: the `blk` self
tests pass on 1 and 4 vCPUs, null0 exists at boot, `nullb` makes, lists and
removes devices, boot options shape the boot's devices, and bad input gets
one error line.
"""
import re

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


def test_boot_options(boot):
    m = boot(smp=2, append="null_blk.nr_devices=2 null_blk.size=16m null_blk.queues=1 "
                           "null_blk.irqmode=ipi")
    devs = {d["name"]: d for d in m.run_json("nullb list --json")["devices"]}
    assert set(devs) == {"null0", "null1"}
    assert all(d["size"] == 16 << 20 and d["queues"] == 1 and d["irqmode"] == "ipi"
               for d in devs.values())


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
