"""ember: PyTorch's eager CPU API on NumPy.  ``import ember as torch``."""
from __future__ import annotations

# ember's own release; ``ember.__version__`` (what ``torch.__version__`` reads under
# ``import ember as torch``) is the PyTorch API level ember implements with this release as
# its local label, "2.13.0+ember.0.1.0", a TorchVersion as torch's is: programs that check
# ``torch.__version__ >= "2.0"`` take their PyTorch 2 paths (README: deliberate differences)
__ember_version__ = "0.1.0"
_TORCH_API = "2.13.0"

from . import _malloc

_malloc.tune()  # glibc keeps freed activations for the next step (see _malloc.py)

from ._dtype import (dtype, float16, float32, float64, int8, int16, int32, int64,
                     uint8, bool, half, float, double, short, int, long, complex64,
                     complex128, cfloat, cdouble, get_default_dtype, set_default_dtype,
                     promote_types, result_type as _result_type_impl, can_cast)
from ._backend import Device as device
from ._tensor import Tensor, Size
from . import autograd
from .autograd import (no_grad, enable_grad, set_grad_enabled, inference_mode,
                       is_grad_enabled)
from .autograd.grad_mode import is_inference_mode_enabled
from ._creation import (tensor, as_tensor, asarray, from_numpy, zeros, ones, full, empty,
                        zeros_like, ones_like, full_like, empty_like, arange, range, linspace,
                        logspace, eye, scalar_tensor, empty_strided)
from ._random import (Generator, manual_seed, seed, initial_seed, get_rng_state,
                      set_rng_state, default_generator, rand, randn, randint, randperm,
                      normal, bernoulli, multinomial, rand_like, randn_like, randint_like,
                      poisson)
from ._ops import pointwise as _pointwise
from ._ops._utils import install_methods as _install_methods
from ._ops.pointwise import *  # noqa: F403 - the elementwise ops: every name in its __all__
from ._ops import comparison as _comparison
from ._ops.comparison import *  # noqa: F403 - comparisons, logic, bitwise: its __all__
from ._ops import special as _special_ops  # issue 13: special functions, rarer elementwise ops
from ._ops.special import *  # noqa: F403 - its __all__
from ._ops.reduction import (sum, nansum, mean, nanmean, prod, max, min, amax, amin, aminmax,
                             argmax, argmin, var, std, var_mean, std_mean, norm, logsumexp,
                             softmax, log_softmax, cumsum, cumprod, cummax, all, any,
                             count_nonzero, sort, argsort, topk, msort, median, kthvalue)
from ._ops.shape import (reshape, flatten, unflatten, squeeze, unsqueeze,
                         permute, transpose, swapaxes, swapdims, t, movedim, moveaxis,
                         broadcast_to, broadcast_tensors,
                         broadcast_shapes, tile, cat, concat,
                         concatenate, stack, hstack, vstack, row_stack, dstack, column_stack,
                         atleast_1d, atleast_2d, atleast_3d, split, tensor_split, chunk,
                         unbind, narrow, select, flip, fliplr, flipud, roll, tril, triu,
                         diag, diagonal, diag_embed, diagflat, trace)
from ._ops.indexing import (gather, take_along_dim, scatter, scatter_add, scatter_reduce,
                            index_select, index_add, index_fill, index_copy, index_put,
                            masked_select, masked_scatter, take, nonzero, argwhere, unique,
                            unique_consecutive, bincount, searchsorted, bucketize)
from ._ops.linalg import (matmul, mm, bmm, mv, dot, vdot, inner, outer, ger, addmm, baddbmm,
                          addmv, addbmm, einsum, tensordot, kron)
from ._ops import linalg_legacy as _linalg_legacy  # issue 13 linalg: torch.svd, det, lu ...
from ._ops.linalg_legacy import *  # noqa: F403 - its __all__
from .autograd.function import Function as _Function  # noqa: F401
# issue 13, ops and methods (statistics, creation/shape helpers): their __all__
from ._ops import statistics as _statistics, construct as _construct
from ._ops.statistics import *  # noqa: F403,E402
from ._ops.construct import *  # noqa: F403,E402
from . import _docs, _out

