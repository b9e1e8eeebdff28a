"""The sampling kernels ``torch.distributions`` draws through: ``torch._standard_gamma`` (with
its implicit reparameterisation gradient ``_standard_gamma_grad``), ``torch._sample_dirichlet``
(with ``_dirichlet_grad``), ``torch.binomial`` and the derivative torch gives ``torch.poisson``.

The samplers are torch's CPU kernels value for value: each element, in memory order, runs
torch's per-element algorithm (Marsaglia and Tsang's gamma with its boost below 1; gamma
normalised for Dirichlet; BTRS or inversion for the binomial) on draws from the same Mersenne
Twister (``uniform_real_distribution<double>`` and ``normal_distribution<double>`` with its
cached second Box-Muller value), in double where torch computes in double and in float where
float32 kernels round to float, with the C library's ``log``/``pow``/``sin`` (Python's ``math``
calls the same functions).  So after ``manual_seed`` they give torch's numbers bit for bit.
The rejection loops are sequential by nature: they run element by element in Python over
draws read ahead in blocks (the generator then advances by exactly the draws used).

The gradient kernels are torch's approximations (Taylor series, Rice saddle point, rational
fits) evaluated over whole arrays in double.
"""
from __future__ import annotations

import functools
import math
import struct
import warnings
from typing import TYPE_CHECKING

from .._backend import xp
from .._random import _gen, uniform01
from .._tensor import Tensor
from ..autograd.function import Op, _apply
from ._sampling_grads import digamma as _digamma, dirichlet_grad_arrays
from ._utils import not_implemented, quiet, scalar_type_name

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from typing import Any

    from .._random import Generator
    from ._types import Array, Ctx, Grads, Namespace, Value

__all__ = ["binomial"]
PRIVATE = ["_standard_gamma", "_standard_gamma_grad", "_sample_dirichlet", "_dirichlet_grad"]

_F32 = struct.Struct("f")
_THIRD_F = 0.3333333432674408     # C's 1.0f / 3.0f
_C0331_F = 0.033100001513957977   # 0.0331f
_F08, _F09, _F11 = 0.800000011920929, 0.8999999761581421, 1.100000023841858  # 0.8f 0.9f 1.1f
_TINY = {"float32": 1.1754943508222875e-38, "float64": 2.2250738585072014e-308}
_BELOW_ONE = {"float32": 1.0 - 2.0 ** -24, "float64": 1.0 - 2.0 ** -53}
_RESIZED = ("An output with one or more elements was resized since it had shape {old}, which "
            "does not match the required output shape {new}. This behavior is deprecated, and "
            "in a future PyTorch release outputs will not be resized unless they have zero "
            "elements. You can explicitly reuse an out tensor t by resizing it, inplace, to "
            "zero elements with t.resize_(0).")


def _f32(v: float) -> float:
    """``v`` rounded to float (C's ``(float)v``; past the range, an infinity)."""
    try:
        return _F32.unpack(_F32.pack(v))[0]
    except OverflowError:
        return math.copysign(math.inf, v)


def _log(v: float) -> float:
    return math.log(v) if v > 0 else (-math.inf if v == 0 else math.nan)


def _pow(a: float, b: float) -> float:
    try:
        return math.pow(a, b)
    except OverflowError:
        return math.inf
    except ValueError:
        return math.nan


def _div(a: float, b: float) -> float:
    if b:
        return a / b
    return math.nan if a == 0 or a != a else math.copysign(math.inf, a) * math.copysign(1, b)


def _floor(v: float) -> float:
    return float(math.floor(v)) if math.isfinite(v) else v


def _ceil(v: float) -> float:
    return float(math.ceil(v)) if math.isfinite(v) else v


