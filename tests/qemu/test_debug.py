"""The debug kernel (`make DEBUG=1`): UBSan, slab red zones and poisoning,
lockdebug. The self tests must run clean on it (no UBSan or slab finding,
no failure), and each checker must catch what it is for.

`make qemu-test` builds the debug kernel into STORK_DEBUG_BUILD
(build-debug); run by hand, this module skips when that kernel is missing.
"""
import os
import re

import pytest

import stork

DEBUG_BUILD = os.path.abspath(os.environ.get("STORK_DEBUG_BUILD",
                                             os.path.join(stork.ROOT, "build-debug")))

pytestmark = pytest.mark.skipif(not os.path.exists(os.path.join(DEBUG_BUILD, "stork.elf")),
                                reason="no debug kernel (make DEBUG=1)")


@pytest.fixture
def debug_boot(request, monkeypatch, boot):
    monkeypatch.setenv("STORK_BUILD", DEBUG_BUILD)
    return boot


def findings(log):
    return re.findall(r"(UBSAN: [^\r\n]*|slab: [^\r\n]*|lockdebug: [^\r\n]*)", log)


def test_selftests_clean_on_the_debug_kernel(debug_boot):
    m = debug_boot(nvme=["16m"], virtio=["16m"])
    out = m.run("selftest", timeout=900)
    summary = re.search(r"^(\d+) passed, (\d+) failed", out, re.M)
    # each failure with the lines before it (its self test's own messages)
    failed = [out[max(0, f.start() - 600):f.end()] for f in re.finditer(r"^  FAIL \S+.*$", out, re.M)]
    assert summary and summary.group(2) == "0", "\n...\n".join(failed) or out[-3000:]
    assert not findings(m.log), findings(m.log)


@pytest.mark.parametrize("kind,report", [
    ("ubsan", r"UBSAN: addition overflow of 'int' at kernel/panic_shell\.c:\d+:\d+ in crash_ubsan"),
    ("slab-overflow", r"slab: write past the end \(red zone overwritten\): \S+ in crash-test "
                      r"\(24-byte objects\), byte \+24 is 0x42, not 0xbb"),
    ("use-after-free", r"slab: use after free \(written while free\): \S+ in crash-test "
                       r"\(24-byte objects\), byte \+20 is 0x42, not 0x6b"),
])
def test_debug_checkers_report_and_go_on(debug_boot, kind, report):
    m = debug_boot(smp=1)
    out = m.run(f"crash {kind}")
    assert re.search(report, out), out
    assert "returned from" in out, out
    assert m.run("echo alive") == "alive"


def test_debug_kinds_refused_on_the_normal_kernel(shell):
    assert "needs the debug kernel" in shell.run("crash use-after-free")
