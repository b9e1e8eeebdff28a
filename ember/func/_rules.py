"""The batching rules of ``vmap`` (see ``_batched``): one per op family.

Each rule gets ``(cls, args, kwargs, cast, level)``: the op and its arguments as its public
function passed them (checked against the logical shapes), and the batching level to remove.
It runs the op once on the physical values (batch dimension in front) and wraps the result.
Ops with no rule here run the per-sample fallback (``_batched._loop``), which warns once.
"""
from __future__ import annotations

import string
from typing import Any

from .._backend import xp
from .._tensor import Tensor, _make
from . import _batched as B
from ._batched import BatchedTensor, _StandIn, _apply, _loop, _RULES, _SIZE, wrap

__all__: list[str] = []


def _is_b(a: Any, level: int) -> bool:
    return a.__class__ is BatchedTensor and a._blevel == level


def _others_batched(args: Any, level: int) -> bool:
    """Whether an argument after the first is batched (a batched tensor, or the data of one
    passed as an array)."""
    for x in args[1:]:
        if _is_b(x, level) or x.__class__ is _StandIn:
            return True
        if x.__class__ is tuple and any(y.__class__ is _StandIn for y in x):
            return True
    return False


def _pad(v: Tensor, k: int) -> Tensor:
    """Physical ``v`` with ``k`` size-1 logical dimensions inserted after the batch dimension."""
    for _ in range(k):
        v = v.unsqueeze(1)
    return v


def _ndim(a: Any) -> int:
    return a.dim() if isinstance(a, Tensor) else xp.ndim(a)


# ---------------------------------------------------------------- elementwise

