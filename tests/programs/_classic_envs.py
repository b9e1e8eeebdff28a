"""Classic-control environments for the vendored RL programs (test infrastructure, not part of
ember): CartPole-v1 and Pendulum-v1 with gymnasium's physics and its reset/step API, so that
the programs run here without gym/gymnasium. Deterministic: the generator starts from seed 0
unless ``reset(seed=...)`` gives one. ``EMBER_TEST_CARTPOLE_THRESHOLD`` lowers CartPole's
``spec.reward_threshold`` (475 in gymnasium: the pytorch/examples scripts stop there);
``EMBER_TEST_MAX_EPISODES`` ends a program that loops over a fixed, large number of episodes
(minimalRL's 10,000) after that many, by ``SystemExit(0)`` from the next ``reset``."""
import math
import os
from types import SimpleNamespace

import numpy as np

__all__ = ["make"]

_episodes = [0]


def _count_episode():
    limit = os.environ.get("EMBER_TEST_MAX_EPISODES")
    if limit is not None and _episodes[0] >= int(limit):
        raise SystemExit(0)
    _episodes[0] += 1



class CartPoleEnv:
    gravity, masscart, masspole, length, force_mag, tau = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
    theta_threshold_radians = 12 * 2 * math.pi / 360
    x_threshold = 2.4
    max_episode_steps = 500

    def __init__(self, render_mode=None):
        self.total_mass = self.masspole + self.masscart
        self.polemass_length = self.masspole * self.length
        self.spec = SimpleNamespace(id="CartPole-v1", max_episode_steps=self.max_episode_steps,
                                    reward_threshold=float(os.environ.get(
                                        "EMBER_TEST_CARTPOLE_THRESHOLD", 475.0)))
        self.np_random = np.random.default_rng(0)
        self.state = None
        self.steps = 0

    def reset(self, seed=None, options=None):
        _count_episode()
        if seed is not None:
            self.np_random = np.random.default_rng(seed)
        self.state = self.np_random.uniform(low=-0.05, high=0.05, size=(4,))
        self.steps = 0
        return np.array(self.state, dtype=np.float32), {}

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state
        force = self.force_mag if action == 1 else -self.force_mag
        costheta, sintheta = math.cos(theta), math.sin(theta)
        temp = (force + self.polemass_length * theta_dot ** 2 * sintheta) / self.total_mass
        thetaacc = (self.gravity * sintheta - costheta * temp) / (
            self.length * (4.0 / 3.0 - self.masspole * costheta ** 2 / self.total_mass))
        xacc = temp - self.polemass_length * thetaacc * costheta / self.total_mass
        x = x + self.tau * x_dot
        x_dot = x_dot + self.tau * xacc
        theta = theta + self.tau * theta_dot
        theta_dot = theta_dot + self.tau * thetaacc
        self.state = (x, x_dot, theta, theta_dot)
        self.steps += 1
        terminated = bool(x < -self.x_threshold or x > self.x_threshold
                          or theta < -self.theta_threshold_radians
                          or theta > self.theta_threshold_radians)
        truncated = self.steps >= self.max_episode_steps
        return np.array(self.state, dtype=np.float32), 1.0, terminated, truncated, {}

    def render(self):
        return None

    def close(self):
        return None


class PendulumEnv:
    max_speed, max_torque, dt, g, m, l = 8.0, 2.0, 0.05, 10.0, 1.0, 1.0
    max_episode_steps = 200

    def __init__(self, render_mode=None, g=10.0):
        self.g = g
        self.spec = SimpleNamespace(id="Pendulum-v1", max_episode_steps=self.max_episode_steps,
                                    reward_threshold=None)
        self.np_random = np.random.default_rng(0)
        self.state = None
        self.steps = 0

    def _obs(self):
        th, thdot = self.state
        return np.array([math.cos(th), math.sin(th), thdot], dtype=np.float32)

    def reset(self, seed=None, options=None):
        _count_episode()
        if seed is not None:
            self.np_random = np.random.default_rng(seed)
        high = np.array([math.pi, 1.0])
        self.state = self.np_random.uniform(low=-high, high=high)
        self.steps = 0
        return self._obs(), {}

    def step(self, u):
        th, thdot = self.state
        u = float(np.clip(u, -self.max_torque, self.max_torque)[0])
        norm_th = ((th + math.pi) % (2 * math.pi)) - math.pi
        costs = norm_th ** 2 + 0.1 * thdot ** 2 + 0.001 * u ** 2
        newthdot = thdot + (3 * self.g / (2 * self.l) * math.sin(th)
                            + 3.0 / (self.m * self.l ** 2) * u) * self.dt
        newthdot = float(np.clip(newthdot, -self.max_speed, self.max_speed))
        self.state = (th + newthdot * self.dt, newthdot)
        self.steps += 1
        return self._obs(), -costs, False, self.steps >= self.max_episode_steps, {}

    def render(self):
        return None

    def close(self):
        return None


def make(env_id, render_mode=None, **kwargs):
    """``gym.make`` / ``gymnasium.make`` for the environments the vendored programs use."""
    envs = {"CartPole-v1": CartPoleEnv, "Pendulum-v1": PendulumEnv}
    if env_id not in envs:
        raise ValueError(f"this stand-in has {sorted(envs)}, not {env_id}")
    return envs[env_id](render_mode=render_mode)
