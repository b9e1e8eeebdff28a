"""ember.set_num_threads / get_num_threads drive NumPy's BLAS pool (ember/_blas.py)."""
import numpy as np
import pytest

import ember
from ember import _blas


@pytest.fixture
def restore_threads():
    n = ember.get_num_threads()
    yield
    ember.set_num_threads(n)


def test_round_trip(restore_threads):
    for n in (1, 2, np.int64(1)):
        ember.set_num_threads(n)
        assert ember.get_num_threads() == int(n)
    a = np.ones((64, 64), np.float32)
    assert float((a @ a)[0, 0]) == 64.0  # BLAS still works after the change


@pytest.mark.skipif(not _blas._openblas(), reason="OpenBLAS not found among loaded libraries")
def test_drives_openblas(restore_threads):
    ember.set_num_threads(1)
    assert _blas._openblas()[1]() == 1


BAD = [0, -3, "a", 2.5, True]
TEXTS = ["set_num_threads expects a positive integer",
         "set_num_threads expects a positive integer",
         "set_num_threads expects an int, but got str",
         "set_num_threads expects an int, but got float",
         "set_num_threads expects an int, but got bool"]  # torch 2.13's texts


@pytest.mark.parametrize("bad,text", list(zip(BAD, TEXTS)))
def test_errors(restore_threads, bad, text):
    with pytest.raises(RuntimeError) as e:
        ember.set_num_threads(bad)
    assert str(e.value) == text


@pytest.mark.parametrize("bad", BAD)
def test_errors_match_torch(bad):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as te:
        torch.set_num_threads(bad)
    with pytest.raises(RuntimeError) as ee:
        ember.set_num_threads(bad)
    assert str(ee.value) == str(te.value)
