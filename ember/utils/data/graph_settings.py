"""Settings applied across a DataPipe graph (``apply_sharding``, ``apply_shuffle_settings``,
``apply_random_seed``), as torch.utils.data.graph_settings; ``traverse_dps`` finds the graph
through the DataPipes each DataPipe holds (attributes, and lists/tuples/dicts of them)."""
from __future__ import annotations

import inspect
import warnings
from typing import Any

from .datapipes.datapipe import IterDataPipe, MapDataPipe
from .datapipes.iter import SHARDING_PRIORITIES

__all__ = ["apply_random_seed", "apply_sharding", "apply_shuffle_settings",
           "get_all_graph_pipes", "traverse_dps"]


def _children(dp: Any) -> list[Any]:
    out: list[Any] = []

    def visit(v: Any) -> None:
        if isinstance(v, (IterDataPipe, MapDataPipe)):
            out.append(v)
        elif isinstance(v, (list, tuple, set)):
            for x in v:
                visit(x)
        elif isinstance(v, dict):
            for x in v.values():
                visit(x)
    for v in getattr(dp, "__dict__", {}).values():
        visit(v)
    return out


def traverse_dps(datapipe: Any) -> dict[int, tuple[Any, Any]]:
    """The graph under ``datapipe``: ``{id(dp): (dp, sub_graph)}``."""
    return _traverse(datapipe, set())


def _traverse(dp: Any, seen: set[int]) -> dict[int, tuple[Any, Any]]:
    if id(dp) in seen:
        return {id(dp): (dp, {})}
    seen = seen | {id(dp)}
    sub: dict[int, tuple[Any, Any]] = {}
    for child in _children(dp):
        sub.update(_traverse(child, seen))
    return {id(dp): (dp, sub)}


def get_all_graph_pipes(graph: dict[int, tuple[Any, Any]]) -> list[Any]:
    """Every DataPipe of a graph, once each, parents first."""
    return _all_pipes(graph, set())


def _all_pipes(graph: dict[int, tuple[Any, Any]], cache: set[int]) -> list[Any]:
    out: list[Any] = []
    for dp_id, (dp, sub) in graph.items():
        if dp_id in cache:
            continue
        cache.add(dp_id)
        out.append(dp)
        out.extend(_all_pipes(sub, cache))
    return out


def _is_sharding_datapipe(dp: Any) -> bool:
    return hasattr(dp, "apply_sharding") and inspect.ismethod(dp.apply_sharding)


def apply_sharding(datapipe: Any, num_of_instances: int, instance_id: int,
                   sharding_group: Any = SHARDING_PRIORITIES.DEFAULT) -> Any:
    """Shard the graph at its sharding DataPipes (one per path, RuntimeError for two)."""
    def helper(graph: dict[int, tuple[Any, Any]], prev: Any = None) -> None:
        for dp, sub in graph.values():
            applied = None
            if _is_sharding_datapipe(dp):
                if prev is not None:
                    raise RuntimeError(
                        "Sharding twice on a single pipeline is likely unintended and will "
                        f"cause data loss. Sharding already applied to {prev} while trying to "
                        f"apply to {dp}")
                if len(inspect.signature(dp.apply_sharding).parameters) < 3:
                    dp.apply_sharding(num_of_instances, instance_id)
                else:
                    dp.apply_sharding(num_of_instances, instance_id,
                                      sharding_group=sharding_group)
                applied = dp
            helper(sub, applied if applied is not None else prev)
    helper(traverse_dps(datapipe))
    return datapipe


def _is_shuffle_datapipe(dp: Any) -> bool:
    return (hasattr(dp, "set_shuffle") and hasattr(dp, "set_seed")
            and inspect.ismethod(dp.set_shuffle) and inspect.ismethod(dp.set_seed))


def apply_shuffle_settings(datapipe: Any, shuffle: bool | None = None) -> Any:
    """Switch every shuffling DataPipe of the graph on or off (``shuffle=True`` without one
    appends ``.shuffle()``, with torch's warning)."""
    if shuffle is None:
        return datapipe
    shufflers = [p for p in get_all_graph_pipes(traverse_dps(datapipe))
                 if _is_shuffle_datapipe(p)]
    if not shufflers and shuffle:
        warnings.warn("`shuffle=True` was set, but the datapipe does not contain a `Shuffler`. "
                      "Adding one at the end. Be aware that the default buffer size might not "
                      "be sufficient for your task.", stacklevel=2)
        datapipe = datapipe.shuffle()
        shufflers = [datapipe]
    for s in shufflers:
        s.set_shuffle(shuffle)
    return datapipe


def apply_random_seed(datapipe: Any, rng: Any) -> Any:
    """Seed every random DataPipe of the graph (those with ``set_seed``) from generator
    ``rng``, one int64 draw each in graph order, as torch."""
    import ember
    pipes, cache = [], set()
    for p in get_all_graph_pipes(traverse_dps(datapipe)):
        if id(p) not in cache and hasattr(p, "set_seed") and inspect.ismethod(p.set_seed):
            pipes.append(p)
            cache.add(id(p))
    for p in pipes:
        p.set_seed(int(ember.empty((), dtype=ember.int64).random_(generator=rng).item()))
    return datapipe
