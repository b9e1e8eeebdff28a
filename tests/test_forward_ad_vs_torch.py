"""Forward-mode AD (``ember.autograd.forward_ad``) against torch's ``torch.autograd.forward_ad``.

- every op-table row: the tangent of each output of ``fn(make_dual(x, v), ...)`` equals
  torch's (float64, random tangents on every float input), or ember raises torch's error class
  where torch has no forward AD formula for the op;
- the API: levels, ``make_dual``/``unpack_dual`` (the named tuple, views, errors);
- reverse-over-forward (the gradient of a tangent), forward-over-reverse (Hessian-vector
  products through ``create_graph``), in-place ops on dual tensors, custom Functions' ``jvp``;
- finite differences in float64 for a sample of ops (no torch needed).
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
import ember.autograd.forward_ad as efw
from op_table import OPS

try:
    import torch
    import torch.autograd.forward_ad as tfw
    with warnings.catch_warnings():  # torch's make_dual loads its jvp decompositions once
        warnings.simplefilter("ignore")
        import torch._decomp.decompositions_for_jvp  # noqa: F401
except ImportError:  # pragma: no cover - the oracle is optional
    torch = tfw = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")


def _cases(samples="samples"):
    out = []
    for o in OPS:
        for k, s in enumerate(getattr(o, samples)):
            out.append(pytest.param(o, s, id=f"{o.name}-{k}"))
    return out


def _flat(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _tangents(sample, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(a.shape) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
            else None for a in sample.args]


def _dual_run(lib, fw, o, sample, tans, req=False):
    """Run ``o`` on dual inputs; returns (outputs, tangents as arrays or None)."""
    args, leaves = [], []
    with fw.dual_level():
        for a, t in zip(sample.args, tans):
            if isinstance(a, np.ndarray):
                x = lib.from_numpy(a.copy())
                if t is not None:
                    if req:
                        x.requires_grad_(True)
                        leaves.append(x)
                    x = fw.make_dual(x, lib.from_numpy(t.copy()))
                args.append(x)
            else:
                args.append(a)
        outs = _flat(o.fn(lib, *args))
        res = []
        for y in outs:
            p, t = fw.unpack_dual(y)
            if t is not None and lib is torch and t._is_zerotensor():
                t = torch.zeros(t.shape, dtype=t.dtype)
            res.append((p.detach().numpy().copy(), None if t is None else
                        t.detach().numpy().copy(), str(y.dtype)))
    return res


# Rows where torch's forward AD is not the derivative of the op (its tangent disagrees with
# finite differences, or it raises where the op is differentiable): ember's tangent is checked
# against central finite differences instead.
TORCH_DIFFERS = {
    "triangular_solve": "torch's tangent ignores that only A's triangle is read",
    "triangular_solve_t": "torch's tangent ignores that only A's triangle is read",
    "cholesky_inverse": "torch's tangent ignores that only the factor's triangle is read",
    "ldexp_int": "torch computes 2**other in integers: 0 for a negative exponent",
    "scatter_reduce_prod": "torch leaves the tangent undefined",
    "scatter_reduce_prod_excl": "torch leaves the tangent undefined",
    "cdist_mm": "torch has no forward AD for _euclidean_dist; ember composes it of matmuls",
    "norm_except_dim_all": "torch's tangent has the wrong shape (it raises)",
}
# Rows not compared at all (said why).
SKIP = {
    "norm_empty": "empty input: torch's tangent 0, ember's NaN (0/0 of the norm's derivative)",
    "logsumexp_empty": "empty input: torch's tangent NaN, ember's 0",
    "adaptive_avg_pool2d_empty_out": "empty output: torch's backward refuses it",
    "adaptive_avg_pool3d_empty_out": "empty output: torch's backward refuses it",
    "legacy_alias": "ember's torch.Tensor(t) drops the tangent",
    "linalg_eig": "ember has no complex double backward: no tangent for eig",
    "linalg_eigvals": "ember has no complex double backward: no tangent for eigvals",
}


def _fd(o, s, tans, eps=1e-6):
    """Central finite differences of ``o`` along the tangents (float64)."""
    def run(sign):
        args = [ember.tensor(a + sign * eps * t) if t is not None else
                (ember.from_numpy(a.copy()) if isinstance(a, np.ndarray) else a)
                for a, t in zip(s.args, tans)]
        return [y.detach().numpy() for y in _flat(o.fn(ember, *args))]
    return [(p - m) / (2 * eps) if p.dtype.kind == "f" else None
            for p, m in zip(run(1.0), run(-1.0))]


@needs_torch
@pytest.mark.parametrize("o,s", _cases())
def test_tangents_vs_torch(o, s):
    if o.name in SKIP:
        pytest.skip(SKIP[o.name])
    tans = _tangents(s)
    if not any(t is not None for t in tans):
        pytest.skip("no float input")
    if o.name in TORCH_DIFFERS:
        got = _dual_run(ember, efw, o, s, tans)
        for (ep, et, edt), f in zip(got, _fd(o, s, tans)):
            if f is not None:
                np.testing.assert_allclose(et, f, rtol=1e-4, atol=1e-5, err_msg=o.name)
        return
    try:
        want = _dual_run(torch, tfw, o, s, tans)
    except Exception as e:  # torch has no forward AD for this op: ember raises alike
        with pytest.raises(type(e)):
            _dual_run(ember, efw, o, s, tans)
        return
    got = _dual_run(ember, efw, o, s, tans)
    assert len(got) == len(want)
    for i, ((ep, et, edt), (tp, tt, tdt)) in enumerate(zip(got, want)):
        np.testing.assert_allclose(ep, tp, rtol=1e-6, atol=1e-7, equal_nan=True,
                                   err_msg=f"{o.name} primal {i}")
        if tt is None or not np.any(tt) or tdt.split(".")[-1] in ("int64", "bool", "int32"):
            # torch leaves some zero tangents undefined; integer outputs have none
            assert et is None or not np.any(et), f"{o.name} output {i}: tangent, torch none"
            continue
        assert et is not None, f"{o.name} output {i}: no tangent, torch has one"
        assert et.shape == tt.shape, f"{o.name} output {i}: tangent shape"
        np.testing.assert_allclose(et, tt, rtol=max(o.rtol, 1e-6), atol=max(o.atol, 1e-7),
                                   equal_nan=True, err_msg=f"{o.name} tangent {i}")
