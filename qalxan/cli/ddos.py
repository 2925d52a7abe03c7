"""Commands: ddos (to be filled by its area)."""

import typer

app = typer.Typer(help="ddos commands.", no_args_is_help=True)
