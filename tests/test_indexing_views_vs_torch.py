"""Indexing, views and in-place writes, differential against torch: torch's order for indices
that mix integers with index tensors, setitem / index_put (values, dtypes, errors, graph),
views that share storage (diagonal, 0-d results of integer indexing), scatter_reduce, empty
index lists, in-place errors (broadcasting, multi-output views), masked_fill's dtype rules and
the gather/scatter family's nodes and errors.  Each case runs the same code on both libraries
and compares values, dtypes, shapes, grad_fn names, gradients, versions and exceptions."""
from __future__ import annotations

import random
import warnings

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")
pytestmark = needs_torch

X4 = np.arange(120.0).reshape(2, 3, 4, 5) / 7.0


def _summary(r):
    """A comparable summary of a result: tensors by dtype, shape, values, grad_fn name."""
    if isinstance(r, (tuple, list)):
        return tuple(_summary(x) for x in r)
    if hasattr(r, "dtype") and hasattr(r, "shape") and hasattr(r, "grad_fn"):
        fn = r.grad_fn
        return ("T", str(r.dtype).replace("ember.", "torch."), tuple(r.shape),
                np.array(r.detach().tolist()), type(fn).__name__ if fn is not None else None)
    return r


def _run(lib, fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _summary(fn(lib))
        except Exception as e:  # noqa: BLE001 - the exception is the result compared
            return ("E", type(e).__name__, str(e).split("\n")[0])


def _same(a, b, path="result"):
    if isinstance(a, tuple) and a and a[0] == "T" and isinstance(b, tuple) and b and b[0] == "T":
        assert a[1:3] == b[1:3] and a[4] == b[4], f"{path}: {a[1:3] + a[4:]} vs {b[1:3] + b[4:]}"
        np.testing.assert_allclose(a[3], b[3], rtol=1e-6, atol=1e-9, equal_nan=True,
                                   err_msg=path)
    elif isinstance(a, tuple) and isinstance(b, tuple):
        assert len(a) == len(b), f"{path}: {a} vs {b}"
        for k, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{k}]")
    else:
        assert a == b, f"{path}: ember {a!r} vs torch {b!r}"


def check(fn, path="result"):
    _same(_run(ember, fn), _run(torch, fn), path)


def _node(t):
    fn = t.grad_fn
    if fn is None:
        return None
    return type(fn).__name__.replace("torch::autograd::", "")


def _chain(t):
    """grad_fn name and its first input's node name."""
    fn = t.grad_fn
    if fn is None:
        return (None,)
    nxt = fn.next_functions[0][0] if fn.next_functions else None
    name = type(nxt).__name__ if nxt is not None else None
    return (_node(t), name.replace("torch::autograd::", "") if name else None)


# ------------------------------------------------------------------------ x[idx]: torch's order

def _L(v):
    return ("list", v)


def _I(v, dtype="int64"):
    return ("tensor", v, dtype)


def _M(v):
    return ("mask", v)


def _build(lib, idx):
    def one(i):
        if isinstance(i, tuple) and i and i[0] == "list":
            return list(i[1])
        if isinstance(i, tuple) and i and i[0] == "tensor":
            return lib.tensor(np.asarray(i[1], dtype=i[2]))
        if isinstance(i, tuple) and i and i[0] == "mask":
            return lib.tensor(np.asarray(i[1], dtype=bool))
        return i
    if isinstance(idx, tuple) and idx and isinstance(idx[0], str):
        return one(idx)
    if isinstance(idx, tuple):
        return tuple(one(i) for i in idx)
    return one(idx)


_ALL = slice(None)
INDEX_CASES = {  # on X4 (2, 3, 4, 5)
    "int_slice_list": (0, _ALL, _L([0, 2])),
    "int_slice_tensor_int": (1, _ALL, _I([0, 2]), 0),
    "list_slice_list": (_L([0, 1]), _ALL, _L([1, 2])),
    "slice_list_int_list": (_ALL, _L([0, 1]), 0, _L([1, 2])),
    "ellipsis_list_int": (Ellipsis, _L([0, 1]), 1),
    "none_int_list": (None, 0, _L([1])),
    "bool_int_list": (True, 0, _L([1])),
    "int_bool": (0, True),
    "int_false": (0, False),
    "int32_tensor": (1, _ALL, _I([3, -1], "int32")),
    "0d_tensor_int": (_I(1), _ALL, _L([0, 3])),
    "0d_bool": (_I(True, "bool"), 0, _L([1])),
    "int_mask": (1, _M([True, False, True])),
    "mask2d_int": (_M([[True, False, True], [False, True, True]]), 0),
    "two_ints_2d_list": (0, _L([[1, 2], [0, 0]]), 2),
    "int_step_list": (1, slice(0, 3, 2), _L([0, 0, 3])),
    "neg_int_list": (-1, _L([-1, 0]), -2),
    "full_len_slice": (1, slice(0, 3), _L([1])),
    "raw_neg_slice": (1, slice(-3, 3), _L([1])),
    "list_none_list": (_L([0, 1]), None, _L([1, 2])),
    "empty_list": _L([]),
    "empty_list_dim1": (_ALL, _L([])),
    "empty_tensor": _I([], "int64"),
    "nested_empty": _L([[]]),
    "float_list": _L([1.0]),
    "uint8_mask": _I([1, 0], "uint8"),
    "seq_as_tuple": _L([0, _ALL, [1, 2]]),
    "basic_select_select": (0, 1),
    "basic_none_select": (None, 0),
    "basic_slice_unsqueeze": (slice(1, 2), 0, None),
    "full_int": (1, 2, 3, 4),
    "ellipsis_int": (Ellipsis, 2),
    "lone_slice": slice(0, 2),
    "alias": (Ellipsis,),
    # errors
    "oob_int_after_ellipsis": (Ellipsis, 9),
    "oob_list_dim1": (_ALL, _L([0, 9])),
    "oob_list_pair": (_L([0, 1]), _L([0, 7])),
    "broadcast_mismatch": (_L([0, 1]), _L([0, 1, 2])),
    "mask_mismatch": (0, _M([True, False])),
    "too_many": (0, 0, 0, 0, 0),
    "too_many_adv": (0, 0, 0, 0, _L([0])),
    "negative_step": slice(None, None, -1),
    "float_tensor": _I([0.0], "float32"),
    "int16_tensor": _I([0], "int16"),
    "float_scalar": 1.5,
    "oob_empty_result": (_L([9]), slice(1, 1)),
}


