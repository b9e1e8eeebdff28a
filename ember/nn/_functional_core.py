"""torch.nn.functional, core half: linear, activations, distances, one_hot, pad and losses.

Activations with a cheap closed-form derivative are small fused Ops (one node, PyTorch's grad_fn
name); losses whose composed form is unstable or slow (cross entropy, nll, bce, bce with logits,
the pointwise regression losses) are fused Ops too.  Backward formulas are written so they work
on arrays (first order) and on Tensors (``create_graph=True``).
"""
from __future__ import annotations

import math
import warnings

from .. import _dtype as D
from .. import _special
from .._backend import _take_along, max_last, sum_last, xp
from .._tensor import Tensor, _make
from .._ops import linalg as _la
from .._ops import pointwise as _pw
from .._ops import reduction as _red
from .._ops import shape as _sh
from ..autograd.function import Op, _apply

__all__ = [
    "linear", "bilinear", "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "elu",
    "elu_", "selu", "selu_", "celu", "celu_", "gelu", "silu", "mish", "tanh", "sigmoid",
    "hardtanh", "hardtanh_", "hardsigmoid", "hardswish", "softplus", "softsign", "tanhshrink",
    "threshold", "threshold_", "softmax", "log_softmax", "softmin", "logsigmoid", "hardshrink",
    "softshrink", "glu", "rrelu", "normalize", "cosine_similarity", "pairwise_distance",
    "one_hot", "pad", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy",
    "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
    "poisson_nll_loss", "gaussian_nll_loss", "cosine_embedding_loss", "margin_ranking_loss",
    "hinge_embedding_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
    "soft_margin_loss", "multilabel_soft_margin_loss", "multi_margin_loss",
    "multilabel_margin_loss",
]

_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int32": "Int",
                 "int16": "Short", "int8": "Char", "bool": "Bool", "int64": "Long",
                 "uint8": "Byte", "bfloat16": "BFloat16"}


def _graph(ns) -> bool:
    return getattr(ns, "graph", False)


def _sig(x, ns):
    """sigmoid in either mode (overflow-free on arrays)."""
    return _pw.sigmoid(x) if _graph(ns) else _pw._sigmoid(x)


def _softplus_of(z, ns):
    """log(1 + exp(z)) in either mode, without overflow."""
    if _graph(ns):
        return _pw.softplus(z)
    return xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))


def _erf_of(x, ns):
    return _pw.erf(x) if _graph(ns) else _special.erf(x)


def _float_cast(t):
    return None if t._array.dtype.kind in "fc" else D.get_default_dtype().np


# ============================================================================ linear


def linear(input, weight, bias=None):
    """y = x W^T + b, composed as torch 2.13 composes it (so the graph is torch's): 2-D input
    with a bias is ``addmm(b, x, W.t())`` (AddmmBackward0 -> bias, x, TBackward0 -> W);
    contiguous N-D input with a 1-D bias is flattened into the same addmm and viewed back;
    anything else is ``matmul(x, W.t())`` followed by an in-place ``add_(b)``."""
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
    out = einsum("...i,kij,...j->...k", input1, weight, input2)
    return out if bias is None else out + bias


# ============================================================================ activations


def _act(name, fwd, bwd, node_name=None, save="in"):
    """One-input elementwise Op with constant parameters: ``fwd(a, *p)``, ``bwd(g, x, ns, *p)``
    (``x`` is the saved input, or output when save='out')."""

    def forward(ctx, a, *params):
        out = fwd(a, *params)
        ctx.save_for_backward(a if save == "in" else out)
        ctx.params = params
        return out

    def backward(ctx, g, ns):
        (x,) = ctx.saved_tensors
        return (bwd(g, x, ns, *ctx.params),) + (None,) * len(ctx.params)

    attrs = {"forward": staticmethod(forward), "backward": staticmethod(backward)}
    if node_name:
        attrs["node_name"] = node_name
    return type(name, (Op,), attrs)


def _run(cls, input, *params):
    return _apply(cls, (input,) + params, {}, _float_cast(input))


def _inplace_or(cls, input, inplace, *params):
    if inplace:
        from .._ops.inplace import inplace as _inp
        return _inp(input, lambda t: _run(cls, t, *params))
    return _run(cls, input, *params)


LeakyRelu = _act("LeakyRelu", lambda a, s: xp.where(a > 0, a, a * s).astype(a.dtype, copy=False),
                 lambda g, x, ns, s: ns.where(x > 0, g, g * s))


def _elu_fwd(a, alpha, scale, in_scale):
    neg = xp.expm1(xp.minimum(a, 0) * in_scale) * (alpha * scale)
    return xp.where(a > 0, a * scale, neg).astype(a.dtype, copy=False)


def _elu_bwd(g, x, ns, alpha, scale, in_scale):
    return ns.where(x > 0, g * scale, g * ns.exp(x * in_scale) * (alpha * scale * in_scale))


Elu = _act("Elu", _elu_fwd, _elu_bwd)
Celu = _act("Celu", _elu_fwd, _elu_bwd)

_SQRT_2_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT2 = 1.0 / math.sqrt(2.0)


def _gelu_cdf(a):
    """Phi(a) = 0.5 (1 + erf(a / sqrt 2)) on an array."""
    cdf = _special.erf(a * _INV_SQRT2)
    cdf += 1
    cdf *= 0.5
    return cdf


