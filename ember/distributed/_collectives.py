"""The collectives of ``ember.distributed``: each is one non-blocking MPI call on the group's
communicator, in place on the tensors' NumPy buffers, returning a ``Work`` (``async_op=True``) or
waiting for it (the watchdog bounds every wait). Data that is not reduced travels as bytes, so
every dtype works; reductions of float16/bfloat16 run in float32."""
from __future__ import annotations

import datetime
import pickle
import warnings
from typing import Any, Callable

import numpy as np

from .distributed_c10d import (Backend, ProcessGroup, ReduceOp, Work, _mpi, _pg, _state, _wait,
                               supports_complex)

__all__ = ["P2POp", "all_gather", "all_gather_into_tensor", "all_gather_object", "all_reduce",
           "all_to_all", "all_to_all_single", "barrier", "batch_isend_irecv", "broadcast",
           "broadcast_object_list", "gather", "gather_object", "irecv", "isend",
           "monitored_barrier", "recv", "recv_object_list", "reduce", "reduce_scatter",
           "reduce_scatter_tensor", "scatter", "scatter_object_list", "send", "send_object_list"]

_R = ReduceOp.RedOpType


def _tensor(t: Any, name: str = "tensor") -> Any:
    from .._tensor import Tensor
    if not isinstance(t, Tensor):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type "
                        f"torch.Tensor\n             but got {type(t)} instead.")
    return t


def _tensor_list(ts: Any, name: str) -> list[Any]:
    from .._tensor import Tensor
    if not isinstance(ts, list) or not all(isinstance(t, Tensor) for t in ts):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type "
                        f"List[torch.Tensor]\n             but got {type(ts)} instead.")
    return ts


def _member(pg: ProcessGroup, op_name: str) -> bool:
    if pg._comm is None:
        world = _state.default_pg
        me = world.rank() if world is not None else -1
        warnings.warn(f"Running {op_name} on global rank {me} which does not belong to the given "
                      "group.", stacklevel=3)
        return False
    return True


def _contig(t: Any, pg: ProcessGroup) -> tuple[np.ndarray, bool]:
    """The tensor's array as a contiguous buffer, and whether it must be copied back. MPI's
    ProcessGroup refuses non-contiguous tensors as torch's does; gloo copies them."""
    a = t._array
    if a.flags.c_contiguous:
        return a, False
    if pg._backend == Backend.MPI:
        raise RuntimeError("input tensor has to be contiguous")
    return np.ascontiguousarray(a), True


def _bytes(a: np.ndarray) -> Any:
    return [a.reshape(-1).view(np.uint8), _mpi().BYTE]


def _reducible(a: np.ndarray) -> np.ndarray:
    """An array MPI can reduce: float16/bfloat16 (and other types MPI lacks) in float32."""
    if a.dtype.kind in "biuc" or a.dtype in (np.float32, np.float64):
        return a.reshape(-1)
    return a.reshape(-1).astype(np.float32)


def _op(op: Any, a: np.ndarray, fname: str) -> Any:
    kind = op.op if isinstance(op, ReduceOp) else op
    if not isinstance(kind, ReduceOp.RedOpType):
        raise TypeError(f"{fname}(): op must be a torch.distributed.ReduceOp, got {op!r}")
    if kind == _R.PREMUL_SUM:
        raise RuntimeError("PREMUL_SUM is only supported by the NCCL backend")
    if a.dtype.kind == "c" and not supports_complex(kind):
        raise ValueError(f"{fname} does not support {kind} on complex tensors")
    if kind in (_R.BAND, _R.BOR, _R.BXOR) and a.dtype.kind not in "biu":
        raise RuntimeError(f"Cannot use ReduceOp.{kind.name} with non-integral dtype")
    MPI = _mpi()
    if a.dtype.kind == "b":
        return {_R.PRODUCT: MPI.LAND, _R.MIN: MPI.LAND, _R.BAND: MPI.LAND,
                _R.BXOR: MPI.LXOR}.get(kind, MPI.LOR)
    return {_R.SUM: MPI.SUM, _R.AVG: MPI.SUM, _R.PRODUCT: MPI.PROD, _R.MIN: MPI.MIN,
            _R.MAX: MPI.MAX, _R.BAND: MPI.BAND, _R.BOR: MPI.BOR, _R.BXOR: MPI.BXOR}[kind]


