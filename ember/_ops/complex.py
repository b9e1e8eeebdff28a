"""Complex numbers (issue 13): the views between real and complex storage (``view_as_real``,
``view_as_complex``, ``real``, ``imag``), conjugation, ``angle``, ``isreal``, ``complex`` and
``polar`` with their gradients.

Gradients follow torch's convention for complex autograd: the gradient of a real loss L with
respect to a complex z = x + iy is the conjugate Wirtinger derivative dL/dx + i dL/dy, and a real
input of an op with a complex result gets the real part of its complex gradient.

Conjugation is materialised: torch's ``conj`` returns a lazy view with the conjugate bit set;
ember's returns the conjugated values in new memory (same values, same ``ConjBackward0`` node,
same gradients).  No ember tensor ever carries a conjugate or negative bit, so ``is_conj`` and
``is_neg`` are always False and ``resolve_conj``/``resolve_neg`` return their input.  The one
difference a program can see: writing into ``z.conj()`` does not write into ``z``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import _dtype as D
from .._backend import xp
from .._tensor import Tensor, _make
from ..autograd.function import Op, _apply, _apply_view
from ._utils import broadcast_error, scalar_type_name

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from ._types import Array, Ctx, Grads, Namespace, Value

__all__ = ["view_as_real", "view_as_complex", "view_as_real_copy", "view_as_complex_copy",
           "real", "imag", "conj", "conj_physical", "conj_physical_", "resolve_conj",
           "resolve_neg", "is_conj", "is_neg", "angle", "isreal", "complex", "polar", "adjoint"]
TENSOR_METHODS = ["conj", "conj_physical", "resolve_conj", "resolve_neg", "is_conj", "is_neg",
                  "angle", "isreal", "adjoint"]
NO_INPLACE = ("conj", "resolve_conj", "resolve_neg", "is_conj", "is_neg", "isreal", "angle",
              "adjoint")
METHOD_IMPLS: dict[str, Any] = {}  # filled at the end (conj_physical_)

_REAL_OF: dict[str, Any] = {"complex64": xp.dtype(xp.float32), "complex128": xp.dtype(xp.float64)}
_COMPLEX_OF: dict[str, Any] = {"float32": xp.dtype(xp.complex64),
                               "float64": xp.dtype(xp.complex128)}


def _is_complex_value(g: Value) -> bool:
    from .pointwise import _complex_value
    return _complex_value(g)


def _real_part(g: Value, ns: Namespace) -> Value:
    """torch's ``handle_r_to_c``: the gradient of a real input is the real part."""
    return ns.apply(Real, g) if _is_complex_value(g) else g


def complex_grads(ctx: Ctx, ns: Namespace, *grads: Value) -> tuple[Value, ...]:
    """Each input's complex gradient, its real part where the input is real."""
    meta = tuple(ctx._in_meta) + (None,) * (len(grads) - len(ctx._in_meta))
    return tuple(g if g is None or m is None or m[1].kind == "c" else ns.apply(Real, g)
                 for g, m in zip(grads, meta))


# ------------------------------------------------------------------------------------ the ops


class ViewAsReal(Op):
    """complex (...) -> real (..., 2) sharing memory."""
    is_view = True

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> Array:
        r = a.real  # a strided real view of the same memory
        return xp.lib.stride_tricks.as_strided(r, a.shape + (2,), a.strides + (r.itemsize,))

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return ns.apply(ToComplex, g)


class ViewAsComplex(Op):
    """real (..., 2) with a contiguous last dimension -> complex (...) sharing memory."""
    is_view = True

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> Array:
        return a.view(_COMPLEX_OF[a.dtype.name])[..., 0]

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return ns.apply(ToRealPairs, g)


class ToComplex(Op):
    """The copy form of view_as_complex (any strides): backward formulas use it."""
    node_name = "ViewAsComplexBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> Array:
        return a[..., 0] + 1j * a[..., 1]

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return ns.apply(ToRealPairs, g)


class ToRealPairs(Op):
    """The copy form of view_as_real: backward formulas use it."""
    node_name = "ViewAsRealBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> Array:
        return xp.stack([a.real, a.imag], axis=-1)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return ns.apply(ToComplex, g)


class Real(Op):
    """Real part as a new array (backward formulas: torch's ``at::real(grad)``)."""
    node_name = "RealBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> Array:
        return xp.ascontiguousarray(a.real)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g  # the engine's cast to the complex input dtype adds 0j


class Conj(Op):
    """Complex conjugate, materialised (see the module doc)."""
    node_name = "ConjBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> Array:
        return xp.conjugate(a)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return ns.apply(Conj, g) if _is_complex_value(g) else g


class ConjPhysical(Conj):
    node_name = "ConjPhysicalBackward0"

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return ns.apply(ConjPhysical, g) if _is_complex_value(g) else g


