"""The memory manager seen from the shell: `mem` totals agree with the
machine's size and with themselves, the firmware map is reported, and the
in-kernel memory self tests pass (free counts return to their start). The AP
trampoline page comes from the firmware map (moved by `memmap=`, missing
for one CPU), and a kernel image over reserved memory is refused."""
import re

import pytest

import stork


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


# --- fixed physical ranges against the firmware map (memmap= is Linux's option) -------
@pytest.mark.parametrize("append,trampoline,cpus", [
    ("", "0x8000", 2),
    ("memmap=4K$0x8000", "0x1000", 2),          # the usual page reserved: the next one
    ("memmap=8K$0x1000 memmap=4K$0x8000", "0x3000", 2),
])
def test_trampoline_from_firmware_map(boot, append, trampoline, cpus):
    m = boot(smp=2, append=append)
    assert f"smp: AP trampoline at {trampoline} (usable RAM in the firmware map)" in m.boot_log
    assert f"smp: {cpus} CPUs online" in m.boot_log
    assert m.run_json("cpus --json")["online"] == cpus


def test_no_trampoline_page(boot):
    """Nothing usable below 1 MiB: one CPU, said plainly, and the machine works."""
    m = boot(smp=2, append="memmap=1M$0")
    assert "no usable page below 1 MiB for the AP trampoline" in m.boot_log
    assert "smp: 1 CPU online" in m.boot_log
    assert m.run_json("cpus --json")["online"] == 1


def test_kernel_image_over_reserved_memory_refused():
    """The loader put the image where the map says firmware lives: stop, say why."""
    m = stork.Machine(smp=1, append="memmap=64K$0x120000", name="test_mem_refuse")
    try:
        m.start(timeout=20, until=re.compile(r"^halting\r?$", re.M))
        assert "not usable RAM in the firmware memory map: refusing to run" in m.log
        assert not stork.PROMPT_RE.search(m.log)
    finally:
        m.kill()
