"""Ours (test infrastructure, not minimalRL's): one PPO update of ppo-continuous.py's own model
on fixed rollouts. The whole program is chaotic: float32 exp/tanh/log1p round differently in
torch's vectorised kernels and NumPy's by an ulp, and Pendulum feeds the actions back, so
scores drift apart after some episodes, as torch's do between its own CPU kernels
(ATEN_CPU_CAPABILITY=default vs avx2). On fixed data the update itself must agree closely."""
import os
import runpy

import numpy as np
import torch

ppo = runpy.run_path(os.path.join(os.path.dirname(__file__), "ppo-continuous.py"),
                     run_name="minimalrl_ppo")
model = ppo["PPO"]()
rng = np.random.default_rng(0)
n = ppo["buffer_size"] * ppo["minibatch_size"]
for _ in range(n):
    rollout = []
    for _ in range(ppo["rollout_len"]):
        s = rng.standard_normal(3).astype(np.float32)
        s_prime = rng.standard_normal(3).astype(np.float32)
        with torch.no_grad():
            mu, std = model.pi(torch.from_numpy(s).float())
            dist = ppo["Normal"](mu, std)
            a = dist.sample()
            log_prob = dist.log_prob(a)
        r = float(rng.uniform(-16.0, 0.0))
        rollout.append((s, a, r / 10.0, s_prime, log_prob.item(), bool(rng.random() < 0.05)))
    model.put_data(rollout)
model.train_net()
print("optimization steps:", model.optimization_step)
for name, p in model.named_parameters():
    print(name, " ".join(f"{v:.6e}" for v in p.detach().reshape(-1)[:8].tolist()),
          f"sum {p.detach().double().sum().item():.8e}")
