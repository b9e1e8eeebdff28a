"""The scratch-array pool (ember/_scratch.py): transient workspaces, reusable buffers, one byte
budget with least-recently-used eviction, owner tokens, one pool per thread."""
import gc
import threading
import weakref

import numpy as np
import pytest

import ember
from ember import _scratch as S

KB = 1 << 10


@pytest.fixture(autouse=True)
def fresh_pool(monkeypatch):
    S.clear()
    yield monkeypatch
    S.clear()


def _ptr(a):
    return a.__array_interface__["data"][0]


# ------------------------------------------------------------------------- transient workspaces

def test_workspace_reused_for_same_key_only():
    a = S.workspace("t", (64, 64), np.float32)
    assert a.shape == (64, 64) and a.dtype == np.float32
    assert S.workspace("t", (64, 64), np.float32) is a
    others = [S.workspace("u", (64, 64), np.float32), S.workspace("t", (64, 65), np.float32),
              S.workspace("t", (64, 64), np.float64)]
    assert all(o is not a for o in others)
    assert len({id(o) for o in others}) == 3
    assert S.workspace("t", (64, 64), np.float32) is a  # still kept after the others
    assert S.held_bytes() == a.nbytes + sum(o.nbytes for o in others)


def test_workspace_is_reused_even_while_referenced():
    # the contract: it must not escape -- the pool does not check, the next request overwrites
    a = S.workspace("t", (100,), np.float64)
    a[:] = 1.0
    b = S.workspace("t", (100,), np.float64)
    b[:] = 2.0
    assert b is a and a[0] == 2.0


def test_owner_token():
    tok, other = object(), object()
    a = S.workspace("cols", (8, 8), np.float32, tok)
    assert S.owned_workspace("cols", (8, 8), np.float32, tok) is a
    assert S.owned_workspace("cols", (8, 8), np.float32, other) is None
    assert S.owned_workspace("cols", (8, 8), np.float32, None) is None
    assert S.owned_workspace("cols", (8, 9), np.float32, tok) is None  # other key
    # another request for the key takes it over, with or without a token
    assert S.workspace("cols", (8, 8), np.float32, other) is a
    assert S.owned_workspace("cols", (8, 8), np.float32, tok) is None
    assert S.owned_workspace("cols", (8, 8), np.float32, other) is a
    S.workspace("cols", (8, 8), np.float32)
    assert S.owned_workspace("cols", (8, 8), np.float32, other) is None
    # a request for another key leaves it owned
    S.workspace("cols", (8, 8), np.float32, tok)
    S.workspace("pad", (8, 8), np.float32, other)
    assert S.owned_workspace("cols", (8, 8), np.float32, tok) is a


# ----------------------------------------------------------------------------- reusable buffers

def test_buffer_not_handed_out_while_referenced():
    shape = (128, 128)  # 64 KiB of float32: pooled
    a = S.buffer(shape, np.float32)
    a[:] = 7.0
    b = S.buffer(shape, np.float32)
    assert b is not a and not np.shares_memory(a, b)
    v = a[3:]  # a view keeps its base referenced
    pa = _ptr(a)
    del a
    c = S.buffer(shape, np.float32)
    assert _ptr(c) != pa and c is not b and (v == 7.0).all()
    assert S.held_bytes() == 3 * 128 * 128 * 4


def test_buffer_handed_out_again_once_free():
    shape = (256, 64)
    a = S.buffer(shape, np.float32)
    b = S.buffer(shape, np.float32)
    a[:] = 3.0
    ida, pa, pb = id(a), _ptr(a), _ptr(b)
    del a
    c = S.buffer(shape, np.float32)
    assert id(c) == ida and _ptr(c) == pa and (c == 3.0).all()  # the same array, contents kept
    del b
    d = S.buffer(shape, np.float32)
    assert _ptr(d) == pb
    assert S.held_bytes() == 2 * 256 * 64 * 4
    # other shapes / dtypes never get it
    del c, d
    assert _ptr(S.buffer((64, 256), np.float32)) not in (pa, pb)
    assert _ptr(S.buffer(shape, np.int32)) not in (pa, pb)


def test_small_buffers_not_pooled():
    n = S.BUFFER_MIN_BYTES // 8 - 1
    a = S.buffer((n,), np.float64)
    pa = _ptr(a)
    r = weakref.ref(a)
    del a
    assert r() is None  # the pool kept no reference
    assert S.held_bytes() == 0
    b = S.buffer((n,), np.float64)
    assert b.shape == (n,) and (r() is None)
    del b, pa


# ------------------------------------------------------------------------ budget and eviction

def test_budget_respected_and_lru_eviction_frees(fresh_pool):
    fresh_pool.setattr(S, "MAX_BYTES", 1 << 20)
    tok = object()
    a = S.workspace("a", (400 * KB,), np.uint8, tok)
    b = S.workspace("b", (400 * KB,), np.uint8)
    ra = weakref.ref(a)
    del a
    assert S.workspace("b", (400 * KB,), np.uint8) is b  # b most recently used
    c = S.workspace("c", (400 * KB,), np.uint8)  # 1200 KB > 1 MiB: drops a (least recent)
    gc.collect()
    assert ra() is None  # evicted: the memory is released
    assert S.held_bytes() == 800 * KB <= S.MAX_BYTES
    assert S.owned_workspace("a", (400 * KB,), np.uint8, tok) is None
    assert S.workspace("c", (400 * KB,), np.uint8) is c
    assert S.workspace("b", (400 * KB,), np.uint8) is b
    # a request for a then drops c, the least recently used now
    a2 = S.workspace("a", (400 * KB,), np.uint8)
    assert S.workspace("b", (400 * KB,), np.uint8) is b
    assert S.workspace("a", (400 * KB,), np.uint8) is a2
    assert S.workspace("c", (400 * KB,), np.uint8) is not c
    assert S.held_bytes() <= S.MAX_BYTES