@pytest.mark.parametrize("name", list(INDEX_CASES))
def test_getitem_matches_torch(name):
    idx = INDEX_CASES[name]

    def f(lib):
        x = lib.tensor(X4, requires_grad=True)
        y = x * 1.0
        r = y[_build(lib, idx)]
        r.backward(lib.tensor(np.arange(r.numel(), dtype=np.float64).reshape(tuple(r.shape))))
        return r, _chain(r), x.grad
    check(f)


SET_CASES = [k for k in INDEX_CASES if not k.startswith(("float_scalar",))]


@pytest.mark.parametrize("name", SET_CASES)
def test_setitem_matches_torch(name):
    for value in ("full", "scalar", "0d_other_dtype"):
        check(_setitem_case(INDEX_CASES[name], value), f"value {value}")


def _setitem_case(idx, value):
    def f(lib):
        ix = _build(lib, idx)
        shape = tuple(lib.tensor(X4)[ix].shape)
        if value == "full":
            v = lib.tensor(-np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) - 1)
        elif value == "scalar":
            v = -3.0
        else:
            v = lib.tensor(-2.0, dtype=lib.float32)
        plain = lib.tensor(X4)
        plain[ix] = v
        x = lib.tensor(X4, requires_grad=True)
        y = x * 1.0
        vg = v.clone().requires_grad_() if not isinstance(v, float) else v
        y[ix] = vg
        (y * lib.tensor(X4)).sum().backward()
        return plain, plain._version, y, _node(y), x.grad, None if isinstance(v, float) else \
            vg.grad.tolist()
    return f


def test_setitem_special_forms_match_torch():
    def f(lib):
        out = []
        for idx in (False, True, None, Ellipsis):
            x = lib.zeros(3, requires_grad=True).clone()
            x[idx] = 2.0
            out.append((x, x._version, _node(x)))
        x = lib.zeros(3, 4)
        x[0] = lib.ones(1, 1, 4)  # leading size-1 dims beyond the target's are dropped
        x[[1, 2]] = lib.full((1, 2, 4), 5.0)
        x[0, 1] = lib.tensor([7.0])
        out.append(x)
        return tuple(out)
    check(f)


SETITEM_ERRORS = {
    "dtype_tensor_index": lambda lib: lib.zeros(3).__setitem__(lib.tensor([0, 1]),
                                                               lib.tensor([1.0, 2.0],
                                                                          dtype=lib.float64)),
    "dtype_list_index_0d": lambda lib: lib.zeros(3, 2).__setitem__([0], lib.tensor(1)),
    "dtype_mask_vector": lambda lib: lib.zeros(3).__setitem__(lib.tensor([True, False, True]),
                                                              lib.ones(2, dtype=lib.float64)),
    "dtype_mask_0d_ok": lambda lib: _set(lib.zeros(3), lib.tensor([True, False, True]),
                                         lib.tensor(2.0, dtype=lib.float64)),
    "dtype_basic_ok": lambda lib: _set(lib.zeros(3), slice(0, 2),
                                       lib.tensor([1.0, 2.0], dtype=lib.float64)),
    "dtype_mixed": lambda lib: lib.zeros(2, 3).__setitem__((0, lib.tensor([0, 1])),
                                                           lib.ones(2, dtype=lib.float64)),
    "scalar_into_long_adv": lambda lib: _set(lib.zeros(3, dtype=lib.long), [0, 2], 2.7),
    "overflow_int8": lambda lib: lib.zeros(3, dtype=lib.int8).__setitem__(0, 300),
    "uint8_negative_ok": lambda lib: _set(lib.zeros(3, dtype=lib.uint8), 0, -1),
    "list_value": lambda lib: lib.zeros(3).__setitem__(0, [1.0]),
    "numpy_value": lambda lib: lib.zeros(3).__setitem__(0, np.ones(1)),
    "adv_shape_mismatch": lambda lib: lib.zeros(3, 4).__setitem__(lib.tensor([0, 1]), lib.ones(3)),
    "basic_shape_mismatch": lambda lib: lib.zeros(3, 4).__setitem__(0, lib.ones(2, 4)),
    "empty_list_scalar": lambda lib: _set(lib.zeros(3), [], 1.0),
    "empty_list_tensor": lambda lib: _set(lib.zeros(3, 2), [], lib.ones(2)),
    "leaf_view": lambda lib: lib.zeros(3, requires_grad=True).__setitem__(0, 1.0),
    "leaf_adv": lambda lib: lib.zeros(3, requires_grad=True).__setitem__([0], 1.0),
    "zero_dim_int": lambda lib: lib.tensor(1.0).__setitem__(0, 2.0),
}


def _set(x, idx, v):
    x[idx] = v
    return x, x._version


@pytest.mark.parametrize("name", list(SETITEM_ERRORS))
def test_setitem_values_and_errors_match_torch(name):
    check(SETITEM_ERRORS[name])


