"""ember.utils.data: datasets, samplers, collation and DataLoader (with worker processes).

Orders that involve no randomness are compared with torch.utils.data batch by batch; shuffled
orders are checked for being permutations, reproducible per seed and different across seeds
(ember's generator has torch's distributions, not its bits)."""

import collections
import os
import time
import warnings

import numpy as np
import pytest

import ember
from ember.utils import data as edata
from ember.utils.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    get_worker_info,
    random_split,
)

Point = collections.namedtuple("Point", ["x", "y"])


# --- helpers --------------------------------------------------------------------------------


def _arr(t):
    """The NumPy array of an ember or torch tensor."""
    if isinstance(t, ember.Tensor):
        return t._array
    return t.numpy()


def _is_tensor(x):
    if isinstance(x, ember.Tensor):
        return True
    try:
        import torch

        return isinstance(x, torch.Tensor)
    except ImportError:  # pragma: no cover
        return False


def assert_same(e, t, path="batch"):
    """ember result ``e`` has the structure, types, dtypes, shapes and values of torch's ``t``."""
    if _is_tensor(t):
        assert isinstance(e, ember.Tensor), f"{path}: {type(e)} is not a Tensor"
        a, b = _arr(e), _arr(t)
        assert a.dtype == b.dtype, f"{path}: dtype {a.dtype} != {b.dtype}"
        assert a.shape == b.shape, f"{path}: shape {a.shape} != {b.shape}"
        np.testing.assert_array_equal(a, b, err_msg=path)
    elif isinstance(t, dict):
        assert type(e) is type(t) and list(e) == list(t), path
        for k in t:
            assert_same(e[k], t[k], f"{path}[{k!r}]")
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t), f"{path}: {type(e)} != {type(t)}"
        assert len(e) == len(t), path
        for i, (x, y) in enumerate(zip(e, t)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(t, np.ndarray):
        assert isinstance(e, np.ndarray) and e.dtype == t.dtype, path
        np.testing.assert_array_equal(e, t)
    else:
        assert type(e) is type(t) and e == t, f"{path}: {e!r} != {t!r}"


class ListDataset(Dataset):
    def __init__(self, items):
        self.items = items

    def __getitem__(self, i):
        return self.items[i]

    def __len__(self):
        return len(self.items)


class RangeIterable(IterableDataset):
    """Yields start..end-1; in a worker, only its share (strided by worker id)."""

    def __init__(self, start, end):
        self.start, self.end = start, end

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.start, self.end))
        return iter(range(self.start + info.id, self.end, info.num_workers))

    def __len__(self):
        return self.end - self.start


def _samples(n=7):
    """Nested samples exercising every default_collate rule."""
    out = []
    for i in range(n):
        out.append({
            "x": np.arange(3, dtype=np.float32) + i,
            "idx": i,
            "w": 0.5 * i,
            "name": f"s{i}",
            "raw": b"b%d" % i,
            "pair": (i, np.array([i, -i], dtype=np.int32)),
            "pt": Point(float(i), np.int16(i)),
            "lst": [np.float64(i), True],
            "nested": {"m": np.ones((2, 2), dtype=np.float64) * i},
        })
    return out


def _torch_tensor_dataset(torch, n=10):
    x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    y = np.arange(n, dtype=np.int64) % 3
    e = TensorDataset(ember.from_numpy(x.copy()), ember.from_numpy(y.copy()))
    t = torch.utils.data.TensorDataset(torch.from_numpy(x.copy()), torch.from_numpy(y.copy()))
    return e, t


def _error(fn):
    with pytest.raises(Exception) as info:
        fn()
    return info.value


def assert_same_error(e_fn, t_fn):
    e, t = _error(e_fn), _error(t_fn)
    assert type(e) is type(t), (e, t)
    assert str(e).replace("torch", "ember") == str(t).replace("torch", "ember")


# --- differential tests against torch (no randomness) --------------------------------------


@pytest.mark.parametrize("batch_size", [1, 3, 4, 10, 11])
@pytest.mark.parametrize("drop_last", [False, True])
def test_tensor_dataset_batches_match_torch(batch_size, drop_last):
    torch = pytest.importorskip("torch")
    eds, tds = _torch_tensor_dataset(torch)
    el = DataLoader(eds, batch_size=batch_size, drop_last=drop_last)
    tl = torch.utils.data.DataLoader(tds, batch_size=batch_size, drop_last=drop_last)
    assert len(el) == len(tl)
    eb, tb = list(el), list(tl)
    assert len(eb) == len(tb)
    for a, b in zip(eb, tb):
        assert_same(a, b)