def test_eviction_spans_both_kinds_and_skips_buffers_in_use(fresh_pool):
    fresh_pool.setattr(S, "MAX_BYTES", 1 << 20)
    x = S.buffer((600 * KB,), np.uint8)  # in use while x lives
    w = S.workspace("w", (600 * KB,), np.uint8)  # x cannot be dropped: w is not kept
    assert S.held_bytes() == 600 * KB
    assert S.workspace("w", (600 * KB,), np.uint8) is not w
    assert S.buffer((600 * KB,), np.uint8) is not x  # nor is a second buffer
    assert S.held_bytes() == 600 * KB
    rx = weakref.ref(x)
    del x
    w = S.workspace("w", (600 * KB,), np.uint8)  # now the free buffer is dropped for w
    gc.collect()
    assert rx() is None
    assert S.held_bytes() == 600 * KB
    assert S.workspace("w", (600 * KB,), np.uint8) is w
    # and a buffer request drops the workspace
    rw = weakref.ref(w)
    del w
    y = S.buffer((600 * KB,), np.uint8)
    gc.collect()
    assert rw() is None and S.held_bytes() == 600 * KB
    del y
    assert S.buffer((600 * KB,), np.uint8) is not None and S.held_bytes() == 600 * KB


def test_eviction_keeps_referenced_buffers_of_a_slot(fresh_pool):
    fresh_pool.setattr(S, "MAX_BYTES", 1 << 20)
    a = S.buffer((300 * KB,), np.uint8)
    b = S.buffer((300 * KB,), np.uint8)
    pa = _ptr(a)
    del b  # a in use, b free
    S.workspace("w", (600 * KB,), np.uint8)  # needs 200 KB more: drops b only
    assert S.held_bytes() == 900 * KB
    c = S.buffer((300 * KB,), np.uint8)  # b is gone and a is in use: a fresh one, not kept
    assert _ptr(c) != pa and S.held_bytes() <= S.MAX_BYTES
    del a, c
    assert _ptr(S.buffer((300 * KB,), np.uint8)) == pa  # a is still pooled


def test_too_big_never_kept(fresh_pool):
    fresh_pool.setattr(S, "MAX_BYTES", 1 << 20)
    big = (2 << 20,)
    small = S.workspace("small", (1000,), np.uint8)
    a = S.workspace("big", big, np.uint8, "tok")
    assert S.workspace("big", big, np.uint8) is not a
    assert S.owned_workspace("big", big, np.uint8, "tok") is None
    b = S.buffer(big, np.uint8)
    del b
    assert S.held_bytes() == 1000
    assert S.workspace("small", (1000,), np.uint8) is small  # nothing evicted for them


# ------------------------------------------------------------------------------------- threads

def test_one_pool_per_thread():
    a = S.workspace("t", (1000,), np.float32, "me")
    b = S.buffer((100, 1000), np.float32)
    pb = _ptr(b)
    del b
    held = S.held_bytes()
    seen = {}

    def other():
        seen["held0"] = S.held_bytes()
        w = S.workspace("t", (1000,), np.float32)
        seen["ws"] = w is a
        seen["owned"] = S.owned_workspace("t", (1000,), np.float32, "me")
        seen["buf"] = _ptr(S.buffer((100, 1000), np.float32)) == pb
        seen["held1"] = S.held_bytes()

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen == {"held0": 0, "ws": False, "owned": None, "buf": False,
                    "held1": 1000 * 4 + 100 * 1000 * 4}
    assert S.held_bytes() == held
    assert S.workspace("t", (1000,), np.float32) is a
    assert _ptr(S.buffer((100, 1000), np.float32)) == pb


# ---------------------------------------------------------------------------------- in the ops

def test_lstm_outputs_survive_later_calls_and_pool_reaches_steady_state():
    rng = np.random.default_rng(0)
    lstm = ember.nn.LSTM(8, 64, num_layers=2)
    xs = [ember.tensor(rng.standard_normal((40, 16, 8)).astype(np.float32)) for _ in range(2)]
    out1, (h1, c1) = lstm(xs[0])
    keep = (out1.detach().numpy().copy(), h1.detach().numpy().copy(),
            c1.detach().numpy().copy())
    out2, _ = lstm(xs[1])  # buffers held by out1 and its graph must not be handed out again
    assert not np.array_equal(out2.detach().numpy(), keep[0])
    for got, want in zip((out1, h1, c1), keep):
        np.testing.assert_array_equal(got.detach().numpy(), want)
    out1.sum().backward()
    del out1, out2, h1, c1
    held = []
    for _ in range(4):
        for p in lstm.parameters():
            p.grad = None
        o, _ = lstm(xs[0])
        o.square().sum().backward()
        del o
        held.append(S.held_bytes())
    assert held[1] > 0 and held[1:] == [held[1]] * 3  # reused, not growing


def test_conv_workspaces_reach_steady_state():
    rng = np.random.default_rng(0)
    conv = ember.nn.Conv2d(16, 32, 3, padding=1)
    x = ember.tensor(rng.standard_normal((4, 16, 20, 20)).astype(np.float32), requires_grad=True)
    held = []
    for _ in range(3):
        conv(x).square().sum().backward()
        held.append(S.held_bytes())
    assert held[0] > 0 and held == [held[0]] * 3
