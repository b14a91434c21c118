"""CPU hotplug as the shell shows it (docs/hotplug.md): `cpu N offline|online`,
`cpus` states, the boot CPU's refusal, `mq` without the offline CPU, data
checked by `bench verify=crc32c` while `cpu cycle` takes CPUs away and back
on virtio and NVMe, 4 CPUs over 2 queues with every CPU cycled, and the
in-kernel `selftest hotplug`.
"""
import re

from test_nvme import virtio_disk

CYCLE_DONE = re.compile(r"cpu cycle: done, (\d+) offline .*?, (\d+) online .*?, (\d+) errors")
HCTX_CPUS = re.compile(r"^hctx (\d+) type \w+ cpus (\S+) ", re.M)


def hctx_cpus(m, dev):
    return dict(HCTX_CPUS.findall(m.run(f"mq {dev}")))


def wait_cycle(m, out, timeout=300):
    """The summary of `cpu cycle`, in out (a command that ran meanwhile) or
    still to come; check it; resync the prompt."""
    done = CYCLE_DONE.search(out)
    if not done:
        done = m.expect(CYCLE_DONE, timeout, what="the end of cpu cycle")
    m.sync()
    offline, online, errors = (int(x) for x in done.groups())
    assert errors == 0 and offline == online and offline > 0, done.group(0)
    return offline


def bench_during_cycle(m, dev, rw, cycle, size="32m"):
    """Start a cycle, run a verifying bench through it, wait for the cycle."""
    # 300 ms on: not while the bench line is still being typed and echoed
    assert m.run(f"cpu cycle {cycle} delay_ms=300") == "cpu cycle: started"
    # loops=4: a pass over 32m took 0.25 s on a fast host, less than the delay
    out = m.run(f"bench {dev} rw={rw} bs=4k size={size} loops=4 iodepth=8 numjobs=2 "
                "verify=crc32c verify_gen=7", timeout=300)
    # bench prints its report at the end: a transition logged before it ran under it
    assert re.search(r": offline\n(.|\n)*^bench: ", out, re.M), out
    wait_cycle(m, out)
    bench_out = CYCLE_DONE.sub("", out)
    assert "verify:" not in bench_out and "error" not in bench_out, out
    # every vector followed its queue off the CPUs that went
    assert "interrupt vectors still aimed" not in out, out
    return out


def test_offline_online(boot):
    m = boot(smp=4, virtio=virtio_disk("hotplug1"))
    assert hctx_cpus(m, "vda") == {"0": "0", "1": "1", "2": "2", "3": "3"}
    assert m.run("cpu 0 offline").startswith("error: cpu 0: the boot CPU cannot go offline")
    out = m.run("cpu 1 offline")
    assert re.search(r"^cpu 1: offline in \d+\.\d+ ms \(queue remap", out, re.M), out
    assert m.run("cpu 1 offline") == "error: cpu 1: already offline"
    assert re.search(r"^\s+1\s+1\s+offline\s+\d+", m.run("cpus"), re.M)
    j = m.run_json("cpus --json")
    assert j["online"] == 3
    assert [(c["cpu"], c["state"]) for c in j["cpus"]] == [
        (0, "online"), (1, "offline"), (2, "online"), (3, "online")]
    # the map is rebuilt over CPUs 0, 2, 3; no queue serves CPU 1
    maps = hctx_cpus(m, "vda")
    assert sorted(maps.values()) == ["0", "2", "3", "none"], maps
    assert "CPU1" not in m.run("irqs")
    # threads pushed off: nothing but its idle thread on CPU 1
    on_cpu1 = re.findall(r"^\s*\d+\s+(\S+)\s+\S+\s+1\s", m.run("threads"), re.M)
    assert on_cpu1 == ["idle"], on_cpu1
    out = m.run("cpu 1 online")
    assert re.search(r"^cpu 1: online in \d+\.\d+ ms", out, re.M), out
    assert m.run("cpu 1 online") == "error: cpu 1: already online"
    assert hctx_cpus(m, "vda") == {"0": "0", "1": "1", "2": "2", "3": "3"}
    assert m.run("cpu 9 offline").startswith("error: cpu 9: no such CPU")
    assert m.run("cpu 1 sideways").startswith("error: usage")


def test_bench_verify_virtio_and_nvme(boot):
    """`cpu 1 offline` during bench verify=crc32c, then online; data checked after."""
    m = boot(smp=2, nvme=["32m"], virtio=virtio_disk("hotplug2") + ["32m"])
    for dev in ("vdb", "nvme0n1"):
        bench_during_cycle(m, dev, "write", "1 times=2 period_ms=30")
        bench_during_cycle(m, dev, "read", "1 times=2 period_ms=30")
        # and the data read back with every CPU online
        out = m.run(f"bench {dev} rw=read bs=4k size=32m iodepth=8 numjobs=2 "
                    "verify=crc32c verify_gen=7 --quiet", timeout=300)
        assert "verify:" not in out and "error" not in out, out


def test_four_cpus_two_queues_every_cpu(boot):
    m = boot(smp=4, virtio=virtio_disk("hotplug3") + ["32m"])
    m.run("queue vdb nr_hw_queues=2")
    assert hctx_cpus(m, "vdb") == {"0": "0-1", "1": "2-3"}
    bench_during_cycle(m, "vdb", "write", "all times=2 period_ms=10")
    bench_during_cycle(m, "vdb", "read", "all times=2 period_ms=10")
    assert hctx_cpus(m, "vdb") == {"0": "0-1", "1": "2-3"}
    j = m.run_json("cpus --json")
    assert j["online"] == 4


def test_selftest(boot):
    m = boot(smp=4)
    out = m.run("selftest hotplug", timeout=600)
    assert re.search(r"^5 passed, 0 failed$", out, re.M), out
