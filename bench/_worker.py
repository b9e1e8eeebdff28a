"""One benchmark contender in its own process.

    python bench/_worker.py serve CONTENDER        # JSON-lines requests on stdin
    python bench/_worker.py memory CONTENDER ARGS  # one peak-memory measurement
    python bench/_worker.py import MODULE          # one import-time measurement

CONTENDER is torch, ember or floor.  The parent (bench/run.py) sets the thread
environment variables before starting this process; torch additionally gets
torch.set_num_threads(BENCH_THREADS).  Protocol answers go to the original
stdout; anything the libraries print is sent to stderr.
"""
import gc
import json
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def load_lib(contender):
    """Import the contender's library (None for the NumPy floor)."""
    if contender == "floor":
        _floor_malloc()
        return None
    if contender == "torch":
        import torch
        n = int(os.environ.get("BENCH_THREADS", "0") or 0)
        if n:
            torch.set_num_threads(n)
        return torch
    if contender == "ember":
        if ROOT not in sys.path:
            sys.path.insert(0, ROOT)
        import ember
        return ember
    raise ValueError("unknown contender %r" % contender)


def _floor_malloc():
    """The floor gets ember's glibc malloc settings too (any NumPy program could use them):
    ember/_malloc.py is loaded on its own, without importing ember."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "_ember_malloc", os.path.join(ROOT, "ember", "_malloc.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    global MALLOC_TUNED
    MALLOC_TUNED = mod.tune()


MALLOC_TUNED = False


def _workloads():
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    import workloads
    return workloads


def blas_info():
    """Which BLAS (and kernel) NumPy runs, via threadpoolctl when installed."""
    info = {}
    try:
        import threadpoolctl
        pools = threadpoolctl.threadpool_info()
        info["threadpools"] = [
            {k: p.get(k) for k in ("internal_api", "version", "architecture",
                                   "num_threads", "threading_layer")}
            for p in pools]
    except ImportError:
        info["threadpools"] = "threadpoolctl not installed"
    try:
        import numpy as np
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        info["numpy_blas"] = "%s %s" % (blas.get("name"), blas.get("version"))
    except Exception as e:  # noqa: BLE001 - informational only
        info["numpy_blas"] = "unknown (%s)" % e
    return info


def error_text(exc):
    msg = "%s: %s" % (type(exc).__name__, exc)
    msg = " ".join(msg.split())
    return msg[:200]


class Server:
    def __init__(self, contender):
        self.contender = contender
        self.lib = load_lib(contender)
        self.wl = _workloads()
        self.steps = {}

    def handle(self, req):
        cmd = req["cmd"]
        if cmd == "hello":
            info = {"contender": self.contender, "pid": os.getpid(),
                    "threads_env": os.environ.get("OMP_NUM_THREADS")}
            if self.contender == "torch":
                info["torch"] = self.lib.__version__
                info["torch_threads"] = self.lib.get_num_threads()
            import numpy as np
            info["numpy"] = np.__version__
            info["blas"] = blas_info()
            if self.contender == "ember":
                info["malloc_tuned"] = sys.modules["ember._malloc"].tuned
            else:
                info["malloc_tuned"] = MALLOC_TUNED
            return info
        if cmd == "setup":
            return self.setup(req["workload"], req.get("params") or {},
                              req.get("target", 0.1))
        if cmd == "time":
            return self.time(req["workload"], req["inner"])
        if cmd == "drop":
            self.steps.pop(req["workload"], None)
            gc.collect()
            return {}
        raise ValueError("unknown command %r" % cmd)

    def setup(self, name, params, target):
        """Build, check, warm up and calibrate one workload."""
        w = self.wl.WORKLOADS[name]
        _, check = w.build(self.contender, self.lib, **params)
        values = check()
        step, _ = w.build(self.contender, self.lib, **params)
        self.steps[name] = step
        t0 = time.perf_counter()
        step()                       # warm-up (first call pays lazy imports)
        first = time.perf_counter() - t0
        n, elapsed = 0, 0.0
        while elapsed < min(target, 0.05) and n < 1000:
            t0 = time.perf_counter()
            step()
            elapsed += time.perf_counter() - t0
            n += 1
        per = elapsed / n
        inner = max(1, int(round(target / per))) if per > 0 else 1
        return {"check": values, "first_s": first, "est_s": per, "inner": inner}

    def time(self, name, inner):
        step = self.steps[name]
        gc.collect()
        t0 = time.perf_counter()
        for _ in range(inner):
            step()
        return {"s": (time.perf_counter() - t0) / inner}


def serve(contender):
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)                    # stray prints go to stderr
    sys.stdout = sys.stderr
    try:
        server = Server(contender)
        ready = {"ok": True}
    except Exception as e:  # noqa: BLE001 - reported to the parent
        server, ready = None, {"error": error_text(e)}
    out.write(json.dumps(ready) + "\n")
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        if req.get("cmd") == "quit":
            break
        try:
            if server is None:
                raise RuntimeError(ready["error"])
            ans = {"ok": True, "result": server.handle(req)}
        except Exception as e:  # noqa: BLE001 - reported to the parent
            traceback.print_exc(file=sys.stderr)
            ans = {"error": error_text(e)}
        out.write(json.dumps(ans) + "\n")


def _rss_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def _malloc_trim():
    """Give freed heap memory back to the OS (glibc), so the baseline RSS holds
    only live memory and not what set-up code freed (which the steps would
    otherwise reuse without it showing)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def memory(contender, name, steps):
    """Peak RSS over `steps` training steps minus the RSS before them.

    First a throw-away copy of the workload runs two steps at batch 2, so that
    lazily loaded library code, thread pools and one-time caches are in the
    baseline for every contender.  Then the real model, optimizer and data are
    built, freed heap memory is returned to the OS (malloc_trim), the RSS is read
    as the baseline, the kernel's high-water mark is reset
    (clear_refs 5) and the steps run: the number is the extra memory the training
    steps need (activations, saved tensors, gradients, optimizer state,
    allocator slack), measured the same way for all three contenders.
    """
    lib = load_lib(contender)
    wl = _workloads()
    w = wl.WORKLOADS[name]
    if "batch" in w.params:
        warm, _ = w.build(contender, lib, batch=2)
        warm()
        warm()
        del warm
    step, _ = w.build(contender, lib)
    gc.collect()
    _malloc_trim()
    base = _rss_kb("VmRSS")
    method = "VmHWM after clear_refs"
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        method = "ru_maxrss"
    for _ in range(steps):
        step()
    if method == "ru_maxrss":
        import resource
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    else:
        peak = _rss_kb("VmHWM")
    return {"base_kb": base, "peak_kb": peak, "delta_kb": peak - base, "method": method}


def import_time(module):
    if module == "ember" and ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    t0 = time.perf_counter()
    __import__(module)
    return {"s": time.perf_counter() - t0}


def main(argv):
    mode = argv[0]
    if mode == "serve":
        serve(argv[1])
        return 0
    try:
        if mode == "memory":
            res = memory(argv[1], argv[2], int(argv[3]))
        elif mode == "import":
            res = import_time(argv[1])
        else:
            raise ValueError("unknown mode %r" % mode)
        ans = {"ok": True, "result": res}
    except Exception as e:  # noqa: BLE001 - reported to the parent
        traceback.print_exc(file=sys.stderr)
        ans = {"error": error_text(e)}
    sys.stdout.write(json.dumps(ans) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
