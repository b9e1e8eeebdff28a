"""ember benchmark: PyTorch vs ember (same torch-style code) vs a hand-written NumPy floor.

    python bench/run.py                      # full run, threads 1 and 2
    python bench/run.py --quick              # under 3 minutes
    python bench/run.py --threads 1 --only chain,matmul

Each contender runs in its own subprocess with the same thread settings
(OMP/OPENBLAS/MKL_NUM_THREADS, torch.set_num_threads; OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE unset).  Rounds are interleaved (torch, ember, floor, torch,
ember, floor, ...) and the medians are compared.  Results are printed as a
ratio table and written to bench/results/ (JSON and Markdown).
"""
import argparse
import datetime
import json
import os
import platform
import selectors
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import workloads as W  # noqa: E402

CONTENDERS = ("torch", "ember", "floor")
TIMED = ("chain", "mlp64", "mlp1024", "matmul", "cnn", "lstm", "lstm_loop")
GROUPS = {"mlp": ("mlp64", "mlp1024"), "sweep": tuple(W.SWEEP_KEYS[b] for b in W.SWEEP_BATCHES)}
EXTRA = ("memory", "import", "sweep")


def bench_env(threads):
    env = dict(os.environ)
    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(k, None)
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
              "BENCH_THREADS", "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
        env[k] = str(threads)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PYTHONWARNINGS", None)
    return env


def have_torch():
    try:
        r = subprocess.run([sys.executable, "-c", "import torch"], capture_output=True,
                           timeout=120)
        return r.returncode == 0
    except Exception:  # noqa: BLE001
        return False


class WorkerError(Exception):
    pass


