"""torch.signal.windows against torch: values, dtypes, shapes, requires_grad and errors."""
import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")

WINDOWS = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "hamming", "hann",
           "kaiser", "nuttall"]


@needs_torch
@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_windows(name, dtype):
    for M in (0, 1, 2, 5, 8, 33):
        for sym in (True, False):
            e = getattr(ember.signal.windows, name)(M, sym=sym, dtype=getattr(ember, dtype))
            t = getattr(torch.signal.windows, name)(M, sym=sym, dtype=getattr(torch, dtype))
            assert str(e.dtype) == str(t.dtype) and tuple(e.shape) == tuple(t.shape)
            np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=2e-6, atol=2e-7)


@needs_torch
def test_window_arguments_and_errors():
    W = (ember.signal.windows, torch.signal.windows)
    for e_mod, t_mod in [W]:
        pairs = [(e_mod.gaussian(7, std=2.5), t_mod.gaussian(7, std=2.5)),
                 (e_mod.kaiser(9, beta=4.0, sym=False), t_mod.kaiser(9, beta=4.0, sym=False)),
                 (e_mod.exponential(6, center=1.5, tau=2.0, sym=False),
                  t_mod.exponential(6, center=1.5, tau=2.0, sym=False)),
                 (e_mod.general_hamming(8, alpha=0.6), t_mod.general_hamming(8, alpha=0.6)),
                 (e_mod.general_cosine(6, a=[0.5, 0.3, 0.2], requires_grad=True),
                  t_mod.general_cosine(6, a=[0.5, 0.3, 0.2], requires_grad=True))]
        for a, b in pairs:
            assert a.requires_grad == b.requires_grad
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6)
    for call in [lambda m, lib: m.hann(-1), lambda m, lib: m.gaussian(4, std=0),
                 lambda m, lib: m.hann(4, dtype=lib.int64),
                 lambda m, lib: m.exponential(4, center=1.0),
                 lambda m, lib: m.kaiser(4, beta=-1.0),
                 lambda m, lib: m.general_cosine(4, a=[])]:
        msgs = []
        for m, lib in ((W[0], ember), (W[1], torch)):
            with pytest.raises(ValueError) as e:
                call(m, lib)
            msgs.append(str(e.value).replace("torch.", "").replace("ember.", ""))
        assert msgs[0] == msgs[1]


@needs_torch
def test_stft_with_a_signal_window():
    """The use in real programs: a periodic Hann window for the STFT."""
    x = np.random.default_rng(0).standard_normal(256).astype(np.float32)
    res = [lib.stft(lib.tensor(x), 64, window=lib.signal.windows.hann(64, sym=False),
                    return_complex=True).abs().numpy() for lib in (ember, torch)]
    np.testing.assert_allclose(res[0], res[1], rtol=1e-4, atol=1e-4)