_install_methods(_pointwise)  # the ops' Tensor methods (their TENSOR_METHODS)
_install_methods(_comparison)
_install_methods(_special_ops)
_install_methods(_statistics)
_install_methods(_construct)
_install_methods(_linalg_legacy)
from ._ops import complex as _complex  # noqa: E402 - issue 13 (fft): complex views, conj, angle
from ._ops.complex import *  # noqa: F403,E402 - its __all__ (complex, polar included)
_install_methods(_complex)
from ._ops import spectral as _spectral  # noqa: E402 - issue 13 (fft): stft, istft
from ._ops.spectral import *  # noqa: F403,E402 - its __all__
_install_methods(_spectral)
_complex.install_attributes()  # Tensor.real/.imag (writable), cfloat, cdouble
_docs.install(globals(), Tensor)  # docstrings of the functions whose code has none (_docs.py)
_out.install(globals())  # out= with torch's rules on the functions torch gives it (_out.py)
# issue 13 (multiprocessing): Tensor.share_memory_/is_shared in real shared memory
from . import _shm
_shm.install(Tensor)
from ._ops import aliases as _aliases  # noqa: E402
_aliases.install(globals(), Tensor)  # axis=/keepdims= for dim=/keepdim= (issue 13)
# issue 13 (h13-alias): torch's native functional forms, torch.<op>_ forms, *_copy views
from ._ops import native_forms as _native_forms, inplace_forms as _inplace_forms  # noqa: E402
from ._ops import view_copies as _view_copies, scatter_views as _scatter_views  # noqa: E402
from ._ops import index_extras as _index_extras, numeric_extras as _numeric_extras  # noqa: E402
from ._ops.native_forms import *  # noqa: F403,E402
from ._ops.inplace_forms import *  # noqa: F403,E402
from ._ops.view_copies import *  # noqa: F403,E402
from ._ops.scatter_views import *  # noqa: F403,E402
from ._ops.index_extras import *  # noqa: F403,E402
from ._ops.numeric_extras import *  # noqa: F403,E402
for _m in (_native_forms, _view_copies, _scatter_views, _index_extras, _numeric_extras):
    _install_methods(_m)
_scatter_views.install_aliases()  # Tensor methods of existing functions (t.addmv, t.kron ...)
# issue 13 (h13-storage): storages, inference tensors, the rarer Tensor methods
from ._ops import tensor_extras as _tensor_extras  # noqa: E402
from ._ops.tensor_extras import *  # noqa: F403,E402
_install_methods(_tensor_extras)
_tensor_extras.install(Tensor)  # Tensor.grad_dtype, Tensor.name

from ._layout import layout, memory_format, CONSTANTS as _LAYOUT_CONSTANTS  # noqa: E402
globals().update(_LAYOUT_CONSTANTS)  # torch.strided, torch.channels_last, ...
e, pi, inf, nan = 2.718281828459045, 3.141592653589793, 1e999, 1e999 - 1e999


def result_type(tensor1, tensor2):
    """Returns the dtype that an operation on the two tensors or numbers would return."""
    return _result_type_impl(tensor1, tensor2)


def is_tensor(obj) -> builtins_bool:
    """Returns True if ``obj`` is an ember Tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input) -> builtins_bool:
    """Returns True if the dtype of ``input`` is a floating point dtype."""
    return input.is_floating_point()


def is_complex(input) -> builtins_bool:
    """Returns True if the dtype of ``input`` is a complex dtype."""
    return input.is_complex()


def is_nonzero(input) -> builtins_bool:
    """Returns True if the single-element tensor ``input`` is not zero (raises on other sizes)."""
    return builtins_bool(input)


def numel(input) -> builtins_int:
    """Returns the number of elements of ``input``."""
    return input.numel()


def detach(input):
    """Returns a tensor sharing ``input``'s data, cut from the autograd graph."""
    return input.detach()


def set_printoptions(*args, **kwargs):
    """Sets how tensors print: ``precision``, ``threshold``, ``edgeitems``, ``linewidth``,
    ``sci_mode``, ``profile``."""
    from ._tensor_str import set_printoptions as _sp
    _sp(*args, **kwargs)


