"""`tools/run-qemu --gdb-stub` and `--gdb`: QEMU's gdb stub comes up, gdb in
batch mode attaches with the kernel's symbols, reads a kernel variable and
runs tools/gdb/stork.py's commands on a machine at its prompt.
"""
import os
import shutil
import socket
import subprocess

import pytest

import stork

pytestmark = pytest.mark.skipif(not shutil.which("gdb"), reason="no gdb (apt-get install gdb)")

GDB_PY = os.path.join(stork.ROOT, "tools", "gdb", "stork.py")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gdb_batch(port, *commands, timeout=120):
    cmd = ["gdb", "-q", "-batch", "-nx", os.path.join(stork.build_dir(), "stork.elf"),
           "-x", GDB_PY, "-ex", f"target remote 127.0.0.1:{port}"]
    for c in commands:
        cmd += ["-ex", c]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return p.stdout + p.stderr


def test_gdb_stub_reads_symbols(boot, request):
    port = free_port()
    m = stork.Machine(smp=2, name="test_gdb_stub")
    m.args[1:1] = ["--gdb-stub", "--gdb-port", str(port)]
    request.node.stork_machines.append(m)      # killed, and its log kept, by the fixture
    m.start()
    out = gdb_batch(port, "print nr_cpus", "print cpu_table[1]->id", "stork-cpus",
                    "stork-threads", "stork-bt 0")
    assert "$1 = 2" in out, out
    assert "$2 = 1" in out, out
    # two CPU rows, each with its current thread
    assert "  0    0 true   " in out and "  1    1 true   " in out, out
    # the shell thread sleeps waiting for a key; its stack is walked to the shell
    assert any(line.split()[1] == "main" and "blocked" in line and "shell_run" in line
               for line in out.splitlines() if line[:4].strip().isdigit()), out
    assert "#0  __schedule+" in out and "console_getc+" in out, out
    # the machine goes on after gdb detaches
    assert m.run("echo still-here") == "still-here"


def test_run_qemu_gdb(tmp_path):
    """--gdb: QEMU in the background, gdb (commands from stdin here) on the stub."""
    port = free_port()
    build = stork.build_dir()
    p = subprocess.run([stork.RUN_QEMU, "--build", build, "--no-disks", "--gdb",
                        "--gdb-wait", "--gdb-port", str(port),
                        "--serial", f"file:{tmp_path / 'console.log'}"],
                       input="print sizeof(struct thread) > 0\ninfo symbol shell_run\n"
                             "print $pc == 0xfff0\nquit\n",
                       capture_output=True, text=True, timeout=120, cwd=stork.ROOT)
    out = p.stdout + p.stderr
    assert "$1 = 1" in out, out
    assert "shell_run in section .text" in out, out
    # --gdb-wait: held at the reset vector until gdb continues
    assert "$2 = 1" in out, out
    assert p.returncode == 0, out


def test_io_profile():
    """tools/io-profile single-steps bench's I/Os on null0 and counts each
    function's instructions: the path's functions are there, and the total is
    the sum of the rows, within what one null0 I/O takes."""
    p = subprocess.run([os.path.join(stork.ROOT, "tools", "io-profile"), "--ios", "2",
                        "--min", "0"], capture_output=True, text=True, timeout=600,
                       cwd=stork.ROOT)
    out = p.stdout + p.stderr
    assert p.returncode == 0, out
    lines = out.splitlines()
    total = float(lines[0].split()[0])
    assert lines[0].endswith("instructions per I/O (2 I/Os stepped)"), out
    rows = {line.split()[1]: float(line.split()[0]) for line in lines[1:]}
    for fn in ("submit_bio", "blk_mq_submit_piece", "nullb_queue_rq", "blk_mq_end_request",
               "job_reap"):
        assert rows.get(fn, 0) > 0, (fn, out)
    assert 500 < total < 5000, out
    assert abs(sum(rows.values()) - total) < 1, out
