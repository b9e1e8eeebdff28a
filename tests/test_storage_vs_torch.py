"""Differential tests of storages against torch 2.13: ``torch.storage`` (UntypedStorage,
TypedStorage, the legacy ``FloatStorage`` classes, ``torch.cuda.*Storage`` on a CPU build),
``Tensor.untyped_storage/storage/storage_type``, ``Tensor.set_`` with a storage,
``torch.from_file`` and ``torch.is_storage``: values, sharing of memory with the tensor (a write
through one shows in the other, ``data_ptr`` equality), sizes, reprs and errors (class and
text)."""
from __future__ import annotations

import copy
import os
import pickle
import warnings

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")
pytestmark = [needs_torch, pytest.mark.filterwarnings("ignore:TypedStorage is deprecated")]

_rng = np.random.default_rng(1313)
A6 = _rng.standard_normal(6).astype(np.float32)
A34 = _rng.standard_normal((3, 4))


def _norm(x):
    """A plain, comparable form of what a snippet returned."""
    if isinstance(x, (ember.Tensor, getattr(torch, "Tensor", ()))):
        return ("T", str(x.dtype), tuple(x.shape), x.detach().tolist(), x.requires_grad)
    if isinstance(x, BaseException):
        return ("E", type(x).__name__, str(x).split("\n")[0])
    if isinstance(x, type):
        return ("type", f"{x.__module__}.{x.__name__}")
    if type(x).__name__ in ("UntypedStorage", "TypedStorage"):
        return (type(x).__name__, str(x.dtype) if hasattr(x, "dtype") else None, x.tolist())
    if isinstance(x, (tuple, list)):
        return type(x).__name__, [_norm(v) for v in x]
    if isinstance(x, (ember.dtype, getattr(torch, "dtype", ()))):
        return str(x)
    if type(x).__name__ == "device":
        return str(x)
    return x


def both(fn):
    """fn(lib) in ember and torch: the same result or the same exception."""
    out = []
    for lib in (ember, torch):
        try:
            out.append(_norm(fn(lib)))
        except Exception as e:  # noqa: BLE001 - compared with the oracle's
            out.append(_norm(e))
    assert out[0] == out[1], f"ember {out[0]!r}\n torch {out[1]!r}"
    return out[0]


