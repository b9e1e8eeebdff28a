"""Complex tensors where torch has no kernel (floor, fmod, comparisons, max, sort, clamp, ...):
torch's exception class and text, never a NumPy TypeError or NumPy's lexicographic complex
order; and the complex results torch does compute (promotion with float64, float_power, norm)
with torch's dtype and values. Differential: each case runs in ember and torch."""
import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None

pytestmark = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")


def z(L, dt="complex64"):
    return L.tensor([1 + 2j, -3 + 0.5j, 2 - 1j]).to(getattr(L, dt))


def r(L):
    return L.tensor([1.0, 2.0, 3.0])


REFUSED = {
    "floor": lambda L: L.floor(z(L)), "ceil": lambda L: L.ceil(z(L)),
    "trunc": lambda L: L.trunc(z(L)), "fix": lambda L: L.fix(z(L)),
    "frac": lambda L: L.frac(z(L)), "round": lambda L: L.round(z(L)),
    "erf": lambda L: L.erf(z(L)), "erfinv": lambda L: L.erfinv(z(L)),
    "sign": lambda L: L.sign(z(L)), "sign_method": lambda L: z(L).sign(),
    "signbit": lambda L: L.signbit(z(L)), "isposinf": lambda L: L.isposinf(z(L)),
    "isneginf": lambda L: L.isneginf(z(L)), "relu": lambda L: L.relu(z(L)),
    "F.relu": lambda L: L.nn.functional.relu(z(L)), "clamp": lambda L: L.clamp(z(L), 0, 1),
    "clamp_tensor": lambda L: z(L).clamp(max=r(L)), "clamp_": lambda L: z(L).clamp_(0, 1),
    "argmax": lambda L: L.argmax(z(L)), "argmin": lambda L: z(L).argmin(0),
    "amax": lambda L: L.amax(z(L)), "amin": lambda L: L.amin(z(L), 0),
    "max_all": lambda L: L.max(z(L)), "min_dim": lambda L: L.min(z(L), 0),
    "max_empty": lambda L: L.max(z(L)[:0], 0), "amax_empty": lambda L: L.amax(z(L)[:0], 0),
    "aminmax": lambda L: L.aminmax(z(L)), "sort": lambda L: L.sort(z(L)),
    "argsort": lambda L: L.argsort(z(L)), "msort": lambda L: L.msort(z(L)),
    "topk": lambda L: L.topk(z(L), 1), "unique": lambda L: L.unique(z(L)),
    "median": lambda L: L.median(z(L)), "median_dim": lambda L: L.median(z(L), 0),
    "nansum": lambda L: L.nansum(z(L)), "nanmean": lambda L: L.nanmean(z(L)),
    "xlogy": lambda L: L.xlogy(z(L), r(L)), "xlogy_other": lambda L: L.xlogy(r(L), z(L)),
    "xlog1py": lambda L: L.special.xlog1py(z(L), z(L)),
}
for _name in ("fmod", "remainder", "floor_divide", "copysign", "atan2", "fmax", "fmin",
              "maximum", "minimum", "lt", "le", "gt", "ge"):
    REFUSED[_name + "_zz"] = lambda L, n=_name: getattr(L, n)(z(L), z(L))
    REFUSED[_name + "_zr"] = lambda L, n=_name: getattr(L, n)(z(L), r(L))
    REFUSED[_name + "_rz"] = lambda L, n=_name: getattr(L, n)(r(L), z(L))
REFUSED["lt_double"] = lambda L: z(L) < z(L, "complex128")
REFUSED["gt_number"] = lambda L: z(L) > 1j
REFUSED["maximum_double"] = lambda L: L.maximum(z(L, "complex128"), r(L))


def _outcome(fn, lib):
    try:
        return "ok", fn(lib)
    except Exception as e:  # noqa: BLE001 - comparing class and text
        return type(e).__name__, str(e)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_like_torch(name):
    e, t = _outcome(REFUSED[name], ember), _outcome(REFUSED[name], torch)
    assert t[0] != "ok", "the case must be one torch refuses"
    assert (e[0], e[1]) == (t[0], t[1])


COMPUTED = {
    "add_c64_f64": lambda L: z(L) + r(L).double(),
    "mul_f64_c64": lambda L: r(L).double() * z(L),
    "div_c64_f64": lambda L: z(L) / r(L).double(),
    "add_c64_f16": lambda L: z(L) + r(L).half(),
    "add_c64_i64": lambda L: z(L) + r(L).long(),
    "eq_c64_f64": lambda L: z(L) == z(L).real.double(),
    "promote_types": lambda L: L.tensor([0.0]).to(L.promote_types(L.complex64, L.float64)),
    "float_power_z": lambda L: L.float_power(z(L), 2),
    "float_power_r_j": lambda L: L.float_power(r(L), 1j),
    "float_power_r_z": lambda L: L.float_power(r(L), z(L)),
    "norm": lambda L: L.norm(z(L)), "norm_dim": lambda L: L.norm(z(L).reshape(3, 1), dim=1),
    "norm_p1": lambda L: L.norm(z(L), p=1), "norm_p3": lambda L: L.norm(z(L), p=3),
    "norm_p0": lambda L: L.norm(z(L), p=0), "vector_norm": lambda L: L.linalg.vector_norm(z(L)),
    "norm_grad": lambda L: (lambda x: (L.norm(x).backward(), x.grad)[1])(
        z(L).requires_grad_()),
}


@pytest.mark.parametrize("name", sorted(COMPUTED))
def test_computed_like_torch(name):
    e, t = COMPUTED[name](ember), COMPUTED[name](torch)
    assert str(e.dtype) == str(t.dtype) and tuple(e.shape) == tuple(t.shape)
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-6, atol=1e-6)
