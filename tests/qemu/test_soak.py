"""tools/soak keeps working: a 15-second soak (every action of its rounds on
every device type, the images checked on the host) must pass, and --help
must describe it. The real soak runs for minutes and is not part of make
test (docs/robustness.md records one)."""
import os
import subprocess
import sys

import stork

SOAK = os.path.join(stork.ROOT, "tools", "soak")


def test_soak_help():
    out = subprocess.run([sys.executable, SOAK, "--help"], capture_output=True, text=True,
                         check=True).stdout
    assert "--minutes" in out and "host" in out


def test_soak_smoke():
    p = subprocess.run([sys.executable, SOAK, "--minutes", "0.25", "--seed", "5"],
                       capture_output=True, text=True, timeout=240,
                       env=dict(os.environ, STORK_BUILD=stork.build_dir()))
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-2000:]
    assert "PASSED" in p.stdout
    assert "host check:" in p.stdout and "bench-verify" in p.stdout, p.stdout[-3000:]
