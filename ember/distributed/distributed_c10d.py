"""``torch.distributed``'s process-group API on MPI (mpi4py).

Every collective is a non-blocking MPI call on ember's own communicator (``COMM_WORLD.Dup()``);
waiting polls ``Test`` against the group's timeout and, past it, prints PyTorch's watchdog
message and aborts the whole job (``MPI_Abort``), so a stuck or dead rank never hangs the others.
Tensors are reduced in place in their NumPy buffers. ``mpi4py`` is imported by
``init_process_group`` only (``import ember`` never loads it)."""
from __future__ import annotations

import datetime
import enum
from datetime import timedelta
import os
import sys
import time
import warnings
from typing import Any, Callable


__all__ = ["Backend", "ReduceOp", "ProcessGroup", "Work", "GroupMember", "group", "P2POp",
           "DistError", "DistBackendError", "DistNetworkError", "DistStoreError",
           "QueueEmptyError", "default_pg_timeout", "timedelta", "supports_complex",
           "get_pg_count",
           "init_process_group", "destroy_process_group", "is_available", "is_initialized",
           "is_mpi_available", "is_gloo_available", "is_nccl_available", "is_ucc_available",
           "is_xccl_available", "is_backend_available", "is_torchelastic_launched",
           "get_rank", "get_world_size", "get_backend", "get_default_backend_for_device",
           "get_process_group_ranks", "get_group_rank", "get_global_rank", "get_node_local_rank",
           "new_group", "barrier", "monitored_barrier", "all_reduce", "reduce", "broadcast",
           "all_gather", "all_gather_into_tensor", "reduce_scatter_tensor", "reduce_scatter",
           "gather", "scatter", "all_to_all", "all_to_all_single", "send", "recv", "isend",
           "irecv", "batch_isend_irecv", "all_gather_object", "broadcast_object_list",
           "gather_object", "scatter_object_list", "send_object_list", "recv_object_list"]

default_pg_timeout = datetime.timedelta(minutes=30)
_NOT_INIT = ("Default process group has not been initialized, please make sure to call "
             "init_process_group.")


class DistError(RuntimeError):
    """Base class of ``torch.distributed``'s errors."""


class DistBackendError(DistError):
    """An error in the communication backend."""


class DistNetworkError(DistError):
    """A network error (``torch.distributed.DistNetworkError``)."""


class DistStoreError(DistError):
    """A key-value store error (``torch.distributed.DistStoreError``)."""


class QueueEmptyError(DistError):
    """An empty queue (``torch.distributed.QueueEmptyError``)."""


class Backend(str):
    """A backend name (``torch.distributed.Backend``): a lower-case string; ``Backend.GLOO``,
    ``Backend.MPI``, ``Backend.NCCL`` ... are its constants. ember runs ``mpi`` and ``gloo``
    (on MPI too)."""

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    UCC = "ucc"
    MPI = "mpi"
    XCCL = "xccl"
    backend_list = [UNDEFINED, GLOO, NCCL, XCCL, UCC, MPI]
    default_device_backend_map = {"cpu": GLOO, "cuda": NCCL, "xpu": XCCL, "mps": GLOO}

    def __new__(cls, name: str) -> Backend:
        if not isinstance(name, str):
            raise ValueError("Backend constructor parameter must be string-ish")
        value = getattr(Backend, name.upper(), Backend.UNDEFINED)
        if value == Backend.UNDEFINED:
            value = name.lower()
        return str.__new__(cls, value)


class ReduceOp:
    """The reduction of a collective (``torch.distributed.ReduceOp``): ``SUM``, ``AVG``,
    ``PRODUCT``, ``MIN``, ``MAX``, ``BAND``, ``BOR``, ``BXOR`` (``PREMUL_SUM`` is NCCL's)."""

    class RedOpType(enum.Enum):
        """The reduction kinds (``ReduceOp.RedOpType``)."""
        SUM = 0
        AVG = 1
        PRODUCT = 2
        MIN = 3
        MAX = 4
        BAND = 5
        BOR = 6
        BXOR = 7
        PREMUL_SUM = 8

    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR
    PREMUL_SUM = RedOpType.PREMUL_SUM

    def __init__(self, op: Any = RedOpType.SUM) -> None:
        self.op: ReduceOp.RedOpType = op.op if isinstance(op, ReduceOp) else ReduceOp.RedOpType(op)

    def __eq__(self, other: object) -> bool:
        other = other.op if isinstance(other, ReduceOp) else other
        return self.op == other

    def __hash__(self) -> int:
        return hash(self.op)

    def __repr__(self) -> str:
        return f"<ReduceOp {self.op.name}>"


