"""The Tensor: an ndarray, a shared version counter and autograd metadata.

``_tensor.py`` is a thin dispatcher: every math method is a one-line call into ``ember._ops``.
"""
from __future__ import annotations

import warnings
from collections import OrderedDict

from . import _dtype as D
from ._backend import CPU, Device, xp

__all__ = ["Tensor", "Size"]

_new = object.__new__


class Size(tuple):
    """``torch.Size``: a tuple of ints with PyTorch's repr."""

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


def bump_version(t):
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

    __slots__ = ("_array", "_requires_grad", "grad_fn", "_output_nr", "_version_counter",
                 "_grad", "_retains", "_hooks", "_acc", "_base", "__weakref__", "__dict__")
    __array_ufunc__ = None  # ndarray (op) Tensor -> our reflected operator
    __array_priority__ = 1000

    def __new__(cls, *args, **kwargs):
        return _new(cls)

    def __init__(self, *args, dtype=None, device=None, requires_grad=False):
        """Legacy constructor: ``Tensor([1, 2])`` (float32 data) or ``Tensor(2, 3)`` (sizes)."""
        dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
        if len(args) == 1 and not isinstance(args[0], int):
            a = args[0]
            arr = a._array.astype(dt.np) if isinstance(a, Tensor) else xp.array(a, dtype=dt.np)
        else:
            shape = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
            arr = xp.empty(tuple(int(s) for s in shape), dtype=dt.np)
            arr[...] = 0
        _adopt(self, _make(arr, False, None, 0, None))
        if requires_grad:
            self.requires_grad = True

    # ---------------------------------------------------------------- metadata
    @property
    def shape(self) -> Size:
        return Size(self._array.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._array.shape)
        return self._array.shape[_ops_utils.wrap_dim(dim, self._array.ndim)]

    @property
    def dtype(self):
        return D.from_numpy_dtype(self._array.dtype)

    @property
    def device(self):
        return CPU

    @property
    def is_cuda(self):
        return False

    @property
    def layout(self):
        return "torch.strided"

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

    def stride(self, dim=None):
        st = tuple(s // self._array.itemsize for s in self._array.strides)
        return st if dim is None else st[_ops_utils.wrap_dim(dim, self._array.ndim)]

    def is_contiguous(self, memory_format=None) -> bool:
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
    def requires_grad(self, value):
        value = bool(value)
        if self.grad_fn is not None:
            if value:
                return
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if value and self._array.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = value

    def requires_grad_(self, requires_grad: bool = True):
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self):
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
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value._array.shape != self._array.shape:
                raise RuntimeError(
                    f"assigned grad has data of a different size: {Size(value._array.shape)} "
                    f"vs {Size(self._array.shape)}")
            if value._array.dtype != self._array.dtype:
                raise RuntimeError("assigned grad has data of a different type")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        return self._retains

    def retain_grad(self):
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains:
            return
        import weakref
        from .autograd.function import grad_fn_of
        node = grad_fn_of(self)
        if node._retained is None:
            node._retained = {}
        node._retained[self._output_nr] = weakref.ref(self)
        self._retains = True

    def register_hook(self, hook):
        """``hook(grad) -> Tensor or None`` runs when this tensor's gradient is computed."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            from .autograd.graph import add_hook
            if self._hooks is None:
                self._hooks = OrderedDict()
            return add_hook(self._hooks, hook)
        from .autograd.function import grad_fn_of
        return grad_fn_of(self)._add_pre_hook(self._output_nr, hook)

    _post_acc_hooks = None  # set per tensor by register_post_accumulate_grad_hook

    def register_post_accumulate_grad_hook(self, hook):
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

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        from .autograd import backward as _bw
        _bw(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        t = _make(self._array, False, None, 0, self._version_counter)
        t._base = self if self._base is None else self._base
        return t

    def detach_(self):
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
    def data(self):
        # shares storage but not the version counter: changes through .data are invisible to
        # autograd, as in PyTorch (that is what .data is for; .detach() shares the counter)
        return _make(self._array, False, None, 0, None)

    @data.setter
    def data(self, value):
        self._array = value._array if isinstance(value, Tensor) else xp.asarray(value)
        self._version_counter = [0]

    # ---------------------------------------------------------------- conversion
    def item(self):
        a = self._array
        if a.size != 1:
            raise RuntimeError(f"a Tensor with {a.size} elements cannot be converted to Scalar")
        return a.reshape(()).item()

    def tolist(self):
        return self._array.tolist()

    def numpy(self, *, force=False):
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._array

    def __array__(self, dtype=None, copy=None):
        if dtype is not None:
            return self._array.astype(dtype)
        return self._array

    def cpu(self):
        return self

    def cuda(self, *a, **k):
        Device("cuda")

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
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def __complex__(self):
        return complex(self._scalar())

    def _scalar(self):
        """The Python number of a one-element tensor (float(), int(), complex())."""
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
    def to(self, *args, **kwargs):
        dtype = kwargs.get("dtype")
        copy = kwargs.get("copy", False)
        for a in args:
            if isinstance(a, D.dtype) or a in (float, int, bool):
                dtype = a
            elif isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, (str, Device)):
                Device(a)
        if "device" in kwargs and kwargs["device"] is not None:
            Device(kwargs["device"])
        if dtype is None:
            return self.clone() if copy else self
        dt = D.to_dtype(dtype)
        if dt.np == self._array.dtype and not copy:
            return self
        return _pw.to_copy(self, dt)

    def type(self, dtype=None, non_blocking=False, **kw):
        if dtype is None:
            return _TYPE_NAMES.get(self._array.dtype.name, "torch.Tensor")
        if isinstance(dtype, str) and dtype in _TYPE_FROM_NAME:
            dtype = _TYPE_FROM_NAME[dtype]
        return self.to(dtype)

    def type_as(self, other):
        return self.to(other.dtype)

    def float(self):
        return self.to(D.float32)

    def double(self):
        return self.to(D.float64)

    def half(self):
        return self.to(D.float16)

    def long(self):
        return self.to(D.int64)

    def int(self):
        return self.to(D.int32)

    def short(self):
        return self.to(D.int16)

    def char(self):
        return self.to(D.int8)

    def byte(self):
        return self.to(D.uint8)

    def bool(self):
        return self.to(D.bool)

    def contiguous(self, memory_format=None):
        return _sh.contiguous(self)

    def clone(self, memory_format=None):
        return _pw.clone(self)

    def new_tensor(self, data, dtype=None, requires_grad=False):
        from ._creation import tensor
        return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, requires_grad=False, **kw):
        from ._creation import zeros
        return zeros(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, requires_grad=False, **kw):
        from ._creation import ones
        return ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, requires_grad=False, **kw):
        from ._creation import full
        return full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, requires_grad=False, **kw):
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
        return _pw.bitwise_not(self)

    def __and__(self, o):
        return _pw.bitwise_and(self, o)

    __rand__ = __and__

    def __or__(self, o):
        return _pw.bitwise_or(self, o)

    __ror__ = __or__

    def __xor__(self, o):
        return _pw.bitwise_xor(self, o)

    __rxor__ = __xor__

    def __eq__(self, o):
        return _pw.eq(self, o)

    def __ne__(self, o):
        return _pw.ne(self, o)

    def __lt__(self, o):
        return _pw.lt(self, o)

    def __le__(self, o):
        return _pw.le(self, o)

    def __gt__(self, o):
        return _pw.gt(self, o)

    def __ge__(self, o):
        return _pw.ge(self, o)

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
    def add(self, other, *, alpha=1):
        return _pw.add(self, other, alpha=alpha)

    def sub(self, other, *, alpha=1):
        return _pw.sub(self, other, alpha=alpha)

    subtract = sub

    def mul(self, other):
        return _pw.mul(self, other)

    multiply = mul

    def div(self, other, *, rounding_mode=None):
        return _pw.div(self, other, rounding_mode=rounding_mode)

    divide = true_divide = div

    def floor_divide(self, other):
        return _pw.floor_divide(self, other)

    def remainder(self, other):
        return _pw.remainder(self, other)

    def fmod(self, other):
        return _pw.fmod(self, other)

    def pow(self, exponent):
        return _pw.pow(self, exponent)

    def neg(self):
        return _pw.neg(self)

    negative = neg

    def abs(self):
        return _pw.abs(self)

    absolute = abs

    def exp(self):
        return _pw.exp(self)

    def exp2(self):
        return _pw.exp2(self)

    def expm1(self):
        return _pw.expm1(self)

    def log(self):
        return _pw.log(self)

    def log2(self):
        return _pw.log2(self)

    def log10(self):
        return _pw.log10(self)

    def log1p(self):
        return _pw.log1p(self)

    def sqrt(self):
        return _pw.sqrt(self)

    def rsqrt(self):
        return _pw.rsqrt(self)

    def square(self):
        return _pw.square(self)

    def reciprocal(self):
        return _pw.reciprocal(self)

    def sin(self):
        return _pw.sin(self)

    def cos(self):
        return _pw.cos(self)

    def tan(self):
        return _pw.tan(self)

    def asin(self):
        return _pw.asin(self)

    arcsin = asin

    def acos(self):
        return _pw.acos(self)

    arccos = acos

    def atan(self):
        return _pw.atan(self)

    arctan = atan

    def atan2(self, other):
        return _pw.atan2(self, other)

    arctan2 = atan2

    def sinh(self):
        return _pw.sinh(self)

    def cosh(self):
        return _pw.cosh(self)

    def tanh(self):
        return _pw.tanh(self)

    def asinh(self):
        return _pw.asinh(self)

    def acosh(self):
        return _pw.acosh(self)

    def atanh(self):
        return _pw.atanh(self)

    def sigmoid(self):
        return _pw.sigmoid(self)

    def logit(self, eps=None):
        return _pw.logit(self, eps)

    def relu(self):
        return _pw.relu(self)

    def erf(self):
        return _pw.erf(self)

    def erfc(self):
        return _pw.erfc(self)

    def erfinv(self):
        return _pw.erfinv(self)

    def sign(self):
        return _pw.sign(self)

    def sgn(self):
        return _pw.sgn(self)

    def floor(self):
        return _pw.floor(self)

    def ceil(self):
        return _pw.ceil(self)

    def round(self, decimals=None):
        return _pw.round(self, decimals=decimals)

    def trunc(self):
        return _pw.trunc(self)

    fix = trunc

    def frac(self):
        return _pw.frac(self)

    def clamp(self, min=None, max=None):
        return _pw.clamp(self, min, max)

    clip = clamp

    def clamp_min(self, min):
        return _pw.clamp_min(self, min)

    def clamp_max(self, max):
        return _pw.clamp_max(self, max)

    def maximum(self, other):
        return _pw.maximum(self, other)

    def minimum(self, other):
        return _pw.minimum(self, other)

    def fmax(self, other):
        return _pw.fmax(self, other)

    def fmin(self, other):
        return _pw.fmin(self, other)

    def lerp(self, end, weight):
        return _pw.lerp(self, end, weight)

    def addcmul(self, t1, t2, *, value=1):
        return _pw.addcmul(self, t1, t2, value=value)

    def addcdiv(self, t1, t2, *, value=1):
        return _pw.addcdiv(self, t1, t2, value=value)

    def where(self, condition, other):
        return _pw.where(condition, self, other)

    def masked_fill(self, mask, value):
        return _pw.masked_fill(self, mask, value)

    def isnan(self):
        return _pw.isnan(self)

    def isinf(self):
        return _pw.isinf(self)

    def isfinite(self):
        return _pw.isfinite(self)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return _pw.nan_to_num(self, nan, posinf, neginf)

    def softmax(self, dim, dtype=None):
        return _red.softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim, dtype=None):
        return _red.log_softmax(self, dim, dtype=dtype)

    def eq(self, o):
        return _pw.eq(self, o)

    def ne(self, o):
        return _pw.ne(self, o)

    not_equal = ne

    def lt(self, o):
        return _pw.lt(self, o)

    less = lt

    def le(self, o):
        return _pw.le(self, o)

    less_equal = le

    def gt(self, o):
        return _pw.gt(self, o)

    greater = gt

    def ge(self, o):
        return _pw.ge(self, o)

    greater_equal = ge

    def equal(self, o):
        return _pw.equal(self, o)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _pw.allclose(self, other, rtol, atol, equal_nan)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _pw.isclose(self, other, rtol, atol, equal_nan)

    def logical_and(self, o):
        return _pw.logical_and(self, o)

    def logical_or(self, o):
        return _pw.logical_or(self, o)

    def logical_xor(self, o):
        return _pw.logical_xor(self, o)

    def logical_not(self):
        return _pw.logical_not(self)

    def bitwise_not(self):
        return _pw.bitwise_not(self)

    # ---------------------------------------------------------------- reductions
    def sum(self, dim=None, keepdim=False, *, dtype=None):
        return _red.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        return _red.mean(self, dim, keepdim, dtype=dtype)

    def nansum(self, dim=None, keepdim=False, *, dtype=None):
        return _red.nansum(self, dim, keepdim, dtype=dtype)

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        return _red.prod(self, dim, keepdim, dtype=dtype)

    def max(self, dim=None, keepdim=False):
        return _red.max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        return _red.min(self, dim, keepdim)

    def amax(self, dim=(), keepdim=False):
        return _red.amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim=False):
        return _red.amin(self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False):
        return _red.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return _red.argmin(self, dim, keepdim)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return _red.std(self, dim, unbiased, keepdim, correction=correction)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return _red.var(self, dim, unbiased, keepdim, correction=correction)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        return _red.norm(self, p, dim, keepdim, dtype=dtype)

    def logsumexp(self, dim, keepdim=False):
        return _red.logsumexp(self, dim, keepdim)

    def cumsum(self, dim, *, dtype=None):
        return _red.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim, *, dtype=None):
        return _red.cumprod(self, dim, dtype=dtype)

    def all(self, dim=None, keepdim=False):
        return _red.all(self, dim, keepdim)

    def any(self, dim=None, keepdim=False):
        return _red.any(self, dim, keepdim)

    def count_nonzero(self, dim=None):
        return _red.count_nonzero(self, dim)

    def median(self, dim=None, keepdim=False):
        return _red.median(self, dim, keepdim)

    def sort(self, *args, **kwargs):
        """sort(dim=-1, descending=False) or sort(*, stable, dim=-1, descending=False)."""
        if args or kwargs:
            return _red._sort(self, *_red._sort_args("sort", args, kwargs, True))
        return _red._sort(self)

    def argsort(self, *args, **kwargs):
        """argsort(dim=-1, descending=False) or argsort(*, stable, dim=-1, descending=False)."""
        if args or kwargs:
            return _red._sort(self, *_red._sort_args("argsort", args, kwargs, True)).indices
        return _red._sort(self).indices

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return _red.topk(self, k, dim, largest, sorted)

    # ---------------------------------------------------------------- shape
    def view(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (D.dtype,)):
            raise NotImplementedError("view(dtype) is not supported by ember")
        return _sh.view(self, *shape)

    def view_as(self, other):
        return _sh.view(self, other.shape)

    def reshape(self, *shape):
        return _sh.reshape(self, *shape)

    def reshape_as(self, other):
        return _sh.reshape(self, other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        return _sh.flatten(self, start_dim, end_dim)

    def unflatten(self, dim, sizes):
        return _sh.unflatten(self, dim, sizes)

    def squeeze(self, dim=None):
        return _sh.squeeze(self, dim)

    def unsqueeze(self, dim):
        return _sh.unsqueeze(self, dim)

    def permute(self, *dims):
        return _sh.permute(self, *dims)

    def transpose(self, dim0, dim1):
        return _sh.transpose(self, dim0, dim1)

    swapaxes = swapdims = transpose

    def t(self):
        return _sh.t(self)

    @property
    def T(self):
        return _sh.permute(self, *range(self._array.ndim - 1, -1, -1))

    @property
    def mT(self):
        if self._array.ndim == 0:  # torch: the tensor itself (transpose would refuse dim -2)
            warnings.warn("Tensor.mT is deprecated on 0-D tensors. This function is the "
                          "identity in these cases.", stacklevel=2)
            return self
        if self._array.ndim == 1:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                               "Got 1-D tensor.")
        return _sh.transpose(self, -2, -1)

    @property
    def H(self):
        return self.T

    @property
    def mH(self):
        if self._array.ndim == 1:
            raise RuntimeError("tensor.mH is only supported on matrices or batches of matrices. "
                               "Got 1-D tensor.")
        return self.mT

    def movedim(self, source, destination):
        return _sh.movedim(self, source, destination)

    moveaxis = movedim

    def expand(self, *sizes):
        return _sh.expand(self, *sizes)

    def expand_as(self, other):
        return _sh.expand(self, other.shape)

    def broadcast_to(self, shape):
        return _sh.expand(self, shape)

    def repeat(self, *sizes):
        return _sh.repeat(self, *sizes)

    def tile(self, *dims):
        return _sh.tile(self, *dims)

    def split(self, split_size, dim=0):
        return _sh.split(self, split_size, dim)

    def tensor_split(self, indices_or_sections, dim=0):
        return _sh.tensor_split(self, indices_or_sections, dim)

    def chunk(self, chunks, dim=0):
        return _sh.chunk(self, chunks, dim)

    def unbind(self, dim=0):
        return _sh.unbind(self, dim)

    def narrow(self, dim, start, length):
        return _sh.narrow(self, dim, start, length)

    def select(self, dim, index):
        return _sh.select(self, dim, index)

    def flip(self, *dims):
        return _sh.flip(self, *dims)

    def fliplr(self):
        return _sh.fliplr(self)

    def flipud(self):
        return _sh.flipud(self)

    def roll(self, shifts, dims=None):
        return _sh.roll(self, shifts, dims)

    def tril(self, diagonal=0):
        return _sh.tril(self, diagonal)

    def triu(self, diagonal=0):
        return _sh.triu(self, diagonal)

    def diag(self, diagonal=0):
        return _sh.diag(self, diagonal)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        return _sh.diagonal(self, offset, dim1, dim2)

    def diag_embed(self, offset=0, dim1=-2, dim2=-1):
        return _sh.diag_embed(self, offset, dim1, dim2)

    def diagflat(self, offset=0):
        return _sh.diagflat(self, offset)

    def trace(self):
        return _sh.trace(self)

    def gather(self, dim, index):
        return _ix.gather(self, dim, index)

    def scatter(self, dim, index, src=None, value=None, *, reduce=None):
        return _ix.scatter(self, dim, index, src if src is not None else value, reduce=reduce)

    def scatter_add(self, dim, index, src):
        return _ix.scatter_add(self, dim, index, src)

    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        return _ix.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)

    def index_put(self, indices, values, accumulate=False):
        return _ix.index_put(self, indices, values, accumulate)

    def index_select(self, dim, index):
        return _ix.index_select(self, dim, index)

    def index_add(self, dim, index, source, *, alpha=1):
        return _ix.index_add(self, dim, index, source, alpha=alpha)

    def index_copy(self, dim, index, source):
        return _ix.index_copy(self, dim, index, source)

    def index_fill(self, dim, index, value):
        return _ix.index_fill(self, dim, index, value)

    def masked_scatter(self, mask, source):
        return _ix.masked_scatter(self, mask, source)

    def take_along_dim(self, indices, dim=None):
        return _ix.take_along_dim(self, indices, dim)

    def argwhere(self):
        return _ix.argwhere(self)

    def masked_select(self, mask):
        return _ix.masked_select(self, mask)

    def take(self, index):
        return _ix.take(self, index)

    def nonzero(self, *, as_tuple=False):
        return _ix.nonzero(self, as_tuple=as_tuple)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return _ix.unique(self, sorted, return_inverse, return_counts, dim)

    # ---------------------------------------------------------------- linear algebra
    def matmul(self, other):
        return _la.matmul(self, other)

    def mm(self, other):
        return _la.mm(self, other)

    def bmm(self, other):
        return _la.bmm(self, other)

    def mv(self, vec):
        return _la.mv(self, vec)

    def dot(self, other):
        return _la.dot(self, other)

    def outer(self, other):
        return _la.outer(self, other)

    ger = outer

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return _la.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    # ---------------------------------------------------------------- in-place
    def add_(self, other, *, alpha=1):
        if self._fast_add(other, alpha):
            return _inp.add_(self, other, alpha)
        return _pw.add_(self, other, alpha)

    def sub_(self, other, *, alpha=1):
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

    def mul_(self, other):
        return _inp.inplace(self, _pw.mul, other)

    def div_(self, other, *, rounding_mode=None):
        return _inp.inplace(self, _pw.div, other, rounding_mode=rounding_mode)

    def pow_(self, exponent):
        return _inp.inplace(self, _pw.pow, exponent)

    def neg_(self):
        return _inp.inplace(self, _pw.neg)

    def abs_(self):
        return _inp.inplace(self, _pw.abs)

    def exp_(self):
        return _inp.inplace(self, _pw.exp)

    def log_(self):
        return _inp.inplace(self, _pw.log)

    def sqrt_(self):
        return _inp.inplace(self, _pw.sqrt)

    def sigmoid_(self):
        return _inp.inplace(self, _pw.sigmoid)

    def tanh_(self):
        return _inp.inplace(self, _pw.tanh)

    def relu_(self):
        return _inp.inplace(self, _pw.relu)

    def clamp_(self, min=None, max=None):
        return _pw.clamp_(self, min, max)

    clip_ = clamp_

    def clamp_min_(self, min):
        return _pw.clamp_(self, min, None, _pw.clamp_min)

    def clamp_max_(self, max):
        return _pw.clamp_(self, None, max, _pw.clamp_max)

    def floor_(self):
        return _inp.inplace(self, _pw.floor)

    def ceil_(self):
        return _inp.inplace(self, _pw.ceil)

    def round_(self, decimals=None):
        return _inp.inplace(self, _pw.round, decimals=decimals)

    def sign_(self):
        return _inp.inplace(self, _pw.sign)

    def reciprocal_(self):
        return _inp.inplace(self, _pw.reciprocal)

    def square_(self):
        return _inp.inplace(self, _pw.square)

    def lerp_(self, end, weight):
        if not isinstance(end, Tensor):
            raise TypeError(f"lerp_() received an invalid combination of arguments - got "
                            f"({type(end).__name__}, {type(weight).__name__}), but expected one "
                            "of:")
        return _inp.inplace(self, _pw.lerp, end, weight)

    def addcmul_(self, t1, t2, *, value=1):
        return _inp.inplace(self, _pw.addcmul, t1, t2, value=value)

    def addcdiv_(self, t1, t2, *, value=1):
        return _inp.inplace(self, _pw.addcdiv, t1, t2, value=value)

    def masked_fill_(self, mask, value):
        return _pw.masked_fill_(self, mask, value)

    def copy_(self, src, non_blocking=False):
        return _inp.copy_(self, src)

    def zero_(self):
        return _inp.zero_(self)

    def fill_(self, value):
        return _inp.fill_(self, value)

    def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
        return _inp.inplace(self, _ix.scatter, dim, index,
                            src if src is not None else value, reduce=reduce)

    def scatter_add_(self, dim, index, src):
        return _inp.inplace(self, _ix.scatter_add, dim, index, src)

    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
        return _inp.inplace(self, _ix.scatter_reduce, dim, index, src, reduce,
                            include_self=include_self)

    def index_put_(self, indices, values, accumulate=False):
        return _ix.index_put_(self, indices, values, accumulate)

    def index_fill_(self, dim, index, value):
        return _inp.inplace(self, _ix.index_fill, dim, index, value)

    def index_add_(self, dim, index, source, *, alpha=1):
        return _inp.inplace(self, _ix.index_add, dim, index, source, alpha=alpha)

    def index_copy_(self, dim, index, source):
        return _inp.inplace(self, _ix.index_copy, dim, index, source)

    def masked_scatter_(self, mask, source):
        return _ix.masked_scatter_(self, mask, source)

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        if self._array.dtype.kind not in "fc":
            raise _not_implemented("check_uniform_bounds", self._array.dtype)
        return _inp.random_fill_(self, "uniform", a, b, generator=generator)

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        if self._array.dtype.kind not in "fc":
            raise _not_implemented("normal_kernel_cpu", self._array.dtype)
        return _inp.random_fill_(self, "normal", mean, std, generator=generator)

    def bernoulli_(self, p=0.5, *, generator=None):
        return _inp.random_fill_(self, "bernoulli", p, None, generator=generator)

    def exponential_(self, lambd=1.0, *, generator=None):
        if self._array.dtype.kind not in "fc":
            from ._ops._utils import scalar_type_name
            raise RuntimeError("Exponential distribution is a continuous probability "
                               "distribution. dtype must be a floating point but you specified "
                               f"{scalar_type_name(self._array.dtype)}")
        return _inp.random_fill_(self, "exponential", lambd, None, generator=generator)

    def random_(self, from_=None, to=None, *, generator=None):  # (from, to), (to) or ()
        node = "RandomBackward0" if from_ is not None and to is not None else \
            "RandomBackward1" if to is not None or from_ is not None else "RandomBackward2"
        if to is None and from_ is not None:
            from_, to = 0, from_
        return _inp.random_fill_(self, "random", from_ or 0, to, generator=generator, node=node)

    def t_(self):
        return _inp.t_(self)

    def transpose_(self, dim0, dim1):
        return _inp.transpose_(self, dim0, dim1)

    swapaxes_ = swapdims_ = transpose_

    def unsqueeze_(self, dim):
        return _inp.unsqueeze_(self, dim)

    def squeeze_(self, dim=None):
        return _inp.squeeze_(self, dim)

    def set_(self, source=None):
        return _inp.set_(self, source)

    def resize_(self, *sizes):
        return _inp.resize_(self, *sizes)

    def apply_(self, fn):
        flat = self._array.reshape(-1)
        for i in range(flat.size):
            flat[i] = fn(flat[i].item())
        bump_version(self)
        return self

    def share_memory_(self):
        return self

    def is_shared(self):
        return False

    def pin_memory(self):
        return self

    def bernoulli(self, *, generator=None):
        from ._random import bernoulli
        return bernoulli(self, generator=generator)

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        from ._random import multinomial
        return multinomial(self, num_samples, replacement, generator=generator)


def _rebuild(arr, req):
    t = _make(arr, False, None, 0, None)
    t._requires_grad = req
    return t


_SLOT_NAMES = [k for k in Tensor.__slots__ if k not in ("__weakref__", "__dict__")]
_TYPE_NAMES = {d.name: f"torch.{d.scalar_name}Tensor" for d in D._ALL}  # Tensor.type()
_TYPE_FROM_NAME = {v: D.from_numpy_dtype(k) for k, v in _TYPE_NAMES.items()}

# The op modules import this one; bind them after Tensor exists.
from ._ops import _utils as _ops_utils  # noqa: E402
from ._ops._utils import binary as _binary, not_implemented as _not_implemented  # noqa: E402
from ._ops.pointwise import Add as _Add, Mul as _Mul, Sub as _Sub  # noqa: E402
from ._ops import pointwise as _pw  # noqa: E402
from ._ops import reduction as _red  # noqa: E402
from ._ops import shape as _sh  # noqa: E402
from ._ops import indexing as _ix  # noqa: E402
from ._ops import linalg as _la  # noqa: E402
from ._ops import inplace as _inp  # noqa: E402
