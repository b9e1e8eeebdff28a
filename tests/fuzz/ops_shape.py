"""Families ``shape`` (views, reshapes, joins, splits, casts) and ``matmul``."""
from __future__ import annotations

import math

from hypothesis import strategies as st

from .compare import ACCUM2, EXACT, ELEM
from .inputs import DTYPES, FLOATS, INTS
from .spec import register


def _divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0] if n else [0, 1, 2, 3]


def _new_shape(cb, numel, infer=True):
    """A shape of ``numel`` elements (sometimes with one -1, rarely of the wrong size)."""
    dims, rest = [], numel
    for _ in range(cb.int(0, 4)):
        d = cb.choice(_divisors(rest)) if numel else cb.choice([0, 1, 2])
        dims.append(d)
        rest = rest // d if numel else rest
    if numel and (rest != 1 or not dims):
        dims.append(rest)
    if not numel and 0 not in dims:
        dims.append(0)
    if infer and dims and cb.rarely(3):
        dims[cb.int(0, len(dims) - 1)] = -1
    if cb.rarely(16):
        dims.append(2)   # wrong size: must raise
    return tuple(dims)


def _t(cb, *, shape=None, min_dims=0, dtype=None, **kw):
    shape = cb.shape(min_dims=min_dims) if shape is None else shape
    return cb.tensor(shape, dtype, **kw), shape


def _shape_op(name, build, tol=EXACT, **kw):
    register(name, "shape", build, tol=tol, **kw)


def _view(cb):
    a, shape = _t(cb)
    ns = _new_shape(cb, math.prod(shape))
    form = cb.choice(["view", "reshape", "lib.reshape"])
    if form == "lib.reshape":
        return f"lib.reshape({a}, {ns!r})"
    args = ", ".join(map(str, ns)) if cb.often(2) else repr(ns)
    return f"{a}.{form}({args})"


_shape_op("view", _view)
_shape_op("reshape", lambda cb: (lambda a, s: f"{a}.reshape({_new_shape(cb, math.prod(s))!r})")
          (*_t(cb)))


def _flatten(cb):
    a, shape = _t(cb)
    nd = max(len(shape), 1)
    s, e = cb.dim(nd), cb.dim(nd)
    return cb.choice([f"lib.flatten({a}, {s}, {e})", f"{a}.flatten({s}, {e})",
                      f"{a}.flatten()"])


_shape_op("flatten", _flatten)


def _unflatten(cb):
    a, shape = _t(cb, min_dims=1)
    d = cb.dim(len(shape), bad=False)
    sizes = _new_shape(cb, shape[d]) or (1,)
    return f"{a}.unflatten({d}, {sizes!r})"


_shape_op("unflatten", _unflatten)


def _squeeze(cb):
    a, shape = _t(cb)
    nd = len(shape)
    return cb.choice([f"{a}.squeeze()", f"lib.squeeze({a}, {cb.dim(nd)})",
                      f"{a}.squeeze({cb.dims(nd)!r})"])


_shape_op("squeeze", _squeeze)
_shape_op("unsqueeze", lambda cb: (lambda a, s: f"lib.unsqueeze({a}, {cb.dim(len(s) + 1)})")
          (*_t(cb)))


def _permute(cb):
    a, shape = _t(cb)
    nd = len(shape)
    perm = list(cb(st.permutations(range(nd))))
    perm = [p - nd if cb.rarely(3) else p for p in perm]
    if cb.rarely(16):
        perm = perm[:-1] if perm else [0]
    return cb.choice([f"{a}.permute({tuple(perm)!r})", f"lib.permute({a}, {tuple(perm)!r})"])


_shape_op("permute", _permute)


def _transpose(cb):
    a, shape = _t(cb)
    nd = len(shape)
    d0, d1 = cb.dim(nd), cb.dim(nd)
    fn = cb.choice(["transpose", "swapaxes", "swapdims"])
    cb.label = fn
    return cb.choice([f"lib.{fn}({a}, {d0}, {d1})", f"{a}.{fn}({d0}, {d1})"])


_shape_op("transpose", _transpose)


def _movedim(cb):
    a, shape = _t(cb)
    nd = len(shape)
    if cb.often(2):
        return f"lib.movedim({a}, {cb.dim(nd)}, {cb.dim(nd)})"
    src = cb.dims(nd)
    dst = tuple(cb(st.permutations(range(max(nd, 1)))))[:len(src)]
    return f"lib.movedim({a}, {src!r}, {dst!r})"


_shape_op("movedim", _movedim)
_shape_op("t", lambda cb: f"{_t(cb, shape=cb.shape(max_dims=3))[0]}.t()")
_shape_op("T", lambda cb: f"{_t(cb, shape=cb.shape(max_dims=2))[0]}.T")
_shape_op("mT", lambda cb: f"{_t(cb)[0]}.mT")