class _Draws:
    """The doubles torch's per-element CPU samplers take one at a time from a generator
    (``uniform_real_distribution<double>``; ``normal_distribution<double>`` with the
    generator's cached second value), read ahead in blocks; ``settle`` rewinds and advances the
    generator by exactly the draws used."""

    __slots__ = ("g", "snap", "fresh", "buf", "i", "used", "block")

    def __init__(self, g: Generator, hint: int):
        self.g: Any = g
        self.snap, self.fresh = g._bg.state, g._fresh
        self.buf: list[float] = []
        self.i = self.used = 0
        self.block = max(64, min(4 * hint + 16, 1 << 16))

    def uniform(self) -> float:
        i = self.i
        if i == len(self.buf):
            self.used += i
            self.buf = uniform01(self.g, self.block, xp.float64).tolist()
            self.block = min(2 * self.block, 1 << 18)
            i = 0
        self.i = i + 1
        return self.buf[i]

    def normal(self) -> float:
        g = self.g
        v = g._normal
        if v is not None:
            g._normal = None
            return v
        u1 = self.uniform()
        u2 = self.uniform()
        r = math.sqrt(-2.0 * math.log1p(-u2))
        theta = 2.0 * math.pi * u1
        g._normal = r * math.sin(theta)
        return r * math.cos(theta)

    def settle(self) -> None:
        used = self.used + self.i
        g = self.g
        g._bg.state, g._fresh = self.snap, self.fresh
        if used:
            g.u64(used)


# ------------------------------------------------------------------------------ gamma


def _gamma_one(alpha: float, dr: _Draws, single: bool) -> float:
    """torch's ``sample_gamma<scalar_t, double>``: float32 kernels do the boost and ``d`` in
    float, the rest in double."""
    scale = 1.0
    if alpha < 1.0:
        if alpha == 0.0:
            return 0.0
        scale *= _pow(1.0 - dr.uniform(), _f32(_div(1.0, alpha)) if single else 1.0 / alpha)
        alpha = _f32(alpha + 1.0) if single else alpha + 1.0
    d = _f32(alpha - _THIRD_F) if single else alpha - _THIRD_F
    s = math.sqrt(9.0 * d) if not 9.0 * d < 0 else math.nan
    c = _div(1.0, s)
    while True:
        while True:
            x = dr.normal()
            y = 1.0 + c * x
            if not y <= 0:
                break
        v = y * y * y
        u = 1.0 - dr.uniform()
        xx = x * x
        if u < 1.0 - _C0331_F * xx * xx:
            return scale * d * v
        if math.log(u) < 0.5 * xx + d * (1.0 - v + _log(v)):
            return scale * d * v


def _gamma_values(g: Generator, alphas: list[float], single: bool) -> list[float]:
    dr = _Draws(g, 3 * len(alphas))
    try:
        return [_gamma_one(a, dr, single) for a in alphas]
    finally:
        dr.settle()


def _sample_gamma(a: Array, g: Generator) -> Array:
    """``_s_gamma_cpu``: a sample per element, in C order, then ``max(tiny, sample)``."""
    vals = _gamma_values(g, a.reshape(-1).tolist(), a.dtype == xp.float32)
    with xp.errstate(over="ignore"):
        out = xp.asarray(vals, dtype=xp.float64).astype(a.dtype).reshape(a.shape)
    tiny = a.dtype.type(_TINY[a.dtype.name])
    return xp.where(out > tiny, out, tiny)


class StandardGamma(Op):
    """``torch._standard_gamma``: reparameterised through ``_standard_gamma_grad`` (torch's
    implicit gradient ``-(dF/dalpha) / pdf`` at the sample)."""
    inputs = (0,)

    @staticmethod
    def forward(ctx: Ctx, a: Array, gen: Generator) -> Array:
        out = _sample_gamma(a, gen)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Ctx, grad: Value, ns: Namespace) -> Grads:
        a, out = ctx.saved_tensors
        return grad * ns.apply(StandardGammaGrad, a, out), None


def _check_float(kernel: str, *arrays: Array) -> None:
    for arr in arrays:
        if arr.dtype not in (xp.float32, xp.float64):
            raise not_implemented(kernel, arr.dtype)


def _check_same(first: Array, *rest: Array) -> None:
    for arr in rest:
        if arr.dtype != first.dtype:
            raise RuntimeError(f"Found dtype {scalar_type_name(arr.dtype)} but expected "
                               f"{scalar_type_name(first.dtype)}")


def _as_tensor(fn: str, name: str, pos: int, t: Any) -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not "
                        f"{type(t).__name__}")
    return t


