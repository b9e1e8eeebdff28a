"""FractionalMaxPool2d/3d (and F.fractional_max_pool*) and nn.CrossMapLRN2d against torch:
bit-equal outputs and indices with given samples, the same samples from the same seed, the
gradients, module reprs and errors."""
import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")

CASES = [(2, (2, 3, 9, 11), (2, 3), (4, 5)), (2, (3, 7, 7), 3, (3, 3)),
         (3, (2, 2, 6, 7, 8), (2, 2, 3), (3, 4, 3)), (2, (2, 3, 9, 11), 2, (8, 10)),
         (3, (2, 5, 5, 5), 2, (3, 3, 3))]


@needs_torch
@pytest.mark.parametrize("nd,shape,k,o", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fractional_with_samples_bit_equal(nd, shape, k, o, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    x.reshape(-1)[::7] = x.reshape(-1)[3]  # ties: the first maximum wins
    n = 1 if len(shape) == nd + 1 else shape[0]
    s = rng.random((n, shape[-nd - 1], nd)).astype(dtype)
    name = f"fractional_max_pool{nd}d"
    res = []
    for lib in (ember, torch):
        xt = lib.tensor(x, requires_grad=True)
        out, idx = getattr(lib.nn.functional, name)(xt, k, o, return_indices=True,
                                                    _random_samples=lib.tensor(s))
        (out * out).sum().backward()
        res.append((out.detach().numpy(), idx.numpy(), xt.grad.numpy(),
                    type(out.grad_fn).__name__, str(idx.dtype)))
    (eo, ei, eg, en, ed), (to, ti, tg, tn, td) = res
    np.testing.assert_array_equal(eo, to)
    np.testing.assert_array_equal(ei, ti)
    np.testing.assert_array_equal(eg, tg)
    assert (en, ed) == (tn, td)


@needs_torch
def test_fractional_nan_and_random_samples_from_the_seed():
    x = np.random.default_rng(1).standard_normal((2, 3, 8, 8)).astype(np.float32)
    x[0, 0, 1, 1] = x[0, 0, 2, 2] = np.nan
    res = []
    for lib in (ember, torch):
        lib.manual_seed(7)
        m = lib.nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.5), return_indices=True)
        a, ai = m(lib.tensor(x))
        b = lib.nn.functional.fractional_max_pool3d(lib.tensor(x), 2, output_ratio=0.5)
        res.append((a.numpy(), ai.numpy(), b.numpy(), repr(m), list(m.state_dict())))
    np.testing.assert_array_equal(res[0][0], res[1][0])
    np.testing.assert_array_equal(res[0][1], res[1][1])
    np.testing.assert_array_equal(res[0][2], res[1][2])
    assert res[0][3:] == res[1][3:]


@needs_torch
def test_fractional_errors():
    cases = [lambda lib: lib.nn.functional.fractional_max_pool2d(lib.randn(1, 2, 5, 5), 4, 3),
             lambda lib: lib.nn.functional.fractional_max_pool2d(lib.randn(5, 5), 2, 2),
             lambda lib: lib.nn.functional.fractional_max_pool2d(
                 lib.randn(1, 2, 5, 5), 2, 2, _random_samples=lib.rand(1, 3, 2)),
             lambda lib: lib.nn.functional.fractional_max_pool2d(
                 lib.randn(1, 2, 5, 5), 2, 2, _random_samples=lib.rand(1, 2, 3)),
             lambda lib: lib.nn.functional.fractional_max_pool2d(
                 lib.randn(1, 2, 5, 5).double(), 2, 2, _random_samples=lib.rand(1, 2, 2)),
             lambda lib: lib.nn.functional.fractional_max_pool3d(lib.randn(1, 2, 5, 5, 5), 4,
                                                                 3),
             lambda lib: lib.nn.functional.fractional_max_pool3d(lib.randn(2, 5, 5, 5), 2, 4),
             lambda lib: lib.nn.functional.fractional_max_pool2d(lib.randn(1, 2, 5, 5), 2),
             lambda lib: lib.nn.FractionalMaxPool2d(2),
             lambda lib: lib.nn.FractionalMaxPool2d(2, 2, 0.5),
             lambda lib: lib.nn.FractionalMaxPool3d(2, output_ratio=1.5)]
    for case in cases:
        msgs = []
        for lib in (ember, torch):
            with pytest.raises(Exception) as e:
                case(lib)
            msgs.append((type(e.value).__name__, str(e.value)))
        assert msgs[0] == msgs[1]


@needs_torch
@pytest.mark.parametrize("size,alpha,beta,k", [(3, 0.1, 0.75, 1), (5, 1e-2, 0.5, 2.0),
                                              (2, 0.3, 0.9, 1)])
def test_cross_map_lrn2d(size, alpha, beta, k):
    x = np.random.default_rng(2).standard_normal((2, 6, 3, 4))
    res = []
    for lib in (ember, torch):
        m = lib.nn.CrossMapLRN2d(size, alpha, beta, k)
        xt = lib.tensor(x, requires_grad=True)
        y = m(xt)
        (y * y).sum().backward()
        res.append((y.detach().numpy(), xt.grad.numpy(), repr(m), type(y.grad_fn).__name__))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-13)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-12, atol=1e-14)
    assert res[0][2:] == res[1][2:]
    for lib in (ember, torch):
        with pytest.raises(ValueError, match="CrossMapLRN2d: Expected input to be 4D, got 3D"):
            lib.nn.CrossMapLRN2d(3)(lib.randn(2, 3, 4))
