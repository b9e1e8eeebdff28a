"""ember.utils.tensorboard.SummaryWriter against torch.utils.tensorboard: the same calls under
both libraries, both log directories read back with TensorBoard's own reader and compared
(runs, tags, steps, values, histogram buckets, decoded images, text, hparams plugin data)."""
import io
import os
import pathlib

import numpy as np
import pytest

pytest.importorskip("tensorboard")

import ember  # noqa: E402
from ember.utils.tensorboard import SummaryWriter  # noqa: E402

try:
    import torch
    from torch.utils.tensorboard import SummaryWriter as TorchWriter
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")


def _decode_png(data):
    Image = pytest.importorskip("PIL.Image")
    return np.asarray(Image.open(io.BytesIO(data)))


def _read_events(logdir):
    """{run subdir: [(step, tag, what, value) ...]} of every event file under ``logdir``."""
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
    runs = {}
    for path in sorted(pathlib.Path(logdir).rglob("events.out.tfevents.*")):
        run = str(path.parent.relative_to(logdir))
        rows = runs.setdefault(run, [])
        for ev in EventFileLoader(str(path)).Load():
            if ev.HasField("file_version"):
                rows.append((ev.step, "", "file_version", ev.file_version))
            elif ev.HasField("session_log"):
                rows.append((ev.step, "", "session_log", ev.session_log.status))
            elif ev.HasField("summary"):
                for v in ev.summary.value:
                    rows.append((ev.step, v.tag, *_value(v)))
            elif ev.HasField("graph_def"):
                rows.append((ev.step, "", "graph_def", None))
            elif ev.HasField("tagged_run_metadata"):
                rows.append((ev.step, ev.tagged_run_metadata.tag, "run_metadata", None))
    return runs


def _value(v):
    meta = (v.metadata.plugin_data.plugin_name, v.metadata.plugin_data.content)
    kind = v.WhichOneof("value")
    if kind == "simple_value":
        return "scalar", v.simple_value
    if kind == "histo":
        h = v.histo
        return "histo", (h.min, h.max, h.num, h.sum, h.sum_squares, list(h.bucket_limit),
                         list(h.bucket))
    if kind == "image":
        im = v.image
        return "image", (im.height, im.width, im.colorspace,
                         _decode_png(im.encoded_image_string).tolist())
    if kind == "tensor" and meta[0] == "scalars" and len(v.tensor.float_val) == 1:
        return "scalar", v.tensor.float_val[0]
    if kind == "tensor" and meta[0] == "images":  # the loader's form: [w, h, png, ...]
        sv = v.tensor.string_val
        return "image", (sv[0], sv[1], [_decode_png(b).tolist() for b in sv[2:]])
    if kind == "tensor":
        return "tensor", (meta, str(v.tensor))
    return "meta", meta


def _both(tmp_path, fn):
    """Runs ``fn(lib, writer)`` with each library; returns both read-back logs."""
    out = []
    for lib, W in ((ember, SummaryWriter), (torch, TorchWriter)):
        d = str(tmp_path / lib.__name__)
        with W(d) as w:
            fn(lib, w)
        out.append(_read_events(d))
    return out


@needs_torch
def test_scalars_histograms_text_match_torch(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=2000) * 3
    ints = rng.integers(0, 9, 50)
    tens = rng.normal(size=(2, 3)).astype(np.float32)

    def log(lib, w):
        for s in range(4):
            w.add_scalar("loss/train", lib.tensor(0.5 * s), s)
            w.add_scalar("lr", 0.1 / (s + 1), s, new_style=(s % 2 == 1))
            w.add_scalars("run/x", {"a": s, "b": lib.tensor([2.0 * s])}, s)
        w.add_histogram("w", lib.tensor(x), 1)
        w.add_histogram("w_int", lib.tensor(ints), 2, bins="auto")
        w.add_histogram("w_max", x, 3, bins=np.linspace(-5, 5, 101), max_bins=7)
        w.add_histogram_raw("raw", 0.0, 3.0, 4, 6.0, 14.0, [1.0, 2.0, 3.0], [1, 1, 2], 0)
        w.add_tensor("tens", lib.tensor(tens), 5)
        w.add_text("notes", "**hello** world", 3)
    e, t = _both(tmp_path, log)
    assert sorted(e) == sorted(t) == [".", "run_x_a", "run_x_b"]
    for run in t:
        assert e[run] == t[run], run