INDEX_PUT = {
    "0d_and_vector": lambda lib, x, v: x.index_put((lib.tensor(0), lib.tensor([1, 2])), v),
    "accumulate": lambda lib, x, v: x.index_put((lib.tensor([0, 0]), lib.tensor([1, 1])), v,
                                                accumulate=True),
    "mask": lambda lib, x, v: x.index_put((lib.tensor([[True, False, True, False]] * 3),), v),
    "fn": lambda lib, x, v: lib.index_put(x, (lib.tensor([2, 0]),), v),
    "inplace": lambda lib, x, v: x.clone().index_put_((lib.tensor([2, 0]),), v, accumulate=True),
}


@pytest.mark.parametrize("name", list(INDEX_PUT))
def test_index_put_matches_torch(name):
    def f(lib):
        x = lib.tensor(X4[0, :, :, 0], requires_grad=True)
        v = lib.tensor(2.5, dtype=lib.float64, requires_grad=True)
        r = INDEX_PUT[name](lib, x, v)
        (r * lib.tensor(X4[1, :, :, 1])).sum().backward()
        return r, x.grad, v.grad.tolist()
    check(f)


@pytest.mark.parametrize("case", ["dtype", "none", "list", "too_many", "scalar", "shape"])
def test_index_put_errors_match_torch(case):
    def f(lib):
        x = lib.zeros(3, 4)
        if case == "dtype":
            return x.index_put((lib.tensor([0]),), lib.tensor(5.0, dtype=lib.float64))
        if case == "none":
            return x.index_put((None, lib.tensor([0])), lib.tensor(5.0))
        if case == "list":
            return x.index_put(([0],), lib.tensor(5.0))
        if case == "too_many":
            return x.index_put((lib.tensor(0),) * 3, lib.tensor(5.0))
        if case == "scalar":
            return x.index_put((lib.tensor([0]),), 5.0)
        return x.index_put((lib.tensor([0, 1]),), lib.ones(3))
    check(f)


# ------------------------------------------------------------------------------ views share storage

VIEW_OPS = {
    "diagonal": lambda y: y.diagonal(),
    "diagonal_off": lambda y: y.diagonal(1, 1, 2),
    "diagonal_neg_dims": lambda y: y.diagonal(-1, -1, -2),
    "diagonal_fn": lambda y: ember_or_torch(y).diagonal(y, offset=2, dim1=0, dim2=2),
    "T": lambda y: y.T,
    "int": lambda y: y[1],
    "int_int": lambda y: y[1, 2],
    "full_int": lambda y: y[1, 2, 3],
    "ellipsis_int": lambda y: y[..., 2],
    "select": lambda y: y.select(2, -1),
    "unbind_1d": lambda y: y[0, 0].unbind()[2],
    "narrow_step": lambda y: y[:, ::2, 1::2],
}
INPLACE_OPS = {
    "add_": lambda v: v.add_(1.5),
    "fill_": lambda v: v.fill_(3.0),
    "zero_": lambda v: v.zero_(),
    "mul_": lambda v: v.mul_(2.0),
    "setitem": lambda v: v.__setitem__(..., 0.5),
}


def ember_or_torch(t):
    return ember if isinstance(t, ember.Tensor) else torch


@pytest.mark.parametrize("view", list(VIEW_OPS))
def test_inplace_through_view_matches_torch(view):
    for op in INPLACE_OPS:
        check(_through_view(view, op), op)


def _through_view(view, op):
    def f(lib):
        base = lib.tensor(X4[0])
        v = VIEW_OPS[view](base)
        INPLACE_OPS[op](v)
        x = lib.tensor(X4[0], requires_grad=True)
        y = x * 2.0
        w = VIEW_OPS[view](y)
        INPLACE_OPS[op](w)
        (y * y).sum().backward()
        return base, base._version, v._version, y, _node(y), x.grad, y._version
    return f


@pytest.mark.parametrize("steps", [(3,), (1, 3), (2, 3), (1, 2), (1, 2, 3, 4), (3, 4), (1, 4)])
def test_inplace_through_several_views_matches_torch(steps):
    """In-place ops through different views of one base: each builds on the base's current
    history (a view made before another view's write is refreshed first)."""
    a = np.arange(12.0).reshape(4, 3) / 5 - 1
    mask = np.array([[True, False], [False, True], [True, True]])

    def f(lib):
        x = lib.tensor(a, requires_grad=True)
        m = x * 1
        y = m.t()
        if 1 in steps:
            y.diagonal().mul_(3)
        if 2 in steps:
            y[0, [1, 3]] = 9.0
        if 3 in steps:
            y[:, ::2].masked_fill_(lib.tensor(mask), -1.0)
        if 4 in steps:
            y.add_(1)
        (m * m).sum().backward()
        return m, _node(m), x.grad
    check(f)


def test_diagonal_same_dims_error_matches_torch():
    check(lambda lib: lib.zeros(3, 3).diagonal(0, 1, 1))


# ------------------------------------------------------------------------------ scatter_reduce

_R = np.random.default_rng(7)


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
def test_scatter_reduce_matches_torch(reduce, include_self):
    for dtype in ("float64", "float32", "int64", "int32"):
        check(_scatter_reduce_case(reduce, include_self, dtype), dtype)


def _scatter_reduce_case(reduce, include_self, dtype):
    self_ = _R.integers(-3, 4, (3, 4)).astype(dtype)
    src = _R.integers(-3, 4, (2, 3)).astype(dtype)
    if dtype.startswith("float") and reduce == "prod":
        self_[self_ == 0] = 1.5
        src[src == 0] = -0.5
    idx = np.array([[0, 1, 1], [2, 0, 0]])  # duplicates along dim 1

    def f(lib):
        a, s = lib.tensor(self_), lib.tensor(src)
        if a.dtype.is_floating_point:
            a.requires_grad_()
            s.requires_grad_()
        out = a.scatter_reduce(1, lib.tensor(idx), s, reduce, include_self=include_self)
        if not out.requires_grad:
            return out
        out.backward(lib.tensor(np.arange(12.0).reshape(3, 4) % 3 + 1, dtype=a.dtype))
        return out, a.grad, s.grad
    return f