def _standard_gamma(input: Tensor, generator: Generator | None = None) -> Tensor:
    """Samples of the standard Gamma distribution Gamma(``input``, 1), one per element
    (torch's CPU kernel and random stream); differentiable through ``_standard_gamma_grad``."""
    a = _as_tensor("_standard_gamma", "input", 1, input)._array
    _check_float("gamma_cpu", a)
    return _apply(StandardGamma, (input, _gen(generator)), {}, None)


# ------------------------------------------------------------------ gamma gradient (implicit)

_GAMMA_UV = ((0.16009398, -0.094634809, 0.025146376, -0.0030648343,
              1, 0.32668115, 0.10406089, 0.0014179084),
             (0.53487893, 0.1298071, 0.065735949, -0.0015649758,
              0.16639465, 0.020070113, -0.0035938915, -0.00058392623),
             (0.040121004, -0.0065914022, -0.0026286047, -0.0013441777,
              0.017050642, -0.0021309326, 0.00085092367, -1.5247877e-07))


def _gamma_grad_arrays(alpha: Array, x: Array) -> Array:
    """torch's ``standard_gamma_grad_one<scalar_t, double>``: Taylor series for x < 0.8, Rice's
    saddle point for alpha > 8, else a bivariate rational fit; in double."""
    def taylor():
        numer, denom = xp.ones_like(x), alpha.copy()
        s1, s2 = numer / denom, numer / (denom * denom)
        for i in range(1, 6):
            numer = numer * (-x / float(i))
            denom = denom + 1
            s1 = s1 + numer / denom
            s2 = s2 + numer / (denom * denom)
        pxa = xp.power(x, alpha)
        pdf = xp.power(x, alpha - 1) * xp.exp(-x)
        cdf_a = (xp.log(x) - _digamma(alpha)) * (pxa * s1) - pxa * s2
        r = -cdf_a / pdf
        return xp.where(xp.isnan(r), 0.0, r)

    def saddle():
        n1 = 1 + 24 * alpha * (1 + 12 * alpha)
        n2 = (1440 * (alpha * alpha) + 6 * x * (53 - 120 * x) - 65 * x * x / alpha
              + alpha * (107 + 3600 * x))
        near = n1 * n2 / (1244160 * (alpha * alpha) * (alpha * alpha))
        denom = xp.sqrt(8 * alpha)
        t2 = denom / (alpha - x)
        t3 = xp.power(x - alpha - alpha * xp.log(x / alpha), -1.5)
        t23 = xp.where(x < alpha, t2 - t3, t2 + t3)
        t1 = xp.log(x / alpha) * t23 - xp.sqrt(2 / alpha) * (alpha + x) / ((alpha - x) *
                                                                           (alpha - x))
        stirling = 1 + 1 / (12 * alpha) * (1 + 1 / (24 * alpha))
        far = -stirling * (x * t1) / denom
        return xp.where((_F09 * alpha <= x) & (x <= _F11 * alpha), near, far)

    def rational():
        u, v = xp.log(x / alpha), xp.log(alpha)
        cv = [c0 + u * (c1 + u * c2) for c0, c1, c2 in zip(*_GAMMA_UV)]
        p = cv[0] + v * (cv[1] + v * (cv[2] + v * cv[3]))
        q = cv[4] + v * (cv[5] + v * (cv[6] + v * cv[7]))
        return xp.exp(p / q)

    return quiet(lambda: xp.where(x < _F08, taylor(), xp.where(alpha > 8, saddle(),
                                                               rational())))


class StandardGammaGrad(Op):
    """``torch._standard_gamma_grad(alpha, sample)``: d sample / d alpha; torch has no
    derivative of it (its node raises)."""
    inputs = (0,)

    @staticmethod
    def forward(ctx: Ctx, a: Array, x: Array) -> Array:
        shape = xp.broadcast_shapes(a.shape, x.shape)
        a64 = xp.broadcast_to(a, shape).astype(xp.float64)
        x64 = xp.broadcast_to(x, shape).astype(xp.float64)
        return _gamma_grad_arrays(a64, x64).astype(a.dtype)

    @staticmethod
    def backward(ctx: Ctx, grad: Value, ns: Namespace) -> Grads:
        raise NotImplementedError("the derivative for '_standard_gamma_grad' is not implemented.")