class Angle(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array) -> Array:
        ctx.save_for_backward(a)
        if a.dtype.kind == "f":  # torch: pi below 0, NaN kept, else 0 (NumPy: angle(-0.) = pi)
            return xp.where(a < 0, xp.pi, xp.where(a == a, 0, a)).astype(a.dtype, copy=False)
        return xp.angle(a).astype(_REAL_OF.get(a.dtype.name, a.dtype), copy=False)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (a,) = ctx.saved_tensors
        if not _is_complex_value(a):
            return ns.zeros_like(a)
        # d angle = (x dy - y dx) / |z|^2: the gradient is g * i z / |z|^2 (0 at z = 0)
        r2 = ns.apply(Real, a * ns.apply(Conj, a))
        safe = ns.where(r2 == 0, 1.0, r2)
        return ns.where(r2 == 0, 0.0, g * (a * 1j) / safe)


class Complex(Op):
    @staticmethod
    def forward(ctx: Ctx, re: Array, im: Array) -> Array:
        out = xp.empty(xp.broadcast_shapes(re.shape, im.shape), _COMPLEX_OF[re.dtype.name])
        out.real, out.imag = re, im
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return ns.apply(Real, g), ns.apply(Real, g * -1j)


class Polar(Op):
    @staticmethod
    def forward(ctx: Ctx, r: Array, theta: Array) -> Array:
        out = Complex.forward(ctx, r * xp.cos(theta), r * xp.sin(theta))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        # z = r e^{i theta}: dL/dr = Re(g conj(sgn z)) (torch's polar_backward: sgn(z), not
        # e^{i theta}, so a negative r gets torch's sign), dL/dtheta = Re(g conj(i z))
        (z,) = ctx.saved_tensors
        from .pointwise import Sgn
        gr = ns.apply(Real, g * ns.apply(Conj, ns.apply(Sgn, z)))
        gt = ns.apply(Real, g * ns.apply(Conj, z * 1j))
        return gr, gt


# ------------------------------------------------------------------------- public functions


def view_as_real(input: Tensor) -> Tensor:
    """A real view of a complex tensor with a trailing dimension of size 2 (real, imaginary),
    sharing its memory."""
    if input._array.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return _apply_view(ViewAsReal, input)


def view_as_complex(input: Tensor) -> Tensor:
    """A complex view of a real tensor whose last dimension has size 2 and stride 1 (pairs of
    real and imaginary parts), sharing its memory."""
    a = input._array
    if a.dtype.name not in _COMPLEX_OF:
        raise RuntimeError("view_as_complex is only supported for half, float and double "
                           f"tensors, but got a tensor of scalar type: {scalar_type_name(a.dtype)}")
    if a.ndim == 0:
        raise RuntimeError("Input tensor must have one or more dimensions")
    if a.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    strides = input.stride()
    if strides[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % 2 for s in strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if input.storage_offset() % 2:  # type: ignore[attr-defined]  # (a generated method)
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    return _apply_view(ViewAsComplex, input)


def view_as_real_copy(input: Tensor) -> Tensor:
    """``view_as_real`` into new memory."""
    from .pointwise import clone
    return clone(view_as_real(input))


def view_as_complex_copy(input: Tensor) -> Tensor:
    """``view_as_complex`` into new memory."""
    from .pointwise import clone
    return clone(view_as_complex(input))


def real(input: Tensor) -> Tensor:
    """The real part of a complex tensor as a view of its memory; a real tensor itself."""
    if input._array.dtype.kind != "c":
        return input
    from .shape import select
    return select(view_as_real(input), -1, 0)


def imag(input: Tensor) -> Tensor:
    """The imaginary part of a complex tensor as a view of its memory."""
    if input._array.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    from .shape import select
    return select(view_as_real(input), -1, 1)


def _adjoint(input: Tensor, what: str) -> Tensor:
    nd = input._array.ndim
    if nd == 0:
        import warnings
        warnings.warn(f"{'Tensor.' if what != 'adjoint()' else ''}{what} is deprecated on 0-D "
                      "tensors. Consider using x.conj().", UserWarning, stacklevel=3)
        return conj(input)
    if nd == 1:
        raise RuntimeError(f"tensor.{what} is only supported on matrices or batches of matrices. "
                           "Got 1-D tensor.")
    from .shape import transpose
    return conj(transpose(input, -2, -1))


def adjoint(input: Tensor) -> Tensor:
    """The conjugate transpose of the last two dimensions (a view for real tensors; for complex
    ones ``ConjBackward0`` over ``TransposeBackward0``, as torch records it)."""
    return _adjoint(input, "adjoint()")


def _get_mH(self: Tensor) -> Tensor:
    """The conjugate transpose of the last two dimensions (``adjoint``)."""
    return _adjoint(self, "mH")


def _get_H(self: Tensor) -> Tensor:
    """The conjugate transpose of a matrix (2-D only; ``mH`` for batches)."""
    nd = self._array.ndim
    if nd not in (0, 2):
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {nd}-D "
                           "tensor." + (" For batches of matrices, consider using tensor.mH"
                                        if nd > 2 else ""))
    return _adjoint(self, "H")


