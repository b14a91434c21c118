"""Shared by tools/bench and tools/bench-vs-linux: the QEMU devices both
kernels get, the matrix of cells, driving stork's `bench`, and the
statistics (medians and spread) of repeated runs.

Every device is backed by QEMU's null-co block driver (reads return
whatever, writes are dropped), so the figures measure the guest's I/O path
and QEMU's device model, not a host disk.
"""
import itertools
import json
import os
import re
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))

NULL_SIZE = 4 << 30

# device kind -> (stork disk name, Linux disk name)
DEVICES = {
    "nvme": ("nvme0n1", "/dev/nvme0n1"),
    "virtio": ("vda", "/dev/vda"),
    "null": ("null0", "/dev/nullb0"),
    "ahci": ("sda", "/dev/sda"),
}


# --iothread of the tools: virtio-blk's requests in an I/O thread of its own
# (which polls its virtqueue a while before it sleeps) instead of QEMU's main
# loop, for both kernels alike; QEMU 7.2's nvme has no iothread
VIRTIO_IOTHREAD = False


def qemu_device_args(kinds):
    """-blockdev/-device arguments for the emulated devices among kinds."""
    args = []
    if "nvme" in kinds:
        args += ["-blockdev", f"driver=null-co,node-name=nvnull,size={NULL_SIZE}",
                 "-device", "nvme,serial=stork-null,drive=nvnull"]
    if "virtio" in kinds:
        args += ["-blockdev", f"driver=null-co,node-name=vdnull,size={NULL_SIZE}"]
        if VIRTIO_IOTHREAD:
            args += ["-object", "iothread,id=vdio", "-device",
                     "virtio-blk-pci,drive=vdnull,iothread=vdio"]
        else:
            args += ["-device", "virtio-blk-pci,drive=vdnull"]
    if "ahci" in kinds:
        args += ["-blockdev", f"driver=null-co,node-name=sdnull,size={NULL_SIZE}",
                 "-device", "ahci,id=ahcibench",
                 "-device", "ide-hd,drive=sdnull,bus=ahcibench.0"]
    return args


def parse_list(text, conv=str):
    return [conv(x) for x in text.split(",") if x]


def matrix(devices, rws, bss, iodepths, jobs):
    """Every cell as a dict: device, rw, bs, iodepth, jobs."""
    return [dict(device=d, rw=r, bs=b, iodepth=q, jobs=j)
            for d, r, b, q, j in itertools.product(devices, rws, bss, iodepths, jobs)]


def cell_key(cell, engine=None):
    key = f"{cell['device']} {cell['rw']} bs={cell['bs']} qd={cell['iodepth']} jobs={cell['jobs']}"
    return key + (f" {engine}" if engine else "")


def totals(fio_json):
    """Summed IOPS (read + write) and mean latency of a fio-shaped JSON object."""
    iops = 0.0
    lat_sum = 0.0
    n = 0
    for job in fio_json["jobs"]:
        for d in ("read", "write"):
            iops += job[d]["iops"]
            lat = job[d].get("lat_ns") or job[d].get("clat_ns") or {}
            if lat.get("N", 0) or job[d]["total_ios"]:
                count = lat.get("N", job[d]["total_ios"])
                lat_sum += lat.get("mean", 0) * count
                n += count
    out = {"iops": iops, "lat_mean_ns": lat_sum / n if n else 0.0}
    stork = fio_json.get("stork", {}).get("total", {}).get("stork")
    if stork:
        out["cycles_per_io"] = stork["cycles_per_io"]
        out["busy_pct"] = stork["busy_pct"]
    return out


def summary(values):
    """median, spread ((max - min) / median) and count of repeated figures."""
    if not values:
        return {"median": None, "spread": None, "n": 0}
    med = statistics.median(values)
    spread = (max(values) - min(values)) / med if med else 0.0
    return {"median": med, "spread": spread, "n": len(values)}


def stork_bench_command(cell, runtime, engine="async", extra="", json_plus=False):
    """The `bench` line of a cell; json_plus asks for fio's json+ (clat_ns.bins)."""
    dev = DEVICES[cell["device"]][0]
    cmd = (f"bench {dev} rw={cell['rw']} bs={cell['bs']} iodepth={cell['iodepth']} "
           f"numjobs={cell['jobs']} runtime={runtime} time_based engine={engine} "
           + ("--output-format=json+" if json_plus else "--json"))
    if cell["iodepth"] == 1 and engine == "sync":
        cmd = cmd.replace("engine=async", "engine=sync")
    return cmd + (" " + extra if extra else "")


def run_stork_cells(cells, runtime, smp=2, mem="512M", icount=False, append="",
                    engine="async", log=None, setup=(), json_plus=False):
    """Boot stork once with the devices the cells use, run the setup commands
    (`queue null0 scheduler=mq-deadline`), then each cell; return JSON per cell
    (json+, with clat_ns.bins, when json_plus)."""
    import stork

    kinds = sorted({c["device"] for c in cells})
    extra = qemu_device_args(kinds)
    if icount:
        extra += ["-icount", "shift=0,sleep=off"]
    # no image-backed disks (--no-disks): the null-co devices come through extra
    m = stork.Machine(smp=smp, mem=mem, append=append, extra=extra, name="bench")
    results = []
    try:
        m.start(timeout=120)
        for cmd in setup:
            out = m.run(cmd)
            if log:
                log.write(f"stork> {cmd}\n{out}\n")
            if out.startswith("error"):
                raise RuntimeError(f"stork: {cmd!r}: {out}")
        for cell in cells:
            cmd = stork_bench_command(cell, runtime, engine, json_plus=json_plus)
            out = m.run(cmd, timeout=runtime * 4 + 60)
            if log:
                log.write(f"stork> {cmd}\n{out}\n")
            js = None
            for line in out.splitlines():
                if line.startswith("{"):
                    js = json.loads(line)
            if js is None:
                raise RuntimeError(f"stork: no JSON from {cmd!r}:\n{out}")
            results.append(js)
    finally:
        m.kill()
    return results


def fmt_iops(v):
    if v is None:
        return "-"
    if v >= 10000:
        return f"{v / 1000:.1f}k"
    return f"{v:.0f}"


def format_table(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda r: "| " + " | ".join(str(x).ljust(w) for x, w in zip(r, widths)) + " |"
    out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in rows]
    return "\n".join(out)


def extract_marked(text, begin_re, end_marker):
    """Pull ('name', body) pairs printed between markers on a serial console."""
    out = []
    for m in re.finditer(begin_re, text):
        end = text.find(end_marker, m.end())
        if end < 0:
            break
        out.append((m.group(1), text[m.end():end].strip()))
    return out
