"""Long fuzz run outside CI:

    python -m tests.fuzz --minutes N [--family F ...] [--seed S] [--report PATH] [--op REGEX]

Random (not derandomized) cases for N minutes, families in turn; every new (op, kind)
mismatch is shrunk to a minimal reproducer.  Writes a markdown report (default
fuzz-report.md): cases tried, mismatches by kind and by op, one reproducer per (op, kind)."""
from __future__ import annotations

import argparse
import json
import re
import sys
import time

from . import FAMILIES, ops_of
from . import engine, known, report

CHECKPOINT_S = 120   # the report is rewritten this often during the run


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=5.0)
    p.add_argument("--family", action="append", choices=FAMILIES + ["all"],
                   help="repeatable; default: all families")
    p.add_argument("--op", help="only ops whose name matches this regex")
    p.add_argument("--seed", type=int, default=None, help="default: from the clock")
    p.add_argument("--chunk", type=int, default=25, help="cases per op per turn")
    p.add_argument("--report", default="fuzz-report.md")
    p.add_argument("--json", help="also write the findings as JSON (label, kind, op, detail, "
                                   "code) to this path")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    args = p.parse_args(argv)

    fams = FAMILIES if not args.family or "all" in args.family else sorted(set(args.family))
    by_family = {}
    for f in fams:
        ops = [o for o in ops_of(f) if not args.op or re.search(args.op, o.name)]
        if ops:
            by_family[f] = ops
    if not by_family:
        p.error("no op selected")
    seed = args.seed if args.seed is not None else int(time.time()) % 100000
    seconds = args.minutes * 60

    stats = engine.Stats()

    def write():
        text = report.render(stats, minutes=args.minutes, families=list(by_family), seed=seed,
                             known=lambda label, f: known.find(label, f.outcome))
        with open(args.report, "w") as fh:
            fh.write(text)
        if args.json:
            rows = [dict(label=f.label, kind=f.kind, op=f.op, detail=f.outcome.detail,
                         stage=f.outcome.stage, code=f.code, flaky=f.flaky,
                         cases=stats.by_label[f.label])
                    for f in stats.findings.values()]
            with open(args.json, "w") as fh:
                json.dump(dict(tried=stats.tried, by_kind=dict(stats.by_kind), findings=rows,
                               errors=stats.errors), fh, indent=1)

    bar = None
    if not args.quiet:
        try:
            from tqdm import tqdm
            bar = tqdm(total=int(seconds), unit="s", desc="fuzz", file=sys.stderr,
                       mininterval=1.0)
        except ImportError:
            pass
    last = [0.0]

    def progress(stats, elapsed):
        if bar is not None:
            bar.set_postfix(cases=stats.tried, mismatching=stats.mismatches,
                            distinct=len(stats.findings), refresh=False)
            bar.update(max(0, min(int(elapsed), int(seconds)) - bar.n))
        if elapsed - last[0] >= CHECKPOINT_S:   # a crash or a kill loses little
            last[0] = elapsed
            write()

    print(f"fuzzing {sum(map(len, by_family.values()))} ops of {', '.join(by_family)} for "
          f"{args.minutes:g} min, seed {seed}", file=sys.stderr)
    try:
        engine.run_for(by_family, seconds, seed=seed, chunk=args.chunk, progress=progress,
                       stats=stats)
    except KeyboardInterrupt:
        print("interrupted: writing the report of what ran", file=sys.stderr)
    finally:
        if bar is not None:
            bar.close()
    write()
    print(f"{stats.tried} cases, {stats.mismatches} mismatching, {len(stats.findings)} distinct "
          f"(op, kind); report: {args.report}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
