"""Commands: reports (to be filled by its area)."""

import typer

app = typer.Typer(help="reports commands.", no_args_is_help=True)
