"""Every ``Op`` subclass in ember (all modules imported first), for the design-rule and
fast-path tests."""
from __future__ import annotations

import importlib
import pkgutil


# ember modules written over an optional package (tensorboard): they raise ImportError without it
OPTIONAL_MODULES = ("ember.utils.tensorboard",)


def all_op_classes():
    import ember
    from ember.autograd.function import Op
    for m in pkgutil.walk_packages(ember.__path__, "ember."):
        if not m.name.startswith("ember.examples") and not m.name.endswith("__main__"):
            try:
                importlib.import_module(m.name)
            except ImportError:  # a module over an optional package that is absent
                if not m.name.startswith(OPTIONAL_MODULES):
                    raise
    out, stack = set(), [Op]
    while stack:
        for sub in stack.pop().__subclasses__():
            out.add(sub)
            stack.append(sub)
    return out
