"""Adafactor (``torch.optim.Adafactor``): factored second moments (row and column means of the
squared gradient) for matrices, a full one for vectors; relative step sizes and update
clipping, with torch 2.13's use of ``lr`` (weight decay and the cap on rho_t) and of eps1."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .._backend import xp
from .._tensor import Tensor
from ._functional import bump, lerp_
from .optimizer import Optimizer, _new_step, _run_closure, _to_scalar, _use_grad

__all__ = ["Adafactor", "adafactor"]

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._backend import ndarray
    from .optimizer import ParamsT, _T


class Adafactor(Optimizer):
    """Implements the Adafactor algorithm (Shazeer and Stern, 2018) as torch 2.13 does."""

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-2, beta2_decay: float = -0.8,
                 eps: tuple[float | None, float] = (None, 1e-3), d: float = 1.0,
                 weight_decay: float = 0.0, *, foreach: bool | None = None,
                 maximize: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize}
        super().__init__(params, defaults)

    _group_setstate_defaults = {"foreach": None}

    @staticmethod
    def _init_state(state: dict[str, Any], p: Tensor, group: dict[str, Any]) -> None:
        from .._tensor import _make
        if p._array.dtype.kind == "c":
            raise RuntimeError("Adafactor does not support complex parameters")
        state["step"] = _new_step()
        g = p._grad._array  # type: ignore[union-attr]
        if g.ndim > 1:
            state["row_var"] = _make(xp.zeros(g.shape[:-1] + (1,), g.dtype), False, None, 0,
                                     None)
            state["col_var"] = _make(xp.zeros(g.shape[:-2] + (1,) + g.shape[-1:], g.dtype),
                                     False, None, 0, None)
        else:
            state["variance"] = _make(xp.zeros_like(g), False, None, 0, None)

    @_use_grad
    def step(self, closure: Callable[[], _T] | None = None) -> _T | None:
        """Perform a single optimization step."""
        loss = _run_closure(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is not None and p._array.dtype.kind == "c":
                    raise RuntimeError("Adafactor does not support complex parameters")
            params, arrays, grads, _, steps = self._gather(group, (), self._init_state)
            states = [self.state[p] for p in params]
            eps1, eps2 = group["eps"]
            adafactor(arrays, grads, [s.get("row_var") for s in states],
                      [s.get("col_var") for s in states], [s.get("variance") for s in states],
                      steps, d=group["d"], lr=_to_scalar(group["lr"]),
                      beta2_decay=group["beta2_decay"], weight_decay=group["weight_decay"],
                      eps1=eps1, eps2=eps2, maximize=group["maximize"])
            bump(params)
        return loss


def _norm(a: ndarray) -> float:
    """``a.norm(2).item()`` (the float32 result, as a Python float)."""
    return float(xp.sqrt(xp.sum(xp.square(a, dtype=xp.float64))).astype(a.dtype))


def adafactor(params: list[ndarray], grads: list[ndarray], row_vars: list[Tensor | None],
              col_vars: list[Tensor | None], variances: list[Tensor | None],
              state_steps: list[ndarray], *, d: float, lr: float, beta2_decay: float,
              weight_decay: float, eps1: float | None, eps2: float, maximize: bool) -> None:
    """Adafactor on arrays, in place (torch's single-tensor algorithm)."""
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else xp.negative(grads[i])
        step_t = state_steps[i]
        if eps1 is None:
            eps1 = float(xp.finfo(param.dtype).eps)
        step_t += 1
        step_float = float(step_t)
        one_minus_beta2_t = step_float ** beta2_decay
        rho_t = min(lr, 1 / step_float ** 0.5)
        alpha = max(eps2, _norm(param) / math.sqrt(param.size)) * rho_t
        if weight_decay != 0:
            param *= 1 - lr * weight_decay
        if grad.ndim > 1:
            row_var = row_vars[i]._array  # type: ignore[union-attr]
            col_var = col_vars[i]._array  # type: ignore[union-attr]
            sq = xp.square(grad)
            row_mean = xp.sum(sq, axis=-1, keepdims=True) / grad.shape[-1]
            lerp_(row_var, row_mean.astype(grad.dtype), one_minus_beta2_t)
            col_mean = xp.sum(sq, axis=-2, keepdims=True) / grad.shape[-2]
            lerp_(col_var, col_mean.astype(grad.dtype), one_minus_beta2_t)
            var_estimate = xp.matmul(row_var, col_var)
            var_estimate /= xp.maximum(xp.mean(row_var, axis=-2, keepdims=True), eps1)
        else:
            variance = variances[i]._array  # type: ignore[union-attr]
            lerp_(variance, grad * grad, one_minus_beta2_t)
            var_estimate = variance.copy()
        xp.maximum(var_estimate, eps1 * eps1, out=var_estimate)
        update = xp.sqrt(var_estimate, out=var_estimate)
        xp.divide(1, update, out=update)
        update *= grad
        denom = max(1.0, _norm(update) / (math.sqrt(update.size) * d))
        update *= xp.asarray(-alpha / denom, dtype=param.dtype)
        param += update
