"""Shared differential checks for ember.distributions against torch.distributions: a case
builds the same distribution in both libraries from NumPy parameters; ``check_case`` compares
everything a user sees (shapes, repr, support, samples after the same seed, rsample gradients,
log_prob/cdf/icdf values and gradients, entropy, moments, enumerate_support, expand).

Helpers adding families write cases and call ``check_case`` / ``check_kl`` from their own test
file."""
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

import ember

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


@dataclass
class Case:
    """``make(lib, params)`` builds the distribution from ``params`` (tensors of ``lib`` made
    from ``arrays``, requiring grad where the name is in ``grad``); ``value(lib)`` gives a
    point of the support to score."""
    name: str
    arrays: dict
    make: Callable
    value: Callable | None = None
    grad: tuple = ()
    exact_sample: bool = True     # samples equal torch's bitwise after the same seed
    rtol: float = 1e-5
    atol: float = 1e-6
    skip: tuple = ()              # attribute names not to compare (e.g. "cdf"; "sample" skips
    #                               every draw: sample, rsample, its gradients, expand().sample())
    kwargs: dict = field(default_factory=dict)


def _params(lib, case):
    out = {}
    for k, a in case.arrays.items():
        t = lib.tensor(np.asarray(a))
        if k in case.grad:
            t.requires_grad_(True)
        out[k] = t
    return out


def _np(x):
    if isinstance(x, (list, tuple)):
        return [_np(v) for v in x]
    if hasattr(x, "detach"):
        return np.asarray(x.detach().numpy())
    return np.asarray(x)


def _close(a, b, case, what):
    a, b = _np(a), _np(b)
    assert a.shape == b.shape, f"{case.name} {what}: shape {a.shape} vs torch {b.shape}"
    assert str(a.dtype) == str(b.dtype), f"{case.name} {what}: dtype {a.dtype} vs {b.dtype}"
    np.testing.assert_allclose(a, b, rtol=case.rtol, atol=case.atol, equal_nan=True,
                               err_msg=f"{case.name} {what}")


def _both(case, fn):
    """fn(lib, dist, params) in ember and torch; (result, error class) each."""
    res = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        params = _params(lib, case)
        d = case.make(lib, params)
        try:
            res.append((fn(lib, d, params), None))
        except (NotImplementedError, ValueError, RuntimeError) as e:
            res.append((None, type(e)))
    (e_val, e_err), (t_val, t_err) = res
    assert e_err == t_err, f"{case.name}: ember raised {e_err}, torch {t_err}"
    return e_val, t_val


