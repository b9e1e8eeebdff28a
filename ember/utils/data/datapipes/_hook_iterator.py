"""torch's single-iterator-per-IterDataPipe rule: each ``iter(dp)`` makes a new valid iterator
id and calls ``dp.reset()``; an older iterator raises on its next step. Exceptions from a
DataPipe's ``__iter__`` get torch's "This exception is thrown by __iter__ of ..." line."""
from __future__ import annotations

import functools
import inspect
from typing import Any


def _simplify_obj_name(obj: Any) -> str:
    return obj.__name__ if inspect.isfunction(obj) else repr(obj)


def _generate_input_args_string(obj: Any) -> str:
    try:
        names = set(inspect.signature(obj.__class__).parameters)
    except (TypeError, ValueError):
        return ""
    result = []
    for name, value in inspect.getmembers(obj):
        if name in names:
            result.append(f"{name}={_simplify_obj_name(value)}")
    return ", ".join(result)


def _generate_iterdatapipe_msg(datapipe: Any) -> str:
    return f"{datapipe.__class__.__name__}({_generate_input_args_string(datapipe)})"


def _gen_invalid_iterdatapipe_msg(datapipe: Any) -> str:
    return ("This iterator has been invalidated because another iterator has been created "
            f"from the same IterDataPipe: {_generate_iterdatapipe_msg(datapipe)}\n"
            "This may be caused by multiple references to the same IterDataPipe. We recommend "
            "using `.fork()` if that is necessary.")


_feedback_msg = ("\nFor feedback regarding this single iterator per IterDataPipe constraint, "
                 "feel free to comment on this issue: https://github.com/pytorch/data/issues/45.")


def _check_iterator_valid(datapipe: Any, iterator_id: Any, next_method_exists: bool = False):
    if next_method_exists:
        if datapipe._valid_iterator_id is not None and datapipe._valid_iterator_id != 0:
            raise RuntimeError(_gen_invalid_iterdatapipe_msg(datapipe)
                               + "\nNote that this exception is raised inside your "
                               "IterDataPipe's a `__next__` method" + _feedback_msg)
    elif datapipe._valid_iterator_id != iterator_id:
        raise RuntimeError(_gen_invalid_iterdatapipe_msg(datapipe) + _feedback_msg)


def _set_datapipe_valid_iterator_id(datapipe: Any) -> int:
    if datapipe._valid_iterator_id is None:
        datapipe._valid_iterator_id = 0
    else:
        datapipe._valid_iterator_id += 1
    datapipe._number_of_samples_yielded = 0
    datapipe.reset()
    return datapipe._valid_iterator_id


def _annotate(e: BaseException, datapipe: Any) -> None:
    msg = "thrown by __iter__ of"
    if not hasattr(e.args, "__len__"):
        return
    full = f"{msg} {datapipe.__class__.__name__}({_generate_input_args_string(datapipe)})"
    if len(e.args) == 0 or not isinstance(e.args[0], str):
        e.args = (f"\nThis exception is {full}",)
    elif msg not in e.args[0] and "single iterator per IterDataPipe constraint" not in e.args[0]:
        e.args = (e.args[0] + f"\nThis exception is {full}",) + e.args[1:]


class _IteratorDecorator:
    """The iterator of a DataPipe whose ``__iter__`` is not a generator function."""

    def __init__(self, iterator, datapipe, iterator_id, has_next_method) -> None:
        self.iterator, self.datapipe, self.iterator_id = iterator, datapipe, iterator_id
        self.self_and_has_next_method = iterator is datapipe and has_next_method

    def __iter__(self):
        return self

    def __next__(self):
        _check_iterator_valid(self.datapipe, self.iterator_id)
        result = next(self.iterator)
        if not self.self_and_has_next_method:
            self.datapipe._number_of_samples_yielded += 1
        return result

    def __getattr__(self, name):
        return getattr(self.iterator, name)


def hook_iterator(namespace: dict[str, Any]) -> None:
    """Wrap the class namespace's ``__iter__`` (and ``__next__``) with the rule above."""
    func = namespace["__iter__"]
    if inspect.isgeneratorfunction(func):
        @functools.wraps(func)
        def wrap_generator(*args, **kwargs):
            gen = func(*args, **kwargs)
            datapipe = args[0]
            iterator_id = _set_datapipe_valid_iterator_id(datapipe)
            try:
                response = gen.send(None)
                while True:
                    datapipe._number_of_samples_yielded += 1
                    request = yield response
                    _check_iterator_valid(datapipe, iterator_id)
                    response = gen.send(request)
            except StopIteration:
                return
            except Exception as e:
                _annotate(e, datapipe)
                raise
        namespace["__iter__"] = wrap_generator
        return
    if "__next__" in namespace:
        next_func = namespace["__next__"]

        @functools.wraps(next_func)
        def wrap_next(*args, **kwargs):
            datapipe = args[0]
            result = next_func(*args, **kwargs)
            datapipe._number_of_samples_yielded += 1
            return result
        namespace["__next__"] = wrap_next

    @functools.wraps(func)
    def wrap_iter(*args, **kwargs):
        iter_ret = func(*args, **kwargs)
        datapipe = args[0]
        iterator_id = _set_datapipe_valid_iterator_id(datapipe)
        return _IteratorDecorator(iter_ret, datapipe, iterator_id, "__next__" in namespace)
    namespace["__iter__"] = wrap_iter
