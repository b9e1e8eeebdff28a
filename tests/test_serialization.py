"""ember.save / ember.load / safetensors: PyTorch's formats both ways, safely and atomically."""
import collections
import io
import os
import pickle
import secrets
import zipfile

import numpy as np
import pytest

from ember import _dtype as D
from ember import serialization as S
from ember._tensor import Tensor, _make

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


def T(arr, req=False):
    return _make(np.asarray(arr), req, None, 0, None)


def sample(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return np.asarray(rng.random(shape) > 0.5)
    if dtype.startswith("float"):
        return rng.standard_normal(shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(max(info.min, -100), min(info.max, 100), shape).astype(dtype)


def roundtrip(obj, **kw):
    buf = io.BytesIO()
    S.save(obj, buf)
    buf.seek(0)
    return S.load(buf, **kw)


def params_cls():
    try:
        from ember.nn.parameter import Parameter
    except Exception:
        return None
    return Parameter


# --------------------------------------------------------------------------- ember <-> ember
@pytest.mark.parametrize("dtype", DTYPES)
def test_roundtrip_dtypes_shapes(dtype):
    for shape in [(), (0,), (3,), (2, 3), (2, 0, 4), (2, 3, 4)]:
        a = sample(dtype, shape)
        out = roundtrip({"x": T(a)})["x"]
        assert isinstance(out, Tensor)
        assert out._array.dtype == a.dtype and out._array.shape == a.shape
        np.testing.assert_array_equal(out._array, a)


def test_roundtrip_containers_and_numbers():
    obj = {"a": [1, 2.5, True, None, "s", b"by\xff", (3, 4)], "b": {1: {"c": 1 + 2j}},
           "s": {1, 2}, "f": frozenset({3}), "np": np.float64(1.5), "ni": np.int64(7),
           "dt": D.float64, "t": (T(np.arange(3)),)}
    out = roundtrip(obj)
    assert out["a"] == [1, 2.5, True, None, "s", b"by\xff", (3, 4)]
    assert out["b"] == {1: {"c": 1 + 2j}} and out["s"] == {1, 2} and out["f"] == {3}
    assert out["np"] == 1.5 and type(out["np"]) is float and out["ni"] == 7
    assert out["dt"] is D.float64
    np.testing.assert_array_equal(out["t"][0]._array, np.arange(3))


def test_roundtrip_state_dict_metadata_and_order():
    sd = collections.OrderedDict([("w", T(np.ones((2, 2), np.float32))), ("b", T(np.zeros(2)))])
    sd._metadata = collections.OrderedDict({"": {"version": 1}})
    out = roundtrip(sd)
    assert type(out) is collections.OrderedDict and list(out) == ["w", "b"]
    assert out._metadata == {"": {"version": 1}}


def test_roundtrip_views_share_storage_and_version_counter():
    base = np.arange(12, dtype=np.float32).reshape(3, 4)
    a, v, t = T(base), T(base[:, 1:3]), T(base.T)
    out = roundtrip([a, v, t, a])
    a2, v2, t2, a3 = out
    assert a3 is a2
    np.testing.assert_array_equal(v2._array, base[:, 1:3])
    np.testing.assert_array_equal(t2._array, base.T)
    a2._array[0, 1] = 100.0
    assert v2._array[0, 0] == 100.0 and t2._array[1, 0] == 100.0
    assert a2._version_counter is v2._version_counter is t2._version_counter


def test_roundtrip_negative_strides_and_broadcast():
    base = np.arange(6.0)
    out = roundtrip([T(base[::-1]), T(np.broadcast_to(base[:3], (2, 3)))])
    np.testing.assert_array_equal(out[0]._array, base[::-1])
    np.testing.assert_array_equal(out[1]._array, np.broadcast_to(base[:3], (2, 3)))


def test_requires_grad_and_parameter_roundtrip():
    out = roundtrip({"w": T(np.ones(2, np.float32), req=True), "i": T(np.arange(2))})
    assert out["w"]._requires_grad is True and out["i"]._requires_grad is False
    P = params_cls()
    if P is not None:
        p = P(T(np.ones(3, np.float32)))
        q = roundtrip(p)
        assert isinstance(q, P) and q.requires_grad


def test_path_save_is_zip_with_torch_layout(tmp_path):
    path = tmp_path / "model.pt"
    S.save({"w": T(np.ones(3, np.float32))}, path)
    names = zipfile.ZipFile(path).namelist()
    assert names[0] == "model/data.pkl"
    for rec in ["model/byteorder", "model/data/0", "model/version",
                "model/.data/serialization_id"]:
        assert rec in names
    with zipfile.ZipFile(path) as zf:  # storages are 64-byte aligned like torch's
        info = zf.getinfo("model/data/0")
        raw = path.read_bytes()
        start = info.header_offset + 30 + len(info.filename) + int.from_bytes(
            raw[info.header_offset + 28:info.header_offset + 30], "little")
        assert start % 64 == 0 and raw[start:start + 12] == np.ones(3, np.float32).tobytes()
    mask = os.umask(0)
    os.umask(mask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's 0o600
    np.testing.assert_array_equal(S.load(str(path))["w"]._array, np.ones(3))


# --------------------------------------------------------------------------- safety
def _hostile_zip(path, payload: bytes, prefix="archive"):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{prefix}/data.pkl", payload)
        zf.writestr(f"{prefix}/byteorder", "little")
        zf.writestr(f"{prefix}/version", "3\n")


class _Evil:
    def __init__(self, cmd):
        self.cmd = cmd

    def __reduce__(self):
        return (os.system, (self.cmd,))


@pytest.mark.parametrize("weights_only", [None, True])
def test_hostile_pickle_refused_and_not_run(tmp_path, weights_only):
    marker = f"/tmp/pwned_{secrets.token_hex(8)}"
    path = tmp_path / "evil.pt"
    _hostile_zip(path, pickle.dumps({"w": _Evil(f"touch {marker}")}, protocol=2))
    msg = r"Weights only load failed(.|\n)*GLOBAL (os|posix)\.system whose module (os|posix) is " \
          r"blocked"
    with pytest.raises(pickle.UnpicklingError, match=msg):
        S.load(path, weights_only=weights_only)
    assert not os.path.exists(marker)


def test_weights_only_false_trusts_the_file(tmp_path):
    # the caller's statement of trust: like torch.load(weights_only=False), the pickle runs
    marker = tmp_path / "ran"
    path = tmp_path / "trusted.pt"
    _hostile_zip(path, pickle.dumps({"w": _Evil(f"touch {marker}")}, protocol=2))
    assert S.load(path, weights_only=False) == {"w": 0}
    assert marker.exists()


def test_hostile_legacy_pickle_refused(tmp_path):
    marker = f"/tmp/pwned_{secrets.token_hex(8)}"
    path = tmp_path / "evil_legacy.pt"
    path.write_bytes(pickle.dumps(_Evil(f"touch {marker}"), protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="system"):
        S.load(path)
    assert not os.path.exists(marker)


def test_hostile_build_and_other_globals_refused(tmp_path):
    # BUILD on an allowed class object would set class attributes: refused.
    payload = (b"\x80\x02ctorch\nSize\nq\x00N}q\x01X\x08\x00\x00\x00__repr__q\x02"
               b"cbuiltins\nset\nq\x03s\x86q\x04b.")
    path = tmp_path / "build.pt"
    _hostile_zip(path, payload)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed(.|\n)*Can only "
                                                     "build Tensor, Parameter, OrderedDict"):
        S.load(path)
    for glob, shown in [(b"builtins\neval\n", "eval"), (b"numpy\nload\n", "numpy.load"),
                        (b"torch\nload\n", "torch.load"),
                        (b"subprocess\nrun\n", "subprocess.run")]:
        _hostile_zip(path, b"\x80\x02c" + glob + b".")
        with pytest.raises(pickle.UnpicklingError,
                           match=f"Unsupported global: GLOBAL {shown} was not an allowed global"):
            S.load(path)


def test_out_of_bounds_view_is_corrupt_not_a_crash(tmp_path):
    class Fake:  # a tensor whose size runs far past its 3-element storage
        def __reduce__(self):
            return S._Global("torch._utils", "_rebuild_tensor_v2"), (
                S._StorageRef("0", S._Global("torch", "FloatStorage"), 3), 0, (1000,), (1,),
                False, collections.OrderedDict())

    buf = io.BytesIO()
    p = S._Pickler(buf, 2)
    p.dump(Fake())
    path = tmp_path / "oob.pt"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", buf.getvalue())
        zf.writestr("archive/data/0", np.ones(3, np.float32).tobytes())
    with pytest.raises(RuntimeError, match="runs past the end"):
        S.load(path)


def test_truncated_files_raise_runtime_error(tmp_path):
    path = tmp_path / "m.pt"
    S.save({"w": T(np.arange(100, dtype=np.float32)), "b": [1, 2]}, path)
    raw = path.read_bytes()
    cut = tmp_path / "cut.pt"
    for n in [0, 1, 3, 10, 100, len(raw) // 3, len(raw) // 2, len(raw) - 30, len(raw) - 1]:
        cut.write_bytes(raw[:n])
        with pytest.raises(RuntimeError, match="not a valid checkpoint"):
            S.load(cut)


def test_byte_flips_raise_runtime_error_or_load(tmp_path):
    path = tmp_path / "m.pt"
    S.save({"w": T(np.arange(50, dtype=np.float32))}, path)
    raw = bytearray(path.read_bytes())
    bad = tmp_path / "bad.pt"
    rng = np.random.default_rng(0)
    errors = 0
    for pos in list(range(0, len(raw), 7)) + list(rng.integers(0, len(raw), 50)):
        flipped = bytearray(raw)
        flipped[pos] ^= 0xFF
        bad.write_bytes(bytes(flipped))
        try:
            out = S.load(bad)
        except RuntimeError as e:
            assert "not a valid checkpoint" in str(e)
            errors += 1
        else:  # a flip in padding or a timestamp is harmless: then the data is intact
            np.testing.assert_array_equal(out["w"]._array, np.arange(50))
    assert errors > 0


def test_data_byte_flip_is_detected(tmp_path):
    path = tmp_path / "m.pt"
    S.save({"w": T(np.arange(50, dtype=np.float32))}, path)
    raw = bytearray(path.read_bytes())
    pos = raw.index(np.arange(50, dtype=np.float32).tobytes()) + 17
    raw[pos] ^= 1
    path.write_bytes(bytes(raw))
    with pytest.raises(RuntimeError, match="not a valid checkpoint"):
        S.load(path)


def test_garbage_and_empty_files(tmp_path):
    p = tmp_path / "g.pt"
    for data in [b"", b"hello world, not a checkpoint", b"PK\x03\x04" + b"\0" * 40,
                 b"\x80\x02K\x01."]:
        p.write_bytes(data)
        with pytest.raises(RuntimeError, match="not a valid checkpoint"):
            S.load(p)
    with pytest.raises(FileNotFoundError):
        S.load(tmp_path / "missing.pt")


def test_interrupted_save_keeps_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    S.save({"w": T(np.ones(1000, np.float32))}, path)
    real, calls = S._write_record, []

    def flaky(zf, name, data):
        calls.append(name)
        if len(calls) == 5:
            raise KeyboardInterrupt("killed mid-save")
        real(zf, name, data)

    monkeypatch.setattr(S, "_write_record", flaky)
    with pytest.raises(KeyboardInterrupt):
        S.save({"w": T(np.zeros(1000, np.float32))}, path)
    monkeypatch.undo()
    np.testing.assert_array_equal(S.load(path)["w"]._array, np.ones(1000))
    assert sorted(os.listdir(tmp_path)) == ["ckpt.pt"]  # no temp file left behind


def test_save_errors_leave_no_file(tmp_path):
    path = tmp_path / "x.pt"
    with pytest.raises(Exception):
        S.save({"f": lambda: 0}, path)
    assert not path.exists()


def test_map_location_and_kwargs():
    obj = {"w": T(np.ones(2))}
    for m in [None, "cpu", {"cuda:0": "cpu"}, lambda s, loc: s]:
        roundtrip(obj, map_location=m)
    with pytest.raises(RuntimeError):
        roundtrip(obj, map_location="cuda")
    with pytest.raises(TypeError):
        roundtrip(obj, map_location=123)
    roundtrip(obj, mmap=False, weights_only=False, pickle_module=pickle)


def test_safetensors_roundtrip_without_torch(tmp_path):
    pytest.importorskip("safetensors")
    base = np.arange(12, dtype=np.float32).reshape(3, 4)
    path = tmp_path / "m.safetensors"
    S.save_safetensors({"w": T(base.T), "i": T(np.arange(3)), "b": T(base > 3)}, path,
                       metadata={"format": "pt"})
    out = S.load_safetensors(path)
    np.testing.assert_array_equal(out["w"]._array, base.T)
    np.testing.assert_array_equal(out["b"]._array, base > 3)
    out["w"]._array[0, 0] = 5  # writable
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(RuntimeError, match="not a valid safetensors"):
        S.load_safetensors(path)


# --------------------------------------------------------------------------- torch oracle
def _torch():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("dtype", DTYPES)
def test_ember_save_torch_load_dtypes(tmp_path, dtype):
    torch = _torch()
    arrays = {f"x{i}": sample(dtype, s, i) for i, s in
              enumerate([(), (0,), (5,), (2, 3), (2, 3, 4)])}
    path = tmp_path / "e.pt"
    S.save({k: T(v) for k, v in arrays.items()}, path)
    out = torch.load(path, weights_only=True)
    for k, v in arrays.items():
        assert out[k].dtype == getattr(torch, dtype)
        np.testing.assert_array_equal(out[k].numpy(), v)


def test_ember_save_torch_load_state_dict_views_and_nested(tmp_path):
    torch = _torch()
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    sd = collections.OrderedDict([("w", T(base, req=True)), ("v", T(base[1:3, ::2])),
                                  ("t", T(base.T)), ("e", T(np.broadcast_to(base[0], (2, 6))))])
    sd._metadata = collections.OrderedDict({"": {"version": 1}, "fc": {"version": 1}})
    obj = {"model": sd, "opt": {"state": {0: {"step": T(np.array(3.0, np.float32)),
                                              "exp_avg": T(np.ones(3))}},
                                "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999),
                                                  "params": [0], "amsgrad": False,
                                                  "eps": np.float32(1e-8)}]},
           "epoch": 3, "dtype": D.float16, "names": ["a", "b"], "blob": b"\x00\x01"}
    path = tmp_path / "e.pt"
    S.save(obj, path)
    out = torch.load(path, weights_only=True)
    m = out["model"]
    assert type(m) is collections.OrderedDict and list(m) == ["w", "v", "t", "e"]
    assert m._metadata == {"": {"version": 1}, "fc": {"version": 1}}
    assert m["w"].requires_grad and not m["v"].requires_grad
    np.testing.assert_array_equal(m["v"].numpy(), base[1:3, ::2])
    np.testing.assert_array_equal(m["t"].numpy(), base.T)
    np.testing.assert_array_equal(m["e"].numpy(), np.broadcast_to(base[0], (2, 6)))
    assert m["v"].untyped_storage().data_ptr() == m["w"].untyped_storage().data_ptr()
    assert m["e"].stride() == (0, 1)
    g = out["opt"]["param_groups"][0]
    assert g["betas"] == (0.9, 0.999) and g["params"] == [0]
    assert abs(g["eps"] - 1e-8) < 1e-12 and type(g["eps"]) is float
    assert out["opt"]["state"][0]["step"].item() == 3.0
    assert out["epoch"] == 3 and out["dtype"] is torch.float16 and out["blob"] == b"\x00\x01"


def test_ember_save_parameter_torch_load(tmp_path):
    torch = _torch()
    P = params_cls()
    if P is None:
        pytest.skip("ember.nn.parameter not available yet")
    path = tmp_path / "p.pt"
    S.save({"p": P(T(np.ones(3, np.float32)))}, path)
    out = torch.load(path, weights_only=True)
    assert isinstance(out["p"], torch.nn.Parameter) and out["p"].requires_grad


def _torch_model_state(torch):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3),
                                torch.nn.Flatten(), torch.nn.Linear(12, 4))
    lstm = torch.nn.LSTM(3, 5, num_layers=2)
    opt = torch.optim.Adam(list(model.parameters()) + list(lstm.parameters()), lr=1e-3)
    x = torch.randn(2, 2, 4, 4)
    (model(x).sum() + lstm(torch.randn(4, 1, 3))[0].sum()).backward()
    opt.step()
    return model, lstm, opt


