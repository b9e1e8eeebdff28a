"""torch.nn.functional, core part: linear, activations, distances, one_hot and pad (the losses
are in ``_functional_losses``).

Activations with a cheap closed-form derivative are small fused Ops (one node, PyTorch's grad_fn
name).  Backward formulas are written so they work on arrays (first order) and on Tensors
(``create_graph=True``).
"""
from __future__ import annotations

import math

from .. import _dtype as D
from .. import _special
from .._backend import xp
from .._tensor import _make
from .._ops import linalg as _la
from .._ops import pointwise as _pw
from .._ops import reduction as _red
from .._ops import shape as _sh
from .._ops._utils import _INT_BOUNDS, checked_int, not_implemented
from ..autograd.function import Op, _apply

__all__ = [
    "linear", "bilinear", "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "elu",
    "elu_", "selu", "selu_", "celu", "celu_", "gelu", "silu", "mish", "tanh", "sigmoid",
    "hardtanh", "hardtanh_", "hardsigmoid", "hardswish", "softplus", "softsign", "tanhshrink",
    "threshold", "threshold_", "softmax", "log_softmax", "softmin", "logsigmoid", "hardshrink",
    "softshrink", "glu", "rrelu", "normalize", "cosine_similarity", "pairwise_distance",
    "one_hot", "pad",
]

_SCALAR_NAMES = {d.name: d.scalar_name for d in D._ALL}  # torch's ScalarType names


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
        return _inp(input, lambda t: _run(cls, t, *params, kernel=kernel))
    return _run(cls, input, *params, kernel=kernel)


def _int_params(input, *values):
    """Scalar parameters of hardtanh/threshold on an integer tensor: converted to its dtype as
    torch does (truncated, with the overflow check)."""
    dt = input._array.dtype
    lo, hi = _INT_BOUNDS[dt]
    # a float is range-checked before truncation (-0.5 overflows uint8); an int wraps as in
    # checked_int (-1 is 255 in uint8)
    return tuple(checked_int(int(v) if not isinstance(v, float) or lo <= v <= hi else
                             (hi + 1 if v > hi else -(1 << 65)), dt) for v in values)


LeakyRelu = _act("LeakyRelu", lambda a, s: xp.where(a > 0, a, a * s).astype(a.dtype, copy=False),
                 lambda g, x, ns, s: ns.connect(ns.where(x > 0, g, g * s), x,
                                                "LeakyReluBackwardBackward0"))


def _elu_fwd(a, alpha, scale, in_scale):
    neg = xp.expm1(xp.minimum(a, 0) * in_scale) * (alpha * scale)
    return xp.where(a > 0, a * scale, neg).astype(a.dtype, copy=False)


def _elu_bwd(g, x, ns, alpha, scale, in_scale):
    # torch: the exp branch where x <= 0 (NaN takes the linear one); its double backward has
    # derivative 0 at x == 0 (the exp branch's value there, as a constant)
    # (the exp of x < 0 only: no NaN from the branch where does not take)
    xn = ns.where(x < 0, x, 0) if _graph(ns) else x
    return ns.where(x <= 0, g * ns.exp(xn * in_scale) * (alpha * scale * in_scale), g * scale)


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
                lambda g, x, ns, lo, hi: ns.connect(ns.where((x <= lo) | (x >= hi), 0, g), x,
                                                    "HardtanhBackwardBackward0"))
Hardsigmoid = _act(
    "Hardsigmoid", lambda a: (xp.clip(a + 3, 0, 6) / 6).astype(a.dtype, copy=False),
    lambda g, x, ns: ns.no_double_backward(g * ((x > -3) & (x < 3)) / 6, x,
                                           "hardsigmoid_backward"))


def _hardswish_bwd(g, x, ns):
    # torch: 0 where x <= -3, g (x / 3 + 1/2) where x < 3, else g (NaN too)
    return ns.where(x <= -3, 0, ns.where(x < 3, g * (x / 3 + 0.5), g))


