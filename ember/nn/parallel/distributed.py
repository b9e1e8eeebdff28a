"""``nn.parallel.DistributedDataParallel`` on ``ember.distributed`` (MPI), with PyTorch's reducer.

At construction rank 0's parameters and buffers are broadcast (after checking that every rank
has the same parameter shapes). Gradients are grouped into flat buckets: in the first
iteration one bucket (torch 2.13's default), then buckets rebuilt in the order the gradients
arrived, the first capped at 1 MiB and the others at ``bucket_cap_mb`` (25 MB); with
``find_unused_parameters=True`` the buckets are fixed from the start, in reverse parameter order.
A hook after each parameter's gradient accumulation copies ``grad / world_size`` into its bucket;
when a bucket is full its non-blocking allreduce starts, buckets strictly in index order, so
communication overlaps the rest of backward. A callback queued on the autograd engine waits for
the reductions when backward ends and writes the averaged gradients back into ``.grad``."""
from __future__ import annotations

import sys
import time
import warnings
from contextlib import contextmanager
from typing import Any, Iterator

from ..._backend import xp
from ..modules.module import Module

__all__ = ["DistributedDataParallel"]

_DEFAULT_BUCKET_CAP_MB = 25
_DEFAULT_FIRST_BUCKET_BYTES = 1024 * 1024
_MB = 1024 * 1024

_UNUSED = (
    "Expected to have finished reduction in the prior iteration before starting a new one. This "
    "error indicates that your module has parameters that were not used in producing loss. ")
_UNUSED_HINT_OFF = (
    "You can enable unused parameter detection by passing the keyword argument "
    "`find_unused_parameters=True` to `torch.nn.parallel.DistributedDataParallel`, and by \n")
_UNUSED_HINT_ON = (
    "Since `find_unused_parameters=True` is enabled, this likely  means that not all `forward` "
    "outputs participate in computing loss. You can fix this by ")
_UNUSED_TAIL = (
    "making sure all `forward` function outputs participate in calculating loss. \nIf you "
    "already have done the above, then the distributed data parallel module wasn't able to "
    "locate the output tensors in the return value of your module's `forward` function. Please "
    "include the loss function and the structure of the return value of `forward` of your "
    "module when reporting this issue (e.g. list, dict, iterable).\n")
_DEBUG_TAIL = (
    "\n In addition, you can set the environment variable TORCH_DISTRIBUTED_DEBUG to either "
    "INFO or DETAIL to print out information about which particular parameters did not receive "
    "gradient on this rank as part of this error")
_NO_UNUSED_FOUND = (
    "find_unused_parameters=True was specified in DDP constructor, but did not find any unused "
    "parameters in the forward pass. This flag results in an extra traversal of the autograd "
    "graph every iteration,  which can adversely affect performance. If your model indeed never "
    "has any unused parameters in the forward pass, consider turning this flag off. Note that "
    "this warning may be a false positive if your model has flow control causing later "
    "iterations to have unused parameters.")


def _compute_bucket_assignment_by_size(tensors: list[Any], bucket_size_limits: list[int],
                                       tensor_indices: list[int] | None = None
                                       ) -> tuple[list[list[int]], list[int]]:
    """torch's ``dist._compute_bucket_assignment_by_size``: walk ``tensors`` in order, one open
    bucket per dtype; a bucket closes once its bytes reach the current limit, and the limit then
    moves to the next of ``bucket_size_limits`` (the last one repeats). Without
    ``tensor_indices`` the buckets are sorted by their smallest index."""
    result: list[tuple[list[int], int]] = []
    open_: dict[Any, list[Any]] = {}  # dtype -> [indices, bytes, limit position, limit]
    for i, t in enumerate(tensors):
        index = tensor_indices[i] if tensor_indices else i
        acc = open_.setdefault(t.dtype, [[], 0, 0, 0])
        acc[0].append(index)
        acc[1] += t.numel() * t.element_size()
        acc[3] = bucket_size_limits[acc[2]]
        if acc[1] >= acc[3]:
            result.append((acc[0], acc[3]))
            acc[0], acc[1] = [], 0
            acc[2] = min(acc[2] + 1, len(bucket_size_limits) - 1)
    result += [(acc[0], acc[3]) for acc in open_.values() if acc[0]]
    if not tensor_indices:
        result.sort(key=lambda r: min(r[0]))
    return [r[0] for r in result], [r[1] for r in result]


