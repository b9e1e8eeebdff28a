"""The long run's markdown report: what was tried, mismatches by kind and by op, and one
minimal reproducer per distinct (op, kind)."""
from __future__ import annotations

import datetime
import platform
import subprocess

from .compare import KINDS
from .runner import reproducer


def _git(args):
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, timeout=10,
                              check=False).stdout.strip()
    except Exception:  # noqa: BLE001
        return "?"


def render(stats, *, minutes, families, seed, known=None) -> str:
    """``known(label, finding)`` -> the known-list entry covering it (or None)."""
    import numpy
    import torch

    lines = ["# ember differential fuzz report", ""]
    lines += [f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}",
              f"- ember commit: {_git(['rev-parse', '--short', 'HEAD'])} "
              f"({_git(['log', '-1', '--format=%s'])[:70]})",
              f"- torch {torch.__version__}, numpy {numpy.__version__}, "
              f"Python {platform.python_version()}",
              f"- families: {', '.join(families)}; seed {seed}; {minutes:g} minutes",
              f"- cases tried: {stats.tried} (plus {stats.shrink_runs} shrinking runs); "
              f"mismatching cases: {stats.mismatches}; distinct (op, kind): "
              f"{len(stats.findings)}", ""]
    lines += ["## Cases by family", "", "| family | cases |", "|---|---|"]
    lines += [f"| {f} | {n} |" for f, n in sorted(stats.by_family.items())]
    lines += ["", "## Outcomes by kind (cases)", "", "| kind | cases | distinct ops |",
              "|---|---|---|"]
    for k in KINDS:
        if stats.by_kind.get(k):
            ops = sum(1 for (_, kk) in stats.findings if kk == k)
            lines.append(f"| {KINDS[k]} | {stats.by_kind[k]} | {ops if k != 'match' else ''} |")
    lines += ["", "## Mismatching cases by op", "", "| op | mismatching cases | kinds |",
              "|---|---|---|"]
    kinds_of = {}
    for (label, kind) in stats.findings:
        kinds_of.setdefault(label, []).append(kind)
    for label, n in stats.by_label.most_common():
        lines.append(f"| `{label}` | {n} | {', '.join(sorted(kinds_of.get(label, [])))} |")
    lines += ["", "## Distinct mismatches, one minimal reproducer each", ""]
    lines += ["Each block is a standalone script: it runs the case in torch and in ember and "
              "prints both.", ""]
    for (label, kind), f in sorted(stats.findings.items()):
        k = known(label, f) if known else None
        tag = " (known: listed in tests/fuzz/known.py)" if k is not None else ""
        flaky = " (flaky)" if f.flaky else ""
        lines += [f"### `{label}` -- {KINDS[kind]}{tag}{flaky}", "",
                  f"{f.outcome.detail}", "", "```python", reproducer(label, f.code, f.outcome)
                  .rstrip(), "```", ""]
    if stats.errors:
        lines += ["## Fuzzer faults and hangs", ""]
        for op, text in stats.errors[:50]:
            lines += [f"- `{op}`:", "", "```", text.rstrip()[-1500:], "```", ""]
    return "\n".join(lines) + "\n"
