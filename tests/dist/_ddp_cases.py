"""DistributedDataParallel cases for tests/dist/_worker.py (``ddp_*``), run on 2 ranks."""
import copy
import datetime
import os
import warnings

import numpy as np

import ember
import ember.distributed as dist
from ember import nn
from ember.nn.parallel import DistributedDataParallel as DDP
from ember.nn.parallel.distributed import _compute_bucket_assignment_by_size

TIMEOUT = datetime.timedelta(seconds=float(os.environ.get("EMBER_DIST_TEST_TIMEOUT", "20")))


def mlp():
    return nn.Sequential(nn.Linear(32, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                         nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))


def batch(steps=5, n=64):
    rng = np.random.default_rng(0)
    return [(rng.standard_normal((n, 32)).astype(np.float32),
             rng.standard_normal((n, 10)).astype(np.float32)) for _ in range(steps)]


def flat(params, grads=False):
    arrs = [(p.grad if grads else p).detach().numpy().reshape(-1) for p in params]
    return np.concatenate(arrs)


def same_everywhere(vec):
    every = [None] * dist.get_world_size()
    dist.all_gather_object(every, vec)
    return all(np.array_equal(every[0], v) for v in every[1:]), every


def ddp_train(r, n):
    ember.manual_seed(1 + r)  # different initial weights: DDP must broadcast rank 0's
    model = mlp()
    ddp = DDP(model)
    assert ddp.module is model
    assert list(ddp.state_dict())[0] == "module.0.weight"
    init_state = copy.deepcopy(model.state_dict())
    assert ddp.reducer.bucket_indices() == [[0, 1, 2, 3, 4, 5, 6, 7]]  # 1 bucket until rebuild
    opt = ember.optim.SGD(ddp.parameters(), lr=0.1)
    data = batch()
    half = 64 // n
    for x, y in data:
        opt.zero_grad()
        out = ddp(ember.tensor(x[r * half:(r + 1) * half]))
        loss = nn.functional.mse_loss(out, ember.tensor(y[r * half:(r + 1) * half]))
        loss.backward()
        opt.step()
    # rebuilt after the first iteration, in gradient arrival order (all fit in the 1 MiB cap)
    assert ddp.reducer.bucket_indices() == [[7, 6, 5, 4, 3, 2, 1, 0]], ddp.reducer.bucket_indices()
    params = list(ddp.parameters())
    same, _ = same_everywhere(flat(params))
    assert same, "ranks differ after training"
    # single process, full batch, same initial weights
    ref = mlp()
    ref.load_state_dict(init_state)
    ropt = ember.optim.SGD(ref.parameters(), lr=0.1)
    for x, y in data:
        ropt.zero_grad()
        nn.functional.mse_loss(ref(ember.tensor(x)), ember.tensor(y)).backward()
        ropt.step()
    got, want = flat(params), flat(list(ref.parameters()))
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    note = f"maxdiff {np.abs(got - want).max():.3g}"
    store = os.environ.get("EMBER_TEST_TORCH_STORE")
    if store:  # PyTorch's own DDP (gloo) on the same data and initial weights
        theirs = torch_ddp(r, n, store, init_state, data)
        np.testing.assert_allclose(got, theirs, rtol=1e-5, atol=1e-6)
        note += f", vs torch DDP {np.abs(got - theirs).max():.3g}"
    return note


def torch_ddp(r, n, store, init_state, data):
    import torch
    import torch.distributed as tdist
    tdist.init_process_group("gloo", init_method=f"file://{store}", rank=r, world_size=n)
    tn = torch.nn
    model = tn.Sequential(tn.Linear(32, 256), tn.ReLU(), tn.Linear(256, 256), tn.ReLU(),
                          tn.Linear(256, 256), tn.ReLU(), tn.Linear(256, 10))
    model.load_state_dict({k: torch.tensor(v.numpy()) for k, v in init_state.items()})
    ddp = torch.nn.parallel.DistributedDataParallel(model)
    opt = torch.optim.SGD(ddp.parameters(), lr=0.1)
    half = 64 // n
    for x, y in data:
        opt.zero_grad()
        out = ddp(torch.tensor(x[r * half:(r + 1) * half]))
        tn.functional.mse_loss(out, torch.tensor(y[r * half:(r + 1) * half])).backward()
        opt.step()
    out = np.concatenate([p.detach().numpy().reshape(-1) for p in ddp.parameters()])
    tdist.destroy_process_group()
    return out


