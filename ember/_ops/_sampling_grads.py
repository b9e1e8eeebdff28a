"""torch's reparameterised Beta gradient (``dirichlet_grad_one`` in ATen's Distributions.h),
which ``torch._dirichlet_grad`` evaluates: Taylor series near 0 and 1, Rice's saddle point when
both concentrations are large, else a rational correction to an analytic approximation.  Here
over whole arrays, in float where torch's float32 kernel computes in float."""
from __future__ import annotations

from typing import TYPE_CHECKING

import math

from .._backend import xp
from ._utils import quiet

if TYPE_CHECKING:
    from typing import Any

    from ._types import Array

_C = (((((1.003668233, -0.01061107488, -0.0657888334, 0.01201642863),
         (0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033),
         (-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013)),
        ((0.221950385, -0.3187676331, 0.01799915743, 0.01074823814),
         (-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057),
         (0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05)),
        ((-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565),
         (0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181),
         (0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05))),
       (((1, -0.02924021934, -0.04438342661, 0.007285809825),
         (0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521),
         (-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149)),
        ((0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273),
         (0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956),
         (-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05)),
        ((0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05),
         (0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05),
         (-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06)))))


_PSI_10 = 2.25175258906672110764
_DIGAMMA_A = (8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
              -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
              8.33333333333333333333E-2)


def digamma(x: Array) -> Array:
    """torch's ``digamma_one<double, double>`` (its Cephes recurrence and series) on arrays."""
    x = xp.array(x, dtype=xp.float64)
    extra = xp.zeros_like(x)
    res = xp.zeros_like(x)
    pole = (x == 0) | ((x < 0) & (x == xp.floor(x)))
    neg = (x < 0) & ~pole
    extra[neg] = -math.pi / xp.tan(math.pi * x[neg])
    x[neg] = 1 - x[neg]
    x[pole] = 20.0
    low = x < 10
    while low.any():
        res[low] -= 1 / x[low]
        x[low] += 1
        low = x < 10
    z = 1.0 / (x * x)
    poly = xp.zeros_like(x)
    for c in _DIGAMMA_A:
        poly = poly * z + c
    y = xp.where(x < 99999998430674944.0, z * poly, 0.0)
    out = xp.where(x == 10, res + _PSI_10 + extra, res + xp.log(x) - (0.5 / x) - y + extra)
    out[pole] = math.inf
    return out


def _alpha_small(x: Array, alpha: Array, beta: Array, dg: Any, log: Any) -> Array:
    """d/dalpha of a Beta(alpha, beta) sample near 0 (Taylor series)."""
    factor = dg(alpha) - dg(alpha + beta) - log(x)
    numer = xp.ones_like(x)
    series = numer / alpha * (factor + 1 / alpha)
    for i in range(1, 11):
        numer = numer * ((i - beta) * x / i)
        denom = alpha + i
        series = series + numer / denom * (factor + 1 / denom)
    r = x * xp.power(1 - x, -beta) * series
    return xp.where(xp.isnan(r), 0.0, r)


def _beta_small(x: Array, alpha: Array, beta: Array, dg: Any) -> Array:
    """d/dbeta of a Beta(alpha, beta) sample near 0 (Taylor series)."""
    factor = dg(alpha + beta) - dg(beta)
    numer, betas, dbetas = xp.ones_like(x), xp.ones_like(x), xp.zeros_like(x)
    series = factor / alpha
    for i in range(1, 9):
        numer = numer * (-x / i)
        dbetas = dbetas * (beta - i) + betas
        betas = betas * (beta - i)
        series = series + numer / (alpha + i) * (dbetas + factor * betas)
    r = -xp.power(1 - x, 1 - beta) * series
    return xp.where(xp.isnan(r), 0.0, r)


