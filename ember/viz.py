"""Pictures of the backward graph: ``make_dot`` (torchviz's name and signature).

``make_dot(loss, params=dict(model.named_parameters()))`` walks the graph behind
``loss.grad_fn`` (iteratively, so a whole CNN with thousands of nodes is fine) and returns a
``Digraph``: one box per grad_fn labelled with its class name (``AddmmBackward0``), the leaves
that will receive ``.grad`` in light blue with their name, shape and dtype, the output tensor(s)
in green, and edges exactly as in ``next_functions``.  ``show_saved=True`` adds the arrays each
node saved for backward (orange), ``show_attrs=True`` the node's non-tensor attributes.

The ``Digraph`` is ember's own (the ``graphviz`` Python package is not needed): ``.source`` is
the DOT text, ``.save(path)`` writes it, and ``.render()``, ``.pipe()`` and the notebook display
call Graphviz's ``dot`` program when it is installed (``apt-get install graphviz``,
``brew install graphviz`` or ``conda install graphviz``).
"""
from __future__ import annotations

import os
import shutil
import subprocess

from ._tensor import Tensor
from .autograd.graph import FREED, AccumulateGrad

__all__ = ["make_dot", "graph_nodes", "Digraph", "ExecutableNotFound"]

_NODE_ATTR = dict(style="filled", shape="box", align="left", fontsize="10", ranksep="0.1",
                  height="0.2", fontname="monospace")

_INSTALL_HINT = (
    "Rendering needs Graphviz's `dot` program, which was not found on PATH. Install Graphviz "
    "(Debian/Ubuntu: `sudo apt-get install graphviz`; Fedora: `sudo dnf install graphviz`; "
    "macOS: `brew install graphviz`; conda: `conda install graphviz`; Windows: "
    "https://graphviz.org/download/). The Python `graphviz` package is not needed. Without "
    "Graphviz, `.source` gives the DOT text and `.save(path)` writes it to a file.")


_IMAGE_FORMATS = {"svg", "png", "pdf", "jpg", "jpeg", "gif", "ps", "eps", "bmp", "tif", "tiff",
                  "webp"}


class ExecutableNotFound(RuntimeError):
    """Graphviz's ``dot`` program is not installed (a RuntimeError, as in the graphviz package)."""

    def __init__(self, msg=_INSTALL_HINT):
        super().__init__(msg)


# ------------------------------------------------------------------------------ DOT writer


def _quote(value) -> str:
    s = str(value)
    s = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{s}"'


def _attr_list(attrs) -> str:
    return " ".join(f"{k}={_quote(v)}" for k, v in attrs.items() if v is not None)


