"""torch.stft and torch.istft (issue 13), composed as torch composes them (``SpectralOps.cpp``):
frames cut from the (centre-padded) signal by ``as_strided``, windowed, transformed by the fft ops
of ``ember._ops.fft``; istft transforms back, windows, overlap-adds (``index_add``) and divides
by the overlap-added squared window.  Every step is a differentiable ember op, so both have
gradients.
"""
from __future__ import annotations

import warnings

from .._backend import xp
from .._tensor import Tensor, _make
from ..autograd.function import _apply
from . import fft as _fft

__all__ = ["stft", "istft"]
TENSOR_METHODS = ["stft", "istft"]
NO_INPLACE = ("stft", "istft")

_STFT_REAL_WARNED = [False]


def _return_complex(input: Tensor, window: Tensor | None, return_complex: bool | None) -> bool:
    """stft's ``return_complex``: required for real inputs; False is deprecated (warned once)."""
    is_c = input.is_complex() or (window is not None and window.is_complex())
    ret_c = is_c if return_complex is None else return_complex
    if not ret_c:
        if return_complex is None:
            raise RuntimeError("stft requires the return_complex parameter be given for real "
                               "inputs, and will further require that return_complex=True in a "
                               "future PyTorch release.")
        if not _STFT_REAL_WARNED[0]:
            _STFT_REAL_WARNED[0] = True
            warnings.warn("stft with return_complex=False is deprecated. In a future pytorch "
                          "release, stft will return complex tensors for all inputs, and "
                          "return_complex=False will raise an error.\nNote: you can still "
                          "call torch.view_as_real on the complex output to recover the old "
                          "return format.", UserWarning, stacklevel=3)
    return ret_c


def _padded_window(window: Tensor | None, win_length: int, n_fft: int, like: Tensor) -> Tensor:
    """The window (ones without one) centred in ``n_fft`` points by zeros."""
    from .pad import ConstantPadNd
    if window is None:
        window = _make(xp.ones(win_length, like._array.real.dtype), False, None, 0, None)
    if win_length == n_fft:
        return window
    left = (n_fft - win_length) // 2
    return _apply(ConstantPadNd, (window, ((left, n_fft - win_length - left),), 0), {}, None)


