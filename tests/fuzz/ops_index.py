"""Families ``index`` (getitem, setitem and the index ops) and ``inplace`` (in-place ops on
fresh tensors, non-leaves and views, reading the base back; saved-then-modified tensors)."""
from __future__ import annotations

import numpy as np
from hypothesis.extra import numpy as hnp

from .compare import ACCUM1, ELEM, EXACT
from .inputs import FLOATS, INTS, np_literal
from .spec import register

# ------------------------------------------------------------------------------ index expressions

_NO_NUMPY = object()  # an index component NumPy cannot mirror (torch rejects it anyway)


def _index_items(cb, shape, *, unique_adv=False):
    """Draw an index for a tensor of ``shape``.

    Returns (source to put between the brackets, numpy index or None when NumPy cannot
    mirror it, has_advanced).  With
    ``unique_adv`` the advanced part never names one element twice (setitem with duplicate
    positions is undefined behaviour in torch)."""
    nd = len(shape)
    kinds = []
    for _ in range(cb.int(0, min(nd + 1, 4))):
        kinds.append(cb.choice(["int", "slice", "none", "ellipsis", "list", "tensor", "mask",
                                "bool", "zero_d"]))
    if kinds.count("ellipsis") > 1 and not cb.rarely(8):
        first = kinds.index("ellipsis")
        kinds = [k for i, k in enumerate(kinds) if k != "ellipsis" or i == first]
    if unique_adv:
        adv = [i for i, k in enumerate(kinds) if k in ("list", "tensor", "mask", "zero_d")]
        for i in adv[1:]:
            kinds[i] = "slice"
    mask_dims = {i: cb.int(1, 2) for i, k in enumerate(kinds) if k == "mask"}
    consumed = sum(mask_dims.get(i, 1) for i, k in enumerate(kinds)
                   if k not in ("none", "ellipsis", "bool"))
    ell = max(nd - consumed, 0)
    p = 0
    src, npi, adv = [], [], False
    for i, k in enumerate(kinds):
        size = shape[p] if p < nd else 1
        if k == "ellipsis":
            src.append("...")
            npi.append(Ellipsis)
            p += ell
            continue
        if k == "none":
            src.append("None")
            npi.append(None)
            continue
        if k == "bool":
            v = cb.choice([True, False])
            src.append(repr(v))
            npi.append(v)
            adv = True
            continue
        if k == "int":
            v = cb.int(-size, size - 1) if size and not cb.rarely(16) else size
            src.append(str(v))
            npi.append(v)
        elif k == "slice":
            lo = cb.choice([None, cb.int(-size - 1, size + 1)])
            hi = cb.choice([None, cb.int(-size - 1, size + 1)])
            step = cb.choice([None, 1, 2, 3] + ([0, -1] if cb.rarely(12) else []))
            src.append(f"{'' if lo is None else lo}:{'' if hi is None else hi}"
                       + ("" if step is None else f":{step}"))
            npi.append(slice(lo, hi, step) if step is None or step > 0 else _NO_NUMPY)
        elif k in ("list", "tensor", "zero_d"):
            adv = True
            n = 0 if k == "zero_d" else cb.int(0, 3)
            if unique_adv:
                pool = list(range(size))
                vals = [pool.pop(cb.int(0, len(pool) - 1)) for _ in range(min(n, size))]
                vals = [v - size if cb.rarely(3) else v for v in vals]
            else:
                vals = [cb.int(-size, size - 1) if size else 0 for _ in range(n)]
                if cb.rarely(16):
                    vals.append(size)
            if k == "zero_d":
                v = vals[0] if vals else (cb.int(-size, size - 1) if size else 0)
                src.append(f"lib.tensor({v})")
                npi.append(np.array(v))
            elif k == "list":
                src.append(repr(vals))
                npi.append(list(vals) if vals else np.array([], dtype=np.int64))
            else:
                arr = np.array(vals, dtype=np.int64)
                if len(vals) == 4 and cb.often(2):
                    arr = arr.reshape(2, 2)
                src.append(f"lib.tensor({np_literal(arr)})")
                npi.append(arr)
        elif k == "mask":
            adv = True
            m = mask_dims[i]
            mshape = tuple(shape[p:p + m]) if p + m <= nd else (size,) * m
            arr = cb(hnp.arrays(np.dtype(bool), mshape))
            src.append(f"lib.tensor({np_literal(arr)})")
            npi.append(arr)
            p += m
            continue
        p += 1
    npi = None if any(x is _NO_NUMPY for x in npi) else tuple(npi)
    if len(src) == 1 and not cb.rarely(4):
        return src[0], npi, adv
    if not src:
        return "()", npi, adv
    # a subscript list, not a parenthesised tuple: slices are only valid syntax there
    return ", ".join(src) + ("," if len(src) == 1 else ""), npi, adv