def check_case(case):
    """Everything comparable about one case; raises AssertionError on a difference."""
    e_val, t_val = _both(case, lambda lib, d, p: (tuple(d.batch_shape), tuple(d.event_shape),
                                                  repr(d), d.has_rsample,
                                                  d.has_enumerate_support))
    assert e_val == t_val, f"{case.name}: {e_val} vs {t_val}"
    e_val, t_val = _both(case, lambda lib, d, p: repr(d.support))
    assert e_val == t_val, f"{case.name} support: {e_val} vs {t_val}"
    for attr in ("mean", "mode", "variance", "stddev"):
        if attr in case.skip:
            continue
        e_val, t_val = _both(case, lambda lib, d, p, a=attr: getattr(d, a))
        if t_val is not None:
            _close(e_val, t_val, case, attr)
    e_val, t_val = _both(case, lambda lib, d, p: d.entropy())
    if t_val is not None and "entropy" not in case.skip:
        _close(e_val, t_val, case, "entropy")
    draws = "sample" not in case.skip
    for shape in ((), (3,), (2, 2)) if draws else ():
        e_val, t_val = _both(case, lambda lib, d, p, s=shape: d.sample(s))
        if case.exact_sample:
            _close(e_val, t_val, case, f"sample{shape}")
        else:
            assert _np(e_val).shape == _np(t_val).shape
            assert str(_np(e_val).dtype) == str(_np(t_val).dtype)
    if case.value is not None:
        def score(lib, d, p):
            v = case.value(lib)
            out = d.log_prob(v)
            grads = []
            if case.grad and out.requires_grad:
                grads = lib.autograd.grad(out.sum(), [p[k] for k in case.grad],
                                          allow_unused=True)
            return [out] + [g if g is not None else lib.zeros(()) for g in grads]
        e_val, t_val = _both(case, score)
        if t_val is not None:
            for i, (a, b) in enumerate(zip(e_val, t_val)):
                _close(a, b, case, "log_prob" if i == 0 else f"d log_prob / d {case.grad[i-1]}")
        for meth in ("cdf",):
            if meth in case.skip:
                continue
            e_val, t_val = _both(case, lambda lib, d, p, m=meth: getattr(d, m)(case.value(lib)))
            if t_val is not None:
                _close(e_val, t_val, case, meth)
    if "icdf" not in case.skip:
        q = np.array(0.3)
        e_val, t_val = _both(case, lambda lib, d, p: d.icdf(lib.tensor(q, dtype=d.mean.dtype)))
        if t_val is not None:
            _close(e_val, t_val, case, "icdf")
    e_val, t_val = _both(case, lambda lib, d, p: d.rsample((2,)) if d.has_rsample and draws
                         else None)
    if e_val is not None and case.exact_sample:
        _close(e_val, t_val, case, "rsample")
    if case.grad and draws:
        def rs_grad(lib, d, p):
            if not d.has_rsample:
                return None
            s = d.rsample((4,))
            return lib.autograd.grad((s * s).sum(), [p[k] for k in case.grad], allow_unused=True)
        e_val, t_val = _both(case, rs_grad)
        if t_val is not None and case.exact_sample:
            for k, a, b in zip(case.grad, e_val, t_val):
                if b is not None:
                    _close(a, b, case, f"d rsample / d {k}")
    if d_has_support(case):
        e_val, t_val = _both(case, lambda lib, d, p: (d.enumerate_support(),
                                                      d.enumerate_support(expand=False)))
        if t_val is not None:  # None: both raised the same error (e.g. inhomogeneous counts)
            _close(e_val[0], t_val[0], case, "enumerate_support")
            _close(e_val[1], t_val[1], case, "enumerate_support(expand=False)")
    e_val, t_val = _both(case, lambda lib, d, p: (lambda x: (tuple(x.batch_shape), repr(x),
                                                             x.sample() if draws else None))(
        d.expand((3,) + tuple(d.batch_shape))))
    if t_val is not None:
        assert e_val[:2] == t_val[:2], f"{case.name} expand: {e_val[:2]} vs {t_val[:2]}"
        if case.exact_sample and draws:
            _close(e_val[2], t_val[2], case, "expand().sample()")


def d_has_support(case):
    lib = ember
    d = case.make(lib, _params(lib, case))
    return d.has_enumerate_support


def check_kl(case_p, case_q, rtol=1e-5, atol=1e-6):
    """kl_divergence(p, q) values, dtype and gradients (for p's grad parameters) as torch."""
    res = []
    for lib in (ember, torch):
        pp, pq = _params(lib, case_p), _params(lib, case_q)
        p, q = case_p.make(lib, pp), case_q.make(lib, pq)
        try:
            kl = lib.distributions.kl_divergence(p, q)
        except NotImplementedError as e:
            res.append((None, type(e), str(e)))
            continue
        grads = []
        if case_p.grad and kl.requires_grad:
            grads = lib.autograd.grad(kl.sum(), [pp[k] for k in case_p.grad], allow_unused=True)
        res.append(([kl] + [g for g in grads if g is not None], None, ""))
    (e_val, e_err, e_msg), (t_val, t_err, t_msg) = res
    assert (e_err, e_msg) == (t_err, t_msg)
    if t_val is not None:
        c = Case(f"KL({case_p.name} || {case_q.name})", {}, None, rtol=rtol, atol=atol)
        for a, b in zip(e_val, t_val):
            _close(a, b, c, "kl")


__all__ = ["Case", "check_case", "check_kl", "math"]
