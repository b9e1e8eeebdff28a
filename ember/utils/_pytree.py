"""``ember.utils._pytree``: torch's Python pytree utilities (``torch.utils._pytree``).

A pytree is a nest of containers (tuple, list, dict, namedtuple, OrderedDict, defaultdict,
deque, and any type given to ``register_pytree_node``) whose non-container items are the
leaves. ``tree_flatten`` returns the leaves in torch's order (dicts in insertion order) and a
``TreeSpec`` that ``tree_unflatten`` rebuilds the tree from; the specs print, compare, hash and
serialize (``treespec_dumps``/``treespec_loads``, protocol 1) as torch 2.13's do.
"""
from __future__ import annotations

import dataclasses
import functools
import importlib
import json
import threading
import types
import warnings
from collections import OrderedDict, defaultdict, deque, namedtuple
from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from typing import Any, NamedTuple

__all__ = ["PyTree", "Context", "FlattenFunc", "UnflattenFunc", "DumpableContext",
           "ToDumpableContextFn", "FromDumpableContextFn", "TreeSpec", "LeafSpec",
           "keystr", "key_get", "register_pytree_node", "tree_is_leaf", "tree_flatten",
           "tree_flatten_with_path", "tree_unflatten", "tree_iter", "tree_leaves",
           "tree_leaves_with_path", "tree_structure", "tree_map", "tree_map_with_path",
           "tree_map_", "tree_map_only", "tree_map_only_", "tree_all", "tree_any",
           "tree_all_only", "tree_any_only", "treespec_dumps", "treespec_loads",
           "treespec_pprint", "treespec_leaf", "treespec_tuple", "treespec_dict",
           "is_namedtuple", "is_namedtuple_class", "is_namedtuple_instance", "is_structseq",
           "is_structseq_class", "is_structseq_instance", "SequenceKey", "MappingKey",
           "GetAttrKey", "map_only", "arg_tree_leaves"]

PyTree = Any
Context = Any
DumpableContext = Any
FlattenFunc = Callable[[PyTree], "tuple[list[Any], Context]"]
UnflattenFunc = Callable[[Iterable[Any], Context], PyTree]
ToDumpableContextFn = Callable[[Context], DumpableContext]
FromDumpableContextFn = Callable[[DumpableContext], Context]
KeyPath = tuple[Any, ...]

DEFAULT_TREESPEC_SERIALIZATION_PROTOCOL = 1
NO_SERIALIZED_TYPE_NAME_FOUND = "NO_SERIALIZED_TYPE_NAME_FOUND"


class NodeDef(NamedTuple):
    """How a registered container type flattens and unflattens."""
    type: type[Any]
    flatten_fn: Callable[[Any], tuple[list[Any], Any]]
    unflatten_fn: Callable[[Iterable[Any], Any], Any]
    flatten_with_keys_fn: Callable[[Any], tuple[list[tuple[Any, Any]], Any]] | None


class _SerializeNodeDef(NamedTuple):
    typ: type[Any]
    serialized_type_name: str
    to_dumpable_context: Callable[[Any], Any] | None
    from_dumpable_context: Callable[[Any], Any] | None


_NODE_REGISTRY_LOCK = threading.RLock()
SUPPORTED_NODES: dict[Any, NodeDef] = {}
SUPPORTED_SERIALIZED_TYPES: dict[Any, _SerializeNodeDef] = {}
SERIALIZED_TYPE_TO_PYTHON_TYPE: dict[str, Any] = {}


class EnumEncoder(json.JSONEncoder):
    """JSON encoder for pytree contexts: an Enum becomes ``{"__enum__": True, ...}``."""

    def default(self, obj: object) -> Any:
        """Encodes an Enum member by its class's qualified name and member name."""
        if isinstance(obj, Enum):
            return {"__enum__": True, "fqn": f"{obj.__class__.__module__}:"
                    f"{obj.__class__.__qualname__}", "name": obj.name}
        return super().default(obj)


