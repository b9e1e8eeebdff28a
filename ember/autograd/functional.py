"""torch.autograd.functional: vjp, jvp, jacobian, hessian, hvp, vhp.

All are built from reverse mode (``autograd.grad``); jvp uses the double-vjp trick, as PyTorch's
own implementation does.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import xp
from .._tensor import Tensor, _make
from .grad_mode import enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    _TensorOrTensors = Tensor | Sequence[Tensor]  # torch.types._TensorOrTensors
    _TensorOrTuple = Tensor | tuple[Tensor, ...]  # a tuple when the inputs/outputs were one


def _tuple(x: Any) -> tuple[Any, ...]:
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _prep(inputs, create_graph):
    """Fresh leaves that require grad (or the inputs themselves under create_graph)."""
    out = []
    for x in inputs:
        if not isinstance(x, Tensor):
            raise TypeError("The inputs given to the function must be Tensors")
        if create_graph and x.requires_grad:
            out.append(x.view_as(x))
        else:
            t = x.detach()
            t.requires_grad_(True)
            out.append(t)
    return tuple(out)


def _grad(outputs, inputs, grad_outputs, create_graph, retain_graph=True):
    from . import grad as _g
    outs = [o for o in outputs]
    gos = list(grad_outputs)
    keep = [(o, g) for o, g in zip(outs, gos) if o.requires_grad]
    if not keep:
        return tuple(None for _ in inputs)
    return _g([o for o, _ in keep], inputs, [g for _, g in keep], retain_graph=retain_graph,
              create_graph=create_graph, allow_unused=True)


def _fill(grads, like, strict=False):
    from .._creation import zeros_like
    res = []
    for g, x in zip(grads, like):
        if g is None:
            if strict:
                raise RuntimeError("The output of the user-provided function is independent of "
                                   "input. This is not allowed in strict mode.")
            g = zeros_like(x)
        res.append(g)
    return tuple(res)


def _result(x, is_tuple, create_graph):
    x = tuple(t if create_graph or t is None else t.detach() for t in x)
    return x if is_tuple else x[0]


def vjp(func: Callable[..., Any], inputs: _TensorOrTensors, v: _TensorOrTensors | None = None,
        create_graph: bool = False, strict: bool = False) -> tuple[_TensorOrTuple, _TensorOrTuple]:
    """(func(inputs), v^T J)."""
    is_tuple = not isinstance(inputs, Tensor)
    with enable_grad():
        ins = _prep(_tuple(inputs), create_graph)
        raw = func(*ins)
        outputs = _tuple(raw)
        if v is None:
            if any(o.numel() != 1 for o in outputs):
                raise RuntimeError("The vector v can only be None if the user-provided function "
                                   "returns a single Tensor with a single element.")
            from .._creation import ones_like
            v = tuple(ones_like(o) for o in outputs)
        vs = _tuple(v)
        grads = _fill(_grad(outputs, ins, vs, create_graph), ins, strict)
    out_is_tuple = len(outputs) > 1 or not isinstance(raw, Tensor)
    return (_result(outputs, out_is_tuple, create_graph), _result(grads, is_tuple, create_graph))


def jvp(func: Callable[..., Any], inputs: _TensorOrTensors, v: _TensorOrTensors | None = None,
        create_graph: bool = False, strict: bool = False) -> tuple[_TensorOrTuple, _TensorOrTuple]:
    """(func(inputs), J v) via the double-vjp trick."""
    from .._creation import zeros_like, ones_like
    with enable_grad():
        ins = _prep(_tuple(inputs), create_graph)
        if v is None:
            if any(x.numel() != 1 for x in ins):
                raise RuntimeError("The vector v can only be None if the input to the "
                                   "user-provided function is a single Tensor with a single "
                                   "element.")
            v = tuple(ones_like(x) for x in ins)
        vs = _tuple(v)
        raw = func(*ins)
        outputs = _tuple(raw)
        dummies = tuple(zeros_like(o).requires_grad_(True) for o in outputs)
        g = _grad(outputs, ins, dummies, create_graph=True)
        pairs = [(gi, vi) for gi, vi in zip(g, vs) if gi is not None]
        if pairs:
            from . import grad as _g
            res = _g([p[0] for p in pairs], dummies, [p[1] for p in pairs],
                     create_graph=create_graph, allow_unused=True)
        else:
            res = (None,) * len(outputs)
        res = _fill(res, outputs, strict)
    out_is_tuple = not isinstance(raw, Tensor)
    return (_result(outputs, out_is_tuple, create_graph), _result(res, out_is_tuple,
                                                                   create_graph))


def jacobian(func: Callable[..., Any], inputs: _TensorOrTensors, create_graph: bool = False,
             strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode") -> Tensor | tuple[Any, ...]:
    """Full Jacobian, one reverse pass per output element."""
    is_tuple = not isinstance(inputs, Tensor)
    with enable_grad():
        ins = _prep(_tuple(inputs), create_graph)
        raw = func(*ins)
        outputs = _tuple(raw)
        out_is_tuple = not isinstance(raw, Tensor)
        jac = []
        for o in outputs:
            rows: list[list[Tensor]] = [[] for _ in ins]
            for k in range(o.numel()):
                go = xp.zeros(o._array.shape, o._array.dtype)
                go.reshape(-1)[k] = 1
                g = _fill(_grad([o], ins, [_make(go, False, None, 0, None)], create_graph), ins,
                          strict)
                for i, gi in enumerate(g):
                    rows[i].append(gi)
            per_in = []
            for i, x in enumerate(ins):
                from .._ops.shape import stack
                if rows[i]:
                    j = stack(rows[i], 0).reshape(*o.shape, *x.shape)
                else:
                    from .._creation import zeros
                    j = zeros(*o.shape, *x.shape, dtype=x.dtype)
                per_in.append(j if create_graph else j.detach())
            jac.append(tuple(per_in))
    if not out_is_tuple and not is_tuple:
        return jac[0][0]
    if not out_is_tuple:
        return jac[0]
    if not is_tuple:
        return tuple(j[0] for j in jac)
    return tuple(jac)


def hessian(func: Callable[..., Any], inputs: _TensorOrTensors, create_graph: bool = False,
            strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode") -> Tensor | tuple[Any, ...]:
    """Hessian of a scalar function: the Jacobian of its gradient."""
    is_tuple = not isinstance(inputs, Tensor)

    def grad_fn(*ins):
        with enable_grad():
            out = func(*ins)
            if not isinstance(out, Tensor) or out.numel() != 1:
                raise RuntimeError("The function given to hessian should return a single "
                                   "Tensor with a single element.")
            g = _fill(_grad([out], ins, [_ones(out)], create_graph=True),
                      ins, strict)
        return g if is_tuple else g[0]

    return jacobian(grad_fn, inputs, create_graph=create_graph, strict=strict)


def _ones(t):
    from .._creation import ones_like
    return ones_like(t)


def vhp(func: Callable[..., Any], inputs: _TensorOrTensors, v: _TensorOrTensors | None = None,
        create_graph: bool = False, strict: bool = False) -> tuple[Tensor, _TensorOrTuple]:
    """(func(inputs), v^T H)."""
    is_tuple = not isinstance(inputs, Tensor)
    with enable_grad():
        ins = _prep(_tuple(inputs), create_graph)
        out = func(*ins)
        g = _fill(_grad([out], ins, [_ones(out)], create_graph=True), ins, strict)
        vs = _tuple(v)
        pairs = [(gi, vi) for gi, vi in zip(g, vs) if gi.requires_grad]
        from . import grad as _g
        res = _g([p[0] for p in pairs], ins, [p[1] for p in pairs], create_graph=create_graph,
                 allow_unused=True) if pairs else (None,) * len(ins)
        res = _fill(res, ins, strict)
    return (out if create_graph else out.detach()), _result(res, is_tuple, create_graph)


def hvp(func: Callable[..., Any], inputs: _TensorOrTensors, v: _TensorOrTensors | None = None,
        create_graph: bool = False, strict: bool = False) -> tuple[Tensor, _TensorOrTuple]:
    """(func(inputs), H v); H is symmetric for twice-differentiable functions, so H v = v^T H."""
    return vhp(func, inputs, v, create_graph, strict)