def _avg(op: Any, buf: np.ndarray, n: int) -> None:
    if (op.op if isinstance(op, ReduceOp) else op) == _R.AVG and buf.dtype.kind != "b":
        np.divide(buf, n, out=buf, casting="unsafe")


def _writer(pairs: list[tuple[Any, np.ndarray]]) -> Callable[[], None]:
    """Copies each result buffer into its tensor (when it is not the tensor's own memory) and
    bumps the tensor's version (the collective wrote into it)."""
    from .._tensor import bump_version

    def finish() -> None:
        for t, buf in pairs:
            a = t._array
            if not np.shares_memory(a, buf):
                np.copyto(a, buf.reshape(a.shape), casting="unsafe")
            bump_version(t)
    return finish


def _run(pg: ProcessGroup, reqs: list[Any], name: str, nin: int, nout: int,
         finish: Callable[[], None] | None, result: list[Any], async_op: bool) -> Work | None:
    work = Work(pg, reqs, name, nin, nout, finish, result)
    if async_op:
        return work
    work.wait()
    return None


def _root(pg: ProcessGroup, rank: int | None, group_rank: int | None, where: str,
          what: str = "root") -> int:
    """The group rank of a src/dst given as a global rank or as ``group_src``/``group_dst``."""
    if group_rank is not None:
        if rank is not None:
            raise ValueError(f"Can't specify both group_{what} ({group_rank}) and {what} "
                             f"({rank})")
        r = group_rank
    elif rank is None:
        r = 0
    elif pg is _state.default_pg:
        r = rank
    else:
        if rank not in pg._ranks:
            raise ValueError(f"Group {pg} does not contain rank {rank}")
        r = pg._ranks.index(rank)
    if not 0 <= r < pg.size():
        raise RuntimeError(f"{pg._where()}::{where}: invalid root rank: {r}")
    return r


# ------------------------------------------------------------------ reductions
def all_reduce(tensor: Any, op: Any = ReduceOp.SUM, group: ProcessGroup | None = None,
               async_op: bool = False) -> Work | None:
    """Reduces ``tensor`` across all ranks, in place on every rank (``op``: ``ReduceOp``;
    ``AVG`` sums, then divides by the group size)."""
    _tensor(tensor)
    pg = _pg(group)
    if not _member(pg, "all_reduce"):
        return None
    a, _ = _contig(tensor, pg)
    mop = _op(op, a, "all_reduce")
    buf = _reducible(a)
    req = pg._comm.Iallreduce(_mpi().IN_PLACE, buf, mop)
    write = _writer([(tensor, buf)])

    def finish() -> None:
        _avg(op, buf, pg.size())
        write()
    return _run(pg, [req], "ALLREDUCE", a.size, a.size, finish, [tensor], async_op)


def reduce(tensor: Any, dst: int | None = None, op: Any = ReduceOp.SUM,
           group: ProcessGroup | None = None, async_op: bool = False,
           group_dst: int | None = None) -> Work | None:
    """Reduces ``tensor`` across ranks into ``dst``'s tensor (the others keep theirs)."""
    _tensor(tensor)
    pg = _pg(group)
    if not _member(pg, "reduce"):
        return None
    root = _root(pg, dst, group_dst, "reduce", "dst")
    a, _ = _contig(tensor, pg)
    mop = _op(op, a, "reduce")
    buf = _reducible(a)
    mine = pg.rank() == root
    MPI = _mpi()
    req = pg._comm.Ireduce(MPI.IN_PLACE if mine else buf, buf if mine else None, mop, root)
    write = _writer([(tensor, buf)] if mine else [])

    def finish() -> None:
        if mine:
            _avg(op, buf, pg.size())
            write()
    return _run(pg, [req], "REDUCE", a.size, a.size, finish, [tensor], async_op)