def register_pytree_node(cls: type[Any], flatten_fn: Callable[[Any], tuple[list[Any], Any]],
                         unflatten_fn: Callable[[Iterable[Any], Any], Any], *,
                         serialized_type_name: str | None = None,
                         to_dumpable_context: Callable[[Any], Any] | None = None,
                         from_dumpable_context: Callable[[Any], Any] | None = None,
                         flatten_with_keys_fn: Callable[[Any], Any] | None = None) -> None:
    """Registers the container type ``cls`` as a pytree node: ``flatten_fn(obj)`` returns
    ``(children, context)`` and ``unflatten_fn(children, context)`` rebuilds it."""
    with _NODE_REGISTRY_LOCK:
        if cls in SUPPORTED_NODES:
            warnings.warn(f"{cls} is already registered as pytree node. "
                          "Overwriting the previous registration.", stacklevel=2)
        SUPPORTED_NODES[cls] = NodeDef(cls, flatten_fn, unflatten_fn, flatten_with_keys_fn)
        if (to_dumpable_context is None) ^ (from_dumpable_context is None):
            raise ValueError(f"Both to_dumpable_context and from_dumpable_context for {cls} "
                             "must be None or registered.")
        name = NO_SERIALIZED_TYPE_NAME_FOUND if serialized_type_name is None \
            else serialized_type_name
        SUPPORTED_SERIALIZED_TYPES[cls] = _SerializeNodeDef(cls, name, to_dumpable_context,
                                                            from_dumpable_context)
        SERIALIZED_TYPE_TO_PYTHON_TYPE[name] = cls


@dataclasses.dataclass(frozen=True)
class SequenceKey:
    """The key path entry of a sequence item: prints ``[idx]``."""
    idx: int

    def __str__(self) -> str:
        return f"[{self.idx!r}]"

    def get(self, sequence: Any) -> Any:
        """Returns ``sequence[idx]``."""
        return sequence[self.idx]


@dataclasses.dataclass(frozen=True)
class MappingKey:
    """The key path entry of a mapping value: prints ``[key]``."""
    key: Any

    def __str__(self) -> str:
        return f"[{self.key!r}]"

    def get(self, mapping: Any) -> Any:
        """Returns ``mapping[key]``."""
        return mapping[self.key]


@dataclasses.dataclass(frozen=True)
class GetAttrKey:
    """The key path entry of an attribute (a namedtuple field): prints ``.name``."""
    name: str

    def __str__(self) -> str:
        return f".{self.name}"

    def get(self, obj: Any) -> Any:
        """Returns ``getattr(obj, name)``."""
        return getattr(obj, self.name)


def is_namedtuple(obj: object) -> bool:
    """True for a namedtuple instance or class."""
    return is_namedtuple_class(obj if isinstance(obj, type) else type(obj))


def is_namedtuple_class(cls: type) -> bool:
    """True for a class made by ``collections.namedtuple`` / ``typing.NamedTuple``."""
    return (isinstance(cls, type) and issubclass(cls, tuple)
            and isinstance(getattr(cls, "_fields", None), tuple)
            and all(type(f) is str for f in cls._fields)  # type: ignore[attr-defined]
            and callable(getattr(cls, "_make", None))
            and callable(getattr(cls, "_asdict", None)))


def is_namedtuple_instance(obj: object) -> bool:
    """True for a namedtuple instance."""
    return is_namedtuple_class(type(obj))


def is_structseq_class(cls: type) -> bool:
    """True for a CPython ``PyStructSequence`` class (``os.stat_result``...)."""
    return (isinstance(cls, type) and cls.__bases__ == (tuple,)
            and isinstance(getattr(cls, "n_fields", None), int)
            and isinstance(getattr(cls, "n_sequence_fields", None), int)
            and isinstance(getattr(cls, "n_unnamed_fields", None), int)
            and not bool(cls.__flags__ & (1 << 10)))


def is_structseq(obj: object) -> bool:
    """True for a ``PyStructSequence`` instance or class."""
    return is_structseq_class(obj if isinstance(obj, type) else type(obj))


def is_structseq_instance(obj: object) -> bool:
    """True for a ``PyStructSequence`` instance."""
    return is_structseq_class(type(obj))


def _seq_keys(values: list[Any], context: Any) -> tuple[list[tuple[Any, Any]], Any]:
    return [(SequenceKey(i), v) for i, v in enumerate(values)], context


def _dict_flatten(d: dict[Any, Any]) -> tuple[list[Any], Any]:
    return list(d.values()), list(d.keys())


def _dict_keys(d: dict[Any, Any]) -> tuple[list[tuple[Any, Any]], Any]:
    values, context = _dict_flatten(d)
    return [(MappingKey(k), v) for k, v in zip(context, values, strict=True)], context


