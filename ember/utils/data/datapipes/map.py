"""The common MapDataPipes and their functional forms, as torch.utils.data.datapipes.map:
``SequenceWrapper``, ``map``, ``batch``, ``concat``, ``zip`` (not ``shuffle``)."""
from __future__ import annotations

import copy
import warnings
from typing import Any, Callable

from ._decorator import functional_datapipe
from .datapipe import DataChunk, MapDataPipe
from .iter import _apply_fn, _checked_pipes

__all__ = ["Batcher", "Concater", "Mapper", "SequenceWrapper", "Zipper"]


class SequenceWrapperMapDataPipe(MapDataPipe):
    """A MapDataPipe over a sequence (deep-copied once when ``deepcopy``)."""

    def __init__(self, sequence: Any, deepcopy: bool = True) -> None:
        if deepcopy:
            try:
                self.sequence = copy.deepcopy(sequence)
            except TypeError:
                warnings.warn("The input sequence can not be deepcopied, please be aware of "
                              "in-place modification would affect source data", stacklevel=2)
                self.sequence = sequence
        else:
            self.sequence = sequence

    def __getitem__(self, index: Any) -> Any:
        return self.sequence[index]

    def __len__(self) -> int:
        return len(self.sequence)


@functional_datapipe("map")
class MapperMapDataPipe(MapDataPipe):
    """``fn`` applied to each item on access."""

    def __init__(self, datapipe: MapDataPipe, fn: Callable[..., Any]) -> None:
        super().__init__()
        self.datapipe, self.fn = datapipe, fn

    def __len__(self) -> int:
        return len(self.datapipe)

    def __getitem__(self, index: Any) -> Any:
        return _apply_fn(self.fn, self.datapipe[index], None, None)


@functional_datapipe("batch")
class BatcherMapDataPipe(MapDataPipe):
    """Batches of ``batch_size`` consecutive items (``DataChunk``)."""

    def __init__(self, datapipe: MapDataPipe, batch_size: int, drop_last: bool = False,
                 wrapper_class: Any = DataChunk) -> None:
        if batch_size <= 0:
            raise AssertionError("Batch size is required to be larger than 0!")
        super().__init__()
        self.datapipe, self.batch_size = datapipe, batch_size
        self.drop_last, self.wrapper_class = drop_last, wrapper_class

    def __getitem__(self, index: int) -> Any:
        batch: list[Any] = []
        indices = range(index * self.batch_size, (index + 1) * self.batch_size)
        try:
            for i in indices:
                batch.append(self.datapipe[i])
            return self.wrapper_class(batch)
        except IndexError as e:
            if not self.drop_last and len(batch) > 0:
                return self.wrapper_class(batch)
            raise IndexError(f"Index {index} is out of bound.") from e

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.datapipe) // self.batch_size
        return (len(self.datapipe) + self.batch_size - 1) // self.batch_size


@functional_datapipe("concat")
class ConcaterMapDataPipe(MapDataPipe):
    """The items of each MapDataPipe, indexed one after the other."""

    def __init__(self, *datapipes: MapDataPipe) -> None:
        self.datapipes = _checked_pipes(datapipes, MapDataPipe)

    def __getitem__(self, index: int) -> Any:
        offset = 0
        for dp in self.datapipes:
            if index - offset < len(dp):
                return dp[index - offset]
            offset += len(dp)
        raise IndexError(f"Index {index} is out of range.")

    def __len__(self) -> int:
        return sum(len(dp) for dp in self.datapipes)


@functional_datapipe("zip")
class ZipperMapDataPipe(MapDataPipe):
    """Tuples of the items at one index of each MapDataPipe, up to the shortest."""

    def __init__(self, *datapipes: MapDataPipe) -> None:
        self.datapipes = _checked_pipes(datapipes, MapDataPipe)

    def __getitem__(self, index: int) -> tuple[Any, ...]:
        res = []
        for dp in self.datapipes:
            try:
                res.append(dp[index])
            except IndexError as e:
                raise IndexError(f"Index {index} is out of range for one of the input "
                                 f"MapDataPipes {dp}.") from e
        return tuple(res)

    def __len__(self) -> int:
        return min(len(dp) for dp in self.datapipes)


SequenceWrapper = SequenceWrapperMapDataPipe
Mapper = MapperMapDataPipe
Batcher = BatcherMapDataPipe
Concater = ConcaterMapDataPipe
Zipper = ZipperMapDataPipe
