"""The Tensor: an ndarray, a shared version counter and autograd metadata.

``_tensor.py`` is a thin dispatcher: every math method is a one-line call into ``ember._ops``.
"""
from __future__ import annotations

import warnings
from collections import OrderedDict
from typing import TYPE_CHECKING

from . import _dtype as D, _layout
from ._backend import CPU, NO_ACCELERATOR, Device, check_usable, xp

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from collections.abc import Callable, Sequence
    from typing import Any, overload

    from ._backend import ndarray
    from ._dtype import dtype as _DType
    from ._random import Generator
    from .utils.hooks import RemovableHandle

    # the class body defines methods named int, float and bool: these keep the builtins
    _int = int
    _float = float
    _bool = bool
    _Scalar = int | float | bool | complex  # torch's Number (plus complex)
    _Dims = int | Sequence[int] | None  # one dim, several, or all

__all__ = ["Tensor", "Size"]

_new = object.__new__


class Size(tuple):
    """``torch.Size``: a tuple of ints with PyTorch's repr."""

    __module__ = "ember"
    def __repr__(self):
        return "torch.Size([" + ", ".join(str(s) for s in self) + "])"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, k):
        r = tuple.__getitem__(self, k)
        return Size(r) if isinstance(k, slice) else r

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __reduce__(self):
        return (Size, (tuple(self),))


def _make(arr, req, grad_fn, output_nr, vc):
    """Wrap an ndarray (the hot path of every op; no checks)."""
    t = _new(Tensor)
    t._array = arr
    t._requires_grad = req
    t.grad_fn = grad_fn
    t._output_nr = output_nr
    t._version_counter = [0] if vc is None else vc
    t._grad = None
    t._retains = False
    t._hooks = None
    t._acc = None
    t._base = None
    return t


def _adopt(dst, src):
    """Give ``dst`` (a new, uninitialised instance of Tensor or a subclass) every slot of
    ``src``: ``_make`` stays the one place that lists a tensor's fields."""
    for k in _SLOT_NAMES:
        setattr(dst, k, getattr(src, k))
    return dst


def bump_version(t: Tensor) -> None:
    """Record an in-place write to ``t``'s storage (the counter all its views share)."""
    t._version_counter[0] += 1


def _graph_tensor(node, arr, item):
    """A saved array as a Tensor for create_graph backward (see graph.Node._unpack_saved)."""
    if item is None:  # not an input/output: constant data (masks, indices) stays an array
        return arr
    kind, ref = item[0], item[1]
    if kind == 1:  # input: the tensor itself, cast like the forward did
        if ref._array.dtype != arr.dtype:
            return ref.to(D.from_numpy_dtype(arr.dtype))
        return ref
    return _make(arr, True, node, ref, item[2])  # output ref of this node


_LEAF_INPLACE = ("a leaf Variable that requires grad is being used in an in-place operation.")
_VIEW_LEAF_INPLACE = ("a view of a leaf Variable that requires grad is being used in an in-place "
                      "operation.")


