"""Layouts and values that the performance fast paths must keep equal to torch's."""
import warnings

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:  # pragma: no cover - oracle tests skip
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")

# (description, expression over x, w) -- w is (5, 3); x's layout varies
MM_CASES = [
    ("x @ w.t()", lambda lib, x, w: x @ w.t(), (4, 3)),
    ("x.t() @ w.t()", lambda lib, x, w: x.t() @ w.t(), (3, 4)),
    ("x.t() @ w", lambda lib, x, w: x.t() @ w, (5, 4)),
    ("w.t() @ x", lambda lib, x, w: w.t() @ x, (5, 2)),
    ("mm(x, w.t())", lambda lib, x, w: lib.mm(x, w.t()), (4, 3)),
    ("batched x @ w.t()", lambda lib, x, w: x @ w.t(), (2, 4, 3)),
]

# gradient strides ember gives for the cases above (same as torch 2.13's): (x.grad, w.grad)
MM_STRIDES = {
    "x @ w.t()": ((3, 1), (3, 1)),
    "x.t() @ w.t()": ((4, 1), (3, 1)),
    "x.t() @ w": ((4, 1), (3, 1)),
    "w.t() @ x": ((2, 1), (3, 1)),
    "mm(x, w.t())": ((3, 1), (3, 1)),
    "batched x @ w.t()": ((12, 3, 1), (3, 1)),
}


def _mm_run(lib, case, seed=0):
    name, fn, xshape = case
    rng = np.random.default_rng(seed)
    x = lib.tensor(rng.standard_normal(xshape).astype(np.float32), requires_grad=True)
    w = lib.tensor(rng.standard_normal((5, 3)).astype(np.float32), requires_grad=True)
    y = fn(lib, x, w)
    g = rng.standard_normal(tuple(y.shape)).astype(np.float32)
    y.backward(lib.tensor(g))
    return x.grad, w.grad


@pytest.mark.parametrize("case", MM_CASES, ids=[c[0] for c in MM_CASES])
def test_matmul_grad_layout_recorded(case):
    gx, gw = _mm_run(ember, case)
    assert (gx.stride(), gw.stride()) == MM_STRIDES[case[0]]
    assert gw.is_contiguous()


@needs_torch
@pytest.mark.parametrize("case", MM_CASES, ids=[c[0] for c in MM_CASES])
def test_matmul_grad_layout_and_values_match_torch(case):
    ex, ew = _mm_run(ember, case)
    tx, tw = _mm_run(torch, case)
    assert (ex.stride(), ew.stride()) == (tx.stride(), tw.stride())
    np.testing.assert_allclose(ex.numpy(), tx.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ew.numpy(), tw.numpy(), rtol=1e-5, atol=1e-6)


def test_matmul_col_major_grad_gradgradcheck():
    # the transposed evaluation order must stay differentiable (create_graph)
    rng = np.random.default_rng(1)
    x = ember.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    w = ember.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda x, w: x @ w.t(), (x, w))
    assert ember.autograd.gradgradcheck(lambda x, w: x.t().t() @ w.t(), (x, w))


SIG_IN = [-1000.0, -200.0, -100.0, -89.0, -20.0, 0.0, 20.0, 100.0]
SIG_F32 = [0.0, 0.0, 0.0, 0.0, 2.061153470123145e-09, 0.5, 1.0, 1.0]  # torch 2.13's values


def test_sigmoid_saturates_like_torch_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ember.sigmoid(ember.tensor(SIG_IN)).tolist()
        s0 = ember.tensor(-1000.0).sigmoid().item()
    np.testing.assert_allclose(out, SIG_F32, rtol=1e-6, atol=0)
    assert s0 == 0.0


@needs_torch
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_sigmoid_extremes_match_torch(dtype):
    e = ember.sigmoid(ember.tensor(SIG_IN, dtype=getattr(ember, dtype))).tolist()
    t = torch.sigmoid(torch.tensor(SIG_IN, dtype=getattr(torch, dtype))).tolist()
    np.testing.assert_allclose(e, t, rtol=1e-6, atol=0)


# ------------------------------------------------------------------ erf family without SciPy

ERF_POINTS = [0.0, -0.0, 1e-30, -1e-8, 0.3, 0.5, -0.999, 1.0, -1.0, 1.0000001, 2.5, -3.7, 5.0,
              -5.0, 7.9, 8.0, 9.9, -10.0, 26.0, 27.0, 30.0]


