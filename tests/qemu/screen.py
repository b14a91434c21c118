"""The screen and keyboard of a stork machine, from the host.

QEMU's monitor (a Unix socket) types with `sendkey` (PS/2 scan codes, as a
keyboard would) and takes pictures with `screendump` (a PPM file). What the
framebuffer console drew is checked by rendering the expected text with the
kernel's own font, read from drivers/video/font.c, and comparing pixels:
a pixel is ink when it is not the black background.

    m = ScreenMachine(iso=True)          # GRUB: a 1024x768 framebuffer
    m.start()                            # waits until "stork> " is drawn
    m.type("version\\n")
    m.expect_line("stork> version")      # a row that is exactly this, drawn
    m.kill()

A VGA text-mode screen (QEMU's -kernel boot) holds characters, not pixels:
`text_rows()` reads them from VGA memory through the monitor's `xp`.
"""
import os
import re
import socket
import subprocess
import tempfile
import time

import stork

FONT_C = os.path.join(stork.ROOT, "drivers", "video", "font.c")
FONT_W, FONT_H = 5, 9                 # drivers/video/font.h
CELL_W, CELL_H, FONT_TOP = 6, 11, 1

# sendkey names of the characters that are not their own name
KEY_NAMES = {
    " ": "spc", "-": "minus", "=": "equal", ".": "dot", "/": "slash", ",": "comma",
    ";": "semicolon", "'": "apostrophe", "[": "bracket_left", "]": "bracket_right",
    "\\": "backslash", "`": "grave_accent", "\n": "ret", "\t": "tab",
}
SHIFTED = {
    "!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7", "*": "8",
    "(": "9", ")": "0", "_": "minus", "+": "equal", ">": "dot", "<": "comma", "?": "slash",
    ":": "semicolon", '"': "apostrophe", "{": "bracket_left", "}": "bracket_right",
    "|": "backslash", "~": "grave_accent",
}


def load_font():
    """char -> list of FONT_H row bit masks (bit 4 leftmost), from font.c."""
    text = open(FONT_C).read()
    font = {}
    for m in re.finditer(r"\[('(?:\\.|[^'])')\s*-\s*FONT_FIRST\]\s*=\s*\"([#. ]*)\"", text):
        ch = m.group(1)[1:-1]
        ch = {"\\\\": "\\", "\\'": "'"}.get(ch, ch)
        rows = [int(r.replace("#", "1").replace(".", "0"), 2) for r in m.group(2).split()]
        font[ch] = rows + [0] * (FONT_H - len(rows))
    assert len(font) == 95, f"font.c: {len(font)} glyphs parsed, 95 expected"
    return font


FONT = load_font()


def scale_for(width):
    """The kernel's rule (drivers/video/fbcon.c): 1, 2 from 1280, 3 from 2560."""
    return 3 if width >= 2560 else 2 if width >= 1280 else 1


def render(text, scale=1):
    """The ink of text as fbcon draws it: rows of booleans, no cursor."""
    rows = []
    for y in range(CELL_H * scale):
        gy = y // scale
        row = []
        for ch in text:
            glyph = FONT.get(ch, FONT[" "])
            bits = glyph[gy - FONT_TOP] if FONT_TOP <= gy < FONT_TOP + FONT_H else 0
            for x in range(CELL_W * scale):
                gx = x // scale
                row.append(gx < FONT_W and bool(bits >> (FONT_W - 1 - gx) & 1))
        rows.append(row)
    return rows


class Image:
    """A screendump: width, height and an ink map (True where not black)."""

    def __init__(self, path):
        data = open(path, "rb").read()
        m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
        assert m, f"{path}: not a binary PPM"
        self.width, self.height = int(m.group(1)), int(m.group(2))
        px = data[m.end():]
        self.rgb = px
        w = self.width
        self.ink = [[px[3 * (y * w + x)] | px[3 * (y * w + x) + 1] | px[3 * (y * w + x) + 2] != 0
                     for x in range(w)] for y in range(self.height)]
        self.scale = scale_for(self.width)
        self.cols = self.width // (CELL_W * self.scale)
        self.rows = self.height // (CELL_H * self.scale)

    def line_matches(self, row, text):
        """Is text drawn at the start of text row `row`, pixel for pixel,
        with nothing drawn after it on that row (but the cursor)?"""
        s = self.scale
        want = render(text.ljust(self.cols)[:self.cols], s)
        top = row * CELL_H * s
        for y in range(CELL_H * s):
            if y // s == CELL_H - 1:
                continue        # the cursor's underline row: no glyph uses it
            if self.ink[top + y][:len(want[y])] != want[y]:
                return False
        return True

    def find_line(self, text):
        """The text rows drawn exactly as text, top to bottom."""
        return [r for r in range(self.rows) if self.line_matches(r, text)]

    def cell_char(self, row, col):
        """Which glyph a cell shows ('\\0' when none matches)."""
        s = self.scale
        top, left = row * CELL_H * s, col * CELL_W * s
        bits = []
        for gy in range(FONT_H):
            y = top + (FONT_TOP + gy) * s
            v = 0
            for gx in range(FONT_W):
                v = v << 1 | self.ink[y][left + gx * s]
            bits.append(v)
        for ch, glyph in FONT.items():
            if glyph == bits:
                return ch
        return "\0"

    def text(self):
        """The screen read back glyph by glyph (for failure messages)."""
        lines = ["".join(self.cell_char(r, c) for c in range(self.cols)).rstrip()
                 for r in range(self.rows)]
        return "\n".join(lines).rstrip("\n")