class Gelu(Op):
    """gelu(x) = x Phi(x) (or torch's tanh approximation); d/dx = Phi(x) + x phi(x).

    First order reuses the forward's Phi (an erf costs ~10 ns an element in NumPy/SciPy, most
    of GELU's time); under create_graph the backward recomputes it from the saved input with
    differentiable ops, so higher-order gradients stay exact."""

    @staticmethod
    def forward(ctx, a, approximate):
        ctx.approximate = approximate
        if approximate == "tanh":
            ctx.save_for_backward(a, None)
            inner = _SQRT_2_PI * (a + 0.044715 * a * a * a)
            return (0.5 * a * (1 + xp.tanh(inner))).astype(a.dtype, copy=False)
        cdf = _gelu_cdf(a)
        ctx.save_for_backward(a, cdf)  # (released with the other saved arrays after backward)
        return (a * cdf).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g, ns):
        x, cdf = ctx.saved_tensors
        if ctx.approximate == "tanh":
            x2 = x * x
            th = ns.tanh(_SQRT_2_PI * (x + 0.044715 * x2 * x))
            d = 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * _SQRT_2_PI * (1 + 3 * 0.044715 * x2)
            return g * d, None
        if _graph(ns):
            cdf = 0.5 * (1 + _erf_of(x * _INV_SQRT2, ns))
        pdf = ns.exp(-0.5 * x * x) * (1.0 / math.sqrt(2 * math.pi))
        return g * (cdf + x * pdf), None


def _silu_bwd(g, x, ns):
    s = _sig(x, ns)
    return g * (s * (1 + x * (1 - s)))


Silu = _act("Silu", lambda a: a * _pw._sigmoid(a), _silu_bwd)


def _mish_fwd(a):
    return a * xp.tanh(xp.maximum(a, 0) + xp.log1p(xp.exp(-xp.abs(a))))


def _mish_bwd(g, x, ns):
    tsp = ns.tanh(_softplus_of(x, ns))
    return g * (tsp + x * _sig(x, ns) * (1 - tsp * tsp))


Mish = _act("Mish", _mish_fwd, _mish_bwd)
Hardtanh = _act("Hardtanh", lambda a, lo, hi: xp.clip(a, lo, hi).astype(a.dtype, copy=False),
                lambda g, x, ns, lo, hi: g * ((x > lo) & (x < hi)))
Hardsigmoid = _act(
    "Hardsigmoid", lambda a: (xp.clip(a + 3, 0, 6) / 6).astype(a.dtype, copy=False),
    lambda g, x, ns: g * ((x > -3) & (x < 3)) / 6)


def _hardswish_bwd(g, x, ns):
    mid = (x >= -3) & (x <= 3)
    return ns.where(x > 3, g, g * (x / 3 + 0.5) * mid)


Hardswish = _act("Hardswish",
                 lambda a: (a * xp.clip(a + 3, 0, 6) / 6).astype(a.dtype, copy=False),
                 _hardswish_bwd)
Threshold = _act("Threshold",
                 lambda a, th, v: xp.where(a > th, a, v).astype(a.dtype, copy=False),
                 lambda g, x, ns, th, v: g * (x > th))


def _logsigmoid_fwd(a):
    return (xp.minimum(a, 0) - xp.log1p(xp.exp(-xp.abs(a)))).astype(a.dtype, copy=False)


LogSigmoid = _act("LogSigmoid", _logsigmoid_fwd, lambda g, x, ns: g * _sig(-x, ns))
Hardshrink = _act("Hardshrink",
                  lambda a, l: xp.where(xp.abs(a) > l, a, 0).astype(a.dtype, copy=False),
                  lambda g, x, ns, l: g * ((x > l) | (x < -l)))
Softshrink = _act(
    "Softshrink",
    lambda a, l: xp.where(a > l, a - l, xp.where(a < -l, a + l, 0)).astype(a.dtype, copy=False),
    lambda g, x, ns, l: g * ((x > l) | (x < -l)))


def relu(input, inplace=False):
    return _pw.relu(input, inplace)