def _warn_resized(old: tuple[int, ...], new: tuple[int, ...]) -> None:
    if old != new and 0 not in old:
        warnings.warn(_RESIZED.format(old=list(old), new=list(new)), UserWarning, stacklevel=3)


def _standard_gamma_grad(input: Tensor, output: Tensor) -> Tensor:
    """The reparameterisation gradient of standard Gamma samples ``output`` with respect to
    their concentrations ``input`` (``-(d/dalpha cdf(x; alpha)) / pdf(x; alpha)``)."""
    a = _as_tensor("_standard_gamma_grad", "input", 1, input)._array
    x = _as_tensor("_standard_gamma_grad", "output", 2, output)._array
    _check_float("_standard_gamma_grad_cpu", a)
    _check_same(a, x)
    _warn_resized(a.shape, xp.broadcast_shapes(a.shape, x.shape))
    return _apply(StandardGammaGrad, (input, output), {}, None)


# ------------------------------------------------------------------------------ Dirichlet


def _row_sum(a: Array) -> Array:
    """``a.sum(-1)`` of a contiguous double array added in torch's order (its vectorised inner
    sum: lanes of a SIMD vector, four vector accumulators with a cascade every 16 rows of them,
    the accumulators added in turn, then the scalar tail and the lanes), so the Dirichlet
    normalisation rounds as torch's does."""
    from .._random import _cpu_capability
    lanes = 8 if _cpu_capability() == "AVX512" else 4
    lead, n = a.shape[:-1], a.shape[-1]
    nv = n // lanes
    vecs = a[..., :nv * lanes].reshape(lead + (nv, lanes))
    rows = nv // 4
    acc = _cascade(vecs[..., :rows * 4, :].reshape(lead + (rows, 4, lanes)))
    for i in range(rows * 4, nv):
        acc[..., 0, :] += vecs[..., i, :]
    part = acc[..., 0, :]
    for k in range(1, 4):
        part = part + acc[..., k, :]
    total = xp.zeros(lead)
    for j in range(nv * lanes, n):
        total = total + a[..., j]
    for j in range(lanes):
        total = total + part[..., j]
    return total


def _cascade(rows: Array) -> Array:
    """torch's ``multi_row_sum``: rows of 4 vectors summed into 4 levels of accumulators."""
    size = rows.shape[-3]
    power = max(4, (size - 1).bit_length() // 4) if size > 1 else 4
    step, mask = 1 << power, (1 << power) - 1
    acc = [xp.zeros(rows.shape[:-3] + rows.shape[-2:]) for _ in range(4)]
    i = 0
    while i + step <= size:
        for _ in range(step):
            acc[0] = acc[0] + rows[..., i, :, :]
            i += 1
        for j in range(1, 4):
            acc[j] = acc[j] + acc[j - 1]
            acc[j - 1] = xp.zeros_like(acc[j])
            if i & (mask << (j * power)):
                break
    for k in range(i, size):
        acc[0] = acc[0] + rows[..., k, :, :]
    for j in range(1, 4):
        acc[0] = acc[0] + acc[j]
    return acc[0]


class SampleDirichlet(Op):
    """``torch._sample_dirichlet``: double gammas (``_s_dirichlet_cpu``) over their sum along
    the last dimension, cast and kept inside (0, 1); torch gives it no derivative."""
    node_name = "NotImplemented"
    inputs = (0,)

    @staticmethod
    def forward(ctx: Ctx, a: Array, gen: Generator) -> Array:
        vals = _gamma_values(gen, a.reshape(-1).tolist(), False)
        gam = xp.maximum(xp.asarray(vals, dtype=xp.float64).reshape(a.shape), _TINY["float64"])
        total = _row_sum(gam)[..., None] if gam.ndim else gam
        out = (gam / total).astype(a.dtype)
        return xp.clip(out, a.dtype.type(_TINY[a.dtype.name]),
                       a.dtype.type(_BELOW_ONE[a.dtype.name]))

    @staticmethod
    def backward(ctx: Ctx, grad: Value, ns: Namespace) -> Grads:
        raise RuntimeError("derivative for aten::_sample_dirichlet is not implemented")


def _sample_dirichlet(input: Tensor, generator: Generator | None = None) -> Tensor:
    """A sample of the Dirichlet distribution per row of concentrations ``input`` (the last
    dimension), drawn as torch's CPU kernel draws it."""
    a = _as_tensor("_sample_dirichlet", "input", 1, input)._array
    _check_float("dirichlet", a)
    return _apply(SampleDirichlet, (input, _gen(generator)), {}, None)


class DirichletGrad(Op):
    """``torch._dirichlet_grad(x, alpha, total)``: the reparameterised gradient of a Beta(alpha,
    total - alpha) sample ``x``, scaled by 1 / (1 - x); torch gives it no derivative."""
    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx: Ctx, x: Array, a: Array, total: Array) -> Array:
        shape = xp.broadcast_shapes(x.shape, a.shape, total.shape)
        return dirichlet_grad_arrays(*[xp.broadcast_to(v, shape) for v in (x, a, total)])

    @staticmethod
    def backward(ctx: Ctx, grad: Value, ns: Namespace) -> Grads:
        raise RuntimeError("derivative for aten::_dirichlet_grad is not implemented")


