"""``ember.autograd.explain(loss)``: a backward pass told as the chain rule.

It runs ``loss.backward()`` (the real one: ``.grad`` ends up exactly as ``backward`` leaves it)
while recording, for each node in the order the engine runs it: the op, the gradient arriving
at its output (``dL/dy``), the local derivative it applies (``dy/dx = 2*x = 4``), the gradient
it sends to each input and where that goes (another node, or a leaf's ``.grad``)::

    >>> x = ember.tensor(2.0, requires_grad=True)
    >>> y = x ** 2
    >>> steps = ember.autograd.explain(y)
    backward pass of L = y: 1 node, in the order the engine runs them;
    each applies the chain rule  dL/d(input) = dL/d(output) * d(output)/d(input)
    [1] PowBackward0 y = x**2
        incoming  dL/dy = 1  (the seed: dL/dL = 1)
        local     dy/dx = 2*x = 4
        sends     dL/dx = dL/dy * dy/dx = 4 -> x.grad
    gradients accumulated into .grad:
        x.grad = 4

Small tensors (``<= max_values`` elements) are printed in full, larger ones as shape and norm.
The recording is done with node hooks that are removed afterwards; the engine is unchanged.
Names come from ``params`` and from the caller's variables (``x``, ``model.fc1.weight``).
"""
from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from types import FrameType
from typing import IO, Any, Mapping, Sequence

from .._backend import ndarray, nx, xp
from .._tensor import Tensor, _make
from .graph import AccumulateGrad, get_accumulator

__all__ = ["explain", "Step", "LeafGrad", "Explanation"]

_NAME_FRAMES = 4  # how many calling frames lend their variable names
_LOCAL_LIMIT = 4096  # compute numeric local derivatives only for tensors up to this size


@dataclass
class Step:
    """One node of the backward pass, in the order the engine ran it.

    ``grad_in``: dL/d(output) per output of the node (Tensors, None where nothing arrived);
    ``local``: the local derivative d(output)/d(input) per input as numbers, for elementwise ops
    and ops with a scalar output (else None); ``grads_out``: the gradient sent to each input,
    already reduced to the input's shape (None for inputs that need no gradient); ``targets``:
    where each goes (``'x.grad'``, ``'AddBackward0 (z)'``) or None.
    """

    index: int
    op: str
    output: str
    forward: str
    formula: str
    grad_in: tuple
    local: tuple | None
    grads_out: tuple
    targets: tuple
    inputs: tuple
    node: object = field(repr=False, compare=False, default=None)


@dataclass
class LeafGrad:
    """A leaf reached by the pass: ``grad`` what this pass sent it, ``total`` its ``.grad``
    afterwards (equal unless ``.grad`` held something before)."""

    name: str
    tensor: Tensor = field(repr=False)
    grad: Tensor | None
    total: Tensor | None


class Explanation(list):
    """The list of ``Step`` records, plus ``leaves`` (``LeafGrad``) and ``text()``."""

    def __init__(self, steps: list[Step], leaves: list[LeafGrad], root: str,
                 max_values: int, seeded: bool = False) -> None:
        super().__init__(steps)
        self.leaves = leaves
        self.root = root  # the loss's name in the text
        self.max_values = max_values
        self.seeded = seeded  # a gradient was given to backward

    def grads(self) -> dict[str, Any]:
        """{leaf name: gradient this pass sent it}."""
        return {lg.name: lg.grad for lg in self.leaves}

    def text(self, max_values: int | None = None) -> str:
        return _render(self, self.max_values if max_values is None else max_values)

    def __str__(self) -> str:
        return self.text()


