"""Count the public functions and methods of ember's core packages that carry complete type
annotations (every parameter but self/cls annotated, and a return annotation).

Rule for "public": a module-level ``def`` whose name does not start with ``_``; and in a class
whose name does not start with ``_``, every method whose name does not start with ``_`` plus
``__init__`` and ``__call__`` (property getters/setters count as methods). Nested functions,
private helpers and other dunders are not counted.  Functions produced at runtime (generated
ops) are invisible to this AST count.

Usage: python tools/annotation_count.py [-v] [paths...]   (-v lists the incomplete ones)
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

DEFAULT = ["ember/_tensor.py", "ember/autograd", "ember/optim"]
COUNTED_DUNDERS = {"__init__", "__call__"}


def _complete(fn: ast.FunctionDef | ast.AsyncFunctionDef, is_method: bool) -> bool:
    a = fn.args
    params = a.posonlyargs + a.args
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in fn.decorator_list)
    if is_method and not static and params:
        params = params[1:]  # self / cls
    params = params + a.kwonlyargs + [p for p in (a.vararg, a.kwarg) if p is not None]
    return fn.returns is not None and all(p.annotation is not None for p in params)


def _public_defs(tree: ast.Module):
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if not node.name.startswith("_"):
                yield node, False, node.name
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for m in node.body:
                if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                        not m.name.startswith("_") or m.name in COUNTED_DUNDERS):
                    yield m, True, f"{node.name}.{m.name}"


def count(paths: list[str]) -> dict[str, tuple[int, int, list[str]]]:
    files: list[Path] = []
    for p in map(Path, paths):
        files += sorted(p.rglob("*.py")) if p.is_dir() else [p]
    out = {}
    for f in files:
        tree = ast.parse(f.read_text(), str(f))
        done, total, missing = 0, 0, []
        for fn, is_method, qual in _public_defs(tree):
            total += 1
            if _complete(fn, is_method):
                done += 1
            else:
                missing.append(f"{f}:{fn.lineno} {qual}")
        out[str(f)] = (done, total, missing)
    return out


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    paths = [a for a in argv if a != "-v"] or DEFAULT
    res = count(paths)
    done = sum(r[0] for r in res.values())
    total = sum(r[1] for r in res.values())
    for f, (d, t, missing) in res.items():
        if t:
            print(f"{d:5d}/{t:<5d} {100 * d / t:5.1f}%  {f}")
        if verbose:
            for m in missing:
                print("      missing:", m)
    print(f"{done:5d}/{total:<5d} {100 * done / max(total, 1):5.1f}%  total")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
