"""Module base class (being written by the nn-core work; placeholder so the package imports)."""
__all__ = ["Module"]


class Module:
    pass