# ------------------------------------------------------------------------------ formulas
# name -> (forward expression, per-input local derivative).  Symbols: {o} the node's output,
# {a} {b} {c} its inputs, {t} a constant input (target), plus the node's attributes ({e}, {n}).
# A local entry starting with "dL/" is a gradient rule (non-elementwise ops); otherwise it is
# the derivative d{o}/d{input} that multiplies the incoming gradient elementwise.
_UNARY = {
    "Exp": ("exp({a})", "exp({a}) = {o}"), "Exp2": ("2**{a}", "2**{a} * log(2)"),
    "Expm1": ("exp({a}) - 1", "exp({a}) = {o} + 1"), "Log": ("log({a})", "1/{a}"),
    "Log2": ("log2({a})", "1/({a}*log(2))"), "Log10": ("log10({a})", "1/({a}*log(10))"),
    "Log1p": ("log(1 + {a})", "1/(1 + {a})"), "Sqrt": ("sqrt({a})", "1/(2*sqrt({a})) = 1/(2*{o})"),
    "Rsqrt": ("1/sqrt({a})", "-1/(2*{a}**1.5) = -{o}**3/2"),
    "Reciprocal": ("1/{a}", "-1/{a}**2 = -{o}**2"), "Sin": ("sin({a})", "cos({a})"),
    "Cos": ("cos({a})", "-sin({a})"), "Tan": ("tan({a})", "1 + tan({a})**2 = 1 + {o}**2"),
    "Asin": ("asin({a})", "1/sqrt(1 - {a}**2)"), "Acos": ("acos({a})", "-1/sqrt(1 - {a}**2)"),
    "Atan": ("atan({a})", "1/(1 + {a}**2)"), "Sinh": ("sinh({a})", "cosh({a})"),
    "Cosh": ("cosh({a})", "sinh({a})"), "Tanh": ("tanh({a})", "1 - tanh({a})**2 = 1 - {o}**2"),
    "Sigmoid": ("sigmoid({a})", "sigmoid({a})*(1 - sigmoid({a})) = {o}*(1 - {o})"),
    "Relu": ("relu({a})", "1 where {a} > 0, else 0"), "Abs": ("|{a}|", "sign({a})"),
    "LeakyRelu": ("leaky_relu({a})", "1 where {a} > 0, else negative_slope"),
    "Elu": ("elu({a})", "1 where {a} > 0, else {o} + alpha"),
    "Gelu": ("gelu({a})", "Phi({a}) + {a}*phi({a})  (Phi, phi: normal cdf, pdf)"),
    "Silu": ("silu({a}) = {a}*sigmoid({a})", "sigmoid({a})*(1 + {a}*(1 - sigmoid({a})))"),
    "Softplus": ("softplus({a})", "sigmoid(beta*{a})"), "Erf": ("erf({a})",
                                                              "2/sqrt(pi) * exp(-{a}**2)"),
    "Hardtanh": ("hardtanh({a})", "1 inside [min_val, max_val], else 0"),
    "Clamp": ("clamp({a}, min, max)", "1 where min <= {a} <= max, else 0"),
    "Logit": ("log({a}/(1 - {a}))", "1/({a}*(1 - {a}))"),
    "Clone": ("clone({a})", "1"), "ToCopy": ("{a}.to(dtype)", "1 (cast back to {a}'s dtype)"),
    "NativeDropout": ("dropout({a})", "mask/(1 - p): 0 for dropped elements"),
    "Neg": ("-{a}", "-1"),
}
_RULES: dict[str, tuple[str, tuple[str | None, ...]]] = {
    f"{k}Backward0": (f, (d,)) for k, (f, d) in _UNARY.items()}
