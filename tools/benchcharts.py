"""Charts of benchmark results, drawn with gnuplot: used by tools/bench and
tools/bench-vs-linux, and runnable on their recorded JSON (--from-json).

Every chart is a gnuplot script (kept beside the image, <name>.gp) with its
data inline, one panel per device so that null0's hundreds of thousands of
IOPS never share an axis with NVMe's thousands; a panel whose values span
more than 10x gets a log scale. The terminal is gnuplot's plain `png`
(libgd: Debian's gnuplot-nox has no cairo) or `svg`.

Figures come from fio-shaped JSON, stork's `bench --json` and Linux fio's
alike: IOPS and mean latency from benchlib.totals, percentiles from
clat_ns.percentile, or from clat_ns.bins when the run was json+.
"""
import itertools
import math
import os
import platform
import shutil
import statistics
import subprocess

import benchlib

PANEL_W = 330           # pixels per device panel (png); svg scales the same
ROW_H = 260             # pixels per row of panels, plus the title band
TITLE_H = 40
# one colour per series, the same in every chart: stork first
COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
           "#1f78b4", "#666666", "#b2182b"]
# the percentile curve's points: fio's default list, and finer in the tail from bins
_block_ids = itertools.count()
CURVE_PCTS = [1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99]


def machine_description(smp):
    """'QEMU TCG, 2 vCPUs, host AMD EPYC ...' for chart titles (recorded with the results)."""
    model = platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"QEMU TCG, {smp} vCPUs, host {model}"


def _main_result(js):
    """The object holding the run's combined figures: stork's total, or fio's
    group-reported job (the first job when fio did not group)."""
    total = js.get("stork", {}).get("total")
    return total if total else js["jobs"][0]


def _main_dir(res):
    """The direction with the most I/Os (reads of a randrw mix when equal)."""
    return max(("read", "write"), key=lambda d: res[d]["total_ios"])


