"""Families ``unary`` and ``binary``: elementwise math, comparison, bitwise and logical ops,
with Python-scalar operands on either side and type promotion between all dtypes."""
from __future__ import annotations

import ember

from .compare import ELEM, ELEM_LOOSE, EXACT
from .inputs import DTYPES, FLOATS
from .spec import register


def _has_method(name):
    return hasattr(ember.Tensor, name)


# ------------------------------------------------------------------------------ unary

def _unary(name, *, tol=ELEM):
    """``lib.name(a)`` or ``a.name()`` (where ember has the method) on any dtype."""
    forms = ["lib.{n}({a})"] + (["{a}.{n}()"] if _has_method(name) else [])

    def build(cb):
        a = cb.tensor()
        return cb.choice(forms).format(n=name, a=a)
    register(name, "unary", build, tol=tol)


for _n in ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sin", "cos",
           "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
           "sigmoid", "erf", "erfc", "reciprocal", "square"]:
    _unary(_n)
_unary("erfinv", tol=ELEM_LOOSE)
_unary("logit", tol=ELEM_LOOSE)
for _n in ["abs", "neg", "negative", "sign", "sgn", "floor", "ceil", "trunc", "fix", "frac",
           "round", "relu", "clone"]:
    _unary(_n, tol=EXACT if _n not in ("frac",) else ELEM)
for _n in ["isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit"]:
    _unary(_n, tol=EXACT)
for _n in ["bitwise_not", "logical_not"]:
    _unary(_n, tol=EXACT)
_unary("nan_to_num", tol=EXACT)


def _kw_round(cb):
    return f"decimals={cb.int(-2, 3)}"


def _kw_nan_to_num(cb):
    parts = []
    for k in ("nan", "posinf", "neginf"):
        if cb.often(2):
            parts.append(f"{k}={cb.scalar('num')}")
    return ", ".join(parts)


def _kw_clamp(cb):
    lo, hi = cb.scalar("num"), cb.scalar("num")
    return cb.choice([f"{lo}, {hi}", f"min={lo}", f"max={hi}", f"min={lo}, max={hi}"])


def _kw_logit_eps(cb):
    return f"eps={cb.choice(['1e-6', '0.25', '0.0', '0.5'])}"


register("round_decimals", "unary", lambda cb: f"lib.round({cb.tensor()}, {_kw_round(cb)})")
register("nan_to_num_args", "unary",
         lambda cb: f"lib.nan_to_num({cb.tensor()}, {_kw_nan_to_num(cb)})".replace(", )", ")"),
         tol=EXACT)
register("clamp", "unary", lambda cb: f"lib.clamp({cb.tensor()}, {_kw_clamp(cb)})", tol=EXACT)
register("clamp_method", "unary", lambda cb: f"{cb.tensor()}.clamp({_kw_clamp(cb)})", tol=EXACT)
register("clamp_min", "unary", lambda cb: f"lib.clamp_min({cb.tensor()}, {cb.scalar('num')})",
         tol=EXACT)
register("clamp_max", "unary", lambda cb: f"lib.clamp_max({cb.tensor()}, {cb.scalar('num')})",
         tol=EXACT)
register("logit_eps", "unary", lambda cb: f"lib.logit({cb.tensor()}, {_kw_logit_eps(cb)})",
         tol=ELEM_LOOSE)
register("pow_scalar", "unary",
         lambda cb: f"{cb.tensor()} ** " + cb.choice(
             ['2', '3', '0', '-1', '-2', '0.5', '2.5', '-1.5', '1', 'True', 'nan']),
         tol=ELEM)
register("rpow_scalar", "unary",
         lambda cb: f"{cb.choice(['2', '2.5', '0', '-1', '0.5', 'True'])} ** {cb.tensor()}",
         tol=ELEM)
register("float_power_scalar", "unary",
         lambda cb: f"lib.float_power({cb.tensor()}, {cb.choice(['2', '0.5', '-1', '3'])})")
register("neg_op", "unary", lambda cb: f"-{cb.tensor()}", tol=EXACT)
register("pos_op", "unary", lambda cb: f"+{cb.tensor()}", tol=EXACT)
register("invert_op", "unary",
         lambda cb: f"~{cb.tensor(dtype=cb.dtype(prefer=('bool', 'int64', 'uint8')))}", tol=EXACT)
register("abs_builtin", "unary", lambda cb: f"abs({cb.tensor()})", tol=EXACT)
register("item", "unary",
         lambda cb: f"{cb.tensor(shape=cb.choice([(), (1,), (1, 1), (2,)]))}.item()",
         tol=EXACT)
register("tolist", "unary", lambda cb: f"{cb.tensor()}.tolist()", tol=EXACT, grad=False)
register("float_builtin", "unary",
         lambda cb: f"{cb.choice(['float', 'int', 'bool'])}"
                    f"({cb.tensor(shape=cb.choice([(), (1,), (2,)]))})",
         tol=EXACT, values="cast")


# ------------------------------------------------------------------------------ binary

def _operands(cb, *, dtypes=DTYPES, prefer=None, no_int_min=False, scalar_left=True,
              scalar_right=True):
    """(a, b) source: two broadcastable tensors, or a tensor and a Python scalar / 0-d tensor
    on either side (the left scalar only for operator forms, ``scalar_left``)."""
    sa, sb = cb.broadcast_shapes(2)
    a = cb.tensor(sa, cb.dtype(dtypes, prefer), no_int_min=no_int_min)
    modes = ["tensor"] + (["scalar"] if scalar_right else []) + ["zero_dim"] + \
        (["scalar_left"] if scalar_left else [])
    mode = cb.choice(modes)
    if mode == "tensor":
        return a, cb.tensor(sb, cb.dtype(dtypes, prefer), no_int_min=no_int_min)
    if mode == "zero_dim":
        return a, cb.tensor((), cb.dtype(dtypes, prefer), no_int_min=no_int_min)
    s = cb.scalar("any")
    return (a, s) if mode == "scalar" else (s, a)


