"""QEMU tests of per-stage I/O tracing (`trace`), exits per I/O in `bench`,
and the device floor (`floor`): docs/blk-trace.md.

One machine with stork's null0, an NVMe namespace and a virtio-blk disk.
On each, a traced bench run must leave records in which every stage is
stamped and the stamps never go back through the stages of one I/O; the
dump prints one line per stage of each I/O; bench reports exits/io in its
text and JSON; floor runs on NVMe and virtio. No timing assertions.
"""
import re
from collections import defaultdict

import pytest

STAGES = ["submit", "tag", "dispatch", "doorbell", "reap", "complete", "end_io", "job_reap"]
DEVS = ["null0", "nvme0n1", "vda"]


@pytest.fixture(scope="module")
def machine(tmp_path_factory):
    import stork
    # images of its own: another module's machine may not have let go of build/nvme0.img yet
    d = tmp_path_factory.mktemp("trace")
    imgs = []
    for name in ("nvme.img", "vd.img"):
        with open(d / name, "wb") as f:
            f.truncate(64 << 20)
        imgs.append(str(d / name))
    # nvme.cq_defer=32: the tests below run with the deferred CQ head doorbell
    m = stork.Machine(nvme=[imgs[0]], virtio=[imgs[1]], append="nvme.cq_defer=32",
                      name="test_trace")
    try:
        m.start()
        yield m
    finally:
        m.kill()


@pytest.mark.parametrize("dev", DEVS)
def test_trace_stages_in_order(machine, dev):
    m = machine
    out = m.run(f"trace {dev} on")
    assert out == f"{dev}: tracing on", out
    m.run(f"trace {dev} clear")
    # iodepth 1: each request rings its own doorbell (in a batch only the last one does)
    out = m.run(f"bench {dev} rw=randread bs=4k iodepth=1 number_ios=200 --quiet", timeout=60)
    assert "error" not in out, out
    show = m.run_json(f"trace {dev} show --json")
    assert show["on"] and show["records"] >= 200 and show["rejected"] == 0, show
    # folded off the I/O path: 200 I/Os fit a CPU's ring, nothing may be lost
    assert show["dropped"] == 0, show
    counts = {s["stage"]: s["count"] for s in show["stages"]}
    for stage in STAGES[1:]:
        assert counts[stage] >= 200, (stage, counts)
    assert show["total"]["count"] == show["records"]
    pct = show["total"]["percentile"]
    assert [pct[k] for k in sorted(pct, key=float)] == sorted(pct.values())

    dump = m.run_json(f"trace {dev} dump 8 --json")
    assert dump["ios"] == 8
    ios = defaultdict(list)
    for ev in dump["events"]:
        ios[ev["io"]].append(ev)
    assert len(ios) == 8
    for evs in ios.values():
        by_stage = {e["stage"]: e["tsc"] for e in evs}
        assert list(by_stage) and sorted(by_stage, key=STAGES.index) == STAGES, by_stage
        stamps = [by_stage[s] for s in STAGES]
        assert stamps == sorted(stamps), by_stage
        assert len({(e["sector"], e["bytes"], e["tag"], e["hctx"]) for e in evs}) == 1
        assert evs[0]["bytes"] == 4096
    times = [e["time_ns"] for e in dump["events"]]
    assert times == sorted(times)

    text = m.run(f"trace {dev} dump 2")
    lines = [l for l in text.splitlines() if re.match(r"\s*\d+\.\d{9} ", l)]
    assert len(lines) == 2 * len(STAGES), text
    for stage in STAGES:
        assert any(f" {stage} " in l for l in lines), (stage, text)
    m.run(f"trace {dev} off")
    out = m.run(f"trace {dev}")
    assert "tracing off" in out and "job_reap" in out
    # off is off (the disk's I/O leaves the traced twins), and on again is on
    before = m.run_json(f"trace {dev} show --json")["records"]
    m.run(f"bench {dev} rw=randread bs=4k iodepth=4 number_ios=100 --quiet", timeout=60)
    assert m.run_json(f"trace {dev} show --json")["records"] == before
    m.run(f"trace {dev} on")
    m.run(f"bench {dev} rw=randread bs=4k iodepth=4 number_ios=100 --quiet", timeout=60)
    assert m.run_json(f"trace {dev} show --json")["records"] == before + 100
    m.run(f"trace {dev} off")


def test_trace_cpu_of_each_stamp(machine):
    """Each stamp carries the CPU that took it (rdtscp's TSC_AUX, set on
    every CPU as it starts): a job bound to CPU 1 on null0 (completed
    inline) stamps every stage on CPU 1, one bound to CPU 0 on CPU 0."""
    m = machine
    m.run("trace null0 on")
    for cpu in (1, 0):
        m.run("trace null0 clear")
        out = m.run(f"bench null0 rw=randread iodepth=1 number_ios=50 cpus_allowed={cpu} --quiet",
                    timeout=60)
        assert f"(cpu {cpu})" in out, out
        dump = m.run_json("trace null0 dump 4 --json")
        assert dump["ios"] == 4 and len(dump["events"]) == 4 * len(STAGES), dump
        assert {e["cpu"] for e in dump["events"]} == {cpu}, dump
    m.run("trace null0 off")


def test_bench_trace_option(machine):
    out = machine.run("bench null0 rw=randread number_ios=500 trace=1 --quiet", timeout=60)
    assert "trace null0 (TSC cycles per stage):" in out, out
    for stage in STAGES[1:] + ["total"]:
        assert re.search(rf"^\s+{stage}\s+\d+", out, re.M), (stage, out)
    # bench turned tracing on for the run only
    assert "tracing off" in machine.run("trace null0")


