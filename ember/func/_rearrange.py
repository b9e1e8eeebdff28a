"""``torch.func.rearrange``: einops' ``rearrange`` pattern language (torch ships functorch's
implementation on first-class dimensions; this one is a reshape, a permute, a sum over the
anonymous unit axes of the left side, and a reshape: views where the layout allows, as torch's).

The pattern parsing follows einops' (MIT license, Copyright (c) 2018 Alex Rogozhnikov) as
functorch adapted it, with its error texts.  Axes are numbered ``d0, d1, ...`` in the order of
the left side, as functorch's first-class dimensions are; the size-binding errors name them so.
"""
from __future__ import annotations

import keyword
import warnings
from typing import Any

from .._tensor import Tensor

__all__ = ["rearrange", "DimensionBindError"]

_ELLIPSIS = "\u2026"  # one character standing for "..."


class DimensionBindError(Exception):
    """The sizes of a pattern's axes cannot be bound to the tensor's shape
    (``functorch.dim.DimensionBindError``)."""


class _Anon:
    """An anonymous unit axis (``1`` outside parentheses on the left side)."""


class _Expr:
    """One side of a pattern: ``composition`` is a list of groups (lists of names / ``_Anon``)
    and the ellipsis marker."""

    def __init__(self, expression: str) -> None:
        self.has_ellipsis = False
        self.ellipsis_parenthesized: bool | None = None
        self.identifiers: set[Any] = set()
        self.non_unitary_anon = False
        self.composition: list[Any] = []
        if "." in expression:
            if "..." not in expression:
                raise ValueError("Expression may contain dots only inside ellipsis (...)")
            if expression.count("...") != 1 or expression.count(".") != 3:
                raise ValueError("Expression may contain dots only inside ellipsis (...); only "
                                 "one ellipsis for tensor ")
            expression = expression.replace("...", _ELLIPSIS)
            self.has_ellipsis = True
        group: list[Any] | None = None

        def add(x: str) -> None:
            if x in self.identifiers:
                raise ValueError(f"Indexing expression contains duplicate dimension '{x}'")
            if x == _ELLIPSIS:
                self.identifiers.add(_ELLIPSIS)
                if group is None:
                    self.composition.append(_ELLIPSIS)
                    self.ellipsis_parenthesized = False
                else:
                    group.append(_ELLIPSIS)
                    self.ellipsis_parenthesized = True
                return
            is_number = x.isdecimal()
            if is_number and int(x) == 1:
                if group is None:
                    self.composition.append([])
                return
            ok, reason = _check_name(x)
            if not (is_number or ok):
                raise ValueError(f"Invalid axis identifier: {x}\n{reason}")
            if is_number:
                if int(x) < 1:
                    raise ValueError(f"Anonymous axis should have positive length, not "
                                     f"{int(x)}")
                self.non_unitary_anon = True
                name: Any = object()
            else:
                name = x
            self.identifiers.add(name)
            if group is None:
                self.composition.append([name])
            else:
                group.append(name)

        current: str | None = None
        for ch in expression:
            if ch in "() ":
                if current is not None:
                    add(current)
                current = None
                if ch == "(":
                    if group is not None:
                        raise ValueError("Axis composition is one-level (brackets inside "
                                         "brackets not allowed)")
                    group = []
                elif ch == ")":
                    if group is None:
                        raise ValueError("Brackets are not balanced")
                    self.composition.append(group)
                    group = None
            elif ch.isalnum() or ch in ("_", _ELLIPSIS):
                current = ch if current is None else current + ch
            else:
                raise ValueError(f"Unknown character '{ch}'")
        if group is not None:
            raise ValueError(f"Imbalanced parentheses in expression: '{expression}'")
        if current is not None:
            add(current)


def _check_name(name: str) -> tuple[bool, str]:
    if not name.isidentifier():
        return False, "not a valid python identifier"
    if name[0] == "_" or name[-1] == "_":
        return False, "axis name should should not start or end with underscore"
    if keyword.iskeyword(name):
        warnings.warn(f"It is discouraged to use axes names that are keywords: {name}",
                      RuntimeWarning, stacklevel=5)
    if name == "axis":
        warnings.warn("It is discouraged to use 'axis' as an axis name and will raise an error "
                      "in future", FutureWarning, stacklevel=5)
    return True, ""


def _parse(pattern: str, ndim: int, axes_lengths: dict[str, Any]) -> Any:
    """The left and right sides, checked as functorch checks them, and the number of axes the
    ellipsis stands for."""
    try:
        left_str, right_str = pattern.split("->")
    except ValueError:
        raise ValueError("Pattern must contain a single '->' separator") from None
    if _ELLIPSIS in axes_lengths:
        raise ValueError(f"'{_ELLIPSIS}' is not an allowed axis identifier")
    left, right = _Expr(left_str), _Expr(right_str)
    if not left.has_ellipsis and right.has_ellipsis:
        raise ValueError(f"Ellipsis found in right side, but not left side of a pattern "
                         f"{pattern}")
    if left.has_ellipsis and left.ellipsis_parenthesized:
        raise ValueError(f"Ellipsis is parenthesis in the left side is not allowed: {pattern}")
    for length in axes_lengths.values():
        if type(length) is not int:
            raise TypeError(f"rearrange axis lengths must be integers, got: {type(length)}")
    if left.non_unitary_anon or right.non_unitary_anon:
        raise ValueError("rearrange only supports unnamed axes of size 1")
    difference = left.identifiers ^ right.identifiers
    if difference:
        raise ValueError(f"Identifiers only on one side of rearrange expression (should be on "
                         f"both): {difference}")
    unmatched = axes_lengths.keys() - left.identifiers
    if unmatched:
        raise ValueError(f"Identifiers not found in rearrange expression: {unmatched}")
    n_anon = sum(1 for g in left.composition if g == [])
    if left.has_ellipsis:
        n_ell = ndim - (len(left.composition) - 1)
        pattern_ndim = n_anon + len(left.identifiers) - 1
        if pattern_ndim > ndim:
            raise ValueError(f"Number of dimensions in pattern ({pattern_ndim}) must be less "
                             f"than or equal to the number of dimensions in the tensor ({ndim})")
    else:
        n_ell = 0
        if len(left.composition) != ndim:
            raise ValueError(f"Number of dimensions in pattern ({len(left.composition)}) must "
                             f"be equal to the number of dimensions in the tensor ({ndim})")
    return left, right, n_ell


