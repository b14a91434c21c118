"""Background commands: a trailing '&' starts a job whose output is kept apart
until `wait` (or the prompt after it ends) shows it; `jobs` lists them;
`kill %N` stops one as Ctrl-C would; bad job numbers get one error line.
"""
import re

import pytest

JOB_START_RE = re.compile(r"^\[(\d+)\] (\d+)$")


def test_bench_in_background_while_mq_runs(shell):
    m = shell
    start = m.run("bench null0 rw=randread bs=4k iodepth=4 runtime=3 --quiet &")
    assert JOB_START_RE.match(start), start
    assert start.startswith("[1] "), start
    jobs = m.run("jobs")
    assert re.search(r"^\[1\]\+  Running\s+bench null0 rw=randread .* &$", jobs, re.M), jobs
    mq = m.run("mq null0")
    # the bench's report is not mixed into the foreground's output
    assert "IOPS" not in mq and "read:" not in mq, mq
    assert "hctx" in mq or "queue" in mq, mq
    out = m.run("wait", timeout=60)
    assert re.search(r"iops|IOPS", out), out
    assert re.search(r"^\[1\]\+  Done\s+bench null0 rw=randread", out, re.M), out
    assert m.run("jobs") == ""


def test_kill_stops_a_bench(shell):
    m = shell
    assert m.run("bench null0 rw=randread bs=4k runtime=600 --quiet &").startswith("[1] ")
    assert m.run("kill %1") == ""
    out = m.run("wait %1", timeout=30)
    assert "bench: interrupted" in out, out
    assert re.search(r"^\[1\]\+  Interrupt\s+bench null0", out, re.M), out
    assert m.run("jobs") == ""


def test_done_job_reported_before_a_prompt(shell):
    m = shell
    assert m.run("echo hello from the background &").startswith("[1] ")
    out = m.run("echo foreground")
    # the job may end before or after this command runs: then at the next prompt
    if "Done" not in out:
        out += "\n" + m.run("echo again")
    assert out.startswith("foreground"), out
    assert re.search(r"^hello from the background\n\[1\]\+  Done\s+echo hello from the background$",
                     out, re.M), out


def test_ctrl_c_leaves_background_alone(shell):
    m = shell
    assert m.run("bench null0 rw=randread runtime=600 --quiet &").startswith("[1] ")
    m.send("bench null0 rw=randread runtime=600 --quiet\r")
    m.expect(re.compile(r"\r\n"))
    m.send("\x03")
    m.expect(re.compile(r"bench: interrupted"), timeout=30)
    m.sync()
    assert re.search(r"^\[1\]\+  Running", m.run("jobs"), re.M)
    assert m.run("kill %%") == ""
    assert "Interrupt" in m.run("wait", timeout=30)


@pytest.mark.parametrize("cmd, error", [
    ("wait %9", "error: wait: %9: no such job"),
    ("kill %1", "error: kill: %1: no such job"),
    ("kill %x", "error: kill: %x: no such job"),
    ("kill 5", "error: kill: '5': not a job (jobs are %N)"),
    ("kill", "error: usage: kill %N"),
    ("jobs extra", "error: usage: jobs"),
    ("&", "error: syntax error near unexpected token '&'"),
    ("nosuch &", "error: unknown command 'nosuch' (try 'help')"),
    ("wait &", "error: wait: job control runs in the foreground only"),
    ("kill %1 &", "error: kill: job control runs in the foreground only"),
])
def test_bad_job_input(shell, cmd, error):
    assert shell.run(cmd) == error