def get_num_threads() -> builtins_int:
    """Threads NumPy's BLAS uses (ember's only multi-threaded kernels); see ``ember/_blas.py``."""
    from ._blas import get_num_threads as _get
    return _get()


def set_num_threads(n) -> None:
    """Set the BLAS thread count (OpenBLAS, driven through ctypes); see ``ember/_blas.py``."""
    from ._blas import set_num_threads as _set
    _set(n)


def get_num_interop_threads() -> builtins_int:
    """Returns the number of inter-op threads (1: ember runs ops one at a time)."""
    return 1


def set_num_interop_threads(n) -> None:
    """Accepted for torch compatibility; ember runs ops one at a time, so it changes nothing."""


def compile(model=None, **kwargs):  # noqa: A001 - torch.compile is the identity here
    """Returns ``model`` unchanged (ember has no compiler); without a model, a decorator that
    does the same."""
    if model is None:
        return lambda m: m
    return model


import builtins as _builtins  # noqa: E402

builtins_bool, builtins_int = _builtins.bool, _builtins.int


# legacy typed tensors, devices and precision (the "types" area: _tensor_legacy, _backend)
from ._tensor_legacy import set_default_tensor_type  # noqa: E402
from ._tensor_legacy import CPU_TYPES as _CPU_TYPES  # noqa: E402
from ._backend import (set_default_device, get_default_device,  # noqa: E402
                       set_float32_matmul_precision, get_float32_matmul_precision,
                       OutOfMemoryError)

globals().update(_CPU_TYPES)  # FloatTensor, DoubleTensor, ... LongTensor, BoolTensor


# the public names (tools/gen_all.py writes this list)
__all__ = [
    "dtype", "float16", "float32", "float64", "bfloat16", "int8", "int16", "int32", "int64",
    "uint8", "bool", "half", "float", "double", "short", "int", "long", "complex64", "complex128",
    "cfloat", "cdouble", "get_default_dtype", "set_default_dtype", "promote_types", "can_cast",
    "device", "Tensor", "Size", "autograd", "no_grad", "enable_grad", "set_grad_enabled",
    "inference_mode", "is_grad_enabled", "is_inference_mode_enabled", "tensor", "as_tensor",
    "asarray", "from_numpy", "zeros", "ones", "full", "empty", "zeros_like", "ones_like",
    "full_like", "empty_like", "arange", "range", "linspace", "logspace", "eye", "scalar_tensor",
    "complex", "polar", "empty_strided", "Generator", "manual_seed", "seed", "initial_seed",
    "get_rng_state", "set_rng_state", "default_generator", "rand", "randn", "randint", "randperm",
    "normal", "bernoulli", "multinomial", "rand_like", "randn_like", "randint_like", "poisson",
    "sum", "nansum", "mean", "nanmean", "prod", "max", "min", "amax", "amin", "aminmax", "argmax",
    "argmin", "var", "std", "var_mean", "std_mean", "norm", "logsumexp", "softmax", "log_softmax",
    "cumsum", "cumprod", "cummax", "all", "any", "count_nonzero", "sort", "argsort", "topk",
    "msort", "median", "kthvalue", "reshape", "flatten", "unflatten", "squeeze", "unsqueeze",
    "permute", "transpose", "swapaxes", "swapdims", "t", "movedim", "moveaxis", "broadcast_to",
    "broadcast_tensors", "broadcast_shapes", "tile", "cat", "concat", "concatenate", "stack",
    "hstack", "vstack", "row_stack", "dstack", "column_stack", "atleast_1d", "atleast_2d",
    "atleast_3d", "split", "tensor_split", "chunk", "unbind", "narrow", "select", "flip", "fliplr",
    "flipud", "roll", "tril", "triu", "diag", "diagonal", "diag_embed", "diagflat", "trace",
    "gather", "take_along_dim", "scatter", "scatter_add", "scatter_reduce", "index_select",
    "index_add", "index_fill", "index_copy", "index_put", "masked_select", "masked_scatter",
    "take", "nonzero", "argwhere", "unique", "unique_consecutive", "bincount", "searchsorted",
    "bucketize", "matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "addmm",
    "baddbmm", "addmv", "addbmm", "einsum", "tensordot", "kron", "layout", "memory_format",
    *(n for n in _LAYOUT_CONSTANTS if n[0] != "_"), "e", "pi", "inf", "nan", "result_type",
    "is_tensor",
    "is_floating_point", "is_complex", "is_nonzero", "numel", "detach", "set_printoptions",
    "get_num_threads", "set_num_threads", "get_num_interop_threads", "set_num_interop_threads",
    "compile", "save", "load",
    "save_safetensors", "load_safetensors",
]
__all__ += _pointwise.__all__ + _comparison.__all__  # the op modules' own export lists
__all__ += _special_ops.__all__  # issue 13: special functions