_RULES["ClampBackward1"] = _RULES.pop("ClampBackward0")
_RULES.update({
    "AddBackward0": ("{a} + {b}", ("1", "1")),
    "SubBackward0": ("{a} - {b}", ("1", "-1")),
    "RsubBackward1": ("{b} - {a}", ("-1", "1")),
    "MulBackward0": ("{a} * {b}", ("{b}", "{a}")),
    "DivBackward0": ("{a} / {b}", ("1/{b}", "-{a}/{b}**2")),
    "PowBackward1": ("{a}**{b}", ("{b}*{a}**({b} - 1)", "{a}**{b} * log({a}) = {o} * log({a})")),
    "PowBackward2": ("base**{a}", ("base**{a} * log(base) = {o} * log(base)",)),
    "MaximumBackward0": ("maximum({a}, {b})", ("1 where {a} > {b}, 0.5 on ties, else 0",
                                               "1 where {b} > {a}, 0.5 on ties, else 0")),
    "MinimumBackward0": ("minimum({a}, {b})", ("1 where {a} < {b}, 0.5 on ties, else 0",
                                               "1 where {b} < {a}, 0.5 on ties, else 0")),
    "WhereBackward0": ("where(cond, {b}, {c})", (None, "1 where cond, else 0",
                                                  "0 where cond, else 1")),
    "SumBackward0": ("sum({a})", ("1 for every element",)),
    "SumBackward1": ("{a}.sum(dim)", ("dL/d{a} = dL/d{o} broadcast back over the summed dims",)),
    "MeanBackward0": ("mean({a})", ("1/n = 1/{n} for every element",)),
    "MeanBackward1": ("{a}.mean(dim)", ("dL/d{a} = dL/d{o} / {n}, broadcast back over the "
                                        "reduced dims",)),
    "MmBackward0": ("{a} @ {b}", ("dL/d{a} = dL/d{o} @ {b}^T", "dL/d{b} = {a}^T @ dL/d{o}")),
    "BmmBackward0": ("{a} @ {b} (batched)", ("dL/d{a} = dL/d{o} @ {b}^T (per batch)",
                                             "dL/d{b} = {a}^T @ dL/d{o} (per batch)")),
    "AddmmBackward0": ("{a} + {b} @ {c}", ("dL/d{a} = dL/d{o} summed over the broadcast rows",
                                           "dL/d{b} = dL/d{o} @ {c}^T",
                                           "dL/d{c} = {b}^T @ dL/d{o}")),
    "MvBackward0": ("{a} @ {b}", ("dL/d{a} = outer(dL/d{o}, {b})", "dL/d{b} = {a}^T @ dL/d{o}")),
    "SqueezeBackward4": ("{a} @ {b}", ("dL/d{a} = {b} @ dL/d{o}", "dL/d{b} = outer({a}, dL/d{o})")),
    "DotBackward0": ("dot({a}, {b})", ("{b}", "{a}")),
    "TBackward0": ("{a}^T", ("dL/d{a} = (dL/d{o})^T",)),
    "TransposeBackward0": ("{a}.transpose(i, j)", ("dL/d{a} = dL/d{o} with the dims swapped "
                                                   "back",)),
    "PermuteBackward0": ("{a}.permute(dims)", ("dL/d{a} = dL/d{o} with the dims permuted back",)),
    "ViewBackward0": ("{a}.view(shape)", ("dL/d{a} = dL/d{o} reshaped to {a}'s shape",)),
    "ReshapeAliasBackward0": ("{a}.reshape(shape)", ("dL/d{a} = dL/d{o} reshaped to {a}'s "
                                                     "shape",)),
    "ExpandBackward0": ("{a}.expand(shape)", ("dL/d{a} = dL/d{o} summed over the expanded dims",)),
    "SliceBackward0": ("{a}[slice]", ("dL/d{a} = zeros with dL/d{o} in the sliced positions",)),
    "SelectBackward0": ("{a}[i]", ("dL/d{a} = zeros with dL/d{o} at the selected index",)),
    "IndexBackward0": ("{a}[index]", ("dL/d{a} = zeros with dL/d{o} added at the indexed "
                                      "positions",)),
    "CatBackward0": ("cat([...])", ("dL/d(each input) = its slice of dL/d{o}",)),
    "StackBackward0": ("stack([...])", ("dL/d(each input) = its slice of dL/d{o}",)),
    "BinaryCrossEntropyWithLogitsBackward0": (
        "binary_cross_entropy_with_logits({a}, {t})", ("(sigmoid({a}) - {t}) / n",)),
    "BinaryCrossEntropyBackward0": ("binary_cross_entropy({a}, {t})",
                                    ("({a} - {t}) / ({a}*(1 - {a})) / n",)),
    "MseLossBackward0": ("mse_loss({a}, {b})", ("2*({a} - {b}) / n", "-2*({a} - {b}) / n")),
    "L1LossBackward0": ("l1_loss({a}, {b})", ("sign({a} - {b}) / n", "-sign({a} - {b}) / n")),
    "NllLossBackward0": ("nll_loss({a}, target)", ("-1/n at each row's target class, 0 "
                                                  "elsewhere",)),
    "LogSoftmaxBackward0": ("log_softmax({a})", ("dL/d{a} = dL/d{o} - softmax({a}) * "
                                                 "sum(dL/d{o}) along dim",)),
    "SoftmaxBackward0": ("softmax({a})", ("dL/d{a} = {o} * (dL/d{o} - sum(dL/d{o} * {o}) along "
                                          "dim)",)),
    "LogsumexpBackward0": ("logsumexp({a})", ("dL/d{a} = dL/d{o} * softmax({a})",)),
    "ConvolutionBackward0": ("conv({a}, {b}) + {c}", (
        "dL/d{a} = dL/d{o} convolved back with {b} (transposed convolution)",
        "dL/d{b} = correlation of {a} with dL/d{o}",
        "dL/d{c} = dL/d{o} summed over batch and spatial dims")),
    "MaxPool2DWithIndicesBackward0": ("max_pool2d({a})", (
        "dL/d{a} = dL/d{o} routed to each window's max position, 0 elsewhere",)),
    "AvgPool2DBackward0": ("avg_pool2d({a})", (
        "dL/d{a} = dL/d{o} spread evenly over each window (divided by its size)",)),
    "NativeBatchNormBackward0": ("batch_norm({a}, weight={b}, bias={c})", (
        "dL/d{a} = weight/sigma * (g - mean(g) - x_hat*mean(g*x_hat)) per channel",
        "dL/d{b} = sum(dL/d{o} * x_hat) per channel", "dL/d{c} = sum(dL/d{o}) per channel")),
    "NativeLayerNormBackward0": ("layer_norm({a}, weight={b}, bias={c})", (
        "dL/d{a} = weight/sigma * (g - mean(g) - x_hat*mean(g*x_hat)) per row",
        "dL/d{b} = sum(dL/d{o} * x_hat) over rows", "dL/d{c} = sum(dL/d{o}) over rows")),
    "EmbeddingBackward0": ("{a}[indices]", ("dL/d{a} = dL/d{o} rows added into the looked-up "
                                            "rows",)),
})

