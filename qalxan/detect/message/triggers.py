"""Literal triggers of regular expressions, for a C-speed prefilter.

For a pattern, :func:`necessary_literals` finds a set of strings such that every match of the
pattern contains at least one of them (``k[oo]d\\w*.{0,40}deyin`` -> ``{"deyin"}`` or
``{"kod"}``, whichever is longer). A text that contains none of the triggers of a pattern
cannot match it, so a multi-string search (Aho-Corasick) over all triggers decides which
messages need the full rules. Patterns without a usable literal come back as ``None`` and are
run as regular expressions on every message.
"""

from __future__ import annotations

import itertools
from re import _parser as sre  # type: ignore[attr-defined]
from typing import Any

__all__ = ["necessary_literals"]

_MAX_SET = 64
_ZERO_WIDTH = {"AT", "ASSERT", "ASSERT_NOT"}


def _op(item: Any) -> str:
    return str(item[0])


def _full(seq: Any) -> set[str] | None:
    """Every string ``seq`` can match, when that is a small finite set; else None."""
    out: set[str] = {""}
    for item in seq:
        part = _full_item(item)
        if part is None:
            return None
        out = {a + b for a, b in itertools.product(out, part)}
        if len(out) > _MAX_SET:
            return None
    return out


def _full_item(item: Any) -> set[str] | None:
    op, av = _op(item), item[1]
    if op == "LITERAL":
        return {chr(av)}
    if op in _ZERO_WIDTH:
        return {""}
    if op == "IN":
        chars = set()
        for sub_op, sub_av in av:
            if str(sub_op) != "LITERAL":
                return None
            chars.add(chr(sub_av))
        return chars if len(chars) <= 4 else None
    if op == "SUBPATTERN":
        return _full(av[-1])
    if op == "BRANCH":
        out: set[str] = set()
        for branch in av[1]:
            part = _full(branch)
            if part is None:
                return None
            out |= part
        return out if len(out) <= _MAX_SET else None
    if op in ("MAX_REPEAT", "MIN_REPEAT"):
        lo, hi, sub = av
        part = _full(sub)
        if part is None or hi > 2:
            return None
        out = set()
        for n in range(lo, hi + 1):
            out |= {"".join(p) for p in itertools.product(part, repeat=n)}
        return out if len(out) <= _MAX_SET else None
    return None


def _best(cands: list[set[str]]) -> set[str] | None:
    good = [c for c in cands if c and min(map(len, c)) > 0]
    if not good:
        return None
    return max(good, key=lambda c: (min(map(len, c)), -len(c)))


def _factors_item(item: Any) -> set[str] | None:
    op, av = _op(item), item[1]
    if op == "SUBPATTERN":
        return _factors(av[-1])
    if op == "BRANCH":
        out: set[str] = set()
        for branch in av[1]:
            part = _factors(branch)
            if part is None:
                return None
            out |= part
        return out
    if op in ("MAX_REPEAT", "MIN_REPEAT") and av[0] >= 1:
        return _factors(av[2])
    return None


def _factors(seq: Any) -> set[str] | None:
    cands: list[set[str]] = []
    run: set[str] = {""}
    for item in seq:
        part = _full_item(item)
        if part is not None:
            grown = {a + b for a, b in itertools.product(run, part)}
            if len(grown) <= _MAX_SET:
                run = grown
                continue
        cands.append(run)
        run = {""}
        own = _factors_item(item)
        if own is not None:
            cands.append(own)
    cands.append(run)
    return _best(cands)


def necessary_literals(pattern: str, min_len: int = 3) -> set[str] | None:
    """Strings one of which every match of ``pattern`` contains; None when there are none
    at least ``min_len`` long."""
    found = _factors(sre.parse(pattern))
    if found is None or min(map(len, found)) < min_len:
        return None
    return found
