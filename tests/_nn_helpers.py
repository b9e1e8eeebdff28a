"""Shared helpers for the nn differential tests (ember vs torch through NumPy)."""
import numpy as np

import ember


def e(a, req=False):
    t = ember.tensor(np.asarray(a))
    return t.requires_grad_(req) if req else t


def tt(torch, a, req=False):
    t = torch.tensor(np.asarray(a))
    return t.requires_grad_(req) if req else t


def npy(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def close(a, b, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(npy(a), npy(b), rtol=rtol, atol=atol)


def copy_module_params(src_torch, dst_ember):
    """Load a torch module's state into an ember module via NumPy."""
    sd = {k: ember.tensor(v.detach().numpy().copy()) for k, v in src_torch.state_dict().items()}
    dst_ember.load_state_dict(sd)


def compare_fn(torch, fe, ft, arrays, rtol=1e-5, atol=1e-6, grad=True, seed=0):
    """Run fe on ember tensors and ft on torch tensors; compare values and input gradients
    under a random upstream gradient."""
    xs_e = [e(a, grad and np.asarray(a).dtype.kind == "f") for a in arrays]
    xs_t = [tt(torch, a, grad and np.asarray(a).dtype.kind == "f") for a in arrays]
    ye, yt = fe(*xs_e), ft(*xs_t)
    close(ye, yt, rtol, atol)
    assert ye.dtype.__repr__() == repr(yt.dtype)
    if not grad:
        return ye, yt
    g = np.random.default_rng(seed).standard_normal(tuple(yt.shape)).astype(
        yt.detach().numpy().dtype)
    ye.backward(e(g))
    yt.backward(tt(torch, g))
    for a, b in zip(xs_e, xs_t):
        if b.grad is not None:
            close(a.grad, b.grad, rtol, atol)
    return ye, yt