class _Bucket:
    """One flat buffer of gradients (one dtype) and the parameters it holds."""

    def __init__(self, index: int, params: list[Any], indices: list[int]) -> None:
        self.index = index
        self.indices = indices
        sizes = [params[i].numel() for i in indices]
        self.offsets = [0]
        for s in sizes:
            self.offsets.append(self.offsets[-1] + s)
        self.flat = xp.zeros(self.offsets[-1], params[indices[0]]._array.dtype)
        self.pending = len(indices)
        self.work: Any = None

    def view(self, k: int) -> Any:
        return self.flat[self.offsets[k]:self.offsets[k + 1]]


class _Reducer:
    """The gradient reducer of one DistributedDataParallel (torch's ``dist.Reducer``)."""

    def __init__(self, ddp: DistributedDataParallel, params: list[Any]) -> None:
        self.ddp = ddp
        self.params = params
        self.index_of = {id(p): i for i, p in enumerate(params)}
        self.expect_hooks = False
        self.require_finalize = False
        self.ready: set[int] = set()
        self.unused: list[int] = []
        self.marked_unused = False
        self.next_bucket = 0
        self.local_used = xp.zeros(len(params), xp.int32)
        self.used_work: Any = None
        self.rebuilt: list[int] = []
        self.has_rebuilt = False
        self.warned_no_unused = False
        self.events: list[tuple[str, int, float]] | None = None  # tests set a list to record
        self.handles = [p.register_post_accumulate_grad_hook(self._hook(i))
                        for i, p in enumerate(params)]

    # ---- buckets
    def set_buckets(self, assignment: list[list[int]]) -> None:
        self.buckets = [_Bucket(b, self.params, idx) for b, idx in enumerate(assignment)]
        self.locator = {i: (b.index, k) for b in self.buckets for k, i in enumerate(b.indices)}

    def bucket_indices(self) -> list[list[int]]:
        """Each bucket's parameter indices, in bucket (launch) order."""
        return [list(b.indices) for b in self.buckets]

    def should_rebuild(self) -> bool:
        return not self.ddp.find_unused_parameters and not self.has_rebuilt

    def rebuild_buckets(self) -> bool:
        """Before a forward: the prior reduction must have finished; once, after the first
        synced backward, re-bucket in gradient arrival order (rank 0's order for all)."""
        self.ensure_prior_reduction_finished()
        if not self.should_rebuild() or not self.rebuilt:
            return False
        from ... import distributed as dist
        order = [self.rebuilt]
        dist.broadcast_object_list(order, src=self.ddp._src, group=self.ddp.process_group)
        cap = self.ddp.bucket_bytes_cap
        first = _DEFAULT_FIRST_BUCKET_BYTES if self.ddp.bucket_bytes_cap_default else cap
        assignment, _ = _compute_bucket_assignment_by_size(
            [self.params[i] for i in order[0]], [first, cap], list(order[0]))
        self.set_buckets(assignment)
        self.has_rebuilt = True
        self.rebuilt = []
        return True

    def ensure_prior_reduction_finished(self) -> None:
        if not self.require_finalize:
            return
        from ... import distributed as dist
        missing = " ".join(str(i) for i in range(len(self.params)) if i not in self.ready)
        hint = _UNUSED_HINT_ON if self.ddp.find_unused_parameters else _UNUSED_HINT_OFF
        raise RuntimeError(f"{_UNUSED}{hint}{_UNUSED_TAIL}Parameter indices which did not "
                           f"receive grad for rank {dist.get_rank()}: {missing}{_DEBUG_TAIL}")

    # ---- one iteration
    def prepare_for_backward(self, outputs: list[Any]) -> None:
        self.expect_hooks = True
        self.ready = set()
        self.next_bucket = 0
        for b in self.buckets:
            b.pending = len(b.indices)
            b.work = None
        self.marked_unused = False
        if not self.ddp.find_unused_parameters:
            return
        self.local_used[:] = 0
        self.unused = self._search_unused(outputs)
        if not self.unused and not self.warned_no_unused:
            self.warned_no_unused = True
            warnings.warn(_NO_UNUSED_FOUND, UserWarning, stacklevel=4)

    def _search_unused(self, outputs: list[Any]) -> list[int]:
        """The parameters no output's graph reaches (an iterative walk of ``next_functions``)."""
        from ...autograd.graph import AccumulateGrad
        seen: set[int] = set()
        reached: set[int] = set()
        stack = [t.grad_fn for t in outputs if t.grad_fn is not None]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, AccumulateGrad):
                i = self.index_of.get(id(node.variable))
                if i is not None:
                    reached.add(i)
                continue
            stack.extend(n for n, _ in node.next_functions if n is not None)
        return [i for i in range(len(self.params)) if i not in reached]

    def _hook(self, index: int) -> Any:
        def autograd_hook(param: Any) -> None:
            self.autograd_hook(index)
        return autograd_hook

    def autograd_hook(self, index: int) -> None:
        if not self.expect_hooks:
            return  # no_sync, or a backward that no synced forward prepared
        if self.events is not None:
            self.events.append(("grad", index, time.perf_counter()))
        if self.ddp.find_unused_parameters and self.params[index]._grad is not None:
            self.local_used[index] = 1  # used: its hook ran with a gradient
        if not self.marked_unused:
            self.marked_unused = True
            for i in self.unused:
                self.mark_variable_ready(i)
        if self.should_rebuild():
            self.rebuilt.append(index)
        self.mark_variable_ready(index)
        for b in self.buckets[:self.next_bucket]:  # MPI progresses only inside MPI calls
            if b.work is not None:
                b.work.is_completed()

    def mark_variable_ready(self, index: int) -> None:
        if index in self.ready:
            raise RuntimeError(
                "Expected to mark a variable ready only once. This error is caused by one of "
                "the following reasons: 1) Use of a module parameter outside the `forward` "
                "function. Please make sure model parameters are not shared across multiple "
                "concurrent forward-backward passes. or try to use _set_static_graph() as a "
                "workaround if this module graph does not change during training loop.2) "
                "Reused parameters in multiple reentrant backward passes. For example, if you "
                "use multiple `checkpoint` functions to wrap the same part of your model, it "
                "would result in the same set of parameters been used by different reentrant "
                "backward passes multiple times, and hence marking a variable ready multiple "
                f"times. DDP does not support such use cases in default. Parameter at index "
                f"{index} has been marked as ready twice.")
        self.ready.add(index)
        self.require_finalize = True
        b, k = self.locator[index]
        bucket = self.buckets[b]
        grad = self.params[index]._grad
        view = bucket.view(k)
        if grad is None:
            view[...] = 0
        else:
            xp.multiply(grad._array.reshape(-1), 1.0 / self.ddp._world_size, out=view,
                        casting="unsafe")
        bucket.pending -= 1
        if bucket.pending == 0:
            self.launch_ready_buckets()
        if self.next_bucket == len(self.buckets):
            if self.ddp.find_unused_parameters:
                self.all_reduce_local_used_map()
            from ...autograd.variable import Variable
            Variable._execution_engine.queue_callback(self.finalize_backward)

    def launch_ready_buckets(self) -> None:
        """Buckets are reduced in sequence: a full bucket waits for the ones before it."""
        from ... import distributed as dist
        from ..._tensor import _make
        while self.next_bucket < len(self.buckets) and \
                self.buckets[self.next_bucket].pending == 0:
            b = self.buckets[self.next_bucket]
            if self.events is not None:
                self.events.append(("launch", b.index, time.perf_counter()))
            b.work = dist.all_reduce(_make(b.flat, False, None, 0, None),
                                     group=self.ddp.process_group, async_op=True)
            self.next_bucket += 1

    def all_reduce_local_used_map(self) -> None:
        from ... import distributed as dist
        from ..._tensor import _make
        self.used_global = self.local_used.copy()
        self.used_work = dist.all_reduce(_make(self.used_global, False, None, 0, None),
                                         group=self.ddp.process_group, async_op=True)

    def finalize_backward(self) -> None:
        """When backward ends: wait for every bucket, then write the averages into ``.grad``
        (leaving ``.grad`` alone for parameters that no rank used)."""
        from ..._tensor import _make
        self.expect_hooks = False
        self.require_finalize = False
        for b in self.buckets:
            if b.work is not None:
                b.work.wait()
        used = None
        if self.used_work is not None:
            self.used_work.wait()
            used = self.used_global
            self.used_work = None
        as_view = self.ddp.gradient_as_bucket_view
        for b in self.buckets:
            for k, i in enumerate(b.indices):
                if used is not None and not used[i]:
                    continue
                p = self.params[i]
                view = b.view(k).reshape(p._array.shape)
                if as_view:
                    p._grad = _make(view, False, None, 0, None)
                elif p._grad is None:
                    p._grad = _make(view.copy(), False, None, 0, None)
                else:
                    p._grad._array[...] = view
        if self.events is not None:
            self.events.append(("finalize", -1, time.perf_counter()))


