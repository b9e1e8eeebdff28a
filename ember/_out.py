"""``out=`` for ember's public functions, with PyTorch's semantics, in one place.

``install(namespace)`` wraps the functions of ``ember`` that PyTorch lets users call with
``out=`` (``torch.matmul(a, b, out=o)``).  Each wrapper has the wrapped function's own
signature plus ``out=None`` and, when ``out`` is None, just calls it (no ``*args`` packing: the
cost is one Python call).  With ``out``, :func:`write_out` does what PyTorch does:

* under grad mode, an argument that requires grad (``out`` included) raises "add(): functions
  with out=... arguments don't support automatic differentiation, but one of the arguments
  requires grad." when the result is differentiable (floating point);
* the result is computed as without ``out``; its dtype is checked against ``out``'s by the
  op's rule (most ops: castable, "result type Float can't be cast to the desired output type
  Long"; matmul, max(dim), sort, ...: equal; abs, clamp, floor, ...: equal, another text;
  sum, cumsum, prod: ``out``'s dtype is the computation's ``dtype``; factories such as
  ``zeros`` and ``arange``: ``out``'s dtype is the default dtype);
* ``out`` is resized when its shape differs (with PyTorch's deprecation warning when it had
  elements), the values are written into its storage (views of it see them), its version
  counter is bumped, and ``out`` itself (or the tuple of outs) is returned.

Tensor methods and operators are not wrapped: they take no ``out``.
"""
from __future__ import annotations

import warnings

import numpy as np

from . import _dtype as _D

__all__ = ["install", "write_out", "OUT_FUNCTIONS"]

# --------------------------------------------------------------------------- dtype names
def _title(name: str) -> str:
    """torch's ScalarType name (Float, Long ...) of a dtype name."""
    d = _D._NAMES.get(name)
    return d.scalar_name if d is not None else name


def _c10(name: str) -> str:
    """torch's C++ type name (float, long int ...) of a dtype name."""
    d = _D._NAMES.get(name)
    return d.cpp_name if d is not None else name


def _name(arr) -> str:
    return arr.dtype.name


def _can_cast(src: str, dst: str) -> bool:
    """torch.can_cast: no floating -> integral/bool, complex -> real, non-bool -> bool."""
    sk = "f" if src == "bfloat16" else np.dtype(src).kind
    dk = "f" if dst == "bfloat16" else np.dtype(dst).kind
    if sk == "c" and dk != "c":
        return False
    if sk == "f" and dk in "iub":
        return False
    return not (sk != "b" and dk == "b")


# --------------------------------------------------------------------------- the rules
_CAST = "result type {R} can't be cast to the desired output type {O}"
_EXACT = "Expected out tensor to have dtype {r}, but got {o} instead"
_FOUND = "Found dtype {O} but expected {R}"

# name -> (rule, message, canonical name for the autograd error); rules: "cast" (castable),
# "cast_type" (castable, TypeError), "same" (equal dtypes), "tuple" (a tuple of outs, equal
# dtypes), "dtype" (out's dtype is the op's dtype=), "factory" (out's dtype is the default)
OUT_FUNCTIONS: dict = {}


def _rule(names, rule, msg=None, canon=None):
    for n in names.split():
        OUT_FUNCTIONS[n] = (rule, msg, canon)


_rule("add sub mul div pow atan2 maximum minimum fmax fmin lerp addcmul addcdiv floor_divide "
      "remainder fmod eq ne lt le gt ge logical_and logical_or logical_xor logical_not "
      "bitwise_and bitwise_or bitwise_xor exp exp2 expm1 log log2 log10 log1p "
      "sqrt rsqrt sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh sigmoid erf erfc "
      "erfinv reciprocal logit mean std var", "cast", _CAST)
_rule("nanmean", "cast", _CAST, "nansum")
_rule("kron", "cast", _CAST, "mul")
_rule("subtract", "cast", _CAST, "sub")
_rule("multiply", "cast", _CAST, "mul")
_rule("divide true_divide", "cast", _CAST, "div")
_rule("greater greater_equal less less_equal not_equal", "cast", _CAST)
for _n in "sin cos tan sinh cosh tanh tan2".split():
    _rule("arc" + _n, "cast", _CAST, "a" + _n)
_rule("square", "cast", _CAST, "pow")
_rule("outer ger", "cast", _CAST, "mul")
_rule("cat stack", "cast_type", "torch.cat(): input types can't be cast to the desired output "
      "type {O}")
