"""pytest fixtures for the QEMU tests; the harness itself is in stork.py.

    def test_x(boot):                 # a fresh machine per call, killed at teardown
        m = boot(smp=4, nvme=["64m"])
        assert "nvme0n1" in m.run("lsblk")

    def test_y(shell):                # one default machine shared by the module
        assert shell.run("echo hi") == "hi"

Tests that may leave the shell in a bad state (floods, crashes, poweroff)
take `boot`; cheap read-only ones take `shell`. A failing test's report
carries the tail of the console of each machine it used; full logs are kept in
$STORK_BUILD/test-logs/.
"""
import re

import pytest

import stork


def _log_name(nodeid, n):
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("/")[-1])
    return f"{name}-{n}" if n else name


@pytest.fixture
def boot(request):
    machines = []
    request.node.stork_machines = machines

    def start(smp=2, mem="256M", append="", nvme=(), virtio=(), iso=False, extra=(),
              serial="stdio"):
        m = stork.Machine(smp=smp, mem=mem, append=append, nvme=nvme, virtio=virtio, iso=iso,
                          extra=extra, serial=serial,
                          name=_log_name(request.node.nodeid, len(machines)))
        machines.append(m)
        return m.start()

    yield start
    for m in machines:
        m.kill()


@pytest.fixture(scope="module")
def shell(request):
    m = stork.Machine(name=_log_name(request.node.nodeid, 0) + "-shell")
    try:
        m.start()
        yield m
    finally:
        m.kill()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    # a MachineError already carries the console's tail
    if rep.failed and not (call.excinfo and call.excinfo.errisinstance(stork.MachineError)):
        machines = list(getattr(item, "stork_machines", []))
        if "shell" in getattr(item, "funcargs", {}):
            machines.append(item.funcargs["shell"])
        for m in machines:
            rep.sections.append((f"console of {m.name} (tail)",
                                 stork.printable(m.log[-stork.TAIL:])))
