"""ember.hub against torch.hub, offline: the cache layout and directory rules, checkpoints
already in the cache load without the network, file:// downloads with check_hash, a missing
file's error names the URL and the cache path, and list/help/load of a cached repository."""
import hashlib
import os

import numpy as np
import pytest

import ember
import ember.hub as ehub

try:
    import torch
    import torch.hub as thub
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")
HUBS = [ehub] + ([thub] if torch is not None else [])


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "th"))
    monkeypatch.delenv("TORCH_HUB", raising=False)
    for hub in HUBS:
        monkeypatch.setattr(hub, "_hub_dir", None)
    return tmp_path


@needs_torch
def test_get_dir_set_dir_match_torch(home, monkeypatch):
    assert ehub.get_dir() == thub.get_dir() == str(home / "th" / "hub")
    monkeypatch.delenv("TORCH_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "xdg"))
    assert ehub.get_dir() == thub.get_dir() == str(home / "xdg" / "torch" / "hub")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert ehub.get_dir() == thub.get_dir() == os.path.expanduser("~/.cache/torch/hub")
    for hub in HUBS:
        hub.set_dir("~/somewhere")
    assert ehub.get_dir() == thub.get_dir() == os.path.expanduser("~/somewhere")


def _torch_saved_state(path):
    rng = np.random.default_rng(0)
    sd = {"weight": torch.tensor(rng.normal(size=(3, 2)).astype(np.float32)),
          "bias": torch.tensor(rng.normal(size=3).astype(np.float32))}
    torch.save(sd, path)
    return sd


@needs_torch
def test_cached_checkpoint_loads_without_network(home, capsys):
    url = "https://download.example.invalid/models/tiny-0123abcd.pth"
    ckpt = home / "th" / "hub" / "checkpoints"
    ckpt.mkdir(parents=True)
    sd = _torch_saved_state(ckpt / "tiny-0123abcd.pth")
    got = ehub.load_state_dict_from_url(url, check_hash=True)  # cached: no hash check, no net
    assert list(got) == list(sd)
    for k in sd:
        assert np.array_equal(got[k].numpy(), sd[k].numpy()) and got[k].dtype == ember.float32
    assert "Downloading" not in capsys.readouterr().out
    # file_name= and model_dir= pick the cached file as torch does
    other = home / "elsewhere"
    other.mkdir()
    _torch_saved_state(other / "renamed.pt")
    got = ehub.load_state_dict_from_url(url, model_dir=str(other), file_name="renamed.pt")
    m = ember.nn.Linear(2, 3)
    m.load_state_dict(got)
    assert np.array_equal(m.weight.detach().numpy(), sd["weight"].numpy())


def test_missing_file_offline_names_url_and_cache(home):
    from urllib.error import URLError
    url = "http://127.0.0.1:9/weights/net-abc.pth"  # nothing listens on port 9 (discard)
    with pytest.raises(URLError) as info:
        ehub.load_state_dict_from_url(url, progress=False)
    msg = str(info.value)
    cached = os.path.join(str(home / "th" / "hub" / "checkpoints"), "net-abc.pth")
    assert url in msg and cached in msg
    assert not os.listdir(home / "th" / "hub" / "checkpoints")  # no .partial file left


@needs_torch
def test_file_url_download_and_check_hash_match_torch(home, capsys):
    src = home / "src"
    src.mkdir()
    path = src / "model.pth"
    sd = _torch_saved_state(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    good = src / f"model-{digest[:8]}.pth"
    bad = src / "model-deadbeef.pth"
    good.write_bytes(path.read_bytes())
    bad.write_bytes(path.read_bytes())
    for hub in HUBS:
        hub.set_dir(str(home / hub.__name__))
        got = hub.load_state_dict_from_url(good.as_uri(), check_hash=True, progress=False)
        assert np.array_equal(np.asarray(got["bias"].numpy()), sd["bias"].numpy())
        assert os.listdir(home / hub.__name__ / "checkpoints") == [good.name]
    out = capsys.readouterr().out
    assert out.count(f'Downloading: "{good.as_uri()}" to ') == 2
    errs = []
    for hub in HUBS:
        with pytest.raises(RuntimeError, match="invalid hash value") as info:
            hub.load_state_dict_from_url(bad.as_uri(), check_hash=True, progress=False)
        errs.append(str(info.value))
    assert errs[0] == errs[1] == f'invalid hash value (expected "deadbeef", got "{digest}")'
    for hub in HUBS:
        dst = home / f"{hub.__name__}.bin"
        hub.download_url_to_file(path.as_uri(), str(dst), hash_prefix=digest[:4],
                                 progress=False)
        assert dst.read_bytes() == path.read_bytes()


HUBCONF = '''
dependencies = ["numpy"]


def tiny(scale=1.0):
    """A tiny entrypoint: returns its argument in a dict."""
    return {"scale": scale}


def _private():
    return None
'''


@needs_torch
def test_list_help_load_cached_repo_match_torch(home, capsys):
    for hub in HUBS:
        hub.set_dir(str(home / hub.__name__))
        repo = home / hub.__name__ / "someone_tinyrepo_main"
        repo.mkdir(parents=True)
        (repo / "hubconf.py").write_text(HUBCONF)
    res = []
    for hub in HUBS:
        res.append((hub.list("someone/tinyrepo:main", trust_repo=True),
                    hub.help("someone/tinyrepo:main", "tiny", trust_repo=True),
                    hub.load("someone/tinyrepo:main", "tiny", 2.0, trust_repo=True),
                    hub.load(str(home / hub.__name__ / "someone_tinyrepo_main"), "tiny",
                             scale=3, source="local")))
    assert res[0] == res[1]
    assert res[0][0] == ["tiny"] and res[0][2] == {"scale": 2.0}
    assert "Using cache found in" in capsys.readouterr().err
    for hub in HUBS:
        with pytest.raises(RuntimeError, match="Cannot find callable nope in hubconf"):
            hub.load("someone/tinyrepo:main", "nope", trust_repo=True)
        with pytest.raises(ValueError, match='Unknown source: "ftp"'):
            hub.load("x", "tiny", source="ftp")
    trusted = (home / "ember.hub" / "trusted_list").read_text()
    # the cached directory itself counts as trusted (torch's legacy rule): nothing written
    assert trusted == (home / "torch.hub" / "trusted_list").read_text() == ""
