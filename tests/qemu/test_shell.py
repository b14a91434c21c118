"""The serial shell as a user meets it: boot, commands, errors, hostile input,
line editing, and leaving the machine. The contract is DESIGN.md's "The shell".
"""
import random
import re
import time

import pytest

BASE_COMMANDS = {"help", "echo", "version", "uptime", "dmesg", "cmdline", "selftest"}
UP, DOWN, RIGHT, LEFT = "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D"
HOME, END, DELETE = "\x1b[H", "\x1b[F", "\x1b[3~"


def help_commands(shell):
    """The command names `help` lists, one "  name  summary" line each."""
    return [m.group(1) for m in re.finditer(r"^  (\S+)\s+\S", shell.run("help"), re.M)]


# --- boot -------------------------------------------------------------------

def test_boot_reports_prompt_time(shell):
    assert "booting (multiboot)" in shell.boot_log
    m = re.search(r"^\[ *\d+\.\d{6}\] boot: prompt after (\d+) ms\r?$", shell.boot_log, re.M)
    assert m, "no 'boot: prompt after N ms' line in the boot log"
    assert int(m.group(1)) < 10000


@pytest.mark.parametrize("smp", [1, 2, 4])
def test_boot_smp(boot, smp):
    m = boot(smp=smp)
    assert "boot: prompt after" in m.boot_log
    assert m.run("version").startswith("stork ")


# --- commands ---------------------------------------------------------------

def test_help_lists_commands(shell):
    names = help_commands(shell)
    assert BASE_COMMANDS <= set(names), f"missing: {BASE_COMMANDS - set(names)}"
    assert names == sorted(names)


def test_help_shows_usage(shell):
    assert shell.run("help echo") == "usage: echo [word ...]\n  print the words"
    for name in help_commands(shell):
        assert shell.run(f"help {name}").startswith(f"usage: {name}")


def test_version(shell):
    assert re.fullmatch(r"stork \S+ \(built with gcc .+\)", shell.run("version"))


def test_uptime_grows(shell):
    def seconds():
        out = shell.run("uptime")
        m = re.fullmatch(r"up \d+:\d\d:\d\d\.\d{3} \((\d+\.\d{9}) s\)", out)
        assert m, out
        return float(m.group(1))

    first = seconds()
    time.sleep(0.2)
    second = seconds()
    assert second > first


@pytest.mark.parametrize("cmd,out", [
    ("echo hello world", "hello world"),
    ("echo   spaced    out   ", "spaced out"),
    ('echo "a  b" c', "a  b c"),
    ("echo 'say \"hi\"'", 'say "hi"'),
    ('echo a""b x"y z"', "ab xy z"),
    ("echo", ""),
])
def test_echo(shell, cmd, out):
    assert shell.run(cmd) == out


def test_dmesg_has_boot_banner(shell):
    log = shell.run("dmesg")
    assert re.search(r"^\[ *\d+\.\d{6}\] stork \S+ booting \(multiboot\)", log, re.M)
    assert "boot: prompt after" in log


def test_cmdline_options(boot):
    m = boot(append="loglevel=7 frobnicate=1")
    log = m.run("dmesg")
    assert "cmdline: unknown option 'frobnicate' ignored" in log
    assert "loglevel" not in "".join(line for line in log.splitlines() if "cmdline:" in line)
    assert m.run("cmdline").splitlines()[0].endswith("loglevel=7 frobnicate=1")


def test_cmdline_bad_value(boot):
    m = boot(append="loglevel=9")
    assert "cmdline: bad value '9' for loglevel" in m.run("dmesg")


def test_loglevel_quiets_console_not_log(boot):
    m = boot(append="loglevel=0")
    assert "booting" not in m.boot_log
    assert "booting (multiboot)" in m.run("dmesg")


def test_run_json_parses_output(shell):
    # no command prints JSON yet (`mem --json` will); echo stands in for one
    assert shell.run_json("""echo '{"a": [1, "two"], "b": null}'""") == {"a": [1, "two"], "b": None}


# every suite's self tests run in test_sched.py, on 1, 2, 4 and 8 CPUs


# --- errors: one "error:" line, then the prompt ------------------------------

