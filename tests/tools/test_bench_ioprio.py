"""Host tests of tools/bench-ioprio's Linux side and report (no QEMU).

The Linux console parser runs on a real console excerpt (Linux 6.1 + fio
3.33, mq-deadline, A and B side by side, a check run and a measured run:
tests/tools/data/ioprio-linux-console.txt) and must find fio's JSON, the
setup lines and the samples; the check that the priority classes reached
Linux must pass on it and fail, naming why, when the RT (or BE) evidence
is taken out. The command
lines must give fio and stork the same jobs. The report runs on a recorded
run of both kernels (tests/tools/data/ioprio.json, cut down to the fields
the report reads) through --from-json, and its ratios are recomputed here
from the raw figures.

    /usr/bin/python3 -m pytest -q tests/tools      (make tools-test)
"""
import importlib.machinery
import importlib.util
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "tests", "tools", "data")
TOOL = os.path.join(ROOT, "tools", "bench-ioprio")
sys.path.insert(0, os.path.join(ROOT, "tools"))

_loader = importlib.machinery.SourceFileLoader("bench_ioprio", TOOL)
_spec = importlib.util.spec_from_loader("bench_ioprio", _loader)
bio = importlib.util.module_from_spec(_spec)
_loader.exec_module(bio)


def console():
    with open(os.path.join(DATA, "ioprio-linux-console.txt")) as f:
        # as on the serial line: kernel messages before and after the markers
        return "[    1.0] virtio_blk virtio1: [vda] 8388608 512-byte logical blocks\n" + \
            f.read() + "\nreboot: Power down\n"


def test_parse_linux_console():
    runs = bio.parse_linux_console(console())
    assert list(runs) == ["check/randread", "mq-deadline/randread"]
    js, info = runs["mq-deadline/randread"]
    assert [j["jobname"] for j in js["jobs"]] == ["A", "B"]
    a = bio.job_figures(js, "A")
    assert 0 < a["p50"] <= a["p99"] and a["iops"] > 0
    assert bio.job_figures(js, "B")["iops"] > 0
    assert info["scheduler"].startswith("[mq-deadline]")
    assert info["nr_requests"] == "64" and info["nr_tags"] == "16"
    assert info["fio_exit"] == "0"
    # the measured run is not sampled
    assert info["samples"] == 0 and info["busy"] == [] and info["ionice"] == []
    assert bio.linux_check("mq-deadline/randread", info) is None

    js, info = runs["check/randread"]
    assert js is None
    assert info["samples"] == 14 and len(info["busy"]) == 14
    assert all(b[3] == bio.BUSY_READS for b in info["busy"])
    rt, be, idle, reads = bio.busy_counts(info)
    assert (rt, be, idle, reads) == (886, 719, 0, 14 * bio.BUSY_READS)
    assert "realtime: prio 0" in info["ionice"] and "best-effort: prio 4" in info["ionice"]
    assert bio.linux_check("check/randread", info) is None


def check_of(text, key="check/randread"):
    return bio.linux_check(key, bio.parse_linux_console(text)[key][1])


def test_linux_check_names_what_is_missing():
    text = console()
    no_rt = "\n".join(ln for ln in text.splitlines() if ln != "ionice: realtime: prio 0")
    assert "no fio process ran as 'realtime: prio 0'" in check_of(no_rt)
    no_be = text.replace("ionice: best-effort: prio 4", "ionice: best-effort: prio 2")
    assert "'best-effort: prio 4'" in check_of(no_be)

    # no read of mq-deadline's queued counted an RT request
    lines = []
    for ln in text.splitlines():
        if ln.startswith("busy: "):
            ln = "busy: 0 " + ln.split(" ", 2)[2]
        lines.append(ln)
    assert "RT requests in 0 and BE in 719 of 2800 reads" in check_of("\n".join(lines))

    wrong_sched = text.replace("scheduler: [mq-deadline] none", "scheduler: mq-deadline [none]")
    assert "not mq-deadline" in check_of(wrong_sched)
    assert "not mq-deadline" in check_of(wrong_sched, "mq-deadline/randread")
    # measured runs are not sampled: the scheduler and fio's exit status decide
    assert check_of(wrong_sched.replace("scheduler: mq-deadline [none]",
                                        "scheduler: [none] mq-deadline"),
                    "mq-deadline/randread") is not None

    failed = text.replace("fio exit: 0", "fio exit: 1")
    assert "fio exited with 1" in check_of(failed)
    assert "fio exited with 1" in check_of(failed, "mq-deadline/randread")


def fio_jobs(cmd):
    """fio's reading of a command line: options before the first --name are
    global, each --name starts a job that overrides them."""
    glob, jobs = {}, []
    for arg in cmd.split()[1:]:
        k, _, v = arg[2:].partition("=")
        if k == "name":
            jobs.append(dict(glob, name=v))
        elif jobs:
            jobs[-1][k] = v
        else:
            glob[k] = v
    return jobs


def stork_jobs(line):
    """bench's reading of a job list (the same rule, key=value words)."""
    jobs = []
    for word in line.split():
        k, _, v = word.partition("=")
        if k == "name":
            jobs.append({"name": v})
        else:
            jobs[-1][k] = v
    return jobs