def _namedtuple_serialize(context: Any) -> Any:
    node = SUPPORTED_SERIALIZED_TYPES.get(context)
    if node is None:
        raise NotImplementedError(
            f"Can't serialize TreeSpec of namedtuple class {context} because we didn't "
            "register a serializated_type_name. Please register using `_register_namedtuple`.")
    if node.serialized_type_name == NO_SERIALIZED_TYPE_NAME_FOUND:
        raise NotImplementedError(
            f"Can't serialize TreeSpec of namedtuple class {context} because we couldn't find "
            "a serializated_type_name. Please register using `_register_namedtuple`.")
    return node.serialized_type_name


def _namedtuple_deserialize(dumpable: Any) -> Any:
    if dumpable not in SERIALIZED_TYPE_TO_PYTHON_TYPE:
        raise NotImplementedError(f"Can't deserialize TreeSpec of namedtuple class {dumpable} "
                                  "because we couldn't find a serializated name.")
    return SERIALIZED_TYPE_TO_PYTHON_TYPE[dumpable]


def _register_namedtuple(cls: type[Any], *, serialized_type_name: str) -> None:
    """Registers a namedtuple class under ``serialized_type_name`` so specs holding it dump."""
    register_pytree_node(cls, lambda d: (list(d), type(d)), lambda v, c: c(*v),
                         serialized_type_name=serialized_type_name,
                         to_dumpable_context=_namedtuple_serialize,
                         from_dumpable_context=_namedtuple_deserialize,
                         flatten_with_keys_fn=lambda d: (
                             [(GetAttrKey(f), v) for f, v in zip(d._fields, d)], type(d)))


def _defaultdict_serialize(context: Any) -> Any:
    factory, keys = context
    return {"default_factory_module": factory.__module__,
            "default_factory_name": factory.__qualname__, "dict_context": keys}


def _defaultdict_deserialize(dumpable: Any) -> Any:
    module = importlib.import_module(dumpable["default_factory_module"])
    return [getattr(module, dumpable["default_factory_name"]), dumpable["dict_context"]]


def _defaultdict_keys(d: Any) -> tuple[list[tuple[Any, Any]], Any]:
    pairs, keys = _dict_keys(d)
    return pairs, [d.default_factory, keys]


register_pytree_node(tuple, lambda d: (list(d), None), lambda v, c: tuple(v),
                     serialized_type_name="builtins.tuple",
                     flatten_with_keys_fn=lambda d: _seq_keys(list(d), None))
register_pytree_node(list, lambda d: (d, None), lambda v, c: list(v),
                     serialized_type_name="builtins.list",
                     flatten_with_keys_fn=lambda d: _seq_keys(d, None))
register_pytree_node(dict, _dict_flatten, lambda v, c: dict(zip(c, v, strict=True)),
                     serialized_type_name="builtins.dict", flatten_with_keys_fn=_dict_keys)
register_pytree_node(namedtuple, lambda d: (list(d), type(d)),  # type: ignore[arg-type]
                     lambda v, c: c(*v), serialized_type_name="collections.namedtuple",
                     to_dumpable_context=_namedtuple_serialize,
                     from_dumpable_context=_namedtuple_deserialize,
                     flatten_with_keys_fn=lambda d: (
                         [(GetAttrKey(f), v) for f, v in zip(d._fields, d)], type(d)))
register_pytree_node(OrderedDict, _dict_flatten,
                     lambda v, c: OrderedDict(zip(c, v, strict=True)),
                     serialized_type_name="collections.OrderedDict",
                     flatten_with_keys_fn=_dict_keys)
register_pytree_node(defaultdict, lambda d: (list(d.values()), [d.default_factory, list(d)]),
                     lambda v, c: defaultdict(c[0], zip(c[1], v, strict=True)),
                     serialized_type_name="collections.defaultdict",
                     to_dumpable_context=_defaultdict_serialize,
                     from_dumpable_context=_defaultdict_deserialize,
                     flatten_with_keys_fn=_defaultdict_keys)
register_pytree_node(deque, lambda d: (list(d), d.maxlen), lambda v, c: deque(v, maxlen=c),
                     serialized_type_name="collections.deque",
                     flatten_with_keys_fn=lambda d: _seq_keys(list(d), d.maxlen))

