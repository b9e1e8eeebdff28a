"""torch.nn.functional, core part: linear, activations, distances, one_hot and pad (the losses
are in ``_functional_losses``).

This file keeps the argument handling (checks, dtype rules); the Op classes are in
``ember/_ops/activation.py`` (activations), ``ember/_ops/pad.py`` (pad),
``ember/_ops/loss.py`` (nodes of a Python number) and ``ember/_ops/reduction.py`` (``_NormDim``).
"""
from __future__ import annotations

from .. import _autocast as _ac
from .. import _dtype as D
from .._backend import xp
from .._tensor import _make
from .._ops import linalg as _la
from .._ops import pointwise as _pw
from .._ops import reduction as _red
from .._ops import shape as _sh
from .._ops._utils import _INT_BOUNDS, checked_int, not_implemented
from .._ops.activation import (Celu, Elu, Gelu, Glu, Hardshrink, Hardsigmoid, Hardswish,
                               Hardtanh, LeakyRelu, LogSigmoid, Mish, PreluKernel,
                               RreluWithNoise, Silu, Softshrink, Threshold)
from .._ops.loss import _AddScalar
from .._ops.pad import _PAD_OPS, ConstantPadNd
from .._ops.reduction import _NormDim
from ..autograd.function import _apply

__all__ = [
    "linear", "bilinear", "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "elu",
    "elu_", "selu", "selu_", "celu", "celu_", "gelu", "silu", "mish", "tanh", "sigmoid",
    "hardtanh", "hardtanh_", "hardsigmoid", "hardswish", "softplus", "softsign", "tanhshrink",
    "threshold", "threshold_", "softmax", "log_softmax", "softmin", "logsigmoid", "hardshrink",
    "softshrink", "glu", "rrelu", "normalize", "cosine_similarity", "pairwise_distance",
    "one_hot", "pad",
]

_SCALAR_NAMES = {d.name: d.scalar_name for d in D._ALL}  # torch's ScalarType names


def _float_cast(t):
    return None if t._array.dtype.kind in "fc" else D.get_default_dtype().np


# ============================================================================ linear


def linear(input, weight, bias=None):
    """y = x W^T + b, composed as torch 2.13 composes it (so the graph is torch's): 2-D input
    with a bias is ``addmm(b, x, W.t())`` (AddmmBackward0 -> bias, x, TBackward0 -> W);
    contiguous N-D input with a 1-D bias is flattened into the same addmm and viewed back;
    anything else is ``matmul(x, W.t())`` followed by an in-place ``add_(b)``."""
    if _ac.on:  # autocast: torch casts the three arguments, then composes as below
        input, weight, bias = _ac.lower(input, weight, bias)
    nd = input._array.ndim
    wd = weight._array.ndim
    if nd == 0 or wd == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{nd}D and {wd}D")
    wt = _sh.t(weight)
    if bias is None:
        return _la.matmul(input, wt)
    if nd == 2:
        return _la.addmm(bias, input, wt)
    ba = bias._array
    if (ba.ndim == 1 or sum(s != 1 for s in ba.shape) == 1) and ba.flags.c_contiguous and \
            input._array.flags.c_contiguous:
        shape = input._array.shape
        rows = 1
        for s in shape[:-1]:
            rows *= s
        out = _la.addmm(bias, _sh.reshape(input, (rows, shape[-1])), wt)
        return _sh.view(out, shape[:-1] + (out._array.shape[1],))
    return _la.matmul(input, wt).add_(bias)


def bilinear(input1, input2, weight, bias=None):
    """y_k = x1^T A_k x2 + b_k."""
    from .. import einsum
    if _ac.on:  # torch's _trilinear is not autocast: its result stays float32
        with _ac.suspended():
            return bilinear(input1, input2, weight, bias)
    out = einsum("...i,kij,...j->...k", input1, weight, input2)
    return out if bias is None else out + bias


# ============================================================================ activations


def _run(cls, input, *params, kernel=None):
    """Apply an activation Op.  ``kernel``: torch's kernel name, for the NotImplementedError
    integer and bool inputs raise (activations without one keep the input dtype)."""
    if kernel is not None and input._array.dtype.kind not in "fc":
        raise not_implemented(kernel, input._array.dtype)
    return _apply(cls, (input,) + params, {}, None)


def _inplace_or(cls, input, inplace, *params, kernel=None):
    if inplace:
        if kernel is not None and input._array.dtype.kind not in "fc":
            raise not_implemented(kernel, input._array.dtype)
        from .._ops.inplace import inplace as _inp
        cls = _INPLACE_NODES.get(cls, cls)
        return _inp(input, lambda t: _run(cls, t, *params, kernel=kernel))
    return _run(cls, input, *params, kernel=kernel)


class _EluInplace(Elu):
    node_name = "EluBackward1"