class Worker:
    """A persistent contender process speaking JSON lines."""

    def __init__(self, contender, threads, timeout):
        self.contender, self.threads, self.timeout = contender, threads, timeout
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "_worker.py"), "serve", self.contender],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr(),
            env=bench_env(self.threads), text=True, bufsize=1, cwd=ROOT)
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.proc.stdout, selectors.EVENT_READ)
        ans = self._read(max(self.timeout, 120))
        if "error" in ans:
            raise WorkerError(ans["error"])

    def _stderr(self):
        path = os.environ.get("BENCH_WORKER_LOG")
        return open(path, "a") if path else subprocess.DEVNULL

    def _read(self, timeout):
        if not self.sel.select(timeout):
            self.kill()
            raise WorkerError("timeout after %ds" % timeout)
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait()
            self.proc = None
            raise WorkerError("worker died (exit code %s)" % code)
        return json.loads(line)

    def ask(self, timeout=None, **req):
        if self.proc is None:
            self.start()
        try:
            self.proc.stdin.write(json.dumps(req) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.proc = None
            raise WorkerError("worker died")
        ans = self._read(timeout or self.timeout)
        if "error" in ans:
            raise WorkerError(ans["error"])
        return ans["result"]

    def kill(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def close(self):
        if self.proc is not None:
            try:
                self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=10)
            except Exception:  # noqa: BLE001
                self.proc.kill()
            self.proc = None


def one_shot(args, threads, timeout=300):
    cmd = [sys.executable, os.path.join(HERE, "_worker.py")] + [str(a) for a in args]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, env=bench_env(threads),
                           timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        raise WorkerError("timeout after %ds" % timeout)
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        raise WorkerError("no answer (exit code %s): %s" % (r.returncode, r.stderr[-200:]))
    ans = json.loads(lines[-1])
    if "error" in ans:
        raise WorkerError(ans["error"])
    return ans["result"]


# ---------------------------------------------------------------------------
# measurement
# ---------------------------------------------------------------------------

def check_agreement(checks):
    """Compare the check values of the contenders that ran (relative 1e-3)."""
    ref = checks.get("floor")
    out = {}
    for c, vals in checks.items():
        if c == "floor" or ref is None or vals is None:
            continue
        bad = [(a, b) for a, b in zip(vals, ref)
               if not abs(a - b) <= 1e-3 * max(1.0, abs(a), abs(b))]  # NaN is a mismatch
        out[c] = "ok" if len(vals) == len(ref) and not bad else "MISMATCH %s vs floor %s" % (
            [round(v, 5) for v in vals], [round(v, 5) for v in ref])
    return out


def time_workload(name, workers, rounds, target, log, gap=0.0, budget=None):
    """Set up `name` in every worker, then time interleaved rounds.

    With a budget (seconds per workload), slow workloads get fewer rounds
    (never fewer than 3) so that the whole run stays bounded."""
    w = W.WORKLOADS[name]
    res = {"title": w.title, "unit": w.unit, "per": w.per, "contenders": {}}
    inner, checks = {}, {}
    for c, wk in workers.items():
        cell = res["contenders"][c] = {}
        if isinstance(wk, str):
            cell["error"] = wk
            continue
        try:
            s = wk.ask(cmd="setup", workload=name, target=target)
            inner[c], checks[c] = s["inner"], s["check"]
            cell.update(first_s=s["first_s"], est_s=s["est_s"], inner=s["inner"],
                        check=s["check"])
        except WorkerError as e:
            cell["error"] = str(e)
    samples = {c: [] for c in inner}
    if budget and inner:
        round_s = sum(inner[c] * res["contenders"][c]["est_s"] + gap for c in inner)
        rounds = max(min(3, rounds), min(rounds, int(budget / max(round_s, 1e-9))))
    res["rounds"] = rounds
    for _ in range(rounds):
        for c in list(inner):
            if gap:
                time.sleep(gap)  # let the previous process's BLAS/OpenMP threads stop spinning
            try:
                samples[c].append(workers[c].ask(cmd="time", workload=name,
                                                 inner=inner[c])["s"])
            except WorkerError as e:
                res["contenders"][c]["error"] = str(e)
                del inner[c]
    for c, wk in workers.items():
        if not isinstance(wk, str) and wk.proc is not None:
            try:
                wk.ask(cmd="drop", workload=name)
            except WorkerError:
                pass
    for c, s in samples.items():
        if s and "error" not in res["contenders"][c]:
            res["contenders"][c].update(samples=s, median_s=statistics.median(s),
                                        min_s=min(s))
    res["agreement"] = check_agreement(checks)
    log("  %-10s %s" % (name, "  ".join(
        "%s=%s" % (c, fmt_time(res, c)) for c in res["contenders"])))
    return res


def measure_memory(contenders, threads, reps, steps=20):
    res = {"title": "peak RSS over %d MLP steps, batch 1024 (MiB above baseline)" % steps,
           "unit": "MiB", "contenders": {c: {} for c in contenders}}
    samples = {c: [] for c in contenders}
    for _ in range(reps):
        for c in contenders:
            if "error" in res["contenders"][c]:
                continue
            try:
                r = one_shot(["memory", c, "mlp1024", steps], threads)
                samples[c].append(r["delta_kb"] / 1024.0)
                res["contenders"][c]["method"] = r["method"]
            except WorkerError as e:
                res["contenders"][c]["error"] = str(e)
    for c, s in samples.items():
        if s and "error" not in res["contenders"][c]:
            res["contenders"][c].update(samples=s, median=statistics.median(s))
    return res


def measure_import(contenders, reps):
    mods = {"torch": "torch", "ember": "ember", "floor": "numpy"}
    res = {"title": "import time, best of %d (s); floor = import numpy" % reps,
           "unit": "s", "contenders": {}}
    samples = {c: [] for c in contenders}
    for _ in range(reps):
        for c in contenders:
            try:
                samples[c].append(one_shot(["import", mods[c]], 1)["s"])
            except WorkerError as e:
                res["contenders"][c] = {"error": str(e)}
    for c, s in samples.items():
        if s and c not in res["contenders"]:
            res["contenders"][c] = {"samples": s, "best": min(s)}
    return res


def fit_slope(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    slope = sxy / sxx
    return slope, my - slope * mx


def sweep_summary(timed, contenders):
    out = {}
    for c in contenders:
        xs, ys = [], []
        for b in W.SWEEP_BATCHES:
            r = timed.get(W.SWEEP_KEYS[b])
            cell = r and r["contenders"].get(c)
            if cell and "median_s" in cell:
                xs.append(b)
                ys.append(cell["median_s"])
        if len(xs) >= 2:
            slope, icpt = fit_slope(xs, ys)
            out[c] = {"us_per_sample": slope * 1e6, "intercept_ms": icpt * 1e3,
                      "batches": xs, "ms": [y * 1e3 for y in ys]}
    return out


# ---------------------------------------------------------------------------
# reporting
# ---------------------------------------------------------------------------

def value_of(res, c):
    cell = res["contenders"].get(c) or {}
    if "median_s" in cell:
        return cell["median_s"]
    if "median" in cell:
        return cell["median"]
    if "best" in cell:
        return cell["best"]
    if "slope" in cell:
        return cell["slope"]
    return None


def fmt_time(res, c):
    cell = res["contenders"].get(c) or {}
    if "error" in cell:
        return "error: " + cell["error"]
    v = value_of(res, c)
    if v is None:
        return "-"
    unit = res.get("unit", "ms")
    if "median_s" in cell:
        v = v / res.get("per", 1)
        return "%.2f us" % (v * 1e6) if unit == "us" else "%.3f ms" % (v * 1e3)
    if unit == "MiB":
        return "%.1f MiB" % v
    if unit == "us/sample":
        return "%.2f us/sample" % v
    return "%.3f s" % v


def ratio(res, a, b):
    va, vb = value_of(res, a), value_of(res, b)
    if va is None or vb is None or vb <= 0:
        return "-"
    return "%.2f" % (va / vb)


def table_rows(results, contenders):
    rows = []
    for key in results["order"]:
        res = results["items"][key]
        row = [key, res["title"]] + [fmt_time(res, c) for c in contenders]
        row += [ratio(res, "ember", "torch"), ratio(res, "ember", "floor"),
                ratio(res, "floor", "torch")]
        agree = res.get("agreement") or {}
        row.append(", ".join("%s %s" % (c, v) for c, v in agree.items() if v != "ok")
                   or ("ok" if agree else ""))
        rows.append(row)
    return rows


def header(contenders):
    return (["key", "workload"] + list(contenders) +
            ["ember/torch", "ember/floor", "floor/torch", "check"])


def print_table(results, contenders, out=sys.stdout):
    rows = table_rows(results, contenders)
    trim = [[r[0]] + [x if len(x) <= 40 else x[:37] + "..." for x in r[2:]] for r in rows]
    head = header(contenders)
    head = [head[0]] + head[2:]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *trim)]
    line = "  ".join("%-*s" % (w, h) for w, h in zip(widths, head))
    print(line, file=out)
    print("-" * len(line), file=out)
    for r in trim:
        print("  ".join("%-*s" % (w, x) for w, x in zip(widths, r)), file=out)