@pytest.mark.parametrize("dev", DEVS)
def test_bench_exits_per_io(machine, dev):
    out = machine.run(f"bench {dev} rw=randread iodepth=1 number_ios=300 --quiet", timeout=60)
    m = re.search(r"exits/io=(\d+\.\d+) \(doorbell=(\d+\.\d+) irq=(\d+\.\d+) eoi=(\d+\.\d+) "
                  r"mmio_read=(\d+\.\d+)\)", out)
    assert m, out
    js = machine.run_json(f"bench {dev} rw=randread iodepth=1 number_ios=300 --json", timeout=60)
    st = js["jobs"][0]["stork"]
    assert st["exits"]["ios"] == 300 and "exits_per_io" in st, st
    if dev != "null0":
        # each I/O rings at least the submission doorbell
        assert st["exits"]["doorbell"] >= 300 and st["exits_per_io"] >= 1.0, st


@pytest.mark.parametrize("dev,driver", [("nvme0n1", "nvme"), ("vda", "virtio-blk")])
def test_floor(machine, dev, driver):
    js = machine.run_json(f"floor {dev} ios=200 --json", timeout=120)
    assert js["driver"] == driver and js["ios"] == 200, js
    assert 0 < js["lat_min_ns"] <= js["lat_p50_ns"] <= js["lat_max_ns"]
    assert js["iops"] > 0 and js["exits"]["doorbell"] >= 200, js
    out = machine.run(f"floor {dev} ios=100 rw=write")
    assert re.search(r"floor at iodepth 1, 100 writes of 4096 B", out), out
    assert "IOPS=" in out and "exits/io=" in out
    # wait=irq: every command ends by its interrupt, taken on this CPU
    def queue_vectors():
        return sorted(v["name"] for v in machine.run_json("irqs --json")["vectors"]
                      if "-q" in v["name"])
    before = queue_vectors()
    js = machine.run_json(f"floor {dev} ios=200 wait=irq --json", timeout=120)
    assert js["wait"] == "irq" and js["ios"] == 200 and "interrupt" in js["how"], js
    assert js["exits"]["irq"] >= 200 and js["exits"]["eoi"] >= 200, js
    assert machine.run(f"floor {dev} wait=never").startswith("error: wait=never")
    # jobs=2: two streams at once, one per CPU, each on a queue of its own
    for wait in ("irq", "spin"):
        js = machine.run_json(f"floor {dev} ios=100 wait={wait} jobs=2 --json", timeout=120)
        assert js["jobs"] == 2 and js["ios"] == 200 and len(js["iops_per_job"]) == 2, js
        assert js["iops"] == pytest.approx(sum(js["iops_per_job"]), rel=1e-3), js
        assert js["exits"]["doorbell"] >= 200, js
        if wait == "irq":
            assert js["exits"]["irq"] >= 200, js
    out = machine.run(f"floor {dev} ios=100 jobs=2")
    assert re.search(r"2 streams at once \(CPUs 0,1\)", out) and re.search(r"IOPS=[\d.]+ \([\d.]+ \+ [\d.]+\)", out), out
    assert machine.run(f"floor {dev} jobs=3").startswith("error: jobs=3:")
    # no handler is left on the floor's vector (NVMe's pair had its own), and the disk works
    assert queue_vectors() == before
    assert "error" not in machine.run(f"bench {dev} rw=randread number_ios=50 --quiet", timeout=60)


def test_floor_refuses_null(machine):
    assert machine.run("floor null0").startswith("error")


def test_nvme_cq_defer(machine):
    """nvme.cq_defer=N: fewer CQ head doorbells, and the data still right at
    every depth (the ring never fills: the deferral gives way first)."""
    m = machine
    for depth in (1, 32, 1023):
        out = m.run(f"bench nvme0n1 rw=write bs=4k size=8m iodepth={depth} verify=crc32c "
                    f"verify_gen={depth} --quiet", timeout=120)
        assert "error" not in out, out
        out = m.run(f"bench nvme0n1 rw=read bs=4k size=8m iodepth={depth} verify=crc32c "
                    f"verify_gen={depth} --quiet", timeout=120)
        assert "error" not in out and "verify errors" not in out, out
    js = m.run_json("bench nvme0n1 rw=randread iodepth=1 number_ios=500 --json", timeout=60)
    ex = js["jobs"][0]["stork"]["exits"]
    # one SQ doorbell per I/O, and a CQ head doorbell only every 32 or so
    assert ex["ios"] == 500 and 500 <= ex["doorbell"] < 600, ex


def test_nvme_cq_defer_poll_default(machine):
    """A polled pair defers its CQ head doorbell by default (nvme.cq_defer_poll,
    32): no interrupt to hold back. Data right at every depth, about one
    doorbell (the SQ tail) per I/O."""
    m = machine
    out = m.run("queue nvme0n1 poll_queues=1")
    assert "error" not in out, out
    try:
        for depth in (1, 32, 1023):
            for rw in ("write", "read"):
                out = m.run(f"bench nvme0n1 rw={rw} bs=4k size=8m iodepth={depth} engine=poll "
                            f"verify=crc32c verify_gen={depth + 7} --quiet", timeout=120)
                assert "error" not in out and "verify errors" not in out, out
        js = m.run_json("bench nvme0n1 rw=randread iodepth=1 number_ios=500 hipri --json",
                        timeout=60)
        ex = js["jobs"][0]["stork"]["exits"]
        assert ex["ios"] == 500 and 500 <= ex["doorbell"] < 600 and ex["irq"] < 50, ex
    finally:
        m.run("queue nvme0n1 poll_queues=0")
