"""Error classes and messages of the core ops, checked against torch (and, without torch,
against the texts the original design recorded).  ember writes 'ember' where torch names its
package."""
from __future__ import annotations

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


def T(lib, *shape, dtype="float32", req=False):
    a = np.asarray(np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape) / 7.0)
    t = lib.from_numpy(a.astype(dtype))
    return t.requires_grad_(True) if req else t


def Ti(lib, values):
    return lib.from_numpy(np.asarray(values, dtype=np.int64))


def _setitem_mismatch(lib):
    x = T(lib, 3, 4)
    x[0] = T(lib, 3)


def _setitem_too_many(lib):
    x = T(lib, 3, 4)
    x[0] = T(lib, 2, 4)


def _inplace_broadcast(lib):
    x = T(lib, 3)
    x.add_(T(lib, 2, 3))


# name -> (callable(lib), exception class, exact message or None to compare with torch only)
CASES = {
    # roll of a 0-d tensor with a list of shifts and one int dim (was a TypeError from len())
    "roll_0d_list_shifts": (lambda lib: lib.roll(T(lib), [1], 0), IndexError,
                            "Dimension specified as 0 but tensor has no dimensions"),
    # no overload takes these (were AttributeErrors from inside)
    "pow_two_numbers": (lambda lib: lib.pow(2, 3), TypeError,
                        None),
    "scatter_without_source": (lambda lib: lib.scatter(T(lib, 3), 0, lib.tensor([0])),
                               TypeError, None),
    # section 8 texts
    "mm_mismatch": (lambda lib: lib.mm(T(lib, 2, 3), T(lib, 4, 5)), RuntimeError,
                    "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"),
    "matmul_2d_mismatch": (lambda lib: T(lib, 2, 3) @ T(lib, 4, 5), RuntimeError,
                           "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"),
    "addmm_mismatch": (lambda lib: lib.addmm(T(lib, 2, 5), T(lib, 2, 3), T(lib, 4, 5)),
                       RuntimeError, "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"),
    "broadcast_add": (lambda lib: T(lib, 3) + T(lib, 4), RuntimeError,
                      "The size of tensor a (3) must match the size of tensor b (4) at "
                      "non-singleton dimension 0"),
    "broadcast_mul_dim1": (lambda lib: T(lib, 2, 3) * T(lib, 2, 4), RuntimeError,
                           "The size of tensor a (3) must match the size of tensor b (4) at "
                           "non-singleton dimension 1"),
    "broadcast_sub_fn": (lambda lib: lib.sub(T(lib, 5, 2), T(lib, 3, 1)), RuntimeError,
                         "The size of tensor a (5) must match the size of tensor b (3) at "
                         "non-singleton dimension 0"),
    "broadcast_maximum": (lambda lib: lib.maximum(T(lib, 2), T(lib, 3)), RuntimeError,
                          "The size of tensor a (2) must match the size of tensor b (3) at "
                          "non-singleton dimension 0"),
    "view_noncontig": (lambda lib: T(lib, 2, 3).t().view(6), RuntimeError,
                       "view size is not compatible with input tensor's size and stride (at "
                       "least one dimension spans across two contiguous subspaces). Use "
                       ".reshape(...) instead."),
    "item_many": (lambda lib: T(lib, 2, 3).item(), RuntimeError,
                  "a Tensor with 6 elements cannot be converted to Scalar"),
    "bool_many": (lambda lib: bool(T(lib, 2)), RuntimeError,
                  "Boolean value of Tensor with more than one value is ambiguous"),
    "if_many": (lambda lib: 1 if T(lib, 3) > 0 else 0, RuntimeError,
                "Boolean value of Tensor with more than one value is ambiguous"),
    # shapes and dims
    "view_bad_size": (lambda lib: T(lib, 2, 3).view(4), RuntimeError,
                      "shape '[4]' is invalid for input of size 6"),
    "reshape_bad_size": (lambda lib: T(lib, 2, 3).reshape(4, -1), RuntimeError,
                         "shape '[4, -1]' is invalid for input of size 6"),
    "view_two_infer": (lambda lib: T(lib, 2, 3).view(-1, -1), RuntimeError,
                       "only one dimension can be inferred"),
    "sum_bad_dim": (lambda lib: T(lib, 2, 3).sum(2), IndexError,
                    "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    "mean_bad_neg_dim": (lambda lib: T(lib, 2, 3).mean(-3), IndexError,
                         "Dimension out of range (expected to be in range of [-2, 1], but got "
                         "-3)"),
    "softmax_bad_dim": (lambda lib: lib.softmax(T(lib, 2, 3), 2), IndexError, None),
    "transpose_bad_dim": (lambda lib: T(lib, 2, 3).transpose(0, 2), IndexError, None),
    "unsqueeze_bad_dim": (lambda lib: T(lib, 2, 3).unsqueeze(3), IndexError,
                          "Dimension out of range (expected to be in range of [-3, 2], but got "
                          "3)"),
    "sum_dup_dims": (lambda lib: T(lib, 2, 3).sum((0, 0)), RuntimeError,
                     "dim 0 appears multiple times in the list of dims"),
    "amax_dup_dims": (lambda lib: T(lib, 2, 3).amax((1, -1)), RuntimeError,
                      "dim 1 appears multiple times in the list of dims"),
    "cat_sizes": (lambda lib: lib.cat([T(lib, 2, 3), T(lib, 2, 4)]), RuntimeError,
                  "Sizes of tensors must match except in dimension 0. Expected size 3 but got "
                  "size 4 for tensor number 1 in the list."),
    "cat_ndim": (lambda lib: lib.cat([T(lib, 2, 3), T(lib, 3)]), RuntimeError,
                 "Tensors must have same number of dimensions: got 2 and 1"),
    "cat_0d": (lambda lib: lib.cat([T(lib), T(lib)]), RuntimeError,
               "zero-dimensional tensor (at position 0) cannot be concatenated"),
    "cat_empty_list": (lambda lib: lib.cat([]), ValueError,
                       "torch.cat(): expected a non-empty list of Tensors"),
    "stack_sizes": (lambda lib: lib.stack([T(lib, 2, 3), T(lib, 3, 2)]), RuntimeError,
                    "stack expects each tensor to be equal size, but got [2, 3] at entry 0 and "
                    "[3, 2] at entry 1"),
    "permute_len": (lambda lib: T(lib, 2, 3).permute(0), RuntimeError, None),
    "permute_dup": (lambda lib: T(lib, 2, 3).permute(0, 0), RuntimeError, None),
    "expand_bad": (lambda lib: T(lib, 2, 3).expand(4, 3), RuntimeError,
                   "The expanded size of the tensor (4) must match the existing size (2) at "
                   "non-singleton dimension 0.  Target sizes: [4, 3].  Tensor sizes: [2, 3]"),
    "repeat_few": (lambda lib: T(lib, 2, 3).repeat(2), RuntimeError,
                   "Number of dimensions of repeat dims can not be smaller than number of "
                   "dimensions of tensor"),
    "narrow_range": (lambda lib: T(lib, 2, 3).narrow(1, 2, 2), RuntimeError,
                     "start (2) + length (2) exceeds dimension size (3)."),
    "split_sizes_sum": (lambda lib: T(lib, 4).split([1, 2]), RuntimeError,
                        "split_with_sizes expects split_sizes to sum exactly to 4 (input "
                        "tensor's size at dimension 0), but got split_sizes=[1, 2]"),
    "chunk_zero": (lambda lib: T(lib, 4).chunk(0), RuntimeError,
                   "chunk expects `chunks` to be greater than 0, got: 0"),
    "flatten_order": (lambda lib: T(lib, 2, 3, 4).flatten(2, 1), RuntimeError,
                      "flatten() has invalid args: start_dim cannot come after end_dim"),
    "t_3d": (lambda lib: T(lib, 2, 3, 4).t(), RuntimeError,
             "t() expects a tensor with <= 2 dimensions, but self is 3D"),
    "diag_3d": (lambda lib: lib.diag(T(lib, 2, 2, 2)), RuntimeError, None),
    "topk_k": (lambda lib: T(lib, 3).topk(4), RuntimeError, "selected index k out of range"),
    "max_empty": (lambda lib: lib.max(T(lib, 0)), RuntimeError, None),
    "squeeze_bad_dim": (lambda lib: T(lib, 2, 3).squeeze(2), IndexError, None),
    # matmul family
    "matmul_0d": (lambda lib: lib.matmul(T(lib), T(lib, 2)), RuntimeError,
                  "both arguments to matmul need to be at least 1D, but they are 0D and 1D"),
    "dot_mismatch": (lambda lib: lib.dot(T(lib, 3), T(lib, 4)), RuntimeError, None),
    "dot_2d": (lambda lib: lib.dot(T(lib, 2, 2), T(lib, 2)), RuntimeError,
               "1D tensors expected, but got 2D and 1D tensors"),
    "mv_mismatch": (lambda lib: lib.mv(T(lib, 2, 3), T(lib, 4)), RuntimeError, None),
    "matmul_vec_mismatch": (lambda lib: T(lib, 2, 3) @ T(lib, 4), RuntimeError, None),
    "matmul_1d_2d_mismatch": (lambda lib: T(lib, 3) @ T(lib, 4, 2), RuntimeError, None),
    "bmm_batch": (lambda lib: lib.bmm(T(lib, 2, 2, 3), T(lib, 3, 3, 2)), RuntimeError, None),
    "bmm_2d": (lambda lib: lib.bmm(T(lib, 2, 3), T(lib, 3, 2)), RuntimeError,
               "batch1 must be a 3D tensor"),
    "mm_3d": (lambda lib: lib.mm(T(lib, 2, 2, 3), T(lib, 3, 2)), RuntimeError,
              "self must be a matrix"),
    "mm_dtype": (lambda lib: lib.mm(T(lib, 2, 3), T(lib, 3, 2, dtype="float64")), RuntimeError,
                 None),
    "matmul_batch_bcast": (lambda lib: T(lib, 2, 2, 3) @ T(lib, 3, 3, 2), RuntimeError, None),
    # indexing
    "index_oob": (lambda lib: T(lib, 3)[5], IndexError,
                  "index 5 is out of bounds for dimension 0 with size 3"),
    "index_0d": (lambda lib: T(lib)[0], IndexError,
                 "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                 "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"),
    "index_float_tensor": (lambda lib: T(lib, 3)[T(lib, 2)], IndexError,
                           "tensors used as indices must be long, int, byte or bool tensors"),
    "index_adv_oob": (lambda lib: T(lib, 3)[Ti(lib, [0, 3])], IndexError,
                      "index 3 is out of bounds for dimension 0 with size 3"),
    "gather_ndim": (lambda lib: lib.gather(T(lib, 2, 3), 1, Ti(lib, [0, 1])), RuntimeError,
                    "Index tensor must have the same number of dimensions as input tensor"),
    "gather_oob": (lambda lib: lib.gather(T(lib, 2, 3), 1, Ti(lib, [[0, 5]])), RuntimeError,
                   "index 5 is out of bounds for dimension 1 with size 3"),
    "index_select_oob": (lambda lib: lib.index_select(T(lib, 3), 0, Ti(lib, [3])), IndexError,
                         "index out of range in self"),
    "masked_fill_float_mask": (lambda lib: T(lib, 3).masked_fill(T(lib, 3), 0.0),
                               RuntimeError, None),
    "setitem_shape": (_setitem_mismatch, RuntimeError,
                      "The expanded size of the tensor (4) must match the existing size (3) at "
                      "non-singleton dimension 0.  Target sizes: [4].  Tensor sizes: [3]"),
    "setitem_too_many_dims": (_setitem_too_many, RuntimeError, None),
    "mm_dtype_text": (lambda lib: lib.mm(T(lib, 2, 3), T(lib, 3, 2, dtype="int64")),
                      RuntimeError, "expected m1 and m2 to have the same dtype, but got: float "
                      "!= long int"),
    # dtypes
    "mean_int": (lambda lib: lib.mean(Ti(lib, [1, 2])), RuntimeError, None),
    "std_int": (lambda lib: lib.std(Ti(lib, [1, 2])), RuntimeError, None),
    "sub_bool": (lambda lib: lib.sub(Ti(lib, [1]).bool(), Ti(lib, [0]).bool()), RuntimeError,
                 "Subtraction, the `-` operator, with two bool tensors is not supported. Use "
                 "the `^` or `logical_xor()` operator instead."),
    "neg_bool": (lambda lib: -Ti(lib, [1]).bool(), RuntimeError,
                 "Negation, the `-` operator, on a bool tensor is not supported. If you are "
                 "trying to invert a mask, use the `~` or `logical_not()` operator instead."),
    "int_pow_neg": (lambda lib: Ti(lib, [2]) ** -1, RuntimeError,
                    "Integers to negative integer powers are not allowed."),
    "clamp_none": (lambda lib: lib.clamp(T(lib, 3)), RuntimeError, None),
    "int_requires_grad": (lambda lib: Ti(lib, [1]).requires_grad_(), RuntimeError,
                          "only Tensors of floating point dtype can require gradients"),
    # in-place
    "inplace_broadcast": (_inplace_broadcast, RuntimeError, None),
}

# reductions without an identity over empty tensors / dims (torch's texts, never NumPy's
# "zero-size array to reduction operation"): name -> (expression on x = lib.zeros(5, 0, 4, 2)
# or e = lib.zeros(0), exception class)
_EMPTY_REDUCTIONS = {
    "amax_full": ("e.amax()", RuntimeError), "amin_full_dims": ("x.amin(())", RuntimeError),
    "amax_dims": ("x.amax((3, -3, 2, 0))", IndexError), "amin_dim": ("x.amin(1, True)", IndexError),
    "max_full": ("e.max()", RuntimeError), "min_full": ("e.min()", RuntimeError),
    "max_dim": ("x.max(-3)", IndexError), "min_dim": ("e.min(0, keepdim=True)", IndexError),
    "argmax_full": ("x.argmax()", IndexError), "argmin_full": ("e.argmin()", IndexError),
    "argmax_dim": ("x.argmax(-3, True)", IndexError), "argmin_dim": ("e.argmin(0)", IndexError),
    "aminmax_full": ("lib.aminmax(x)", RuntimeError),
    "aminmax_dim": ("lib.aminmax(x, dim=-3)", IndexError),
    "norm_inf_full": ("e.norm(p=float('inf'))", RuntimeError),
    "norm_ninf_dims": ("x.norm(p=-float('inf'), dim=(3, -3))", RuntimeError),
}
# dtype= and signature rules of reductions and sorting (g: a float tensor requiring grad,
# f: one that does not, i: int64)
_EMPTY_REDUCTIONS.update({
    "cumprod_int_dtype_grad": ("g.cumprod(0, dtype=lib.int64)", RuntimeError),
    "sum_int_dtype_grad": ("g.sum(0, dtype=lib.int32)", RuntimeError),
    "prod_bool_dtype_grad": ("lib.prod(g, dtype=lib.bool)", RuntimeError),
    "nansum_int_dtype_grad": ("g.nansum(dim=(0,), dtype=lib.int32)", RuntimeError),
    "cumsum_int_dtype_grad": ("lib.cumsum(g, 0, dtype=lib.int64)", RuntimeError),
    "mean_int_dtype": ("f.mean(dtype=lib.int64)", RuntimeError),
    "nanmean_int_dtype": ("lib.nanmean(g, dtype=lib.int64)", RuntimeError),
    "nanmean_int_input": ("lib.nanmean(i, dim=(0,), dtype=lib.float64)", RuntimeError),
    "logsumexp_no_dims": ("f.logsumexp(dim=())", RuntimeError),
    "sort_stable_positional": ("lib.sort(f, 0, descending=True, stable=True)", TypeError),
    "sort_method_stable_positional": ("f.sort(0, stable=True)", TypeError),
    "argsort_stable_positional": ("lib.argsort(f, 0, stable=True)", TypeError),
})
for _name, (_expr, _cls) in _EMPTY_REDUCTIONS.items():
    CASES["empty_" + _name] = (
        lambda lib, _expr=_expr: eval(_expr, {
            "lib": lib, "x": lib.zeros(5, 0, 4, 2), "e": lib.zeros(0), "f": lib.ones(2, 3),
            "g": lib.ones(2, 3, requires_grad=True), "i": lib.ones(2, dtype=lib.int64)}),
        _cls, None)


def _norm(msg):
    return msg.replace("torch", "ember")


@pytest.mark.parametrize("name", list(CASES))
def test_error_class_and_text(name):
    fn, cls, text = CASES[name]
    with pytest.raises(cls) as ei:
        fn(ember)
    if text is not None:
        assert str(ei.value) in (text, _norm(text)), str(ei.value)


@pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")
@pytest.mark.parametrize("name", list(CASES))
def test_error_matches_torch(name):
    fn, cls, text = CASES[name]
    with pytest.raises(Exception) as et:
        fn(torch)
    with pytest.raises(Exception) as ee:
        fn(ember)
    assert type(ee.value).__name__ == type(et.value).__name__, (ee.value, et.value)
    assert issubclass(type(ee.value), cls)
    want = str(et.value).split("\n")[0]
    got = str(ee.value).split("\n")[0]
    assert got in (want, _norm(want)), f"ember: {got!r}\ntorch: {want!r}"


def test_backward_shape_errors_name_the_op():
    """A grad of the wrong shape passed to backward is refused (torch: RuntimeError)."""
    x = ember.ones(2, 3, requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError):
        y.backward(ember.ones(3, 2))