@pytest.mark.parametrize("case", ["zero_self", "one_zero_src", "two_zeros_src"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_prod_zeros_matches_torch(case, include_self):
    a0, s0 = {"zero_self": ([0.0, 2, 3], [2.0, 4, 5, 6]), "one_zero_src": ([1.0, 2, 3],
                                                                           [0.0, 4, 5, 6]),
              "two_zeros_src": ([1.0, 2, 3], [2.0, 0, 5, 0])}[case]

    def f(lib):
        a = lib.tensor(a0, dtype=lib.float64, requires_grad=True)
        s = lib.tensor(s0, dtype=lib.float64, requires_grad=True)
        out = lib.scatter_reduce(a, 0, lib.tensor([0, 1, 1, 1]), s, "prod",
                                 include_self=include_self)
        out.backward(lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64))
        return out, a.grad, s.grad
    check(f)


SCATTER_REDUCE_MORE = {
    "amax_ties": lambda lib: _sr_grads(lib, "amax", True),
    "amin_ties_noself": lambda lib: _sr_grads(lib, "amin", False),
    "inplace": lambda lib: lib.ones(3).scatter_reduce_(0, lib.tensor([0, 0, 2]),
                                                       lib.tensor([2.0, 3.0, 4.0]), "prod",
                                                       include_self=False),
    "int_mean_floor": lambda lib: lib.tensor([-1, 0, 5]).scatter_reduce(
        0, lib.tensor([0, 0, 1, 1]), lib.tensor([-4, -2, 3, 1]), "mean"),
    "bool_amax": lambda lib: lib.tensor([True, False, False]).scatter_reduce(
        0, lib.tensor([0, 1]), lib.tensor([False, True]), "amax", include_self=False),
    "zero_dim_self": lambda lib: lib.tensor(1.0).scatter_reduce(0, lib.tensor([0, 0]),
                                                                lib.tensor([2.0, 3]), "sum"),
    "empty_index": lambda lib: lib.ones(3).scatter_reduce(0, lib.tensor([], dtype=lib.long),
                                                          lib.tensor([2.0]), "mean",
                                                          include_self=False),
    "bad_reduce": lambda lib: lib.ones(3).scatter_reduce(0, lib.tensor([0]), lib.tensor([2.0]),
                                                         "add"),
    "dtype": lambda lib: lib.ones(3).scatter_reduce(0, lib.tensor([0]),
                                                    lib.tensor([2.0], dtype=lib.float64), "sum"),
    "negative_index": lambda lib: lib.ones(3).scatter_reduce(0, lib.tensor([-1]),
                                                             lib.tensor([2.0]), "sum"),
    "index_too_big": lambda lib: lib.ones(3).scatter_reduce(0, lib.tensor([0, 0]),
                                                            lib.tensor([2.0]), "sum"),
}


def _sr_grads(lib, reduce, include_self):
    a = lib.tensor([1.0, 5.0, 3.0], requires_grad=True)
    s = lib.tensor([5.0, 5.0, 2.0, 3.0], requires_grad=True)
    out = a.scatter_reduce(0, lib.tensor([1, 1, 2, 2]), s, reduce, include_self=include_self)
    out.backward(lib.ones(3))
    return out, a.grad, s.grad


@pytest.mark.parametrize("name", list(SCATTER_REDUCE_MORE))
def test_scatter_reduce_cases_match_torch(name):
    check(SCATTER_REDUCE_MORE[name])


# ------------------------------------------------------------------------------ in-place errors

def _split_inplace(kind, grad_mode=True, req=True, op="mul_"):
    def f(lib):
        x = lib.ones(4, requires_grad=True).clone() if req else lib.ones(4)
        parts = {"split": lambda: x.split(2), "chunk": lambda: x.chunk(2),
                 "unbind": lambda: x.unbind(), "split_sizes": lambda: x.split([1, 3]),
                 "tensor_split": lambda: x.tensor_split(2)}[kind]()
        target = parts[1]
        if op == "view":
            target = target[:1]
        if grad_mode:
            (target.mul_(2) if op in ("mul_", "view") else target.__setitem__(0, 5.0))
        else:
            with lib.no_grad():
                target.mul_(2)
        return x
    return f


INPLACE_ERRORS = {
    "add_broadcast": lambda lib: lib.zeros(3).add_(lib.ones(4)),
    "add_broadcast_dim1": lambda lib: lib.zeros(2, 3).add_(lib.ones(3, 2)),
    "sub_broadcast": lambda lib: lib.zeros(3).sub_(lib.ones(4)),
    "add_grow": lambda lib: lib.zeros(3).add_(lib.ones(2, 3)),
    "add_empty": lambda lib: lib.zeros(0).add_(lib.ones(2)),
    "mul_broadcast": lambda lib: lib.zeros(3).mul_(lib.ones(4)),
    "div_grow": lambda lib: lib.zeros(3).div_(lib.ones(2, 3)),
    "lerp_broadcast": lambda lib: lib.zeros(3).lerp_(lib.ones(4), 0.5),
    "clamp_broadcast": lambda lib: lib.zeros(3).clamp_(lib.zeros(4), None),
    "copy_broadcast": lambda lib: lib.zeros(2, 3).copy_(lib.ones(4, 3)),
    "copy_grow": lambda lib: lib.zeros(3).copy_(lib.ones(2, 3)),
    "copy_grow_1": lambda lib: lib.zeros(1, 3).copy_(lib.ones(2, 3)),
    "copy_grad_grow": lambda lib: lib.zeros(3, requires_grad=True).clone().copy_(lib.ones(2, 3)),
    "masked_fill__broadcast": lambda lib: lib.zeros(3).masked_fill_(lib.ones(4, dtype=lib.bool),
                                                                    1.0),
    "masked_fill__grow": lambda lib: lib.zeros(3).masked_fill_(lib.ones(2, 3, dtype=lib.bool),
                                                               1.0),
    "fill_overflow": lambda lib: lib.zeros(3, dtype=lib.int8).fill_(300),
    "fill_nodes": lambda lib: tuple(_node(getattr(lib.ones(2, requires_grad=True).clone(), m)(*a))
                                    for m, a in (("fill_", (2.0,)), ("zero_", ()),
                                                 ("fill_", (lib.tensor(1.0),)))),
}


def _random_fill(name):
    def f(lib):
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        w = y[:2]
        getattr(w, name)(*{"bernoulli_": (0.3,), "random_": (5,)}.get(name, ()))
        names = (_node(y), _node(w))
        y.sum().backward()
        return names, x.grad, y._version
    return f


def _view_inplace(name, *args):
    def f(lib):
        x = lib.ones(2, 1, 3, requires_grad=True)
        y = x * 1
        getattr(y, name)(*args)
        (y * lib.arange(6.0).reshape(tuple(y.shape))).sum().backward()
        return _node(y), y._version, y, x.grad
    return f


INPLACE_ERRORS.update({
    "add_bool_alpha": lambda lib: lib.ones(3).add_(lib.ones(3), alpha=True),
    "add_float_alpha_int": lambda lib: lib.ones(3, dtype=lib.long).add_(lib.ones(3, dtype=lib.long),
                                                                        alpha=0.5),
    "add_int_float_tensor": lambda lib: lib.zeros(3, dtype=lib.long).add_(lib.ones(3)),
    "sub_bool": lambda lib: lib.ones(3, dtype=lib.bool).sub_(lib.ones(3, dtype=lib.bool)),
    "resize_requires_grad": lambda lib: lib.ones(3, requires_grad=True).resize_(2),
    "t__leaf": lambda lib: lib.ones(2, 3, requires_grad=True).t_(),
    "t__3d": lambda lib: lib.ones(2, 3, 4).t_(),
    "set__leaf": lambda lib: lib.ones(3, requires_grad=True).set_(lib.ones(2)),
    "t_": lambda lib: (lambda y: (y.t_(), _node(y), y._version))(lib.ones(2, 3,
                                                                         requires_grad=True) * 1),
    "unsqueeze_": _view_inplace("unsqueeze_", 0),
    "squeeze_": _view_inplace("squeeze_"),
    "squeeze__dim": _view_inplace("squeeze_", 1),
    "squeeze__dims": _view_inplace("squeeze_", (1,)),
    "transpose_": _view_inplace("transpose_", 0, 2),
})
for _k in ("uniform_", "normal_", "bernoulli_", "exponential_", "random_"):
    INPLACE_ERRORS[f"random_fill_{_k}"] = _random_fill(_k)
for _k in ("split", "chunk", "unbind", "split_sizes", "tensor_split"):
    INPLACE_ERRORS[f"{_k}_output"] = _split_inplace(_k)
    INPLACE_ERRORS[f"{_k}_no_grad_mode"] = _split_inplace(_k, grad_mode=False)
    INPLACE_ERRORS[f"{_k}_no_requires_grad"] = _split_inplace(_k, req=False)
INPLACE_ERRORS["split_output_view"] = _split_inplace("split", op="view")
INPLACE_ERRORS["split_output_setitem"] = _split_inplace("split", op="setitem")


@pytest.mark.parametrize("name", list(INPLACE_ERRORS))
def test_inplace_errors_match_torch(name):
    check(INPLACE_ERRORS[name])


# ------------------------------------------------------------------------------ masked_fill

_MASK = [True, False, True]


def _mf(dtype, value):
    def f(lib):
        v = value(lib) if callable(value) else value
        out = lib.zeros(3, dtype=getattr(lib, dtype)).masked_fill(lib.tensor(_MASK), v)
        x = lib.zeros(3, dtype=getattr(lib, dtype))
        x.masked_fill_(lib.tensor(_MASK), v)
        return out, x
    return f


_FILL_VALUES = (("int", 3), ("float", 2.5), ("neg", -2.5), ("big", 300), ("inf", float("inf")),
                ("complex", 1j), ("0d_f32", lambda lib: lib.tensor(1.5)),
                ("0d_f64", lambda lib: lib.tensor(1.5, dtype=lib.float64)),
                ("0d_long", lambda lib: lib.tensor(2)), ("0d_big", lambda lib: lib.tensor(300)))


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int32", "int64", "float16",
                                   "float32", "float64"])