def _np_result_shape(shape, npi):
    """The shape NumPy gives ``np.empty(shape)[npi]`` (None when NumPy refuses)."""
    if npi is None:
        return None
    try:
        return np.empty(shape)[npi].shape
    except Exception:  # noqa: BLE001
        return None


def _getitem(cb):
    shape = cb.shape(max_dims=4)
    a = cb.tensor(shape)
    idx, _, _ = _index_items(cb, shape)
    return f"{a}[{idx}]"


register("getitem", "index", _getitem, tol=EXACT)


def _setitem(cb):
    shape = cb.shape(max_dims=3)
    dt = cb.dtype(prefer=FLOATS)
    a = cb.tensor(shape, dt, layout=False)
    idx, npi, adv = _index_items(cb, shape, unique_adv=True)
    target = cb.choice(["clone", "plain", "view"])
    x = "x"
    if target == "clone":
        cb.stmt(f"x = {a}.clone()")
    elif target == "view":
        cb.stmt(f"base = {a}.clone()")
        cb.stmt("x = base[...]")
    else:
        cb.stmt(f"x = {a}")
    rshape = _np_result_shape(shape, npi)
    if rshape is None or cb.rarely(4):
        v = cb.scalar("any")
    else:
        vshape = rshape[cb.int(0, len(rshape)):] if rshape else ()
        vshape = tuple(1 if cb.rarely(3) else d for d in vshape)
        if cb.rarely(16):
            vshape = vshape + (2,)
        v = cb.tensor(vshape, dt if cb.often(4) else cb.dtype())
    cb.stmt(f"{x}[{idx}] = {v}")
    return "(x, base)" if target == "view" else "x"


register("setitem", "index", _setitem, tol=EXACT)


def _gather_like(cb):
    shape = cb.shape(min_dims=1, max_dims=3)
    a = cb.tensor(shape)
    nd = len(shape)
    d = cb.dim(nd, bad=False)
    size = shape[d]
    fn = cb.choice(["gather", "take_along_dim", "index_select", "take"])
    cb.label = fn
    if fn == "index_select":
        i = cb.index_tensor((cb.int(0, 4),), size)
        return cb.choice([f"lib.index_select({a}, {d}, {i})", f"{a}.index_select({d}, {i})"])
    if fn == "take":
        n = int(np.prod(shape))
        return f"lib.take({a}, {cb.index_tensor(cb.shape(max_dims=2), n)})"
    ishape = tuple(cb.int(0, s) if j != d % nd else cb.int(0, 4) for j, s in enumerate(shape))
    i = cb.index_tensor(ishape, size)
    if fn == "gather":
        return cb.choice([f"lib.gather({a}, {d}, {i})", f"{a}.gather({d}, {i})"])
    return f"lib.take_along_dim({a}, {i}, {d})"


register("gather", "index", _gather_like, tol=EXACT)


def _unique_index(cb, shape, d, nonneg=False):
    """An index tensor for scatter-like ops that names each target position at most once:
    along ``d`` each column is a slice of a permutation of range(shape[d])."""
    size = shape[d]
    k = cb.int(0, size)
    ishape = tuple(cb.int(0, s) if j != d else k for j, s in enumerate(shape))
    arr = np.zeros(ishape, np.int64)
    if arr.size:
        rng = np.random.default_rng(cb.int(0, 2 ** 16))
        moved = np.moveaxis(arr, d, -1)
        for pos in np.ndindex(*moved.shape[:-1]):
            moved[pos] = rng.permutation(size)[:k]
    name = cb.name()
    cb.stmt(f"{name} = lib.tensor({np_literal(arr)})")
    return name, ishape


