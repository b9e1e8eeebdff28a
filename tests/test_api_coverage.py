"""The PyTorch names ember promises: every public name of torch 2.13's namespaces
(tests/data/torch_api_names.txt, written from real torch by tools/gen_api_names.py) resolves in
ember, except those tests/data/torch_api_absent.txt lists, each with its reason.

Runs without torch: the lists are files. A name resolves when the dotted path, with ``torch``
replaced by ``ember``, is reached by attributes or by importing submodules, as user code would.
"""
from __future__ import annotations

import fnmatch
import importlib
import pathlib

import pytest

DATA = pathlib.Path(__file__).parent / "data"


def _lines(name):
    for line in (DATA / name).read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            yield line


def torch_names() -> list[str]:
    return list(_lines("torch_api_names.txt"))


def absent_entries() -> list[tuple[str, str]]:
    """(pattern, reason): a pattern is a dotted name or an fnmatch glob over names."""
    out = []
    reason = ""
    for line in (DATA / "torch_api_absent.txt").read_text().splitlines():
        line = line.strip()
        if line.startswith("## "):
            reason = line[3:]
        elif line and not line.startswith("#"):
            out.append((line.split()[0], reason))
    return out


def resolves(name: str) -> bool:
    parts = name.split(".")[1:]
    obj = importlib.import_module("ember")
    path = "ember"
    for p in parts:
        path = f"{path}.{p}"
        try:
            obj = getattr(obj, p)
            continue
        except AttributeError:
            pass
        try:
            obj = importlib.import_module(path)
        except ImportError:
            return False
    return True


def split_names():
    names = torch_names()
    absent = absent_entries()
    globs = [p for p, _ in absent if any(c in p for c in "*?[")]
    exact = {p for p, _ in absent if p not in globs}
    promised, excused = [], []
    for n in names:
        if n in exact or any(fnmatch.fnmatchcase(n, g) for g in globs):
            excused.append(n)
        else:
            promised.append(n)
    return names, promised, excused, exact


def test_every_promised_torch_name_resolves():
    names, promised, _, _ = split_names()
    assert len(names) > 2000, "the list of torch's names is missing or cut short"
    missing = [n for n in promised if not resolves(n)]
    assert missing == [], (f"{len(missing)} torch names ember promises but lacks (add them, or "
                           f"list them in tests/data/torch_api_absent.txt with the reason): "
                           f"{missing[:60]}")


def test_absent_list_is_current():
    """A name listed as absent by itself that ember now has must leave the list (the figures in
    the README count it)."""
    names, _, _, exact = split_names()
    unknown = sorted(exact - set(names))
    assert unknown == [], f"absent entries that are not torch names: {unknown[:40]}"
    present = sorted(n for n in exact if resolves(n))
    assert present == [], f"listed as absent but ember has them now: {present[:60]}"


@pytest.mark.parametrize("name", ["torch.zeros", "torch.nn.Linear", "torch.Tensor.backward",
                                  "torch.nn.functional.relu", "torch.optim.Adam"])
def test_resolver_finds_known_names(name):
    assert resolves(name)


@pytest.mark.parametrize("name", ["torch.no_such_name", "torch.nn.NoSuchModule",
                                  "torch.Tensor.no_such_method", "torch.nosuchmodule.x"])
def test_resolver_refuses_unknown_names(name):
    assert not resolves(name)