@pytest.mark.parametrize("cmd,error", [
    ("frobnicate", "error: unknown command 'frobnicate' (try 'help')"),
    ("help nosuch", "error: unknown command 'nosuch'"),
    ("help a b c", "error: usage: help [command]"),
    ("version now", "error: usage: version"),
    ('echo "open', "error: unterminated quote"),
    ("echo 'open", "error: unterminated quote"),
    ("echo" + " w" * 64, "error: too many words (at most 64)"),
])
def test_error(shell, cmd, error):
    assert shell.run(cmd) == error


def test_64_words_are_fine(shell):
    assert shell.run("echo" + " w" * 63) == " ".join(["w"] * 63)


def test_longest_line(shell):
    cmd = "echo " + "y" * 1018
    assert len(cmd) == 1023
    assert shell.run(cmd) == "y" * 1018


@pytest.mark.parametrize("length", [1024, 2000])
def test_line_too_long(shell, length):
    shell.skip_pending()
    shell.send("echo " + "x" * (length - 5) + "\r")
    shell.expect(r"\r\nerror: line too long \(at most 1023 characters\)\r\nstork> ")
    assert shell.run("echo alive") == "alive"


# --- hostile input -------------------------------------------------------------

# bytes the editor acts on: Ctrl-A/C/E/H/L/U, LF, CR, ESC
EDITOR_KEYS = {0x01, 0x03, 0x05, 0x08, 0x0a, 0x0c, 0x0d, 0x15, 0x1b}


@pytest.mark.parametrize("junk", [
    bytes(c for c in range(0x20) if c not in EDITOR_KEYS),
    b"\x00" * 8,
    bytes(range(0x80, 0x100)),
], ids=["control", "nul", "non-ascii"])
def test_dropped_bytes(shell, junk):
    assert shell.run("ec" + junk.decode("latin-1") + "ho dropped") == "dropped"
    assert shell.run("echo alive") == "alive"


def test_random_flood(boot):
    m = boot()
    rnd = random.Random(20240501)
    m.send(bytes(rnd.randrange(256) for _ in range(64 * 1024)))
    m.sync(timeout=60)
    assert m.run("echo alive") == "alive"
    assert m.run("version").startswith("stork ")


# --- line editing ---------------------------------------------------------------

@pytest.mark.parametrize("typed,out", [
    ("echo helo\x7f\x7fllo", "hello"),                  # DEL
    ("echo helo\b\bllo", "hello"),                      # Backspace
    ("\x7f\x7fecho x", "x"),                            # backspace on an empty line
    ("rubbish words\x15echo clean", "clean"),           # Ctrl-U
    ("echo wrd" + LEFT * 2 + "o", "word"),              # insert in the middle
    ("echo ab" + LEFT * 5 + RIGHT * 4 + "x", "axb"),    # left stops at 0, right moves
    ("cho xy" + "\x01e\x05z", "xyz"),                   # Ctrl-A, Ctrl-E
    ("cho xy" + HOME + "e" + END + "z", "xyz"),         # Home, End
    ("echo abc" + LEFT * 2 + DELETE, "ac"),             # Delete
    ("echo ab" + LEFT + "\x1b[1~" + "\x1b[4~" + "c", "abc"),   # VT Home/End
    ("echo a\x1b[99Zb", "ab"),                          # unknown sequence dropped
], ids=["del", "bs", "bs-empty", "ctrl-u", "insert", "left-right", "ctrl-a-e",
        "home-end", "delete", "vt-home-end", "unknown-escape"])
def test_editing(shell, typed, out):
    assert shell.run(typed) == out


def test_ctrl_c_abandons_line(shell):
    shell.skip_pending()
    shell.send("echo never\x03")
    shell.expect(r"\^C\r\nstork> ")
    assert shell.run("echo after") == "after"
    assert "\nnever\r" not in shell.log


def test_history(shell):
    assert shell.run("echo recall-me") == "recall-me"
    assert shell.run("echo second") == "second"
    assert shell.run(UP) == "second"
    assert shell.run(UP + UP + DOWN) == "second"
    assert shell.run(UP + UP) == "recall-me"
    assert shell.run(UP + DOWN + "echo fresh") == "fresh"
    assert shell.run(UP + LEFT * 3 + "-ish") == "fr-ishesh"


# --- leaving ---------------------------------------------------------------------

def test_poweroff_exits_qemu(boot):
    m = boot()
    m.send("poweroff\r")
    assert m.wait_exit(10) == 0
