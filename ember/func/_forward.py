"""Forward-mode transforms of ``ember.func``: jvp, jacfwd, hessian, linearize, on
``ember.autograd.forward_ad`` (dual tensors: each op carries its tangent forward)."""
from __future__ import annotations

import functools
from typing import Any, Callable

from .._tensor import Tensor
from ..utils._pytree import tree_flatten, tree_unflatten
from ._eager import _argnums, _from_plain, _levels, _to_plain, jacrev

__all__ = ["jvp", "jacfwd", "hessian", "linearize"]

_JVP = "jvp(f, primals, tangents)"


def _check_tuple(x: Any, name: str) -> None:
    if not isinstance(x, tuple):
        raise RuntimeError(f"{_JVP}: Expected {name} to be a tuple. E.g. it should be valid to "
                           f"call f(*{name}).")


def _flat_tensors(x: Any, api: str, argname: str) -> tuple[list[Any], Any]:
    flat, spec = tree_flatten(x)
    if len(flat) == 0:
        raise RuntimeError(f"{api}: Expected {argname} to contain at least one Tensor.")
    for t in flat:
        if not isinstance(t, Tensor):
            raise RuntimeError(f"{api}: Expected {argname} to only contain Tensors, got "
                               f"{type(t)}")
    return flat, spec


def jvp(func: Callable[..., Any], primals: Any, tangents: Any, *, strict: bool = False,
        has_aux: bool = False) -> Any:
    """``torch.func.jvp``: ``(func(*primals), J @ tangents)`` (and ``aux``) by true forward
    mode: one pass of ``func`` on dual tensors (``ember.autograd.forward_ad``)."""
    from ..autograd import forward_ad as fwAD
    _check_tuple(primals, "primals")
    flat_p, spec_p = _flat_tensors(primals, _JVP, "primals")
    flat_t, spec_t = _flat_tensors(tangents, _JVP, "tangents")
    if spec_p != spec_t:
        raise RuntimeError(f"{_JVP}: Expected primals and tangents to have the same python "
                           f"structure. For example, if primals is a tuple of 3 tensors, "
                           f"tangents also must be. Got primals with structure {spec_p} and "
                           f"tangents with structure {spec_t}")
    for p, t in zip(flat_p, flat_t):
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(f"{_JVP}: Expected primals and tangents to have the same "
                               f"shape. Got primal of shape {tuple(p.shape)} and tangent of "
                               f"shape {tuple(t.shape)}")
    if fwAD._current_level >= 0:  # inside another forward transform: see _nested_jvp
        return _nested_jvp(func, primals, tangents, strict, has_aux)
    levels = _levels()  # under vmap: the duals are made on the physical (batched) tensors
    with fwAD.dual_level():
        duals = tree_unflatten([_from_plain(fwAD.make_dual(_to_plain(p, levels),
                                                           _to_plain(t, levels)), levels)
                                for p, t in zip(flat_p, flat_t)], spec_p)
        out = func(*duals)
        aux = None
        if has_aux:
            if not (isinstance(out, tuple) and len(out) == 2):
                raise RuntimeError(f"{_JVP}: output of function f should be a tuple: (output, "
                                   f"aux) if has_aux is True")
            out, aux = out
        flat_o, spec_o = tree_flatten(out)
        if not flat_o or (len(flat_o) == 1 and flat_o[0] is None):
            raise RuntimeError(f"{_JVP}: Expected f to be a function that has non-empty "
                               f"output (got output = {flat_o})")
        prim, tang = [], []
        for o in flat_o:
            if not isinstance(o, Tensor):
                raise RuntimeError(f"{_JVP}: expected f(*args) to return only tensors, got "
                                   f"unsupported type {type(o)}")
            p, t = fwAD.unpack_dual(_to_plain(o, levels))
            p = _from_plain(p, levels)
            t = None if t is None else _from_plain(t, levels)
            if t is None:
                if strict:
                    raise RuntimeError("jvp(f, primals, tangents, strict=True): The output of f "
                                       "is independent of the inputs. This is not allowed with "
                                       "strict=True.")
                from .._creation import zeros_like
                t = zeros_like(p)
            prim.append(p)
            tang.append(t)
        res = (tree_unflatten(prim, spec_o), tree_unflatten(tang, spec_o))
        if has_aux:
            from ._eager import _aux
            aux = _aux(_undual(aux), False)
    return res + (aux,) if has_aux else res


def _nested_jvp(func: Callable[..., Any], primals: tuple[Any, ...], tangents: Any,
                strict: bool, has_aux: bool) -> Any:
    """``jvp`` inside another forward transform (``jacfwd(jacfwd(f))``, ``jvp(jvp(...))``).
    ``ember.autograd.forward_ad`` has one dual level, as torch's; torch.func nests its own
    levels.  Here the inner product is the exact double-vjp identity ``J t = d/du <J^T u, t>``:
    ``J^T u`` is linear in ``u``, so its vjp at ``u = 0`` with cotangent ``t`` is ``J t``.  Both
    passes are reverse mode, which the outer dual level's tangents flow through."""
    from .._creation import zeros_like
    from ._eager import vjp
    res = vjp(func, *primals, has_aux=has_aux)
    out, vjp_fn = res[0], res[1]
    flat_o, spec_o = tree_flatten(out)
    for o in flat_o:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"{_JVP}: expected f(*args) to return only tensors, got "
                               f"unsupported type {type(o)}")

    def transpose(*us: Any) -> Any:
        return vjp_fn(tree_unflatten(list(us), spec_o))
    _, vjp_t = vjp(transpose, *[zeros_like(o) for o in flat_o])
    tang = list(vjp_t(tuple(tangents)))
    if strict and all(not t.requires_grad and not bool(t.ne(0).any()) for t in tang):
        raise RuntimeError("jvp(f, primals, tangents, strict=True): The output of f is "
                           "independent of the inputs. This is not allowed with strict=True.")
    res_t = (out, tree_unflatten(tang, spec_o))
    return res_t + (res[2],) if has_aux else res_t


