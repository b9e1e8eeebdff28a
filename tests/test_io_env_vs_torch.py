"""save/load paths and trust, lazy names, ``out=``, the graph picture without Graphviz and the
NumPy floor: ember against PyTorch 2.13 where PyTorch is involved."""
import importlib
import io
import os
import pickle
import pkgutil
import stat
import threading
import warnings
import zipfile

import numpy as np
import pytest

import ember
from ember import serialization as S

try:
    import torch
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")


def _err(fn, *a, **k):
    """(exception class, message) of what ``fn`` raises; None when it returns."""
    try:
        fn(*a, **k)
    except Exception as e:  # noqa: BLE001 - the exception is the result
        return type(e), str(e)
    return None


# =========================================================================== save: paths
@needs_torch
@pytest.mark.parametrize("rel", ["no/such/dir/x.pt", "a/x.pt", "deep/er/x.pt"])
def test_save_into_missing_parent_raises_torchs_error(tmp_path, monkeypatch, rel):
    monkeypatch.chdir(tmp_path)
    for path in [rel, str(tmp_path / rel), tmp_path / rel]:
        e = _err(ember.save, {"w": ember.ones(2)}, path)
        t = _err(torch.save, {"w": torch.ones(2)}, path)
        assert t[0] is RuntimeError and t[1].startswith("Parent directory")
        assert e == t
    assert list(tmp_path.iterdir()) == []  # no temporary file left anywhere


@needs_torch
def test_save_into_a_file_as_parent_and_absolute_missing_dir(tmp_path):
    (tmp_path / "f").write_bytes(b"")
    for path in ["/no/such/dir/x.pt", str(tmp_path / "f" / "x.pt")]:
        e = _err(ember.save, 1, path)
        assert e == _err(torch.save, 1, path)
        assert e == (RuntimeError, f"Parent directory {os.path.dirname(path)} does not exist.")


