"""Helpers shared by commands: settings read once, JSON output, line/JSONL input with progress."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from qalxan.settings import Settings

__all__ = ["InputLine", "emit_json", "err_console", "get_settings", "iter_input_lines", "run_lines"]

err_console = Console(stderr=True)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read from the environment once."""
    return Settings()


def emit_json(obj: Any) -> None:
    """One JSON object on one line of stdout."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")


@dataclass(frozen=True, slots=True)
class InputLine:
    """One input of a ``--file``: its line number, the value and any other JSONL fields."""

    lineno: int
    value: str | None
    fields: dict[str, Any]
    error: str | None = None


def iter_input_lines(path: Path, field: str) -> Iterator[InputLine]:
    """Read one input per line: plain text, or JSONL with ``field`` (``url``/``text``).

    Bad lines (not UTF-8, JSON without the field) come back with ``error`` set so that the
    caller reports them and goes on.
    """
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                yield InputLine(lineno, None, {}, "line is not valid UTF-8")
                continue
            if not line.strip():
                yield InputLine(lineno, None, {}, "empty line")
                continue
            if line.lstrip().startswith("{"):
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield InputLine(lineno, None, {}, f"invalid JSON ({exc.msg})")
                    continue
                value = obj.get(field) if isinstance(obj, dict) else None
                if not isinstance(value, str):
                    yield InputLine(lineno, None, {}, f"JSON object without a text {field!r}")
                    continue
                yield InputLine(lineno, value, obj)
            else:
                yield InputLine(lineno, line, {})


def _count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


def run_lines(path: Path, field: str, judge: Callable[[InputLine], dict[str, Any]]) -> int:
    """Judge every line of ``path`` and print one JSON object per line, in input order.

    A line that fails becomes ``{"line": N, "error": ...}``; a Rich progress bar shows on
    stderr when stderr is a terminal. Returns the number of failed lines.
    """
    if not path.is_file():
        raise typer.BadParameter(f"{path} is not a readable file", param_hint="--file")
    failures = 0
    show = err_console.is_terminal
    total = _count_lines(path) if show else None
    progress = Progress(
        TextColumn("checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not show,
    )
    with progress:
        task = progress.add_task("lines", total=total)
        for item in iter_input_lines(path, field):
            if item.error is not None:
                failures += 1
                emit_json({"line": item.lineno, "error": item.error})
            else:
                try:
                    emit_json(judge(item))
                except ValueError as exc:
                    failures += 1
                    emit_json({"line": item.lineno, "input": item.value, "error": str(exc)})
            progress.advance(task)
    return failures
