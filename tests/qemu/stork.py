"""Drive a stork kernel in QEMU over its serial console.

A Machine is one QEMU started through tools/run-qemu (the same way a person
starts it with `make run`) with the serial port on QEMU's stdin/stdout pipes.
A reader thread copies every byte QEMU prints into the console log, so
nothing is lost while a test is busy elsewhere; `expect` and `run` search
that log from where the previous search stopped.

    m = Machine(smp=2, append="loglevel=7")
    m.start()                       # boots, waits for the first "stork> "
    out = m.run("version")          # output between the echo and the prompt
    m.send(b"\\x1b[A\\r")            # raw bytes: here up-arrow and Enter
    m.expect(r"stork \\S+")          # a re.Match on the console log
    m.kill()

Input pacing: the guest reads COM1 by polling a 16-byte receive FIFO. QEMU's
16550 model holds bytes back while the FIFO is full, so a pipe never overruns
it, and QEMU 7.2 lost no byte even when 64 KiB were written at once. A
real UART, or a serial backend without that flow control, would overrun, so
`send` writes SEND_CHUNK bytes at a time with SEND_PAUSE between chunks.
Measured under TCG: twenty 1000-character lines in 0.18 s and a 64 KiB flood
in 0.64 s with 256-byte chunks (16-byte chunks with 1 ms pauses: 1.4 s and
4.5 s), no byte lost; run() checks every echoed line against what it typed.
"""
import json
import os
import re
import subprocess
import threading
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN_QEMU = os.path.join(ROOT, "tools", "run-qemu")
PROMPT = "stork> "
PROMPT_RE = re.compile(r"^" + re.escape(PROMPT), re.M)
# kernel/main.c and kernel/sched/async.c: the prompt came before every probe ended
BACKGROUND_MARK = "boot: probes still running in the background"
BACKGROUND_DONE_RE = re.compile(r"boot: background probes done after \d+ ms\r?\n")
LINE_MAX = 1023                 # SHELL_LINE_MAX - 1 in kernel/shell/shell.h
SEND_CHUNK = 256                # bytes per write to QEMU's stdin
SEND_PAUSE = 0.002              # seconds between chunks
TAIL = 3000                     # characters of console log in error messages



def build_dir():
    return os.path.abspath(os.environ.get("STORK_BUILD", os.path.join(ROOT, "build")))


def printable(text):
    """The log as a reader wants it in a failure message: controls escaped."""
    out = []
    for ch in text:
        if ch == "\n" or " " <= ch <= "~":
            out.append(ch)
        elif ch != "\r":
            out.append("\\x%02x" % ord(ch))
    return "".join(out)


class MachineError(Exception):
    """The console did not show what was expected; carries the log's tail."""

    def __init__(self, machine, message):
        tail = machine.log[-TAIL:]
        err = machine.stderr.strip()
        text = f"{message}\n--- console of {machine.name} (last {len(tail)} chars) ---\n"
        text += printable(tail)
        if err:
            text += f"\n--- QEMU stderr ---\n{err[-TAIL:]}"
        super().__init__(text)


