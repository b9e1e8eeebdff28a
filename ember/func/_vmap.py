"""``vmap``: torch.func.vmap's API, checks and error texts over ember's batching rules."""
from __future__ import annotations

import functools
from typing import Any, Callable

from .._tensor import Tensor
from ..utils._pytree import tree_flatten, tree_unflatten
from . import _batched as B
from . import _rules  # noqa: F401  (registers the batching rules)

__all__ = ["vmap"]


def _get_name(func: Any) -> str:
    if hasattr(func, "__name__"):
        return func.__name__
    if isinstance(func, functools.partial):
        return f"functools.partial({_get_name(func.func)}, ...)"
    return repr(func)


def _broadcast_to_and_flatten(tree: Any, spec: Any) -> list[Any] | None:
    """``tree`` (a prefix of ``spec``'s structure) broadcast to ``spec``'s leaves; None when it
    is not a prefix (torch's ``_broadcast_to_and_flatten``)."""
    leaves_spec = spec
    if leaves_spec.is_leaf():
        return [tree]
    if not isinstance(tree, (tuple, list, dict)) or _is_leafish(tree):
        return [tree] * leaves_spec.num_leaves
    ctype = leaves_spec.type
    if ctype in (tuple, list) or (isinstance(tree, tuple) and issubclass(ctype, tuple)):
        if not isinstance(tree, (tuple, list)) or len(tree) != len(leaves_spec.children()):
            return None
        if type(tree) is not ctype and not (isinstance(tree, tuple) and
                                             issubclass(ctype, tuple)):
            return None
        out: list[Any] = []
        for sub, cs in zip(tree, leaves_spec.children()):
            r = _broadcast_to_and_flatten(sub, cs)
            if r is None:
                return None
            out.extend(r)
        return out
    if ctype is dict or issubclass(ctype, dict):
        if not isinstance(tree, dict):
            return None
        keys = leaves_spec.context
        if set(tree) != set(keys):
            return None
        out = []
        for k, cs in zip(keys, leaves_spec.children()):
            r = _broadcast_to_and_flatten(tree[k], cs)
            if r is None:
                return None
            out.extend(r)
        return out
    return None


def _is_leafish(x: Any) -> bool:
    return False


def _check_randomness_arg(randomness: str) -> None:
    if randomness not in ["error", "different", "same"]:
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")


def vmap(func: Callable[..., Any], in_dims: Any = 0, out_dims: Any = 0,
         randomness: str = "error", *, chunk_size: int | None = None) -> Callable[..., Any]:
    """Vectorizing map (``torch.func.vmap``): ``vmap(f)(xs)`` is ``f`` applied to every slice of
    ``xs`` along ``in_dims``, the results stacked along ``out_dims``, but computed in one pass:
    each op inside ``f`` runs once over the whole batch through its batching rule.  Nested
    vmaps, ``vmap(grad(f))`` (per-sample gradients) and ``vmap(jacrev(f))`` compose.

    ``in_dims``/``out_dims``: an int, None (not mapped) or a pytree prefix of the inputs /
    outputs.  ``randomness``: 'error' (random ops raise, the default), 'same' (one draw shared
    by every sample, torch's numbers) or 'different' (each sample its own draws: ember then runs
    the samples one at a time, and warns once).
    ``chunk_size``: run that many samples at a time.

    Batching rules (one op call per batch): elementwise math, comparisons and activations;
    reductions, softmax, cumulative ops, sort/topk, argmax (dims shifted); views, reshape,
    expand, permute, squeeze, indexing (basic, advanced, batched index tensors in front),
    gather/scatter, cat/stack/split, pads; matmul/mm/bmm/mv/dot/addmm/einsum (either side
    batched); conv (batched input and/or weights: the batch folded into N or into the
    groups); pooling, upsampling, pixel shuffle, unfold; layer, group and batch norm (no
    running-stat update); scaled_dot_product_attention; embedding; mse/huber/smooth-l1/bce/
    nll/cross-entropy losses; linalg ops on stacks of matrices (inv, det, slogdet, cholesky,
    eigh, eig, svd, qr, pinv, matrix_exp, lu); FFTs.  Ops without a rule run once per sample
    and warn once (torch's text): among them diag/diag_embed/trace, index_add/index_copy/
    index_fill/index_put/put/take, masked_select/masked_scatter, scatter_reduce, median, roll
    without dims, batch norm updating running stats, conv_transpose, fold, grid_sample,
    affine_grid, max_unpool, ctc/multi-margin losses, cdist/pdist/dist, solve/lstsq/
    triangular solves, cross, prelu; ``ember.func._batched.loop_fallback_ops()``
    lists the ones met so far.  In-place ops on a batched tensor write into its batch (views
    of it see the change).  Refused (an error, never one sample's answer for all):
    ``as_strided``, ``.item()``, data-dependent control flow, the ``*_copy`` view functions,
    and any code that reads a batched tensor's NumPy data."""
    _check_randomness_arg(randomness)
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return _vmap_impl(func, in_dims, out_dims, randomness, chunk_size, args, kwargs)
    return wrapped


