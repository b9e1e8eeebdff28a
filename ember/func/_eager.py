"""Reverse-mode transforms of ``ember.func``: grad, grad_and_value, vjp, jacrev, and
functional_call / stack_module_state.

How a transform differentiates: each differentiated input becomes a fresh differentiable
tensor (a leaf, or a view of the input when an outer transform or the caller differentiates
through it: then the result keeps its graph, as torch's transforms compose).  Under vmap the
input is first expanded over every active batch level, so the one batched backward pass gives
each sample its own gradient.  ``jacrev`` runs ``f`` once and
then one backward pass of that graph with the standard basis as a batch of output gradients
(a new vmap level: the backward formulas run through the batching rules), as torch's vmap over
vjp; where a formula has no batching rule it batches the other way round: ``f`` once more over
a batch of one copy of the inputs per output element, one backward pass yielding every row.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

from .. import autograd as _ag
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad, is_grad_enabled
from ..utils._pytree import tree_flatten, tree_map, tree_unflatten
from . import _batched as B
from . import _rules  # noqa: F401

__all__ = ["grad", "grad_and_value", "vjp", "jacrev", "functional_call", "stack_module_state"]


# ---------------------------------------------------------------- argnums

def _wrap_argnum(argnum: Any, n: int) -> int:
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if 0 <= argnum < n:
        return argnum
    if -n <= argnum < 0:
        return argnum + n
    raise RuntimeError(f"Got argnum={argnum}, but only {n} positional inputs")


def _argnums(argnums: Any, n: int) -> Any:
    if not isinstance(argnums, (int, tuple)):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    if isinstance(argnums, int):
        return _wrap_argnum(argnums, n)
    out = tuple(_wrap_argnum(a, n) for a in argnums)
    if len(out) == 0:
        raise RuntimeError("argnums must be non-empty")
    if len(set(out)) != len(out):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return out


# ---------------------------------------------------------------- differentiable inputs

def _levels() -> list[int]:
    return [lv for lv, _n, _r in B._LEVELS]


def _to_plain(t: Tensor, levels: list[int]) -> Tensor:
    """``t`` as a plain tensor with one leading dimension per level of ``levels`` (lowest
    first), expanded where ``t`` is not batched at a level."""
    for lv in reversed(levels):
        t = B.physical(t, lv)
    if t.__class__ is B.BatchedTensor:
        raise RuntimeError("ember.func: a tensor batched at a vmap level that is not active")
    return t


def _from_plain(p: Tensor, levels: list[int]) -> Tensor:
    for lv in levels:
        p = B.wrap(p, lv)
    return p


def _is_dual(t: Tensor) -> bool:
    """Whether ``t`` carries a forward-mode tangent (a forward transform outside: the reverse
    pass must then be recorded, so the tangent flows through it)."""
    from ..autograd import function as _fn
    if not getattr(_fn, "_FW_ON", False):
        return False
    from ..autograd.forward_ad import _is_dual as dual  # type: ignore[import-not-found]
    return bool(dual(t))


def _detach_keep_tangent(g: Tensor) -> Tensor:
    """``g.detach()``, keeping the forward-mode tangent an outer forward transform gave it
    (through a dual tensor the function closed over): as torch's transforms, whose levels
    keep the outer tangent while they drop the inner graph."""
    d = g.detach()
    if _is_dual(g):
        from ..autograd import forward_ad as fwAD
        fwAD._set(d, fwAD._get(g))  # type: ignore[arg-type]
    return d


class _Diff:
    """One differentiated input: ``plain`` (what autograd differentiates), ``value`` (what
    ``f`` receives)."""

    def __init__(self, x: Any, levels: list[int], api: str) -> None:
        if not isinstance(x, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
        p = _to_plain(x, levels)
        if p._requires_grad or _is_dual(p):
            self.outer = True
            self.plain = p.view_as(p)
            if not self.plain._requires_grad:  # a dual tensor: a leaf that keeps its tangent
                self.plain.requires_grad_(True)
        else:
            self.outer = False
            self.plain = p.detach().requires_grad_(True) if p.dtype.is_floating_point or \
                p.dtype.is_complex else p.detach()
        self.value = _from_plain(self.plain, levels)


def _make_diff(args: tuple[Any, ...], argnums: Any, levels: list[int], api: str) -> Any:
    """The differentiated inputs (a pytree per argnum) and the new args."""
    nums = (argnums,) if isinstance(argnums, int) else argnums
    new = list(args)
    diffs = []
    for k in nums:
        leaves, spec = tree_flatten(args[k])
        ds = [_Diff(x, levels, api) for x in leaves]
        diffs.append((ds, spec))
        new[k] = tree_unflatten([d.value for d in ds], spec)
    return diffs, tuple(new)


def _undo(x: Any, levels: list[int], keep: bool) -> Any:
    """An output of ``f`` back in the caller's terms (its graph dropped unless ``keep``)."""
    if not isinstance(x, Tensor):
        return x
    return x if keep else x.detach()


