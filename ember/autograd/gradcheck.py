"""Numerical gradient checks (finite differences in float64), like torch.autograd.gradcheck."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import xp
from .._tensor import Tensor, _make
from .grad_mode import no_grad

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    _TensorOrTensors = Tensor | Sequence[Tensor]  # torch.types._TensorOrTensors


class GradcheckError(RuntimeError):
    pass


def _tuple(x: Any) -> tuple[Any, ...]:
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _real_parts(arr):
    """An output as real coordinates: complex values as (real, imaginary) pairs."""
    a = arr.reshape(-1)
    if a.dtype.kind == "c":
        return xp.stack([a.real, a.imag], 1).reshape(-1).astype(xp.float64)
    return a.astype(xp.float64)


def _numerical_jacobian(fn, inputs, idx, out_sizes, eps):
    """Central differences in real coordinates: a complex input is perturbed along 1 and 1j
    (two columns per element), a complex output gives two rows per element."""
    x = inputs[idx]
    flat = x._array.reshape(-1)  # a view: perturb in place
    steps = (eps, eps * 1j) if flat.dtype.kind == "c" else (eps,)
    cols = []
    for k in range(flat.size):
        orig = flat[k]
        for step in steps:
            flat[k] = orig + step
            with no_grad():
                plus = [_real_parts(o._array) for o in _tuple(fn(*inputs))]
            flat[k] = orig - step
            with no_grad():
                minus = [_real_parts(o._array) for o in _tuple(fn(*inputs))]
            flat[k] = orig
            cols.append(xp.concatenate([(p - m) / (2 * eps) for p, m in zip(plus, minus)]))
    return xp.stack(cols, 1) if cols else xp.zeros((sum(out_sizes), 0))


def _analytical_jacobian(outputs, inputs, idx):
    """Rows by backward passes in real coordinates: for an output element's real part the
    grad_output is 1, for its imaginary part 1j (torch's convention makes the backward of
    grad_output v the gradient of Re(sum(conj(v) * out))), and a complex input's gradient
    dL/dx + i dL/dy fills two columns."""
    from . import grad as _grad
    rows_of = [2 if o._array.dtype.kind == "c" else 1 for o in outputs]
    total = sum(o._array.size * r for o, r in zip(outputs, rows_of))
    x = inputs[idx]
    cplx_in = x._array.dtype.kind == "c"
    jac = xp.zeros((total, x._array.size * (2 if cplx_in else 1)))
    row = 0
    for o, nrow in zip(outputs, rows_of):
        if not o.requires_grad:
            row += o._array.size * nrow
            continue
        for k in range(o._array.size):
            for part, unit in enumerate((1, 1j)[:nrow]):
                go = xp.zeros(o._array.shape, o._array.dtype)
                go.reshape(-1)[k] = unit
                g = _grad([o], [x], [_make(go, False, None, 0, None)], retain_graph=True,
                          allow_unused=True)[0]
                if g is not None:
                    jac[row + k * nrow + part] = _real_parts(g._array)
        row += o._array.size * nrow
    return jac


def _forward_jacobian(fn, inputs, idx, out_sizes):
    """The Jacobian by forward-mode AD: one dual evaluation per input element."""
    from . import forward_ad as fw
    x = inputs[idx]
    steps = (1, 1j) if x._array.dtype.kind == "c" else (1,)  # real coordinates, as above
    cols = []
    for k in range(x._array.size):
        for step in steps:
            e = xp.zeros(x._array.shape, x._array.dtype)
            e.reshape(-1)[k] = step
            with fw.dual_level():
                args = list(inputs)
                args[idx] = fw.make_dual(x.detach(), _make(e, False, None, 0, None))
                col = []
                for o in _tuple(fn(*args)):
                    t = fw.unpack_dual(o).tangent
                    col.append(_real_parts(xp.zeros(o._array.shape, o._array.dtype) if t is
                                           None else t._array))
            cols.append(xp.concatenate(col) if col else xp.zeros(0))
    return xp.stack(cols, 1) if cols else xp.zeros((sum(out_sizes), 0))


def gradcheck(func: Callable[..., Any], inputs: _TensorOrTensors, *, eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True,
              nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              check_grad_dtypes: bool = False, check_batched_grad: bool = False,
              check_batched_forward_grad: bool = False, check_forward_ad: bool = False,
              check_backward_ad: bool = True, fast_mode: bool = False,
              masked: bool | None = None) -> bool:
    """Compare analytical (backward; with ``check_forward_ad`` also forward-mode) and
    numerical (central difference) Jacobians."""
    inputs = _tuple(inputs)
    outputs = _tuple(func(*inputs))
    sizes = [o._array.size for o in outputs]
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor) or not x.requires_grad:
            continue
        if x._array.dtype not in (xp.float64, xp.complex128):
            import warnings
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating "
                          "point or complex. This check will likely fail if all the inputs are "
                          "not of double precision floating point or complex. ", stacklevel=2)
        num = _numerical_jacobian(func, inputs, i, sizes, eps)
        checks = []
        if check_backward_ad:
            checks.append(("", _analytical_jacobian(outputs, inputs, i)))
        if check_forward_ad:
            checks.append((" computed with forward mode", _forward_jacobian(func, inputs, i,
                                                                              sizes)))
        for how, ana in checks:
            if not xp.allclose(ana, num, rtol=rtol, atol=atol):
                if raise_exception:
                    raise GradcheckError(
                        f"Jacobian{how} mismatch for output 0 with respect to input {i},\n"
                        f"numerical:{num}\nanalytical:{ana}\n")
                return False
    return True


def gradgradcheck(func: Callable[..., Any], inputs: _TensorOrTensors,
                  grad_outputs: _TensorOrTensors | None = None, *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3,
                  gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True,
                  nondet_tol: float = 0.0, check_undefined_grad: bool = True,
                  check_grad_dtypes: bool = False, check_batched_grad: bool = False,
                  check_fwd_over_rev: bool = False, check_rev_over_rev: bool = True,
                  fast_mode: bool = False, masked: bool = False) -> bool:
    """gradcheck of the function ``inputs -> d(func)/d(inputs) . grad_outputs``."""
    from . import grad as _grad
    inputs = _tuple(inputs)
    outputs = _tuple(func(*inputs))
    if grad_outputs is None:
        rng = xp.random.default_rng(0)
        grad_outputs = tuple(
            _make(rng.standard_normal(o._array.shape).astype(o._array.dtype), True, None, 0,
                  None) for o in outputs if o.requires_grad)
    grad_outputs = _tuple(grad_outputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    n_in = len(inputs)

    def first_grads(*args):
        from .grad_mode import enable_grad
        ins = args[:n_in]
        gos = args[n_in:]
        with enable_grad():  # the numerical Jacobian calls this under no_grad
            outs = [o for o in _tuple(func(*ins)) if o.requires_grad]
            gs = _grad(outs, [ins[i] for i in diff_idx], gos, create_graph=True,
                       allow_unused=True)
        res = []
        for g, i in zip(gs, diff_idx):
            if g is None:
                from .._creation import zeros_like
                g = zeros_like(ins[i])
            res.append(g)
        return tuple(res)

    return gradcheck(first_grads, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
