"""Family ``reduction``: reductions over all / one / several dims with keepdim and dtype
arguments, scans, sorting and selection."""
from __future__ import annotations

from .compare import ACCUM1, ACCUM2, ACCUM_LOOSE, EXACT
from .inputs import DTYPES, FLOATS, UNIQUE_OK
from .spec import register


def _arg_dtype(cb):
    return f"dtype=lib.{cb.choice(['float64', 'float32', 'int64', 'float16', 'int32', 'bool'])}"


def _reduce(name, *, tol=ACCUM1, values="tame", dim="single|multi|none", keepdim=True,
            dtype_kw=False, extra=None, method=True, dim_required=False, prefer=None,
            dim_kw=False, unique=False):
    modes = dim.split("|")

    def build(cb):
        shape = cb.shape()
        mode = cb.choice(modes)
        uniq = unique and mode != "none"
        a = cb.tensor(shape, cb.dtype(UNIQUE_OK if uniq else DTYPES, prefer=prefer),
                      unique=uniq)
        nd = len(shape)
        args = []
        if mode == "single":
            args.append(str(cb.dim(nd)))
        elif mode == "multi":
            args.append(repr(cb.dims(nd)) if nd else repr(cb.choice([(0,), (-1,), ()])))
        if args and keepdim and cb.often(2):
            args.append(f"keepdim={cb.choice([True, False])}")
        if extra:
            args.extend(x for x in [extra(cb, nd)] if x)
        if dtype_kw and cb.rarely(3):
            args.append(_arg_dtype(cb))
        if mode != "none" and (dim_kw or cb.often(2)):
            args[0] = "dim=" + args[0]
        if mode == "none" and dim_required:
            args.insert(0, str(cb.dim(nd)))
        arg_s = ", ".join(args)
        if method and cb.often(2):
            return f"{a}.{name}({arg_s})"
        return f"lib.{name}({a}{', ' + arg_s if arg_s else ''})"
    register(name, "reduction", build, tol=tol, values=values)


_reduce("sum", dtype_kw=True)
_reduce("nansum", dtype_kw=True)
_reduce("mean", dtype_kw=True, prefer=FLOATS)
_reduce("nanmean", dtype_kw=True, prefer=FLOATS, method=False)
_reduce("prod", values="small", dim="single|none", dtype_kw=True)
_reduce("amax", tol=EXACT, values="full", dim="single|multi|none")
_reduce("amin", tol=EXACT, values="full", dim="single|multi|none")
_reduce("max", tol=EXACT, values="full", dim="single|none")
_reduce("min", tol=EXACT, values="full", dim="single|none")
_reduce("argmax", tol=EXACT, values="full", dim="single|none")
_reduce("argmin", tol=EXACT, values="full", dim="single|none")
_reduce("aminmax", tol=EXACT, values="full", dim="single|none", method=False, dim_kw=True)
_reduce("all", tol=EXACT, values="full", dim="single|multi|none")
_reduce("any", tol=EXACT, values="full", dim="single|multi|none")
_reduce("count_nonzero", tol=EXACT, values="full", dim="single|multi|none", keepdim=False)
_reduce("logsumexp", tol=ACCUM1, dim="single|multi", prefer=FLOATS)
_reduce("median", tol=EXACT, values="full", dim="single|none", unique=True)


def _correction(cb, nd):
    return cb.choice(["", "correction=0", "correction=2", "unbiased=False", "unbiased=True",
                      "correction=1"])


for _n in ("var", "std"):
    _reduce(_n, tol=ACCUM2, dim="single|multi|none", extra=_correction, prefer=FLOATS)
for _n in ("var_mean", "std_mean"):
    _reduce(_n, tol=ACCUM2, dim="single|multi|none", extra=_correction, prefer=FLOATS,
            method=False)


def _norm_p(cb, nd):
    return "p=" + cb.choice(["2", "1", "inf", "-inf", "3", "0", "0.5", "'fro'"])