def test_nested_collate_matches_torch():
    torch = pytest.importorskip("torch")
    samples = _samples()
    el = DataLoader(ListDataset(samples), batch_size=3)
    tl = torch.utils.data.DataLoader(ListDataset(samples), batch_size=3)
    for a, b in zip(list(el), list(tl), strict=True):
        assert_same(a, b)


@pytest.mark.parametrize("batch", [
    [1, 2, 3],
    [1.0, 2.5],
    [2, 1.5],
    [True, False],
    [np.float32(1), np.float32(2)],
    [np.int32(1), np.int32(5)],
    [np.bool_(True), np.bool_(False)],
    [np.array(1.0), np.array(2.0)],
    [np.zeros((2, 3), dtype=np.uint8), np.ones((2, 3), dtype=np.uint8)],
    ["a", "b"],
    [b"a", b"b"],
    [(1, "x"), (2, "y")],
    [[1, 2], [3, 4]],
    [Point(1, 2.0), Point(3, 4.0)],
    [{"a": 1, "b": [1.0, 2.0]}, {"a": 2, "b": [3.0, 4.0]}],
    [collections.OrderedDict(b=1, a=2), collections.OrderedDict(b=3, a=4)],
    [{}, {}],
])
def test_default_collate_matches_torch(batch):
    torch = pytest.importorskip("torch")
    assert_same(default_collate(batch), torch.utils.data.default_collate(batch))


def test_default_collate_of_tensors_matches_torch():
    torch = pytest.importorskip("torch")
    xs = [np.arange(6, dtype=np.float32).reshape(2, 3) * i for i in range(4)]
    e = default_collate([ember.from_numpy(x) for x in xs])
    t = torch.utils.data.default_collate([torch.from_numpy(x) for x in xs])
    assert_same(e, t)


def test_default_collate_deep_nesting_is_not_recursive():
    depth = 3000  # deeper than Python's default recursion limit
    sample = 1
    for _ in range(depth):
        sample = [sample]
    out = default_collate([sample, sample])
    for _ in range(depth):
        assert isinstance(out, list) and len(out) == 1
        out = out[0]
    assert out.tolist() == [1, 1]


@pytest.mark.parametrize("batch", [
    [object(), object()],
    [np.array(["a"]), np.array(["b"])],
    [[1, 2], [1]],
])
def test_default_collate_errors_match_torch(batch):
    torch = pytest.importorskip("torch")
    assert_same_error(lambda: default_collate(batch),
                      lambda: torch.utils.data.default_collate(batch))


def test_no_batching_converts_like_torch():
    torch = pytest.importorskip("torch")
    samples = _samples(3)
    eb = list(DataLoader(ListDataset(samples), batch_size=None))
    tb = list(torch.utils.data.DataLoader(ListDataset(samples), batch_size=None))
    for a, b in zip(eb, tb, strict=True):
        assert_same(a, b)
    assert len(DataLoader(ListDataset(samples), batch_size=None)) == 3


def test_batch_sampler_and_custom_collate_match_torch():
    torch = pytest.importorskip("torch")
    samples = list(range(10))
    batches = [[0, 5], [9, 1, 2], [3]]
    el = DataLoader(ListDataset(samples), batch_sampler=batches, collate_fn=lambda b: sum(b))
    tl = torch.utils.data.DataLoader(ListDataset(samples), batch_sampler=batches,
                                     collate_fn=lambda b: sum(b))
    assert list(el) == list(tl) == [5, 12, 3]
    assert len(el) == len(tl) == 3
    bs_e = BatchSampler(SequentialSampler(range(10)), 4, drop_last=False)
    bs_t = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(10)), 4, False)
    for a, b in zip(DataLoader(ListDataset(samples), batch_sampler=bs_e),
                    torch.utils.data.DataLoader(ListDataset(samples), batch_sampler=bs_t),
                    strict=True):
        assert_same(a, b)


@pytest.mark.parametrize("drop_last", [False, True])
def test_iterable_dataset_matches_torch(drop_last):
    torch = pytest.importorskip("torch")

    class TorchRange(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(11))

        def __len__(self):
            return 11

    el = DataLoader(RangeIterable(0, 11), batch_size=4, drop_last=drop_last)
    tl = torch.utils.data.DataLoader(TorchRange(), batch_size=4, drop_last=drop_last)
    assert len(el) == len(tl)
    for a, b in zip(list(el), list(tl), strict=True):
        assert_same(a, b)


