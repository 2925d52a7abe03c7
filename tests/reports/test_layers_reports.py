"""Layers of this area: policy imports only the domain; the store never imports policy,
services or edges; services never import the edges (api, web, cli)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[2] / "qalxan"
PURE = ("policy/fingerprint.py", "policy/indicators.py", "intake/eml.py")
# This area's own modules (other areas' files are theirs to police).
FORBIDDEN = {
    "store/jobs.py": ("qalxan.policy", "qalxan.service", "qalxan.api", "qalxan.web", "qalxan.cli"),
    "store/campaigns.py": ("qalxan.policy", "qalxan.service", "qalxan.api", "qalxan.web"),
    "store/reports.py": ("qalxan.policy", "qalxan.service", "qalxan.api", "qalxan.web"),
    "store/analysts.py": ("qalxan.policy", "qalxan.service", "qalxan.api", "qalxan.web"),
    "store/models/reports.py": ("qalxan.policy", "qalxan.service", "qalxan.api", "qalxan.web"),
    "service/reports.py": ("qalxan.api", "qalxan.web", "qalxan.cli"),
    "service/worker.py": ("qalxan.api", "qalxan.web", "qalxan.cli"),
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return {n for n in names if n.startswith("qalxan")}


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_import_only_the_domain(module: str) -> None:
    bad = {m for m in _imports(PKG / module) if not m.startswith("qalxan.domain")}
    assert not bad, f"{module} imports {bad}"


@pytest.mark.parametrize("module", sorted(FORBIDDEN))
def test_lower_layers_do_not_import_upper_ones(module: str) -> None:
    bad = {m for m in _imports(PKG / module) if m.startswith(FORBIDDEN[module])}
    assert not bad, f"{module} imports {bad}"