_rule("concat concatenate hstack vstack row_stack column_stack dstack", "cast_type",
      "torch.cat(): input types can't be cast to the desired output type {O}", "cat")
_rule("lgamma digamma polygamma i0 sinc rad2deg deg2rad xlogy copysign nextafter logaddexp "
      "logaddexp2 gcd lcm bitwise_left_shift bitwise_right_shift", "cast",
      _CAST)  # issue 13: special functions (heaviside takes out= itself)
_rule("ldexp", "cast", "ldexp can't be cast to the desired output type {O}")
_rule("mvlgamma", "cast", "mvlgamma: result type {R} can't be cast to the desired output type {R}")
_rule("abs neg sign sgn floor ceil round trunc frac clamp clamp_min clamp_max", "same", _FOUND)
_rule("absolute", "same", _FOUND, "abs")
_rule("negative", "same", _FOUND, "neg")
_rule("fix", "same", _FOUND, "trunc")
_rule("clip", "same", _FOUND, "clamp")
_rule("matmul mm bmm addmm addmv baddbmm gather tril triu diag "
      "scatter scatter_add index_add softmax log_softmax argmax argmin", "same",
      _EXACT)
_rule("cross", "same", _EXACT, "linalg_cross")
_rule("mv", "same", "addmv input tensors must have the same dtype, but got {O}, {R}, and {R}")
_rule("addbmm", "same", "self and mat2 must have the same dtype, but got {O} and {R}")
_rule("bitwise_not", "same", _FOUND)
_rule("norm", "same", _EXACT, "linalg_vector_norm")
_rule("where", "same", "Expected out type to be {R} but got {O}")
_rule("index_select", "same", "index_select(): self and result must have the same scalar type")
_rule("masked_select", "same",
      "masked_select(): self and result must have the same scalar type")
_rule("take", "same", "take(): self and out expected to have the same dtype, but got "
      "self.dtype = {R} and out.dtype = {O}")
_rule("dot vdot", "same", "result dtype {O} does not match input dtype {R}")
_rule("tensordot inner", "same", "tensordot: Expected the output tensor to have dtype {R}, but "
      "got an output tensor with dtype {O}")
_rule("nan_to_num", "same", "nan_to_num: dtype of out: {O} should be same as input: {R}")
_rule("amax amin", "same", "Expected the dtype for input and out to match, but got {R} for "
      "input's dtype and {O} for out's dtype.")
_rule("all", "same", "all only supports bool tensor for result, got: {O}")
_rule("any", "same", "any only supports bool tensor for result, got: {O}")
_rule("nonzero", "same", "nonzero: Expected out tensor to have scalar type Long but got scalar "
      "type{O}")
_rule("signbit", "same", "signbit does not support non-boolean outputs.")
_rule("isposinf", "same", "isposinf does not support non-boolean outputs.")
_rule("isneginf", "same", "isneginf does not support non-boolean outputs.")
_rule("complex polar", "same",
      "Expected object of scalar type {R} but got scalar type {O} for argument 'out'")
_rule("searchsorted bucketize", "same", "torch.searchsorted(): output tensor's dtype is wrong, it "
      "can only be Int(int32) or Long(int64) depending on whether out_int32 flag is True, but "
      "we got output tensor's dtype {O} and out_int32 flag is {flag}")
_rule("float_power", "same", "the output given to float_power has dtype {O} but the "
      "operation's result requires dtype {R}", "pow")
_rule("logsumexp", "cast",
      "logsumexp(): Expected floating point type for result tensor, but got: {O}")
_rule("max min", "maxmin", _EXACT)
_rule("sort topk median mode aminmax", "tuple", _EXACT)
_rule("msort", "same", _EXACT, "sort")
_rule("take_along_dim", "same", _EXACT, "gather")
_rule("kthvalue", "tuple", "output values must be of same type as input")
_rule("cummax cummin", "tuple", "expected scalar_type {R} but found {O}")
_rule("sum nansum prod cumsum cumprod", "dtype", _EXACT)
_rule("zeros ones empty full eye arange linspace logspace rand randn randint randperm",
      "factory", "dtype {D} does not match dtype of out parameter ({O})")

# issue 13 (ops and methods): statistics ops
_rule("diff", "cast", _CAST, "sub")
_rule("hypot logaddexp logaddexp2", "cast", _CAST)
_rule("histc", "same", "torch.histogram: input tensor and hist tensor should have the same "
      "dtype, but got input {r} and hist {o}")