def reduce_scatter_tensor(output: Any, input: Any, op: Any = ReduceOp.SUM,
                          group: ProcessGroup | None = None,
                          async_op: bool = False) -> Work | None:
    """Reduces ``input`` (``world_size`` chunks along dim 0) across ranks and gives rank i the
    i-th chunk in ``output``."""
    _tensor(output, "output")
    _tensor(input, "input")
    pg = _pg(group)
    if not _member(pg, "reduce_scatter_tensor"):
        return None
    if input.numel() != output.numel() * pg.size():
        raise ValueError("input tensor must be the same size as output size times world size")
    if input.dtype != output.dtype:
        raise TypeError("input tensor must be the same type as the output tensor.")
    ia, _ = _contig(input, pg)
    oa, _ = _contig(output, pg)
    mop = _op(op, ia, "reduce_scatter_tensor")
    src = _reducible(ia)
    out = _reducible(oa)
    req = pg._comm.Ireduce_scatter_block(src, out, mop)
    write = _writer([(output, out)])

    def finish() -> None:
        _avg(op, out, pg.size())
        write()
    return _run(pg, [req], "_REDUCE_SCATTER_BASE", ia.size, oa.size, finish, [output], async_op)


def reduce_scatter(output: Any, input_list: list[Any], op: Any = ReduceOp.SUM,
                   group: ProcessGroup | None = None, async_op: bool = False) -> Work | None:
    """Reduces the i-th tensor of every rank's ``input_list`` into rank i's ``output``."""
    _tensor(output, "output")
    _tensor_list(input_list, "input_list")
    pg = _pg(group)
    if not _member(pg, "reduce_scatter"):
        return None
    if len(input_list) != pg.size():
        raise ValueError(f"{pg._where()}::reduce_scatter: requires input/output tensor list "
                         f"size to be the same as the world size ({pg.size()})")
    for t in input_list:
        if t.shape != output.shape:
            raise ValueError(f"{pg._where()}::reduce_scatter: invalid tensor size "
                             f"(expected {tuple(output.shape)}, got {tuple(t.shape)})")
    from .. import cat
    flat = cat([t.reshape(-1) for t in input_list])
    return reduce_scatter_tensor(output, flat, op, group, async_op)


# ------------------------------------------------------------------ data movement
def broadcast(tensor: Any, src: int | None = None, group: ProcessGroup | None = None,
              async_op: bool = False, group_src: int | None = None) -> Work | None:
    """Copies ``src``'s tensor into every rank's ``tensor`` (same shape and dtype)."""
    _tensor(tensor)
    pg = _pg(group)
    if not _member(pg, "broadcast"):
        return None
    root = _root(pg, src, group_src, "broadcast", "src")
    a, _ = _contig(tensor, pg)
    req = pg._comm.Ibcast(_bytes(a), root)
    fin = _writer([(tensor, a)] if pg.rank() != root else [])
    return _run(pg, [req], "BROADCAST", a.size, a.size, fin, [tensor], async_op)


def _check_list(pg: ProcessGroup, ts: list[Any], t: Any, where: str) -> None:
    if len(ts) != pg.size():
        raise RuntimeError(f"{pg._where()}::{where}: invalid output tensor list at index 0 "
                           f"(expected length {pg.size()}, got {len(ts)})")
    for i, o in enumerate(ts):
        if o.dtype != t.dtype:
            raise RuntimeError(f"{pg._where()}::{where}: invalid tensor type at index {i} "
                               f"(expected {t.dtype}, got {o.dtype})")
        if o.shape != t.shape:
            raise RuntimeError(f"{pg._where()}::{where}: invalid tensor size at index {i} "
                               f"(expected ({', '.join(map(str, t.shape))}), got "
                               f"({', '.join(map(str, o.shape))}))")


def all_gather(tensor_list: list[Any], tensor: Any, group: ProcessGroup | None = None,
               async_op: bool = False) -> Work | None:
    """Fills ``tensor_list[i]`` with rank i's ``tensor`` on every rank."""
    _tensor_list(tensor_list, "tensor_list")
    _tensor(tensor)
    pg = _pg(group)
    if not _member(pg, "all_gather"):
        return None
    _check_list(pg, tensor_list, tensor, "allgather")
    a, _ = _contig(tensor, pg)
    recv = np.empty((pg.size(),) + a.shape, a.dtype)
    req = pg._comm.Iallgather(_bytes(a), _bytes(recv))
    fin = _writer(list(zip(tensor_list, recv)))
    return _run(pg, [req], "ALLGATHER", a.size, recv.size, fin, tensor_list, async_op)


