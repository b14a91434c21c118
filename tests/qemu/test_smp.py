"""SMP bring-up as the shell shows it: every vCPU online with its own APIC id
and idle thread, the `maxcpus=` limit, `cpus --json`, and the smp self tests.
See docs/smp.md.
"""
import re

import pytest

CPU_LINE = re.compile(r"^\s*(\d+)\s+(\d+)\s+online\s+(\d+)\s+(\d+)\s+(\d+)%$", re.M)
OFFLINE_LINE = re.compile(r"^\s*-\s+(\d+)\s+offline\s+\((.+)\)$", re.M)


def online_cpus(m):
    """(cpu, apic id) of each `online` line of `cpus`."""
    return [(int(c), int(a)) for c, a, *_ in CPU_LINE.findall(m.run("cpus"))]


@pytest.mark.parametrize("smp", [1, 2, 4, 8])
def test_every_cpu_online(boot, smp):
    m = boot(smp=smp)
    assert re.search(rf"smp: {smp} CPUs? online", m.boot_log)
    cpus = online_cpus(m)
    assert [c for c, _ in cpus] == list(range(smp))
    assert len({a for _, a in cpus}) == smp, f"APIC ids not distinct: {cpus}"
    idle = re.findall(r"^\s*\d+\s+idle\s+\S+\s+(\d+)\s", m.run("threads"), re.M)
    assert sorted(int(c) for c in idle) == list(range(smp))
    if smp > 1:
        out = m.run("selftest smp")
        assert re.search(r"^(\d+) passed, 0 failed$", out, re.M), out


def test_maxcpus(boot):
    m = boot(smp=4, append="maxcpus=2")
    assert [c for c, _ in online_cpus(m)] == [0, 1]
    assert len(OFFLINE_LINE.findall(m.run("cpus"))) == 2
    j = m.run_json("cpus --json")
    assert j["online"] == 2
    assert [c["state"] for c in j["cpus"]] == ["online", "online", "offline", "offline"]
    assert {c["reason"] for c in j["cpus"] if c["state"] == "offline"} == {"maxcpus"}


def test_cpus_json_and_times(boot):
    m = boot(smp=2)
    j = m.run_json("cpus --json")
    assert j["online"] == 2
    for c in j["cpus"]:
        assert c["state"] == "online"
        assert c["busy_ms"] + c["idle_ms"] > 0
        assert 0 <= c["busy_pct"] <= 100
    assert m.run("cpus extra").startswith("error:")
