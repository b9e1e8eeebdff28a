"""Write tests/data/torch_api_names.txt: the public names of real torch's namespaces.

    python tools/gen_api_names.py            (needs torch==2.13.0, the test oracle)
    python tools/gen_api_names.py --not-yet  (rewrites the "not yet" group of the absent list)

One dotted name per line, for each namespace below: its ``__all__`` where it has one, else
its public ``dir()`` less submodules; ``torch.Tensor`` lists its public attributes. The name-
coverage test (tests/test_api_coverage.py) requires each of these to resolve in ember, except
those matched by tests/data/torch_api_absent.txt, where each absence has its reason.
"""
from __future__ import annotations

import importlib
import pathlib
import types

NAMESPACES = [
    "torch", "torch.Tensor", "torch.nn", "torch.nn.functional", "torch.nn.init", "torch.nn.utils",
    "torch.nn.utils.rnn", "torch.nn.utils.parametrize", "torch.nn.utils.parametrizations",
    "torch.nn.utils.prune", "torch.nn.attention", "torch.optim", "torch.optim.lr_scheduler",
    "torch.utils.data", "torch.utils.checkpoint", "torch.utils.tensorboard", "torch.hub",
    "torch.autograd", "torch.autograd.functional", "torch.autograd.forward_ad", "torch.linalg",
    "torch.special", "torch.fft", "torch.cuda", "torch.cuda.amp", "torch.backends",
    "torch.backends.cudnn", "torch.accelerator", "torch.jit", "torch.amp",
    "torch.multiprocessing", "torch.distributions", "torch.distributed", "torch.func",
    "torch.onnx", "torch.testing",
]

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data" / "torch_api_names.txt"


def names_of(ns: str) -> list[str]:
    if ns == "torch.Tensor":
        import torch
        return [f"torch.Tensor.{n}" for n in dir(torch.Tensor) if not n.startswith("_")]
    mod = importlib.import_module(ns)
    listed = getattr(mod, "__all__", None)
    if listed is None:
        listed = [n for n in dir(mod) if not n.startswith("_")
                  and not isinstance(getattr(mod, n), types.ModuleType)]
    out = [ns] + [f"{ns}.{n}" for n in listed if not n.startswith("_")]
    if ns == "torch":  # and its public submodules (torch.fx, torch.nn ...), which __all__ omits
        out += [f"torch.{n}" for n in dir(mod) if not n.startswith("_")
                and isinstance(getattr(mod, n), types.ModuleType)
                and getattr(mod, n).__name__ == f"torch.{n}"]
    return out


NOT_YET = "## not yet: issue 13 (the rest of the API real programs use)"


def rewrite_not_yet() -> None:
    """The absent list's last group, ``NOT_YET``, becomes exactly the promised names that ember
    does not resolve (run after adding names; review the diff: it must only shrink)."""
    import sys
    sys.path.insert(0, str(OUT.parent.parent))
    from test_api_coverage import resolves, split_names  # type: ignore[import-not-found]
    path = OUT.parent / "torch_api_absent.txt"
    text = path.read_text()
    head = text.split(NOT_YET)[0].rstrip("\n") + "\n"
    path.write_text(head)
    names, promised, excused, _ = split_names()
    missing = [n for n in promised if not resolves(n)]
    path.write_text(head + "\n" + NOT_YET + "\n" + "".join(f"{n}\n" for n in missing))
    have = sum(resolves(n) for n in names)
    print(f"{len(names)} torch names: ember has {have} ({100 * have / len(names):.1f}%); "
          f"{len(excused)} excused by reason; {len(missing)} not yet")


def main() -> None:
    import torch
    names: list[str] = []
    for ns in NAMESPACES:
        names += names_of(ns)
    OUT.parent.mkdir(exist_ok=True)
    body = "\n".join(sorted(set(names)))
    OUT.write_text(f"# public names of torch {torch.__version__} (tools/gen_api_names.py)\n"
                   f"{body}\n")
    print(f"{len(set(names))} names -> {OUT}")


if __name__ == "__main__":
    import sys
    if "--not-yet" in sys.argv:
        rewrite_not_yet()
    else:
        main()