def test_torch_save_ember_load_models_and_optimizer(tmp_path):
    torch = _torch()
    model, lstm, opt = _torch_model_state(torch)
    path = tmp_path / "t.pt"
    torch.save({"model": model.state_dict(), "lstm": lstm.state_dict(),
                "opt": opt.state_dict(), "step": 1}, path)
    out = S.load(path)
    sd = model.state_dict()
    assert list(out["model"]) == list(sd)
    assert out["model"]._metadata == sd._metadata
    for k, v in sd.items():
        assert out["model"][k]._array.dtype == v.numpy().dtype
        np.testing.assert_array_equal(out["model"][k]._array, v.numpy())
    for k, v in lstm.state_dict().items():
        np.testing.assert_array_equal(out["lstm"][k]._array, v.numpy())
    osd = opt.state_dict()
    assert out["opt"]["param_groups"] == osd["param_groups"]
    for i, st in osd["state"].items():
        for k, v in st.items():
            np.testing.assert_array_equal(out["opt"]["state"][i][k]._array, v.numpy())


@pytest.mark.parametrize("dtype", DTYPES)
def test_torch_save_ember_load_dtypes(tmp_path, dtype):
    torch = _torch()
    tens = {f"x{i}": torch.from_numpy(sample(dtype, s, i)) for i, s in
            enumerate([(), (0,), (5,), (2, 3), (2, 3, 4)])}
    path = tmp_path / "t.pt"
    torch.save(tens, path)
    out = S.load(path)
    for k, v in tens.items():
        assert out[k]._array.dtype == v.numpy().dtype and out[k]._array.shape == tuple(v.shape)
        np.testing.assert_array_equal(out[k]._array, v.numpy())


