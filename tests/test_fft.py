"""torch.fft and the complex views (issue 13) against torch 2.13: values, dtypes, grad_fn names,
gradients (real and complex leaves), views and errors."""
import itertools
import warnings

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")

_rng = np.random.default_rng(7)
XR = _rng.standard_normal((3, 6))
XR5 = _rng.standard_normal((2, 5))
XC = _rng.standard_normal((3, 6)) + 1j * _rng.standard_normal((3, 6))
XC5 = _rng.standard_normal((3, 5)) + 1j * _rng.standard_normal((3, 5))
X3 = _rng.standard_normal((2, 4, 5))
X3C = X3 + 1j * _rng.standard_normal((2, 4, 5))
INPUTS_1D = {"r": XR, "r5": XR5, "c": XC, "c5": XC5, "r32": XR.astype(np.float32),
             "c64": XC.astype(np.complex64)}


def _run(lib, f, arrs, grad):
    xs = [lib.tensor(a, requires_grad=grad and a.dtype.kind in "fc") for a in arrs]
    y = f(lib, *xs)
    out = y.detach().resolve_conj().numpy()
    grads = None
    if grad:
        w = lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)))
        loss = (y * w).sum()
        if loss.is_complex():  # a real loss of both parts
            loss = lib.view_as_real(loss.reshape(1)).sum()
        loss.backward()
        grads = [x.grad.resolve_conj().numpy() for x in xs]
    return out, grads, type(y.grad_fn).__name__ if grad else None, str(y.dtype)


def _compare(f, *arrs, grad=True):
    try:
        t = _run(torch, f, arrs, grad)
    except Exception as te:  # noqa: BLE001 - torch refuses: ember must refuse alike
        with pytest.raises(type(te)) as ee:
            _run(ember, f, arrs, grad)
        assert str(ee.value) == str(te)
        return
    e = _run(ember, f, arrs, grad)
    single = any(a.dtype in (np.float32, np.complex64) for a in arrs)
    tol = dict(atol=1e-4, rtol=1e-4) if single else dict(atol=1e-9, rtol=1e-9)
    assert e[3] == t[3] and e[2] == t[2]
    assert e[0].shape == t[0].shape
    np.testing.assert_allclose(e[0], t[0], **tol)
    if grad:
        for ge, gt in zip(e[1], t[1]):
            assert ge.dtype == gt.dtype
            np.testing.assert_allclose(ge, gt, **tol)


