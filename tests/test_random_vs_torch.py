"""ember's random numbers are PyTorch's: the same Mersenne Twister, seeded the same way, and
each distribution drawn by the formula of torch's CPU kernel, so that after ``manual_seed`` a
program sees torch's numbers (initial weights, dropout masks, shuffled batches).

Exact equality everywhere (float32 ``randn`` of 16+ values follows torch's AVX2 kernel; on a
CPU where torch picks its AVX-512 kernels those are compared at rtol 1e-6). Dropout and
``bernoulli_(p)`` are compared only on CPUs whose vendor is not Intel: there torch draws them
from MKL's stream (documented in ember/_random.py).
"""
import subprocess
import sys

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")


def _intel():
    try:
        with open("/proc/cpuinfo") as f:
            return "GenuineIntel" in f.read(4096)
    except OSError:
        return False


not_on_intel = pytest.mark.skipif(_intel(), reason="torch draws bernoulli_(p) from MKL on Intel")


def _np(x):
    if isinstance(x, (list, tuple)):
        return [_np(v) for v in x]
    return np.asarray(x.detach().numpy())


def both(fn, seed=0):
    ember.manual_seed(seed)
    a = fn(ember)
    torch.manual_seed(seed)
    b = fn(torch)
    return a, b


def assert_same(a, b, rtol=0.0):
    a, b = _np(a), _np(b)
    if isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same_arrays(x, y, rtol)
    else:
        assert_same_arrays(a, b, rtol)


def assert_same_arrays(x, y, rtol):
    assert x.shape == y.shape and x.dtype == y.dtype, (x.shape, x.dtype, y.shape, y.dtype)
    if rtol:
        np.testing.assert_allclose(x, y, rtol=rtol, atol=rtol)
    else:
        np.testing.assert_array_equal(x, y)


@needs_torch
@pytest.mark.parametrize("seed", [0, 1, 42, 2**32 + 7, 2**63 + 5, -3])
@pytest.mark.parametrize("case", [
    lambda L: L.rand(7),
    lambda L: L.rand(3, 40, dtype=L.float64),
    lambda L: L.rand(5, dtype=L.float16),
    lambda L: L.randn(15),
    lambda L: L.randn(4, dtype=L.float64),
    lambda L: L.randn(33, dtype=L.float64),
    lambda L: [L.randn(3), L.randn(3), L.randn(1, dtype=L.float64)],  # the cached pair value
    lambda L: L.randint(0, 10, (20,)),
    lambda L: L.randint(-5, 2**40, (9,)),
    lambda L: L.randint(3, 200, (6,), dtype=L.uint8),
    lambda L: L.randperm(1),
    lambda L: L.randperm(50),
    lambda L: L.randperm(7, dtype=L.int32),
    lambda L: L.empty(19, dtype=L.float64).uniform_(-2.5, 3.25),
    lambda L: L.empty(4, 6).uniform_(-0.44721359549995793, 0.44721359549995793),
    lambda L: L.empty(6, 4).t().uniform_(),
    lambda L: L.empty(5, 7).t().normal_(0.5, 2.0),
    lambda L: L.empty(3, 40, dtype=L.float64).normal_(-1.0, 0.25),
    lambda L: L.empty(12).exponential_(1.5),
    lambda L: L.empty(12, dtype=L.float64).geometric_(0.2),
    lambda L: L.empty(12, dtype=L.float64).cauchy_(1.0, 3.0),
    lambda L: L.empty(12, dtype=L.float64).log_normal_(0.0, 0.5),
    lambda L: L.bernoulli(L.linspace(0, 1, 25)),
    lambda L: L.bernoulli(L.linspace(0, 1, 25, dtype=L.float64)),
    lambda L: L.empty(8, 3).bernoulli_(L.rand(3)),
    lambda L: [L.empty(6, dtype=d).random_() for d in (L.int64, L.int32, L.int16, L.uint8,
                                                        L.bool, L.float32, L.float64)],
    lambda L: L.empty(10).random_(3, 9),
    lambda L: L.empty(10, dtype=L.int64).random_(100),
    lambda L: L.normal(L.zeros(3), L.ones(3) * 2),
    lambda L: L.normal(1.0, L.ones(5)),
    lambda L: L.normal(2.0, 3.0, (4,)),
    lambda L: L.multinomial(L.tensor([0.1, 0.5, 0.4]), 2),
    lambda L: L.multinomial(L.tensor([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4]]), 9, replacement=True),
    lambda L: L.multinomial(L.rand(4, 30), 1),
    lambda L: L.poisson(L.tensor([0.0, 0.5, 3.0, 12.0, 40.0, 250.0])),
    lambda L: [L.rand(2), L.Generator().manual_seed(5).initial_seed(), L.rand(2)],
])
def test_distributions_match_torch(case, seed):
    a, b = both(lambda L: case(L), seed)
    if isinstance(a, list):
        a = [x if isinstance(x, ember.Tensor) else ember.tensor(x) for x in a]
        b = [x if isinstance(x, torch.Tensor) else torch.tensor(x) for x in b]
    assert_same(a, b)


