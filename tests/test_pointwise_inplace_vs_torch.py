"""Differential tests (ember vs torch) for pointwise, in-place and scatter-family ops: values,
dtypes, gradients (also under create_graph) and error classes/texts."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")


def _np(x):
    if isinstance(x, (ember.Tensor,)) or (torch is not None and isinstance(x, torch.Tensor)):
        return x.detach().numpy()
    return x


def _same(e, t):
    if e is None or t is None:
        assert e is None and t is None, (e, t)
        return
    if not hasattr(t, "shape"):
        assert e == t or (math.isnan(e) and math.isnan(t)), (e, t)
        return
    assert tuple(e.shape) == tuple(t.shape)
    assert str(e.dtype) == str(t.dtype)
    assert e.requires_grad == t.requires_grad
    np.testing.assert_allclose(_np(e), _np(t), rtol=1e-5, atol=1e-6)


def _run(fn, lib):
    try:
        return fn(lib), None
    except Exception as exc:  # noqa: BLE001 - the error is what we compare
        return None, exc


def check(fn):
    """Run fn with both libraries: same results (flat list of tensors/numbers) or same error."""
    er, ee = _run(fn, ember)
    tr, te = _run(fn, torch)
    if te is not None or ee is not None:
        assert ee is not None and te is not None, (ee, te)
        assert type(ee) is type(te), (ee, te)
        head = str(te).split("\n")[0][:60]
        assert str(ee).startswith(head), (str(ee), str(te))
        return
    assert len(er) == len(tr)
    for e, t in zip(er, tr):
        _same(e, t)


def f32(x, lib, req=False):
    return lib.tensor(np.asarray(x, dtype=np.float32), requires_grad=req)


# --------------------------------------------------------------------------- in-place graphs


@needs_torch
@pytest.mark.parametrize("op", ["mul_", "div_", "pow_", "abs_", "addcmul_", "addcdiv_"])
def test_inplace_double_backward_sees_old_self(op):
    """The old value of self saved by an in-place op stays connected to its history."""
    def fn(lib):
        a = f32([0.5, -1.5], lib, True)
        b = f32([2.0, 3.0], lib, True)
        base = a * 1.5
        if op in ("addcmul_", "addcdiv_"):
            r = getattr(base, op)(b, base.detach() + b)
        elif op == "abs_":
            r = base.abs_() * b
        else:
            r = getattr(base, op)(b)
        ga, gb = lib.autograd.grad(r.sum(), [a, b], create_graph=True)
        g2 = lib.autograd.grad((ga * gb).sum(), [a, b], allow_unused=True)
        return [r, ga, gb, *g2]
    check(fn)


@needs_torch
@pytest.mark.parametrize("view", [False, True])
def test_fill_integer_tensor_with_grad_tensor(view):
    """torch records fill_ of an integer tensor with a 0-d tensor that requires grad (and a
    backward from it fails)."""
    def fn(lib):
        base = lib.tensor(np.array([1, 2, 3], dtype=np.int64))
        b = f32(4.0, lib, True)
        x = base[1:] if view else base
        x.fill_(b)
        names = [type(x.grad_fn).__name__, type(base.grad_fn).__name__]
        return [base, x, *names]
    check(fn)

    def bwd(lib):
        base = lib.tensor(np.array([1, 2, 3], dtype=np.int64))
        base.fill_(f32(4.0, lib, True))
        base.backward(lib.ones_like(base))
    er, ee = _run(bwd, ember)
    assert isinstance(ee, RuntimeError)
    assert type(_run(bwd, torch)[1]) is RuntimeError


# --------------------------------------------------------------------------- pointwise grads

_A = [0.0, 0.0, 1.0, -1.0, 2.0, 0.0, 3.0, np.nan]
_B = [0.0, -1.0, 0.0, 0.0, -2.0, 2.0, 3.0, 1.0]


@needs_torch
@pytest.mark.parametrize("name", ["pow", "atan2", "float_power", "fmax", "fmin", "rpow0",
                                  "pow0"])
def test_binary_grads_at_special_points(name):
    """torch's gradients where the formula meets 0 * inf: pow at a == 0 or b == 0, atan2 at
    (0, 0), fmax/fmin on ties and NaN (masked, so an infinite gradient does not become NaN)."""
    def fn(lib):
        a, b = f32(_A, lib, True), f32(_B, lib, True)
        g = f32([1.0, 2.0, np.inf, 3.0, 1.0, np.inf, 1.0, 2.0], lib)
        if name == "rpow0":
            return list(lib.autograd.grad(0 ** a, [a], g))
        if name == "pow0":
            return list(lib.autograd.grad(a ** 0, [a], g))
        out = getattr(lib, name)(a, b)
        return [out, *lib.autograd.grad(out, [a, b], g)]
    check(fn)


@needs_torch
@pytest.mark.parametrize("name", ["pow", "atan2"])
def test_binary_double_backward_at_zero(name):
    """torch's masks leave NaN second derivatives where the masked branch is infinite."""
    def fn(lib):
        a, b = f32([0.0, 0.0, 1.0, 2.0], lib, True), f32([0.0, 1.0, 0.0, 0.5], lib, True)
        ga, gb = lib.autograd.grad(getattr(lib, name)(a, b).sum(), [a, b], create_graph=True)
        return [ga, gb, *lib.autograd.grad((ga + gb).sum(), [a, b])]
    check(fn)


