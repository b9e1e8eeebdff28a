"""geqrf / orgqr / ormqr and linalg.ldl_factor(_ex) / ldl_solve against torch: LAPACK's
stored forms (Householder vectors and tau; Bunch-Kaufman pivots and LD) equal torch's."""
import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")


def _errors_equal(fn):
    msgs = []
    for lib in (ember, torch):
        with pytest.raises(Exception) as e:
            fn(lib)
        msgs.append((type(e.value).__name__, str(e.value)))
    assert msgs[0] == msgs[1]


@needs_torch
@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 5, 5), (6, 2)])
@pytest.mark.parametrize("cplx", [False, True])
def test_geqrf_ormqr_orgqr(shape, cplx):
    rng = np.random.default_rng(0)
    A = rng.standard_normal(shape) + (1j * rng.standard_normal(shape) if cplx else 0)
    ea, et = ember.geqrf(ember.tensor(A))
    ta, tt = torch.geqrf(torch.tensor(A))
    assert type(ember.geqrf(ember.tensor(A))).__name__ == "geqrf"
    np.testing.assert_allclose(ea.numpy(), ta.numpy(), atol=1e-12)
    np.testing.assert_allclose(et.numpy(), tt.numpy(), atol=1e-12)
    assert ea.dtype == getattr(ember, str(ta.dtype)[6:])
    if shape[-2] >= shape[-1]:
        np.testing.assert_allclose(ea.orgqr(et).numpy(), ta.orgqr(tt).numpy(), atol=1e-12)
    m = shape[-2]
    for left in (True, False):
        for tr in (True, False):
            C = rng.standard_normal(shape[:-2] + ((m, 2) if left else (2, m))) + (
                1j if cplx else 0)
            np.testing.assert_allclose(ember.ormqr(ea, et, ember.tensor(C), left, tr).numpy(),
                                       torch.ormqr(ta, tt, torch.tensor(C), left, tr).numpy(),
                                       atol=1e-12)


@needs_torch
def test_geqrf_float32_empty_and_no_derivative():
    A = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)
    ea, et = ember.tensor(A).geqrf()
    ta, tt = torch.tensor(A).geqrf()
    np.testing.assert_allclose(ea.numpy(), ta.numpy(), rtol=1e-5, atol=1e-6)
    assert str(ea.dtype) == "torch.float32" and str(et.dtype) == "torch.float32"
    e0 = ember.geqrf(ember.ones(2, 0, 3))
    assert tuple(e0.a.shape) == (2, 0, 3) and tuple(e0.tau.shape) == (2, 0)
    x = ember.tensor(A.astype(np.float64), requires_grad=True)
    a, _ = ember.geqrf(x)
    assert type(a.grad_fn).__name__ == "GeqrfBackward0"
    with pytest.raises(NotImplementedError, match="the derivative for 'geqrf' is not "
                                                  "implemented."):
        a.sum().backward()
    _errors_equal(lambda lib: lib.geqrf(lib.ones(3)))


@needs_torch
def test_ormqr_gradients_and_errors():
    rng = np.random.default_rng(2)
    A, C = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    grads = []
    for lib in (ember, torch):
        a, tau = lib.geqrf(lib.tensor(A))
        a.requires_grad_(True)
        tau.requires_grad_(True)
        c = lib.tensor(C, requires_grad=True)
        (lib.ormqr(a, tau, c, True, True) ** 2).sum().backward()
        grads.append([t.grad.numpy() for t in (a, tau, c)])
    for x, y in zip(*grads):
        np.testing.assert_allclose(x, y, atol=1e-10)
    a64 = lambda lib: lib.geqrf(lib.tensor(A))  # noqa: E731
    _errors_equal(lambda lib: lib.ormqr(lib.ones(3), lib.ones(3), lib.ones(3, 2)))
    _errors_equal(lambda lib: lib.ormqr(*a64(lib), lib.ones(4, 2, dtype=lib.float64)))
    _errors_equal(lambda lib: lib.ormqr(*a64(lib), lib.ones(2, 4, dtype=lib.float64), False))
    _errors_equal(lambda lib: lib.ormqr(a64(lib)[0], a64(lib)[1][:2],
                                        lib.ones(5, 2, dtype=lib.float64)))
    _errors_equal(lambda lib: lib.ormqr(*a64(lib), lib.ones(5, 2)))


@needs_torch
@pytest.mark.parametrize("kind", ["real", "complex", "hermitian"])
@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 70])
def test_ldl_factor_pivots_and_solve(kind, n):
    """The Bunch-Kaufman pivots (1x1 and 2x2 blocks) and LD are LAPACK's, as torch's: random
    symmetric matrices, ones with small or zero diagonals (2x2 pivots), n past the block size."""
    rng = np.random.default_rng(n)
    herm = kind == "hermitian"
    for trial in range(6):
        A = rng.standard_normal((n, n))
        if kind != "real":
            A = A + 1j * rng.standard_normal((n, n))
        A = A + (A.conj().T if herm else A.T)
        if trial % 3 == 1:
            A[np.diag_indices(n)] *= 0.01
        if trial % 3 == 2 and n > 1:
            A[np.diag_indices(n)] = 0
        e = ember.linalg.ldl_factor_ex(ember.tensor(A), hermitian=herm)
        t = torch.linalg.ldl_factor_ex(torch.tensor(A), hermitian=herm)
        assert type(e).__name__ == "linalg_ldl_factor_ex"
        assert e.pivots.tolist() == t.pivots.tolist()
        assert str(e.pivots.dtype) == "torch.int32" and str(e.info.dtype) == "torch.int32"
        assert e.info.item() == t.info.item()
        np.testing.assert_allclose(e.LD.numpy(), t.LD.numpy(), atol=1e-9)
        B = rng.standard_normal((n, 3)) + (0j if kind != "real" else 0)
        x = ember.linalg.ldl_solve(e.LD, e.pivots, ember.tensor(B), hermitian=herm)
        y = torch.linalg.ldl_solve(t.LD, t.pivots, torch.tensor(B), hermitian=herm)
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-7, atol=1e-8)


