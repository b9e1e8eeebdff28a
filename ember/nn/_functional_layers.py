"""Functional forms of the heavy layers (torch.nn.functional): convolution, pooling,
normalisation, dropout, embedding, interpolation, pixel shuffle, fold/unfold and attention.

Argument checking and PyTorch's error texts live here; the arithmetic is in the fused ops of
``ember._ops.conv``, ``.pool`` and ``.norm``.
"""
from __future__ import annotations

import math
import warnings

from .. import _autocast as _ac
from .._backend import xp
from .._tensor import Tensor, _make
from ..autograd.function import _apply
from ..autograd.grad_mode import is_grad_enabled
from .._ops import conv as C
from .._ops import attention as A
from .._ops import norm as NO
from .._ops import pool as P
from .._ops import upsample as U
from .._ops._utils import not_implemented
from ._functional_core import _SCALAR_NAMES
from .._dtype import spelling
from .._tensor import bump_version

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "max_pool1d", "max_pool2d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "avg_pool1d", "max_pool3d", "max_pool3d_with_indices",
           "avg_pool3d", "lp_pool3d", "adaptive_max_pool3d", "adaptive_max_pool3d_with_indices",
           "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices", "lp_pool1d", "lp_pool2d", "batch_norm",
           "layer_norm", "group_norm", "instance_norm", "local_response_norm", "dropout",
           "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout",
           "embedding", "embedding_bag", "interpolate", "upsample", "upsample_nearest",
           "upsample_bilinear", "pixel_shuffle", "pixel_unshuffle", "unfold", "fold",
           "scaled_dot_product_attention", "multi_head_attention_forward"]


def _tup(v, n, name="kernel_size"):
    if isinstance(v, Tensor):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        if len(v) == 1:
            return tuple(int(v[0]) for _ in range(n))
        if len(v) != n:
            raise RuntimeError(f"{name} must be an int or a tuple of {n} ints")
        return tuple(int(a) for a in v)
    return (int(v),) * n


def _size_list(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _torch_size(shape):
    return "torch.Size([" + ", ".join(str(s) for s in shape) + "])"


def _batchify(input, nd, name, msg=None):
    """Accept unbatched (nd+1)-D or batched (nd+2)-D input; returns (input, was_unbatched)."""
    d = input.dim()
    if d == nd + 1:
        return input.unsqueeze(0), True
    if d == nd + 2:
        return input, False
    raise RuntimeError(msg or f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                       f"{name}, but got input of size: {_size_list(input.shape)}")


def _same_dtype(input, weight, bias=None):
    if input._array.dtype != weight._array.dtype:
        raise RuntimeError(f"expected scalar type {spelling(input._array.dtype)} "
                           f"but found {spelling(weight._array.dtype)}")
    if bias is not None and bias._array.dtype != input._array.dtype:
        raise RuntimeError(f"Input type ({spelling(input._array.dtype).lower()}) and bias type "
                           f"({spelling(bias._array.dtype).lower()}) should be the same")


# ---------------------------------------------------------------------------------- conv


def _conv_pads(padding, nd, kernel, dilation, stride, name):
    """padding -> (before, after) per spatial axis, flattened, for the op (1-D: a zero-padded
    unit height)."""
    if isinstance(padding, str):
        if padding == "valid":
            p = [(0, 0)] * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            p = []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)
                p.append((total // 2, total - total // 2))
        else:
            raise ValueError(f"Invalid padding string '{padding}', should be one of "
                             "{'valid', 'same'}")
    else:
        p = [(a, a) for a in _tup(padding, nd, "padding")]
        if any(a < 0 for a, _ in p):
            raise RuntimeError("negative padding is not supported")
    if nd == 1:
        p = [(0, 0)] + p
    return sum(p, ())


def _convnd(input, weight, bias, stride, padding, dilation, groups, nd):
    if _ac.on:  # autocast: conv is on torch's lower-precision list
        input, weight, bias = _ac.lower(input, weight, bias)
    name = f"conv{nd}d"
    x, unb = _batchify(input, nd, name)
    if weight.dim() != nd + 2:
        raise RuntimeError(f"Expected {nd + 2}-dimensional input for {nd + 2}-dimensional "
                           f"weight {_size_list(weight.shape)}, but got {x.dim()}-dimensional "
                           f"input of size {_size_list(x.shape)} instead")
    stride, dilation = _tup(stride, nd, "stride"), _tup(dilation, nd, "dilation")
    kernel = tuple(weight.shape[2:])
    ws = tuple(weight.shape)
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if ws[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{_size_list(ws)}] instead")
    if x.shape[1] != ws[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {_size_list(ws)}, expected "
                           f"input{_size_list(x.shape)} to have {ws[1] * groups} channels, but "
                           f"got {x.shape[1]} channels instead")
    if bias is not None and tuple(bias.shape) != (ws[0],):
        raise RuntimeError(f"Given weight of size {_size_list(ws)}, expected bias to be "
                           f"1-dimensional with {ws[0]} elements, but got bias of size "
                           f"{_size_list(bias.shape)} instead")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    pads = _conv_pads(padding, nd, kernel, dilation, stride, name)
    _same_dtype(x, weight, bias)
    spatial = x.shape[2:]
    pp = [(pads[i], pads[i + 1]) for i in range(0, len(pads), 2)][-nd:]
    padded = [s + a + b for s, (a, b) in zip(spatial, pp)]
    eff = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(f"Calculated padded input size per channel: "
                           f"({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, eff))}). Kernel size can't be greater than "
                           "actual input size")
    if nd == 1:
        stride, dilation = (1,) + stride, (1,) + dilation
    out = _apply(C.Conv, (x, weight, bias, stride, pads, dilation, groups), {}, None)
    return out.squeeze(0) if unb else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution over (N, C, D, H, W) or unbatched (C, D, H, W) input."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 3)


def _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation,
                      nd, output_size=None):
    if _ac.on:
        input, weight, bias = _ac.lower(input, weight, bias)
    name = f"conv_transpose{nd}d"
    x, unb = _batchify(input, nd, name)
    stride, dilation = _tup(stride, nd, "stride"), _tup(dilation, nd, "dilation")
    padding, output_padding = _tup(padding, nd, "padding"), _tup(output_padding, nd)
    ws = tuple(weight.shape)
    if x.shape[1] != ws[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {_size_list(ws)}, expected "
                           f"input{_size_list(x.shape)} to have {ws[0]} channels, but got "
                           f"{x.shape[1]} channels instead")
    if ws[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{_size_list(ws)}] instead")
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= s and op >= d:
            raise RuntimeError("output padding must be smaller than either stride or dilation, "
                               f"but got output_padding={_size_list(output_padding)}, "
                               f"stride={_size_list(stride)}, dilation={_size_list(dilation)}")
    _same_dtype(x, weight, bias)
    kernel = ws[2:]
    spatial = x.shape[2:]
    out_sz = [(n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, s, p, d, k, op in
              zip(spatial, stride, padding, dilation, kernel, output_padding)]
    if output_size is not None:
        out_sz = list(output_size)[-nd:]
    if any(o <= 0 for o in out_sz) and (x.shape[0] or any(o < 0 for o in out_sz)):
        # (torch: an empty batch may have an empty output)
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, spatial))}). "
                           f"Calculated output size per channel: "
                           f"({' x '.join(map(str, out_sz))}). Output size is too small")
    if nd == 1:
        stride, dilation, padding, out_sz = (1,) + stride, (1,) + dilation, (0,) + padding, \
            [1] + out_sz
    pads = sum(((p, p) for p in padding), ())
    out = _apply(C.ConvTranspose, (x, weight, bias, stride, pads, dilation, groups,
                                   tuple(out_sz)), {}, None)
    return out.squeeze(0) if unb else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 1)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 2)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """3-D transposed convolution over (N, C, D, H, W) or unbatched (C, D, H, W) input."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 3)


# -------------------------------------------------------------------------------- pooling


def _pool_geometry(x, nd, kernel_size, stride, padding, dilation, ceil_mode, name):
    """Checked 2-D pooling geometry (kernel, stride, padding, dilation, output size) of an
    nd-D pooling of ``x`` (batched or not); 1-D pooling is 2-D pooling of unit height."""
    kernel = _tup(kernel_size, nd)
    stride = kernel if stride is None or (isinstance(stride, (list, tuple)) and not stride) \
        else _tup(stride, nd, "stride")
    padding, dilation = _tup(padding, nd, "padding"), _tup(dilation, nd, "dilation")
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"{name}: kernel_size must be greater than zero, but got "
                           f"kH: {kernel[0]} kW: {kernel[-1]}" if nd == 2 else
                           f"{name} kernel_size must be greater than zero, but got "
                           f"{kernel[0]}")
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"{name}: stride must be greater than zero")
    for p, k, d in zip(padding, kernel, dilation):
        if p > (d * (k - 1) + 1) // 2 if name.startswith("max") else p > k // 2:
            if name.startswith("max") or nd == 3:
                raise RuntimeError(f"pad should be at most half of effective kernel size, but "
                                   f"got pad={p}, kernel_size={k} and dilation={d}")
            raise RuntimeError("pad should be smaller than or equal to half of kernel size, "
                               f"but got padW = {p}, padH = {p}, kW = {k}, kH = {k}")
    spatial = x.shape[-nd:]
    out = tuple(P.pool_out_size(n, k, s, p, d, ceil_mode) for n, k, s, p, d in
                zip(spatial, kernel, stride, padding, dilation))
    if any(o <= 0 for o in out):
        c = x.shape[-nd - 1]
        raise RuntimeError(f"Given input size: ({c}x{'x'.join(map(str, spatial))}). "
                           f"Calculated output size: ({c}x{'x'.join(map(str, out))}). "
                           "Output size is too small")
    if nd == 1:
        return (1,) + kernel, (1,) + stride, (0,) + padding, (1,) + dilation, (1,) + out
    return kernel, stride, padding, dilation, out


def _pool_input(input, nd, name):
    """Check the input's rank (unbatched or batched); the ops take both."""
    d = input.dim()
    if d == nd + 1 or d == nd + 2:
        return
    if nd >= 2:
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for "
                           "input")
    raise RuntimeError(f"{name}: Expected 2D or 3D (batch mode) tensor with optional 0 dim "
                       f"batch size for input, but got:{_size_list(input.shape)}")