# autocast (issue 13, jit/amp): torch's autocast state functions; ``autocast`` is lazy (ember.amp)
from ._autocast import (is_autocast_enabled, set_autocast_enabled, get_autocast_dtype,  # noqa: E402
                        set_autocast_dtype, is_autocast_cache_enabled, set_autocast_cache_enabled,
                        clear_autocast_cache, autocast_increment_nesting,
                        autocast_decrement_nesting, is_autocast_cpu_enabled,
                        set_autocast_cpu_enabled, get_autocast_cpu_dtype, set_autocast_cpu_dtype,
                        get_autocast_gpu_dtype, set_autocast_gpu_dtype)
__all__ += ["is_autocast_enabled", "set_autocast_enabled", "get_autocast_dtype",
            "set_autocast_dtype", "is_autocast_cache_enabled", "set_autocast_cache_enabled",
            "clear_autocast_cache", "autocast_increment_nesting", "autocast_decrement_nesting",
            "is_autocast_cpu_enabled", "set_autocast_cpu_enabled", "get_autocast_cpu_dtype",
            "set_autocast_cpu_dtype", "get_autocast_gpu_dtype", "set_autocast_gpu_dtype",
            "autocast", "GradScaler"]
__all__ += ["set_default_tensor_type", "set_default_device", "get_default_device",  # types
            "set_float32_matmul_precision", "get_float32_matmul_precision", "OutOfMemoryError",
            *_CPU_TYPES, "BFloat16Tensor"]
__all__ += _statistics.__all__ + _construct.__all__  # issue 13: ops and methods
__all__ += _linalg_legacy.__all__  # issue 13: linear algebra
__all__ += [n for n in _complex.__all__ if n not in ("complex", "polar")]  # issue 13 (fft)
__all__ += _spectral.__all__
__all__ += (_native_forms.__all__ + _inplace_forms.__all__ + _view_copies.__all__  # h13-alias
            + _scatter_views.__all__ + _index_extras.__all__ + _numeric_extras.__all__)

# issue 15 (samplers): torch.binomial, torch._standard_gamma, _sample_dirichlet and their
# gradient kernels (torch's CPU samplers bit for bit)
from ._ops import sampling as _sampling  # noqa: E402
from ._ops.sampling import (binomial, _standard_gamma, _standard_gamma_grad,  # noqa: E402,F401
                            _sample_dirichlet, _dirichlet_grad)
__all__ += _sampling.__all__

# issue 13 (h13-linalg): native RNN functions (torch.lstm/gru/rnn_*), torch.embedding_bag
from ._ops import native_rnn as _native_rnn  # noqa: E402
from ._ops.native_rnn import *  # noqa: F403,E402
__all__ += _native_rnn.__all__
from ._ops import linalg_lapack as _linalg_lapack  # noqa: E402  (geqrf, orgqr, ormqr)
from ._ops.linalg_lapack import *  # noqa: F403,E402
_install_methods(_linalg_lapack)
__all__ += _linalg_lapack.__all__

# issue 13 (infra): process switches, typename, build flags (_infra.py); lazy modules below
from . import _infra  # noqa: E402
from ._infra import *  # noqa: F403,E402
__all__ += _infra.__all__

