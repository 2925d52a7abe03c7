"""A campaign's indicator graph as plain SVG geometry (reports left, indicators right).

No JavaScript: the template draws the lines and circles computed here. Big campaigns are cut
to the first :data:`MAX_NODES` reports and indicators; the page lists everything in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Graph", "layout"]

MAX_NODES = 40
ROW = 28
TOP = 24
WIDTH = 720
LEFT_X = 150
RIGHT_X = 470


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    x: int
    y: int
    label: str
    kind: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Edge:
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass(frozen=True, slots=True)
class Graph:
    width: int
    height: int
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    truncated: bool


def _short(text: str, n: int = 34) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def layout(detail: dict[str, Any]) -> Graph:
    """Place the reports and indicators of ``campaign_detail(...)`` in two columns."""
    reports = detail["report_list"][:MAX_NODES]
    indicators = detail["indicators"][:MAX_NODES]
    truncated = len(detail["report_list"]) > MAX_NODES or len(detail["indicators"]) > MAX_NODES
    pos: dict[str, tuple[int, int]] = {}
    nodes: list[Node] = []
    for i, r in enumerate(reports):
        y = TOP + i * ROW
        pos[f"r:{r['id']}"] = (LEFT_X, y)
        label = f"{r['channel']} · {r['verdict'] or '—'} · {r['id'][:6]}"
        nodes.append(Node(r["id"], LEFT_X, y, label, "report", f"/analyst/reports/{r['id']}"))
    for i, ind in enumerate(indicators):
        y = TOP + i * ROW
        pos[f"i:{ind['id']}"] = (RIGHT_X, y)
        nodes.append(
            Node(str(ind["id"]), RIGHT_X, y, _short(f"{ind['kind']}: {ind['value']}"), ind["kind"])
        )
    edges = [
        Edge(*pos[f"r:{rid}"], *pos[f"i:{ind['id']}"])
        for ind in indicators
        for rid in ind["reports"]
        if f"r:{rid}" in pos
    ]
    height = TOP * 2 + ROW * max(len(reports), len(indicators), 1)
    return Graph(WIDTH, height, tuple(nodes), tuple(edges), truncated)