def _scatter(cb):
    shape = cb.shape(min_dims=1, max_dims=3)
    dt = cb.dtype(prefer=FLOATS)
    a = cb.tensor(shape, dt)
    nd = len(shape)
    d = cb.dim(nd, bad=False) % nd
    fn = cb.choice(["scatter", "scatter_value", "scatter_add", "scatter_reduce", "index_add",
                    "index_fill", "index_copy", "index_put"])
    cb.label = fn
    if fn in ("scatter", "scatter_value", "scatter_add", "scatter_reduce"):
        dup_ok = fn in ("scatter_add",) or (fn == "scatter_reduce")
        if dup_ok:
            ishape = tuple(cb.int(0, s) if j != d else cb.int(0, 4) for j, s in enumerate(shape))
            i = cb.index_tensor(ishape, shape[d], low=0)
        else:
            i, ishape = _unique_index(cb, shape, d)
        if fn == "scatter_value":
            return f"lib.scatter({a}, {d}, {i}, {cb.scalar('num')})"
        src = cb.tensor(tuple(s + cb.int(0, 1) for s in ishape), dt if cb.often(6) else None,
                        layout=False)
        if fn == "scatter_reduce":
            red = cb.choice(["sum", "prod", "mean", "amax", "amin"])
            inc = cb.choice([True, False])
            return f"lib.scatter_reduce({a}, {d}, {i}, {src}, {red!r}, include_self={inc})"
        return f"lib.{fn}({a}, {d}, {i}, {src})"
    size = shape[d]
    if fn == "index_put":
        n = cb.int(0, 4)
        acc = cb.choice([True, False])
        if acc:
            i = cb.index_tensor((n,), size)
        else:
            i = cb.name()
            vals = np.random.default_rng(cb.int(0, 999)).permutation(size)[:n]
            cb.stmt(f"{i} = lib.tensor({np_literal(vals.astype(np.int64))})")
            n = len(vals)
        vshape = (n,) + tuple(shape[:d] + shape[d + 1:]) if d == 0 else None
        if vshape is None:
            return f"lib.index_put({a}, ({i},), lib.tensor(1.5), accumulate={acc})"
        v = cb.tensor(vshape, dt if cb.often(6) else None)
        return f"lib.index_put({a}, ({i},), {v}, accumulate={acc})"
    if fn == "index_fill":
        i = cb.index_tensor((cb.int(0, 3),), size)
        return f"lib.index_fill({a}, {d}, {i}, {cb.scalar('num')})"
    if fn == "index_add":  # duplicates allowed: they add up
        n = cb.int(0, 4)
        i = cb.index_tensor((n,), size)
    else:  # index_copy: distinct positions (duplicates are undefined behaviour)
        n = cb.int(0, size)
        i = cb.name()
        vals = np.random.default_rng(cb.int(0, 999)).permutation(size)[:n]
        cb.stmt(f"{i} = lib.tensor({np_literal(vals.astype(np.int64))})")
    if cb.rarely(16):
        n += 1  # the source does not match the index: must raise
    src = cb.tensor(tuple(n if j == d else s for j, s in enumerate(shape)),
                    dt if cb.often(6) else None, layout=False)
    if fn == "index_add":
        alpha = f", alpha={cb.scalar('num')}" if cb.rarely(3) else ""
        return f"lib.index_add({a}, {d}, {i}, {src}{alpha})"
    return f"lib.index_copy({a}, {d}, {i}, {src})"


register("scatter", "index", _scatter, tol=ACCUM1, values="tame")


def _mask_ops(cb):
    sa, sm = cb.broadcast_shapes(2)
    a = cb.tensor(sa)
    fn = cb.choice(["masked_select", "nonzero", "argwhere", "masked_scatter", "nonzero_tuple"])
    cb.label = fn
    if fn == "masked_select":
        return f"lib.masked_select({a}, {cb.mask(sm)})"
    if fn == "masked_scatter":
        m = cb.mask(sm)
        try:
            n = int(np.prod(np.broadcast_shapes(sa, sm)))
        except ValueError:  # the shapes do not broadcast: torch raises, so must ember
            n = 1
        src = cb.tensor((n + cb.int(0, 2),), layout=False)
        return f"lib.masked_scatter({a}, {m}, {src})"
    if fn == "nonzero_tuple":
        return f"lib.nonzero({a}, as_tuple=True)"
    return f"lib.{fn}({a})"


register("masked_select", "index", _mask_ops, tol=EXACT)


def _search(cb):
    fn = cb.choice(["searchsorted", "bucketize", "bincount"])
    cb.label = fn
    if fn == "bincount":
        n = cb.int(0, 6)
        i = cb.index_tensor((n,), 5, low=0 if not cb.rarely(12) else -1)
        w = f", weights={cb.tensor((n,), grad=False)}" if cb.often(2) else ""
        ml = f", minlength={cb.int(0, 7)}" if cb.often(2) else ""
        return f"lib.bincount({i}{w}{ml})"
    dt = cb.dtype(FLOATS + INTS, prefer=FLOATS)
    seq = cb.name()
    arr = np.sort(cb.array((cb.int(0, 5),), dt, "tame"))
    cb.stmt(f"{seq} = lib.tensor({np_literal(arr)})")
    v = cb.tensor(cb.shape(max_dims=2), dt if cb.often(4) else None, grad=False)
    right = f", right={cb.choice([True, False])}" if cb.often(2) else ""
    if fn == "bucketize":
        return f"lib.bucketize({v}, {seq}{right})"
    return f"lib.searchsorted({seq}, {v}{right})"


