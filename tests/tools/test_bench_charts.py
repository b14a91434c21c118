"""Host tests of the benchmark charts and of bench's json+ (no QEMU).

The chart writers of tools/bench and tools/bench-vs-linux run on recorded
results (tests/tools/data: a `tools/bench` run with json+ bins, a
`tools/bench-vs-linux` run with Linux fio's JSON) through the tools'
--from-json and must draw non-empty PNG and SVG images whose gnuplot
scripts have one panel per device. The json+ bins of stork's recorded
output are read by a small reader written against fio's documented json+
format (clat_ns.bins: latency in ns of a histogram bucket -> I/Os in it;
fio's buckets: exact below 128 ns, then 64 to each power of two, named by
their middle), checked on a real fio json+ document as well.

    /usr/bin/python3 -m pytest -q tests/tools      (make tools-test)
"""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "tests", "tools", "data")
sys.path.insert(0, os.path.join(ROOT, "tools"))

# fio's latency distribution ranges, by upper edge (fio's docs: "lat (usec): 2=..., 4=...")
FIO_EDGES = [2, 4, 10, 20, 50, 100, 250, 500, 750, 1000]


def load(name):
    with open(os.path.join(DATA, name)) as f:
        return json.load(f)


def fio_bucket_value(ns):
    """The name fio's json+ gives the bucket holding ns: the value itself below
    128, else the bucket's start plus half its width (64 buckets per power of 2)."""
    if ns < 128:
        return ns
    shift = ns.bit_length() - 1 - 6
    low = (ns >> shift) << shift
    return low + (1 << shift) // 2