@pytest.fixture
def numpy_special(monkeypatch):
    from ember import _special
    monkeypatch.setattr(_special, "_scipy", False)
    return _special


@pytest.mark.parametrize("dtype,rtol,rtol_erf", [(np.float64, 2e-15, 2e-15),
                                                 (np.float32, 4e-7, 6e-7)])
def test_erf_erfc_numpy_path_match_math(numpy_special, dtype, rtol, rtol_erf):
    import math
    rng = np.random.default_rng(0)
    x = np.concatenate([np.array(ERF_POINTS), rng.standard_normal(2000) * 3]).astype(dtype)
    xd = x.astype(np.float64)
    want_erf = np.array([math.erf(v) for v in xd])
    want_erfc = np.array([math.erfc(v) for v in xd])
    got_erf = numpy_special.erf(x)
    got_erfc = numpy_special.erfc(x)
    assert got_erf.dtype == dtype and got_erfc.dtype == dtype
    np.testing.assert_allclose(got_erf, want_erf, rtol=rtol_erf, atol=0)  # (float32: _erf32)
    tiny = np.finfo(dtype).tiny  # (tails below the smallest normal number round to 0 or denormals)
    keep = want_erfc > tiny
    np.testing.assert_allclose(got_erfc[keep], want_erfc[keep], rtol=rtol * 40, atol=0)
    assert np.all(got_erfc[~keep] <= 2 * tiny)


def test_erf_family_numpy_path_specials(numpy_special):
    x = np.array([np.nan, np.inf, -np.inf], np.float32)
    assert np.isnan(numpy_special.erf(x)[0]) and list(numpy_special.erf(x)[1:]) == [1, -1]
    assert np.isnan(numpy_special.erfc(x)[0]) and list(numpy_special.erfc(x)[1:]) == [0, 2]
    y = np.array([-1.5, -1.0, -0.999, 0.0, 0.3, 0.999999, 1.0, 1.2, np.nan])
    inv = numpy_special.erfinv(y)
    assert np.isnan(inv[[0, 7, 8]]).all() and inv[1] == -np.inf and inv[6] == np.inf
    np.testing.assert_allclose(numpy_special.erf(inv[2:6]), y[2:6], rtol=1e-13, atol=1e-15)


def test_gelu_and_erf_ops_use_numpy_path(numpy_special):
    import math
    x = ember.tensor([-3.0, -0.5, 0.0, 0.7, 4.0], dtype=ember.float64, requires_grad=True)
    y = ember.nn.functional.gelu(x)
    want = [0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.tolist()]
    np.testing.assert_allclose(y.tolist(), want, rtol=1e-14, atol=1e-300)
    assert ember.autograd.gradcheck(lambda t: ember.erfc(t) * ember.erf(t), (x,))


def test_lstm_layer_with_lengths_gradcheck_and_gradgradcheck():
    # variable lengths: final states taken at each sequence's own last step
    from ember.autograd.function import _apply
    from ember._ops import rnn as R
    rng = np.random.default_rng(3)

    def d(*s):
        return ember.tensor(rng.standard_normal(s), requires_grad=True)

    xw, w, h, c = d(4, 3, 8), d(8, 2), d(3, 2), d(3, 2)

    def f(xw, w, h, c):
        o, hT, cT = _apply(R.LSTMLayer, (xw, w, h, c, (4, 2, 1)), {}, None)
        keep = ember.tensor(np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0], [1, 0, 0]],
                                     np.float64)[:, :, None])
        return (o * o * keep).sum() + (hT * 3).sum() + (cT * cT).sum()

    assert ember.autograd.gradcheck(f, (xw, w, h, c))
    assert ember.autograd.gradgradcheck(f, (xw, w, h, c))


# ------------------------------------------------------------- row scatter-add (x[idx] backward)