def test_masked_fill_keeps_dtype_like_torch(dtype):
    for name, value in _FILL_VALUES:
        check(_mf(dtype, value), name)


MASKED_FILL = {
    "vector_value": lambda lib: lib.zeros(3).masked_fill(lib.tensor(_MASK), lib.tensor([1.0])),
    "long_mask": lambda lib: lib.zeros(3).masked_fill(lib.tensor([1, 0, 1]), 1.0),
    "float_mask": lambda lib: lib.zeros(3).masked_fill(lib.tensor([1.0, 0, 1]), 1.0),
    "broadcast_mask": lambda lib: lib.zeros(2, 3).masked_fill(lib.tensor(_MASK), 1.0),
    "mask_grows_self": lambda lib: lib.zeros(3).masked_fill(lib.ones(2, 3, dtype=lib.bool), 1.0),
    "mask_mismatch": lambda lib: lib.zeros(3).masked_fill(lib.ones(4, dtype=lib.bool), 1.0),
}


@pytest.mark.parametrize("name", list(MASKED_FILL))
def test_masked_fill_matches_torch(name):
    check(MASKED_FILL[name])


@pytest.mark.parametrize("dtypes", [("float32", "float32"), ("float64", "float32"),
                                    ("float32", "float64")])
def test_masked_fill_value_gradient_matches_torch(dtypes):
    def f(lib):
        x = lib.zeros(2, 3, requires_grad=True, dtype=getattr(lib, dtypes[0]))
        v = lib.tensor(2.0, requires_grad=True, dtype=getattr(lib, dtypes[1]))
        out = x.masked_fill(lib.tensor([[True, False, True], [False, False, True]]), v)
        (out * lib.arange(6.0).reshape(2, 3)).sum().backward()
        y = lib.zeros(3, requires_grad=True).clone()
        y.masked_fill_(lib.tensor(_MASK), v)
        return out, x.grad, v.grad.tolist(), str(v.grad.dtype).replace("ember", "torch"), \
            _node(y)
    check(f)


