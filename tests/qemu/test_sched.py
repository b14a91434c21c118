"""Threads, locks and the scheduler seen from the console: the in-kernel
self tests pass on 1, 2, 4 and 8 vCPUs, the shell answers while a CPU hog
runs on every CPU, and Ctrl-C stops a long command. (`cpus` itself is
checked by test_smp.py.)
"""
import re
import time

import pytest

SMP_COUNTS = [1, 2, 4, 8]
SUMMARY_RE = re.compile(r"^(\d+) passed, (\d+) failed$", re.M)


@pytest.mark.parametrize("smp", SMP_COUNTS)
def test_selftest_all_pass(boot, smp):
    m = boot(smp=smp)
    # generous: 8 vCPUs on a shared 2-core host run the hammer tests slowly
    out = m.run("selftest", timeout=240)
    summary = SUMMARY_RE.search(out)
    assert summary, f"no summary line in:\n{out}"
    failed_tests = re.findall(r"^  FAIL (\S+)", out, re.M)
    assert int(summary.group(2)) == 0, f"failed on {smp} CPUs: {failed_tests}\n{out}"
    assert int(summary.group(1)) > 0
    for suite in ("sched", "locks", "timers", "ipi", "memsmp"):
        assert re.search(rf"^  ok {suite}\.", out, re.M), f"suite {suite} did not run"


@pytest.mark.parametrize("smp", [2, 8])
def test_shell_answers_under_hog(boot, smp):
    m = boot(smp=smp)
    out = m.run("hog 20")
    assert re.search(rf"^{smp} hog threads", out, re.M), out
    threads = m.run("threads")
    assert len(re.findall(r"^\s*\d+ hog\s", threads, re.M)) == smp, threads
    for i in range(3):
        start = time.monotonic()
        assert m.run(f"echo alive-{i}", timeout=10) == f"alive-{i}"
        assert time.monotonic() - start < 10, "the shell took more than 10 s to answer"
    assert "stopping" in m.run("hog stop")
    # the hogs end and are reaped: no hog thread remains
    deadline = time.monotonic() + 20
    while re.search(r"^\s*\d+ hog\s", m.run("threads"), re.M):
        assert time.monotonic() < deadline, "hog threads still listed 20 s after 'hog stop'"
        time.sleep(0.2)


def test_ctrl_c_stops_sleep(boot):
    m = boot(smp=2)
    m.skip_pending()
    m.send("sleep 30\r")
    m.expect(r"sleep 30\r\n", 10)
    time.sleep(0.5)
    start = time.monotonic()
    m.send(b"\x03")
    m.expect(r"\^C", 5, what="^C after Ctrl-C")
    m.sync(timeout=5)
    assert time.monotonic() - start < 10, "sleep 30 did not stop within 10 s of Ctrl-C"


@pytest.mark.parametrize("bad", ["hog", "hog 0", "hog x", "hog 5 cpus=999", "hog 5 cpu=1",
                                 "sleep", "sleep -1", "sleep 1 2"])
def test_bad_arguments(boot, bad):
    m = boot(smp=1)
    out = m.run(bad)
    assert out.startswith("error:") and out.count("\n") == 0, out