# built-in ops whose grad_fn name is shared with a different formula (keyed by Op class name)
_OP_RULES = {
    "CrossEntropyIdx": ("cross_entropy({a}, target)  (log_softmax + nll_loss in one node)", (
        "(softmax({a}) - one_hot(target)) / n",)),
}

# ops whose output element k depends only on input element k (after broadcasting): the local
# derivative d(out)/d(in) is an array of the output's shape, the backward pass multiplies by it.
_ELEMENTWISE = {f"{k}Backward0" for k in _UNARY} | {
    "AddBackward0", "SubBackward0", "RsubBackward1", "MulBackward0", "DivBackward0",
    "PowBackward0", "PowBackward1", "PowBackward2", "MaximumBackward0", "MinimumBackward0",
    "WhereBackward0", "ClampBackward1", "ClampBackward0", "MaskedFillBackward0",
    "MaskedFillBackward1", "LerpBackward0", "LerpBackward1", "AddcmulBackward0",
    "AddcdivBackward0", "Atan2Backward0", "ErfcBackward0", "ErfinvBackward0", "HardswishBackward0",
    "HardsigmoidBackward0", "MishBackward0", "SoftshrinkBackward0", "HardshrinkBackward0",
    "ThresholdBackward0", "CeluBackward0", "SeluBackward0", "SoftsignBackward0"}


class _Default(dict):
    def __missing__(self, key):
        return key


def _num(v) -> str:
    v = float(v)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.4g}"


def _pow_rule(node, sym):
    e = getattr(node, "e", "e")
    a = sym["a"]
    fwd = f"{a}**{_num(e) if isinstance(e, (int, float)) else e}"
    if e == 2:
        local = f"2*{a}"
    elif isinstance(e, (int, float)):
        em1 = e - 1
        local = f"{_num(e)}*{a}**{_num(em1)}" if em1 != 1 else f"{_num(e)}*{a}"
    else:
        local = f"e*{a}**(e - 1)"
    return fwd, (local,)


def _rule(node, sym, n_in):
    """(forward text, per-input local text) for ``node``."""
    name = type(node).__name__
    if name == "PowBackward0":
        if getattr(node, "e", None) is None:  # Square op: x*x
            return f"{sym['a']}**2", (f"2*{sym['a']}",)
        return _pow_rule(node, sym)
    if name == "UnsafeViewBackward0":
        if n_in >= 2:
            name = "MmBackward0"
        else:
            return (f"{sym['a']}.reshape(shape)",
                    (f"dL/d{sym['a']} = dL/d{sym['o']} reshaped to {sym['a']}'s shape",))
    op = getattr(node, "_op", None)
    entry = _OP_RULES.get(op.__name__) if op is not None else None
    if entry is None:
        entry = _RULES.get(name)
    if entry is None:
        if name.startswith(("SqueezeBackward", "UnsqueezeBackward", "AliasBackward")):
            return (f"{name[:-9].lower()}({sym['a']})",
                    (f"dL/d{sym['a']} = dL/d{sym['o']} reshaped to {sym['a']}'s shape",))
        op = name[:-9] if name.endswith("Backward0") else name
        args = ", ".join(sym.get(k, "") for k in "abc"[:n_in]) or "..."
        how = (f"{type(node).__name__}'s backward" if "Backward" in name else
               f"{name}.backward(ctx, dL/d{sym['o']})")
        return (f"{op}({args})",
                tuple(f"dL/d{{{k}}} = vector-Jacobian product computed by {how}"
                      for k in "abcdefgh"[:n_in]))
    fwd, locs = entry
    return fwd, locs