CASES = {
    # a tensor's untyped storage: the memory of its base, shared by its views
    "nbytes": lambda L: L.from_numpy(A6.copy()).untyped_storage().nbytes(),
    "size": lambda L: L.from_numpy(A34.copy()).untyped_storage().size(),
    "len": lambda L: len(L.from_numpy(A34.copy())[1:].untyped_storage()),
    "elsize": lambda L: L.from_numpy(A6.copy()).untyped_storage().element_size(),
    "view_nbytes": lambda L: L.from_numpy(A34.copy())[:, 1].untyped_storage().nbytes(),
    "tolist": lambda L: L.tensor([1.0, 2.0]).untyped_storage().tolist(),
    "getitem": lambda L: L.tensor([1.0, -2.0]).untyped_storage()[7],
    "getitem_neg": lambda L: L.tensor([1.0, -2.0]).untyped_storage()[-1],
    "getitem_slice": lambda L: L.tensor([1.0, -2.0]).untyped_storage()[2:6],
    "getitem_oob": lambda L: L.tensor([1.0]).untyped_storage()[4],
    "getitem_step": lambda L: L.tensor([1.0]).untyped_storage()[::2],
    "getitem_str": lambda L: L.tensor([1.0]).untyped_storage()["a"],
    "iter": lambda L: list(L.tensor([1, 2], dtype=L.int16).untyped_storage()),
    "device": lambda L: L.tensor([1.0]).untyped_storage().device,
    "type": lambda L: L.tensor([1.0]).untyped_storage().type(),
    "is_shared": lambda L: L.tensor([1.0]).untyped_storage().is_shared(),
    "get_device": lambda L: L.tensor([1.0]).untyped_storage().get_device(),
    "is_cuda": lambda L: L.tensor([1.0]).untyped_storage().is_cuda,
    "is_pinned": lambda L: L.tensor([1.0]).untyped_storage().is_pinned(),
    "filename": lambda L: L.tensor([1.0]).untyped_storage().filename,
    "repr": lambda L: repr(L.tensor([1, 2], dtype=L.int8).untyped_storage()),
    "to_float": lambda L: L.tensor([1, 2], dtype=L.int8).untyped_storage().float(),
    "to_double": lambda L: L.tensor([3.5]).storage().double(),
    "to_long": lambda L: L.tensor([3.5, -1.0]).storage().long(),
    "byteswap": lambda L: _byteswap(L),
    "setitem_neg": lambda L: L.UntypedStorage([1, 2]).__setitem__(-1, 3),
    "setitem_oob": lambda L: L.UntypedStorage([1, 2]).__setitem__(2, 3),
    "setitem_float": lambda L: L.UntypedStorage([1, 2]).__setitem__(0, 1.5),
    "byteswap_bad": lambda L: L.UntypedStorage([1, 2, 3]).byteswap(L.int16),
    # constructors
    "ctor_empty": lambda L: L.UntypedStorage(),
    "ctor_n": lambda L: L.UntypedStorage(5).nbytes(),
    "ctor_seq": lambda L: L.UntypedStorage([1, 2, 300, -1]),
    "ctor_neg": lambda L: L.UntypedStorage(-1),
    "ctor_float": lambda L: L.UntypedStorage(4.0),
    "ctor_cuda": lambda L: L.UntypedStorage(4, device="cuda"),
    "setitem": lambda L: _setitem(L),
    "fill": lambda L: L.UntypedStorage([1, 2, 3]).fill_(7),
    "copy": lambda L: L.UntypedStorage(2).copy_(L.UntypedStorage([1, 2])),
    "copy_size": lambda L: L.UntypedStorage(4).copy_(L.UntypedStorage([1, 2])),
    "copy_tensor": lambda L: L.UntypedStorage(2).copy_(L.tensor([1, 2])),
    "clone_indep": lambda L: _clone(L),
    "cpu_is_self": lambda L: (lambda s: s.cpu() is s)(L.UntypedStorage(3)),
    "resize_fresh": lambda L: (lambda s: (s.nbytes(), s.tolist()[:3]))(
        L.UntypedStorage([1, 2, 3]).resize_(5)),
    "resize_tensor_numpy": lambda L: L.from_numpy(A6.copy()).untyped_storage().resize_(40),
    "grow_by_set_": lambda L: (lambda s: (L.tensor([], dtype=L.int16).set_(s, 1, (4,)).shape,
                                          s.nbytes()))(L.UntypedStorage(4)),
    "resize_shrink": lambda L: L.UntypedStorage([1, 2, 3]).resize_(2).tolist(),
    "resizable": lambda L: L.UntypedStorage([1, 2, 3]).resizable(),
    "from_buffer": lambda L: L.UntypedStorage.from_buffer(b"abcd", "native", dtype=L.int16),
    "from_buffer_nodtype": lambda L: L.UntypedStorage.from_buffer(b"abcd", "native"),
    "from_buffer_big": lambda L: L.ShortStorage.from_buffer(b"\x00\x01\x00\x02", "big"),
    "from_buffer_float": lambda L: L.FloatStorage.from_buffer(A6.tobytes(), "little"),
    "eq_identity": lambda L: (lambda x: (x.untyped_storage() == x.untyped_storage(),
                                         x.untyped_storage() == L.UntypedStorage(4)))(
        L.tensor([1.0])),
    # typed storages
    "typed_size": lambda L: L.from_numpy(A34.copy()).storage().size(),
    "typed_len": lambda L: len(L.from_numpy(A34.copy()).storage()),
    "typed_nbytes": lambda L: L.from_numpy(A34.copy()).storage().nbytes(),
    "typed_dtype": lambda L: L.tensor([1, 2], dtype=L.int32).storage().dtype,
    "typed_elsize": lambda L: L.tensor([1, 2], dtype=L.int32).storage().element_size(),
    "typed_item": lambda L: L.from_numpy(A6.copy()).storage()[3],
    "typed_item_neg": lambda L: L.from_numpy(A6.copy()).storage()[-1],
    "typed_item_oob": lambda L: L.from_numpy(A6.copy()).storage()[6],
    "typed_slice": lambda L: L.from_numpy(A6.copy()).storage()[1:3],
    "typed_tolist": lambda L: L.from_numpy(A6.copy())[2:].storage().tolist(),
    "typed_repr": lambda L: repr(L.tensor([1.5, 2.0]).storage()),
    "typed_type": lambda L: L.tensor([1.5]).storage().type(),
    "typed_type_long": lambda L: L.tensor([1, 2]).storage().type(),
    "typed_cast": lambda L: L.tensor([1.5, 2.0]).storage().type("torch.IntStorage"),
    "typed_fill": lambda L: (lambda x: (x.storage().fill_(2.5), x)[1])(L.zeros(3)),
    "typed_set": lambda L: _typed_set(L),
    "typed_isinstance": lambda L: [isinstance(L.zeros(2).storage(), c) for c in (
        L.FloatStorage, L.DoubleStorage, L.TypedStorage)],
    "typed_untyped_same": lambda L: (lambda x: x.storage().untyped() is x.untyped_storage())(
        L.zeros(2)),
    "typed_data_ptr": lambda L: (lambda x: x.storage().data_ptr() == x.data_ptr())(L.zeros(2)),
    "typed_pickle_type": lambda L: L.zeros(2, dtype=L.int16).storage().pickle_storage_type(),
    "storage_type": lambda L: L.zeros(2).storage_type(),
    "storage_type_int16": lambda L: L.zeros(2, dtype=L.int16).storage_type(),
    "storage_type_bool": lambda L: L.zeros(2, dtype=L.bool).storage_type(),
    "legacy_ctor_n": lambda L: L.FloatStorage(3).size(),
    "legacy_ctor_seq": lambda L: L.DoubleStorage([1, 2, 3]),
    "legacy_ctor_seq_long": lambda L: L.LongStorage([1, 2, 3]),
    "legacy_ctor_type": lambda L: type(L.IntStorage(2)),
    "legacy_ctor_bad": lambda L: L.FloatStorage(2.5),
    "legacy_ctor_many": lambda L: L.FloatStorage(1, 2),
    "legacy_ctor_device": lambda L: L.FloatStorage(2, device="cpu"),
    "legacy_dtype": lambda L: [c.dtype for c in (L.FloatStorage, L.ByteStorage, L.CharStorage,
                                                 L.BoolStorage, L.ShortStorage)],
    "legacy_wrap": lambda L: L.FloatStorage(wrap_storage=L.UntypedStorage([0, 0, 128, 63])),
    "legacy_wrap_bad": lambda L: L.FloatStorage(wrap_storage=[1]),
    "typed_ctor": lambda L: L.TypedStorage([1, 2], dtype=L.int64),
    "typed_ctor_default": lambda L: L.TypedStorage(2).dtype,
    "typed_ctor_wrap_nodtype": lambda L: L.TypedStorage(wrap_storage=L.UntypedStorage(4)),
    "typed_from_file_base": lambda L: L.TypedStorage.from_file("x", False, 2),
    "is_storage": lambda L: [L.is_storage(o) for o in (
        L.zeros(1).untyped_storage(), L.zeros(1).storage(), L.zeros(1), 3)],
    "cuda_storage": lambda L: L.cuda.FloatStorage(3),
    "cuda_storage_empty": lambda L: L.cuda.BFloat16Storage(),
    "cuda_storage_dtype": lambda L: [L.cuda.FloatStorage.dtype, L.cuda.LongStorage.dtype],
    "cuda_isinstance": lambda L: isinstance(L.zeros(1).storage(), L.cuda.FloatStorage),
    "module": lambda L: sorted(L.storage.__all__),
}


