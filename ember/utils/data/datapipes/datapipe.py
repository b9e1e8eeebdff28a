"""``IterDataPipe`` / ``MapDataPipe``: datasets built by chaining functional forms
(``dp.map(f).filter(g).batch(4)``), as torch.utils.data.datapipes.datapipe."""
from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import Any, Callable, TypeVar

from ..dataset import Dataset, IterableDataset
from ._typing import _DataPipeMeta, _IterDataPipeMeta

__all__ = ["DataChunk", "DFIterDataPipe", "IterDataPipe", "MapDataPipe"]

_T = TypeVar("_T")
_T_co = TypeVar("_T_co", covariant=True)

UNTRACABLE_DATAFRAME_PIPES = ["batch", "groupby", "_dataframes_as_tuples", "trace_as_dataframe"]


class _DataPipeBase:
    """What both DataPipe kinds share: the functional forms and the pickling/printing hooks."""

    functions: dict[str, Callable[..., Any]]
    reduce_ex_hook: Callable[..., Any] | None = None
    getstate_hook: Callable[..., Any] | None = None
    str_hook: Callable[..., Any] | None = None
    repr_hook: Callable[..., Any] | None = None

    @classmethod
    def _root(cls) -> Any:
        return IterDataPipe if issubclass(cls, IterDataPipe) else MapDataPipe

    def __getattr__(self, attribute_name: str) -> Any:
        root = type(self)._root()
        if attribute_name in root.functions:
            f = root.functions[attribute_name]
            function = functools.partial(f, self)
            functools.update_wrapper(wrapper=function, wrapped=f, assigned=("__doc__",))
            return function
        raise AttributeError(
            f"'{self.__class__.__name__}' object has no attribute '{attribute_name}")

    @classmethod
    def register_function(cls, function_name: str, function: Callable[..., Any]) -> None:
        """Register ``function`` as the functional form ``function_name``."""
        cls.functions[function_name] = function

    def __getstate__(self) -> Any:
        state = self.__dict__
        hook = type(self)._root().getstate_hook
        return hook(state) if hook is not None else state

    def __setstate__(self, state: Any) -> None:
        self.__dict__.update(state)

    def __reduce_ex__(self, *args: Any, **kwargs: Any) -> Any:
        hook = type(self)._root().reduce_ex_hook
        if hook is not None:
            try:
                return hook(self)
            except NotImplementedError:
                pass
        return super().__reduce_ex__(*args, **kwargs)

    @classmethod
    def set_getstate_hook(cls, hook_fn: Callable[..., Any] | None) -> None:
        """Set the hook ``__getstate__`` passes the state through."""
        root = cls._root()
        if root.getstate_hook is not None and hook_fn is not None:
            raise RuntimeError("Attempt to override existing getstate_hook")
        root.getstate_hook = hook_fn

    @classmethod
    def set_reduce_ex_hook(cls, hook_fn: Callable[..., Any] | None) -> None:
        """Set the hook ``__reduce_ex__`` tries first."""
        root = cls._root()
        if root.reduce_ex_hook is not None and hook_fn is not None:
            raise RuntimeError("Attempt to override existing reduce_ex_hook")
        root.reduce_ex_hook = hook_fn

    def __repr__(self) -> str:
        if self.repr_hook is not None:
            return self.repr_hook(self)
        return str(self.__class__.__qualname__)

    def __str__(self) -> str:
        if self.str_hook is not None:
            return self.str_hook(self)
        return str(self.__class__.__qualname__)

    def __dir__(self) -> list[str]:
        return list(super().__dir__()) + list(type(self)._root().functions.keys())


class IterDataPipe(_DataPipeBase, IterableDataset[_T_co], metaclass=_IterDataPipeMeta):
    """An iterable DataPipe: implement ``__iter__``; chain functional forms registered with
    ``@functional_datapipe(name)`` (``map``, ``filter``, ``batch``, ``shuffle``,
    ``sharding_filter``, ...). Only the newest iterator of a DataPipe is valid: a new
    ``iter(dp)`` calls ``reset()`` and invalidates the older one (torch's rule)."""

    functions: dict[str, Callable[..., Any]] = {}
    _valid_iterator_id: int | None = None
    _number_of_samples_yielded: int = 0

    def __iter__(self) -> Iterator[_T_co]:
        return self  # type: ignore[return-value]

    @classmethod
    def register_datapipe_as_function(cls, function_name: str, cls_to_register: Any,
                                      enable_df_api_tracing: bool = False) -> None:
        """Make ``dp.function_name(*args)`` build ``cls_to_register(dp, *args)``."""
        if function_name in cls.functions:
            raise Exception(  # noqa: TRY002 - torch's class
                f"Unable to add DataPipe function name {function_name} as it is already taken")

        def class_function(cls, enable_df_api_tracing, source_dp, *args, **kwargs):
            return cls(source_dp, *args, **kwargs)
        function = functools.partial(class_function, cls_to_register, enable_df_api_tracing)
        functools.update_wrapper(wrapper=function, wrapped=cls_to_register, assigned=("__doc__",))
        cls.functions[function_name] = function

    def reset(self) -> None:
        """Called when a new iterator is made; DataPipes with state override it."""


class DFIterDataPipe(IterDataPipe):
    """An IterDataPipe of DataFrames (torch's marker class)."""

    def _is_dfpipe(self) -> bool:
        return True


class MapDataPipe(_DataPipeBase, Dataset[_T_co], metaclass=_DataPipeMeta):
    """A map-style DataPipe: implement ``__getitem__`` (and ``__len__``); chain functional
    forms registered with ``@functional_datapipe(name)`` (``map``, ``batch``, ...)."""

    functions: dict[str, Callable[..., Any]] = {}

    @classmethod
    def register_datapipe_as_function(cls, function_name: str, cls_to_register: Any) -> None:
        """Make ``dp.function_name(*args)`` build ``cls_to_register(dp, *args)``."""
        if function_name in cls.functions:
            raise Exception(  # noqa: TRY002 - torch's class
                f"Unable to add DataPipe function name {function_name} as it is already taken")

        def class_function(cls, source_dp, *args, **kwargs):
            return cls(source_dp, *args, **kwargs)
        function = functools.partial(class_function, cls_to_register)
        functools.update_wrapper(wrapper=function, wrapped=cls_to_register, assigned=("__doc__",))
        cls.functions[function_name] = function


class DataChunk(list[_T]):
    """A list of items that ``batch`` makes (``as_str``, ``raw_iterator``)."""

    def __init__(self, items: Iterable[_T]) -> None:
        items = list(items)
        super().__init__(items)
        self.items = items

    def as_str(self, indent: str = "") -> str:
        """The items as ``[a, b, ...]`` after ``indent``."""
        return indent + "[" + ", ".join(str(i) for i in iter(self)) + "]"

    def __iter__(self) -> Iterator[_T]:
        yield from super().__iter__()

    def raw_iterator(self) -> Iterator[_T]:
        """The items given at construction."""
        yield from self.items