def _fmt_rule(text, sym, node):
    m = _Default(sym)
    for k, v in vars(node).items():
        if not k.startswith("_") and isinstance(v, (int, float, str, tuple)):
            m.setdefault(k, v if not isinstance(v, float) else _num(v))
    try:
        return text.format_map(m)
    except (ValueError, IndexError, KeyError):
        return text


# ------------------------------------------------------------------------------ recording


class _Names:
    """Symbols for leaves, node outputs and constants: from ``params``, the caller's variables
    (modules give ``model.fc1.weight``), else generated (``v1``, ``leaf1``)."""

    def __init__(self, params, frame):
        self.leaf, self.out, self.arr = {}, {}, {}
        self._n_out = self._n_leaf = 0
        if params:
            for k, v in dict(params).items():
                self._add(k, v)
        scopes, seen = [], set()
        for _ in range(_NAME_FRAMES):  # the caller first, then the code that called it
            if frame is None:
                break
            for scope in (frame.f_locals, frame.f_globals):
                if id(scope) not in seen:
                    seen.add(id(scope))
                    scopes.append(scope)
            frame = frame.f_back
        for scope in scopes:
            for k, v in list(scope.items()):
                if k.startswith("_"):
                    continue
                if isinstance(v, Tensor):
                    self._add(k, v)
                elif hasattr(v, "named_parameters") and not isinstance(v, type):
                    try:
                        for pn, p in v.named_parameters():
                            self._add(f"{k}.{pn}", p)
                    except Exception:  # noqa: BLE001 - best effort naming only
                        pass

    def _add(self, name, t):
        if not isinstance(t, Tensor):
            return
        if t.grad_fn is not None:
            self.out.setdefault((t.grad_fn, t._output_nr), name)
        elif t._requires_grad:
            self.leaf.setdefault(id(t), name)
        self.arr.setdefault(id(t._array), name)

    def of_leaf(self, t):
        name = self.leaf.get(id(t))
        if name is None:
            self._n_leaf += 1
            name = self.leaf[id(t)] = f"leaf{self._n_leaf}"
        return name

    def of_output(self, node, nr):
        if node.__class__ is AccumulateGrad:
            return self.of_leaf(node.variable)
        name = self.out.get((node, nr))
        if name is None:
            self._n_out += 1
            name = self.out[(node, nr)] = f"v{self._n_out}"
        return name


def _as_tensor(a):
    if a is None:
        return None
    if isinstance(a, Tensor):
        return _make(a._array, False, None, 0, None)
    if a.__class__ is not ndarray:
        a = xp.asarray(a)
    return _make(a, False, None, 0, None)


def _arr(t):
    return None if t is None else (t._array if isinstance(t, Tensor) else t)