def test_fio_and_stork_run_the_same_jobs():
    classes = {"rt": "1", "be": "2", "idle": "3"}
    for key, _, jobs in bio.SCENARIOS:
        fio = fio_jobs(bio.fio_command("/dev/vda", jobs, 3, "io_uring"))
        st = stork_jobs(bio.stork_jobs(jobs))
        assert [j["name"] for j in fio] == [j["name"] for j in st] == \
            [j["name"] for j in jobs]
        for f, s in zip(fio, st):
            assert f["prioclass"] == classes[s["prioclass"]]
            assert f["prio"] == s["prio"] and f["iodepth"] == s["iodepth"]
            assert f["rw"] == s.get("rw", "randread")
            assert f["filename"] == "/dev/vda" and f["direct"] == "1" and f["bs"] == "4k"
        assert fio[0]["prioclass"] == "1" and fio[0]["prio"] == "0" and fio[0]["iodepth"] == "1"
        if key != "alone":
            assert fio[1]["prioclass"] == "2" and fio[1]["iodepth"] == "32"
    assert fio_jobs(bio.fio_command("/dev/vda", bio.SCENARIOS[2][2], 3, "io_uring"))[1][
        "rw"] == "randwrite"


def test_linux_depth_limit():
    assert bio.linux_module_params("virtio", "stork", 16) == {"virtio_blk": "queue_depth=16"}
    # an NVMe queue of n entries holds n - 1 commands
    assert bio.linux_module_params("nvme", "stork", 16) == {"nvme": "io_queue_depth=17"}
    assert bio.linux_module_params("virtio", "qemu", 16) == {}
    init = bio.linux_init("nvme", "stork", 16, 3, "io_uring", 64,
                          ["/x/00-nvme-common.ko", "/x/01-nvme-core.ko", "/x/02-nvme.ko"])
    assert "insmod /modules/02-nvme.ko io_queue_depth=17\n" in init
    assert "insmod /modules/01-nvme-core.ko \n" in init
    assert "echo 64 > /sys/block/nvme0n1/queue/nr_requests" in init
    assert init.count(bio.BEGIN) == len(bio.expected_runs()) == \
        len(bio.SCHEDULERS) * len(bio.SCENARIOS) + 2
    # the measured runs run fio alone: the samples are in the check runs only
    for run in init.split(bio.BEGIN)[1:]:
        assert ("ionice -p" in run) == run.startswith("check/")


def recorded():
    with open(os.path.join(DATA, "ioprio.json")) as f:
        return json.load(f)


def run_tool(path):
    return subprocess.run([sys.executable, TOOL, "--from-json", path],
                          capture_output=True, text=True, timeout=60)


def p99(js):
    return bio.job_figures(js, "A")["p99"]


def test_report_from_json():
    data = recorded()
    r = run_tool(os.path.join(DATA, "ioprio.json"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "error" not in r.stdout
    rows = {tuple(c.strip() for c in ln.split("|")[1:3]): [c.strip() for c in ln.split("|")[3:-1]]
            for ln in r.stdout.splitlines() if ln.startswith("| none") or
            ln.startswith("| mq-deadline")}
    assert len(rows) == 6
    rounds = data["args"]["rounds"]
    assert len(data["raw"]["stork"]) == len(data["raw"]["linux"]) == rounds
    for sched in bio.SCHEDULERS:
        for key, title, _ in bio.SCENARIOS:
            row = rows[(sched, title)]
            k = f"{sched}/{key}"
            s = statistics.median(p99(rnd[k]) for rnd in data["raw"]["stork"]) / 1000
            lx = statistics.median(p99(rnd[k]) for rnd in data["raw"]["linux"]) / 1000
            assert row[1].split()[0] == f"{s:.0f}"
            assert row[4].split()[0] == f"{lx:.0f}"
            assert row[6] == f"{s / lx:.3g}x"
            ratio = statistics.median(p99(rnd[k]) / p99(rnd[f"{sched}/alone"])
                                      for rnd in data["raw"]["linux"])
            assert row[5].split()[0] == f"{ratio:.2f}x"
            a_iops = [statistics.median(bio.job_figures(rnd[k], "A")["iops"]
                                        for rnd in data["raw"][side])
                      for side in ("stork", "linux")]
            assert row[7] == " / ".join(bio.benchlib.fmt_iops(x) for x in a_iops)
            if key == "alone":
                assert row[2].startswith("1.00x") and row[8] == "-"
            else:
                assert " / " in row[8]
    assert "host load average" in r.stdout


def test_report_fails_when_linux_ignored_the_class(tmp_path):
    data = recorded()
    info = data["linux_info"][-1]["check/randwrite"]
    info["ionice"] = [x for x in info["ionice"] if not x.startswith("realtime")]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    r = run_tool(str(path))
    assert r.returncode == 1
    rounds = data["args"]["rounds"]
    assert [ln for ln in r.stdout.splitlines() if ln.startswith("error")] == [
        f"error: linux round {rounds} check/randwrite: no fio process ran as "
        "'realtime: prio 0' (ionice saw ['best-effort: prio 4', 'none: prio 0'])"]


def test_report_fails_when_a_run_is_missing(tmp_path):
    data = recorded()
    del data["linux_info"][0]["none/randwrite"]
    del data["raw"]["linux"][0]["none/randwrite"]
    path = tmp_path / "short.json"
    path.write_text(json.dumps(data))
    r = run_tool(str(path))
    assert r.returncode == 1
    assert "error: linux round 1 none/randwrite: no output" in r.stdout