STANDARD_DICT_TYPES: frozenset[Any] = frozenset({dict, OrderedDict, defaultdict})
BUILTIN_TYPES: frozenset[Any] = frozenset({tuple, list, dict, namedtuple, OrderedDict,
                                           defaultdict, deque})


_STRUCTSEQ: set[type] = set()  # ember.return_types' classes: nodes of their own type


def _get_node_type(tree: Any) -> Any:
    node_type = type(tree)
    if node_type in _STRUCTSEQ:
        return node_type
    return namedtuple if is_namedtuple_class(node_type) else node_type


def tree_is_leaf(tree: PyTree, is_leaf: Callable[[PyTree], bool] | None = None) -> bool:
    """True when ``tree`` is a leaf: not a registered container (or ``is_leaf(tree)``)."""
    if is_leaf is not None and is_leaf(tree):
        return True
    return _get_node_type(tree) not in SUPPORTED_NODES


class TreeSpec:
    """The structure of a pytree: the root's ``type``, its ``context`` (dict keys, namedtuple
    class...) and one child spec per child; ``num_nodes``, ``num_leaves``, ``num_children``."""

    __slots__ = ("type", "_context", "_children", "num_nodes", "num_leaves", "num_children")

    def __init__(self, type: Any, context: Context, children_specs: list[TreeSpec]) -> None:
        self.type, self._context, self._children = type, context, children_specs
        if type is None:
            if context is not None:
                raise AssertionError("leaf node should not have a context")
            if len(children_specs) != 0:
                raise AssertionError("leaf node should not have children")
            self.num_nodes = self.num_leaves = 1
            self.num_children = 0
        else:
            self.num_nodes = 1 + sum(c.num_nodes for c in children_specs)
            self.num_leaves = sum(c.num_leaves for c in children_specs)
            self.num_children = len(children_specs)

    def __setattr__(self, name: str, value: Any) -> None:
        if hasattr(self, "num_children"):
            raise dataclasses.FrozenInstanceError(f"cannot assign to field '{name}'")
        object.__setattr__(self, name, value)

    def __repr__(self, indent: int = 0) -> str:
        out = f"TreeSpec({self.type.__name__}, {self._context}, ["
        if self.num_children > 0:
            indent += 2
            out += self._children[0].__repr__(indent)
            out += "," if self.num_children > 1 else ""
            out += ",".join("\n" + " " * indent + c.__repr__(indent)
                            for c in self._children[1:])
        return out + "])"

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if other.__class__ is self.__class__:
            assert isinstance(other, TreeSpec)
            return (str(self.type) == str(other.type) and self._context == other._context
                    and self._children == other._children)
        return NotImplemented

    def __hash__(self) -> int:
        t = self.type
        if t is defaultdict:
            ctx: Any = (self._context[0], tuple(self._context[1]))
        elif t in (dict, OrderedDict):
            ctx = tuple(self._context)
        elif t is None or t in BUILTIN_TYPES:
            ctx = self._context
        else:
            ctx = None
        return hash((t, ctx, tuple(self._children)))

    @property
    def context(self) -> Context:
        """The root's context (dict keys, namedtuple class, deque maxlen, ...)."""
        return self._context

    @property
    def children_specs(self) -> list[TreeSpec]:
        """The child specs (deprecated in torch: ``children()``)."""
        warnings.warn("`treespec.children_specs` is deprecated. Use `treespec.child(index)` to "
                      "access a single child, or `treespec.children()` to get all children.",
                      FutureWarning, stacklevel=2)
        return self._children

    def is_leaf(self) -> bool:
        """True for the spec of a leaf."""
        return self.num_nodes == 1 and self.num_leaves == 1

    def children(self) -> list[TreeSpec]:
        """A copy of the list of child specs."""
        return self._children.copy()

    def child(self, index: int) -> TreeSpec:
        """The child spec at ``index``."""
        return self._children[index]

    def flatten_up_to(self, tree: PyTree) -> list[PyTree]:
        """The subtrees of ``tree`` at this spec's leaves (``tree`` must have this structure
        as a prefix; torch's errors otherwise)."""
        out: list[PyTree] = []
        _flatten_up_to(self, tree, out)
        return out

    def unflatten(self, leaves: Iterable[Any]) -> PyTree:
        """Rebuilds the pytree from ``leaves``."""
        if not isinstance(leaves, (list, tuple)):
            leaves = list(leaves)
        if len(leaves) != self.num_leaves:
            raise ValueError(f"treespec.unflatten(leaves): `leaves` has length {len(leaves)} "
                             f"but the spec refers to a pytree that holds {self.num_leaves} "
                             f"items ({self}).")
        if self.is_leaf():
            return leaves[0]
        start, kids = 0, []
        for c in self._children:
            kids.append(c.unflatten(leaves[start:start + c.num_leaves]))
            start += c.num_leaves
        return SUPPORTED_NODES[self.type].unflatten_fn(kids, self._context)