_rule("histogram", "tuple", "torch.histogram: input tensor and hist tensor should have the "
      "same dtype, but got input {r} and hist {o}")
_rule("logcumsumexp", "same", "expected scalar_type {R} but found {O}")
_rule("quantile nanquantile", "same",
      "quantile() out tensor must be same dtype as the input tensor")
_rule("renorm isin", "same", _EXACT)
_rule("nanmedian", "tuple", "Expected tensor for 'values' to have the same type as tensor for "
      "argument #2 'self'; but type torch.{O}Tensor does not equal torch.{R}Tensor (while "
      "checking arguments for median)")
_rule("mode", "tuple", "expected scalar type '{R}' but got '{O}' for {which} output")

# torch lets these through under grad mode (its binding skips the check)
_NO_GRAD_CHECK = frozenset(("softmax", "log_softmax", "diag", "floor_divide", "inner",
                            "tensordot", "histc", "histogram", "quantile", "nanquantile"))
# torch resizes these silently
_NO_RESIZE_WARNING = frozenset(("addbmm",))

# out dtypes a kernel does not implement: name -> (dtype kinds, exception, message)
_NOT_IMPLEMENTED = "\"{k}\" not implemented for '{O}'"
_UNSUPPORTED = {
    "arange": ("b", NotImplementedError, _NOT_IMPLEMENTED.replace("{k}", "arange_cpu")),
    "linspace": ("b", NotImplementedError, _NOT_IMPLEMENTED.replace("{k}", "linspace_cpu")),
    "logspace": ("b", NotImplementedError, _NOT_IMPLEMENTED.replace("{k}", "logspace_cpu")),
    "randperm": ("b", NotImplementedError, _NOT_IMPLEMENTED.replace("{k}", "randperm")),
    "randint": ("b", RuntimeError, "to - 1 is out of bounds for bool"),
    "rand": ("biu", NotImplementedError,
             _NOT_IMPLEMENTED.replace("{k}", "check_uniform_bounds")),
    "randn": ("biu", NotImplementedError, _NOT_IMPLEMENTED.replace("{k}", "normal_kernel_cpu")),
    "cumsum": ("b", NotImplementedError, _NOT_IMPLEMENTED.replace("{k}", "cumsum_out_cpu")),
    "cumprod": ("b", NotImplementedError, _NOT_IMPLEMENTED.replace("{k}", "cumprod_out_cpu")),
    "nansum": ("biu", NotImplementedError, _NOT_IMPLEMENTED.replace("{k}", "nansum_cpu")),
    "nanmean": ("biu", NotImplementedError, _NOT_IMPLEMENTED.replace("{k}", "nansum_cpu")),
}
_TENSOR_TYPE = {"bool": "CPUBoolType"}

_RESIZE_WARNING = (
    "An output with one or more elements was resized since it had shape {old}, which does not "
    "match the required output shape {new}. This behavior is deprecated, and in a future "
    "PyTorch release outputs will not be resized unless they have zero elements. You can "
    "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
    "t.resize_(0).")
_ARANGE_WARNING = (
    "The number of elements in the out tensor of shape {old} is {n_old} which does not match "
    "the computed number of elements {n_new}. Note that this may occur as a result of rounding "
    "error. The out tensor will be resized to a tensor of shape ({n_new},).")


# --------------------------------------------------------------------------- helpers
def _tensor_cls():
    from ._tensor import Tensor
    return Tensor


def _any_requires_grad(objs, Tensor) -> bool:
    stack = list(objs)
    while stack:
        o = stack.pop()
        if isinstance(o, Tensor):
            if o._requires_grad:
                return True
        elif isinstance(o, (list, tuple)):
            stack.extend(o)
    return False


def _fmt(msg, res, out, **extra):
    r, o = _name(res), _name(out)
    return msg.format(R=_title(r), O=_title(o), r=_c10(r), o=_c10(o),
                      **extra)


def _shape_str(shape) -> str:
    return "[" + ", ".join(str(int(s)) for s in shape) + "]"


def _write(out, arr, warn_msg=_RESIZE_WARNING, copy=True):
    """Resize ``out`` to ``arr``'s shape if needed, copy ``arr`` into it, bump its version."""
    from ._ops.inplace import bump, resize_
    a = out._array
    if a.shape != arr.shape:
        if a.size and warn_msg is not None:
            warnings.warn(warn_msg.format(old=_shape_str(a.shape), new=_shape_str(arr.shape),
                                          n_old=a.size, n_new=arr.size), UserWarning,
                          stacklevel=4)
        resize_(out, arr.shape)
    if copy:
        np.copyto(out._array, arr, casting="unsafe")
        bump(out)