def relu_(input):
    return input.relu_()


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _inplace_or(LeakyRelu, input, inplace, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def elu(input, alpha=1.0, inplace=False):
    return _inplace_or(Elu, input, inplace, alpha, 1.0, 1.0)


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    return _inplace_or(Elu, input, inplace, _SELU_ALPHA, _SELU_SCALE, 1.0)


def selu_(input):
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _inplace_or(Celu, input, inplace, alpha, 1.0, 1.0 / alpha)


def celu_(input, alpha=1.0):
    return celu(input, alpha, True)


def gelu(input, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _run(Gelu, input, approximate)


def silu(input, inplace=False):
    return _inplace_or(Silu, input, inplace)


def mish(input, inplace=False):
    return _inplace_or(Mish, input, inplace)


def tanh(input):
    return _pw.tanh(input)


def sigmoid(input):
    return _pw.sigmoid(input)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _inplace_or(Hardtanh, input, inplace, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, True)


def hardsigmoid(input, inplace=False):
    return _inplace_or(Hardsigmoid, input, inplace)


def hardswish(input, inplace=False):
    return _inplace_or(Hardswish, input, inplace)


def softplus(input, beta=1.0, threshold=20.0):
    return _pw.softplus(input, beta, threshold)


def softsign(input):
    return input / (input.abs() + 1)


def tanhshrink(input):
    return input - input.tanh()


def threshold(input, threshold, value, inplace=False):
    return _inplace_or(Threshold, input, inplace, threshold, value)


def threshold_(input, threshold, value):
    return _inplace_or(Threshold, input, True, threshold, value)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _red.softmax(input, dim, _stacklevel, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    return _red.log_softmax(input, dim, _stacklevel, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    return _red.softmin(input, dim, _stacklevel, dtype)


def logsigmoid(input):
    return _run(LogSigmoid, input)


def hardshrink(input, lambd=0.5):
    return _run(Hardshrink, input, lambd)


def softshrink(input, lambd=0.5):
    return _run(Softshrink, input, lambd)


def glu(input, dim=-1):
    if input._array.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    n = input.shape[dim]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension "
                           f"{dim % input._array.ndim} is size {n}")
    return _apply(Glu, (input, dim % input._array.ndim), {}, None)


class Glu(Op):
    """glu(x) = a * sigmoid(b), (a, b) the halves of ``x`` along ``dim`` (torch's one node)."""

    @staticmethod
    def forward(ctx, x, dim):
        a, b = xp.split(x, 2, axis=dim)
        s = _pw._sigmoid(b)
        ctx.save_for_backward(x)
        ctx.dim = dim
        return a * s

    @staticmethod
    def backward(ctx, g, ns):
        (x,) = ctx.saved_tensors
        dim = ctx.dim
        n = x.shape[dim] // 2
        idx = [slice(None)] * x.ndim
        idx[dim] = slice(0, n)
        a = x[tuple(idx)]
        idx[dim] = slice(n, None)
        s = _sig(x[tuple(idx)], ns)
        ga = g * s
        return ns.concatenate([ga, ga * a * (1 - s)], axis=dim), None


class PreluKernel(Op):
    """torch's _prelu_kernel: x where x > 0, else w * x, with ``w`` broadcast over ``x``."""

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return xp.where(x > 0, x, w * x)

    @staticmethod
    def backward(ctx, g, xp):
        x, w = ctx.saved_tensors
        pos = x > 0
        return xp.where(pos, g, w * g), xp.where(pos, 0.0, x * g)


def prelu(input, weight):
    # torch (ATen prelu): the weight reshaped to broadcast over dim 1, then _prelu_kernel
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
    return _apply(PreluKernel, (input, w), {}, None)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    if training:
        from .._random import rand
        a = rand(*input.shape, dtype=input.dtype) * (upper - lower) + lower
        out = _pw.where(input >= 0, input, input * a)
    else:
        out = leaky_relu(input, (lower + upper) / 2)
    if inplace:
        from .._ops.inplace import copy_
        return copy_(input, out)
    return out


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


class _AddScalar(_pw.Add):
    """at::add(Tensor, Scalar): the number is no graph input (AddBackward1, one edge)."""
    node_name = "AddBackward1"
    inputs = None


class _NormScalar(_red.Norm):
    """at::norm(Tensor, Scalar p, dim, keepdim) (NormBackward1)."""
    node_name = "NormBackward1"


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    # torch (ATen pairwise_distance): at::norm(x1 - x2 + eps, p, last dim, keepdim)
    nd = max(x1._array.ndim, x2._array.ndim)
    dim = nd - 1 if nd > 0 else 0
    d = _apply(_AddScalar, (x1 - x2, eps), {}, None)
    return _apply(_NormScalar, (d, float(p), (dim % max(d._array.ndim, 1),) if d._array.ndim
                                else (), keepdim), {}, None)


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


class ConstantPadNd(Op):
    """Pad with a constant (negative pads crop); backward slices the gradient back out."""

    @staticmethod
    def forward(ctx, a, pairs, value):
        shape, src, dst = [], [], []
        for n, (lo, hi) in zip(a.shape, pairs):
            s0, s1 = max(-lo, 0), n - max(-hi, 0)
            size = n + lo + hi
            if size < 0 or s1 < s0:
                raise RuntimeError(
                    f"The input size {n}, plus negative padding {lo} and {hi} resulted in a "
                    f"negative output size, which is invalid. Check dimension of your input.")
            d0 = max(lo, 0)
            shape.append(size)
            src.append(slice(s0, s1))
            dst.append(slice(d0, d0 + (s1 - s0)))
        out = xp.full(tuple(shape), value, dtype=a.dtype)
        out[tuple(dst)] = a[tuple(src)]
        ctx.src, ctx.dst, ctx.shape = tuple(src), tuple(dst), a.shape
        return out

    @staticmethod
    def backward(ctx, g, ns):
        return ns.put_at(ctx.shape, ctx.src, g[ctx.dst]), None, None


def _pad_index(n, lo, hi, mode):
    i = xp.arange(-lo, n + hi)
    if mode == "reflect":
        period = 2 * (n - 1) if n > 1 else 1
        i = xp.abs(i) % period
        return xp.where(i >= n, period - i, i)
    if mode == "replicate":
        return xp.clip(i, 0, n - 1)
    return i % n  # circular


def _index_pad_op(name):
    def forward(ctx, a, pairs, mode):
        per_dim = [_pad_index(n, lo, hi, mode) for n, (lo, hi) in zip(a.shape, pairs)]
        ctx.idx, ctx.shape = xp.ix_(*per_dim), a.shape
        out = a
        for d, (lo, hi) in enumerate(pairs):  # one take per padded axis (not an ix_ gather)
            if lo or hi:
                out = xp.take(out, per_dim[d], axis=d)
        return out if out is not a else a.copy()

    def backward(ctx, g, ns):
        return ns.add_at(ctx.shape, ctx.idx, g), None, None

    return type(name, (Op,), {"forward": staticmethod(forward),
                              "backward": staticmethod(backward),
                              "node_name": name + "Backward0"})


_PAD_OPS = {}
for _k in (1, 2, 3):
    _PAD_OPS[("reflect", _k)] = _index_pad_op(f"ReflectionPad{_k}D")
    _PAD_OPS[("replicate", _k)] = _index_pad_op(f"ReplicationPad{_k}D")
    _PAD_OPS[("circular", _k)] = _index_pad_op(f"CircularPad{_k}D")


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
            f"Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now")
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
    return _apply(_PAD_OPS[(mode, k)], (input, pairs, mode), {}, None)


# ============================================================================ losses: helpers

_REDUCTIONS = ("none", "mean", "sum")


def legacy_get_string(size_average, reduce, emit_warning=True):
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    ret = "mean" if (size_average and reduce) else ("sum" if reduce else "none")
    if emit_warning:
        warnings.warn("size_average and reduce args will be deprecated, please use "
                      f"reduction='{ret}' instead.", stacklevel=3)
    return ret


def _red_arg(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _arr_or_none(t, dtype):
    if t is None:
        return None
    a = t._array if isinstance(t, Tensor) else xp.asarray(t)
    return a.astype(dtype, copy=False)


def _finish(loss, reduction, n_or_denom):
    if reduction == "none":
        return loss
    s = loss.sum()
    return xp.asarray(s / n_or_denom if reduction == "mean" else s, dtype=loss.dtype)


def _grad_scale(g, ctx):
    """Upstream grad, shaped against the per-element loss."""
    if ctx.red == "mean":
        return g / ctx.denom
    return g


# ============================================================================ pointwise losses


class _PointwiseLoss(Op):
    """loss(d = input - target) elementwise, times an optional weight, then reduced
    (a weighted mean divides by sum(weight) for mse/l1, by the element count for huber)."""

    weighted_mean_by_weight = False

    @staticmethod
    def _loss(d, p):  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def _dloss(d, p, ns):  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def forward(cls, ctx, x, t, reduction, p, w):
        d = x - t
        loss = cls._loss(d, p).astype(d.dtype, copy=False)
        denom = loss.size
        if w is not None:
            loss = loss * w
            if cls.weighted_mean_by_weight:
                denom = w.sum()
        ctx.save_for_backward(x, t)
        ctx.red, ctx.p, ctx.w, ctx.denom = reduction, p, w, denom
        return _finish(loss, reduction, denom)

    @classmethod
    def backward(cls, ctx, g, ns):
        x, t = ctx.saved_tensors
        gd = cls._dloss(x - t, ctx.p, ns)
        if ctx.w is not None:
            gd = gd * ctx.w
        gx = _grad_scale(g, ctx) * gd
        return gx, -gx, None, None, None


class MseLoss(_PointwiseLoss):
    weighted_mean_by_weight = True
    _loss = staticmethod(lambda d, p: d * d)
    _dloss = staticmethod(lambda d, p, ns: 2 * d)


class L1Loss(_PointwiseLoss):
    node_name = "L1LossBackward0"
    weighted_mean_by_weight = True
    _loss = staticmethod(lambda d, p: xp.abs(d))
    _dloss = staticmethod(lambda d, p, ns: ns.sign(d))


def _smooth_l1(d, beta):
    ad = xp.abs(d)
    if beta == 0:
        return ad
    return xp.where(ad < beta, 0.5 * d * d / beta, ad - 0.5 * beta)


def _dsmooth_l1(d, beta, ns):
    if beta == 0:
        return ns.sign(d)
    return ns.where(ns.abs(d) < beta, d / beta, ns.sign(d))


class SmoothL1Loss(_PointwiseLoss):
    _loss = staticmethod(_smooth_l1)
    _dloss = staticmethod(_dsmooth_l1)


class HuberLoss(_PointwiseLoss):
    _loss = staticmethod(lambda d, k: xp.where(xp.abs(d) < k, 0.5 * d * d,
                                               k * (xp.abs(d) - 0.5 * k)))
    _dloss = staticmethod(lambda d, k, ns: ns.where(ns.abs(d) <= k, d, k * ns.sign(d)))


def _size_warning(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)


def _pointwise(cls, input, target, reduction, p, weight):
    _size_warning(input, target)
    dt = D.result_type(input, target)
    cast = dt.np if dt.is_floating_point else D.get_default_dtype().np
    w = _arr_or_none(weight, cast)
    return _apply(cls, (input, target, reduction, p, w), {}, cast)


def _check_weight_size(weight, input):
    if weight is not None and weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    reduction = _red_arg(size_average, reduce, reduction)
    _check_weight_size(weight, input)
    return _pointwise(MseLoss, input, target, reduction, None, weight)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    reduction = _red_arg(size_average, reduce, reduction)
    _check_weight_size(weight, input)
    return _pointwise(L1Loss, input, target, reduction, None, weight)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    reduction = _red_arg(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return _pointwise(SmoothL1Loss, input, target, reduction, float(beta), None)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    reduction = _red_arg(None, None, reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    return _pointwise(HuberLoss, input, target, reduction, float(delta), weight)


# ============================================================================ nll / cross entropy


class _MulScalar(Op):
    """``tensor * number`` inside a composed loss: torch's C++ ``mul(Tensor, Scalar)``
    (MulBackward1, one edge), where Python's ``*`` would record MulBackward0."""
    node_name = "MulBackward1"

    @staticmethod
    def forward(ctx, a, s):
        ctx.s = s
        return a * s

    @staticmethod
    def backward(ctx, g, ns):
        return g * ctx.s


class _DivScalar(Op):
    """``tensor / number`` inside a composed loss (DivBackward1, one edge)."""
    node_name = "DivBackward1"

    @staticmethod
    def forward(ctx, a, s):
        ctx.s = s
        return a / s

    @staticmethod
    def backward(ctx, g, ns):
        return g / ctx.s


class _AddScalar(Op):
    """``tensor + number`` inside a composed loss (AddBackward1, one edge)."""
    node_name = "AddBackward1"

    @staticmethod
    def forward(ctx, a, s):
        return a + s

    @staticmethod
    def backward(ctx, g, ns):
        return g


class _FillNan(Op):
    """``t.fill_(nan)`` on a fresh result (an empty batch's mean): FillBackward2, zero grad."""
    node_name = "FillBackward2"

    @staticmethod
    def forward(ctx, a):
        return xp.full(a.shape, xp.nan, a.dtype)

    @staticmethod
    def backward(ctx, g, ns):
        return g * 0


def _scalar_op(cls, t, s):
    return _apply(cls, (t,), {"s": s}, None)


class _LogSoftmaxCE(Op):
    """log_softmax over the class axis of cross_entropy's logits (node LogSoftmaxBackward0,
    as torch's).  Unlike the general op it keeps the softmax, a by-product of its forward, for
    the first-order backward dx = g - softmax * sum(g): the backward needs no second exp
    (an exp of float32 costs ~3 ns an element here, most of a loss step over many classes)."""
    node_name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx, a, axis):
        if not a.size:
            ctx.p, ctx.axis, ctx.last = a, axis, False
            return a.copy()
        dt = a.dtype
        if dt.itemsize < 4:  # float16/bfloat16: computed in float32 (torch's opmath), as torch
            a = a.astype(xp.float32)
        last = axis == a.ndim - 1
        s = a - (max_last(a) if last else xp.amax(a, axis=axis, keepdims=True))
        e = xp.exp(s)
        se = sum_last(e) if last else xp.sum(e, axis=axis, keepdims=True)
        s -= xp.log(se)
        if ctx.needs_input_grad:
            e /= se
            ctx.save_for_backward(s)
            ctx.p, ctx.axis, ctx.last = e, axis, last
        return s if s.dtype == dt else s.astype(dt)

    @staticmethod
    def backward(ctx, g, ns):
        if _graph(ns):
            (y,) = ctx.saved_tensors
            return g - ns.exp(y) * ns.sum(g, axis=ctx.axis, keepdims=True)
        t = ctx.p * (sum_last(g) if ctx.last else xp.sum(g, axis=ctx.axis, keepdims=True))
        return xp.subtract(g, t, out=t).astype(g.dtype, copy=False)


class NllLoss(Op):
    """Negative log likelihood over class indices (class axis 1; a 1-D input is one sample).

    loss_i = -w[t_i] x[i, t_i], exactly 0 where t_i == ignore_index; 'mean' divides the sum by
    the summed weights of the kept targets (0/0 = nan when every target is ignored, as torch).
    The backward writes -w[t_i] g_i at each kept target into a zero gradient, so ignored
    samples get 0 even when the mean's divisor is 0.  Target, weight and options are keyword
    arguments: the node has one edge, as torch's."""

    @staticmethod
    def forward(ctx, x, t, w, ignore_index, reduction):
        xa = x.reshape((1,) + x.shape) if x.ndim == 1 else x
        t = t.reshape(xa.shape[:1] + xa.shape[2:])
        if t.dtype != xp.int64:
            t = t.astype(xp.int64)
        C = xa.shape[1]
        in_range = not (t.view(xp.uint64) >= C).any()  # (negative targets wrap to huge values)
        if in_range and not 0 <= ignore_index < C:
            keep, every, tc = None, True, t  # the common case: nothing to ignore
        else:
            keep = t != ignore_index
            every = bool(keep.all())
            tc = t if every else xp.where(keep, t, 0)
            if not in_range:
                bad = (t.view(xp.uint64) >= C) & keep
                if bad.any():
                    raise IndexError(f"Target {int(t[bad][0])} is out of bounds.")
        rows = None
        if not C:  # (no class at all: every target was ignored)
            picked = xp.zeros(t.shape, x.dtype)
        elif xa.ndim == 2:
            rows = xp.arange(xa.shape[0])
            picked = xa[rows, tc]
        else:
            picked = _take_along(xa, tc.reshape(tc.shape[:1] + (1,) + tc.shape[1:]), 1,
                                 nonneg=True)[:, 0]
        wt = None if w is None else w[tc]
        loss = -picked if wt is None else -(picked * wt)
        if not every:
            loss = xp.where(keep, loss, 0)
            if wt is not None:
                wt = xp.where(keep, wt, 0)
        if ctx.needs_input_grad:
            ctx.tc, ctx.rows, ctx.keep, ctx.wt = tc, rows, None if every else keep, wt
            ctx.red, ctx.xshape = reduction, x.shape
        if reduction == "none":
            return loss.reshape(()) if x.ndim == 1 else loss
        total = loss.sum()
        if reduction == "sum":
            return xp.asarray(total, x.dtype)
        if wt is not None:
            tw = wt.sum()
        else:
            tw = t.size if every else keep.sum()
        tw = ctx.tw = xp.asarray(tw, x.dtype)
        if tw == 0:  # every target ignored (or an empty batch): nan, as torch
            with xp.errstate(invalid="ignore", divide="ignore"):
                return xp.asarray(total / tw, x.dtype)
        return xp.asarray(total / tw, x.dtype)

    @staticmethod
    def backward(ctx, g, ns):
        if ctx.red == "mean" and ctx.tw == 0:  # every target ignored (or zero weights)
            with xp.errstate(divide="ignore", invalid="ignore"):
                return NllLoss._grad(ctx, g / ctx.tw, ns)
        return NllLoss._grad(ctx, g / ctx.tw if ctx.red == "mean" else g, ns)

    @staticmethod
    def _grad(ctx, g, ns):
        tc = ctx.tc
        if ctx.red == "none":
            g = g.reshape(tc.shape)
        v = -g if ctx.wt is None else g * -ctx.wt
        if ctx.keep is not None:
            v = ns.where(ctx.keep, v, 0)  # (ignored targets get 0, even from 0/0)
        if ctx.rows is not None and not _graph(ns):
            gx = xp.zeros((len(ctx.rows), ctx.xshape[-1]), v.dtype)
            gx[ctx.rows, tc] = v
            return gx.reshape(ctx.xshape) if len(ctx.xshape) == 1 else gx
        if not xp.prod(ctx.xshape):
            return ns.zeros_like(xp.zeros(ctx.xshape, v.dtype))
        if v.shape != tc.shape:
            v = ns.broadcast_to(v, tc.shape)
        lead = tc.shape[:1] + (1,) + tc.shape[1:]
        xshape = ctx.xshape if len(ctx.xshape) > 1 else (1,) + ctx.xshape
        gx = ns.scatter_add_along(xshape, tc.reshape(lead), v.reshape(lead), 1)
        return gx.reshape(ctx.xshape) if len(ctx.xshape) == 1 else gx


class NllLoss2d(NllLoss):
    node_name = "NllLoss2DBackward0"


def _dtype_name(a):
    return _SCALAR_NAMES.get(a.dtype.name, a.dtype.name)


def _check_weight(weight, x, C, cross_entropy_prob=False):
    if weight is None:
        return None
    w = weight._array
    if w.ndim != 1 or w.size != C:
        raise RuntimeError(f"{'cross_entropy: ' if cross_entropy_prob else ''}weight tensor "
                           f"should be defined either for all {C} classes or no classes but got "
                           f"weight tensor of shape: {list(w.shape)}")
    if not cross_entropy_prob and w.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {_dtype_name(x)} but found {_dtype_name(w)}")
    return w


def _nll_nd(input, target, weight, reduction, ignore_index, fn="nll_loss"):
    """torch's nll_loss_nd: 1-D/2-D input -> nll_loss, 4-D -> nll_loss2d, 3-D or 5+-D viewed as
    (N, C, 1, -1) for nll_loss2d (its 'none' result viewed back), with torch's checks."""
    x, t = input._array, target._array
    nd = x.ndim
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd != 1 and x.shape[0] != (t.shape[0] if t.ndim else 0):
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
                         f"({t.shape[0] if t.ndim else 0}).")
    if t.dtype != xp.int64 and t.dtype != xp.uint8:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_dtype_name(t)}")
    if x.dtype.kind != "f":
        frame = "nll_loss_out_frame" if nd <= 2 else "nll_loss2d_forward_out_frame"
        raise NotImplementedError(f"\"{frame}\" not implemented for '{_dtype_name(x)}'")
    C = x.shape[1] if nd > 1 else x.shape[0]
    kw = {"t": t, "ignore_index": ignore_index, "reduction": reduction}
    if nd <= 2:
        if t.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if nd == 1 and t.ndim == 1 and t.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: "
                             f"{t.shape[0]}")
        kw["w"] = _check_weight(weight, x, C)
        return _apply(NllLoss, (input,), kw, None)
    out_size = None
    if nd != 4:
        out_size = [x.shape[0]] + list(x.shape[2:])
        if list(t.shape) != out_size:
            raise RuntimeError(f"Expected target size {out_size}, got {list(t.shape)}")
        n = x.shape[0]
        input = input.contiguous()
        input = input.view(n, C, 1, -1) if x.size else input.view(n, C, 0, 0)
        x, t = input._array, t.reshape((n, 1, -1) if t.size else (n, 0, 0))
        kw["t"] = t
    if t.ndim != 3:
        raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                           f"targets of dimension: {t.ndim}")
    if t.shape != x.shape[:1] + x.shape[2:]:
        raise RuntimeError(f"size mismatch (got input: {list(x.shape)} , target: "
                           f"{list(t.shape)}")
    if t.dtype != xp.int64:
        raise RuntimeError(f"expected scalar type Long but found {_dtype_name(t)}")
    if weight is not None and (weight._array.ndim != 1 or weight._array.size != C):
        raise RuntimeError("weight tensor should be defined either for all or no classes")
    kw["w"] = _check_weight(weight, x, C)
    out = _apply(NllLoss2d, (input,), kw, None)
    if out_size is not None and reduction == "none":
        out = out.view(*out_size)
    return out


