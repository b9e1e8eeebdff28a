"""ember.linalg (values, gradients, gradgradcheck, errors) and ember.testing.assert_close."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck

RNG = np.random.default_rng(1234)


def _mat(*shape, dtype=np.float64):
    """Well-conditioned random square matrices (diagonally shifted)."""
    a = RNG.standard_normal(shape) + 3 * np.eye(shape[-1])
    return a.astype(dtype)


def _leaf(arr):
    return ember.tensor(arr, requires_grad=True)


def _chol(x):
    n = x.shape[-1]
    return ember.linalg.cholesky(x @ x.mT + ember.eye(n, dtype=x.dtype))


FUNCS = {
    "inv": (lambda a: ember.linalg.inv(a), 1),
    "det": (lambda a: ember.linalg.det(a), 1),
    "logabsdet": (lambda a: ember.linalg.slogdet(a).logabsdet, 1),
    "solve": (lambda a, b: ember.linalg.solve(a, b), 2),
    "solve_right": (lambda a, b: ember.linalg.solve(a, b.mT, left=False), 2),
    "cholesky": (_chol, 1),
    "matrix_power": (lambda a: ember.linalg.matrix_power(a, -2), 1),
}


@pytest.mark.parametrize("name", sorted(FUNCS))
@pytest.mark.parametrize("batch", [(), (2,)])
def test_gradcheck_gradgradcheck(name, batch):
    fn, nin = FUNCS[name]
    a = _leaf(_mat(*batch, 3, 3))
    ins = (a,) if nin == 1 else (a, _leaf(RNG.standard_normal(batch + (3, 2))))
    assert gradcheck(fn, ins)
    assert gradgradcheck(fn, ins)


def test_gradcheck_solve_vector_and_cross():
    a, b = _leaf(_mat(3, 3)), _leaf(RNG.standard_normal(3))
    assert gradcheck(ember.linalg.solve, (a, b))
    assert gradgradcheck(ember.linalg.solve, (a, b))
    u, v = _leaf(RNG.standard_normal((2, 3))), _leaf(RNG.standard_normal((2, 3)))
    assert gradcheck(ember.linalg.cross, (u, v))
    assert gradgradcheck(ember.linalg.cross, (u, v))
    assert gradcheck(lambda x: ember.linalg.matrix_norm(x, 1), (a,))
    assert gradcheck(lambda x: ember.linalg.vecdot(x, x), (u,))


def _torch_pair(torch, arr):
    return (ember.tensor(arr, requires_grad=True),
            torch.tensor(arr, requires_grad=True))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["inv", "det", "slogdet", "solve", "cholesky", "cross",
                                  "matrix_power", "vecdot", "diagonal"])
def test_values_and_grads_vs_torch(name, dtype):
    torch = pytest.importorskip("torch")
    a_np, b_np = _mat(2, 3, 3, dtype=dtype), RNG.standard_normal((2, 3, 3)).astype(dtype)
    (ea, ta), (eb, tb) = _torch_pair(torch, a_np), _torch_pair(torch, b_np)
    calls = {
        "inv": lambda L, a, b: L.inv(a),
        "det": lambda L, a, b: L.det(a),
        "slogdet": lambda L, a, b: L.slogdet(a).logabsdet * 2 + L.slogdet(a).sign,
        "solve": lambda L, a, b: L.solve(a, b) + L.solve(a, b[..., 0]).sum(),
        "cholesky": lambda L, a, b: L.cholesky(a @ a.mT, upper=True),
        "cross": lambda L, a, b: L.cross(a, b, dim=1),
        "matrix_power": lambda L, a, b: L.matrix_power(a, 3) + L.matrix_power(a, 0),
        "vecdot": lambda L, a, b: L.vecdot(a, b, dim=-2),
        "diagonal": lambda L, a, b: L.diagonal(a, offset=1) * 2,
    }
    eo, to = calls[name](ember.linalg, ea, eb), calls[name](torch.linalg, ta, tb)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), **tol)
    assert eo.dtype == ember.float32 if dtype == np.float32 else eo.dtype == ember.float64
    g = RNG.standard_normal(tuple(to.shape)).astype(dtype)
    eo.backward(ember.tensor(g))
    to.backward(torch.tensor(g))
    np.testing.assert_allclose(ea.grad.numpy(), ta.grad.numpy(), **tol)
    if tb.grad is not None:
        np.testing.assert_allclose(eb.grad.numpy(), tb.grad.numpy(), **tol)


def test_grad_fn_names_and_slogdet_tuple():
    a = _leaf(_mat(3, 3))
    assert type(ember.linalg.inv(a).grad_fn).__name__ == "LinalgInvExBackward0"
    assert type(ember.linalg.det(a).grad_fn).__name__ == "LinalgDetBackward0"
    res = ember.linalg.slogdet(a)
    assert res._fields == ("sign", "logabsdet")
    assert type(res.logabsdet.grad_fn).__name__ == "LinalgSlogdetBackward0"
    sign, logabs = res
    np.testing.assert_allclose(sign.item() * np.exp(logabs.item()),
                               np.linalg.det(a.detach().numpy()))


@pytest.mark.parametrize("ord", ["fro", 1, -1, float("inf"), float("-inf")])
def test_norms_vs_torch(ord):
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((2, 3, 4))
    for dim, keep in [((-2, -1), False), ((0, 2), True), ((2, 0), False)]:
        np.testing.assert_allclose(
            ember.linalg.matrix_norm(ember.tensor(x), ord, dim, keep).numpy(),
            torch.linalg.matrix_norm(torch.tensor(x), ord, dim, keep).numpy())
    m = x[0]
    np.testing.assert_allclose(ember.linalg.norm(ember.tensor(m), ord).numpy(),
                               torch.linalg.norm(torch.tensor(m), ord).numpy())
    v = ember.tensor(x)
    for o in [2, 1, float("inf"), 3]:
        np.testing.assert_allclose(ember.linalg.vector_norm(v, o, dim=1).numpy(),
                                   torch.linalg.vector_norm(torch.tensor(x), o, dim=1).numpy())
    np.testing.assert_allclose(ember.linalg.norm(v).numpy(), torch.linalg.norm(torch.tensor(x)))


def test_errors_match_torch():
    with pytest.raises(ember.linalg.LinAlgError, match="The diagonal element 2 is zero, the "
                       "inversion could not be completed because the input matrix is singular"):
        ember.linalg.inv(ember.tensor([[1.0, 2.0], [2.0, 4.0]]))
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)
    with pytest.raises(RuntimeError, match="linalg.inv: A must be batches of square matrices, "
                       "but they are 2 by 3 matrices"):
        ember.linalg.inv(ember.zeros(2, 3))
    with pytest.raises(RuntimeError, match="Expected a floating point or complex tensor as "
                       "input. Got Long"):
        ember.linalg.inv(ember.zeros(3, 3, dtype=ember.int64))
    with pytest.raises(ember.linalg.LinAlgError, match="the leading minor of order 2 is not"):
        ember.linalg.cholesky(ember.tensor([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ember.linalg.LinAlgError, match="solver failed because the input matrix"):
        ember.linalg.solve(ember.zeros(3, 3), ember.ones(3))
    with pytest.raises(RuntimeError, match=r"Incompatible shapes of A and B for the equation "
                       r"AX = B \(3x3 and 4x1\)"):
        ember.linalg.solve(ember.eye(3), ember.ones(4))


# ---------------------------------------------------------------------------- assert_close

AC_CASES = [
    ([1.0, 2.0, 3.0], [1.0, 2.5, 3.0], "float32", {}),
    ([[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 5.0]], "float64", {}),
    ([1, 2, 3], [1, 2, 4], "int64", {}),
    ([True, False], [True, True], "bool", {}),
    ([0.0, 1.0], [1e-3, 1.0], "float32", {}),
    ([1.0, 2.0], [1.0, 3.0], "float32", dict(rtol=0, atol=0.5)),
    ([float("nan")], [float("nan")], "float32", {}),
    (1.0, 2.0, "0d", {}),
]


@pytest.mark.parametrize("a,e,kind,kw", AC_CASES)
def test_assert_close_message_matches_torch(a, e, kind, kw):
    torch = pytest.importorskip("torch")
    if kind == "0d":
        ea, ee, ta, te = ember.tensor(a), ember.tensor(e), torch.tensor(a), torch.tensor(e)
    else:
        ea, ee = ember.tensor(a, dtype=getattr(ember, kind)), ember.tensor(
            e, dtype=getattr(ember, kind))
        ta, te = torch.tensor(a, dtype=getattr(torch, kind)), torch.tensor(
            e, dtype=getattr(torch, kind))
    with pytest.raises(AssertionError) as want:
        torch.testing.assert_close(ta, te, **kw)
    with pytest.raises(AssertionError) as got:
        ember.testing.assert_close(ea, ee, **kw)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("a,e,kw", [
    (1.0, 1.1, {}), (1, 2, {}), ([1.0, 2.0], [1.0, 3.0], {}), ([1.0, 2.0], [1.0, 2.0, 3.0], {}),
    ([[1.0, 2.0], [3.0]], [[1.0, 2.0], [4.0]], {}), (1, 1.0, {}), (True, False, {}),
])
def test_assert_close_numbers_and_sequences_match_torch(a, e, kw):
    torch = pytest.importorskip("torch")
    with pytest.raises(AssertionError) as want:
        torch.testing.assert_close(a, e, **kw)
    with pytest.raises(AssertionError) as got:
        ember.testing.assert_close(a, e, **kw)
    assert str(got.value) == str(want.value)


def test_assert_close_passes_and_attribute_failures():
    t = ember.tensor([1.0, 2.0])
    ember.testing.assert_close(t, t + 5e-6)  # within float32 atol
    ember.testing.assert_close(ember.tensor([1.0], dtype=ember.float64),
                               ember.tensor([1.0 + 5e-8], dtype=ember.float64))
    ember.testing.assert_close([t, {"a": 1}], [t.clone(), {"a": 1}])
    ember.testing.assert_close(ember.tensor([float("nan")]), ember.tensor([float("nan")]),
                               equal_nan=True)
    ember.testing.assert_close(ember.tensor([1, 2]), ember.tensor([1.0, 2.0]), check_dtype=False)
    with pytest.raises(AssertionError, match="Tensor-likes are not close!"):
        ember.testing.assert_close(ember.tensor([1.0], dtype=ember.float64),
                                   ember.tensor([1.0 + 5e-7], dtype=ember.float64))
    with pytest.raises(AssertionError, match=r"The values for attribute 'dtype' do not match: "
                       r"torch.float32 != torch.float64."):
        ember.testing.assert_close(t, t.double())
    with pytest.raises(AssertionError, match=r"attribute 'shape' do not match: "
                       r"torch.Size\(\[2\]\) != torch.Size\(\[3\]\)."):
        ember.testing.assert_close(t, ember.ones(3))
    with pytest.raises(AssertionError, match="^custom$"):
        ember.testing.assert_close(t, t + 1, msg="custom")
    with pytest.raises(TypeError, match="No comparison pair"):
        ember.testing.assert_close(t, [1.0, 2.0])
    with pytest.raises(ValueError, match="must be either specified or omitted, but got no atol"):
        ember.testing.assert_close(t, t, rtol=0)
