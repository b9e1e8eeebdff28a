"""Which ``torch`` names real programs use, and which of them ember lacks.

    python tools/api_usage.py DIR [DIR ...] [--list] [--files]

Reads every ``.py`` file (and the code cells of every ``.ipynb``) under the directories, keeps
the files that import torch, and collects each dotted ``torch`` name they use: ``torch.x.y``
attribute chains through the file's import aliases (``import torch.nn as nn``,
``from torch import nn``, ``import torch.nn.functional as F``, ``from torch.utils.data import
DataLoader``). A chain is cut at the longest prefix that real torch resolves (``nn.Module.
__init__`` counts as ``torch.nn.Module.__init__``; ``torch.cuda.is_available().real`` as
``torch.cuda.is_available``). Tensor methods called on values are not seen (that needs types).

A name is found in ember when the same chain resolves under ``ember``: attributes, or
submodules that ``importlib`` imports. Prints the share of files that find every name they
use, the share of uses found, and the missing names by the number of files that use them.
Needs torch (the oracle) installed; it is a measuring tool, not part of the suite.
"""
from __future__ import annotations

import ast
import collections
import importlib
import json
import pathlib
import sys


def _sources(root: pathlib.Path):
    for p in sorted(root.rglob("*")):
        if p.suffix == ".py":
            yield p, p.read_text(errors="replace")
        elif p.suffix == ".ipynb":
            try:
                cells = json.loads(p.read_text(errors="replace")).get("cells", [])
            except ValueError:
                continue
            code = []
            for c in cells:
                if c.get("cell_type") == "code":
                    src = c.get("source", "")
                    src = "".join(src) if isinstance(src, list) else src
                    code += [ln for ln in src.splitlines()
                             if not ln.lstrip().startswith(("%", "!"))]
            yield p, "\n".join(code)


def _aliases(tree) -> dict[str, str]:
    """name in the file -> dotted torch path it stands for."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "torch" or a.name.startswith("torch."):
                    if a.asname:
                        out[a.asname] = a.name
                    else:
                        out["torch"] = "torch"
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and (
                node.module == "torch" or node.module.startswith("torch.")):
            for a in node.names:
                if a.name != "*":
                    out[a.asname or a.name] = f"{node.module}.{a.name}"
    return out


def _chains(tree, aliases):
    """Every outermost attribute chain rooted at an alias, plus the from-imports themselves."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and (
                node.module == "torch" or node.module.startswith("torch.")):
            for a in node.names:
                yield f"{node.module}.{a.name}" if a.name != "*" else node.module
    inner = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
            inner.add(id(node.value))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Attribute, ast.Name)) and id(node) not in inner:
            parts = []
            cur = node
            while isinstance(cur, ast.Attribute):
                parts.append(cur.attr)
                cur = cur.value
            if isinstance(cur, ast.Name) and cur.id in aliases and (
                    parts or isinstance(node.ctx, ast.Load)):
                if not parts and "." not in aliases[cur.id]:
                    continue  # the bare module name itself
                yield ".".join([aliases[cur.id]] + parts[::-1])


def _resolve(root: str, dotted: str):
    """(object, number of parts resolved) of the dotted name under the library ``root``."""
    parts = dotted.split(".")[1:]
    obj = importlib.import_module(root)
    path = root
    for i, p in enumerate(parts):
        path = f"{path}.{p}"
        try:
            obj = getattr(obj, p)
            continue
        except AttributeError:
            pass
        except Exception:
            return obj, i
        try:
            obj = importlib.import_module(path)
        except Exception:
            return obj, i
    return obj, len(parts)


_cut_cache: dict[str, str | None] = {}


def torch_name(chain: str) -> str | None:
    """The chain cut at the longest prefix real torch resolves (None: torch has none)."""
    if chain not in _cut_cache:
        _, n = _resolve("torch", chain)
        parts = chain.split(".")
        _cut_cache[chain] = ".".join(parts[:n + 1]) if n > 0 or len(parts) == 1 else None
    return _cut_cache[chain]


_found_cache: dict[str, bool] = {}


def in_ember(name: str) -> bool:
    if name not in _found_cache:
        parts = name.split(".")
        _, n = _resolve("ember", "ember." + ".".join(parts[1:]))
        _found_cache[name] = n == len(parts) - 1
    return _found_cache[name]


def measure(dirs):
    files = {}
    for d in dirs:
        for path, text in _sources(pathlib.Path(d)):
            try:
                tree = ast.parse(text)
            except (SyntaxError, ValueError):
                continue
            aliases = _aliases(tree)
            if not aliases:
                continue
            names = {n for c in _chains(tree, aliases) if (n := torch_name(c))}
            if names:
                files[str(path)] = names
    return files


def report(files, show_list=False, show_files=False):
    uses = sum(len(v) for v in files.values())
    found = sum(in_ember(n) for v in files.values() for n in v)
    complete = [f for f, v in files.items() if all(in_ember(n) for n in v)]
    print(f"files that import torch: {len(files)}")
    print(f"files finding every name: {len(complete)} ({100 * len(complete) / len(files):.1f}%)")
    print(f"names used (distinct per file): {uses}; found {found} ({100 * found / uses:.1f}%)")
    missing = collections.Counter(n for v in files.values() for n in v if not in_ember(n))
    if show_list:
        for n, k in missing.most_common():
            print(f"{k:5d}  {n}")
    if show_files:
        for f, v in sorted(files.items()):
            lack = sorted(n for n in v if not in_ember(n))
            if lack:
                print(f, lack)
    return len(complete) / len(files), found / uses


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    report(measure(args), "--list" in sys.argv, "--files" in sys.argv)
