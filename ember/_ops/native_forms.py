"""torch's own (ATen) functional forms of the nn layers: ``torch.conv2d``, ``torch.embedding``,
``torch.batch_norm``, ``torch.dropout`` ...  They take the native signatures, which differ from
``torch.nn.functional``'s (``embedding(weight, indices)``, ``dropout(input, p, train)`` with
``train`` required, ``batch_norm(input, weight, bias, running_mean, running_var, training,
momentum, eps, cudnn_enabled)``, reductions as ints: 0 none, 1 mean, 2 sum), and run ember's
nn.functional code, so values, graphs (``grad_fn`` names) and random bits are those of the
functional forms, as in torch.  ``ember.nn`` loads lazily: each function imports it on call.

``pdist`` (``PdistBackward0``) is the one op of its own here; ``torch.nn.functional.pdist`` is
the same function.
"""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from .._backend import xp
from .._tensor import Tensor
from ..autograd.function import Op, _apply
from .reduction import _NormDim

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from collections.abc import Sequence

    from .._random import Generator
    from ._types import Array, Ctx, Grads, Namespace, Number, Value

_REDUCTION = {1: "mean", 2: "sum"}
# torch 2.13's Python binding reads the declared default ``reduction=at::Reduction::Mean`` of
# these functions as 0: called without ``reduction`` they do not reduce (checked against torch)
_DEFAULT = 0


def _F() -> Any:
    from ..nn import functional
    return functional


def _red(reduction: int) -> str:
    """torch's at::Reduction enum (an int) as nn.functional's string: 1 mean, 2 sum, any other
    value none (ATen's apply_loss_reduction)."""
    return _REDUCTION.get(int(reduction), "none")


# ----------------------------------------------------------------------------- convolution


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution (``torch.nn.functional.conv1d``)."""
    return _F().conv1d(input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution (``torch.nn.functional.conv2d``)."""
    return _F().conv2d(input, weight, bias, stride, padding, dilation, groups)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """3-D convolution (``torch.nn.functional.conv3d``)."""
    return _F().conv3d(input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """1-D transposed convolution (``torch.nn.functional.conv_transpose1d``)."""
    return _F().conv_transpose1d(input, weight, bias, stride, padding, output_padding, groups,
                                 dilation)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """2-D transposed convolution (``torch.nn.functional.conv_transpose2d``)."""
    return _F().conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups,
                                 dilation)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """3-D transposed convolution (``torch.nn.functional.conv_transpose3d``)."""
    return _F().conv_transpose3d(input, weight, bias, stride, padding, output_padding, groups,
                                 dilation)


def convolution(input: Tensor, weight: Tensor, bias: Tensor | None, stride: Sequence[int],
                padding: Sequence[int], dilation: Sequence[int], transposed: bool,
                output_padding: Sequence[int], groups: int) -> Tensor:
    """torch's generic convolution: ``transposed`` picks conv_transpose, the spatial rank
    (``input.dim() - 2``) picks 1-D, 2-D or 3-D."""
    nd = weight.dim() - 2
    if nd not in (1, 2, 3):
        raise RuntimeError(f"Expected {nd + 2}D (unbatched) or {nd + 3}D (batched) input to "
                           f"convolution, but got input of size: {list(input.shape)}")
    F = _F()
    if transposed:
        fn = (F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)[nd - 1]
        return fn(input, weight, bias, stride, padding, output_padding, groups, dilation)
    fn = (F.conv1d, F.conv2d, F.conv3d)[nd - 1]
    return fn(input, weight, bias, stride, padding, dilation, groups)


# ----------------------------------------------------------------------------------- pooling


def _stride(stride: Any) -> Any:
    return None if stride is None or (isinstance(stride, (tuple, list)) and not stride) \
        else stride


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    """1-D max pooling; ``stride=()`` (the default) means ``kernel_size``."""
    return _F().max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    """2-D max pooling; ``stride=()`` (the default) means ``kernel_size``."""
    return _F().max_pool2d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    """3-D max pooling; ``stride=()`` (the default) means ``kernel_size``."""
    return _F().max_pool3d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
                            dilation: Any = 1, ceil_mode: bool = False) -> tuple[Tensor, Tensor]:
    """1-D max pooling returning ``(values, indices)``."""
    out, idx = _F().max_pool1d(input, kernel_size, _stride(stride), padding, dilation,
                               ceil_mode, return_indices=True)
    return out, idx


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """1-D average pooling; ``stride=()`` (the default) means ``kernel_size``."""
    return _F().avg_pool1d(input, kernel_size, _stride(stride), padding, ceil_mode,
                           count_include_pad)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """1-D adaptive average pooling."""
    return _F().adaptive_avg_pool1d(input, output_size)