class _WorldMeta(type):
    @property
    def WORLD(cls) -> ProcessGroup | None:  # noqa: N802 (torch's name)
        """The default process group (None before ``init_process_group``)."""
        return _state.default_pg


class GroupMember(metaclass=_WorldMeta):
    """``GroupMember.WORLD`` (the default group) and ``NON_GROUP_MEMBER``."""
    NON_GROUP_MEMBER = -100


class group(metaclass=_WorldMeta):  # noqa: N801 (torch's name)
    """``group.WORLD``: the default process group."""


class _State:
    def __init__(self) -> None:
        self.default_pg: ProcessGroup | None = None
        self.groups: list[ProcessGroup] = []
        self.seq = 0
        self.prev_hook: Callable[..., Any] | None = None


_state = _State()


def _mpi() -> Any:
    from mpi4py import MPI
    return MPI


class ProcessGroup:
    """A group of ranks sharing one MPI communicator (``torch.distributed.ProcessGroup``).
    ``rank()``/``size()`` are this process's rank in the group and the group's size."""

    def __init__(self, comm: Any, ranks: list[int], backend: str,
                 timeout: datetime.timedelta, name: str = "") -> None:
        self._comm = comm
        self._ranks = ranks
        self._backend = Backend(backend)
        self._timeout = timeout
        self.group_name = name

    def rank(self) -> int:
        """This process's rank in the group (-1 when not a member)."""
        return self._comm.Get_rank() if self._comm is not None else -1

    def size(self) -> int:
        """The number of ranks in the group."""
        return len(self._ranks)

    def name(self) -> str:
        """The backend's name (``ProcessGroup.name()``)."""
        return "gloo" if self._backend == Backend.GLOO else "mpi"

    def set_timeout(self, timeout: datetime.timedelta) -> None:
        """Sets the collectives' timeout of this group."""
        self._timeout = timeout

    def _where(self) -> str:
        return "ProcessGroupGloo" if self._backend == Backend.GLOO else "ProcessGroupMPI"


class Work:
    """A pending collective (``torch.distributed.Work``), returned with ``async_op=True``.
    ``wait()`` blocks until it finishes (the watchdog aborts the job past the timeout);
    ``is_completed()`` tests without blocking (and drives MPI's progress)."""

    def __init__(self, pg: ProcessGroup, reqs: list[Any], op: str, numel_in: int,
                 numel_out: int, finish: Callable[[], Any] | None = None,
                 result: list[Any] | None = None) -> None:
        _state.seq += 1
        self._pg, self._reqs, self._op = pg, reqs, op
        self._numel = (numel_in, numel_out)
        self._finish, self._result, self._done = finish, result or [], False
        self._seq = _state.seq
        self._source = -1
        self._statuses: list[Any] | None = None
        self._start = time.monotonic()

    def _complete(self) -> None:
        self._done = True
        self._reqs = []
        if self._finish is not None:
            fin, self._finish = self._finish, None
            fin()

    def is_completed(self) -> bool:
        """Whether the operation has finished (a non-blocking ``MPI_Testall``)."""
        if not self._done and (not self._reqs or
                               _mpi().Request.Testall(self._reqs, self._statuses)):
            self._complete()
        return self._done

    def is_success(self) -> bool:
        """Whether it finished without error (errors abort the job, so: finished)."""
        return self.is_completed()

    def wait(self, timeout: datetime.timedelta | None = None) -> bool:
        """Blocks until the operation finishes; returns True. Past the timeout (the group's
        unless given) the watchdog prints which operation timed out and aborts the job."""
        if not self._done:
            _wait(self._reqs, self, timeout)
            self._complete()
        return True

    synchronize = wait

    def result(self) -> list[Any]:
        """The operation's output tensors."""
        self.wait()
        return list(self._result)

    def exception(self) -> None:
        """None: a failed operation aborts the job."""
        return None

    def source_rank(self) -> int:
        """The sender of a completed ``recv``."""
        self.wait()
        return self._source

    def _describe(self) -> str:
        return (f"WorkMPI(SeqNum={self._seq}, OpType={self._op}, NumelIn={self._numel[0]}, "
                f"NumelOut={self._numel[1]}, Timeout(ms)={_ms(self._pg._timeout)})")


