"""Commands: analyst accounts of the web UI (to be filled by the reports area)."""

import typer

app = typer.Typer(help="Analyst accounts.", no_args_is_help=True)