class _CeluInplace(Celu):
    node_name = "CeluBackward1"


class _LeakyReluInplace(LeakyRelu):
    node_name = "LeakyReluBackward1"


class _ThresholdInplace(Threshold):
    node_name = "ThresholdBackward1"


# the in-place activations torch records as <Name>Backward1 (its nodes of the result)
_INPLACE_NODES = {Elu: _EluInplace, Celu: _CeluInplace, LeakyRelu: _LeakyReluInplace,
                  Threshold: _ThresholdInplace}


def _int_params(input, *values):
    """Scalar parameters of hardtanh/threshold on an integer tensor: converted to its dtype as
    torch does (truncated, with the overflow check)."""
    dt = input._array.dtype
    lo, hi = _INT_BOUNDS[dt]
    # a float is range-checked before truncation (-0.5 overflows uint8); an int wraps as in
    # checked_int (-1 is 255 in uint8)
    return tuple(checked_int(int(v) if not isinstance(v, float) or lo <= v <= hi else
                             (hi + 1 if v > hi else -(1 << 65)), dt) for v in values)


def relu(input, inplace=False):
    return _pw.relu(input, inplace)


def relu_(input):
    return input.relu_()


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _inplace_or(LeakyRelu, input, inplace, negative_slope, kernel="leaky_relu_cpu")


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def elu(input, alpha=1.0, inplace=False):
    return _inplace_or(Elu, input, inplace, alpha, 1.0, 1.0, kernel="elu_cpu")


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    return _inplace_or(Elu, input, inplace, _SELU_ALPHA, _SELU_SCALE, 1.0, kernel="elu_cpu")


def selu_(input):
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _inplace_or(Celu, input, inplace, alpha, 1.0, 1.0 / alpha, kernel="elu_cpu")


def celu_(input, alpha=1.0):
    return celu(input, alpha, True)