# ------------------------------------------------------------------------ gather/scatter family

_G = np.arange(12.0).reshape(3, 4) / 5.0 - 1


def _grads(fn, *arrays):
    def f(lib):
        ins = [lib.tensor(a, requires_grad=True) if a.dtype.kind == "f" else lib.tensor(a)
               for a in arrays]
        out = fn(lib, *ins)
        out.backward(lib.tensor(np.arange(out.numel(), dtype=np.float64).reshape(
            tuple(out.shape)) % 3 - 1))
        return out, tuple(i.grad for i in ins if i.requires_grad)
    return f


FAMILY = {
    "index_add": _grads(lambda lib, a, s: a.index_add(1, lib.tensor([0, 2, 0]), s, alpha=2),
                        _G, _G[:, :3] * 2),
    "index_copy": _grads(lambda lib, a, s: a.index_copy(1, lib.tensor([0, 2]), s), _G, _G[:, :2]),
    "index_fill": _grads(lambda lib, a: a.index_fill(1, lib.tensor([0, -1]), -1.0), _G),
    "index_fill_tensor": _grads(lambda lib, a, v: a.index_fill(1, lib.tensor([0]), v), _G,
                                np.array(2.0)),
    "masked_select": _grads(lambda lib, a: a.masked_select(lib.tensor([True, False, True, True])),
                            _G),
    "masked_scatter": _grads(lambda lib, a, s: a.masked_scatter(lib.tensor(_G > 0), s), _G,
                             np.arange(8.0)),
    "masked_scatter_grow": _grads(lambda lib, a, s: a.masked_scatter(
        lib.tensor(np.eye(4, dtype=bool)[:3]), s), np.ones(4), np.arange(5.0)),
    "take": _grads(lambda lib, a: a.take(lib.tensor([[0, -1], [5, 5]])), _G),
    "gather_0d": _grads(lambda lib, a: a.gather(0, lib.tensor([0, 0])), np.array(2.0)),
    "index_select_0d": _grads(lambda lib, a: a.index_select(0, lib.tensor([0])), np.array(2.0)),
    "nonzero_0d": lambda lib: (lib.tensor(1.0).nonzero(), lib.tensor(0.0).nonzero(),
                               lib.tensor(1.0).nonzero(as_tuple=True)),
    "gather_negative": lambda lib: lib.tensor(_G).gather(1, lib.tensor([[-1, 0]] * 3)),
    "gather_float_index": lambda lib: lib.tensor(_G).gather(1, lib.tensor([[1.0]] * 3)),
    "gather_index_too_big": lambda lib: lib.tensor(_G).gather(1, lib.tensor([[1, 0]] * 4)),
    "scatter_negative": lambda lib: lib.tensor(_G).scatter(1, lib.tensor([[-1]] * 3), 0.5),
    "scatter_dtype": lambda lib: lib.tensor(_G).scatter(1, lib.tensor([[1]] * 3),
                                                        lib.ones(3, 1)),
    "scatter_add_src_small": lambda lib: lib.tensor(_G).scatter_add(
        1, lib.zeros(3, 4, dtype=lib.long), lib.ones(3, 2, dtype=lib.float64)),
    "index_select_negative_dim1": lambda lib: lib.tensor(_G).index_select(1, lib.tensor([-1])),
    "index_select_oob_dim0": lambda lib: lib.tensor(_G).index_select(0, lib.tensor([3])),
    "index_select_int16": lambda lib: lib.tensor(_G).index_select(0, lib.tensor(
        [0], dtype=lib.int16)),
    "index_add_dtype": lambda lib: lib.tensor(_G).index_add(1, lib.tensor([0]), lib.ones(3, 1)),
    "index_add_count": lambda lib: lib.tensor(_G).index_add(1, lib.tensor([0]),
                                                            lib.ones(3, 2, dtype=lib.float64)),
    "index_add_oob": lambda lib: lib.tensor(_G).index_add(1, lib.tensor([7]),
                                                          lib.ones(3, 1, dtype=lib.float64)),
    "index_copy_int32": lambda lib: lib.tensor(_G).index_copy(
        1, lib.tensor([0], dtype=lib.int32), lib.ones(3, 1, dtype=lib.float64)),
    "index_copy_oob": lambda lib: lib.tensor(_G).index_copy(1, lib.tensor([-1]),
                                                            lib.ones(3, 1, dtype=lib.float64)),
    "index_fill_oob": lambda lib: lib.tensor(_G).index_fill(1, lib.tensor([4]), 1.0),
    "index_fill_int32": lambda lib: lib.tensor(_G).index_fill(1, lib.tensor([0],
                                                                             dtype=lib.int32), 1.0),
    "masked_scatter_int_mask": lambda lib: lib.zeros(3).masked_scatter(lib.tensor([1, 0, 1]),
                                                                       lib.ones(3)),
    "masked_scatter_dtype": lambda lib: lib.zeros(3).masked_scatter(lib.tensor(_MASK),
                                                                    lib.ones(3, dtype=lib.float64)),
    "masked_scatter_short_source": lambda lib: lib.zeros(3).masked_scatter(lib.tensor(_MASK),
                                                                           lib.ones(1)),
    "masked_scatter__grow": lambda lib: lib.ones(4).masked_scatter_(lib.ones(3, 4,
                                                                             dtype=lib.bool),
                                                                    lib.ones(12)),
    "masked_select_mismatch": lambda lib: lib.zeros(3, 4).masked_select(lib.ones(5,
                                                                                 dtype=lib.bool)),
    "take_oob": lambda lib: lib.tensor(_G).take(lib.tensor([12])),
    "take_int32": lambda lib: lib.tensor(_G).take(lib.tensor([1], dtype=lib.int32)),
    "take_empty": lambda lib: lib.ones(0).take(lib.tensor([0])),
    "take_along_dim_int32": lambda lib: lib.tensor(_G).take_along_dim(
        lib.tensor([[0]], dtype=lib.int32), 1),
}


