"""Python-scalar arguments that torch's signatures accept (found by type-checking ember._ops)."""
from __future__ import annotations

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")


def _same(e, t):
    assert str(e.dtype) == str(t.dtype)  # (ember prints its dtypes as torch.<name>)
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


@needs_torch
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_scatter_complex_value(dtype):
    base = np.zeros((2, 3), dtype=dtype)
    idx = np.array([[1, 0, 1]])
    e = ember.tensor(base).scatter(0, ember.tensor(idx), 2 - 1j)
    t = torch.tensor(base).scatter(0, torch.tensor(idx), 2 - 1j)
    _same(e, t)


@needs_torch
@pytest.mark.parametrize("value,right,out_int32", [(3, False, False), (3.5, True, True),
                                                   (2, True, False), (-1.0, False, True)])
def test_bucketize_scalar_input(value, right, out_int32):
    b = np.array([1.0, 2.0, 5.0])
    e = ember.bucketize(value, ember.tensor(b), right=right, out_int32=out_int32)
    t = torch.bucketize(value, torch.tensor(b), right=right, out_int32=out_int32)
    _same(e, t)