class _Recorder:
    def __init__(self, names):
        self.names = names
        self.steps = []
        self.pending = {}
        self.leaf_in = {}  # id(leaf) -> [leaf, grad array]
        self.senders = {}  # (node, nr) -> number of contributions
        self.handles = []

    def install(self, nodes):
        for node in nodes:
            state = (node, node._pre_hooks is None, node._hooks is None)
            pre = node.register_prehook(lambda grads, n=node: self._pre(n, grads))
            post = None
            if node.__class__ is not AccumulateGrad:
                post = node.register_hook(lambda gi, go, n=node: self._post(n, gi))
            self.handles.append((state, pre, post))

    def remove(self):
        for (node, no_pre, no_post), pre, post in self.handles:
            pre.remove()
            if post is not None:
                post.remove()
            if no_pre and node._pre_hooks is not None and not any(node._pre_hooks.values()):
                node._pre_hooks = None
            if no_post and node._hooks is not None and not node._hooks:
                node._hooks = None
        self.handles = []

    # -- hooks -----------------------------------------------------------------------------
    def _pre(self, node, grads):
        if node.__class__ is AccumulateGrad:
            g = _arr(grads[0])
            self.leaf_in[id(node.variable)] = [node.variable, g]
            return None
        garrs = tuple(_arr(g) for g in grads)
        n_in = len(node.next_functions)
        nm = self.names
        outs = [nm.of_output(node, k) for k in range(node._n_out)]
        live = [s for s, g in zip(outs, garrs) if g is not None] or outs
        sym = {"o": live[0] if len(live) == 1 else "(" + ", ".join(live) + ")"}
        inputs = []
        consts = self._saved_consts(node)
        for i, (u, nr) in enumerate(node.next_functions):
            if u is not None:
                s = nm.of_output(u, nr)
            elif node._in_meta[i] is None and consts:
                s = consts.pop(0)
            else:
                s = "const"
            inputs.append(s)
            if i < 8:
                sym["abcdefgh"[i]] = s
        sym["t"] = self._const_name(node)
        fwd, locs = _rule(node, sym, n_in)
        fwd = _fmt_rule(fwd, sym, node)
        locs = tuple(_fmt_rule(x, sym, node) if x else None for x in locs)
        step = Step(index=len(self.steps) + 1, op=type(node).__name__, output=sym["o"],
                    forward=fwd, formula="; ".join(x for x in locs if x), grad_in=garrs,
                    local=_local_values(node, garrs), grads_out=(), targets=(),
                    inputs=tuple(inputs), node=node)
        step._locs = locs
        step._outs = outs
        self.steps.append(step)
        self.pending[node] = step
        return None

    def _saved_consts(self, node):
        """Names of the saved inputs that need no gradient (``x`` in ``x @ w``), in order."""
        info = node._saved_info
        if not info:
            return []
        names = []
        for item in info:
            if item is not None and item[0] == 1 and isinstance(item[1], Tensor) and \
                    not item[1]._requires_grad:
                names.append(self.names.arr.get(id(item[1]._array), "const"))
        return names

    def _const_name(self, node):
        saved = node._saved
        if isinstance(saved, tuple):
            for a in saved:
                if a.__class__ is ndarray:
                    name = self.names.arr.get(id(a))
                    if name is not None and not any(
                            u is not None and u.__class__ is not AccumulateGrad and
                            self.names.out.get((u, nr)) == name for u, nr in node.next_functions):
                        leaf_names = {self.names.leaf.get(id(u.variable)) for u, _ in
                                      node.next_functions if u.__class__ is AccumulateGrad}
                        if name not in leaf_names and name not in self.names.out.values():
                            return name
        return "target"

    def _post(self, node, res):
        step = self.pending.pop(node, None)
        if step is None:
            return
        from .engine import _fix_grad
        outs, targets = [], []
        for i, (u, nr) in enumerate(node.next_functions):
            g = res[i] if i < len(res) else None
            if u is None or g is None:
                outs.append(None)
                targets.append(None)
                continue
            meta = node._in_meta[i]
            if isinstance(g, Tensor):
                g = g._array
            if meta is not None and (g.__class__ is not ndarray or g.shape != meta[0] or
                                     g.dtype != meta[1]):
                g = _fix_grad(node, i, g, meta, nx, False)
            outs.append(g)
            self.senders[(u, nr)] = self.senders.get((u, nr), 0) + 1
            if u.__class__ is AccumulateGrad:
                targets.append(f"{self.names.of_leaf(u.variable)}.grad")
            else:
                targets.append(f"{type(u).__name__} ({self.names.of_output(u, nr)})")
        step.grads_out = tuple(outs)
        step.targets = tuple(targets)


def _broadcastable(shape, out_shape):
    if len(shape) > len(out_shape):
        return False
    for s, o in zip(reversed(shape), reversed(out_shape)):
        if s != o and s != 1:
            return False
    return True