def _type_name(obj) -> str:
    if isinstance(obj, _tensor_cls()):
        return "Tensor"
    mod = type(obj).__module__
    return type(obj).__name__ if mod == "builtins" else f"{mod}.{type(obj).__name__}"


def _check_out_type(name, out, Tensor, n):
    if n == 1:
        if not isinstance(out, Tensor):
            raise TypeError(f"{name}(): argument 'out' must be Tensor, not {_type_name(out)}")
        return (out,)
    if not isinstance(out, (tuple, list)) or not all(isinstance(o, Tensor) for o in out):
        raise TypeError(f"{name}(): argument 'out' must be tuple of Tensors, not "
                        f"{_type_name(out)}")
    if len(out) != n:
        raise TypeError(f"expected tuple of {n} elements but got {len(out)}")
    return tuple(out)


def write_out(name, fn, args, kwargs, out):
    """``fn(*args, **kwargs)`` written into ``out`` with PyTorch's rules (see the module
    docstring); returns ``out`` (a tuple of outs for max(dim), sort, topk, ...)."""
    from .autograd.grad_mode import _state
    Tensor = _tensor_cls()
    rule, msg, canon = OUT_FUNCTIONS[name]
    canon = canon or name
    tuple_out = rule == "tuple" or rule == "maxmin" and isinstance(out, (tuple, list))
    outs = _check_out_type(name, out, Tensor, 2 if tuple_out else 1)
    grad_check = _state.enabled and name not in _NO_GRAD_CHECK and \
        _any_requires_grad((args, kwargs.values(), outs), Tensor)
    bad = _UNSUPPORTED.get(name)
    if bad is not None and outs[0]._array.dtype.kind in bad[0] and \
            (rule != "factory" or kwargs.get("dtype") is None):
        raise bad[1](_fmt(bad[2], outs[0]._array, outs[0]._array))

    if rule == "factory":
        want = outs[0]._array.dtype
        dt = kwargs.get("dtype")
        if dt is not None:
            from . import _dtype as D
            dt = D.to_dtype(dt)
            if dt.np != want:
                raise RuntimeError(msg.format(D=_title(dt.name),
                                              O=_title(_name(outs[0]._array))))
        else:
            kwargs = dict(kwargs, dtype=_dtype_of(want))
        res = fn(*args, **kwargs)
        _write(outs[0], res._array, _ARANGE_WARNING if name == "arange" else None,
               copy=name != "empty")
        if kwargs.get("requires_grad"):
            outs[0].requires_grad_(True)
        return outs[0]

    if rule == "dtype":
        want = outs[0]._array.dtype
        dt = kwargs.get("dtype")
        if dt is not None:
            from . import _dtype as D
            dt = D.to_dtype(dt)
            if dt.np != want:
                raise RuntimeError(_EXACT.format(r=_c10(dt.name),
                                                 o=_c10(_name(outs[0]._array))))
        elif "dtype" in kwargs:
            kwargs = dict(kwargs, dtype=_dtype_of(want))

    res = fn(*args, **kwargs)
    if tuple_out and not isinstance(res, tuple):  # e.g. median(x, out=(v, i)) without dim
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {_type_name(out)}")
    results = tuple(res) if tuple_out else (res,)
    if grad_check and any(r._array.dtype.kind in "fc" for r in results[:1]):
        raise RuntimeError(f"{canon}(): functions with out=... arguments don't support "
                           "automatic differentiation, but one of the arguments requires grad.")
    if name in ("median", "nanmedian") and outs[1]._array.dtype != np.int64:
        o = _name(outs[1]._array)
        raise RuntimeError("Expected tensor for argument #1 'indices' to have scalar type Long; "
                           f"but got {_TENSOR_TYPE.get(o, f'torch.{_title(o)}Tensor')} "
                           "instead (while checking arguments for median)")
    for k, (r, o) in enumerate(zip(results, outs)):
        ra, oa = r._array, o._array
        if ra.dtype != oa.dtype:
            if rule == "dtype":
                continue  # (computed in out's dtype)
            if rule in ("cast", "cast_type") or rule == "maxmin" and not tuple_out:
                if name == "logsumexp" and oa.dtype.kind not in "fc":
                    raise RuntimeError(_fmt(msg, ra, oa))
                if not _can_cast(_name(ra), _name(oa)):
                    m = msg if rule != "maxmin" and name != "logsumexp" else _CAST
                    raise (TypeError if rule == "cast_type" else RuntimeError)(_fmt(m, ra, oa))
            elif name in ("searchsorted", "bucketize"):
                raise RuntimeError(_fmt(msg, ra, oa, flag=bool(kwargs.get("out_int32"))))
            else:
                raise RuntimeError(_fmt(msg, ra, oa, which=("values", "indices")[min(k, 1)]))
    warn = None if name in _NO_RESIZE_WARNING else _RESIZE_WARNING
    pairs = list(zip(results, outs))
    for r, o in (pairs[::-1] if name == "histogram" else pairs):  # (torch's resize order)
        _write(o, r._array, warn)
    if tuple_out:
        try:
            return type(res)(*outs)
        except TypeError:
            return tuple(outs)
    return outs[0]