def _byteswap(L):
    s = L.UntypedStorage([1, 2, 3, 4])
    s.byteswap(L.int16)
    return s


def _setitem(L):
    s = L.UntypedStorage([1, 2, 3, 4])
    s[0] = 7
    s[1:3] = 300
    s[3] = 255
    return s


def _clone(L):
    x = L.tensor([1.0, 2.0])
    c = x.untyped_storage().clone()
    c[0] = 9
    return x, c.data_ptr() != x.data_ptr(), c.nbytes()


def _typed_set(L):
    x = L.zeros(3)
    s = x.storage()
    s[1] = 4.5
    s[2:] = -1
    return x


@pytest.mark.parametrize("name", sorted(CASES))
def test_storage_case(name):
    both(CASES[name])


# ------------------------------------------------------------------------------------ sharing

@pytest.mark.parametrize("lib", ["ember", "torch"])
def test_storage_shares_memory_with_its_tensor(lib):
    """The same checks in both libraries (the point of a storage: it is the tensor's memory)."""
    L = ember if lib == "ember" else torch
    x = L.from_numpy(A34.copy())
    s = x.untyped_storage()
    assert s.data_ptr() == x.data_ptr()
    assert x[1:].untyped_storage().data_ptr() == s.data_ptr()
    assert x.t().untyped_storage().data_ptr() == s.data_ptr()
    assert x.view(-1).untyped_storage() is s and x[1].untyped_storage() is s
    assert x.clone().untyped_storage().data_ptr() != s.data_ptr()
    t = x.storage()
    t[5] = 42.0
    assert x[1, 1].item() == 42.0
    x[2, 3] = -7.0
    assert t[11] == -7.0
    s[0:8] = 0
    assert x[0, 0].item() == 0.0
    assert x.storage().data_ptr() == x.data_ptr()