def _dirichlet_grad(x: Tensor, alpha: Tensor, total: Tensor) -> Tensor:
    """The reparameterisation gradient of Dirichlet samples ``x`` with respect to their
    concentrations ``alpha`` (``total``: the concentrations' sum), as torch's Dirichlet uses."""
    xa = _as_tensor("_dirichlet_grad", "x", 1, x)._array
    aa = _as_tensor("_dirichlet_grad", "alpha", 2, alpha)._array
    ta = _as_tensor("_dirichlet_grad", "total", 3, total)._array
    _check_float("_dirichlet_grad_cpu", xa)
    _check_same(xa, aa, ta)
    _warn_resized(xa.shape, xp.broadcast_shapes(xa.shape, aa.shape, ta.shape))
    return _apply(DirichletGrad, (x, alpha, total), {}, None)


# ------------------------------------------------------------------------------ binomial

_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
         0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
         0.00925546218271273, 0.00833056343336287)


def _tail(k: float) -> float:
    """torch's ``stirling_approx_tail``."""
    if k < 10:
        return _TAIL[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


def _inversion(count: float, prob: float, dr: _Draws, f: Any) -> float:
    """torch's ``binomial_inversion``: geometric waiting times until they pass ``count``."""
    geom_sum, num = 0.0, 0.0
    logprob = f(math.log1p(-prob))
    while True:
        geom_sum += _ceil(_div(_log(dr.uniform()), logprob))
        if geom_sum > count:
            return num
        num = f(num + 1)


@functools.lru_cache(maxsize=1024)
def _btrs_setup(count: float, prob: float, single: bool) -> tuple[float, ...]:
    """``btrs``'s constants for one (count, prob): parameters are usually expanded, so they
    repeat."""
    f = _f32 if single else float
    stddev = f(math.sqrt(f(f(count * prob) * f(1 - prob))))
    b = 1.15 + 2.53 * stddev
    r = f(prob / f(1 - prob))
    m = _floor(f(f(count + 1) * prob))
    return (b, -0.0873 + 0.0248 * b + 0.01 * prob, f(count * prob) + 0.5, 0.92 - 4.2 / b, r,
            (2.83 + 5.1 / b) * stddev, m, f(count + 1),
            (m + 0.5) * _log((m + 1) / (r * (count - m + 1))), _tail(m), _tail(count - m))


def _btrs(count: float, prob: float, dr: _Draws, f: Any) -> float:
    """torch's ``btrs`` (Hoermann's transformed rejection with squeeze); ``f`` rounds what the
    kernel computes in ``scalar_t`` (float for float32: not needed for whole counts below
    2**24, where those values are exact)."""
    b, a, c, v_r, r, alpha, m, c1, term0, tm, tcm = _btrs_setup(count, prob, f is _f32)
    rounds = f is _f32 and not (count < 16777216 and count.is_integer())
    while True:
        u = dr.uniform() - 0.5
        v = dr.uniform()
        us = 0.5 - abs(u)
        k = _floor((_div(2 * a, us) + b) * u + c)
        if rounds:
            k = f(k)
        if k < 0 or k > count:
            continue
        if us >= 0.07 and v <= v_r:
            return k
        v = _log(_div(v * alpha, a / (us * us) + b))
        cmk = f(count - k) if rounds else count - k
        ck1 = f(cmk + 1) if rounds else cmk + 1
        upper = (term0 + c1 * _log((count - m + 1) / ck1)
                 + (k + 0.5) * _log(r * ck1 / (f(k + 1) if rounds else k + 1))
                 + tm + tcm - _tail(k) - _tail(cmk))
        if v <= upper:
            return k


def _binomial_one(count: float, prob: float, dr: _Draws, f: Any) -> float:
    """torch's ``sample_binomial`` (a NaN or infinite count, on which torch's kernel never
    returns, gives the count itself)."""
    if count <= 0.0 or prob <= 0.0:
        return 0.0
    if prob >= 1.0 or not math.isfinite(count):
        return count
    if prob <= 0.5:
        if f(count * prob) >= 10.0:
            return _btrs(count, prob, dr, f)
        return _inversion(count, prob, dr, f)
    if prob > 0.5:
        q = f(1.0 - prob)
        if f(count * q) >= 10.0:
            return f(count - _btrs(count, q, dr, f))
        return f(count - _inversion(count, q, dr, f))
    return math.nan


class Binomial(Op):
    """``torch.binomial``: integer-valued samples in the dtype of ``count``; torch gives it no
    derivative."""
    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx: Ctx, count: Array, prob: Array, gen: Generator) -> Array:
        shape = xp.broadcast_shapes(count.shape, prob.shape)
        cs = xp.broadcast_to(count, shape).reshape(-1).tolist()
        ps = xp.broadcast_to(prob, shape).reshape(-1).tolist()
        f = _f32 if count.dtype == xp.float32 else float
        dr = _Draws(gen, 4 * len(cs))
        try:
            vals = [_binomial_one(c, p, dr, f) for c, p in zip(cs, ps)]
        finally:
            dr.settle()
        return xp.asarray(vals, dtype=xp.float64).astype(count.dtype).reshape(shape)

    @staticmethod
    def backward(ctx: Ctx, grad: Value, ns: Namespace) -> Grads:
        raise RuntimeError("derivative for aten::binomial is not implemented")


