"""ember.viz.make_dot: nodes and edges vs the grad_fn graph, DOT structure, rendering."""
import re
import shutil
import xml.etree.ElementTree as ET

import pytest

import ember
from ember import viz
from ember.autograd.graph import AccumulateGrad

HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot is not installed")


# ------------------------------------------------------------------------------ helpers


def traverse(t):
    """Reference walk of ``t.grad_fn``: every node once (a plain set-based DFS)."""
    seen, stack = set(), [t.grad_fn]
    while stack:
        n = stack.pop()
        if n is None or n in seen:
            continue
        seen.add(n)
        stack.extend(u for u, _ in n.next_functions)
    return seen


def edges_of(nodes):
    return {(id(u), id(n)) for n in nodes for u, _ in n.next_functions if u is not None}


_NODE = re.compile(r'^\t"([^"]+)" \[(.*)\]$')
_EDGE = re.compile(r'^\t"([^"]+)" -> "([^"]+)"(?: \[(.*)\])?$')
_ATTR = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def parse_dot(src):
    """A strict little parser for the DOT make_dot writes: returns (nodes, edges)."""
    assert src.startswith("digraph {\n") and src.endswith("}\n")
    depth = 0
    in_str = False
    prev = ""
    for ch in src:  # braces balance outside quoted strings
        if ch == '"' and prev != "\\":
            in_str = not in_str
        elif not in_str and ch == "{":
            depth += 1
        elif not in_str and ch == "}":
            depth -= 1
            assert depth >= 0
        prev = ch if not (prev == "\\" and ch == "\\") else ""
    assert depth == 0 and not in_str
    nodes, edges = {}, []
    for line in src.splitlines()[1:-1]:
        if line.startswith(("\tgraph [", "\tnode [", "\tedge [")):
            continue
        m = _EDGE.match(line)
        if m:
            edges.append((m.group(1), m.group(2), dict(_ATTR.findall(m.group(3) or ""))))
            continue
        m = _NODE.match(line)
        assert m, f"unparsable DOT line: {line!r}"
        nodes[m.group(1)] = dict(_ATTR.findall(m.group(2)))
    for a, b, _ in edges:
        assert a in nodes and b in nodes, f"edge endpoint not declared: {a} -> {b}"
    return nodes, edges


def label_lines(attrs):
    return attrs["label"].split("\\n")


def mlp(depth=3, width=4, batch=2):
    ember.manual_seed(0)
    x = ember.randn(batch, width)
    params = {}
    h = x
    for i in range(depth):
        w = ember.randn(width, width, requires_grad=True)
        b = ember.zeros(width, requires_grad=True)
        params[f"layer{i}.weight"], params[f"layer{i}.bias"] = w, b
        h = (h @ w + b).tanh()
    return h.sum(), params


def bce_net():
    x = ember.ones(5)
    y = ember.zeros(3)
    w = ember.randn(5, 3, requires_grad=True)
    b = ember.randn(3, requires_grad=True)
    z = ember.matmul(x, w) + b
    loss = ((z.sigmoid() - y) ** 2).mean()
    if hasattr(ember.nn.functional, "binary_cross_entropy_with_logits"):
        loss = ember.nn.functional.binary_cross_entropy_with_logits(z, y)
    return loss, {"w": w, "b": b}


def small_cnn():
    nn = ember.nn
    if not all(hasattr(nn, k) for k in ("Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear")):
        pytest.skip("ember.nn layers not available yet")
    ember.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.Flatten(),
                          nn.Linear(8 * 4 * 4, 10))
    out = model(ember.randn(2, 1, 8, 8))
    return out.sum(), dict(model.named_parameters())


GRAPHS = {
    "square": lambda: ((lambda x: (x ** 2, {"x": x}))(ember.tensor(2.0, requires_grad=True))),
    "bce": bce_net,
    "mlp": mlp,
    "cnn": small_cnn,
}


# ------------------------------------------------------------------------------ graph walk