def _expand(cb):
    a, shape = _t(cb)
    lead = tuple(cb.int(0, 3) for _ in range(cb.int(0, 2)))
    body = []
    for d in shape:
        if d == 1 and cb.often(2):
            body.append(cb.int(0, 3))
        else:
            body.append(-1 if cb.rarely(3) else d)
    sizes = lead + tuple(body)
    if cb.rarely(16) and sizes:
        sizes = sizes[:-1] + (sizes[-1] + 2 if sizes[-1] not in (1, -1) else 5,)
    form = cb.choice(["expand", "broadcast_to"])
    if form == "broadcast_to":
        return f"lib.broadcast_to({a}, {sizes!r})"
    return f"{a}.expand({', '.join(map(str, sizes)) if sizes else '()'})"


_shape_op("expand", _expand)


def _expand_as(cb):
    s1, s2 = cb.broadcast_shapes(2)
    a, b = cb.tensor(s1), cb.tensor(s2, grad=False)
    return f"{a}.expand_as({b})"


_shape_op("expand_as", _expand_as)


def _repeat(cb):
    a, shape = _t(cb)
    reps = tuple(cb.int(0, 2) for _ in range(len(shape) + cb.int(0, 2)))
    if not reps and not shape:
        reps = ()
    if cb.rarely(12) and reps:
        reps = reps[1:]
    fn = cb.choice(["repeat", "tile"])
    cb.label = fn
    if fn == "tile":
        return f"lib.tile({a}, {reps!r})"
    return f"{a}.repeat({', '.join(map(str, reps)) if reps else '()'})"


_shape_op("repeat", _repeat)


def _join(cb):
    base = cb.shape(min_dims=1, max_dims=3)
    nd = len(base)
    k = cb.int(1, 3)
    fn = cb.choice(["cat", "stack", "concat", "hstack", "vstack", "dstack", "column_stack"])
    cb.label = fn
    d = cb.dim(nd + (fn == "stack"))
    dd = d % nd if fn != "stack" and nd else 0
    ts = []
    for _ in range(k):
        s = list(base)
        if fn in ("cat", "concat") and nd:
            s[dd] = cb.int(0, 3)
        if cb.rarely(16) and s:
            s[-1] += 1
        if fn in ("cat", "concat") and cb.rarely(12):
            s = [0]   # torch's legacy rule: 1-d empty tensors are skipped in cat
        ts.append(cb.tensor(tuple(s), cb.dtype(prefer=FLOATS)))
    lst = "[" + ", ".join(ts) + "]" if cb.often(2) else "(" + ", ".join(ts) + ",)"
    if fn in ("cat", "concat", "stack"):
        return f"lib.{fn}({lst}, {d})" if cb.often(2) else f"lib.{fn}({lst}, dim={d})"
    return f"lib.{fn}({lst})"


_shape_op("cat", _join)


def _split(cb):
    a, shape = _t(cb, min_dims=1)
    nd = len(shape)
    d = cb.dim(nd)
    size = shape[d] if -nd <= d < nd else 2
    fn = cb.choice(["split", "split_list", "chunk", "tensor_split", "tensor_split_idx", "unbind"])
    cb.label = fn
    if fn == "split":
        return f"lib.split({a}, {cb.int(0 if cb.rarely(16) else 1, 4)}, {d})"
    if fn == "split_list":
        parts, rest = [], size
        while rest > 0:
            p = cb.int(0, rest)
            parts.append(p)
            rest -= p
        if cb.rarely(12):
            parts.append(1)
        return f"{a}.split({parts!r}, dim={d})"
    if fn == "chunk":
        return f"lib.chunk({a}, {cb.int(1, 4)}, {d})"
    if fn == "tensor_split":
        return f"lib.tensor_split({a}, {cb.int(1, 4)}, dim={d})"
    if fn == "tensor_split_idx":
        idx = sorted(cb.int(-1, size + 1) for _ in range(cb.int(0, 3)))
        return f"lib.tensor_split({a}, {idx!r}, dim={d})"
    return f"lib.unbind({a}, {d})"


_shape_op("split", _split)


def _narrow(cb):
    a, shape = _t(cb, min_dims=1)
    nd = len(shape)
    d = cb.dim(nd, bad=False)
    size = shape[d]
    start = cb.int(-size, size) if size else 0
    length = cb.int(0, size - (start % size if size else 0)) if size else 0
    if cb.rarely(12):
        length = size + 1
    if cb.often(2):
        return f"lib.narrow({a}, {d}, {start}, {length})"
    return f"{a}.select({d}, {cb.int(-size, size - 1) if size else 0})"


_shape_op("narrow", _narrow)


