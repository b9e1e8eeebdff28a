"""Differential tests of ember/_ops/statistics.py against torch 2.13: cdist, dist, isin,
quantile/nanquantile, histc, histogram, mode, nanmedian, logcumsumexp, cummin, diff,
trapezoid/trapz/cumulative_trapezoid, cov/corrcoef, renorm: values, dtypes, shapes, gradients,
named-tuple results and the errors (class and text) for bad arguments; hypothesis sweeps for
quantile, diff and cdist."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from _diff_helpers import compare, torch

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")
pytestmark = needs_torch

_rng = np.random.default_rng(2026)


def R(*s):
    return _rng.standard_normal(s)


def DIS(*s):
    """distinct values (no ties)"""
    n = int(np.prod(s)) if s else 1
    return (_rng.permutation(n) * 0.37 + 0.01).reshape(s)


NAN = np.nan
Q2 = np.array([0.1, 0.5, 0.9])

CASES = {
    # cdist / dist
    "cdist": (lambda L, a, b: L.cdist(a, b), R(4, 3), R(5, 3)),
    "cdist_batch": (lambda L, a, b: L.cdist(a, b, p=1.5), R(2, 3, 2), R(2, 4, 2)),
    "cdist_bcast": (lambda L, a, b: L.cdist(a, b), R(2, 1, 3, 2), R(3, 4, 2)),
    "cdist_p0": (lambda L, a, b: L.cdist(a, b, p=0), R(3, 2), R(4, 2)),
    "cdist_big_mm": (lambda L, a, b: L.cdist(a, b), R(30, 3), R(27, 3)),
    "cdist_nomm": (lambda L, a, b: L.cdist(a, b, compute_mode="donot_use_mm_for_euclid_dist"),
                   R(30, 3), R(27, 3)),
    "cdist_empty": (lambda L, a, b: L.cdist(a, b), R(0, 3), R(4, 3)),
    "cdist_1d": (lambda L, a, b: L.cdist(a, b), R(3), R(4, 3)),
    "cdist_cols": (lambda L, a, b: L.cdist(a, b), R(3, 2), R(4, 3)),
    "cdist_negp": (lambda L, a, b: L.cdist(a, b, p=-1), R(3, 2), R(4, 2)),
    "cdist_int": (lambda L, a, b: L.cdist(a.long(), b.long()), R(3, 2), R(4, 2)),
    "cdist_mode": (lambda L, a, b: L.cdist(a, b, compute_mode="foo"), R(3, 2), R(4, 2)),
    "dist": (lambda L, a, b: L.dist(a, b), R(3, 2), R(2)),
    "dist_inf": (lambda L, a, b: L.dist(a, b, float("inf")), R(3, 2), R(3, 2)),
    "dist_0": (lambda L, a, b: L.dist(a.detach(), b.detach(), 0), R(3, 2), R(3, 2)),
    "dist_method": (lambda L, a, b: a.dist(b, 1.5), R(3, 2), R(3, 2)),
    "dist_bcast_err": (lambda L, a, b: L.dist(a, b), R(3, 2), R(3)),
    # isin
    "isin": (lambda L, a, b: L.isin(a, b), np.arange(6).reshape(2, 3), np.array([1, 4, 9])),
    "isin_invert": (lambda L, a, b: L.isin(a, b, invert=True), np.arange(6), np.array([1, 4])),
    "isin_scalar_test": (lambda L, a: L.isin(a, 3), np.arange(6)),
    "isin_scalar_elem": (lambda L, b: L.isin(3, b), np.arange(6)),
    "isin_float": (lambda L, a, b: a.isin(b), np.array([1., 2., NAN]), np.array([2., NAN])),
    "isin_unique": (lambda L, a, b: L.isin(a, b, assume_unique=True), np.array([3, 1, 2]),
                    np.array([2, 5])),
    # quantile
    "quantile": (lambda L, a: L.quantile(a, 0.3), DIS(3, 4)),
    "quantile_dim_keep": (lambda L, a: L.quantile(a, 0.75, dim=0, keepdim=True), DIS(3, 4)),
    "quantile_q": (lambda L, a: L.quantile(a, L.tensor(Q2), dim=1), DIS(3, 4)),
    "quantile_q_all_keep": (lambda L, a: L.quantile(a, L.tensor(Q2), keepdim=True), DIS(2, 3)),
    "quantile_lower": (lambda L, a: L.quantile(a, 0.4, 1, interpolation="lower"), DIS(3, 4)),
    "quantile_higher": (lambda L, a: L.quantile(a, 0.4, 1, interpolation="higher"), DIS(3, 4)),
    "quantile_mid": (lambda L, a: L.quantile(a, 0.4, 1, interpolation="midpoint"), DIS(3, 4)),
    "quantile_nearest": (lambda L, a: L.quantile(a, L.tensor([0.5, 1 / 6]), 0,
                                                 interpolation="nearest"), DIS(7).astype("f")),
    "quantile_nan": (lambda L, a: L.quantile(a, 0.5, 1), np.array([[1., NAN, 2.], [3., 1., 2.]])),
    "nanquantile": (lambda L, a: L.nanquantile(a, 0.5, 1),
                    np.array([[1., NAN, 2.], [NAN, NAN, NAN], [3., 1., 2.]])),
    "nanquantile_q": (lambda L, a: a.nanquantile(L.tensor(Q2), 0, True),
                      np.array([[1., NAN], [2., 4.], [NAN, 3.]])),
    "quantile_0d": (lambda L, a: L.quantile(a, 0.5), np.array(2.5)),
    "quantile_0d_dim": (lambda L, a: L.quantile(a, L.tensor(Q2), 0, True), np.array(2.5)),
    "quantile_int": (lambda L, a: L.quantile(a.long(), 0.5), DIS(3)),
    "quantile_q_range": (lambda L, a: L.quantile(a, 1.5), DIS(3)),
    "quantile_q_tensor_range": (lambda L, a: L.quantile(a, L.tensor([0.5, -0.1])), DIS(3)),
    "quantile_q_dtype": (lambda L, a: L.quantile(a, L.tensor([0.5], dtype=L.float32)), DIS(3)),
    "quantile_q_2d": (lambda L, a: L.quantile(a, L.tensor([[0.5]])), DIS(3)),
    "quantile_interp": (lambda L, a: L.quantile(a, 0.5, interpolation="foo"), DIS(3)),
    "quantile_empty": (lambda L, a: L.quantile(a, 0.5), R(0)),
    # histc / histogram
    "histc": (lambda L, a: L.histc(a, 5), R(20)),
    "histc_range": (lambda L, a: L.histc(a, 4, -1, 1), R(4, 5)),
    "histc_const": (lambda L, a: L.histc(a * 0 + 2, 3), R(5)),
    "histc_int": (lambda L, a: L.histc(a.long()), R(5)),
    "histc_bad_range": (lambda L, a: L.histc(a, 4, 2, 1), R(5)),
    "histc_method": (lambda L, a: a.float().histc(bins=6, min=-2, max=2), R(30)),
    "histogram": (lambda L, a: L.histogram(a, 5), R(20)),
    "histogram_range_w": (lambda L, a, w: L.histogram(a, 4, range=(-1., 1.), weight=w,
                                                      density=True), R(20), np.abs(R(20))),
    "histogram_edges": (lambda L, a: L.histogram(a, L.tensor([-1., 0., 0.5, 2.])), R(20)),
    "histogram_density": (lambda L, a: a.histogram(3, density=True), R(4, 5)),
    "histogram_int": (lambda L, a: L.histogram(a.long(), 3), R(5)),
    # mode / nanmedian
    "mode": (lambda L, a: L.mode(a),
             np.array([[1., 2., 2., 3., 3., 1.], [5., 5., 4., 4., 4., 5.]])),
    "mode_dim0_keep": (lambda L, a: a.mode(0, True), np.array([[1., 2.], [3., 2.], [1., 2.]])),
    "mode_distinct": (lambda L, a: L.mode(a, 1), DIS(3, 4)),
    "mode_int": (lambda L, a: L.mode(a.long(), 0), np.array([3., 1., 3., 1., 2.])),
    "mode_0d": (lambda L, a: L.mode(a), np.array(3.)),
    "mode_empty": (lambda L, a: L.mode(a, 0), R(0, 2)),
    "nanmedian": (lambda L, a: L.nanmedian(a), np.array([[1., NAN, 3.], [2., 0.5, NAN]])),
    "nanmedian_allnan": (lambda L, a: L.nanmedian(a), np.array([NAN, NAN])),
    "nanmedian_dim": (lambda L, a: L.nanmedian(a, 1),
                      np.array([[1., NAN, 3., 0.5], [2., 1., 0., NAN]])),
    "nanmedian_method": (lambda L, a: a.nanmedian(0, keepdim=True), DIS(3, 2)),
    "nanmedian_int": (lambda L, a: L.nanmedian(a.long(), 0), DIS(5)),
    # scans
    "logcumsumexp": (lambda L, a: L.logcumsumexp(a, 1), R(3, 4)),
    "logcumsumexp_wide": (lambda L, a: L.logcumsumexp(a * 100, 0), R(6)),
    "logcumsumexp_inf": (lambda L, a: L.logcumsumexp(a, 0), np.array([-np.inf, 0., -np.inf])),
    "logcumsumexp_method": (lambda L, a: a.float().logcumsumexp(-1), R(2, 5)),
    "logcumsumexp_int": (lambda L, a: L.logcumsumexp(a.long(), 0), R(3)),
    "cummin": (lambda L, a: L.cummin(a, 0), DIS(4, 3)),
    "cummin_nan": (lambda L, a: L.cummin(a, 0), np.array([1., 2., 0., 0., 3., NAN, -1.])),
    "cummin_method": (lambda L, a: a.cummin(1), DIS(2, 4)),
    "cummax_method": (lambda L, a: a.cummax(1), DIS(2, 4)),
    "cummin_int": (lambda L, a: L.cummin(a.long(), 0), np.array([3., 1., 1., 2., 0.])),
    "cummin_bool": (lambda L, a: L.cummin(a > 0, 0), R(5)),
    # diff
    "diff": (lambda L, a: L.diff(a), R(3, 4)),
    "diff_n": (lambda L, a: L.diff(a, n=2, dim=0), R(4, 3)),
    "diff_prepend_append": (lambda L, a, b, c: L.diff(a, 1, 0, b, c), R(3, 2), R(1, 2), R(2, 2)),
    "diff_scalar_prepend": (lambda L, a: L.diff(a, prepend=L.tensor(1.0, dtype=a.dtype)), R(4)),
    "diff_large_n": (lambda L, a: L.diff(a, n=5), R(3)),
    "diff_bool": (lambda L, a: L.diff(a > 0), R(6)),
    "diff_int": (lambda L, a: a.long().diff(), R(6) * 10),
    "diff_0d": (lambda L, a: L.diff(a), np.array(1.)),
    "diff_neg_n": (lambda L, a: L.diff(a, n=-1), R(3)),
    "diff_shape": (lambda L, a, b: L.diff(a, dim=0, prepend=b), R(4, 3), R(1, 2)),
    "diff_ndim": (lambda L, a, b: L.diff(a, dim=0, prepend=b), R(4, 3), R(3)),
    # trapezoid
    "trapezoid": (lambda L, a: L.trapezoid(a), R(3, 4)),
    "trapezoid_dx": (lambda L, a: L.trapezoid(a, dx=0.25, dim=0), R(3, 4)),
    "trapezoid_x": (lambda L, a, x: L.trapezoid(a, x), R(3, 4), R(3, 4)),
    "trapezoid_x1d": (lambda L, a, x: L.trapezoid(a, x, dim=0), R(3, 4), R(3)),
    "trapezoid_int": (lambda L, a: L.trapezoid(a.long()), R(3, 4) * 5),
    "trapezoid_empty": (lambda L, a: L.trapezoid(a), R(3, 0)),
    "trapz": (lambda L, a, x: L.trapz(a, x), R(3, 4), R(4)),
    "trapz_dx": (lambda L, a: L.trapz(a, dx=2.0), R(3, 4)),
    "cumulative_trapezoid": (lambda L, a: L.cumulative_trapezoid(a), R(3, 4)),
    "cumulative_trapezoid_x": (lambda L, a, x: L.cumulative_trapezoid(a, x, dim=0),
                               R(3, 4), R(3)),
    # cov / corrcoef
    "cov": (lambda L, a: L.cov(a), R(3, 6)),
    "cov_1d": (lambda L, a: L.cov(a), R(6)),
    "cov_correction0": (lambda L, a: a.cov(correction=0), R(2, 5)),
    "cov_weights": (lambda L, a, aw: L.cov(a, fweights=L.tensor([1, 2, 1, 3, 1]), aweights=aw),
                    R(2, 5), np.abs(R(5)) + 0.1),
    "cov_int": (lambda L, a: L.cov(a.long()), R(2, 5) * 5),
    "cov_3d": (lambda L, a: L.cov(a), R(2, 2, 2)),
    "cov_fweights_float": (lambda L, a, w: L.cov(a, fweights=w), R(2, 5), R(5)),
    "corrcoef": (lambda L, a: L.corrcoef(a), R(3, 6)),
    "corrcoef_1d": (lambda L, a: L.corrcoef(a), R(6)),
    "corrcoef_method": (lambda L, a: a.corrcoef(), R(2, 4)),
    # renorm
    "renorm": (lambda L, a: L.renorm(a, 2, 0, 1.0), R(3, 4)),
    "renorm_p3": (lambda L, a: a.renorm(3, 1, 0.8), R(3, 4)),
    "renorm_inplace": (lambda L, a: a.clone().renorm_(1, 0, 1.5), R(3, 4)),
    "renorm_1d": (lambda L, a: L.renorm(a, 2, 0, 1.0), R(3)),
    "renorm_int": (lambda L, a: L.renorm(a.long(), 2, 0, 1.0), R(3, 3)),
    "renorm_neg_max": (lambda L, a: L.renorm(a, 2, 0, -1.0), R(3, 3)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_vs_torch(name):
    fn, *args = CASES[name]
    compare(fn, *args)


def test_named_tuples_and_reprs():
    x = np.array([[1., 2., 2.], [3., 3., 1.]])
    for fn in (lambda L, t: L.mode(t, 1), lambda L, t: L.nanmedian(t, 1),
               lambda L, t: L.cummin(t, 1), lambda L, t: L.histogram(t.reshape(-1), 3)):
        e, t = fn(ember, ember.tensor(x)), fn(torch, torch.tensor(x))
        assert type(e).__name__ == type(t).__name__ and len(e) == len(t)
        assert repr(e) == repr(t)


def test_no_inplace_twins_where_torch_has_none():
    for name in ("mode", "nanmedian", "quantile", "histc", "cummin", "diff", "cov", "renorm"):
        assert hasattr(ember.Tensor, name) and hasattr(torch.Tensor, name)
        assert hasattr(ember.Tensor, name + "_") == hasattr(torch.Tensor, name + "_"), name


def test_cov_warns_like_torch():
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        e = ember.cov(ember.tensor([[1., 2.]]), correction=2)
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        t = torch.cov(torch.tensor([[1., 2.]]), correction=2)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_logcumsumexp_grad_is_finite_far_apart():
    """torch's sign-split backward: no overflow where exp(-out) would overflow."""
    x = np.array([-200., 0., 50.], dtype=np.float32)
    compare(lambda L, a: L.logcumsumexp(a, 0), x)