@needs_torch
@pytest.mark.parametrize("fn", ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"])
@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
def test_one_dimensional_transforms_vs_torch(fn, norm):
    for n, name in itertools.product([None, 3, 6, 10], INPUTS_1D):
        _compare(lambda lib, x: getattr(lib.fft, fn)(x, n=n, norm=norm), INPUTS_1D[name])
    _compare(lambda lib, x: getattr(lib.fft, fn)(x, dim=0, norm=norm), XC)


_ND = [(None, None), ((3, 6), None), ((4,), None), (None, (0, 2)), ((3, 7), (2, 0)),
       ((-1, 4), (1, 2)), (None, (1,))]


@needs_torch
@pytest.mark.parametrize("fn", ["fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn"])
@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
def test_n_dimensional_transforms_vs_torch(fn, norm):
    for (s, dim), x in itertools.product(_ND, (X3, X3C)):
        _compare(lambda lib, x: getattr(lib.fft, fn)(x, s=s, dim=dim, norm=norm), x)
    f2 = fn[:-1] + "2"
    for s, x in itertools.product((None, (3, 6)), (X3, X3C)):
        _compare(lambda lib, x: getattr(lib.fft, f2)(x, s=s, norm=norm), x)


@needs_torch
def test_integer_input_and_dtypes():
    for fn in ("fft", "rfft", "fftn", "ihfft", "irfft"):
        _compare(lambda lib, x: getattr(lib.fft, fn)(x), np.arange(6).reshape(2, 3), grad=False)
    _compare(lambda lib, x: lib.fft.fft(x), np.ones(4, np.float16), grad=False)


@needs_torch
@pytest.mark.parametrize("call", [
    lambda lib: lib.fft.fft(lib.ones(4), norm="bad"),
    lambda lib: lib.fft.fft(lib.ones(4), n=0),
    lambda lib: lib.fft.fft(lib.ones(4), dim=1),
    lambda lib: lib.fft.fft(lib.tensor(1.0)),
    lambda lib: lib.fft.rfft(lib.ones(4, dtype=lib.cfloat)),
    lambda lib: lib.fft.rfftn(lib.ones(4, dtype=lib.cfloat)),
    lambda lib: lib.fft.ihfft(lib.ones(4, dtype=lib.cfloat)),
    lambda lib: lib.fft.ihfftn(lib.ones(4, dtype=lib.cfloat)),
    lambda lib: lib.fft.irfft(lib.ones(1, dtype=lib.cfloat)),
    lambda lib: lib.fft.fftn(lib.ones(4, 4), s=(2, 3, 4)),
    lambda lib: lib.fft.fftn(lib.ones(4, 4), s=(2, 3), dim=(0,)),
    lambda lib: lib.fft.fftn(lib.ones(4, 4), dim=(0, 0)),
    lambda lib: lib.fft.rfftn(lib.ones(4, 4), dim=()),
    lambda lib: lib.fft.irfftn(lib.ones(4, 4), dim=()),
    lambda lib: lib.fft.fftn(lib.ones(4, 4), s=(0, 3)),
    lambda lib: lib.fft.fft2(lib.ones(4)),
    lambda lib: lib.fft.fftfreq(5, dtype=lib.long),
    lambda lib: lib.fft.fftshift(lib.ones(4), dim=3),
], ids=lambda c: "")
def test_errors_vs_torch(call):
    with pytest.raises(Exception) as te:
        call(torch)
    with pytest.raises(type(te.value)) as ee:
        call(ember)
    assert str(ee.value) == str(te.value)


@needs_torch
def test_frequencies_and_shifts_vs_torch():
    for n, d, dt in itertools.product((1, 2, 5, 8), (1.0, 0.1), (None, "float64", "complex64")):
        for fn in ("fftfreq", "rfftfreq"):
            _compare(lambda lib: getattr(lib.fft, fn)(
                n, d, dtype=None if dt is None else getattr(lib, dt)), grad=False)
    for dim in (None, 0, 1, (0, 1), -1):
        _compare(lambda lib, x: lib.fft.fftshift(x, dim=dim), XR5)
        _compare(lambda lib, x: lib.fft.ifftshift(x, dim=dim), XR5)


@needs_torch
def test_out_argument():
    for lib in (ember, torch):
        out = lib.empty(3, dtype=lib.complex128)
        r = lib.fft.rfft(lib.tensor(XR[0, :4]), out=out)
        assert r is out
    np.testing.assert_allclose(out.numpy(), np.fft.rfft(XR[0, :4]))


@needs_torch
def test_gradcheck_float64_through_transforms():
    x = ember.tensor(XR5, requires_grad=True)
    for f in (lambda x: ember.view_as_real(ember.fft.rfft(x, n=7, norm="ortho")),
              lambda x: ember.fft.irfft(ember.fft.rfft(x) * 1j, n=4),
              lambda x: ember.fft.hfft(ember.fft.ifft(x), n=9),
              lambda x: ember.view_as_real(ember.fft.fft2(x, s=(3, 4)))):
        assert ember.autograd.gradcheck(f, (x,))
        assert ember.autograd.gradgradcheck(f, (x,))


# ---------------------------------------------------------------------- complex numbers


@needs_torch
def test_complex_autograd_vs_torch():
    """Conjugate Wirtinger gradients (complex leaves) and real parts for real leaves."""
    a = XC[0, :4]
    _compare(lambda lib, z: (z * z).abs(), a)
    _compare(lambda lib, z, w: z * w.conj() / (w + 2), a, XC[1, :4])
    _compare(lambda lib, x: (x * (1 + 2j)).abs(), XR[0])
    _compare(lambda lib, x: x.to(lib.complex128) * (2 - 1j), XR[0])
    _compare(lambda lib, z: lib.angle(z), a)
    _compare(lambda lib, x, y: lib.polar(x, y) * lib.complex(y, x), np.abs(XR[0]), XR[1])
    _compare(lambda lib, z: lib.view_as_real(z) * 3, a)
    _compare(lambda lib, x: lib.view_as_complex(x) / 2, XR.reshape(9, 2))
    _compare(lambda lib, z: lib.real(z) + lib.imag(z) * 2, a)
    m1, m2 = XC[:, :4], XC5[:, :4].T.copy()
    _compare(lambda lib, p, q: p @ q, m1, m2)
    _compare(lambda lib, p, q: lib.einsum("ij,jk->ik", p, q) * 1, m1, m2)
    _compare(lambda lib, p, q: lib.einsum("ij,jk->ik", p, q) * 1, m1, m2.real.copy())


@needs_torch
def test_complex_random_bits_are_torchs():
    for fn, dt, shape in itertools.product(("rand", "randn"), ("cfloat", "cdouble"),
                                           ((3,), (5, 7), (20,))):
        ember.manual_seed(3)
        torch.manual_seed(3)
        a = getattr(ember, fn)(*shape, dtype=getattr(ember, dt)).numpy()
        b = getattr(torch, fn)(*shape, dtype=getattr(torch, dt)).numpy()
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def _spectral_training(lib):
    """A Fourier-layer model (rfft2, complex weights on the low modes, irfft2) trained with
    Adam: the losses and the complex weights' gradients after each step."""
    lib.manual_seed(0)
    w = lib.nn.Parameter(0.1 * lib.randn(3, 2, 4, 3, dtype=lib.cfloat))
    conv = lib.nn.Conv2d(3, 2, 1)
    x = lib.randn(2, 3, 8, 6)
    y = lib.sin(x[:, :2] * 2)
    opt = lib.optim.Adam([w, *conv.parameters()], lr=1e-2)
    out = []
    for _ in range(4):
        opt.zero_grad()
        xf = lib.fft.rfft2(x)
        of = lib.zeros(2, 2, 8, 4, dtype=lib.cfloat)
        of[:, :, :4, :3] = lib.einsum("bixy,ioxy->boxy", xf[:, :, :4, :3], w)
        pred = lib.nn.functional.gelu(lib.fft.irfft2(of, s=(8, 6)) + conv(x))
        loss = ((pred - y) ** 2).mean()
        loss.backward()
        opt.step()
        out.append((loss.item(), w.grad.resolve_conj().numpy().copy()))
    return out


@needs_torch
def test_spectral_layer_training_vs_torch():
    for (le, ge), (lt, gt) in zip(_spectral_training(ember), _spectral_training(torch)):
        assert abs(le - lt) < 1e-5
        np.testing.assert_allclose(ge, gt, atol=1e-5, rtol=1e-4)


@needs_torch
def test_complex_views_and_errors():
    z = ember.tensor(XC)
    v = ember.view_as_real(z)
    assert v._base is z and tuple(v.shape) == (3, 6, 2) and v.stride() == (12, 2, 1)
    assert ember.view_as_real(z.t()).stride() == torch.view_as_real(torch.tensor(XC).t()).stride()
    v[0, 0, 1] = 5.0  # writes through
    assert z[0, 0].item().imag == 5.0
    z.real = ember.zeros(3, 6)
    z.imag[1] = 7.0
    assert np.all(z.numpy().real == 0) and np.all(z.numpy()[1].imag == 7)
    c = ember.view_as_complex(ember.tensor(XR.reshape(9, 2)))
    assert c.dtype == ember.complex128 and c._base is not None
    assert ember.real(ember.tensor(XR)) is not None and ember.tensor(XR).real.dtype == ember.float64
    x = ember.ones(2)
    assert x.conj() is x and ember.resolve_conj(x) is x and not x.is_conj() and not x.is_neg()
    zc = ember.tensor(XC).conj()  # materialised: ember never holds a conjugate bit
    assert not zc.is_conj() and zc.resolve_conj() is zc
    assert zc.grad_fn is None and zc.dtype == ember.complex128
    assert ember.isreal(ember.tensor([1 + 0j, 1j])).tolist() == [True, False]
    assert ember.tensor([1.0]).cfloat().dtype == ember.complex64
    assert ember.tensor([1.0]).cdouble().dtype == ember.complex128
    for call in (lambda lib: lib.view_as_real(lib.ones(2)),
                 lambda lib: lib.view_as_complex(lib.ones(2, 3)),
                 lambda lib: lib.view_as_complex(lib.ones(2, 2).t()),
                 lambda lib: lib.view_as_complex(lib.ones(2, 3)[:, :2]),
                 lambda lib: lib.view_as_complex(lib.ones(6)[1:5].view(2, 2)),
                 lambda lib: lib.view_as_complex(lib.ones(3, 2, dtype=lib.long)),
                 lambda lib: lib.view_as_complex(lib.tensor(2.0)),
                 lambda lib: lib.imag(lib.ones(2)),
                 lambda lib: lib.complex(lib.ones(2), lib.ones(2, dtype=lib.double)),
                 lambda lib: lib.complex(lib.ones(2, dtype=lib.long), lib.ones(2, dtype=lib.long)),
                 lambda lib: lib.complex(lib.ones(2), lib.ones(3))):
        with pytest.raises(Exception) as te:
            call(torch)
        with pytest.raises(type(te.value)) as ee:
            call(ember)
        assert str(ee.value) == str(te.value)


@needs_torch
def test_conj_physical_in_place():
    for lib in (ember, torch):
        z = lib.tensor(XC[0])
        assert z.conj_physical_() is z
        np.testing.assert_array_equal(z.numpy(), np.conj(XC[0]))


# ------------------------------------------------------------------------------ stft, istft


def _stft_run(lib, arr, kw, inv):
    x = lib.tensor(arr, requires_grad=True)
    w = None if kw.get("window") is None else lib.tensor(kw["window"])
    kw = {**kw, "window": w}
    y = lib.stft(x, **kw)
    if inv is None:
        loss = (lib.view_as_real(y) * 2).sum() + y.abs().sum()
        r = None
    else:
        r = lib.istft(y, kw["n_fft"], kw["hop_length"], kw["win_length"], w, kw["center"],
                      kw["normalized"], kw["onesided"], **inv)
        loss = (r * lib.tensor(np.cos(np.arange(r.numel())).reshape(tuple(r.shape)))).sum()
    loss.backward()
    return y.detach().numpy(), None if r is None else r.detach().numpy(), x.grad.numpy()


@needs_torch
@pytest.mark.parametrize("center,pad_mode", [(True, "reflect"), (True, "constant"),
                                             (False, "reflect")])
def test_stft_istft_vs_torch(center, pad_mode):
    sig = _rng.standard_normal(64)
    hann = np.hanning(7)[:-1]
    cases = itertools.product([sig, _rng.standard_normal((2, 50)), sig + 1j * sig[::-1]],
                              [(8, None, None, None), (16, 3, 6, hann), (16, 4, None, None)],
                              [False, True], [None, False])
    for arr, (n_fft, hop, wl, win), norm, side in cases:
        if win is None and wl is None:
            win = np.hanning(n_fft + 1)[:-1]
        kw = dict(n_fft=n_fft, hop_length=hop, win_length=wl, window=win, center=center,
                  pad_mode=pad_mode, normalized=norm, onesided=side, return_complex=True)
        for inv in (None, {}, {"length": 40}):
            try:
                t = _stft_run(torch, arr, kw, inv)
            except RuntimeError as te:
                with pytest.raises(RuntimeError) as ee:
                    _stft_run(ember, arr, kw, inv)
                assert str(ee.value) == str(te)
                continue
            e = _stft_run(ember, arr, kw, inv)
            for a, b in zip(e, t):
                if b is not None:
                    assert a.shape == b.shape
                    np.testing.assert_allclose(a, b, atol=1e-9, rtol=1e-9)


@needs_torch
def test_stft_real_output_and_errors():
    sig = _rng.standard_normal(40).astype(np.float32)
    win = np.hanning(16).astype(np.float32)
    outs = []
    for lib in (ember, torch):
        with warnings.catch_warnings():  # (torch and ember warn once per process)
            warnings.simplefilter("ignore")
            outs.append(lib.stft(lib.tensor(sig), 16, window=lib.tensor(win),
                                 return_complex=False).numpy())
    np.testing.assert_allclose(outs[0], outs[1], atol=1e-5)
    for call in (lambda lib: lib.stft(lib.tensor(sig), 16),
                 lambda lib: lib.stft(lib.tensor(sig), 80, window=lib.ones(80),
                                      return_complex=True, center=False),
                 lambda lib: lib.stft(lib.tensor(sig), 16, window=lib.ones(15),
                                      return_complex=True),
                 lambda lib: lib.stft(lib.ones(2, 2, 40), 16, window=lib.ones(16),
                                      return_complex=True, center=False),
                 lambda lib: lib.istft(lib.tensor(sig), 16),
                 lambda lib: lib.istft(lib.ones(5, 3, dtype=lib.cfloat), 16)):
        with pytest.raises(Exception) as te:
            call(torch)
        with pytest.raises(type(te.value)) as ee:
            call(ember)
        assert str(ee.value) == str(te.value)


@needs_torch
@pytest.mark.parametrize("create_graph", [False, True])
def test_real_leaf_through_complex_gets_real_part_of_gradient(create_graph):
    """A real leaf added to a complex tensor: its gradient is the real part of the complex
    one (no ComplexWarning from a cast), with torch's values, dtype and graph."""
    got = []
    for lib in (ember, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        z = lib.tensor(np.array([1 + 1j, 2 - 1j]))
        g, = lib.autograd.grad((x + z).abs().sum(), x, create_graph=create_graph)
        got.append((g.detach().numpy(), str(g.dtype),
                    type(g.grad_fn).__name__ if g.grad_fn else None))
    np.testing.assert_allclose(got[0][0], got[1][0], rtol=1e-6)
    assert got[0][1:] == got[1][1:]