def binomial(count: Tensor, prob: Tensor, generator: Generator | None = None) -> Tensor:
    """Samples of Binomial(``count``, ``prob``), elementwise (broadcast); float tensors of
    whole numbers in ``count``'s dtype.  A count <= 0 or prob <= 0 gives 0, prob >= 1 the
    count."""
    c = _as_tensor("binomial", "count", 1, count)._array
    p = _as_tensor("binomial", "prob", 2, prob)._array
    for name, arr in (("count", c), ("prob", p)):
        if arr.dtype.kind != "f" and arr.dtype.name != "bfloat16":
            raise ValueError(f"binomial only supports floating-point dtypes for {name}, got: "
                             f"{scalar_type_name(arr.dtype)}")
    _check_float("binomial_cpu", c)
    _check_same(c, p)
    _warn_resized(c.shape, xp.broadcast_shapes(c.shape, p.shape))
    return _apply(Binomial, (count, prob, _gen(generator)), {}, None)


# ------------------------------------------------------------------------------ poisson


class Poisson(Op):
    """``torch.poisson``'s node: its samples hang off ``PoissonBackward0``, whose gradient is
    zero (``ember._random.poisson`` draws them)."""
    inputs = (0,)

    @staticmethod
    def forward(ctx: Ctx, rate: Array, out: Array) -> Array:
        return out

    @staticmethod
    def backward(ctx: Ctx, grad: Value, ns: Namespace) -> Grads:
        return grad * 0, None


def poisson_node(rate: Tensor, out: Tensor) -> Tensor:
    """``out`` (poisson samples of ``rate``) on torch's graph when ``rate`` requires grad."""
    return _apply(Poisson, (rate, out._array), {}, None)
