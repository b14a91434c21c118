"""Exceptions, panics and warnings: each `crash` kind prints a report with the
exception's name, registers and a symbolized stack trace, then halts (or, for
the debug traps and warnings, returns to the prompt)."""
import re

import pytest

FATAL = [
    ("divide", r"divide error \(#DE"),
    ("invalid-opcode", r"invalid opcode \(#UD"),
    ("gp", r"general protection fault \(#GP"),
    ("pagefault", r"page fault \(#PF"),
    ("stack-overflow", r"double fault \(#DF"),
    ("panic", r"PANIC: "),
]


@pytest.mark.parametrize("kind,header", FATAL, ids=[k for k, _ in FATAL])
def test_fatal_report_then_halt(boot, kind, header):
    m = boot(smp=1)
    m.send(f"crash {kind}\r")
    m.expect(header, timeout=20)
    out = m.expect(r"halting", timeout=20).string
    report = out[out.rfind(f"crash {kind}"):]
    if kind != "panic":
        assert re.search(r"rax [0-9a-f]{16}", report), report
        assert re.search(r"cr2 [0-9a-f]{16}", report), report
    # frames are named from the kernel's own symbol table
    assert re.search(r"\] (crash_|cmd_crash)[\w.]*\+0x[0-9a-f]+/0x[0-9a-f]+", report), report
    if kind != "stack-overflow":
        # gcc may split it (shell_execute.part.0): the frame is there either way
        assert re.search(r"\] shell_execute(\.\w+\.\d+)?\+0x", report), report
    # halted: the prompt does not come back
    m.send("echo alive\r")
    with pytest.raises(Exception):
        m.expect(r"\nalive", timeout=3)


def test_pagefault_reports_address(boot):
    m = boot(smp=1)
    m.send("crash pagefault\r")
    text = m.expect(r"halting", timeout=20).string
    assert re.search(r"cr2 ffff9", text), text


@pytest.mark.parametrize("kind,marker", [("breakpoint", r"breakpoint"), ("warn", r"WARNING: ")])
def test_recoverable_traps_return(boot, kind, marker):
    m = boot(smp=1)
    out = m.run(f"crash {kind}")
    assert re.search(marker, out), out
    assert m.run("echo alive") == "alive"


def test_crash_bad_kind(shell):
    out = shell.run("crash nosuchthing")
    assert out.startswith("error:"), out
    assert shell.run("crash").startswith("error:")