_reduce("norm", tol=ACCUM_LOOSE, dim="single|multi|none", extra=_norm_p, prefer=FLOATS,
        dim_kw=True)


def _scan(name, *, tol=ACCUM1, values="tame", dtype_kw=True, method=True, unique=False):
    def build(cb):
        shape = cb.shape()
        a = cb.tensor(shape, cb.dtype(UNIQUE_OK if unique else DTYPES,
                                      prefer=FLOATS if name in ("softmax", "log_softmax")
                                      else None), unique=unique)
        d = cb.dim(len(shape))
        kw = f", dtype=lib.{cb.choice(['float64', 'float32', 'int64'])}" \
            if dtype_kw and cb.rarely(3) else ""
        if method and cb.often(2):
            return f"{a}.{name}({d}{kw})"
        return f"lib.{name}({a}, {d}{kw})"
    register(name, "reduction", build, tol=tol, values=values)


_scan("cumsum")
_scan("cumprod", values="small")
_scan("softmax", values="full")
_scan("log_softmax", values="full")
_scan("cummax", tol=EXACT, values="full", dtype_kw=False, method=False, unique=True)


def _sort(cb):
    shape = cb.shape()
    stable = cb.rarely(3)   # unstable sorts order ties as they like: no ties then
    a = cb.tensor(shape, cb.dtype(UNIQUE_OK) if not stable else None, unique=not stable)
    d = cb.dim(len(shape))
    kw = []
    if cb.often(2):
        kw.append(f"descending={cb.choice([True, False])}")
    if stable:
        kw.append("stable=True")
    kws = ", " + ", ".join(kw) if kw else ""
    return cb.choice([f"lib.sort({a}, {d}{kws})", f"{a}.sort(dim={d}{kws})"])


register("sort", "reduction", _sort, tol=EXACT)


def _argsort(cb):
    shape = cb.shape()
    a = cb.tensor(shape)
    kw = ", descending=True" if cb.often(2) else ""
    # ties: torch's argsort is not stable unless asked; compare only stable=True
    return f"lib.argsort({a}, dim={cb.dim(len(shape))}, stable=True{kw})"


register("argsort", "reduction", _argsort, tol=EXACT)


def _topk(cb):
    shape = cb.shape()
    a = cb.tensor(shape, cb.dtype(UNIQUE_OK), unique=True)
    nd = len(shape)
    d = cb.dim(nd, bad=False)
    size = shape[d] if nd else 1
    k = cb.int(0, size) if not cb.rarely(12) else size + 1
    kw = f", largest={cb.choice([True, False])}" if cb.often(2) else ""
    return f"lib.topk({a}, {k}, dim={d}{kw})"


register("topk", "reduction", _topk, tol=EXACT)


def _kthvalue(cb):
    shape = cb.shape()
    a = cb.tensor(shape, cb.dtype(UNIQUE_OK), unique=True)
    nd = len(shape)
    d = cb.dim(nd, bad=False)
    size = shape[d] if nd else 1
    k = cb.int(1, max(size, 1)) if not cb.rarely(12) else size + 1
    return f"lib.kthvalue({a}, {k}, {d}{', keepdim=True' if cb.rarely(2) else ''})"


register("kthvalue", "reduction", _kthvalue, tol=EXACT)


def _unique(cb):
    a = cb.tensor(cb.shape(max_dims=2), grad=False)
    kw = []
    if cb.often(2):
        kw.append(f"return_inverse={cb.choice([True, False])}")
    if cb.often(2):
        kw.append(f"return_counts={cb.choice([True, False])}")
    if cb.rarely(3):
        kw.append("dim=0")
    return f"lib.unique({a}{', ' if kw else ''}{', '.join(kw)})"


register("unique", "reduction", _unique, tol=EXACT, grad=False)


def _msort(cb):
    return f"lib.msort({cb.tensor()})"


register("msort", "reduction", _msort, tol=EXACT)