def all_gather_into_tensor(output_tensor: Any, input_tensor: Any,
                           group: ProcessGroup | None = None,
                           async_op: bool = False) -> Work | None:
    """Gathers every rank's ``input_tensor`` into ``output_tensor`` (concatenated along dim 0,
    or stacked when ``output_tensor`` has one more leading dimension)."""
    _tensor(output_tensor, "output_tensor")
    _tensor(input_tensor, "input_tensor")
    pg = _pg(group)
    if not _member(pg, "all_gather_into_tensor"):
        return None
    if output_tensor.numel() != input_tensor.numel() * pg.size():
        raise ValueError("output tensor size must be equal to world_size times input tensor "
                         "size")
    if output_tensor.dtype != input_tensor.dtype:
        raise TypeError("output tensor must have the same type as input tensor")
    ia, _ = _contig(input_tensor, pg)
    oa, _ = _contig(output_tensor, pg)
    req = pg._comm.Iallgather(_bytes(ia), _bytes(oa))
    fin = _writer([(output_tensor, oa)])
    return _run(pg, [req], "_ALLGATHER_BASE", ia.size, oa.size, fin, [output_tensor], async_op)


def _root_holds_list(pg: ProcessGroup, root: int, lst: Any, name: str, side: str) -> bool:
    """Whether this rank is ``root``; torch's errors unless exactly the root passes ``lst``."""
    mine = pg.rank() == root
    if mine and not lst:
        raise ValueError(f"Argument ``{name}`` must be specified on {side} rank.")
    if not mine and lst:
        raise ValueError(f"Argument ``{name}`` must NOT be specified on non-{side} ranks.")
    return mine


def gather(tensor: Any, gather_list: list[Any] | None = None, dst: int | None = None,
           group: ProcessGroup | None = None, async_op: bool = False,
           group_dst: int | None = None) -> Work | None:
    """Gathers every rank's ``tensor`` into ``gather_list`` on ``dst``."""
    _tensor(tensor)
    pg = _pg(group)
    if not _member(pg, "gather"):
        return None
    root = _root(pg, dst, group_dst, "gather", "dst")
    mine = _root_holds_list(pg, root, gather_list, "gather_list", "destination")
    a, _ = _contig(tensor, pg)
    recv = np.empty((pg.size(),) + a.shape if mine else (0,), a.dtype)
    outs = _tensor_list(gather_list, "gather_list") if mine else []
    if mine:
        _check_list(pg, outs, tensor, "gather")
    req = pg._comm.Igather(_bytes(a), _bytes(recv) if mine else None, root)
    fin = _writer(list(zip(outs, recv)))
    return _run(pg, [req], "GATHER", a.size, a.size * pg.size(), fin, outs, async_op)


def scatter(tensor: Any, scatter_list: list[Any] | None = None, src: int | None = None,
            group: ProcessGroup | None = None, async_op: bool = False,
            group_src: int | None = None) -> Work | None:
    """Sends ``scatter_list[i]`` of ``src`` to rank i's ``tensor``."""
    _tensor(tensor)
    pg = _pg(group)
    if not _member(pg, "scatter"):
        return None
    root = _root(pg, src, group_src, "scatter", "src")
    mine = _root_holds_list(pg, root, scatter_list, "scatter_list", "source")
    a, _ = _contig(tensor, pg)
    send = np.empty(0, a.dtype)
    if mine:
        ins = _tensor_list(scatter_list, "scatter_list")
        _check_list(pg, ins, tensor, "scatter")
        send = np.stack([t._array for t in ins])
    req = pg._comm.Iscatter(_bytes(send) if mine else None, _bytes(a), root)
    return _run(pg, [req], "SCATTER", a.size, a.size, _writer([(tensor, a)]), [tensor],
                async_op)


def _alltoallv(pg: ProcessGroup, send: np.ndarray, scounts: list[int], recv: np.ndarray,
               rcounts: list[int]) -> Any:
    def displ(c: list[int]) -> list[int]:
        return [int(x) for x in np.concatenate([[0], np.cumsum(c)[:-1]])]
    B = _mpi().BYTE
    return pg._comm.Ialltoallv([send.reshape(-1).view(np.uint8), (scounts, displ(scounts)), B],
                               [recv.reshape(-1).view(np.uint8), (rcounts, displ(rcounts)), B])


