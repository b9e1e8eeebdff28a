"""The common IterDataPipes and their functional forms, as torch.utils.data.datapipes.iter:
``IterableWrapper``, ``map``, ``filter``, ``batch``, ``unbatch``, ``shuffle``,
``sharding_filter``, ``concat``, ``zip``, ``collate`` (torch's class names, ``MapperIterDataPipe``
..., with the short aliases). Not here: ``demux``, ``fork``, ``groupby``, ``mux`` and the file
pipes."""
from __future__ import annotations

import copy
import random
import warnings
from collections.abc import Sized
from enum import IntEnum
from typing import Any, Callable

from ._decorator import functional_datapipe
from .datapipe import DataChunk, IterDataPipe

__all__ = ["Batcher", "Collator", "Concater", "Filter", "IterableWrapper", "Mapper",
           "SHARDING_PRIORITIES", "ShardingFilter", "Shuffler", "UnBatcher", "Zipper"]


def _no_len(dp: Any) -> TypeError:
    return TypeError(f"{type(dp).__name__} instance doesn't have valid length")


class IterableWrapperIterDataPipe(IterDataPipe):
    """An IterDataPipe over an iterable (deep-copied per iteration when ``deepcopy``, so
    in-place changes of the items do not reach the source)."""

    def __init__(self, iterable: Any, deepcopy: bool = True) -> None:
        self.iterable = iterable
        self.deepcopy = deepcopy

    def __iter__(self):
        source = self.iterable
        if self.deepcopy:
            try:
                source = copy.deepcopy(self.iterable)
            except TypeError:
                warnings.warn("The input iterable can not be deepcopied, please be aware of "
                              "in-place modification would affect source data.", stacklevel=2)
        yield from source

    def __len__(self) -> int:
        if isinstance(self.iterable, Sized):
            return len(self.iterable)
        raise _no_len(self)


def _apply_fn(fn: Callable[..., Any], data: Any, input_col: Any, output_col: Any) -> Any:
    if input_col is None and output_col is None:
        return fn(data)
    if input_col is None:
        res = fn(data)
    elif isinstance(input_col, (list, tuple)):
        res = fn(*(data[c] for c in input_col))
    else:
        res = fn(data[input_col])
    if isinstance(data, tuple):
        t_flag, data = True, list(data)
    else:
        t_flag, data = False, copy.copy(data)
    if output_col is None:
        if isinstance(input_col, (list, tuple)):
            data[input_col[0]] = res
            for idx in sorted(input_col[1:], reverse=True):
                del data[idx]
        else:
            data[input_col] = res
    elif output_col == -1:
        data.append(res)
    else:
        data[output_col] = res
    return tuple(data) if t_flag else data


@functional_datapipe("map")
class MapperIterDataPipe(IterDataPipe):
    """Applies ``fn`` to each item (to ``item[input_col]``, the result stored at
    ``output_col``, when given)."""

    def __init__(self, datapipe: IterDataPipe, fn: Callable[..., Any], input_col: Any = None,
                 output_col: Any = None) -> None:
        super().__init__()
        self.datapipe, self.fn = datapipe, fn
        self.input_col, self.output_col = input_col, output_col
        if input_col is None and output_col is not None:
            raise ValueError("`output_col` must be None when `input_col` is None.")
        if isinstance(output_col, (list, tuple)):
            if len(output_col) > 1:
                raise ValueError("`output_col` must be a single-element list or tuple")
            self.output_col = output_col[0]

    def __iter__(self):
        for data in self.datapipe:
            yield _apply_fn(self.fn, data, self.input_col, self.output_col)

    def __len__(self) -> int:
        if isinstance(self.datapipe, Sized):
            return len(self.datapipe)
        raise _no_len(self)


@functional_datapipe("filter")
class FilterIterDataPipe(IterDataPipe):
    """Keeps the items for which ``filter_fn`` (of ``item[input_col]`` when given) is true."""

    def __init__(self, datapipe: IterDataPipe, filter_fn: Callable[..., Any],
                 input_col: Any = None) -> None:
        super().__init__()
        self.datapipe, self.filter_fn, self.input_col = datapipe, filter_fn, input_col

    def __iter__(self):
        for data in self.datapipe:
            if self.input_col is None:
                keep = self.filter_fn(data)
            elif isinstance(self.input_col, (list, tuple)):
                keep = self.filter_fn(*(data[c] for c in self.input_col))
            else:
                keep = self.filter_fn(data[self.input_col])
            if not isinstance(keep, bool):
                raise ValueError("Boolean output is required for `filter_fn` of "
                                 "FilterIterDataPipe, got", type(keep))
            if keep:
                yield data

    def __len__(self) -> int:
        raise _no_len(self)