class Tensor:
    """A multi-dimensional array with autograd (``torch.Tensor``)."""

    __module__ = "ember"  # what type(t) prints: <class 'ember.Tensor'>
    __slots__ = ("_array", "_requires_grad", "grad_fn", "_output_nr", "_version_counter",
                 "_grad", "_retains", "_hooks", "_acc", "_base", "__weakref__", "__dict__")
    __array_ufunc__ = None  # ndarray (op) Tensor -> our reflected operator
    __array_priority__ = 1000
    # the slots' types (declarations only: _make fills them)
    _array: ndarray
    _requires_grad: _bool
    grad_fn: Any  # the autograd Node that made this tensor, or None for a leaf
    _output_nr: _int
    _version_counter: list[_int]
    _grad: Tensor | None
    _retains: _bool
    _hooks: OrderedDict[_int, Callable[..., Any]] | None
    _acc: Any
    _base: Tensor | None

    def __new__(cls, *args, **kwargs):
        return _new(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Legacy constructor: ``Tensor([1, 2])`` (data, default dtype), ``Tensor(2, 3)``
        (sizes), ``Tensor(t)`` (an alias of t); see ``_tensor_legacy``."""
        _adopt(self, _legacy.legacy_new(D.get_default_dtype(), args, kwargs, False))

    # ---------------------------------------------------------------- metadata
    @property
    def shape(self) -> Size:
        return Size(self._array.shape)

    if TYPE_CHECKING:  # the overloads that say what each call returns (no runtime cost)
        @overload
        def size(self, dim: None = None) -> Size: ...
        @overload
        def size(self, dim: _int) -> _int: ...

    def size(self, dim: _int | None = None) -> Size | _int:
        if dim is None:
            return Size(self._array.shape)
        return self._array.shape[_ops_utils.wrap_dim(dim, self._array.ndim)]

    @property
    def dtype(self) -> _DType:
        return D.from_numpy_dtype(self._array.dtype)

    @property
    def device(self) -> Device:
        return CPU

    @property
    def is_cuda(self) -> _bool:
        return False

    @property
    def layout(self) -> Any:
        return _layout.layout("strided")

    @property
    def ndim(self) -> int:
        return self._array.ndim

    def dim(self) -> int:
        return self._array.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._array.size

    nelement = numel

    def element_size(self) -> int:
        return self._array.itemsize

    if TYPE_CHECKING:
        @overload
        def stride(self, dim: None = None) -> tuple[_int, ...]: ...
        @overload
        def stride(self, dim: _int) -> _int: ...

    def stride(self, dim: _int | None = None) -> tuple[_int, ...] | _int:
        st = tuple(s // self._array.itemsize for s in self._array.strides)
        return st if dim is None else st[_ops_utils.wrap_dim(dim, self._array.ndim)]

    def is_contiguous(self, memory_format: object = None) -> bool:
        return bool(self._array.flags.c_contiguous)

    def is_floating_point(self) -> bool:
        return self._array.dtype.kind == "f"

    def is_complex(self) -> bool:
        return self._array.dtype.kind == "c"

    def data_ptr(self) -> int:
        return self._array.__array_interface__["data"][0]

    def get_device(self) -> int:
        return -1

    @property
    def _version(self) -> int:
        return self._version_counter[0]

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def output_nr(self) -> int:
        return self._output_nr

    # ---------------------------------------------------------------- autograd state
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: _bool) -> None:
        value = bool(value)
        if self.grad_fn is not None:
            if value:
                return
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if value:  # (torch's refusals: a non-float dtype, an inference tensor)
            _ops_utils.check_requires_grad(self)
        self._requires_grad = value

    def requires_grad_(self, requires_grad: _bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self) -> Tensor | None:
        if self.grad_fn is not None and not self._retains:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed "
                "want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() "
                "on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure "
                "you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 "
                "for more information.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value._array.shape != self._array.shape:
                raise RuntimeError(
                    f"assigned grad has data of a different size: {Size(value._array.shape)} "
                    f"vs {Size(self._array.shape)}")
            if value._array.dtype != self._array.dtype or self.__dict__:  # (grad_dtype)
                _ops_utils.check_grad_dtype(self, value)
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        return self._retains

    def retain_grad(self) -> None:
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains:
            return
        import weakref
        from .autograd.function import grad_fn_of
        node = grad_fn_of(self)
        assert node is not None  # a non-leaf
        if node._retained is None:
            node._retained = {}
        node._retained[self._output_nr] = weakref.ref(self)
        self._retains = True

    def register_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(grad) -> Tensor or None`` runs when this tensor's gradient is computed."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            from .autograd.graph import add_hook
            if self._hooks is None:
                self._hooks = OrderedDict()
            return add_hook(self._hooks, hook)
        from .autograd.function import grad_fn_of
        node = grad_fn_of(self)
        assert node is not None
        return node._add_pre_hook(self._output_nr, hook)

    # set per tensor by register_post_accumulate_grad_hook
    _post_acc_hooks: OrderedDict[_int, Callable[..., Any]] | None = None

    def register_post_accumulate_grad_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(tensor)`` runs after this leaf's gradient has been accumulated into ``.grad``
        (torch's pattern for an optimizer step inside backward)."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        from .autograd.graph import add_hook
        if self._post_acc_hooks is None:
            self._post_acc_hooks = OrderedDict()
        return add_hook(self._post_acc_hooks, hook)

    def backward(self, gradient: Tensor | None = None, retain_graph: _bool | None = None,
                 create_graph: _bool = False,
                 inputs: Tensor | Sequence[Tensor] | None = None) -> None:
        from .autograd import backward as _bw
        _bw(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        t = _make(self._array, False, None, 0, self._version_counter)
        t._base = self if self._base is None else self._base
        return t

    def detach_(self) -> Tensor:
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                "as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                "called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
        self.grad_fn = None
        self._requires_grad = False
        self._output_nr = 0
        return self

    @property
    def data(self) -> Tensor:
        # shares storage but not the version counter: changes through .data are invisible to
        # autograd, as in PyTorch (that is what .data is for; .detach() shares the counter)
        return _make(self._array, False, None, 0, None)

    @data.setter
    def data(self, value: Any) -> None:
        self._array = value._array if isinstance(value, Tensor) else xp.asarray(value)
        self._version_counter = [0]

    # ---------------------------------------------------------------- conversion
    def item(self) -> _Scalar:
        a = self._array
        if a.size != 1:
            raise RuntimeError(f"a Tensor with {a.size} elements cannot be converted to Scalar")
        return a.reshape(()).item()

    def tolist(self) -> list[Any] | _Scalar:
        return self._array.tolist()

    def numpy(self, *, force: _bool = False) -> ndarray:
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._array

    def __array__(self, dtype=None, copy=None):
        if dtype is not None:
            return self._array.astype(dtype)
        return self._array

    def cpu(self) -> Tensor:
        return self

    def cuda(self, device: Any = None, *a: Any, **k: Any) -> Tensor:
        if device is not None and not isinstance(device, int) and Device(device).type != "cuda":
            raise RuntimeError("Invalid device, must be cuda device")
        check_usable("cuda" if device is None else device, True)  # raises (CPU only)
        return self

    def __len__(self):
        if self._array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._array.shape[0]

    def __iter__(self):
        if self._array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._array.size != 1:
            if self._array.size == 0:
                raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._array.reshape(()))

    def __float__(self):
        return float(self._scalar(warn=True))

    def __int__(self):
        return int(self._scalar())

    def __complex__(self):
        return complex(self._scalar(warn=True))

    def _scalar(self, warn=False):
        """The Python number of a one-element tensor (float(), int(), complex(); the first two
        warn once per process for a tensor that requires grad, as torch's TORCH_WARN_ONCE)."""
        if warn and self._requires_grad and _legacy.warn_scalar_once():
            warnings.warn(_legacy.SCALAR_GRAD_WARNING, UserWarning, stacklevel=3)
        a = self._array
        if a.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return a.reshape(()).item()

    def __index__(self):
        if self._array.dtype.kind not in "iub" or self._array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    def __hash__(self):
        return id(self)

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr
        return tensor_repr(self)

    def __format__(self, spec):
        # PyTorch: a 0-dim plain Tensor formats as its Python number, even with an empty spec
        if self._array.ndim == 0 and type(self) is Tensor:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, proto):
        return (_rebuild, (self._array, self._requires_grad))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.")
        new = _make(self._array.copy(), self._requires_grad, None, 0, None)
        if type(self) is not Tensor:
            new = _adopt(type(self).__new__(type(self)), new)
            if hasattr(self, "__dict__"):
                import copy
                new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    # ---------------------------------------------------------------- dtype / device moves
    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        dtype = kwargs.get("dtype")
        copy = kwargs.get("copy", False)
        for a in args:
            if isinstance(a, Tensor):  # first: `tensor in (float, ...)` would compare
                dtype = a.dtype
            elif isinstance(a, D.dtype) or a in (float, int, bool):
                dtype = a
            elif a.__class__ in (str, Device, int):
                check_usable(a, True)  # the CPU passes; others raise as CPU torch
        if kwargs.get("device") is not None:
            check_usable(kwargs["device"], True)
        if dtype is None:
            return self.clone() if copy else self
        dt = D.to_dtype(dtype)
        if dt.np == self._array.dtype and not copy:
            return self
        return _pw.to_copy(self, dt)

    if TYPE_CHECKING:
        @overload
        def type(self, dtype: None = None, non_blocking: _bool = False, **kw: Any) -> str: ...
        @overload
        def type(self, dtype: _DType | str, non_blocking: _bool = False,
                 **kw: Any) -> Tensor: ...

    def type(self, dtype: _DType | str | None = None, non_blocking: _bool = False,
             **kw: Any) -> str | Tensor:
        return _legacy.tensor_type(self, dtype, non_blocking, **kw)

    def new(self, *args: Any, **kwargs: Any) -> Tensor:
        return _legacy.legacy_new(self.dtype, args, kwargs, True)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def float(self) -> Tensor:
        return self.to(D.float32)

    def double(self) -> Tensor:
        return self.to(D.float64)

    def half(self) -> Tensor:
        return self.to(D.float16)

    def long(self) -> Tensor:
        return self.to(D.int64)

    def int(self) -> Tensor:
        return self.to(D.int32)

    def short(self) -> Tensor:
        return self.to(D.int16)

    def char(self) -> Tensor:
        return self.to(D.int8)

    def byte(self) -> Tensor:
        return self.to(D.uint8)

    def bool(self) -> Tensor:
        return self.to(D.bool)

    def contiguous(self, memory_format: object = None) -> Tensor:
        return _sh.contiguous(self)

    def clone(self, memory_format: object = None) -> Tensor:
        return _pw.clone(self)

    def new_tensor(self, data: Any, dtype: _DType | None = None,
                   requires_grad: _bool = False) -> Tensor:
        from ._creation import tensor
        return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_zeros(self, *size: _int | Sequence[_int], dtype: _DType | None = None,
                  requires_grad: _bool = False, **kw: Any) -> Tensor:
        from ._creation import zeros
        return zeros(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_ones(self, *size: _int | Sequence[_int], dtype: _DType | None = None,
                 requires_grad: _bool = False, **kw: Any) -> Tensor:
        from ._creation import ones
        return ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_full(self, size: Sequence[_int], fill_value: _Scalar, dtype: _DType | None = None,
                 requires_grad: _bool = False, **kw: Any) -> Tensor:
        from ._creation import full
        return full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_empty(self, *size: _int | Sequence[_int], dtype: _DType | None = None,
                  requires_grad: _bool = False, **kw: Any) -> Tensor:
        from ._creation import empty
        return empty(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    # ---------------------------------------------------------------- operators
    def __add__(self, o):
        return _binary(_Add, self, o)

    def __radd__(self, o):
        return _binary(_Add, self, o)

    def __sub__(self, o):
        return _binary(_Sub, self, o)

    def __rsub__(self, o):
        return _pw.rsub(self, o)

    def __mul__(self, o):
        return _binary(_Mul, self, o)

    def __rmul__(self, o):
        return _binary(_Mul, self, o)

    def __truediv__(self, o):
        return _pw.div(self, o)

    def __rtruediv__(self, o):
        return _pw.rdiv(self, o)

    def __floordiv__(self, o):
        return _pw.floor_divide(self, o)

    def __rfloordiv__(self, o):
        return _pw.floor_divide(o, self)

    def __mod__(self, o):
        return _pw.remainder(self, o)

    def __rmod__(self, o):
        return _pw.remainder(o, self)

    def __pow__(self, o):
        return _pw.pow(self, o)

    def __rpow__(self, o):
        return _pw.rpow(self, o)

    def __matmul__(self, o):
        return _la.matmul(self, o)

    def __rmatmul__(self, o):
        return _la.matmul(o, self)

    def __neg__(self):
        return _pw.neg(self)

    def __pos__(self):
        if self._array.dtype.kind == "b":
            raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
        return self

    positive = __pos__

    def __abs__(self):
        return _pw.abs(self)

    def __invert__(self):
        if self._array.dtype.kind not in "biu":
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                            "tensors")
        return _cmp.bitwise_not(self)

    def __and__(self, o):
        return _cmp.bitwise_and(self, o)

    __rand__ = __and__

    def __or__(self, o):
        return _cmp.bitwise_or(self, o)

    __ror__ = __or__

    def __xor__(self, o):
        return _cmp.bitwise_xor(self, o)

    __rxor__ = __xor__

    def __eq__(self, o):
        return _cmp.eq(self, o)

    def __ne__(self, o):
        return _cmp.ne(self, o)

    def __lt__(self, o):
        return _cmp.lt(self, o)

    def __le__(self, o):
        return _cmp.le(self, o)

    def __gt__(self, o):
        return _cmp.gt(self, o)

    def __ge__(self, o):
        return _cmp.ge(self, o)

    def __iadd__(self, o):
        return self.add_(o)

    def __isub__(self, o):
        return self.sub_(o)

    def __imul__(self, o):
        return self.mul_(o)

    def __itruediv__(self, o):
        return self.div_(o)

    def __ipow__(self, o):
        return self.pow_(o)

    def __getitem__(self, idx):
        return _ix.getitem(self, idx)

    def __setitem__(self, idx, value):
        _ix.setitem(self, idx, value)

    # ---------------------------------------------------------------- pointwise math
    def add(self, other: Tensor | _Scalar, *, alpha: _Scalar = 1) -> Tensor:
        return _pw.add(self, other, alpha=alpha)

    def sub(self, other: Tensor | _Scalar, *, alpha: _Scalar = 1) -> Tensor:
        return _pw.sub(self, other, alpha=alpha)

    subtract = sub

    def mul(self, other: Tensor | _Scalar) -> Tensor:
        return _pw.mul(self, other)

    multiply = mul

    def div(self, other: Tensor | _Scalar, *, rounding_mode: str | None = None) -> Tensor:
        return _pw.div(self, other, rounding_mode=rounding_mode)

    divide = true_divide = div

    def floor_divide(self, other: Tensor | _Scalar) -> Tensor:
        return _pw.floor_divide(self, other)

    def remainder(self, other: Tensor | _Scalar) -> Tensor:
        return _pw.remainder(self, other)

    def fmod(self, other: Tensor | _Scalar) -> Tensor:
        return _pw.fmod(self, other)

    def pow(self, exponent: Tensor | _Scalar) -> Tensor:
        return _pw.pow(self, exponent)

    def neg(self) -> Tensor:
        return _pw.neg(self)

    negative = neg

    def abs(self) -> Tensor:
        return _pw.abs(self)

    absolute = abs

    def exp(self) -> Tensor:
        return _pw.exp(self)

    def exp2(self) -> Tensor:
        return _pw.exp2(self)

    def expm1(self) -> Tensor:
        return _pw.expm1(self)

    def log(self) -> Tensor:
        return _pw.log(self)

    def log2(self) -> Tensor:
        return _pw.log2(self)

    def log10(self) -> Tensor:
        return _pw.log10(self)

    def log1p(self) -> Tensor:
        return _pw.log1p(self)

    def sqrt(self) -> Tensor:
        return _pw.sqrt(self)

    def rsqrt(self) -> Tensor:
        return _pw.rsqrt(self)

    def square(self) -> Tensor:
        return _pw.square(self)

    def reciprocal(self) -> Tensor:
        return _pw.reciprocal(self)

    def sin(self) -> Tensor:
        return _pw.sin(self)

    def cos(self) -> Tensor:
        return _pw.cos(self)

    def tan(self) -> Tensor:
        return _pw.tan(self)

    def asin(self) -> Tensor:
        return _pw.asin(self)

    arcsin = asin

    def acos(self) -> Tensor:
        return _pw.acos(self)

    arccos = acos

    def atan(self) -> Tensor:
        return _pw.atan(self)

    arctan = atan

    def atan2(self, other: Tensor) -> Tensor:
        return _pw.atan2(self, other)

    arctan2 = atan2

    def sinh(self) -> Tensor:
        return _pw.sinh(self)

    def cosh(self) -> Tensor:
        return _pw.cosh(self)

    def tanh(self) -> Tensor:
        return _pw.tanh(self)

    def asinh(self) -> Tensor:
        return _pw.asinh(self)

    def acosh(self) -> Tensor:
        return _pw.acosh(self)

    def atanh(self) -> Tensor:
        return _pw.atanh(self)

    def sigmoid(self) -> Tensor:
        return _pw.sigmoid(self)

    def logit(self, eps: _float | None = None) -> Tensor:
        return _pw.logit(self, eps)

    def relu(self) -> Tensor:
        return _pw.relu(self)

    def erf(self) -> Tensor:
        return _pw.erf(self)

    def erfc(self) -> Tensor:
        return _pw.erfc(self)

    def erfinv(self) -> Tensor:
        return _pw.erfinv(self)

    def sign(self) -> Tensor:
        return _pw.sign(self)

    def sgn(self) -> Tensor:
        return _pw.sgn(self)

    def floor(self) -> Tensor:
        return _pw.floor(self)

    def ceil(self) -> Tensor:
        return _pw.ceil(self)

    def round(self, decimals: _int | None = None) -> Tensor:
        return _pw.round(self, decimals=decimals)

    def trunc(self) -> Tensor:
        return _pw.trunc(self)

    fix = trunc

    def frac(self) -> Tensor:
        return _pw.frac(self)

    def clamp(self, min: Tensor | _Scalar | None = None,
              max: Tensor | _Scalar | None = None) -> Tensor:
        return _pw.clamp(self, min, max)

    clip = clamp

    def clamp_min(self, min: Tensor | _Scalar) -> Tensor:
        return _pw.clamp_min(self, min)

    def clamp_max(self, max: Tensor | _Scalar) -> Tensor:
        return _pw.clamp_max(self, max)

    def maximum(self, other: Tensor) -> Tensor:
        return _pw.maximum(self, other)

    def minimum(self, other: Tensor) -> Tensor:
        return _pw.minimum(self, other)

    def fmax(self, other: Tensor) -> Tensor:
        return _pw.fmax(self, other)

    def fmin(self, other: Tensor) -> Tensor:
        return _pw.fmin(self, other)

    def lerp(self, end: Tensor, weight: Tensor | _float) -> Tensor:
        return _pw.lerp(self, end, weight)

    def addcmul(self, t1: Tensor, t2: Tensor, *, value: _Scalar = 1) -> Tensor:
        return _pw.addcmul(self, t1, t2, value=value)

    def addcdiv(self, t1: Tensor, t2: Tensor, *, value: _Scalar = 1) -> Tensor:
        return _pw.addcdiv(self, t1, t2, value=value)

    def where(self, condition: Tensor, other: Tensor | _Scalar) -> Tensor:
        return _pw.where(condition, self, other)

    def masked_fill(self, mask: Tensor, value: Tensor | _Scalar) -> Tensor:
        return _pw.masked_fill(self, mask, value)

    def isnan(self) -> Tensor:
        return _cmp.isnan(self)

    def isinf(self) -> Tensor:
        return _cmp.isinf(self)

    def isfinite(self) -> Tensor:
        return _cmp.isfinite(self)

    def nan_to_num(self, nan: _float = 0.0, posinf: _float | None = None,
                   neginf: _float | None = None) -> Tensor:
        return _pw.nan_to_num(self, nan, posinf, neginf)

    def softmax(self, dim: _int, dtype: _DType | None = None) -> Tensor:
        return _red.softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim: _int, dtype: _DType | None = None) -> Tensor:
        return _red.log_softmax(self, dim, dtype=dtype)

    def eq(self, o: Tensor | _Scalar) -> Tensor:
        return _cmp.eq(self, o)

    def ne(self, o: Tensor | _Scalar) -> Tensor:
        return _cmp.ne(self, o)

    not_equal = ne

    def lt(self, o: Tensor | _Scalar) -> Tensor:
        return _cmp.lt(self, o)

    less = lt

    def le(self, o: Tensor | _Scalar) -> Tensor:
        return _cmp.le(self, o)

    less_equal = le

    def gt(self, o: Tensor | _Scalar) -> Tensor:
        return _cmp.gt(self, o)

    greater = gt

    def ge(self, o: Tensor | _Scalar) -> Tensor:
        return _cmp.ge(self, o)

    greater_equal = ge

    def equal(self, o: Tensor) -> _bool:
        return _cmp.equal(self, o)

    def allclose(self, other: Tensor, rtol: _float = 1e-05, atol: _float = 1e-08,
                 equal_nan: _bool = False) -> _bool:
        return _cmp.allclose(self, other, rtol, atol, equal_nan)

    def isclose(self, other: Tensor, rtol: _float = 1e-05, atol: _float = 1e-08,
                equal_nan: _bool = False) -> Tensor:
        return _cmp.isclose(self, other, rtol, atol, equal_nan)

    def logical_and(self, o: Tensor | _Scalar) -> Tensor:
        return _cmp.logical_and(self, o)

    def logical_or(self, o: Tensor | _Scalar) -> Tensor:
        return _cmp.logical_or(self, o)

    def logical_xor(self, o: Tensor | _Scalar) -> Tensor:
        return _cmp.logical_xor(self, o)

    def logical_not(self) -> Tensor:
        return _cmp.logical_not(self)

    def bitwise_not(self) -> Tensor:
        return _cmp.bitwise_not(self)

    # ---------------------------------------------------------------- reductions
    def sum(self, dim: _Dims = None, keepdim: _bool = False, *,
            dtype: _DType | None = None) -> Tensor:
        return _red.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim: _Dims = None, keepdim: _bool = False, *,
             dtype: _DType | None = None) -> Tensor:
        return _red.mean(self, dim, keepdim, dtype=dtype)

    def nansum(self, dim: _Dims = None, keepdim: _bool = False, *,
               dtype: _DType | None = None) -> Tensor:
        return _red.nansum(self, dim, keepdim, dtype=dtype)

    def prod(self, dim: _int | None = None, keepdim: _bool = False, *,
             dtype: _DType | None = None) -> Tensor:
        return _red.prod(self, dim, keepdim, dtype=dtype)

    def max(self, dim: _int | Tensor | None = None,
            keepdim: _bool = False) -> Tensor | tuple[Tensor, Tensor]:
        return _red.max(self, dim, keepdim)

    def min(self, dim: _int | Tensor | None = None,
            keepdim: _bool = False) -> Tensor | tuple[Tensor, Tensor]:
        return _red.min(self, dim, keepdim)

    def amax(self, dim: _Dims = (), keepdim: _bool = False) -> Tensor:
        return _red.amax(self, dim, keepdim)

    def amin(self, dim: _Dims = (), keepdim: _bool = False) -> Tensor:
        return _red.amin(self, dim, keepdim)

    def argmax(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        return _red.argmax(self, dim, keepdim)

    def argmin(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        return _red.argmin(self, dim, keepdim)

    def std(self, dim: _Dims = None, unbiased: _bool | None = None, keepdim: _bool = False, *,
            correction: _int | _float | None = None) -> Tensor:
        return _red.std(self, dim, unbiased, keepdim, correction=correction)

    def var(self, dim: _Dims = None, unbiased: _bool | None = None, keepdim: _bool = False, *,
            correction: _int | _float | None = None) -> Tensor:
        return _red.var(self, dim, unbiased, keepdim, correction=correction)

    def norm(self, p: _float | str | None = "fro", dim: _Dims = None, keepdim: _bool = False,
             dtype: _DType | None = None) -> Tensor:
        return _red.norm(self, p, dim, keepdim, dtype=dtype)

    def logsumexp(self, dim: _int | Sequence[_int], keepdim: _bool = False) -> Tensor:
        return _red.logsumexp(self, dim, keepdim)

    def cumsum(self, dim: _int, *, dtype: _DType | None = None) -> Tensor:
        return _red.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim: _int, *, dtype: _DType | None = None) -> Tensor:
        return _red.cumprod(self, dim, dtype=dtype)

    def all(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        return _red.all(self, dim, keepdim)

    def any(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        return _red.any(self, dim, keepdim)

    def count_nonzero(self, dim: _Dims = None) -> Tensor:
        return _red.count_nonzero(self, dim)

    def median(self, dim: _int | None = None,
               keepdim: _bool = False) -> Tensor | tuple[Tensor, Tensor]:
        return _red.median(self, dim, keepdim)

    def sort(self, *args: Any, **kwargs: Any) -> tuple[Tensor, Tensor]:
        """sort(dim=-1, descending=False) or sort(*, stable, dim=-1, descending=False)."""
        if args or kwargs:
            return _red._sort(self, *_red._sort_args("sort", args, kwargs, True))
        return _red._sort(self)

    def argsort(self, *args: Any, **kwargs: Any) -> Tensor:
        """argsort(dim=-1, descending=False) or argsort(*, stable, dim=-1, descending=False)."""
        if args or kwargs:
            return _red._sort(self, *_red._sort_args("argsort", args, kwargs, True)).indices
        return _red._sort(self).indices

    def topk(self, k: _int, dim: _int = -1, largest: _bool = True,
             sorted: _bool = True) -> tuple[Tensor, Tensor]:
        return _red.topk(self, k, dim, largest, sorted)

    # ---------------------------------------------------------------- shape
    def view(self, *shape: _int | Sequence[_int]) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (D.dtype,)):
            raise NotImplementedError("view(dtype) is not supported by ember")
        return _sh.view(self, *shape)

    def view_as(self, other: Tensor) -> Tensor:
        return _sh.view(self, other.shape)

    def reshape(self, *shape: _int | Sequence[_int]) -> Tensor:
        return _sh.reshape(self, *shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return _sh.reshape(self, other.shape)

    def flatten(self, start_dim: _int = 0, end_dim: _int = -1) -> Tensor:
        return _sh.flatten(self, start_dim, end_dim)

    def unflatten(self, dim: _int, sizes: Sequence[_int]) -> Tensor:
        return _sh.unflatten(self, dim, sizes)

    def squeeze(self, dim: _Dims = None) -> Tensor:
        return _sh.squeeze(self, dim)

    def unsqueeze(self, dim: _int) -> Tensor:
        return _sh.unsqueeze(self, dim)

    def permute(self, *dims: _int | Sequence[_int]) -> Tensor:
        return _sh.permute(self, *dims)

    def transpose(self, dim0: _int, dim1: _int) -> Tensor:
        return _sh.transpose(self, dim0, dim1)

    swapaxes = swapdims = transpose

    def t(self) -> Tensor:
        return _sh.t(self)

    @property
    def T(self) -> Tensor:
        return _sh.permute(self, *range(self._array.ndim - 1, -1, -1))

    @property
    def mT(self) -> Tensor:
        if self._array.ndim == 0:  # torch: the tensor itself (transpose would refuse dim -2)
            warnings.warn("Tensor.mT is deprecated on 0-D tensors. This function is the "
                          "identity in these cases.", stacklevel=2)
            return self
        if self._array.ndim == 1:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                               "Got 1-D tensor.")
        return _sh.transpose(self, -2, -1)

    def movedim(self, source: _int | Sequence[_int], destination: _int | Sequence[_int]) -> Tensor:
        return _sh.movedim(self, source, destination)

    moveaxis = movedim

    def expand(self, *sizes: _int | Sequence[_int]) -> Tensor:
        return _sh.expand(self, *sizes)

    def expand_as(self, other: Tensor) -> Tensor:
        return _sh.expand(self, other.shape)

    def broadcast_to(self, shape: Sequence[_int]) -> Tensor:
        return _sh.expand(self, shape)

    def repeat(self, *sizes: _int | Sequence[_int]) -> Tensor:
        return _sh.repeat(self, *sizes)

    def tile(self, *dims: _int | Sequence[_int]) -> Tensor:
        return _sh.tile(self, *dims)

    def split(self, split_size: _int | Sequence[_int], dim: _int = 0) -> tuple[Tensor, ...]:
        return _sh.split(self, split_size, dim)

    def tensor_split(self, indices_or_sections: _int | Sequence[_int] | Tensor,
                     dim: _int = 0) -> tuple[Tensor, ...]:
        return _sh.tensor_split(self, indices_or_sections, dim)

    def chunk(self, chunks: _int, dim: _int = 0) -> tuple[Tensor, ...]:
        return _sh.chunk(self, chunks, dim)

    def unbind(self, dim: _int = 0) -> tuple[Tensor, ...]:
        return _sh.unbind(self, dim)

    def narrow(self, dim: _int, start: _int, length: _int) -> Tensor:
        return _sh.narrow(self, dim, start, length)

    def select(self, dim: _int, index: _int) -> Tensor:
        return _sh.select(self, dim, index)

    def flip(self, *dims: _int | Sequence[_int], **kw: Any) -> Tensor:
        return _sh.flip(self, *dims, **kw)

    def fliplr(self) -> Tensor:
        return _sh.fliplr(self)

    def flipud(self) -> Tensor:
        return _sh.flipud(self)

    def roll(self, shifts: _int | Sequence[_int],
             dims: _int | Sequence[_int] | None = None) -> Tensor:
        return _sh.roll(self, shifts, dims)

    def tril(self, diagonal: _int = 0) -> Tensor:
        return _sh.tril(self, diagonal)

    def triu(self, diagonal: _int = 0) -> Tensor:
        return _sh.triu(self, diagonal)

    def diag(self, diagonal: _int = 0) -> Tensor:
        return _sh.diag(self, diagonal)

    def diagonal(self, offset: _int = 0, dim1: _int = 0, dim2: _int = 1) -> Tensor:
        return _sh.diagonal(self, offset, dim1, dim2)

    def diag_embed(self, offset: _int = 0, dim1: _int = -2, dim2: _int = -1) -> Tensor:
        return _sh.diag_embed(self, offset, dim1, dim2)

    def diagflat(self, offset: _int = 0) -> Tensor:
        return _sh.diagflat(self, offset)

    def trace(self) -> Tensor:
        return _sh.trace(self)

    def gather(self, dim: _int, index: Tensor) -> Tensor:
        return _ix.gather(self, dim, index)

    def scatter(self, dim: _int, index: Tensor, src: Tensor | None = None,
                value: _Scalar | None = None, *, reduce: str | None = None) -> Tensor:
        return _ix.scatter(self, dim, index, src if src is not None else value, reduce=reduce)

    def scatter_add(self, dim: _int, index: Tensor, src: Tensor) -> Tensor:
        return _ix.scatter_add(self, dim, index, src)

    def scatter_reduce(self, dim: _int, index: Tensor, src: Tensor, reduce: str, *,
                       include_self: _bool = True) -> Tensor:
        return _ix.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)

    def index_put(self, indices: Sequence[Tensor | None], values: Tensor,
                  accumulate: _bool = False) -> Tensor:
        return _ix.index_put(self, indices, values, accumulate)

    def index_select(self, dim: _int, index: Tensor) -> Tensor:
        return _ix.index_select(self, dim, index)

    def index_add(self, dim: _int, index: Tensor, source: Tensor, *,
                  alpha: _Scalar = 1) -> Tensor:
        return _ix.index_add(self, dim, index, source, alpha=alpha)

    def index_copy(self, dim: _int, index: Tensor, source: Tensor) -> Tensor:
        return _ix.index_copy(self, dim, index, source)

    def index_fill(self, dim: _int, index: Tensor, value: Tensor | _Scalar) -> Tensor:
        return _ix.index_fill(self, dim, index, value)

    def masked_scatter(self, mask: Tensor, source: Tensor) -> Tensor:
        return _ix.masked_scatter(self, mask, source)

    def take_along_dim(self, indices: Tensor, dim: _int | None = None) -> Tensor:
        return _ix.take_along_dim(self, indices, dim)

    def argwhere(self) -> Tensor:
        return _ix.argwhere(self)

    def masked_select(self, mask: Tensor) -> Tensor:
        return _ix.masked_select(self, mask)

    def take(self, index: Tensor) -> Tensor:
        return _ix.take(self, index)

    def nonzero(self, *, as_tuple: _bool = False) -> Tensor | tuple[Tensor, ...]:
        return _ix.nonzero(self, as_tuple=as_tuple)

    def unique(self, sorted: _bool = True, return_inverse: _bool = False,
               return_counts: _bool = False,
               dim: _int | None = None) -> Tensor | tuple[Tensor, ...]:
        return _ix.unique(self, sorted, return_inverse, return_counts, dim)

    # ---------------------------------------------------------------- linear algebra
    def matmul(self, other: Tensor) -> Tensor:
        return _la.matmul(self, other)

    def mm(self, other: Tensor) -> Tensor:
        return _la.mm(self, other)

    def bmm(self, other: Tensor) -> Tensor:
        return _la.bmm(self, other)

    def mv(self, vec: Tensor) -> Tensor:
        return _la.mv(self, vec)

    def dot(self, other: Tensor) -> Tensor:
        return _la.dot(self, other)

    def outer(self, other: Tensor) -> Tensor:
        return _la.outer(self, other)

    ger = outer

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: _Scalar = 1, alpha: _Scalar = 1) -> Tensor:
        return _la.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    # ---------------------------------------------------------------- in-place
    def add_(self, other: Tensor | _Scalar, *, alpha: _Scalar = 1) -> Tensor:
        if self._fast_add(other, alpha):
            return _inp.add_(self, other, alpha)
        return _pw.add_(self, other, alpha)

    def sub_(self, other: Tensor | _Scalar, *, alpha: _Scalar = 1) -> Tensor:
        if self._fast_add(other, alpha):
            if not (self._requires_grad or (isinstance(other, Tensor) and other._requires_grad)):
                return _inp.add_(self, other, -alpha)
            return _inp.inplace(self, _pw.sub, other, alpha=alpha)  # torch's SubBackward0
        return _pw.add_(self, other, alpha, sub=True)

    def _fast_add(self, other, alpha):
        """add_/sub_ straight into the buffer: a float tensor and a number or a tensor of its
        dtype (the rest needs torch's promotion and checks)."""
        a = self._array
        return a.dtype.kind == "f" and alpha.__class__ is not bool and (
            other.__class__ is float or other.__class__ is int or (
                isinstance(other, Tensor) and other._array.dtype == a.dtype))

    def mul_(self, other: Tensor | _Scalar) -> Tensor:
        return _inp.inplace(self, _pw.mul, other)

    def div_(self, other: Tensor | _Scalar, *, rounding_mode: str | None = None) -> Tensor:
        return _inp.inplace(self, _pw.div, other, rounding_mode=rounding_mode)

    def pow_(self, exponent: Tensor | _Scalar) -> Tensor:
        return _inp.inplace(self, _pw.pow, exponent)

    def neg_(self) -> Tensor:
        return _inp.inplace(self, _pw.neg)

    def abs_(self) -> Tensor:
        return _inp.inplace(self, _pw.abs)

    def exp_(self) -> Tensor:
        return _inp.inplace(self, _pw.exp)

    def log_(self) -> Tensor:
        return _inp.inplace(self, _pw.log)

    def sqrt_(self) -> Tensor:
        return _inp.inplace(self, _pw.sqrt)

    def sigmoid_(self) -> Tensor:
        return _inp.inplace(self, _pw.sigmoid)

    def tanh_(self) -> Tensor:
        return _inp.inplace(self, _pw.tanh)

    def relu_(self) -> Tensor:
        return _inp.inplace(self, _pw.relu)

    def clamp_(self, min: Tensor | _Scalar | None = None,
               max: Tensor | _Scalar | None = None) -> Tensor:
        return _pw.clamp_(self, min, max)

    clip_ = clamp_

    def clamp_min_(self, min: Tensor | _Scalar) -> Tensor:
        return _pw.clamp_(self, min, None, _pw.clamp_min)

    def clamp_max_(self, max: Tensor | _Scalar) -> Tensor:
        return _pw.clamp_(self, None, max, _pw.clamp_max)

    def floor_(self) -> Tensor:
        return _inp.inplace(self, _pw.floor)

    def ceil_(self) -> Tensor:
        return _inp.inplace(self, _pw.ceil)

    def round_(self, decimals: _int | None = None) -> Tensor:
        return _inp.inplace(self, _pw.round, decimals=decimals)

    def sign_(self) -> Tensor:
        return _inp.inplace(self, _pw.sign)

    def reciprocal_(self) -> Tensor:
        return _inp.inplace(self, _pw.reciprocal)

    def square_(self) -> Tensor:
        return _inp.inplace(self, _pw.square)

    def lerp_(self, end: Tensor, weight: Tensor | _float) -> Tensor:
        if not isinstance(end, Tensor):
            raise TypeError(f"lerp_() received an invalid combination of arguments - got "
                            f"({type(end).__name__}, {type(weight).__name__}), but expected one "
                            "of:")
        return _inp.inplace(self, _pw.lerp, end, weight)

    def addcmul_(self, t1: Tensor, t2: Tensor, *, value: _Scalar = 1) -> Tensor:
        return _inp.inplace(self, _pw.addcmul, t1, t2, value=value)

    def addcdiv_(self, t1: Tensor, t2: Tensor, *, value: _Scalar = 1) -> Tensor:
        return _inp.inplace(self, _pw.addcdiv, t1, t2, value=value)

    def masked_fill_(self, mask: Tensor, value: Tensor | _Scalar) -> Tensor:
        return _pw.masked_fill_(self, mask, value)

    def copy_(self, src: Tensor, non_blocking: _bool = False) -> Tensor:
        return _inp.copy_(self, src)

    def zero_(self) -> Tensor:
        return _inp.zero_(self)

    def fill_(self, value: Tensor | _Scalar) -> Tensor:
        return _inp.fill_(self, value)

    def scatter_(self, dim: _int, index: Tensor, src: Tensor | None = None,
                 value: _Scalar | None = None, *, reduce: str | None = None) -> Tensor:
        return _inp.inplace(self, _ix.scatter, dim, index,
                            src if src is not None else value, reduce=reduce)

    def scatter_add_(self, dim: _int, index: Tensor, src: Tensor) -> Tensor:
        return _inp.inplace(self, _ix.scatter_add, dim, index, src)

    def scatter_reduce_(self, dim: _int, index: Tensor, src: Tensor, reduce: str, *,
                        include_self: _bool = True) -> Tensor:
        return _inp.inplace(self, _ix.scatter_reduce, dim, index, src, reduce,
                            include_self=include_self)

    def index_put_(self, indices: Sequence[Tensor | None], values: Tensor,
                   accumulate: _bool = False) -> Tensor:
        return _ix.index_put_(self, indices, values, accumulate)

    def index_fill_(self, dim: _int, index: Tensor, value: Tensor | _Scalar) -> Tensor:
        return _inp.inplace(self, _ix.index_fill, dim, index, value)

    def index_add_(self, dim: _int, index: Tensor, source: Tensor, *,
                   alpha: _Scalar = 1) -> Tensor:
        return _inp.inplace(self, _ix.index_add, dim, index, source, alpha=alpha)

    def index_copy_(self, dim: _int, index: Tensor, source: Tensor) -> Tensor:
        return _inp.inplace(self, _ix.index_copy, dim, index, source)

    def masked_scatter_(self, mask: Tensor, source: Tensor) -> Tensor:
        return _ix.masked_scatter_(self, mask, source)

    def uniform_(self, a: _float = 0.0, b: _float = 1.0, *,
                 generator: Generator | None = None) -> Tensor:
        if self._array.dtype.kind not in "fc":
            raise _not_implemented("check_uniform_bounds", self._array.dtype)
        return _inp.random_fill_(self, "uniform", a, b, generator=generator)

    def normal_(self, mean: _float = 0.0, std: _float = 1.0, *,
                generator: Generator | None = None) -> Tensor:
        if self._array.dtype.kind not in "fc":
            raise _not_implemented("normal_kernel_cpu", self._array.dtype)
        return _inp.random_fill_(self, "normal", mean, std, generator=generator)

    def bernoulli_(self, p: _float | Tensor = 0.5, *, generator: Generator | None = None) -> Tensor:
        return _inp.random_fill_(self, "bernoulli", p, None, generator=generator)

    def exponential_(self, lambd: _float = 1.0, *, generator: Generator | None = None) -> Tensor:
        if self._array.dtype.kind not in "fc":
            from ._ops._utils import scalar_type_name
            raise RuntimeError("Exponential distribution is a continuous probability "
                               "distribution. dtype must be a floating point but you specified "
                               f"{scalar_type_name(self._array.dtype)}")
        return _inp.random_fill_(self, "exponential", lambd, None, generator=generator)

    def random_(self, from_: _int | None = None, to: _int | None = None, *,
                generator: Generator | None = None) -> Tensor:  # (from, to), (to) or ()
        node = "RandomBackward0" if from_ is not None and to is not None else \
            "RandomBackward1" if to is not None or from_ is not None else "RandomBackward2"
        if to is None and from_ is not None:
            from_, to = 0, from_
        return _inp.random_fill_(self, "random", from_ or 0, to, generator=generator, node=node)

    def t_(self) -> Tensor:
        return _inp.t_(self)

    def transpose_(self, dim0: _int, dim1: _int) -> Tensor:
        return _inp.transpose_(self, dim0, dim1)

    swapaxes_ = swapdims_ = transpose_

    def unsqueeze_(self, dim: _int) -> Tensor:
        return _inp.unsqueeze_(self, dim)

    def squeeze_(self, dim: _Dims = None) -> Tensor:
        return _inp.squeeze_(self, dim)

    def set_(self, *args: Any, **kwargs: Any) -> Tensor:  # source, storage_offset, size, stride
        return _inp.set_(self, *args, **kwargs)

    def resize_(self, *sizes: _int | Sequence[_int]) -> Tensor:
        return _inp.resize_(self, *sizes)

    def apply_(self, fn: Callable[[Any], Any]) -> Tensor:
        flat = self._array.reshape(-1)
        for i in range(flat.size):
            flat[i] = fn(flat[i].item())
        bump_version(self)
        return self

    def share_memory_(self) -> Tensor:
        return self

    def is_shared(self) -> _bool:
        return False

    def pin_memory(self, device: Any = None) -> Tensor:
        raise RuntimeError(NO_ACCELERATOR)

    def is_pinned(self, device: Any = None) -> _bool:
        return False

    def bernoulli(self, *, generator: Generator | None = None) -> Tensor:
        from ._random import bernoulli
        return bernoulli(self, generator=generator)

    def multinomial(self, num_samples: _int, replacement: _bool = False, *,
                    generator: Generator | None = None) -> Tensor:
        from ._random import multinomial
        return multinomial(self, num_samples, replacement, generator=generator)


def _rebuild(arr, req):
    t = _make(arr, False, None, 0, None)
    t._requires_grad = req
    return t


_SLOT_NAMES = [k for k in Tensor.__slots__ if k not in ("__weakref__", "__dict__")]
_TYPE_NAMES = {d.name: f"torch.{d.scalar_name}Tensor" for d in D._ALL}  # Tensor.type()

# The op modules import this one; bind them after Tensor exists.
from ._ops import _utils as _ops_utils  # noqa: E402
from ._ops._utils import binary as _binary, not_implemented as _not_implemented  # noqa: E402
from ._ops.pointwise import Add as _Add, Mul as _Mul, Sub as _Sub  # noqa: E402
from ._ops import pointwise as _pw  # noqa: E402
from ._ops import comparison as _cmp  # noqa: E402
from ._ops import reduction as _red  # noqa: E402
from ._ops import shape as _sh  # noqa: E402
from ._ops import indexing as _ix  # noqa: E402
from ._ops import linalg as _la  # noqa: E402
from ._ops import inplace as _inp  # noqa: E402
from . import _tensor_legacy as _legacy  # noqa: E402