def _flip(cb):
    a, shape = _t(cb)
    nd = len(shape)
    fn = cb.choice(["flip", "roll", "roll_flat", "fliplr", "flipud"])
    cb.label = fn
    if fn == "flip":
        return f"lib.flip({a}, {cb.dims(nd)!r})"
    if fn == "roll":
        dims = cb.dims(nd) or (0,)
        shifts = tuple(cb.int(-4, 4) for _ in dims)
        return f"lib.roll({a}, {shifts!r}, {dims!r})"
    if fn == "roll_flat":
        return f"lib.roll({a}, {cb.int(-4, 4)})"
    return f"lib.{fn}({a})"


_shape_op("flip", _flip)


def _tri(cb):
    a, shape = _t(cb)
    fn = cb.choice(["tril", "triu"])
    cb.label = fn
    k = cb.int(-3, 3)
    return cb.choice([f"lib.{fn}({a}, {k})", f"{a}.{fn}()"])


_shape_op("tril", _tri)


def _diag(cb):
    fn = cb.choice(["diag", "diagonal", "diag_embed", "trace"])
    cb.label = fn
    if fn == "diag":
        a, shape = _t(cb, shape=cb.shape(max_dims=3))
        return f"lib.diag({a}, {cb.int(-3, 3)})"
    if fn == "trace":
        a, shape = _t(cb, shape=cb.shape(max_dims=3))
        return f"lib.trace({a})"
    a, shape = _t(cb)
    nd = len(shape)
    if fn == "diagonal":
        d1, d2 = cb.dim(nd), cb.dim(nd)
        return f"lib.diagonal({a}, {cb.int(-3, 3)}, {d1}, {d2})"
    d1, d2 = cb.dim(nd + 1), cb.dim(nd + 1)
    return f"lib.diag_embed({a}, {cb.int(-2, 2)}, {d1}, {d2})"


_shape_op("diag", _diag, tol=EXACT)


def _layout_ops(cb):
    a, shape = _t(cb)
    fn = cb.choice(["contiguous", "clone", "atleast_1d", "atleast_2d", "atleast_3d",
                    "view_as", "reshape_as", "detach"])
    cb.label = fn
    if fn in ("view_as", "reshape_as"):
        b = cb.tensor(_new_shape(cb, math.prod(shape), infer=False), grad=False)
        return f"{a}.{fn}({b})"
    if fn.startswith("atleast"):
        return f"lib.{fn}({a})"
    return f"{a}.{fn}()"


_shape_op("contiguous", _layout_ops)


def _cast(cb):
    target = cb.choice(DTYPES)
    src = cb.dtype()
    profile = "cast" if target in INTS + ("bool",) and src in FLOATS else "full"
    if target == "uint8" and src in INTS:
        profile = "cast"  # negative ints to uint8 wrap in both; out-of-range floats are UB
    a = cb.tensor(dtype=src, profile=profile)
    short = {"float32": "float", "float64": "double", "float16": "half", "int64": "long",
             "int32": "int", "int16": "short", "int8": "char", "uint8": "byte", "bool": "bool"}
    form = cb.choice(["to", "method", "type", "to_kw"])
    if form == "method":
        return f"{a}.{short[target]}()"
    if form == "type":
        return f"{a}.type(lib.{target})"
    if form == "to_kw":
        return f"{a}.to(dtype=lib.{target})"
    return f"{a}.to(lib.{target})"


_shape_op("cast", _cast, tol=ELEM)


def _type_as(cb):
    a = cb.tensor(profile="cast")
    b = cb.tensor(shape=(1,), grad=False)
    return f"{a}.type_as({b})"


_shape_op("type_as", _type_as, tol=ELEM, values="cast")

# ------------------------------------------------------------------------------ matmul


def _mm_dtypes(cb, k):
    dt = cb.dtype(prefer=FLOATS)
    return [dt if cb.often(8) else cb.dtype() for _ in range(k)]


def _kdim(cb):
    return cb.int(0, 4)


def _matmul(cb):
    da, db = _mm_dtypes(cb, 2)
    na, nb = cb.int(1, 4), cb.int(1, 4)
    if cb.rarely(24):
        na = 0
    k = _kdim(cb)
    batch = cb.broadcast_shapes(2, max_dims=2, mismatch=False)
    sa = (batch[0] if na > 2 else ()) + ((cb.int(0, 3),) if na >= 2 else ()) + \
        ((k,) if na >= 1 else ())
    sa = sa[-na:] if na else ()
    kb = k if not cb.rarely(16) else k + 1
    sb = (batch[1] if nb > 2 else ()) + ((kb,)) + ((cb.int(0, 3),) if nb >= 2 else ())
    sb = sb[-nb:]
    a, b = cb.tensor(sa, da), cb.tensor(sb, db)
    return cb.choice([f"lib.matmul({a}, {b})", f"{a} @ {b}", f"{a}.matmul({b})"])