def _check_out_dims(out_dims: Any, func: Any) -> None:
    if isinstance(out_dims, int):
        return
    leaves, _ = tree_flatten(out_dims)
    for x in leaves:
        if not (isinstance(x, int) or x is None):
            raise ValueError(
                f"vmap({_get_name(func)}, ..., out_dims={out_dims}): `out_dims` must be an int, "
                f"None or a python collection of ints representing where in the outputs the "
                f"vmapped dimension should appear.")


def _process_inputs(in_dims: Any, args: tuple[Any, ...], func: Any) -> Any:
    if not isinstance(in_dims, int) and not isinstance(in_dims, tuple):
        raise ValueError(
            f"vmap({_get_name(func)}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to "
            f"be int or a (potentially nested) tuple matching the structure of inputs, got: "
            f"{type(in_dims)}.")
    if len(args) == 0:
        raise ValueError(
            f"vmap({_get_name(func)})(<inputs>): got no inputs. Maybe you forgot to add inputs, "
            f"or you are trying to vmap over a function with no inputs. The latter is "
            f"unsupported.")
    flat_args, spec = tree_flatten(args)
    flat_in = _broadcast_to_and_flatten(in_dims, spec)
    if flat_in is None:
        raise ValueError(
            f"vmap({_get_name(func)}, in_dims={in_dims}, ...)(<inputs>): in_dims is not "
            f"compatible with the structure of `inputs`. in_dims has structure "
            f"{tree_flatten(in_dims)[1]} but inputs has structure {spec}.")
    for i, (arg, d) in enumerate(zip(flat_args, flat_in)):
        if not isinstance(d, int) and d is not None:
            raise ValueError(
                f"vmap({_get_name(func)}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} "
                f"for an input but in_dim must be either an integer dimension or None.")
        if isinstance(d, int) and not isinstance(arg, Tensor):
            raise ValueError(
                f"vmap({_get_name(func)}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} "
                f"for an input but the input is of type {type(arg)}. We cannot vmap over "
                f"non-Tensor arguments, please use None as the respective in_dim")
        if d is not None and (d < -arg.dim() or d >= arg.dim()):
            raise ValueError(
                f"vmap({_get_name(func)}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} "
                f"for some input, but that input is a Tensor of dimensionality {arg.dim()} so "
                f"expected in_dim to satisfy -{arg.dim()} <= in_dim < {arg.dim()}.")
        if d is not None and d < 0:
            flat_in[i] = d % arg.dim()
    sizes = [a.size(d) for d, a in zip(flat_in, flat_args) if d is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")
    return sizes[0], flat_in, flat_args, spec


def _vmap_impl(func: Any, in_dims: Any, out_dims: Any, randomness: str,
               chunk_size: int | None, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    _check_out_dims(out_dims, func)
    size, flat_in, flat_args, spec = _process_inputs(in_dims, args, func)
    if randomness == "different":
        # each sample draws its own numbers: ember runs the samples one at a time (a chunk of
        # one sample is one draw per sample), and says so once
        if "randomness='different'" not in B._WARNED:
            B._WARNED.add("randomness='different'")
            import warnings
            warnings.warn("There is a performance drop because we have not yet implemented the "
                          "batching rule for randomness='different'. Please file us an issue on "
                          "GitHub so that we can prioritize its implementation.", UserWarning,
                          stacklevel=3)
        chunk_size, randomness = 1, "same"
    if chunk_size is not None and chunk_size < size:
        from .._ops.shape import cat
        bounds = list(range(0, size, chunk_size)) + [size]
        outs = []
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            chunk = [a if d is None else a.narrow(d, lo, hi - lo)
                     for a, d in zip(flat_args, flat_in)]
            outs.append(_flat_vmap(func, hi - lo, flat_in, chunk, spec, out_dims, randomness,
                                   kwargs))
        flats = [tree_flatten(o)[0] for o in outs]
        out_spec = tree_flatten(outs[0])[1]
        flat_out = _flat_out_dims(outs[0], out_dims, func)
        res = []
        for k, d in enumerate(flat_out):
            res.append(flats[0][k] if d is None else cat([f[k] for f in flats], d))
        return tree_unflatten(res, out_spec)
    return _flat_vmap(func, size, flat_in, flat_args, spec, out_dims, randomness, kwargs)


def _flat_out_dims(outputs: Any, out_dims: Any, func: Any) -> list[Any]:
    flat, ospec = tree_flatten(outputs)

    def incompatible() -> Any:
        raise ValueError(
            f"vmap({_get_name(func)}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
            f"compatible with the structure of `outputs`. out_dims has structure "
            f"{tree_flatten(out_dims)[1]} but outputs has structure {ospec}.")
    if isinstance(outputs, Tensor):
        if isinstance(out_dims, int) or out_dims is None:
            return [out_dims]
        if isinstance(out_dims, tuple) and len(out_dims) == 1:
            return list(out_dims)
        return incompatible()
    r = _broadcast_to_and_flatten(out_dims, ospec)
    if r is None:
        return incompatible()
    return r


def _flat_vmap(func: Any, size: int, flat_in: list[Any], flat_args: list[Any], spec: Any,
               out_dims: Any, randomness: str, kwargs: dict[str, Any]) -> Any:
    lv = B.push_level(size, randomness)
    try:
        batched = [a if d is None else B.wrap(a.movedim(d, 0), lv)
                   for a, d in zip(flat_args, flat_in)]
        out = func(*tree_unflatten(batched, spec), **kwargs)
        flat_out, ospec = tree_flatten(out)
        flat_dims = _flat_out_dims(out, out_dims, func)
        name = _get_name(func)
        res = []
        for o, d in zip(flat_out, flat_dims):
            if d is None:
                if isinstance(o, Tensor) and B.level_of(o) == lv:
                    raise ValueError(f"vmap({name}, ...): `{name}` can not return a "
                                     f"BatchedTensor when out_dim is None")
                res.append(o)
                continue
            if isinstance(o, Tensor) and o.__class__ is not B.BatchedTensor and \
                    o._array.__class__ is B._StandIn:
                B._tainted()
            if not isinstance(o, Tensor):
                raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got "
                                 f"type {type(o)}. Did you mean to set out_dims= to None for "
                                 f"output?")
            p = B.physical(o, lv)
            n = p.dim()
            res.append(p.movedim(0, d % n if n else 0) if d != 0 else p)
        return tree_unflatten(res, ospec)
    finally:
        B.pop_level(lv)