def markdown(report):
    lines = ["# ember benchmark results", "",
             "- date: %s" % report["date"],
             "- command: `%s`" % report["command"],
             "- machine: %s" % report["machine"]["summary"],
             "- versions: %s" % report["machine"]["versions"],
             "- numpy BLAS: %s" % report["machine"].get("blas", "?"),
             "- malloc: %s" % report["machine"].get("malloc", "?"), ""]
    for note in report["notes"]:
        lines.append("- note: %s" % note)
    contenders = report["contenders"]
    for t, results in report["runs"].items():
        lines += ["", "## %s thread%s" % (t, "" if t == "1" else "s"), "",
                  "| " + " | ".join(header(contenders)) + " |",
                  "|" + "---|" * len(header(contenders))]
        for r in table_rows(results, contenders):
            lines.append("| " + " | ".join(x.replace("|", "/") for x in r) + " |")
        sw = results.get("sweep")
        if sw:
            lines += ["", "Batch sweep (MLP step): least-squares slope per sample", ""]
            for c, s in sw.items():
                lines.append("- %s: %.2f us/sample (+%.3f ms fixed); batches %s -> %s ms" % (
                    c, s["us_per_sample"], s["intercept_ms"], s["batches"],
                    ", ".join("%.3f" % m for m in s["ms"])))
            if "ember" in sw and "floor" in sw:
                lines.append("- slope ember/floor: %.2f" % (
                    sw["ember"]["us_per_sample"] / sw["floor"]["us_per_sample"]))
    return "\n".join(lines) + "\n"


