"""``ember`` console command: ``ember demo [options]`` runs the digits demo; ``ember examples``
lists the runnable example scripts; ``ember run prog.py [args]`` runs a PyTorch program
unchanged, with ``import torch`` answered by ember."""
from __future__ import annotations

import sys


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    cmd = argv.pop(0) if argv else "help"
    if cmd == "demo":
        from .examples import digits
        digits.main(argv)
    elif cmd == "run":
        from ._torch_alias import run
        return run(argv)
    elif cmd == "examples":
        import pkgutil

        from . import examples
        for m in pkgutil.iter_modules(examples.__path__):
            if not m.name.startswith("_"):
                print(f"python -m ember.examples.{m.name}")
    else:
        print("usage: ember demo [--epochs N --batch-size B --lr LR --seed S --out DIR "
              "--resume] | ember examples | ember run prog.py [args...]")
        return 0 if cmd in ("help", "-h", "--help") else 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