def gelu(input, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _run(Gelu, input, approximate, kernel="GeluKernelImpl")


def silu(input, inplace=False):
    return _inplace_or(Silu, input, inplace, kernel="silu_cpu")


def mish(input, inplace=False):
    return _inplace_or(Mish, input, inplace, kernel="mish_cpu")


def tanh(input):
    return _pw.tanh(input)


def sigmoid(input):
    return _pw.sigmoid(input)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    kind = input._array.dtype.kind
    if kind not in "fc":  # integer tensors stay integer (limits truncated); bool has no kernel
        if kind == "b":
            raise RuntimeError("Bool inputs not supported for hardtanh")
        if kind == "u" and (min_val < 0 or max_val < 0):
            raise RuntimeError("cannot do hardtanh on an unsigned type with negative limits")
        min_val, max_val = _int_params(input, min_val, max_val)
    return _inplace_or(Hardtanh, input, inplace, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, True)


def hardsigmoid(input, inplace=False):
    return _inplace_or(Hardsigmoid, input, inplace, kernel="hardsigmoid_cpu")


def hardswish(input, inplace=False):
    return _inplace_or(Hardswish, input, inplace, kernel="hardswish_cpu")


def softplus(input, beta=1.0, threshold=20.0):
    return _pw.softplus(input, beta, threshold)


def softsign(input):
    return input / (input.abs() + 1)


def tanhshrink(input):
    return input - input.tanh()


def _threshold(input, th, value, inplace):
    kind = input._array.dtype.kind
    if kind not in "fc":  # integer tensors stay integer; bool has no kernel
        if kind == "b":
            raise not_implemented("threshold_cpu", input._array.dtype)
        th, value = _int_params(input, th, value)
    return _inplace_or(Threshold, input, inplace, th, value)


def threshold(input, threshold, value, inplace=False):
    return _threshold(input, threshold, value, inplace)


def threshold_(input, threshold, value):
    return _threshold(input, threshold, value, True)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _red.softmax(input, dim, _stacklevel, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _red.log_softmax(input, dim, _stacklevel, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    return _red.softmin(input, dim, _stacklevel, dtype)


def logsigmoid(input):
    return _run(LogSigmoid, input, kernel="log_sigmoid_cpu")


def hardshrink(input, lambd=0.5):
    return _run(Hardshrink, input, lambd, kernel="hardshrink_cpu")


def softshrink(input, lambd=0.5):
    return _run(Softshrink, input, lambd, kernel="softshrink_check")


def glu(input, dim=-1):
    if input._array.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    if input._array.dtype.kind not in "fc":
        raise not_implemented("glu_cpu", input._array.dtype)
    n = input.shape[dim]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension "
                           f"{dim % input._array.ndim} is size {n}")
    return _apply(Glu, (input, dim % input._array.ndim), {}, None)


def prelu(input, weight):
    # torch (ATen prelu): the weight reshaped to broadcast over dim 1, then _prelu_kernel
    if _ac.on:
        input, weight = _ac.lower(input, weight)
    nd = input._array.ndim
    if weight.numel() != 1:
        if nd == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        c = input.shape[1] if nd > 1 else 1
        if c != weight.numel():
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {weight.numel()} and channel size = {c}.")
    if weight._array.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight._array.ndim}")
    w = weight
    if nd != weight._array.ndim:
        shape = [1] * nd
        if nd > 1:
            shape[1] = weight.numel()
        w = weight.reshape(shape)
    da, dw = input._array.dtype, weight._array.dtype
    if da != dw:
        raise RuntimeError(f"prelu: Type promoting not supported. Got "
                           f"{_SCALAR_NAMES.get(da.name, da.name)} and "
                           f"{_SCALAR_NAMES.get(dw.name, dw.name)}")
    if da.kind not in "fcV":  # (V: bfloat16)
        raise not_implemented("prelu_cpu", da)
    return _apply(PreluKernel, (input, w), {}, None)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    if input._array.dtype.kind not in "fc":
        raise not_implemented("rrelu_with_noise_out_cpu" if training else "leaky_relu_cpu",
                              input._array.dtype)
    a = input._array
    if training:  # torch draws a double uniform(lower, upper) for each element <= 0, in order
        from .._random import default_generator, uniform_values
        neg = a <= 0
        r = xp.ones(a.shape, xp.float64)
        r[neg] = uniform_values(default_generator, int(neg.sum()), xp.float64, lower, upper)
    else:
        r = xp.asarray((lower + upper) / 2, a.dtype)
    noise = xp.where(a > 0, xp.ones((), a.dtype), r).astype(a.dtype, copy=False)
    if inplace:
        from .._ops.inplace import inplace as _inp
        return _inp(input, lambda t: _apply(RreluWithNoise, (t, noise), {}, None))
    return _apply(RreluWithNoise, (input, noise), {}, None)


# ================================================================= nodes of a Python number


def _scalar_op(cls, t, s):
    return _apply(cls, (t,), {"s": s}, None)


# ============================================================================ distances


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    denom = _apply(_pw.ClampMin, (_red.norm(input, p, dim, keepdim=True), eps, None), {},
                   None).expand_as(input)
    return input / denom


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    # torch (ATen cosine_similarity): both inputs expanded to the common shape when they
    # differ, each divided by a clone of its norm that is clamped to eps in place without grad
    from ..autograd.grad_mode import no_grad
    if tuple(x1.shape) != tuple(x2.shape):
        from .. import broadcast_shapes
        shape = broadcast_shapes(x1.shape, x2.shape)
        x1, x2 = x1.expand(shape), x2.expand(shape)
    n1 = _red.norm(x1, 2, dim, keepdim=True).clone()
    n2 = _red.norm(x2, 2, dim, keepdim=True).clone()
    with no_grad():
        n1.clamp_min_(eps)
        n2.clamp_min_(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """torch's: norm(x1 - x2 + eps, p, innermost dim) (SubBackward0, AddBackward1,
    NormBackward1)."""
    nd = max(x1._array.ndim, x2._array.ndim)
    d = _scalar_op(_AddScalar, x1 - x2, eps)
    axes = (nd - 1,) if d._array.ndim else ()
    return _apply(_NormDim, (d, float(p), axes, keepdim), {}, _float_cast(d))


def one_hot(tensor, num_classes=-1):
    a = tensor._array
    if a.dtype != xp.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    if a.size:
        if a.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if a.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = (a[..., None] == xp.arange(num_classes)).astype(xp.int64)
    return _make(out, False, None, 0, None)


# ============================================================================ pad


def pad(input, pad, mode="constant", value=None):
    pad = [int(p) for p in pad]
    nd = input._array.ndim
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    if k > nd:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{nd}")
    pairs = [(0, 0)] * nd
    for i in range(k):
        pairs[nd - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    pairs = tuple(pairs)
    if mode == "constant":
        return _apply(ConstantPadNd, (input, pairs, 0 if value is None else value), {}, None)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise AssertionError(f'Padding mode "{mode}" doesn\'t take in value argument.')
    if not (k + 1 <= nd <= k + 2) or k > 3:
        raise NotImplementedError(
            "Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now")
    for (lo, hi), n in zip(pairs[nd - k:], input.shape[nd - k:]):
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({lo}, {hi}) at dimension {nd - k} of input "
                f"{list(input.shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if lo < 0 or hi < 0:
            raise NotImplementedError("negative padding is only supported in constant mode")
    if mode != "circular" and input._array.dtype.kind == "b":
        raise not_implemented(f"{'reflection' if mode == 'reflect' else 'replication'}_pad{k}d",
                              input._array.dtype)
    return _apply(_PAD_OPS[(mode, k)], (input, pairs, mode), {}, None)
