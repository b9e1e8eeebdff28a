"""A stand-in for the ``gym`` package (test infrastructure): the classic-control environments
of ``tests/programs/_classic_envs.py``."""
from _classic_envs import make  # noqa: F401  (copied beside the program by the test)