def _max_pool(input, nd, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    # torch: max_pool1d is max_pool2d_with_indices between unsqueeze(-2) and squeeze(-2)
    name = f"max_pool{nd}d"
    _pool_input(input, nd, name)
    dt = input._array.dtype
    if dt.kind not in "fc":  # torch: integer max_pool2d only (max_pool1d_impl has none)
        if nd == 1 and not return_indices:
            raise not_implemented("max_pool1d_impl", dt)
        if dt.kind == "b":
            raise not_implemented("max_pool2d", dt)
    kernel, stride, padding, dilation, out = _pool_geometry(
        input, nd, kernel_size, stride, padding, dilation, ceil_mode, name)
    x = input.unsqueeze(-2) if nd == 1 else input
    if nd < 3 and not return_indices and P.tiled_ok(x._array, kernel, stride, padding,
                                                    dilation, out):
        y = _apply(P.MaxPoolTiled, (x, kernel, out), {}, None)
        return y.squeeze(-2) if nd == 1 else y
    op = P.MaxPool3D if nd == 3 else P.MaxPool
    y, idx = _apply(op, (x, kernel, stride, padding, dilation, out), {}, None)
    if nd == 1:
        y, idx = y.squeeze(-2), idx.squeeze(-2)
    return (y, idx) if return_indices else y


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    return _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """3-D max pooling over (N, C, D, H, W) or unbatched (C, D, H, W) input."""
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    """max_pool3d returning (values, flat per-plane indices)."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _avg_pool(input, nd, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    # torch: avg_pool1d is avg_pool2d between unsqueeze(-2) and squeeze(-2)
    name = f"avg_pool{nd}d"
    _pool_input(input, nd, name)
    kernel, stride, padding, _, out = _pool_geometry(input, nd, kernel_size, stride, padding, 1,
                                                     ceil_mode, name)
    hw = (1,) + tuple(input.shape[-1:]) if nd == 1 else tuple(input.shape[-nd:])
    div = P._avg_divisor(hw, out, kernel, stride, padding, count_include_pad, divisor_override)
    dt = input._array.dtype
    if dt.kind not in "fc" and dt != xp.int64:  # torch's avg_pool2d kernel has int64 only
        raise not_implemented(f"avg_pool{max(nd, 2)}d", dt)
    if nd == 1:
        y = _apply(P.AvgPool, (input.unsqueeze(-2), kernel, stride, padding, out, div), {}, None)
        return y.squeeze(-2)
    op = P.AvgPool3D if nd == 3 else P.AvgPool
    return _apply(op, (input, kernel, stride, padding, out, div), {}, None)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    return _avg_pool(input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    return _avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """3-D average pooling over (N, C, D, H, W) or unbatched (C, D, H, W) input."""
    return _avg_pool(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """3-D power-average pooling: (sum over the window of x**p) ** (1/p)."""
    kd, kh, kw = _tup(kernel_size, 3)
    out = avg_pool3d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kd * kh * kw).pow(1.0 / norm_type)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    kw, kh = _tup(kernel_size, 2)
    out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kw * kh).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kernel_size).pow(1.0 / norm_type)


def _adaptive_size(output_size, spatial, nd):
    if isinstance(output_size, (list, tuple)):
        if len(output_size) != nd:
            raise ValueError(f"adaptive_avg_pool{nd}d: output_size must be {nd}")
        return tuple(s if o is None else int(o) for o, s in zip(output_size, spatial))
    return (int(output_size),) * nd


def _adaptive_input(input, nd, name):
    d = input.dim()
    if d not in (nd + 1, nd + 2):
        if nd == 3:
            raise RuntimeError(f"{name}(): Expected 4D or 5D tensor, but got: "
                               f"{_size_list(input.shape)}")
        if nd == 2:
            raise RuntimeError(f"{name}(): Expected 3D or 4D tensor, but got "
                               f"{_size_list(input.shape)}")
        raise RuntimeError(f"{name}(): Expected 2D or 3D tensor, but got "
                           f"{_size_list(input.shape)}")


def _adaptive_avg(input, output_size, nd):
    """torch's adaptive_avg_pool{1,2,3}d: 1-d as 2-d over an unsqueezed axis; an all-ones output
    is the mean over the spatial axes (MeanBackward1, as torch); else the windows as one
    resampling op (AdaptiveAvgPool{2,3}DBackward0), or the strided average pool when
    the windows tile the input exactly."""
    name = f"adaptive_avg_pool{nd}d"
    d = input.dim()
    if nd == 1:
        if not 2 <= d <= 3:
            raise RuntimeError(f"Expected 2 to 3 dimensions, but got {d}-dimensional tensor for "
                               f"argument #1 'self' (while checking arguments for {name})")
        if isinstance(output_size, (list, tuple)) and len(output_size) != 1:
            raise RuntimeError(f"{name}() argument 'output_size' should contain one int (got "
                               f"{len(output_size)})")
        o = output_size[0] if isinstance(output_size, (list, tuple)) else output_size
        return _adaptive_avg(input.unsqueeze(-2), (1, input.shape[-1] if o is None else o),
                             2).squeeze(-2)
    if d not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got "
                           f"{_size_list(input.shape)}")
    spatial = tuple(input.shape[-nd:])
    if isinstance(output_size, (list, tuple)) and len(output_size) != nd:
        raise RuntimeError(f"adaptive_avg_pool{nd}d: output_size must be {nd}")
    out = _adaptive_size(output_size, spatial, nd)
    if any(o < 0 for o in out):
        raise RuntimeError(f"adaptive_avg_pool{nd}d: elements of output_size must be greater "
                           "than or equal to 0 but received {" + ", ".join(map(str, out)) + "}")
    if all(o == 1 for o in out):
        return input.mean(tuple(range(-nd, 0)), keepdim=True)
    dt = input._array.dtype
    if dt.kind != "f" and (nd == 3 or all(out) and input.numel()):  # (2-d: not when empty)
        raise NotImplementedError(f"\"{name}{'_cpu' if nd == 3 else ''}\" not implemented for "
                                  f"'{_SCALAR_NAMES.get(dt.name, dt.name)}'")
    for k, n in enumerate(spatial):
        if n == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {_size_list(input.shape)} with "
                               f"dimension {d - nd + k} being empty")
    if nd == 2 and all(o > 0 and n % o == 0 for n, o in zip(spatial, out)):
        k = tuple(n // o for n, o in zip(spatial, out))
        return _apply(P.AdaptiveAvgPoolDivisible, (input, k, k, (0, 0), out,
                                                   float(math.prod(k))), {}, None)
    ot = U.opmath(dt)
    plan = tuple(U.adaptive_avg_taps(n, o, ot) for n, o in zip(spatial, out))
    op = U.OPS[f"AdaptiveAvgPool{nd}D" + ("" if all(out) else "Empty")]
    return _apply(op, (input,), {"plan": plan, "ot": ot}, None)


def adaptive_avg_pool1d(input, output_size):
    return _adaptive_avg(input, output_size, 1)


def adaptive_avg_pool2d(input, output_size):
    return _adaptive_avg(input, output_size, 2)


def adaptive_avg_pool3d(input, output_size):
    return _adaptive_avg(input, output_size, 3)


def _adaptive_max(input, output_size, return_indices, nd):
    # torch: adaptive_max_pool1d is adaptive_max_pool2d between unsqueeze(-2) and squeeze(-2)
    _adaptive_input(input, nd, f"adaptive_max_pool{nd}d")
    if input._array.dtype.kind not in "fc":
        if nd == 3:
            raise NotImplementedError("\"adaptive_max_pool3d_cpu\" not implemented for "
                                      f"'{_SCALAR_NAMES.get(input._array.dtype.name)}'")
        raise not_implemented("adaptive_max_pool2d", input._array.dtype)
    out = _adaptive_size(output_size, tuple(input.shape[-nd:]), nd)
    if nd == 1:
        y, idx = _apply(P.AdaptiveMaxPool, (input.unsqueeze(-2), (1,) + out), {}, None)
        y, idx = y.squeeze(-2), idx.squeeze(-2)
    else:
        op = P.AdaptiveMaxPool3D if nd == 3 else P.AdaptiveMaxPool
        y, idx = _apply(op, (input, out), {}, None)
    return (y, idx) if return_indices else y


def adaptive_max_pool1d(input, output_size, return_indices=False):
    return _adaptive_max(input, output_size, return_indices, 1)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    return _adaptive_max(input, output_size, return_indices, 2)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """3-D adaptive max pooling to ``output_size`` (None keeps that input size)."""
    return _adaptive_max(input, output_size, return_indices, 3)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    """adaptive_max_pool3d returning (values, flat per-plane indices)."""
    return _adaptive_max(input, output_size, True, 3)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max(input, output_size, True, 1)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max(input, output_size, True, 2)


# --------------------------------------------------------------------------- normalisation


def _arr_like(t, x):
    a = t._array if isinstance(t, Tensor) else xp.asarray(t)
    return a.astype(x._array.dtype, copy=False)


def _stats_without_grad(running_mean, running_var):
    """torch's autograd refuses running statistics that require grad (native_batch_norm is not
    differentiable in them), after the composite's size checks."""
    if not is_grad_enabled():
        return
    for nm, t in (("running_mean", running_mean), ("running_var", running_var)):
        if t is not None and t.requires_grad:
            raise RuntimeError(f"The function 'native_batch_norm' is not differentiable with "
                               f"respect to argument '{nm}'. This input cannot have "
                               "requires_grad True.")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    nd = input.dim()
    if nd < 2:
        raise ValueError(f"Expected 2D or more input (got {nd}D input)")
    if training and input.numel() // input.shape[1] <= 1:
        raise ValueError("Expected more than 1 value per channel when training, got input "
                         f"size {_torch_size(input.shape)}")
    c = input.shape[1]
    for nm, t in (("running_mean", running_mean), ("running_var", running_var),
                  ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{nm} should contain {c} elements not {t.numel()}")
    _stats_without_grad(running_mean, running_var)
    axes = (0,) + tuple(range(2, nd))
    aff = (1, c) + (1,) * (nd - 2)
    if training:
        if input._array.dtype.kind not in "fc":
            raise not_implemented("batch_norm", input._array.dtype)
        upd = None
        if running_mean is not None or running_var is not None:
            upd = (running_mean._array if running_mean is not None else None,
                   running_var._array if running_var is not None else None,
                   0.1 if momentum is None else float(momentum))
        out = _apply(NO.BatchNormOp, (input, weight, bias, axes, aff, None, eps, None, upd),
                     {}, None)
        for t in (running_mean, running_var):
            if t is not None:
                bump_version(t)
        return out
    if running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    if input._array.dtype.kind not in "fc":
        raise not_implemented("batch_norm", input._array.dtype)
    mean = _arr_like(running_mean, input).reshape(aff)
    invstd = 1.0 / xp.sqrt(_arr_like(running_var, input).reshape(aff) + eps)
    return _apply(NO.BatchNormOp, (input, weight, bias, axes, aff, None, eps,
                                   (mean, invstd.astype(mean.dtype, copy=False)), None), {},
                  None)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    ns = _tup(normalized_shape, len(normalized_shape)) if isinstance(
        normalized_shape, (list, tuple)) else (int(normalized_shape),)
    k = len(ns)
    if tuple(input.shape[input.dim() - k:]) != ns or input.dim() < k:
        raise RuntimeError(f"Given normalized_shape={_size_list(ns)}, expected input with shape "
                           f"[*, {', '.join(map(str, ns))}], but got input of size"
                           f"{_size_list(input.shape)}")
    for nm, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != ns:
            raise RuntimeError(f"Expected {nm} to be of same shape as normalized_shape, but got "
                               f"{nm} of shape {_size_list(t.shape)} and normalized_shape = "
                               f"{_size_list(ns)}")
    dt = input._array.dtype
    if dt.kind not in "fc":
        if any(t is not None and t._array.dtype != dt for t in (weight, bias)):
            raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")
        raise not_implemented("LayerNormKernelImpl", dt)
    nd = input.dim()
    axes = tuple(range(nd - k, nd))
    aff = (1,) * (nd - k) + ns
    return _apply(NO.LayerNormOp, (input, weight, bias, axes, aff, None, eps), {}, None)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.dim()}")
    n, c = input.shape[:2]
    rest = math.prod(input.shape[2:])
    if num_groups > 0 and (n * c // num_groups) * rest == 1:  # torch's _verify_batch_size
        raise ValueError("Expected more than 1 value per channel when training, got input "
                         f"size {_size_list((n * c // num_groups, num_groups) + input.shape[2:])}")
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {_size_list(input.shape)} and "
                           f"num_groups={num_groups}")
    if input._array.dtype.kind not in "fc":
        raise not_implemented("GroupNormKernelImpl", input._array.dtype)
    view = (n, num_groups, c // num_groups, rest)
    aff = (1, num_groups, c // num_groups, 1)
    return _apply(NO.GroupNormOp, (input, weight, bias, (2, 3), aff, view, eps), {}, None)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    # torch (ATen instance_norm): batch norm of the input viewed as (1, N*C, *), with the
    # affine parameters and running statistics repeated N times, viewed back
    shape = tuple(input.shape)
    if use_input_stats and math.prod(shape[2:]) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{_torch_size(shape)}")
    n, c = shape[:2]
    _stats_without_grad(running_mean, running_var)
    w = weight.repeat(n) if weight is not None else None
    b = bias.repeat(n) if bias is not None else None
    rm = running_mean.detach().repeat(n) if running_mean is not None else None
    rv = running_var.detach().repeat(n) if running_var is not None else None
    x = input.contiguous().view((1, n * c) + shape[2:])
    out = batch_norm(x, rm, rv, w, b, use_input_stats, momentum, eps)
    for t, r in ((running_mean, rm), (running_var, rv)):
        if t is not None:
            t._array[...] = r._array.reshape(n, c).mean(0)
            bump_version(t)
    return out.view(shape)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    # torch's F.local_response_norm: the squares' window mean over channels by avg_pool2d
    # (3-D input) or avg_pool3d (more dims) of the zero-padded squares
    from ._functional_core import pad
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input "
                         f"(got {dim} dimensions)")
    if input.numel() == 0:
        return input
    dt = input._array.dtype
    if dim > 3 and dt not in (xp.float32, xp.float64, xp.int64):
        raise not_implemented("avg_pool3d_out_frame", dt)
    div = input.mul(input)
    if dim == 3:
        div = div.unsqueeze(1)
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = tuple(input.shape)
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        n, _, d, h, w = div.shape
        div = _apply(P.AvgPoolDepth, (div, (size, 1), (1, 1), (0, 0), (d - size + 1, h * w),
                                      float(size)), {}, None).squeeze(1)
        div = div.view(sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div


# ---------------------------------------------------------------------------------- dropout


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(shape, p, dtype):
    from .._random import bernoulli_scalar, default_generator
    if p >= 1.0:
        return xp.zeros(shape, dtype)
    n = 1
    for s in shape:
        n *= s
    keep = bernoulli_scalar(default_generator, n, 1 - p).reshape(shape)  # torch: bernoulli_(1-p)
    return keep.astype(dtype) * xp.asarray(1.0 / (1.0 - p), dtype)


def _apply_mask(input, mask, inplace):
    if inplace:
        from .._ops.inplace import inplace as _inplace  # noqa: F401
        with _no_grad_if(not input.requires_grad):
            out = _apply(NO.DropoutOp, (input, mask), {}, None)
        if not input.requires_grad:
            input._array[...] = out._array
            bump_version(input)
            return input
        return out
    return _apply(NO.DropoutOp, (input, mask), {}, None)


class _no_grad_if:
    def __init__(self, cond):
        self.cond = cond

    def __enter__(self):
        from ..autograd.grad_mode import _state
        self.prev = _state.enabled
        if self.cond:
            _state.enabled = False

    def __exit__(self, *a):
        from ..autograd.grad_mode import _state
        _state.enabled = self.prev


def dropout(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    if not training or p == 0.0:
        return input
    mask = _keep_mask(tuple(input.shape), p, input._array.dtype)
    return _apply_mask(input, mask, inplace)


_FEATURE_DIMS = ("dropout{nd}d: Received a {d}-D input to dropout{nd}d, which is deprecated and "
                 "will result in an error in a future release. To retain the behavior and "
                 "silence this warning, please use dropout instead. Note that dropout{nd}d "
                 "exists to provide channel-wise dropout on inputs with {nd} spatial "
                 "dimension{s}, a channel dimension, and an optional batch dimension (i.e. "
                 "{a}D or {b}D inputs).")


def _feature_dropout(input, p, training, inplace, nd, name):
    """torch's dropout1d/2d/3d: one mask value per channel.  dropout1d raises for other ranks;
    dropout2d/3d warn and go on (dropout2d always reads dims 0, 1 as batch and channel, the
    3-D case with its own warning; dropout3d, unless 5-D, reads dim 0 as the channel)."""
    _check_p(p)
    d = input.dim()
    if d not in (nd + 1, nd + 2):
        msg = _FEATURE_DIMS.format(nd=nd, d=d, s="s" if nd > 1 else "", a=nd + 1, b=nd + 2)
        if nd == 1:
            raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {d}D input. "
                               + msg[msg.index("Note that"):])
        warnings.warn(msg, stacklevel=3)
    if nd == 2 and d == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=3)
    lead = 2 if nd == 2 or d == nd + 2 else 1  # batch and channel dims, or the channel alone
    if not training or p == 0.0 or input._array.size == 0:
        return input
    if d + 2 - lead < 2 and p < 1.0:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = tuple(input.shape)
    mshape = shape[:lead] + (1,) * (len(shape) - lead)
    mask = _keep_mask(mshape, p, input._array.dtype)
    return _apply_mask(input, mask, inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    return _feature_dropout(input, p, training, inplace, 1, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):
    return _feature_dropout(input, p, training, inplace, 2, "dropout2d")


def dropout3d(input, p=0.5, training=True, inplace=False):
    return _feature_dropout(input, p, training, inplace, 3, "dropout3d")


def _alpha_dropout(input, p, training, mshape):
    _check_p(p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    alpha = 1.7580993408473766
    a = 1.0 / math.sqrt((alpha * alpha * p + 1) * (1 - p))
    from .._random import bernoulli_scalar, default_generator
    n = 1
    for s in mshape:
        n *= s
    keep = bernoulli_scalar(default_generator, n, 1 - p).reshape(mshape).astype(input._array.dtype)
    b = ((keep - 1) * alpha + alpha * p) * a
    mask = keep * a
    return _apply(NO.DropoutOp, (input, mask.astype(input._array.dtype)), {}, None) + \
        _make(xp.asarray(b, input._array.dtype), False, None, 0, None)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    return _alpha_dropout(input, p, training, tuple(input.shape))


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    shape = tuple(input.shape)
    return _alpha_dropout(input, p, training, shape[:2] + (1,) * (len(shape) - 2))


# -------------------------------------------------------------------------------- embedding


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    idx = input._array if isinstance(input, Tensor) else xp.asarray(input)
    if idx.dtype.kind not in "iu":
        tn = spelling(idx.dtype) + "Tensor"
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           "following scalar types: Long, Int; but got torch." + tn +
                           " instead (while checking arguments for embedding)")
    n = weight.shape[0]
    if idx.size and (idx.max() >= n or idx.min() < 0):
        raise IndexError("index out of range in self")
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < n, "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -n, "Padding_idx must be within num_embeddings"
            padding_idx = n + padding_idx
    if max_norm is not None:
        _embedding_renorm(weight, idx, max_norm, norm_type)
    return _apply(NO.EmbeddingOp, (weight, idx, padding_idx, bool(scale_grad_by_freq)), {}, None)


def _embedding_renorm(weight, idx, max_norm, norm_type):
    w = weight._array
    rows = xp.unique(idx.reshape(-1))
    norms = (xp.abs(w[rows]) ** norm_type).sum(1) ** (1.0 / norm_type)
    big = norms > max_norm
    if big.any():
        scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
        w[rows[big]] *= scale[:, None]
        bump_version(weight)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    if input.dim() == 2 and padding_idx is not None:  # bags of equal length, padding dropped
        L = input.shape[1]
        return embedding_bag(input.reshape(-1), weight, list(range(0, input.numel(), L)),
                             max_norm, norm_type, scale_grad_by_freq, mode, sparse,
                             None if per_sample_weights is None else per_sample_weights.reshape(-1),
                             False, padding_idx)
    if input.dim() == 2:
        emb = embedding(input, weight, padding_idx, max_norm, norm_type)
        if per_sample_weights is not None:
            emb = emb * per_sample_weights.unsqueeze(-1)
        if padding_idx is not None and mode == "mean":
            keep = _make((input._array != padding_idx).astype(weight._array.dtype), False,
                         None, 0, None)
            return emb.sum(1) / keep.sum(1, keepdim=True).clamp_min(1)
        return {"sum": emb.sum(1), "mean": emb.mean(1), "max": emb.amax(1)}[mode]
    offs = offsets._array.tolist() if isinstance(offsets, Tensor) else list(offsets)
    n = input.shape[0]
    ends = offs[1:] + ([] if include_last_offset else [n])
    if include_last_offset:
        offs = offs[:-1]
    from .._ops.shape import stack
    outs = []
    for s, e in zip(offs, ends):
        pos = slice(s, e)
        if padding_idx is not None:  # torch leaves the padding entries out of the bags
            keep = input._array[s:e] != padding_idx % weight.shape[0]
            if not keep.all():
                pos = _make(s + keep.nonzero()[0], False, None, 0, None)
                e = s + int(keep.sum())
        seg = embedding(input[pos], weight, padding_idx, max_norm, norm_type)
        if per_sample_weights is not None:
            seg = seg * per_sample_weights[pos].unsqueeze(-1)
        if e <= s:
            outs.append(weight[0] * 0)
        else:
            outs.append({"sum": seg.sum(0), "mean": seg.mean(0), "max": seg.amax(0)}[mode])
    return stack(outs, 0)


# ----------------------------------------------------------------------------- interpolation

_INTERP = {  # (mode, spatial dims) -> (op name, kernel name in torch's dtype errors)
    ("nearest", 1): ("UpsampleNearest1D", "compute_indices_weights_nearest"),
    ("nearest", 2): ("UpsampleNearest2D", "upsample_nearest2d_channels_last"),
    ("nearest", 3): ("UpsampleNearest3D", "compute_indices_weights_nearest"),
    ("nearest-exact", 1): ("UpsampleNearestExact1D", "compute_indices_weights_nearest"),
    ("nearest-exact", 2): ("UpsampleNearestExact2D", "upsample_nearest2d_channels_last"),
    ("nearest-exact", 3): ("UpsampleNearestExact3D", "compute_indices_weights_nearest"),
    ("linear", 1): ("UpsampleLinear1D", "compute_indices_weights_linear"),
    ("bilinear", 2): ("UpsampleBilinear2D", "upsample_bilinear2d_channels_last"),
    ("bicubic", 2): ("UpsampleBicubic2D", "compute_indices_weights_cubic"),
    ("trilinear", 3): ("UpsampleTrilinear3D", "compute_indices_weights_linear"),
}
_NEEDS = {"linear": 3, "bilinear": 4, "trilinear": 5}


def _is_integer(v):
    """torch's _is_integer: int, NumPy integer, or an integer tensor."""
    if isinstance(v, Tensor):
        return not v.is_floating_point()
    return isinstance(v, int) or getattr(getattr(v, "dtype", None), "kind", "") in ("i", "u")


def _upsample(input, mode, nd, output_size, scale_factors, align_corners):
    """upsample_{nearest,linear,...}{1,2,3}d: sizes checked as torch's kernels, then one
    resampling op with the kernels' indices and weights."""
    spatial = tuple(input.shape[2:])
    if output_size is None:
        output_size = [int(n * s) for n, s in zip(spatial, scale_factors)]
    out = tuple(int(o) for o in output_size)
    if not all(n > 0 for n in spatial) or not all(o > 0 for o in out):
        names = ("W",) if nd == 1 else ("H", "W") if nd == 2 else ("D", "H", "W")
        fin = ", ".join(f"{k}: {n}" for k, n in zip(names, spatial))
        fout = ", ".join(f"{k}: {o}" for k, o in zip(names, out))
        raise RuntimeError("Input and output sizes should be greater than 0, but got input "
                           f"({fin}){' and' if nd == 1 else ''} output ({fout})")
    if input.shape[1] == 0:
        raise RuntimeError(f"Non-empty {nd + 2}D data tensor expected but got a tensor with "
                           f"sizes {_size_list(input.shape)}")
    name, kernel = _INTERP[(mode, nd)]
    dt = input._array.dtype
    if dt == xp.uint8 and mode in ("bilinear", "bicubic"):
        raise NotImplementedError(f"interpolate: ember has no uint8 {mode} resampling (torch's "
                                  "fixed-point image kernel); convert the input to float")
    if dt.kind != "f" and not (dt == xp.uint8 and mode.startswith("nearest")):
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{_SCALAR_NAMES.get(dt.name, dt.name)}'")
    ot = U.opmath(dt) if dt.kind == "f" else dt
    scales = [None] * nd if scale_factors is None else list(scale_factors)
    plan = []
    for n, o, s in zip(spatial, out, scales):
        if mode.startswith("nearest"):
            plan.append(U.nearest_taps(n, o, s, mode == "nearest-exact", nd == 2))
        elif mode == "bicubic":
            plan.append(U.cubic_taps(n, o, s, align_corners, ot))
        else:
            plan.append(U.linear_taps(n, o, s, align_corners, ot))
    kw = {"plan": tuple(plan), "ot": ot}
    # torch's backward kernels differ from the forward ones in two corners: nearest's backward
    # takes the copy/halving shortcuts at every rank (its 1-d/3-d forward only at none), and
    # bicubic's backward copies the gradient when the size is unchanged
    if mode == "nearest" and nd != 2:
        kw["bplan"] = tuple(U.nearest_taps(n, o, s, False, True)
                            for n, o, s in zip(spatial, out, scales))
    elif mode == "bicubic" and out == spatial:
        kw["bplan"] = (None,) * nd
    return _apply(U.OPS[name], (input,), kw, None)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """torch.nn.functional.interpolate: torch's argument handling and errors, then the
    upsample kernel (or adaptive average pooling for 'area') of the mode and rank."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scale_factors = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {list(input.shape[2:])} and output size of "
                    f"{size}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                    "output size in (o1, o2, ...,oK) format.")
            if not all(_is_integer(v) for v in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] "
                                "or Tuple[int, int, int], but got size with types "
                                f"{[type(v) for v in size]}")
            output_size = [int(v) for v in size]
        else:
            if not _is_integer(size):
                raise TypeError(f"{_KERNEL_FN.get((mode, dim), 'interpolate')}() received an "
                                "invalid combination of arguments")
            output_size = [int(size)] * dim
    elif scale_factor is not None:
        output_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {list(input.shape[2:])} and "
                    f"scale_factor of shape {scale_factor}. Please provide input tensor in (N, C, "
                    "d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
            scale_factors = [float(s) for s in scale_factor]
        else:
            scale_factors = [float(scale_factor)] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and output_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        output_size = [int(input.shape[i + 2] * scale_factors[i]) for i in range(dim)]
        scale_factors = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes "
                         "and requires a 4-D tensor as input")
    if antialias or mode == "lanczos":
        raise NotImplementedError("interpolate: ember has no anti-aliased (antialias=True) or "
                                  "lanczos resampling")
    if mode == "area" and 1 <= dim <= 3:
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[dim - 1](
            input, output_size)
    if (mode, dim) in _INTERP:
        return _upsample(input, mode, dim, output_size, scale_factors, align_corners)
    if mode in _NEEDS and 3 <= input.dim() <= 5:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                  f"{_NEEDS[mode]}D input")
    raise NotImplementedError(
        f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for the "
        "modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
        f"nearest-exact (got {mode})")


_KERNEL_FN = {(m, d): ("_upsample_nearest_exact" if m == "nearest-exact" else "upsample_" + m) +
              f"{d}d" for m, d in _INTERP}


def _deprecated(name):
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=3)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def pixel_shuffle(input, upscale_factor):
    r = int(upscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.dim()} dimension(s)")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    return _apply(C.PixelShuffle, (input, r), {}, None)


def pixel_unshuffle(input, downscale_factor):
    r = int(downscale_factor)
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError("pixel_unshuffle expects height to be divisible by downscale_factor, "
                           f"but input.size(-2)={h} is not divisible by {r}" if h % r else
                           "pixel_unshuffle expects width to be divisible by downscale_factor, "
                           f"but input.size(-1)={w} is not divisible by {r}")
    return _apply(C.PixelUnshuffle, (input, r), {}, None)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    x, unb = (input.unsqueeze(0), True) if input.dim() == 3 else (input, False)
    if x.dim() != 4:
        raise NotImplementedError("Input Error: Only 3D or 4D input Tensors are supported (got "
                                  f"{input.dim()}D)")
    k, d = _tup(kernel_size, 2), _tup(dilation, 2, "dilation")
    p, s = _tup(padding, 2, "padding"), _tup(stride, 2, "stride")
    out = C.unfold(x, k, s, (p[0], p[0], p[1], p[1]), d)
    return out.squeeze(0) if unb else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    x, unb = (input.unsqueeze(0), True) if input.dim() == 2 else (input, False)
    k, d = _tup(kernel_size, 2), _tup(dilation, 2, "dilation")
    p, s = _tup(padding, 2, "padding"), _tup(stride, 2, "stride")
    o = _tup(output_size, 2, "output_size")
    if x.shape[1] % (k[0] * k[1]):
        raise RuntimeError("Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={x.shape[1]} and "
                           f"kernel_size={k}")
    out = C.fold(x, o, k, s, (p[0], p[0], p[1], p[1]), d)
    return out.squeeze(0) if unb else out


# -------------------------------------------------------------------------------- attention


def _neg_inf_mask(mask, dtype):
    """bool mask (True = attend) -> additive float mask."""
    a = mask._array if isinstance(mask, Tensor) else xp.asarray(mask)
    if a.dtype == xp.bool_:
        return xp.where(a, 0.0, -xp.inf).astype(dtype)
    return a.astype(dtype, copy=False)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    if _ac.on:
        query, key, value, attn_mask = _ac.lower(query, key, value, attn_mask)
    L, S = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    enabled = A.SDP_ENABLED
    if "flash" in enabled and (not enable_gqa or "math" not in enabled) and \
            A.flash_ok(query, key, value, attn_mask, dropout_p):
        # torch's CPU flash kernel: one node with edges (query, key, value)
        dt = query._array.dtype
        mask = None
        if is_causal:
            mask = _neg_inf_mask(xp.tril(xp.ones((L, S), bool)), dt)
        if attn_mask is not None:
            m = _neg_inf_mask(attn_mask, dt)
            mask = m if mask is None else mask + m
        return _apply(A.FlashAttention, (query, key, value, mask, float(scale)), {}, None)
    if "math" not in enabled:
        raise RuntimeError("No viable backend for scaled_dot_product_attention was found. This "
                           "is likely due to turning off both the math kernel and the fused "
                           "kernels.")
    return _sdpa_math(query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa)


def _sdpa_math(query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa):
    """torch's _scaled_dot_product_attention_math: q and k^T each scaled by sqrt(scale), their
    matmul plus the mask (in place), _safe_softmax, dropout, matmul with v."""
    L, S = query.shape[-2], key.shape[-2]
    dt = query._array.dtype
    s = math.sqrt(scale)
    q = _apply(A.MulScalar, (query, s), {}, None)
    if is_causal:
        attn_mask = _make(xp.tril(xp.ones((L, S), bool)), False, None, 0, None)
    if attn_mask is not None and not (isinstance(attn_mask, Tensor) and
                                      attn_mask.dtype.is_floating_point):
        attn_mask = _make(_neg_inf_mask(attn_mask, dt), False, None, 0, None)
    if enable_gqa and query.dim() >= 3 and key.shape[-3] != query.shape[-3]:
        rep = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(rep, -3)
        value = value.repeat_interleave(rep, -3)
    attn = q.matmul(_apply(A.MulScalar, (key.transpose(-2, -1), s), {}, None))
    if attn_mask is not None:
        attn = attn.add_(attn_mask)
    attn = _apply(A.SafeSoftmax, (attn, -1), {}, None)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p, True)
    return attn.matmul(value)


# ------------------------------------------------------------ multi-head attention (torch's)


def _none_or_dtype(input):
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """torch's F._canonical_mask: a bool mask becomes an additive float one (-inf = blocked)."""
    if mask is not None:
        from .._creation import zeros_like
        is_float = mask.dtype.is_floating_point
        if mask._array.dtype != xp.bool_ and not is_float:
            raise AssertionError(f"only bool and floating types of {mask_name} are supported")
        if check_other and other_type is not None and mask.dtype != other_type:
            import warnings
            warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. "
                          "Use same type for both instead.", stacklevel=3)
        if not is_float:
            mask = zeros_like(mask, dtype=target_type).masked_fill_(mask, float("-inf"))
    return mask


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be "
                                 f"3-D but found {key.dim()}-D and {value.dim()}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be "
                                 f"`None` or 2-D but found {key_padding_mask.dim()}-D tensor "
                                 "instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, "
                                 f"2-D or 3-D but found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be "
                                 f"2-D but found {key.dim()}-D and {value.dim()}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to "
                                 f"be `None` or 1-D but found {key_padding_mask.dim()}-D tensor "
                                 "instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be "
                                     f"`None`, 2-D or 3-D but found {attn_mask.dim()}-D tensor "
                                     "instead")
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                         f"{attn_mask.shape}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.dim()}-D query tensor")