register("searchsorted", "index", _search, tol=EXACT, grad=False)

# ------------------------------------------------------------------------------ in-place

def _inplace_target(cb, shape, dt):
    """Emit the tensor to modify in place: a fresh tensor, a non-leaf copy of a leaf, or the
    leaf itself (torch refuses when it requires grad).  Returns (name, what to read back)."""
    mode = cb.choice(["nonleaf", "fresh", "leaf_grad"])
    a = cb.tensor(shape, dt, layout=False, grad=(mode != "fresh") and None)
    if mode != "nonleaf":
        return a, a
    cb.stmt(f"base = {a}.clone()")
    return "base", "base"


_UNARY_INPLACE = ["neg_", "abs_", "exp_", "log_", "sqrt_", "sigmoid_", "tanh_", "relu_",
                  "floor_", "ceil_", "round_", "sign_", "reciprocal_", "square_", "zero_",
                  "t_", "unsqueeze_(0)", "squeeze_()"]
_BINARY_INPLACE = ["add_", "sub_", "mul_", "div_", "pow_", "copy_", "lerp_", "+=", "-=",
                   "*=", "/=", "**="]


def _inplace(cb):
    shape = cb.shape(max_dims=3)
    dt = cb.dtype(prefer=FLOATS)
    x, back = _inplace_target(cb, shape, dt)
    kind = cb.choice(["binary", "unary", "scalar", "clamp", "masked_fill", "fill", "addc",
                      "index"])
    cb.label = kind
    if kind == "unary":
        op = cb.choice(_UNARY_INPLACE)
        cb.label = op
        cb.stmt(f"r = {x}.{op if '(' in op else op + '()'}")
        return f"(r, {back})" if back != "r" else "r"
    if kind in ("binary", "scalar"):
        op = cb.choice(_BINARY_INPLACE)
        cb.label = op
        if kind == "scalar":
            other = cb.scalar("any")
        else:
            oshape = shape[cb.int(0, len(shape)):] if shape else ()
            oshape = tuple(1 if cb.rarely(3) else d for d in oshape)
            if cb.rarely(12):
                oshape = (2,) + tuple(shape)
            other = cb.tensor(oshape, dt if cb.often(3) else cb.dtype())
        if op.endswith("="):
            cb.stmt(f"{x} {op} {other}")
            cb.stmt(f"r = {x}")
        elif op == "lerp_":
            cb.stmt(f"r = {x}.lerp_({other}, 0.25)")
        else:
            extra = ""
            if op in ("add_", "sub_") and cb.rarely(3):
                extra = f", alpha={cb.scalar('num')}"
            if op == "div_" and cb.rarely(3):
                extra = f", rounding_mode={cb.choice(['trunc', 'floor'])!r}"
            cb.stmt(f"r = {x}.{op}({other}{extra})")
        return f"(r, {back})"
    if kind == "clamp":
        cb.stmt(f"r = {x}.clamp_({cb.scalar('num')}, {cb.scalar('num')})")
    elif kind == "masked_fill":
        m = cb.mask(shape[cb.int(0, len(shape)):] if shape else ())
        cb.stmt(f"r = {x}.masked_fill_({m}, {cb.scalar('any')})")
    elif kind == "fill":
        v = cb.scalar("any") if cb.often(2) else cb.tensor((), grad=None)
        cb.stmt(f"r = {x}.fill_({v})")
    elif kind == "addc":
        t1 = cb.tensor(shape, dt if cb.often(4) else None)
        t2 = cb.tensor(shape, dt if cb.often(4) else None)
        fn = cb.choice(["addcmul_", "addcdiv_"])
        cb.label = fn
        cb.stmt(f"r = {x}.{fn}({t1}, {t2}, value={cb.scalar('num')})")
    else:
        nd = len(shape)
        if not nd:
            cb.stmt(f"r = {x}.zero_()")
        else:
            d = cb.dim(nd, bad=False) % nd
            i = cb.index_tensor((cb.int(0, 3),), shape[d])
            fn = cb.choice(["index_fill_", "index_add_"])
            cb.label = fn
            if fn == "index_fill_":
                cb.stmt(f"r = {x}.index_fill_({d}, {i}, {cb.scalar('num')})")
            else:
                cb.stmt(f"r = {x}.index_add_({d}, {i}, {x}.index_select({d}, {i}) * 2)")
    return f"(r, {back})"