def conj(input: Tensor) -> Tensor:
    """The complex conjugate (a real tensor itself).  ember materialises it: see the module doc
    of ``ember._ops.complex``."""
    if input._array.dtype.kind != "c":
        return input
    return _apply(Conj, (input,), {}, None)


def conj_physical(input: Tensor) -> Tensor:
    """The complex conjugate in new memory (a real tensor itself)."""
    if input._array.dtype.kind != "c":
        return input
    return _apply(ConjPhysical, (input,), {}, None)


def conj_physical_(input: Tensor) -> Tensor:
    """Conjugates a complex tensor in place (a real tensor is left as it is)."""
    if input._array.dtype.kind != "c":
        return input
    from .inplace import inplace
    return inplace(input, conj_physical)


def resolve_conj(input: Tensor) -> Tensor:
    """``input`` itself: ember never holds a lazy conjugate (``is_conj`` is always False)."""
    return input


def resolve_neg(input: Tensor) -> Tensor:
    """``input`` itself: ember never holds a lazy negation (``is_neg`` is always False)."""
    return input


def is_conj(input: Tensor) -> bool:
    """False: ember's ``conj`` materialises the conjugate (see ``ember._ops.complex``)."""
    return False


def is_neg(input: Tensor) -> bool:
    """False: ember never holds a lazy negation."""
    return False


def angle(input: Tensor) -> Tensor:
    """The argument of each element (radians): atan2(imag, real); 0 or pi for real inputs.
    Integer inputs give the default float dtype."""
    if input._array.dtype.kind in "biu":
        from .pointwise import ToCopy
        cast = D.get_default_dtype().np
        return _make(xp.angle(input._array).astype(cast), False, None, 0, None) \
            if not input.requires_grad else _apply(Angle, (_apply(ToCopy, (input, cast), {},
                                                                   None),), {}, None)
    return _apply(Angle, (input,), {}, None)


def isreal(input: Tensor) -> Tensor:
    """Elementwise: True where the imaginary part is 0 (everywhere for real tensors)."""
    a = input._array
    if a.dtype.kind != "c":
        return _make(xp.ones(a.shape, xp.bool_), False, None, 0, None)
    return _make(a.imag == 0, False, None, 0, None)


def _check_pair(name: str, a: Tensor, b: Tensor) -> None:
    da, db = a._array.dtype, b._array.dtype
    if da.name not in _COMPLEX_OF or db.name not in _COMPLEX_OF:
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{scalar_type_name(da)} and {scalar_type_name(db)}")
    if da != db:
        raise RuntimeError(f"Expected object of scalar type {scalar_type_name(da)} but got "
                           f"scalar type {scalar_type_name(db)} for second argument")
    try:
        xp.broadcast_shapes(a._array.shape, b._array.shape)
    except ValueError:
        raise broadcast_error(a._array.shape, b._array.shape) from None


def complex(real: Tensor, imag: Tensor) -> Tensor:  # noqa: A001
    """The complex tensor ``real + i imag`` (both float or both double; broadcast)."""
    _check_pair("complex", real, imag)
    return _apply(Complex, (real, imag), {}, None)


def polar(abs: Tensor, angle: Tensor) -> Tensor:  # noqa: A002
    """The complex tensor ``abs * (cos(angle) + i sin(angle))``."""
    _check_pair("polar", abs, angle)
    return _apply(Polar, (abs, angle), {}, None)


# ------------------------------------------------------------------- Tensor attributes


def _get_real(self: Tensor) -> Tensor:
    """The real part (a view for complex tensors; the tensor itself for real ones)."""
    return real(self)


def _set_real(self: Tensor, value: Any) -> None:
    real(self).copy_(value)


def _get_imag(self: Tensor) -> Tensor:
    """The imaginary part of a complex tensor (a view of its memory)."""
    return imag(self)


def _set_imag(self: Tensor, value: Any) -> None:
    imag(self).copy_(value)


def _cfloat(self: Tensor, memory_format: Any = None) -> Tensor:
    """``self.to(ember.complex64)``."""
    return self.to(D.complex64)


def _cdouble(self: Tensor, memory_format: Any = None) -> Tensor:
    """``self.to(ember.complex128)``."""
    return self.to(D.complex128)


METHOD_IMPLS["conj_physical_"] = conj_physical_


def install_attributes() -> None:
    """Tensor.real / Tensor.imag (read-write properties, as torch's) and cfloat / cdouble."""
    Tensor.real = property(_get_real, _set_real, doc=_get_real.__doc__)  # type: ignore[attr-defined]
    Tensor.imag = property(_get_imag, _set_imag, doc=_get_imag.__doc__)  # type: ignore[attr-defined]
    Tensor.cfloat = _cfloat  # type: ignore[attr-defined]
    Tensor.H = property(_get_H, doc=_get_H.__doc__)  # type: ignore[attr-defined]
    Tensor.mH = property(_get_mH, doc=_get_mH.__doc__)  # type: ignore[attr-defined]
    Tensor.cdouble = _cdouble  # type: ignore[attr-defined]
