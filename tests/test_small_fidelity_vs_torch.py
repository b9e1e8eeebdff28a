"""Small fidelity defects found while building other parts, each compared with torch: the
error class and text, the warning, or the node name a user sees."""
import subprocess
import sys

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")


def _outcome(fn, lib):
    try:
        r = fn(lib)
        return ("ok", r)
    except Exception as e:  # noqa: BLE001 - comparing class and text
        return (type(e).__name__, str(e))


CASES = {
    # running statistics that require grad: torch's autograd check, before shapes
    "bn_running_mean": lambda t: t.nn.functional.batch_norm(
        t.ones(4, 3), t.zeros(3, requires_grad=True), t.ones(3), training=True) and None,
    "bn_running_var_eval": lambda t: t.nn.functional.batch_norm(
        t.ones(4, 3), t.zeros(3), t.ones(3, requires_grad=True)) and None,
    "bn_grad_stats_wrong_size": lambda t: t.nn.functional.batch_norm(
        t.ones(4, 3), t.zeros(5, requires_grad=True), t.ones(3), training=True) and None,
    "instance_norm_grad_stats": lambda t: t.nn.functional.instance_norm(
        t.ones(2, 3, 4), t.zeros(3, requires_grad=True), t.ones(3)) and None,
    # acosh_ records AcoshBackward1, whose backward is not implemented in torch
    "acosh_node": lambda t: type((t.tensor([2., 3.], requires_grad=True) * 1)
                                 .acosh_().grad_fn).__name__,
    "arccosh_node": lambda t: type((t.tensor([2., 3.], requires_grad=True) * 1)
                                   .arccosh_().grad_fn).__name__,
    "acosh_backward": lambda t: (t.tensor([2., 3.], requires_grad=True) * 1).acosh_()
    .sum().backward(),
    # fill_ with a 1-d value on a leaf that requires grad: the leaf rule is reported first
    "fill_leaf_first": lambda t: t.tensor([1., 2.], requires_grad=True).fill_(
        t.tensor([1., 2.])),
    "fill_1d_value": lambda t: t.tensor([1., 2.]).fill_(t.tensor([1., 2.])),
    # integer tensors that require grad: factories say "and complex", requires_grad_ not
    "int_tensor_rg": lambda t: t.tensor([1, 2], requires_grad=True),
    "int_zeros_rg": lambda t: t.zeros(2, dtype=t.long, requires_grad=True),
    "int_arange_rg": lambda t: t.arange(3, requires_grad=True),
    "int_full_rg": lambda t: t.full((2,), 1, requires_grad=True),
    "int_randint_rg": lambda t: t.randint(0, 3, (2,), requires_grad=True),
    "int_asarray_rg": lambda t: t.asarray([1, 2], requires_grad=True),
    "int_parameter": lambda t: t.nn.Parameter(t.tensor([1, 2])),
    "int_requires_grad_": lambda t: t.tensor([1, 2]).requires_grad_(),
    "bool_ones_rg": lambda t: t.ones(2, dtype=t.bool, requires_grad=True),
    # layouts and memory formats are their own types, as torch's
    "layout_repr": lambda t: (repr(t.strided), repr(t.ones(2).layout), type(t.strided).__name__,
                              isinstance(t.ones(2).layout, t.layout), t.ones(1).layout == t.strided,
                              repr(t.channels_last), type(t.preserve_format).__name__,
                              isinstance(t.contiguous_format, t.memory_format)),
    "layout_pickle": lambda t: __import__("pickle").loads(__import__("pickle").dumps(
        [t.strided, t.channels_last_3d])) == [t.strided, t.channels_last_3d],
    # adjoint / H / mH conjugate complex tensors (ConjBackward0 over TransposeBackward0)
    "adjoint_complex": lambda t: (lambda z: (type(z.adjoint().grad_fn).__name__, type(
        z.mH.grad_fn.next_functions[0][0]).__name__, z.H.conj().imag.sum().item(),
        t.adjoint(z).shape == (3, 2)))(t.tensor(np.arange(6.).reshape(2, 3) * (1 + 1j),
                                                requires_grad=True)),
    "adjoint_real": lambda t: type(t.ones(2, 3, requires_grad=True).adjoint().grad_fn).__name__,
    "adjoint_1d": lambda t: t.ones(3).adjoint(),
    "H_1d": lambda t: t.ones(3).H,
    "H_3d": lambda t: t.ones(2, 2, 2).H,
    "mH_1d": lambda t: t.ones(3).mH,
    "factory_kwargs": lambda t: t.nn.factory_kwargs(
        {"dtype": t.float64, "factory_kwargs": {"device": "cpu"}}) == {
        "device": "cpu", "dtype": t.float64},
    "factory_kwargs_twice": lambda t: t.nn.factory_kwargs(
        {"dtype": t.float64, "factory_kwargs": {"dtype": t.float32}}),
    # tensors inside lists are read as scalars (minimalRL's PPO builds its batch this way)
    "tensor_of_one_element_tensors": lambda t: (lambda a: (tuple(t.tensor([[[a], [a]]]).shape),
                                                           tuple(t.tensor([a, a]).shape)))(
        t.tensor([0.5])),
    "tensor_of_multi_element_tensors": lambda t: t.tensor([t.ones(2), t.ones(2)]),
    "tensor_of_empty_tensor": lambda t: t.tensor([t.ones(0)]),
    "tensor_of_tensors_dtypes": lambda t: [repr(t.tensor(d).dtype) for d in (
        [t.tensor(1, dtype=t.int32)], [t.tensor([1.], dtype=t.float64)], [t.tensor([True])],
        [t.tensor(1, dtype=t.int32), 2], [t.tensor(1., dtype=t.float16), 2.0],
        [[t.tensor([2], dtype=t.int8)]], [t.tensor(1), 2.5])],
    # ndarrays and NumPy scalars inside lists keep their dtypes, promoted with the numbers'
    # (an RL script's list of np.float64 rewards is float64 in torch)
    "tensor_of_numpy_dtypes": lambda t: [repr(t.tensor(d).dtype) for d in (
        [np.zeros(2)], [1.0, np.zeros(())], [1, np.zeros((), np.int32)],
        [np.zeros(2, np.float32)], [np.float32(1), 2.0], [np.float64(1), 2], [np.int32(1), 2],
        [np.int32(1), 2.5], [np.zeros(2, np.int8), np.zeros(2, np.float16)],
        [[1, 2], np.zeros(2, np.float32)], [np.bool_(True), True], [np.zeros(2, np.uint8)],
        [np.float16(1), 2], [np.complex128(1), 1.0], [t.tensor(1.0), np.float64(2)],
        [[np.float64(1)], [2]], (np.int16(3),))],
    "tensor_of_ndarray_and_number": lambda t: t.tensor([np.zeros(2, np.int16), 1.5]),
    "tensor_of_ragged_ndarrays": lambda t: t.tensor([np.zeros(2), np.zeros(3)]),
    "to_other_tensor": lambda t: t.tensor([1, 2]).to(t.tensor([1.], dtype=t.float64)).dtype
    .__repr__(),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(CASES))