def _ms(td: datetime.timedelta) -> int:
    return int(td.total_seconds() * 1000)


def supports_complex(reduceOp: Any) -> bool:  # noqa: N803 (torch's name)
    """Whether a reduction is defined on complex tensors (not MAX/MIN/PRODUCT/bitwise)."""
    kind = reduceOp.op if isinstance(reduceOp, ReduceOp) else reduceOp
    R = ReduceOp.RedOpType
    return kind not in (R.MAX, R.MIN, R.PRODUCT, R.BAND, R.BOR, R.BXOR)


def get_pg_count() -> int:
    """The number of process groups created (the default one included)."""
    return len(_state.groups)


def _wait(reqs: list[Any], work: Work, timeout: datetime.timedelta | None = None) -> None:
    """Polls ``Testall`` until done; past the timeout: the watchdog message, then MPI_Abort."""
    if not reqs:
        return
    test = _mpi().Request.Testall
    st = work._statuses

    def testall(reqs: list[Any]) -> bool:
        return bool(test(reqs, st))
    if testall(reqs):
        return
    limit = (timeout or work._pg._timeout).total_seconds()
    start = work._start
    spins = 0
    while not testall(reqs):
        spins += 1
        if spins > 200:
            time.sleep(5e-5 if spins < 2000 else 5e-4)
            if spins & 63 == 0 and time.monotonic() - start > limit:
                _watchdog(work, time.monotonic() - start)


def _watchdog(work: Work, elapsed: float) -> None:
    MPI = _mpi()
    rank = MPI.COMM_WORLD.Get_rank()
    sys.stdout.flush()
    sys.stderr.write(f"[Rank {rank}] Watchdog caught collective operation timeout: "
                     f"{work._describe()} ran for {int(elapsed * 1000)} milliseconds before "
                     "timing out.\n")
    sys.stderr.flush()
    MPI.COMM_WORLD.Abort(1)


# ------------------------------------------------------------------ initialisation
def is_available() -> bool:
    """True: ember's distributed package is always importable (MPI comes with
    ``init_process_group``; see ``is_mpi_available``)."""
    return True


def is_mpi_available() -> bool:
    """Whether mpi4py (and an MPI library for it) can be imported."""
    import importlib.util
    return importlib.util.find_spec("mpi4py") is not None


def is_gloo_available() -> bool:
    """``backend="gloo"`` runs on MPI in ember: available when MPI is."""
    return is_mpi_available()


def is_nccl_available() -> bool:
    """False: no GPUs."""
    return False


def is_ucc_available() -> bool:
    """False."""
    return False


def is_xccl_available() -> bool:
    """False."""
    return False


def is_backend_available(backend: str) -> bool:
    """Whether ``backend`` can be used here (``mpi`` and ``gloo`` when mpi4py is installed)."""
    return Backend(backend) in (Backend.MPI, Backend.GLOO) and is_mpi_available()


def is_torchelastic_launched() -> bool:
    """Whether the job was started by a launcher that sets ``TORCHELASTIC_RUN_ID``."""
    return os.getenv("TORCHELASTIC_RUN_ID") is not None


def is_initialized() -> bool:
    """Whether the default process group exists."""
    return _state.default_pg is not None


def get_default_backend_for_device(device: Any) -> str:
    """The default backend of a device type (``"gloo"`` for the CPU)."""
    dev = device if isinstance(device, str) else getattr(device, "type", str(device))
    dev = dev.split(":")[0]
    if dev not in Backend.default_device_backend_map:
        raise ValueError(f"Default backend not registered for device : {dev}")
    return Backend.default_device_backend_map[dev]


def _excepthook(kind: Any, value: Any, tb: Any) -> None:
    """An uncaught exception on one rank: print it, then abort the whole job (as
    ``python -m mpi4py`` does) so the other ranks do not wait forever."""
    prev = _state.prev_hook or sys.__excepthook__
    prev(kind, value, tb)
    sys.stdout.flush()
    sys.stderr.flush()
    if _state.default_pg is not None:
        _mpi().COMM_WORLD.Abort(1)