def _flatten_up_to(spec: TreeSpec, node: PyTree, out: list[PyTree]) -> None:
    if spec.is_leaf():
        out.append(node)
        return
    node_type = _get_node_type(node)
    if spec.type not in BUILTIN_TYPES:
        if node_type != spec.type:
            raise ValueError(f"Type mismatch; expected {spec.type!r}, but got {node_type!r}.")
        children, context = SUPPORTED_NODES[node_type].flatten_fn(node)
        if len(children) != spec.num_children:
            raise ValueError(f"Node arity mismatch; expected {spec.num_children}, but got "
                             f"{len(children)}.")
        if context != spec._context:
            raise ValueError(f"Node context mismatch for custom node type {spec.type!r}.")
    else:
        both_dict = spec.type in STANDARD_DICT_TYPES and node_type in STANDARD_DICT_TYPES
        if not both_dict and node_type != spec.type:
            raise ValueError(f"Node type mismatch; expected {spec.type!r}, but got "
                             f"{node_type!r}.")
        if len(node) != spec.num_children:
            raise ValueError(f"Node arity mismatch; expected {spec.num_children}, but got "
                             f"{len(node)}.")
        if both_dict:
            keys = spec._context if spec.type is not defaultdict else spec._context[1]
            got, want = set(node), set(keys)
            if got != want:
                msg = ""
                if want - got:
                    msg += f"; missing key(s): {want - got}"
                if got - want:
                    msg += f"; extra key(s): {got - want}"
                raise ValueError(f"Node keys mismatch{msg}.")
            children = [node[k] for k in keys]
        else:
            children, context = SUPPORTED_NODES[node_type].flatten_fn(node)
            if node_type is not deque and context != spec._context:
                raise ValueError(f"Node context mismatch for node type {spec.type!r}; expected "
                                 f"{spec._context!r}, but got {context!r}.")
    for sub, subspec in zip(children, spec._children, strict=True):
        _flatten_up_to(subspec, sub, out)


class LeafSpec(TreeSpec):
    """The spec of a leaf (prints ``*``); deprecated in torch 2.13 (FutureWarning when made):
    test ``spec.is_leaf()`` instead."""

    __slots__ = ()

    def __init__(self) -> None:
        warnings.warn("`isinstance(treespec, LeafSpec)` is deprecated, use "
                      "`isinstance(treespec, TreeSpec) and treespec.is_leaf()` instead.",
                      FutureWarning, stacklevel=2)
        TreeSpec.__init__(self, None, None, [])

    def __repr__(self, indent: int = 0) -> str:
        return "*"


with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)
    _LEAF_SPEC = LeafSpec()


def treespec_leaf() -> TreeSpec:
    """The spec of a leaf."""
    return _LEAF_SPEC


def treespec_tuple(iterable: Iterable[TreeSpec] = (), /) -> TreeSpec:
    """A tuple spec with the given child specs."""
    children = list(iterable)
    if any(not isinstance(c, TreeSpec) for c in children):
        raise ValueError(f"Expected a tuple of TreeSpec values, got: {children!r}.")
    return TreeSpec(tuple, None, children)


def treespec_dict(mapping: Any = (), /, **kwargs: TreeSpec) -> TreeSpec:
    """A dict spec with the given keys and child specs."""
    dct = dict(mapping, **kwargs)
    if any(not isinstance(c, TreeSpec) for c in dct.values()):
        raise ValueError(f"Expected a dictionary of TreeSpec values, got: {dct!r}.")
    return TreeSpec(dict, list(dct.keys()), list(dct.values()))


