"""torch.nn.functional's module-level helper names (issue 13, h13-utils): the typing names it
re-exports, TorchScript's ``BroadcastingList`` markers, grid_sample's mode tables,
``assert_int_or_pair``, ``boolean_dispatch`` (how ``max_pool2d`` picks the ``return_indices``
variant) and the shared documentation notes."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Optional

from .._tensor import Tensor

__all__ = ["BroadcastingList1", "BroadcastingList2", "BroadcastingList3", "Callable",
           "GRID_SAMPLE_INTERPOLATION_MODES", "GRID_SAMPLE_PADDING_MODES", "Optional",
           "TYPE_CHECKING", "Tensor", "assert_int_or_pair", "boolean_dispatch",
           "boolean_dispatched", "reproducibility_notes", "sparse_support_notes", "tf32_notes"]


class BroadcastingListCls:
    """TorchScript's ``BroadcastingListN[T]`` annotation marker: outside the compiler,
    subscripting it gives None (as torch's)."""

    def __getitem__(self, types: Any) -> None:
        return None


BroadcastingList1 = BroadcastingList2 = BroadcastingList3 = BroadcastingListCls()

GRID_SAMPLE_INTERPOLATION_MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
GRID_SAMPLE_PADDING_MODES = {"zeros": 0, "border": 1, "reflection": 2}

boolean_dispatched: dict[Any, dict[str, Any]] = {}


def assert_int_or_pair(arg: Any, arg_name: str, message: str) -> None:
    """AssertionError(``message.format(arg_name)``) unless ``arg`` is an int or has two
    items."""
    if not (isinstance(arg, int) or len(arg) == 2):
        raise AssertionError(message.format(arg_name))


def boolean_dispatch(arg_name: str, arg_index: int, default: bool,
                     if_true: Callable[..., Any], if_false: Callable[..., Any],
                     module_name: str | None, func_name: str | None) -> Callable[..., Any]:
    """A function calling ``if_true`` or ``if_false`` by the boolean argument ``arg_name``
    (keyword, or position ``arg_index``; ``default`` when absent); it takes the docstring of
    the one that has one (RuntimeError if both do)."""
    def fn(*args: Any, **kwargs: Any) -> Any:
        flag = default
        if arg_name in kwargs:
            flag = kwargs[arg_name]
        elif arg_index < len(args):
            flag = args[arg_index]
        return if_true(*args, **kwargs) if flag else if_false(*args, **kwargs)

    if if_true.__doc__ is None and if_false.__doc__ is not None:
        doc = if_true.__doc__ = if_false.__doc__
    elif if_false.__doc__ is None and if_true.__doc__ is not None:
        doc = if_false.__doc__ = if_true.__doc__
    elif if_false.__doc__ is None and if_true.__doc__ is None:
        doc = None
    else:
        raise RuntimeError("only one function can have a docstring")
    fn.__doc__ = doc
    if module_name is not None:
        fn.__module__ = module_name
    if func_name is not None:
        fn.__name__ = func_name
    boolean_dispatched[fn] = {"if_true": if_true, "if_false": if_false, "index": arg_index,
                              "default": default, "arg_name": arg_name}
    return fn


reproducibility_notes = {
    "forward_reproducibility_note": """This operation may behave nondeterministically when given tensors on a CUDA device. See :doc:`/notes/randomness` for more information.""",  # noqa: E501
    "backward_reproducibility_note": """This operation may produce nondeterministic gradients when given tensors on a CUDA device. See :doc:`/notes/randomness` for more information.""",  # noqa: E501
    "cudnn_reproducibility_note": """In some circumstances when given tensors on a CUDA device and using CuDNN, this operator may select a nondeterministic algorithm to increase performance. If this is undesirable, you can try to make the operation deterministic (potentially at a performance cost) by setting ``torch.backends.cudnn.deterministic = True``. See :doc:`/notes/randomness` for more information.""",  # noqa: E501
}
sparse_support_notes = {
    "sparse_beta_warning": """
.. warning::
    Sparse support is a beta feature and some layout(s)/dtype/device combinations may not be supported,
    or may not have autograd support. If you notice missing functionality please
    open a feature request.""",  # noqa: E501
}
tf32_notes = {
    "tf32_note": """This operator supports :ref:`TensorFloat32<tf32_on_ampere>`.""",
}