def _in_projection_packed(q, k, v, w, b=None):
    from ._functional_core import linear
    E = q.shape[-1]
    if k is v:
        if q is k:  # self-attention
            proj = linear(q, w, b)
            proj = (proj.unflatten(-1, (3, E)).unsqueeze(0).transpose(0, -2).squeeze(-2)
                    .contiguous())
            return proj[0], proj[1], proj[2]
        w_q, w_kv = w.split([E, E * 2])  # encoder-decoder attention
        b_q, b_kv = (None, None) if b is None else b.split([E, E * 2])
        q_proj = linear(q, w_q, b_q)
        kv_proj = linear(k, w_kv, b_kv)
        kv_proj = (kv_proj.unflatten(-1, (2, E)).unsqueeze(0).transpose(0, -2).squeeze(-2)
                   .contiguous())
        return q_proj, kv_proj[0], kv_proj[1]
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _in_projection(q, k, v, w_q, w_k, w_v, b_q=None, b_k=None, b_v=None):
    from ._functional_core import linear
    Eq, Ek, Ev = q.shape[-1], k.shape[-1], v.shape[-1]
    for nm, t, shape in (("query weights", w_q, (Eq, Eq)), ("key weights", w_k, (Eq, Ek)),
                         ("value weights", w_v, (Eq, Ev)), ("query bias", b_q, (Eq,)),
                         ("key bias", b_k, (Eq,)), ("value bias", b_v, (Eq,))):
        if t is not None and tuple(t.shape) != shape:
            raise AssertionError(f"expecting {nm} shape of {shape}, but got {t.shape}")
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    """Sequence-first (L, N, E) multi-head attention: torch's F.multi_head_attention_forward,
    the same ops in the same order (so the graph and the numbers are torch's)."""
    from .._creation import zeros
    from .._ops.linalg import baddbmm, bmm
    from .._ops.shape import cat
    from ._functional_core import linear, pad, softmax
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _none_or_dtype(attn_mask), "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    else:
        if q_proj_weight is None or k_proj_weight is None or v_proj_weight is None:
            nm = "q" if q_proj_weight is None else "k" if k_proj_weight is None else "v"
            raise AssertionError(f"use_separate_proj_weight is True but {nm}_proj_weight is "
                                 "None")
        b_q, b_k, b_v = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight,
                                 v_proj_weight, b_q, b_k, b_v)
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but "
                                   f"should be {(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but "
                                   f"should be {(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")
    q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    if static_k is None:
        k = k.view(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        if static_k.shape[0] != bsz * num_heads:
            raise AssertionError(f"expecting static_k.size(0) of {bsz * num_heads}, but got "
                                 f"{static_k.shape[0]}")
        if static_k.shape[2] != head_dim:
            raise AssertionError(f"expecting static_k.size(2) of {head_dim}, but got "
                                 f"{static_k.shape[2]}")
        k = static_k
    if static_v is None:
        v = v.view(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        if static_v.shape[0] != bsz * num_heads:
            raise AssertionError(f"expecting static_v.size(0) of {bsz * num_heads}, but got "
                                 f"{static_v.shape[0]}")
        if static_v.shape[2] != head_dim:
            raise AssertionError(f"expecting static_v.size(2) of {head_dim}, but got "
                                 f"{static_v.shape[2]}")
        v = static_v
    if add_zero_attn:
        zshape = (bsz * num_heads, 1, head_dim)
        k = cat([k, zeros(zshape, dtype=k.dtype)], dim=1)
        v = cat([v, zeros(zshape, dtype=v.dtype)], dim=1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        key_padding_mask = (key_padding_mask.view(bsz, 1, 1, src_len)
                            .expand(-1, num_heads, -1, -1).reshape(bsz * num_heads, 1, src_len))
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0
    if need_weights:
        _B, _Nt, E = q.shape
        q_scaled = q * math.sqrt(1.0 / float(E))
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        if attn_mask is not None:
            attn_output_weights = baddbmm(attn_mask, q_scaled, k.transpose(-2, -1))
        else:
            attn_output_weights = bmm(q_scaled, k.transpose(-2, -1))
        attn_output_weights = softmax(attn_output_weights, dim=-1)
        if dropout_p > 0.0:
            attn_output_weights = dropout(attn_output_weights, p=dropout_p)
        attn_output = bmm(attn_output_weights, v)
        attn_output = attn_output.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        attn_output = linear(attn_output, out_proj_weight, out_proj_bias)
        attn_output = attn_output.view(tgt_len, bsz, attn_output.shape[1])
        attn_output_weights = attn_output_weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            attn_output_weights = attn_output_weights.mean(dim=1)
        if not is_batched:
            attn_output = attn_output.squeeze(1)
            attn_output_weights = attn_output_weights.squeeze(0)
        return attn_output, attn_output_weights
    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.view(bsz, num_heads, tgt_len, head_dim)
    k = k.view(bsz, num_heads, src_len, head_dim)
    v = v.view(bsz, num_heads, src_len, head_dim)
    attn_output = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    attn_output = attn_output.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    attn_output = linear(attn_output, out_proj_weight, out_proj_bias)
    attn_output = attn_output.view(tgt_len, bsz, attn_output.shape[1])
    if not is_batched:
        attn_output = attn_output.squeeze(1)
    return attn_output, None