def init_process_group(backend: str | None = None, init_method: str | None = None,
                       timeout: datetime.timedelta | None = None, world_size: int = -1,
                       rank: int = -1, store: Any = None, group_name: str = "",
                       pg_options: Any = None, device_id: Any = None) -> None:
    """Starts the default process group on MPI: rank and size come from ``MPI.COMM_WORLD``.
    ``backend`` is ``"mpi"`` or ``"gloo"`` (run on MPI too, so CPU scripts written for gloo work
    unchanged); ``init_method``/``store`` are not needed (MPI's launcher did the rendezvous).
    Launch with ``python -m ember.distributed.run --nproc-per-node N script.py`` or
    ``mpiexec -n N python -m mpi4py script.py``. ``timeout`` (30 min by default) bounds every
    collective: past it the job aborts with a watchdog message naming the operation."""
    if _state.default_pg is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name = Backend(backend) if backend is not None else Backend.UNDEFINED
    if name not in (Backend.MPI, Backend.GLOO, Backend.UNDEFINED):
        raise RuntimeError(f"ember.distributed runs on MPI: backend {backend!r} is not "
                           "available (use 'mpi', or 'gloo', which ember runs on MPI)")
    if timeout is not None and not isinstance(timeout, datetime.timedelta):
        raise TypeError(f"Expected timeout argument to be of type datetime.timedelta, got "
                        f"{type(timeout)}")
    try:
        MPI = _mpi()
    except ImportError as e:
        raise RuntimeError("Distributed package doesn't have MPI: install mpi4py and an MPI "
                           "(pip install 'ember[distributed]', i.e. mpi4py and mpich)") from e
    size, me = MPI.COMM_WORLD.Get_size(), MPI.COMM_WORLD.Get_rank()
    _check_launch(name, size, me, world_size, rank)
    comm = MPI.COMM_WORLD.Dup()
    pg = ProcessGroup(comm, list(range(size)), name, timeout or default_pg_timeout,
                      group_name or "0")
    _state.default_pg = pg
    _state.groups.append(pg)
    local = MPI.COMM_WORLD.Split_type(MPI.COMM_TYPE_SHARED)
    for key, val in (("RANK", me), ("WORLD_SIZE", size), ("LOCAL_RANK", local.Get_rank()),
                     ("LOCAL_WORLD_SIZE", local.Get_size())):
        os.environ.setdefault(key, str(val))
    local.Free()
    if size > 1 and sys.excepthook is not _excepthook:
        _state.prev_hook = sys.excepthook
        sys.excepthook = _excepthook


def _check_launch(name: str, size: int, me: int, world_size: int, rank: int) -> None:
    env = os.environ.get("WORLD_SIZE")
    if env is not None and env.strip().isdigit() and int(env) != size:
        raise RuntimeError(
            f"WORLD_SIZE={env} in the environment, but MPI started {size} process(es): ember's "
            "distributed package runs on MPI, so the ranks must be started by MPI (launched by "
            "torchrun? use `python -m ember.distributed.run --nproc-per-node N script.py` or "
            "`mpiexec -n N python -m mpi4py script.py`)")
    if (world_size, rank) == (-1, -1):
        return
    if name == Backend.MPI:
        warnings.warn(f"For MPI backend, world_size ({world_size}) and rank ({rank}) are ignored "
                      "since they are assigned by the MPI runtime.", stacklevel=3)
    elif world_size not in (-1, size) or rank not in (-1, me):
        raise RuntimeError(
            f"init_process_group(world_size={world_size}, rank={rank}) but MPI started this "
            f"process as rank {me} of {size}: ember's distributed package takes the ranks from "
            "MPI; start the processes with `python -m ember.distributed.run --nproc-per-node "
            f"{world_size if world_size > 0 else 'N'} script.py` (or mpiexec), not by spawning")