class Monitor:
    """QEMU's human monitor on a Unix socket."""

    def __init__(self, path, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.sock.settimeout(timeout)
        self._read_prompt()

    def _read_prompt(self):
        buf = b""
        while not buf.endswith(b"(qemu) "):
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("the monitor closed")
            buf += chunk
        return buf.decode("latin-1")

    def cmd(self, line):
        self.sock.sendall(line.encode() + b"\n")
        out = self._read_prompt()
        # drop the echoed command line and the prompt
        out = out[:-len("(qemu) ")]
        return out.split("\n", 1)[1] if "\n" in out else ""

    def sendkey(self, key):
        self.cmd(f"sendkey {key}")

    def type(self, text, pause=0.02):
        for ch in text:
            if ch in SHIFTED:
                key = "shift-" + SHIFTED[ch]
            elif ch.isupper():
                key = "shift-" + ch.lower()
            else:
                key = KEY_NAMES.get(ch, ch)
            self.sendkey(key)
            time.sleep(pause)

    def screendump(self, path):
        self.cmd(f"screendump {path}")
        return Image(path)

    def xp_words(self, addr, count):
        """count 16-bit words of guest physical memory."""
        words = []
        for line in self.cmd(f"xp /{count}hx {addr:#x}").splitlines():
            if ":" in line:
                words += [int(w, 16) for w in re.findall(r"0x([0-9a-f]+)", line.split(":", 1)[1])]
        return words

    def close(self):
        self.sock.close()


class ScreenMachine:
    """A stork machine with a screen and keyboard and, unless serial says
    otherwise, no serial port at all (-serial none)."""

    def __init__(self, iso=False, serial="none", append="", extra=(), name="screen"):
        self.dir = tempfile.mkdtemp(prefix="stork-screen-")
        self.sock = os.path.join(self.dir, "monitor")
        self.name = name
        args = [stork.RUN_QEMU, "--build", stork.build_dir(), "--serial", serial,
                "--smp", "2", "--mem", "256M", "--no-disks"]
        if iso:
            args.append("--iso")
        if append:
            args += ["--append", append]
        args += ["--", "-vga", "std", "-monitor", f"unix:{self.sock},server=on,wait=off"]
        args += list(extra)
        self.args = args
        self.proc = None
        self.mon = None
        self.shots = 0

    def start(self, timeout=240):
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     cwd=stork.ROOT)
        self.mon = Monitor(self.sock)
        self.wait_for(lambda img: img.find_line("stork>"), timeout, "the first prompt")
        return self

    def screendump(self):
        self.shots += 1
        path = os.path.join(self.dir, f"shot{self.shots}.ppm")
        img = self.mon.screendump(path)
        logs = os.path.join(stork.build_dir(), "test-logs")
        os.makedirs(logs, exist_ok=True)
        os.replace(path, os.path.join(logs, f"{self.name}.ppm"))  # the last one, kept
        return img

    def wait_for(self, found, timeout=90, what="the screen"):
        """Screendump until found(image) is true; returns that image."""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"QEMU exited: {self.proc.stderr.read().decode()[-2000:]}")
            img = self.screendump()
            if img.width > 720 and found(img):      # past SeaBIOS's 720x400 text
                return img
            if time.monotonic() > deadline:
                text = img.text() if img.width > 720 else f"(a {img.width}x{img.height} screen)"
                raise AssertionError(f"{what} not drawn within {timeout} s; screen:\n{text}")
            time.sleep(1)

    def expect_line(self, text, timeout=90):
        """Wait until a text row is drawn exactly as text; returns the rows."""
        img = self.wait_for(lambda i: i.find_line(text), timeout, repr(text))
        return img.find_line(text)

    def type(self, text):
        self.mon.type(text)

    def kill(self):
        if self.mon:
            self.mon.close()
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            self.proc.wait()
            for f in (self.proc.stdout, self.proc.stderr):
                f.close()