@needs_torch
@pytest.mark.parametrize("shape,fmt,dtype", [
    ((3, 6, 5), "CHW", "float32"), ((6, 5, 3), "HWC", "uint8"), ((6, 5), "HW", "float64"),
    ((1, 6, 5), "CHW", "float32"), ((6, 5, 4), "HWC", "uint8"), ((5, 6), "WH", "uint8"),
])
def test_add_image_matches_torch(tmp_path, shape, fmt, dtype):
    rng = np.random.default_rng(1)
    a = (rng.integers(0, 256, shape) if dtype == "uint8" else rng.random(shape) * 1.2 - 0.1)
    a = a.astype(dtype)

    def log(lib, w):
        w.add_image("img", lib.tensor(a), 7, dataformats=fmt)
    e, t = _both(tmp_path, log)
    assert e == t


@needs_torch
def test_add_images_grid_matches_torch(tmp_path):
    rng = np.random.default_rng(2)
    batch = rng.random((11, 3, 4, 5)).astype(np.float32)
    gray = rng.integers(0, 256, (3, 4, 5, 1)).astype(np.uint8)

    def log(lib, w):
        w.add_images("batch", lib.tensor(batch), 0)
        w.add_images("gray", lib.tensor(gray), 1, dataformats="NHWC")
    e, t = _both(tmp_path, log)
    assert e == t


@needs_torch
def test_add_figure_matches_torch(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def log(lib, w):
        fig = plt.figure(figsize=(2, 1.5), dpi=40)
        plt.plot([0, 1, 2], [2, 0, 1])
        w.add_figure("fig", fig, 4)
        assert not plt.fignum_exists(fig.number)  # close=True closes it
    e, t = _both(tmp_path, log)
    assert e == t


@needs_torch
def test_add_hparams_matches_torch(tmp_path):
    def log(lib, w):
        w.add_hparams({"lr": 0.01, "bsize": 32, "opt": "adam", "flag": True, "skip": None,
                       "t": lib.tensor([0.5])},
                      {"hparam/accuracy": 0.9, "hparam/loss": lib.tensor(0.25)},
                      hparam_domain_discrete={"opt": ["adam", "sgd"]}, run_name="trial")
    e, t = _both(tmp_path, log)
    assert sorted(e) == sorted(t) == [".", "trial"]
    assert e == t
    from tensorboard.plugins.hparams import plugin_data_pb2
    contents = [r[3][0][1] for r in e["trial"] if r[2] == "tensor" and r[3][0][0] == "hparams"]
    start = plugin_data_pb2.HParamsPluginData.FromString(contents[1]).session_start_info
    assert start.hparams["opt"].string_value == "adam"
    assert start.hparams["lr"].number_value == 0.01


@needs_torch
def test_purge_step_and_reopen(tmp_path):
    def log(lib, w):
        w.add_scalar("a", 1.0, 5)
        w.close()
        w.add_scalar("a", 2.0, 6)  # a closed writer opens a new event file
    for lib, W in ((ember, SummaryWriter), (torch, TorchWriter)):
        with W(str(tmp_path / lib.__name__), purge_step=3) as w:
            log(lib, w)
    e, t = (_read_events(tmp_path / n) for n in ("ember", "torch"))
    assert e == t
    assert ("3", "session_log") not in e
    assert (3, "", "session_log", 1) in e["."]
    assert len(list((tmp_path / "ember").glob("events.out.tfevents.*"))) == 2


def test_default_logdir_comment_and_suffix(tmp_path, monkeypatch):
    import socket
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_lr0.1", filename_suffix=".ember")
    logdir = w.get_logdir()
    w.close()
    parts = pathlib.Path(logdir).parts
    assert parts[0] == "runs" and parts[1].endswith("_" + socket.gethostname() + "_lr0.1")
    files = os.listdir(logdir)
    assert len(files) == 1 and files[0].endswith(".ember")
    assert files[0].startswith("events.out.tfevents.")


def test_scalar_error_and_event_accumulator(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        with pytest.raises(AssertionError, match="Tensor should contain one element"):
            w.add_scalar("bad", ember.ones(3))
        w.add_scalar("ok", ember.tensor(2.5), 1)
        w.flush()
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    acc = EventAccumulator(str(tmp_path))
    acc.Reload()
    assert [(s.step, s.value) for s in acc.Scalars("ok")] == [(1, 2.5)]


def test_png_encoder_roundtrip():
    from ember.utils.tensorboard._png import encode_png
    rng = np.random.default_rng(3)
    for shape in [(7, 9, 3), (4, 5, 4), (6, 3), (6, 3, 1), (5, 2, 2)]:
        a = rng.integers(0, 256, shape).astype(np.uint8)
        back = _decode_png(encode_png(a))
        assert np.array_equal(back, a.reshape(back.shape)), shape


def test_own_record_writer_reads_back(tmp_path):
    """The fallback TFRecord writer (masked crc32c) writes files TensorBoard reads."""
    from tensorboard.compat.proto import event_pb2
    from tensorboard.compat.proto.summary_pb2 import Summary
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c as tb_crc

    from ember.utils.tensorboard._record import RecordEventFileWriter, masked_crc32c
    for data in (b"", b"abc", bytes(range(256)) * 3):
        assert masked_crc32c(data) == tb_crc(data)
    w = RecordEventFileWriter(str(tmp_path), filename_suffix=".x")
    for s in range(3):
        w.add_event(event_pb2.Event(step=s, wall_time=1.0, summary=Summary(
            value=[Summary.Value(tag="v", simple_value=s * 0.5)])))
    w.close()
    rows = _read_events(tmp_path)["."]
    assert rows == [(0, "", "file_version", "brain.Event:2")] + [
        (s, "v", "scalar", s * 0.5) for s in range(3)]


def test_add_graph_reads_as_a_graph(tmp_path):
    nn = ember.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(4, 8)
            self.act = nn.ReLU()
            self.fc2 = nn.Linear(8, 2)

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x))).softmax(-1)
    net = Net()
    with SummaryWriter(str(tmp_path)) as w:
        w.add_graph(net, ember.randn(3, 4))
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    acc = EventAccumulator(str(tmp_path))
    acc.Reload()
    g = acc.Graph()
    nodes = {n.name: n for n in g.node}
    assert nodes["input/input.0"].op == "IO Node"
    assert nodes["output/output.0"].op == "IO Node"
    for p in ("Net/Linear[fc1]/weight", "Net/Linear[fc1]/bias", "Net/Linear[fc2]/weight"):
        assert nodes[p].op == "prim::GetAttr"
    ops = {n.name: n for n in g.node if n.op.startswith("aten::")}
    assert "Net/ReLU[act]/relu" in ops and "Net/softmax" in ops
    assert set(ops["Net/Linear[fc1]/addmm"].input) == {
        "Net/Linear[fc1]/bias", "input/input.0", "Net/Linear[fc1]/t"}
    # every input names an existing node
    assert all(i in nodes for n in g.node for i in n.input)
    assert net.training  # restored after the eval-mode trace
    assert acc.Tags()["run_metadata"] == ["step1"]