class Digraph:
    """A directed graph written as DOT text; a small subset of ``graphviz.Digraph``.

    ``node``/``edge``/``attr`` add statements, ``source`` is the DOT text, ``save`` writes it,
    ``pipe``/``render`` run Graphviz's ``dot`` (RuntimeError with install instructions when it
    is missing), ``_repr_svg_`` shows the graph in Jupyter.
    """

    def __init__(self, name=None, comment=None, filename=None, format="svg", engine="dot",
                 graph_attr=None, node_attr=None, edge_attr=None, body=None):
        self.name = name
        self.comment = comment
        self.filename = filename or (f"{name}.gv" if name else "Digraph.gv")
        self.format = format
        self.engine = engine
        self.graph_attr = dict(graph_attr or {})
        self.node_attr = dict(node_attr or {})
        self.edge_attr = dict(edge_attr or {})
        self.body = list(body or [])
        self._nodes = {}  # name -> (label, attrs): for the SVG fallback without Graphviz
        self._edges = []  # (tail, head, attrs)

    # -- building --------------------------------------------------------------------------
    def node(self, name, label=None, _attributes=None, **attrs):
        if label is not None:
            attrs = {"label": label, **attrs}
        if _attributes:
            attrs.update(_attributes)
        a = _attr_list(attrs)
        self.body.append(f"\t{_quote(name)} [{a}]\n" if a else f"\t{_quote(name)}\n")
        self._nodes[str(name)] = (attrs.get("label", name), dict(attrs))

    def edge(self, tail_name, head_name, label=None, _attributes=None, **attrs):
        if label is not None:
            attrs = {"label": label, **attrs}
        if _attributes:
            attrs.update(_attributes)
        a = _attr_list(attrs)
        stmt = f"\t{_quote(tail_name)} -> {_quote(head_name)}"
        self._edges.append((str(tail_name), str(head_name), dict(attrs)))
        self.body.append(f"{stmt} [{a}]\n" if a else stmt + "\n")

    def edges(self, tail_head_iter):
        for tail, head in tail_head_iter:
            self.edge(tail, head)

    def attr(self, kw=None, _attributes=None, **attrs):
        """``attr('graph'|'node'|'edge', **attrs)`` sets defaults; ``attr(**attrs)`` a graph
        attribute statement."""
        if _attributes:
            attrs.update(_attributes)
        if kw is None:
            self.body.append(f"\t{_attr_list(attrs)}\n")
        elif kw in ("graph", "node", "edge"):
            getattr(self, f"{kw}_attr").update(attrs)
        else:
            raise ValueError(f"attr statement must target graph, node, or edge: {kw!r}")

    # -- text ------------------------------------------------------------------------------
    @property
    def source(self) -> str:
        lines = []
        if self.comment:
            lines.append(f"// {self.comment}\n")
        lines.append("digraph {\n" if self.name is None else f"digraph {_quote(self.name)} {{\n")
        for kw in ("graph", "node", "edge"):
            attrs = getattr(self, f"{kw}_attr")
            if attrs:
                lines.append(f"\t{kw} [{_attr_list(attrs)}]\n")
        lines.extend(self.body)
        lines.append("}\n")
        return "".join(lines)

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        n_nodes = sum(1 for line in self.body if " -> " not in line)
        return f"<ember.viz.Digraph with {n_nodes} nodes, {len(self.body) - n_nodes} edges>"

    def save(self, filename=None, directory=None) -> str:
        """Write the DOT source to ``filename`` (default ``self.filename``); return the path."""
        path = filename or self.filename
        if directory:
            path = os.path.join(directory, path)
        parent = os.path.dirname(path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.source)
        self.filename = path
        return path

    # -- rendering -------------------------------------------------------------------------
    def _dot(self):
        exe = shutil.which(self.engine)
        if exe is None:
            raise ExecutableNotFound()
        return exe

    def pipe(self, format=None, engine=None, encoding=None):
        """The graph rendered by Graphviz (bytes, or str when ``encoding`` is given)."""
        if engine is not None:
            self.engine = engine
        fmt = format or self.format
        proc = subprocess.run([self._dot(), f"-T{fmt}"], input=self.source.encode("utf-8"),
                              capture_output=True)
        if proc.returncode != 0:
            raise RuntimeError(f"Graphviz `{self.engine} -T{fmt}` failed with exit status "
                               f"{proc.returncode}: {proc.stderr.decode(errors='replace')}")
        return proc.stdout.decode(encoding) if encoding else proc.stdout

    def render(self, filename=None, directory=None, view=False, cleanup=False, format=None,
               outfile=None, engine=None, quiet=False):
        """Save the DOT source and render it with Graphviz; return the output file's path.

        As ``graphviz.Digraph.render``: ``render('graph', format='png')`` writes ``graph`` (DOT)
        and ``graph.png``; ``cleanup=True`` removes the DOT file.  A ``filename`` that already
        ends in ``.<format>`` (or ``outfile=``) names the image itself.
        """
        if engine is not None:
            self.engine = engine
        exe = self._dot()  # fail before writing anything
        if outfile is not None:
            outfile = os.fspath(outfile)
            fmt = format or os.path.splitext(outfile)[1].lstrip(".") or self.format
            src = os.path.splitext(outfile)[0] + ".gv"
            if directory:
                outfile = os.path.join(directory, outfile)
        else:
            src = os.fspath(filename) if filename is not None else self.filename
            ext = os.path.splitext(src)[1].lstrip(".").lower()
            fmt = format or (ext if ext in _IMAGE_FORMATS else self.format)
            if src.endswith("." + fmt):
                src = src[: -len(fmt) - 1] + ".gv"
                outfile = src[:-3] + "." + fmt
            else:
                outfile = src + "." + fmt
            if directory:
                outfile = os.path.join(directory, outfile)
        src = self.save(src, directory)
        proc = subprocess.run([exe, f"-T{fmt}", "-o", outfile, src], capture_output=True)
        if proc.returncode != 0:
            raise RuntimeError(f"Graphviz `{self.engine} -T{fmt}` failed with exit status "
                               f"{proc.returncode}: {proc.stderr.decode(errors='replace')}")
        if cleanup:
            os.remove(src)
        if view:
            _view(outfile)
        return outfile

    def view(self, filename=None, directory=None, cleanup=False):
        return self.render(filename, directory, view=True, cleanup=cleanup)

    def _repr_svg_(self):
        """SVG for Jupyter; None (plain repr) when Graphviz is not installed."""
        if shutil.which(self.engine) is None:
            return None
        return self.pipe("svg", encoding="utf-8")