@pytest.mark.parametrize("name", list(FAMILY))
def test_gather_scatter_family_matches_torch(name):
    check(FAMILY[name])


# ------------------------------------------------------------------------------ random indices

def _random_index(rng, shape):
    items, d = [], 0
    while d < len(shape) and rng.random() < 0.85:
        n = shape[d]
        r = rng.random()
        if r < 0.08:
            items.append(None if rng.random() < 0.6 else rng.random() < 0.7)
            continue
        if r < 0.3:
            items.append(rng.randint(-n, n - 1) if n else slice(None))
        elif r < 0.5:
            items.append(slice(rng.choice([None, rng.randint(-n - 1, n + 1)]),
                               rng.choice([None, rng.randint(-n - 1, n + 1)]),
                               rng.choice([None, 1, 2, 3])))
        elif r < 0.8:
            vals = [rng.randint(-n, n - 1) for _ in range(rng.randint(0, 3))] if n else []
            items.append(("tensor", vals, rng.choice(["int64", "int32"])) if rng.random() < 0.5
                         else ("list", vals))
        else:
            items.append(("mask", [rng.random() < 0.5 for _ in range(n)]))
        if rng.random() < 0.15:
            items.append(Ellipsis)
            d = len(shape) - (len(shape) - d) // 2
        d += 1
    return tuple(items)


@pytest.mark.parametrize("seed", range(4))
def test_random_indices_match_torch(seed):
    """Random mixes of ints, slices (steps, out-of-range bounds), None, bools, Ellipsis, index
    lists/tensors and masks, on shapes with 0-size dims and transposed inputs: get (values,
    nodes, gradients) and set (values, versions, gradients)."""
    rng = random.Random(seed)
    for _ in range(40):
        shape = tuple(rng.choice([0, 1, 2, 3]) if rng.random() < 0.1 else rng.randint(1, 4)
                      for _ in range(rng.randint(0, 4)))
        idx = _random_index(rng, shape)
        base = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) + 0.5
        flip = len(shape) >= 2 and rng.random() < 0.5

        def f(lib):
            x = lib.tensor(base, requires_grad=True)
            y = x * 1.0
            if flip:
                y = y.transpose(0, 1).contiguous().transpose(0, 1)
            r = y[_build(lib, idx)]
            r.backward(lib.ones(tuple(r.shape), dtype=lib.float64))
            z = lib.tensor(base)
            z[_build(lib, idx)] = -1.0
            return r, _chain(r), x.grad, z, z._version
        _same(_run(ember, f), _run(torch, f), f"shape {shape} index {idx}")


# ------------------------------------------------------ shape, sort and reduction edge cases

def _i64(lib, *values):
    return lib.tensor(np.array(values, dtype=np.int64))


def _s0(lib):
    return lib.tensor(np.array(1.5, dtype=np.float32), requires_grad=True)


