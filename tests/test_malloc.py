"""ember/_malloc.py: glibc malloc thresholds set at import, with an opt-out."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROBE = "import ember, ember._malloc as m; print(m.tuned)"


def _run(**env):
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("MALLOC_") and k not in ("GLIBC_TUNABLES", "EMBER_MALLOC_TUNE")}
    e.update(env)
    e["PYTHONPATH"] = ROOT
    out = subprocess.run([sys.executable, "-c", PROBE], env=e, capture_output=True, text=True,
                         check=True)
    return out.stdout.strip()


def _glibc():
    import ctypes
    try:
        ctypes.CDLL(None).gnu_get_libc_version
        return sys.platform.startswith("linux")
    except (OSError, AttributeError):
        return False


@pytest.mark.skipif(not _glibc(), reason="glibc only")
def test_tuned_by_default_on_glibc():
    assert _run() == "True"


@pytest.mark.parametrize("env", [{"EMBER_MALLOC_TUNE": "0"},
                                 {"MALLOC_TRIM_THRESHOLD_": "131072"},
                                 {"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=131072"}])
def test_opt_out_and_user_settings_win(env):
    assert _run(**env) == "False"