def _view(path):
    opener = shutil.which("xdg-open") or shutil.which("open")
    if hasattr(os, "startfile"):
        os.startfile(path)  # noqa: S606 - Windows only
    elif opener:
        subprocess.Popen([opener, path])


# ------------------------------------------------------------------------------ the graph walk


def _outputs(var):
    if isinstance(var, Tensor):
        return [var]
    if isinstance(var, (tuple, list)):
        outs = [v for v in var if isinstance(v, Tensor)]
        if outs:
            return outs
    raise TypeError(f"make_dot expects a Tensor or a tuple of Tensors, got {type(var).__name__}")


def _walk(roots):
    """Every node reachable from ``roots`` once, depth first in ``next_functions`` order."""
    seen = set()
    order = []
    stack = list(reversed(roots))
    while stack:
        fn = stack.pop()
        if fn in seen:
            continue
        seen.add(fn)
        order.append(fn)
        for u, _ in reversed(fn.next_functions):
            if u is not None and u not in seen:
                stack.append(u)
    return order


def graph_nodes(var):
    """The grad_fn nodes reachable from ``var`` (a Tensor or tuple of Tensors), AccumulateGrad
    nodes included, each once, in the order ``make_dot`` draws them."""
    return _walk([t.grad_fn for t in _outputs(var) if t.grad_fn is not None])


def _size_str(shape) -> str:
    return "(" + ", ".join(str(int(s)) for s in shape) + ")"


def _dtype_str(arr) -> str:
    return str(arr.dtype)


def _attrs_of(fn):
    """A node's non-tensor attributes (what ``show_attrs`` prints)."""
    skip = {"next_functions", "needs_input_grad", "variable", "metadata_"}
    attrs = {}
    for k, v in vars(fn).items():
        if k.startswith("_") or k in skip:
            continue
        if isinstance(v, Tensor) or hasattr(v, "shape") and hasattr(v, "dtype"):
            attrs[k] = "[saved tensor]"
        elif type(v).__repr__ is object.__repr__ or callable(v):
            continue  # an object with no value to show (a sentinel, a function)
        else:
            attrs[k] = str(v)
    return attrs


def _fn_label(fn, show_attrs, max_attr_chars):
    name = type(fn).__name__
    if not show_attrs:
        return name
    attrs = _attrs_of(fn)
    if not attrs:
        return name
    max_attr_chars = max(max_attr_chars, 3)
    col1 = max(len(k) for k in attrs)
    col2 = min(max(len(v) for v in attrs.values()), max_attr_chars)
    sep = "-" * max(col1 + col2 + 2, len(name))

    def trunc(s):
        return s[:col2 - 3] + "..." if len(s) > col2 else s

    rows = "\n".join(f"{k:<{col1}}: {trunc(v):>{col2}}" for k, v in attrs.items())
    return name + "\n" + sep + "\n" + rows


def _saved_entries(fn):
    """(name, array-or-Tensor) for each array ``fn`` saved; None when they were freed."""
    saved = fn._saved
    if saved is FREED:
        return None
    if not saved:
        return []
    info = fn._saved_info or [None] * len(saved)
    out = []
    for k, item in enumerate(saved):
        if item is None:
            continue
        if isinstance(item, tuple) and item and isinstance(item[0], Tensor):
            out.append((f"saved[{k}]", item[0]))  # custom Function: (tensor, version, is_out)
            continue
        kind = info[k][0] if k < len(info) and info[k] is not None else 0
        tag = {1: "input", 2: "output"}.get(kind, "saved")
        out.append((f"{tag} [{k}]", item))
    return out