def _dtype_of(npdtype):
    from . import _dtype as D
    return D.from_numpy_dtype(npdtype)


# --------------------------------------------------------------------------- the wrappers
_CO_VARARGS, _CO_VARKEYWORDS = 0x04, 0x08


def _layout(fn):
    """The parameter layout of ``fn`` (names and kinds, read off its code object, cheaper than
    inspect.signature at import time), without any ``out``."""
    code = fn.__code__
    names = code.co_varnames
    npos, nkw = code.co_argcount, code.co_kwonlyargcount
    i = npos + nkw
    var_pos = names[i] if code.co_flags & _CO_VARARGS else None
    i += bool(var_pos)
    var_kw = names[i] if code.co_flags & _CO_VARKEYWORDS else None
    kwonly = tuple(n for n in names[npos:npos + nkw] if n != "out")
    return names[:npos], code.co_posonlyargcount, var_pos, kwonly, var_kw


def _source(tag, layout):
    """A wrapper for every function of this layout; ``_fn`` and ``_name`` are its globals,
    its defaults are the wrapped function's (set on the function object)."""
    pos, posonly, var_pos, kwonly, var_kw = layout
    decl = []
    for j, n in enumerate(pos):
        decl.append(n)
        if posonly and j == posonly - 1:
            decl.append("/")
    decl.append("*" + var_pos if var_pos else "*")
    decl.extend(kwonly)
    decl.append("out")
    if var_kw:
        decl.append("**" + var_kw)
    call_pos = list(pos) + (["*" + var_pos] if var_pos else [])
    call = ", ".join(call_pos + [f"{n}={n}" for n in kwonly] + (["**" + var_kw] if var_kw
                                                                 else []))
    kw_dict = "{" + ", ".join(f"{n!r}: {n}" for n in kwonly) + "}"
    if var_kw:
        kw_dict = f"{{**{kw_dict}, **{var_kw}}}"
    args = "(" + "".join(c + ", " for c in call_pos) + ")"
    return (f"def _w{tag}({', '.join(decl)}):\n"
            f"    if out is None:\n"
            f"        return _fn({call})\n"
            f"    return _write_out(_name, _fn, {args}, {kw_dict}, out)\n")


def install(namespace: dict) -> None:
    """Replace each function of ``namespace`` named in :data:`OUT_FUNCTIONS` by its wrapper.

    The wrappers' code is compiled once per parameter layout (a few dozen layouts for ~180
    functions), so this costs little at ``import ember``."""
    import types
    todo, layouts = [], {}
    for name in OUT_FUNCTIONS:
        fn = namespace.get(name)
        if getattr(fn, "__code__", None) is None or hasattr(fn, "__ember_out__"):
            continue
        layout = _layout(fn)
        layouts.setdefault(layout, len(layouts))
        todo.append((name, fn, layout))
    env: dict = {}
    src = "".join(_source(tag, layout) for layout, tag in layouts.items())
    exec(compile(src, "<ember out= wrappers (ember/_out.py)>", "exec"), env)  # noqa: S102
    for name, fn, layout in todo:
        w = types.FunctionType(env[f"_w{layouts[layout]}"].__code__,
                               {"_fn": fn, "_name": name, "_write_out": write_out,
                                "__builtins__": __builtins__}, name, fn.__defaults__)
        w.__kwdefaults__ = {**(fn.__kwdefaults__ or {}), "out": None}
        w.__qualname__, w.__doc__, w.__module__ = fn.__qualname__, fn.__doc__, fn.__module__
        w.__ember_out__ = fn  # the function without out= (inspect.signature reads w's own)
        namespace[name] = w