def adaptive_max_pool1d(input: Tensor, output_size: Any) -> tuple[Tensor, Tensor]:
    """1-D adaptive max pooling; torch's native form returns ``(values, indices)``."""
    out, idx = _F().adaptive_max_pool1d(input, output_size, return_indices=True)
    return out, idx


# ----------------------------------------------------------------------- shuffles and padding


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    return _F().pixel_shuffle(input, upscale_factor)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    return _F().pixel_unshuffle(input, downscale_factor)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Splits the channels into ``groups`` and interleaves them."""
    return _F().channel_shuffle(input, groups)


def constant_pad_nd(input: Tensor, pad: Sequence[int], value: Number = 0) -> Tensor:
    """Pads with ``value`` (``pad`` as ``F.pad``'s: last dimension first; negative crops)."""
    return _F().pad(input, list(pad), "constant", value)


# ------------------------------------------------------------------------------- activations


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``max(0, x) + weight * min(0, x)``, ``weight`` per channel (dim 1) or shared."""
    return _F().prelu(input, weight)


def selu(input: Tensor) -> Tensor:
    """Scaled exponential linear unit."""
    return _F().selu(input)


def selu_(input: Tensor) -> Tensor:
    """In-place :func:`selu`."""
    return _F().selu_(input)


def celu(input: Tensor, alpha: Number = 1.0) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    return _F().celu(input, alpha)


def celu_(input: Tensor, alpha: Number = 1.0) -> Tensor:
    """In-place :func:`celu`."""
    return _F().celu_(input, alpha)


def rrelu(input: Tensor, lower: Number = 1.0 / 8, upper: Number = 1.0 / 3,
          training: bool = False, generator: Generator | None = None) -> Tensor:
    """Randomized leaky ReLU (slopes drawn from U(lower, upper) in training)."""
    if generator is not None:
        raise NotImplementedError("ember.rrelu: a generator argument is not supported")
    return _F().rrelu(input, lower, upper, training)


def rrelu_(input: Tensor, lower: Number = 1.0 / 8, upper: Number = 1.0 / 3,
           training: bool = False, generator: Generator | None = None) -> Tensor:
    """In-place :func:`rrelu`."""
    if generator is not None:
        raise NotImplementedError("ember.rrelu_: a generator argument is not supported")
    return _F().rrelu_(input, lower, upper, training)


def threshold(input: Tensor, threshold: Number, value: Number) -> Tensor:
    """``x if x > threshold else value``."""
    return _F().threshold(input, threshold, value)


def threshold_(input: Tensor, threshold: Number, value: Number) -> Tensor:
    """In-place :func:`threshold`."""
    return _F().threshold_(input, threshold, value)


def hardshrink(input: Tensor, lambd: Number = 0.5) -> Tensor:
    """``x if |x| > lambd else 0``."""
    return _F().hardshrink(input, lambd)


# ---------------------------------------------------------------------------------- dropouts


def _check_train(name: str, train: Any) -> None:
    if not isinstance(train, bool):
        raise TypeError(f"{name}(): argument 'train' (position 3) must be bool, not "
                        f"{type(train).__name__}")


def _feature_dropout(input: Tensor, p: float, train: bool, alpha: bool) -> Tensor:
    """ATen's feature (channel-wise) dropout: one mask value per (batch, channel)."""
    F = _F()
    if alpha:
        return F.feature_alpha_dropout(input, p, train)
    if not train or p == 0:
        return input
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    from ..nn._functional_layers import _apply_mask, _keep_mask
    shape = tuple(input.shape)
    return _apply_mask(input, _keep_mask(shape[:2] + (1,) * (len(shape) - 2), p,
                                         input._array.dtype), False)


def dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """Zeroes elements with probability ``p`` and scales the rest by ``1/(1-p)`` when
    ``train``."""
    _check_train("dropout", train)
    return _F().dropout(input, p, train)


def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """Dropout that keeps SELU's self-normalising mean and variance."""
    _check_train("alpha_dropout", train)
    return _F().alpha_dropout(input, p, train)


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """Dropout of whole channels (dims 0 and 1 are batch and channel)."""
    _check_train("feature_dropout", train)
    return _feature_dropout(input, p, train, False)


def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """Alpha dropout of whole channels."""
    _check_train("feature_alpha_dropout", train)
    return _feature_dropout(input, p, train, True)


def _inplace_dropout(fn: Any, input: Tensor, p: float, train: bool) -> Tensor:
    from .inplace import inplace
    if not train or p == 0:
        return input
    return inplace(input, lambda t: fn(t, p, train))


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """In-place :func:`dropout`."""
    _check_train("dropout_", train)
    return _inplace_dropout(dropout, input, p, train)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """In-place :func:`alpha_dropout`."""
    _check_train("alpha_dropout_", train)
    return _inplace_dropout(alpha_dropout, input, p, train)


def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """In-place :func:`feature_dropout`."""
    _check_train("feature_dropout_", train)
    return _inplace_dropout(feature_dropout, input, p, train)


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """In-place :func:`feature_alpha_dropout`."""
    _check_train("feature_alpha_dropout_", train)
    return _inplace_dropout(feature_alpha_dropout, input, p, train)


# ---------------------------------------------------------------------- embedding and norms


def embedding(weight: Tensor, indices: Tensor, padding_idx: int = -1,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` at ``indices`` (note the order: weight first); a ``padding_idx``
    below 0 means none."""
    pad = padding_idx if padding_idx >= 0 and padding_idx < weight.shape[0] else None
    return _F().embedding(indices, weight, pad, None, 2.0, scale_grad_by_freq, sparse)


def batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
               running_mean: Tensor | None, running_var: Tensor | None, training: bool,
               momentum: float, eps: float, cudnn_enabled: bool) -> Tensor:
    """Batch normalization over dim 1 (torch's argument order: weight and bias first)."""
    return _F().batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
                           eps)


def instance_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
                  running_mean: Tensor | None, running_var: Tensor | None,
                  use_input_stats: bool, momentum: float, eps: float,
                  cudnn_enabled: bool) -> Tensor:
    """Instance normalization (each sample's channels on their own)."""
    return _F().instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                              momentum, eps)


def layer_norm(input: Tensor, normalized_shape: Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5,
               cudnn_enable: bool = True) -> Tensor:
    """Layer normalization over the last ``len(normalized_shape)`` dims."""
    return _F().layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5,
               cudnn_enabled: bool = True) -> Tensor:
    """Group normalization (the channels in ``num_groups`` groups)."""
    return _F().group_norm(input, num_groups, weight, bias, eps)


def rms_norm(input: Tensor, normalized_shape: Sequence[int], weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """Root-mean-square normalization over the last ``len(normalized_shape)`` dims."""
    return _F().rms_norm(input, normalized_shape, weight, eps)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:
    """``x1^T A x2 + b``."""
    return _F().bilinear(input1, input2, weight, bias)


class _NormAll(_NormDim):
    """at::norm(Tensor, Scalar p) over everything."""
    node_name = "NormBackward0"


def _norm(cls: type[Op], v: Tensor, p: float, axes: tuple[int, ...], keepdim: bool) -> Tensor:
    return _apply(cls, (v, float(p), axes, keepdim), {}, None)


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """The ``pow``-norm of ``v`` over every dim but ``dim``, shaped to broadcast against ``v``
    (``dim=-1``: the norm of all of it), as weight normalization uses it."""
    if dim == -1:
        return _norm(_NormAll, v, pow, tuple(range(v.dim())), False)
    nd = v.dim()
    if dim == 0:
        return _norm(_NormDim, v.contiguous().view(v.shape[0], -1), pow, (1,), False).view(
            (v.shape[0],) + (1,) * (nd - 1))
    if dim == nd - 1:
        return _norm(_NormDim, v.contiguous().view(-1, v.shape[-1]), pow, (0,), False).view(
            (1,) * (nd - 1) + (v.shape[-1],))
    return norm_except_dim(v.transpose(0, dim), pow, 0).transpose(0, dim)


def frobenius_norm(input: Tensor, dim: int | Sequence[int], keepdim: bool = False) -> Tensor:
    """Deprecated in torch (use ``linalg.vector_norm(A, 2, dim, keepdim)``): the 2-norm over
    ``dim``."""
    warnings.warn("at::frobenius_norm is deprecated and it is just left for JIT "
                  "compatibility. It will be removed in a future PyTorch release. Please use "
                  "`linalg.vector_norm(A, 2., dim, keepdim)` instead", UserWarning,
                  stacklevel=2)
    dims = [dim] if isinstance(dim, int) else list(dim)
    if len(dims) > 2:
        raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dims)} dimensions "
                           "instead.")
    from ._utils import wrap_dims
    return _norm(_NormDim, input, 2, wrap_dims(dims, input.dim()), keepdim)


def nuclear_norm(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Deprecated in torch (use ``linalg.matrix_norm(A, 'nuc', dim, keepdim)``): the sum of
    the singular values over the two dims ``dim`` (default: the last two)."""
    if isinstance(dim, bool):  # nuclear_norm(input, keepdim)
        dim, keepdim = None, dim
    warnings.warn("at::nuclear_norm is deprecated and it is just left for JIT compatibility. "
                  "It will be removed in a future PyTorch release. Please use "
                  "`linalg.matrix_norm(A, 'nuc', dim, keepdim)` instead", UserWarning,
                  stacklevel=2)
    from .. import linalg
    if dim is None:
        if input.dim() < 2:
            raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                               "dimensions.")
        dim = (-2, -1)  # (torch 2.13: the last two dims, batched over the others)
    return linalg.matrix_norm(input, "nuc", tuple(dim), keepdim)


# ------------------------------------------------------------------------------- distances


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim``."""
    return _F().cosine_similarity(x1, x2, dim, eps)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` along the last dim."""
    return _F().pairwise_distance(x1, x2, p, eps, keepdim)


class Pdist(Op):
    """The p-norm distance of each pair of rows i < j of a 2-D input, in row-major order."""

    @staticmethod
    def forward(ctx: Ctx, x: Array, p: float) -> Array:
        from .statistics import _pnorm
        i, j = xp.triu_indices(x.shape[0], 1)
        out = _pnorm(x[i] - x[j], p)
        ctx.p, ctx.ij = p, (i, j)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        from .statistics import _pnorm_grad
        x, out = ctx.saved_tensors
        i, j = ctx.ij
        gd = _pnorm_grad(x[i] - x[j], ns.expand_dims(out, -1), ctx.p, ns) * \
            ns.expand_dims(g, -1)
        gx = ns.add_at(x.shape, i, gd) - ns.add_at(x.shape, j, gd)
        return ns.no_double_backward(gx, x, "_pdist_backward"), None  # (torch has none)


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The p-norm distances between the rows of the 2-D ``input`` (N x M): the N(N-1)/2
    entries above the diagonal of ``cdist(input, input)``, row by row."""
    if not isinstance(input, Tensor):
        raise TypeError(f"pdist(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    a = input._array
    if a.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {a.ndim}D")
    if a.dtype.kind != "f":
        raise RuntimeError("pdist only supports floating-point dtypes")
    if not p >= 0:
        raise RuntimeError("pdist only supports non-negative p values")
    return _apply(Pdist, (input, float(p)), {}, None)


# ------------------------------------------------------------------------------------ losses


def kl_div(input: Tensor, target: Tensor, reduction: int = _DEFAULT, *,
           log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence, ``reduction`` as an int (1: the mean over all elements,
    2: the sum, other values and the default: none)."""
    with warnings.catch_warnings():  # (nn.functional's 'mean' warning is its own, not ATen's)
        warnings.simplefilter("ignore")
        return _F().kl_div(input, target, reduction=_red(reduction), log_target=log_target)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        reduction: int = _DEFAULT) -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``."""
    return _F().margin_ranking_loss(input1, input2, target, margin, reduction=_red(reduction))


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         reduction: int = _DEFAULT) -> Tensor:
    """``x`` where ``target`` is 1, ``max(0, margin - x)`` where it is -1."""
    return _F().hinge_embedding_loss(input, target, margin, reduction=_red(reduction))


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          reduction: int = _DEFAULT) -> Tensor:
    """``1 - cos(x1, x2)`` for target 1, ``max(0, cos(x1, x2) - margin)`` for -1."""
    return _F().cosine_embedding_loss(input1, input2, target, margin,
                                      reduction=_red(reduction))


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, reduction: int = _DEFAULT) -> Tensor:
    """``max(d(a, p) - d(a, n) + margin, 0)`` with pairwise p-norm distances."""
    return _F().triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                    reduction=_red(reduction))


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float,
                     reduction: int) -> Tensor:
    """Poisson negative log likelihood (every argument required, as torch's native form)."""
    return _F().poisson_nll_loss(input, target, log_input, full, eps=eps,
                                 reduction=_red(reduction))


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None,
                                     pos_weight: Tensor | None = None,
                                     reduction: int = _DEFAULT) -> Tensor:
    """Binary cross entropy on logits (note: ``pos_weight`` before ``reduction``)."""
    return _F().binary_cross_entropy_with_logits(input, target, weight,
                                                 reduction=_red(reduction),
                                                 pos_weight=pos_weight)


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any,
             blank: int = 0, reduction: int = _DEFAULT, zero_infinity: bool = False) -> Tensor:
    """Connectionist temporal classification loss (``reduction`` as an int)."""
    return _F().ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                         _red(reduction), zero_infinity)