@needs_torch
def test_save_to_a_directory_or_a_name_ending_in_slash(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    e, t = _err(ember.save, 1, d), _err(torch.save, 1, d)
    assert e[0] is t[0] is RuntimeError
    assert "open file failed with strerror: Is a directory" in e[1]
    assert "open file failed with strerror: Is a directory" in t[1]
    e, t = _err(ember.save, 1, str(d) + "/"), _err(torch.save, 1, str(d) + "/")
    assert e[0] is t[0] is RuntimeError
    assert f"invalid file name: {d}/" in e[1] and f"invalid file name: {d}/" in t[1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"] and not any(d.iterdir())


@needs_torch
def test_save_to_file_objects_both_ways():
    buf = io.BytesIO()
    buf.write(b"head")  # torch writes at the current position
    ember.save({"w": ember.arange(3.0)}, buf)
    buf.seek(4)
    assert torch.load(buf, weights_only=True)["w"].tolist() == [0.0, 1.0, 2.0]
    for bad in [None, 3, object()]:
        e = _err(ember.save, 1, bad)
        assert e == _err(torch.save, 1, bad)
        assert e[0] is AttributeError


def test_save_to_a_fifo_writes_through_it(tmp_path):
    # a path that exists and is no regular file (a FIFO, /dev/null) is written directly:
    # renaming a temporary file over it would replace the pipe or device with a file
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    ember.save({"w": ember.ones(3)}, fifo)
    reader.join(10)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert got, "nothing was written through the pipe"
    assert S.load(io.BytesIO(got[0]))["w"].tolist() == [1.0, 1.0, 1.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_save_to_bytes_path(tmp_path):
    path = os.fsencode(tmp_path / "b.pt")
    ember.save({"w": ember.ones(2)}, path)
    assert S.load(path)["w"].tolist() == [1.0, 1.0]


# =========================================================================== load: trust
class Point:
    """A user class saved inside checkpoints (module level, so pickle finds it)."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __eq__(self, other):
        return type(other) is Point and (self.x, self.y) == (other.x, other.y)


def _saved(lib, obj):
    buf = io.BytesIO()
    lib.save(obj, buf)
    buf.seek(0)
    return buf


def _model(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Conv2d(1, 2, 3), lib.nn.BatchNorm2d(2), lib.nn.ReLU(),
                             lib.nn.Flatten(), lib.nn.Linear(8, 3))


def test_whole_model_and_optimizer_roundtrip_with_weights_only_false():
    model = _model(ember)
    opt = ember.optim.Adam(model.parameters(), lr=0.1)
    x = ember.tensor(np.random.default_rng(0).standard_normal((4, 1, 4, 4)).astype(np.float32))
    model(x).sum().backward()
    opt.step()
    back = S.load(_saved(ember, {"model": model, "opt": opt, "epoch": 3}), weights_only=False)
    m2, o2 = back["model"], back["opt"]
    assert type(m2) is type(model) and back["epoch"] == 3
    np.testing.assert_array_equal(m2(x).detach().numpy(), model(x).detach().numpy())
    assert o2.param_groups[0]["params"][0] is m2[0].weight  # identity kept across the file
    for k, v in opt.state_dict()["state"][0].items():
        np.testing.assert_array_equal(np.asarray(o2.state_dict()["state"][0][k]),
                                      np.asarray(v))
    # training goes on from the loaded objects exactly as from the originals
    for m, o in [(model, opt), (m2, o2)]:
        o.zero_grad()
        m(x).pow(2).mean().backward()
        o.step()
    for p, q in zip(model.parameters(), m2.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
    assert m2(x).grad_fn is not None


def test_user_class_loads_with_weights_only_false():
    obj = {"p": Point(1, [2, 3]), "t": ember.ones(2)}
    back = S.load(_saved(ember, obj), weights_only=False)
    assert back["p"] == obj["p"] and back["t"].tolist() == [1.0, 1.0]


@needs_torch
@pytest.mark.parametrize("what", ["point", "model"])
def test_default_load_refuses_with_torchs_message(what):
    def obj(lib):
        return {"p": Point(1, 2)} if what == "point" else _model(lib)
    for weights_only in [None, True]:
        e = _err(S.load, _saved(ember, obj(ember)), weights_only=weights_only)
        t = _err(torch.load, _saved(torch, obj(torch)), weights_only=weights_only)
        assert e[0] is t[0] is pickle.UnpicklingError
        # the same text, but for the library that defines the model's classes
        assert e[1].replace("ember.nn.", "torch.nn.") == t[1]
        assert "weights_only" in e[1] and "torch.serialization.add_safe_globals([" in e[1]


@needs_torch
def test_safe_globals_api_matches_torch():
    for lib, ser in [(ember, S), (torch, torch.serialization)]:
        ser.clear_safe_globals()
        buf = _saved(lib, {"p": Point(1, 2), "w": lib.ones(1)})
        with pytest.raises(pickle.UnpicklingError, match="GLOBAL .*Point was not an allowed"):
            lib.load(buf)
        assert ser.get_unsafe_globals_in_checkpoint(_saved(lib, {"p": Point(1, 2)})) == [
            f"{__name__}.Point"]
        with ser.safe_globals([Point]):
            assert ser.get_safe_globals() == [Point]
            buf.seek(0)
            assert lib.load(buf)["p"] == Point(1, 2)
        assert ser.get_safe_globals() == []
        ser.add_safe_globals([(Point, f"{__name__}.Point")])
        buf.seek(0)
        assert lib.load(buf, weights_only=True)["p"] == Point(1, 2)
        ser.clear_safe_globals()
        assert ser.get_safe_globals() == []


@needs_torch
def test_env_variables_force_or_lift_weights_only(monkeypatch):
    obj = {"p": Point(1, 2)}
    monkeypatch.setenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "1")
    for lib in (ember, torch):
        with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
            lib.load(_saved(lib, obj), weights_only=False)
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "true")
    e, t = _err(S.load, _saved(ember, obj)), _err(torch.load, _saved(torch, obj))
    assert e == t and e[0] is RuntimeError and "both were set" in e[1]
    monkeypatch.delenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD")
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="forcing weights_only=False"):
            assert lib.load(_saved(lib, obj))["p"] == Point(1, 2)
        with pytest.raises(pickle.UnpicklingError):  # an explicit True still wins
            lib.load(_saved(lib, obj), weights_only=True)


@needs_torch
def test_pickle_module_with_weights_only_is_an_error():
    e = _err(S.load, _saved(ember, 1), pickle_module=pickle, weights_only=True)
    assert e == _err(torch.load, _saved(torch, 1), pickle_module=pickle, weights_only=True)
    assert S.load(_saved(ember, {"p": Point(3, 4)}), pickle_module=pickle)["p"] == Point(3, 4)


@needs_torch
def test_whole_torch_model_gives_a_clear_error():
    buf = _saved(torch, _model(torch))
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        S.load(buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError,
                       match=r"torch\.nn\.modules\.container\.Sequential, an object of PyTorch "
                             r"itself(.|\n)*model\.state_dict\(\)"):
        S.load(buf, weights_only=False)
    buf = _saved(torch, _model(torch).state_dict())  # what the message says to do instead
    model = _model(ember)
    model.load_state_dict(S.load(buf))


def test_trusted_load_lets_the_files_own_errors_through(tmp_path):
    # a class the loading program lacks: pickle's own error, not "corrupt checkpoint"
    src = zipfile.ZipFile(_saved(ember, {"p": Point(1, 2)}))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data.replace(b"\nPoint\n", b"\nPoinX\n"))
    with pytest.raises(AttributeError, match="PoinX"):
        S.load(io.BytesIO(buf.getvalue()), weights_only=False)
    with pytest.raises(RuntimeError, match="not a valid checkpoint"):
        S.load(io.BytesIO(buf.getvalue()[:200]), weights_only=False)


# =========================================================================== lazy names
def _ember_modules():
    names = ["ember"]
    for m in pkgutil.walk_packages(ember.__path__, "ember."):
        if not m.name.startswith("ember.examples."):
            names.append(m.name)
    return names


def test_forward_ad_is_advertised_and_real():
    """Issue 15: forward_ad exists and computes tangents (tests/test_forward_ad_vs_torch.py
    compares it with torch)."""
    assert "forward_ad" in dir(ember.autograd)
    fw = ember.autograd.forward_ad
    with fw.dual_level():
        y = fw.make_dual(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 1.0])) ** 2
        assert fw.unpack_dual(y).tangent.tolist() == [2.0, 4.0]


@pytest.mark.parametrize("modname", _ember_modules())
def test_every_advertised_name_resolves(modname):
    if modname.startswith("ember.utils.tensorboard"):
        pytest.importorskip("tensorboard")  # written over the optional tensorboard package
    mod = importlib.import_module(modname)
    names = set(getattr(mod, "__all__", ())) | set(dir(mod))
    names |= set(getattr(mod, "_LAZY_MODULES", ())) | set(getattr(mod, "_LAZY_NAMES", ()))
    missing = []
    for n in sorted(names):
        try:
            getattr(mod, n)
        except Exception as e:  # noqa: BLE001
            missing.append((n, type(e).__name__))
    assert missing == []


def test_lazy_names_are_listed_by_dir():
    for mod in (ember, ember.autograd):
        assert set(mod._LAZY_MODULES) | set(mod._LAZY_NAMES) <= set(dir(mod))


# =========================================================================== graph picture
def _bce_net():
    rng = np.random.default_rng(0)
    x, y = ember.ones(5), ember.zeros(3)
    w = ember.tensor(rng.standard_normal((5, 3)).astype(np.float32), requires_grad=True)
    b = ember.tensor(rng.standard_normal(3).astype(np.float32), requires_grad=True)
    z = ember.matmul(x, w) + b
    return ember.nn.functional.binary_cross_entropy_with_logits(z, y), {"w": w, "b": b}


def _cnn():
    nn, F = ember.nn, ember.nn.functional
    ember.manual_seed(0)
    m = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 8, 3),
                      nn.ReLU(), nn.Flatten(), nn.Linear(8 * 2 * 2, 10))
    out = F.cross_entropy(m(ember.randn(2, 1, 10, 10)), ember.tensor([1, 2]))
    return out, dict(m.named_parameters())


def _fallback_svg(monkeypatch, tmp_path, var, params, **kw):
    import shutil
    import xml.etree.ElementTree as ET
    monkeypatch.setattr(shutil, "which", lambda name: None)
    dot = ember.viz.make_dot(var, params=params, **kw)
    root = ET.parse(ember.viz.save_svg(dot, str(tmp_path / "g.svg"))).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    nodes, edges = {}, []
    for g in root.iter(ns + "g"):
        title = g.find(ns + "title").text
        if g.get("class") == "node":
            r = g.find(ns + "rect")
            box = tuple(float(r.get(k)) for k in ("x", "y", "width", "height"))
            texts = [t.text.replace("\u00a0", " ") for t in g.iter(ns + "text")]
            nodes[title] = (box, r.get("fill"), texts, r.get("stroke-dasharray"))
        elif g.get("class") == "edge":
            p = g.find(ns + "path")
            edges.append((title.split("->"), p.get("d"), g.find(ns + "polygon") is not None,
                          p.get("stroke-dasharray")))
    return dot, nodes, edges


def _curve_points(d):
    """Points along an SVG path of M, L and C commands."""
    import re
    toks = re.findall(r"[MLC]|-?\d+(?:\.\d+)?", d)
    pts, cur, i = [], None, 0
    while i < len(toks):
        cmd = toks[i]
        if cmd in "ML":
            p = (float(toks[i + 1]), float(toks[i + 2]))
            if cmd == "L":
                pts.extend((cur[0] + (p[0] - cur[0]) * t / 20, cur[1] + (p[1] - cur[1]) * t / 20)
                           for t in range(21))
            cur, i = p, i + 3
        else:
            c = [float(v) for v in toks[i + 1:i + 7]]
            p1, p2, p3 = (c[0], c[1]), (c[2], c[3]), (c[4], c[5])
            for k in range(21):
                t = k / 20
                pts.append(tuple((1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b1 + 3 * (1 - t) * t * t
                                 * b2 + t ** 3 * b3 for a, b1, b2, b3 in zip(cur, p1, p2, p3)))
            cur, i = p3, i + 7
    return pts


@pytest.mark.parametrize("net", ["bce", "cnn"])
@pytest.mark.parametrize("show_saved", [False, True])
def test_svg_without_graphviz_looks_like_graphviz(monkeypatch, tmp_path, net, show_saved):
    var, params = _bce_net() if net == "bce" else _cnn()
    dot, nodes, edges = _fallback_svg(monkeypatch, tmp_path, var, params, show_saved=show_saved)
    assert len(nodes) == len(dot._nodes) and len(edges) == len(dot._edges)
    # torchviz's colours, as SVG colours (Graphviz's X11 names are no SVG colours: an unknown
    # fill paints black, which hid the output's text)
    fills = {name: attrs.get("fillcolor") for name, (_, attrs) in dot._nodes.items()}
    hexes = {"darkolivegreen1": "#caff70", "lightblue": "#add8e6", "orange": "#ffa500",
             None: "#d3d3d3"}
    for name, (box, fill, texts, _) in nodes.items():
        assert fill == hexes[fills[name]]
        label = str(dot._nodes[name][0])
        assert texts == [s for s in label.split("\n") if s.strip()]
    out = [n for n, f in fills.items() if f == "darkolivegreen1"]
    assert len(out) == 1 and nodes[out[0]][2] == [" ()", " float32"]
    if show_saved:
        assert any(f == "orange" for f in fills.values())
    # no two boxes overlap, and no edge runs through a box other than its two ends
    boxes = {n: b for n, (b, *_) in nodes.items()}
    names = list(boxes)
    for i, a in enumerate(names):
        ax, ay, aw, ah = boxes[a]
        for b in names[i + 1:]:
            bx, by, bw, bh = boxes[b]
            assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, (a, b)
    for (tail, head), d, arrow, dash in edges:
        attrs = next(e[2] for e in dot._edges if e[:2] == (tail, head))
        assert arrow == (attrs.get("dir") != "none")
        assert (dash is not None) == (attrs.get("style") == "dotted")
        for px, py in _curve_points(d):
            for n, (bx, by, bw, bh) in boxes.items():
                if n not in (tail, head):
                    assert not (bx + 1 < px < bx + bw - 1 and by + 1 < py < by + bh - 1), \
                        (tail, head, n)


def test_svg_without_graphviz_places_leaves_above_their_use(monkeypatch, tmp_path):
    # dot's ranking: a leaf and its AccumulateGrad sit just above the op that uses them
    var, params = _cnn()
    dot, nodes, edges = _fallback_svg(monkeypatch, tmp_path, var, params)
    top = {n: b[1] for n, (b, *_) in nodes.items()}
    checked = 0
    for (tail, head), *_ in edges:
        if dot._nodes[tail][0] == "AccumulateGrad":
            gap = top[head] - top[tail]
            assert 0 < gap < 90, dot._nodes[head][0]
            checked += 1
    assert checked == len(params)


# =========================================================================== out=
_RNG = np.random.default_rng(7)
_A = (_RNG.random((2, 3)) + 0.5).astype(np.float32)
_B = (_RNG.random((2, 3)) + 0.5).astype(np.float32)
_I = np.array([[0, 2, 1], [1, 1, 0]])
_L = np.array([[3, -1, 2], [0, 5, -4]])


def _case(lib, name):
    """(args, kwargs) for ``lib.<name>(..., out=...)``; inputs built with NumPy."""
    a, b = lib.tensor(_A), lib.tensor(_B)
    i, li = lib.tensor(_I), lib.tensor(_L)
    cases = {
        "where": ((a > 1, a, b), {}), "clamp": ((a, 0.7, 1.2), {}), "clip": ((a, 0.7, 1.2), {}),
        "clamp_min": ((a, 0.7), {}), "clamp_max": ((a, 1.2), {}),
        "lerp": ((a, b, 0.3), {}), "addcmul": ((a, a, b), {"value": 0.5}),
        "addcdiv": ((a, a, b), {}), "pow": ((a, 2), {}), "float_power": ((a, 2), {}),
        "cat": (([a, b], 1), {}), "concat": (([a, b],), {}), "concatenate": (([a, b],), {}),
        "stack": (([a, b],), {}), "hstack": (([a, b],), {}), "vstack": (([a, b],), {}),
        "row_stack": (([a, b],), {}), "column_stack": (([a, b],), {}),
        "dstack": (([a, b],), {}),
        "sum": ((a, 1), {}), "nansum": ((a, 1), {}), "prod": ((a, 1), {}),
        "mean": ((a, 1), {}), "nanmean": ((a, 1), {}), "std": ((a, 1), {}),
        "var": ((a, 1), {}), "cumsum": ((a, 1), {}), "cumprod": ((a, 1), {}),
        "logsumexp": ((a, 1), {}), "norm": ((a, 2, 1), {}), "amax": ((a, 1), {}),
        "amin": ((a, 1), {}), "argmax": ((a, 1), {}), "argmin": ((a, 1), {}),
        "all": ((a > 1, 1), {}), "any": ((a > 1, 1), {}),
        "max": ((a, 1), {}), "min": ((a, 1), {}), "sort": ((a, 1), {}), "topk": ((a, 2), {}),
        "kthvalue": ((a, 2, 1), {}), "median": ((a, 1), {}), "cummax": ((a, 1), {}),
        "cummin": ((a, 1), {}), "aminmax": ((a,), {"dim": 1}), "msort": ((a,), {}),
        "matmul": ((a, b.t()), {}), "mm": ((a, b.t()), {}), "bmm": ((a[None], b.t()[None]), {}),
        "mv": ((a, b[0]), {}), "dot": ((a[0], b[0]), {}), "vdot": ((a[0], b[0]), {}),
        "outer": ((a[0], b[0]), {}), "ger": ((a[0], b[0]), {}), "inner": ((a[0], b[0]), {}),
        "addmm": ((a[:, :2], a, b.t()), {}), "addmv": ((a[:, 0], a, b[0]), {}),
        "baddbmm": ((a[None, :, :2], a[None], b.t()[None]), {}),
        "addbmm": ((a[:, :2], a[None], b.t()[None]), {}), "kron": ((a, b), {}),
        "tensordot": ((a, b.t(), 1), {}),
        "index_select": ((a, 1, lib.tensor([0, 2])), {}), "gather": ((a, 1, i), {}),
        "take_along_dim": ((a, i, 1), {}), "take": ((a, lib.tensor([0, 4])), {}),
        "masked_select": ((a, a > 1), {}), "tril": ((a,), {}), "triu": ((a,), {}),
        "diag": ((a,), {}), "scatter": ((a, 1, i, b), {}), "scatter_add": ((a, 1, i, b), {}),
        "index_add": ((a, 1, lib.tensor([0]), b[:, :1]), {}),
        "searchsorted": ((lib.tensor([0.6, 1.0, 1.4]), a), {}),
        "bucketize": ((a, lib.tensor([0.6, 1.0, 1.4])), {}), "nonzero": ((a > 1,), {}),
        "cross": ((lib.tensor(_A[:, :3]), lib.tensor(_B[:, :3])), {"dim": 1}),
        "softmax": ((a, 1), {}), "log_softmax": ((a, 1), {}),
        "nan_to_num": ((a,), {}), "logit": ((a / 2,), {}), "erfinv": ((a - 1,), {}),
        "complex": ((a, b), {}), "polar": ((a, b), {}),
        "bitwise_and": ((li, i), {}), "bitwise_or": ((li, i), {}),
        "bitwise_xor": ((li, i), {}), "bitwise_not": ((li,), {}),
        "logical_not": ((a > 1,), {}), "signbit": ((a - 1,), {}),
        "isposinf": ((a,), {}), "isneginf": ((a,), {}),
        "asin": ((a - 1,), {}), "acos": ((a - 1,), {}), "atanh": ((a - 1,), {}),
        "arcsin": ((a - 1,), {}), "arccos": ((a - 1,), {}), "arctanh": ((a - 1,), {}),
        "acosh": ((a + 1,), {}), "arccosh": ((a + 1,), {}),
        "zeros": ((2, 3), {}), "ones": ((2, 3), {}), "empty": ((2, 3), {}),
        "full": (((2, 3), 1.5), {}), "eye": ((3,), {}), "arange": ((0, 6), {}),
        "linspace": ((0, 10, 6), {}), "logspace": ((0, 1, 6), {}),
        "rand": ((2, 3), {}), "randn": ((2, 3), {}), "randint": ((0, 5, (2, 3)), {}),
        "randperm": ((6,), {}),
        # issue 13: special functions
        "polygamma": ((2, a), {}), "mvlgamma": ((a + 1, 2), {}), "gcd": ((li, i), {}),
        "lcm": ((li, i), {}), "bitwise_left_shift": ((li, i), {}),
        "bitwise_right_shift": ((li, i), {}),
        # issue 13 (ops and methods)
        "diff": ((a,), {}), "histc": ((a, 4), {}), "histogram": ((a, 3), {}),
        "logcumsumexp": ((a, 1), {}), "quantile": ((a, 0.5, 1), {}),
        "nanquantile": ((a, 0.5, 1), {}), "renorm": ((a, 2, 0, 1.0), {}),
        "nanmedian": ((a, 1), {}),
    }
    if name in cases:
        return cases[name]
    unary = ("exp exp2 expm1 log log2 log10 log1p sqrt rsqrt sin cos tan atan sinh cosh tanh "
             "asinh arctan arcsinh sigmoid erf erfc reciprocal square abs absolute neg negative "
             "sign sgn floor ceil round trunc fix frac lgamma digamma i0 sinc rad2deg "
             "deg2rad").split()
    if name in unary:
        return (a,), {}
    return (a, b), {}


_RANDOM = {"rand", "randn", "randint", "randperm", "empty"}
_OUT_NAMES = sorted(n for n in __import__("ember._out", fromlist=["x"]).OUT_FUNCTIONS
                    if hasattr(ember, n) and n != "mode")


def _run_out(lib, name, make_out, grad=False):
    """What ``lib.<name>(..., out=make_out(lib, result))`` does, as comparable data."""
    args, kwargs = _case(lib, name)
    fn = getattr(lib, name)
    lib.manual_seed(0)
    ref = fn(*args, **kwargs)
    refs = tuple(ref) if isinstance(ref, tuple) else (ref,)
    out = make_out(lib, refs)
    if grad:
        args = tuple(x.detach().requires_grad_(True) if isinstance(x, lib.Tensor) and
                     x.is_floating_point() else x for x in args)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    versions = [o._version for o in outs if isinstance(o, lib.Tensor)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            got = fn(*args, **kwargs, out=out)
        except Exception as e:  # noqa: BLE001 - the exception is the result
            return ("raises", type(e).__name__, str(e).split("\n")[0])
    warned = [str(w.message).split(" (Triggered internally")[0] for w in caught
              if "resized" in str(w.message)]
    gots = tuple(got) if isinstance(got, tuple) else (got,)
    same = all(g is o for g, o in zip(gots, outs)) and len(gots) == len(outs)
    vals = [None if name in _RANDOM else np.asarray(g.tolist(), dtype=object).tolist()
            for g in gots]
    return ("ok", same, [str(g.dtype) for g in gots], [tuple(g.shape) for g in gots], vals,
            [o._version > v for o, v in zip(outs, versions)], warned)


def _outs(spec):
    def make(lib, refs):
        made = []
        for r in refs:
            dt = {"same": r.dtype, "f64": lib.float64 if r.dtype != lib.float64 else lib.float32,
                  "i64": lib.int64 if r.dtype != lib.int64 else lib.float32,
                  "bool": lib.bool if r.dtype != lib.bool else lib.float32}[spec[0]]
            shape = {"shape": tuple(r.shape), "empty": (0,), "other": (5,)}[spec[1]]
            made.append(lib.zeros(shape, dtype=dt))
        return tuple(made) if len(refs) > 1 else made[0]
    return make


# torch quirks ember does not copy: kron's out= leaves out's version counter as it was;
# kthvalue's resize warning names the keepdim shapes it resizes internally
_LOOSE = {"kron": 5, "kthvalue": 6}


def _close(e, t, name=None):
    if e[0] != "ok" or t[0] != "ok":
        return e == t
    ev, tv = e[4], t[4]
    e, t = list(e), list(t)
    if name == "kthvalue":
        e[6] = [w.split(" since")[0] for w in e[6]]
        t[6] = [w.split(" since")[0] for w in t[6]]
    elif name in _LOOSE:
        e[_LOOSE[name]] = t[_LOOSE[name]]
    return e[:4] == t[:4] and e[5:] == t[5:] and all(
        a is None or np.allclose(np.asarray(a, dtype=complex), np.asarray(b, dtype=complex),
                                 rtol=1e-5, atol=1e-6) for a, b in zip(ev, tv))


@needs_torch
@pytest.mark.parametrize("name", _OUT_NAMES)
def test_out_matches_torch(name):
    bad = []
    for spec in [("same", "shape"), ("same", "empty"), ("same", "other"), ("f64", "shape"),
                 ("i64", "shape"), ("bool", "shape")]:
        e, t = _run_out(ember, name, _outs(spec)), _run_out(torch, name, _outs(spec))
        if not _close(e, t, name):
            bad.append((spec, e, t))
    assert bad == []


@needs_torch
@pytest.mark.parametrize("name", _OUT_NAMES)
def test_out_with_grad_matches_torch(name):
    if name in _RANDOM or OUT_RULES[name][0] == "factory":
        pytest.skip("no tensor inputs")
    e = _run_out(ember, name, _outs(("same", "shape")), grad=True)
    t = _run_out(torch, name, _outs(("same", "shape")), grad=True)
    assert _close(e, t, name), (e, t)
    with ember.no_grad():
        e = _run_out(ember, name, _outs(("same", "shape")), grad=True)
    with torch.no_grad():
        t = _run_out(torch, name, _outs(("same", "shape")), grad=True)
    assert _close(e, t, name), (e, t)


OUT_RULES = __import__("ember._out", fromlist=["x"]).OUT_FUNCTIONS


@needs_torch
def test_out_writes_through_views_and_aliases_like_torch():
    for lib in (ember, torch):
        a, b = lib.tensor(_A), lib.tensor(_B)
        base = lib.zeros(4, 3)
        view = base[1:3]
        got = lib.matmul(a, lib.ones(3, 3), out=view)
        assert got is view and view._version == base._version == 1
        res_base = base.tolist()
        x = a.clone()
        lib.add(x, b, out=x)  # out is an input
        col = lib.zeros(3, 2).t()  # a non-contiguous out
        lib.exp(a, out=col)
        if lib is ember:
            e = (res_base, x.tolist(), col.tolist(), col.stride())
        else:
            t = (res_base, x.tolist(), col.tolist(), col.stride())
    np.testing.assert_allclose(np.array(e[0]), np.array(t[0]), rtol=1e-6)
    np.testing.assert_allclose(np.array(e[1]), np.array(t[1]), rtol=1e-6)
    np.testing.assert_allclose(np.array(e[2]), np.array(t[2]), rtol=1e-6)
    assert e[3] == t[3]


@needs_torch
def test_out_in_the_tutorials_eye_signature():
    # seed 004: "#torch.eye(n,m=None,out=None)" next to torch.eye(5, requires_grad=True)
    for lib in (ember, torch):
        o = lib.empty(5, 5)
        assert lib.eye(5, 5, out=None).tolist() == lib.eye(5).tolist()
        assert lib.eye(5, out=o) is o and o.tolist() == np.eye(5).tolist()
        assert lib.eye(5, requires_grad=True).requires_grad


@needs_torch
def test_out_errors_on_bad_out_arguments():
    for lib in (ember, torch):
        a = lib.tensor(_A)
        for fn, out, cls in [(lambda o: lib.add(a, a, out=o), [lib.empty(0)], TypeError),
                             (lambda o: lib.sort(a, out=o), (lib.empty(0),), TypeError)]:
            with pytest.raises(cls):
                fn(out)
    e = _err(ember.sort, ember.tensor(_A), out=(ember.empty(0),) * 3)
    assert e == _err(torch.sort, torch.tensor(_A), out=(torch.empty(0),) * 3)
    e = _err(ember.add, ember.tensor(_A), 1, out=[ember.empty(0)])
    assert e == _err(torch.add, torch.tensor(_A), 1, out=[torch.empty(0)])


def test_out_wrappers_keep_signatures_and_cost_one_call():
    import inspect
    for name in _OUT_NAMES:
        fn = getattr(ember, name)
        sig = inspect.signature(fn)
        assert "out" in sig.parameters and sig.parameters["out"].default is None
        assert fn.__name__ == name
        inner = inspect.signature(fn.__ember_out__)
        assert [p for p in sig.parameters if p != "out"] == [p for p in inner.parameters
                                                             if p != "out"]


# =========================================================================== NumPy floor
def _declared_numpy_floor():
    import pathlib
    import re
    text = (pathlib.Path(__file__).resolve().parent.parent / "pyproject.toml").read_text()
    m = re.search(r'^dependencies = \["numpy>=([0-9.]+)"\]$', text, re.MULTILINE)
    assert m, "pyproject.toml must declare dependencies = [\"numpy>=X.Y\"] (.ci/run reads it)"
    return tuple(int(p) for p in m.group(1).split("."))


def test_declared_numpy_floor_covers_the_apis_ember_calls():
    # NumPy APIs whose presence sets the floor (the CI job runs the suite on the floor itself)
    import pathlib
    import re
    needs = {r"\breshape\([^)]*\bcopy=": (2, 1), r"\bnp\.(unique_values|unique_all)\b": (2, 0),
             r"\b(xp|np)\.astype\(": (2, 1), r"\bcumulative_(sum|prod)\(": (2, 1)}
    root = pathlib.Path(ember.__file__).parent
    required = (2, 0)  # NEP 50 scalar promotion: float32 tensor * 2 stays float32
    for path in root.rglob("*.py"):
        code = path.read_text()
        for pattern, version in needs.items():
            if re.search(pattern, code):
                required = max(required, version)
    assert _declared_numpy_floor() >= required
    assert tuple(int(p) for p in np.__version__.split(".")[:2]) >= _declared_numpy_floor()


def test_ci_runs_the_readme_command_then_the_numpy_floor():
    import pathlib
    root = pathlib.Path(__file__).resolve().parent.parent
    ci = (root / ".ci" / "run").read_text()
    readme = (root / "README.md").read_text()
    cmd = ('python -m venv .venv && .venv/bin/pip install -q -e ".[test]" && '
           '.venv/bin/python -m pytest -n 2 -q')
    assert cmd in readme
    lines = [ln for ln in ci.splitlines() if ln and not ln.startswith(("#", "set ", "cd "))]
    assert lines[0] == cmd
    install = [ln for ln in lines if "pip install" in ln and '"numpy==$floor"' in ln]
    assert len(install) == 1 and "torch" not in install[0] and ".[test]" not in install[0]
