"""ember.jit against torch.jit with the JIT disabled (PYTORCH_JIT=0): script/trace return the
module or function itself (it runs eagerly, same parameters and state_dict), the decorators
mark and return, fork runs at once; torch 2.13's deprecation warnings; save/load raise."""
import io
import os
import re
import runpy
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")

ROOT = Path(__file__).resolve().parents[1]
_NUMERIC = ("out ", "traced on other input ", "trained ")


def _run_torch():
    env = dict(os.environ, PYTORCH_JIT="0", PYTHONWARNINGS="ignore")
    r = subprocess.run([sys.executable, str(ROOT / "tests" / "jit_program.py"), "torch"],
                       capture_output=True, text=True, env=env, timeout=300, cwd=str(ROOT))
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


def _run_ember(capsys):
    argv = sys.argv
    sys.argv = ["jit_program.py", "ember"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            runpy.run_path(str(ROOT / "tests" / "jit_program.py"), run_name="__main__")
    finally:
        sys.argv = argv
    return capsys.readouterr().out.splitlines()


@needs_torch
def test_program_prints_what_torch_prints_with_the_jit_disabled(capsys):
    ours, theirs = _run_ember(capsys), _run_torch()
    assert len(ours) == len(theirs) > 20
    for a, b in zip(ours, theirs):
        if a.startswith(_NUMERIC):  # float32 values printed in full: compare to tolerance
            na = [float(v) for v in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", a)]
            nb = [float(v) for v in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", b)]
            assert len(na) == len(nb) > 0 and np.allclose(na, nb, rtol=1e-5, atol=1e-4), (a, b)
        else:
            assert a == b


def test_script_and_trace_return_the_module_and_warn():
    m = ember.nn.Linear(3, 2)
    with pytest.warns(DeprecationWarning, match=r"`torch\.jit\.script` is deprecated"):
        assert ember.jit.script(m) is m
    with pytest.warns(DeprecationWarning, match=r"`torch\.jit\.trace` is deprecated"):
        t = ember.jit.trace(m, ember.randn(1, 3))
    assert t is m and list(t.state_dict()) == ["weight", "bias"]


def test_deprecation_warnings_are_hidden_by_default_filters():
    """torch's are attributed to torch's own files, so Python's default filters (which show a
    DeprecationWarning only when attributed to __main__) hide them; ember's likewise point into
    ember, so a user script prints nothing."""
    m = ember.nn.Linear(2, 2)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ember.jit.script(m)
        ember.jit.trace(m, ember.ones(1, 2))
        ember.jit.wait(ember.jit.fork(m, ember.ones(2)))
    home = str(Path(ember.__file__).parent)
    assert len(w) == 4 and all(x.filename.startswith(home) for x in w)


@needs_torch
def test_save_names_the_class_and_the_state_dict_way():
    m = ember.nn.Linear(3, 2)
    for f in (io.BytesIO(), "model.pt"):
        with pytest.warns(DeprecationWarning, match=r"`torch\.jit\.save` is deprecated"):
            with pytest.raises(AttributeError) as ours:
                ember.jit.save(m, f)
        tm = torch.nn.Linear(3, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(AttributeError) as theirs:  # torch's on an unscripted module
                torch.jit.save(tm, io.BytesIO() if not isinstance(f, str) else
                               str(Path(os.devnull)))
        text = str(ours.value)
        assert "'Linear' object has no attribute" in text
        assert "state_dict" in text and "TorchScript" in text
        if not isinstance(f, str):
            assert text.startswith(str(theirs.value))


def test_load_raises_with_the_state_dict_way():
    with pytest.warns(DeprecationWarning, match=r"`torch\.jit\.load` is deprecated"):
        with pytest.raises(RuntimeError, match="state_dict"):
            ember.jit.load(io.BytesIO(b"x"))


def test_wait_needs_a_future():
    with pytest.warns(DeprecationWarning):
        with pytest.raises(TypeError, match=r"wait\(\): incompatible function arguments"):
            ember.jit.wait(3)


def test_scripted_model_trains_like_the_eager_one():
    """A model passed through script keeps training eagerly: same losses as the model itself."""
    def make():
        ember.manual_seed(0)
        return ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.Tanh(), ember.nn.Linear(8, 1))
    x = ember.tensor(np.random.default_rng(0).standard_normal((16, 4)).astype(np.float32))
    losses = []
    for scripted in (False, True):
        m = make()
        if scripted:
            with pytest.warns(DeprecationWarning):
                m = ember.jit.script(m)
        opt = ember.optim.Adam(m.parameters(), lr=0.01)
        run = []
        for _ in range(5):
            opt.zero_grad()
            loss = m(x).pow(2).mean()
            loss.backward()
            opt.step()
            run.append(loss.item())
        losses.append(run)
    assert losses[0] == losses[1]
