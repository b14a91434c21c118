"""The memory manager seen from the shell: `mem` totals agree with the
machine's size and with themselves, the firmware map is reported, and the
in-kernel memory self tests pass (free counts return to their start)."""
import pytest


@pytest.mark.parametrize("mem_mib", [64, 256, 2048])
def test_mem_totals(boot, mem_mib):
    m = boot(smp=1, mem=f"{mem_mib}M")
    info = m.run_json("mem --json")
    total_mib = info["total_kib"] / 1024
    # usable RAM: all of it but firmware areas and the hole below 4 GiB
    assert mem_mib * 0.85 < total_mib <= mem_mib, info
    assert 0 < info["free_kib"] < info["total_kib"]
    assert info["used_kib"] + info["free_kib"] + info["reserved_kib"] == info["total_kib"]
    assert any(e["type"] == "usable" for e in info["firmware_map"])
    names = {c["name"] for c in info["caches"]}
    assert "kmalloc-64" in names, names


def test_mem_text(shell):
    out = shell.run("mem")
    assert "free" in out and "usable" in out
    assert shell.run("mem --bogus").startswith("error:")


def test_mem_selftest(shell):
    out = shell.run("selftest mem", timeout=120)
    assert out.splitlines()[-1].endswith(" 0 failed"), out
    assert "FAIL" not in out