def destroy_process_group(group: ProcessGroup | None = None) -> None:
    """Frees a group (the default one, and with it every group, when ``group`` is None)."""
    if _state.default_pg is None:
        raise AssertionError("Process group cannot be None")
    if group is None or group is _state.default_pg:
        for pg in _state.groups:
            if pg._comm is not None:
                pg._comm.Free()
                pg._comm = None
        _state.groups = []
        _state.default_pg = None
        if sys.excepthook is _excepthook:
            sys.excepthook = _state.prev_hook or sys.__excepthook__
        return
    if group._comm is not None:
        group._comm.Free()
        group._comm = None
    if group in _state.groups:
        _state.groups.remove(group)


def _pg(group: ProcessGroup | None) -> ProcessGroup:
    if _state.default_pg is None:
        raise ValueError(_NOT_INIT)
    return _state.default_pg if group is None else group


def get_rank(group: ProcessGroup | None = None) -> int:
    """This process's rank in ``group`` (the default group unless given); -1 if not a member."""
    return _pg(group).rank()


def get_world_size(group: ProcessGroup | None = None) -> int:
    """The number of ranks in ``group``; -1 if this process is not a member."""
    pg = _pg(group)
    return pg.size() if pg._comm is not None else -1


def get_backend(group: ProcessGroup | None = None) -> Backend:
    """The backend name of ``group``, as passed to ``init_process_group``."""
    return _pg(group)._backend


def get_process_group_ranks(group: ProcessGroup | None) -> list[int]:
    """The global ranks of ``group``'s members, in group-rank order."""
    return list(_pg(group)._ranks)


def get_group_rank(group: ProcessGroup, global_rank: int) -> int:
    """The rank in ``group`` of the process whose global rank is ``global_rank``."""
    pg = _pg(group)
    if global_rank not in pg._ranks:
        raise ValueError(f"Global rank {global_rank} is not part of group {pg}")
    return pg._ranks.index(global_rank)


def get_global_rank(group: ProcessGroup, group_rank: int) -> int:
    """The global rank of ``group``'s member number ``group_rank``."""
    pg = _pg(group)
    if not 0 <= group_rank < len(pg._ranks):
        raise ValueError(f"Group rank {group_rank} is not part of group {pg}")
    return pg._ranks[group_rank]


def get_node_local_rank(fallback_rank: int | None = None) -> int:
    """``LOCAL_RANK`` from the environment (set by the launcher and by init_process_group)."""
    if "LOCAL_RANK" in os.environ:
        return int(os.environ["LOCAL_RANK"])
    if fallback_rank is not None:
        return int(fallback_rank)
    raise RuntimeError("LOCAL_RANK is not in the environment. Consider passing fallback_rank "
                       "to allow `get_node_local_rank` to work, assuming you are using torchrun.")


def new_group(ranks: list[int] | None = None, timeout: datetime.timedelta | None = None,
              backend: str | None = None, pg_options: Any = None,
              use_local_synchronization: bool = False, group_desc: str | None = None,
              device_id: Any = None, sort_ranks: bool = True) -> ProcessGroup:
    """A group of some ranks (every rank must call it, with the same ``ranks``); ranks outside
    it get a group object whose ``rank()`` is -1 and on which collectives do nothing."""
    world = _pg(None)
    size = world.size()
    ranks = list(range(size)) if ranks is None else list(ranks)
    if sort_ranks:
        ranks = sorted(ranks)
    if len(ranks) > size:
        raise ValueError("the new group's world size should be less or equal to the world size "
                         "set by init_process_group")
    for r in ranks:
        if r < 0 or r >= size:
            raise ValueError("The new group's rank should be within the world_size set by "
                             "init_process_group")
    MPI = _mpi()
    me = world.rank()
    member = me in ranks
    comm = world._comm.Split(0 if member else MPI.UNDEFINED, ranks.index(me) if member else 0)
    pg = ProcessGroup(None if comm == MPI.COMM_NULL else comm, ranks,
                      backend or world._backend, timeout or world._timeout,
                      str(len(_state.groups)))
    _state.groups.append(pg)
    return pg


from ._collectives import (  # noqa: E402  (the collectives need the classes above)
    P2POp, all_gather, all_gather_into_tensor, all_gather_object, all_reduce, all_to_all,
    all_to_all_single, barrier, batch_isend_irecv, broadcast, broadcast_object_list, gather,
    gather_object, irecv, isend, monitored_barrier, recv, recv_object_list, reduce,
    reduce_scatter, reduce_scatter_tensor, scatter, scatter_object_list, send, send_object_list)

