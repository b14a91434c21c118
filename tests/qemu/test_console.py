"""Consoles other than COM1: the screen (framebuffer and VGA text) with the
PS/2 keyboard, COM2, a PCI UART, and `console=` choosing among them.

The screen tests run with no serial port at all (-serial none), as on a
laptop: keys go in through the QEMU monitor's sendkey and what is drawn is
checked pixel for pixel against the kernel's font (tests/qemu/screen.py).
"""
import os
import re
import tempfile

import pytest

import screen
import stork


@pytest.fixture
def screen_machine(request):
    machines = []

    def start(**kw):
        m = screen.ScreenMachine(name=re.sub(r"\W+", "_", request.node.name), **kw)
        machines.append(m)
        return m.start()

    yield start
    for m in machines:
        m.kill()


def monitor_args():
    sock = os.path.join(tempfile.mkdtemp(prefix="stork-mon-"), "monitor")
    return sock, ["-vga", "std", "-monitor", f"unix:{sock},server=on,wait=off"]


OVMF_CODE = "/usr/share/OVMF/OVMF_CODE.fd"


@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_framebuffer_console_no_serial(screen_machine, firmware):
    """GRUB's framebuffer (VBE under SeaBIOS, GOP under OVMF), no serial
    port: the boot, the prompt and typed commands are drawn; the line editor
    and Ctrl-C work from the keyboard."""
    extra = []
    if firmware == "uefi":
        if not os.path.exists(OVMF_CODE):
            pytest.skip(f"no UEFI firmware at {OVMF_CODE} (Debian package ovmf; tools/deps test)")
        extra = ["-bios", OVMF_CODE]
    m = screen_machine(iso=True, extra=extra)
    img = m.screendump()
    assert img.find_line(f"stork> "), img.text()
    text = img.text()
    assert re.search(r"console: tty0: framebuffer 1024x768x32 at 0x[0-9a-f]+, 170x69 text", text)
    assert "ttyS" not in text, "a serial console with no serial port:\n" + text

    m.type("version\n")
    rows = m.expect_line("stork> version")
    img = m.screendump()
    out = img.text().splitlines()[rows[-1] + 1]
    assert out.startswith("stork ") and "built with gcc" in out, out

    # the line editor: a typo fixed with Home, Right, Delete, then End and Enter
    m.type("vxersion")
    for key in ("home", "right", "delete", "end"):
        m.mon.sendkey(key)
    m.type("\n")
    img = m.wait_for(lambda i: len(i.find_line("stork> version")) == 2, what="the edited line")

    # history (Up) and Ctrl-C abandoning a line
    m.mon.sendkey("up")
    m.expect_line("stork> version")
    m.mon.sendkey("ctrl-c")
    m.expect_line("stork> version^C")

    # capitals and symbols through Shift; the error line is drawn as the shell printed it
    m.type("Version_X\n")
    m.expect_line("stork> Version_X")
    m.expect_line("error: unknown command 'Version_X' (try 'help')")

    # scrolling: help and dmesg fill more than the 69 rows; the prompt ends at the bottom
    m.type("help\n")
    m.type("dmesg\n")
    m.type("consoles\n")
    # wait for the whole of it: the consoles list drawn and the prompt after it
    img = m.wait_for(lambda i: any(l.startswith("tty0") for l in i.text().splitlines())
                     and i.text().splitlines()[-1:] == ["stork>"],
                     what="the consoles list and the prompt after it")
    lines = img.text().splitlines()
    assert len(lines) == img.rows and lines[-1] == "stork>", img.text()
    tty0 = [l for l in lines if l.startswith("tty0")][0]
    assert "enabled" in tty0 and "irq" in tty0 and "PS/2 keyboard" in tty0, tty0


def test_vga_text_console_and_keyboard(boot):
    """QEMU's -kernel leaves VGA text mode: the shell draws there, and the
    keyboard types into the same shell as COM1."""
    sock, extra = monitor_args()
    m = boot(extra=extra)
    assert "console: tty0: VGA text 80x25 at 0xb8000" in m.boot_log
    mon = screen.Monitor(sock)
    try:
        mon.type("Version\n")
        # the first prompt was consumed by start(): the echo follows it
        m.expect(r"Version\r\nerror: unknown command 'Version'", what="the keyboard's line on COM1")
        mon.type("version\n")
        m.expect(r"stork> version\r\nstork \S+", what="the keyboard's command ran")
        rows = []
        words = mon.xp_words(0xb8000, 80 * 25)
        for r in range(25):
            rows.append("".join(chr(w & 0xff) for w in words[80 * r:80 * r + 80]).rstrip())
        assert "stork> version" in rows, "\n".join(rows)
        i = rows.index("stork> version")
        assert rows[i + 1].startswith("stork "), rows[i + 1]
        # the default colours, grey on black, as the text grid keeps them
        assert all(w >> 8 == 0x07 for w in words[80 * i:80 * i + 14])
    finally:
        mon.close()


