"""Muon (``torch.optim.Muon``, new in torch 2.13): momentum, then the update orthogonalized by
a quintic Newton-Schulz iteration, for 2-D parameters (Keller Jordan's optimizer).

torch runs the Newton-Schulz iteration in bfloat16; ember does the same arithmetic in float32
and rounds each result to bfloat16 (round to nearest even), NumPy alone, so the update is
torch's bfloat16 update and the trajectories follow torch's."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .._backend import xp
from .._tensor import Tensor
from ._functional import bump, lerp_
from .optimizer import Optimizer, _run_closure, _to_scalar, _use_grad

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._backend import ndarray
    from .optimizer import ParamsT, _T

__all__ = ["Muon"]

EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5


def _bf16(a: Any) -> ndarray:
    """float32 values rounded to bfloat16 (nearest, ties to even), kept as float32."""
    b = xp.ascontiguousarray(a, dtype=xp.float32).view(xp.uint32)
    r = (b + xp.uint32(0x7FFF) + ((b >> xp.uint32(16)) & xp.uint32(1))) & xp.uint32(0xFFFF0000)
    out = r.view(xp.float32)
    return xp.where(xp.isnan(a), xp.float32("nan"), out)


def _zeropower_via_newtonschulz(grad: ndarray, ns_coefficients: tuple[float, float, float],
                                ns_steps: int, eps: float) -> ndarray:
    """torch's Newton-Schulz orthogonalization of ``grad``, each step rounded to bfloat16."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if len(grad.shape) != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = (xp.float32(v) for v in ns_coefficients)
    o = _bf16(grad)
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        o = xp.ascontiguousarray(o.T)
    norm = _bf16(xp.sqrt(xp.sum(o * o, dtype=xp.float32)))
    norm = xp.maximum(norm, _bf16(xp.float32(eps)))
    o = _bf16(o / norm)
    for _ in range(ns_steps):
        gram = _bf16(o @ o.T)
        upd = _bf16(b * gram + c * (gram @ gram))
        o = _bf16(a * o + upd @ o)
    return xp.ascontiguousarray(o.T) if tall else o


def _adjust_lr(lr: float, adjust_lr_fn: str | None, param_shape: tuple[int, ...]) -> float:
    """Muon's learning-rate scale for an (A, B) matrix."""
    A, B = param_shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, A / B))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(A, B))
    else:
        ratio = 1.0
    return lr * ratio


class Muon(Optimizer):
    """Implements Muon (MomentUm Orthogonalized by Newton-Schulz) for 2-D parameters; use a
    standard optimizer (AdamW) for biases, embeddings and other parameters."""

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-3, weight_decay: float = 0.1,
                 momentum: float = 0.95, nesterov: bool = True,
                 ns_coefficients: tuple[float, float, float] = (DEFAULT_A, DEFAULT_B,
                                                                DEFAULT_C),
                 eps: float = EPS, ns_steps: int = DEFAULT_NS_STEPS,
                 adjust_lr_fn: str | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ["original", "match_rms_adamw"]:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = {"lr": lr, "weight_decay": weight_decay, "momentum": momentum,
                    "nesterov": nesterov, "ns_coefficients": ns_coefficients, "eps": eps,
                    "ns_steps": ns_steps, "adjust_lr_fn": adjust_lr_fn}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a "
                                     f"parameter with size: {p.size()}")

    @_use_grad
    def step(self, closure: Callable[[], _T] | None = None) -> _T | None:
        """Perform a single optimization step."""
        from .._creation import zeros_like
        loss = _run_closure(closure)
        for group in self.param_groups:
            params, arrays, grads, bufs = [], [], [], []
            for p in group["params"]:
                if p._grad is None:
                    continue
                if p.is_complex():
                    raise RuntimeError("Muon does not support complex parameters")
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = zeros_like(p._grad)
                params.append(p)
                arrays.append(p._array)
                grads.append(p._grad._array)
                bufs.append(state["momentum_buffer"]._array)
            muon(arrays, grads, bufs, lr=_to_scalar(group["lr"]),
                 weight_decay=group["weight_decay"], momentum=group["momentum"],
                 nesterov=group["nesterov"], ns_coefficients=group["ns_coefficients"],
                 eps=group["eps"], ns_steps=group["ns_steps"],
                 adjust_lr_fn=group["adjust_lr_fn"])
            bump(params)
        return loss


def muon(params: list[ndarray], grads: list[ndarray], bufs: list[ndarray], *, lr: float,
         weight_decay: float, momentum: float, nesterov: bool,
         ns_coefficients: tuple[float, float, float], ns_steps: int, eps: float,
         adjust_lr_fn: str | None) -> None:
    """Muon on arrays, in place (torch's ``_single_tensor_muon``)."""
    for p, g, buf in zip(params, grads, bufs):
        if g.ndim != 2:
            raise ValueError("Param gradient must be a 2D matrix")
        lerp_(buf, g, 1 - momentum)
        if nesterov:
            update = g.copy()
            lerp_(update, buf, momentum)
        else:
            update = buf
        o = _zeropower_via_newtonschulz(update, ns_coefficients, ns_steps, eps)
        adjusted = _adjust_lr(lr, adjust_lr_fn, p.shape)
        p *= 1 - lr * weight_decay
        p += (o * -adjusted).astype(p.dtype) if p.dtype != xp.float32 else o * xp.float32(
            -adjusted)
