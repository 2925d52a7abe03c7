from typing import Any

def fold_pieces(
    text: str, words: dict[str, Any], plains: dict[str, Any], make: Any
) -> tuple[str, tuple[int, ...]]: ...