def _local_values(node, garrs):
    """d(out)/d(input) as numbers, for elementwise ops and scalar-output ops, by running the
    node's backward formula on a gradient of ones (before the engine frees its saved arrays)."""
    if node._n_out != 1 or garrs[0] is None or not hasattr(node, "apply_backward"):
        return None
    g = garrs[0]
    name = type(node).__name__
    meta = node._in_meta
    scalar = g.size == 1
    if not scalar:
        if name not in _ELEMENTWISE or g.size > _LOCAL_LIMIT:
            return None
        if not all(m is None or _broadcastable(m[0], g.shape) for m in meta):
            return None
    elif any(m is not None and math.prod(m[0]) > _LOCAL_LIMIT for m in meta):
        return None
    if getattr(node, "_op", None) is None:  # custom Function: its backward may have effects
        return None
    try:
        res = node.apply_backward(xp.ones(g.shape, g.dtype), nx)
    except Exception:  # noqa: BLE001 - a description, never an error of the pass
        return None
    if not isinstance(res, tuple):
        res = (res,)
    out = []
    for i, m in enumerate(meta):
        r = res[i] if i < len(res) else None
        if m is None or r is None:
            out.append(None)
            continue
        r = xp.asarray(r)
        if not scalar:
            if r.shape != g.shape:
                if r.ndim == 0 or _broadcastable(r.shape, g.shape):
                    r = xp.broadcast_to(r, g.shape).copy()
                else:
                    return None
        out.append(r)
    return tuple(out)


# ------------------------------------------------------------------------------ the entry


def explain(loss: Tensor, inputs: Tensor | Sequence[Tensor] | None = None,
            retain_graph: bool = False, max_values: int = 12, file: IO[str] | None = sys.stdout, *,
            gradient: Tensor | None = None, params: Mapping[str, Tensor] | None = None
            ) -> Explanation:
    """Run ``loss.backward()`` and tell it step by step as the chain rule.

    For each node, in the order the engine runs it: the op, the incoming gradient ``dL/dy``,
    the local derivative it applies, the gradient sent to each input and where it goes (the
    next node, or a leaf's ``.grad``).  Tensors with at most ``max_values`` elements are shown
    in full, larger ones as shape and norm.  ``.grad`` is accumulated exactly as by
    ``loss.backward(gradient, retain_graph=retain_graph, inputs=inputs)``.  ``params``
    (``dict(model.named_parameters())``) names leaves; the caller's variable names are used too.
    ``file=None`` prints nothing.  Returns an ``Explanation``: a list of ``Step`` records with
    ``.leaves`` (the gradients that reached each leaf) and ``.text()``.
    """
    from . import backward
    if not isinstance(loss, Tensor):
        raise TypeError(f"explain expects a Tensor, got {type(loss).__name__}")
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    names = _Names(params, frame)
    root = loss.grad_fn if loss.grad_fn is not None else (
        get_accumulator(loss) if loss._requires_grad else None)
    nodes = _graph(root) if root is not None else []
    rec = _Recorder(names)
    rec.install(nodes)
    root_name = names.of_output(loss.grad_fn, loss._output_nr) if loss.grad_fn is not None \
        else (names.of_leaf(loss) if loss._requires_grad else "L")
    try:
        backward(loss, gradient, retain_graph=retain_graph, inputs=inputs)
    finally:
        rec.remove()
    for step in rec.steps:
        step.grad_in = tuple(_as_tensor(g) for g in step.grad_in)
        step.grads_out = tuple(_as_tensor(g) for g in step.grads_out)
        if step.local is not None:
            step.local = tuple(_as_tensor(g) for g in step.local)
        step._summed = [rec.senders.get((step.node, k), 0) for k in range(step.node._n_out)]
    leaves = _leaf_records(rec, names, inputs)
    result = Explanation(rec.steps, leaves, root_name, max_values, gradient is not None)
    if file is not None:
        print(result.text(), file=file)
    return result


def _graph(root):
    seen = {root}
    order = [root]
    stack = [root]
    while stack:
        for u, _ in stack.pop().next_functions:
            if u is not None and u not in seen:
                seen.add(u)
                order.append(u)
                stack.append(u)
    return order


def _leaf_records(rec, names, inputs):
    leaves = []
    for leaf, g in rec.leaf_in.values():
        leaves.append(LeafGrad(names.of_leaf(leaf), leaf, _as_tensor(g),
                               _as_tensor(leaf._grad) if leaf._grad is not None else None))
    if inputs is not None:
        seq = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
        for t in seq:
            if t.grad_fn is not None:  # a non-leaf input: backward(inputs=) sets its .grad
                g = t._grad
                leaves.append(LeafGrad(names.of_output(t.grad_fn, t._output_nr), t,
                                       _as_tensor(g), _as_tensor(g)))
    return leaves


# ------------------------------------------------------------------------------ printing