def test_torch_save_ember_load_views_noncontiguous_params(tmp_path):
    torch = _torch()
    base = torch.arange(24.0).reshape(4, 6)
    obj = [base, base[1:3, 2:], base.t(), base[:, ::2], base[0].expand(3, 6),
           torch.nn.Parameter(torch.ones(2)), torch.Size([2, 3]), torch.float64,
           torch.device("cpu"), {1, 2}, b"bytes", 1 + 2j]
    path = tmp_path / "v.pt"
    torch.save(obj, path)
    out = S.load(path)
    for e, t in zip(out[:5], obj[:5]):
        np.testing.assert_array_equal(e._array, t.numpy())
    out[0]._array[1, 2] = -1.0
    assert out[1]._array[0, 0] == -1.0 and out[2]._array[2, 1] == -1.0
    assert out[5]._requires_grad is True
    assert tuple(out[6]) == (2, 3) and out[7] is D.float64 and str(out[8]) == "cpu"
    assert out[9:] == [{1, 2}, b"bytes", 1 + 2j]


def test_torch_save_bfloat16(tmp_path):
    torch = _torch()
    t = torch.tensor([1.5, -2.25, 3.0e10], dtype=torch.bfloat16)
    path = tmp_path / "bf.pt"
    torch.save({"t": t}, path)
    if D.bfloat16 is None:
        with pytest.warns(UserWarning, match="bfloat16"):
            out = S.load(path)
        assert out["t"]._array.dtype == np.float32
    else:
        out = S.load(path)
    np.testing.assert_array_equal(out["t"]._array.astype(np.float32), t.float().numpy())


