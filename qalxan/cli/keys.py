"""``qalxan keys create|list|revoke``: API keys with scopes (tokens are shown once)."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.table import Table

from qalxan.api.auth import SCOPES
from qalxan.cli.common import emit_json, err_console, get_settings
from qalxan.domain.errors import NotFoundError
from qalxan.store import Store
from qalxan.store.keys import KeyStore

__all__ = ["app"]

app = typer.Typer(help="API keys with scopes (analyst, operator, bank, isp).", no_args_is_help=True)


def _actor() -> str:
    """``cli:<login>``: who ran the command, for the audit log."""
    try:
        return f"cli:{getpass.getuser()}"[:100]
    except (KeyError, OSError):
        return "cli"


@contextmanager
def _keys() -> Iterator[KeyStore]:
    from qalxan.service.bootstrap import prepare

    settings = get_settings()
    store = Store(settings.database_url)
    try:
        prepare(settings, store)
        yield KeyStore(store)
    finally:
        store.dispose()


@app.command("create")
def create_key(
    scope: list[str] = typer.Option(..., "--scope", help=f"One of {', '.join(SCOPES)}; repeat."),
    name: str = typer.Option(..., "--name", help="Who the key is for (azercell-smsc)."),
    as_json: bool = typer.Option(False, "--json", help="Print the key as one JSON object."),
) -> None:
    """Create an API key and print its token once (only its hash is stored).

    Example: qalxan keys create --scope operator --name azercell-smsc
    """
    unknown = sorted(set(scope) - set(SCOPES))
    if unknown:
        raise typer.BadParameter(
            f"unknown scope(s) {unknown}; use {list(SCOPES)}", param_hint="--scope"
        )
    with _keys() as keys:
        key, token = keys.create(name, scope, actor=_actor())
    if as_json:
        emit_json({**key.to_dict(), "token": token})
        return
    err_console.print(f"key {key.id} ({name}, scopes: {', '.join(sorted(key.scopes))})")
    err_console.print("store this token now; it is not shown again:")
    typer.echo(token)


@app.command("list")
def list_keys(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON array of keys."),
) -> None:
    """List API keys (id, name, scopes, prefix, created, revoked); never the tokens."""
    with _keys() as keys:
        items = keys.all()
    if as_json:
        emit_json([k.to_dict() for k in items])
        return
    table = Table("id", "name", "scopes", "prefix", "created", "revoked")
    for k in items:
        revoked = "" if k.revoked_at is None else k.revoked_at.isoformat(timespec="seconds")
        table.add_row(
            k.id,
            k.name,
            ", ".join(sorted(k.scopes)),
            k.prefix + "…",
            k.created_at.isoformat(timespec="seconds"),
            revoked,
        )
    Console().print(table)


@app.command("revoke")
def revoke_key(
    key_id: str = typer.Argument(..., help="The key's id (see `qalxan keys list`)."),
    as_json: bool = typer.Option(False, "--json", help="Print the revoked key as JSON."),
) -> None:
    """Revoke an API key; running servers stop accepting it within api_key_cache_seconds."""
    with _keys() as keys:
        try:
            key = keys.revoke(key_id, actor=_actor())
        except NotFoundError as exc:
            err_console.print(str(exc))
            raise typer.Exit(1) from None
    if as_json:
        emit_json(key.to_dict())
    else:
        err_console.print(f"revoked {key.id} ({key.name})")