@functional_datapipe("batch")
class BatcherIterDataPipe(IterDataPipe):
    """Groups items into ``DataChunk`` lists of ``batch_size`` (the last shorter unless
    ``drop_last``)."""

    def __init__(self, datapipe: IterDataPipe, batch_size: int, drop_last: bool = False,
                 wrapper_class: Any = DataChunk) -> None:
        if batch_size <= 0:
            raise AssertionError("Batch size is required to be larger than 0!")
        super().__init__()
        self.datapipe, self.batch_size = datapipe, batch_size
        self.drop_last, self.wrapper_class = drop_last, wrapper_class

    def __iter__(self):
        batch: list[Any] = []
        for x in self.datapipe:
            batch.append(x)
            if len(batch) == self.batch_size:
                yield self.wrapper_class(batch)
                batch = []
        if len(batch) > 0 and not self.drop_last:
            yield self.wrapper_class(batch)

    def __len__(self) -> int:
        if isinstance(self.datapipe, Sized):
            if self.drop_last:
                return len(self.datapipe) // self.batch_size
            return (len(self.datapipe) + self.batch_size - 1) // self.batch_size
        raise _no_len(self)


@functional_datapipe("unbatch")
class UnBatcherIterDataPipe(IterDataPipe):
    """Flattens batches ``unbatch_level`` levels deep (-1: all the way)."""

    def __init__(self, datapipe: IterDataPipe, unbatch_level: int = 1) -> None:
        self.datapipe, self.unbatch_level = datapipe, unbatch_level

    def __iter__(self):
        for element in self.datapipe:
            yield from self._dive(element, unbatch_level=self.unbatch_level)

    def _dive(self, element: Any, unbatch_level: int):
        if unbatch_level < -1:
            raise ValueError("unbatch_level must be -1 or >= 0")
        if unbatch_level == -1:
            if isinstance(element, (list, DataChunk)):
                for item in element:
                    yield from self._dive(item, unbatch_level=-1)
            else:
                yield element
        elif unbatch_level == 0:
            yield element
        elif isinstance(element, (list, DataChunk)):
            for item in element:
                yield from self._dive(item, unbatch_level=unbatch_level - 1)
        else:
            raise IndexError(f"unbatch_level {self.unbatch_level} exceeds the depth of the "
                             "DataPipe")


@functional_datapipe("shuffle")
class ShufflerIterDataPipe(IterDataPipe):
    """Shuffles through a buffer of ``buffer_size`` items (Python's ``random.Random`` seeded
    from ember's generator on each new iterator, or from ``set_seed``; ``set_shuffle(False)``
    passes items through). DataLoader's ``shuffle=`` switches it, its generator seeds it."""

    def __init__(self, datapipe: IterDataPipe, *, buffer_size: int = 10000,
                 unbatch_level: int = 0) -> None:
        super().__init__()
        self._buffer: list[Any] = []
        if buffer_size <= 0:
            raise AssertionError("buffer_size should be larger than 0")
        self.datapipe = datapipe if unbatch_level == 0 else datapipe.unbatch(
            unbatch_level=unbatch_level)
        self.buffer_size = buffer_size
        self._enabled = True
        self._seed: int | None = None
        self._rng = random.Random()

    def set_shuffle(self, shuffle: bool = True) -> ShufflerIterDataPipe:
        """Turn shuffling on or off."""
        self._enabled = shuffle
        return self

    def set_seed(self, seed: int) -> ShufflerIterDataPipe:
        """Seed the next iteration."""
        self._seed = seed
        return self

    def __iter__(self):
        if not self._enabled:
            yield from self.datapipe
        else:
            for x in self.datapipe:
                if len(self._buffer) == self.buffer_size:
                    idx = self._rng.randint(0, len(self._buffer) - 1)
                    val, self._buffer[idx] = self._buffer[idx], x
                    yield val
                else:
                    self._buffer.append(x)
            while self._buffer:
                idx = self._rng.randint(0, len(self._buffer) - 1)
                yield self._buffer.pop(idx)

    def __len__(self) -> int:
        if isinstance(self.datapipe, Sized):
            return len(self.datapipe)
        raise _no_len(self)

    def reset(self) -> None:
        """Empty the buffer and seed the stream (from ember's default generator if no seed
        was set)."""
        self._buffer = []
        if self._enabled:
            if self._seed is None:
                import ember
                self._seed = int(ember.empty((), dtype=ember.int64).random_().item())
            self._rng.seed(self._seed)
            self._seed = None


class SHARDING_PRIORITIES(IntEnum):
    """Sharding groups, applied in this order."""
    DEFAULT = 1
    DISTRIBUTED = 2
    MULTIPROCESSING = 3