def test_views_storage_offsets_match_torch():
    def fn(L):
        x = L.from_numpy(A34.copy())
        v = [x[1:], x[:, 2], x.t()[1], x.view(-1)[5:], x.t().contiguous()[1:, 2]]
        return [(t.storage_offset(), t.untyped_storage().nbytes(),
                 t.data_ptr() - t.untyped_storage().data_ptr()) for t in v]
    both(fn)


# ------------------------------------------------------------------------------------ set_

SET_CASES = {
    "storage": lambda L, s: L.tensor([], dtype=L.float32).set_(s),
    "storage_geom": lambda L, s: L.tensor([], dtype=L.float32).set_(s, 2, (2, 2), (1, 2)),
    "storage_size_only": lambda L, s: L.tensor([], dtype=L.float32).set_(s, 1, (2, 2)),
    "storage_kw": lambda L, s: L.tensor([], dtype=L.float32).set_(source=s),
    "storage_kw_all": lambda L, s: L.tensor([], dtype=L.float32).set_(
        source=s, storage_offset=1, size=(3,), stride=(2,)),
    "typed": lambda L, s: L.tensor([], dtype=L.float32).set_(
        L.FloatStorage(wrap_storage=s), 1, (2,)),
    "typed_wrong": lambda L, s: L.tensor([], dtype=L.int64).set_(
        L.FloatStorage(wrap_storage=s)),
    "tensor_wrong": lambda L, s: L.zeros(2).set_(L.zeros(3, dtype=L.int32)),
    "tensor_geom": lambda L, s: L.zeros(2).set_(L.arange(6.0), 1, (2, 2)),
    "tensor_geom_stride": lambda L, s: L.zeros(2).set_(L.arange(6.0)[2:], 1, (2,), (2,)),
    "empty": lambda L, s: L.ones(3).set_(),
    "bad_len": lambda L, s: L.tensor([], dtype=L.float32).set_(s, 0, (2,), (1, 1)),
    "bad_offset": lambda L, s: L.tensor([], dtype=L.float32).set_(s, -1, (2,)),
    "oob_numpy": lambda L, s: L.tensor([], dtype=L.float64).set_(
        L.from_numpy(A34.copy()).untyped_storage(), 2, (20,)),
    "offset_no_size": lambda L, s: L.tensor([], dtype=L.float32).set_(s, 0),
    "size_no_offset": lambda L, s: L.tensor([], dtype=L.float32).set_(s, size=(2,)),
    "int": lambda L, s: L.zeros(2).set_(5),
    "leaf": lambda L, s: L.zeros(2, requires_grad=True).set_(s),
}


