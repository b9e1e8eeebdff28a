"""PEP 440 version parsing and ordering (what ``packaging.version.Version`` does), for
``TorchVersion``: ember's only runtime dependency is NumPy."""
from __future__ import annotations

import itertools
import re
from typing import Any

_PATTERN = re.compile(r"""^\s*v?
    (?:(?P<epoch>[0-9]+)!)?(?P<release>[0-9]+(?:\.[0-9]+)*)
    (?P<pre>[-_\.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_\.]?(?P<pre_n>[0-9]+)?)?
    (?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_\.]?(?P<post_l>post|rev|r)[-_\.]?(?P<post_n2>[0-9]+)?))?
    (?P<dev>[-_\.]?(?P<dev_l>dev)[-_\.]?(?P<dev_n>[0-9]+)?)?
    (?:\+(?P<local>[a-z0-9]+(?:[-_\.][a-z0-9]+)*))?\s*$""", re.VERBOSE | re.IGNORECASE)


class InvalidVersion(ValueError):
    """A string that is not a PEP 440 version."""


class _Inf:
    def __lt__(self, other: Any) -> bool:
        return False

    def __le__(self, other: Any) -> bool:
        return isinstance(other, _Inf)

    def __ge__(self, other: Any) -> bool:
        return True

    def __gt__(self, other: Any) -> bool:
        return not isinstance(other, _Inf)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, _Inf)

    __hash__ = object.__hash__


class _NegInf:
    def __lt__(self, other: Any) -> bool:
        return not isinstance(other, _NegInf)

    def __le__(self, other: Any) -> bool:
        return True

    def __ge__(self, other: Any) -> bool:
        return isinstance(other, _NegInf)

    def __gt__(self, other: Any) -> bool:
        return False

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, _NegInf)

    __hash__ = object.__hash__


INF, NEG_INF = _Inf(), _NegInf()
_LETTERS = {"alpha": "a", "beta": "b", "c": "rc", "pre": "rc", "preview": "rc", "rev": "post",
            "r": "post"}


def _letter(letter: str | None, number: str | None) -> tuple[str, int] | None:
    if letter:
        letter = letter.lower()
        return _LETTERS.get(letter, letter), int(number or 0)
    if number:  # the implicit post release "1.0-1"
        return "post", int(number)
    return None


def version_key(text: str) -> tuple[Any, ...]:
    """The sort key of a PEP 440 version (raises ``InvalidVersion`` for other text)."""
    m = _PATTERN.match(text)
    if m is None:
        raise InvalidVersion(f"Invalid version: '{text}'")
    release = [int(i) for i in m.group("release").split(".")]
    trimmed = tuple(reversed(list(itertools.dropwhile(lambda x: x == 0, reversed(release)))))
    pre = _letter(m.group("pre_l"), m.group("pre_n"))
    post = _letter(m.group("post_l"), m.group("post_n1") or m.group("post_n2"))
    dev = _letter(m.group("dev_l"), m.group("dev_n"))
    local = m.group("local")
    pre_key: Any = NEG_INF if pre is None and post is None and dev is not None else \
        INF if pre is None else pre
    local_key: Any = NEG_INF if local is None else tuple(
        (int(p), "") if p.isdigit() else (NEG_INF, p.lower()) for p in re.split(r"[-_\.]", local))
    return (int(m.group("epoch") or 0), trimmed, pre_key, NEG_INF if post is None else post,
            INF if dev is None else dev, local_key)