def _fmt(t, max_values) -> str:
    a = _arr(t)
    if a is None:
        return "None"
    if a.size <= max_values:
        if a.ndim == 0:
            return _num(a)
        if a.dtype.kind in "fc":
            return xp.array2string(a, separator=", ", max_line_width=88,
                                   formatter={"float_kind": lambda v: f"{v:.4g}"})
        return xp.array2string(a, separator=", ")
    norm = float(xp.sqrt(xp.sum(xp.square(a.astype(xp.float64)))))
    return f"<shape ({', '.join(map(str, a.shape))}), norm {norm:.4g}>"


def _line(out, label, prefix, value="", tail=""):
    """``label prefix value tail``; a multi-line ``value`` continues under its first column."""
    head = (f"    {label:<9} " if label else "") + prefix
    lines = (value + tail).split("\n")
    out.append(head + lines[0])
    out.extend(" " * len(head) + ln for ln in lines[1:])


def _render(ex, max_values) -> str:
    out = []
    n = len(ex)
    out.append(f"backward pass of L = {ex.root}: {n} node{'s' if n != 1 else ''}, in the "
               f"order the engine runs them;")
    out.append("each applies the chain rule  dL/d(input) = dL/d(output) * d(output)/d(input)")
    width = max([len(step.op) for step in ex] + [12])
    for step in ex:
        _render_step(out, step, max_values, ex.seeded, width)
    if ex.leaves:
        out.append("gradients accumulated into .grad:")
        for lg in ex.leaves:
            total = lg.total
            tail = ""
            if lg.grad is not None and not _same(lg.grad, total):
                tail = "  (this pass added " + _fmt(lg.grad, max_values).replace("\n", " ") + \
                    ")"
            _line(out, "", f"    {lg.name}.grad = ", _fmt(total, max_values), tail)
    return "\n".join(out)


def _same(a, b):
    a, b = _arr(a), _arr(b)
    return a.shape == b.shape and bool((a == b).all())


def _uniform(t):
    a = _arr(t)
    return a.size == 0 or bool((a == a.flat[0]).all())


def _mentions(text, step):
    """Whether a local-derivative text depends on values (names a tensor), so is worth
    evaluating: ``2*x`` does, ``1`` or ``1/n = 1/3`` does not."""
    syms = set(step._outs) | set(step.inputs)
    syms.discard("const")
    return any(re.search(r"(?<![\w.])" + re.escape(s) + r"(?![\w])", text) for s in syms)


def _render_step(out, step, max_values, seeded, width=15):
    o = step.output
    out.append(f"[{step.index}] {step.op:<{width}} {o} = {step.forward}")
    for k, g in enumerate(step.grad_in):
        sym = step._outs[k] if k < len(step._outs) else o
        if g is None and len(step.grad_in) > 1:
            continue
        note = ""
        if step.index == 1:
            note = "  (the seed: the gradient given to backward)" if seeded else \
                "  (the seed: dL/dL = 1)" if sym != "L" else "  (the seed)"
        elif step._summed[k] > 1:
            note = f"  (sum of {step._summed[k]} contributions)"
        _line(out, "incoming", f"dL/d{sym} = ", _fmt(g, max_values) if g is not None else "None",
              note if g is not None else "  (no gradient reached this node)")
    locs = step._locs
    for i, inp in enumerate(step.inputs):
        loc = locs[i] if i < len(locs) else None
        gout = step.grads_out[i] if i < len(step.grads_out) else None
        target = step.targets[i] if i < len(step.targets) else None
        if target is None:
            continue
        numeric = step.local[i] if step.local is not None and i < len(step.local) else None
        if loc and not loc.startswith("dL/"):
            text, value = f"d{o}/d{inp} = {loc}", ""
            if numeric is not None and (_mentions(loc, step) or not _uniform(numeric)):
                text, value = text + " = ", _fmt(numeric, max_values)
            _line(out, "local", text, value)
            how = f"dL/d{o} * d{o}/d{inp}"
            if gout is not None and numeric is not None and \
                    tuple(gout.shape) != tuple(numeric.shape) and numeric.ndim:
                how += ", summed over broadcast dims"
            _line(out, "sends", f"dL/d{inp} = {how} = ", _fmt(gout, max_values), f" -> {target}")
        else:
            if loc:
                _line(out, "rule", loc)
            _line(out, "sends", f"dL/d{inp} = ", _fmt(gout, max_values), f" -> {target}")
