"""One-line docstrings for public functions whose code has none of its own.

Most of ember's functions are thin dispatchers (``ember.add`` -> ``_ops.pointwise.add``) or are
made by a generator; like PyTorch (``torch/_torch_docs.py``), their text lives here and is
attached at ``import ember`` (``install``, a few hundred attribute writes: well under a
millisecond).  A function that has a docstring in its source keeps it: its entry here is then
stale, and tests/test_docstrings.py asks for its removal.

Tensor methods that mirror a function (``Tensor.exp`` for ``ember.exp``) get "See
:func:`ember.exp` ..." plus the function's summary; in-place ones (``exp_``) point to their
out-of-place method.  Tensor's own methods and properties take theirs from TENSOR (which keeps
ember/_tensor.py a thin dispatcher).
"""
from __future__ import annotations

from typing import Any

__all__ = ["FUNCTIONS", "TENSOR", "install", "shadowed"]

FUNCTIONS: dict[str, str] = {
    "get_default_dtype": (
        "Returns the current default floating point dtype (``float32`` unless changed)."),
    "set_default_dtype": (
        "Sets the default floating point dtype used for new float tensors and Python floats."),
    "asarray": (
        "Converts ``obj`` (a tensor, array, scalar or nested sequence) to a tensor, sharing "
        "memory when it can."),
    "zeros": "Returns a tensor of the given size filled with 0.",
    "ones": "Returns a tensor of the given size filled with 1.",
    "full": "Returns a tensor of the given size filled with ``fill_value``.",
    "empty": (
        "Returns a tensor of the given size whose values are unspecified (ember fills it with "
        "0)."),
    "zeros_like": (
        "Returns a tensor of 0s with the size (and, unless given, the dtype) of ``input``."),
    "ones_like": (
        "Returns a tensor of 1s with the size (and, unless given, the dtype) of ``input``."),
    "full_like": (
        "Returns a tensor filled with ``fill_value`` with the size (and, unless given, the "
        "dtype) of ``input``."),
    "empty_like": (
        "Returns an uninitialised tensor with the size (and, unless given, the dtype) of "
        "``input``."),
    "arange": (
        "Returns a 1-D tensor of the values from ``start`` up to (not including) ``end`` in "
        "steps of ``step``."),
    "linspace": (
        "Returns a 1-D tensor of ``steps`` evenly spaced values from ``start`` to ``end`` "
        "inclusive."),
    "logspace": (
        "Returns a 1-D tensor of ``steps`` values ``base ** x`` for x evenly spaced from "
        "``start`` to ``end``."),
    "eye": "Returns a 2-D tensor with ones on the diagonal and zeros elsewhere.",
    "scalar_tensor": "Returns a 0-d tensor holding the number ``s``.",
    "empty_strided": (
        "Returns an uninitialised tensor with the given size (ember always lays it out "
        "contiguously)."),
    "manual_seed": "Seeds the default random number generator and returns it.",
    "seed": "Seeds the default random number generator non-deterministically and returns the seed.",
    "initial_seed": "Returns the seed the default random number generator was last seeded with.",
    "get_rng_state": "Returns the state of the default random number generator as a uint8 tensor.",
    "set_rng_state": (
        "Restores the default random number generator from a state returned by "
        "``get_rng_state``."),
    "rand": "Returns a tensor of the given size with values drawn uniformly from [0, 1).",
    "randn": (
        "Returns a tensor of the given size with values drawn from the standard normal "
        "distribution."),
    "randint": (
        "Returns a tensor of the given size with integers drawn uniformly from [``low``, "
        "``high``)."),
    "randperm": "Returns a random permutation of the integers 0 to ``n - 1``.",
    "normal": (
        "Returns a tensor of values drawn from normal distributions with the given ``mean`` and"
        " ``std``."),
    "bernoulli": "Returns a tensor of 0s and 1s, each 1 with the probability given by ``input``.",
    "multinomial": (
        "Returns ``num_samples`` indices per row drawn from the categories weighted by "
        "``input``."),
    "rand_like": (
        "Returns a tensor with the size of ``input`` with values drawn uniformly from [0, 1)."),
    "randn_like": (
        "Returns a tensor with the size of ``input`` with values drawn from the standard "
        "normal."),
    "randint_like": (
        "Returns a tensor with the size of ``input`` with integers drawn uniformly from "
        "[``low``, ``high``)."),
    "poisson": (
        "Returns a tensor of samples from Poisson distributions with the rates given by "
        "``input``."),
    "add": "Returns ``input + alpha * other``, broadcasting the two and promoting their dtypes.",
    "sub": "Returns ``input - alpha * other``, broadcasting the two and promoting their dtypes.",
    "mul": (
        "Returns the elementwise product of ``input`` and ``other`` (broadcast, dtypes "
        "promoted)."),
    "div": (
        "Returns ``input / other`` elementwise; ``rounding_mode`` 'trunc' or 'floor' rounds the"
        " quotient."),
    "floor_divide": "Returns ``input / other`` elementwise rounded down to an integer value.",
    "remainder": (
        "Returns the elementwise remainder of ``input / other`` with the sign of the divisor "
        "(Python's %)."),
    "fmod": (
        "Returns the elementwise remainder of ``input / other`` with the sign of the dividend "
        "(C's fmod)."),
    "neg": "Returns a new tensor with the negation of each element of ``input``.",
    "pow": "Returns ``input ** exponent`` elementwise (either may be a tensor or a number).",
    "float_power": (
        "Returns ``input ** exponent`` computed in double precision (float64 or complex128)."),
    "clone": "Returns a copy of ``input`` that stays connected to it in the autograd graph.",
    "relu": "Returns a new tensor with max(x, 0) for each element x of ``input``.",
    "round": (
        "Returns ``input`` rounded to the nearest integer (or to ``decimals`` places), halves "
        "to even."),
    "atan2": (
        "Returns the elementwise arctangent of ``input / other``, in the quadrant given by "
        "their signs."),
    "logit": (
        "Returns ``log(p / (1 - p))`` elementwise, with ``p`` first clamped to [eps, 1 - eps] "
        "when ``eps`` is given."),
    "clamp": "Returns ``input`` with each element clamped into the range [``min``, ``max``].",
    "clamp_min": "Returns ``input`` with each element raised to at least ``min``.",
    "clamp_max": "Returns ``input`` with each element lowered to at most ``max``.",
    "maximum": "Returns the elementwise maximum of ``input`` and ``other`` (NaN if either is NaN).",
    "minimum": "Returns the elementwise minimum of ``input`` and ``other`` (NaN if either is NaN).",
    "fmax": (
        "Returns the elementwise maximum of ``input`` and ``other``, ignoring a NaN on one "
        "side."),
    "fmin": (
        "Returns the elementwise minimum of ``input`` and ``other``, ignoring a NaN on one "
        "side."),
    "where": (
        "Returns elements of ``input`` where ``condition`` is true and of ``other`` elsewhere "
        "(one argument: ``nonzero(condition, as_tuple=True)``)."),
    "addcmul": "Returns ``input + value * tensor1 * tensor2`` elementwise.",
    "addcdiv": "Returns ``input + value * tensor1 / tensor2`` elementwise.",
    "eq": "Returns a bool tensor that is True where ``input == other``.",
    "ne": "Returns a bool tensor that is True where ``input != other``.",
    "lt": "Returns a bool tensor that is True where ``input < other``.",
    "le": "Returns a bool tensor that is True where ``input <= other``.",
    "gt": "Returns a bool tensor that is True where ``input > other``.",
    "ge": "Returns a bool tensor that is True where ``input >= other``.",
    "logical_and": (
        "Returns a bool tensor: the elementwise logical AND of ``input`` and ``other`` (nonzero"
        " is True)."),
    "logical_or": (
        "Returns a bool tensor: the elementwise logical OR of ``input`` and ``other`` (nonzero "
        "is True)."),
    "logical_xor": (
        "Returns a bool tensor: the elementwise logical XOR of ``input`` and ``other`` (nonzero"
        " is True)."),
    "logical_not": "Returns a bool tensor that is True where ``input`` is zero.",
    "bitwise_and": "Returns the elementwise bitwise AND of two integer or bool tensors.",
    "bitwise_or": "Returns the elementwise bitwise OR of two integer or bool tensors.",
    "bitwise_xor": "Returns the elementwise bitwise XOR of two integer or bool tensors.",
    "bitwise_not": "Returns the elementwise bitwise NOT of an integer or bool tensor.",
    "equal": "Returns True if the two tensors have the same size and elements, else False.",
    "isclose": (
        "Returns a bool tensor that is True where ``|input - other| <= atol + rtol * |other|``."),
    "allclose": (
        "Returns True if every element satisfies ``|input - other| <= atol + rtol * |other|``."),
    "isnan": "Returns a bool tensor that is True where ``input`` is NaN.",
    "isinf": "Returns a bool tensor that is True where ``input`` is +inf or -inf.",
    "isfinite": "Returns a bool tensor that is True where ``input`` is neither infinite nor NaN.",
    "isposinf": "Returns a bool tensor that is True where ``input`` is +inf.",
    "isneginf": "Returns a bool tensor that is True where ``input`` is -inf.",
    "signbit": (
        "Returns a bool tensor that is True where the sign bit of ``input`` is set (including "
        "-0.0)."),
    "nan_to_num": (
        "Returns ``input`` with NaN, +inf and -inf replaced by ``nan``, ``posinf`` and "
        "``neginf`` (default 0 and the dtype's extremes)."),
    "sum": "Returns the sum of the elements of ``input``, over all of them or over ``dim``.",
    "nansum": "Returns the sum of the elements of ``input``, treating NaN as zero.",
    "mean": "Returns the mean of the elements of ``input``, over all of them or over ``dim``.",
    "nanmean": (
        "Returns the mean of the non-NaN elements of ``input``, over all of them or over "
        "``dim``."),
    "prod": "Returns the product of the elements of ``input``, over all of them or over ``dim``.",
    "max": (
        "Returns the largest element of ``input``; with ``dim``, the (values, indices) of the "
        "maxima along it."),
    "min": (
        "Returns the smallest element of ``input``; with ``dim``, the (values, indices) of the "
        "minima along it."),
    "amax": (
        "Returns the largest elements of ``input`` over ``dim`` (all dims by default), without "
        "indices."),
    "amin": (
        "Returns the smallest elements of ``input`` over ``dim`` (all dims by default), without"
        " indices."),
    "aminmax": "Returns the (min, max) of ``input``, over all elements or along ``dim``.",
    "argmax": (
        "Returns the index of the largest element of ``input`` (of the flattened tensor when "
        "``dim`` is None)."),
    "argmin": (
        "Returns the index of the smallest element of ``input`` (of the flattened tensor when "
        "``dim`` is None)."),
    "var": (
        "Returns the variance of ``input`` over ``dim``, with Bessel's correction unless told "
        "otherwise."),
    "std": (
        "Returns the standard deviation of ``input`` over ``dim``, with Bessel's correction "
        "unless told otherwise."),
    "var_mean": "Returns the (variance, mean) of ``input`` over ``dim``.",
    "std_mean": "Returns the (standard deviation, mean) of ``input`` over ``dim``.",
    "norm": (
        "Returns the vector or matrix norm of ``input`` (order ``p``, default Frobenius / "
        "2-norm)."),
    "logsumexp": "Returns ``log(sum(exp(input)))`` over ``dim``, computed without overflow.",
    "softmax": (
        "Returns ``exp(x) / sum(exp(x))`` along ``dim``: each slice becomes positive and sums "
        "to 1."),
    "log_softmax": "Returns the logarithm of ``softmax(input, dim)``, computed stably.",
    "cumsum": "Returns the cumulative sums of ``input`` along ``dim``.",
    "cumprod": "Returns the cumulative products of ``input`` along ``dim``.",
    "cummax": "Returns the (values, indices) of the running maximum of ``input`` along ``dim``.",
    "any": "Returns True where any element (over all, or along ``dim``) of ``input`` is nonzero.",
    "count_nonzero": (
        "Returns the number of nonzero elements of ``input``, over all of them or over ``dim``."),
    "topk": (
        "Returns the ``k`` largest (or smallest) elements of ``input`` along ``dim`` and their "
        "indices."),
    "msort": "Returns ``input`` sorted in ascending order along its first dimension.",
    "median": (
        "Returns the lower median of ``input``; with ``dim``, the (values, indices) of the "
        "medians along it."),
    "kthvalue": (
        "Returns the (values, indices) of the ``k``-th smallest elements of ``input`` along "
        "``dim``."),
    "reshape": (
        "Returns a tensor with the elements of ``input`` in the given shape (a view when "
        "possible)."),
    "flatten": "Returns ``input`` with the dims from ``start_dim`` to ``end_dim`` merged into one.",
    "unflatten": "Returns ``input`` with dimension ``dim`` split into the dims ``sizes``.",
    "squeeze": "Returns a view of ``input`` without its size-1 dims (or only those in ``dim``).",
    "unsqueeze": "Returns a view of ``input`` with a new size-1 dim inserted at ``dim``.",
    "permute": "Returns a view of ``input`` with its dimensions in the order ``dims``.",
    "transpose": "Returns a view of ``input`` with dimensions ``dim0`` and ``dim1`` swapped.",
    "t": "Returns the transpose of a tensor of at most 2 dims (a view).",
    "movedim": (
        "Returns a view of ``input`` with the dims ``source`` moved to the positions "
        "``destination``."),
    "broadcast_to": "Returns a view of ``input`` broadcast to ``shape``.",
    "broadcast_shapes": (
        "Returns the shape (a ``Size``) that tensors of the given shapes broadcast to."),
    "tile": "Returns ``input`` repeated ``dims`` times along each dimension.",
    "cat": "Returns the tensors joined along the existing dimension ``dim``.",
    "stack": "Returns the tensors (all of one shape) joined along a new dimension ``dim``.",
    "hstack": "Returns the tensors joined horizontally (along dim 1, or dim 0 for 1-D tensors).",
    "vstack": (
        "Returns the tensors joined vertically (along dim 0, after making them at least 2-D)."),
    "dstack": "Returns the tensors joined depthwise (along dim 2, after making them at least 3-D).",
    "column_stack": "Returns the tensors joined as columns of a 2-D tensor.",
    "atleast_1d": "Returns the tensor (or each of several tensors) with at least one dimension.",
    "atleast_2d": "Returns the tensor (or each of several tensors) with at least two dimensions.",
    "atleast_3d": "Returns the tensor (or each of several tensors) with at least three dimensions.",
    "split": (
        "Returns ``input`` split along ``dim`` into chunks of ``split_size`` (or of the listed "
        "sizes), as views."),
    "chunk": "Returns ``input`` split along ``dim`` into ``chunks`` views of (nearly) equal size.",
    "unbind": (
        "Returns the slices of ``input`` along ``dim``, as a tuple of views without that dim."),
    "narrow": (
        "Returns a view of ``input`` restricted to ``length`` elements from ``start`` along "
        "``dim``."),
    "select": "Returns a view of ``input`` at ``index`` along ``dim``, without that dim.",
    "flip": "Returns a copy of ``input`` with the order of its elements reversed along ``dims``.",
    "fliplr": "Returns a copy of ``input`` reversed along dim 1 (left-right).",
    "flipud": "Returns a copy of ``input`` reversed along dim 0 (up-down).",
    "roll": (
        "Returns ``input`` rolled by ``shifts`` along ``dims``; elements shifted past the end "
        "wrap around."),
    "tril": (
        "Returns the lower triangle of (each matrix in) ``input``, zeroing the elements above "
        "``diagonal``."),
    "triu": (
        "Returns the upper triangle of (each matrix in) ``input``, zeroing the elements below "
        "``diagonal``."),
    "diag": (
        "Returns a 2-D tensor with a 1-D ``input`` on a diagonal, or the diagonal of a 2-D "
        "``input``."),
    "diagonal": (
        "Returns a view of the diagonal (at ``offset``) of ``input`` over the dims ``dim1`` and"
        " ``dim2``."),
    "diag_embed": (
        "Returns a tensor whose last dimension of ``input`` is put on the diagonals of new "
        "matrices."),
    "trace": "Returns the sum of the diagonal of a 2-D tensor.",
    "gather": "Returns the values of ``input`` along ``dim`` at the positions given by ``index``.",
    "take_along_dim": (
        "Returns the values of ``input`` at ``indices`` along ``dim`` (of the flattened tensor "
        "when ``dim`` is None)."),
    "scatter": (
        "Returns a copy of ``input`` with ``src`` (or ``value``) written along ``dim`` at the "
        "positions ``index``."),
    "scatter_add": (
        "Returns a copy of ``input`` with ``src`` added along ``dim`` at the positions "
        "``index``."),
    "scatter_reduce": (
        "Returns a copy of ``input`` with ``src`` combined along ``dim`` at ``index`` by "
        "``reduce`` ('sum', 'prod', 'mean', 'amax' or 'amin')."),
    "index_select": (
        "Returns the entries of ``input`` along ``dim`` at the positions in the 1-D tensor "
        "``index``."),
    "index_add": (
        "Returns a copy of ``input`` with ``alpha * source`` added along ``dim`` at the "
        "positions ``index``."),
    "index_fill": (
        "Returns a copy of ``input`` with ``value`` written along ``dim`` at the positions "
        "``index``."),
    "index_copy": (
        "Returns a copy of ``input`` with ``source`` copied along ``dim`` to the positions "
        "``index``."),
    "index_put": (
        "Returns a copy of ``input`` with ``values`` written at ``indices`` (added when "
        "``accumulate``)."),
    "masked_select": (
        "Returns a 1-D tensor of the elements of ``input`` where the bool ``mask`` is True."),
    "masked_scatter": (
        "Returns a copy of ``input`` with the elements of ``source``, in order, written where "
        "``mask`` is True."),
    "take": "Returns the elements of ``input``, treated as 1-D, at the positions ``index``.",
    "nonzero": (
        "Returns the indices of the nonzero elements of ``input`` (one row each, or a tuple per"
        " dim)."),
    "argwhere": "Returns the indices of the nonzero elements of ``input``, one row per element.",
    "unique": (
        "Returns the unique elements of ``input`` (sorted), optionally with inverse indices and"
        " counts."),
    "unique_consecutive": (
        "Returns ``input`` with each run of equal consecutive elements reduced to one."),
    "bincount": (
        "Returns the count of each value in a 1-D tensor of non-negative ints (or their summed "
        "``weights``)."),
    "searchsorted": (
        "Returns the indices at which ``values`` would be inserted into ``sorted_sequence`` to "
        "keep it sorted."),
    "bucketize": (
        "Returns the index of the bucket, given by ``boundaries``, that each element of "
        "``input`` falls in."),
    "mm": "Returns the matrix product of two 2-D tensors.",
    "bmm": "Returns the batched matrix product of two 3-D tensors.",
    "mv": "Returns the product of the matrix ``input`` and the vector ``vec``.",
    "dot": "Returns the dot product of two 1-D tensors.",
    "vdot": "Returns the dot product of two 1-D tensors, conjugating the first.",
    "addmm": "Returns ``beta * input + alpha * (mat1 @ mat2)``.",
    "baddbmm": "Returns ``beta * input + alpha * (batch1 @ batch2)`` for batches of matrices.",
    "addmv": "Returns ``beta * input + alpha * (mat @ vec)``.",
    "addbmm": "Returns ``beta * input + alpha * sum_i(batch1[i] @ batch2[i])``.",
    "einsum": (
        "Returns the sum of products of the operands' elements given by the Einstein "
        "``equation``."),
}