def stft(input: Tensor, n_fft: int, hop_length: int | None = None, win_length: int | None = None,
         window: Tensor | None = None, center: bool = True, pad_mode: str = "reflect",
         normalized: bool = False, onesided: bool | None = None,
         return_complex: bool | None = None, align_to_window: bool | None = None) -> Tensor:
    """Short-time Fourier transform: the Fourier transforms of windowed, overlapping frames of a
    1-D signal (or a batch of them), shape ``(B?, n_fft // 2 + 1 or n_fft, frames)``."""
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    if align_to_window:
        raise NotImplementedError("ember's stft does not support align_to_window=True yet")
    if center:
        from ..nn.functional import pad
        ndim = input.ndim
        pad_amount = n_fft // 2
        ext = input.view(*([1] * (3 - ndim) + list(input.shape)))
        input = pad(ext, [pad_amount, pad_amount], pad_mode)
        input = input.view(*input.shape[-ndim:] if ndim else ())
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    ret_c = _return_complex(input, window, return_complex)
    def fail(msg: str) -> RuntimeError:
        def b(v: bool | None) -> str:
            return "None" if v is None else str(int(v))
        return RuntimeError(f"stft({_ttype(input)}, n_fft={n_fft}, hop_length={hop}, "
                            f"win_length={win}, window={_ttype(window, '{', '}')}, "
                            f"normalized={b(normalized)}, onesided={b(onesided)}, "
                            f"return_complex={b(return_complex)}, align_to_window="
                            f"{b(align_to_window)}) : {msg}")
    if not (input.is_floating_point() or input.is_complex()):
        raise fail("expected a tensor of floating point or complex values")
    if input.ndim not in (1, 2):
        raise fail("expected a 1D or 2D tensor")
    x = input.unsqueeze(0) if input.ndim == 1 else input
    batch, length = x.shape
    if n_fft <= 0 or n_fft > length:
        raise fail(f"expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop <= 0:
        raise fail(f"expected hop_length > 0, but got hop_length={hop}")
    if win <= 0 or win > n_fft:
        raise fail(f"expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is not None and (window.ndim != 1 or window.shape[0] != win):
        raise fail(f"expected a 1D window tensor of size equal to win_length={win}, but got "
                   f"window with size {list(window.shape)}")
    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied,which is "
                      "known to cause spectral leakage. Other windows such as torch.hann_window "
                      "or torch.hamming_window are recommended to reduce spectral leakage.To "
                      "suppress this warning and use a rectangular window, explicitly set "
                      "`window=torch.ones(n_fft, device=<device>)`.", UserWarning, stacklevel=2)
    w = None if window is None and win == n_fft else _padded_window(window, win, n_fft, x)
    frames = 1 + (length - n_fft) // hop
    s0, s1 = x.stride()
    x = x.as_strided((batch, frames, n_fft), (s0, hop * s1, s1),  # type: ignore[attr-defined]
                     x.storage_offset())  # type: ignore[attr-defined]
    if w is not None:
        x = x * w
    complex_fft = x.is_complex()
    side = (not complex_fft) if onesided is None else onesided
    mode = 1 if normalized else 0
    if complex_fft:
        if side:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        out = _apply(_fft.FftC2C, (x, (2,), mode, True), {}, None)
    else:
        out = _apply(_fft.FftR2C, (x, (2,), mode, side), {}, None)
    out = out.transpose(1, 2)
    if input.ndim == 1:
        out = out.squeeze(0)
    if ret_c:
        return out
    from .complex import view_as_real
    return view_as_real(out)


def istft(input: Tensor, n_fft: int, hop_length: int | None = None,
          win_length: int | None = None, window: Tensor | None = None, center: bool = True,
          normalized: bool = False, onesided: bool | None = None, length: int | None = None,
          return_complex: bool = False) -> Tensor:
    """Inverse short-time Fourier transform: the signal whose :func:`stft` is ``input``
    (least-squares overlap-add of the inverse transforms of the frames)."""
    from .complex import view_as_complex, view_as_real
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    if not input.is_complex():
        raise RuntimeError("istft requires a complex-valued input tensor matching the output "
                           "from stft with return_complex=True.")
    x = view_as_real(input)
    ndim = x.ndim
    frames, fft_size = x.shape[-2], x.shape[-3]
    expected = n_fft + hop * (frames - 1)
    head = _istft_repr(input, n_fft, hop, win, window, center, normalized, onesided, length,
                       return_complex)
    if x.numel() == 0:
        raise RuntimeError(f"{head} : input tensor cannot be empty.")
    if ndim not in (3, 4):
        raise RuntimeError(f"{head} : expected a tensor with 3 or 4 dimensions, but got {ndim}")
    side = (fft_size != n_fft) if onesided is None else onesided
    if side and n_fft // 2 + 1 != fft_size:
        raise RuntimeError(f"{head} : expected the frequency dimension (3rd to the last) of the "
                           f"input tensor to match n_fft / 2 + 1 when onesided=True, but got "
                           f"{fft_size}")
    if not side and n_fft != fft_size:
        raise RuntimeError(f"{head} : expected the frequency dimension (3rd to the last) of the "
                           f"input tensor to match n_fft when onesided=False, but got {fft_size}")
    if not 0 < hop <= win:
        raise RuntimeError(f"{head} : expected 0 < hop_length <= win_length")
    if not 0 < win <= n_fft:
        raise RuntimeError(f"{head} : expected 0 < win_length <= n_fft")
    if window is not None and (window.ndim != 1 or window.shape[0] != win):
        raise RuntimeError(f"{head} : Invalid window shape. window has to be 1D and length of "
                           "`win_length`")
    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied.Please "
                      "provide the same window used by stft to make the inversion lossless.To "
                      "suppress this warning and use a rectangular window, explicitly set "
                      "`window=torch.ones(n_fft, device=<device>)`.", UserWarning, stacklevel=2)
    w = _padded_window(window, win, n_fft, x)
    if ndim == 3:
        x = x.unsqueeze(0)
    z = view_as_complex(x.transpose(1, 2).contiguous())  # (channel, frames, fft_size)
    mode = 1 if normalized else 2
    if return_complex:
        if side:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        y = _apply(_fft.FftC2C, (z, (2,), mode, False), {}, None)
    else:
        if window is not None and window.is_complex():
            raise RuntimeError("Complex windows are incompatible with return_complex=False")
        if not side:
            z = z.narrow(-1, 0, n_fft // 2 + 1)
        y = _apply(_fft.FftC2R, (z, (2,), mode, n_fft), {}, None)
    y = _overlap_add(y * w.view(1, 1, n_fft), expected, hop)
    env = _overlap_add((w * w).view(1, 1, n_fft).expand(1, frames, n_fft), expected, hop)
    start = n_fft // 2 if center else 0
    end = start + length if length is not None else (expected - n_fft // 2 if center
                                                      else expected)
    stop = min(end, expected)
    y = y.narrow(1, start, max(stop - start, 0))
    env = env.narrow(1, start, max(stop - start, 0))
    if bool((env.abs() < 1e-11).any()):
        raise RuntimeError(f"{head} window overlap add min: 1\n[ CPUBoolType{{}} ]")
    y = y / env
    if ndim == 3:
        y = y.squeeze(0)
    if end > expected:
        warnings.warn("The length of signal is shorter than the length parameter. Result is "
                      "being padded with zeros in the tail. Please check your center and "
                      "hop_length settings.", UserWarning, stacklevel=2)
        from ..nn.functional import pad
        y = pad(y, [0, end - expected])
    return y


def _overlap_add(frames: Tensor, total: int, hop: int) -> Tensor:
    """torch's ``unfold_backward``: frame t of (channel, frames, n) added at t * hop."""
    c, t, n = frames.shape
    idx = (xp.arange(t)[:, None] * hop + xp.arange(n)[None, :]).reshape(-1)
    out = _make(xp.zeros((c, total), frames._array.dtype), False, None, 0, None)
    index = _make(idx.astype(xp.int64), False, None, 0, None)
    return out.index_add(1, index, frames.reshape(c, t * n))



def _istft_repr(input: Tensor, n_fft: int, hop: int, win: int, window: Tensor | None,
                center: bool, normalized: bool, onesided: bool | None, length: int | None,
                return_complex: bool) -> str:
    """How torch's istft spells its call at the head of its messages."""
    def b(v: bool | None) -> str:
        return "None" if v is None else str(int(v))
    return (f"istft(CPU{input.dtype.scalar_name}Type[{', '.join(map(str, input.shape))}], "
            f"n_fft={n_fft}, hop_length={hop}, win_length={win}, "
            f"window={_ttype(window, '{', '}')}, center={b(center)}, "
            f"normalized={b(normalized)}, onesided={b(onesided)}, length={length}, "
            f"return_complex={b(return_complex)})")


def _ttype(t: Tensor | None, lb: str = "", rb: str = "") -> str:
    """torch's legacy spelling of a tensor in messages: ``torch.FloatTensor[2, 3]``."""
    if t is None:
        return "None"
    return f"torch.{t.dtype.scalar_name}Tensor{lb}[{', '.join(map(str, t.shape))}]{rb}"