class Machine:
    def __init__(self, smp=2, mem="256M", append="", nvme=(), virtio=(), iso=False,
                 extra=(), name="stork", serial="stdio", kvm=False):
        self.name = name
        self.iso = iso
        self.build = build_dir()
        # serial: COM1's backend; another port on stdio comes through extra
        args = [RUN_QEMU, "--build", self.build, "--serial", serial,
                "--smp", str(smp), "--mem", mem]
        if iso:
            args.append("--iso")
        if kvm:
            args.append("--kvm")
        if append:
            args += ["--append", append]
        for disk in nvme:
            args += ["--nvme", str(disk)]
        for disk in virtio:
            args += ["--virtio", str(disk)]
        if not nvme and not virtio:
            args.append("--no-disks")
        if extra:
            args += ["--"] + list(extra)
        self.args = args
        self.proc = None
        self.boot_log = ""
        self._text = ""         # the console log, bytes decoded 1:1 (latin-1)
        self._stderr = ""
        self._pos = 0           # where the next expect starts searching
        self._eof = set()       # the streams ("_text", "_stderr") that ended
        self._cond = threading.Condition()
        self._threads = []

    # --- life cycle -------------------------------------------------------
    def start(self, timeout=None, until=None):
        """Start QEMU and wait for the first prompt (60 s via GRUB, else 30 s).

        until: wait for this regex instead (a boot that must stop before the prompt).
        """
        if timeout is None:
            timeout = 60 if self.iso else 30
        self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=ROOT)
        for stream, attr in ((self.proc.stdout, "_text"), (self.proc.stderr, "_stderr")):
            t = threading.Thread(target=self._reader, args=(stream, attr), daemon=True)
            t.start()
            self._threads.append(t)
        t0 = time.monotonic()
        m = self.expect(until or PROMPT_RE, timeout,
                        what=f"{until.pattern!r} at boot" if until else "the first prompt")
        self.prompt_time = time.monotonic()     # tools/bench-boot: QEMU start to prompt
        self.boot_log = self._text[:m.start()]
        if not until and BACKGROUND_MARK in self.boot_log:
            # disks still probed (AHCI links): wait for them, so that their lines
            # are in boot_log and print into no test's command output; the line
            # may come before or after the prompt
            with self._cond:
                pos = self._pos
                self._pos = 0
            done = self.expect(BACKGROUND_DONE_RE, max(1, timeout - (time.monotonic() - t0)),
                               what="the end of the background probes")
            with self._cond:
                self._pos = max(pos, done.end())
            self.boot_log = self._text[:max(m.start(), done.end())]
        return self

    def _reader(self, stream, attr):
        fd = stream.fileno()
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            with self._cond:
                if not data:
                    self._eof.add(attr)
                    self._cond.notify_all()
                    return
                setattr(self, attr, getattr(self, attr) + data.decode("latin-1"))
                self._cond.notify_all()

    def kill(self):
        """Stop QEMU (if still running) and keep the log under build/test-logs."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for t in self._threads:
            t.join(5)
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                f.close()
            except OSError:
                pass
        logs = os.path.join(self.build, "test-logs")
        os.makedirs(logs, exist_ok=True)
        with open(os.path.join(logs, self.name + ".log"), "w", encoding="latin-1") as f:
            f.write(self._text)

    def wait_exit(self, timeout):
        """Wait for QEMU to exit by itself; returns its exit status."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise MachineError(self, f"QEMU did not exit within {timeout} s") from None

    @property
    def log(self):
        """Everything the console printed so far."""
        with self._cond:
            return self._text

    @property
    def stderr(self):
        with self._cond:
            return self._stderr

    # --- input and output -------------------------------------------------
    def send(self, data):
        """Type raw bytes (or a str), paced in chunks so the guest keeps up."""
        if isinstance(data, str):
            data = data.encode("latin-1")
        fd = self.proc.stdin.fileno()
        for i in range(0, len(data), SEND_CHUNK):
            if i:
                time.sleep(SEND_PAUSE)
            chunk = data[i:i + SEND_CHUNK]
            try:
                while chunk:
                    chunk = chunk[os.write(fd, chunk):]
            except BrokenPipeError:
                raise MachineError(self, "QEMU exited while input was sent") from None

    def expect(self, pattern, timeout=30, what=None):
        """Wait until pattern (a regex) appears in the log after the last match.

        Returns the re.Match (positions index into self.log); the next search
        starts after it.
        """
        if isinstance(pattern, str):
            pattern = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                m = pattern.search(self._text, self._pos)
                if m:
                    self._pos = m.end()
                    return m
                if "_text" in self._eof:
                    status = self.proc.wait()
                    self._cond.wait_for(lambda: "_stderr" in self._eof, 2)
                    raise MachineError(self, f"QEMU exited (status {status}) while waiting "
                                       f"for {what or repr(pattern.pattern)}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise MachineError(self, f"timed out after {timeout} s waiting for "
                                       f"{what or repr(pattern.pattern)}")
                self._cond.wait(left)

    def skip_pending(self):
        """Forget console output nobody has searched yet."""
        with self._cond:
            self._pos = len(self._text)

    def run(self, cmd, timeout=30):
        """Type a command line and Enter; return its output.

        The output is what the console printed between the echoed command line
        and the next prompt, with CRLF as "\\n" and no trailing newline. For a
        command of printable characters the echo is checked against what was
        typed, so a lost or mangled input byte fails loudly.
        """
        self.skip_pending()
        self.send(cmd + "\r")
        echo_end = self.expect(re.compile(r"\r\n"), timeout, what=f"the echo of {cmd!r}")
        line = self.log[:echo_end.start()].rsplit("\n", 1)[-1]
        if cmd.isprintable() and len(cmd) <= LINE_MAX and cmd.isascii():
            # a kernel message printed after the prompt puts the echo on a line of its own
            before = self.log[:echo_end.start()].rsplit("\n", 2)
            after_message = line == cmd and len(before) == 3 and \
                re.match(r"(stork> )?\[\s*\d+\.\d+\] ", before[1])
            if not line.endswith(PROMPT + cmd) and not after_message:
                raise MachineError(self, f"echo mismatch: typed {cmd!r}, console shows {line!r}")
        prompt = self.expect(PROMPT_RE, timeout, what=f"the prompt after {cmd!r}")
        out = self.log[echo_end.end():prompt.start()]
        return out.replace("\r\n", "\n").removesuffix("\n")

    def run_json(self, cmd, timeout=30):
        """Run a command that prints JSON (`mem --json`); return the parsed object."""
        out = self.run(cmd, timeout)
        try:
            return json.loads(out)
        except ValueError as e:
            raise MachineError(self, f"{cmd!r} did not print JSON ({e}):\n{out}") from None

    def sync(self, timeout=30):
        """Bring the shell back to a fresh prompt, whatever state input left it in.

        Ctrl-C abandons a half-typed line; if an unfinished escape sequence
        swallows it, the Enter after it ends the line instead. Then a marker
        echo proves the shell answers and marks where the log is in sync.
        """
        self._sync_count = getattr(self, "_sync_count", 0) + 1
        marker = f"sync-{self._sync_count}"
        self.send(f"\x03\recho {marker}\r")
        self.expect(re.compile(r"\r\n" + marker + r"\r\n"), timeout, what=f"the {marker} marker")
        self.expect(PROMPT_RE, timeout, what=f"the prompt after {marker}")


# --- data the tests compare with what the guest wrote or read ---------------

SECTOR = 512


def seq_bytes(sector, count):
    """What `write ... pattern=seq` puts in count 512-byte sectors from sector."""
    out = bytearray()
    for s in range(sector, sector + count):
        out += s.to_bytes(8, "little")
        out += bytes((s + i) & 0xff for i in range(8, SECTOR))
    return bytes(out)


def crc(data):
    """zlib's CRC-32 as `sum` prints it: 8 lowercase hex digits."""
    return "%08x" % zlib.crc32(data)
