"""More of torch.nn.functional (issue 13): max_unpool1d/2d/3d, grid_sample, affine_grid,
gumbel_softmax, ctc_loss and friends.  Argument checks and PyTorch's error texts live here;
the arithmetic is in ``ember._ops`` (pool, grid, ctc)."""
from __future__ import annotations

import warnings

from .._backend import xp
from .._dtype import spelling
from ..autograd.function import _apply
from .._ops import conv as C
from .._ops import ctc as CT
from .._ops import grid as G
from .._ops import pool as P
from ._functional_layers import _tup

__all__ = ["max_unpool1d", "max_unpool2d", "max_unpool3d", "gumbel_softmax", "grid_sample",
           "affine_grid", "ctc_loss", "channel_shuffle", "native_channel_shuffle", "rms_norm",
           "rrelu_"]


# ------------------------------------------------------------------------------- max_unpool


def _unpool_output_size(input, kernel_size, stride, padding, output_size):
    """torch's output size of max_unpool (checked against the default one)."""
    input_size = input.shape
    default = [(input_size[-len(kernel_size) + d] - 1) * stride[d] + kernel_size[d]
               - 2 * padding[d] for d in range(len(kernel_size))]
    if output_size is None:
        return default
    output_size = output_size if isinstance(output_size, (list, tuple)) else list(output_size)
    if len(output_size) == len(kernel_size) + 2:
        output_size = output_size[2:]
    if len(output_size) != len(kernel_size):
        raise ValueError("output_size should be a sequence containing "
                         f"{len(kernel_size)} or {len(kernel_size) + 2} elements, but it has a "
                         f"length of '{len(output_size)}'")
    for d in range(len(kernel_size)):
        lo, hi = default[d] - stride[d], default[d] + stride[d]
        if not lo < output_size[d] < hi:
            raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between '
                             f"{lo} and {hi})")
    return output_size


def _max_unpool(input, indices, kernel_size, stride, padding, output_size, nd):
    kernel = _tup(kernel_size, nd)
    stride = kernel if stride is None else _tup(stride, nd, "stride")
    padding = _tup(padding, nd, "padding")
    out = [int(o) for o in _unpool_output_size(input, kernel, stride, padding, output_size)]
    if nd == 1:
        input, indices, out = input.unsqueeze(-1), indices.unsqueeze(-1), out + [1]
    if indices._array.dtype != xp.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: "
                           f"{indices.dtype}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError("Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: "
                           f"{list(indices.shape)}")
    k = max(nd, 2)
    unb = input.dim() == k + 1
    if unb:
        input, indices = input.unsqueeze(0), indices.unsqueeze(0)
    n, c = input.shape[:2]
    size = 1
    for o in out:
        size *= o
    idx = indices._array
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        bad = idx[(idx < 0) | (idx >= size)].flat[0]
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(map(str, out))}")
    op = P.MaxUnpool3D if nd == 3 else P.MaxUnpool2D
    y = _apply(op, (input, idx, (n, c) + tuple(out), True), {}, None)
    if unb:
        y = y.squeeze(0)
    return y.squeeze(-1) if nd == 1 else y


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool1d: the values at their argmax positions, zeros elsewhere."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool2d: the values at their argmax positions, zeros elsewhere."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool3d: the values at their argmax positions, zeros elsewhere."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 3)


# --------------------------------------------------------------------------- gumbel_softmax


def gumbel_softmax(logits, tau=1.0, hard=False, eps=1e-10, dim=-1):
    """Samples from the Gumbel-Softmax distribution: ``softmax((logits + g) / tau)`` with
    ``g = -log(Exponential(1))`` noise; ``hard=True`` returns the one-hot argmax with the soft
    sample's gradient (straight-through), as torch."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    from .._creation import empty_like, zeros_like
    gumbels = -empty_like(logits).exponential_().log()
    gumbels = (logits + gumbels) / tau
    y_soft = gumbels.softmax(dim)
    if hard:
        index = y_soft.max(dim, keepdim=True)[1]
        y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
        return y_hard - y_soft.detach() + y_soft
    return y_soft


# ----------------------------------------------------------------- grid_sample, affine_grid

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to "
                  "align_corners=False since 1.3.0. Please specify align_corners=True if the old "
                  "behavior is desired. See the documentation of grid_sample for details.")


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Samples ``input`` (N, C, H, W) or (N, C, D, H, W) at the normalised coordinates of
    ``grid`` (N, H_out, W_out, 2) or (N, D_out, H_out, W_out, 3): bilinear or nearest, with
    zeros/border/reflection padding (torch's grid_sample)."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if input.dim() not in (4, 5) or grid.dim() != input.dim():
        raise RuntimeError(f"grid_sampler(): expected {input.dim() if input.dim() in (4, 5) else 4}"
                           "D input and grid with same number of dimensions, but got input with "
                           f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    nd = input.dim() - 2
    if input._array.dtype != grid._array.dtype:
        raise RuntimeError(f"expected scalar type {spelling(input._array.dtype)} but found "
                           f"{spelling(grid._array.dtype)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {list(input.shape)} and grid with sizes "
                           f"{list(grid.shape)}")
    if grid.shape[-1] != nd:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {nd} in last dimension, "
                           f"but got grid with sizes {list(grid.shape)}")
    if mode == "bicubic":
        if nd == 3:
            raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
        raise NotImplementedError("ember: grid_sample(mode='bicubic') is not implemented")
    op = G.GridSample3D if nd == 3 else G.GridSample
    return _apply(op, (input, grid, mode, padding_mode, bool(align_corners)), {}, None)


def affine_grid(theta, size, align_corners=None):
    """The sampling grid (N, H, W, 2) or (N, D, H, W, 3) of the affine maps ``theta``
    (N, 2, 3) or (N, 3, 4) for an output of ``size`` (torch's affine_grid)."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    given, size = size, list(size)
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError("Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{given}. Got {theta.shape}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError("Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"{given}. Got {theta.shape}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {given}.")
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids "
                      "when align_corners=True. This is not an intended use case of "
                      "affine_grid. See the documentation of affine_grid for details.",
                      stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {given}")
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"Expected theta to have batch size {size[0]}, but got "
                           f"{theta.shape[0]}")
    return _apply(G.AffineGrid, (theta, tuple(int(s) for s in spatial), bool(align_corners)),
                  {}, None)


