"""``qalxan users``: analyst accounts of the web UI (argon2 password hashes)."""

from __future__ import annotations

import sys

import typer

from qalxan.cli.common import emit_json, err_console, get_settings
from qalxan.store.analysts import AnalystDirectory

__all__ = ["app"]

app = typer.Typer(help="Analyst accounts.", no_args_is_help=True)


def _directory() -> AnalystDirectory:
    from qalxan.store import Store

    store = Store(get_settings().database_url)
    store.migrate()
    return AnalystDirectory(store)


@app.command("create")
def create(
    username: str = typer.Option(..., "--username", help="Login name (a-z, 0-9, . _ -)."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Create an analyst; the password is prompted for (twice) unless --password-stdin."""
    from qalxan.domain.errors import ConflictError, ParseError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user_id = _directory().create_user(username, password)
    except (ParseError, ConflictError) as exc:
        err_console.print(f"error: {exc}")
        raise typer.Exit(2) from None
    if json_out:
        emit_json({"id": user_id, "username": username.strip().lower()})
    else:
        typer.echo(f"analyst {username.strip().lower()} created (id {user_id})")


@app.command("list")
def list_users(json_out: bool = typer.Option(False, "--json", help="Print JSON lines.")) -> None:
    """List analyst usernames."""
    directory = _directory()
    with directory.store.read() as session:
        names = directory.usernames(session)
    for name in names:
        if json_out:
            emit_json({"username": name})
        else:
            typer.echo(name)
