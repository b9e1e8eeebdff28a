"""Differential tests of ember/_ops/construct.py against torch 2.13: meshgrid,
repeat_interleave, finfo/iinfo, ravel, tril/triu_indices, block_diag, cartesian_prod,
combinations, as_strided, Tensor.unfold, frombuffer, the windows, rot90, vander,
Tensor.nbytes/itemsize: values, dtypes, shapes, gradients, views sharing memory as torch's,
errors (class and text); hypothesis sweeps for repeat_interleave, unfold and as_strided."""
from __future__ import annotations

import array

import numpy as np
import pytest

import ember
from _diff_helpers import compare, torch

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")
pytestmark = needs_torch

_rng = np.random.default_rng(1307)


def R(*s):
    return _rng.standard_normal(s)


I3 = np.array([2, 0, 3])

CASES = {
    # meshgrid
    "meshgrid_ij": (lambda L, a, b: L.meshgrid(a, b, indexing="ij"), R(3), R(2)),
    "meshgrid_xy3": (lambda L, a, b, c: L.meshgrid(a, b, c, indexing="xy"), R(3), R(2), R(4)),
    "meshgrid_list": (lambda L, a, b: L.meshgrid([a, b], indexing="xy"), R(3), R(2)),
    "meshgrid_0d": (lambda L, a, b: L.meshgrid(a, b, indexing="ij"), np.array(1.5), R(2)),
    "meshgrid_one": (lambda L, a: L.meshgrid(a, indexing="xy"), R(3)),
    "meshgrid_2d": (lambda L, a, b: L.meshgrid(a, b, indexing="ij"), R(3, 1), R(2)),
    "meshgrid_dtype": (lambda L, a, b: L.meshgrid(a, b.float(), indexing="ij"), R(3), R(2)),
    "meshgrid_bad_indexing": (lambda L, a: L.meshgrid(a, a, indexing="foo"), R(3)),
    "meshgrid_empty": (lambda L: L.meshgrid([], indexing="ij"),),
    # repeat_interleave
    "ri_int": (lambda L, a: L.repeat_interleave(a, 2), R(2, 3)),
    "ri_int_dim": (lambda L, a: a.repeat_interleave(3, dim=-1), R(2, 3)),
    "ri_tensor": (lambda L, a, r: L.repeat_interleave(a, r, 0), R(3, 2), I3),
    "ri_tensor_flat": (lambda L, a, r: a.repeat_interleave(r), R(3), I3),
    "ri_tensor_1": (lambda L, a: a.repeat_interleave(L.tensor([2]), 1), R(2, 3)),
    "ri_tensor_0d": (lambda L, a: a.repeat_interleave(L.tensor(2), 1), R(2, 3)),
    "ri_output_size": (lambda L, a, r: L.repeat_interleave(a, r, 0, output_size=5), R(3), I3),
    "ri_output_size_bad": (lambda L, a, r: L.repeat_interleave(a, r, 0, output_size=4),
                           R(3), I3),
    "ri_one_arg": (lambda L, r: L.repeat_interleave(r), I3),
    "ri_one_arg_float": (lambda L, a: L.repeat_interleave(a), R(3)),
    "ri_neg": (lambda L, a: a.repeat_interleave(-1), R(3)),
    "ri_neg_tensor": (lambda L, a: a.repeat_interleave(L.tensor([1, -1, 1])), R(3)),
    "ri_len": (lambda L, a: a.repeat_interleave(L.tensor([1, 2]), 0), R(3)),
    "ri_2d_repeats": (lambda L, a: a.repeat_interleave(L.tensor([[1]]), 0), R(3)),
    "ri_0d": (lambda L, a: a.repeat_interleave(2), np.array(1.5)),
    "ri_int_tensor": (lambda L, a: a.long().repeat_interleave(2, 0), R(2, 2) * 9),
    # ravel
    "ravel": (lambda L, a: L.ravel(a), R(2, 3)),
    "ravel_t": (lambda L, a: a.t().ravel(), R(2, 3)),
    # tri indices
    "tril_indices": (lambda L: L.tril_indices(3, 4, 1),),
    "triu_indices": (lambda L: L.triu_indices(4, 3, -1, dtype=L.int32),),
    "tril_indices_big_offset": (lambda L: L.tril_indices(3, 3, -5),),
    "tril_indices_neg": (lambda L: L.tril_indices(-1, 3),),
    "triu_indices_float": (lambda L: L.triu_indices(3, 3, dtype=L.float32),),
    # block_diag
    "block_diag": (lambda L, a, b, c: L.block_diag(a, b, c), R(2, 3), np.array(1.5), R(2)),
    "block_diag_mixed": (lambda L, a, b: L.block_diag(a, b.long()), R(2, 2), R(1, 3) * 5),
    "block_diag_empty_block": (lambda L, a, b: L.block_diag(a, b), R(0, 2), R(2, 0)),
    "block_diag_none": (lambda L: L.block_diag(),),
    "block_diag_3d": (lambda L, a: L.block_diag(a), R(2, 2, 2)),
    # cartesian_prod / combinations
    "cartesian_prod": (lambda L, a, b, c: L.cartesian_prod(a, b, c), R(2), R(3), R(2)),
    "cartesian_prod_one": (lambda L, a: L.cartesian_prod(a), R(3)),
    "cartesian_prod_2d": (lambda L, a: L.cartesian_prod(a, a), R(2, 2)),
    "combinations": (lambda L, a: L.combinations(a), R(4)),
    "combinations_r3_repl": (lambda L, a: L.combinations(a, 3, with_replacement=True), R(3)),
    "combinations_r1": (lambda L, a: L.combinations(a, r=1), R(3)),
    "combinations_r0": (lambda L, a: L.combinations(a, r=0), R(3)),
    "combinations_r_big": (lambda L, a: L.combinations(a.long(), r=4), R(3)),
    "combinations_neg": (lambda L, a: L.combinations(a, r=-1), R(3)),
    "combinations_2d": (lambda L, a: L.combinations(a), R(2, 2)),
    # as_strided / unfold
    "as_strided": (lambda L, a: L.as_strided(a, (2, 2), (1, 2)), R(3, 3)),
    "as_strided_offset": (lambda L, a: a.as_strided((3, 2), (2, 1), 1), R(8)),
    "as_strided_overlap": (lambda L, a: a.as_strided((3, 3), (1, 1)), R(6)),
    "as_strided_of_view": (lambda L, a: a[1:, 1:].as_strided((2, 2), (1, 2)), R(3, 4)),
    "as_strided_of_view_off0": (lambda L, a: a[1:].as_strided((2, 2), (1, 2), 0), R(3, 4)),
    "as_strided_oob": (lambda L, a: a.as_strided((3, 3), (1, 1), 10), R(3, 4)),
    "as_strided_len": (lambda L, a: a.as_strided((3,), (1, 1)), R(3, 4)),
    "as_strided_negstride": (lambda L, a: a.as_strided((3,), (-1,)), R(3, 4)),
    "as_strided_zero_size": (lambda L, a: a.as_strided((0, 3), (1, 1), 50), R(3, 4)),
    "unfold": (lambda L, a: a.unfold(1, 2, 1), R(3, 4)),
    "unfold_step": (lambda L, a: a.unfold(0, 3, 2), R(7, 2)),
    "unfold_0d": (lambda L, a: a.unfold(0, 1, 1), np.array(5.)),
    "unfold_full": (lambda L, a: a.unfold(-1, 4, 4), R(2, 4)),
    "unfold_size0": (lambda L, a: a.unfold(0, 0, 1), R(3)),
    "unfold_too_big": (lambda L, a: a.unfold(1, 5, 1), R(3, 4)),
    "unfold_step0": (lambda L, a: a.unfold(1, 2, 0), R(3, 4)),
    "unfold_dim": (lambda L, a: a.unfold(2, 1, 1), R(3, 4)),
    "unfold_neg_size": (lambda L, a: a.unfold(1, -1, 1), R(3, 4)),
    # windows
    "hann": (lambda L: L.hann_window(8),),
    "hann_sym64": (lambda L: L.hann_window(7, False, dtype=L.float64),),
    "hamming": (lambda L: L.hamming_window(6, True, 0.5, 0.3, dtype=L.float64),),
    "hamming_sym": (lambda L: L.hamming_window(6, periodic=False),),
    "blackman": (lambda L: L.blackman_window(9, dtype=L.float64),),
    "bartlett": (lambda L: L.bartlett_window(5, dtype=L.float64),),
    "bartlett_sym": (lambda L: L.bartlett_window(5, False, dtype=L.float64),),
    "kaiser": (lambda L: L.kaiser_window(6, dtype=L.float64),),
    "kaiser_beta": (lambda L: L.kaiser_window(6, False, 5.0),),
    "window_0": (lambda L: L.hann_window(0),),
    "window_1": (lambda L: L.blackman_window(1, dtype=L.float64),),
    "window_grad": (lambda L: L.hann_window(4, requires_grad=True),),
    "window_int": (lambda L: L.hann_window(4, dtype=L.int64),),
    "window_neg": (lambda L: L.hamming_window(-1),),
    # rot90 / vander
    "rot90": (lambda L, a: L.rot90(a), R(2, 3)),
    "rot90_k2": (lambda L, a: a.rot90(2, [1, 2]), R(2, 3, 4)),
    "rot90_kneg": (lambda L, a: L.rot90(a, -1, [-1, 0]), R(2, 3)),
    "rot90_k0": (lambda L, a: L.rot90(a, 4), R(2, 3)),
    "rot90_same": (lambda L, a: L.rot90(a, 1, [0, 0]), R(2, 3)),
    "rot90_dims3": (lambda L, a: L.rot90(a, 1, [0, 1, 2]), R(2, 3, 2)),
    "rot90_1d": (lambda L, a: L.rot90(a), R(3)),
    "vander": (lambda L, a: L.vander(a.detach()), R(3)),
    "vander_inc_N": (lambda L, a: L.vander(a.detach(), 5, True), R(3)),
    "vander_int": (lambda L, a: L.vander(a.int()), R(3) * 3),
    "vander_bool": (lambda L, a: L.vander(a > 0), R(3)),
    "vander_N0": (lambda L, a: L.vander(a.detach(), 0), R(3)),
    "vander_2d": (lambda L, a: L.vander(a), R(3, 2)),
    "vander_negN": (lambda L, a: L.vander(a, -1), R(3)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_vs_torch(name):
    fn, *args = CASES[name]
    compare(fn, *args)


def _shares(e_out, e_in, t_out, t_in):
    es = np.shares_memory(e_out.numpy(), e_in.numpy()) if e_out.numel() else False
    ts = e_out.numel() and t_out.untyped_storage().data_ptr() == t_in.untyped_storage().data_ptr()
    assert es == bool(ts)


@pytest.mark.parametrize("fn,write", [
    (lambda L, t: t.unfold(1, 2, 1), False), (lambda L, t: t.as_strided((2, 2), (1, 2), 1), True),
    (lambda L, t: L.meshgrid(t[0], t[1], indexing="ij")[0], False),
    (lambda L, t: t.ravel(), True), (lambda L, t: t.t().ravel(), True),
    (lambda L, t: t.repeat_interleave(2), False), (lambda L, t: L.rot90(t), False),
    (lambda L, t: t[1:].as_strided((2,), (2,)), True), (lambda L, t: t.unfold(0, 1, 2), True)])
def test_views_share_memory_as_torch(fn, write):
    x = R(3, 4)
    e_in, t_in = ember.tensor(x), torch.tensor(x)
    e_out, t_out = fn(ember, e_in), fn(torch, t_in)
    _shares(e_out, e_in, t_out, t_in)
    np.testing.assert_array_equal(e_out.numpy(), t_out.numpy())
    if np.shares_memory(e_out.numpy(), e_in.numpy()):
        assert e_out._base is e_in and e_out._version == e_in._version
    if write:  # a write through the view shows in the base (or not), as in torch
        e_out.mul_(2.0)
        t_out.mul_(2.0)
        np.testing.assert_array_equal(e_in.numpy(), t_in.numpy())


def test_view_versions_and_inplace_through_unfold():
    for lib in (ember, torch):
        x = lib.tensor(R(2, 5), requires_grad=True)
        y = x * 1
        u = y.unfold(1, 2, 2)
        assert u._version == y._version
        u.mul_(2)
        assert y._version == u._version == 1
    e, t = ember.tensor(R(2, 5)), None
    # gradient through an in-place change of the view (torch regenerates the view's history)
    xs = R(2, 5)
    res = []
    for lib in (ember, torch):
        x = lib.tensor(xs, requires_grad=True)
        y = x * 1
        y.unfold(1, 2, 2).mul_(3)
        y.sum().backward()
        res.append(x.grad.numpy())
    np.testing.assert_allclose(res[0], res[1])
    del e, t


def test_storage_offset():
    x = R(3, 4)
    for fn in (lambda t: t, lambda t: t[1:], lambda t: t[1:, 2:], lambda t: t.t()[1],
               lambda t: t.unfold(1, 2, 1)[1, 1]):
        assert fn(ember.tensor(x)).storage_offset() == fn(torch.tensor(x)).storage_offset()


def test_finfo_iinfo():
    for dt in ("float16", "float32", "float64", "bfloat16", "complex64"):
        e, t = ember.finfo(getattr(ember, dt)), torch.finfo(getattr(torch, dt))
        for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution",
                     "dtype"):
            assert getattr(e, attr) == getattr(t, attr), (dt, attr)
        assert repr(e) == repr(t)
    assert ember.finfo().eps == torch.finfo().eps
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.finfo().dtype == "float64"
    finally:
        ember.set_default_dtype(ember.float32)
    for dt in ("uint8", "int8", "int16", "int32", "int64", "bool"):
        if dt == "bool":
            with pytest.raises(TypeError):
                torch.iinfo(torch.bool)
            continue
        e, t = ember.iinfo(getattr(ember, dt)), torch.iinfo(getattr(torch, dt))
        for attr in ("bits", "max", "min", "dtype"):
            assert getattr(e, attr) == getattr(t, attr), (dt, attr)
        assert repr(e) == repr(t)
    for bad_e, bad_t in ((lambda: ember.finfo(ember.int32), lambda: torch.finfo(torch.int32)),
                         (lambda: ember.iinfo(ember.float32),
                          lambda: torch.iinfo(torch.float32))):
        with pytest.raises(TypeError) as ee:
            bad_e()
        with pytest.raises(TypeError) as te:
            bad_t()
        assert str(ee.value) == str(te.value)
    # common use: clamping to a dtype's range
    x = ember.tensor([1e-50, 1.0])
    assert x.clamp(min=ember.finfo(x.dtype).tiny)[0].item() == \
        torch.tensor([1e-50, 1.0]).clamp(min=torch.finfo(torch.float32).tiny)[0].item()


def test_nbytes_itemsize():
    x = R(3, 4)
    for fn in (lambda L, t: t, lambda L, t: t[:, :2], lambda L, t: t.float().expand(2, 3, 4),
               lambda L, t: t.to(L.int8), lambda L, t: t[0, 0]):
        e, t = fn(ember, ember.tensor(x)), fn(torch, torch.tensor(x))
        assert (e.nbytes, e.itemsize) == (t.nbytes, t.itemsize)


def test_frombuffer():
    buf_e, buf_t = bytearray(b"\x01\x02\x03\x04\x05\x06\x07\x08"), \
        bytearray(b"\x01\x02\x03\x04\x05\x06\x07\x08")
    e = ember.frombuffer(buf_e, dtype=ember.int16, count=2, offset=2)
    t = torch.frombuffer(buf_t, dtype=torch.int16, count=2, offset=2)
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    e[0] = 7
    t[0] = 7
    assert buf_e == buf_t  # the tensor shares the buffer's memory
    a = array.array("f", [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(ember.frombuffer(a, dtype=ember.float32).numpy(),
                                  torch.frombuffer(array.array("f", [1.0, 2.0, 3.0]),
                                                   dtype=torch.float32).numpy())
    with pytest.warns(UserWarning, match="The given buffer is not writable"):
        r = ember.frombuffer(b"\x01\x02", dtype=ember.uint8)
    assert r.tolist() == [1, 2]
    for kw in (dict(count=5), dict(offset=9), dict(count=0)):
        with pytest.raises(ValueError) as ee:
            ember.frombuffer(bytearray(8), dtype=ember.int16, **kw)
        with pytest.raises(ValueError) as te:
            torch.frombuffer(bytearray(8), dtype=torch.int16, **kw)
        assert str(ee.value) == str(te.value)


def test_meshgrid_warns_without_indexing():
    a = ember.tensor([1., 2.])
    with pytest.warns(UserWarning, match="it will be required to pass the indexing argument"):
        g = ember.meshgrid(a, a)
    assert g[0].tolist() == [[1., 1.], [2., 2.]]


# ------------------------------------------------------------------------------ hypothesis

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

_shape = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)


@settings(max_examples=40, deadline=None)
@given(shape=_shape, seed=st.integers(0, 2**16), data=st.data(), tensor_rep=st.booleans())
def test_repeat_interleave_sweep(shape, seed, data, tensor_rep):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    dim = data.draw(st.one_of(st.none(), st.integers(-max(len(shape), 1),
                                                     max(len(shape), 1) - 1)))
    n = x.size if dim is None else (shape[dim] if shape else 1)
    if tensor_rep:
        reps = rng.integers(0, 3, n)
        compare(lambda L, a, r: L.repeat_interleave(a, r, dim), x, reps)
    else:
        r = data.draw(st.integers(0, 3))
        compare(lambda L, a: L.repeat_interleave(a, r, dim), x)


@settings(max_examples=40, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5),
       seed=st.integers(0, 2**16), data=st.data())
def test_unfold_sweep(shape, seed, data):
    x = np.random.default_rng(seed).standard_normal(shape)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    size = data.draw(st.integers(0, shape[dim] + 1))
    step = data.draw(st.integers(1, 3))
    compare(lambda L, a: a.unfold(dim, size, step), x)
    compare(lambda L, a: (a * 1).unfold(dim, min(size, shape[dim]), step).unfold(
        -1, min(size, shape[dim]) > 0 and 1 or 0, 1), x)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**16), data=st.data(), view=st.booleans())
def test_as_strided_sweep(seed, data, view):
    x = np.random.default_rng(seed).standard_normal((4, 5))
    nd = data.draw(st.integers(0, 3))
    size = tuple(data.draw(st.integers(0, 3)) for _ in range(nd))
    stride = tuple(data.draw(st.integers(0, 4)) for _ in range(nd))
    off = data.draw(st.one_of(st.none(), st.integers(0, 6)))

    def fn(L, a):
        base = a[1:, 1:] if view else a
        return base.as_strided(size, stride, off)
    compare(fn, x)
