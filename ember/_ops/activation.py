"""Activation ops of torch.nn.functional: one-input elementwise Ops with constant parameters made
by ``_act`` (LeakyRelu, Elu, Celu, Silu, Mish, Hardtanh, ...), and Gelu, Glu, PreluKernel and
RreluWithNoise.  The public functions (argument checks, dtype rules) are in
``ember/nn/_functional_core.py``.

Activations with a cheap closed-form derivative are small fused Ops (one node, PyTorch's grad_fn
name).  ``backward`` is the reference formula, in the ``ns`` vocabulary (arrays and Tensors);
where arrays allow a cheaper first-order formula (the forward's overflow-free sigmoid, a saved
erf) it is the op's ``fast_backward``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import math

from .. import _special
from .._backend import xp
from ..autograd.function import Op
from . import pointwise as _pw

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from ._types import Array, Ctx, Grads, Namespace, Value


def _sig(x, ns):
    """sigmoid(x) in the ns vocabulary (a SigmoidBackward0 node under create_graph)."""
    return ns.apply(_pw.Sigmoid, x)


def _softplus_of(z, ns):
    """torch's softplus(z) (beta 1, threshold 20) in the ns vocabulary."""
    return ns.apply(_pw.Softplus, z, 1.0, 20.0)


def _softplus_array(z):
    """log(1 + exp(z)) on an array, without overflow (and without softplus's threshold: it
    differs from ``_softplus_of`` by at most exp(-20) ~ 2e-9, for z > 20)."""
    return xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))


def _act(name, fwd, bwd, node_name=None, save="in", fast=None):
    """One-input elementwise Op with constant parameters: ``fwd(a, *p)``, ``bwd(g, x, ns, *p)``
    (``x`` is the saved input, or output when save='out'), the reference formula; ``fast``,
    optional, the same signature: the first-order array formula (``fast_backward``)."""

    def forward(ctx, a, *params):
        out = fwd(a, *params)
        ctx.save_for_backward(a if save == "in" else out)
        ctx.params = params
        return out

    def backward(ctx, g, ns):
        (x,) = ctx.saved_tensors
        return (bwd(g, x, ns, *ctx.params),) + (None,) * len(ctx.params)

    attrs = {"forward": staticmethod(forward), "backward": staticmethod(backward),
             "_jvp_unary": (bwd, save, True)}  # forward AD: derivative times tangent
    if fast is not None:
        def fast_backward(ctx, g, ns):
            (x,) = ctx.saved_tensors
            return (fast(g, x, ns, *ctx.params),) + (None,) * len(ctx.params)

        attrs["fast_backward"] = staticmethod(fast_backward)
    if node_name:
        attrs["node_name"] = node_name
    return type(name, (Op,), attrs)


LeakyRelu = _act("LeakyRelu", lambda a, s: xp.where(a > 0, a, a * s).astype(a.dtype, copy=False),
                 lambda g, x, ns, s: ns.connect(ns.where(x > 0, g, g * s), x,
                                                "LeakyReluBackwardBackward0"))


def _elu_fwd(a, alpha, scale, in_scale):
    neg = xp.expm1(xp.minimum(a, 0) * in_scale) * (alpha * scale)
    return xp.where(a > 0, a * scale, neg).astype(a.dtype, copy=False)


def _elu_grad(g, x, xn, ns, alpha, scale, in_scale):
    # torch: the exp branch where x <= 0 (NaN takes the linear one)
    return ns.where(x <= 0, g * ns.exp(xn * in_scale) * (alpha * scale * in_scale), g * scale)


def _elu_bwd(g, x, ns, alpha, scale, in_scale):
    # the exp of x < 0 only: its double backward has derivative 0 at x == 0 (the exp branch's
    # value there, as a constant), and no NaN comes from the branch where does not take
    return _elu_grad(g, x, ns.where(x < 0, x, 0), ns, alpha, scale, in_scale)


def _elu_bwd_fast(g, x, ns, alpha, scale, in_scale):
    # (the exp of every x: where discards the x > 0 ones, inf included)
    return _elu_grad(g, x, x, ns, alpha, scale, in_scale)


Elu = _act("Elu", _elu_fwd, _elu_bwd, fast=_elu_bwd_fast)
Celu = _act("Celu", _elu_fwd, _elu_bwd, fast=_elu_bwd_fast)

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

    The reference formula recomputes Phi from the saved input (with differentiable ops under
    create_graph, so higher-order gradients stay exact); the first-order one reuses the
    forward's Phi (an erf costs ~10 ns an element in NumPy/SciPy, most of GELU's time)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, approximate: str) -> Array:
        ctx.approximate = approximate
        if approximate == "tanh":
            ctx.save_for_backward(a, None)
            inner = _SQRT_2_PI * (a + 0.044715 * a * a * a)
            return (0.5 * a * (1 + xp.tanh(inner))).astype(a.dtype, copy=False)
        cdf = _gelu_cdf(a)
        ctx.save_for_backward(a, cdf)  # (released with the other saved arrays after backward)
        return (a * cdf).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        x, cdf = ctx.saved_tensors
        if ctx.approximate == "tanh":
            return _gelu_tanh_grad(g, x, ns), None
        return _gelu_grad(g, x, 0.5 * (1 + ns.apply(_pw.Erf, x * _INV_SQRT2)), ns), None

    @staticmethod
    def fast_backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        x, cdf = ctx.saved_tensors
        if ctx.approximate == "tanh":
            return _gelu_tanh_grad(g, x, ns), None
        return _gelu_grad(g, x, cdf, ns), None


