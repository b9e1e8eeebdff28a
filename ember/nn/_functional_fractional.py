"""``F.fractional_max_pool2d``/``3d`` (and ``_with_indices``): torch's argument handling
(output_size or output_ratio, the ``_random_samples`` drawn with ``rand`` from the global
generator as torch draws them) over ``ember/_ops/fractional_pool.py``."""
from __future__ import annotations

from typing import Any

from .._tensor import Tensor
from ..autograd.function import _apply

__all__ = ["fractional_max_pool2d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d", "fractional_max_pool3d_with_indices"]

_DIMS = {2: ("height", "width"), 3: ("time", "height", "width")}


def _tuple(v: Any, n: int) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def _fractional(input: Tensor, kernel_size: Any, output_size: Any, output_ratio: Any,
                _random_samples: Tensor | None, nd: int) -> tuple[Tensor, Tensor]:
    from .._random import rand as _rand
    from .._ops import fractional_pool as fp
    name = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if nd == 2 and isinstance(output_ratio, (tuple, list)) and len(output_ratio) > 2:
            raise ValueError(f"{name} requires output_ratio to either be a single Int or tuple "
                             "of Ints.")
        ratio = _tuple(output_ratio, nd)
        output_size = [int(input.size(-nd + d) * ratio[d]) for d in range(nd)]
    if input.dim() < nd + 1:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[-{input.dim()}, {input.dim() - 1}], but got {-nd - 1})")
    if _random_samples is None:
        n_batch = 1 if input.dim() == nd + 1 else input.size(0)
        _random_samples = _rand(n_batch, input.size(-nd - 1), nd, dtype=input.dtype)
    kernel = tuple(int(k) for k in _tuple(kernel_size, nd))
    out = tuple(int(o) for o in _tuple(output_size, nd))
    if _random_samples.dtype != input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if _random_samples.dim() != 3:
        raise RuntimeError(f"Expect _random samples to have 3 dimensions, got "
                           f"{_random_samples.dim()}")
    C = input.size(-nd - 1)
    if _random_samples.size(1) != C:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if _random_samples.size(2) != nd:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {nd}; got "
                           f"{_random_samples.size(2)}.")
    where = name if nd == 2 else f"{name}_out"
    for d in range(nd):
        size = input.size(-nd + d)
        # torch's 3-D kernel is strict (out + k - 1 < size), its 2-D one is not
        if out[d] + kernel[d] - 1 > size or (nd == 3 and out[d] + kernel[d] - 1 == size):
            raise RuntimeError(f"{where}(): pool {_DIMS[nd][d]} {kernel[d]} too large relative "
                               f"to input {_DIMS[nd][d]} {size}")
    op = fp.FractionalMaxPool2D if nd == 2 else fp.FractionalMaxPool3D
    samples = _random_samples._array
    if input.dim() == nd + 2 and samples.shape[0] != input.size(0):
        samples = samples[: input.size(0)]
    return _apply(op, (input, kernel, out, samples), {}, None)


def fractional_max_pool2d_with_indices(input: Tensor, kernel_size: Any, output_size: Any = None,
                                       output_ratio: Any = None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None
                                       ) -> tuple[Tensor, Tensor]:
    """2-D fractional max pooling: (output, indices into each plane's H*W)."""
    return _fractional(input, kernel_size, output_size, output_ratio, _random_samples, 2)


def fractional_max_pool2d(input: Tensor, kernel_size: Any, output_size: Any = None,
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Tensor | None = None) -> Any:
    """2-D fractional max pooling over (N, C, H, W) or (C, H, W) input, to ``output_size``
    or ``output_ratio`` of the input size; ``(output, indices)`` with ``return_indices``."""
    out, idx = _fractional(input, kernel_size, output_size, output_ratio, _random_samples, 2)
    return (out, idx) if return_indices else out


def fractional_max_pool3d_with_indices(input: Tensor, kernel_size: Any, output_size: Any = None,
                                       output_ratio: Any = None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None
                                       ) -> tuple[Tensor, Tensor]:
    """3-D fractional max pooling: (output, indices into each plane's T*H*W)."""
    return _fractional(input, kernel_size, output_size, output_ratio, _random_samples, 3)


def fractional_max_pool3d(input: Tensor, kernel_size: Any, output_size: Any = None,
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Tensor | None = None) -> Any:
    """3-D fractional max pooling over (N, C, T, H, W) or (C, T, H, W) input."""
    out, idx = _fractional(input, kernel_size, output_size, output_ratio, _random_samples, 3)
    return (out, idx) if return_indices else out
