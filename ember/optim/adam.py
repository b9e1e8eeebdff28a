"""Adam and AdamW (``torch.optim.Adam`` / ``torch.optim.AdamW``)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import xp
from .._tensor import Tensor
from ._functional import real_views, addcmul_, bump, lerp_, prep_grad
from .optimizer import Optimizer, _check_differentiable, _run_closure, _to_scalar, _use_grad

__all__ = ["Adam", "AdamW", "adam"]

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._backend import ndarray

    from .optimizer import ParamsT, _T


def _check_adam_args(lr, betas, eps, weight_decay):
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


class Adam(Optimizer):
    """Implements the Adam algorithm (AdamW with ``decoupled_weight_decay=True``)."""

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-3,
                 betas: tuple[float | Tensor, float | Tensor] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _check_adam_args(lr, betas, eps, weight_decay)
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        _check_differentiable(differentiable)
        betas = (*betas,)  # a list given as betas becomes a tuple
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    _group_setstate_defaults = {"amsgrad": False, "maximize": False, "foreach": None,
                                "capturable": False, "differentiable": False,
                                "decoupled_weight_decay": False, "fused": None}

    @_use_grad
    def step(self, closure: Callable[[], _T] | None = None) -> _T | None:
        """Perform a single optimization step."""
        loss = _run_closure(closure)
        for group in self.param_groups:
            amsgrad = group["amsgrad"]
            keys = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq") if amsgrad else ("exp_avg",
                                                                                "exp_avg_sq")
            params, arrays, grads, cols, steps = self._gather(group, keys)
            exp_avgs, exp_avg_sqs = cols[0], cols[1]
            max_sqs = cols[2] if amsgrad else []
            beta1, beta2 = group["betas"]
            adam(arrays, grads, exp_avgs, exp_avg_sqs, max_sqs, steps, amsgrad=amsgrad,
                 beta1=_to_scalar(beta1), beta2=_to_scalar(beta2), lr=_to_scalar(group["lr"]),
                 weight_decay=group["weight_decay"], eps=group["eps"],
                 maximize=group["maximize"],
                 decoupled_weight_decay=group["decoupled_weight_decay"])
            bump(params)
        return loss


def adam(params: list[ndarray], grads: list[ndarray], exp_avgs: list[ndarray],
         exp_avg_sqs: list[ndarray], max_exp_avg_sqs: list[ndarray], state_steps: list[ndarray], *,
         amsgrad: bool, beta1: float, beta2: float, lr: float, weight_decay: float, eps: float,
         maximize: bool, decoupled_weight_decay: bool = False) -> None:
    """Adam / AdamW on arrays, in place (PyTorch's single-tensor formulas)."""
    params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs = real_views(
        params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs)
    for i, p in enumerate(params):
        step_t = state_steps[i]
        step_t += 1
        if weight_decay != 0 and decoupled_weight_decay:
            p *= 1 - lr * weight_decay
            g = prep_grad(grads[i], p, maximize, 0)
        else:
            g = prep_grad(grads[i], p, maximize, weight_decay)
        exp_avg, exp_avg_sq = exp_avgs[i], exp_avg_sqs[i]
        lerp_(exp_avg, g, 1 - beta1)
        exp_avg_sq *= beta2
        addcmul_(exp_avg_sq, g, g, 1 - beta2)
        step = float(step_t)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2 ** 0.5
        if amsgrad:
            xp.maximum(max_exp_avg_sqs[i], exp_avg_sq, out=max_exp_avg_sqs[i])
            denom = xp.sqrt(max_exp_avg_sqs[i])
        else:
            denom = xp.sqrt(exp_avg_sq)
        denom /= bias_correction2_sqrt
        denom += eps
        upd = xp.multiply(exp_avg, -step_size)
        upd /= denom
        p += upd


class AdamW(Adam):
    """Implements AdamW: Adam with decoupled weight decay."""

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-3,
                 betas: tuple[float | Tensor, float | Tensor] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