def tree_flatten(tree: PyTree, is_leaf: Callable[[PyTree], bool] | None = None
                 ) -> tuple[list[Any], TreeSpec]:
    """Returns ``(leaves, treespec)``: the leaves in order and the structure to rebuild from."""
    def helper(node: PyTree, leaves: list[Any]) -> TreeSpec:
        if tree_is_leaf(node, is_leaf=is_leaf):
            leaves.append(node)
            return _LEAF_SPEC
        node_type = _get_node_type(node)
        children, context = SUPPORTED_NODES[node_type].flatten_fn(node)
        return TreeSpec(node_type, context, [helper(c, leaves) for c in children])
    leaves: list[Any] = []
    spec = helper(tree, leaves)
    return leaves, spec


def tree_unflatten(leaves: Iterable[Any], treespec: TreeSpec) -> PyTree:
    """Rebuilds the pytree of ``treespec`` from ``leaves`` (the inverse of ``tree_flatten``)."""
    if not isinstance(treespec, TreeSpec):
        if not isinstance(leaves, TreeSpec):
            raise TypeError("Expected `treespec` to be an instance of PyTreeSpec but got item "
                            f"of type {type(treespec)}.")
        leaves, treespec = treespec, leaves
    return treespec.unflatten(leaves)


def tree_iter(tree: PyTree, is_leaf: Callable[[PyTree], bool] | None = None) -> Iterator[Any]:
    """Iterates over the leaves of ``tree``."""
    if tree_is_leaf(tree, is_leaf=is_leaf):
        yield tree
    else:
        children, _ = SUPPORTED_NODES[_get_node_type(tree)].flatten_fn(tree)
        for c in children:
            yield from tree_iter(c, is_leaf=is_leaf)


def tree_leaves(tree: PyTree, is_leaf: Callable[[PyTree], bool] | None = None) -> list[Any]:
    """The list of the leaves of ``tree``."""
    return list(tree_iter(tree, is_leaf=is_leaf))


def tree_structure(tree: PyTree, is_leaf: Callable[[PyTree], bool] | None = None) -> TreeSpec:
    """The ``TreeSpec`` of ``tree``."""
    return tree_flatten(tree, is_leaf=is_leaf)[1]


def tree_map(func: Callable[..., Any], tree: PyTree, *rests: PyTree,
             is_leaf: Callable[[PyTree], bool] | None = None) -> PyTree:
    """A new pytree shaped like ``tree`` whose leaves are ``func(leaf, *matching leaves of
    rests)`` (each of ``rests`` must have ``tree``'s structure as a prefix)."""
    leaves, spec = tree_flatten(tree, is_leaf=is_leaf)
    flat = [leaves] + [spec.flatten_up_to(r) for r in rests]
    return spec.unflatten(map(func, *flat))


def tree_map_(func: Callable[..., Any], tree: PyTree, *rests: PyTree,
              is_leaf: Callable[[PyTree], bool] | None = None) -> PyTree:
    """Calls ``func`` on each leaf (for its side effect) and returns ``tree`` itself."""
    leaves, spec = tree_flatten(tree, is_leaf=is_leaf)
    flat = [leaves] + [spec.flatten_up_to(r) for r in rests]
    deque(map(func, *flat), maxlen=0)
    return tree


def map_only(type_or_types_or_pred: Any, /) -> Callable[[Callable[[Any], Any]], Any]:
    """Decorator: the function applies only to leaves of the given type(s) (or for which the
    predicate holds); other leaves pass through unchanged."""
    if isinstance(type_or_types_or_pred, (type, tuple, types.UnionType)):
        def pred(x: Any) -> bool:
            return isinstance(x, type_or_types_or_pred)
    elif callable(type_or_types_or_pred):
        pred = type_or_types_or_pred
    else:
        raise TypeError("Argument must be a type, a tuple of types, or a callable.")

    def wrapper(func: Callable[[Any], Any]) -> Callable[[Any], Any]:
        @functools.wraps(func)
        def wrapped(x: Any) -> Any:
            return func(x) if pred(x) else x
        return wrapped
    return wrapper


def tree_map_only(type_or_types_or_pred: Any, /, func: Callable[[Any], Any], tree: PyTree,
                  is_leaf: Callable[[PyTree], bool] | None = None) -> PyTree:
    """``tree_map`` that applies ``func`` only to leaves of the given type(s)."""
    return tree_map(map_only(type_or_types_or_pred)(func), tree, is_leaf=is_leaf)