def test_concat_subset_chain_match_torch():
    torch = pytest.importorskip("torch")
    tud = torch.utils.data
    a, b = ListDataset(list(range(5))), ListDataset(list(range(10, 13)))
    ec, tc = ConcatDataset([a, b]), tud.ConcatDataset([a, b])
    assert len(ec) == len(tc) == 8
    assert [ec[i] for i in range(-8, 8)] == [tc[i] for i in range(-8, 8)]
    assert ec.cumulative_sizes == tc.cumulative_sizes
    assert (a + b)[6] == 11
    assert_same_error(lambda: ec[-9], lambda: tc[-9])
    es, ts = Subset(ec, [7, 0, 3]), tud.Subset(tc, [7, 0, 3])
    assert [es[i] for i in range(3)] == [ts[i] for i in range(3)] == [12, 0, 3]
    assert_same(list(DataLoader(es, batch_size=2)), list(tud.DataLoader(ts, batch_size=2)))
    chain = ChainDataset([RangeIterable(0, 3), RangeIterable(5, 7)])
    assert list(chain) == [0, 1, 2, 5, 6] and len(chain) == 5
    assert list(RangeIterable(0, 2) + RangeIterable(3, 4)) == [0, 1, 3]
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        ConcatDataset([a, RangeIterable(0, 1)])
    with pytest.raises(AssertionError, match="should not be an empty"):
        ConcatDataset([])


def test_random_split_lengths_match_torch():
    torch = pytest.importorskip("torch")
    data = list(range(10))
    for lengths in ([0.3, 0.3, 0.4], [0.5, 0.5], [0.33, 0.33, 0.34], [3, 7], [0.1] * 10):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            e = random_split(data, lengths)
            t = torch.utils.data.random_split(data, lengths)
        assert [len(s) for s in e] == [len(s) for s in t]
    assert_same_error(lambda: random_split(data, [3, 3]),
                      lambda: torch.utils.data.random_split(data, [3, 3]))
    assert_same_error(lambda: random_split(data, [1.5, -0.5]),
                      lambda: torch.utils.data.random_split(data, [1.5, -0.5]))


def _loader_errors(lib):
    tud = lib.utils.data if lib is not None else edata
    ds = ListDataset(list(range(6)))

    class It(tud.IterableDataset):
        def __iter__(self):
            return iter(range(4))

    it = It()
    cases = [
        lambda: tud.DataLoader(ds, batch_size=2, batch_sampler=[[0, 1]]),
        lambda: tud.DataLoader(ds, shuffle=True, batch_sampler=[[0, 1]]),
        lambda: tud.DataLoader(ds, drop_last=True, batch_sampler=[[0, 1]]),
        lambda: tud.DataLoader(ds, sampler=[0, 1], batch_sampler=[[0, 1]]),
        lambda: tud.DataLoader(ds, sampler=[0, 1], shuffle=True),
        lambda: tud.DataLoader(ds, batch_size=None, drop_last=True),
        lambda: tud.DataLoader(ds, num_workers=-1),
        lambda: tud.DataLoader(ds, timeout=-1),
        lambda: tud.DataLoader(ds, prefetch_factor=2),
        lambda: tud.DataLoader(ds, num_workers=1, prefetch_factor=-1),
        lambda: tud.DataLoader(ds, persistent_workers=True),
        lambda: tud.DataLoader(ds, multiprocessing_context="fork"),
        lambda: tud.DataLoader(it, shuffle=True),
        lambda: tud.DataLoader(it, sampler=[0]),
        lambda: tud.DataLoader(it, batch_sampler=[[0]]),
        lambda: setattr(tud.DataLoader(ds), "batch_size", 3),
        lambda: tud.BatchSampler(range(3), 0, False),
        lambda: tud.BatchSampler(range(3), True, False),
        lambda: tud.BatchSampler(range(3), 2, 1),
        lambda: tud.RandomSampler(ds, replacement=1),
        lambda: tud.RandomSampler(ds, num_samples=0),
        lambda: tud.RandomSampler([]),
        lambda: tud.WeightedRandomSampler([1.0, 2.0], 0),
        lambda: tud.WeightedRandomSampler([1.0, 2.0], 2, replacement=None),
        lambda: tud.WeightedRandomSampler([[1.0, 2.0]], 2),
        lambda: tud.TensorDataset(*_tensor_pair(lib)),
        lambda: next(iter(tud.DataLoader(ds, timeout=1))),
        lambda: tud.Dataset()[0],
    ]
    return cases