def test_gradgrad_quantile_and_logcumsumexp():
    x = ember.tensor(DIS(3, 4), requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda t: ember.quantile(t, 0.3, 1), (x,))
    assert ember.autograd.gradgradcheck(lambda t: ember.logcumsumexp(t, 1), (x,))


# ------------------------------------------------------------------------------ hypothesis

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

_shape = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


def _distinct(shape, seed):
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.5 + rng.uniform(0, 0.1, n)).reshape(shape)


@settings(max_examples=40, deadline=None)
@given(shape=_shape, seed=st.integers(0, 2**16), data=st.data(),
       interp=st.sampled_from(["linear", "lower", "higher", "midpoint", "nearest"]),
       keepdim=st.booleans(), qvec=st.booleans(), nan=st.booleans())
def test_quantile_sweep(shape, seed, data, interp, keepdim, qvec, nan):
    x = _distinct(shape, seed)
    if nan:
        x.reshape(-1)[seed % x.size] = np.nan
    dim = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    q = [0.0, 0.33, 0.5, 1.0] if qvec else data.draw(st.floats(0, 1))
    for name in ("quantile", "nanquantile"):
        def fn(L, a, name=name):
            qq = L.tensor(q, dtype=a.dtype) if qvec else q
            return getattr(L, name)(a, qq, dim, keepdim, interpolation=interp)
        compare(fn, x, grad=not nan, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(shape=_shape, seed=st.integers(0, 2**16), data=st.data(), n=st.integers(0, 4))
def test_diff_sweep(shape, seed, data, n):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    extra = [rng.standard_normal(tuple(data.draw(st.integers(0, 2)) if i == dim % len(shape)
                                       else s for i, s in enumerate(shape)))
             for _ in range(2)]
    compare(lambda L, a, p, q: L.diff(a, n, dim, p, q), x, *extra)


@settings(max_examples=40, deadline=None)
@given(p=st.integers(0, 4), r=st.integers(0, 5), m=st.integers(1, 3), seed=st.integers(0, 2**16),
       pnorm=st.sampled_from([0.0, 1.0, 1.5, 2.0, 3.0, float("inf")]),
       batch=st.sampled_from([(), (2,), (1, 2)]))
def test_cdist_sweep(p, r, m, seed, pnorm, batch):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(batch + (p, m))
    b = rng.standard_normal(batch[-1:] + (r, m))
    compare(lambda L, x, y: L.cdist(x, y, pnorm), a, b, grad=pnorm not in (0.0,), atol=1e-9)


# ------------------------------------------------------------------------------ axis=/keepdims=

_X = np.arange(6.0).reshape(2, 3) % 4
_EXTRA = {"quantile": (0.5,), "nanquantile": (0.5,), "renorm": (2,), "repeat_interleave": (2,),
          "kthvalue": (1,), "topk": (1,), "chunk": (2,), "tensor_split": (2,),
          "narrow": (), "select": ()}
_KW = {"renorm": {"maxnorm": 1.0}, "narrow": {"start": 0, "length": 1}, "select": {"index": 0},
       "unflatten": {"sizes": (3, 1)}}
_NEEDS_INDEX = {"gather", "index_select", "scatter", "scatter_add", "scatter_reduce",
                "index_add", "index_fill", "index_copy", "take_along_dim"}


def _alias_call(L, name, meth, kw):
    t = L.tensor(_X)
    kw = dict(kw, **_KW.get(name, {}))
    if name in _NEEDS_INDEX:
        key = "indices" if name == "take_along_dim" else "index"
        kw[key] = L.zeros(2, 1, dtype=L.long) if name in ("gather", "take_along_dim",
                                                          "scatter", "scatter_add",
                                                          "scatter_reduce") \
            else L.tensor([0])
        if name in ("scatter", "scatter_add", "scatter_reduce"):
            kw["src"] = L.ones(2, 1, dtype=L.float64)
        if name == "scatter_reduce":
            kw["reduce"] = "sum"
        if name in ("index_add", "index_copy"):
            kw["source"] = L.ones(2, 1, dtype=L.float64)
        if name == "index_fill":
            kw["value"] = 1.0
    if name in ("cat", "stack", "concat", "concatenate"):
        if meth:
            return "skip"
        return getattr(L, name)([t, t], **kw)
    args = _EXTRA.get(name, ())
    if meth:
        if not hasattr(t, name):
            return "skip"
        return getattr(t, name)(*args, **kw)
    if not hasattr(L, name):
        return "skip"
    return getattr(L, name)(t, *args, **kw)


def _outcome(L, name, meth, kw):
    try:
        return _alias_call(L, name, meth, kw)
    except Exception as e:  # noqa: BLE001 - compared with torch's
        return e


from ember._ops.aliases import ALIASED  # noqa: E402


@pytest.mark.parametrize("meth", [False, True], ids=["function", "method"])
@pytest.mark.parametrize("name", ALIASED)
def test_axis_keepdims_aliases(name, meth):
    """axis= and keepdims= work where torch takes them (same results), and fail (TypeError)
    where torch's do: both spellings at once, or keepdims on an op without keepdim."""
    for kw in ({"axis": 1}, {"dim": 1, "keepdims": True}, {"axis": 1, "keepdims": True},
               {"axis": 1, "dim": 1}, {"dim": 1, "keepdim": True, "keepdims": True}):
        t = _outcome(torch, name, meth, kw)
        e = _outcome(ember, name, meth, kw)
        if isinstance(t, str):  # (no such method in torch)
            continue
        assert not isinstance(e, str), f"ember lacks {name}"
        if isinstance(t, Exception):
            assert isinstance(e, Exception), (name, kw, t)
            if name not in ("sort", "argsort"):  # (their own argument parser: ValueError)
                assert type(e) is type(t), (name, kw, e, t)
            continue
        assert not isinstance(e, Exception), (name, kw, e)
        for a, b in zip(e if isinstance(e, tuple) else (e,), t if isinstance(t, tuple) else (t,)):
            np.testing.assert_allclose(a.numpy(), b.numpy())
            assert tuple(a.shape) == tuple(b.shape)


# ------------------------------------------------------------------------------ out=

_OUT_CASES = {
    "diff": (lambda L, x, o: L.diff(x, out=o), 1),
    "histc": (lambda L, x, o: L.histc(x, 4, out=o), 1),
    "logcumsumexp": (lambda L, x, o: L.logcumsumexp(x, 0, out=o), 1),
    "quantile": (lambda L, x, o: L.quantile(x, 0.5, 1, out=o), 1),
    "nanquantile": (lambda L, x, o: L.nanquantile(x, 0.5, 0, out=o), 1),
    "renorm": (lambda L, x, o: L.renorm(x, 2, 0, 1.0, out=o), 1),
    "isin": (lambda L, x, o: L.isin(x, x[0], out=o), 1),
    "hypot": (lambda L, x, o: L.hypot(x, x, out=o), 1),
    "cummin": (lambda L, x, o: L.cummin(x, 0, out=o), 2),
    "mode": (lambda L, x, o: L.mode(x, 0, out=o), 2),
    "nanmedian": (lambda L, x, o: L.nanmedian(x, 1, out=o), 2),
    "histogram": (lambda L, x, o: L.histogram(x, 3, out=o), 2),
}


def _outs(L, n, dt, second=None):
    if n == 1:
        return L.empty(0, dtype=getattr(L, dt))
    return (L.empty(0, dtype=getattr(L, dt)),
            L.empty(0, dtype=getattr(L, second or ("int64" if dt != "bool" else "bool"))))


@pytest.mark.parametrize("name", sorted(_OUT_CASES))
@pytest.mark.parametrize("dt", ["float32", "float64", "int64", "bool"])
def test_out_vs_torch(name, dt):
    """out= of the right dtype is written and returned; a wrong dtype raises torch's error."""
    fn, n = _OUT_CASES[name]
    second = "float32" if name == "histogram" else None
    x = np.round(R(3, 4), 1).astype(np.float32)
    res = []
    for L in (ember, torch):
        o = _outs(L, n, dt, second if dt == "float32" else None)
        try:
            r = fn(L, L.from_numpy(x.copy()), o)
        except Exception as e:  # noqa: BLE001 - compared with torch's
            res.append(e)
            continue
        assert (r is o) if n == 1 else all(a is b for a, b in zip(r, o))
        res.append(o)
    e, t = res
    if isinstance(t, Exception):
        assert type(e) is type(t) and str(e) == str(t).split("\n")[0], (e, t)
        return
    assert not isinstance(e, Exception), e
    for a, b in zip(e if n == 2 else (e,), t if n == 2 else (t,)):
        assert str(a.dtype) == str(b.dtype) and tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", ["diff", "logcumsumexp", "renorm", "quantile", "histc"])
def test_out_under_grad_mode_as_torch(name):
    fn, _ = _OUT_CASES[name]
    x = R(3, 4).astype(np.float32)
    got = []
    for L in (ember, torch):
        try:
            fn(L, L.from_numpy(x.copy()).requires_grad_(), L.empty(0))
            got.append(None)
        except RuntimeError as err:
            got.append(str(err))
    assert got[0] == got[1]


def test_out_resize_warning_as_torch():
    x = R(3, 4).astype(np.float32)
    for L in (ember, torch):
        o = L.zeros(5)
        with pytest.warns(UserWarning, match="An output with one or more elements was resized"):
            L.diff(L.from_numpy(x.copy()), out=o)
        assert tuple(o.shape) == (3, 3)
