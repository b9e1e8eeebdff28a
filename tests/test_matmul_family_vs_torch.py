"""The matmul family (mm, bmm, mv, dot, addmm, baddbmm, addmv, addbmm, einsum, tensordot, kron,
trace) against torch on the rare paths: bool and integer dtypes, mixed dtypes, empty operands
and contractions, beta == 0 / alpha == inf, and the graph (grad_fn, gradients incl. nan)."""

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")

INF = float("inf")


def _arr(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(-3, 4, size=shape)
    if dtype == "bool":
        return a > 0
    if dtype == "uint8":
        return np.abs(a).astype(dtype)
    return a.astype(dtype)


def _run(lib, fn, specs, grad):
    leaves = [lib.tensor(_arr(s, d, i), requires_grad=grad and d.startswith("float"))
              for i, (s, d) in enumerate(specs)]
    try:
        out = fn(lib, *leaves)
    except Exception as e:  # noqa: BLE001 -- the error is the result being compared
        return ("error", type(e).__name__, str(e).split("\n")[0]), None, None
    grads = None
    if out.requires_grad:
        name = type(out.grad_fn).__name__
        try:
            out.sum().backward()
        except RuntimeError as e:
            return ("ok", str(out.dtype), tuple(out.shape)), (out.detach().numpy(), name), \
                [str(e)]
        grads = [None if t.grad is None else t.grad.detach().numpy() for t in leaves]
    else:
        name = None
    return ("ok", str(out.dtype), tuple(out.shape)), (out.detach().numpy(), name), grads


def _skip_inf_products(alpha, a_shape, b_shape):
    """alpha = inf times a non-empty product: inf/nan patterns depend on the BLAS kernel's
    order of operations (torch's differ by size); only empty contractions are compared."""
    if alpha == INF and a_shape[-1] and 0 not in b_shape:
        pytest.skip("alpha = inf over a non-empty contraction")


def _compare(fn, specs, grad=True, check_grad_fn=True):
    e_head, e_val, e_grads = _run(ember, fn, specs, grad)
    t_head, t_val, t_grads = _run(torch, fn, specs, grad)
    assert e_head == t_head
    if e_val is None:
        return
    np.testing.assert_allclose(e_val[0], t_val[0], rtol=1e-5, atol=1e-6, equal_nan=True)
    if check_grad_fn:
        assert e_val[1] == t_val[1]
    assert (e_grads is None) == (t_grads is None)
    for ge, gt in zip(e_grads or (), t_grads or ()):
        assert (ge is None) == (gt is None)
        assert isinstance(ge, str) == isinstance(gt, str)
        if isinstance(ge, str):
            assert ge == gt
            continue
        if ge is not None:
            np.testing.assert_allclose(ge, gt, rtol=1e-5, atol=1e-6, equal_nan=True)


DTYPES2 = [("float32", "float32"), ("float32", "float64"), ("int64", "int64"),
           ("int64", "int32"), ("bool", "bool"), ("bool", "int64"), ("int64", "bool"),
           ("uint8", "uint8")]
SHAPES_MM = [((2, 3), (3, 2)), ((2, 0), (0, 2)), ((0, 2), (2, 3)), ((0, 0), (0, 0)),
             ((1, 1), (1, 1)), ((20, 20), (20, 20))]


@needs_torch
@pytest.mark.parametrize("dts", DTYPES2)
@pytest.mark.parametrize("shapes", SHAPES_MM)
@pytest.mark.parametrize("op", ["mm", "matmul"])
def test_mm(op, shapes, dts):
    _compare(lambda lib, a, b: getattr(lib, op)(a, b), list(zip(shapes, dts)))


@needs_torch
@pytest.mark.parametrize("dts", DTYPES2)
@pytest.mark.parametrize("shapes", [((2, 2, 3), (2, 3, 2)), ((1, 2, 0), (1, 0, 2)),
                                    ((0, 2, 3), (0, 3, 2)), ((1, 20, 20), (1, 20, 20)),
                                    ((2, 2), (2, 2, 2)), ((0, 0), (0, 0, 0))])
def test_bmm_and_batched_matmul(shapes, dts):
    fn = (lambda lib, a, b: lib.bmm(a, b)) if len(shapes[0]) == 3 else \
        (lambda lib, a, b: lib.matmul(a, b))
    _compare(fn, list(zip(shapes, dts)))


@needs_torch
@pytest.mark.parametrize("dts", DTYPES2)
@pytest.mark.parametrize("shapes", [((2, 3), (3,)), ((2, 0), (0,)), ((0, 2), (2,))])
def test_mv(shapes, dts):
    _compare(lambda lib, a, b: lib.mv(a, b), list(zip(shapes, dts)))


@needs_torch
@pytest.mark.parametrize("dts", DTYPES2)
@pytest.mark.parametrize("n", [0, 3])
@pytest.mark.parametrize("op", ["dot", "inner", "vdot", "matmul"])
def test_dot(op, n, dts):
    _compare(lambda lib, a, b: getattr(lib, op)(a, b), [((n,), dts[0]), ((n,), dts[1])],
             check_grad_fn=op != "inner")  # torch.inner records a view of its dot


BETA_ALPHA = [(1, 1), (0, 1), (0, 0), (0.5, 2.0), (0, INF), (2, INF), (True, True), (0.0, 1e-40)]
DTYPES3 = [("float32",) * 3, ("float64", "float32", "float32"), ("int64",) * 3,
           ("bool",) * 3, ("uint8",) * 3, ("float32", "int64", "int64"),
           ("float32", "float32", "float64")]


@needs_torch
@pytest.mark.parametrize("dts", DTYPES3)
@pytest.mark.parametrize("shapes", [((2, 2), (2, 3), (3, 2)), ((2,), (2, 0), (0, 2)),
                                    ((0, 0), (0, 0), (0, 0)), ((1, 2), (1, 1), (1, 2)),
                                    ((3, 2), (2, 3), (3, 2))])
@pytest.mark.parametrize("beta,alpha", BETA_ALPHA)
def test_addmm(beta, alpha, shapes, dts):
    _skip_inf_products(alpha, shapes[1], shapes[2])
    _compare(lambda lib, c, a, b: lib.addmm(c, a, b, beta=beta, alpha=alpha),
             list(zip(shapes, dts)))


@needs_torch
@pytest.mark.parametrize("dts", DTYPES3 + [("int64", "int64", "int32"),
                                           ("bool", "bool", "int64")])
@pytest.mark.parametrize("shapes", [((2, 2, 2), (2, 2, 3), (2, 3, 2)),
                                    ((1, 2), (1, 2, 0), (1, 0, 2)),
                                    ((0, 0, 0), (0, 0, 0), (0, 0, 0)),
                                    ((1, 1, 1), (1, 1, 0), (1, 0, 1)),
                                    ((1, 20, 20), (1, 20, 20), (1, 20, 20))])
@pytest.mark.parametrize("beta,alpha", BETA_ALPHA)
def test_baddbmm(beta, alpha, shapes, dts):
    _skip_inf_products(alpha, shapes[1], shapes[2])
    _compare(lambda lib, c, a, b: lib.baddbmm(c, a, b, beta=beta, alpha=alpha),
             list(zip(shapes, dts)))


# torch's own deprecation note from its addmv kernel (an internal out= resize); ember gives the
# same values silently
_TORCH_RESIZE_NOTE = pytest.mark.filterwarnings(
    "ignore:An output with one or more elements was resized:UserWarning")


@needs_torch
@pytest.mark.parametrize("dts", DTYPES3 + [("float32", "float32", "float64")])
@pytest.mark.parametrize("shapes", [((2,), (2, 3), (3,)), ((), (1, 0), (0,)),
                                    ((1,), (3, 0), (0,)), ((), (0, 1), (0,)),
                                    ((2,), (1, 0), (0,)), ((), (2, 2), (2,)),
                                    ((0,), (0, 2), (2,)), ((2, 1), (1, 1), (1,)),
                                    ((1,), (3, 1), (1,))])
@_TORCH_RESIZE_NOTE
@pytest.mark.parametrize("beta,alpha", BETA_ALPHA)
def test_addmv(beta, alpha, shapes, dts):
    _skip_inf_products(alpha, shapes[1], shapes[2])
    _compare(lambda lib, c, a, b: lib.addmv(c, a, b, beta=beta, alpha=alpha),
             list(zip(shapes, dts)))


@needs_torch
@pytest.mark.parametrize("dts", DTYPES3 + [("float32", "float64", "float32")])
@pytest.mark.parametrize("shapes", [((2, 2), (3, 2, 3), (3, 3, 2)), ((2,), (1, 2, 0), (1, 0, 2)),
                                    ((0,), (0, 3, 4), (0, 4, 0)), ((3, 0), (0, 3, 4), (0, 4, 0)),
                                    ((1, 1), (2, 1, 0), (2, 0, 1)), ((0, 1), (1, 0, 1), (1, 1, 1)),
                                    ((2, 1), (1, 1, 1), (1, 1, 1)), ((1, 1), (1, 1, 1), (2, 1, 1))])
@pytest.mark.parametrize("beta,alpha", BETA_ALPHA)
def test_addbmm(beta, alpha, shapes, dts):
    _skip_inf_products(alpha, shapes[1], shapes[2])
    _compare(lambda lib, c, a, b: lib.addbmm(c, a, b, beta=beta, alpha=alpha),
             list(zip(shapes, dts)))


@needs_torch
@pytest.mark.parametrize("dtype", ["float32", "int32", "uint8", "int64", "bool"])
@pytest.mark.parametrize("shape", [(2, 2), (2, 3), (0, 0), (), (2,), (0, 0, 0)])
def test_trace(shape, dtype):
    _compare(lambda lib, a: lib.trace(a), [(shape, dtype)])
    _compare(lambda lib, a: a.trace(), [(shape, dtype)])


def _outcome(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


@needs_torch
@pytest.mark.parametrize("c_shape,n", [((), 1), ((1,), 3)])
@pytest.mark.parametrize("need", [(True, True, True), (False, True, False), (False, False, True),
                                  (True, False, False)])
@_TORCH_RESIZE_NOTE
def test_addmv_empty_matrix_backward(c_shape, n, need):
    """An empty matrix with a one-element c keeps c's shape (torch's mul_out shortcut); torch's
    backward formulas then fail: ember raises the same."""
    def run(lib):
        c = lib.zeros(c_shape, requires_grad=need[0])
        a = lib.zeros((n, 0), requires_grad=need[1])
        v = lib.zeros((0,), requires_grad=need[2])
        out = lib.addmv(c, a, v, beta=2.0)
        assert tuple(out.shape) == c_shape
        return _outcome(lambda: out.sum().backward())
    assert run(ember) == run(torch)


EINSUMS = [("ii", [(2, 2)]), ("ii", [(0, 0)]), ("ij", [(2, 2)]), ("ij->i", [(2, 3)]),
           ("ij->", [(0, 2)]), ("ij,jk", [(2, 3), (3, 2)]), ("ij,jk->", [(2, 3), (3, 2)]),
           ("i,i", [(3,), (3,)]), ("i,j->ij", [(2,), (3,)]), ("i,i->i", [(2,), (2,)]),
           ("ij,ij->", [(2, 2), (2, 2)]), ("ij,ij->i", [(2, 2), (2, 2)]),
           ("ij,k->", [(2, 2), (2,)]), ("ij,jk,k->i", [(2, 3), (3, 2), (2,)]),
           ("ij,jk,k->i", [(0, 1), (1, 2), (2,)]), ("ij,jk,k->i", [(0, 0), (0, 0), (0,)]),
           ("i,i,i->", [(2,), (2,), (2,)]), ("ij,jk", [(2, 0), (0, 2)]),
           ("ij,jk", [(0, 2), (2, 3)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
           ("...ij,...jk", [(2, 2, 3), (3, 2)]), ("bii,bj->b", [(2, 3, 3), (2, 2)]),
           ("iji,j->ij", [(2, 3, 2), (3,)]), ("ij,j->i", [(20, 20), (20,)])]


@needs_torch
@pytest.mark.parametrize("eq,shapes", EINSUMS)
def test_einsum_dtypes_and_errors(eq, shapes):
    """torch's einsum result dtype (sums promote integers to int64, bmm keeps the right
    operand's dtype, mul promotes) and its kernel errors, for up to two distinct dtypes."""
    import itertools
    dts = ["float32", "float64", "int32", "int64", "uint8", "bool"]
    for combo in itertools.product(dts, repeat=len(shapes)):
        if len(set(combo)) > 2 or (len(set(combo)) == 2 and "uint8" in combo):
            continue  # (uint8 products wrap at different steps: values differ)
        arrs = [_arr(s, d, i) for i, (s, d) in enumerate(zip(shapes, combo))]
        for req in ((False,) * len(arrs), tuple(d.startswith("float") for d in combo)):
            res = []
            for lib in (ember, torch):
                ts = [lib.tensor(a, requires_grad=r) for a, r in zip(arrs, req)]
                try:
                    o = lib.einsum(eq, *ts)
                    res.append((str(o.dtype), tuple(o.shape), o.detach().numpy().tolist()))
                except Exception as e:  # noqa: BLE001 -- compared
                    res.append((type(e).__name__, str(e)))
            assert res[0] == res[1], (combo, req)


@needs_torch
@pytest.mark.parametrize("sa,sb,perm", [((2, 2), (2,), None), ((2, 2), (2,), (1, 0)),
                                        ((2, 2), (2, 2), (1, 0)), ((2, 3), (), None),
                                        ((2, 1), (2,), None), ((3,), (2, 2), None),
                                        ((2, 2, 2), (2,), (2, 1, 0)), ((2, 2), (1,), (1, 0)),
                                        ((0, 2), (2,), None), ((2, 3), (3, 2, 2), None)])
def test_kron(sa, sb, perm):
    """torch's kron views its mul: a product laid out after a transposed operand fails."""
    a, b = np.arange(np.prod(sa), dtype=np.float64).reshape(sa), np.ones(sb)
    res = []
    for lib in (ember, torch):
        x, y = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        xx = x if perm is None else x.permute(*perm)
        try:
            o = lib.kron(xx, y)
            o.sum().backward()
            res.append((o.detach().numpy().tolist(), type(o.grad_fn).__name__,
                        x.grad.numpy().tolist(), y.grad.numpy().tolist()))
        except RuntimeError as e:
            res.append(str(e))
    assert res[0] == res[1]


@needs_torch
@pytest.mark.parametrize("sa,sb,dims", [((2, 3), (3, 2), 1), ((2, 3, 4), (3, 4, 5), 2),
                                        ((2, 1, 4), (3, 4), ([1, 2], [0, 1])),
                                        ((3,), (3,), 1), ((2, 3), (2, 3), 0),
                                        ((2, 3, 4), (4, 3), ([1, 2], [1, 0])),
                                        ((2, 0), (0, 3), 1)])
def test_tensordot_graph(sa, sb, dims):
    res = []
    for lib in (ember, torch):
        x = lib.tensor(np.ones(sa), requires_grad=True)
        y = lib.tensor(np.full(sb, 2.0), requires_grad=True)
        o = lib.tensordot(x, y, dims=dims)
        o.sum().backward()
        f, chain = o.grad_fn, []
        while f is not None:
            chain.append(type(f).__name__)
            nxt = [n for n, _ in f.next_functions if n is not None]
            f = nxt[0] if nxt else None
        res.append((o.detach().numpy().tolist(), chain, x.grad.numpy().tolist(),
                    y.grad.numpy().tolist()))
    assert res[0] == res[1]
    for lib in (ember, torch):  # mismatched dtypes: torch's own text
        with pytest.raises(RuntimeError, match="both inputs should have same dtype"):
            lib.tensordot(lib.ones(sa), lib.ones(sb, dtype=lib.float64), dims=dims)


@needs_torch
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("op,shapes", [("addmm", [(2, 2), (2, 3), (3, 2)]),
                                       ("baddbmm", [(1, 2, 2), (1, 2, 3), (1, 3, 2)]),
                                       ("addmv", [(2,), (2, 3), (3,)]),
                                       ("addbmm", [(2, 2), (2, 2, 3), (2, 3, 2)])])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int32", "uint8", "int64"])
def test_alpha_beta_conversion(op, shapes, dtype):
    """alpha/beta out of the kernel type's range: torch's checked conversion errors (half
    gemm reads them as float, addmv as half; -0.5 overflows uint8), int scalars wrap in
    the empty-contraction mul_."""
    for beta, alpha in [(0, 2147483648), (1e300, 1), (0, -0.5), (2147483648, 0), (0, 1e39),
                        (0.5, 70000.0), (-1, 1)]:
        res = []
        for lib in (ember, torch):
            ts = [lib.tensor(np.ones(s, dtype=dtype)) for s in shapes]
            try:
                o = getattr(lib, op)(*ts, beta=beta, alpha=alpha)
                res.append((str(o.dtype), o.float().numpy().tolist()))
            except RuntimeError as e:
                res.append(str(e))
        assert res[0] == res[1], (beta, alpha)