SHAPE_EDGES = {
    "flip_no_dims": lambda lib: lib.flip(_i64(lib, 0, 0, 1), ()),
    "flipud_0d": lambda lib: lib.flipud(_s0(lib)),
    "fliplr_1d": lambda lib: _i64(lib, 1, 2).fliplr(),
    "tril_0d": lambda lib: lib.tril(_i64(lib, 3)[0]),
    "triu_1d": lambda lib: lib.triu(_i64(lib, 1, 2)),
    "swapaxes_0d_oob": lambda lib: lib.swapaxes(_s0(lib), 0, 1),
    "transpose_0d": lambda lib: lib.transpose(_s0(lib), 0, -1),
    "mT_0d": lambda lib: _s0(lib).mT,
    "flatten_0d_oob": lambda lib: _s0(lib).flatten(0, 1),
    "flatten_0d": lambda lib: _s0(lib).flatten(-1),
    "movedim_0d": lambda lib: lib.movedim(_s0(lib), 0, -1),
    "movedim_0d_oob": lambda lib: lib.movedim(_s0(lib), 1, 0),
    "roll_0d_dim": lambda lib: lib.roll(_s0(lib), 1, 0),
    "roll_0d": lambda lib: lib.roll(_s0(lib), 1),
    "chunk_empty": lambda lib: lib.chunk(lib.zeros(0, requires_grad=True), 3, 0),
    "chunk_empty_dim1": lambda lib: lib.zeros(3, 0).chunk(2, 1),
    "split_empty": lambda lib: lib.split(lib.zeros(0, requires_grad=True), 2),
    "atleast_2d_empty": lambda lib: lib.atleast_2d(lib.zeros(0, requires_grad=True)),
    "atleast_3d_1d": lambda lib: lib.atleast_3d(lib.zeros(3, requires_grad=True)),
    "vstack_empty": lambda lib: lib.vstack([lib.zeros(0), lib.zeros(0)]),
    "all_no_dims": lambda lib: _i64(lib, 0, 2).all(dim=(), keepdim=True),
    "any_no_dims_uint8": lambda lib: lib.any(_i64(lib, 0, 2).to(lib.uint8), dim=[]),
    "unique_0d_dim": lambda lib: lib.unique(_i64(lib, 3)[0], dim=0),
    "unique_two_empty_dims": lambda lib: lib.unique(lib.zeros(0, 0), dim=0),
    "unique_empty_not_selected": lambda lib: lib.unique(lib.zeros(2, 0), dim=0),
    "unique_empty_selected": lambda lib: lib.unique(lib.zeros(0, 2), dim=-2, return_inverse=True,
                                                    return_counts=True),
    "bincount_float32_weights": lambda lib: lib.bincount(_i64(lib, 0, 2, 2),
                                                         weights=lib.ones(3)),
    "bincount_int_weights": lambda lib: lib.bincount(_i64(lib, 0, 2), weights=_i64(lib, 1, 2)),
    "bincount_empty_weights": lambda lib: lib.bincount(_i64(lib), weights=lib.ones(0),
                                                       minlength=2),
    "searchsorted_nan": lambda lib: lib.searchsorted(
        lib.tensor([[0.0, np.nan, 2.0], [np.nan, 1.0, 1.0]]), lib.tensor([[0.0, 2.0], [1.0, 3.0]])),
    "searchsorted_nan_right": lambda lib: lib.searchsorted(
        lib.tensor([0.0, np.nan, 2.0, 3.0]), lib.tensor([0.0, 2.0, np.nan]), right=True),
    "bucketize_nan": lambda lib: lib.bucketize(lib.tensor([0.0, 2.5]),
                                               lib.tensor([np.nan, 1.0, 2.0])),
    # reductions and sorting
    "nansum_dtype": lambda lib: lib.tensor([1.0, np.nan], requires_grad=True).nansum(
        dim=0, keepdim=True, dtype=lib.float64),
    "nanmean_dtype": lambda lib: lib.nanmean(lib.tensor([1.0, np.nan, 2.0], requires_grad=True),
                                             dtype=lib.float64),
    "sum_int_dtype_no_grad": lambda lib: lib.tensor([1.5, 2.5]).sum(dtype=lib.int64),
    "sort_stable_keywords": lambda lib: lib.sort(lib.tensor([2.0, 1.0, 2.0]), stable=True, dim=0,
                                                 descending=True),
    "argsort_positional": lambda lib: lib.tensor([[2.0, 1.0], [0.0, 3.0]]).argsort(0, True),
    "logsumexp_no_dims_0d": lambda lib: _s0(lib).logsumexp(dim=()),
    "take_along_dim_mismatch": lambda lib: lib.take_along_dim(
        lib.zeros(2, 1), lib.zeros(0, 0, dtype=lib.int64), 1),
    "take_along_dim_mismatch_3d": lambda lib: lib.take_along_dim(
        lib.zeros(2, 3, 4), lib.zeros(5, 3, 1, dtype=lib.int64), 2),
    # gradients
    "max_nan_grad": _grads(lambda lib, a: a.max(), np.array([1.0, np.nan, np.nan])),
    "min_nan_grad": _grads(lambda lib, a: lib.min(a), np.array([[np.nan, 0.0], [1.0, 2.0]])),
    "amax_nan_grad": _grads(lambda lib, a: a.amax(), np.array([1.0, np.nan])),
    "prod_0d_dim_grad": _grads(lambda lib, a: a.prod(dim=0), np.array(2.0)),
    "norm_p0_grad": _grads(lambda lib, a: (a * 2).norm(p=0), np.array([1.0, 0.0, 2.0])),
    "std_near_max_float32": _grads(lambda lib, a: lib.std(a), np.array(
        [[0.0, 0.0, 0.0], [0.0, 0.0, 3.4028234663852886e+38]], dtype=np.float32)),
    "var_near_max_float32": lambda lib: lib.var(lib.tensor(np.array(
        [0.0, 1e38, -1e38], dtype=np.float32)), 0),
    # torch's backward counts dim=() as N = 1 (forward: all dims): infinite gradients
    "var_no_dims_grad": _grads(lambda lib, a: lib.var(a, dim=()), np.array([1.0, 2.0, 4.0])),
    "std_no_dims_grad": _grads(lambda lib, a: a.std(dim=[], correction=0),
                               np.array([1.0, 2.0, 4.0])),
}


@pytest.mark.parametrize("name", list(SHAPE_EDGES))
def test_shape_edge_cases_match_torch(name):
    check(SHAPE_EDGES[name])


def test_norm_second_derivative_at_a_zero_norm_matches_torch():
    """torch's 2-norm backward divides by the norm and masks: NaN second derivative at 0."""
    def run(lib):
        x = lib.tensor([[0.0, 0.0], [3.0, 4.0]], dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(x.norm(dim=-1).sum(), x, create_graph=True)
        (g2,) = lib.autograd.grad((g * lib.tensor([1.0, -2.0], dtype=lib.float64)).sum(), x)
        return np.array(g.tolist()), np.array(g2.tolist())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for got, want in zip(run(ember), run(torch)):
            np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)