@needs_torch
@pytest.mark.parametrize("w", [-0.5, 0.25, 0.5, 0.75, "tensor"])
def test_lerp_uses_torchs_two_formulas(w):
    """torch: a + w (b - a) for |w| < 0.5, else b - (b - a)(1 - w) (NaN with an infinite end)."""
    def fn(lib):
        a = f32([0.0, 1.0, 2.0, -3.0, np.inf, 0.0], lib, True)
        b = f32([np.inf, 2.0, -1.0, 5.0, 1.0, 1.0], lib, True)
        wt = f32([-0.5, 0.25, 0.5, 0.75, 0.1, -2.0], lib, True) if w == "tensor" else w
        out = lib.lerp(a, b, wt)
        return [out, *lib.autograd.grad(out.sum(), [a, b])]
    check(fn)


@needs_torch
def test_lerp_shapes_that_do_not_broadcast():
    check(lambda lib: lib.lerp(f32(np.zeros((2, 0)), lib, True),
                               f32(np.zeros((0, 0, 0)), lib, True), 0.0))


# --------------------------------------------------------------------------- tensor protocol


@needs_torch
@pytest.mark.parametrize("case", ["float", "int", "complex", "float_empty", "mT", "mH", "pos",
                                  "positive", "float_ok"])
@pytest.mark.filterwarnings("ignore:Tensor.mT is deprecated on 0-D tensors:UserWarning")
def test_tensor_protocol_errors(case):
    def fn(lib):
        t = lib.tensor(np.array([0, 0], dtype=np.int64))
        if case in ("float", "int", "complex"):
            return [{"float": float, "int": int, "complex": complex}[case](t)]
        if case == "float_empty":
            return [float(f32(np.zeros(0), lib))]
        if case in ("mT", "mH"):
            return [getattr(f32([1.0, 2.0], lib), case)]
        if case == "float_ok":
            return [float(f32([[2.5]], lib)), f32(3.0, lib).mT, +f32([1.0], lib)]
        b = lib.tensor(np.array([True, False]))
        return [+b if case == "pos" else b.positive()]
    check(fn)


# --------------------------------------------------------------------------- scatter family


@needs_torch
@pytest.mark.parametrize("fn_name", ["scatter", "scatter_add", "scatter_reduce_mean",
                                     "scatter_reduce_sum"])
@pytest.mark.parametrize("n_src", [1, 2])
def test_scatter_src_grad_has_the_index_shape(fn_name, n_src):
    """torch's src gradient is grad.gather(dim, index): with an index smaller than src the
    engine rejects it ("returned an invalid gradient")."""
    def fn(lib):
        a = f32([1.0, 2.0, 3.0], lib, True)
        src = f32([5.0, 6.0][:n_src], lib, True)
        idx = lib.tensor(np.array([2], dtype=np.int64))
        if fn_name.startswith("scatter_reduce"):
            out = lib.scatter_reduce(a, 0, idx, src, fn_name.split("_")[-1], include_self=False)
        else:
            out = getattr(lib, fn_name)(a, 0, idx, src)
        return [out, *lib.autograd.grad(out.sum(), [a, src])]
    check(fn)


@needs_torch
@pytest.mark.parametrize("value", [1e300, math.nan, math.inf, 2.7, True])
@pytest.mark.parametrize("n", [0, 1])
@pytest.mark.parametrize("dtype", [np.int64, np.float16])
def test_scatter_value_and_copy_scalar_conversion(value, n, dtype):
    """scatter's value is converted with torch's overflow check only when something is written;
    copy_ of a number casts it unchecked."""
    def fn(lib):
        a = lib.tensor(np.zeros(2, dtype=dtype))
        idx = lib.tensor(np.zeros(n, dtype=np.int64))
        return [a.scatter(0, idx, value)]
    check(fn)
    check(lambda lib: [lib.tensor(np.zeros(2, dtype=dtype)).copy_(value)])


