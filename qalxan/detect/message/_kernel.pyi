from typing import Any

class Kernel:
    def __init__(
        self,
        table: dict[int, str],
        model: tuple[Any, ...] | None = None,
        tlds: frozenset[str] | None = None,
    ) -> None: ...
    def fold(self, text: str) -> str: ...
    def scan(self, texts: list[str]) -> tuple[list[str], list[float | None], bytes]: ...

def quiet_verdicts(
    cls: type[Any], kind: str, label: str, texts: list[str], extras: list[dict[str, Any]]
) -> list[Any]: ...