class DistributedDataParallel(Module):
    """Data parallelism over the ranks of ``ember.distributed`` (``torch.nn.parallel.
    DistributedDataParallel``): wraps ``module`` (kept as ``.module``, so ``state_dict`` keys
    carry the ``module.`` prefix), makes every rank start from rank 0's parameters and buffers,
    and averages the gradients across ranks during ``backward``, bucket by bucket, while the
    backward pass is still running. Launch with ``python -m ember.distributed.run
    --nproc-per-node N script.py``. ``device_ids``/``output_device`` must be None (CPU)."""

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None,
                 dim: int = 0, broadcast_buffers: bool | None = None, init_sync: bool = True,
                 process_group: Any = None, bucket_cap_mb: float | None = None,
                 find_unused_parameters: bool = False, check_reduction: bool = False,
                 gradient_as_bucket_view: bool = False, static_graph: bool = False,
                 delay_all_reduce_named_params: Any = None, param_to_hook_all_reduce: Any = None,
                 mixed_precision: Any = None, device_mesh: Any = None,
                 skip_all_reduce_unused_params: bool = False,
                 bucket_cap_mb_list: list[int] | None = None, batched_grad_copy: bool = False,
                 forward_sync_buffers: bool | None = None) -> None:
        super().__init__()
        from ... import distributed as dist
        self.process_group = process_group if process_group is not None else \
            dist.distributed_c10d._pg(None)
        self.parameters_to_ignore = set(getattr(module, "_ddp_params_and_buffers_to_ignore", ()))
        params = self._params_for_reducer(module)
        if not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't "
                               "have any parameter that requires a gradient.")
        if device_ids is not None and len(device_ids) > 1:
            raise ValueError("device_ids can only be None or contain a single element.")
        if device_ids or output_device:
            raise ValueError(
                "DistributedDataParallel device_ids and output_device arguments only work with "
                "single-device/multiple-device GPU modules or CPU modules, but got device_ids "
                f"{device_ids}, output_device {output_device}, and module parameters "
                "{device(type='cpu')}.")
        self.device_ids = None
        self.output_device = None
        self.dim = dim
        self.module = module
        self._sync_flags(broadcast_buffers, forward_sync_buffers, check_reduction)
        self.find_unused_parameters = find_unused_parameters
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.bucket_bytes_cap_default = bucket_cap_mb is None
        self.bucket_bytes_cap = int((_DEFAULT_BUCKET_CAP_MB if bucket_cap_mb is None
                                     else bucket_cap_mb) * _MB)
        self._world_size = self.process_group.size()
        self._src = self.process_group._ranks[0]
        if init_sync:
            self._verify_param_shapes(params)
            self._broadcast([*params, *self._buffers_to_sync()] if self._init_sync_buffers
                            else params)
        self.reducer = _Reducer(self, params)
        self.reducer.set_buckets(self._initial_buckets(params))

    def _sync_flags(self, broadcast_buffers: bool | None, forward_sync_buffers: bool | None,
                    check_reduction: bool) -> None:
        if broadcast_buffers is not None:
            if forward_sync_buffers is not None:
                warnings.warn("Both `broadcast_buffers` and `forward_sync_buffers` were "
                              "specified. `broadcast_buffers` is deprecated and its value is "
                              "ignored when `forward_sync_buffers` is provided.", FutureWarning,
                              stacklevel=3)
            else:
                warnings.warn("`broadcast_buffers` is deprecated. Use `forward_sync_buffers` "
                              "instead. IMPORTANT: unlike `broadcast_buffers=False`, "
                              "`forward_sync_buffers=False` still syncs buffers at init. If you "
                              "rely on buffers NOT being synced at init (e.g. rank-local "
                              "buffers), keep using `broadcast_buffers=False` until "
                              "`init_sync_buffers` is available.", FutureWarning, stacklevel=3)
        if forward_sync_buffers is not None:
            self.forward_sync_buffers = forward_sync_buffers
            self._init_sync_buffers = True
        else:
            self.forward_sync_buffers = broadcast_buffers if broadcast_buffers is not None \
                else True
            self._init_sync_buffers = self.forward_sync_buffers
        if check_reduction:
            warnings.warn("The `check_reduction` argument in `DistributedDataParallel` module is "
                          "deprecated. Please avoid using it.", FutureWarning, stacklevel=3)

    @property
    def broadcast_buffers(self) -> bool:
        """Deprecated alias of ``forward_sync_buffers``."""
        return self.forward_sync_buffers

    def _params_for_reducer(self, module: Module) -> list[Any]:
        """torch's order: modules in ``named_modules`` order, each one's own parameters that
        require grad and are not ignored; a shared parameter once."""
        seen: set[int] = set()
        out = []
        for mname, mod in module.named_modules():
            for pname, p in mod.named_parameters(recurse=False):
                full = f"{mname}.{pname}" if mname else pname
                if p.requires_grad and full not in self.parameters_to_ignore and \
                        id(p) not in seen:
                    seen.add(id(p))
                    out.append(p)
        return out

    def _buffers_to_sync(self) -> list[Any]:
        return [b for n, b in self.module.named_buffers() if n not in self.parameters_to_ignore]

    def _initial_buckets(self, params: list[Any]) -> list[list[int]]:
        if self.static_graph or not self.find_unused_parameters:
            limits = [sys.maxsize]  # torch 2.13: one bucket until the rebuild
        elif self.bucket_bytes_cap_default:
            limits = [_DEFAULT_FIRST_BUCKET_BYTES, self.bucket_bytes_cap]
        else:
            limits = [self.bucket_bytes_cap]
        assignment, _ = _compute_bucket_assignment_by_size(params, limits)
        return list(reversed(assignment))

    def _verify_param_shapes(self, params: list[Any]) -> None:
        from ... import distributed as dist
        mine = [tuple(p.shape) for p in params]
        every: list[Any] = [None] * self._world_size
        dist.all_gather_object(every, mine, group=self.process_group)
        me = self.process_group.rank()
        for r, theirs in enumerate(every):
            if len(theirs) != len(mine):
                raise RuntimeError(f"DDP expects same model across all ranks, but Rank {me} has "
                                   f"{len(mine)} params, while rank {r} has inconsistent "
                                   f"{len(theirs)} params.")
        for i, shape in enumerate(mine):
            if shape != every[0][i]:
                raise RuntimeError(f"replicas[0][{i}] in this process with sizes "
                                   f"[{', '.join(map(str, shape))}] appears not to match sizes "
                                   "of the same param in process 0.")

    def _broadcast(self, tensors: list[Any]) -> None:
        from ... import distributed as dist
        from ..._tensor import _make
        works = [dist.broadcast(_make(t._array, False, None, 0, None), src=self._src,
                                group=self.process_group, async_op=True) for t in tensors]
        for w in works:
            if w is not None:
                w.wait()

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        """Runs ``module`` (after syncing buffers from rank 0) and prepares the gradient
        reduction of the coming backward."""
        from ...autograd import grad_mode
        grad_on = grad_mode.is_grad_enabled()
        if grad_on:
            self.reducer.rebuild_buckets()
        if self.require_forward_param_sync and self.forward_sync_buffers:
            bufs = self._buffers_to_sync()
            if bufs:
                self._broadcast(bufs)
        output = self.module(*inputs, **kwargs)
        if grad_on and self.require_backward_grad_sync:
            self.require_forward_param_sync = True
            self.reducer.prepare_for_backward(
                list(_find_tensors(output)) if self.find_unused_parameters else [])
        else:
            self.require_forward_param_sync = False
        return output

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        """Inside it, backward accumulates gradients locally without reducing them; the first
        forward-backward outside reduces the accumulated gradients. The forward pass must be
        inside the context too."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def will_sync_module_buffers(self) -> bool:
        """Whether the next forward broadcasts rank 0's buffers."""
        return bool(self.require_forward_param_sync and self.forward_sync_buffers
                    and self._buffers_to_sync())

    def train(self, mode: bool = True) -> DistributedDataParallel:
        """Sets training mode on the wrapped module."""
        super().train(mode)
        return self


def _find_tensors(obj: Any) -> Iterator[Any]:
    """The tensors in a forward's output (lists, tuples, dicts, nested), iteratively."""
    from ..._tensor import Tensor
    stack = [obj]
    while stack:
        o = stack.pop()
        if isinstance(o, Tensor):
            yield o
        elif isinstance(o, (list, tuple)):
            stack.extend(reversed(o))
        elif isinstance(o, dict):
            stack.extend(reversed(list(o.values())))
