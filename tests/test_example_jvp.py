"""``python -m ember.examples.jvp`` prints what the same program prints under PyTorch, and its
numbers are right without the oracle (the adjoint identity, jacfwd == jacrev)."""
import pathlib
import subprocess
import sys

import pytest

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

ROOT = pathlib.Path(__file__).resolve().parents[1]
SRC = ROOT / "ember" / "examples" / "jvp.py"


def _run(args, **kw):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, **kw)


def test_example_runs_and_checks_itself():
    p = _run(["-m", "ember.examples.jvp"])
    assert p.returncode == 0, p.stderr
    assert "torch.func.jvp agrees: True; autograd.functional.jvp agrees: True" in p.stdout
    assert "<v, J u> = 45.2000   <J^T v, u> = 45.2000" in p.stdout
    assert "jacfwd equals jacrev: True" in p.stdout


@pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")
def test_example_prints_what_torch_prints(tmp_path):
    src = SRC.read_text().replace("import ember as torch", "import torch").replace(
        "import ember.autograd.forward_ad as fwAD", "import torch.autograd.forward_ad as fwAD")
    assert "ember" not in src.split('"""', 2)[2]  # the program body names only torch now
    script = tmp_path / "jvp_torch.py"
    script.write_text(src)
    ours, theirs = _run(["-m", "ember.examples.jvp"]), _run([str(script)])
    assert theirs.returncode == 0, theirs.stderr
    assert ours.stdout == theirs.stdout