@needs_torch
@pytest.mark.parametrize("case", [
    lambda L: L.randn(40),
    lambda L: L.randn(3, 17),
    lambda L: L.empty(64).normal_(0.5, 2.0),
    lambda L: L.normal(L.arange(20.0), 0.5),
])
def test_float32_normal_fill_matches_torch(case):
    a, b = both(case, 11)
    avx2 = torch.backends.cpu.get_cpu_capability() == "AVX2"
    assert_same(a, b, rtol=0 if avx2 else 1e-6)
    # and the stream stays in step: what follows is exactly torch's
    assert_same(ember.rand(5), torch.rand(5))


@needs_torch
def test_generators_are_independent_streams():
    g1, g2 = ember.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    ember.manual_seed(9)
    torch.manual_seed(9)
    assert_same(ember.rand(4, generator=g1), torch.rand(4, generator=g2))
    assert_same(ember.randn(4), torch.randn(4))
    assert_same(ember.randperm(9, generator=g1), torch.randperm(9, generator=g2))
    assert g1.initial_seed() == g2.initial_seed() == 3


@needs_torch
@pytest.mark.parametrize("draws", [0, 1, 623, 624, 625, 2000])
def test_rng_state_bytes_equal_torch(draws):
    ember.manual_seed(123)
    torch.manual_seed(123)
    ember.rand(draws)
    torch.rand(draws)
    ember.randn(1, dtype=ember.float64)  # leaves a cached normal
    torch.randn(1, dtype=torch.float64)
    s = ember.get_rng_state()
    t = torch.get_rng_state()
    assert s.dtype == ember.uint8 and tuple(s.shape) == (5056,)
    np.testing.assert_array_equal(s.numpy(), t.numpy())
    # torch's state loads into ember and continues torch's stream
    torch.rand(17)
    ember.set_rng_state(ember.tensor(torch.get_rng_state().numpy()))
    assert_same(ember.randn(3, dtype=ember.float64), torch.randn(3, dtype=torch.float64))


@needs_torch
def test_seed_and_state_errors_match_torch():
    for bad in [2**64, -2**63 - 1]:
        with pytest.raises(ValueError, match="Overflow"):
            torch.manual_seed(bad)
        with pytest.raises(ValueError, match="Overflow"):
            ember.manual_seed(bad)
    with pytest.raises(RuntimeError, match="size 5056 but found the input RNG state size to be"):
        ember.set_rng_state(ember.zeros(10, dtype=ember.uint8))
    with pytest.raises(TypeError, match="RNG state must be a torch.ByteTensor"):
        ember.set_rng_state(ember.zeros(5056))
    assert ember.manual_seed(-1).initial_seed() == torch.manual_seed(-1).initial_seed()


@needs_torch
@pytest.mark.parametrize("make", [
    lambda L: L.nn.Linear(7, 5),
    lambda L: L.nn.Conv2d(3, 4, 3),
    lambda L: L.nn.ConvTranspose1d(2, 3, 4),
    lambda L: L.nn.Embedding(11, 6),
    lambda L: L.nn.LSTM(4, 5, num_layers=2, bidirectional=True),
    lambda L: L.nn.GRU(3, 4),
    lambda L: L.nn.MultiheadAttention(8, 2),
    lambda L: L.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16),
    lambda L: L.nn.Sequential(L.nn.Linear(3, 4), L.nn.ReLU(), L.nn.Linear(4, 2)),
])
def test_layers_initialise_to_torchs_weights(make):
    a, b = both(make, 1234)
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for k in sa:
        assert_same(sa[k], sb[k])


@needs_torch
@pytest.mark.parametrize("init", [
    lambda L, w: L.nn.init.xavier_normal_(w),
    lambda L, w: L.nn.init.kaiming_normal_(w),
    lambda L, w: L.nn.init.trunc_normal_(w, std=0.02),
    lambda L, w: L.nn.init.trunc_normal_(w, mean=0.1, std=1.0, a=-0.5, b=0.3),
    lambda L, w: L.nn.init.orthogonal_(w),
    lambda L, w: L.nn.init.sparse_(w, 0.5),
    lambda L, w: L.nn.init.normal_(w, 0.0, 0.02),
])
def test_init_functions_match_torch(init):
    a, b = both(lambda L: init(L, L.empty(6, 5)), 7)
    assert_same(a, b, rtol=2e-6)