def test_outcome_matches_torch(name):
    e, t = _outcome(CASES[name], ember), _outcome(CASES[name], torch)
    assert e[0] == t[0], (e, t)
    if e[0] != "ok":
        assert e[1] == t[1]
    elif isinstance(t[1], str):
        assert e[1] == t[1]


SCALAR_WARNING = ("Converting a tensor with requires_grad=True to a scalar may lead to "
                  "unexpected behavior.")


@needs_torch
@pytest.mark.parametrize("conv", ["float", "int", "complex", "bool", "item"])
def test_scalar_of_requires_grad_tensor_warns_once_like_torch(conv):
    """float()/complex() of a tensor that requires grad warn once per process (torch's
    TORCH_WARN_ONCE); int(), bool(), .item() do not. Run in fresh processes."""
    call = "x.item()" if conv == "item" else f"{conv}(x)"
    code = ("import warnings, sys; warnings.simplefilter('always'); lib = __import__(sys.argv[1])"
            "\nx = lib.tensor([1.5], requires_grad=True)"
            "\nwith warnings.catch_warnings(record=True) as w:"
            f"\n    warnings.simplefilter('always'); {call}; {call}"
            "\nprint(sum(1 for m in w if str(m.message).startswith(" + repr(SCALAR_WARNING)
            + ")))")
    counts = [subprocess.run([sys.executable, "-c", code, lib], capture_output=True, text=True,
                             timeout=120).stdout.strip() for lib in ("ember", "torch")]
    assert counts[0] == counts[1], counts
    assert counts[0] in ("0", "1")


NDARRAY_LIST_WARNING = "Creating a tensor from a list of numpy.ndarrays is extremely slow."


@needs_torch
@pytest.mark.parametrize("call", [
    "lib.tensor([np.zeros(2)])", "lib.tensor([[np.zeros(2)], [np.ones(2)]])",
    "lib.tensor([1.0, np.zeros(())])", "lib.tensor((np.zeros(2),), dtype=lib.float64)",
    "lib.as_tensor([np.zeros(2)])", "lib.Tensor([np.zeros(2)])",
    "lib.FloatTensor([np.zeros(3)])", "lib.tensor([np.float32(1), 2.0])",
    "lib.tensor([[1.0, 2.0]])", "lib.tensor(np.zeros((2, 2)))"])
def test_tensor_from_list_of_ndarrays_warns_once_like_torch(call):
    """torch.tensor of a (nested) sequence holding ndarrays warns once per process, at the
    caller's line; NumPy scalars, plain lists and one ndarray do not. Fresh processes."""
    code = ("import warnings, sys, numpy as np; lib = __import__(sys.argv[1])"
            "\nwith warnings.catch_warnings(record=True) as w:"
            f"\n    warnings.simplefilter('always'); a = {call}; b = {call}"
            "\nhits = [m for m in w if str(m.message).startswith(" + repr(NDARRAY_LIST_WARNING)
            + ")]\nprint(len(hits), [m.filename for m in hits], a.dtype, a.shape)")
    outs = [subprocess.run([sys.executable, "-c", code, lib], capture_output=True, text=True,
                           timeout=120).stdout.strip() for lib in ("ember", "torch")]
    assert outs[0] == outs[1], outs
    assert outs[0].startswith(("0 ", "1 ['<string>']"))


def test_no_grad_running_stats_allowed():
    with ember.no_grad():
        out = ember.nn.functional.batch_norm(ember.ones(4, 3), ember.zeros(3, requires_grad=True),
                                             ember.ones(3), training=True)
    np.testing.assert_allclose(out.numpy(), np.zeros((4, 3)), atol=1e-6)


@needs_torch
def test_container_is_deprecated_like_torch():
    for lib in (ember, torch):
        with pytest.warns(FutureWarning, match="nn.Container` is deprecated"):
            c = lib.nn.Container(a=lib.nn.Linear(2, 3))
        assert [n for n, _ in c.named_modules()] == ["", "a"]