def _set_case(name):
    def fn(L):
        s = L.tensor(np.arange(6, dtype=np.float32)).untyped_storage()
        t = SET_CASES[name](L, s)
        return (t, t.stride(), t.storage_offset(), t.untyped_storage().data_ptr() ==
                (s.data_ptr() if name not in ("tensor_geom", "tensor_geom_stride", "empty",
                                              "oob_numpy")
                 else t.untyped_storage().data_ptr()))
    return fn


@pytest.mark.parametrize("name", sorted(SET_CASES))
def test_set_(name):
    both(_set_case(name))


def test_set_shares_memory_and_version():
    def fn(L):
        s = L.UntypedStorage(16)
        a = L.tensor([], dtype=L.float32).set_(s)
        b = L.tensor([], dtype=L.int32).set_(s, 1, (2,))
        a.fill_(1.0)
        b[0] = 5
        c = L.zeros(0).set_(a[1:])
        d = L.tensor([], dtype=L.float32)
        v0 = d._version
        d.set_(s)
        return (a, b, c.storage_offset(), c.untyped_storage() is s, b.untyped_storage() is s,
                a[2:].untyped_storage() is s, d._version - v0, a._base is None)
    both(fn)


def test_as_strided_after_set_():
    def fn(L):
        s = L.UntypedStorage(24)
        s.fill_(0)
        a = L.tensor([], dtype=L.float32).set_(s, 1, (2,))
        a.copy_(L.tensor([1.0, 2.0]))
        v = a.as_strided((3,), (1,), 0)
        return v, v.storage_offset(), L.as_strided(a, (2,), (1,)).storage_offset()
    both(fn)


# ------------------------------------------------------------------------------------ files

def _from_file_case(tmp_path, body):
    out = []
    for k, lib in enumerate((ember, torch)):
        fn = tmp_path / f"{k}.bin"
        np.arange(4, dtype=np.float32).tofile(fn)
        try:
            r = body(lib, str(fn))
            out.append((_norm(r), np.fromfile(fn, np.float32).tolist(), os.path.getsize(fn)))
        except Exception as e:  # noqa: BLE001
            out.append((_norm(e).__class__, _norm(e)[1]))
    assert out[0] == out[1], out


def _first_write(L, fn, shared, size, **kw):
    t = L.from_file(fn, shared, size, **kw)
    if t.numel():
        t[0] = 9
    return t


@pytest.mark.parametrize("case", [
    dict(shared=False, size=4), dict(shared=True, size=4), dict(shared=None, size=2),
    dict(shared=True, size=8), dict(shared=False, size=8), dict(shared=False, size=0),
    dict(shared=False, size=2, dtype="int32"), dict(shared=False, size=2, requires_grad=True),
    dict(shared=True, size=3, dtype="float64")])