@pytest.mark.parametrize("kind", list(GRAPHS))
def test_nodes_and_edges_match_grad_fn_graph(kind):
    out, params = GRAPHS[kind]()
    ref = traverse(out)
    nodes = viz.graph_nodes(out)
    assert len(nodes) == len(set(nodes)) == len(ref)
    assert set(nodes) == ref
    assert nodes[0] is out.grad_fn

    dot = viz.make_dot(out, params=params)
    dnodes, dedges = parse_dot(dot.source)
    # one box per grad_fn, labelled with its class name
    fn_ids = {str(id(n)): type(n).__name__ for n in ref}
    for nid, name in fn_ids.items():
        assert label_lines(dnodes[nid])[0] == name
    # the edges of next_functions, and nothing else between grad_fns
    want = {(str(a), str(b)) for a, b in edges_of(ref)}
    got = {(a, b) for a, b, _ in dedges if a in fn_ids and b in fn_ids}
    assert got == want
    # leaves: blue, named, shape and dtype; each feeds its AccumulateGrad
    accs = [n for n in ref if isinstance(n, AccumulateGrad)]
    blue = {k: v for k, v in dnodes.items() if v.get("fillcolor") == "lightblue"}
    assert len(blue) == len(accs) == sum(p.requires_grad for p in params.values())
    names = {id(v): k for k, v in params.items()}
    for acc in accs:
        leaf = acc.variable
        lines = label_lines(dnodes[str(id(leaf))])
        assert lines[0] == names[id(leaf)]
        assert lines[1] == " (" + ", ".join(map(str, leaf.shape)) + ")"
        assert lines[2] == " float32"
        assert (str(id(leaf)), str(id(acc))) in {(a, b) for a, b, _ in dedges}
    # the output: green, fed by its grad_fn
    assert dnodes[str(id(out))]["fillcolor"] == "darkolivegreen1"
    assert (str(id(out.grad_fn)), str(id(out))) in {(a, b) for a, b, _ in dedges}
    assert len(dnodes) == len(ref) + len(accs) + 1


def test_names_match_torch_graph():
    torch = pytest.importorskip("torch")

    def names(fn):
        seen, stack, out = set(), [fn], []
        while stack:
            n = stack.pop()
            if n is None or n in seen:
                continue
            seen.add(n)
            out.append(type(n).__name__)
            stack.extend(u for u, _ in n.next_functions)
        return sorted(out)

    for lib in (ember, torch):
        lib.manual_seed(0)
    ex = ember.randn(2, 4)
    ew = ember.randn(4, 3, requires_grad=True)
    eb = ember.zeros(3, requires_grad=True)
    eloss = ((ex @ ew + eb).sigmoid() ** 2).mean()
    tx, tw, tb = (torch.tensor(t.detach().numpy()) for t in (ex, ew, eb))
    tw.requires_grad_(), tb.requires_grad_()
    tloss = ((tx @ tw + tb).sigmoid() ** 2).mean()
    assert names(eloss.grad_fn) == names(tloss.grad_fn)
    assert len(viz.graph_nodes(eloss)) == len(names(tloss.grad_fn))


def test_long_chain_is_iterative_and_fast():
    import time
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    h = x
    for _ in range(3000):
        h = h * 1.0001 + 0.0
    out = h.sum()
    t0 = time.perf_counter()
    dot = viz.make_dot(out, params={"x": x})
    assert time.perf_counter() - t0 < 5
    nodes, edges = parse_dot(dot.source)
    assert len(viz.graph_nodes(out)) == 6002  # 3000 mul, 3000 add, sum, AccumulateGrad
    assert len(nodes) == 6002 + 1 + 1  # the grad_fns, the leaf x, the output
    assert len(edges) == 6001 + 1 + 1
    size = float(dot.graph_attr["size"].split(",")[0])
    assert size > 12  # the drawing grows with the graph


def test_tuple_of_outputs_and_views():
    x = ember.randn(3, 4, requires_grad=True)
    a = (x * 2).sum()
    v = x.exp()[0]  # a view of a non-leaf
    dot = viz.make_dot((a, v), params={"x": x})
    nodes, edges = parse_dot(dot.source)
    green = [k for k, n in nodes.items() if n.get("fillcolor") == "darkolivegreen1"]
    assert set(green) == {str(id(a)), str(id(v))}
    if v._base is not None:
        assert nodes[str(id(v._base))]["fillcolor"] == "darkolivegreen3"
        assert any(e[2].get("style") == "dotted" for e in edges)
    # the leaf is shared: declared once
    assert sum(1 for n in nodes.values() if n.get("fillcolor") == "lightblue") == 1