# Tensor methods and properties with no function twin (torch/_tensor_docs.py's part)
TENSOR: dict[str, str] = {
    "apply_": (
        "Applies the Python function ``fn`` to each element, in place (slow: one Python call "
        "per element); returns this tensor."),
    "backward": (
        "Computes the gradient of this tensor with respect to the graph leaves and accumulates "
        "it into their ``.grad`` (see :func:`ember.autograd.backward`)."),
    "bool": "Returns this tensor converted to ``ember.bool`` (``self.to(ember.bool)``).",
    "byte": "Returns this tensor converted to ``ember.uint8``.",
    "char": "Returns this tensor converted to ``ember.int8``.",
    "contiguous": "Returns this tensor if it is C-contiguous, otherwise a contiguous copy.",
    "copy_": (
        "Copies the elements of ``src`` (broadcast and cast to this tensor's dtype) into this "
        "tensor; returns it."),
    "cpu": "Returns this tensor (ember tensors always live on the CPU).",
    "cuda": "Raises: ember has no CUDA backend (torch's ``Tensor.cuda``).",
    "data": (
        "A tensor sharing this one's storage, detached from the graph; writes through it are "
        "invisible to autograd."),
    "data_ptr": "Returns the address of the first element of this tensor's storage.",
    "detach": (
        "Returns a new tensor sharing this tensor's data (and version counter), cut from the "
        "graph."),
    "device": "The device this tensor lives on (always the CPU).",
    "dim": "Returns the number of dimensions of this tensor.",
    "double": "Returns this tensor converted to ``ember.float64``.",
    "dtype": "The data type of this tensor's elements (an ``ember.dtype``).",
    "element_size": "Returns the size in bytes of one element.",
    "expand": (
        "Returns a view of this tensor with size-1 dims broadcast to ``sizes`` (-1 keeps a "
        "dim)."),
    "expand_as": "Returns ``self.expand(other.size())``.",
    "exponential_": (
        "Fills this tensor in place with samples from the exponential distribution with rate "
        "``lambd``; returns it."),
    "fill_": "Fills this tensor in place with ``value``; returns it.",
    "float": "Returns this tensor converted to ``ember.float32``.",
    "get_device": "Returns -1, torch's device index for CPU tensors.",
    "grad": "The gradient accumulated into this leaf by backward (None until one arrives).",
    "half": "Returns this tensor converted to ``ember.float16``.",
    "int": "Returns this tensor converted to ``ember.int32``.",
    "is_complex": "Returns True if this tensor's dtype is complex.",
    "is_contiguous": "True if the elements are laid out in C (row-major) order without gaps.",
    "is_cuda": "False: ember tensors always live on the CPU.",
    "is_floating_point": "Returns True if this tensor's dtype is a floating point dtype.",
    "is_leaf": "True for tensors not made by a recorded operation (their ``grad_fn`` is None).",
    "item": "Returns the value of a one-element tensor as a Python number.",
    "layout": "The memory layout: always ``torch.strided``.",
    "long": "Returns this tensor converted to ``ember.int64``.",
    "mT": "A view with the last two dimensions swapped (the transpose of each matrix in a batch).",
    "ndim": "The number of dimensions of this tensor.",
    "new_empty": (
        "Returns an uninitialised tensor of the given size with this tensor's dtype (unless "
        "``dtype`` is given)."),
    "new_full": (
        "Returns a tensor of the given size filled with ``fill_value``, with this tensor's "
        "dtype (unless ``dtype`` is given)."),
    "new_ones": (
        "Returns a tensor of 1s of the given size with this tensor's dtype (unless ``dtype`` is"
        " given)."),
    "new_tensor": (
        "Returns a new tensor holding a copy of ``data``, with this tensor's dtype (unless "
        "``dtype`` is given)."),
    "new_zeros": (
        "Returns a tensor of 0s of the given size with this tensor's dtype (unless ``dtype`` is"
        " given)."),
    "normal_": (
        "Fills this tensor in place with samples from the normal distribution ``N(mean, "
        "std**2)``; returns it."),
    "numel": "Returns the number of elements of this tensor.",
    "numpy": "Returns the NumPy array behind this tensor (shared memory, no copy).",
    "output_nr": "The position of this tensor among the outputs of the op that made it.",
    "pin_memory": "Raises ``RuntimeError`` as CPU torch does: pinning needs an accelerator.",
    "is_pinned": "False: ember tensors are never in pinned (page-locked) memory.",
    "new": (
        "Legacy constructor of this tensor's dtype: ``new()`` (empty), ``new(2, 3)`` / ``new("
        "size=...)`` (sizes), ``new(data)`` (a copy of a sequence), ``new(t)`` (an alias of t)."),
    "positive": "Returns this tensor (unary plus); raises for bool tensors.",
    "random_": (
        "Fills this tensor in place with integers drawn uniformly from [``from_``, ``to``); "
        "returns it."),
    "repeat": (
        "Returns a tensor with this tensor's data repeated ``sizes`` times along each "
        "dimension."),
    "requires_grad": "True if autograd records operations on this tensor (settable on leaves).",
    "requires_grad_": "Sets ``requires_grad`` in place and returns this tensor.",
    "reshape_as": "Returns ``self.reshape(other.shape)``.",
    "resize_": (
        "Resizes this tensor in place to ``sizes`` (keeping the leading elements); returns it."),
    "retain_grad": "Makes this non-leaf tensor keep its ``.grad`` during backward.",
    "retains_grad": (
        "True if this non-leaf tensor keeps its ``.grad`` (``retain_grad()`` was called)."),
    "set_": (
        "Makes this tensor share ``source``'s storage, size and strides (an empty tensor "
        "without a source); returns it."),
    "shape": "The size of this tensor, as an ``ember.Size``.",
    "short": "Returns this tensor converted to ``ember.int16``.",
    "size": (
        "Returns the size of this tensor (an ``ember.Size``), or the size of dimension ``dim``."),
    "stride": "Returns the strides of this tensor in elements, or the stride of dimension ``dim``.",
    "T": "This tensor with its dimensions reversed (the transpose, for a matrix), as a view.",
    "to": (
        "Returns this tensor converted to a dtype (and/or checked against a device); itself "
        "when nothing changes."),
    "tolist": (
        "Returns the elements as (nested) Python lists of numbers (a number for a 0-d tensor)."),
    "type": (
        "Returns the type name (``'torch.FloatTensor'``...) without ``dtype``, else this tensor"
        " cast to ``dtype`` (a dtype, a typed class such as ``torch.LongTensor``, or its "
        "name)."),
    "type_as": "Returns this tensor converted to the dtype of ``other``.",
    "uniform_": (
        "Fills this tensor in place with samples drawn uniformly from [``a``, ``b``); returns "
        "it."),
    "view": "Returns a view of this tensor's data with the given shape (one dim may be -1).",
    "view_as": "Returns ``self.view(other.shape)``.",
    "zero_": "Fills this tensor with zeros in place; returns it.",
}