def _bins_percentile(bins, pct):
    """The latency (ns) under which pct % of the binned I/Os fall."""
    items = sorted((int(k), v) for k, v in bins.items())
    total = sum(v for _, v in items)
    want = max(1, -(-total * pct // 100))
    seen = 0
    for value, count in items:
        seen += count
        if seen >= want:
            return value
    return items[-1][0]


def percentile_ns(js, pct):
    """Completion latency percentile pct of a run, in ns (None without samples)."""
    res = _main_result(js)
    clat = res[_main_dir(res)].get("clat_ns", {})
    if clat.get("bins"):
        return _bins_percentile(clat["bins"], pct)
    p = clat.get("percentile", {})
    return p.get(f"{pct:.6f}")


def percentile_curve(js):
    """[(percentile, latency ns)] of a run, from its bins if any, else its percentiles."""
    out = []
    for pct in CURVE_PCTS:
        v = percentile_ns(js, pct)
        if v is not None:
            out.append((pct, v))
    return out


def _spread(values):
    """(median, min, max) of the rounds' figures, or None."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return statistics.median(values), min(values), max(values)


def _q(s):
    """A string as a gnuplot double-quoted literal (newlines become line breaks)."""
    s = str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{s}"'


def _block():
    """A fresh name for an inline data block."""
    return f"$D{next(_block_ids)}"


def _wrap(text, width):
    """Break a title into lines of at most width characters, at spaces."""
    out, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join(out + [line])


def _width(ndev):
    return max(PANEL_W * ndev + 60, 640)


def _yformat(values, log=False):
    """'450k' rather than '450000' on axes of large figures, plain numbers
    otherwise; a log axis gets tics at 1, 2 and 5 of each decade, so that even
    a panel spanning 2.5 to 60 shows more than one number."""
    big = max((v for v in values if v), default=0) >= 10000
    fmt = "set format y '%.0s%c'" if big else "set format y '%g'"
    if not log:
        return fmt + "\nset ytics autofreq"
    pos = [v for v in values if v and v > 0]
    lo, hi = min(pos) / 2, max(pos) * 4
    tics = [m * 10.0 ** k for k in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
            for m in (1, 2, 5) if lo <= m * 10.0 ** k <= hi]
    if len(tics) > 8:
        tics = [t for t in tics if f"{t:e}".startswith("1")]
    return fmt + "\nset ytics (" + ", ".join(f"{t:g}" for t in tics) + ")"


def _log_axis(values):
    """Log scale when the positive values span more than 10x."""
    pos = [v for v in values if v and v > 0]
    return bool(pos) and max(pos) > 10 * min(pos)


def _yrange(values, log, headroom):
    pos = [v for v in values if v and v > 0] or [1]
    if log:
        return f"[{min(pos) / 2:g}:{max(pos) * headroom * headroom:g}]"
    return f"[0:{max(pos) * headroom:g}]"


def _terminal(fmt, width, height):
    if fmt == "svg":
        return f"svg size {width},{height} dynamic font 'sans,11'"
    # libgd's png with its built-in fonts: no cairo, no font files needed
    return f"png size {width},{height} small"


def render(script_body, out_dir, name, fmt, width, height):
    """Write <name>.gp and draw <name>.<fmt> with gnuplot. Returns the image
    path, or None (with the reason on stderr) when gnuplot is missing or fails."""
    img = os.path.join(out_dir, f"{name}.{fmt}")
    gp = os.path.join(out_dir, f"{name}.gp")
    script = (f"set terminal {_terminal(fmt, width, height)}\n"
              f"set output {_q(img)}\n" + script_body + "unset multiplot\nset output\n")
    with open(gp, "w") as f:
        f.write(script)
    if not shutil.which("gnuplot"):
        print(f"charts: gnuplot not found (tools/deps bench); wrote {gp} only")
        return None
    r = subprocess.run(["gnuplot", gp], text=True, capture_output=True)
    if r.returncode:
        print(f"charts: gnuplot failed on {gp}:\n{r.stderr}")
        return None
    return img


def _multiplot(title, rows, cols):
    """A rows x cols layout under a title wrapped to the image's width (libgd's
    small font is 6 pixels a character)."""
    text = _wrap(title, _width(cols) // 6 - 4)
    return f"set multiplot layout {rows},{cols} title {_q(text)}\n"


def _cell_label(cell, vary):
    """The x label of a cell: iodepth and jobs, plus whatever else varies."""
    parts = [cell[k] for k in ("rw", "bs") if k in vary]
    parts += [f"qd{cell['iodepth']}", f"j{cell['jobs']}"]
    return " ".join(str(p) for p in parts)


def _varying(cells, keys):
    return {k for k in keys if len({c[k] for c in cells}) > 1}


def _common(cells, key):
    vals = sorted({str(c[key]) for c in cells})
    return ",".join(vals)


def _panel_head(lines, panel, values, ylabel, headroom_log, headroom_lin):
    """A panel's title and y axis (log where the values span more than 10x); whether log."""
    log = _log_axis(values)
    lines.append(f"# panel {panel}")
    lines.append(f"set title {_q(panel)}")
    lines.append("set logscale y" if log else "unset logscale y")
    lines.append(f"set yrange {_yrange(values, log, headroom_log if log else headroom_lin)}")
    lines.append(f"set ylabel {_q(ylabel + (' (log)' if log else ''))}")
    lines.append(_yformat(values, log))
    return log


def _grouped_bars(lines, panel, groups, series, ylabel, digits):
    """Append one panel of grouped bars with whiskers to lines: groups =
    [(label, [(median, min, max) or None per series], ratio text or None)]."""
    values = [v for _, figs, _ in groups for f in figs if f for v in f]
    log = _panel_head(lines, panel, values, ylabel, 2.0, 1.3)
    lines.append("unset label")
    lines.append(f"set xrange [-0.6:{len(groups) - 0.4}]")
    for i, (_, figs, ratio) in enumerate(groups):
        top = max((f[2] for f in figs if f), default=None)
        if ratio and top:
            # above the group's tallest whisker, clear of it on either scale
            y = top * 1.8 if log else top + max(values) * 0.1
            lines.append(f"set label {_q(ratio)} at {i},{y:g} center front")
    block = _block()
    lines.append(f"{block} << EOD")
    for label, figs, _ in groups:
        cols = []
        for f in figs:
            cols += [f"{x:.{digits}f}" for x in f] if f else ["NaN"] * 3
        lines.append(f"{_q(label)} " + " ".join(cols))
    lines.append("EOD")
    plots = []
    for s, name in enumerate(series):
        c = 2 + 3 * s
        xt = ":xtic(1)" if s == 0 else ""
        plots.append(f"{block} using {c}:{c + 1}:{c + 2}{xt} title {_q(name)} "
                     f"lc rgb {_q(COLOURS[s % len(COLOURS)])}")
    lines.append("plot " + ", \\\n     ".join(plots))


def _bar_style(nlabels):
    return ("set style data histograms\n"
            "set style histogram errorbars gap 1 lw 1\n"
            "set style fill solid 0.85 border -1\n"
            "set boxwidth 0.9\n"
            "set grid ytics\n"
            "set key below horizontal reverse Left samplen 2 width 2\n"
            f"set xtics nomirror{' rotate by -30' if nlabels > 6 else ''}\n"
            "set ytics nomirror\n"
            "set bars 2\n")


# ---- tools/bench-vs-linux --------------------------------------------------------

def vs_linux_charts(data, out_dir, fmt="png"):
    """Charts of a tools/bench-vs-linux --json document: vs-linux-iops (grouped
    bars per cell: stork and each Linux engine, whiskers min..max over the
    rounds, stork / best Linux median above each group) and vs-linux-lat
    (mean and p99 latency the same way, one row each). Returns the images."""
    a = data["args"]
    cells = benchlib.matrix(benchlib.parse_list(a["devices"]), benchlib.parse_list(a["rw"]),
                            benchlib.parse_list(a["bs"]),
                            benchlib.parse_list(str(a["iodepth"]), int),
                            benchlib.parse_list(str(a["jobs"]), int))
    engines = benchlib.parse_list(a["engines"])
    raw = data["raw"]
    devices = list(dict.fromkeys(c["device"] for c in cells))
    vary = _varying(cells, ("rw", "bs"))
    series = ["stork"] + [f"Linux {e}" for e in engines]
    machine = data.get("machine") or machine_description(a.get("smp", 2))
    rounds = max(len(raw["stork"]), len(raw["linux"]))
    what = f"{_common(cells, 'rw')} {_common(cells, 'bs')}"
    kernel = os.path.basename(data.get("kernel", "Linux")).replace("vmlinuz-", "Linux ")

    def figures(fn):
        """per device: [(label, [stork, engine...] spreads, ratio)]"""
        out = {}
        for c in cells:
            key = benchlib.cell_key(c)
            figs = [_spread([fn(run[key]) for run in raw["stork"] if key in run])]
            for e in engines:
                lk = benchlib.cell_key(c, e)
                figs.append(_spread([fn(run[lk]) for run in raw["linux"] if lk in run]))
            linux = [f[0] for f in figs[1:] if f and f[0]]
            ratio = f"{figs[0][0] / max(linux):.1f}x" if figs[0] and linux else None
            out.setdefault(c["device"], []).append((_cell_label(c, vary), figs, ratio))
        return out

    images = []
    iops = figures(lambda js: benchlib.totals(js)["iops"])
    nlabels = max(len(g) for g in iops.values())
    lines = [_bar_style(nlabels),
             _multiplot(f"stork vs {kernel} + fio: IOPS, {what} (median of {rounds} rounds, "
                        f"whiskers min-max; stork / best Linux above) - {machine}",
                        1, len(devices))]
    for d in devices:
        _grouped_bars(lines, f"{d}: {what}", iops[d], series, "IOPS", 1)
    images.append(render("\n".join(lines) + "\n", out_dir, "vs-linux-iops", fmt,
                         _width(len(devices)), ROW_H + TITLE_H))

    mean = figures(lambda js: benchlib.totals(js)["lat_mean_ns"] / 1000)
    p99 = figures(lambda js: (percentile_ns(js, 99) or 0) / 1000 or None)
    lines = [_bar_style(nlabels),
             _multiplot(f"stork vs {kernel} + fio: latency, {what} (median of {rounds} rounds, "
                        f"whiskers min-max; Linux best / stork above) - {machine}",
                        2, len(devices))]
    for figs, name in ((mean, "mean latency (lat_ns)"),
                       (p99, "p99 completion latency (clat_ns)")):
        for d in devices:
            # lower is better: the ratio above a group is how many times Linux's is longer
            groups = []
            for label, f, _ in figs[d]:
                linux = [x[0] for x in f[1:] if x and x[0]]
                ratio = f"{min(linux) / f[0][0]:.1f}x" if f[0] and f[0][0] and linux else None
                groups.append((label, f, ratio))
            _grouped_bars(lines, f"{d}: {name}", groups, series,
                          f"{name.split(' ')[0]} latency (us)", 2)
    images.append(render("\n".join(lines) + "\n", out_dir, "vs-linux-lat", fmt,
                         _width(len(devices)), 2 * ROW_H + TITLE_H))
    return [i for i in images if i]


# ---- tools/bench -------------------------------------------------------------------

def _line_panel(lines, panel, xs_by_series, ylabel, styles=None):
    """One panel of lines against iodepth (log2 x): xs_by_series = [(name, [(x, y)])]."""
    values = [y for _, pts in xs_by_series for _, y in pts if y]
    xs = sorted({x for _, pts in xs_by_series for x, _ in pts})
    log = _panel_head(lines, panel, values, ylabel, 1.3, 1.15)
    if len(xs) > 1 and min(xs) > 0:
        lines.append("set logscale x 2")
        lines.append(f"set xrange [{min(xs) / 1.4:g}:{max(xs) * 1.4:g}]")
    else:
        lines.append("unset logscale x")
        lines.append(f"set xrange [{min(xs) - 1 if xs else 0:g}:{max(xs) + 1 if xs else 1:g}]")
    lines.append("set xtics (" + ", ".join(f'"{x}" {x}' for x in xs) + ")")
    plots = []
    for s, (name, pts) in enumerate(xs_by_series):
        block = _block()
        lines.append(f"{block} << EOD")
        lines += [f"{x} {y if y is not None else 'NaN'}" for x, y in pts]
        lines.append("EOD")
        style = (styles or {}).get(name, f"lc rgb {_q(COLOURS[s % len(COLOURS)])} pt 7")
        plots.append(f"{block} using 1:2 with linespoints title {_q(name)} {style}")
    lines.append("plot " + ", \\\n     ".join(plots))


def _line_style():
    return ("set grid xtics ytics\n"
            "set key below horizontal reverse Left samplen 2 width 2\n"
            "set style data linespoints\n"
            "set xtics nomirror\n"
            "set ytics nomirror\n")


def bench_charts(data, out_dir, fmt="png"):
    """Charts of a tools/bench bench.json: per rw/bs/engine, bench-<...>
    (rows: IOPS, mean and p99 latency, cycles per I/O, each against iodepth with
    one line per job count; a panel per device) and bench-pct-<...> (latency
    percentile curves, one line per iodepth/jobs cell). Returns the images."""
    a = data["args"]
    cells = benchlib.matrix(benchlib.parse_list(a["devices"]), benchlib.parse_list(a["rw"]),
                            benchlib.parse_list(a["bs"]),
                            benchlib.parse_list(str(a["iodepth"]), int),
                            benchlib.parse_list(str(a["jobs"]), int))
    engines = benchlib.parse_list(a["engine"])
    raw = data["raw"]
    machine = data.get("machine") or machine_description(a.get("smp", 2))
    env = "TCG -icount" if a.get("icount") else "TCG"
    devices = list(dict.fromkeys(c["device"] for c in cells))
    figures = []
    for rw in benchlib.parse_list(a["rw"]):
        for bs in benchlib.parse_list(a["bs"]):
            for e in engines:
                figures.append((rw, bs, e))
    images = []
    for rw, bs, e in figures:
        suffix = "" if len(figures) == 1 else f"-{rw}-{bs}" + (f"-{e}" if len(engines) > 1 else "")
        fcells = [c for c in cells if c["rw"] == rw and c["bs"] == bs]

        def key(c):
            return benchlib.cell_key(c, e if len(engines) > 1 else None)

        def med(c, fn):
            s = _spread([fn(run[key(c)]) for run in raw if key(c) in run])
            return s[0] if s else None

        title = (f"stork bench {rw} {bs} engine={e}: median of {len(raw)} round(s), "
                 f"{a.get('runtime')} s per cell - {machine}, {env}")
        jobs = sorted({c["jobs"] for c in fcells})
        lines = [_line_style(), _multiplot(title, 3, len(devices))]
        # a row of panels each: fn gives a run's figure; latency (None) draws mean and p99
        rows = [
            ("IOPS", "IOPS", lambda js: benchlib.totals(js)["iops"]),
            ("latency", "latency (us)", None),
            ("cycles per I/O", "cycles per I/O",
             lambda js: benchlib.totals(js).get("cycles_per_io")),
        ]
        for name, ylabel, fn in rows:
            for d in devices:
                dc = [c for c in fcells if c["device"] == d]
                series, styles = [], {}
                for j, nj in enumerate(jobs):
                    jc = sorted((c for c in dc if c["jobs"] == nj), key=lambda c: c["iodepth"])
                    colour = _q(COLOURS[j % len(COLOURS)])
                    if fn:
                        series.append((f"{nj} job(s)", [(c["iodepth"], med(c, fn)) for c in jc]))
                        continue
                    mean = [(c["iodepth"], med(c, lambda js: benchlib.totals(js)["lat_mean_ns"]
                                               / 1000)) for c in jc]
                    p99 = [(c["iodepth"], med(c, lambda js: (percentile_ns(js, 99) or 0) / 1000
                                              or None)) for c in jc]
                    series += [(f"mean, {nj} job(s)", mean), (f"p99, {nj} job(s)", p99)]
                    styles[f"mean, {nj} job(s)"] = f"lc rgb {colour} pt 7 dt 1"
                    styles[f"p99, {nj} job(s)"] = f"lc rgb {colour} pt 6 dt 2"
                _line_panel(lines, f"{d}: {name} against iodepth", series, ylabel, styles)
        images.append(render("\n".join(lines) + "\n", out_dir, f"bench{suffix}", fmt,
                             _width(len(devices)), 3 * ROW_H + TITLE_H))

        # percentile curves: x is 1 / (1 - p), so each added nine gets the same room
        lines = ["set grid xtics ytics\nset key top left\nset logscale x 10\n"
                 "set xlabel 'percentile'\nset xtics ('50' 2, '90' 10, '99' 100, "
                 "'99.9' 1000, '99.99' 10000)\nset xrange [1:15000]\n"
                 "set key below horizontal reverse Left samplen 2 width 2\nset format y '%g'\n"
                 "set xtics nomirror\nset ytics nomirror\n",
                 _multiplot(f"stork bench {rw} {bs} engine={e}: completion latency percentiles "
                            f"(round 1) - {machine}, {env}", 1, len(devices))]
        for d in devices:
            dc = sorted((c for c in fcells if c["device"] == d),
                        key=lambda c: (c["jobs"], c["iodepth"]))
            # a colour per cell, a marker per job count (libgd's png draws no dash patterns)
            series = []
            for i, c in enumerate(dc):
                run = next((r[key(c)] for r in raw if key(c) in r), None)
                pts = percentile_curve(run) if run else []
                j = jobs.index(c["jobs"])
                style = (f"lc rgb {_q(COLOURS[i % len(COLOURS)])} "
                         f"pt {(7, 5, 9, 13)[j % 4]} ps 0.7")
                series.append((f"qd{c['iodepth']} j{c['jobs']}",
                               [(100 / (100 - p), v / 1000) for p, v in pts], style))
            values = [y for _, pts, _ in series for _, y in pts if y]
            log = _log_axis(values)
            lines.append(f"# panel {d}: percentiles")
            lines.append(f"set title {_q(d + ': latency percentiles')}")
            lines.append("set logscale y" if log else "unset logscale y")
            lines.append(f"set yrange {_yrange(values, log, 1.3 if log else 1.15)}")
            lines.append(f"set ylabel {_q('latency (us)' + (' (log)' if log else ''))}")
            lines.append(_yformat(values, log))
            plots = []
            for name, pts, style in series:
                block = _block()
                lines.append(f"{block} << EOD")
                lines += [f"{x:g} {y:g}" for x, y in pts]
                lines.append("EOD")
                plots.append(f"{block} using 1:2 with linespoints title {_q(name)} {style}")
            lines.append("plot " + ", \\\n     ".join(plots))
        images.append(render("\n".join(lines) + "\n", out_dir, f"bench-pct{suffix}", fmt,
                             _width(len(devices)), ROW_H + 100 + TITLE_H))
    return [i for i in images if i]