def _tensor_pair(lib):
    mod = lib if lib is not None else ember
    return mod.from_numpy(np.zeros(3)), mod.from_numpy(np.zeros(4))


def test_errors_match_torch():
    torch = pytest.importorskip("torch")
    for i, (e_fn, t_fn) in enumerate(zip(_loader_errors(None), _loader_errors(torch))):
        e, t = _error(e_fn), _error(t_fn)
        assert type(e) is type(t), (i, e, t)
        assert str(e).replace("torch", "ember") == str(t).replace("torch", "ember"), i


def test_len_matches_torch():
    torch = pytest.importorskip("torch")
    ds = ListDataset(list(range(10)))
    for kw in ({}, {"batch_size": 3}, {"batch_size": 3, "drop_last": True},
               {"batch_size": None}, {"sampler": [1, 2, 3], "batch_size": 2}):
        assert len(DataLoader(ds, **kw)) == len(torch.utils.data.DataLoader(ds, **kw)), kw


# --- samplers and random_split (torch-free) ----------------------------------------------


def _gen(seed):
    g = ember.Generator()
    g.manual_seed(seed)
    return g


def test_sequential_and_batch_sampler():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    assert list(BatchSampler(range(10), 3, False)) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert list(BatchSampler(range(10), 3, True)) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert len(BatchSampler(range(10), 3, False)) == 4
    assert len(BatchSampler(range(10), 3, True)) == 3
    assert list(BatchSampler(range(0), 3, False)) == []


def test_random_sampler_permutation_and_seeds():
    data = range(50)
    a = list(RandomSampler(data, generator=_gen(0)))
    assert sorted(a) == list(range(50)) and len(RandomSampler(data)) == 50
    assert a == list(RandomSampler(data, generator=_gen(0)))
    assert a != list(RandomSampler(data, generator=_gen(1)))
    s = RandomSampler(data, generator=_gen(0))
    assert list(s) != list(s)  # the generator advances between epochs
    assert sorted(RandomSampler(data)) == list(range(50))


def test_random_sampler_num_samples_and_replacement():
    data = range(5)
    more = list(RandomSampler(data, num_samples=12, generator=_gen(3)))
    assert len(more) == 12
    assert sorted(more[:10]) == sorted(list(range(5)) * 2) and len(set(more[10:])) == 2
    rep = list(RandomSampler(data, replacement=True, num_samples=2000, generator=_gen(4)))
    assert len(rep) == 2000 and set(rep) == set(range(5))
    assert abs(np.bincount(rep).min() - 400) < 100
    assert rep == list(RandomSampler(data, True, 2000, generator=_gen(4)))
    assert len(RandomSampler(data, replacement=True, num_samples=7)) == 7


def test_subset_random_sampler():
    idx = [10, 20, 30, 40]
    out = list(SubsetRandomSampler(idx, generator=_gen(0)))
    assert sorted(out) == idx and len(SubsetRandomSampler(idx)) == 4
    assert out == list(SubsetRandomSampler(idx, generator=_gen(0)))


def test_weighted_random_sampler():
    w = [0.0, 1.0, 3.0, 0.0]
    rep = list(WeightedRandomSampler(w, 4000, generator=_gen(0)))
    assert set(rep) == {1, 2} and len(rep) == 4000
    frac = rep.count(2) / 4000
    assert 0.7 < frac < 0.8
    assert rep == list(WeightedRandomSampler(w, 4000, generator=_gen(0)))
    norep = list(WeightedRandomSampler([1, 2, 3, 4, 5], 5, replacement=False,
                                       generator=_gen(1)))
    assert sorted(norep) == [0, 1, 2, 3, 4]
    assert len(WeightedRandomSampler(w, 7)) == 7
    assert np.asarray(WeightedRandomSampler(w, 2).weights._array).dtype == np.float64