# --------------------------------------------------------------------------------- ctc_loss


def _lengths(v, name):
    from .._tensor import Tensor
    a = xp.asarray(v._array if isinstance(v, Tensor) else v, dtype=xp.int64)
    return a.reshape(-1) if a.ndim else a.reshape(1)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """Connectionist Temporal Classification loss of ``log_probs`` (T, N, C) (log_softmax
    outputs; or unbatched (T, C)) against ``targets`` (N, S) padded or 1-D concatenated, with
    per-sample ``input_lengths`` and ``target_lengths`` (torch's ctc_loss)."""
    from .._creation import tensor, zeros
    from .._ops.pointwise import where
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    unb = log_probs.dim() == 2
    lp = log_probs.unsqueeze(1) if unb else log_probs
    if lp.dim() != 3:
        raise RuntimeError(f"ctc_loss(): expected log_probs to be 2D or 3D, but got "
                           f"{log_probs.dim()}D")
    il, tl = _lengths(input_lengths, "input_lengths"), _lengths(target_lengths, "target_lengths")
    n = lp.shape[1]
    if il.shape[0] != n:
        raise RuntimeError("input_lengths must be of size batch_size")
    if tl.shape[0] != n:
        raise RuntimeError("target_lengths must be of size batch_size")
    if (il > lp.shape[0]).any():
        bad = int(il[il > lp.shape[0]][0])
        raise RuntimeError(f"Expected input_lengths to have value at most {lp.shape[0]}, but "
                           f"got value {bad} (while checking arguments for "
                           "ctc_loss_allocate_outputs)")
    tg = targets._array.astype(xp.int64)
    smax = int(tl.max()) if tl.size else 0
    if unb:
        tg = tg.reshape(1, -1)
    if tg.ndim == 1:  # concatenated targets
        ends = xp.cumsum(tl)
        pad = xp.zeros((n, max(smax, 1)), xp.int64)
        for i in range(n):
            pad[i, :tl[i]] = tg[ends[i] - tl[i]:ends[i]]
        tg = pad
    elif tg.shape[1] < smax:
        raise RuntimeError(f"Expected tensor to have size at least {smax} at dimension 1, but "
                           f"got size {tg.shape[1]} for argument #2 'targets' (while checking "
                           "arguments for ctc_loss_cpu)")
    if tg.shape[1] == 0:
        tg = xp.zeros((n, 1), xp.int64)
    res = _apply(CT.CtcLoss, (lp, tg, il, tl, int(blank), bool(zero_infinity)), {}, None)
    if zero_infinity:
        res = where(res == float("inf"), zeros((), dtype=res.dtype), res)
    if unb:
        res = res.squeeze(0)
    if reduction == "mean":
        tlt = tensor(tl if not unb else tl[0], dtype=res.dtype).clamp_min(1)
        return (res / tlt).mean()
    if reduction == "sum":
        return res.sum()
    return res


# ------------------------------------------------------------------ small layer functionals


def channel_shuffle(input, groups):
    """Shuffles the channels of (N, C, *) ``input`` in ``groups`` groups (ShuffleNet)."""
    if input.dim() <= 2:
        raise RuntimeError("channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(input.shape)}")
    groups = int(groups)
    if groups <= 0:
        raise RuntimeError("Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    c = input.shape[1]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {groups} groups.")
    return _apply(C.ChannelShuffle, (input, groups), {}, None)


def native_channel_shuffle(input, groups):
    """``channel_shuffle`` (torch's native entry point)."""
    return channel_shuffle(input, groups)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Root-mean-square normalisation over the last ``len(normalized_shape)`` dims:
    ``x * rsqrt(mean(x**2) + eps) * weight`` (eps: the dtype's epsilon by default)."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    dims = tuple(range(-len(normalized_shape), 0))
    if eps is None:
        eps = float(xp.finfo(input._array.dtype).eps)
    y = input.mul(input.pow(2).mean(dims, keepdim=True).add(eps).rsqrt())
    return y.mul(weight) if weight is not None else y


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """In-place ``rrelu``."""
    from ._functional_core import rrelu
    return rrelu(input, lower, upper, training, inplace=True)