_shadowed: list[str] = []


def shadowed() -> list[str]:
    """The FUNCTIONS / TENSOR entries that ``install`` skipped because the function has its own
    docstring (stale entries)."""
    return list(_shadowed)


def _summary(doc: str) -> str:
    """The first paragraph of ``doc``, on one line."""
    return " ".join(doc.strip().split("\n\n")[0].split())


def install(namespace: dict[str, Any], tensor_cls: type) -> None:
    """Attach the texts above to the functions in ``namespace`` (ember's globals, before the
    out= wrappers copy them) and describe the Tensor methods that mirror a function."""
    for name, text in FUNCTIONS.items():
        fn = namespace[name]
        if fn.__doc__:
            _shadowed.append(name)
        else:
            fn.__doc__ = text
    members = vars(tensor_cls)
    for name, text in TENSOR.items():
        member = members[name]  # a function or a property: both take a __doc__
        if member.__doc__:
            _shadowed.append(f"Tensor.{name}")
        else:
            member.__doc__ = text
    for name, member in members.items():
        if name.startswith("_") or not callable(member) or member.__doc__:
            continue
        fn = namespace.get(name)
        if callable(fn) and fn.__doc__:
            member.__doc__ = (f"See :func:`ember.{name}` (this tensor is the input): "
                              f"{_summary(fn.__doc__)}")
        elif name.endswith("_") and callable(getattr(tensor_cls, name[:-1], None)):
            member.__doc__ = (f"In-place version of :meth:`Tensor.{name[:-1]}`: writes the result "
                              "into this tensor and returns it.")