def _check_ignore_index(ignore_index, fn):
    if not isinstance(ignore_index, int):
        raise TypeError(f"{fn}(): argument 'ignore_index' (position 5) must be int, not "
                        f"{type(ignore_index).__name__}")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    _check_ignore_index(ignore_index, "nll_loss_nd")
    return _nll_nd(input, target, weight, reduction, ignore_index)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """torch's cross_entropy_loss: probabilities (target shaped as input), label smoothing, or
    nll_loss_nd(log_softmax(input)), composed as torch composes them (the same graph)."""
    reduction = _red_arg(size_average, reduce, reduction)
    _check_ignore_index(ignore_index, "cross_entropy_loss")
    x, t = input._array, target._array
    if x.shape == t.shape:
        if t.dtype.kind != "f":
            raise RuntimeError("Expected floating point type for target with class "
                               f"probabilities, got {_dtype_name(t)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _prob_cross_entropy(input, target, weight, reduction, label_smoothing)
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    cdim = 0 if x.ndim == 1 else 1
    if x.dtype.kind != "f" and x.ndim:
        kern = "log_softmax_lastdim_kernel_impl" if cdim == x.ndim - 1 else \
            "log_softmax_kernel_impl"
        raise NotImplementedError(f"\"{kern}\" not implemented for '{_dtype_name(x)}'")
    if not x.ndim:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    logp = _apply(_LogSoftmaxCE, (input,), {"axis": cdim}, None)
    nll = _nll_nd(logp, target, weight, reduction, ignore_index)
    if label_smoothing <= 0.0:
        return nll
    ls = float(label_smoothing)
    C = x.shape[cdim]
    if weight is not None:
        wshape = [1] * x.ndim
        wshape[cdim] = C
        smooth = -(logp * weight.view(*wshape)).sum(cdim)
    else:
        smooth = -logp.sum(cdim)
    ignored = target == ignore_index
    smooth.masked_fill_(ignored, 0.0)
    if reduction == "mean":
        if weight is not None:
            if t.dtype != xp.int64 and (t != ignore_index).any():
                raise RuntimeError("gather(): Expected dtype int32/int64 for index")
            ret = smooth.sum() / weight.gather(0, target.masked_select(~ignored).flatten()).sum()
        else:
            ret = smooth.sum() / (~ignored).sum()
    elif reduction == "sum":
        ret = smooth.sum()
    else:
        ret = smooth
    return _scalar_op(_MulScalar, nll, 1 - ls) + _scalar_op(_MulScalar, ret, ls / C)


def _prob_cross_entropy(input, target, weight, reduction, ls):
    x = input._array
    if x.ndim == 0:
        raise IndexError("Dimension specified as 1 but tensor has no dimensions")
    cdim = 0 if x.ndim == 1 else 1
    C = x.shape[cdim]
    w = _check_weight(weight, x, C, cross_entropy_prob=True)
    logp = _red.log_softmax(input, cdim)
    if ls > 0.0:
        if ls > 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {ls}")
        target = _scalar_op(_AddScalar, _scalar_op(_MulScalar, target, 1 - ls), ls / C)
    prod = logp * target
    if w is not None:
        prod = prod * (weight.view(*([1, C] + [1] * (x.ndim - 2))) if x.ndim > 1 else weight)
    if reduction == "none":
        return -prod.sum(cdim)
    if reduction == "mean" and x.size == 0:
        return -_apply(_FillNan, (prod.sum(),), {}, None)
    loss = -prod.sum()
    return _scalar_op(_DivScalar, loss, x.size // C) if reduction == "mean" else loss


# ============================================================================ binary


class BinaryCrossEntropy(Op):
    """-w (t log x + (1 - t) log(1 - x)), logs clamped at -100."""

    @staticmethod
    def forward(ctx, x, t, w, reduction):
        if ((x < 0) | (x > 1)).any():
            raise RuntimeError("all elements of input should be between 0 and 1")
        with xp.errstate(divide="ignore"):
            loss = -(t * xp.maximum(xp.log(x), -100) + (1 - t) * xp.maximum(xp.log1p(-x), -100))
        if w is not None:
            loss = loss * w
        ctx.save_for_backward(x, t)
        ctx.w, ctx.red, ctx.denom = w, reduction, loss.size
        return _finish(loss.astype(x.dtype, copy=False), reduction, loss.size)

    @staticmethod
    def backward(ctx, g, ns):
        x, t = ctx.saved_tensors
        gs = _grad_scale(g, ctx)
        if ctx.w is not None:
            gs = gs * ctx.w
        need = ctx.needs_input_grad
        gx = gs * (x - t) / ns.maximum((1 - x) * x, 1e-12) if need[0] else None
        gt = None
        if len(need) > 1 and need[1]:
            gt = gs * (ns.maximum(ns.log1p(-x), -100) - ns.maximum(ns.log(x), -100))
        return gx, gt, None, None


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")
    dt = input._array.dtype
    return _apply(BinaryCrossEntropy, (input, target, _arr_or_none(weight, dt), reduction), {},
                  dt)


class BinaryCrossEntropyWithLogits(Op):
    """w [(1 - t) x + (1 + (pw - 1) t) softplus(-x)]: stable for any logit."""

    @staticmethod
    def forward(ctx, x, t, w, pw, reduction):
        sp = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))
        lw = 1 if pw is None else 1 + (pw - 1) * t
        loss = (1 - t) * x + lw * sp
        if w is not None:
            loss = loss * w
        ctx.save_for_backward(x, t)
        ctx.w, ctx.pw, ctx.red, ctx.denom = w, pw, reduction, loss.size
        return _finish(loss.astype(x.dtype, copy=False), reduction, loss.size)

    @staticmethod
    def backward(ctx, g, ns):
        x, t = ctx.saved_tensors
        gs = _grad_scale(g, ctx)
        if ctx.w is not None:
            gs = gs * ctx.w
        pw = ctx.pw
        need = ctx.needs_input_grad
        gx = gt = None
        if need[0]:
            s = _sig(x, ns)
            gx = gs * (s - t) if pw is None else gs * ((1 + (pw - 1) * t) * s - pw * t)
        if len(need) > 1 and need[1]:
            gt = -x if pw is None else (pw - 1) * _softplus_of(-x, ns) - x
            gt = gs * gt
        return gx, gt, None, None, None


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    reduction = _red_arg(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    dt = input._array.dtype if input._array.dtype.kind == "f" else D.get_default_dtype().np
    return _apply(BinaryCrossEntropyWithLogits,
                  (input, target, _arr_or_none(weight, dt), _arr_or_none(pos_weight, dt),
                   reduction), {}, dt)


# ============================================================================ composed losses


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", stacklevel=2)
    if reduction not in _REDUCTIONS + ("batchmean",):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        pos = target > 0
        safe = _pw.where(pos, target, 1.0)
        loss = _pw.where(pos, target * safe.log(), 0.0) - target * input
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input._array.ndim else 1)
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        safe = _pw.where(target > 1, target, 2.0)
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + _pw.where(target > 1, stirling, 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    if isinstance(var, (int, float)):
        from .._creation import full_like
        var = full_like(input, var)
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif not (input.shape[:-1] == var.shape[:-1] and var.shape[-1] == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    if bool((var._array < 0).any()):
        raise ValueError("var has negative entry/entries")
    var = var + (var.detach().clamp_min(eps) - var.detach())  # clamp without blocking grad
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    d = input1._array.ndim - 1
    eps = 1e-12
    prod = (input1 * input2).sum(d)
    m1 = (input1 * input1).sum(d) + eps
    m2 = (input2 * input2).sum(d) + eps
    cos = prod / (m1 * m2).sqrt()
    zero = cos * 0
    out = (_pw.where(target == 1, 1 - cos, zero)
           + _pw.where(target == -1, (cos - margin).clamp_min(0), zero))
    return _reduce(out, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    if not (input1._array.ndim == input2._array.ndim == target._array.ndim):
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    zero = input * 0
    out = (_pw.where(target != 1, (margin - input).clamp_min(0), zero)
           + _pw.where(target != -1, input, zero))
    return _reduce(out, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    nd = anchor._array.ndim
    if not (nd == positive._array.ndim == negative._array.ndim):
        raise RuntimeError(
            f"The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {nd}D, positive {positive._array.ndim}D, and negative "
            f"{negative._array.ndim}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = _pw.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = _pw.minimum(d_neg, dist(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    return _reduce(softplus(-target * input), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    cdim = input._array.ndim - 1
    loss = loss.sum(cdim) / input.shape[cdim]
    return _reduce(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    x = input if input._array.ndim == 2 else input.reshape(1, -1)
    t = target.reshape(-1, 1)
    C = x.shape[1]
    x_t = x.gather(1, t)
    z = (margin - x_t + x).clamp_min(0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight[target.reshape(-1)].reshape(-1, 1)
    mask = t._array != xp.arange(C)
    loss = (z * _make(mask, False, None, 0, None)).sum(1) / C
    if input._array.ndim == 1:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    reduction = _red_arg(size_average, reduce, reduction)
    x = input if input._array.ndim == 2 else input.reshape(1, -1)
    t = target._array.reshape(x.shape)
    C = x.shape[1]
    losses = []
    for i in range(x.shape[0]):
        ts = []
        for j in t[i]:
            if j < 0:
                break
            ts.append(int(j))
        is_t = xp.zeros(C, bool)
        is_t[ts] = True
        row = x[i]
        tot = None
        for j in ts:
            z = ((1 - row[j] + row).clamp_min(0) * _make(~is_t, False, None, 0, None)).sum()
            tot = z if tot is None else tot + z
        losses.append(tot / C if tot is not None else row.sum() * 0)
    from .. import stack
    loss = stack(losses)
    if input._array.ndim == 1:
        loss = loss.reshape(())
    return _reduce(loss, reduction)