def _alpha_mid(x: Array, alpha: Array, beta: Array) -> Array:
    """d/dalpha when alpha and beta are both large (Rice's saddle point expansion)."""
    total = alpha + beta
    mean = alpha / total
    std = xp.sqrt(alpha * beta / (total + 1)) / total
    poly = 47 * x * (beta * beta) * (beta * beta) + alpha * (
        (43 + 20 * (16 + 27 * beta) * x) * (beta * beta) * beta + alpha * (
            3 * (59 + 180 * beta - 90 * x) * (beta * beta) + alpha * (
                (453 + 1620 * beta * (1 - x) - 455 * x) * beta + alpha * (
                    8 * (1 - x) * (135 * beta - 11)))))
    pre_num = (1 + 12 * alpha) * (1 + 12 * beta) / (total * total)
    pre_den = 12960 * alpha * alpha * alpha * beta * beta * (1 + 12 * total)
    near = pre_num / (1 - x) * poly / pre_den
    prefactor = -x / xp.sqrt(2 * alpha * beta / total)
    stirling = ((1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha))
                * (1 + 1 / (12 * beta) + 1 / (288 * beta * beta))
                / (1 + 1 / (12 * total) + 1 / (288 * total * total)))
    t1_num = 2 * (alpha * alpha) * (x - 1) + alpha * beta * (x - 1) - x * (beta * beta)
    axbx = alpha * (x - 1) + beta * x
    t1_den = xp.sqrt(2 * alpha / beta) * xp.power(total, 1.5) * axbx * axbx
    t2 = 0.5 * xp.log(alpha / (total * x))
    t3 = xp.sqrt(8 * alpha * beta / total) / (beta * x + alpha * (x - 1))
    t4 = xp.power(beta * xp.log(beta / (total * (1 - x))) + alpha * xp.log(alpha / (total * x)),
                  -1.5)
    far = stirling * prefactor * (t1_num / t1_den + t2 * (t3 + xp.where(x < mean, t4, -t4)))
    return xp.where((mean - 0.1 * std <= x) & (x <= mean + 0.1 * std), near, far)


def _rational(x: Array, alpha: Array, total: Array, beta: Array, dg: Any) -> Array:
    """A rational correction to ``x (digamma(total) - digamma(alpha)) / beta``."""
    u = xp.log(x)
    a = xp.log(alpha) - u
    b = xp.log(total) - a
    pow_u, pow_a = (1, u, u * u), (1, a, a * a)
    p = xp.zeros_like(x)
    q = xp.zeros_like(x)
    for i in range(3):
        for j in range(3):
            ua = pow_u[i] * pow_a[j]
            cp, cq = _C[0][i][j], _C[1][i][j]
            p = p + ua * (cp[0] + b * (cp[1] + b * (cp[2] + b * cp[3])))
            q = q + ua * (cq[0] + b * (cq[1] + b * (cq[2] + b * cq[3])))
    approx = x * (dg(total) - dg(alpha)).astype(xp.float64) / beta
    return p / q * approx


def _logf(x: Array) -> Array:
    """C's ``logf`` on float32 arrays: the double log rounded (the same float but in about one
    case in a thousand, where logf is off by its last bit)."""
    return xp.log(x.astype(xp.float64)).astype(xp.float32)


def digamma_f(x: Array) -> Array:
    """torch's ``digamma_one<float, double>``: the recurrence's steps and the final log in
    float, the sums in double, the result rounded to float."""
    f = xp.float32
    x = xp.array(x, dtype=f)
    extra = xp.zeros(x.shape)
    res = xp.zeros(x.shape)
    pole = (x == 0) | ((x < 0) & (x == xp.floor(x)))
    neg = (x < 0) & ~pole
    pi = f(math.pi)
    extra[neg] = (-pi / xp.tan(pi * x[neg])).astype(xp.float64)
    x[neg] = f(1) - x[neg]
    x[pole] = f(20)
    low = x < 10
    while low.any():
        res[low] -= (f(1) / x[low]).astype(xp.float64)
        x[low] += f(1)
        low = x < 10
    z = 1.0 / (x * x).astype(xp.float64)
    poly = xp.zeros_like(z)
    for c in _DIGAMMA_A:
        poly = poly * z + c
    y = xp.where(x < f(1e17), z * poly, 0.0)
    out = xp.where(x == 10, res + _PSI_10 + extra,
                   res + _logf(x) - (f(0.5) / x).astype(xp.float64) - y + extra)
    out[pole] = math.inf
    return out.astype(f)


def dirichlet_grad_arrays(x: Array, alpha: Array, total: Array) -> Array:
    """torch's ``dirichlet_grad_one<scalar_t, double>`` over arrays of equal shape and dtype:
    the branch tests and the small-x series in ``scalar_t`` (float for float32), the rest in
    double."""
    single = x.dtype == xp.float32
    dg, log = (digamma_f, _logf) if single else (digamma, xp.log)
    x64, a64, t64 = (v.astype(xp.float64) for v in (x, alpha, total))

    def run():
        beta = total - alpha
        boundary = total * x * (1 - x)
        near0 = (x <= 0.5) & (boundary < 2.5)
        near1 = ~near0 & (x >= 0.5) & (boundary < 0.75)
        mid = ~near0 & ~near1 & (alpha > 6) & (beta > 6)
        return xp.where(near0, _alpha_small(x, alpha, beta, dg, log),
                        xp.where(near1, -_beta_small(1 - x, beta, alpha, dg),
                                 xp.where(mid, _alpha_mid(x64, a64, t64 - a64),
                                          _rational(x64, a64, t64, t64 - a64, dg))))
    return quiet(run).astype(x.dtype)
