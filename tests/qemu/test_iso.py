"""The GRUB path: build/stork.iso (from `make iso`, which `make qemu-test`
builds first) boots from a CD through GRUB's multiboot2 loader to the shell,
the way a USB stick made with `make usb` boots a real machine.
"""
import os

import pytest

import stork


def test_iso_boots_through_grub(boot):
    iso = os.path.join(stork.build_dir(), "stork.iso")
    if not os.path.exists(iso):
        pytest.fail(f"{iso} is missing: run `make iso` first")
    m = boot(iso=True)
    assert "booting (multiboot2)" in m.boot_log
    assert "boot: loader 'GRUB" in m.boot_log
    # no console= from the default entry: every console found, the screen too
    assert "console=" not in m.run("cmdline").splitlines()[0]
    assert "console: ttyS0: COM1" in m.boot_log
    assert m.run("version").startswith("stork ")