def loadavg():
    try:
        return "%.2f" % os.getloadavg()[0]
    except OSError:
        return "?"


def machine_info(blas):
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = "%.0f GiB" % (int(f.readline().split()[1]) / 2 ** 20)
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = "?"
    return {"summary": "%s, %d cores visible, %s RAM, %s %s" % (
                cpu, os.cpu_count() or 0, mem, platform.system(), platform.release()),
            "versions": "python %s, %s, ember commit %s" % (
                platform.python_version(), blas.get("versions", "?"), commit),
            "blas": blas.get("text", "?"),
            "malloc": "glibc thresholds raised (ember/_malloc.py) for: %s" % (
                ", ".join(c for c, v in blas.get("malloc", {}).items() if v) or "none")}


def blas_text(hello):
    b = hello.get("blas", {})
    pools = b.get("threadpools")
    if isinstance(pools, list):
        pools = "; ".join("%s %s (%s, %s threads)" % (
            p.get("internal_api"), p.get("version"), p.get("architecture"),
            p.get("num_threads")) for p in pools)
    return "%s; threadpoolctl: %s" % (b.get("numpy_blas"), pools)


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------

def parse(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer rounds, shorter samples (<3 min)")
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    p.add_argument("--only", default="",
                   help="comma-separated subset of: %s" % ",".join(TIMED + ("mlp",) + EXTRA))
    p.add_argument("--contenders", default=",".join(CONTENDERS))
    p.add_argument("--rounds", type=int, default=None, help="interleaved rounds (median)")
    p.add_argument("--budget", type=float, default=None,
                   help="seconds of timed rounds per workload (default 2.5 quick, 30 full); "
                        "slow workloads get fewer rounds, at least 3; --rounds overrides")
    p.add_argument("--target", type=float, default=None, help="seconds per sample")
    p.add_argument("--gap", type=float, default=None,
                   help="pause before each sample when threads > 1 (default 0.15 s), so "
                        "idle worker threads of the previous contender stop spinning")
    p.add_argument("--timeout", type=int, default=300, help="seconds per worker request")
    p.add_argument("--out", default=os.path.join(HERE, "results"))
    p.add_argument("--no-save", action="store_true")
    return p.parse_args(argv)


def selection(only):
    if not only:
        return list(TIMED) + list(EXTRA)
    sel = []
    for k in only.split(","):
        k = k.strip()
        if k in GROUPS and k != "sweep":
            sel += GROUPS[k]
        elif k in TIMED or k in EXTRA:
            sel.append(k)
        elif k:
            raise SystemExit("unknown workload %r" % k)
    return sel


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    rounds = args.rounds or (5 if args.quick else 11)
    budget = None if args.rounds else (args.budget or (2.5 if args.quick else 30.0))
    target = args.target or (0.05 if args.quick else 0.25)
    threads = [int(t) for t in args.threads.split(",") if t.strip()]
    sel = selection(args.only)
    contenders = [c for c in args.contenders.split(",") if c in CONTENDERS]
    notes = []
    if "torch" in contenders and not have_torch():
        contenders.remove("torch")
        notes.append("PyTorch is not installed: torch column skipped")
    t_start = time.time()
    load0 = loadavg()
    try:
        busy = float(load0) > 0.5
    except ValueError:
        busy = False
    if busy:
        notes.append("machine busy (1-min load average %s at start): timings are noisy, and at "
                     "more than one thread BLAS/OpenMP threads wait for descheduled peers, "
                     "so multi-thread figures can be far off" % load0)
        print("note: " + notes[-1], flush=True)

    def log(msg):
        print(msg, flush=True)

    report = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
              "command": "python bench/run.py " + " ".join(sys.argv[1:] if argv is None else argv),
              "contenders": contenders, "rounds": rounds, "target_s": target,
              "notes": notes, "runs": {}}
    blas = {}
    for t in threads:
        log("== %d thread%s ==" % (t, "" if t == 1 else "s"))
        workers = {}
        for c in contenders:
            try:
                workers[c] = Worker(c, t, args.timeout)
                hello = workers[c].ask(cmd="hello")
                if c == "floor":
                    blas["text"] = blas_text(hello)
                if c == "torch":
                    blas.setdefault("torch", "torch %s" % hello.get("torch"))
                blas.setdefault("numpy", "numpy %s" % hello.get("numpy"))
                blas.setdefault("malloc", {})[c] = hello.get("malloc_tuned")
            except WorkerError as e:
                workers[c] = "%s" % e
        blas["versions"] = ", ".join(blas[k] for k in ("numpy", "torch") if k in blas)
        results = {"order": [], "items": {}}
        timed = [k for k in sel if k in TIMED]
        if "sweep" in sel:
            timed += [k for k in GROUPS["sweep"] if k not in timed]
        for name in timed:
            gap = (0.15 if args.gap is None else args.gap) if t > 1 else 0.0
            results["items"][name] = time_workload(name, workers, rounds, target, log, gap,
                                                   budget)
            results["order"].append(name)
        for wk in workers.values():
            if not isinstance(wk, str):
                wk.close()
        if "sweep" in sel:
            sw = results["sweep"] = sweep_summary(results["items"], contenders)
            results["items"]["sweep"] = {
                "title": "MLP step cost per extra sample (least-squares slope, batches %s)" % (
                    "/".join(str(b) for b in W.SWEEP_BATCHES)),
                "unit": "us/sample",
                "contenders": {c: ({"slope": sw[c]["us_per_sample"]} if c in sw else
                                   {"error": "sweep incomplete"}) for c in contenders}}
            results["order"].append("sweep")
        if "memory" in sel and t == threads[0]:
            log("  memory ...")
            results["items"]["memory"] = measure_memory(contenders, t, 1 if args.quick else 3)
            results["order"].append("memory")
        if "import" in sel and t == threads[0]:
            log("  import ...")
            results["items"]["import"] = measure_import(contenders, 3 if args.quick else 7)
            results["order"].append("import")
        report["runs"][str(t)] = results
        print()
        print("Ratios at %d thread%s (times are medians; chain is per op):" % (
            t, "" if t == 1 else "s"))
        print_table(results, contenders)
        for note in notes:
            print("note: " + note)
        print()
    report["machine"] = machine_info(blas)
    report["machine"]["load_before"] = load0
    report["machine"]["load_after"] = loadavg()
    report["machine"]["summary"] += "; load average %s before, %s after" % (
        load0, report["machine"]["load_after"])
    report["elapsed_s"] = round(time.time() - t_start, 1)
    log("total %.0f s" % report["elapsed_s"])
    if not args.no_save:
        os.makedirs(args.out, exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        md = markdown(report)
        for name in ("results-%s" % stamp, "latest"):
            with open(os.path.join(args.out, name + ".json"), "w") as f:
                json.dump(report, f, indent=1)
            with open(os.path.join(args.out, name + ".md"), "w") as f:
                f.write(md)
        log("wrote %s/latest.md and latest.json" % os.path.relpath(args.out, ROOT))
    return report


if __name__ == "__main__":
    main()