@pytest.mark.parametrize("shape,ishape,hi,dtype", [
    ((50, 3), (200,), 50, np.float32),        # repeats: rounds
    ((7, 4, 5), (30, 2), 7, np.float64),      # n-D index, rows with trailing dims
    ((100,), (64,), 100, np.float32),         # 1-D target
    ((10, 3), (40,), 10, np.int64),           # integer gradient data
    ((1000, 8), (300,), 1000, np.float64),    # mostly distinct
    ((1000, 8), (300,), 3, np.float64),       # ~100 repeats per row: reduceat segments
])
def test_add_rows_matches_add_at(shape, ishape, hi, dtype):
    from ember._backend import _add_at
    rng = np.random.default_rng(0)
    idx = rng.integers(-hi, hi, ishape)  # negative indices count from the end
    g = (rng.standard_normal(ishape + shape[1:]) * 10).astype(dtype)
    want = np.zeros(shape, dtype)
    np.add.at(want, idx, g)
    got = _add_at(shape, idx, g)
    assert got.dtype == dtype and got.shape == shape
    np.testing.assert_allclose(got, want, rtol=1e-6 if dtype == np.float32 else 1e-12)


def test_embedding_and_index_backward_accumulate_repeats():
    w = ember.tensor(np.arange(12.0).reshape(6, 2), requires_grad=True)
    idx = ember.tensor(np.array([[5, 0, 5], [5, 1, 0]] * 10))
    ember.nn.functional.embedding(idx, w).sum().backward()
    assert w.grad.tolist() == [[20.0, 20.0], [10.0, 10.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0],
                               [30.0, 30.0]]
    x = ember.tensor(np.ones((4, 3)), requires_grad=True)
    x[ember.tensor(np.array([3, -1, 0] * 12))].sum().backward()
    assert x.grad.tolist() == [[12.0] * 3, [0.0] * 3, [0.0] * 3, [24.0] * 3]


@pytest.mark.parametrize("shape,k,n", [((3, 10, 4), 1, 25), ((2, 3, 8, 5), 2, 30), ((4, 6), 1, 40)])
def test_add_at_along_axis_matches_add_at(shape, k, n):
    # (:, ..., :, idx): index_select and nearest-upsampling backward
    from ember._backend import _add_at
    rng = np.random.default_rng(k)
    idx = rng.integers(-shape[k], shape[k], n)
    full = (slice(None),) * k + (idx,)
    g = rng.standard_normal(shape[:k] + (n,) + shape[k + 1:])
    want = np.zeros(shape)
    np.add.at(want, full, g)
    got = _add_at(shape, full, g)
    assert got.flags["C_CONTIGUOUS"]
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("shape,dtype", [((6, 7), np.float32), ((4, 5, 6), np.float64),
                                         ((3, 4), np.complex128)])
def test_add_at_outer_index_matches_add_at(shape, dtype):
    # one integer array per dimension (np.ix_, pad/reflect backward): bincount
    from ember._backend import _add_at, _scatter_add_along
    rng = np.random.default_rng(len(shape))
    ix = np.ix_(*[rng.integers(-s, s, 2 * s) for s in shape])
    g = rng.standard_normal(np.broadcast_shapes(*[i.shape for i in ix])).astype(dtype)
    want = np.zeros(shape, dtype)
    np.add.at(want, ix, g)
    got = _add_at(shape, ix, g)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # gather backward: scatter along an axis
    index = rng.integers(0, shape[-1], shape[:-1] + (9,))
    g2 = rng.standard_normal(index.shape).astype(dtype)
    want2 = np.zeros(shape, dtype)
    grid = list(np.ogrid[tuple(slice(0, s) for s in index.shape)])
    grid[-1] = index
    np.add.at(want2, tuple(grid), g2)
    np.testing.assert_allclose(_scatter_add_along(shape, index, g2, len(shape) - 1), want2,
                               rtol=1e-5, atol=1e-6)


def test_topk_partition_path():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((5, 40)).astype(np.float32)
    a[2, 7] = a[2, 30]  # a tie
    for largest in (True, False):
        v, i = ember.topk(ember.tensor(a), 6, 1, largest=largest)
        want = np.sort(a, 1)[:, ::-1][:, :6] if largest else np.sort(a, 1)[:, :6]
        assert np.array_equal(v.numpy(), want)
        assert np.array_equal(np.take_along_axis(a, i.numpy(), 1), want)
    a[1, 5] = np.nan  # NaN ranks as the largest value (the full-sort path)
    v, i = ember.topk(ember.tensor(a), 3, 1)
    assert np.isnan(v.numpy()[1, 0]) and int(i[1, 0]) == 5
    x = ember.tensor(np.nan_to_num(a[:, :10]), requires_grad=True)
    ember.topk(x, 4, 1).values.sum().backward()  # one 1 per selected element
    assert x.grad.sum().item() == 20.0 and set(np.unique(x.grad.numpy())) <= {0.0, 1.0}


