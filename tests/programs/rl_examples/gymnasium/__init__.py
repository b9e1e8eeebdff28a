"""A minimal stand-in for ``gymnasium`` (test infrastructure, not part of ember): the
``CartPole-v1`` environment with gymnasium's classic-control physics, reset/step API and
``spec.reward_threshold``, so that PyTorch's reinforcement-learning examples run here without
the gymnasium package. Deterministic from ``reset(seed=...)``. ``EMBER_TEST_CARTPOLE_THRESHOLD``
lowers the reward threshold at which the examples stop (475 in gymnasium)."""
import math
import os
from types import SimpleNamespace

import numpy as np

__all__ = ["make"]


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
        self.np_random = np.random.default_rng()
        self.state = None
        self.steps = 0

    def reset(self, seed=None, options=None):
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


def make(env_id, render_mode=None, **kwargs):
    """``gymnasium.make`` for the one environment the examples use."""
    if env_id != "CartPole-v1":
        raise ValueError(f"this stand-in only has CartPole-v1, not {env_id}")
    return CartPoleEnv(render_mode=render_mode)