register("inplace", "inplace", _inplace, tol=ELEM)

_SAVING = ["lib.exp({x})", "lib.sigmoid({x})", "lib.tanh({x})", "{x} ** 2", "{x} * {x}",
           "lib.sqrt({x})", "lib.relu({x})", "lib.sin({x})", "{x}.sum()", "{x} + 1",
           "{x}[0] * 3", "lib.softmax({x}, -1)", "{x}.clone()", "{x} / 2"]


def _saved_modified(cb):
    """y = f(x); then x or y changes in place: torch's version counter decides whether the
    backward may still run (it raises when a saved tensor was modified)."""
    shape = cb.shape(min_dims=1, max_dims=2, min_side=1)
    dt = cb.choice(FLOATS)
    a = cb.tensor(shape, dt, layout=False, grad=True)
    cb.stmt(f"x = {a} * 1")
    cb.stmt("y = " + cb.choice(_SAVING).format(x="x"))
    who = cb.choice(["x", "y"])
    op = cb.choice(["mul_(2)", "add_(1)", "zero_()", "exp_()", "t_()", "unsqueeze_(0)",
                    "__setitem__(0, 5.0)"])
    cb.label = op
    cb.stmt(f"{who}.{op}")
    return "y"


register("saved_modified", "inplace", _saved_modified, tol=ELEM)

# views of a tensor (name, valid for shape?): an in-place op on the view must show in the base
# (and the base's gradient must flow through the view); the last group are copies, not views
_VIEWS = [
    ("[1:]", lambda s: len(s) >= 1), ("[..., ::2]", lambda s: len(s) >= 1),
    (".t()", lambda s: len(s) <= 2), (".T", lambda s: len(s) <= 2),
    (".mT", lambda s: len(s) >= 2), (".transpose(0, -1)", lambda s: len(s) >= 1),
    (".diagonal()", lambda s: len(s) >= 2), ("[0]", lambda s: len(s) >= 1 and s[0] >= 1),
    (".select(-1, 0)", lambda s: len(s) >= 1 and s[-1] >= 1),
    ("[:, 1]", lambda s: len(s) >= 2 and s[1] >= 2), ("[None]", lambda s: True),
    (".unsqueeze(0)", lambda s: True), (".squeeze()", lambda s: True),
    (".view(-1)", lambda s: True), (".reshape(-1)", lambda s: True),
    (".flatten()", lambda s: True), (".movedim(0, -1)", lambda s: len(s) >= 1),
    (".narrow(0, 0, 1)", lambda s: len(s) >= 1 and s[0] >= 1),
    (".split(1)[0]", lambda s: len(s) >= 1 and s[0] >= 1),
    (".unbind(0)[-1]", lambda s: len(s) >= 1 and s[0] >= 1),
    (".chunk(2)[0]", lambda s: len(s) >= 1 and s[0] >= 1),
    (".expand(2, *{s})", lambda s: True), (".detach()", lambda s: True),
    (".contiguous()", lambda s: True), (".view_as({b})", lambda s: True),
    # copies: writing to them must leave the base alone
    ("[[0]]", lambda s: len(s) >= 1 and s[0] >= 1), (".clone()", lambda s: True),
    ("[lib.tensor(True)]", lambda s: True),
]
_VIEW_OPS = ["add_(1)", "mul_(2)", "zero_()", "fill_(3.0)", "neg_()", "exp_()",
             "clamp_(-1, 1)", "sqrt_()", "copy_({t})", "add_({t})", "mul_({t})",
             "__setitem__(..., {t})", "masked_fill_({t} > 0, 7.0)", "t_()", "unsqueeze_(0)"]


def _inplace_view(cb):
    shape = cb.shape(max_dims=3)
    dt = cb.choice(FLOATS)   # view semantics do not depend on the dtype (inplace has dtypes)
    a = cb.tensor(shape, dt, layout=False)
    cb.stmt(f"base = {a}.clone()" if cb.often(4) else f"base = {a}")
    name, _ = cb.choice([v for v in _VIEWS if v[1](shape)])
    cb.label = "view" + name.replace("{s}", "s").replace("{b}", "b")
    cb.stmt(f"x = base{name}".replace("{s}", repr(tuple(shape))).replace("{b}", "base"))
    op = cb.choice(_VIEW_OPS)
    if "{t}" in op:
        t = cb.tensor(cb.shape(max_dims=1) if cb.rarely(4) else (), dt if cb.often(4) else None)
        op = op.replace("{t}", t)
    cb.stmt(f"r = x.{op}")
    return "(x, base)"


register("inplace_view", "inplace", _inplace_view, tol=ELEM)