def test_torch_legacy_format(tmp_path):
    torch = _torch()
    base = torch.arange(6.0).reshape(2, 3)
    path = tmp_path / "legacy.pt"
    torch.save({"a": base, "v": base.t(), "i": torch.arange(3), "n": [1, "x"]}, path,
               _use_new_zipfile_serialization=False)
    out = S.load(path)
    np.testing.assert_array_equal(out["a"]._array, base.numpy())
    np.testing.assert_array_equal(out["v"]._array, base.t().numpy())
    np.testing.assert_array_equal(out["i"]._array, np.arange(3))
    assert out["n"] == [1, "x"]


def test_torch_file_objects_both_ways():
    torch = _torch()
    buf = io.BytesIO()
    S.save({"w": T(np.arange(4.0))}, buf)
    buf.seek(0)
    assert torch.load(buf, weights_only=True)["w"].tolist() == [0.0, 1.0, 2.0, 3.0]
    buf = io.BytesIO()
    torch.save({"w": torch.arange(4.0)}, buf)
    buf.seek(0)
    np.testing.assert_array_equal(S.load(buf)["w"]._array, np.arange(4.0))


def test_torch_hostile_file_refused_by_both(tmp_path):
    torch = _torch()
    marker = f"/tmp/pwned_{secrets.token_hex(8)}"
    path = tmp_path / "evil.pt"
    torch.save({"w": _Evil(f"touch {marker}")}, path)
    with pytest.raises(pickle.UnpicklingError, match="system"):
        S.load(path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)
    assert not os.path.exists(marker)