def _split_aux(output: Any, has_aux: bool, where: str) -> tuple[Any, Any]:
    """``(output, aux)`` of a ``has_aux`` function (``aux`` None without it), with torch's
    error when it did not return a pair."""
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(f"{where}: output of function f should be a tuple: (output, aux) "
                           "if has_aux is True")
    return output


def _aux(aux: Any, keep: bool) -> Any:
    """``has_aux``'s second output: tensors (nested in tuples/lists/dicts) only, as torch."""
    def one(x: Any) -> Any:
        if isinstance(x, Tensor):
            return x if keep else x.detach()
        raise RuntimeError(f"Expected tensors, got unsupported type {type(x)}")
    return tree_map(one, aux)


def _grads(outs: list[Tensor], diffs: list[Any], levels: list[int], gouts: list[Any],
           create_graph: bool, retain_graph: bool = False) -> list[Any]:
    flat = [d for ds, _ in diffs for d in ds]
    inputs = [d.plain for d in flat]
    outs_p = [_to_plain(o, levels) for o in outs]
    gs: list[Any] = [None] * len(inputs)
    need = [k for k, t in enumerate(inputs) if t._requires_grad]
    diff_outs = [(o, g) for o, g in zip(outs_p, gouts) if o._requires_grad]
    if need and diff_outs:
        with enable_grad():
            r = _ag.grad([o for o, _ in diff_outs], [inputs[k] for k in need],
                         grad_outputs=[g for _, g in diff_outs], create_graph=create_graph,
                         retain_graph=retain_graph or create_graph, allow_unused=True)
        for k, g in zip(need, r):
            gs[k] = g
    res = []
    for d, g in zip(flat, gs):
        if g is None:
            from .._creation import zeros_like
            g = zeros_like(d.plain.detach())
        elif not create_graph:
            g = _detach_keep_tangent(g)
        res.append(_from_plain(g, levels))
    out = []
    k = 0
    for ds, spec in diffs:
        out.append(tree_unflatten(res[k:k + len(ds)], spec))
        k += len(ds)
    return out


# ---------------------------------------------------------------- grad

