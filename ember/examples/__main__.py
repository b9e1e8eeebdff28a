"""``python -m ember.examples``: list the seed examples; ``... all`` runs them all in order;
``... NAME [NAME ...]`` runs the named ones."""
import argparse
import sys

from . import SEED_EXAMPLE_NAMES, SEED_EXAMPLES, run


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m ember.examples",
        description="List or run the seed-tutorial examples.")
    parser.add_argument("names", nargs="*",
                        help="examples to run, or 'all'; none: list them")
    args = parser.parse_args(argv)
    if not args.names:
        for name, seed, what in SEED_EXAMPLES:
            print(f"{name:26s} seed {seed}  {what}")
        print("\nrun one: python -m ember.examples.<name>   run all: python -m ember.examples all")
        return 0
    names = SEED_EXAMPLE_NAMES if args.names == ["all"] else args.names
    unknown = [n for n in names if n not in SEED_EXAMPLE_NAMES]
    if unknown:
        parser.error(f"unknown example(s): {', '.join(unknown)}")
    for name in names:
        print(f"===== {name} =====", flush=True)
        run(name)
        print(flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