def elementwise(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    """Tensors broadcast together: line each batched one up (its batch dimension in front of
    the broadcast logical rank), leave unbatched ones (they broadcast from the right)."""
    r = 0
    for a in args:
        if isinstance(a, Tensor) or a.__class__ is _StandIn:
            n = a.ndim
            if n > r:
                r = n
    new = []
    for a in args:
        if _is_b(a, level):
            new.append(_pad(a._bvalue, r - a.dim()))
        elif a.__class__ is _StandIn:  # a batched tensor's data passed as an array (a mask)
            p = _standin_phys(a, level)
            if p is False:
                return _loop(cls, args, kwargs, cast, level)
            new.append(a if p is None else
                       p.reshape(p.shape[:1] + (1,) * (r - a.ndim) + p.shape[1:]))
        else:
            new.append(a)
    return B._wrap_out(_apply(cls, new, kwargs, cast), level)


# ---------------------------------------------------------------- dimension arguments

def _shift(d: Any, n: int) -> Any:
    if d is None:
        return tuple(range(1, n + 1))
    if isinstance(d, (tuple, list)):
        return tuple(x % n + 1 if n else 1 for x in d)
    return d % n + 1 if n else 1


def dims(*where: Any, extra: int = 0, none_all: bool = True) -> Any:
    """A rule for ops whose tensor is argument 0 and whose dimension arguments sit at the
    positions (or keyword names) ``where``; ``extra``: the op's output has that many more
    dimensions than its input (the dims refer to the output: unsqueeze, stack)."""

    def rule(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
        a = args[0]
        if not _is_b(a, level) or _others_batched(args, level):
            return _loop(cls, args, kwargs, cast, level)
        if a.dim() + extra == 0:  # a 0-d sample: only "no dimension" (an empty tuple) batches
            vals = [kwargs.get(w) if isinstance(w, str) else
                    (args[w] if w < len(args) else ()) for w in where]
            if all(isinstance(v, tuple) and not v for v in vals):
                return B._wrap_out(_apply(cls, [a._bvalue] + list(args[1:]), kwargs, cast),
                                   level)
            return _loop(cls, args, kwargs, cast, level)
        n = a.dim() + extra
        new = list(args)
        new[0] = a._bvalue
        kw = dict(kwargs)
        for w in where:
            if isinstance(w, str):
                if w in kw:
                    if kw[w] is None and not none_all:
                        return _loop(cls, args, kwargs, cast, level)
                    kw[w] = _shift(kw[w], n)
            elif w < len(new):
                if new[w] is None and not none_all:
                    return _loop(cls, args, kwargs, cast, level)
                new[w] = _shift(new[w], n)
        return B._wrap_out(_apply(cls, new, kw, cast), level)
    return rule


def unary(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    """Ops on the trailing dimensions of one tensor (or elementwise with only constants
    beside it): the batch dimension in front changes nothing."""
    if _others_batched(args, level):
        return _loop(cls, args, kwargs, cast, level)
    return B._wrap_out(_apply(cls, [args[0]._bvalue] + list(args[1:]), kwargs, cast), level)


def with_shape(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    """view/reshape/expand: the target shape gains the batch size in front."""
    a, shape = args[0], tuple(args[1])
    v = a._bvalue
    n = _SIZE[level]
    if cls.__name__ == "Expand":
        v = _pad(v, len(shape) - a.dim())
        return wrap(_apply(cls, [v, (n,) + shape] + list(args[2:]), kwargs, cast), level)
    return wrap(v.reshape((n,) + shape), level)


def repeat(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    a, reps = args[0], tuple(args[1])
    v = _pad(a._bvalue, len(reps) - a.dim())
    return wrap(_apply(cls, [v, (1,) + reps] + list(args[2:]), kwargs, cast), level)


def pad(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    """Pads (one (lo, hi) pair per leading dimension): the batch dimension gets (0, 0)."""
    if _others_batched(args, level):
        return _loop(cls, args, kwargs, cast, level)
    a, pairs = args[0], tuple(args[1])
    return wrap(_apply(cls, [a._bvalue, ((0, 0),) + pairs] + list(args[2:]), kwargs, cast),
                level)


def permute(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    a, perm = args[0], args[1]
    n = a.dim()
    return wrap(_apply(cls, [a._bvalue, (0,) + tuple(p % n + 1 for p in perm)], kwargs, cast),
                level)


def t_rule(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    a = args[0]
    if a.dim() < 2:
        return wrap(a._bvalue.view(a._bvalue.shape), level)
    return wrap(a._bvalue.transpose(1, 2), level)


def basic_index(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    a, idx = args[0], args[1]
    if not _is_b(a, level):
        return _loop(cls, args, kwargs, cast, level)
    idx = idx if isinstance(idx, tuple) else (idx,)
    return wrap(_apply(cls, [a._bvalue, (slice(None),) + idx] + list(args[2:]), kwargs, cast),
                level)


def _standin_phys(x: Any, level: int) -> Any:
    """The physical array of a stand-in of a BatchedTensor of ``level`` (None: not one)."""
    if x.__class__ is _StandIn:
        bt = x._bt()
        if bt._blevel == level:
            v = bt._bvalue
            if v.__class__ is BatchedTensor:
                return False
            return v._array
    return None


def index(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    """Advanced indexing: a batch slice in front; batched index arrays get a batch index."""
    a, idx = args[0], args[1]
    idx = idx if isinstance(idx, tuple) else (idx,)
    phys = [_standin_phys(x, level) for x in idx]
    if any(p is False for p in phys):
        return _loop(cls, args, kwargs, cast, level)
    adv = [k for k, x in enumerate(idx) if not isinstance(x, slice) and x is not None
           and x is not Ellipsis]
    adjacent = bool(adv) and adv == list(range(adv[0], adv[-1] + 1))
    n = _SIZE[level]
    if all(p is None for p in phys):
        if not _is_b(a, level):
            return _loop(cls, args, kwargs, cast, level)
        out = _apply(cls, [a._bvalue, (slice(None),) + idx] + list(args[2:]), kwargs, cast)
        if adv and not adjacent:
            k = max(xp.ndim(idx[j]) for j in adv)
            out = out.movedim(k, 0)
        return wrap(out, level)
    if adjacent and adv[0] != 0:
        return _loop(cls, args, kwargs, cast, level)
    k = max((p.ndim - 1 if p is not None else xp.ndim(idx[j])) for j, p in
            zip(range(len(idx)), phys) if j in adv)
    new = []
    for x, p in zip(idx, phys):
        if p is not None:
            new.append(p.reshape((n,) + (1,) * (k - (p.ndim - 1)) + p.shape[1:]))
        else:
            new.append(x)
    bidx = xp.arange(n).reshape((n,) + (1,) * k)
    av = B.physical(a, level)
    return wrap(_apply(cls, [av, (bidx,) + tuple(new)] + list(args[2:]), kwargs, cast), level)


def gather(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    """gather/scatter-style (a, axis, idx[, src]): batch everything, shift the axis."""
    a, axis = args[0], args[1]
    n = a.dim()
    if n == 0:
        return _loop(cls, args, kwargs, cast, level)
    av = B.physical(a, level)
    rest: list[Any] = []
    nb = _SIZE[level]
    for x in args[2:]:
        if isinstance(x, Tensor):
            rest.append(B.physical(x, level))
        elif getattr(x, "ndim", 0):
            p = _standin_phys(x, level)
            if p is False:
                return _loop(cls, args, kwargs, cast, level)
            rest.append(p if p is not None else xp.broadcast_to(x, (nb,) + x.shape))
        else:
            rest.append(x)
    return wrap(_apply(cls, [av, axis % n + 1] + rest, kwargs, cast), level)


def cat_stack(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    axis, ts = args[0], args[1:]
    extra = 1 if cls.__name__ == "Stack" else 0
    ref = next(t for t in ts if _is_b(t, level))
    n = ref.dim() + extra
    new = []
    for t in ts:
        if not extra and t.dim() == 1 and t.shape[0] == 0 and n != 1:
            continue  # torch's legacy empty 1-D operands of cat
        new.append(B.physical(t, level))
    return wrap(_apply(cls, [axis % n + 1] + new, kwargs, cast), level)


# ---------------------------------------------------------------- matmul family

def _matmul(a: Any, b: Any, level: int) -> Tensor:
    """Logical ``a @ b`` for a and/or b batched at ``level`` (result physical)."""
    from .._ops.linalg import Matmul
    na, nb = a.dim(), b.dim()
    va = a._bvalue if _is_b(a, level) else a
    vb = b._bvalue if _is_b(b, level) else b
    ba, bb = _is_b(a, level), _is_b(b, level)
    if ba and not bb and nb <= 2 and na <= 2:
        # a batch of vectors/matrices times one matrix (a linear layer under vmap): the batch
        # folds into the rows of one product, as torch's rule does, so each row is computed as
        # the unbatched product computes it (the same bits, not a stack of small products)
        rows = va.reshape(-1, va.shape[-1])
        out = _apply(Matmul, [rows, vb], {}, None)
        shape = tuple(va.shape[:-1]) + ((vb.shape[-1],) if nb == 2 else ())
        return out.reshape(shape)
    # vectors become matrices (a row / a column), squeezed after
    if na == 1:
        va = va.unsqueeze(-2)
    if nb == 1:
        vb = vb.unsqueeze(-1)
    ra, rb = max(na, 2), max(nb, 2)
    r = max(ra, rb)
    if ba:
        va = _pad(va, r - ra)
    if bb:
        vb = _pad(vb, r - rb)
    if not ba:  # unbatched: line up so the batch dimension of the other broadcasts
        va = va.reshape((1,) * (r + 1 - va.dim()) + tuple(va.shape))
    if not bb:
        vb = vb.reshape((1,) * (r + 1 - vb.dim()) + tuple(vb.shape))
    out = _apply(Matmul, [va, vb], {}, None)
    if nb == 1:
        out = out.squeeze(-1)
    if na == 1:
        out = out.squeeze(-1 if nb == 1 else -2)
    return out


def matmul(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    a, b = args[0], args[1]
    if cast is not None:
        a, b = a.to(_dt(cast)), b.to(_dt(cast))
    return wrap(_matmul(a, b, level), level)


def _dt(npdt: Any) -> Any:
    from .. import _dtype as D
    return D.from_numpy_dtype(xp.dtype(npdt))


def addmm(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    """addmm/addmv/baddbmm/addbmm/addr: beta * c + alpha * (a @ b), on logical tensors."""
    c, a, b, beta, alpha = args[:5]
    name = cls.__name__
    if name == "Addr":
        prod = a.unsqueeze(-1) * b.unsqueeze(-2)
    else:
        prod = wrap(_matmul(a, b, level), level) if (_is_b(a, level) or _is_b(b, level)) \
            else a.matmul(b)
        if name == "Addbmm":
            prod = prod.sum(0)
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:
        out = prod + c * 0 if not isinstance(c, Tensor) else prod + 0 * c.detach().nan_to_num()
        return out if out.__class__ is BatchedTensor else wrap(B.physical(out, level), level)
    out = (c if beta == 1 else c * beta) + prod
    return out if out.__class__ is BatchedTensor else wrap(B.physical(out, level), level)


def mm_like(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    """mm/mv/dot/bmm: the matmul rule."""
    return matmul(cls, args, kwargs, cast, level)


def einsum(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    terms, rhs, ops = args[0], args[1], args[2:]
    used = set("".join(terms) + rhs)
    letter = next(c for c in string.ascii_letters if c not in used)
    nt, new = [], []
    for t, o in zip(terms, ops):
        if _is_b(o, level):
            nt.append(letter + t)
            new.append(o._bvalue)
        else:
            nt.append(t)
            new.append(o)
    return wrap(_apply(cls, [nt, letter + rhs] + new, kwargs, cast), level)


# ---------------------------------------------------------------- nn

def conv(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    """conv with batched input (the batch folded into N) and/or batched weight (the batch
    folded into the groups, as functorch does); a batched bias is added afterwards."""
    x, w, b = args[0], args[1], args[2]
    stride, pads, dil, groups = args[3:7]
    nb = _SIZE[level]
    wb = _is_b(w, level)
    bb = isinstance(b, Tensor) and _is_b(b, level)
    bias = None if bb else b
    unbatched_in = x.dim() == w.dim() - 1  # (C, *spatial): the op saw a batch of one
    if not wb:
        xv = x._bvalue
        if unbatched_in:
            out = _apply(cls, [xv, w, bias, stride, pads, dil, groups], kwargs, cast)
        else:
            sh = tuple(xv.shape)
            out = _apply(cls, [xv.reshape((sh[0] * sh[1],) + sh[2:]), w, bias, stride, pads,
                               dil, groups], kwargs, cast)
            out = out.reshape((sh[0], sh[1]) + tuple(out.shape[1:]))
        res = wrap(out, level)
    else:
        xv = B.physical(x, level)
        if unbatched_in:
            xv = xv.unsqueeze(1)
        sh = tuple(xv.shape)  # (B, N, C, *spatial)
        x2 = xv.movedim(0, 1).reshape((sh[1], nb * sh[2]) + sh[3:])
        wv = w._bvalue
        ws = tuple(wv.shape)
        w2 = wv.reshape((nb * ws[1],) + ws[2:])
        b2 = None
        if bias is not None:
            b2 = bias.unsqueeze(0).expand(nb, bias.shape[0]).reshape(nb * bias.shape[0])
        out = _apply(cls, [x2, w2, b2, stride, pads, dil, groups * nb], kwargs, cast)
        os = tuple(out.shape)
        out = out.reshape((os[0], nb, ws[1]) + os[2:]).movedim(1, 0)
        if unbatched_in:
            out = out.squeeze(1)
        res = wrap(out, level)
    if bb:
        k = res.dim() - (1 if unbatched_in else 2)
        res = res + b.reshape(tuple(b.shape) + (1,) * k)
    return res


def fold(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    """Ops that treat the leading dimension of their one tensor independently (pooling,
    upsampling, im2col, pixel shuffle): the batch folds into it."""
    a = args[0]
    if _others_batched(args, level) or a.dim() == 0:
        return _loop(cls, args, kwargs, cast, level)
    v = a._bvalue
    sh = tuple(v.shape)
    out = _apply(cls, [v.reshape((sh[0] * sh[1],) + sh[2:])] + list(args[1:]), kwargs, cast)

    def back(o: Tensor) -> Tensor:
        return wrap(o.reshape((sh[0], sh[1]) + tuple(o.shape[1:])), level)
    return tuple(back(o) for o in out) if isinstance(out, tuple) else back(out)


def layer_norm(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    """layer norm (statistics over trailing axes): the axes shifted; a batched weight or bias
    (per-sample gradients) is applied after, on the logical tensors."""
    x, w, b, axes, aff, view, eps = args[:7]
    stats = args[7] if len(args) > 7 else kwargs.get("stats")
    update = args[8] if len(args) > 8 else kwargs.get("update")
    if view is not None or update is not None or \
            _others_batched((None, stats) + tuple(kwargs.values()), level):
        return _loop(cls, args, kwargs, cast, level)
    kwargs = dict(kwargs)
    kwargs["stats"] = stats
    wb = isinstance(w, Tensor) and _is_b(w, level)
    bb = isinstance(b, Tensor) and _is_b(b, level)
    if _is_b(x, level):
        ax = tuple(a % x.dim() + 1 for a in axes)
        if not wb and not bb:
            return wrap(_apply(cls, [x._bvalue, w, b, ax, aff, None, eps], kwargs, cast), level)
        out = wrap(_apply(cls, [x._bvalue, None, None, ax, aff, None, eps], kwargs, cast), level)
    else:
        out = _apply(cls, [x, None, None, axes, aff, None, eps], kwargs, cast)
    if w is not None:
        out = out * w.reshape(aff)
    if b is not None:
        out = out + b.reshape(aff)
    return out


def group_norm(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    """group norm (statistics per sample and group, over a (N, G, C/G, rest) view): the batch
    folds into N; a batched weight or bias is applied after, on the logical tensors."""
    x, w, b, axes, aff, view, eps = args[:7]
    if len(args) > 7 or view is None or _others_batched((None,) + tuple(kwargs.values()),
                                                        level):
        return _loop(cls, args, kwargs, cast, level)
    wb = isinstance(w, Tensor) and _is_b(w, level)
    bb = isinstance(b, Tensor) and _is_b(b, level)
    w_, b_ = (None if wb or bb else w), (None if wb or bb else b)
    if _is_b(x, level):
        v = x._bvalue
        sh = tuple(v.shape)
        nb = sh[0]
        out = _apply(cls, [v.reshape((nb * sh[1],) + sh[2:]), w_, b_, axes, aff,
                           (view[0] * nb,) + tuple(view[1:]), eps], kwargs, cast)
        out = wrap(out.reshape(sh), level)
    else:
        out = _apply(cls, [x, w_, b_, axes, aff, view, eps], kwargs, cast)
    if wb or bb:
        k = x.dim() - 2
        if w is not None:
            out = out * w.reshape(tuple(w.shape) + (1,) * k)
        if b is not None:
            out = out + b.reshape(tuple(b.shape) + (1,) * k)
    return out


def attention(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    """scaled-dot-product attention (any leading dims): q, k, v with the batch in front."""
    q, k, v, mask = args[:4]
    if mask.__class__ is _StandIn or _is_b(mask, level):
        return _loop(cls, args, kwargs, cast, level)
    r = max(q.dim(), k.dim(), v.dim())
    new = [_pad(B.physical(t, level), r - t.dim()) for t in (q, k, v)]
    return wrap(_apply(cls, new + [mask] + list(args[4:]), kwargs, cast), level)


def embedding(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    w, idx = args[0], args[1]
    rest = list(args[2:])
    p = _standin_phys(idx, level) if not isinstance(idx, Tensor) else None
    if p is False or isinstance(idx, Tensor):
        return _loop(cls, args, kwargs, cast, level)
    nb = _SIZE[level]
    if not _is_b(w, level):
        return wrap(_apply(cls, [w, p] + rest, kwargs, cast), level)
    ip = p if p is not None else xp.broadcast_to(idx, (nb,) + xp.shape(idx))
    wv = w._bvalue
    v = wv.shape[1]
    flat = wv.reshape((nb * v,) + tuple(wv.shape[2:]))
    off = (xp.arange(nb) * v).reshape((nb,) + (1,) * (ip.ndim - 1))
    if rest and rest[0] is not None:
        return _loop(cls, args, kwargs, cast, level)  # padding_idx: per-sample offsets
    return wrap(_apply(cls, [flat, ip + off] + rest, kwargs, cast), level)


def _reduce_loss(out: Tensor, reduction: str, n_logical: int) -> Tensor:
    """A physical 'none' loss reduced per sample."""
    if reduction == "none" or n_logical == 0:
        return out
    flat = out.reshape((out.shape[0], -1))
    return flat.mean(1) if reduction == "mean" else flat.sum(1)


def pointwise_loss(red: Any) -> Any:
    """Losses that are elementwise then reduced (mse, huber, smooth_l1, bce...): the 'none'
    form by the elementwise rule, then the mean/sum over each sample."""

    def rule(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
        new = list(args)
        kw = dict(kwargs)
        if isinstance(red, str):
            reduction = kw[red]
            kw[red] = "none"
        else:
            reduction = new[red]
            new[red] = "none"
        n = max(a.dim() for a in args if isinstance(a, Tensor))
        out = elementwise(cls, new, kw, cast, level)
        return wrap(_reduce_loss(out._bvalue, reduction, n), level)
    return rule


def nll(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    """nll_loss (class axis 1; target and weight as keywords): the 'none' form on the batch
    folded into N, then each sample's sum (or weighted mean)."""
    x = args[0]
    t = kwargs["t"]
    w = kwargs.get("w")
    ii = kwargs["ignore_index"]
    reduction = kwargs["reduction"]
    if len(args) != 1 or x.dim() > 2 or (w is not None and w.__class__ is _StandIn):
        return _loop(cls, args, kwargs, cast, level)
    nb = _SIZE[level]
    tp = _standin_phys(t, level)
    if tp is False:
        return _loop(cls, args, kwargs, cast, level)
    if tp is None:
        tp = xp.broadcast_to(t, (nb,) + xp.shape(t))
    xv = B.physical(x, level)
    if x.dim() == 2:
        sh = tuple(xv.shape)
        xf = xv.reshape((sh[0] * sh[1], sh[2]))
    else:
        xf = xv
    tf = xp.ascontiguousarray(tp).reshape(-1)
    kw = dict(kwargs)
    kw["t"], kw["reduction"] = tf, "none"
    out = _apply(cls, [xf], kw, cast).reshape(tp.shape)
    if reduction == "none":
        return wrap(out, level)
    if out.dim() == 1:
        out = out.unsqueeze(1)
    if reduction == "sum":
        return wrap(out.sum(1), level)
    keep = (tp != ii)
    tc = xp.where(keep, tp, 0)
    wt = keep.astype(xf._array.dtype) if w is None else w[tc] * keep
    wt = wt.reshape(out.shape)
    den = _make(xp.asarray(wt.sum(1), dtype=xf._array.dtype), False, None, 0, None)
    return wrap(out.sum(1) / den, level)


def prod_all(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    """prod over every dimension (axis None): each sample flattened, then a prod over it."""
    a, axis, keepdim = args[0], args[1], args[2]
    if axis is not None or not _is_b(a, level):
        return dims(1)(cls, args, kwargs, cast, level)
    nb, n = _SIZE[level], a.dim()
    out = _apply(cls, [a._bvalue.reshape((nb, -1)), 1, False], kwargs, cast)
    return wrap(out.reshape((nb,) + (1,) * n) if keepdim else out, level)


def _no_as_strided(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    raise RuntimeError("vmap: ember cannot batch as_strided (its sizes and strides address the "
                       "whole storage, not one sample); use view/reshape/unfold instead")


def argreduce(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    """argmax/argmin/any/all/count_nonzero (the pseudo-op ("argreduce", fn): fn(input, dim
    [, keepdim])): the dims shifted; dim=None flattens each sample."""
    fn = cls[1]
    a = args[0]
    dim = args[1] if len(args) > 1 else kwargs.get("dim")
    rest = list(args[2:])
    if "keepdim" in kwargs:
        rest = [kwargs["keepdim"]]
    n = a.dim()
    if not _is_b(a, level) or _others_batched(args, level) or n == 0:
        return _loop(cls, args, kwargs, cast, level)
    v = a._bvalue
    nb = _SIZE[level]
    if dim is None:
        r = fn(v.reshape((nb, -1)), 1, *rest)
        if rest and rest[0]:
            r = r.reshape((nb,) + (1,) * n)
    else:
        r = fn(v, _shift(dim, n), *rest)
    return wrap(r, level)


def getitem(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    """``t[idx]`` with a batched index tensor (the pseudo-op ("getitem", _getitem)): a batch
    index array in front of the index arrays when they lead the index (the result's leading
    dimensions are then the batch and the broadcast index shape, as torch's); otherwise the
    per-sample fallback."""
    fn = cls[1]
    t, idx = args
    items = idx if isinstance(idx, tuple) else (idx,)
    phys = []
    for x in items:
        if _is_b(x, level):
            if x._bvalue.__class__ is BatchedTensor or x.dtype.is_floating_point or \
                    x.dtype == _bool_dtype():
                return _loop(cls, args, kwargs, cast, level)
            phys.append(x._bvalue._array)
        else:
            phys.append(None)
    if all(p is None for p in phys):  # only t is batched: the ordinary path, its ops' rules
        return fn(t, idx)
    arrays = [k for k, x in enumerate(items) if isinstance(x, (Tensor, list, xp.ndarray))]
    if arrays != list(range(len(arrays))):
        return _loop(cls, args, kwargs, cast, level)
    nb = _SIZE[level]
    k = max((p.ndim - 1) if p is not None else xp.ndim(_arr(items[j]))
            for j, p in enumerate(phys) if j in arrays)
    new: list[Any] = [xp.arange(nb).reshape((nb,) + (1,) * k)]
    for x, p in zip(items, phys):
        if p is not None:
            new.append(p.reshape((nb,) + (1,) * (k - (p.ndim - 1)) + p.shape[1:]))
        else:
            new.append(_arr(x) if isinstance(x, (Tensor, list)) else x)
    return wrap(fn(B.physical(t, level), tuple(new)), level)


def _check_rule(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    """``wrap(array)`` of a batched tensor's stand-in: that tensor, detached."""
    a = args[0]
    bt = a._bt() if a.__class__ is _StandIn and a._bt is not None else None
    if bt is None or bt._blevel != level:
        B._tainted()
    return bt.detach()


def _arr(x: Any) -> Any:
    return x._array if isinstance(x, Tensor) else xp.asarray(x)


def _bool_dtype() -> Any:
    from .. import _dtype as D
    return D.bool


# ---------------------------------------------------------------- registration

def _register() -> None:
    import importlib

    from ..autograd.function import Op
    for m in ("pointwise", "special", "activation", "clamp", "complex", "reduction", "shape",
              "indexing", "linalg", "loss", "conv", "pool", "norm", "upsample", "attention",
              "statistics", "construct", "pad", "inplace"):
        importlib.import_module(f"ember._ops.{m}")
    seen: set[Any] = set()
    stack: list[Any] = [Op]
    while stack:
        c = stack.pop()
        for s in c.__subclasses__():
            if s not in seen:
                seen.add(s)
                stack.append(s)
    by_name: dict[str, list[Any]] = {}
    for c in seen:
        by_name.setdefault(c.__name__, []).append(c)

    def reg(names: str, rule: Any) -> None:
        for nm in names.split():
            for c in by_name.get(nm, ()):
                _RULES[c] = rule

    _register_core(seen, by_name, reg)
    _register_nn(by_name, reg)


def _register_core(seen: set[Any], by_name: dict[str, list[Any]], reg: Any) -> None:
    # elementwise: every op of the pointwise/special/clamp modules, the activations (not glu,
    # prelu), complex parts
    for c in seen:
        mod = c.__module__.rsplit(".", 1)[-1]
        if mod in ("pointwise", "special", "clamp") and not c.multi_output:
            _RULES[c] = elementwise
    reg("Celu Elu Gelu Hardshrink Hardsigmoid Hardswish Hardtanh LeakyRelu LogSigmoid Mish "
        "Silu Softshrink Threshold _CeluInplace _EluInplace _LeakyReluInplace "
        "_ThresholdInplace Angle Complex Conj ConjPhysical Polar Real DropoutOp MulScalar "
        "_AddScalar _DivScalar _SubScalar _MulScalar _FillNan _Xlogy Frexp", elementwise)
    reg("ViewAsComplex ViewAsReal ToComplex ToRealPairs Tril Triu Clone", unary)
    reg("Sum SumAll Mean MeanAll Nansum Logsumexp AmaxAll AminAll MaxAll MinAll Var Std", dims(1))
    reg("Prod", dims(1, none_all=False))
    reg("ProdAll", prod_all)
    reg("Norm _NormDim _NormAll", dims(2))
    reg("Softmax LogSoftmax SafeSoftmax _LogSoftmaxCE Cumsum Cumprod Cummax Cummin "
        "Logcumsumexp MaxDim MinDim MedianDim KthvalueDim ModeDim NanmedianDim SortOp TopkOp "
        "Glu Flip Squeeze SqueezeDim SqueezeDims Unbind SqueezeInplaceDim",
        dims(1, "axis", none_all=False))
    reg("Split SplitEq", dims(2))
    reg("Transpose", dims(1, 2))
    reg("Diagonal", dims(2, 3))
    reg("DiagEmbed", dims(2, 3, extra=1))
    reg("Unsqueeze", dims(1, extra=1))
    reg("Renorm", dims(2))
    reg("Rot90", dims(2))
    reg("Unfold", dims(1))
    reg("View ReshapeAlias UnsafeView Alias0d Alias Expand", with_shape)
    reg("Permute", permute)
    reg("Repeat", repeat)
    reg("Roll", dims(2, none_all=False))
    reg("IndexSelect", dims(1))
    reg("ConstantPadNd ReflectionPad1D ReflectionPad2D ReflectionPad3D ReplicationPad1D "
        "ReplicationPad2D ReplicationPad3D CircularPad1D CircularPad2D CircularPad3D", pad)
    reg("T", t_rule)
    reg("Select Slice BasicIndexAlias BasicIndexUnsqueeze", basic_index)
    reg("Index", index)
    reg("Gather ScatterAdd Scatter ScatterValue", gather)
    reg("Cat Stack", cat_stack)
    reg("Matmul Mm Mv Dot Bmm", matmul)
    reg("Addmm Addmv Baddbmm Addbmm Addr", addmm)
    reg("Einsum", einsum)


def _register_nn(by_name: dict[str, list[Any]], reg: Any) -> None:
    for c in by_name.get("Conv", ()):
        _RULES[c] = conv
    reg("MaxPool MaxPool3D AvgPool AvgPool3D MaxPoolTiled AvgPoolDepth "
        "AdaptiveAvgPoolDivisible AdaptiveMaxPool AdaptiveMaxPool3D PixelShuffle "
        "PixelUnshuffle ChannelShuffle AdaptiveAvgPool2D AdaptiveAvgPool3D Resample "
        "UpsampleNearest1D UpsampleNearest2D UpsampleNearest3D UpsampleLinear1D "
        "UpsampleBilinear2D UpsampleBicubic2D UpsampleTrilinear3D", fold)
    for c in by_name.get("Unfold", ()):
        if c.__module__.endswith("conv"):
            _RULES[c] = fold
    reg("EmbeddingOp", embedding)
    reg("FlashAttention", attention)
    reg("GroupNormOp", group_norm)
    reg("LayerNormOp BatchNormOp", layer_norm)
    reg("Inv DetSafe Slogdet Cholesky Eigh Eigvalsh Eig Svd Qr Pinv MatrixExp LuFactor Lu",
        unary)
    reg("FftC2C FftR2C FftC2R", dims(1))
    reg("MseLoss HuberLoss SmoothL1Loss _HuberLossMixed", pointwise_loss(2))
    reg("BinaryCrossEntropy", pointwise_loss(3))
    reg("SoftMarginLoss", pointwise_loss(2))
    reg("BinaryCrossEntropyWithLogits", pointwise_loss(4))
    reg("NllLoss", nll)
    _RULES["compare"] = elementwise
    _RULES["elementwise"] = elementwise
    _RULES["argreduce"] = argreduce
    _RULES["getitem"] = getitem
    _RULES["check"] = _check_rule
    reg("AsStridedView AsStridedCopy AsStridedScatter", _no_as_strided)
    for nm in ("DiagEmbed", "Renorm"):  # (their dims are not independent of the batch)
        for c in by_name.get(nm, ()):
            _RULES.pop(c, None)


_register()