def ddp_order(r, n):
    """Several buckets (bucket_cap_mb=0.1): they are launched in index order, bucket 0 before
    the last gradient arrives (communication overlaps backward), and finalize comes last."""
    ember.manual_seed(0)
    ddp = DDP(mlp(), bucket_cap_mb=0.1)
    x, y = batch(1)[0]
    for it in range(3):
        ddp.reducer.events = [] if it == 2 else None
        ddp.zero_grad()
        nn.functional.mse_loss(ddp(ember.tensor(x)), ember.tensor(y)).backward()
    params = list(ddp.parameters())
    expect, _ = _compute_bucket_assignment_by_size(
        [params[i] for i in range(7, -1, -1)], [int(0.1 * 1024 * 1024)] * 2,
        list(range(7, -1, -1)))
    assert ddp.reducer.bucket_indices() == expect, (ddp.reducer.bucket_indices(), expect)
    assert len(expect) >= 3, expect
    ev = ddp.reducer.events
    launches = [b for kind, b, _ in ev if kind == "launch"]
    assert launches == list(range(len(expect))), launches
    kinds = [(kind, b) for kind, b, _ in ev]
    last_grad = max(i for i, (kind, _) in enumerate(kinds) if kind == "grad")
    assert kinds.index(("launch", 0)) < last_grad, kinds
    assert kinds[-1] == ("finalize", -1), kinds
    same, _ = same_everywhere(flat(params, grads=True))
    assert same
    before = sum(1 for kind, _ in kinds[:last_grad] if kind == "launch")
    return f"{before} of {len(expect)} buckets launched before the last gradient"


def ddp_nosync(r, n):
    ember.manual_seed(0)
    model = mlp()
    ddp = DDP(model)
    plain = copy.deepcopy(model)
    data = batch(3, 32)
    ddp.reducer.events = []
    with ddp.no_sync():
        for x, y in data[:2]:
            nn.functional.mse_loss(ddp(ember.tensor(x + r)), ember.tensor(y)).backward()
    assert ddp.reducer.events == [], "no_sync must not reduce"
    same, _ = same_everywhere(flat(list(ddp.parameters()), grads=True))
    assert not same, "inside no_sync the gradients are local"
    x, y = data[2]
    nn.functional.mse_loss(ddp(ember.tensor(x + r)), ember.tensor(y)).backward()
    for x_, y_ in data:  # the same three backwards without DDP
        nn.functional.mse_loss(plain(ember.tensor(x_ + r)), ember.tensor(y_)).backward()
    local = ember.tensor(flat(list(plain.parameters()), grads=True))
    dist.all_reduce(local)
    got = flat(list(ddp.parameters()), grads=True)
    same, _ = same_everywhere(got)
    assert same
    np.testing.assert_allclose(got, local.numpy() / n, rtol=1e-6, atol=1e-7)
    return "ok"


class TwoBranch(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 3)
        self.b = nn.Linear(4, 3)

    def forward(self, x, use_b=False):
        return self.a(x) + (self.b(x) if use_b else 0)


def ddp_unused(r, n):
    ember.manual_seed(0)
    ddp = DDP(TwoBranch())
    x = ember.ones(2, 4)
    ddp(x).sum().backward()
    try:
        ddp(x)
        raise AssertionError("no error")
    except RuntimeError as e:
        msg = str(e)
    assert msg.startswith("Expected to have finished reduction in the prior iteration before "
                          "starting a new one. This error indicates that your module has "
                          "parameters that were not used in producing loss. You can enable "
                          "unused parameter detection by passing the keyword argument "
                          "`find_unused_parameters=True`"), msg
    assert f"Parameter indices which did not receive grad for rank {r}: 2 3\n In addition" in msg
    # find_unused_parameters: b is used on rank 0 only -> rank 1 still gets the average
    ember.manual_seed(0)
    model = TwoBranch()
    ddp = DDP(model, find_unused_parameters=True)
    ref = copy.deepcopy(model)
    for _ in range(2):
        ddp.zero_grad()
        ddp(x * (r + 1), use_b=(r == 0)).sum().backward()
    grads = flat(list(ddp.parameters()), grads=True)
    same, _ = same_everywhere(grads)
    assert same
    ref(x, use_b=True).sum().backward()
    # b's gradient: rank 0's local gradient / world size
    np.testing.assert_allclose(model.b.weight.grad.numpy(), ref.b.weight.grad.numpy() / n,
                               rtol=1e-6)
    # unused everywhere: .grad stays None
    ember.manual_seed(0)
    ddp = DDP(TwoBranch(), find_unused_parameters=True)
    ddp(x).sum().backward()
    assert ddp.module.b.weight.grad is None and ddp.module.a.weight.grad is not None
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        ddp2 = DDP(nn.Linear(4, 3), find_unused_parameters=True)
        ddp2(x).sum().backward()
    assert any("did not find any unused parameters" in str(w.message) for w in rec)
    return "ok"