@needs_torch
def test_ldl_batched_float32_graph_and_errors():
    rng = np.random.default_rng(9)
    A = rng.standard_normal((3, 4, 4)).astype(np.float32)
    A = A + A.swapaxes(-1, -2)
    B = rng.standard_normal((3, 4, 2)).astype(np.float32)
    res = []
    for lib in (ember, torch):
        a = lib.tensor(A, requires_grad=True)
        LD, piv = lib.linalg.ldl_factor(a)
        x = lib.linalg.ldl_solve(LD, piv, lib.tensor(B))
        assert type(LD.grad_fn).__name__ == "NotImplemented"
        with pytest.raises(RuntimeError, match="derivative for aten::linalg_ldl_solve is not "
                                               "implemented"):
            x.sum().backward()
        res.append((LD.detach().numpy(), piv.numpy(), x.detach().numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(res[0][1], res[1][1])
    np.testing.assert_allclose(res[0][2], res[1][2], rtol=1e-3, atol=1e-4)
    _errors_equal(lambda lib: lib.linalg.ldl_factor(lib.zeros(3, 2, 2)))
    _errors_equal(lambda lib: lib.linalg.ldl_factor_ex(lib.zeros(2, 2), check_errors=True))
    _errors_equal(lambda lib: lib.linalg.ldl_factor(lib.zeros(3)))
    _errors_equal(lambda lib: lib.linalg.ldl_factor(lib.zeros(3, 2)))
    _errors_equal(lambda lib: lib.linalg.ldl_factor(lib.zeros(2, 2, dtype=lib.int64)))
    fac = lambda lib: lib.linalg.ldl_factor(lib.eye(3))  # noqa: E731
    _errors_equal(lambda lib: lib.linalg.ldl_solve(*fac(lib), lib.eye(3).double()))
    _errors_equal(lambda lib: lib.linalg.ldl_solve(*fac(lib), lib.ones(3)))
    _errors_equal(lambda lib: lib.linalg.ldl_solve(*fac(lib), lib.ones(4, 1)))
    np.testing.assert_array_equal(
        ember.linalg.ldl_solve(*fac(ember)[:1], fac(ember)[1].long(), ember.eye(3)).numpy(),
        np.eye(3))


def test_common_notes():
    assert set(ember.linalg.common_notes) == {"experimental_warning", "sync_note", "sync_note_ex",
                                              "sync_note_has_ex"}
    if torch is not None:
        assert ember.linalg.common_notes == torch.linalg.common_notes


def _sym_with_spectrum(m, seed=0):
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.standard_normal((m, m)))[0]
    A = (Q * np.arange(1, m + 1, dtype=float)) @ Q.T
    return (A + A.T) / 2, rng.standard_normal((m, 3))


@needs_torch
@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("method", ["ortho", "basic"])
def test_lobpcg_eigenpairs(largest, method):
    A, X = _sym_with_spectrum(20)
    e = ember.lobpcg(ember.tensor(A), k=2, X=ember.tensor(X), largest=largest, method=method)
    t = torch.lobpcg(torch.tensor(A), k=2, X=torch.tensor(X), largest=largest, method=method)
    np.testing.assert_allclose(e[0].numpy(), t[0].numpy(), rtol=1e-12)
    # eigenvectors up to sign (eigh's sign choice is LAPACK's in both, not always the same)
    np.testing.assert_allclose(np.abs(e[1].numpy()), np.abs(t[1].numpy()), atol=1e-9)


@needs_torch
def test_lobpcg_random_start_generalized_batched_and_gradient():
    A, X = _sym_with_spectrum(18, seed=1)
    Bm = np.diag(np.linspace(1.0, 2.0, 18))
    res = []
    for lib in (ember, torch):
        lib.manual_seed(3)
        E1, _ = lib.lobpcg(lib.tensor(A), k=2)  # randn start from the global generator
        E2, _ = lib.lobpcg(lib.tensor(A), k=2, B=lib.tensor(Bm), largest=False)
        E3, _ = lib.lobpcg(lib.tensor(np.stack([A, 2 * A])), k=1)
        a = lib.tensor(A, requires_grad=True)
        E, V = lib.lobpcg(a, k=2, X=lib.tensor(X))
        assert type(E.grad_fn).__name__ == "LOBPCGAutogradFunctionBackward"
        (E.sum() + V.abs().sum()).backward()  # the partial-eigenspace backward
        res.append([E1.numpy(), E2.numpy(), E3.numpy(), a.grad.numpy()])
    for x, y in zip(*res):
        np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-10)
    with pytest.raises(ValueError, match="LOBPCG algorithm is not applicable"):
        ember.lobpcg(ember.eye(5), k=2)
