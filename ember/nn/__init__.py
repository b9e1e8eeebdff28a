"""ember.nn: modules, layers, losses, functional API and init (torch.nn)."""
from .parameter import Parameter, Buffer, UninitializedParameter, UninitializedBuffer  # noqa: F401
from .modules import *  # noqa: F401,F403
from . import attention, functional, init, utils  # noqa: F401
from . import parallel  # noqa: F401, E402 - nn.parallel (types area)
from .parallel import DataParallel  # noqa: F401, E402


def factory_kwargs(kwargs):
    """The factory keyword arguments (``device``, ``dtype``, ``memory_format``, and those in a
    nested ``factory_kwargs`` dict) of ``kwargs`` as one dict, with torch's TypeErrors for
    unexpected or doubly given keys (``torch.nn.factory_kwargs``)."""
    if kwargs is None:
        return {}
    simple = {"device", "dtype", "memory_format"}
    expected = simple | {"factory_kwargs"}
    if not kwargs.keys() <= expected:
        raise TypeError(f"unexpected kwargs {kwargs.keys() - expected}")
    out = dict(kwargs.get("factory_kwargs", {}))
    for k in simple:
        if k in kwargs:
            if k in out:
                raise TypeError(f"{k} specified twice, in **kwargs and in factory_kwargs")
            out[k] = kwargs[k]
    return out
