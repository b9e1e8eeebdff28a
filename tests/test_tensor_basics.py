"""Tensor creation, dtypes and promotion, attributes, conversions, device, random streams."""
import numpy as np
import pytest

import ember

torch = None
try:
    import torch
except ImportError:  # oracle tests skip
    pass

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")


def test_default_dtypes():
    assert ember.tensor([1.0, 2.0]).dtype is ember.float32
    assert ember.tensor([1, 2]).dtype is ember.int64
    assert ember.tensor([True, False]).dtype is ember.bool
    assert ember.tensor(np.zeros(2)).dtype is ember.float64  # ndarray keeps its dtype
    assert ember.zeros(2).dtype is ember.float32
    assert ember.arange(3).dtype is ember.int64
    assert ember.arange(0, 1, 0.5).dtype is ember.float32
    assert ember.full((2,), 3).dtype is ember.int64
    assert repr(ember.float32) == "torch.float32"


def test_set_default_dtype():
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.tensor([1.0]).dtype is ember.float64
        assert ember.randn(2).dtype is ember.float64
    finally:
        ember.set_default_dtype(ember.float32)
    assert ember.tensor([1.0]).dtype is ember.float32


PROMOTION_CASES = [
    ("f32*2.5", lambda lib: lib.ones(2) * 2.5),
    ("i64*2.5", lambda lib: lib.ones(2, dtype=lib.int64) * 2.5),
    ("i64+1", lambda lib: lib.ones(2, dtype=lib.int64) + 1),
    ("bool+1", lambda lib: lib.ones(2, dtype=lib.bool) + 1),
    ("bool*True", lambda lib: lib.ones(2, dtype=lib.bool) * True),
    ("f32*f64_0d", lambda lib: lib.ones(2) * lib.tensor(2.0, dtype=lib.float64)),
    ("f32*f64", lambda lib: lib.ones(2) * lib.ones(2, dtype=lib.float64)),
    ("i32+i64", lambda lib: lib.ones(2, dtype=lib.int32) + lib.ones(2, dtype=lib.int64)),
    ("u8+i8", lambda lib: lib.ones(2, dtype=lib.uint8) + lib.ones(2, dtype=lib.int8)),
    ("i64_0d+f16", lambda lib: lib.tensor(1) + lib.ones(2, dtype=lib.float16)),
    ("f16+f32_0d", lambda lib: lib.ones(2, dtype=lib.float16) + lib.tensor(1.0)),
    ("i32/i32", lambda lib: lib.ones(2, dtype=lib.int32) / lib.ones(2, dtype=lib.int32)),
    ("i64//2", lambda lib: lib.arange(5) // 2),
    ("i64**2", lambda lib: lib.arange(5) ** 2),
    ("i64 mean err?", lambda lib: lib.arange(5).sum()),
    ("cmp", lambda lib: lib.arange(5) > 2),
    ("where", lambda lib: lib.where(lib.arange(3) > 1, lib.ones(3), 0.0)),
    ("exp int", lambda lib: lib.arange(3).exp()),
    ("cat mixed", lambda lib: lib.cat([lib.ones(2), lib.ones(2, dtype=lib.float64)])),
]


@needs_torch
@pytest.mark.parametrize("name,fn", PROMOTION_CASES, ids=[c[0] for c in PROMOTION_CASES])
def test_promotion_matches_torch(name, fn):
    a, b = fn(torch), fn(ember)
    assert str(a.dtype) == repr(b.dtype)
    np.testing.assert_allclose(b.numpy().astype(np.float64), a.numpy().astype(np.float64))


def test_from_numpy_shares_memory():
    a = np.arange(4.0)
    t = ember.from_numpy(a)
    a[0] = 10
    assert t[0].item() == 10
    t[1] = 20
    assert a[1] == 20


def test_attributes_and_conversions():
    x = ember.arange(6.0).reshape(2, 3)
    assert x.shape == (2, 3) and repr(x.shape) == "torch.Size([2, 3])"
    assert x.size(1) == 3 and x.size(-1) == 3 and x.dim() == 2 and x.ndim == 2
    assert x.numel() == 6 and len(x) == 2
    assert x.T.shape == (3, 2) and x.mT.shape == (3, 2)
    assert x.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert x[1, 2].item() == 5.0 and isinstance(x[1, 2].item(), float)
    assert x.long().dtype is ember.int64 and x.double().dtype is ember.float64
    assert x.to(ember.float16).dtype is ember.float16 and x.half().dtype is ember.float16
    assert x.type() == "torch.FloatTensor" and x.long().type() == "torch.LongTensor"
    assert x.to("cpu") is x and str(x.device) == "cpu"
    assert x.is_contiguous() and not x.t().is_contiguous() and x.t().contiguous().is_contiguous()
    assert x.stride() == (3, 1)
    assert float(ember.tensor(2.5)) == 2.5 and int(ember.tensor(3)) == 3
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        x.to("cuda")  # what CPU torch raises
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        x.item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(x)


def test_data_attribute_legacy_update():
    w = ember.ones(3, requires_grad=True)
    (w * 2).sum().backward()
    w.data -= 0.5 * w.grad.data
    np.testing.assert_allclose(w.detach().numpy(), [0.0, 0.0, 0.0])
    w.grad.data.zero_()
    assert w.grad.abs().sum().item() == 0


def test_creation_functions():
    np.testing.assert_allclose(ember.linspace(0, 1, 5).numpy(), np.linspace(0, 1, 5))
    np.testing.assert_allclose(ember.logspace(0, 2, 3).numpy(), [1, 10, 100], rtol=1e-6)
    assert ember.eye(3, 4).shape == (3, 4)
    assert ember.zeros_like(ember.ones(2, 3, dtype=ember.int32)).dtype is ember.int32
    assert ember.full((2, 2), 1.5).dtype is ember.float32
    assert ember.empty(2, 3).shape == (2, 3)
    assert ember.tensor([[1, 2], [3, 4]]).shape == (2, 2)
    assert ember.tensor([ember.tensor(1.0), ember.tensor(2.0)]).tolist() == [1.0, 2.0]
    with pytest.raises(ValueError):
        ember.tensor([[1, 2], [3]])
    with pytest.raises(RuntimeError, match="negative dimension"):
        ember.zeros(-1)


def test_random_streams_reproducible():
    ember.manual_seed(123)
    a = ember.randn(5)
    ember.manual_seed(123)
    b = ember.randn(5)
    assert ember.equal(a, b)
    g = ember.Generator().manual_seed(7)
    c = ember.rand(3, generator=g)
    assert ((c >= 0) & (c < 1)).all()
    p = ember.randperm(10)
    assert sorted(p.tolist()) == list(range(10)) and p.dtype is ember.int64
    r = ember.randint(0, 5, (100,))
    assert r.min().item() >= 0 and r.max().item() < 5
    s = ember.get_rng_state()
    x1 = ember.rand(2)
    ember.set_rng_state(s)
    assert ember.equal(ember.rand(2), x1)
    m = ember.multinomial(ember.tensor([0.0, 1.0, 0.0]), 4, replacement=True)
    assert m.tolist() == [1, 1, 1, 1]
    bern = ember.bernoulli(ember.full((1000,), 0.3))
    assert 0.2 < bern.mean().item() < 0.4
    n = ember.normal(2.0, 0.5, (2000,))
    assert abs(n.mean().item() - 2.0) < 0.1 and abs(n.std().item() - 0.5) < 0.1


def test_inplace_random_fills_and_version():
    x = ember.zeros(1000)
    v = x._version
    x.uniform_(-1, 1)
    assert x._version == v + 1
    assert -1 <= x.min().item() and x.max().item() <= 1
    x.normal_(0, 2)
    assert 1.5 < x.std().item() < 2.5


@needs_torch
def test_repr_matches_torch():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4)).astype(np.float32)
    for build in (lambda lib: lib.tensor(a),
                  lambda lib: lib.tensor(a, requires_grad=True),
                  lambda lib: lib.tensor(a, requires_grad=True) * 2,
                  lambda lib: lib.tensor(a.astype(np.float64)),
                  lambda lib: lib.arange(5),
                  lambda lib: lib.tensor([True, False]),
                  lambda lib: lib.zeros(0, 3),
                  lambda lib: lib.tensor(3.5)):
        assert repr(build(ember)) == repr(build(torch))


def test_import_is_fast_and_light():
    import subprocess
    import sys
    code = ("import sys, ember; heavy = [m for m in ('matplotlib', 'scipy', 'tqdm', 'torch', "
            "'graphviz', 'safetensors') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
