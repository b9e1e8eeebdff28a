"""The Tensor methods an op module declares in ``TENSOR_METHODS`` (installed by
``ember._tensor.install_methods``): ``t.name(*args)`` and the in-place ``t.name_(*args)`` give
torch's values, dtypes and errors on every op-table sample of that op."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember._ops import pointwise
from op_table import OPS

try:
    import torch
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")

_MODULES = [pointwise]


def _cases():
    out = []
    for mod in _MODULES:
        for name in mod.TENSOR_METHODS:
            entries = [o for o in OPS if o.name == name]
            assert entries, f"{name} is in TENSOR_METHODS but has no op-table row"
            for o in entries:
                for k, s in enumerate(o.samples):
                    out.append(pytest.param(name, s, id=f"{name}-{k}"))
    return out


def test_installed_where_declared():
    for mod in _MODULES:
        for name in mod.TENSOR_METHODS:
            for m in (name, name + "_"):
                meth = getattr(ember.Tensor, m)
                # (Tensor's own aliases, absolute = abs, keep the name they alias)
                own_alias = m == name and meth.__qualname__.startswith("Tensor.")
                assert (meth.__qualname__ == f"Tensor.{m}" or own_alias) and meth.__doc__


def _run(lib, name, sample, inplace):
    args = [lib.from_numpy(a.copy()) if isinstance(a, np.ndarray) else a for a in sample.args]
    try:
        if inplace:
            self = args[0]
            res = getattr(self, name + "_")(*args[1:])
            assert res is self
        else:
            res = getattr(args[0], name)(*args[1:])
    except Exception as e:  # noqa: BLE001 - compared with torch's
        return type(e).__name__
    return res.dtype, res.detach().numpy()


@needs_torch
@pytest.mark.parametrize("name,s", _cases())
@pytest.mark.parametrize("inplace", [False, True], ids=["method", "inplace"])
def test_method_matches_torch(name, s, inplace):
    e = _run(ember, name, s, inplace)
    t = _run(torch, name, s, inplace)
    if isinstance(t, str):
        assert e == t
        return
    assert not isinstance(e, str), e
    assert str(e[0]) == str(t[0])
    np.testing.assert_allclose(e[1], t[1], rtol=1e-12, atol=0, equal_nan=True)
