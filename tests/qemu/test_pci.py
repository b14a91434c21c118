"""PCI seen from the shell: `lspci` finds the q35 host bridge, the NVMe
controller and the virtio-blk device with their BAR sizes, through ECAM,
through port I/O (`pci=legacy`, and the i440FX `pc` machine, which has no
MCFG), and behind PCIe bridges; bad arguments give one error line; the
in-kernel PCI self tests pass."""
import re
import zlib

import pytest

NVME = (0x1b36, 0x0010)
VIRTIO_BLK = {(0x1af4, 0x1042), (0x1af4, 0x1001)}   # modern, transitional


def by_ids(info):
    return {(d["vendor"], d["device"]): d for d in info["devices"]}


def check_disks(info):
    devs = by_ids(info)
    nvme = devs[NVME]
    assert (nvme["class"], nvme["subclass"], nvme["prog_if"]) == (1, 8, 2), nvme
    bar0 = [b for b in nvme["bars"] if b["index"] == 0][0]
    # QEMU's NVMe BAR0: registers, doorbells and the MSI-X table, 64-bit
    assert bar0["type"] == "mem" and bar0["64bit"] and bar0["size"] >= 0x2000, bar0
    assert "MSI-X" in [c["name"] for c in nvme["capabilities"]]
    virtio = [d for ids, d in devs.items() if ids in VIRTIO_BLK]
    assert len(virtio) == 1, devs.keys()
    v = virtio[0]
    assert (v["class"], v["subclass"]) == (1, 0), v
    caps = [c["name"] for c in v["capabilities"]]
    assert caps.count("vendor") >= 4 and "MSI-X" in caps, caps
    mem64 = [b for b in v["bars"] if b["type"] == "mem" and b["64bit"]]
    assert mem64 and mem64[0]["size"] == 16384 and mem64[0]["prefetchable"], v["bars"]
    for d in info["devices"]:
        for b in d["bars"]:
            assert b["size"] & (b["size"] - 1) == 0, (d["slot"], b)     # a power of two
            assert b["base"] % b["size"] == 0 or b["base"] == 0, (d["slot"], b)
    return nvme, v