def all_to_all(output_tensor_list: list[Any], input_tensor_list: list[Any],
               group: ProcessGroup | None = None, async_op: bool = False) -> Work | None:
    """Rank i sends ``input_tensor_list[j]`` to rank j's ``output_tensor_list[i]``."""
    _tensor_list(output_tensor_list, "output_tensor_list")
    _tensor_list(input_tensor_list, "input_tensor_list")
    pg = _pg(group)
    if not _member(pg, "all_to_all"):
        return None
    send = np.concatenate([t._array.reshape(-1).view(np.uint8) for t in input_tensor_list])
    rc = [t._array.nbytes for t in output_tensor_list]
    recv = np.empty(sum(rc), np.uint8)
    req = _alltoallv(pg, send, [t._array.nbytes for t in input_tensor_list], recv, rc)
    offs = np.concatenate([[0], np.cumsum(rc)]).astype(int)
    pairs = [(t, recv[offs[i]:offs[i + 1]].view(t._array.dtype))
             for i, t in enumerate(output_tensor_list)]
    return _run(pg, [req], "ALLTOALL", send.size, recv.size, _writer(pairs), output_tensor_list,
                async_op)


def all_to_all_single(output: Any, input: Any, output_split_sizes: list[int] | None = None,
                      input_split_sizes: list[int] | None = None,
                      group: ProcessGroup | None = None, async_op: bool = False) -> Work | None:
    """Splits ``input`` along dim 0 (evenly, or by ``input_split_sizes``), sends split j to
    rank j, and concatenates what arrives into ``output``."""
    _tensor(output, "output")
    _tensor(input, "input")
    pg = _pg(group)
    if not _member(pg, "all_to_all_single"):
        return None
    ia, _ = _contig(input, pg)
    oa, _ = _contig(output, pg)
    n = pg.size()

    def counts(a: np.ndarray, splits: list[int] | None) -> list[int]:
        row = a.nbytes // max(a.shape[0], 1) if a.ndim else a.nbytes
        if not splits:
            if a.shape[0] % n:
                raise ValueError(f"Tensor's dim 0 does not divide equally across group size "
                                 f"{n}")
            return [a.nbytes // n] * n
        return [int(s) * row for s in splits]
    req = _alltoallv(pg, ia, counts(ia, input_split_sizes), oa, counts(oa, output_split_sizes))
    return _run(pg, [req], "ALLTOALL_BASE", ia.size, oa.size, _writer([(output, oa)]),
                [output], async_op)


def barrier(group: ProcessGroup | None = None, async_op: bool = False, device_ids: Any = None,
            timeout: datetime.timedelta | None = None) -> Work | None:
    """Waits until every rank of the group reaches it."""
    pg = _pg(group)
    if not _member(pg, "barrier"):
        return None
    work = Work(pg, [pg._comm.Ibarrier()], "BARRIER", 0, 0)
    if async_op:
        return work
    work.wait(timeout)
    return None


def monitored_barrier(group: ProcessGroup | None = None, timeout: Any = None,
                      wait_all_ranks: bool = False) -> None:
    """A barrier with its own timeout (past it: the watchdog message and an abort)."""
    barrier(group, timeout=timeout)


# ------------------------------------------------------------------ point to point
def _peer(pg: ProcessGroup, rank: int | None, group_rank: int | None, what: str) -> int:
    if group_rank is None and rank is None:
        raise ValueError(f"Must specify either {what} or group_{what}")
    peer = _root(pg, rank, group_rank, what)
    if peer == pg.rank():
        side = "destination" if what == "dst" else "source"
        raise ValueError(f"Invalid {side} rank: {side} rank should not be the same as the rank "
                         "of the current process.")
    return peer


def isend(tensor: Any, dst: int | None = None, group: ProcessGroup | None = None, tag: int = 0,
          group_dst: int | None = None) -> Work | None:
    """Starts sending ``tensor`` to ``dst``; returns the ``Work`` to wait on."""
    _tensor(tensor)
    pg = _pg(group)
    if not _member(pg, "isend"):
        return None
    peer = _peer(pg, dst, group_dst, "dst")
    a, _ = _contig(tensor, pg)
    a = a.copy() if not a.flags.c_contiguous else a
    return Work(pg, [pg._comm.Isend(_bytes(a), peer, tag)], "SEND", a.size, a.size)


def irecv(tensor: Any, src: int | None = None, group: ProcessGroup | None = None, tag: int = 0,
          group_src: int | None = None) -> Work | None:
    """Starts receiving into ``tensor`` from ``src`` (any rank when None)."""
    _tensor(tensor)
    pg = _pg(group)
    if not _member(pg, "irecv"):
        return None
    MPI = _mpi()
    peer = MPI.ANY_SOURCE if src is None and group_src is None else _peer(pg, src, group_src,
                                                                          "src")
    a, _ = _contig(tensor, pg)
    status = MPI.Status()
    req = pg._comm.Irecv(_bytes(a), peer, tag)
    work = Work(pg, [req], "RECV", a.size, a.size)
    work._statuses = [status]
    write = _writer([(tensor, a)])

    def finish() -> None:
        write()
        work._source = pg._ranks[status.Get_source()] if peer == MPI.ANY_SOURCE else \
            pg._ranks[peer]
    work._finish = finish
    return work


def send(tensor: Any, dst: int | None = None, group: ProcessGroup | None = None, tag: int = 0,
         group_dst: int | None = None) -> None:
    """Sends ``tensor`` to ``dst`` and waits until it is sent."""
    work = isend(tensor, dst, group, tag, group_dst)
    if work is not None:
        work.wait()


def recv(tensor: Any, src: int | None = None, group: ProcessGroup | None = None, tag: int = 0,
         group_src: int | None = None) -> int:
    """Receives into ``tensor`` from ``src`` (any rank when None); returns the sender's rank."""
    got = irecv(tensor, src, group, tag, group_src)
    if got is None:
        return -1
    got.wait()
    return got.source_rank()


class P2POp:
    """One send or receive for ``batch_isend_irecv``: ``P2POp(dist.isend, tensor, peer)``."""

    def __init__(self, op: Callable[..., Any], tensor: Any, peer: int | None = None,
                 group: ProcessGroup | None = None, tag: int = 0,
                 group_peer: int | None = None) -> None:
        if op not in (isend, irecv):
            raise ValueError("Invalid ``op``. Expected ``op`` to be of type ``torch.distributed."
                             "isend`` or ``torch.distributed.irecv``.")
        self.op, self.tensor, self.peer = op, tensor, peer
        self.group, self.tag, self.group_peer = group, tag, group_peer


def batch_isend_irecv(p2p_op_list: list[P2POp]) -> list[Work]:
    """Starts every send/receive of the list; returns their ``Work`` handles."""
    works = [p.op(p.tensor, p.peer, p.group, p.tag, p.group_peer) for p in p2p_op_list]
    return [w for w in works if w is not None]


# ------------------------------------------------------------------ Python objects
def _pickle(obj: Any) -> np.ndarray:
    return np.frombuffer(pickle.dumps(obj), np.uint8)


def _sync(pg: ProcessGroup, req: Any, name: str, n: int) -> None:
    _wait([req], Work(pg, [req], name, n, n))


def _gatherv(pg: ProcessGroup, data: np.ndarray, root: int | None) -> list[Any] | None:
    """Every rank's bytes (pickled objects), at ``root`` (or everywhere when None)."""
    n = pg.size()
    sizes = np.zeros(n, np.int64)
    mine = np.array([data.size], np.int64)
    comm = pg._comm
    if root is None:
        _sync(pg, comm.Iallgather(mine, sizes), "ALLGATHER", 1)
    else:
        _sync(pg, comm.Igather(mine, sizes if pg.rank() == root else None, root), "GATHER", 1)
    if root is not None and pg.rank() != root:
        _sync(pg, comm.Igatherv(data, None, root), "GATHER", data.size)
        return None
    buf = np.empty(int(sizes.sum()), np.uint8)
    offs = [0] + [int(x) for x in np.cumsum(sizes)[:-1]]
    spec = [buf, ([int(s) for s in sizes], offs), _mpi().BYTE]
    if root is None:
        _sync(pg, comm.Iallgatherv(data, spec), "ALLGATHER", data.size)
    else:
        _sync(pg, comm.Igatherv(data, spec, root), "GATHER", data.size)
    return [pickle.loads(buf[o:o + int(s)].tobytes()) for o, s in zip(offs, sizes)]


def all_gather_object(object_list: list[Any], obj: Any,
                      group: ProcessGroup | None = None) -> None:
    """Fills ``object_list[i]`` with rank i's ``obj`` (pickled through MPI) on every rank."""
    pg = _pg(group)
    if not _member(pg, "all_gather_object"):
        return
    objs = _gatherv(pg, _pickle(obj), None)
    for i, o in enumerate(objs or []):
        object_list[i] = o


def gather_object(obj: Any, object_gather_list: list[Any] | None = None, dst: int | None = None,
                  group: ProcessGroup | None = None, group_dst: int | None = None) -> None:
    """Fills ``object_gather_list`` on ``dst`` with every rank's ``obj``."""
    pg = _pg(group)
    if not _member(pg, "gather_object"):
        return
    root = _root(pg, dst, group_dst, "gather", "dst")
    objs = _gatherv(pg, _pickle(obj), root)
    if objs is not None:
        if object_gather_list is None:
            raise ValueError("Argument ``object_gather_list`` must be specified on destination "
                             "rank.")
        for i, o in enumerate(objs):
            object_gather_list[i] = o


def broadcast_object_list(object_list: list[Any], src: int | None = None,
                          group: ProcessGroup | None = None, device: Any = None,
                          group_src: int | None = None) -> None:
    """Replaces ``object_list``'s items on every rank by ``src``'s (pickled through MPI)."""
    pg = _pg(group)
    if not _member(pg, "broadcast_object_list"):
        return
    root = _root(pg, src, group_src, "broadcast", "src")
    mine = pg.rank() == root
    data = _pickle(list(object_list)) if mine else np.empty(0, np.uint8)
    size = np.array([data.size], np.int64)
    _sync(pg, pg._comm.Ibcast(size, root), "BROADCAST", 1)
    if not mine:
        data = np.empty(int(size[0]), np.uint8)
    _sync(pg, pg._comm.Ibcast(data, root), "BROADCAST", data.size)
    if not mine:
        object_list[:] = pickle.loads(data.tobytes())[:len(object_list)]


def scatter_object_list(scatter_object_output_list: list[Any],
                        scatter_object_input_list: list[Any] | None = None,
                        src: int | None = None, group: ProcessGroup | None = None,
                        group_src: int | None = None) -> None:
    """Puts ``src``'s ``scatter_object_input_list[i]`` into rank i's
    ``scatter_object_output_list[0]``."""
    pg = _pg(group)
    if not _member(pg, "scatter_object_list"):
        return
    holder = [list(scatter_object_input_list or [])]
    broadcast_object_list(holder, src, group, group_src=group_src)
    scatter_object_output_list[0] = holder[0][pg.rank()]


def send_object_list(object_list: list[Any], dst: int | None = None,
                     group: ProcessGroup | None = None, device: Any = None,
                     group_dst: int | None = None, use_batch: bool = False) -> None:
    """Sends the objects of ``object_list`` (pickled) to ``dst``."""
    pg = _pg(group)
    if not _member(pg, "send_object_list"):
        return
    peer = _peer(pg, dst, group_dst, "dst")
    data = _pickle(list(object_list))
    _sync(pg, pg._comm.Isend(np.array([data.size], np.int64), peer, 77), "SEND", 1)
    _sync(pg, pg._comm.Isend(data, peer, 78), "SEND", data.size)


def recv_object_list(object_list: list[Any], src: int | None = None,
                     group: ProcessGroup | None = None, device: Any = None,
                     group_src: int | None = None, use_batch: bool = False) -> int:
    """Receives objects sent by ``send_object_list`` into ``object_list``; returns the sender."""
    pg = _pg(group)
    if not _member(pg, "recv_object_list"):
        return -1
    peer = _peer(pg, src, group_src, "src")
    size = np.zeros(1, np.int64)
    _sync(pg, pg._comm.Irecv(size, peer, 77), "RECV", 1)
    data = np.empty(int(size[0]), np.uint8)
    _sync(pg, pg._comm.Irecv(data, peer, 78), "RECV", data.size)
    object_list[:] = pickle.loads(data.tobytes())[:len(object_list)]
    return pg._ranks[peer]