@needs_torch
@pytest.mark.filterwarnings("ignore:`torch.jit.trace:DeprecationWarning")
def test_add_graph_scopes_match_torch():
    """The module scopes holding op nodes are torch's (``Net/Linear[fc1]`` ...)."""
    from torch.utils.tensorboard._pytorch_graph import graph as torch_graph

    from ember.utils.tensorboard._graph import graph

    def make(lib):
        nn = lib.nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(1, 2, 3)
                self.body = nn.Sequential(nn.Flatten(), nn.Linear(8, 3), nn.Tanh())

            def forward(self, x):
                return self.body(self.conv(x)) * 2
        return Net()
    x = np.random.default_rng(0).normal(size=(2, 1, 4, 4)).astype(np.float32)
    ge, _ = graph(make(ember), ember.tensor(x))
    gt, _ = torch_graph(make(torch), torch.tensor(x))

    def scopes(g):
        return {n.name.rpartition("/")[0] for n in g.node if n.op.startswith("aten::")}
    assert scopes(ge) == scopes(gt)
    io = [n for n in ge.node if n.op == "IO Node"]
    assert len(io) == len([n for n in gt.node if n.op == "IO Node"]) == 2


@needs_torch
def test_add_embedding_files_match_torch(tmp_path):
    rng = np.random.default_rng(4)
    mat = rng.normal(size=(10, 3)).astype(np.float32)
    imgs = rng.random((10, 3, 4, 5)).astype(np.float32)
    meta = [f"w{i}" for i in range(10)]
    meta2 = [[i, i % 3] for i in range(10)]
    for lib, W in ((ember, SummaryWriter), (torch, TorchWriter)):
        with W(str(tmp_path / lib.__name__)) as w:
            w.add_embedding(lib.tensor(mat), metadata=meta, label_img=lib.tensor(imgs),
                            global_step=3, tag="my/emb")
            w.add_embedding(lib.tensor(mat[:, :2]), metadata=meta2,
                            metadata_header=["idx", "cls"])
    files = {}
    for name in ("ember", "torch"):
        root = tmp_path / name
        files[name] = {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
                       if p.is_file() and not p.name.startswith("events.")}
    assert sorted(files["ember"]) == sorted(files["torch"])
    assert "00003/my%2femb/sprite.png" in files["ember"]
    for k, v in files["ember"].items():
        if k.endswith(".png"):
            assert np.array_equal(_decode_png(v), _decode_png(files["torch"][k]))
        else:
            assert v == files["torch"][k], k
