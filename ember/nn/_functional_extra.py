"""More of torch.nn.functional (issue 13): max_unpool1d/2d/3d, grid_sample, affine_grid,
gumbel_softmax, ctc_loss and friends.  Argument checks and PyTorch's error texts live here;
the arithmetic is in ``ember._ops`` (pool, grid, ctc)."""
from __future__ import annotations

from .._backend import xp
from ..autograd.function import _apply
from .._ops import pool as P
from ._functional_layers import _tup

__all__ = ["max_unpool1d", "max_unpool2d", "max_unpool3d"]


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