def test_lspci_q35(boot):
    m = boot(smp=2, nvme=["64m"], virtio=["64m"])
    info = m.run_json("lspci --json")
    assert info["config"] == "ecam"
    devs = by_ids(info)
    host = devs[(0x8086, 0x29c0)]
    assert host["slot"] == "00:00.0" and host["class"] == 6, host
    nvme, virtio = check_disks(info)

    out = m.run("lspci")
    assert re.search(r"^00:00\.0 8086:29c0 class 0600 \(bridge/host\) driver \S+ irq \S+$",
                     out, re.M), out
    assert re.search(r"^%s 1b36:0010 class 0108 \(storage/NVM\) driver \S+ irq "
                     r"(msix:\d+|msi|intx|none)$" % re.escape(nvme["slot"]), out, re.M), out
    assert re.search(r"^%s 1af4:10(42|01) class 0100 " % re.escape(virtio["slot"]),
                     out, re.M), out
    assert len(out.splitlines()) == len(info["devices"])

    verbose = m.run("lspci -v")
    block = verbose.split(nvme["slot"] + " ", 1)[1].split("\n0", 1)[0]
    size = [b for b in nvme["bars"] if b["index"] == 0][0]["size"]
    assert re.search(r"BAR0 mem 0x[0-9a-f]+ size %dK 64-bit" % (size // 1024), block), block
    assert re.search(r"cap 0x[0-9a-f]{2} MSI-X: \d+ entries, table BAR\d\+0x", block), block
    assert "io  0x" in verbose                      # virtio's legacy port BAR or others


@pytest.mark.parametrize("bad", ["lspci -x", "lspci --json extra", "lspci verbose"])
def test_lspci_bad_args(shell, bad):
    out = shell.run(bad)
    assert out.startswith("error:") and len(out.splitlines()) == 1, out


def test_lspci_legacy_option(boot):
    m = boot(smp=1, append="pci=legacy", nvme=["64m"], virtio=["64m"])
    assert "through ports 0xcf8/0xcfc (pci=legacy)" in m.boot_log
    info = m.run_json("lspci --json")
    assert info["config"] == "legacy"
    assert (0x8086, 0x29c0) in by_ids(info)
    check_disks(info)


def test_lspci_pc_machine(boot):
    m = boot(smp=1, nvme=["64m"], virtio=["64m"], extra=["-M", "pc"])
    assert "no MCFG table" in m.boot_log
    info = m.run_json("lspci --json")
    assert info["config"] == "legacy"
    assert (0x8086, 0x1237) in by_ids(info)          # the i440FX host bridge
    check_disks(info)


def test_lspci_behind_bridges(boot, tmp_path):
    img = tmp_path / "bridged.img"
    img.write_bytes(b"\0" * 65536)
    m = boot(smp=1, extra=[
        "-device", "pcie-root-port,id=rp1,chassis=1",
        "-device", "pcie-pci-bridge,id=br1,bus=rp1",
        "-drive", f"file={img},if=none,id=bridged,format=raw",
        "-device", "virtio-blk-pci,drive=bridged,bus=br1,addr=3",
        "-device", "pcie-root-port,id=rp2,chassis=2",
    ])
    info = m.run_json("lspci --json")
    slots = {d["slot"]: d for d in info["devices"]}
    bridges = [d for d in info["devices"] if (d["class"], d["subclass"]) == (6, 4)]
    assert len(bridges) == 3, bridges               # two root ports, one PCI bridge
    blk = [d for d in info["devices"] if (d["vendor"], d["device"]) in VIRTIO_BLK]
    assert len(blk) == 1 and blk[0]["bus"] == 2 and blk[0]["dev"] == 3, blk
    assert "02:03.0" in slots
    assert re.search(r"pci: \d+ functions on 4 buses", m.boot_log), m.boot_log


def test_pci_selftest(boot):
    m = boot(smp=2, nvme=["64m"], virtio=["64m"])
    out = m.run("selftest pci", timeout=60)
    assert out.splitlines()[-1].endswith(" 0 failed"), out
    assert "FAIL" not in out


def pxb_nvme(img, serial):
    """An NVMe controller behind a root port on a second root bus (128), as pxb-pcie makes it."""
    return ["-device", "pxb-pcie,id=pxb1,bus_nr=128,bus=pcie.0",
            "-device", "pcie-root-port,id=rp1,bus=pxb1,chassis=1",
            "-drive", f"file={img},if=none,id=pxbd,format=raw",
            "-device", f"nvme,serial={serial},drive=pxbd,bus=rp1"]


@pytest.mark.parametrize("append", ["", "pci=legacy"])
def test_nvme_on_second_root_bus(boot, tmp_path, append):
    """A root bus no bridge leads to (pxb-pcie at bus 128) is found by scanning
    the whole bus range, through ECAM and through port I/O, and its NVMe works:
    data written in the guest is on the host image and the reverse."""
    img = tmp_path / "pxb.img"
    with open(img, "wb") as f:
        f.truncate(16 << 20)
        f.seek(1 << 20)
        f.write(bytes(range(256)) * 16)
    m = boot(smp=2, append=append, extra=pxb_nvme(img, "pxbnvme"))
    assert "pci: root bus 0000:80 (found by scanning 00-ff)" in m.boot_log, m.boot_log
    assert re.search(r"pci: \d+ functions on 3 buses, 2 root buses", m.boot_log), m.boot_log
    info = m.run_json("lspci --json")
    nvme = by_ids(info)[NVME]
    assert nvme["bus"] == 0x81 and nvme["driver"] == "nvme", nvme
    crc = "%08x" % zlib.crc32(bytes(range(256)) * 16)
    assert m.run("sum nvme0n1 2048 8") == crc
    assert not m.run("write nvme0n1 4096 8 pattern=0x3c").startswith("error")
    m.run("flush nvme0n1")
    with open(img, "rb") as f:
        f.seek(4096 * 512)
        assert f.read(4096) == b"\x3c" * 4096
