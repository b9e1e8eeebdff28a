"""cProfile of ember's hot path: the 100-op add/mul/tanh chain (forward + backward).

    python bench/profile_chain.py [--steps 2000] [--top 30] [--sort tottime]
                                  [--workload chain] [--out bench/results/chain.prof]

Runs the same step function the benchmark times (bench/workloads.py), after a
warm-up, under cProfile and prints the top functions by own time, so the
per-op overhead in the Tensor wrapper, Op.apply and the engine is visible.
Also prints the un-profiled time per op for reference.  --workload profiles
any other benchmark workload the same way (e.g. cnn, mlp64, lstm_loop).
"""
import argparse
import cProfile
import os
import pstats
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--sort", default="tottime", help="pstats sort key (tottime, cumulative, ...)")
    p.add_argument("--workload", default="chain")
    p.add_argument("--out", default=None, help="also dump the raw profile here")
    p.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads (default 1)")
    args = p.parse_args(argv)
    # same environment as the benchmark workers; must happen before NumPy loads
    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        os.environ.pop(k, None)
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[k] = str(args.threads)

    import ember
    import workloads as W

    w = W.WORKLOADS[args.workload]
    step, _ = w.build("ember", ember)
    for _ in range(min(50, args.steps)):
        step()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step()
    dt = (time.perf_counter() - t0) / args.steps
    if w.unit == "us":
        print("un-profiled: %.2f us per op (%.1f us per step of %d ops)" % (
            dt / w.per * 1e6, dt * 1e6, w.per))
    else:
        print("un-profiled: %.3f ms per step" % (dt * 1e3))

    prof = cProfile.Profile()
    prof.enable()
    for _ in range(args.steps):
        step()
    prof.disable()
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        prof.dump_stats(args.out)
    stats = pstats.Stats(prof)
    stats.strip_dirs().sort_stats(args.sort).print_stats(args.top)
    calls = sum(v[1] for v in stats.stats.values()) / args.steps
    if w.per > 1:
        print("function calls per step: %.0f (%.1f per op)" % (calls, calls / w.per))
    else:
        print("function calls per step: %.0f" % calls)


if __name__ == "__main__":
    main()