def _pack(names: list[str]) -> str:
    return "(" + ", ".join(names) + ("," if len(names) == 1 else "") + ")"


def _bind(left: _Expr, shape: tuple[int, ...], n_ell: int,
          axes_lengths: dict[str, Any]) -> tuple[dict[Any, list[int]], list[int], list[int]]:
    """Number the left side's axes d0, d1, ... (functorch's first-class dims) and bind their
    sizes to ``shape``, group by group; the axes of each name, the sizes, the unit axes."""
    ids: dict[Any, list[int]] = {}
    sizes: list[int] = []
    anon: list[int] = []
    pos = 0
    for grp in left.composition:
        if grp == _ELLIPSIS:
            ids[_ELLIPSIS] = list(range(len(sizes), len(sizes) + n_ell))
            sizes.extend(shape[pos:pos + n_ell])
            pos += n_ell
            continue
        members = list(grp) if grp else [_Anon()]
        first = len(sizes)
        for m in members:
            ids[m] = [len(sizes)]
            given = axes_lengths.get(m, -1) if isinstance(m, str) else -1
            sizes.append(given)
        if not grp:
            anon.append(first)
        total = shape[pos]
        pos += 1
        idx = list(range(first, len(sizes)))
        unknown = [i for i in idx if sizes[i] == -1]
        if len(idx) == 1 and unknown:
            sizes[idx[0]] = total
            continue
        if len(unknown) > 1:
            raise DimensionBindError(f"cannot infer the sizes of two dimensions at once "
                                     f"d{unknown[0]} and d{unknown[1]}")
        known = 1
        for i in idx:
            if sizes[i] != -1:
                known *= sizes[i]
        if unknown:
            if total % known != 0:
                shown = tuple("?" if sizes[i] == -1 else sizes[i] for i in idx)
                raise DimensionBindError(f"inferred dimension does not evenly fit into larger "
                                         f"dimension: {total} vs {shown}")
            sizes[unknown[0]] = total // known
        elif known != total:
            raise DimensionBindError(f"Dimension sizes to do not match ({total} != {known}) "
                                     f"when matching dimension pack "
                                     f"{_pack([f'd{i}' for i in idx])}")
    return ids, sizes, anon


def rearrange(tensor: Any, pattern: str, **axes_lengths: int) -> Tensor:
    r"""``torch.func.rearrange``: einops-style reordering of ``tensor``'s dimensions
    (transpose, reshape, squeeze/unsqueeze, stack, concatenate in one pattern).

    ``pattern`` is ``"left -> right"``: each side names the axes (``b h w c``), parentheses
    group axes into one dimension (``(b h)``: merged on the right, split on the left, with the
    sizes of all but one of the group's axes given as keyword arguments), ``...`` stands for
    the axes not named, and ``1`` is a unit axis.  A list or tuple of tensors is stacked first.

    >>> images = ember.randn(32, 30, 40, 3)
    >>> rearrange(images, "b h w c -> b (c h w)").shape
    ember.Size([32, 3600])
    >>> rearrange(images, "b (h h1) (w w1) c -> b h w (c h1 w1)", h1=2, w1=2).shape
    ember.Size([32, 15, 20, 12])
    """
    if not isinstance(tensor, Tensor):
        from .._ops.shape import stack
        tensor = stack(tensor)
    shape = tuple(tensor.shape)
    left, right, n_ell = _parse(pattern, len(shape), axes_lengths)
    ids, sizes, anon = _bind(left, shape, n_ell, axes_lengths)
    if not sizes:
        return tensor  # an identity rearrangement of a 0-dimensional tensor
    order: list[int] = []
    out_shape: list[int] = []
    for grp in right.composition:
        members = [grp] if grp == _ELLIPSIS else grp
        dims = [d for m in members for d in ids[m]]
        if grp == _ELLIPSIS:  # the ellipsis' axes stay separate dimensions
            order.extend(dims)
            out_shape.extend(sizes[d] for d in dims)
            continue
        order.extend(dims)
        n = 1
        for d in dims:
            n *= sizes[d]
        out_shape.append(n)
    if left.composition == [_ELLIPSIS] and right.composition == [_ELLIPSIS]:
        return tensor  # "... -> ...": functorch gives the tensor itself
    x = tensor.reshape(sizes)
    perm = order + anon
    if perm != list(range(len(perm))):
        x = x.permute(perm)
    x = x.reshape(out_shape + [sizes[d] for d in anon])
    if anon:  # the left side's unit axes (bound to whatever size is there) are summed over
        x = x.sum(tuple(range(len(out_shape), len(perm) - len(order) + len(out_shape))))
    return x
