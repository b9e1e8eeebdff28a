"""A process killed (SIGKILL) in the middle of ember.save leaves the previous checkpoint whole."""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import ember

WRITER = r"""
import sys, numpy as np, ember
path = sys.argv[1]
big = {f"w{i}": ember.from_numpy(np.full((256, 1024), float(i), np.float32)) for i in range(24)}
k = 0
while True:  # rewrite the checkpoint forever; each version carries its counter
    big["step"] = ember.tensor(k)
    ember.save(big, path)
    k += 1
    print(k, flush=True)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("delay", [0.05, 0.3, 0.7])
def test_killed_writer_leaves_loadable_file(tmp_path, delay):
    path = tmp_path / "ck.pt"
    ember.save({"step": ember.tensor(-1)}, path)  # an old, valid checkpoint
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE,
                            text=True)
    try:
        if delay > 0.1:
            proc.stdout.readline()  # at least one save has completed
        time.sleep(delay)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    ck = ember.load(path)  # never a torn file: the old one or a complete new one
    step = int(ck["step"])
    if step >= 0:
        for i in range(24):
            w = ck[f"w{i}"].numpy()
            assert w.shape == (256, 1024) and np.all(w == i)
    leftovers = [p for p in os.listdir(tmp_path) if p != "ck.pt"]
    # a temporary file may remain from the killed write, but never replaces the checkpoint
    assert all(not p.endswith(".pt") for p in leftovers)