def test_safetensors_interop_with_torch(tmp_path):
    torch = _torch()
    st = pytest.importorskip("safetensors.torch")
    base = np.arange(12, dtype=np.float32).reshape(3, 4)
    path = tmp_path / "e.safetensors"
    S.save_safetensors({"w": T(base.T), "h": T(base.astype(np.float16)),
                        "i": T(np.arange(5))}, path)
    out = st.load_file(str(path))
    np.testing.assert_array_equal(out["w"].numpy(), base.T)
    assert out["h"].dtype == torch.float16 and out["i"].dtype == torch.int64
    path2 = tmp_path / "t.safetensors"
    st.save_file({"a": torch.arange(6.0).reshape(2, 3), "b": torch.tensor([True, False])},
                 str(path2))
    out2 = S.load_safetensors(path2)
    np.testing.assert_array_equal(out2["a"]._array, np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(out2["b"]._array, [True, False])


def test_torch_mmap_load_of_ember_file(tmp_path):
    torch = _torch()
    path = tmp_path / "m.pt"
    arrays = {d: sample(d, (3, 5)) for d in DTYPES}
    S.save({k: T(v) for k, v in arrays.items()}, path)
    out = torch.load(path, weights_only=True, mmap=True)  # needs torch's 64-byte alignment
    for k, v in arrays.items():
        np.testing.assert_array_equal(out[k].numpy(), v)


class _FakeParameter(Tensor):
    """Stands in for ember.nn.Parameter (same constructor) to cover the Parameter path."""

    def __new__(cls, data, requires_grad=True):
        t = _make(data._array, requires_grad, None, 0, data._version_counter)
        t.__class__ = cls
        return t

    def __init__(self, data, requires_grad=True):
        pass


def test_parameter_path_with_stand_in(tmp_path, monkeypatch):
    torch = _torch()
    if params_cls() is None:
        monkeypatch.setattr(S, "_parameter_cls", lambda: _FakeParameter)
    P = S._parameter_cls()
    path = tmp_path / "p.pt"
    S.save({"p": P(T(np.ones(3, np.float32)))}, path)
    out = torch.load(path, weights_only=True)
    assert isinstance(out["p"], torch.nn.Parameter) and out["p"].requires_grad
    torch.save({"p": torch.nn.Parameter(torch.ones(2)),
                "q": torch.nn.Parameter(torch.ones(2), requires_grad=False)}, path)
    back = S.load(path)
    assert isinstance(back["p"], P) and back["p"]._requires_grad and not back["q"]._requires_grad