def test_com2_console_and_no_com1_flood(boot):
    """No UART at COM1 (its port reads 0xff): nothing is read from it, and
    COM2 is a console of its own."""
    m = boot(serial="none", extra=["-serial", "stdio"])
    assert "console: ttyS1: COM2 at I/O 0x2f8" in m.boot_log
    assert "ttyS0" not in m.boot_log
    # run() checks the echo: a 0xff flood would have filled the line first
    assert m.run("version").startswith("stork ")
    out = m.run("consoles")
    assert re.search(r"^ttyS1\s+enabled\s+irq\s+COM2", out, re.M), out
    assert "ttyS0" not in out


def test_console_option_selects_and_orders(boot):
    """console=ttyS1,115200 alone: COM1 goes quiet after the command line is
    read, COM2 carries the shell; consoles lists the choice first."""
    m = boot(serial="null", extra=["-serial", "stdio"], append="console=ttyS1,115200 console=tty0",
             )
    out = m.run("consoles")
    names = [l.split()[0] for l in out.splitlines()]
    assert names[:2] == ["ttyS1", "tty0"] and "ttyS0" in names, out
    assert re.search(r"^ttyS0\s+off\s", out, re.M), out


def test_console_option_unknown_port_reported(boot):
    m = boot(append="console=ttyS0 console=ttyS9")
    m.run("version")
    assert "console: console=ttyS9: no such device" in m.run("dmesg")


def test_pci_serial_console(boot):
    """A 16550 on PCI (QEMU's pci-serial) becomes ttyS4 with no legacy port
    at all; the boot log is replayed onto it and the shell runs there."""
    m = boot(serial="none", extra=["-chardev", "stdio,id=pcs,signal=off",
                                   "-device", "pci-serial,chardev=pcs"])
    assert re.search(r"console: ttyS4: PCI 00:0\w\.0 1b36:0002, I/O 0x[0-9a-f]+, 16550",
                     m.boot_log), m.boot_log
    assert "booting (multiboot)" in m.boot_log, "the log before the PCI scan was not replayed"
    assert m.run("version").startswith("stork ")
    assert re.search(r"^\S+ 1b36:0002 class 0700 .* driver serial", m.run("lspci"), re.M)
    out = m.run("consoles")
    assert re.search(r"^ttyS4\s+enabled\s+poll\s+PCI", out, re.M), out


USB_KBD = ["-M", "q35,i8042=off", "-device", "qemu-xhci", "-device", "usb-kbd"]


def test_usb_keyboard_xhci(boot):
    """No i8042 (as on many new PCs): a USB keyboard on xHCI types into the
    shell, line editing and Ctrl-C included."""
    sock, extra = monitor_args()
    m = boot(extra=extra + USB_KBD)
    assert re.search(r"usb: USB keyboard \(xHCI port \d+\)", m.boot_log), m.boot_log
    assert "i8042" not in m.boot_log
    mon = screen.Monitor(sock)
    try:
        mon.type("Version_X\n")
        m.expect(r"error: unknown command 'Version_X'", what="the USB keyboard's line")
        for key in ("up", "left", "left", "backspace", "ret"):
            mon.sendkey(key)
        m.expect(r"error: unknown command 'Versio_X'", what="the line edited from USB")
        mon.type("abc")
        mon.sendkey("ctrl-c")
        m.expect(r"abc\^C\r\n", what="Ctrl-C from USB")
        out = m.run("consoles")
        assert re.search(r"^tty0\s+enabled\s+poll\s+.*USB keyboard \(xHCI port \d+\)", out, re.M), out
        assert re.search(r"^\S+ [0-9a-f]{4}:[0-9a-f]{4} class 0c03 .* driver xhci", m.run("lspci"), re.M)
    finally:
        mon.close()


def test_usb_keyboard_on_screen(screen_machine):
    """The laptop case: framebuffer, USB keyboard, no PS/2, no serial port."""
    m = screen_machine(iso=True, extra=USB_KBD)
    m.type("version\n")
    rows = m.expect_line("stork> version")
    out = m.screendump().text().splitlines()[rows[-1] + 1]
    assert out.startswith("stork ") and "built with gcc" in out, out


def test_usb_keyboard_behind_hub(boot):
    """A keyboard on port 3 of a hub on a root port (one level deep)."""
    sock, extra = monitor_args()
    m = boot(extra=extra + ["-M", "q35,i8042=off", "-device", "qemu-xhci,id=xhci",
                            "-device", "usb-hub,bus=xhci.0,port=2",
                            "-device", "usb-kbd,bus=xhci.0,port=2.3"])
    assert re.search(r"usb: hub at xHCI port \d+, \d+ ports", m.boot_log), m.boot_log
    assert re.search(r"usb: USB keyboard \(xHCI port \d+\.3\)", m.boot_log), m.boot_log
    mon = screen.Monitor(sock)
    try:
        mon.type("Version_Y\n")
        m.expect(r"error: unknown command 'Version_Y'", what="the line typed behind the hub")
    finally:
        mon.close()