register("matmul", "matmul", _matmul, tol=ACCUM2, values="tame")


def _fixed_mm(name, shapes_fn):
    def build(cb):
        dts = _mm_dtypes(cb, 4)
        k = _kdim(cb)
        m, n, b = cb.int(0, 3), cb.int(0, 3), cb.int(0, 3)
        shapes, fmt = shapes_fn(cb, m, n, k, b)
        if cb.rarely(16):
            j = cb.int(0, len(shapes) - 1)
            if shapes[j]:
                shapes[j] = shapes[j][:-1] + (shapes[j][-1] + 1,)
        names = [cb.tensor(s, dts[i]) for i, s in enumerate(shapes)]
        return fmt.format(*names)
    register(name, "matmul", build, tol=ACCUM2, values="tame")


def _ba(cb):
    return f", beta={cb.scalar('num')}, alpha={cb.scalar('num')}" if cb.often(2) else ""


_fixed_mm("mm", lambda cb, m, n, k, b: ([(m, k), (k, n)], "lib.mm({}, {})"))
_fixed_mm("bmm", lambda cb, m, n, k, b: ([(b, m, k), (b, k, n)], "lib.bmm({}, {})"))
_fixed_mm("mv", lambda cb, m, n, k, b: ([(m, k), (k,)], "lib.mv({}, {})"))
_fixed_mm("dot", lambda cb, m, n, k, b: ([(k,), (k,)],
                                         cb.choice(["lib.dot({}, {})", "lib.vdot({}, {})",
                                                    "lib.inner({}, {})"])))
_fixed_mm("outer", lambda cb, m, n, k, b: ([(m,), (n,)], cb.choice(["lib.outer({}, {})",
                                                                   "lib.ger({}, {})"])))
_fixed_mm("addmm", lambda cb, m, n, k, b: (
    [cb.choice([(m, n), (n,), (1, n), ()]), (m, k), (k, n)],
    "lib.addmm({}, {}, {}" + _ba(cb) + ")"))
_fixed_mm("addmv", lambda cb, m, n, k, b: (
    [cb.choice([(m,), ()]), (m, k), (k,)], "lib.addmv({}, {}, {}" + _ba(cb) + ")"))
_fixed_mm("baddbmm", lambda cb, m, n, k, b: (
    [cb.choice([(b, m, n), (m, n), (1, n)]), (b, m, k), (b, k, n)],
    "lib.baddbmm({}, {}, {}" + _ba(cb) + ")"))
_fixed_mm("addbmm", lambda cb, m, n, k, b: (
    [cb.choice([(m, n), (n,)]), (b, m, k), (b, k, n)], "lib.addbmm({}, {}, {}" + _ba(cb) + ")"))
_fixed_mm("kron", lambda cb, m, n, k, b: ([cb.shape(max_dims=2), cb.shape(max_dims=2)],
                                          "lib.kron({}, {})"))

_EINSUM = [
    ("ij,jk->ik", [("m", "k"), ("k", "n")]), ("i,i->", [("k",), ("k",)]),
    ("i,j->ij", [("m",), ("n",)]), ("ij->ji", [("m", "n")]), ("ii->i", [("m", "m")]),
    ("ii", [("m", "m")]), ("bij,bjk->bik", [("b", "m", "k"), ("b", "k", "n")]),
    ("...ij,...jk", [("b", "m", "k"), ("k", "n")]), ("ij,ij->", [("m", "n"), ("m", "n")]),
    ("ij->", [("m", "n")]), ("iji,j->ij", [("m", "k", "m"), ("k",)]),
    ("ij,jk,k->i", [("m", "k"), ("k", "n"), ("n",)]), ("bi,bi->b", [("b", "k"), ("b", "k")]),
]


def _einsum(cb):
    eq, spec = cb.choice(_EINSUM)
    sizes = {c: cb.int(0, 3) for c in "mnkb"}
    dts = _mm_dtypes(cb, len(spec))
    names = [cb.tensor(tuple(sizes[c] for c in s), dts[i]) for i, s in enumerate(spec)]
    return f"lib.einsum({eq!r}, {', '.join(names)})"


register("einsum", "matmul", _einsum, tol=ACCUM2, values="tame")


def _tensordot(cb):
    k1, k2, m, n = cb.int(1, 3), cb.int(0, 3), cb.int(0, 3), cb.int(0, 3)
    dts = _mm_dtypes(cb, 2)
    a = cb.tensor((m, k1, k2), dts[0])
    dims = cb.choice(["2", "1", "([1, 2], [0, 1])", "([2], [0])"])
    b = cb.tensor((k1, k2, n) if dims in ("2", "([1, 2], [0, 1])") else (k2, n), dts[1])
    return f"lib.tensordot({a}, {b}, dims={dims})"


register("tensordot", "matmul", _tensordot, tol=ACCUM2, values="tame")