def _binary(name, *, fn=None, op=None, method=None, tol=ELEM, kwargs=None, no_int_min=False,
            dtypes=DTYPES, prefer=None, values="full"):
    fn = name if fn is None else fn
    method = (fn if fn and _has_method(fn) else None) if method is None else method

    def build(cb):
        forms = []
        if fn:
            forms.append("fn")
        if method:
            forms.append("method")
        if op:
            forms.append("op")
        form = cb.choice(forms)
        a, b = _operands(cb, dtypes=dtypes, prefer=prefer, no_int_min=no_int_min,
                         scalar_left=form == "op")
        kw = kwargs(cb) if kwargs else ""
        kw = ", " + kw if kw else ""
        if form == "op":
            return f"{a} {op} {b}"
        if form == "method":
            return f"{a}.{method}({b}{kw})"
        return f"lib.{fn}({a}, {b}{kw})"
    register(name, "binary", build, tol=tol, values=values)


def _alpha(cb):
    return f"alpha={cb.scalar('num')}" if cb.rarely(3) else ""


def _rounding(cb):
    return cb.choice(["", "rounding_mode='trunc'", "rounding_mode='floor'", "rounding_mode=None"])


_binary("add", op="+", kwargs=_alpha)
_binary("sub", op="-", kwargs=_alpha)
_binary("mul", op="*")
_binary("div", op="/", kwargs=_rounding, no_int_min=True)
_binary("true_divide")
_binary("floor_divide", op="//", no_int_min=True)
_binary("remainder", op="%", no_int_min=True)
_binary("fmod", no_int_min=True)
_binary("pow", op="**")
_binary("float_power")
_binary("atan2")
for _n in ["maximum", "minimum", "fmax", "fmin"]:
    _binary(_n, tol=EXACT)
for _n, _o in [("eq", "=="), ("ne", "!="), ("lt", "<"), ("le", "<="), ("gt", ">"), ("ge", ">=")]:
    _binary(_n, op=_o, tol=EXACT)
for _n in ["logical_and", "logical_or", "logical_xor"]:
    _binary(_n, tol=EXACT)
for _n, _o in [("bitwise_and", "&"), ("bitwise_or", "|"), ("bitwise_xor", "^")]:
    _binary(_n, op=_o, tol=EXACT, prefer=("bool", "int64", "uint8", "int8"))


def _isclose_kw(cb):
    return cb.choice(["", "equal_nan=True", "rtol=0.1, atol=0.5", "rtol=0, atol=0"])


_binary("isclose", kwargs=_isclose_kw, tol=EXACT)


def _where(cb):
    sc, sa, sb = cb.broadcast_shapes(3)
    c = cb.mask(sc) if cb.often(6) else cb.tensor(sc)
    a_tensor = cb.often(3)
    a = cb.tensor(sa) if a_tensor else cb.scalar("any")
    b = cb.tensor(sb) if cb.often(3) else cb.scalar("any")
    if a_tensor and cb.often(2):
        return f"{a}.where({c}, {b})"
    return f"lib.where({c}, {a}, {b})"


register("where", "binary", _where, tol=EXACT)


def _lerp(cb):
    sa, sb, sw = cb.broadcast_shapes(3)
    dt = cb.dtype(FLOATS, prefer=FLOATS)
    a = cb.tensor(sa, dt if cb.often(6) else cb.dtype())
    b = cb.tensor(sb, dt if cb.often(6) else cb.dtype())
    w = cb.tensor(sw, dt) if cb.often(2) else cb.scalar("float")
    return f"lib.lerp({a}, {b}, {w})"


register("lerp", "binary", _lerp, tol=ELEM_LOOSE)


def _addc(name):
    def build(cb):
        s1, s2, s3 = cb.broadcast_shapes(3)
        dt = cb.dtype(prefer=FLOATS)
        a, b, c = (cb.tensor(s, dt if cb.often(6) else cb.dtype()) for s in (s1, s2, s3))
        v = f", value={cb.scalar('num')}" if cb.often(2) else ""
        return f"lib.{name}({a}, {b}, {c}{v})"
    register(name, "binary", build, tol=ELEM_LOOSE)


_addc("addcmul")
_addc("addcdiv")


def _masked_fill(cb):
    sa, sm = cb.broadcast_shapes(2)
    a = cb.tensor(sa)
    m = cb.mask(sm)
    v = cb.scalar("any") if cb.often(2) else cb.tensor((), grad=False)
    return cb.choice([f"lib.masked_fill({a}, {m}, {v})", f"{a}.masked_fill({m}, {v})"])


register("masked_fill", "binary", _masked_fill, tol=EXACT)


def _clamp_tensor(cb):
    sa, sl, sh = cb.broadcast_shapes(3)
    a = cb.tensor(sa)
    lo = cb.tensor(sl) if cb.often(2) else "None"
    hi = cb.tensor(sh) if cb.often(2) or lo == "None" else "None"
    return f"lib.clamp({a}, {lo}, {hi})"


register("clamp_tensor", "binary", _clamp_tensor, tol=EXACT)