@needs_torch
@not_on_intel
@pytest.mark.parametrize("case", [
    lambda L: L.nn.functional.dropout(L.ones(40), 0.3),
    lambda L: L.nn.Dropout(0.5)(L.ones(4, 6)),
    lambda L: L.nn.Dropout2d(0.5)(L.ones(2, 5, 3, 3)),
    lambda L: L.nn.functional.alpha_dropout(L.ones(30), 0.2, training=True),
    lambda L: L.empty(30).bernoulli_(0.25),
    lambda L: L.bernoulli(L.ones(12), 0.5),
])
def test_dropout_masks_match_torch(case):
    a, b = both(case, 21)
    assert_same(a, b, rtol=1e-7)


@needs_torch
def test_rrelu_training_noise_matches_torch():
    x = np.linspace(-2, 2, 24).astype(np.float32)
    a, b = both(lambda L: L.nn.functional.rrelu(L.tensor(x), training=True), 5)
    assert_same(a, b, rtol=1e-7)


@needs_torch
@pytest.mark.parametrize("kw", [dict(shuffle=True), dict(shuffle=True, drop_last=True),
                                dict(sampler="replacement")])
def test_dataloader_order_matches_torch(kw):
    def run(L):
        data = L.utils.data.TensorDataset(L.arange(45))
        kw2 = dict(kw)
        if kw2.pop("sampler", None):
            kw2["sampler"] = L.utils.data.RandomSampler(data, replacement=True, num_samples=70)
        out = []
        for _ in range(2):
            out += [b[0].tolist() for b in L.utils.data.DataLoader(data, batch_size=8, **kw2)]
        return out, L.rand(2).tolist()
    ember.manual_seed(3)
    a = run(ember)
    torch.manual_seed(3)
    b = run(torch)
    assert a == b


@needs_torch
def test_random_split_and_subset_sampler_match_torch():
    def run(L):
        parts = L.utils.data.random_split(range(20), [0.25, 0.75])
        g = L.Generator().manual_seed(8)
        sub = list(L.utils.data.SubsetRandomSampler([3, 5, 7, 9, 11], generator=g))
        return [list(p.indices) for p in parts], sub
    ember.manual_seed(4)
    a = run(ember)
    torch.manual_seed(4)
    b = run(torch)
    assert a == b


@needs_torch
def test_default_seeds_follow_torch():
    """A new Generator starts from torch's fixed seed; the default one is seeded from the
    operating system at startup (two fresh processes differ), as in torch."""
    assert ember.Generator().initial_seed() == torch.Generator().initial_seed() == 67280421310721
    assert_same(ember.rand(4, generator=ember.Generator()),
                torch.rand(4, generator=torch.Generator()))
    code = "import ember; print(ember.initial_seed(), ember.rand(2).tolist())"
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)}
    assert len(outs) == 2


def test_streams_are_reproducible_without_torch():
    ember.manual_seed(5)
    a = [ember.rand(3), ember.randn(20), ember.randperm(6), ember.randint(0, 9, (4,))]
    ember.manual_seed(5)
    b = [ember.rand(3), ember.randn(20), ember.randperm(6), ember.randint(0, 9, (4,))]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    # the values are torch's known ones for seed 0 (torch.manual_seed(0); torch.rand(3))
    ember.manual_seed(0)
    np.testing.assert_array_equal(ember.rand(3).numpy(),
                                  np.array([0.4962566, 0.7682218, 0.08847743], np.float32))


def test_random_fill_nodes_carry_torchs_names():
    for meth, args, name in [("geometric_", (0.3,), "GeometricBackward0"),
                             ("cauchy_", (), "CauchyBackward0"),
                             ("log_normal_", (), "LogNormalBackward0")]:
        x = ember.zeros(3, requires_grad=True) * 1
        getattr(x, meth)(*args)
        assert type(x.grad_fn).__name__ == name


@needs_torch
@pytest.mark.parametrize("e", [2, 3, -1, -2, -0.5])
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_pow_special_exponents_are_torchs_kernels(e, dt):
    """torch computes x**2, x**3, x**-1, x**-2, x**-0.5 as products, reciprocals and sqrt; the
    same formulas give its bits (programs' polynomial features depend on them)."""
    import warnings
    x = np.random.default_rng(0).standard_normal(20000).astype(dt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = (ember.tensor(x) ** e).numpy()
        b = (torch.tensor(x) ** e).numpy()
    np.testing.assert_array_equal(a, b)