def test_show_saved_and_attrs():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 2).mean()
    dot = viz.make_dot(y, params={"x": x}, show_saved=True, show_attrs=True)
    nodes, edges = parse_dot(dot.source)
    orange = [n for n in nodes.values() if n.get("fillcolor") == "orange"]
    assert orange and all("(2)" in n["label"] for n in orange)
    assert any(e[2].get("dir") == "none" for e in edges)
    pow_label = nodes[str(id(y.grad_fn.next_functions[0][0]))]["label"]
    assert pow_label.startswith("PowBackward0\\n---") and "e: 2" in pow_label
    y.backward()
    nodes, _ = parse_dot(viz.make_dot(y, show_saved=True).source)
    assert any("freed" in n["label"] for n in nodes.values())
    # a long attribute is truncated to max_attr_chars
    nodes, _ = parse_dot(viz.make_dot(y, show_attrs=True, max_attr_chars=4).source)
    rows = [row for n in nodes.values() if "fillcolor" not in n
            for row in n["label"].split("\\n")[2:]]
    assert rows and all(len(row.split(": ")[-1]) <= 4 for row in rows)
    assert any(row.endswith("...") for row in rows)


def test_labels_are_escaped():
    x = ember.tensor([1.0], requires_grad=True)
    dot = viz.make_dot(x * 3, params={'we"ird\\name': x})
    nodes, _ = parse_dot(dot.source)
    assert any(n["label"].startswith('we\\"ird\\\\name') for n in nodes.values())


def test_bad_arguments():
    x = ember.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError):
        viz.make_dot(x * 2, params={"x": 1.0})
    with pytest.raises(TypeError):
        viz.make_dot([1, 2])


def test_leaf_and_no_grad_outputs():
    x = ember.tensor([1.0], requires_grad=True)
    nodes, edges = parse_dot(viz.make_dot(x, params={"x": x}).source)
    assert len(nodes) == 1 and not edges
    assert viz.graph_nodes(x) == []


def test_save_writes_dot(tmp_path):
    loss, params = bce_net()
    dot = viz.make_dot(loss, params=params)
    path = dot.save(tmp_path / "g.gv")
    with open(path) as f:
        assert f.read() == dot.source
    assert str(dot) == dot.source and "Digraph" in repr(dot)


def test_without_dot_rendering_says_how_to_install(monkeypatch, tmp_path):
    loss, params = bce_net()
    dot = viz.make_dot(loss, params=params)
    monkeypatch.setattr(viz.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        dot.render(tmp_path / "g", format="svg")
    with pytest.raises(RuntimeError, match="not needed"):
        dot.pipe("svg")
    assert dot._repr_svg_() is None
    assert not list(tmp_path.iterdir())  # nothing half-written
    assert dot.source.startswith("digraph")


@needs_dot
def test_render_svg_and_png(tmp_path):
    out, params = mlp()
    dot = viz.make_dot(out, params=params, show_saved=True)
    svg_path = dot.render(tmp_path / "graph", format="svg")
    assert svg_path == str(tmp_path / "graph.svg")
    root = ET.parse(svg_path).getroot()
    assert root.tag.endswith("svg")
    text = open(svg_path).read()
    assert "layer0.weight" in text and "AddBackward0" in text
    assert (tmp_path / "graph").exists()  # the DOT source stays (graphviz's default)
    png_path = dot.render(tmp_path / "pic.png", cleanup=True)
    assert png_path == str(tmp_path / "pic.png")
    assert open(png_path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert not (tmp_path / "pic.gv").exists()
    svg = dot._repr_svg_()
    assert "<svg" in svg
    ET.fromstring(dot.pipe("svg"))


@needs_dot
def test_render_cnn_svg():
    out, params = small_cnn()
    svg = viz.make_dot(out, params=params).pipe("svg")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert b"ConvolutionBackward0" in svg and b"0.weight" in svg
