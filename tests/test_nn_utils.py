"""nn.utils: clip_grad_norm_/clip_grad_value_, parameter vectors, rnn sequence helpers vs
torch 2.13."""
import math

import numpy as np
import pytest

import ember
from ember import nn
from ember.nn.utils import rnn

from _nn_helpers import close, copy_module_params, e

torch = pytest.importorskip("torch")
trnn = torch.nn.utils.rnn


def _pair():
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    em = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    copy_module_params(tm, em)
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    (em(e(x)) ** 2).sum().backward()
    (tm(torch.tensor(x)) ** 2).sum().backward()
    return em, tm


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, 3.0])
def test_clip_grad_norm_matches_torch(norm_type):
    em, tm = _pair()
    ne = nn.utils.clip_grad_norm_(em.parameters(), 0.5, norm_type)
    nt = torch.nn.utils.clip_grad_norm_(tm.parameters(), 0.5, norm_type)
    close(ne, nt, 1e-5, 1e-6)
    assert ne.dtype == ember.float32
    for pe, pt in zip(em.parameters(), tm.parameters()):
        close(pe.grad, pt.grad, 1e-5, 1e-6)


def test_clip_grad_norm_no_clip_single_tensor_and_nonfinite():
    p = nn.Parameter(ember.ones(3))
    p.grad = ember.tensor([0.1, 0.2, 0.2])
    n = nn.utils.clip_grad_norm_(p, 10.0)
    assert abs(float(n) - 0.3) < 1e-6
    close(p.grad, np.array([0.1, 0.2, 0.2], np.float32))
    assert float(nn.utils.clip_grad_norm_([nn.Parameter(ember.ones(1))], 1.0)) == 0.0
    p.grad = ember.tensor([float("inf"), 1.0, 0.0])
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from "
                                           "`parameters` is non-finite"):
        nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)


def test_clip_grad_value_matches_torch():
    em, tm = _pair()
    nn.utils.clip_grad_value_(em.parameters(), 0.1)
    torch.nn.utils.clip_grad_value_(tm.parameters(), 0.1)
    for pe, pt in zip(em.parameters(), tm.parameters()):
        close(pe.grad, pt.grad)


def test_parameters_vector_roundtrip():
    em, tm = _pair()
    ve = nn.utils.parameters_to_vector(em.parameters())
    vt = torch.nn.utils.parameters_to_vector(tm.parameters())
    close(ve, vt)
    assert ve.requires_grad
    nn.utils.vector_to_parameters(ve.detach() * 0 + 1, em.parameters())
    assert all(float(p.detach().min()) == 1.0 for p in em.parameters())
    assert all(isinstance(p, nn.Parameter) for p in em.parameters())
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        nn.utils.vector_to_parameters([1.0], em.parameters())


def _seqs(lengths, feat=2, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((n, feat)) for n in lengths]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence(batch_first, side):
    s = _seqs([3, 1, 4])
    se = [e(a, True) for a in s]
    st = [torch.tensor(a, requires_grad=True) for a in s]
    pe = rnn.pad_sequence(se, batch_first, -1.0, side)
    pt = trnn.pad_sequence(st, batch_first, -1.0, side)
    close(pe, pt)
    g = np.random.default_rng(1).standard_normal(tuple(pt.shape))
    pe.backward(e(g))
    pt.backward(torch.tensor(g))
    for a, b in zip(se, st):
        close(a.grad, b.grad)


@pytest.mark.parametrize("enforce_sorted,lengths", [(True, [4, 3, 1]), (False, [2, 4, 1])])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_and_pad_roundtrip(enforce_sorted, lengths, batch_first):
    s = _seqs(lengths)
    pad_np = trnn.pad_sequence([torch.tensor(a) for a in s], batch_first).numpy()
    xe, xt = e(pad_np, True), torch.tensor(pad_np, requires_grad=True)
    pk_e = rnn.pack_padded_sequence(xe, lengths, batch_first, enforce_sorted)
    pk_t = trnn.pack_padded_sequence(xt, torch.tensor(lengths), batch_first, enforce_sorted)
    close(pk_e.data, pk_t.data)
    close(pk_e.batch_sizes, pk_t.batch_sizes)
    if not enforce_sorted:
        close(pk_e.sorted_indices, pk_t.sorted_indices)
        close(pk_e.unsorted_indices, pk_t.unsorted_indices)
    oe, le = rnn.pad_packed_sequence(pk_e, batch_first, 0.5, total_length=5)
    ot, lt = trnn.pad_packed_sequence(pk_t, batch_first, 0.5, total_length=5)
    close(oe, ot)
    close(le, lt)
    assert le.dtype == ember.int64
    g = np.random.default_rng(2).standard_normal(tuple(ot.shape))
    oe.backward(e(g))
    ot.backward(torch.tensor(g))
    close(xe.grad, xt.grad)


def test_pack_sequence_unpack_and_errors():
    s = _seqs([2, 3])
    pk = rnn.pack_sequence([e(a) for a in s], enforce_sorted=False)
    pt = trnn.pack_sequence([torch.tensor(a) for a in s], enforce_sorted=False)
    close(pk.data, pt.data)
    out = rnn.unpack_sequence(pk)
    for a, b in zip(out, s):
        close(a, b)
    assert isinstance(pk, tuple) and pk._fields == ("data", "batch_sizes", "sorted_indices",
                                                    "unsorted_indices")
    with pytest.raises(RuntimeError, match="`lengths` array must be sorted in decreasing order "
                                           "when `enforce_sorted` is True"):
        rnn.pack_padded_sequence(ember.zeros(3, 2, 1), [1, 3])
    with pytest.raises(ValueError, match="Expected total_length to be at least the length of "
                                         "the longest sequence in input"):
        rnn.pad_packed_sequence(pk, total_length=1)