def tree_map_only_(type_or_types_or_pred: Any, /, func: Callable[[Any], Any], tree: PyTree,
                   is_leaf: Callable[[PyTree], bool] | None = None) -> PyTree:
    """``tree_map_`` that calls ``func`` only on leaves of the given type(s)."""
    return tree_map_(map_only(type_or_types_or_pred)(func), tree, is_leaf=is_leaf)


def tree_all(pred: Callable[[Any], bool], tree: PyTree,
             is_leaf: Callable[[PyTree], bool] | None = None) -> bool:
    """True when ``pred`` holds for every leaf."""
    return all(map(pred, tree_iter(tree, is_leaf=is_leaf)))


def tree_any(pred: Callable[[Any], bool], tree: PyTree,
             is_leaf: Callable[[PyTree], bool] | None = None) -> bool:
    """True when ``pred`` holds for some leaf."""
    return any(map(pred, tree_iter(tree, is_leaf=is_leaf)))


def tree_all_only(type_or_types: Any, /, pred: Callable[[Any], bool], tree: PyTree,
                  is_leaf: Callable[[PyTree], bool] | None = None) -> bool:
    """True when ``pred`` holds for every leaf of the given type(s)."""
    return all(pred(x) for x in tree_iter(tree, is_leaf=is_leaf) if isinstance(x, type_or_types))


def tree_any_only(type_or_types: Any, /, pred: Callable[[Any], bool], tree: PyTree,
                  is_leaf: Callable[[PyTree], bool] | None = None) -> bool:
    """True when ``pred`` holds for some leaf of the given type(s)."""
    return any(pred(x) for x in tree_iter(tree, is_leaf=is_leaf) if isinstance(x, type_or_types))


def _treespec_to_json(spec: TreeSpec) -> dict[str, Any]:
    if spec.is_leaf():
        return {"type": None, "context": None, "children_spec": []}
    if spec.type not in SUPPORTED_SERIALIZED_TYPES:
        raise NotImplementedError(f"Serializing {spec.type} in pytree is not registered.")
    node = SUPPORTED_SERIALIZED_TYPES[spec.type]
    if node.serialized_type_name == NO_SERIALIZED_TYPE_NAME_FOUND:
        raise NotImplementedError(
            f"No registered serialization name for {spec.type} found. Please update your "
            "_register_pytree_node call with a `serialized_type_name` kwarg.")
    if node.to_dumpable_context is None:
        try:
            ctx = json.dumps(spec._context, cls=EnumEncoder)
        except TypeError as e:
            raise TypeError("Unable to serialize context. Please make the context json "
                            "dump-able, or register a custom serializer using "
                            "_register_pytree_node.") from e
    else:
        ctx = node.to_dumpable_context(spec._context)
    return {"type": node.serialized_type_name, "context": ctx,
            "children_spec": [_treespec_to_json(c) for c in spec._children]}


def enum_object_hook(obj: dict[str, Any]) -> Any:
    """JSON object hook that turns ``EnumEncoder``'s enum records back into members."""
    if "__enum__" in obj:
        modname, _, classname = obj["fqn"].partition(":")
        cls: Any = importlib.import_module(modname)
        for attr in classname.split("."):
            cls = getattr(cls, attr)
        return cls[obj["name"]]
    return obj


def _json_to_treespec(schema: Any) -> TreeSpec:
    if schema["type"] is None and schema["context"] is None and not schema["children_spec"]:
        return _LEAF_SPEC
    if schema["type"] not in SERIALIZED_TYPE_TO_PYTHON_TYPE:
        raise NotImplementedError(f"Deserializing {schema['type']} in pytree is not registered.")
    typ = SERIALIZED_TYPE_TO_PYTHON_TYPE[schema["type"]]
    node = SUPPORTED_SERIALIZED_TYPES[typ]
    if node.from_dumpable_context is None:
        context = json.loads(schema["context"], object_hook=enum_object_hook)
    else:
        context = node.from_dumpable_context(schema["context"])
    return TreeSpec(typ, context, [_json_to_treespec(c) for c in schema["children_spec"]])