# --------------------------------------------------------------------------- clamp


@needs_torch
@pytest.mark.parametrize("shapes", [((), (2,), ()), ((), (), (2,)), ((2,), (), ()),
                                    ((1,), (2,), (2, 1)), ((5,), (5,), (5,))])
def test_clamp_tensor_bounds_grads(shapes):
    """torch's masks (an infinite gradient stays out of the masked places) and its in-place
    combination of them, which fails when a mask is smaller than the broadcast shape."""
    sa, sl, sh = shapes

    def fn(lib):
        a = f32(np.linspace(-1, 3, int(np.prod(sa))).reshape(sa), lib, True)
        lo = f32(np.linspace(0, 2, int(np.prod(sl))).reshape(sl), lib, True)
        hi = f32(np.linspace(2, 1, int(np.prod(sh))).reshape(sh), lib, True)
        out = lib.clamp(a, lo, hi)
        g = lib.full(tuple(out.shape), np.inf)
        return [out, *lib.autograd.grad(out, [a, lo, hi], g)]
    check(fn)


@needs_torch
@pytest.mark.parametrize("case", ["int_clamp", "float_clamp", "half_clamp", "inf_clamp",
                                  "int8_pow", "shapes"])
def test_clamp_and_pow_scalar_overflow(case):
    def fn(lib):
        if case == "int_clamp":
            return [lib.tensor(np.array(0, dtype=np.int64)).clamp(0, 1e300)]
        if case == "float_clamp":
            return [f32([0.0], lib).clamp(max=-1e300)]
        if case == "half_clamp":
            return [f32([0.0], lib).half().clamp(0, 1e10)]
        if case == "inf_clamp":
            return [f32([0.0, 5.0], lib).clamp(-np.inf, np.inf), f32([1.0], lib).clamp(0, 1e5)]
        if case == "int8_pow":
            return [lib.pow(lib.tensor(np.array([2], dtype=np.int8)), 255)]
        return [lib.clamp(f32(np.zeros((4, 0)), lib), f32(np.zeros((2, 0)), lib),
                          f32(np.zeros((2, 0)), lib))]
    check(fn)


_IDX_CASES = [((1, 0), 0, [-1]), ((0, 0), 0, [0]), ((3,), 0, [5]), ((3, 2), 0, [5]),
              ((3, 2), 1, [-1]), ((2, 0), 1, [0]), ((0,), 0, [0]), ((0, 2), 0, [0]),
              ((2, 0), 0, [3]), ((1, 4, 1), 1, [-1]), ((0, 2), 1, [0]), ((3, 2), 0, [2, 0])]


@needs_torch
@pytest.mark.parametrize("case", _IDX_CASES, ids=str)
@pytest.mark.parametrize("name", ["index_select", "index_add", "index_fill"])
def test_index_ops_errors_and_grads(case, name):
    """torch's error class and text for each kernel path (empty self, one-element slices,
    dim 1) and, where the forward works, its gradients (index_add's source gradient is an
    index_select of the gradient, with that op's errors)."""
    shape, dim, index = case

    def fn(lib):
        n = int(np.prod(shape))  # (an empty one by zeros(): torch's strides of it are known)
        a = f32(np.arange(n).reshape(shape), lib, True) if n else lib.zeros(shape,
                                                                             requires_grad=True)
        idx = lib.tensor(np.array(index, dtype=np.int64))
        if name == "index_select":
            out, leaves = lib.index_select(a, dim, idx), [a]
        elif name == "index_fill":
            out, leaves = lib.index_fill(a, dim, idx, 2.0), [a]
        else:
            src_shape = list(shape)
            src_shape[dim] = len(index)
            src = f32(np.ones(src_shape), lib, True)
            out, leaves = lib.index_add(a, dim, idx, src), [a, src]
        return [out, *lib.autograd.grad(out.sum(), leaves)]
    check(fn)


@needs_torch
@pytest.mark.parametrize("dtype", [np.int64, np.float32])
def test_copy_into_expanded_view_is_refused(dtype):
    def fn(lib):
        x = lib.tensor(np.zeros(1, dtype=dtype)).expand(3)
        return [x.copy_(lib.tensor(np.ones(3, dtype=dtype)))]
    check(fn)