def test_einsum_big_operands_planned_and_differentiable(monkeypatch):
    # operands from _EINSUM_BLAS elements up go through NumPy's planner (BLAS); lowered here
    # so that gradgradcheck stays small: values and second order must stay right on that path
    from ember._ops import linalg
    monkeypatch.setattr(linalg, "_EINSUM_BLAS", 1)
    rng = np.random.default_rng(6)
    a = ember.tensor(rng.standard_normal((5, 4)), requires_grad=True)
    b = ember.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    y = ember.einsum("ij,kj->ik", a, b)
    np.testing.assert_allclose(y.detach().numpy(), a.detach().numpy() @ b.detach().numpy().T,
                               rtol=1e-12)
    assert ember.autograd.gradgradcheck(lambda a, b: ember.einsum("ij,kj->ik", a, b), (a, b))


# x @ w.t() with few rows and a wide output: computed as (w @ x.T)^T where OpenBLAS's SkylakeX
# kernels make that faster (ember._backend.matmul2); elsewhere plain matmul.  Shapes in and out
# of that window, each run both ways.
MM2_SHAPES = [(4, 96, 256), (32, 128, 512), (64, 784, 512), (64, 512, 256), (2, 128, 512),
              (32, 32, 512), (128, 128, 512), (16, 200, 300)]