def bins_percentile(bins, pct):
    items = sorted((int(k), v) for k, v in bins.items())
    want = max(1, -(-sum(v for _, v in items) * pct // 100))
    seen = 0
    for value, count in items:
        seen += count
        if seen >= want:
            return value
    return items[-1][0]


def distribution(bins):
    """fio's latency_ns/us/ms percentages, from the bins."""
    total = sum(bins.values())
    out = {u: {str(e): 0 for e in FIO_EDGES} for u in ("latency_ns", "latency_us")}
    out["latency_ms"] = {str(e): 0 for e in FIO_EDGES + [2000]}
    out["latency_ms"][">=2000"] = 0
    for k, count in bins.items():
        ns = int(k)
        unit, v = (("latency_ns", ns) if ns < 1000 else ("latency_us", ns // 1000)
                   if ns < 1000000 else ("latency_ms", ns // 1000000))
        edges = FIO_EDGES + ([2000] if unit == "latency_ms" else [])
        label = next((str(e) for e in edges if v < e), ">=2000" if unit == "latency_ms"
                     else "1000")
        out[unit][label] += count
    return {u: {k: 100 * c / total for k, c in r.items()} for u, r in out.items()}


def dirs_with_ios(job):
    return [job[d] for d in ("read", "write") if job[d]["total_ios"]]


def stork_results():
    data = load("bench.json")
    return [js for rnd in data["raw"] for js in rnd.values()]


# ---- json+ ------------------------------------------------------------------------

def check_bins(d, bucket_names=True):
    bins = d["clat_ns"]["bins"]
    assert bins
    assert sum(bins.values()) == d["total_ios"]
    for k, v in bins.items():
        assert int(k) > 0 and v > 0
        if bucket_names:
            assert fio_bucket_value(int(k)) == int(k), k
    # the percentiles a reader gets from the bins are the document's own, within a bucket
    for key, want in d["clat_ns"]["percentile"].items():
        got = bins_percentile(bins, float(key))
        assert abs(got - want) <= max(2, want / 32), (key, got, want)


def test_fio_jsonplus_reader_on_fio():
    """The reader agrees with fio itself on a real fio 3.33 json+ document."""
    js = load("fio-jsonplus.json")
    for job in js["jobs"]:
        for d in dirs_with_ios(job):
            check_bins(d)


def test_stork_jsonplus_bins():
    """stork's json+: bins named as fio names them, adding up to total_ios, in
    every job, direction and total; lat_ns and slat_ns carry none (as fio's default)."""
    results = stork_results()
    assert len(results) >= 4
    for js in results:
        for job in js["jobs"] + [js["stork"]["total"]]:
            for d in dirs_with_ios(job):
                check_bins(d)
                assert "bins" not in d["lat_ns"] and "bins" not in d["slat_ns"]


def test_stork_latency_distribution():
    """latency_ns/us/ms add up to 100 within rounding and are the distribution of the bins."""
    for js in stork_results():
        for job in js["jobs"] + [js["stork"]["total"]]:
            shares = {u: job[u] for u in ("latency_ns", "latency_us", "latency_ms")}
            flat = [v for r in shares.values() for v in r.values()]
            assert len(flat) == 32
            nonzero = sum(1 for v in flat if v)
            assert abs(sum(flat) - 100) <= 0.005 * nonzero + 0.01
            bins = {}
            for d in dirs_with_ios(job):
                for k, v in d["clat_ns"]["bins"].items():
                    bins[k] = bins.get(k, 0) + v
            want = distribution(bins)
            for u, r in shares.items():
                for k, v in r.items():
                    expect = want[u][k]
                    assert abs(v - expect) <= 0.005 + 1e-9 or (0 < expect < 0.01 and v == 0.01), \
                        (u, k, v, expect)


# ---- charts -----------------------------------------------------------------------

def run_tool(tool, *args):
    if not shutil.which("gnuplot"):
        pytest.fail("gnuplot is missing: tools/deps test installs gnuplot-nox")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", tool)] + list(args),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def check_image(path, fmt):
    assert os.path.getsize(path) > 2000, path
    with open(path, "rb") as f:
        head = f.read(512)
    if fmt == "png":
        assert head.startswith(b"\x89PNG\r\n\x1a\n")
    else:
        assert b"<svg" in head


def panels(gp):
    with open(gp) as f:
        text = f.read()
    names = re.findall(r"^# panel (.*)$", text, re.M)
    # a plot command per panel, each after its own panel marker
    assert len(re.findall(r"^plot ", text, re.M)) == len(names)
    return text, names


def panel_scripts(text):
    """{panel name: its part of the script}."""
    parts = re.split(r"^# panel (.*)$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_bench_charts(tmp_path, fmt):
    data = load("bench.json")
    devices = data["args"]["devices"].split(",")
    out = run_tool("bench", "--from-json", os.path.join(DATA, "bench.json"), "--out",
                   str(tmp_path), "--format", fmt)
    assert "null randread bs=4k qd=1 jobs=1" in out
    for name, rows in (("bench", ("IOPS", "latency", "cycles per I/O")),
                       ("bench-pct", ("percentiles",))):
        check_image(tmp_path / f"{name}.{fmt}", fmt)
        text, names = panels(tmp_path / f"{name}.gp")
        assert len(names) == len(devices) * len(rows)
        for row in rows:
            # one panel per device in each row, no device in two panels of a row
            assert sorted(n.split(":")[0] for n in names if row in n) == sorted(devices)
        assert f"set terminal {fmt}" in text
        assert "pngcairo" not in text
    # the title says the rw, bs and machine
    text, _ = panels(tmp_path / "bench.gp")
    assert "randread 4k" in text and data["machine"].split(",")[0] in text


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_vs_linux_charts(tmp_path, fmt):
    import benchlib

    data = load("vs-linux.json")
    devices = data["args"]["devices"].split(",")
    out = run_tool("bench-vs-linux", "--from-json", os.path.join(DATA, "vs-linux.json"),
                   "--out", str(tmp_path), "--format", fmt)
    assert "ratio vs io_uring" in out and "p99 lat" in out
    check_image(tmp_path / f"vs-linux-iops.{fmt}", fmt)
    check_image(tmp_path / f"vs-linux-lat.{fmt}", fmt)
    text, names = panels(tmp_path / "vs-linux-iops.gp")
    assert sorted(n.split(":")[0] for n in names) == sorted(devices)
    # log scale exactly where a panel's figures span more than 10x
    for name, part in panel_scripts(text).items():
        dev = name.split(":")[0]
        figs = [benchlib.totals(run[k])["iops"] for side in ("stork", "linux")
                for run in data["raw"][side] for k in run if k.startswith(dev + " ")]
        assert ("set logscale y" in part) == (max(figs) > 10 * min(figs)), name
        # a ratio above every group: stork / best Linux engine
        assert len(re.findall(r'^set label "[0-9.]+x"', part, re.M)) == \
            len([k for k in data["raw"]["stork"][0] if k.startswith(dev + " ")])
    text, names = panels(tmp_path / "vs-linux-lat.gp")
    assert len(names) == 2 * len(devices)
    assert sorted(n.split(":")[0] for n in names if "mean latency" in n) == sorted(devices)
    assert sorted(n.split(":")[0] for n in names if "p99" in n) == sorted(devices)