def make_dot(var, params=None, show_attrs=False, show_saved=False, max_attr_chars=50):
    """The backward graph of ``var`` (a Tensor or tuple of Tensors) as a ``Digraph``.

    ``params``: dict name -> Tensor (``dict(model.named_parameters())``) naming the leaves.
    Blue boxes are the leaves whose ``.grad`` the backward pass fills, green ones the outputs,
    grey ones grad_fn nodes (``show_attrs``: with their attributes), orange ones the arrays saved
    for backward (``show_saved``).  Render with ``.render('graph', format='svg')``.
    """
    if params is not None:
        if not hasattr(params, "items"):  # e.g. model.named_parameters()
            params = dict(params)
        if not all(isinstance(p, Tensor) for p in params.values()):
            raise TypeError("make_dot: params must map names to Tensors "
                            "(e.g. dict(model.named_parameters()))")
        param_map = {id(v): k for k, v in params.items()}
    else:
        param_map = {}
    outputs = _outputs(var)
    dot = Digraph(node_attr=_NODE_ATTR, graph_attr=dict(size="12,12"))
    declared = set()

    def var_label(t, name=None):
        if not name:
            name = param_map.get(id(t), "")
        arr = t._array if isinstance(t, Tensor) else t
        return f"{name}\n {_size_str(arr.shape)}\n {_dtype_str(arr)}"

    def add_tensor(t, color):
        if id(t) not in declared:
            declared.add(id(t))
            dot.node(str(id(t)), var_label(t), fillcolor=color)

    # outputs (and the bases of outputs that are views), then the graph behind them
    roots = []
    pending = [(t, "darkolivegreen1") for t in outputs]
    while pending:
        t, color = pending.pop(0)
        if id(t) in declared:
            continue
        add_tensor(t, color)
        if t.grad_fn is not None:
            roots.append(t.grad_fn)
            dot.edge(str(id(t.grad_fn)), str(id(t)))
        base = t._base
        if base is not None:
            pending.append((base, "darkolivegreen3"))
            dot.edge(str(id(base)), str(id(t)), style="dotted")

    for fn in _walk(roots):
        fid = str(id(fn))
        if show_saved:
            entries = _saved_entries(fn)
            if entries is None:
                dot.node(fid + "_freed", "saved arrays freed\n(backward already ran)",
                         fillcolor="orange", style="filled,dashed")
                dot.edge(fid, fid + "_freed", dir="none")
            else:
                for name, arr in entries:
                    if id(arr) not in declared:
                        declared.add(id(arr))
                        dot.node(str(id(arr)), var_label(arr, name), fillcolor="orange")
                    dot.edge(fid, str(id(arr)), dir="none")
        if fn.__class__ is AccumulateGrad:
            leaf = fn.variable
            if id(leaf) not in declared:
                declared.add(id(leaf))
                dot.node(str(id(leaf)), var_label(leaf), fillcolor="lightblue",
                         tooltip="leaf: receives .grad")
            dot.edge(str(id(leaf)), fid)
        dot.node(fid, _fn_label(fn, show_attrs, max_attr_chars))
        for u, _ in fn.next_functions:
            if u is not None:
                dot.edge(str(id(u)), fid)

    _resize_graph(dot)
    return dot


def _resize_graph(dot, size_per_element=0.15, min_size=12):
    """Grow the drawing size with the number of statements (torchviz's rule)."""
    size = max(min_size, len(dot.body) * size_per_element)
    dot.graph_attr.update(size=f"{size:g},{size:g}")


def save_svg(dot, path):
    """Write ``dot`` (from make_dot) as SVG: Graphviz's ``dot`` when installed, otherwise
    ember's own layered layout.  Returns the path written."""
    import shutil
    if shutil.which("dot"):
        data = dot.pipe(format="svg")
        data = data if isinstance(data, bytes) else data.encode()
    else:
        from ._svg import layered_svg
        defaults = {k: v for k, v in dot.node_attr.items() if k in ("style", "fillcolor")}
        nodes = [(n, lab, {**defaults, **attrs}) for n, (lab, attrs) in dot._nodes.items()]
        data = layered_svg(nodes, dot._edges).encode()
    tmp = f"{path}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    import os
    os.replace(tmp, path)
    return path