# ------------------------------------------------------------------------------- rnn cells


def _linear(x: Tensor, w: Tensor, b: Tensor | None) -> Tensor:
    from ..nn.modules.rnn import _linear as lin
    return lin(x, w, b)


def _chunks(t: Tensor, n: int) -> tuple[Tensor, ...]:
    from .rnn import UnsafeSplit
    return _apply(UnsafeSplit, (t, n, 1), {}, None)


def rnn_tanh_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One Elman RNN step: ``tanh(x w_ih^T + b_ih + h w_hh^T + b_hh)``."""
    return _linear(hx, w_hh, b_hh).add_(_linear(input, w_ih, b_ih)).tanh()


def rnn_relu_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One Elman RNN step with ReLU: ``relu(x w_ih^T + b_ih + h w_hh^T + b_hh)``."""
    return _linear(hx, w_hh, b_hh).add_(_linear(input, w_ih, b_ih)).relu()


def lstm_cell(input: Tensor, hx: Sequence[Tensor], w_ih: Tensor, w_hh: Tensor,
              b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """One LSTM step; ``hx`` is ``(h, c)``; returns ``(h', c')`` (gates i, f, g, o)."""
    if len(hx) != 2:
        raise RuntimeError(f"lstm_cell: Expected hx to have 2 elements, got {len(hx)}")
    h, c = hx
    gates = _linear(h, w_hh, b_hh).add_(_linear(input, w_ih, b_ih))
    i, f, g, o = _chunks(gates, 4)
    i, f, g, o = i.sigmoid_(), f.sigmoid_(), g.tanh_(), o.sigmoid_()
    cy = (f * c).add_(i * g)
    return o * cy.tanh(), cy


def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,
             b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One GRU step (gates r, z, n)."""
    ir, iz, inn = _chunks(_linear(input, w_ih, b_ih), 3)
    hr, hz, hn = _chunks(_linear(hx, w_hh, b_hh), 3)
    r = hr.add_(ir).sigmoid_()
    z = hz.add_(iz).sigmoid_()
    n = inn.add(hn.mul_(r)).tanh_()
    return (hx - n).mul_(z).add_(n)


__all__ = [
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "convolution", "max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
    "avg_pool1d", "adaptive_avg_pool1d", "adaptive_max_pool1d", "pixel_shuffle",
    "pixel_unshuffle", "channel_shuffle", "constant_pad_nd", "prelu", "selu", "selu_", "celu",
    "celu_", "rrelu", "rrelu_", "threshold", "threshold_", "hardshrink", "dropout",
    "alpha_dropout", "feature_dropout", "feature_alpha_dropout", "dropout_", "alpha_dropout_",
    "feature_dropout_", "feature_alpha_dropout_", "embedding", "batch_norm", "instance_norm",
    "layer_norm", "group_norm", "rms_norm", "bilinear", "norm_except_dim", "frobenius_norm",
    "nuclear_norm", "cosine_similarity", "pairwise_distance", "pdist", "kl_div",
    "margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss",
    "triplet_margin_loss", "poisson_nll_loss", "binary_cross_entropy_with_logits", "ctc_loss",
    "rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell"]

TENSOR_METHODS = ["hardshrink", "prelu"]
NO_INPLACE = ("hardshrink", "prelu")
