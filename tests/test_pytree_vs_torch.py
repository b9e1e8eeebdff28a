"""ember.utils._pytree against torch.utils._pytree: leaves, spec reprs, unflatten, tree_map,
serialization and errors on the same trees."""
import warnings
from collections import OrderedDict, defaultdict, deque, namedtuple

import numpy as np
import pytest

import ember
from ember.utils import _pytree as ep

try:
    import torch
    import torch.utils._pytree as tp
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")

P = namedtuple("P", "x y")


def _trees():
    return [
        1, None, [], (), {}, [1, (2, None)], {"b": 1, "a": [2, 3]},
        {"b": [1, (2, None)], "a": P(3, 4), "c": OrderedDict(z=5, y=6),
         "d": defaultdict(list, {"k": 7}), "e": deque([8, 9], maxlen=3)},
        [[[]], {"x": ()}, (1,)], "string-leaf", (1.5, [True, {"k": (None,)}]),
    ]


@needs_torch
@pytest.mark.parametrize("i", range(len(_trees())))
def test_flatten_spec_unflatten_match_torch(i):
    tree = _trees()[i]
    el, es = ep.tree_flatten(tree)
    tl, ts = tp.tree_flatten(tree)
    assert el == tl
    assert repr(es) == repr(ts) and str(es) == str(ts)
    assert (es.num_leaves, es.num_nodes, es.num_children) == \
        (ts.num_leaves, ts.num_nodes, ts.num_children)
    assert es.context == ts.context and es.is_leaf() == ts.is_leaf()
    assert repr(ep.tree_unflatten(el, es)) == repr(tp.tree_unflatten(tl, ts))
    assert ep.treespec_pprint(es) == tp.treespec_pprint(ts)
    assert ep.tree_leaves(tree) == tp.tree_leaves(tree)
    assert es == ep.tree_structure(tree) and hash(es) == hash(ep.tree_structure(tree))
    e_paths = [(ep.keystr(k), v) for k, v in ep.tree_leaves_with_path(tree)]
    t_paths = [(tp.keystr(k), v) for k, v in tp.tree_leaves_with_path(tree)]
    assert e_paths == t_paths


@needs_torch
def test_dumps_loads_match_torch():
    tree = [1, (2, 3), {"a": 4}, OrderedDict(b=1), defaultdict(int, {"x": 1}), deque([1]), None]
    s = ep.treespec_dumps(ep.tree_structure(tree))
    assert s == tp.treespec_dumps(tp.tree_structure(tree))
    assert ep.treespec_loads(s) == ep.tree_structure(tree)
    with pytest.raises(NotImplementedError, match="namedtuple class"):
        ep.treespec_dumps(ep.tree_structure(P(1, 2)))


@needs_torch
def test_map_variants_match_torch():
    args = ([1, {"a": 2, "b": (3, "s")}],)
    assert ep.tree_map(lambda x: x * 2, *args) == tp.tree_map(lambda x: x * 2, *args)
    assert ep.tree_map(lambda x, y: [x] + y, [5, 6], [[7, 9], [1, 2]]) == \
        tp.tree_map(lambda x, y: [x] + y, [5, 6], [[7, 9], [1, 2]])
    assert ep.tree_map_only(int, lambda x: -x, [1, "a", (2.0, 3)]) == \
        tp.tree_map_only(int, lambda x: -x, [1, "a", (2.0, 3)])
    assert ep.tree_map_only((int, float), lambda x: -x, [1, "a", (2.0, 3)]) == \
        tp.tree_map_only((int, float), lambda x: -x, [1, "a", (2.0, 3)])
    tree = {"a": [1, (2, 0)]}
    for f in ("tree_all", "tree_any"):
        for pred in (lambda x: x > 0, lambda x: x > 1, lambda x: x > 5):
            assert getattr(ep, f)(pred, tree) == getattr(tp, f)(pred, tree)
    assert ep.tree_all_only(int, lambda x: x > 0, [1, "s"]) == \
        tp.tree_all_only(int, lambda x: x > 0, [1, "s"])
    leaf_at_tuple = [(1, 2), [3]]
    assert ep.tree_leaves(leaf_at_tuple, is_leaf=lambda x: isinstance(x, tuple)) == \
        tp.tree_leaves(leaf_at_tuple, is_leaf=lambda x: isinstance(x, tuple))
    seen = []
    assert ep.tree_map_(seen.append, [1, (2,)]) == [1, (2,)] and seen == [1, 2]


@needs_torch
@pytest.mark.parametrize("case", ["arity", "keys", "type", "count", "spec"])
def test_errors_match_torch(case):
    def run(p):
        if case == "arity":
            p.tree_map(lambda a, b: a, [1, 2], [1])
        elif case == "keys":
            p.tree_map(lambda a, b: a, {"a": 1}, {"b": 1})
        elif case == "type":
            p.tree_map(lambda a, b: a, (1,), [1])
        elif case == "count":
            p.tree_unflatten([1], p.tree_structure({"a": [1, 2]}))
        else:
            p.tree_unflatten([1], [1])
    with pytest.raises(Exception) as te:
        run(tp)
    with pytest.raises(type(te.value)) as ee:
        run(ep)
    assert str(ee.value) == str(te.value)


class _Pt:
    def __init__(self, a, b):
        self.a, self.b = a, b

    def __eq__(self, other):
        return type(other) is _Pt and (self.a, self.b) == (other.a, other.b)


@needs_torch
def test_registered_node_like_torch():
    for p in (ep, tp):
        p.register_pytree_node(_Pt, lambda o: ([o.a, o.b], None), lambda v, c: _Pt(*v),
                               serialized_type_name="test._Pt")
    tree = [_Pt(1, [2, 3])]
    (el, es), (tl, ts) = ep.tree_flatten(tree), tp.tree_flatten(tree)
    assert el == tl and repr(es) == repr(ts)
    assert ep.tree_map(lambda x: x + 1, tree) == [_Pt(2, [3, 4])]
    with pytest.warns(UserWarning, match="already registered as pytree node"):
        ep.register_pytree_node(_Pt, lambda o: ([o.a, o.b], None), lambda v, c: _Pt(*v))


@needs_torch
def test_ember_tensors_sizes_and_return_types_are_nodes_as_in_torch():
    a = np.array([[1.0, 2.0], [3.0, 0.0]], dtype=np.float32)
    er, tr = ember.max(ember.tensor(a), 1), torch.max(torch.tensor(a), 1)
    (el, es), (tl, ts) = ep.tree_flatten(er), tp.tree_flatten(tr)
    assert repr(es) == repr(ts) and len(el) == len(tl) == 2
    back = ep.tree_unflatten(el, es)
    assert type(back) is type(er) and isinstance(back, ember.return_types.max)
    assert repr(ep.tree_flatten(ember.Size([2, 3]))) == repr(tp.tree_flatten(torch.Size([2, 3])))
    assert ep.tree_map(lambda x: x, ember.Size([2])) == (2,)
    leaves = ep.tree_leaves({"w": ember.tensor(a)})
    assert len(leaves) == 1 and isinstance(leaves[0], ember.Tensor)


def test_leafspec_is_deprecated_as_in_torch():
    with pytest.warns(FutureWarning, match="isinstance\\(treespec, LeafSpec\\)"):
        s = ep.LeafSpec()
    assert repr(s) == "*" and s.is_leaf() and s == ep.treespec_leaf()
    assert ep.tree_structure(3) is ep.treespec_leaf()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ember.utils._pytree is ep