def _undual(x: Any) -> Any:
    from ..autograd import forward_ad as fwAD
    flat, spec = tree_flatten(x)
    return tree_unflatten([fwAD.unpack_dual(t).primal if isinstance(t, Tensor) else t
                           for t in flat], spec)


def jacfwd(func: Callable[..., Any], argnums: Any = 0, has_aux: bool = False, *,
           randomness: str = "error") -> Callable[..., Any]:
    """``torch.func.jacfwd``: the Jacobian of ``func`` with respect to ``argnums`` by forward
    mode, as torch computes it: ``vmap`` of ``jvp`` over the standard basis (``func`` runs once
    over a batch of one tangent per input element; ``randomness`` as vmap's)."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")

    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        from .._creation import zeros
        from ..autograd import forward_ad as fwAD
        from ._vmap import vmap
        if fwAD._current_level >= 0:
            # inside another forward transform (jacfwd(jacfwd(f))): one dual level only (see
            # _nested_jvp); the same Jacobian by reverse mode, which the outer tangents
            # flow through (forward-over-reverse)
            return jacrev(func, argnums, has_aux=has_aux)(*args)
        an = _argnums(argnums, len(args))
        nums = (an,) if isinstance(an, int) else an
        ins = [tree_flatten(args[k]) for k in nums]
        flat_in = [x for leaves, _ in ins for x in leaves]
        for i, x in enumerate(flat_in):
            if not isinstance(x, Tensor):
                raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
            if x.dtype.is_complex:
                raise RuntimeError(f"jacfwd: Expected all inputs to be real but received "
                                   f"complex tensor at flattened input idx: {i}")

        def f_of(*diff: Any) -> Any:
            new = list(args)
            k = 0
            for (leaves, spec), n in zip(ins, nums):
                new[n] = tree_unflatten(list(diff[k:k + len(leaves)]), spec)
                k += len(leaves)
            return func(*new)
        numels = [x.numel() for x in flat_in]
        total = sum(numels)
        basis = []
        off = 0
        for x, m in zip(flat_in, numels):
            b = zeros((total, m), dtype=x.dtype)
            for r in range(m):
                b._array[off + r, r] = 1
            basis.append(b.reshape((total,) + tuple(x.shape)))
            off += m

        def push(*tans: Any) -> Any:
            r = jvp(f_of, tuple(flat_in), tuple(tans), has_aux=has_aux)
            return r
        res = vmap(push, randomness=randomness)(*basis)
        value, tang = res[0], res[1]
        flat_val, out_spec = tree_flatten(value)
        flat_tan = tree_flatten(tang)[0]
        jac_out = []
        for o, t in zip(flat_val, flat_tan):
            o0 = o[0]
            t = t.movedim(0, -1)  # (*out, total)
            per_in = []
            start = 0
            for x, m in zip(flat_in, numels):
                per_in.append(t[..., start:start + m].reshape(tuple(o0.shape) + tuple(x.shape)))
                start += m
            k = 0
            per_arg = []
            for leaves, spec in ins:
                per_arg.append(tree_unflatten(per_in[k:k + len(leaves)], spec))
                k += len(leaves)
            jac_out.append(per_arg[0] if isinstance(an, int) else tuple(per_arg))
        jac = tree_unflatten(jac_out, out_spec)
        if has_aux:
            aux = tree_flatten(res[2])
            return jac, tree_unflatten([a[0] for a in aux[0]], aux[1])
        return jac
    return wrapper


def hessian(func: Callable[..., Any], argnums: Any = 0) -> Callable[..., Any]:
    """``torch.func.hessian``: ``jacfwd(jacrev(func, argnums), argnums)`` (forward over
    reverse)."""
    return jacfwd(jacrev(func, argnums), argnums)


def linearize(func: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    """``torch.func.linearize``: ``(func(*primals), jvp_fn)`` where ``jvp_fn(*tangents)`` is the
    Jacobian-vector product at ``primals`` (each call one forward-mode pass)."""
    from .._creation import zeros_like
    flat_p, spec_p = tree_flatten(primals)
    out = func(*primals)
    out = tree_unflatten([o.detach() if isinstance(o, Tensor) else o
                          for o in tree_flatten(out)[0]], tree_flatten(out)[1])
    _ = zeros_like

    def jvp_fn(*tangents: Any) -> Any:
        flat_t, spec_t = tree_flatten(tangents)
        if spec_t != spec_p:
            raise RuntimeError(f"Expected the tangents {spec_t} to have the same argspec as "
                               f"the primals {spec_p}")
        for p, t in zip(flat_p, flat_t):
            if tuple(p.shape) != tuple(t.shape):
                raise RuntimeError(f"Mismatch in shape for tangent: expected "
                                   f"{tuple(p.shape)} but got {tuple(t.shape)}")
        return jvp(func, tuple(primals), tuple(tangents))[1]
    return out, jvp_fn