def ddp_construct(r, n):
    try:
        DDP(nn.Linear(3, 4 + r))
        err = None
    except RuntimeError as e:
        err = str(e)
    if r == 0:
        assert err is None, err  # rank 0 goes on to broadcast its weight and bias
    else:
        dist.broadcast(ember.zeros(4, 3), 0)  # (as torch, the failing rank would leave it hanging)
        dist.broadcast(ember.zeros(4), 0)
        assert err == ("replicas[0][0] in this process with sizes [5, 3] appears not to match "
                       "sizes of the same param in process 0."), err
    m = nn.Linear(2, 2)
    for p in m.parameters():
        p.requires_grad_(False)
    try:
        DDP(m)
        raise AssertionError("no error")
    except RuntimeError as e:
        assert str(e) == ("DistributedDataParallel is not needed when a module doesn't have any "
                          "parameter that requires a gradient."), e
    # buffers: broadcast at construction and at each forward (rank 0's)
    ember.manual_seed(r)
    bn = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    bn[1].running_mean.fill_(float(r))
    ddp = DDP(bn)
    same, _ = same_everywhere(bn[1].running_mean.numpy())
    assert same and bn[1].running_mean.numpy()[0] == 0.0
    ddp(ember.tensor(np.full((5, 3), r + 1.0, np.float32))).sum().backward()
    same, _ = same_everywhere(bn[1].running_mean.numpy())
    assert not same, "the training forward updates each rank's statistics"
    ddp.eval()
    with ember.no_grad():
        ddp(ember.ones(2, 3))
    same, _ = same_everywhere(bn[1].running_mean.numpy())
    assert same, "the next forward syncs rank 0's buffers"
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        DDP(nn.Linear(2, 2), broadcast_buffers=False)
    assert rec and rec[0].category is FutureWarning
    assert str(rec[0].message).startswith("`broadcast_buffers` is deprecated.")
    return "ok"


def run_case(case):
    dist.init_process_group("gloo", timeout=TIMEOUT)
    r, n = dist.get_rank(), dist.get_world_size()
    note = globals()[case](r, n)
    dist.barrier()
    if r == 0:
        print(f"OK {case} {note}", flush=True)


def ddp_syncbn(r, n):
    """SyncBatchNorm on each rank's half equals BatchNorm2d on the whole batch: outputs,
    running statistics, input gradients; DDP over convert_sync_batchnorm trains as one process
    on the full batch."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((8, 3, 4, 4)).astype(np.float32) * 2 + 1
    w = rng.standard_normal((8, 3, 4, 4)).astype(np.float32)
    h = 8 // n
    ember.manual_seed(0)
    sync = nn.SyncBatchNorm(3)
    full = nn.BatchNorm2d(3)
    full.load_state_dict(sync.state_dict())
    xs = ember.tensor(x[r * h:(r + 1) * h], requires_grad=True)
    out = sync(xs)
    assert type(out.grad_fn).__name__ == "SyncBatchNormBackward", type(out.grad_fn).__name__
    (out * ember.tensor(w[r * h:(r + 1) * h])).sum().backward()
    xf = ember.tensor(x, requires_grad=True)
    outf = full(xf)
    (outf * ember.tensor(w)).sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), outf.detach().numpy()[r * h:(r + 1) * h],
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(xs.grad.numpy(), xf.grad.numpy()[r * h:(r + 1) * h], rtol=1e-4,
                               atol=1e-5)
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(getattr(sync, name).numpy(), getattr(full, name).numpy(),
                                   rtol=1e-5, atol=1e-6)
    gw = ember.tensor(sync.weight.grad.numpy().copy())
    dist.all_reduce(gw)  # local weight gradients: their sum is the full batch's
    np.testing.assert_allclose(gw.numpy(), full.weight.grad.numpy(), rtol=1e-4, atol=1e-5)
    # DDP + convert_sync_batchnorm == one process on the full batch
    ember.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                        nn.Linear(16, 2))
    ref = copy.deepcopy(net)
    ddp = DDP(nn.SyncBatchNorm.convert_sync_batchnorm(net))
    opt = ember.optim.SGD(ddp.parameters(), lr=0.1)
    ropt = ember.optim.SGD(ref.parameters(), lr=0.1)
    y = rng.standard_normal((8, 2)).astype(np.float32)
    for _ in range(3):
        opt.zero_grad()
        ropt.zero_grad()
        nn.functional.mse_loss(ddp(ember.tensor(x[r * h:(r + 1) * h])),
                               ember.tensor(y[r * h:(r + 1) * h])).backward()
        nn.functional.mse_loss(ref(ember.tensor(x)), ember.tensor(y)).backward()
        opt.step()
        ropt.step()
    got, want = flat(list(ddp.parameters())), flat(list(ref.parameters()))
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    return f"maxdiff {np.abs(got - want).max():.3g}"