def grad_and_value(func: Callable[..., Any], argnums: Any = 0,
                   has_aux: bool = False) -> Callable[..., Any]:
    """``torch.func.grad_and_value``: a function returning ``(gradient, value)`` (``((gradient,
    value), aux)`` with ``has_aux``) of ``func`` with respect to the positional arguments
    ``argnums`` (an int or a tuple of ints; each argument may be a pytree of tensors).
    ``func`` must return a scalar tensor.  Composes with ``vmap`` (per-sample gradients) and
    with itself / ``jacrev`` (higher derivatives)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        an = _argnums(argnums, len(args))
        levels = _levels()
        grad_on = is_grad_enabled()
        with enable_grad():
            diffs, new_args = _make_diff(args, an, levels, "grad")
            output = func(*new_args, **kwargs)
            output, aux = _split_aux(output, has_aux, "grad_and_value(f)(*args)")
            if not isinstance(output, Tensor):
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a "
                                   f"Tensor, got {type(output)}")
            if output.dim() != 0:
                raise RuntimeError(
                    f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, "
                    f"got tensor with {output.dim()} dims. Maybe you wanted to use the vjp or "
                    f"jacrev APIs instead?")
            cg = any(d.outer for ds, _ in diffs for d in ds) and (grad_on or any(
                _is_dual(d.plain) for ds, _ in diffs for d in ds))
            op = _to_plain(output, levels)
            from .._creation import ones_like
            gs = _grads([output], diffs, levels, [ones_like(op)], cg)
        g = gs[0] if isinstance(an, int) else tuple(gs)
        value = _undo(output, levels, cg)
        if has_aux:
            return (g, value), _aux(aux, cg)
        return g, value
    return wrapper


def grad(func: Callable[..., Any], argnums: Any = 0, has_aux: bool = False) -> Callable[..., Any]:
    """``torch.func.grad``: a function returning the gradient of ``func`` (a scalar-valued
    function) with respect to the positional arguments ``argnums`` (with ``has_aux``: the pair
    ``(gradient, aux)``).  ``vmap(grad(f))`` gives per-sample gradients; ``grad(grad(f))``
    higher derivatives."""
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if has_aux:
            (g, _v), aux = gv(*args, **kwargs)
            return g, aux
        g, _v = gv(*args, **kwargs)
        return g
    return wrapper


# ---------------------------------------------------------------- vjp

def vjp(func: Callable[..., Any], *primals: Any, has_aux: bool = False) -> Any:
    """``torch.func.vjp``: ``(output, vjp_fn)`` (and ``aux`` with ``has_aux``); ``vjp_fn(ct)``
    returns the vector-Jacobian products with every primal, a tuple.  Calling ``vjp_fn`` inside
    ``vmap`` (batched cotangents) runs one backward pass per cotangent."""
    levels = _levels()
    with enable_grad():
        diffs, new_args = _make_diff(primals, tuple(range(len(primals))), levels, "vjp")
        out = func(*new_args)
        out, aux = _split_aux(out, has_aux, "vjp(f, *primals)")
        flat_out, out_spec = tree_flatten(out)
        if (len(flat_out) == 1 and flat_out[0] is None) or len(flat_out) < 1:
            raise RuntimeError(f"vjp(f, *primals): Expected f to be a function that has "
                               f"non-empty output (got output = {flat_out})")
        for o in flat_out:
            if not isinstance(o, Tensor):
                raise RuntimeError(f"vjp(f, *primals): expected f(*primals) to return only "
                                   f"tensors, got unsupported type {type(o)}")
            if not (o.is_floating_point() or o.is_complex()):
                raise RuntimeError(f"vjp(f, ...): All outputs of f must be floating-point or "
                                   f"complex Tensors, got Tensor with dtype {o.dtype}")
    outer = any(d.outer for ds, _ in diffs for d in ds)

    def vjp_fn(cotangents: Any, retain_graph: bool = True,
               create_graph: bool | None = None) -> tuple[Any, ...]:
        if create_graph is None:
            create_graph = is_grad_enabled()
        flat_ct, ct_spec = tree_flatten(cotangents)
        if ct_spec != out_spec:
            raise RuntimeError(
                f"Expected pytree structure of cotangents to be the same as pytree structure "
                f"of outputs to the function. cotangents: {_pp(ct_spec)}, primal output: "
                f"{_pp(out_spec)}")
        extra = [lv for lv in _levels() if lv not in levels and
                 any(B.level_of(c) == lv for c in flat_ct)]
        if extra:  # batched cotangents (vmap over vjp_fn)
            cg = bool(create_graph) and (outer or any(isinstance(c, Tensor) and c.requires_grad
                                                      for c in flat_ct))
            r = _vjp_batched(flat_out, diffs, levels, flat_ct, extra[0], cg) \
                if len(extra) == 1 else None
            # else one backward pass per cotangent
            return r if r is not None else _batched_vjp(vjp_fn, cotangents, extra[-1],
                                                        retain_graph, create_graph)
        gouts = []
        for o, c in zip(flat_out, flat_ct):
            op = _to_plain(o, levels)
            cp = _to_plain(c, levels) if isinstance(c, Tensor) else c
            if isinstance(cp, Tensor) and tuple(cp.shape) != tuple(op.shape):
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[0] has a shape of {c.shape} and output[0] "
                    f"has a shape of {o.shape}.")
            gouts.append(cp)
        cg = bool(create_graph) and (outer or any(isinstance(c, Tensor) and c.requires_grad
                                                  for c in flat_ct))
        return tuple(_grads(flat_out, diffs, levels, gouts, cg, retain_graph=True))

    value = tree_unflatten([_undo(o, levels, outer) for o in flat_out], out_spec)
    if has_aux:
        return value, vjp_fn, _aux(aux, outer)
    return value, vjp_fn


def _pp(spec: Any) -> str:
    return str(spec)


def _vjp_batched(flat_out: list[Tensor], diffs: list[Any], levels: list[int], flat_ct: list[Any],
                 lv: int, cg: bool) -> tuple[Any, ...] | None:
    """``vjp_fn`` over a batch of cotangents (vmap level ``lv``) in one backward pass whose
    formulas run through the batching rules (torch's vmap over vjp).  None where that cannot
    be done (a formula without a batching rule, a cotangent batched at another level): then
    one backward pass per cotangent."""
    n = B._SIZE[lv]
    inputs = [d.plain for ds, _ in diffs for d in ds]
    need = [k for k, t in enumerate(inputs) if t._requires_grad]
    outs, gouts = [], []
    try:
        for o, c in zip(flat_out, flat_ct):
            op = _to_plain(o, levels)
            if not isinstance(c, Tensor):
                return None
            if c.__class__ is B.BatchedTensor and c._blevel == lv:
                p = _to_plain(c._bvalue, levels).movedim(len(levels), 0)
            else:
                p = _to_plain(c, levels)
                p = p.unsqueeze(0).expand((n,) + tuple(p.shape))
            if tuple(p.shape[1:]) != tuple(op.shape):
                return None  # the per-cotangent passes raise torch's error
            if op._requires_grad:
                outs.append(op)
                gouts.append(B.wrap(p, lv))
    except RuntimeError:
        return None
    gs: list[Any] = [None] * len(inputs)
    if need and outs:
        B.NO_LOOP[0], was = True, B.NO_LOOP[0]
        try:
            with enable_grad():
                r = _ag.grad(outs, [inputs[k] for k in need], grad_outputs=gouts,
                             retain_graph=True, create_graph=True, allow_unused=True)
        except B.NoBatchRule:
            return None
        finally:
            B.NO_LOOP[0] = was
        for k, g in zip(need, r):
            gs[k] = g
    res = []
    for t, g in zip(inputs, gs):
        if g is None:
            from .._creation import zeros_like
            res.append(_from_plain(zeros_like(t.detach()), levels))
            continue
        p = B.physical(g, lv)
        p = p if cg else _detach_keep_tangent(p)
        res.append(B.wrap(_from_plain(p.movedim(0, len(levels)), levels), lv))
    out = []
    k = 0
    for ds, spec in diffs:
        out.append(tree_unflatten(res[k:k + len(ds)], spec))
        k += len(ds)
    return tuple(out)


def _batched_vjp(vjp_fn: Any, cotangents: Any, lv: int, retain_graph: bool,
                 create_graph: bool) -> Any:
    from .._ops.shape import stack
    n = B._SIZE[lv]
    key = "vjp_fn (batched cotangents)"
    if key not in B._WARNED:
        B._WARNED.add(key)
        import warnings
        warnings.warn("There is a performance drop because we have not yet implemented the "
                      "batching rule for vjp_fn (batched cotangents). Please file us an issue "
                      "on GitHub so that we can prioritize its implementation.", UserWarning,
                      stacklevel=3)
    flat_ct, spec = tree_flatten(cotangents)
    rows = []
    for i in range(n):
        ci = [B.physical(c, lv)[i] if isinstance(c, Tensor) else c for c in flat_ct]
        rows.append(vjp_fn(tree_unflatten(ci, spec), retain_graph, create_graph))
    flat_rows = [tree_flatten(r) for r in rows]
    leaves = [B.wrap(stack([fr[0][k] for fr in flat_rows]), lv)
              for k in range(len(flat_rows[0][0]))]
    return tree_unflatten(leaves, flat_rows[0][1])


# ---------------------------------------------------------------- jacrev

def jacrev(func: Callable[..., Any], argnums: Any = 0, *, has_aux: bool = False,
           chunk_size: int | None = None, _preallocate_and_copy: bool = False
           ) -> Callable[..., Any]:
    """``torch.func.jacrev``: the Jacobian of ``func`` with respect to ``argnums`` by reverse
    mode.  The output has shape ``output.shape + input.shape`` (tuples of them for several
    outputs / inputs).  ``f`` runs once over a batch of one sample per output element
    (``chunk_size`` of them at a time) and one backward pass gives every row.  Composes with
    ``vmap`` and with itself (``jacrev(jacrev(f))`` is the Hessian)."""
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        an = _argnums(argnums, len(args))
        nums = (an,) if isinstance(an, int) else an
        for k in nums:
            for i, x in enumerate(tree_flatten(args[k])[0]):
                if isinstance(x, Tensor) and x.dtype.is_complex:
                    raise RuntimeError(f"jacrev: Expected all inputs to be real but received "
                                       f"complex tensor at flattened input idx: {i}")
        levels = _levels()
        with enable_grad():
            # the value (and aux) at the primal point
            diffs0, new0 = _make_diff(args, an, levels, "jacrev")
            out = func(*new0, **kwargs)
            out, aux = _split_aux(out, has_aux, "jacrev(f, ...)(*args)")
            flat_out, out_spec = tree_flatten(out)
            for o in flat_out:
                if not isinstance(o, Tensor):
                    raise RuntimeError(f"jacrev(f, ...)(*args): expected f(*primals) to return "
                                       f"only tensors, got unsupported type {type(o)}")
                if o.dtype.is_complex:
                    raise RuntimeError("jacrev: Expected all outputs to be real but received "
                                       "complex tensor at flattened input idx: 0")
            outer = any(d.outer for ds, _ in diffs0 for d in ds)
            numels = [o.numel() for o in flat_out]
            total = sum(numels)
            step = total if chunk_size is None else min(chunk_size, total) or 1
            pieces: list[list[list[Tensor]]] = []
            for lo in range(0, max(total, 1), step):
                hi = min(lo + step, total)
                pieces.append(_jac_rows(diffs0, levels, lo, hi, flat_out, numels, outer) or
                              _jac_chunk(func, args, kwargs, an, levels, lo, hi, flat_out,
                                         numels, has_aux, outer))
        from .._ops.shape import cat
        flat_in_specs = [tree_flatten(args[k]) for k in nums]
        # pieces[c][j][i]: rows lo..hi of output-block j (restricted) wrt input leaf i
        results = []
        nin = sum(len(lv) for lv, _ in flat_in_specs)
        for j, o in enumerate(flat_out):
            per_in = []
            for i in range(nin):
                parts = [p[j][i] for p in pieces if p[j][i] is not None]
                m = cat(parts, 0) if len(parts) > 1 else parts[0]
                per_in.append(m)
            results.append(per_in)
        out_jacs = []
        for j, o in enumerate(flat_out):
            per = []
            k = 0
            for leaves, spec in flat_in_specs:
                mats = []
                for x in leaves:
                    m = results[j][k]
                    k += 1
                    mats.append(m.reshape(tuple(o.shape) + tuple(x.shape)))
                per.append(tree_unflatten(mats, spec))
            out_jacs.append(per[0] if isinstance(an, int) else tuple(per))
        jac = tree_unflatten(out_jacs, out_spec)
        if has_aux:
            return jac, _aux(aux, outer)
        return jac
    return wrapper


def _jac_rows(diffs: list[Any], levels: list[int], lo: int, hi: int, flat_out: list[Tensor],
              numels: list[int], outer: bool) -> list[list[Any]] | None:
    """Rows ``lo:hi`` of the stacked Jacobian as torch computes them (vmap over vjp): one
    backward pass of the primal graph (``f`` ran once) with the identity's rows as a batch of
    output gradients at a new vmap level, so every row sees the same forward values.  None
    when a backward formula does not run batched (then ``_jac_chunk``)."""
    from .._creation import zeros
    n = hi - lo
    inputs = [d.plain for ds, _ in diffs for d in ds]
    need = [k for k, t in enumerate(inputs) if t._requires_grad]
    lv = B.push_level(n, "same")
    flat_g = []
    try:
        outs, gouts = [], []
        off = 0
        for o, m in zip(flat_out, numels):
            op = _to_plain(o, levels)
            g = zeros((n, m), dtype=o.dtype)
            a = g._array
            for r in range(n):
                if 0 <= lo + r - off < m:
                    a[r, lo + r - off] = 1
            off += m
            if op._requires_grad:
                g = g.reshape((n,) + (1,) * len(levels) + tuple(o.shape))
                outs.append(op)
                gouts.append(B.wrap(g.expand((n,) + tuple(op.shape)), lv))
        gs: list[Any] = [None] * len(inputs)
        if need and outs:
            B.NO_LOOP[0], was = True, B.NO_LOOP[0]
            try:
                with enable_grad():
                    r = _ag.grad(outs, [inputs[k] for k in need], grad_outputs=gouts,
                                 retain_graph=True, create_graph=True, allow_unused=True)
            finally:
                B.NO_LOOP[0] = was
            for k, g in zip(need, r):
                gs[k] = g
        for t, g in zip(inputs, gs):
            if g is None:
                p = zeros((n,) + tuple(t.shape), dtype=t.dtype)
            else:
                p = B.physical(g, lv)
                p = p if outer else _detach_keep_tangent(p)
            flat_g.append(_from_plain(p.movedim(0, len(levels)), levels))
    except B.NoBatchRule:  # a backward formula without a batching rule: the other way
        return None
    finally:
        B.pop_level(lv)
    res = []
    off = 0
    for m in numels:
        a0, a1 = max(lo, off) - lo, min(hi, off + m) - lo
        res.append([g[a0:a1].reshape((a1 - a0, -1)) if a1 > a0 else None for g in flat_g])
        off += m
    return res


def _jac_chunk(func: Any, args: Any, kwargs: Any, an: Any, levels: list[int], lo: int, hi: int,
               flat_out0: list[Tensor], numels: list[int], has_aux: bool,
               outer: bool) -> list[list[Any]]:
    """Rows ``lo:hi`` of the stacked Jacobian: ``f`` over a batch of ``hi - lo`` copies of the
    inputs, one backward pass with those rows of the identity as output gradients."""
    from .._creation import zeros
    n = hi - lo
    lv = B.push_level(n, "same")
    try:
        lvls = levels + [lv]
        diffs, new_args = _make_diff(args, an, lvls, "jacrev")
        out = func(*new_args, **kwargs)
        if has_aux:
            out = out[0]
        flat_out = tree_flatten(out)[0]
        gouts = []
        off = 0
        for o, m in zip(flat_out, numels):
            op = _to_plain(o, lvls)
            g = zeros((n, m), dtype=o.dtype)
            a = g._array
            for r in range(n):
                c = lo + r - off
                if 0 <= c < m:
                    a[r, c] = 1
            g = g.reshape((n,) + tuple(o.shape))
            gouts.append(g.expand(tuple(op.shape)) if tuple(op.shape) != tuple(g.shape) else g)
            off += m
        cg = outer
        gs = _grads(flat_out, diffs, lvls, gouts, cg, retain_graph=False)
        flat_g = [x for t in gs for x in tree_flatten(t)[0]]
        # each gradient is batched at lv: physical [n, *x]; split per output block
        res = []
        off = 0
        for m in numels:
            a0, a1 = max(lo, off) - lo, min(hi, off + m) - lo
            row = []
            for g in flat_g:
                p = B.physical(g, lv)
                row.append(p[a0:a1].reshape((a1 - a0, -1)) if a1 > a0 else None)
            res.append(row)
            off += m
        return res
    finally:
        B.pop_level(lv)


# ---------------------------------------------------------------- functional_call

def functional_call(module: Any, parameter_and_buffer_dicts: Any, args: Any = None,
                    kwargs: dict[str, Any] | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:
    """``torch.func.functional_call``: call ``module`` with its parameters and buffers replaced
    by the tensors of ``parameter_and_buffer_dicts`` (a dict, or a sequence of dicts, keyed by
    ``named_parameters``/``named_buffers`` names); the originals are restored afterwards, also
    when the call raises.  ``tie_weights``: a value given for one of several tied names is used
    for all of them; ``strict``: missing or unexpected keys raise."""
    from collections.abc import Sequence
    if isinstance(parameter_and_buffer_dicts, dict):
        pb = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, Sequence):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be "
                             "dictionaries")
        counts: dict[str, int] = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        rep = [k for k, c in counts.items() if c > 1]
        if rep:
            raise ValueError(f"{rep} appeared in multiple dictionaries; behavior of functional "
                             f"call is ambiguous")
        pb = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError(f"Expected parameter_and_buffer_dicts to be a dict, or a list/tuple "
                         f"of dicts, but got {type(parameter_and_buffer_dicts)}")
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    if tie_weights:
        pb = _untie(module, pb)
    if strict:
        names = set(dict(module.named_parameters(remove_duplicate=False))) | \
            set(dict(module.named_buffers(remove_duplicate=False)))
        missing = sorted(names - set(pb))
        unexpected = sorted(set(pb) - names)
        msgs = []
        if unexpected:
            msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if msgs:
            raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(
                module._get_name(), "\n\t".join(msgs)))
    saved = []
    try:
        for name, value in pb.items():
            saved.append(_swap(module, name, value))
        return module(*args, **kwargs)
    finally:
        for owner, attr, kind, old in reversed(saved):
            _restore(owner, attr, kind, old)


def _untie(module: Any, pb: dict[str, Any]) -> dict[str, Any]:
    named: dict[str, Any] = {}
    named.update(module.named_parameters(remove_duplicate=False))
    named.update(module.named_buffers(remove_duplicate=False))
    by_tensor: dict[int, set[str]] = {}
    for n, t in named.items():
        by_tensor.setdefault(id(t), set()).add(n)
    tied = {n: s for s in by_tensor.values() if len(s) > 1 for n in s}
    given = {n for n in pb if n in tied}
    for g in given:
        names = tied[g]
        if len(names & given) > 1 and len({id(pb[n]) for n in names if n in pb}) != 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(names)}, "
                             f"which are tied. Consider using tie_weights=False")
    out = dict(pb)
    for g in given:
        for n in tied[g]:
            out[n] = pb[g]
    return out


def _swap(module: Any, name: str, value: Any) -> tuple[Any, str, str, Any]:
    parts = name.split(".")
    owner = module
    for p in parts[:-1]:
        owner = getattr(owner, p)
    attr = parts[-1]
    if attr in owner._parameters:
        old = owner._parameters[attr]
        owner._parameters[attr] = value
        return owner, attr, "p", old
    if attr in owner._buffers:
        old = owner._buffers[attr]
        owner._buffers[attr] = value
        return owner, attr, "b", old
    missing = object()
    old = owner.__dict__.get(attr, missing)
    object.__setattr__(owner, attr, value)
    return owner, attr, "a", old


def _restore(owner: Any, attr: str, kind: str, old: Any) -> None:
    if kind == "p":
        owner._parameters[attr] = old
    elif kind == "b":
        owner._buffers[attr] = old
    elif isinstance(old, object) and old.__class__ is object:
        owner.__dict__.pop(attr, None)
    else:
        object.__setattr__(owner, attr, old)


def stack_module_state(models: Any) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    """``torch.func.stack_module_state``: the parameters and buffers of several modules of one
    class stacked along a new leading dimension (``(params, buffers)``), for ``vmap`` over an
    ensemble with ``functional_call``.  Stacked parameters are new leaves that require grad."""
    from .._ops.shape import stack
    models = list(models)
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same "
                           "training/eval mode.")
    t0 = type(models[0])
    if not all(type(m) is t0 for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")

    def leaf(ts: list[Tensor], name: str) -> Tensor:
        allr = all(t.requires_grad for t in ts)
        noner = all(not t.requires_grad for t in ts)
        if not allr and not noner:
            raise RuntimeError(f"Expected {name} from each model to have the same "
                               f".requires_grad")
        r = stack(ts)
        if allr:
            r = r.detach().requires_grad_()
        return r
    ps = [dict(m.named_parameters()) for m in models]
    bs = [dict(m.named_buffers()) for m in models]
    params = {k: leaf([p[k] for p in ps], k) for k in ps[0]}
    buffers = {k: leaf([b[k] for b in bs], k) for k in bs[0]}
    return params, buffers