Hardswish = _act("Hardswish",
                 lambda a: (a * xp.clip(a + 3, 0, 6) / 6).astype(a.dtype, copy=False),
                 _hardswish_bwd)
# torch: x <= threshold -> value, else x (NaN stays NaN, and passes its gradient)
Threshold = _act("Threshold",
                 lambda a, th, v: xp.where(a <= th, v, a).astype(a.dtype, copy=False),
                 lambda g, x, ns, th, v: ns.connect(ns.where(x <= th, 0, g), x))


def _logsigmoid_fwd(a):
    return (xp.minimum(a, 0) - xp.log1p(xp.exp(-xp.abs(a)))).astype(a.dtype, copy=False)


LogSigmoid = _act("LogSigmoid", _logsigmoid_fwd, lambda g, x, ns: g * _sig(-x, ns))
Hardshrink = _act("Hardshrink",
                  lambda a, lam: xp.where((a >= -lam) & (a <= lam), 0, a).astype(
                      a.dtype, copy=False),
                  lambda g, x, ns, lam: ns.connect(ns.where((x >= -lam) & (x <= lam), 0, g), x,
                                                   "HardshrinkBackwardBackward0"))
Softshrink = _act(
    "Softshrink",
    lambda a, lam: xp.where((a >= -lam) & (a <= lam), 0,
                            xp.where(a > lam, a - lam, a + lam)).astype(a.dtype, copy=False),
    lambda g, x, ns, lam: ns.connect(ns.where((x >= -lam) & (x <= lam), 0, g), x,
                                     "SoftshrinkBackwardBackward0"))


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
        if _graph(xp):  # torch's double backward masks with x >= 0: no x == 0 derivatives
            zero = x == 0
            name = "PreluKernelBackwardBackward0"
            return (xp.connect(xp.where(pos, g, xp.where(zero, w.detach() * g, w * g)), x, name),
                    xp.connect(xp.where(pos, 0.0, xp.where(zero, x.detach() * g, x * g)), w,
                               name))
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
    da, dw = input._array.dtype, weight._array.dtype
    if da != dw:
        raise RuntimeError(f"prelu: Type promoting not supported. Got "
                           f"{_SCALAR_NAMES.get(da.name, da.name)} and "
                           f"{_SCALAR_NAMES.get(dw.name, dw.name)}")
    if da.kind not in "fc":
        raise not_implemented("prelu_cpu", da)
    return _apply(PreluKernel, (input, w), {}, None)


class RreluWithNoise(Op):
    """rrelu: x where x >= 0, else x * noise (uniform in [lower, upper] when training, their
    mean in eval); d/dx = 1 or noise."""

    @staticmethod
    def forward(ctx, a, noise):
        ctx.save_for_backward(a, noise)
        return xp.where(a >= 0, a, a * noise).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g, ns):
        x, noise = ctx.saved_tensors
        return ns.connect(g * noise, x, "RreluWithNoiseBackwardBackward0"), None


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    if input._array.dtype.kind not in "fc":
        raise not_implemented("rrelu_with_noise_out_cpu" if training else "leaky_relu_cpu",
                              input._array.dtype)
    a = input._array
    if training:
        from .._random import rand
        r = rand(*input.shape, dtype=input.dtype)._array * (upper - lower) + lower
    else:
        r = xp.asarray((lower + upper) / 2, a.dtype)
    noise = xp.where(a > 0, xp.ones((), a.dtype), r).astype(a.dtype, copy=False)
    if inplace:
        from .._ops.inplace import inplace as _inp
        return _inp(input, lambda t: _apply(RreluWithNoise, (t, noise), {}, None))
    return _apply(RreluWithNoise, (input, noise), {}, None)


# ================================================================= nodes of a Python number


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


class _NormDim(_red.Norm):
    """at::norm(Tensor, Scalar p, dim, keepdim): NormBackward1 (torch.norm in Python records
    LinalgVectorNormBackward0, the C++ overload pairwise_distance calls does not)."""
    node_name = "NormBackward1"


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