def test_from_file(tmp_path, case):
    case = dict(case)
    dt = case.pop("dtype", None)

    def body(L, fn):
        kw = dict(case)
        if dt is not None:
            kw["dtype"] = getattr(L, dt)
        t = _first_write(L, fn, kw.pop("shared"), kw.pop("size"), **kw)
        return t, t.untyped_storage().nbytes(), t.untyped_storage().filename == fn
    _from_file_case(tmp_path, body)


def test_from_file_errors(tmp_path):
    _from_file_case(tmp_path, lambda L, fn: L.from_file(fn + "-missing", size=2))
    _from_file_case(tmp_path, lambda L, fn: L.UntypedStorage.from_file(fn, False, 800))
    _from_file_case(tmp_path, lambda L, fn: L.UntypedStorage.from_file(fn, False, 8))
    _from_file_case(tmp_path, lambda L, fn: L.FloatStorage.from_file(fn, True, 2))


def test_from_file_new_file_shared(tmp_path):
    sizes = []
    for k, lib in enumerate((ember, torch)):
        fn = str(tmp_path / f"new{k}.bin")
        t = lib.from_file(fn, True, 3, dtype=lib.int16)
        t[1] = 7
        del t
        sizes.append((os.path.getsize(fn), np.fromfile(fn, np.int16).tolist()))
    assert sizes[0] == sizes[1]


# ------------------------------------------------------------------------------------ copies

@pytest.mark.parametrize("lib", ["ember", "torch"])
def test_pickle_and_copy_storages(lib):
    L = ember if lib == "ember" else torch
    x = L.tensor([1.0, 2.5])
    s = x.untyped_storage()
    if L is ember:  # (torch 2.13 fails to unpickle an UntypedStorage: AttributeError 'dtype')
        s2 = pickle.loads(pickle.dumps(s))
        assert s2.tolist() == s.tolist() and s2.data_ptr() != s.data_ptr()
    c, d = copy.copy(s), copy.deepcopy(s)
    assert c.tolist() == d.tolist() == s.tolist()
    assert c.data_ptr() != s.data_ptr() and d.data_ptr() != s.data_ptr()
    t = x.storage()
    t2 = pickle.loads(pickle.dumps(t))
    assert type(t2).__name__ == "TypedStorage" and t2.dtype == L.float32
    assert t2.tolist() == [1.0, 2.5]
    assert copy.deepcopy(t).tolist() == [1.0, 2.5]


def test_typed_storage_warns_once_like_torch():
    msgs = []
    for L in (ember, torch):
        L.storage._reset_warn_typed_storage_removal()
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            x = L.zeros(2)
            x.storage()
            x.storage()
            x.untyped_storage()
        msgs.append([(type(m.message).__name__, str(m.message),
                      os.path.basename(m.filename)) for m in w])
    assert msgs[0] == msgs[1]
    assert len(msgs[0]) == 1


def test_storage_of_parameter_and_module_state():
    def fn(L):
        lin = L.nn.Linear(3, 2)
        p = lin.weight
        sd = lin.state_dict()
        return (p.untyped_storage().data_ptr() == sd["weight"].untyped_storage().data_ptr(),
                p.untyped_storage().nbytes(), p.storage().size(),
                p.data.untyped_storage().data_ptr() == p.data_ptr())
    both(fn)


# ------------------------------------------------------------------------------------ save/load

def _ckpt(L):
    x = L.tensor([1.0, 2.0, 3.0])
    return {"s": x.storage(), "t": x, "v": x[1:],
            "i": [L.tensor([4, 5], dtype=L.int16).storage()]}


def _describe(r):
    return {"s": _norm(r["s"]), "t": _norm(r["t"]), "v": _norm(r["v"]), "i": _norm(r["i"][0]),
            "shared": r["s"].data_ptr() == r["t"].data_ptr() == r["v"].data_ptr() - 4}


@pytest.mark.parametrize("saver,loader", [("ember", "torch"), ("torch", "ember"),
                                          ("ember", "ember"), ("torch", "torch")])
