"""``qalxan brands list|show``: the protected-brand registry as stored (analyst edits included)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from qalxan.cli.common import emit_json, err_console, get_settings
from qalxan.domain.brands import Brand
from qalxan.store.brands import BrandRecord, BrandStore

__all__ = ["app"]

app = typer.Typer(
    help="The protected-brand registry (seeded from the package; analysts edit it via the API).",
    no_args_is_help=True,
)


def _records() -> list[BrandRecord]:
    from qalxan.service.bootstrap import prepare
    from qalxan.store import Store

    settings = get_settings()
    store = Store(settings.database_url)
    try:
        prepare(settings, store)
        return BrandStore(store).all()
    finally:
        store.dispose()


def _matches(brand: Brand, name: str) -> bool:
    needle = name.casefold()
    spellings = [brand.id, brand.name, *brand.keywords, *brand.domains]
    spellings += [s for values in brand.names.values() for s in values]
    return any(needle == s.casefold() for s in spellings)


@app.command("list")
def list_brands(
    category: str = typer.Option(None, help="Only brands of this category."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON array of brands."),
) -> None:
    """List the protected brands with their official domains.

    Example: qalxan brands list --json
    """
    records = [r for r in _records() if category is None or r.brand.category == category]
    if as_json:
        emit_json([r.to_dict() for r in records])
        return
    table = Table("id", "category", "name", "domains", "sender IDs", "source")
    for r in records:
        b = r.brand
        flag = " (unverified)" if b.unverified else ""
        table.add_row(
            b.id,
            b.category,
            b.name + flag,
            ", ".join(b.domains),
            ", ".join(b.sender_ids),
            r.source,
        )
    Console().print(table)


@app.command("show")
def show_brand(
    name: str = typer.Argument(..., help="Brand id, name, keyword or domain."),
    as_json: bool = typer.Option(False, "--json", help="Print the brand as one JSON object."),
) -> None:
    """Show one brand: names, keywords, domains, senders, numbers.

    Example: qalxan brands show kapitalbank
    """
    found = [r for r in _records() if _matches(r.brand, name)]
    if not found:
        err_console.print(f"no brand matches {name!r}")
        raise typer.Exit(1)
    record = found[0]
    if as_json:
        emit_json(record.to_dict())
        return
    console = Console()
    for key, value in record.to_dict().items():
        if isinstance(value, dict):
            value = "; ".join(f"{k}: {', '.join(v)}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        console.print(f"[bold]{key}[/bold]: {value}", highlight=False)