@functional_datapipe("sharding_filter")
class ShardingFilterIterDataPipe(IterDataPipe):
    """Keeps every ``num_of_instances``-th item from ``instance_id`` on: the DataLoader shards
    here per worker (and per process under torch.distributed)."""

    def __init__(self, source_datapipe: IterDataPipe, sharding_group_filter: Any = None):
        super().__init__()
        self.source_datapipe = source_datapipe
        self.sharding_group_filter = sharding_group_filter
        self.groups: dict[int, tuple[int, int]] = {}
        self.num_of_instances = 1
        self.instance_id = 0
        self._update_num_of_instances()

    def apply_sharding(self, num_of_instances: int, instance_id: int,
                       sharding_group: Any = SHARDING_PRIORITIES.DEFAULT) -> None:
        """Make this the ``instance_id``-th of ``num_of_instances`` shards of its group."""
        if instance_id >= num_of_instances:
            raise ValueError(f"instance_id({instance_id}) should be smaller than "
                             f"num_of_instances({num_of_instances})")
        if sharding_group == SHARDING_PRIORITIES.DEFAULT:
            if len(self.groups) and SHARDING_PRIORITIES.DEFAULT not in self.groups:
                raise RuntimeError("ShardingFilter cannot mix DEFAULT and non DEFAULT groups")
        elif SHARDING_PRIORITIES.DEFAULT in self.groups:
            raise RuntimeError("ShardingFilter cannot mix DEFAULT and non DEFAULT groups")
        self.groups[sharding_group] = (num_of_instances, instance_id)
        self._update_num_of_instances()

    def _update_num_of_instances(self) -> None:
        groups = [self.groups[k] for k in sorted(self.groups)
                  if self.sharding_group_filter is None or k == self.sharding_group_filter]
        groups.reverse()
        self.num_of_instances, self.instance_id = 1, 0
        for n, i in groups:
            self.instance_id += self.num_of_instances * i
            self.num_of_instances *= n

    def __iter__(self):
        for i, item in enumerate(self.source_datapipe):
            if i % self.num_of_instances == self.instance_id:
                yield item

    def __len__(self) -> int:
        if isinstance(self.source_datapipe, Sized):
            n = len(self.source_datapipe)
            return n // self.num_of_instances + (
                1 if self.instance_id < n % self.num_of_instances else 0)
        raise _no_len(self)


def _checked_pipes(datapipes, kind):
    """concat/zip's arguments as torch checks them: at least one, each a ``kind``."""
    if len(datapipes) == 0:
        raise ValueError("Expected at least one DataPipe, but got nothing")
    if not all(isinstance(dp, kind) for dp in datapipes):
        raise TypeError(f"Expected all inputs to be `{kind.__name__}`")
    return datapipes


@functional_datapipe("concat")
class ConcaterIterDataPipe(IterDataPipe):
    """The items of each DataPipe, one after the other."""

    def __init__(self, *datapipes: IterDataPipe) -> None:
        self.datapipes = _checked_pipes(datapipes, IterDataPipe)

    def __iter__(self):
        for dp in self.datapipes:
            yield from dp

    def __len__(self) -> int:
        if all(isinstance(dp, Sized) for dp in self.datapipes):
            return sum(len(dp) for dp in self.datapipes)
        raise _no_len(self)


@functional_datapipe("zip")
class ZipperIterDataPipe(IterDataPipe):
    """Tuples of one item from each DataPipe, up to the shortest."""

    def __init__(self, *datapipes: IterDataPipe) -> None:
        if not all(isinstance(dp, IterDataPipe) for dp in datapipes):
            raise TypeError("All inputs are required to be `IterDataPipe` for "
                            "`ZipIterDataPipe`.")
        super().__init__()
        self.datapipes = datapipes

    def __iter__(self):
        iterators = [iter(dp) for dp in self.datapipes]
        yield from zip(*iterators)

    def __len__(self) -> int:
        if all(isinstance(dp, Sized) for dp in self.datapipes):
            return min(len(dp) for dp in self.datapipes)
        raise _no_len(self)


@functional_datapipe("collate")
class CollatorIterDataPipe(MapperIterDataPipe):
    """Applies ``collate_fn`` (default: ``default_collate``) to each item, usually a batch."""

    def __init__(self, datapipe: IterDataPipe, conversion: Any = None,
                 collate_fn: Callable[..., Any] | None = None) -> None:
        from .._utils.collate import default_collate
        if collate_fn is not None:
            fn = collate_fn
        elif conversion is None:
            fn = default_collate
        elif callable(conversion):
            fn = conversion
        else:
            raise NotImplementedError("conversion given as a dict of collate functions is not "
                                      "supported by ember")
        super().__init__(datapipe, fn=fn)


IterableWrapper = IterableWrapperIterDataPipe
Mapper = MapperIterDataPipe
Filter = FilterIterDataPipe
Batcher = BatcherIterDataPipe
UnBatcher = UnBatcherIterDataPipe
Shuffler = ShufflerIterDataPipe
ShardingFilter = ShardingFilterIterDataPipe
Concater = ConcaterIterDataPipe
Zipper = ZipperIterDataPipe
Collator = CollatorIterDataPipe