def treespec_dumps(treespec: TreeSpec, protocol: int | None = None) -> str:
    """The spec as torch's JSON text (protocol 1): ``[1, {"type": ..., "context": ...,
    "children_spec": [...]}]``."""
    if not isinstance(treespec, TreeSpec):
        raise TypeError("Expected `treespec` to be an instance of PyTreeSpec but got item of "
                        f"type {type(treespec)}.")
    protocol = DEFAULT_TREESPEC_SERIALIZATION_PROTOCOL if protocol is None else protocol
    if protocol != 1:
        raise ValueError(f"Unknown protocol {protocol}. Available protocols: [1]")
    return json.dumps((protocol, _treespec_to_json(treespec)), cls=EnumEncoder)


@functools.lru_cache
def treespec_loads(serialized: str) -> TreeSpec:
    """The spec that ``treespec_dumps`` wrote."""
    protocol, schema = json.loads(serialized)
    if protocol != 1:
        raise ValueError(f"Unknown protocol {protocol}. Available protocols: [1]")
    return _json_to_treespec(schema)


class _Asterisk(str):
    __slots__ = ()

    def __repr__(self) -> str:
        return "*"


def treespec_pprint(treespec: TreeSpec) -> str:
    """The repr of the tree with ``*`` at each leaf: ``{'a': [*, *]}``."""
    return repr(tree_unflatten([_Asterisk("*")] * treespec.num_leaves, treespec))


def arg_tree_leaves(*args: PyTree, **kwargs: PyTree) -> list[Any]:
    """The leaves of ``(args, kwargs)``, in order."""
    leaves: list[Any] = []
    for a in (*args, *kwargs.values()):
        leaves.extend(tree_iter(a))
    return leaves


def _key_paths(path: KeyPath, tree: PyTree, is_leaf: Callable[[PyTree], bool] | None
               ) -> Iterator[tuple[KeyPath, Any]]:
    if is_leaf and is_leaf(tree):
        yield path, tree
        return
    node_type = _get_node_type(tree)
    handler = SUPPORTED_NODES.get(node_type)
    if not handler:
        yield path, tree
        return
    if handler.flatten_with_keys_fn is None:
        raise ValueError(f"Did not find a flatten_with_keys_fn for type: {node_type}. Please "
                         "pass a flatten_with_keys_fn argument to register_pytree_node.")
    for k, c in handler.flatten_with_keys_fn(tree)[0]:
        yield from _key_paths((*path, k), c, is_leaf)


def tree_flatten_with_path(tree: PyTree, is_leaf: Callable[[PyTree], bool] | None = None
                           ) -> tuple[list[tuple[KeyPath, Any]], TreeSpec]:
    """``tree_flatten`` that also returns each leaf's key path."""
    return list(_key_paths((), tree, is_leaf)), tree_flatten(tree, is_leaf)[1]


def tree_leaves_with_path(tree: PyTree, is_leaf: Callable[[PyTree], bool] | None = None
                          ) -> list[tuple[KeyPath, Any]]:
    """The ``(key path, leaf)`` pairs of ``tree``."""
    return list(_key_paths((), tree, is_leaf))


def tree_map_with_path(func: Callable[..., Any], tree: PyTree, *rests: PyTree,
                       is_leaf: Callable[[PyTree], bool] | None = None) -> PyTree:
    """``tree_map`` whose ``func`` also receives each leaf's key path first."""
    pairs, spec = tree_flatten_with_path(tree, is_leaf)
    columns = list(zip(*pairs, strict=True)) + [spec.flatten_up_to(r) for r in rests]
    return spec.unflatten(func(*xs) for xs in zip(*columns, strict=True))


def keystr(kp: KeyPath) -> str:
    """A key path as text: ``['a'][0].x``."""
    return "".join(str(k) for k in kp)


def key_get(obj: Any, kp: KeyPath) -> Any:
    """The value of ``obj`` at key path ``kp``."""
    for k in kp:
        obj = k.get(obj)
    return obj


def _register_ember_types() -> None:
    """torch registers ``torch.Size`` (unflattening to a plain tuple, as torch does) and its
    return-type structseqs when it starts; ember registers them with this module."""
    from .._tensor import Size
    register_pytree_node(Size, lambda xs: (list(xs), None), lambda xs, _: tuple(xs),
                         serialized_type_name="torch.Size",
                         flatten_with_keys_fn=lambda xs: _seq_keys(list(xs), None))
    from .. import return_types  # noqa: F401 - registers the result classes


_register_ember_types()