# names imported on first use (keeps `import ember` fast); each must resolve (tests check)
_LAZY_MODULES = ("nn", "optim", "utils", "viz", "serialization", "examples", "testing", "linalg",
                 "hub", "multiprocessing",  # issue 13: hub, multiprocessing
                 "special",  # issue 13: torch.special
                 "cuda", "backends", "accelerator", "functional")  # issue 13: types area
_LAZY_NAMES = ("save", "load", "save_safetensors", "load_safetensors")
_LAZY_MODULES += ("jit", "amp", "cpu")  # issue 13 (jit/amp)
_LAZY_MODULES += ("distributed",)  # issue 14: torch.distributed on MPI
_LAZY_MODULES += ("fft",)  # issue 13 (fft)
_LAZY_MODULES += ("distributions",)  # issue 15: torch.distributions
_LAZY_NAMES += ("autocast", "GradScaler")  # from ember.amp
_LAZY_NAMES += ("bfloat16", "BFloat16Tensor")  # ml_dtypes, imported on first use
# issue 13 (infra): futures, profiler, version, random, types, return_types, fork/wait
_LAZY_MODULES += ("futures", "profiler", "version", "torch_version", "random", "types",
                  "return_types")
_LAZY_HOMES = {"Future": ".futures", "fork": ".futures", "wait": ".futures"}
# issue 15 (h15-func): torch.func and torch.vmap
_LAZY_MODULES += ("func",)
_LAZY_HOMES["vmap"] = ".func"
_LAZY_HOMES["lobpcg"] = "._lobpcg"  # issue 13 (h13-linalg): torch.lobpcg, ported
_LAZY_MODULES += ("signal",)  # issue 13 (h13-linalg): torch.signal.windows
# issue 13 (h13-utils): torch.compiler, torch.cond, small top-level names
_LAZY_MODULES += ("compiler", "mps")
_LAZY_HOMES["cond"] = "._cond"
_LAZY_HOMES.update(dict.fromkeys((  # ember/_toplevel_misc.py
    "get_device_module", "AcceleratorError", "FatalError", "init_num_threads",
    "is_vulkan_available", "set_flush_denormal", "thread_safe_generator", "Event", "Stream",
    "is_autocast_ipu_enabled", "set_autocast_ipu_enabled", "get_autocast_ipu_dtype",
    "set_autocast_ipu_dtype", "is_autocast_xla_enabled", "set_autocast_xla_enabled",
    "get_autocast_xla_dtype", "set_autocast_xla_dtype"), "._toplevel_misc"))
# issue 13 (h13-storage): torch.storage and its classes
__all__ += _tensor_extras.__all__
_LAZY_MODULES += ("storage",)
_LAZY_HOMES.update({n: ".storage" for n in (
    "UntypedStorage", "TypedStorage", "HalfStorage", "FloatStorage", "DoubleStorage",
    "BFloat16Storage", "CharStorage", "ShortStorage", "IntStorage", "LongStorage", "ByteStorage",
    "BoolStorage", "ComplexFloatStorage", "ComplexDoubleStorage")})
_LAZY_NAMES += tuple(_LAZY_HOMES)
__all__ += list(_LAZY_HOMES)


def __getattr__(name):
    import importlib
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in ("bfloat16", "BFloat16Tensor"):
        from . import _dtype, _tensor_legacy
        return _dtype._load_bfloat16() if name == "bfloat16" else _tensor_legacy.bfloat16_type()
    if name == "__version__":
        from .torch_version import TorchVersion
        globals()["__version__"] = v = TorchVersion(f"{_TORCH_API}+ember.{__ember_version__}")
        return v
    if name in _LAZY_NAMES:
        home = _LAZY_HOMES.get(name) or (".amp" if name in ("autocast", "GradScaler")
                                         else ".serialization")
        return getattr(importlib.import_module(home, __name__), name)
    raise AttributeError(f"module 'ember' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | set(_LAZY_MODULES) | set(_LAZY_NAMES))
    """Returns ``model`` unchanged (ember has no compiler); without a model, a decorator that does
    the same."""
