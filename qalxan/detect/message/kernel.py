"""The compiled batch kernel of the message detector, when it is built.

``_kernel.pyx`` and ``_fold.pyx`` are compiled by ``pip install`` (Cython and the system C
compiler). In one pass per message the kernel does the fast fold, the text model's
probability and the prefilter flags that the pure-Python batch path computes with
``str.translate``, a regex tokeniser, numpy and regex scans; it gives the same numbers
(tests compare both paths on a corpus and on generated text). :func:`fold_pieces` runs the
loop of the full fold. Without the compiled modules :func:`build_kernel` returns None,
``fold_pieces`` is None, and the prefilter and the normaliser use their Python paths.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from qalxan.domain.verdict import Label, Verdict

if TYPE_CHECKING:
    from qalxan.detect.message.model import TextModel
    from qalxan.detect.message.normalize import Normalizer

__all__ = [
    "COMPILED",
    "F_AZ",
    "F_MODEL_FALLBACK",
    "F_RU",
    "F_TRICKY",
    "F_URLISH",
    "BatchKernel",
    "build_kernel",
    "flagged",
    "fold_pieces",
    "quiet_verdicts",
]

# Flags of :meth:`BatchKernel.scan`, one byte per message.
F_URLISH = 1  # prefilter.URLISH matches the folded text, or tld_dot the original
F_TRICKY = 2  # a TRICK_SCANS pattern matches the original (Normalizer.needs_full may hold)
F_AZ = 4  # guess_lang answers "az"
F_RU = 8  # guess_lang answers "ru" (neither F_AZ nor F_RU: "en")
F_MODEL_FALLBACK = 16  # the integer sum could overflow: score this text on the reference path

_Kernel: Any
# ``fold_pieces(text, words, plains, make)``: Normalizer._fold_pieces in C (the memos and the
# function that fills them stay in Python).
fold_pieces: Any
try:
    from qalxan.detect.message._kernel import Kernel as _Kernel
except ImportError:  # not compiled (a source checkout without pip install)
    _Kernel = None
try:
    from qalxan.detect.message._fold import fold_pieces
except ImportError:
    fold_pieces = None

COMPILED = _Kernel is not None and fold_pieces is not None

# The fields the compiled quiet_verdicts sets, in the order of Verdict's __init__.
_VERDICT_FIELDS = ("kind", "input", "verdict", "score", "reasons", "indicators", "brand", "extra")
_quiet_compiled: Any
try:
    from qalxan.detect.message._kernel import quiet_verdicts as _quiet_compiled
except ImportError:
    _quiet_compiled = None
if (
    tuple(f.name for f in dataclasses.fields(Verdict)) != _VERDICT_FIELDS
    or hasattr(Verdict, "__post_init__")
    or not Verdict.__dataclass_params__.frozen  # type: ignore[attr-defined]
):
    _quiet_compiled = None  # a Verdict it does not know: build through __init__


def quiet_verdicts(
    kind: str, label: Label, texts: list[str], extras: list[dict[str, Any]]
) -> list[Verdict]:
    """``Verdict(kind, text, label, 0.0, (), (), None, extra)`` for each text and extra
    (the batch path's quiet verdicts); compiled, about six times faster than ``__init__``."""
    if _quiet_compiled is not None:
        made: list[Verdict] = _quiet_compiled(Verdict, kind, label, texts, extras)
        return made
    return [
        Verdict(kind, text, label, 0.0, (), (), None, extra)
        for text, extra in zip(texts, extras, strict=True)
    ]


class BatchKernel(Protocol):
    """What the compiled ``Kernel`` offers."""

    def fold(self, text: str) -> str: ...

    def scan(self, texts: list[str]) -> tuple[list[str], list[float | None], bytes]: ...


def build_kernel(
    normalizer: Normalizer, model: TextModel | None, tlds: frozenset[str] | None = None
) -> BatchKernel | None:
    """The compiled kernel for these tables, or None (not compiled, or tables it cannot
    hold: a fold longer than two characters, weights without a fixed-point form).
    ``tlds``: the TLDs of ``prefilter.tld_dot`` (None: any run of two letters)."""
    if _Kernel is None:
        return None
    tables = model.kernel_tables() if model is not None else None
    if model is not None and tables is None:
        return None
    try:
        kernel: BatchKernel = _Kernel(dict(normalizer.fast_table), tables, tlds)
    except ValueError:
        return None
    return kernel


def flagged(flags: bytes, bit: int) -> Sequence[int]:
    """Indexes of the messages whose flags have ``bit``."""
    return [i for i, f in enumerate(flags) if f & bit]
