"""Import layers: domain imports nothing else of qalxan; detectors import only the domain."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[2] / "qalxan"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            names.add("<relative>")
    return names


def _files(sub: str) -> list[Path]:
    return sorted((PKG / sub).rglob("*.py"))


@pytest.mark.parametrize("path", _files("domain"), ids=lambda p: str(p.relative_to(PKG)))
def test_domain_imports_nothing_else_of_qalxan(path: Path) -> None:
    bad = {
        m for m in _imports(path) if m.startswith("qalxan") and not m.startswith("qalxan.domain")
    }
    assert not bad, f"{path} imports {bad}"
    assert "<relative>" not in _imports(path)


@pytest.mark.parametrize("path", _files("detect"), ids=lambda p: str(p.relative_to(PKG)))
def test_detectors_import_only_the_domain(path: Path) -> None:
    bad = {
        m
        for m in _imports(path)
        if m.startswith("qalxan") and not m.startswith(("qalxan.domain", "qalxan.detect"))
    }
    assert not bad, f"{path} imports {bad}"


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in PKG.rglob("*.py")
        if not p.is_relative_to(PKG / "cli")
        and not p.is_relative_to(PKG / "api")
        and not p.is_relative_to(PKG / "web")
    ],
    ids=lambda p: str(p.relative_to(PKG)),
)
def test_only_edges_read_the_environment(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "os.environ" not in text and "getenv(" not in text, f"{path} reads the environment"