@pytest.mark.parametrize("transposer", [True, False], ids=["reordered", "plain"])
@pytest.mark.parametrize("M,K,N", MM2_SHAPES)
def test_matmul2_values_and_layout(monkeypatch, M, K, N, transposer):
    from ember import _backend
    from ember._blas import float32_transposer
    calls = []
    if transposer:  # the real somatcopy where there is one, a NumPy copy elsewhere: the
        real = float32_transposer() or (lambda s, d: np.copyto(d, s.T))  # reordering runs

        def spy(src, dst):
            calls.append(src.shape)
            real(src, dst)
        monkeypatch.setattr(_backend, "_transposer", spy)
        monkeypatch.setattr(_backend, "_swap_nt", True)
    else:
        monkeypatch.setattr(_backend, "_swap_nt", False)
    rng = np.random.default_rng(M + K + N)
    a = rng.standard_normal((M, K)).astype(np.float32)
    w = rng.standard_normal((N, K)).astype(np.float32)
    out = _backend.matmul2(a, w.T)
    assert out.shape == (M, N) and out.dtype == np.float32 and out.flags.c_contiguous
    np.testing.assert_allclose(out, a.astype(np.float64) @ w.T.astype(np.float64),
                               rtol=1e-4, atol=1e-4)
    in_window = 4 <= M <= 64 and N >= 256 and K >= 96
    assert calls == ([(N, M)] if transposer and in_window else [])
    # other layouts and dtypes take plain matmul and agree too
    np.testing.assert_allclose(_backend.matmul2(a, np.ascontiguousarray(w.T)), out,
                               rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(_backend.matmul2(a.astype(np.float64), w.T.astype(np.float64)),
                               out, rtol=1e-4, atol=1e-4)


def test_float32_transposer_copies_exactly():
    from ember._blas import float32_transposer
    tr = float32_transposer()
    if tr is None:
        pytest.skip("NumPy's BLAS here is not OpenBLAS")
    src = np.arange(512 * 37, dtype=np.float32).reshape(512, 37)
    dst = np.empty((37, 512), np.float32)
    tr(src, dst)
    np.testing.assert_array_equal(dst, src.T)


@needs_torch
@pytest.mark.parametrize("M,K,N", [(32, 128, 512), (64, 784, 512), (8, 100, 300)])
def test_linear_and_mm_wide_match_torch(M, K, N):
    rng = np.random.default_rng(1)
    x0 = rng.standard_normal((M, K)).astype(np.float32)
    w0 = (rng.standard_normal((N, K)) * 0.1).astype(np.float32)
    b0 = rng.standard_normal(N).astype(np.float32)
    g0 = rng.standard_normal((M, N)).astype(np.float32)
    res = {}
    for lib in (torch, ember):
        x = lib.tensor(x0, requires_grad=True)
        w = lib.tensor(w0, requires_grad=True)
        b = lib.tensor(b0, requires_grad=True)
        y1 = lib.nn.functional.linear(x, w, b)
        y2 = x @ w.t()
        (y1 * lib.tensor(g0)).sum().backward()
        (y2 * lib.tensor(g0)).sum().backward()
        assert y1.is_contiguous() and y2.is_contiguous()
        res[lib.__name__] = [t.detach().numpy() for t in (y1, y2, x.grad, w.grad, b.grad)]
    for e, t in zip(res["ember"], res["torch"]):
        np.testing.assert_allclose(e, t, rtol=1e-4, atol=1e-3)


# max/sum over the last axis of many short rows (softmax, log_softmax): transposed max and a
# BLAS matrix-vector sum where they pay (ember._backend.max_last / sum_last)
@pytest.mark.parametrize("shape", [(600, 10), (128, 64, 64), (40, 1000), (3, 5), (2048, 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_last_and_sum_last_match_numpy(shape, dtype):
    from ember import _backend
    rng = np.random.default_rng(3)
    a = (rng.standard_normal(shape) * 10).astype(dtype)
    rows = a.reshape(-1, shape[-1])
    if rows.shape[0] >= 9:
        rows[:7, 0] = [np.inf, -np.inf, np.nan, 1e30, -1e30, 0.0, -0.0]
        rows[8] = -np.inf  # a fully masked row
    np.testing.assert_array_equal(_backend.max_last(a), np.max(a, axis=-1, keepdims=True))
    with np.errstate(invalid="ignore", over="ignore"):
        want = np.sum(a, axis=-1, keepdims=True, dtype=np.float64)
        got = _backend.sum_last(a)
    assert got.shape == want.shape and got.dtype == a.dtype
    np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == np.float32 else 1e-12,
                               atol=1e-3)
    # non-contiguous and integer inputs take NumPy's reductions
    v = a[..., ::-1]
    np.testing.assert_array_equal(_backend.max_last(v), np.max(v, axis=-1, keepdims=True))
    ai = np.arange(np.prod(shape)).reshape(shape)
    np.testing.assert_array_equal(_backend.sum_last(ai), ai.sum(-1, keepdims=True))


@needs_torch
@pytest.mark.parametrize("shape", [(16, 8, 64, 64), (1000, 10), (64, 1024)])
@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
def test_softmax_rows_match_torch(shape, fn):
    rng = np.random.default_rng(4)
    x0 = (rng.standard_normal(shape) * 4).astype(np.float32)
    x0[..., 0, :3] = -np.inf  # masked scores, as in attention
    g0 = rng.standard_normal(shape).astype(np.float32)
    res = {}
    for lib in (torch, ember):
        x = lib.tensor(x0, requires_grad=True)
        y = getattr(lib, fn)(x, -1)
        y.backward(lib.tensor(g0))
        res[lib.__name__] = (y.detach().numpy(), x.grad.numpy())
    for e, t in zip(res["ember"], res["torch"]):  # (float32 sums of up to 1024 terms)
        np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-5)


@needs_torch
@pytest.mark.parametrize("kind,shape", [("layer", (64, 256)), ("layer", (16, 32, 128)),
                                        ("group", (8, 32, 4, 4)), ("layer", (4, 3000))])
def test_norms_row_sum_path_match_torch(kind, shape):
    """Normalisation statistics over trailing axes go through sum_last (BLAS row sums) when
    the rows are short enough; values and all gradients still match torch's."""
    rng = np.random.default_rng(5)
    x0 = (rng.standard_normal(shape) * 3 + 1).astype(np.float32)
    g0 = rng.standard_normal(shape).astype(np.float32)
    n = shape[-1] if kind == "layer" else shape[1]
    w0, b0 = (rng.standard_normal(n).astype(np.float32) for _ in range(2))
    res = {}
    for lib in (torch, ember):
        m = lib.nn.LayerNorm(n) if kind == "layer" else lib.nn.GroupNorm(4, n)
        with lib.no_grad():
            m.weight.copy_(lib.tensor(w0))
            m.bias.copy_(lib.tensor(b0))
        x = lib.tensor(x0, requires_grad=True)
        y = m(x)
        y.backward(lib.tensor(g0))
        res[lib.__name__] = [t.detach().numpy() for t in (y, x.grad, m.weight.grad, m.bias.grad)]
    for e, t in zip(res["ember"], res["torch"]):
        np.testing.assert_allclose(e, t, rtol=1e-4, atol=2e-4)