def test_save_load_storages_across_libraries(tmp_path, saver, loader):
    S = ember if saver == "ember" else torch
    L = ember if loader == "ember" else torch
    fn = tmp_path / "ck.pt"
    S.save(_ckpt(S), fn)
    r = L.load(fn)
    assert _describe(r) == _describe(torch.load(fn))
    r["s"][0] = 9.0  # the storage and the tensors loaded from it share memory, as in torch
    assert r["t"][0].item() == 9.0


@pytest.mark.parametrize("what", ["untyped", "typed"])
def test_save_one_storage(tmp_path, what):
    out = []
    for S in (ember, torch):
        x = S.tensor([1.5, -2.0])
        fn = tmp_path / f"{S.__name__}.pt"
        S.save(x.untyped_storage() if what == "untyped" else x.storage(), fn)
        out.append([_norm(L.load(fn)) for L in (ember, torch)])
    assert out[0] == out[1]
    assert out[0][0] == out[0][1]


# ------------------------------------------------------------------------------------ programs

def _storage_program(torch):
    """The storage walk-throughs of PyTorch's docs (docs/source/storage.rst: refill a tensor
    from a zeroed clone of its storage) and of "Deep Learning with PyTorch" ch. 3 (a tensor is a
    view of its storage), printed."""
    t = torch.ones(3)
    s0 = t.untyped_storage()
    print(s0)
    s1 = s0.clone()
    print(s1.fill_(0))
    print(t.set_(s1, storage_offset=t.storage_offset(), stride=t.stride(), size=t.size()))
    print(t.untyped_storage().data_ptr() == s1.data_ptr(), s0.tolist()[:4])
    points = torch.tensor([[4.0, 1.0], [5.0, 3.0], [2.0, 1.0]])
    print(points.storage())
    ps = points.storage()
    print(ps[0])
    ps[0] = 100
    print(points)
    pv = points.view(6, 1)
    pv[0][0] = 4023
    print(pv.stride(), pv.storage(), points.storage(), points.stride())
    second = points[1]
    print(second.storage_offset(), second.size(), second.stride())
    pt = points.t()
    print(points.untyped_storage() is pt.untyped_storage(), pt.stride(), pt.is_contiguous())


def test_storage_program_prints_what_torch_prints():
    import contextlib
    import io
    outs = []
    for L in (ember, torch):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            _storage_program(L)
        outs.append(buf.getvalue())
    assert outs[0] == outs[1]


def test_storage_is_shared_after_share_memory_():
    def fn(L):
        x = L.ones(3)
        before = x.untyped_storage().is_shared()
        x.share_memory_()
        return before, x.untyped_storage().is_shared(), x.storage().is_shared(), x.is_shared()
    both(fn)


LEGACY_CTOR = {
    "float_typed": lambda L: L.FloatTensor(L.FloatStorage([1, 2, 3])),
    "tensor_typed": lambda L: L.Tensor(L.FloatStorage([1, 2, 3])),
    "double_wrong": lambda L: L.DoubleTensor(L.FloatStorage([1, 2, 3])),
    "tensor_untyped": lambda L: L.Tensor(L.tensor([1.0, 2.0]).untyped_storage()),
    "long_untyped": lambda L: L.LongTensor(L.tensor([1.0, 2.0]).untyped_storage()),
    "new_typed": lambda L: L.tensor([1.0]).new(L.FloatStorage([4, 5])),
}


@pytest.mark.parametrize("name", sorted(LEGACY_CTOR))
def test_legacy_constructor_over_storage(name):
    both(LEGACY_CTOR[name])


def test_legacy_constructor_shares_the_storage():
    def fn(L):
        s = L.FloatStorage([1, 2, 3])
        x = L.FloatTensor(s)
        x[0] = 9
        return s[0], x.untyped_storage().data_ptr() == s.data_ptr()
    both(fn)
