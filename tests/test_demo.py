"""The main demo: a short run learns, writes a checkpoint PyTorch loads, a PNG and an SVG, and
--resume continues from the checkpoint."""
import json
import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")

from ember.examples import digits  # noqa: E402


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    res = digits.main(["--epochs", "1", "--out", str(out), "--seed", "1"])
    return out, res


def test_one_epoch_learns(run):
    _, res = run
    assert res["cnn"]["test_acc"] > 0.5 and res["mlp"]["test_acc"] > 0.5  # chance is 0.1


def test_outputs_are_valid_files(run):
    out, _ = run
    png = (out / "curves.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    root = ET.parse(out / "cnn_graph.svg").getroot()
    assert root.tag.endswith("svg")
    assert "ConvolutionBackward0" in (out / "cnn_graph.svg").read_text()
    assert json.loads((out / "results.json").read_text())["cnn"]["test_acc"] > 0.5


def test_checkpoint_loads_in_ember_and_torch(run):
    out, _ = run
    import ember
    ck = ember.load(out / "checkpoint.pt")
    assert ck["epoch"] == 1 and "conv1.weight" in ck["model"]["cnn"]
    torch = pytest.importorskip("torch")
    tk = torch.load(out / "checkpoint.pt", weights_only=True)
    assert tuple(tk["model"]["cnn"]["conv1.weight"].shape) == (16, 1, 3, 3)
    net = torch.nn.Conv2d(1, 16, 3, padding=1)
    net.load_state_dict({"weight": tk["model"]["cnn"]["conv1.weight"],
                         "bias": tk["model"]["cnn"]["conv1.bias"]})


def test_resume_continues(run, capsys):
    out, _ = run
    digits.main(["--epochs", "2", "--out", str(out), "--seed", "1", "--resume"])
    text = capsys.readouterr().out
    assert "resumed from" in text and "epoch  2/2" in text and "epoch  1/2" not in text
    import ember
    assert ember.load(out / "checkpoint.pt")["epoch"] == 2


def test_svg_fallback_without_graphviz(monkeypatch, tmp_path):
    import shutil

    import ember
    from ember import viz
    monkeypatch.setattr(shutil, "which", lambda name: None)
    x = ember.randn(3, 4, requires_grad=True)
    dot = viz.make_dot((x.relu() * 2).sum(), params={"x": x})
    path = viz.save_svg(dot, str(tmp_path / "g.svg"))
    root = ET.parse(path).getroot()
    rects = [e for e in root.iter() if e.tag.endswith("rect")]
    assert len(rects) == len(dot._nodes) >= 4