def _gelu_tanh_grad(g, x, ns):
    x2 = x * x
    th = ns.tanh(_SQRT_2_PI * (x + 0.044715 * x2 * x))
    return g * (0.5 * (1 + th) + 0.5 * x * (1 - th * th) * _SQRT_2_PI * (1 + 3 * 0.044715 * x2))


def _gelu_grad(g, x, cdf, ns):
    """d gelu = Phi(x) + x phi(x), given Phi(x) = ``cdf``."""
    pdf = ns.exp(-0.5 * x * x) * (1.0 / math.sqrt(2 * math.pi))
    return g * (cdf + x * pdf)


def _silu_grad(g, x, s):
    return g * (s * (1 + x * (1 - s)))


Silu = _act("Silu", lambda a: a * _pw._sigmoid(a),
            lambda g, x, ns: _silu_grad(g, x, _sig(x, ns)),
            fast=lambda g, x, ns: _silu_grad(g, x, _pw._sigmoid(x)))


def _mish_fwd(a):
    return a * xp.tanh(xp.maximum(a, 0) + xp.log1p(xp.exp(-xp.abs(a))))


def _mish_grad(g, x, tsp, s):
    """d mish, given tanh(softplus(x)) = ``tsp`` and sigmoid(x) = ``s``."""
    return g * (tsp + x * s * (1 - tsp * tsp))


Mish = _act("Mish", _mish_fwd,
            lambda g, x, ns: _mish_grad(g, x, ns.tanh(_softplus_of(x, ns)), _sig(x, ns)),
            # (softplus without its threshold: equal to the reference's in float64, whose
            # tanh is 1 from x > 20 on either way)
            fast=lambda g, x, ns: _mish_grad(g, x, ns.tanh(_softplus_array(x)),
                                             _pw._sigmoid(x)))
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
                 lambda a, th, v: xp.where(a <= th, v, a).astype(  # type: ignore[attr-defined]
                     a.dtype, copy=False),  # (mypy takes the 1-argument where overload)
                 lambda g, x, ns, th, v: ns.connect(ns.where(x <= th, 0, g), x))


def _logsigmoid_fwd(a):
    return (xp.minimum(a, 0) - xp.log1p(xp.exp(-xp.abs(a)))).astype(a.dtype, copy=False)


LogSigmoid = _act("LogSigmoid", _logsigmoid_fwd, lambda g, x, ns: g * _sig(-x, ns),
                  fast=lambda g, x, ns: g * _pw._sigmoid(-x))
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


class Glu(Op):
    """glu(x) = a * sigmoid(b), (a, b) the halves of ``x`` along ``dim`` (torch's one node)."""

    @staticmethod
    def forward(ctx: Ctx, x: Array, dim: int) -> Array:
        a, b = xp.split(x, 2, axis=dim)
        s = _pw._sigmoid(b)
        ctx.save_for_backward(x)
        ctx.dim = dim
        return a * s

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (x,) = ctx.saved_tensors
        a, b = _halves(x, ctx.dim)
        return _glu_grad(g, a, _sig(b, ns), ctx.dim, ns), None

    @staticmethod
    def fast_backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (x,) = ctx.saved_tensors
        a, b = _halves(x, ctx.dim)
        return _glu_grad(g, a, _pw._sigmoid(b), ctx.dim, ns), None


def _halves(x, dim):
    n = x.shape[dim] // 2
    idx = [slice(None)] * x.ndim
    idx[dim] = slice(0, n)
    a = x[tuple(idx)]
    idx[dim] = slice(n, None)
    return a, x[tuple(idx)]


def _glu_grad(g, a, s, dim, ns):
    """d glu, given the first half ``a`` and sigmoid of the second ``s``."""
    ga = g * s
    return ns.concatenate([ga, ga * a * (1 - s)], axis=dim)


class PreluKernel(Op):
    """torch's _prelu_kernel: x where x > 0, else w * x, with ``w`` broadcast over ``x``."""

    @staticmethod
    def forward(ctx: Ctx, x: Array, w: Array) -> Array:
        ctx.save_for_backward(x, w)
        return xp.where(x > 0, x, w * x)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        x, w = ctx.saved_tensors
        pos = x > 0
        # torch's double backward masks with x >= 0: no x == 0 derivatives
        zero = x == 0
        name = "PreluKernelBackwardBackward0"
        return (ns.connect(ns.where(pos, g, ns.where(zero, ns.detach(w) * g, w * g)), x, name),
                ns.connect(ns.where(pos, 0.0, ns.where(zero, ns.detach(x) * g, x * g)), w,
                           name))

    @staticmethod
    def fast_backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        x, w = ctx.saved_tensors
        pos = x > 0
        return ns.where(pos, g, w * g), ns.where(pos, 0.0, x * g)


class RreluWithNoise(Op):
    """rrelu: x where x >= 0, else x * noise (uniform in [lower, upper] when training, their
    mean in eval); d/dx = 1 or noise."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, noise: Array) -> Array:
        ctx.save_for_backward(a, noise)
        return xp.where(a >= 0, a, a * noise).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        x, noise = ctx.saved_tensors
        return ns.connect(g * noise, x, "RreluWithNoiseBackwardBackward0"), None