def test_random_split():
    data = list(range(20))
    parts = random_split(data, [5, 15], generator=_gen(0))
    assert [len(p) for p in parts] == [5, 15]
    got = [p[i] for p in parts for i in range(len(p))]
    assert sorted(got) == data and isinstance(parts[0], Subset)
    again = random_split(data, [5, 15], generator=_gen(0))
    assert [list(p.indices) for p in parts] == [list(p.indices) for p in again]
    other = random_split(data, [5, 15], generator=_gen(1))
    assert [list(p.indices) for p in parts] != [list(p.indices) for p in other]
    fr = random_split(data, [0.25, 0.75], generator=_gen(0))
    assert [len(p) for p in fr] == [5, 15]
    assert [len(p) for p in random_split(list(range(10)), [0.34, 0.33, 0.33])] == [4, 3, 3]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        random_split(list(range(2)), [0.9, 0.05, 0.05])
    assert [str(w.message)[:28] for w in caught] == [
        "Length of split at index 1 i", "Length of split at index 2 i"]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(data, [5, 5])


def test_shuffle_with_generator():
    ds = ListDataset(list(range(30)))

    def epoch(loader):
        return [int(v) for b in loader for v in b.tolist()]

    g = _gen(7)
    loader = DataLoader(ds, batch_size=4, shuffle=True, generator=g)
    e1, e2 = epoch(loader), epoch(loader)
    assert sorted(e1) == list(range(30)) and sorted(e2) == list(range(30))
    assert e1 != e2
    assert e1 == epoch(DataLoader(ds, batch_size=4, shuffle=True, generator=_gen(7)))
    assert e1 != epoch(DataLoader(ds, batch_size=4, shuffle=True, generator=_gen(8)))
    assert epoch(DataLoader(ds, batch_size=4)) == list(range(30))
    assert isinstance(loader.sampler, RandomSampler) and len(loader) == 8


def test_tensor_dataset_and_subset_getitems():
    x = ember.from_numpy(np.arange(12.0).reshape(4, 3))
    y = ember.from_numpy(np.arange(4))
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    xi, yi = ds[2]
    assert xi.tolist() == [6.0, 7.0, 8.0] and yi.tolist() == 2
    with pytest.raises(AssertionError, match="Size mismatch"):
        TensorDataset(x, ember.from_numpy(np.arange(3)))

    class Batched(ListDataset):
        calls = 0

        def __getitems__(self, idx):
            Batched.calls += 1
            return [self.items[i] * 10 for i in idx]

    sub = Subset(Batched([0, 1, 2, 3]), [3, 2, 1])
    assert [b.tolist() for b in DataLoader(sub, batch_size=2)] == [[30, 20], [10]]
    assert Batched.calls == 2

    class BadSubset(Subset):
        def __getitem__(self, i):
            return 0

    with pytest.raises(NotImplementedError, match="overrides __getitem__ but not __getitems__"):
        BadSubset(ds, [0])


def test_pin_memory_is_accepted():
    ds = ListDataset(list(range(4)))
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        out = [b.tolist() for b in DataLoader(ds, batch_size=2, pin_memory=True)]
    assert out == [[0, 1], [2, 3]]


def test_iterable_len_warning():
    class Liar(IterableDataset):
        def __iter__(self):
            return iter(range(5))

        def __len__(self):
            return 2

    loader = DataLoader(Liar(), batch_size=None)
    assert len(loader) == 2
    with pytest.warns(UserWarning, match="was reported to be 2"):
        assert len(list(loader)) == 5


# --- worker processes ----------------------------------------------------------------------


class WorkerTagged(Dataset):
    """Sample i -> (i, pid of the process that loaded it, worker id)."""

    def __init__(self, n):
        self.n = n
        self.offset = 0

    def __getitem__(self, i):
        info = get_worker_info()
        return i + self.offset, os.getpid(), -1 if info is None else info.id

    def __len__(self):
        return self.n


def _set_offset(worker_id):
    get_worker_info().dataset.offset = 100 * (worker_id + 1)


def test_workers_keep_sequential_order():
    ds = ListDataset([{"x": np.full(2, i, dtype=np.float32), "i": i} for i in range(11)])
    ref = list(DataLoader(ds, batch_size=3))
    got = list(DataLoader(ds, batch_size=3, num_workers=2))
    assert len(got) == len(ref) == 4
    for a, b in zip(got, ref):
        assert a["i"].tolist() == b["i"].tolist()
        np.testing.assert_array_equal(a["x"]._array, b["x"]._array)
        assert a["x"]._array.dtype == np.float32


