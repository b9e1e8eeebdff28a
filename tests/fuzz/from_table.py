"""Family ``table``: the entries of tests/op_table.py, mutated.

Each table entry keeps its function and the shapes of its samples (they are what makes the
call valid: view(3, 2) needs 6 elements); the fuzzer redraws the float inputs' dtype (every
float dtype, and integer/bool ones for entries marked ``int_ok``), values (edge values
included) and layout (non-contiguous views).  Integer and bool sample arrays (indices, masks)
are kept as they are.  The reproducer calls the entry's own lambda, whose source is recovered
here (closure constants such as the op name are substituted); entries whose function is not a
self-contained lambda (getitem/setitem closures, helpers) are left to the other families.
"""
from __future__ import annotations

import ast
import builtins
import inspect
import sys
import textwrap
from pathlib import Path

import numpy as np

from .compare import ACCUM1, ACCUM2, ACCUM_LOOSE, ELEM, EXACT
from .inputs import DTYPES, FLOATS, UNIQUE_OK
from .spec import register

_TESTS = str(Path(__file__).resolve().parent.parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)
import op_table  # noqa: E402  (tests/op_table.py)

_SAFE_GLOBALS = {"lib", "np"}


def lambda_source(fn) -> str | None:
    """``lambda lib, a, b: ...`` as source, closure constants inlined; None if not
    self-contained."""
    try:
        src = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError):
        return None
    lines = src.splitlines()
    tree = None
    for k in range(len(lines), 0, -1):
        try:
            tree = ast.parse("\n".join(lines[:k]))
            break
        except SyntaxError:
            continue
    if tree is None:
        return None
    code = fn.__code__
    params = list(code.co_varnames[:code.co_argcount])
    cands = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda)
             and [a.arg for a in n.args.args] == params]
    if len(cands) != 1:
        return None
    lam = cands[0]
    consts = {}
    for name, cell in zip(code.co_freevars, fn.__closure__ or ()):
        v = cell.cell_contents
        if not isinstance(v, (str, int, float, bool, tuple)):
            return None
        consts[name] = v

    class Inline(ast.NodeTransformer):
        def visit_Name(self, node):
            if node.id in consts:
                return ast.copy_location(ast.Constant(consts[node.id]), node)
            return node

        def visit_Call(self, node):  # getattr(lib, "exp") -> lib.exp
            self.generic_visit(node)
            f = node.func
            if isinstance(f, ast.Name) and f.id == "getattr" and len(node.args) == 2 and \
                    isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                return ast.copy_location(ast.Attribute(node.args[0], node.args[1].value,
                                                       ast.Load()), node)
            return node

    lam = Inline().visit(lam)
    defaults = fn.__defaults__ or ()  # ``m=_m`` of a row made in a loop: its value, inlined
    if not all(isinstance(v, (str, int, float, bool, tuple, type(None))) for v in defaults):
        return None
    lam.args.defaults = [ast.Constant(v) for v in defaults]
    used = {n.id for n in ast.walk(lam.body) if isinstance(n, ast.Name)}
    if used - set(params) - _SAFE_GLOBALS - set(dir(builtins)):
        return None
    return ast.unparse(lam)


# tolerance classes by entry-name prefix, first match wins (see compare.Tol)
_TOLS = [
    (ACCUM1, ("sum", "mean", "cumsum", "logsumexp", "softmax", "log_softmax", "lerp", "div",
              "true_divide", "rdiv", "truediv", "addc", "scatter_add", "where")),
    (ACCUM2, ("matmul", "mm", "bmm", "mv", "dot", "outer", "addmm", "einsum", "var", "std",
              "prod", "cumprod")),
    (ACCUM_LOOSE, ("norm", "softplus", "pow", "rpow", "erf", "exp", "expm1", "sigmoid")),
    (ELEM, ("round_decimals",)),
    (EXACT, ("max", "min", "amax", "amin", "argmax", "argmin", "sort", "topk", "view",
             "reshape", "flatten", "unflatten", "squeeze", "unsqueeze", "permute", "transpose",
             "t", "T", "mT", "expand", "repeat", "tile", "cat", "stack", "split", "chunk",
             "unbind", "narrow", "flip", "roll", "gather", "scatter", "index", "tril", "triu",
             "diag", "clone", "contiguous", "masked", "clamp", "clip", "neg", "abs", "relu",
             "sign", "floor", "ceil", "round", "trunc", "eq", "ne", "lt", "le", "gt", "ge",
             "logical", "invert", "isnan", "all", "any", "maximum", "minimum")),
]


def _tol(name):
    for tol, prefixes in _TOLS:
        if any(name == p or name.startswith(p + "_") for p in prefixes):
            return tol
    return ELEM


# entries whose index results are unspecified among equal values: drawn without ties
_TIES = ("sort", "sort_desc", "sort_method", "sort_empty", "topk", "topk_smallest")


def _table_op(o, src):
    ints_ok = o.int_ok
    unique = o.name in _TIES

    def build(cb):
        k = cb.int(0, len(o.samples) - 1)
        sample = o.samples[k]
        names = []
        allowed = UNIQUE_OK if unique else FLOATS + (DTYPES[3:] if ints_ok else ())
        float_dt = cb.dtype(allowed, prefer=FLOATS)
        for a in sample.args:
            if isinstance(a, np.ndarray):
                if a.dtype.kind == "f":
                    dt = float_dt if cb.often(6) else cb.dtype(FLOATS)
                    keep = cb.often(3)
                    names.append(cb.tensor(a.shape, dt, values=a if keep and not unique
                                           else None, unique=unique))
                else:
                    names.append(cb.tensor(a.shape, a.dtype.name, values=a, layout=cb.often(2),
                                           grad=False))
            else:
                names.append(repr(a))
        cb.stmt(f"fn = {src}")
        return f"fn(lib, {', '.join(names)})"

    register("table:" + o.name, "table", build, tol=_tol(o.name), grad=o.grad and
             o.torch_backward, grad2=o.gradgrad)


SKIPPED = []
for _o in op_table.OPS:
    _src = lambda_source(_o.fn)
    if _src is None:
        SKIPPED.append(_o.name)
        continue
    _table_op(_o, _src)