def test_workers_are_processes_with_info_and_init_fn():
    loader = DataLoader(WorkerTagged(8), batch_size=2, num_workers=2, worker_init_fn=_set_offset,
                        prefetch_factor=1)
    batches = list(loader)
    idx = [v for b in batches for v in b[0].tolist()]
    wids = [b[2].tolist() for b in batches]
    pids = {p for b in batches for p in b[1].tolist()}
    # round robin: batch k goes to worker k % 2, whose init_fn set its offset
    assert wids == [[0, 0], [1, 1], [0, 0], [1, 1]]
    assert idx == [100, 101, 202, 203, 104, 105, 206, 207]
    assert len(pids) == 2 and os.getpid() not in pids
    assert get_worker_info() is None


def test_workers_with_shuffle_are_a_permutation():
    ds = ListDataset(list(range(20)))
    out = [v for b in DataLoader(ds, batch_size=3, shuffle=True, num_workers=2,
                                 generator=_gen(0)) for v in b.tolist()]
    assert sorted(out) == list(range(20))
    ref = [v for b in DataLoader(ds, batch_size=3, shuffle=True, generator=_gen(0))
           for v in b.tolist()]
    assert sorted(ref) == sorted(out)


def test_iterable_dataset_with_workers_order_matches_torch():
    torch = pytest.importorskip("torch")

    class TorchRange(torch.utils.data.IterableDataset):
        def __iter__(self):
            info = torch.utils.data.get_worker_info()
            return iter(range(info.id, 9, info.num_workers))

    el = DataLoader(RangeIterable(0, 9), batch_size=2, num_workers=2)
    tl = torch.utils.data.DataLoader(TorchRange(), batch_size=2, num_workers=2)
    got = [b.tolist() for b in el]
    want = [b.tolist() for b in tl]
    assert got == want == [[0, 2], [1, 3], [4, 6], [5, 7], [8]]


def test_persistent_workers_two_epochs():
    loader = DataLoader(WorkerTagged(6), batch_size=2, num_workers=2, persistent_workers=True)
    first = [b for b in loader]
    second = [b for b in loader]
    assert [b[0].tolist() for b in first] == [b[0].tolist() for b in second] == \
        [[0, 1], [2, 3], [4, 5]]
    pids1 = {p for b in first for p in b[1].tolist()}
    pids2 = {p for b in second for p in b[1].tolist()}
    assert pids1 == pids2  # the same worker processes served both epochs
    loader._iterator._shutdown_workers()


class Failing(Dataset):
    def __getitem__(self, i):
        if i == 3:
            raise ValueError("bad sample 3")
        return i

    def __len__(self):
        return 6


def test_worker_exception_is_reraised():
    with pytest.raises(ValueError, match=r"Caught ValueError in DataLoader worker process 1"
                                         r"(.|\n)*bad sample 3"):
        list(DataLoader(Failing(), batch_size=2, num_workers=2))


class Slow(Dataset):
    def __getitem__(self, i):
        time.sleep(1.0)
        return i

    def __len__(self):
        return 2


def test_worker_timeout():
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.2 seconds"):
        list(DataLoader(Slow(), batch_size=1, num_workers=1, timeout=0.2))


def test_break_early_shuts_workers_down():
    loader = DataLoader(ListDataset(list(range(40))), batch_size=2, num_workers=2)
    it = iter(loader)
    assert next(it).tolist() == [0, 1]
    workers = list(it._workers)
    it._shutdown_workers()
    assert not any(w.is_alive() for w in workers)


class RandomSample(Dataset):
    """Draws from ember's global generator: each worker must be seeded differently."""

    def __getitem__(self, i):
        info = get_worker_info()
        return ember.randperm(1000).tolist()[:3], info.seed, np.random.randint(1 << 30)

    def __len__(self):
        return 4


def test_workers_are_seeded_differently():
    out = list(DataLoader(RandomSample(), batch_size=None, num_workers=2))
    draws = [tuple(o[0]) for o in out]
    seeds = [int(o[1]) for o in out]
    assert draws[0] != draws[1]  # workers 0 and 1
    assert seeds[1] == seeds[0] + 1 and seeds[2] == seeds[0]
    assert int(out[0][2]) != int(out[1][2])  # NumPy's global RNG too
    again = list(DataLoader(RandomSample(), batch_size=None, num_workers=2,
                            generator=_gen(5)))
    same = list(DataLoader(RandomSample(), batch_size=None, num_workers=2,
                           generator=_gen(5)))
    assert [o[1] for o in again] == [o[1] for o in same]
    assert [o[0] for o in again] == [o[0] for o in same]
